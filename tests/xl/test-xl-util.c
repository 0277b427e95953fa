/*
 * test-xl-util.c - xl's shared helpers: strict number parsing, option
 * parsing with upstream's rules, the command table and help text.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "xl.h"

/* ---- xl_parse_ulong -------------------------------------------------- */

static void
parse_accepts_plain_numbers(void **state)
{
	unsigned long v = 99;

	(void)state;
	assert_int_equal(xl_parse_ulong("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xl_parse_ulong("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295ul);
	assert_int_equal(xl_parse_ulong("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
}

static void
parse_rejects_junk(void **state)
{
	static const char *bad[] = {
		"", " 1", "1 ", "+1", "-1", "1x", "x1", "0x10", "1.5", "١",
	};
	unsigned long v = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(xl_parse_ulong(bad[i], 0, ~0ul, &v), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(v, 42);        /* untouched */
	}
}

static void
parse_checks_range(void **state)
{
	unsigned long v = 42;

	(void)state;
	errno = 0;
	assert_int_equal(xl_parse_ulong("4294967296", 0, UINT32_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(xl_parse_ulong("99999999999999999999999", 0, ~0ul,
	    &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(xl_parse_ulong("4", 5, 10, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(v, 42);
}

/* ---- xl_getopt_check ------------------------------------------------- */

/* getopt keeps state between calls: restart it for each argv. */
static void
reset_getopt(void)
{
	optind = 0;
}

static void
getopt_returns_options_then_done(void **state)
{
	static const struct option lo[] = {
		{ "verbose", 0, 0, 'v' }, XL_HELP_OPTION, { 0, 0, 0, 0 },
	};
	char *argv[] = { "list", "-v", "--verbose", "Domain-0", NULL };
	int bad = 0;

	(void)state;
	reset_getopt();
	assert_int_equal(xl_getopt_check(4, argv, "v", lo, 0, &bad), 'v');
	assert_int_equal(xl_getopt_check(4, argv, "v", lo, 0, &bad), 'v');
	assert_int_equal(xl_getopt_check(4, argv, "v", lo, 0, &bad), -1);
	assert_string_equal(argv[optind], "Domain-0");
}

static void
getopt_help(void **state)
{
	char *argv1[] = { "list", "-h", NULL };
	char *argv2[] = { "list", "--help", NULL };
	int bad = 0;

	(void)state;
	reset_getopt();
	assert_int_equal(xl_getopt_check(2, argv1, "v", NULL, 0, &bad),
	    XL_GETOPT_HELP);
	reset_getopt();
	assert_int_equal(xl_getopt_check(2, argv2, "v", NULL, 0, &bad),
	    XL_GETOPT_HELP);
}

static void
getopt_bad_option(void **state)
{
	char *argv[] = { "list", "-q", NULL };
	char *argv2[] = { "list", "--bogus", NULL };
	int bad = 0;

	(void)state;
	reset_getopt();
	assert_int_equal(xl_getopt_check(2, argv, "v", NULL, 0, &bad),
	    XL_GETOPT_BADOPT);
	assert_int_equal(bad, 'q');
	reset_getopt();
	bad = 'x';
	assert_int_equal(xl_getopt_check(2, argv2, "v", NULL, 0, &bad),
	    XL_GETOPT_BADOPT);
	assert_int_equal(bad, 0);
}

static void
getopt_missing_arguments(void **state)
{
	char *argv[] = { "domid", NULL };
	char *argv2[] = { "domid", "Domain-0", NULL };
	int bad = 0;

	(void)state;
	reset_getopt();
	assert_int_equal(xl_getopt_check(1, argv, "", NULL, 1, &bad),
	    XL_GETOPT_MISSING);
	reset_getopt();
	assert_int_equal(xl_getopt_check(2, argv2, "", NULL, 1, &bad), -1);
	assert_int_equal(optind, 1);
}

/* ---- Command table and help ------------------------------------------ */

/* Run xl_help into a string. */
static char *
help_text(const char *name)
{
	/* static: the stream keeps their addresses until fclose */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);

	assert_non_null(f);
	xl_help(f, name);
	fclose(f);
	return buf;
}

static void
table_finds_commands(void **state)
{
	static const char *names[] = {
		"list", "info", "domid", "domname", "dmesg", "uptime",
		"vm-list", "claims",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct xl_command *c = xl_find_command(names[i]);

		assert_non_null(c);
		assert_string_equal(c->name, names[i]);
		assert_non_null(c->fn);
	}
	assert_null(xl_find_command("lis"));
	assert_null(xl_find_command("lists"));
	assert_null(xl_find_command(""));
}

static void
help_lists_every_command_once(void **state)
{
	const struct xl_command *t;
	char *text = help_text(NULL), line[128];

	(void)state;
	assert_true(strncmp(text, "Usage xl [-vfNT] <subcommand> [args]\n\n"
	    "xl full list of subcommands:\n\n", 68) == 0);
	for (t = xl_base_commands; t->name != NULL; t++) {
		snprintf(line, sizeof(line), "\n %-19s %s\n", t->name, t->help);
		assert_non_null(strstr(text, line));
		/* Listed once. */
		assert_null(strstr(strstr(text, line) + 1, line));
	}
	free(text);
}

static void
help_of_one_command_matches_upstream(void **state)
{
	char *text;

	(void)state;
	text = help_text("list");
	assert_string_equal(text,
	    "Usage: xl [-vT] list [options] [Domain]\n"
	    "\n\n"
	    "List information about all/some domains.\n\n"
	    "Options:\n\n"
	    "-l, --long              Output all VM details\n"
	    "-v, --verbose           Prints out UUIDs and security context\n"
	    "-Z, --context           Prints out security context\n"
	    "-c, --cpupool           Prints the cpupool the domain is in\n"
	    "-n, --numa              Prints out NUMA node affinity\n"
	    /* Ours: upstream's text, then the --json addition. */
	    "--json                  Output as one JSON document (doc/json.md)\n");
	free(text);

	text = help_text("domid");
	assert_string_equal(text, "Usage: xl [-vT] domid <DomainName>\n\n"
	    "Convert a domain name to domain id.\n\n");
	free(text);

	text = help_text("nosuch");
	assert_string_equal(text, "command \"nosuch\" not implemented\n");
	free(text);
}

/* ---- xl_check_global: -N, -f and xend's lock ------------------------- */

static int cmd_none(int argc, char **argv) { (void)argc; (void)argv; return 0; }

static const struct xl_command readonly_cmd = {
	"ro", cmd_none, "", "Read only", NULL, 0,
};
static const struct xl_command modifying_cmd = {
	"mod", cmd_none, "", "Modifies", NULL, XL_CMD_MODIFIES | XL_CMD_DRYRUN,
};

static void
reset_globals(void)
{
	xl_force = false;
	xl_dryrun = false;
}

static void
global_refuses_dryrun_accepts_force(void **state)
{
	static const char *const no_locks[] = { NULL };

	(void)state;
	reset_globals();
	assert_int_equal(xl_check_global(&readonly_cmd, no_locks), 0);
	/* -f only lifts the xend check: upstream accepts it anywhere. */
	xl_force = true;
	assert_int_equal(xl_check_global(&readonly_cmd, no_locks), 0);
	assert_int_equal(xl_check_global(&modifying_cmd, no_locks), 0);
	reset_globals();
	xl_dryrun = true;
	assert_int_equal(xl_check_global(&readonly_cmd, no_locks), -1);
	assert_int_equal(xl_check_global(&modifying_cmd, no_locks), 0);
	reset_globals();
}

static void
global_force_overrides_xend_lock(void **state)
{
	char dir[] = "/tmp/xl-xend-XXXXXX", lock[64], absent[64];
	const char *locks[3];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(absent, sizeof(absent), "%s/subsys-xend", dir);
	snprintf(lock, sizeof(lock), "%s/xend", dir);
	locks[0] = absent;
	locks[1] = lock;
	locks[2] = NULL;
	reset_globals();

	/* No lock file: a modifying command runs. */
	assert_int_equal(xl_check_global(&modifying_cmd, locks), 0);

	f = fopen(lock, "w");
	assert_non_null(f);
	fclose(f);
	/* xend's lock exists: refused, unless -f, or -N (changes nothing). */
	assert_int_equal(xl_check_global(&modifying_cmd, locks), -1);
	assert_int_equal(xl_check_global(&readonly_cmd, locks), 0);
	xl_force = true;
	assert_int_equal(xl_check_global(&modifying_cmd, locks), 0);
	reset_globals();
	xl_dryrun = true;
	assert_int_equal(xl_check_global(&modifying_cmd, locks), 0);
	reset_globals();

	unlink(lock);
	rmdir(dir);
}

/* ---- xl.conf's lockfile ------------------------------------------------ */

/*
 * The lockfile's directory may be a dangling symlink (/var/lock ->
 * /run/lock on a Dom0 whose /run is a fresh tmpfs): the lock still works,
 * and the directory is made through the link.
 */
static void
lockfile_through_dangling_symlink(void **state)
{
	char dir[] = "/tmp/test-xl-lock-XXXXXX";
	char conf[256], link[256], target[256], lock[300];
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/xl.conf", dir);
	snprintf(link, sizeof(link), "%s/lock", dir);
	snprintf(target, sizeof(target), "%s/run-lock", dir);
	snprintf(lock, sizeof(lock), "%s/xl", target);
	assert_int_equal(symlink(target, link), 0);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "lockfile = \"%s/xl\"\n", link);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(setenv("LIGHTSTACK_XL_CONF", conf, 1), 0);
	assert_int_equal(xl_conf_load(), 0);

	fd = xl_lock_acquire();
	assert_true(fd >= 0);
	assert_int_equal(access(lock, F_OK), 0);
	xl_lock_release(fd);
	/* Again, now that everything exists. */
	fd = xl_lock_acquire();
	assert_true(fd >= 0);
	xl_lock_release(fd);

	unlink(lock);
	rmdir(target);
	unlink(link);
	unlink(conf);
	rmdir(dir);
	unsetenv("LIGHTSTACK_XL_CONF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_plain_numbers),
		cmocka_unit_test(parse_rejects_junk),
		cmocka_unit_test(parse_checks_range),
		cmocka_unit_test(getopt_returns_options_then_done),
		cmocka_unit_test(getopt_help),
		cmocka_unit_test(getopt_bad_option),
		cmocka_unit_test(getopt_missing_arguments),
		cmocka_unit_test(table_finds_commands),
		cmocka_unit_test(help_lists_every_command_once),
		cmocka_unit_test(help_of_one_command_matches_upstream),
		cmocka_unit_test(global_refuses_dryrun_accepts_force),
		cmocka_unit_test(global_force_overrides_xend_lock),
		cmocka_unit_test(lockfile_through_dangling_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
