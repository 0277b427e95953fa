/*
 * test-light-info.c - liblight's context and lookup rules that need no
 * Xen: opening without connections, numeric ids, error reporting.
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

#include <cmocka.h>

#include "liblight.h"

static struct light_ctx *
open_bare(void)
{
	char err[128] = "untouched";
	struct light_ctx *c;

	c = light_open(LIGHT_OPEN_NO_CTRL | LIGHT_OPEN_NO_XS, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(err, "untouched");
	assert_string_equal(light_errmsg(c), "");
	return c;
}

static void
numeric_ids_need_no_xenstore(void **state)
{
	struct light_ctx *c = open_bare();
	uint32_t id = 77;

	(void)state;
	assert_int_equal(light_domain_lookup(c, "0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(light_domain_lookup(c, "32752", &id), 0);
	assert_int_equal(id, 32752);
	assert_int_equal(light_domain_lookup(c, "4294967295", &id), 0);
	assert_int_equal(id, 4294967295u);
	light_close(c);
}

static void
bad_ids_are_rejected(void **state)
{
	struct light_ctx *c = open_bare();
	uint32_t id = 77;

	(void)state;
	errno = 0;
	assert_int_equal(light_domain_lookup(c, "4294967296", &id), -1);
	assert_int_equal(errno, ERANGE);
	assert_non_null(strstr(light_errmsg(c), "4294967296"));
	errno = 0;
	assert_int_equal(light_domain_lookup(c, "", &id), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(id, 77);
	light_close(c);
}

static void
missing_connections_are_reported(void **state)
{
	struct light_ctx *c = open_bare();
	struct light_host_info h;
	struct light_dominfo *list = NULL;
	uint32_t id = 77;
	size_t n = 5;

	(void)state;
	/* A name needs xenstore. */
	errno = 0;
	assert_int_equal(light_domain_lookup(c, "Domain-0", &id), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_non_null(strstr(light_errmsg(c), "xenstore"));
	assert_null(light_domain_name(c, 0));
	assert_int_equal(errno, ENOTCONN);
	/* Host facts and the domain list need the hypervisor. */
	errno = 0;
	assert_int_equal(light_host_info(c, &h), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(light_domain_list(c, &list, &n), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_null(list);
	assert_int_equal(n, 0);
	light_close(c);
}

/* Whole seconds of /proc/uptime, read here independently of liblight. */
static unsigned long
proc_uptime(void)
{
	char buf[128], *end;
	unsigned long v;
	FILE *f;

	f = fopen("/proc/uptime", "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	v = strtoul(buf, &end, 10);
	assert_true(end != buf && *end == '.');
	return v;
}

static void
dom0_uptime_comes_from_proc(void **state)
{
	struct light_ctx *c = open_bare();
	unsigned long up = 0, before, after;

	(void)state;
	/* Works anywhere with /proc: it is this machine's uptime, in whole
	 * seconds (the fraction and the idle time are dropped). */
	before = proc_uptime();
	assert_int_equal(light_domain_uptime(c, 0, 0, &up), 0);
	after = proc_uptime();
	assert_true(up > 0);
	assert_true(before <= up && up <= after);
	/* Another domain's start time lives in xenstore. */
	errno = 0;
	assert_int_equal(light_domain_uptime(c, 3, 0, &up), -1);
	assert_int_equal(errno, ENOTCONN);
	light_close(c);
}

static void
close_accepts_null(void **state)
{
	(void)state;
	light_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numeric_ids_need_no_xenstore),
		cmocka_unit_test(bad_ids_are_rejected),
		cmocka_unit_test(missing_connections_are_reported),
		cmocka_unit_test(dom0_uptime_comes_from_proc),
		cmocka_unit_test(close_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
