/*
 * test-events.c - light_events against our real xenstored on a private
 * socket (-D: no Xen).  Without a hypervisor the source sees what
 * xenstore shows: domains appearing by name and their homes going away,
 * backends reaching and leaving Connected.  (Shutdown reasons and memory
 * targets need Xen: examples/events in the system case 25-interop.)
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "liblight.h"
#include "xsclient.h"

extern char **environ;

static pid_t daemon_pid;
static char dir[] = "/tmp/test-events.XXXXXX";
static char sock[64];

static int start_daemon(void **state)
{
	const char *top = getenv("top_builddir");
	char bin[4096];
	char *argv[] = { bin, "-N", "-D", "--socket", sock, NULL };
	int i;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/xenstored/xenstored", top ? top : "../..");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	if (posix_spawn(&daemon_pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	for (i = 0; i < 500; i++) {
		struct xsc_handle *x = xsc_open(sock, 0);
		char *v = x ? xsc_read(x, XSC_NO_TX, "/", NULL) : NULL;

		if (x)
			xsc_close(x);
		if (v) {
			free(v);
			setenv("XENSTORED_PATH", sock, 1);
			return 0;
		}
		usleep(20000);
	}
	return -1;
}

static int stop_daemon(void **state)
{
	(void)state;
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
	}
	unlink(sock);
	rmdir(dir);
	return 0;
}

static void put(const char *path, const char *value)
{
	struct xsc_handle *x = xsc_open(sock, 0);

	assert_non_null(x);
	assert_int_equal(xsc_write_str(x, XSC_NO_TX, path, value), 0);
	xsc_close(x);
}

static void del(const char *path)
{
	struct xsc_handle *x = xsc_open(sock, 0);

	assert_non_null(x);
	xsc_rm(x, XSC_NO_TX, path);
	xsc_close(x);
}

/* The next event within ms: 1 and *e, or 0 if none came. */
static int next_within(struct light_events *ev, struct light_event *e, int ms)
{
	struct pollfd p = { .fd = light_events_fd(ev), .events = POLLIN };
	int r, waited = 0;

	for (;;) {
		r = light_events_next(ev, e);
		if (r != 0) {
			assert_int_equal(r, 1);
			return 1;
		}
		if (waited >= ms)
			return 0;
		(void)poll(&p, 1, 50);
		waited += 50;
	}
}

static void expect(struct light_events *ev, enum light_event_type type,
                   uint32_t domid, const char *name)
{
	struct light_event e;

	if (!next_within(ev, &e, 5000))
		fail_msg("no event, wanted %s for %u", light_event_type_name(type),
		         domid);
	if (e.type != type || e.domid != domid)
		fail_msg("got %s for %u, wanted %s for %u",
		         light_event_type_name(e.type), e.domid,
		         light_event_type_name(type), domid);
	if (name)
		assert_string_equal(e.name, name);
}

static void expect_dev(struct light_events *ev, enum light_event_type type,
                       uint32_t domid, const char *kind, uint32_t devid)
{
	struct light_event e;

	if (!next_within(ev, &e, 5000))
		fail_msg("no event, wanted %s", light_event_type_name(type));
	if (e.type != type)
		fail_msg("got %s, wanted %s", light_event_type_name(e.type),
		         light_event_type_name(type));
	assert_int_equal(e.domid, domid);
	assert_string_equal(e.kind, kind);
	assert_int_equal(e.devid, devid);
}

static void expect_none(struct light_events *ev)
{
	struct light_event e;

	if (next_within(ev, &e, 300))
		fail_msg("unexpected %s for %u", light_event_type_name(e.type),
		         e.domid);
}

static struct light_ctx *ctx(void)
{
	char err[256];
	struct light_ctx *c = light_open(LIGHT_OPEN_NO_CTRL, err, sizeof(err));

	if (!c)
		fail_msg("light_open: %s", err);
	return c;
}

static void domain_life(void **state)
{
	struct light_ctx *c = ctx();
	struct light_events *ev;

	(void)state;
	put("/local/domain/0/name", "Domain-0");
	put("/local/domain/3/name", "old");     /* there before: no news */
	ev = light_events_open(c);
	assert_non_null(ev);
	expect_none(ev);

	/* A home without a name is not a domain yet; the name makes it. */
	put("/local/domain/5/vm", "/vm/x");
	expect_none(ev);
	put("/local/domain/5/name", "web");
	expect(ev, LIGHT_EVENT_DOMAIN_CREATED, 5, "web");
	/* Writes inside a known domain are no news. */
	put("/local/domain/5/control/shutdown", "");
	put("/local/domain/5/name", "web2");    /* a rename is not a creation */
	expect_none(ev);
	/* Without the hypervisor no memory size can be known: no event. */
	put("/local/domain/5/memory/target", "98304");
	expect_none(ev);

	del("/local/domain/5");
	expect(ev, LIGHT_EVENT_DOMAIN_DESTROYED, 5, "web2");
	/* Only once, and the old domain is still tracked. */
	del("/local/domain/5");
	expect_none(ev);
	del("/local/domain/3");
	expect(ev, LIGHT_EVENT_DOMAIN_DESTROYED, 3, "old");
	light_events_close(ev);
	light_close(c);
}

static void device_states(void **state)
{
	struct light_ctx *c = ctx();
	struct light_events *ev;
	const char *st = "/local/domain/0/backend/vbd/6/51712/state";

	(void)state;
	put("/local/domain/6/name", "disky");
	put("/local/domain/0/backend/vif/6/0/state", "4"); /* before: no news */
	ev = light_events_open(c);
	assert_non_null(ev);

	put(st, "1");
	put(st, "3");
	expect_none(ev);
	put(st, "4");
	expect_dev(ev, LIGHT_EVENT_DEVICE_CONNECTED, 6, "vbd", 51712);
	put("/local/domain/0/backend/vbd/6/51712/params", "/dev/loop0");
	put(st, "4");
	expect_none(ev);
	put(st, "5");
	expect_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, 6, "vbd", 51712);
	put(st, "6");
	expect_none(ev);
	put(st, "4");
	expect_dev(ev, LIGHT_EVENT_DEVICE_CONNECTED, 6, "vbd", 51712);
	/* Removing the whole backend directory disconnects both. */
	del("/local/domain/0/backend/vbd/6");
	expect_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, 6, "vbd", 51712);
	del("/local/domain/0/backend/vif/6");
	expect_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, 6, "vif", 0);
	expect_none(ev);

	/* A domain that goes with a connected device: the device first. */
	put("/local/domain/0/backend/vif/6/1/state", "4");
	expect_dev(ev, LIGHT_EVENT_DEVICE_CONNECTED, 6, "vif", 1);
	del("/local/domain/6");
	expect_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, 6, "vif", 1);
	expect(ev, LIGHT_EVENT_DOMAIN_DESTROYED, 6, "disky");
	del("/local/domain/0/backend/vif/6");
	expect_none(ev);
	light_events_close(ev);
	light_close(c);
}

static void odd_paths_are_ignored(void **state)
{
	struct light_ctx *c = ctx();
	struct light_events *ev;

	(void)state;
	ev = light_events_open(c);
	assert_non_null(ev);
	put("/local/domain/x7/name", "no");
	put("/local/domain/7x/name", "no");
	put("/local/domain/99999999999/name", "no");
	put("/local/domain/0/backend/vbd/x/1/state", "4");
	put("/local/domain/0/backend/vbd/7/-1/state", "4");
	put("/local/domain/0/backend/vbd/7/2/state", "4x");
	expect_none(ev);
	del("/local/domain/x7");
	del("/local/domain/7x");
	del("/local/domain/99999999999");
	del("/local/domain/0/backend");
	expect_none(ev);
	assert_string_equal(light_events_errmsg(ev), "");
	light_events_close(ev);
	light_close(c);
}

/* Several sources on one store each see every event. */
static void two_sources(void **state)
{
	struct light_ctx *c1 = ctx(), *c2 = ctx();
	struct light_events *a, *b;

	(void)state;
	a = light_events_open(c1);
	b = light_events_open(c2);
	assert_non_null(a);
	assert_non_null(b);
	put("/local/domain/8/name", "both");
	expect(a, LIGHT_EVENT_DOMAIN_CREATED, 8, "both");
	expect(b, LIGHT_EVENT_DOMAIN_CREATED, 8, "both");
	light_events_close(a);
	del("/local/domain/8");
	expect(b, LIGHT_EVENT_DOMAIN_DESTROYED, 8, "both");
	light_events_close(b);
	light_close(c1);
	light_close(c2);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(light_event_type_name(LIGHT_EVENT_DOMAIN_CRASHED),
	                    "domain-crashed");
	assert_string_equal(light_event_type_name(LIGHT_EVENT_MEMORY_TARGET_REACHED),
	                    "memory-target-reached");
	light_events_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domain_life),
		cmocka_unit_test(device_states),
		cmocka_unit_test(odd_paths_are_ignored),
		cmocka_unit_test(two_sources),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, start_daemon, stop_daemon);
}
