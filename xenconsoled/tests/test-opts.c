/*
 * test-opts.c - command lines of xenconsoled and xenconsole, and strict
 * number parsing.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static char err[256];

static void
test_parse_u64(void **state)
{
	uint64_t v;

	assert_int_equal(cons_parse_u64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(cons_parse_u64("0", 0, 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cons_parse_u64("101", 0, 100, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(cons_parse_u64("4x", 0, 100, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cons_parse_u64("", 0, 100, &v), -1);
	assert_int_equal(cons_parse_u64(" 4", 0, 100, &v), -1);
	assert_int_equal(cons_parse_u64("-1", 0, UINT64_MAX, &v), -1);
	assert_int_equal(cons_parse_u64("+1", 0, 100, &v), -1);
	assert_int_equal(cons_parse_u64("99999999999999999999999", 0,
	    UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(cons_parse_u64("18446744073709551615", 0, UINT64_MAX,
	    &v), 0);
	assert_true(v == UINT64_MAX);
}

static void
test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(cons_parse_size("4096", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(cons_parse_size("64K", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(cons_parse_size("1m", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(cons_parse_size("2G", 0, UINT64_MAX, &v), 0);
	assert_true(v == (UINT64_C(2) << 30));
	assert_int_equal(cons_parse_size("K", 0, UINT64_MAX, &v), -1);
	assert_int_equal(cons_parse_size("1T", 0, UINT64_MAX, &v), -1);
	assert_int_equal(cons_parse_size("1KB", 0, UINT64_MAX, &v), -1);
	assert_int_equal(cons_parse_size("1K", 2048, UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	/* Overflow through the suffix. */
	assert_int_equal(cons_parse_size("17179869184G", 0, UINT64_MAX, &v),
	    -1);
}

static void
test_daemon_defaults(void **state)
{
	char *argv[] = { "xenconsoled", NULL };
	struct cd_opts o;

	assert_int_equal(cd_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 0);
	assert_false(o.interactive);
	assert_true(o.log_guest);	/* always log by default */
	assert_string_equal(o.log_dir, "/var/log/xen/console");
	assert_int_equal(o.log_max_size, 1024 * 1024);
	assert_int_equal(o.log_keep, 3);
	assert_false(o.timestamp_guest);
	assert_null(o.pid_file);
}

static void
test_daemon_all_options(void **state)
{
	char *argv[] = { "xenconsoled", "-i", "-v", "--pid-file=/run/x.pid",
	    "--log=guest", "--log-dir", "/tmp/logs", "--log-max-size=64K",
	    "--log-keep=0", "--timestamp", "--buffer-size=8K", NULL };
	struct cd_opts o;

	assert_int_equal(cd_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 0);
	assert_true(o.interactive);
	assert_true(o.verbose);
	assert_string_equal(o.pid_file, "/run/x.pid");
	assert_string_equal(o.log_dir, "/tmp/logs");
	assert_int_equal(o.log_max_size, 65536);
	assert_int_equal(o.log_keep, 0);
	assert_true(o.timestamp_guest);
	assert_int_equal(o.buffer_size, 8192);
}

static void
test_daemon_log_none_and_timestamp_values(void **state)
{
	char *argv[] = { "xenconsoled", "--log=none", "--timestamp=hv", NULL };
	char *argv2[] = { "xenconsoled", "--timestamp=all", NULL };
	struct cd_opts o;

	assert_int_equal(cd_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 0);
	assert_false(o.log_guest);
	assert_false(o.timestamp_guest);
	assert_int_equal(cd_parse_opts(ARGC(argv2), argv2, &o, err,
	    sizeof(err)), 0);
	assert_true(o.timestamp_guest);
}

static void
bad_daemon(const char *opt, const char *want)
{
	char *argv[] = { "xenconsoled", (char *)opt, NULL };
	struct cd_opts o;

	err[0] = '\0';
	assert_int_equal(cd_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("for %s: message \"%s\" lacks \"%s\"", opt, err, want);
}

static void
test_daemon_bad(void **state)
{
	bad_daemon("--log=everything", "--log=everything");
	bad_daemon("--log=hv", "not supported");
	bad_daemon("--log-dir=relative", "absolute");
	bad_daemon("--log-max-size=12", "--log-max-size=12");
	bad_daemon("--log-max-size=1X", "--log-max-size=1X");
	bad_daemon("--log-keep=101", "--log-keep=101");
	bad_daemon("--log-keep=-1", "--log-keep=-1");
	bad_daemon("--timestamp=sometimes", "--timestamp=sometimes");
	bad_daemon("--buffer-size=1", "--buffer-size=1");
	bad_daemon("--frobnicate", "--frobnicate");
	bad_daemon("stray", "stray");
	bad_daemon("--pid-file", "missing argument");
}

static void
test_daemon_help(void **state)
{
	char *argv[] = { "xenconsoled", "--help", NULL };
	struct cd_opts o;

	assert_int_equal(cd_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 1);
}

static void
test_client_basic(void **state)
{
	char *argv[] = { "xenconsole", "7", NULL };
	struct xcon_opts o;
	char path[96];

	assert_int_equal(xcon_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 0);
	assert_int_equal(o.domid, 7);
	assert_int_equal(o.type, XCON_PV);
	assert_int_equal(o.num, 0);
	assert_int_equal(o.notify_fd, -1);
	assert_true(o.replace_escape);
	assert_int_equal(o.timeout, 5);
	assert_int_equal(xcon_tty_path(&o, path, sizeof(path)), 0);
	assert_string_equal(path, "/local/domain/7/console/tty");
	assert_int_equal(xcon_tty_path(&o, path, 10), -1);
}

static void
test_client_options(void **state)
{
	char *argv[] = { "xenconsole", "--type", "pv", "--num", "2",
	    "--start-notify-fd", "9", "-r", "--timeout=30", "12", NULL };
	char *argv2[] = { "xenconsole", "--type=serial", "-n", "1", "3", NULL };
	char *argv3[] = { "xenconsole", "--type=vuart", "3", NULL };
	struct xcon_opts o;
	char path[96];

	assert_int_equal(xcon_parse_opts(ARGC(argv), argv, &o, err,
	    sizeof(err)), 0);
	assert_int_equal(o.domid, 12);
	assert_int_equal(o.num, 2);
	assert_int_equal(o.notify_fd, 9);
	assert_false(o.replace_escape);
	assert_int_equal(o.timeout, 30);
	assert_int_equal(xcon_tty_path(&o, path, sizeof(path)), 0);
	assert_string_equal(path, "/local/domain/12/device/console/2/tty");

	assert_int_equal(xcon_parse_opts(ARGC(argv2), argv2, &o, err,
	    sizeof(err)), 0);
	assert_int_equal(o.type, XCON_SERIAL);
	assert_int_equal(xcon_tty_path(&o, path, sizeof(path)), 0);
	assert_string_equal(path, "/local/domain/3/serial/1/tty");

	assert_int_equal(xcon_parse_opts(ARGC(argv3), argv3, &o, err,
	    sizeof(err)), 0);
	assert_int_equal(xcon_tty_path(&o, path, sizeof(path)), 0);
	assert_string_equal(path, "/local/domain/3/vuart/0/tty");
}

static void
bad_client(char **argv, int argc, const char *want)
{
	struct xcon_opts o;

	err[0] = '\0';
	assert_int_equal(xcon_parse_opts(argc, argv, &o, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
}

static void
test_client_bad(void **state)
{
	char *a1[] = { "xenconsole", NULL };
	char *a2[] = { "xenconsole", "0", NULL };
	char *a3[] = { "xenconsole", "abc", NULL };
	char *a4[] = { "xenconsole", "32752", NULL };	/* DOMID_FIRST_RESERVED */
	char *a5[] = { "xenconsole", "--type=hvm", "1", NULL };
	char *a6[] = { "xenconsole", "--num=256", "1", NULL };
	char *a7[] = { "xenconsole", "1", "2", NULL };
	char *a8[] = { "xenconsole", "--start-notify-fd=x", "1", NULL };
	char *a9[] = { "xenconsole", "--bogus", "1", NULL };

	bad_client(a1, ARGC(a1), "missing DOMID");
	bad_client(a2, ARGC(a2), "Domain-0");
	bad_client(a3, ARGC(a3), "abc: invalid DOMID");
	bad_client(a4, ARGC(a4), "invalid DOMID");
	bad_client(a5, ARGC(a5), "--type=hvm");
	bad_client(a6, ARGC(a6), "--num=256");
	bad_client(a7, ARGC(a7), "too many");
	bad_client(a8, ARGC(a8), "--start-notify-fd=x");
	bad_client(a9, ARGC(a9), "--bogus");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_daemon_defaults),
		cmocka_unit_test(test_daemon_all_options),
		cmocka_unit_test(test_daemon_log_none_and_timestamp_values),
		cmocka_unit_test(test_daemon_bad),
		cmocka_unit_test(test_daemon_help),
		cmocka_unit_test(test_client_basic),
		cmocka_unit_test(test_client_options),
		cmocka_unit_test(test_client_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
