/*
 * xl.h - shared declarations for the xl command line: the command table,
 * option parsing, strict number parsing and the liblight context.
 *
 * Each xl subcommand is one function `int cmd_NAME(int argc, char **argv)`
 * in xl/cmd_NAME.c, listed in a command table.  There are two tables so
 * that two groups of commands can be added without editing each other's
 * files:
 *
 *   xl_base_commands[]       xl/cmd_table.c (info, list, dmesg, ...)
 *   xl_lifecycle_commands[]  xl/lifecycle_cmds.c (create, destroy, ...)
 *
 * Each table ends with an entry whose name is NULL.  xl.c declares
 * xl_lifecycle_commands weak, so xl builds and runs without it.
 *
 * A command function gets argv[0] = its own name and returns the process
 * exit status.  Commands parse options with xl_getopt(), which handles
 * -h/--help and the minimum number of arguments the way upstream xl does
 * (help: exit 0; bad option or too few arguments: exit 2).
 */
#ifndef LIGHTSTACK_XL_H
#define LIGHTSTACK_XL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct light_ctx;

/* xl_command.flags: shown in `xl help CMD` as in upstream's usage line. */
#define XL_CMD_MODIFIES  0x1u   /* changes state: implements global -f */
#define XL_CMD_DRYRUN    0x2u   /* implements global -N (dry run) */

struct xl_command {
	const char *name;                   /* "list" */
	int (*fn)(int argc, char **argv);   /* returns the exit status */
	const char *usage;                  /* after "xl list ": "[options] ..." */
	const char *help;                   /* one line, no final period */
	const char *options;                /* option lines, or NULL */
	unsigned flags;                     /* XL_CMD_* */
};

extern const struct xl_command xl_base_commands[];
extern const struct xl_command xl_lifecycle_commands[];

/*
 * Global options (xl [-vfNT] cmd ...), set by main before the command.
 * Upstream's -t (overwrite progress messages with carriage returns) is
 * refused: no command here shows progress messages.
 */
extern int xl_verbose;      /* -v, counted */
extern bool xl_force;       /* -f: run a modifying command beside xend */
extern bool xl_dryrun;      /* -N */
extern bool xl_timestamps;  /* -T: date and pid before xl_warnx lines */

/* xend's lock files, NULL-terminated (see xl_check_global). */
extern const char *const xl_xend_locks[];

/*
 * Check the global options against the command about to run, as
 * upstream xl does before calling it: -N and -f are refused (message on
 * stderr, -1) for a command that does not implement them, and a command
 * that modifies domains is refused while one of `locks` exists (xend is
 * running), unless -f or -N.  Returns 0 when the command may run.
 */
int xl_check_global(const struct xl_command *cmd, const char *const *locks);

/* Find a command by exact name in both tables; NULL if none. */
const struct xl_command *xl_find_command(const char *name);

/*
 * Print help: with name NULL (or "help") the list of all commands, else
 * the usage of one command (`command "x" not implemented` if unknown).
 * Output goes to `out` (stdout in xl; tests pass a memstream).
 */
void xl_help(FILE *out, const char *name);

/*
 * Option parsing for a command, like getopt_long with upstream xl's rules
 * added.  `opts` must not contain 'h': -h and --help are added here.
 * Returns the next option character, or -1 when options are done and at
 * least `nreq` non-option arguments remain (then optind indexes the first).
 * Never returns for -h/--help (prints the command's help, exit 0), an
 * unknown option ("option `x' not supported.", exit 2) or too few
 * arguments ("'xl cmd' requires at least N argument(s).", exit 2).
 * `longopts` may be NULL; a non-NULL array must end with a zero entry
 * and should include {"help", 0, 0, 'h'} (XL_HELP_OPTION).
 */
int xl_getopt(int argc, char **argv, const char *opts,
    const struct option *longopts, int nreq);
#define XL_HELP_OPTION {"help", 0, 0, 'h'}

/*
 * The same decision without exiting, for tests and reuse: returns the
 * option, -1 when done, or XL_GETOPT_HELP / XL_GETOPT_BADOPT /
 * XL_GETOPT_MISSING; *badopt receives the offending option character.
 */
#define XL_GETOPT_HELP     (-2)
#define XL_GETOPT_BADOPT   (-3)
#define XL_GETOPT_MISSING  (-4)
int xl_getopt_check(int argc, char **argv, const char *opts,
    const struct option *longopts, int nreq, int *badopt);

/*
 * Strict number parsing: the whole string must be a decimal number
 * (no sign, no spaces, no trailing text) within [min, max].
 * Returns 0, or -1 with errno EINVAL (not a number) or ERANGE.
 */
int xl_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);

/*
 * The liblight context, opened on first use and closed at exit.  On
 * failure prints "xl: <reason>" and exits 1, so commands simply write
 *     struct light_ctx *c = xl_ctx();
 */
struct light_ctx *xl_ctx(void);

/*
 * Resolve a domain argument (name or numeric id) the way upstream's
 * find_domain() does; on failure prints
 * "<arg> is an invalid domain identifier (rc=-6)" and exits 1.
 */
uint32_t xl_find_domain(const char *arg);

/*
 * xl.conf (liblight's light_xlconf.h).  main() calls xl_conf_load() once
 * before the command: $LIGHTSTACK_XL_CONF, else /etc/xen/xl.conf (a
 * missing file gives the defaults); a bad file prints its file:line error
 * and returns -1.  xl_conf() is the loaded copy (the defaults if nothing
 * was loaded, as in tests).
 */
struct light_xlconf;
int xl_conf_load(void);
const struct light_xlconf *xl_conf(void);

/*
 * xl.conf's lockfile, held while a domain is being created so that two
 * creates do not race for a name, as upstream's xl does.  Returns the
 * descriptor to pass to xl_lock_release, or -1 (message printed).
 */
int xl_lock_acquire(void);
void xl_lock_release(int fd);

/* Print "xl: <message>" to stderr (warnx style). */
void xl_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LIGHTSTACK_XL_H */
