/*
 * test-retrieve.c - light_config_json_live (retrieve.c) against a real
 * xenstored (ours, on a temporary socket), without Xen: the stored
 * configuration comes back with the live name, uuid, avail_vcpus,
 * target_memkb and max_memkb; every other member as it was, in its
 * order; members the file left out are added; a domain whose nodes are
 * gone keeps the stored values.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "../xenstored/client-daemon.h"
#include "light_internal.h"
#include "light_lifecycle.h"

static struct test_daemon daemon_;
static struct light_ctx *c;

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (test_daemon_start(&daemon_) < 0)
		return -1;
	setenv("XENSTORED_PATH", daemon_.sock, 1);
	c = light_open(LIGHT_OPEN_NO_CTRL, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "# light_open: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	light_close(c);
	test_daemon_stop(&daemon_);
	return 0;
}

static void put(const char *path, const char *v)
{
	if (xsc_write_str(c->xs, XSC_NO_TX, path, v) < 0)
		fail_msg("write %s: %s", path, strerror(errno));
}

static const char stored[] =
	"{\n"
	"    \"c_info\": {\n"
	"        \"type\": \"pv\",\n"
	"        \"name\": \"old\",\n"
	"        \"uuid\": \"00000000-0000-0000-0000-000000000000\"\n"
	"    },\n"
	"    \"b_info\": {\n"
	"        \"max_vcpus\": 3,\n"
	"        \"avail_vcpus\": [\n"
	"            0\n"
	"        ],\n"
	"        \"vcpu_hard_affinity\": [ [ 0 ], [ 1 ], [ 0, 1 ] ],\n"
	"        \"max_memkb\": 262144,\n"
	"        \"target_memkb\": 131072,\n"
	"        \"future\": { \"x\": [ 1, 2.5, true, null, \"s\" ] }\n"
	"    },\n"
	"    \"on_crash\": \"preserve\"\n"
	"}";

/* Member `path` (NULL-terminated keys) of the parsed text. */
static yajl_val at(yajl_val root, const char *a, const char *b)
{
	const char *p[] = { a, b, NULL };

	return yajl_tree_get(root, p, yajl_t_any);
}

static yajl_val parse(const char *text)
{
	char perr[128];
	yajl_val v = yajl_tree_parse(text, perr, sizeof(perr));

	if (!v)
		fail_msg("not JSON (%s): %s", perr, text);
	return v;
}

static void test_live_values(void **state)
{
	struct ctrl_dominfo info;
	yajl_val root, v;
	char *out;

	(void)state;
	memset(&info, 0, sizeof(info));
	info.domid = 7;
	info.handle[0] = 0xab;
	put("/local/domain/7/name", "new-name");
	put("/local/domain/7/memory/target", "98304");
	put("/local/domain/7/memory/static-max", "235520");
	put("/local/domain/7/cpu/0/availability", "online");
	put("/local/domain/7/cpu/1/availability", "offline");
	put("/local/domain/7/cpu/2/availability", "online");

	out = light_config_json_live(c, 7, &info, stored);
	assert_non_null(out);
	root = parse(out);
	assert_string_equal(YAJL_GET_STRING(at(root, "c_info", "name")), "new-name");
	assert_string_equal(YAJL_GET_STRING(at(root, "c_info", "uuid")),
	                    "ab000000-0000-0000-0000-000000000000");
	assert_string_equal(YAJL_GET_STRING(at(root, "c_info", "type")), "pv");
	assert_int_equal(YAJL_GET_INTEGER(at(root, "b_info", "target_memkb")), 98304);
	assert_int_equal(YAJL_GET_INTEGER(at(root, "b_info", "max_memkb")), 235520);
	v = at(root, "b_info", "avail_vcpus");
	assert_true(YAJL_IS_ARRAY(v));
	assert_int_equal(v->u.array.len, 2);
	assert_int_equal(YAJL_GET_INTEGER(v->u.array.values[0]), 0);
	assert_int_equal(YAJL_GET_INTEGER(v->u.array.values[1]), 2);
	/* The configured affinity and unknown members are kept. */
	v = at(root, "b_info", "vcpu_hard_affinity");
	assert_int_equal(v->u.array.len, 3);
	assert_int_equal(v->u.array.values[2]->u.array.len, 2);
	assert_non_null(strstr(out, "2.5"));
	assert_non_null(strstr(out, "\"s\""));
	assert_string_equal(YAJL_GET_STRING(at(root, "on_crash", NULL)), "preserve");
	/* store.c's layout: 4-space indent, no trailing newline. */
	assert_non_null(strstr(out, "\n    \"b_info\": {\n        \"max_vcpus\": 3,"));
	assert_int_not_equal(out[strlen(out) - 1], '\n');
	yajl_tree_free(root);
	free(out);
}

/* Members the file leaves out are added; nodes that are gone keep. */
static void test_missing(void **state)
{
	struct ctrl_dominfo info;
	yajl_val root;
	char *out;

	(void)state;
	memset(&info, 0, sizeof(info));
	info.domid = 8;
	put("/local/domain/8/memory/target", "65536");
	out = light_config_json_live(c, 8, &info,
	    "{\"c_info\": {\"name\": \"kept\"}, \"b_info\": {\"max_vcpus\": 1, "
	    "\"max_memkb\": 100}}");
	assert_non_null(out);
	root = parse(out);
	assert_string_equal(YAJL_GET_STRING(at(root, "c_info", "name")), "kept");
	assert_int_equal(YAJL_GET_INTEGER(at(root, "b_info", "max_memkb")), 100);
	assert_int_equal(YAJL_GET_INTEGER(at(root, "b_info", "target_memkb")), 65536);
	assert_null(at(root, "b_info", "avail_vcpus"));
	yajl_tree_free(root);
	free(out);

	errno = 0;
	assert_null(light_config_json_live(c, 8, &info, "[1, 2]"));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_values),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
