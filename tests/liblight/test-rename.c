/*
 * test-rename.c - the stored configuration's rewrite on `xl rename`
 * (light_config_json_rename, private to liblight): only c_info.name
 * changes, and the result is byte for byte what create would have stored
 * had the domain been given that name.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liblight.h"
#include "light_config.h"

char *light_config_json_rename(const char *json, const char *name);

static const char base_cfg[] =
	"kernel = \"/boot/vmlinuz\"\n"
	"memory = 128\n"
	"vcpus = 2\n"
	"extra = \"console=hvc0 name=keep\"\n"
	"on_poweroff = \"preserve\"\n"
	"disk = [ 'format=raw, vdev=xvda, access=rw, target=/tmp/d.img' ]\n";

/* The JSON create stores for base_cfg with this name. */
static char *stored_json(const char *name)
{
	struct light_domain_config dc;
	struct light_cfg *cfg = light_cfg_new();
	char text[1024], err[512];
	char *json;

	assert_non_null(cfg);
	snprintf(text, sizeof(text), "name = \"%s\"\n%s", name, base_cfg);
	if (light_cfg_parse_data(cfg, "t.cfg", text, strlen(text), err,
	                         sizeof(err)) < 0 ||
	    light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	json = light_domain_config_print(&dc);
	assert_non_null(json);
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
	return json;
}

/* Equal but for a trailing newline (the file gets one either way). */
static void assert_same_json(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == '\n')
		la--;
	while (lb > 0 && b[lb - 1] == '\n')
		lb--;
	if (la != lb || memcmp(a, b, la) != 0)
		fail_msg("got:\n%s\nwant:\n%s", a, b);
}

static void test_rename_is_create_with_new_name(void **state)
{
	char *before = stored_json("old-name");
	char *want = stored_json("web.2");
	char *got;

	(void)state;
	got = light_config_json_rename(before, "web.2");
	assert_non_null(got);
	assert_same_json(got, want);
	/* The other "name" text (in extra) is not a name member. */
	assert_non_null(strstr(got, "name=keep"));
	free(before);
	free(want);
	free(got);
}

/* A name needing JSON escapes comes out escaped and parses back. */
static void test_rename_escapes(void **state)
{
	char *before = stored_json("a");
	char *got, *back;

	(void)state;
	got = light_config_json_rename(before, "q\"uote\\d");
	assert_non_null(got);
	assert_non_null(strstr(got, "\"name\": \"q\\\"uote\\\\d\""));
	back = light_config_json_rename(got, "a");
	assert_non_null(back);
	assert_same_json(back, before);
	free(before);
	free(got);
	free(back);
}

static void test_rename_refuses_non_objects(void **state)
{
	(void)state;
	errno = 0;
	assert_null(light_config_json_rename("[1, 2]", "x"));
	assert_int_equal(errno, EINVAL);
	assert_null(light_config_json_rename("{\"c_info\": ", "x"));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_is_create_with_new_name),
		cmocka_unit_test(test_rename_escapes),
		cmocka_unit_test(test_rename_refuses_non_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
