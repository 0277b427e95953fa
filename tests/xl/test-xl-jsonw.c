/*
 * test-xl-jsonw.c - xl's --json writer: what it prints parses back (yajl's
 * tree parser) to the values written, and a misbuilt document is refused
 * without printing anything.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "jsonw.h"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* Print j, check success, parse the text back. */
static yajl_val print_parse(struct xl_json *j, char **text)
{
	struct capture c;
	char ebuf[256];
	yajl_val root;

	cap_open(&c);
	assert_int_equal(xl_json_print(j, c.f), 0);
	*text = cap_close(&c);
	root = yajl_tree_parse(*text, ebuf, sizeof(ebuf));
	if (!root)
		fail_msg("not JSON (%s): %s", ebuf, *text);
	return root;
}

/* Print j and expect a refusal with EINVAL and no output at all. */
static void print_refused(struct xl_json *j)
{
	struct capture c;
	char *text;

	cap_open(&c);
	errno = 0;
	assert_int_equal(xl_json_print(j, c.f), -1);
	assert_int_equal(errno, EINVAL);
	text = cap_close(&c);
	assert_int_equal(strlen(text), 0);
	free(text);
}

static yajl_val get(yajl_val root, const char **path, yajl_type type)
{
	yajl_val v = yajl_tree_get(root, path, type);

	if (!v)
		fail_msg("missing or wrong type: %s", path[0]);
	return v;
}

/* The shape every command uses: { "domains": [ {..}, {..} ] }. */
static void test_document(void **state)
{
	struct xl_json *j = xl_json_new();
	const char *p_domains[] = { "domains", NULL };
	const char *p_name[] = { "name", NULL };
	const char *p_id[] = { "domid", NULL };
	const char *p_mem[] = { "memory_kb", NULL };
	const char *p_run[] = { "running", NULL };
	const char *p_cpu[] = { "cpu_time_s", NULL };
	const char *p_none[] = { "uuid", NULL };
	const char *p_tags[] = { "tags", NULL };
	yajl_val root, arr, d, tags;
	char *text;

	(void)state;
	xl_json_map_open(j);
	xl_json_key(j, "domains");
	xl_json_array_open(j);
	for (int i = 0; i < 2; i++) {
		xl_json_map_open(j);
		xl_json_int(j, "domid", i);
		xl_json_str(j, "name", i ? "web \"1\"\n" : "Domain-0");
		xl_json_uint(j, "memory_kb", 1048576ull * (i + 1));
		xl_json_bool(j, "running", i == 0);
		xl_json_double(j, "cpu_time_s", 12.5);
		xl_json_str(j, "uuid", NULL);
		xl_json_key(j, "tags");
		xl_json_array_open(j);
		xl_json_str(j, NULL, "a");
		xl_json_int(j, NULL, -3);
		xl_json_array_close(j);
		xl_json_map_close(j);
	}
	xl_json_array_close(j);
	xl_json_map_close(j);

	root = print_parse(j, &text);
	/* One document, ending in exactly one newline, libxl's indent. */
	assert_true(strlen(text) > 2);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_not_equal(text[strlen(text) - 2], '\n');
	assert_non_null(strstr(text, "\n    \"domains\""));

	arr = get(root, p_domains, yajl_t_array);
	assert_int_equal(YAJL_GET_ARRAY(arr)->len, 2);
	d = YAJL_GET_ARRAY(arr)->values[1];
	assert_int_equal(YAJL_GET_INTEGER(get(d, p_id, yajl_t_number)), 1);
	assert_string_equal(YAJL_GET_STRING(get(d, p_name, yajl_t_string)), "web \"1\"\n");
	assert_int_equal(YAJL_GET_INTEGER(get(d, p_mem, yajl_t_number)), 2097152);
	assert_true(YAJL_IS_FALSE(get(d, p_run, yajl_t_any)));
	assert_true(YAJL_IS_TRUE(get(YAJL_GET_ARRAY(arr)->values[0], p_run, yajl_t_any)));
	assert_true(fabs(YAJL_GET_DOUBLE(get(d, p_cpu, yajl_t_number)) - 12.5) < 1e-9);
	assert_true(YAJL_IS_NULL(get(d, p_none, yajl_t_null)));
	tags = get(d, p_tags, yajl_t_array);
	assert_int_equal(YAJL_GET_ARRAY(tags)->len, 2);
	assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(tags)->values[0]), "a");
	assert_int_equal(YAJL_GET_INTEGER(YAJL_GET_ARRAY(tags)->values[1]), -3);
	yajl_tree_free(root);
	free(text);
}

/* Above LLONG_MAX a value still comes out as its exact digits. */
static void test_big_uint(void **state)
{
	struct xl_json *j = xl_json_new();
	char *text;
	yajl_val root;

	(void)state;
	xl_json_map_open(j);
	xl_json_uint(j, "max", 18446744073709551615ull);
	xl_json_int(j, "min", -9223372036854775807ll - 1);
	xl_json_map_close(j);
	root = print_parse(j, &text);
	assert_non_null(strstr(text, "\"max\": 18446744073709551615"));
	assert_non_null(strstr(text, "\"min\": -9223372036854775808"));
	yajl_tree_free(root);
	free(text);
}

/* JSON cannot spell NaN or infinity: they become null. */
static void test_double_nonfinite(void **state)
{
	struct xl_json *j = xl_json_new();
	const char *p_a[] = { "a", NULL };
	const char *p_b[] = { "b", NULL };
	char *text;
	yajl_val root;

	(void)state;
	xl_json_map_open(j);
	xl_json_double(j, "a", NAN);
	xl_json_double(j, "b", INFINITY);
	xl_json_map_close(j);
	root = print_parse(j, &text);
	assert_true(YAJL_IS_NULL(get(root, p_a, yajl_t_null)));
	assert_true(YAJL_IS_NULL(get(root, p_b, yajl_t_null)));
	yajl_tree_free(root);
	free(text);
}

static void test_unclosed(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_map_open(j);
	xl_json_int(j, "a", 1);
	print_refused(j);
}

static void test_empty(void **state)
{
	(void)state;
	print_refused(xl_json_new());
}

static void test_key_in_array(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_array_open(j);
	xl_json_int(j, "a", 1);
	xl_json_array_close(j);
	print_refused(j);
}

static void test_value_without_key(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_map_open(j);
	xl_json_str(j, NULL, "x");
	xl_json_map_close(j);
	print_refused(j);
}

static void test_dangling_key(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_map_open(j);
	xl_json_key(j, "a");
	xl_json_map_close(j);
	print_refused(j);
}

static void test_mismatched_close(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_map_open(j);
	xl_json_key(j, "a");
	xl_json_array_open(j);
	xl_json_map_close(j);
	xl_json_map_close(j);
	print_refused(j);
}

static void test_two_documents(void **state)
{
	struct xl_json *j = xl_json_new();

	(void)state;
	xl_json_map_open(j);
	xl_json_map_close(j);
	xl_json_map_open(j);
	xl_json_map_close(j);
	print_refused(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_big_uint),
		cmocka_unit_test(test_double_nonfinite),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_key_in_array),
		cmocka_unit_test(test_value_without_key),
		cmocka_unit_test(test_dangling_key),
		cmocka_unit_test(test_mismatched_close),
		cmocka_unit_test(test_two_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
