/*
 * XSA-137: xl's config parser and libxl trusted the numbers and strings
 * in a config file: huge values overflowed, long strings and deep lists
 * could exhaust or overrun memory.  A config file is often written by
 * someone other than the administrator (a provisioning system, a user
 * allowed to start guests).
 * Tested against liblight's parser and model (and bytes that are not
 * UTF-8, which the stored JSON config cannot hold): each hostile file is
 * refused with one line naming file:line (or, for what is merely big,
 * accepted or refused cleanly), and nothing is left allocated (the
 * fuzz-xlcfg target checks the same under ASan).
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

#include "light_config.h"

/* Parse text and build the model; 0 if both worked, else -1 with err. */
static int load(const char *text, size_t len, char *err, size_t errlen)
{
	struct light_cfg *cfg = light_cfg_new();
	struct light_domain_config dc;
	int rc = -1;

	assert_non_null(cfg);
	if (light_cfg_parse_data(cfg, "xsa.cfg", text, len, err, errlen) == 0 &&
	    light_domain_config_from_cfg(cfg, &dc, err, errlen) == 0) {
		light_domain_config_dispose(&dc);
		rc = 0;
	}
	light_cfg_free(cfg);
	return rc;
}

static void refused(const char *text, const char *where)
{
	char err[512];

	err[0] = 0;
	assert_int_equal(load(text, strlen(text), err, sizeof(err)), -1);
	if (!strstr(err, where))
		fail_msg("\"%s\" does not name %s", err, where);
	assert_null(strchr(err, '\n'));
}

static void test_huge_numbers(void **state)
{
	(void)state;
	refused("name=\"a\"\nmemory=99999999999999999999999999\n", "xsa.cfg:2");
	refused("name=\"a\"\nmemory=9223372036854775807\n", "xsa.cfg:2");
	refused("name=\"a\"\nmemory=-1\n", "xsa.cfg:2");
	refused("name=\"a\"\nmemory=128\nmaxmem=18446744073709551616\n", "xsa.cfg:3");
	refused("name=\"a\"\nvcpus=4294967297\n", "xsa.cfg:2");
	refused("name=\"a\"\nvcpus=0x100000001\n", "xsa.cfg:2");
	refused("name=\"a\"\nmaxvcpus=99999999\nvcpus=1\n", "xsa.cfg:2");
}

static void test_long_strings(void **state)
{
	size_t n = 1u << 20;
	char *text = malloc(n + 64), err[512];
	int rc;

	(void)state;
	assert_non_null(text);
	/* A 1 MiB name: refused (a domain name is short), or at least
	 * handled without harm; either way the answer is one line. */
	strcpy(text, "name=\"");
	memset(text + 6, 'n', n);
	strcpy(text + 6 + n, "\"\n");
	err[0] = 0;
	rc = load(text, strlen(text), err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "xsa.cfg:1"));
	/* A 1 MiB key. */
	memset(text, 'k', n);
	strcpy(text + n, "=1\n");
	err[0] = 0;
	rc = load(text, strlen(text), err, sizeof(err));
	assert_true(rc == -1 || rc == 0);
	assert_null(strchr(err, '\n'));
	/* An unterminated string running to the end of the file. */
	strcpy(text, "name=\"");
	memset(text + 6, 's', n);
	text[6 + n] = 0;
	refused(text, "xsa.cfg:1");
	/* Escapes cut short at the end. */
	refused("name=\"abc\\x4", "xsa.cfg:1");
	refused("name=\"abc\\", "xsa.cfg:1");
	free(text);
}

static void test_deep_and_long_lists(void **state)
{
	size_t depth = 100000, i, len;
	char *text = malloc(depth * 2 + 64), err[512];

	(void)state;
	assert_non_null(text);
	len = (size_t)sprintf(text, "name=\"a\"\nx=");
	for (i = 0; i < depth; i++)
		text[len++] = '[';
	for (i = 0; i < depth; i++)
		text[len++] = ']';
	text[len++] = '\n';
	text[len] = 0;
	refused(text, "xsa.cfg:2");
	free(text);
	/* 200000 list elements: parsed or refused, never a crash. */
	text = malloc(200000 * 4 + 64);
	assert_non_null(text);
	len = (size_t)sprintf(text, "name=\"a\"\nmemory=64\nvif=[");
	for (i = 0; i < 200000; i++)
		len += (size_t)sprintf(text + len, "'',");
	strcpy(text + len, "]\n");
	err[0] = 0;
	(void)load(text, strlen(text), err, sizeof(err));
	assert_null(strchr(err, '\n'));
	free(text);
}

static void test_nul_and_binary(void **state)
{
	static const char bin[] = "name=\"a\0b\"\nmemory=\x01\xff\n";
	char err[512];

	(void)state;
	err[0] = 0;
	assert_int_equal(load(bin, sizeof(bin) - 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "xsa.cfg:"));
	/* Bytes that are not UTF-8 (raw, or by escape) cannot be stored in
	 * the JSON config: refused at parse time, naming the line. */
	refused("name=\"a\"\nramdisk=\"/boot/init\xfb.img\"\n", "xsa.cfg:2");
	refused("name=\"a\"\nramdisk=\"/boot/init\\xfb.img\"\n", "xsa.cfg:2");
	refused("name=\"a\"\nextra=\"\xc0\xaf\"\n", "xsa.cfg:2");      /* overlong */
	refused("name=\"a\"\nextra=\"\xed\xa0\x80\"\n", "xsa.cfg:2"); /* surrogate */
	/* Real UTF-8 is fine. */
	err[0] = 0;
	{
		static const char u[] = "name=\"a\"\nmemory=64\nextra=\"caf\xc3\xa9 \xe2\x82\xac\"\n";

		if (load(u, sizeof(u) - 1, err, sizeof(err)) != 0)
			fail_msg("UTF-8 refused: %s", err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_deep_and_long_lists),
		cmocka_unit_test(test_nul_and_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
