/*
 * test-xl-sched.c - the text of `xl vcpu-list`, `xl sched-credit[2]` and
 * `xl cpupool-list` (format_sched.c), checked against upstream xl 4.17's
 * formats, and affinity ranges as upstream's print_bitmap writes them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *
cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* The map written by a CPU list, over nbits CPUs. */
static const char *
fmt(const char *spec, unsigned nbits)
{
	static char out[256];
	struct light_cpumap m;
	char err[128];

	assert_int_equal(light_cpumap_parse(spec, &m, err, sizeof(err)), 0);
	return xl_format_cpumap(m.bits, nbits, out, sizeof(out));
}

static void
cpumap_ranges(void **state)
{
	struct light_cpumap none;
	char out[64];

	(void)state;
	assert_string_equal(fmt("all", 2), "all");
	assert_string_equal(fmt("0-1", 2), "all");
	assert_string_equal(fmt("0", 2), "0");
	assert_string_equal(fmt("1", 2), "1");
	assert_string_equal(fmt("0-1", 4), "0-1");
	/* A run to the last CPU that does not start at 0 is spelt out. */
	assert_string_equal(fmt("1-3", 4), "1-3");
	assert_string_equal(fmt("0,2-3", 4), "0,2-3");
	assert_string_equal(fmt("0-2,5,7-9", 12), "0-2,5,7-9");
	assert_string_equal(fmt("0-3,^1", 8), "0,2-3");
	/* Bits beyond the host's CPUs do not count. */
	assert_string_equal(fmt("0-1,9", 4), "0-1");
	memset(&none, 0, sizeof(none));
	assert_string_equal(xl_format_cpumap(none.bits, 4, out, sizeof(out)),
	                    "none");
	/* Truncated, never overflowed. */
	assert_string_equal(xl_format_cpumap(none.bits, 4, out, 3), "no");
}

static void
vcpu_list_lines(void **state)
{
	struct light_vcpu_info v;
	struct capture c;
	char *s;

	(void)state;
	cap_open(&c);
	xl_vcpu_list_header(c.f);
	s = cap_close(&c);
	assert_string_equal(s, "Name                                ID  VCPU   "
	    "CPU State   Time(s) Affinity (Hard / Soft)\n");
	free(s);

	memset(&v, 0, sizeof(v));
	v.id = 1;
	v.online = true;
	v.running = true;
	v.cpu = 1;
	v.cpu_time_ns = 12345678901ull;
	memset(v.hard.bits, 0xff, sizeof(v.hard.bits));
	memset(v.soft.bits, 0xff, sizeof(v.soft.bits));
	cap_open(&c);
	xl_vcpu_list_line(c.f, "Domain-0", 0, &v, 2);
	s = cap_close(&c);
	assert_string_equal(s, "Domain-0                             0     1    "
	    "1   r--      12.3  all / all\n");
	free(s);

	/* Offline: no CPU, state "--p"; a blocked vcpu shows 'b'. */
	memset(&v, 0, sizeof(v));
	v.id = 2;
	v.cpu = 1;
	v.cpu_time_ns = 500000000ull;
	v.hard.bits[0] = 0x01;
	v.soft.bits[0] = 0x02;
	cap_open(&c);
	xl_vcpu_list_line(c.f, "guest", 3, &v, 2);
	v.online = true;
	v.blocked = true;
	xl_vcpu_list_line(c.f, NULL, 3, &v, 2);
	s = cap_close(&c);
	assert_string_equal(s,
	    "guest                                3     2    -   --p       0.5  0 / 1\n"
	    "(null)                               3     2    1   -b-       0.5  0 / 1\n");
	free(s);
}

static void
sched_lines(void **state)
{
	struct light_sched_domain d = { 256, 0 };
	struct light_sched_pool p = { 30, 1000, 0 };
	struct capture c;
	char *s;

	(void)state;
	cap_open(&c);
	xl_sched_credit_header(c.f);
	xl_sched_credit_line(c.f, "Domain-0", 0, &d);
	d.weight = 512;
	d.cap = 50;
	xl_sched_credit_line(c.f, "a-rather-long-guest-name-of-40-chars-xx", 12, &d);
	s = cap_close(&c);
	assert_string_equal(s,
	    "Name                                ID Weight  Cap\n"
	    "Domain-0                             0    256    0\n"
	    "a-rather-long-guest-name-of-40-chars-xx   12    512   50\n");
	free(s);

	cap_open(&c);
	xl_sched_pool_line(c.f, "Pool-0", LIGHT_SCHED_CREDIT, &p);
	xl_sched_pool_line(c.f, "Pool-0", LIGHT_SCHED_CREDIT2, &p);
	xl_sched_pool_line(c.f, "Pool-0", LIGHT_SCHED_CREDIT, NULL);
	s = cap_close(&c);
	assert_string_equal(s,
	    "Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n"
	    "Cpupool Pool-0: ratelimit=1000us\n"
	    "Cpupool Pool-0: [sched params unavailable]\n");
	free(s);
}

static void
cpupool_lines(void **state)
{
	struct light_cpupool_info p;
	struct capture c;
	char *s;

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.name, "Pool-0");
	p.sched = LIGHT_SCHED_CREDIT2;
	p.n_dom = 3;
	p.cpus.bits[0] = 0x03;
	p.ncpus = 2;
	cap_open(&c);
	xl_cpupool_list_header(c.f, false);
	xl_cpupool_list_line(c.f, &p, false);
	xl_cpupool_list_header(c.f, true);
	xl_cpupool_list_line(c.f, &p, true);
	s = cap_close(&c);
	assert_string_equal(s,
	    "Name               CPUs   Sched     Active   Domain count\n"
	    "Pool-0               2   credit2       y          3\n"
	    "Name               CPU list\n"
	    "Pool-0             0,1\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpumap_ranges),
		cmocka_unit_test(vcpu_list_lines),
		cmocka_unit_test(sched_lines),
		cmocka_unit_test(cpupool_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
