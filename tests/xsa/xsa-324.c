/*
 * XSA-324: a watch with a very large token made an event bigger than the
 * protocol's payload maximum; sending it could crash the daemon (an error
 * path used a request that did not exist).
 * Stopped: such an event is dropped; the watcher, the guest that set it
 * and everyone else go on.
 */
#include "config.h"

#include "xsa.h"

static void test_oversized_event_dropped(void **state)
{
	char token[3000];
	char *path;
	size_t i;
	uint32_t t;

	(void)state;
	memset(token, 't', sizeof(token) - 1);
	token[sizeof(token) - 1] = 0;
	/* A long path below its home: path + token > XENSTORE_PAYLOAD_MAX. */
	path = malloc(2000);
	assert_non_null(path);
	for (i = 0; i < 1999; i++)
		path[i] = (i % 10 == 9) ? '/' : 'p';
	path[1999] = 0;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, &t, "w", token, NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);
	/* An event for a node deep below the watch is over the maximum. */
	{
		char full[2100];

		snprintf(full, sizeof(full), "w/%s", path);
		assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, full, "x",
		                             NULL), "OK");
	}
	/* The event is not sent (and nothing over the limit ever is). */
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 0);
	/* The watch still works for a short path. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "w", "y", NULL), "OK");
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 1);
	free(path);
	xsa_others_served();
}

/* A tool's watch with a huge token, fired by a guest's write. */
static void test_oversized_event_to_tool(void **state)
{
	char token[4000];
	struct conn *tool = xsa_dom0;

	(void)state;
	memset(token, 'k', sizeof(token) - 1);
	token[sizeof(token) - 1] = 0;
	assert_string_equal(xsa_d0(XS_WATCH, "/local/domain/5", token, NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL,
	                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	                             "x", NULL), "OK");
	assert_false(tool->dead);
	xsa_conn_events(tool);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oversized_event_dropped, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_oversized_event_to_tool, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
