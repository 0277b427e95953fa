/*
 * test-config.c - the xl.cfg language: every construct, overrides, `+=`,
 * errors naming file:line, and hostile input (unterminated strings, huge
 * numbers, deep nesting, NUL bytes, a huge file).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "light_config.h"

static char err[512];

/* Parse text as "t.cfg"; returns the cfg or NULL (message in err). */
static struct light_cfg *parse(const char *text)
{
	struct light_cfg *cfg = light_cfg_new();

	assert_non_null(cfg);
	if (light_cfg_parse_data(cfg, "t.cfg", text, strlen(text), err, sizeof(err)) < 0) {
		light_cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

static const char *atom(const struct light_cfg *cfg, const char *key)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cfg, key);

	if (!s || s->value->kind != LIGHT_CFG_ATOM)
		return NULL;
	return s->value->text;
}

/* Expect a parse failure whose message is exactly `msg`. */
static void expect_error(const char *text, const char *msg)
{
	struct light_cfg *cfg = parse(text);

	if (cfg) {
		light_cfg_free(cfg);
		fail_msg("parsed, expected error: %s", msg);
	}
	assert_string_equal(err, msg);
}

static void test_atoms(void **state)
{
	struct light_cfg *cfg = parse(
		"name = \"guest\"\n"
		"kernel='/boot/vmlinuz'\n"
		"memory = 128\n"
		"hex = 0x1f\n"
		"empty = \"\"\n");

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(atom(cfg, "name"), "guest");
	assert_string_equal(atom(cfg, "kernel"), "/boot/vmlinuz");
	assert_string_equal(atom(cfg, "memory"), "128");
	assert_false(light_cfg_lookup(cfg, "memory")->value->quoted);
	assert_true(light_cfg_lookup(cfg, "name")->value->quoted);
	assert_string_equal(atom(cfg, "hex"), "0x1f");
	assert_string_equal(atom(cfg, "empty"), "");
	assert_int_equal(light_cfg_lookup(cfg, "memory")->line, 3);
	assert_null(light_cfg_lookup(cfg, "vcpus"));
	light_cfg_free(cfg);
}

static void test_escapes(void **state)
{
	struct light_cfg *cfg = parse(
		"a = \"q\\\"d\\\\b\\n\\t\\x41\\101\"\n"
		"b = 'it\\'s'\n"
		"c = \"single ' inside\"\n"
		"d = 'double \" inside'\n");

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(atom(cfg, "a"), "q\"d\\b\n\tAA");
	assert_string_equal(atom(cfg, "b"), "it's");
	assert_string_equal(atom(cfg, "c"), "single ' inside");
	assert_string_equal(atom(cfg, "d"), "double \" inside");
	light_cfg_free(cfg);
}

static void test_comments_and_separators(void **state)
{
	struct light_cfg *cfg = parse(
		"# a comment\n"
		"\n"
		"a = 1 # trailing comment\n"
		"b = 2; c = 3;\n"
		"   \t d = \"# not a comment\"\n"
		"e = 5");                      /* no final newline */

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(atom(cfg, "a"), "1");
	assert_string_equal(atom(cfg, "b"), "2");
	assert_string_equal(atom(cfg, "c"), "3");
	assert_string_equal(atom(cfg, "d"), "# not a comment");
	assert_string_equal(atom(cfg, "e"), "5");
	assert_int_equal(light_cfg_lookup(cfg, "e")->line, 6);
	light_cfg_free(cfg);
}

static void test_lists(void **state)
{
	struct light_cfg *cfg = parse(
		"disk = [ 'a', \"b\",\n"
		"         'c', ]   # trailing comma\n"
		"vif = []\n"
		"nest = [ [1, 2], [], [[ 'x' ]] ]\n"
		"multi = [\n"
		"\n"
		"  'p'\n"
		"  ,\n"
		"  'q'\n"
		"]\n"
		"after = 1\n");
	const struct light_cfg_value *v;

	(void)state;
	assert_non_null(cfg);
	v = light_cfg_lookup(cfg, "disk")->value;
	assert_int_equal(v->kind, LIGHT_CFG_LIST);
	assert_int_equal(v->nitems, 3);
	assert_string_equal(v->items[2]->text, "c");
	assert_int_equal(light_cfg_lookup(cfg, "vif")->value->nitems, 0);
	v = light_cfg_lookup(cfg, "nest")->value;
	assert_int_equal(v->nitems, 3);
	assert_int_equal(v->items[0]->nitems, 2);
	assert_int_equal(v->items[1]->nitems, 0);
	assert_string_equal(v->items[2]->items[0]->items[0]->text, "x");
	assert_int_equal(light_cfg_lookup(cfg, "multi")->value->nitems, 2);
	/* Lines inside lists are counted. */
	assert_int_equal(light_cfg_lookup(cfg, "after")->line, 11);
	light_cfg_free(cfg);
}

static void test_later_overrides_earlier(void **state)
{
	struct light_cfg *cfg = parse("memory = 64\nname = 'a'\nmemory = 128\n");

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(atom(cfg, "memory"), "128");
	assert_int_equal(light_cfg_lookup(cfg, "memory")->line, 3);
	light_cfg_free(cfg);
}

static void test_append(void **state)
{
	struct light_cfg *cfg = parse(
		"extra = 'console=hvc0'\n"
		"extra += ' quiet'\n"
		"disk = ['a']\n"
		"disk += ['b', 'c']\n"
		"fresh += 'x'\n");
	const struct light_cfg_value *v;

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(atom(cfg, "extra"), "console=hvc0 quiet");
	v = light_cfg_lookup(cfg, "disk")->value;
	assert_int_equal(v->nitems, 3);
	assert_string_equal(v->items[0]->text, "a");
	assert_string_equal(v->items[2]->text, "c");
	assert_string_equal(atom(cfg, "fresh"), "x");
	light_cfg_free(cfg);

	expect_error("a = 'x'\na += ['y']\n",
	             "t.cfg:2: a: += needs the same type as the setting at t.cfg:1");
}

static void test_overrides(void **state)
{
	struct light_cfg *cfg = parse("name = 'file'\nmemory = 64\n");

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(light_cfg_override(cfg, "memory=256", err, sizeof(err)), 0);
	assert_int_equal(light_cfg_override(cfg, "name=\"quoted\"", err, sizeof(err)), 0);
	assert_string_equal(atom(cfg, "memory"), "256");
	assert_string_equal(atom(cfg, "name"), "quoted");
	/* A bare word is taken literally, even with characters the lexer
	 * would reject. */
	assert_int_equal(light_cfg_override(cfg, "name=web-1.example", err, sizeof(err)), 0);
	assert_string_equal(atom(cfg, "name"), "web-1.example");
	assert_int_equal(light_cfg_override(cfg, "cmdline=a \"b\" c", err, sizeof(err)), 0);
	assert_string_equal(atom(cfg, "cmdline"), "a \"b\" c");
	assert_int_equal(light_cfg_override(cfg, "vif=['bridge=br0']", err, sizeof(err)), 0);
	assert_int_equal(light_cfg_lookup(cfg, "vif")->value->nitems, 1);
	assert_int_equal(light_cfg_override(cfg, "cmdline+=' x'", err, sizeof(err)), 0);
	assert_string_equal(atom(cfg, "cmdline"), "a \"b\" c x");
	assert_string_equal(light_cfg_lookup(cfg, "vif")->source, "command line");

	assert_int_equal(light_cfg_override(cfg, "noequals", err, sizeof(err)), -1);
	assert_string_equal(err, "command line: `noequals': expected key=value");
	assert_int_equal(light_cfg_override(cfg, "Bad=1", err, sizeof(err)), -1);
	assert_string_equal(err, "command line: `Bad': invalid key");
	assert_int_equal(light_cfg_override(cfg, "=1", err, sizeof(err)), -1);
	/* Quoted or list values must be valid syntax: no literal fallback. */
	assert_int_equal(light_cfg_override(cfg, "disk=['a'", err, sizeof(err)), -1);
	assert_string_equal(err, "command line:1: expected `,' or `]' at end of input");
	assert_int_equal(light_cfg_override(cfg, "name=\"open", err, sizeof(err)), -1);
	assert_string_equal(err, "command line:1: unterminated string");
	light_cfg_free(cfg);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("name = 'a'\nmemory 128\n", "t.cfg:2: expected `=' or `+=' near `128'");
	expect_error("a = 1\n\nb =\n", "t.cfg:3: expected a value near end of line");
	expect_error("a = 1 2\n", "t.cfg:1: expected end of line near `2'");
	expect_error("= 1\n", "t.cfg:1: syntax error near `='");
	expect_error("Name = 1\n", "t.cfg:1: invalid character `N'");
	expect_error("a = [1 2]\n", "t.cfg:1: expected `,' or `]' near `2'");
	expect_error("a = [1,,2]\n", "t.cfg:1: expected a value near `,'");
	expect_error("a = ]\n", "t.cfg:1: expected a value near `]'");
	expect_error("a = 1\nb = [\n'x',\n", "t.cfg:4: expected a value at end of input");
	expect_error("a = -1\n", "t.cfg:1: invalid character `-'");
	expect_error("a = $x\n", "t.cfg:1: invalid character `$'");
	expect_error("a = \x01\n", "t.cfg:1: invalid character (byte 0x01)");
}

static void test_string_errors(void **state)
{
	(void)state;
	expect_error("a = 1\nb = \"open\n", "t.cfg:2: unterminated string");
	expect_error("b = 'open", "t.cfg:1: unterminated string");
	expect_error("b = \"a\\qb\"", "t.cfg:1: unknown escape `\\q' in string");
	expect_error("b = \"\\x4\"", "t.cfg:1: invalid \\x escape in string (two hex digits, not 00)");
	expect_error("b = \"\\x00\"", "t.cfg:1: invalid \\x escape in string (two hex digits, not 00)");
	expect_error("b = \"\\0\"", "t.cfg:1: invalid octal escape in string");
	/* A backslash before the closing quote escapes it: unterminated. */
	expect_error("b = \"abc\\\"\n", "t.cfg:1: unterminated string");
}

static void test_nul_and_nesting(void **state)
{
	static const char nul[] = "a = \"x\0y\"\n";
	struct light_cfg *cfg = light_cfg_new();
	char deep[256];
	int i, n = 0;

	(void)state;
	assert_int_equal(light_cfg_parse_data(cfg, "t.cfg", nul, sizeof(nul) - 1,
	                                      err, sizeof(err)), -1);
	assert_string_equal(err, "t.cfg:1: NUL byte in string");
	assert_int_equal(cfg->nsettings, 0);

	/* LIGHT_CFG_MAX_DEPTH levels parse, one more does not. */
	n = snprintf(deep, sizeof(deep), "a = ");
	for (i = 0; i < LIGHT_CFG_MAX_DEPTH; i++)
		deep[n++] = '[';
	for (i = 0; i < LIGHT_CFG_MAX_DEPTH; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	assert_int_equal(light_cfg_parse_data(cfg, "t.cfg", deep, strlen(deep), err, sizeof(err)), 0);
	n = snprintf(deep, sizeof(deep), "a = ");
	for (i = 0; i <= LIGHT_CFG_MAX_DEPTH; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(light_cfg_parse_data(cfg, "t.cfg", deep, strlen(deep), err, sizeof(err)), -1);
	assert_string_equal(err, "t.cfg:1: lists nested more than 16 deep");
	light_cfg_free(cfg);
}

static void test_failed_parse_appends_nothing(void **state)
{
	struct light_cfg *cfg = parse("a = 1\nb = ['x']\n");

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(light_cfg_parse_data(cfg, "o", "a = 2\nb += ['y']\nc = (", 20,
	                                      err, sizeof(err)), -1);
	assert_int_equal(cfg->nsettings, 2);
	assert_string_equal(atom(cfg, "a"), "1");
	/* The list that `+=` extended is untouched. */
	assert_int_equal(light_cfg_lookup(cfg, "b")->value->nitems, 1);
	light_cfg_free(cfg);
}

static void test_parse_int(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(light_cfg_parse_int("128", 0, 1000, &v), 0);
	assert_int_equal(v, 128);
	assert_int_equal(light_cfg_parse_int("0x80", 0, 1000, &v), 0);
	assert_int_equal(v, 128);
	assert_int_equal(light_cfg_parse_int("010", 0, 1000, &v), 0);
	assert_int_equal(v, 8);                 /* octal, as upstream's strtol(.., 0) */
	assert_int_equal(light_cfg_parse_int("08", 0, 1000, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(light_cfg_parse_int("12x", 0, 1000, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(light_cfg_parse_int("", 0, 1000, &v), -1);
	assert_int_equal(light_cfg_parse_int(" 1", 0, 1000, &v), -1);
	assert_int_equal(light_cfg_parse_int("-1", -5, 1000, &v), -1);
	assert_int_equal(light_cfg_parse_int("1001", 0, 1000, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(light_cfg_parse_int("99999999999999999999999", 0, 1000, &v), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_file(void **state)
{
	char path[] = "/tmp/test-config-XXXXXX";
	struct light_cfg *cfg = light_cfg_new();
	char *big;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("name = 'x'\n\nmemory = [\n", f);
	fclose(f);
	assert_int_equal(light_cfg_parse_file(cfg, path, err, sizeof(err)), -1);
	{
		char want[600];
		snprintf(want, sizeof(want), "%s:4: expected a value at end of input", path);
		assert_string_equal(err, want);
	}
	/* Too large: refused before parsing. */
	f = fopen(path, "w");
	big = calloc(1, LIGHT_CFG_MAX_FILE + 2);
	memset(big, '#', LIGHT_CFG_MAX_FILE + 1);
	fwrite(big, 1, LIGHT_CFG_MAX_FILE + 1, f);
	fclose(f);
	free(big);
	assert_int_equal(light_cfg_parse_file(cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	unlink(path);
	assert_int_equal(light_cfg_parse_file(cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(light_cfg_parse_file(cfg, "/tmp", err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: not a regular file");
	light_cfg_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atoms),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_comments_and_separators),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_later_overrides_earlier),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_nul_and_nesting),
		cmocka_unit_test(test_failed_parse_appends_nothing),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
