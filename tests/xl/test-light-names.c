/*
 * test-light-names.c - liblight's xenstore side against our real xenstored
 * on a private socket (no Xen needed): Dom0 init, the name index and its
 * fallbacks, names, cpupool names and guest uptimes.
 */
#include "config.h"

#include <errno.h>
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
static char dir[] = "/tmp/test-light-names.XXXXXX";
static char sock[64];

/* Start xenstored -N (foreground) -D (no Xen domains) on our socket. */
static int
start_daemon(void **state)
{
	const char *top = getenv("top_builddir");
	char bin[4096];
	char *argv[] = { bin, "-N", "-D", "--socket", sock, NULL };
	struct stat st;
	int i;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/xenstored/xenstored", top ? top : "../..");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	if (posix_spawn(&daemon_pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	/* The socket file appears at bind(); wait until the daemon answers. */
	for (i = 0; i < 500; i++) {
		struct xsc_handle *x = NULL;
		char *v = NULL;

		if (stat(sock, &st) == 0 && (x = xsc_open(sock, 0)) != NULL)
			v = xsc_read(x, XSC_NO_TX, "/", NULL);
		if (x != NULL)
			xsc_close(x);
		if (v != NULL) {
			free(v);
			setenv("XENSTORED_PATH", sock, 1);
			return 0;
		}
		usleep(20000);
	}
	return -1;
}

static int
stop_daemon(void **state)
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

/* A context with xenstore only, and a raw client for setting up. */
static struct light_ctx *
ctx(void)
{
	char err[256];
	struct light_ctx *c = light_open(LIGHT_OPEN_NO_CTRL, err, sizeof(err));

	if (c == NULL)
		fail_msg("light_open: %s", err);
	return c;
}

static void
put(const char *path, const char *value)
{
	struct xsc_handle *x = xsc_open(sock, 0);

	assert_non_null(x);
	assert_int_equal(xsc_write_str(x, XSC_NO_TX, path, value), 0);
	xsc_close(x);
}

static void
del(const char *path)
{
	struct xsc_handle *x = xsc_open(sock, 0);

	assert_non_null(x);
	xsc_rm(x, XSC_NO_TX, path);
	xsc_close(x);
}

static char *
get(const char *path)
{
	struct xsc_handle *x = xsc_open(sock, 0);
	char *v;

	assert_non_null(x);
	v = xsc_read(x, XSC_NO_TX, path, NULL);
	xsc_close(x);
	return v;
}

static void
init_dom0_once(void **state)
{
	struct light_ctx *c = ctx();
	char *v;
	uint32_t id = 99;

	(void)state;
	assert_int_equal(light_init_dom0(c, NULL), 0);
	v = get("/local/domain/0/name");
	assert_string_equal(v, "Domain-0");
	free(v);
	v = get("/local/domain/0/domid");
	assert_string_equal(v, "0");
	free(v);
	v = get("/local/pool/0/name");
	assert_string_equal(v, "Pool-0");
	free(v);
	v = get("/tool/lightstack/names/Domain-0");
	assert_string_equal(v, "0");
	free(v);
	/* Second run: already set up, nothing changes. */
	assert_int_equal(light_init_dom0(c, NULL), 1);

	assert_int_equal(light_domain_by_name(c, "Domain-0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(light_domain_lookup(c, "Domain-0", &id), 0);
	assert_int_equal(id, 0);
	v = light_cpupool_name(c, 0);
	assert_string_equal(v, "Pool-0");
	free(v);
	light_close(c);
}

static void
index_encodes_odd_names(void **state)
{
	struct light_ctx *c = ctx();
	uint32_t id = 99;
	char *v;

	(void)state;
	put("/local/domain/7/name", "my.vm 1");
	assert_int_equal(light_name_index_add(c, XSC_NO_TX, "my.vm 1", 7), 0);
	/* '.' and ' ' are not path characters: escaped as @xx. */
	v = get("/tool/lightstack/names/my@2evm@201");
	assert_string_equal(v, "7");
	free(v);
	assert_int_equal(light_domain_by_name(c, "my.vm 1", &id), 0);
	assert_int_equal(id, 7);
	/* "my@2evm@201" as a name is another name, not the same key. */
	errno = 0;
	assert_int_equal(light_domain_by_name(c, "my@2evm@201", &id), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(light_name_index_remove(c, XSC_NO_TX, "my.vm 1"), 0);
	assert_null(get("/tool/lightstack/names/my@2evm@201"));
	/* Removing again is fine. */
	assert_int_equal(light_name_index_remove(c, XSC_NO_TX, "my.vm 1"), 0);
	del("/local/domain/7");
	light_close(c);
}

/* light_name_claim: a live holder of the name refuses, a stale entry or
 * the domain's own entry does not. */
static void
claim_refuses_live_name(void **state)
{
	struct light_ctx *c = ctx();
	char *v;

	(void)state;
	put("/local/domain/11/name", "taken");
	assert_int_equal(light_name_claim(c, XSC_NO_TX, "taken", 11), 0);
	v = get("/tool/lightstack/names/taken");
	assert_string_equal(v, "11");
	free(v);
	/* Claiming it again for 11 itself (a retried transaction) is fine. */
	assert_int_equal(light_name_claim(c, XSC_NO_TX, "taken", 11), 0);
	errno = 0;
	assert_int_equal(light_name_claim(c, XSC_NO_TX, "taken", 12), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(light_errmsg(c),
	    "domain with name \"taken\" already exists (domain 11)"));
	v = get("/tool/lightstack/names/taken");
	assert_string_equal(v, "11");
	free(v);
	/* Domain 11 renamed (or gone): its entry no longer holds the name. */
	put("/local/domain/11/name", "other");
	assert_int_equal(light_name_claim(c, XSC_NO_TX, "taken", 12), 0);
	v = get("/tool/lightstack/names/taken");
	assert_string_equal(v, "12");
	free(v);
	del("/local/domain/11");
	del("/tool/lightstack/names/taken");
	light_close(c);
}

static void
unindexed_domain_found_by_scan(void **state)
{
	struct light_ctx *c = ctx();
	uint32_t id = 99;
	char *idx;

	(void)state;
	/* Another toolstack's domain is not in our index, but its name in
	 * /local/domain is the truth: found by the scan (the later tests
	 * keep using domain 5). */
	put("/local/domain/5/name", "hidden");
	idx = get("/tool/lightstack/names");     /* the index exists */
	assert_non_null(idx);
	free(idx);
	assert_int_equal(light_domain_by_name(c, "hidden", &id), 0);
	assert_int_equal(id, 5);
	/* A name nobody has is still ENOENT, named in the message. */
	errno = 0;
	id = 99;
	assert_int_equal(light_domain_by_name(c, "nobody", &id), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(id, 99);
	assert_non_null(strstr(light_errmsg(c), "nobody"));
	light_close(c);
}

static void
stale_entry_falls_back_to_scan(void **state)
{
	struct light_ctx *c = ctx();
	uint32_t id = 99;

	(void)state;
	/* Index says 8, but domain 8 is now someone else; "web" is 9. */
	put("/local/domain/8/name", "other");
	put("/local/domain/9/name", "web");
	assert_int_equal(light_name_index_add(c, XSC_NO_TX, "web", 8), 0);
	assert_int_equal(light_domain_by_name(c, "web", &id), 0);
	assert_int_equal(id, 9);
	/* The reader that found the entry stale removed it. */
	assert_null(get("/tool/lightstack/names/web"));
	/* Stale and nobody has the name: ENOENT, and the entry is gone. */
	assert_int_equal(light_name_index_add(c, XSC_NO_TX, "gone", 8), 0);
	errno = 0;
	assert_int_equal(light_domain_by_name(c, "gone", &id), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(get("/tool/lightstack/names/gone"));
	/* An entry naming a domain with no home at all is stale too. */
	assert_int_equal(light_name_index_add(c, XSC_NO_TX, "ghost", 31), 0);
	errno = 0;
	assert_int_equal(light_domain_by_name(c, "ghost", &id), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(get("/tool/lightstack/names/ghost"));
	/* A live entry stays. */
	assert_int_equal(light_name_index_add(c, XSC_NO_TX, "web", 9), 0);
	assert_int_equal(light_domain_by_name(c, "web", &id), 0);
	assert_int_equal(id, 9);
	{
		char *v = get("/tool/lightstack/names/web");

		assert_string_equal(v, "9");
		free(v);
	}
	light_name_index_remove(c, XSC_NO_TX, "web");
	light_name_index_remove(c, XSC_NO_TX, "gone");
	del("/local/domain/8");
	del("/local/domain/9");
	light_close(c);
}

static void
no_index_scans_like_upstream(void **state)
{
	struct light_ctx *c = ctx();
	uint32_t id = 99;

	(void)state;
	del("/tool/lightstack");
	assert_int_equal(light_domain_by_name(c, "hidden", &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(light_domain_by_name(c, "Domain-0", &id), 0);
	assert_int_equal(id, 0);
	errno = 0;
	assert_int_equal(light_domain_by_name(c, "nobody", &id), -1);
	assert_int_equal(errno, ENOENT);
	light_close(c);
}

static void
names_and_uptime(void **state)
{
	struct light_ctx *c = ctx();
	unsigned long up = 0;
	char *v;

	(void)state;
	v = light_domain_name(c, 5);
	assert_string_equal(v, "hidden");
	free(v);
	errno = 0;
	assert_null(light_domain_name(c, 77));
	assert_int_equal(errno, ENOENT);

	/* Upstream's layout: /local/domain/D/vm -> /vm/U/start_time. */
	put("/local/domain/5/vm", "/vm/u5");
	put("/vm/u5/start_time", "1000.25");
	assert_int_equal(light_domain_uptime(c, 5, 1100, &up), 0);
	assert_int_equal(up, 100);
	/* A clock behind the start time gives 0, not a huge number. */
	assert_int_equal(light_domain_uptime(c, 5, 900, &up), 0);
	assert_int_equal(up, 0);
	put("/vm/u5/start_time", "soon");
	errno = 0;
	assert_int_equal(light_domain_uptime(c, 5, 1100, &up), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(light_domain_uptime(c, 6, 1100, &up), -1);
	assert_int_equal(errno, ENOENT);
	light_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_dom0_once),
		cmocka_unit_test(index_encodes_odd_names),
		cmocka_unit_test(claim_refuses_live_name),
		cmocka_unit_test(unindexed_domain_found_by_scan),
		cmocka_unit_test(stale_entry_falls_back_to_scan),
		cmocka_unit_test(no_index_scans_like_upstream),
		cmocka_unit_test(names_and_uptime),
	};

	return cmocka_run_group_tests(tests, start_daemon, stop_daemon);
}
