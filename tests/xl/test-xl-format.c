/*
 * test-xl-format.c - the text of `xl list`, `xl uptime` and `xl info`,
 * checked column by column against upstream xl 4.17's formats.
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
#include <yajl/yajl_tree.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

/* Capture what a formatting function writes. */
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

/* A Domain-0 as a fresh boot shows it: 1024 MiB, 2 vCPUs, running. */
static struct light_dominfo
dom0(void)
{
	struct light_dominfo d;

	memset(&d, 0, sizeof(d));
	d.domid = 0;
	strcpy(d.name, "Domain-0");
	d.has_name = true;
	d.running = true;
	d.tot_pages = 262144;           /* 1024 MiB in 4 KiB pages */
	d.vcpus_online = 2;
	d.cpu_time_ns = 12345678901ull; /* 12.3 s */
	return d;
}

static void
state_chars(void **state)
{
	struct light_dominfo d;
	char s[7];

	(void)state;
	memset(&d, 0, sizeof(d));
	xl_state_chars(&d, s);
	assert_string_equal(s, "------");

	d.running = true;
	xl_state_chars(&d, s);
	assert_string_equal(s, "r-----");

	memset(&d, 0, sizeof(d));
	d.blocked = d.paused = true;
	xl_state_chars(&d, s);
	assert_string_equal(s, "-bp---");

	/* Shut down: 's' plus the reason letter. */
	memset(&d, 0, sizeof(d));
	d.shutdown = true;
	d.shutdown_reason = 0;          /* poweroff */
	xl_state_chars(&d, s);
	assert_string_equal(s, "---s--");
	d.shutdown_reason = 1;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---sr-");
	d.shutdown_reason = 2;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---ss-");
	d.shutdown_reason = 3;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---sc-");
	d.shutdown_reason = 4;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---sw-");
	d.shutdown_reason = 5;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---sS-");
	d.shutdown_reason = 6;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---s?-");
	d.dying = true;
	xl_state_chars(&d, s);
	assert_string_equal(s, "---s?d");

	/* A reason without the shutdown flag means nothing. */
	memset(&d, 0, sizeof(d));
	d.shutdown_reason = 3;
	xl_state_chars(&d, s);
	assert_string_equal(s, "------");
}

static void
uuid_format(void **state)
{
	static const uint8_t u[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	char s[37];

	(void)state;
	xl_format_uuid(u, s);
	assert_string_equal(s, "00112233-4455-6677-8899-aabbccddeeff");
}

static void
list_header(void **state)
{
	struct capture c;
	char *s;

	(void)state;
	cap_open(&c);
	xl_list_header(c.f, 0);
	s = cap_close(&c);
	assert_string_equal(s, "Name                                        ID"
	    "   Mem VCPUs\tState\tTime(s)\n");
	free(s);

	cap_open(&c);
	xl_list_header(c.f, XL_LIST_VERBOSE);
	s = cap_close(&c);
	assert_string_equal(s, "Name                                        ID"
	    "   Mem VCPUs\tState\tTime(s)"
	    "   UUID                            Reason-Code\tSecurity Label\n");
	free(s);

	cap_open(&c);
	xl_list_header(c.f, XL_LIST_CONTEXT);
	s = cap_close(&c);
	assert_string_equal(s, "Name                                        ID"
	    "   Mem VCPUs\tState\tTime(s)   Security Label\n");
	free(s);
}

static void
list_line_plain(void **state)
{
	struct light_dominfo d = dom0();
	struct capture c;
	char *s;

	(void)state;
	cap_open(&c);
	xl_list_line(c.f, &d, 0, NULL);
	s = cap_close(&c);
	/* %-40s %5d %5lu %5d     %c*6  %8.1f */
	assert_string_equal(s, "Domain-0                                "
	    "     0  1024     2     r-----      12.3\n");
	free(s);

	/* A guest: claimed pages count as memory; no name is "(null)". */
	memset(&d, 0, sizeof(d));
	d.domid = 12345;
	d.tot_pages = 24576;            /* 96 MiB */
	d.outstanding_pages = 256;      /* +1 MiB claimed */
	d.vcpus_online = 1;
	d.blocked = true;
	/* 49999999 ns: a float holds 5e7, and upstream prints through a
	 * float, so this shows 0.1 rather than 0.0. */
	d.cpu_time_ns = 49999999;
	cap_open(&c);
	xl_list_line(c.f, &d, 0, NULL);
	s = cap_close(&c);
	assert_string_equal(s, "(null)                                  "
	    " 12345    97     1     -b----       0.1\n");
	free(s);
}

static void
list_line_verbose(void **state)
{
	struct light_dominfo d = dom0();
	struct capture c;
	char *s;

	(void)state;
	d.uuid[15] = 0x01;
	cap_open(&c);
	xl_list_line(c.f, &d, XL_LIST_VERBOSE, NULL);
	s = cap_close(&c);
	assert_string_equal(s, "Domain-0                                "
	    "     0  1024     2     r-----      12.3"
	    " 00000000-0000-0000-0000-000000000001        -"
	    "                -\n");
	free(s);

	/* Shut down for reboot: reason code 1 in hex, 8 wide. */
	d.running = false;
	d.shutdown = true;
	d.shutdown_reason = 1;
	cap_open(&c);
	xl_list_line(c.f, &d, XL_LIST_VERBOSE, NULL);
	s = cap_close(&c);
	assert_non_null(strstr(s, "---sr-"));
	assert_non_null(strstr(s, "000000000001        1                -\n"));
	free(s);
}

static void
list_line_claims_and_pool(void **state)
{
	struct light_dominfo d = dom0();
	struct capture c;
	char *s;

	(void)state;
	d.outstanding_pages = 512;      /* 2 MiB */
	cap_open(&c);
	xl_list_line(c.f, &d, XL_LIST_CLAIM | XL_LIST_CPUPOOL, "Pool-0");
	s = cap_close(&c);
	assert_string_equal(s, "Domain-0                                "
	    "     0  1026     2     r-----      12.3     2          Pool-0\n");
	free(s);
}

static void
uptime_strings(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(xl_uptime_string(0, false, buf, sizeof(buf)),
	    " 0:00:00");
	assert_string_equal(xl_uptime_string(3661, false, buf, sizeof(buf)),
	    " 1:01:01");
	assert_string_equal(xl_uptime_string(86399, false, buf, sizeof(buf)),
	    "23:59:59");
	assert_string_equal(xl_uptime_string(86400 + 59, false, buf,
	    sizeof(buf)), "1 day,  0:00:59");
	assert_string_equal(xl_uptime_string(3 * 86400 + 7200 + 300, false,
	    buf, sizeof(buf)), "3 days,  2:05:00");
	assert_string_equal(xl_uptime_string(3 * 86400 + 7200 + 300, true,
	    buf, sizeof(buf)), "3 days,  2:05");
	assert_string_equal(xl_uptime_string(59, true, buf, sizeof(buf)),
	    " 0:00");
}

static struct light_host_info
host(void)
{
	struct light_host_info h;

	memset(&h, 0, sizeof(h));
	h.nr_cpus = 2;
	h.max_cpu_id = 1;
	h.nr_nodes = 1;
	h.cores_per_socket = 2;
	h.threads_per_core = 1;
	h.cpu_khz = 2999999;
	h.hw_cap[0] = 0x1f8bfbff;
	h.physcaps = LIGHT_PHYSCAP_PV | LIGHT_PHYSCAP_SHADOW |
	    LIGHT_PHYSCAP_GNTTAB_V1 | LIGHT_PHYSCAP_DIRECTIO;
	h.pagesize = 4096;
	h.total_pages = 2097152;        /* 8192 MiB */
	h.free_pages = 1048576 + 512;
	h.outstanding_pages = 512;      /* 2 MiB claimed */
	h.has_sharing = true;
	h.sharing_freed_pages = 2560 + 100;     /* 10 MiB, rounded down */
	h.sharing_used_frames = 256;            /* 1 MiB */
	h.free_cpus = 1;
	h.xen_major = 4;
	h.xen_minor = 17;
	strcpy(h.xen_extra, ".3");
	strcpy(h.xen_caps, "xen-3.0-x86_64 hvm-3.0-x86_32");
	strcpy(h.scheduler, "credit2");
	h.has_virt_start = true;
	h.virt_start = 0xffff800000000000ull;
	h.has_build_id = true;
	strcpy(h.build_id, "abcdef");
	return h;
}

static void
info_all_fields_in_order(void **state)
{
	static const char *order[] = {
		"host", "release", "version", "machine", "nr_cpus",
		"max_cpu_id", "nr_nodes", "cores_per_socket",
		"threads_per_core", "cpu_mhz", "hw_caps", "virt_caps",
		"total_memory", "free_memory", "sharing_freed_memory",
		"sharing_used_memory", "outstanding_claims", "free_cpus",
		"xen_major", "xen_minor", "xen_extra", "xen_version",
		"xen_caps", "xen_scheduler", "xen_pagesize",
		"platform_params", "xen_changeset", "xen_commandline",
		"cc_compiler", "cc_compile_by", "cc_compile_domain",
		"cc_compile_date", "build_id", "xend_config_format",
	};
	struct light_host_info h = host();
	struct utsname u;
	struct capture c;
	char *s, *line, *save = NULL;
	size_t i = 0;

	(void)state;
	memset(&u, 0, sizeof(u));
	strcpy(u.nodename, "host1");
	strcpy(u.machine, "x86_64");
	cap_open(&c);
	xl_print_info(c.f, &u, &h, NULL);
	s = cap_close(&c);

	assert_non_null(strstr(s, "host                   : host1\n"));
	assert_non_null(strstr(s, "cpu_mhz                : 2999.999\n"));
	assert_non_null(strstr(s, "hw_caps                : 1f8bfbff:"
	    "00000000:00000000:00000000:00000000:00000000:00000000:"
	    "00000000\n"));
	assert_non_null(strstr(s, "virt_caps              : pv pv_directio "
	    "shadow gnttab-v1\n"));
	assert_non_null(strstr(s, "total_memory           : 8192\n"));
	assert_non_null(strstr(s, "free_memory            : 4096\n"));
	assert_non_null(strstr(s, "outstanding_claims     : 2\n"));
	assert_non_null(strstr(s, "sharing_freed_memory   : 10\n"));
	assert_non_null(strstr(s, "sharing_used_memory    : 1\n"));
	assert_non_null(strstr(s, "free_cpus              : 1\n"));
	assert_non_null(strstr(s, "build_id               : abcdef\n"));
	assert_non_null(strstr(s, "xen_version            : 4.17.3\n"));
	assert_non_null(strstr(s, "platform_params        : "
	    "virt_start=0xffff800000000000\n"));
	assert_non_null(strstr(s, "xend_config_format     : 4\n"));

	/* Every line is "name<pad to 23>: value", in upstream's order. */
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		assert_true(i < sizeof(order) / sizeof(order[0]));
		assert_true(strlen(line) >= 24);
		assert_memory_equal(line, order[i], strlen(order[i]));
		assert_true(line[23] == ':');
	}
	assert_int_equal(i, sizeof(order) / sizeof(order[0]));
	free(s);
}

static void
info_field_filter(void **state)
{
	struct light_host_info h = host();
	struct capture c;
	char *s;

	(void)state;
	cap_open(&c);
	xl_print_info(c.f, NULL, &h, "xen_version");
	s = cap_close(&c);
	assert_string_equal(s, "4.17.3\n");
	free(s);

	/* A prefix selects every matching line, as upstream. */
	cap_open(&c);
	xl_print_info(c.f, NULL, &h, "xen_m");
	s = cap_close(&c);
	assert_string_equal(s, "4\n17\n");
	free(s);

	cap_open(&c);
	xl_print_info(c.f, NULL, &h, "nosuchfield");
	s = cap_close(&c);
	assert_string_equal(s, "");
	free(s);
}

/* Xen built without a build id: upstream prints the line, empty. */
static void
info_empty_build_id(void **state)
{
	struct light_host_info h = host();
	struct capture c;
	char *s;

	(void)state;
	h.build_id[0] = '\0';
	cap_open(&c);
	xl_print_info(c.f, NULL, &h, NULL);
	s = cap_close(&c);
	assert_non_null(strstr(s, "\nbuild_id               : \n"));
	free(s);
}

static void
info_leaves_out_unknown_facts(void **state)
{
	struct light_host_info h = host();
	struct capture c;
	char *s;

	(void)state;
	h.has_sharing = false;
	h.has_build_id = false;
	h.has_virt_start = false;
	h.free_cpus = -1;
	cap_open(&c);
	xl_print_info(c.f, NULL, &h, NULL);
	s = cap_close(&c);
	assert_null(strstr(s, "sharing_"));
	assert_null(strstr(s, "build_id"));
	assert_null(strstr(s, "platform_params"));
	assert_null(strstr(s, "free_cpus"));
	assert_non_null(strstr(s, "xen_pagesize           : 4096\n"));
	free(s);
}

/* `xl info --json`: the same facts, parsed back, memory in MiB. */
static void
info_json(void **state)
{
	struct light_host_info h = host();
	struct utsname u;
	struct capture c;
	char ebuf[128], *s;
	yajl_val root, caps;
	const char *p_host[] = { "host", NULL };
	const char *p_total[] = { "total_memory_mb", NULL };
	const char *p_free[] = { "free_memory_mb", NULL };
	const char *p_ver[] = { "xen_version", NULL };
	const char *p_caps[] = { "virt_caps", NULL };
	const char *p_fcpu[] = { "free_cpus", NULL };
	const char *p_vs[] = { "virt_start", NULL };

	(void)state;
	memset(&u, 0, sizeof(u));
	strcpy(u.nodename, "host1");
	cap_open(&c);
	assert_int_equal(xl_print_info_json(c.f, &u, &h), 0);
	s = cap_close(&c);
	root = yajl_tree_parse(s, ebuf, sizeof(ebuf));
	if (!root)
		fail_msg("not JSON (%s): %s", ebuf, s);
	assert_string_equal(YAJL_GET_STRING(yajl_tree_get(root, p_host,
	    yajl_t_string)), "host1");
	assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(root, p_total,
	    yajl_t_number)), 8192);
	assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(root, p_free,
	    yajl_t_number)), 4096);
	assert_string_equal(YAJL_GET_STRING(yajl_tree_get(root, p_ver,
	    yajl_t_string)), "4.17.3");
	assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(root, p_fcpu,
	    yajl_t_number)), 1);
	assert_non_null(yajl_tree_get(root, p_vs, yajl_t_number));
	caps = yajl_tree_get(root, p_caps, yajl_t_array);
	assert_non_null(caps);
	/* pv, directio, shadow, gnttab-v1 as in the text's "pv pv_directio
	 * shadow gnttab-v1". */
	assert_int_equal(YAJL_GET_ARRAY(caps)->len, 4);
	assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(caps)->values[0]), "pv");
	assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(caps)->values[3]),
	    "gnttab-v1");
	yajl_tree_free(root);
	free(s);

	/* Unknown facts are null, not missing. */
	h.free_cpus = -1;
	h.has_build_id = false;
	cap_open(&c);
	assert_int_equal(xl_print_info_json(c.f, NULL, &h), 0);
	s = cap_close(&c);
	assert_non_null(strstr(s, "\"free_cpus\": null"));
	assert_non_null(strstr(s, "\"build_id\": null"));
	assert_non_null(strstr(s, "\"host\": null"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_chars),
		cmocka_unit_test(info_empty_build_id),
		cmocka_unit_test(uuid_format),
		cmocka_unit_test(list_header),
		cmocka_unit_test(list_line_plain),
		cmocka_unit_test(list_line_verbose),
		cmocka_unit_test(list_line_claims_and_pool),
		cmocka_unit_test(uptime_strings),
		cmocka_unit_test(info_all_fields_in_order),
		cmocka_unit_test(info_field_filter),
		cmocka_unit_test(info_leaves_out_unknown_facts),
		cmocka_unit_test(info_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
