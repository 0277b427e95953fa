/*
 * test-clog.c - bounded, rotated console logs, in a temporary directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "clog.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test-clog.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Whole file into a static buffer; returns its length or -1 if absent. */
static long
slurp(const char *name, char *buf, size_t cap)
{
	char path[128];
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = (long)fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
pattern(char *buf, size_t n, size_t from)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)('!' + (from + i) % 90);
}

static void
test_plain_append(void **state)
{
	struct cons_log l;
	char path[128], buf[64];

	snprintf(path, sizeof(path), "%s/plain.log", dir);
	assert_int_equal(cons_log_open(&l, path, 1024, 2, false), 0);
	assert_int_equal(cons_log_write(&l, "hello ", 6), 0);
	assert_int_equal(cons_log_write(&l, "world\n", 6), 0);
	cons_log_close(&l);
	assert_int_equal(slurp("plain.log", buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello world\n", 12);
	assert_int_equal(slurp("plain.log.1", buf, sizeof(buf)), -1);
}

static void
test_rotation_keeps_n(void **state)
{
	struct cons_log l;
	char path[128], data[350], buf[512];
	size_t off;

	pattern(data, sizeof(data), 0);
	snprintf(path, sizeof(path), "%s/rot.log", dir);
	assert_int_equal(cons_log_open(&l, path, 100, 2, false), 0);
	/* Odd-sized chunks so writes straddle the limit. */
	for (off = 0; off < sizeof(data); off += 33) {
		size_t n = sizeof(data) - off < 33 ? sizeof(data) - off : 33;

		assert_int_equal(cons_log_write(&l, data + off, n), 0);
	}
	assert_int_equal(l.rotations, 3);
	cons_log_close(&l);
	/* Newest 50 in rot.log, then 100 per rotated file; the first 100
	 * bytes went with the third rotation. */
	assert_int_equal(slurp("rot.log", buf, sizeof(buf)), 50);
	assert_memory_equal(buf, data + 300, 50);
	assert_int_equal(slurp("rot.log.1", buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data + 200, 100);
	assert_int_equal(slurp("rot.log.2", buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data + 100, 100);
	assert_int_equal(slurp("rot.log.3", buf, sizeof(buf)), -1);
}

static void
test_keep_zero_truncates(void **state)
{
	struct cons_log l;
	char path[128], data[250], buf[512];

	pattern(data, sizeof(data), 7);
	snprintf(path, sizeof(path), "%s/trunc.log", dir);
	assert_int_equal(cons_log_open(&l, path, 100, 0, false), 0);
	assert_int_equal(cons_log_write(&l, data, sizeof(data)), 0);
	cons_log_close(&l);
	assert_int_equal(slurp("trunc.log", buf, sizeof(buf)), 50);
	assert_memory_equal(buf, data + 200, 50);
	assert_int_equal(slurp("trunc.log.1", buf, sizeof(buf)), -1);
}

static void
test_existing_size_counts(void **state)
{
	struct cons_log l;
	char path[128], buf[256], data[90];
	FILE *f;

	memset(data, 'o', sizeof(data));
	snprintf(path, sizeof(path), "%s/old.log", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(data, 1, sizeof(data), f);
	fclose(f);
	assert_int_equal(cons_log_open(&l, path, 100, 1, false), 0);
	assert_int_equal(l.size, 90);
	assert_int_equal(cons_log_write(&l, "0123456789ABCDEFGHIJ", 20), 0);
	cons_log_close(&l);
	assert_int_equal(slurp("old.log.1", buf, sizeof(buf)), 100);
	assert_memory_equal(buf + 90, "0123456789", 10);
	assert_int_equal(slurp("old.log", buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "ABCDEFGHIJ", 10);
}

static void
check_stamp(const char *p)
{
	/* "[YYYY-MM-DD HH:MM:SS] " */
	int i;

	assert_int_equal(p[0], '[');
	for (i = 1; i <= 4; i++)
		assert_true(p[i] >= '0' && p[i] <= '9');
	assert_int_equal(p[5], '-');
	assert_int_equal(p[11], ' ');
	assert_int_equal(p[14], ':');
	assert_int_equal(p[20], ']');
	assert_int_equal(p[21], ' ');
}

static void
test_timestamps_at_line_starts(void **state)
{
	struct cons_log l;
	char path[128], buf[256];
	long n;

	snprintf(path, sizeof(path), "%s/ts.log", dir);
	assert_int_equal(cons_log_open(&l, path, 4096, 1, true), 0);
	assert_int_equal(cons_log_write(&l, "a\nb", 3), 0);
	assert_int_equal(cons_log_write(&l, "c\n", 2), 0);
	cons_log_close(&l);
	n = slurp("ts.log", buf, sizeof(buf));
	/* two stamps of 22 bytes + "a\nbc\n" */
	assert_int_equal(n, 22 + 2 + 22 + 3);
	check_stamp(buf);
	assert_memory_equal(buf + 22, "a\n", 2);
	check_stamp(buf + 24);
	assert_memory_equal(buf + 46, "bc\n", 3);
}

static void
test_reopen_after_external_rotate(void **state)
{
	struct cons_log l;
	char path[128], moved[128], buf[64];

	snprintf(path, sizeof(path), "%s/ext.log", dir);
	snprintf(moved, sizeof(moved), "%s/ext.old", dir);
	assert_int_equal(cons_log_open(&l, path, 1024, 1, false), 0);
	assert_int_equal(cons_log_write(&l, "one\n", 4), 0);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(cons_log_reopen(&l), 0);
	assert_int_equal(l.size, 0);
	assert_int_equal(cons_log_write(&l, "two\n", 4), 0);
	cons_log_close(&l);
	assert_int_equal(slurp("ext.log", buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "two\n", 4);
	assert_int_equal(slurp("ext.old", buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "one\n", 4);
}

static void
test_open_fails_cleanly(void **state)
{
	struct cons_log l;
	char path[128];

	snprintf(path, sizeof(path), "%s/no/such/dir.log", dir);
	assert_int_equal(cons_log_open(&l, path, 1024, 1, false), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(l.path);
	assert_int_equal(l.fd, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_append),
		cmocka_unit_test(test_rotation_keeps_n),
		cmocka_unit_test(test_keep_zero_truncates),
		cmocka_unit_test(test_existing_size_counts),
		cmocka_unit_test(test_timestamps_at_line_starts),
		cmocka_unit_test(test_reopen_after_external_rotate),
		cmocka_unit_test(test_open_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
