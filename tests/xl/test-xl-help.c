/*
 * test-xl-help.c - `xl CMD --help`, `xl CMD -h` and `xl help CMD` for
 * every row of both command tables: exit status 0 and a usage line that
 * names the command, as upstream xl prints them.  A command added to a
 * table without option handling fails here.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "xl.h"

/* Run cmd->fn(argc=2, {name, opt}) in a child; its stdout and status. */
static int run_help(const struct xl_command *cmd, const char *opt,
                    char *out, size_t outlen)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)cmd->name, (char *)opt, NULL };

		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		optind = 1;
		/* A command that does not stop at --help returns (or fails
		 * trying to reach Xen): that is the failure to catch. */
		exit(cmd->fn(2, argv) == 0 ? 99 : 98);
	}
	close(fds[1]);
	while (got + 1 < outlen &&
	       (r = read(fds[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* "Usage: xl [-vT...] NAME ..." on the first line. */
static void assert_usage(const char *text, const char *name)
{
	char want[128];
	const char *p;

	if (strncmp(text, "Usage: xl [-vT", 14) != 0)
		fail_msg("%s: no usage line: `%.60s'", name, text);
	p = strchr(text, ']');
	snprintf(want, sizeof(want), "] %s ", name);
	if (!p || strncmp(p, want, strlen(want)) != 0)
		fail_msg("%s: usage line does not name it: `%.60s'", name, text);
}

static void check_table(const struct xl_command *t, size_t *count)
{
	char out[16384];
	const char *opts[] = { "--help", "-h" };
	size_t i;

	for (; t && t->name; t++) {
		for (i = 0; i < 2; i++) {
			int rc = run_help(t, opts[i], out, sizeof(out));

			if (rc != 0)
				fail_msg("xl %s %s: exit %d, want 0", t->name, opts[i], rc);
			assert_usage(out, t->name);
		}
		(*count)++;
	}
}

static void test_every_command_help(void **state)
{
	size_t n = 0;

	(void)state;
	check_table(xl_base_commands, &n);
	check_table(xl_lifecycle_commands, &n);
	/* Both tables were really walked (list ... network-detach, create ...). */
	assert_true(n >= 20);
}

/* `xl help CMD` prints the same usage for every command. */
static void test_help_cmd(void **state)
{
	const struct xl_command *tables[] = { xl_base_commands,
	                                      xl_lifecycle_commands };
	const struct xl_command *t;
	char *buf;
	size_t len, i;
	FILE *f;

	(void)state;
	for (i = 0; i < 2; i++) {
		for (t = tables[i]; t->name; t++) {
			f = open_memstream(&buf, &len);
			assert_non_null(f);
			xl_help(f, t->name);
			fclose(f);
			assert_usage(buf, t->name);
			free(buf);
		}
	}
}

/* The full list names every command of both tables. */
static void test_help_lists_all(void **state)
{
	const struct xl_command *tables[] = { xl_base_commands,
	                                      xl_lifecycle_commands };
	const struct xl_command *t;
	char *buf, want[64];
	size_t len, i;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	xl_help(f, NULL);
	fclose(f);
	for (i = 0; i < 2; i++) {
		for (t = tables[i]; t->name; t++) {
			snprintf(want, sizeof(want), "\n %s ", t->name);
			if (!strstr(buf, want))
				fail_msg("xl help does not list %s", t->name);
		}
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_help),
		cmocka_unit_test(test_help_cmd),
		cmocka_unit_test(test_help_lists_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
