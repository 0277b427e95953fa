/*
 * cmd_shell.c - `xl shell`: xl commands read line by line, as virsh's
 * interactive shell offers them.
 *
 * Each line is split into words (shell-like quoting: '...', "..." with
 * \" and \\, a backslash escapes the next character, # starts a comment
 * at the start of a word) and run through the same command table as a
 * one-shot `xl`, in this process, so the output is the same.  A command
 * that fails prints what it always prints and the shell reports
 * "(exit status N)" on stderr; a bad line never ends the shell.
 *
 * The commands were written for a process that ends after one of them:
 * xl_getopt(), xl_find_domain() and xl_ctx() call exit() on bad input.
 * xl is linked with `-Wl,--wrap=exit` (shell_exit.c): while the shell
 * runs a command, exit() lands back here through xl_shell_exit_hook()
 * with the status the one-shot command would have exited with.  What the
 * abandoned command had allocated is leaked; commands that fail this way
 * fail before allocating much.  The two commands that replace the
 * process (console, and create -c / -F, which exec the console client or
 * become the domain's monitor) run in a child, as they would from a
 * shell.
 *
 * On a terminal, lines are read with readline: history in $XL_HISTORY
 * (default ~/.xl_history, at most 1000 lines), tab completion of command
 * names, a command's options (from its help text) and domain names
 * (then file names).  Otherwise lines are read from stdin without a
 * prompt, and the shell exits with the status of the last command.  A
 * terminal on a host without readline gets the prompt and plain lines,
 * and a warning that says why.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "lazylib.h"
#include "liblight.h"
#include "xl.h"
#include "xml_cmds.h"

/*
 * readline (and the libtinfo it brings) is loaded when a shell starts on
 * a terminal, not linked into every xl command (common/lazylib.h says
 * why).  The table has readline's names and its headers' types: its
 * functions, and pointers to the variables it shares with us
 * (*rl.rl_line_buffer).
 */
#define RL_FUNCS(F, t) \
	F(t, readline) F(t, add_history) F(t, append_history) \
	F(t, history_get) F(t, using_history) F(t, stifle_history) \
	F(t, read_history) F(t, write_history) F(t, history_truncate_file) \
	F(t, rl_completion_matches) F(t, rl_line_buffer) \
	F(t, rl_attempted_completion_over) F(t, rl_readline_name) \
	F(t, rl_attempted_completion_function) F(t, history_length) \
	F(t, history_base)
LAZYLIB_DEFINE(rl, RL_FUNCS, "libreadline.so.8", "line editing in xl shell",
               NULL)

extern const struct xl_command xl_lifecycle_commands[] __attribute__((weak));

#define MAX_WORDS 256
#define HISTORY_LINES 1000

/* Where exit() goes while a command runs (see the top of the file). */
static sigjmp_buf cmd_env;
static volatile sig_atomic_t cmd_running;
static volatile int cmd_status;

void xl_shell_exit_hook(int status);

void
xl_shell_exit_hook(int status)
{
	if (!cmd_running)
		return;
	cmd_running = 0;
	cmd_status = status;
	siglongjmp(cmd_env, 1);
}

static const char *const builtins[] = { "help", "quit", "exit", NULL };

/*
 * Split a line into words in place: quotes and backslashes are removed,
 * and each word is NUL-terminated inside `line`.  Returns the number of
 * words, or -1 on an unterminated quote or too many words (with a
 * message unless `quiet`: completion splits half-typed lines).
 */
static int
split_words(char *line, char **words, int max, bool quiet)
{
	char *r = line, *w = line;
	int n = 0;
	char q;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0' || *r == '#')
			return n;
		if (n == max) {
			if (!quiet)
				xl_warnx("shell: more than %d words on a line", max);
			return -1;
		}
		words[n++] = w;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' && *r != '\r') {
			if (*r == '\'' || *r == '"') {
				q = *r++;
				while (*r && *r != q) {
					if (q == '"' && *r == '\\' &&
					    (r[1] == '"' || r[1] == '\\'))
						r++;
					*w++ = *r++;
				}
				if (*r != q) {
					if (!quiet)
						xl_warnx("shell: unterminated %c quote", q);
					return -1;
				}
				r++;
			} else if (*r == '\\' && r[1]) {
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
}

/* Whether running `argv` replaces or takes over the process. */
static bool
takes_over(int argc, char **argv)
{
	int i;

	if (strcmp(argv[0], "console") == 0)
		return true;
	if (strcmp(argv[0], "create") != 0)
		return false;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] != '-' && a[1] &&
		    strspn(a + 1, "pcqnFeVAd") == strlen(a + 1) &&
		    strpbrk(a + 1, "cF"))
			return true;
	}
	return false;
}

/* Run one command in a child and wait for it; its exit status. */
static int
run_in_child(const struct xl_command *cmd, int argc, char **argv)
{
	pid_t pid, w;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		xl_warnx("shell: fork: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		optind = 0;
		exit(cmd->fn(argc, argv));
	}
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (w < 0)
		return EXIT_FAILURE;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/*
 * Run one line.  Returns the command's exit status; *quit is set by
 * quit/exit, *ran is false for a line with no command (blank, comment).
 */
static int
run_line(char *line, int last, bool *quit, bool *ran)
{
	char *words[MAX_WORDS + 1];
	const struct xl_command *cmd;
	unsigned long v;
	int argc, status;

	*ran = true;
	argc = split_words(line, words, MAX_WORDS, false);
	if (argc < 0)
		return EXIT_FAILURE;
	if (argc == 0) {
		*ran = false;
		return last;
	}
	words[argc] = NULL;

	if (strcmp(words[0], "quit") == 0 || strcmp(words[0], "exit") == 0) {
		*quit = true;
		if (argc > 1 && xl_parse_ulong(words[1], 0, 255, &v) == 0)
			return (int)v;
		return argc > 1 ? EXIT_FAILURE : last;
	}
	if (strcmp(words[0], "help") == 0) {
		xl_help(stdout, argc > 1 ? words[1] : NULL);
		if (argc == 1)
			printf(" %-19s %s\n %-19s %s\n", "help [command]",
			    "This list, or one command's usage",
			    "quit, exit [N]", "Leave the shell (also end of input)");
		return EXIT_SUCCESS;
	}
	if (strcmp(words[0], "shell") == 0) {
		xl_warnx("shell: already in a shell");
		return EXIT_FAILURE;
	}
	cmd = xl_find_command(words[0]);
	if (cmd == NULL) {
		fprintf(stderr, "command not implemented\n");
		return EXIT_FAILURE;
	}
	if (xl_check_global(cmd, xl_xend_locks) == -1)
		return EXIT_FAILURE;
	if (takes_over(argc, words))
		return run_in_child(cmd, argc, words);

	/* A fresh getopt for each command: 0 makes glibc start over. */
	optind = 0;
	if (sigsetjmp(cmd_env, 1) == 0) {
		cmd_running = 1;
		status = cmd->fn(argc, words);
		cmd_running = 0;
	} else {
		status = cmd_status;    /* the command called exit() */
	}
	return status;
}

/* ---- Completion ------------------------------------------------------ */

/* Candidates for the word being completed, NULL-terminated, malloc'd. */
static char **cands;
static size_t ncands;
static size_t cand_next;

static void
cands_clear(void)
{
	size_t i;

	for (i = 0; i < ncands; i++)
		free(cands[i]);
	free(cands);
	cands = NULL;
	ncands = 0;
}

static void
cands_add(const char *s, size_t len)
{
	char **n;
	size_t i;

	for (i = 0; i < ncands; i++)
		if (strlen(cands[i]) == len && strncmp(cands[i], s, len) == 0)
			return;
	n = realloc(cands, (ncands + 1) * sizeof(*n));
	if (!n)
		return;
	cands = n;
	cands[ncands] = strndup(s, len);
	if (cands[ncands])
		ncands++;
}

static void
add_commands(void)
{
	const struct xl_command *tables[] = {
		xl_lifecycle_commands, xl_base_commands,
	};
	const struct xl_command *t;
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (t = tables[i]; t && t->name; t++)
			cands_add(t->name, strlen(t->name));
	for (i = 0; builtins[i]; i++)
		cands_add(builtins[i], strlen(builtins[i]));
}

/* The -x and --long options named in a command's usage and help text. */
static void
add_options(const char *text)
{
	const char *p = text;
	size_t len;

	while (p && (p = strchr(p, '-')) != NULL) {
		/* An option starts a word: after space, '[', '|' or a line. */
		if (p != text && !strchr(" \t\n[|,(", p[-1])) {
			p++;
			continue;
		}
		len = 1;
		if (p[1] == '-')
			len++;
		while (p[len] && (p[len] == '-' || p[len] == '_' ||
		    (p[len] >= 'a' && p[len] <= 'z') ||
		    (p[len] >= 'A' && p[len] <= 'Z') ||
		    (p[len] >= '0' && p[len] <= '9')))
			len++;
		if (len > (p[1] == '-' ? 2u : 1u) && (p[1] == '-' || len == 2))
			cands_add(p, len);
		p += len;
	}
}

static struct light_ctx *complete_ctx;

/* Domain names, from a context of the shell's own: completion must not
 * end the shell when Xen is not there (xl_ctx() would exit). */
static void
add_domains(void)
{
	struct light_dominfo *d = NULL;
	char err[256];
	size_t n = 0, i;

	if (!complete_ctx)
		complete_ctx = light_open(0, err, sizeof(err));
	if (!complete_ctx || light_domain_list(complete_ctx, &d, &n) < 0)
		return;
	for (i = 0; i < n; i++)
		if (d[i].has_name && d[i].name[0])
			cands_add(d[i].name, strlen(d[i].name));
	free(d);
}

static char *
cand_generator(const char *text, int state)
{
	size_t len = strlen(text);

	if (state == 0)
		cand_next = 0;
	while (cand_next < ncands) {
		const char *c = cands[cand_next++];
		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char *words[MAX_WORDS + 1], *copy;
	const struct xl_command *cmd;
	char **matches;
	int n;

	(void)end;
	cands_clear();
	copy = strndup(*rl.rl_line_buffer, (size_t)start);
	if (!copy)
		return NULL;
	n = split_words(copy, words, MAX_WORDS, true);
	if (n < 0) {
		;                                  /* inside an open quote */
	} else if (n == 0) {
		add_commands();                    /* the command's name */
	} else if (strcmp(words[0], "help") == 0) {
		add_commands();
	} else if ((cmd = xl_find_command(words[0])) == NULL) {
		;                                  /* nothing known */
	} else if (text[0] == '-') {
		add_options(cmd->usage);
		add_options(cmd->options);
		cands_add("--help", 6);
	} else {
		add_domains();
	}
	free(copy);
	*rl.rl_attempted_completion_over = 1;
	matches = rl.rl_completion_matches(text, cand_generator);
	if (!matches && n > 0 && text[0] != '-') {
		/* Not a domain: a file (create's config, dump-core's core). */
		*rl.rl_attempted_completion_over = 0;
	}
	return matches;
}

/* ---- The loop --------------------------------------------------------- */

static char *
history_path(void)
{
	const char *e = getenv("XL_HISTORY"), *home = getenv("HOME");
	char *p = NULL;

	if (e && *e)
		return strdup(e);
	if (!home || !*home)
		return NULL;
	if (asprintf(&p, "%s/.xl_history", home) < 0)
		return NULL;
	return p;
}

int
cmd_shell(int argc, char **argv)
{
	bool tty = isatty(STDIN_FILENO), edit = false, quit = false, ran;
	char *line = NULL, *hist = NULL, why[320];
	size_t cap = 0;
	int status = EXIT_SUCCESS;

	if (xl_getopt(argc, argv, "", NULL, 0) != -1)
		return 2;
	if (argc - optind > 0) {
		fprintf(stderr, "'xl shell' takes no arguments.\n");
		return 2;
	}
	if (tty) {
		edit = lazylib_load(&rl_lib, why, sizeof(why)) == 0;
		if (!edit)
			xl_warnx("%s; reading plain lines", why);
	}
	if (edit) {
		hist = history_path();
		*rl.rl_readline_name = "xl";
		*rl.rl_attempted_completion_function = complete;
		rl.using_history();
		rl.stifle_history(HISTORY_LINES);
		if (hist && rl.read_history(hist) != 0 && errno == ENOENT)
			rl.write_history(hist);     /* create it, mode 0600 */
	}
	while (!quit) {
		if (edit) {
			free(line);
			line = rl.readline("xl> ");
			if (!line) {
				putchar('\n');
				break;
			}
			if (*line && (!*rl.history_length ||
			    strcmp(rl.history_get(*rl.history_base + *rl.history_length - 1)->line,
			    line) != 0)) {
				rl.add_history(line);
				if (hist)
					rl.append_history(1, hist);
			}
		} else {
			if (tty) {
				fputs("xl> ", stdout);
				fflush(stdout);
			}
			if (getline(&line, &cap, stdin) < 0) {
				if (tty)
					putchar('\n');
				break;
			}
		}
		status = run_line(line, status, &quit, &ran);
		if (fflush(stdout) != 0)
			clearerr(stdout);
		if (ran && status != EXIT_SUCCESS && !quit)
			fprintf(stderr, "(exit status %d)\n", status);
	}
	if (edit && hist)
		rl.history_truncate_file(hist, HISTORY_LINES);
	free(hist);
	free(line);
	cands_clear();
	if (complete_ctx)
		light_close(complete_ctx);
	return status;
}
