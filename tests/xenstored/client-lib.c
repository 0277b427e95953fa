/*
 * client-lib.c - unit tests of liblightstack-xs against our xenstored,
 * started on a temporary socket for the whole group.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xsclient.h"
#include "client-daemon.h"

static struct test_daemon daemon_;

static int group_setup(void **state)
{
    if (test_daemon_start(&daemon_) < 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    test_daemon_stop(&daemon_);
    return 0;
}

static int open_setup(void **state)
{
    struct xsc_handle *x = xsc_open(daemon_.sock, 0);

    if (x == NULL)
        return -1;
    *state = x;
    return 0;
}

static int open_teardown(void **state)
{
    xsc_close(*state);
    return 0;
}

/* ---- no daemon needed ---------------------------------------------------- */

static void test_perm_parse_format(void **state)
{
    struct xsc_perm p;
    char buf[16];

    assert_int_equal(xsc_perm_parse("r5", &p), 0);
    assert_int_equal(p.perm, 'r');
    assert_int_equal(p.domid, 5);
    assert_int_equal(xsc_perm_parse("b4294967295", &p), 0);
    assert_int_equal(p.domid, 4294967295u);
    assert_int_equal(xsc_perm_format(&p, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "b4294967295");

    assert_int_equal(xsc_perm_parse("x5", &p), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(xsc_perm_parse("r", &p), -1);
    assert_int_equal(xsc_perm_parse("r5x", &p), -1);
    assert_int_equal(xsc_perm_parse("r-1", &p), -1);
    assert_int_equal(xsc_perm_parse("n4294967296", &p), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(xsc_perm_parse("r+5", &p), -1);
    assert_int_equal(xsc_perm_parse("r 5", &p), -1);
    assert_int_equal(xsc_perm_parse("r0x5", &p), -1);
    assert_int_equal(xsc_perm_parse("", &p), -1);

    p.perm = 'q';
    assert_int_equal(xsc_perm_format(&p, buf, sizeof(buf)), -1);
    p.perm = 'n';
    p.domid = 12345;
    assert_int_equal(xsc_perm_format(&p, buf, 4), -1);  /* too small */
}

static void test_open_missing(void **state)
{
    struct xsc_handle *x = xsc_open("/nonexistent/xsc/socket", 0);

    assert_null(x);
    assert_int_equal(errno, ENOENT);
}

static void test_open_env(void **state)
{
    struct xsc_handle *x;
    char *v;

    setenv("XENSTORED_PATH", daemon_.sock, 1);
    x = xsc_open(NULL, 0);
    unsetenv("XENSTORED_PATH");
    assert_non_null(x);
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/env", "e"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/env", NULL);
    assert_string_equal(v, "e");
    free(v);
    xsc_close(x);
}

/* ---- nodes ------------------------------------------------------------------ */

static void test_read_write(void **state)
{
    struct xsc_handle *x = *state;
    static const char bin[] = { 'a', 0, 'b', (char)0xff };
    size_t len = 99;
    char *v;

    assert_int_equal(xsc_write(x, XSC_NO_TX, "/ct/rw/bin", bin, 4), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/rw/bin", &len);
    assert_non_null(v);
    assert_int_equal(len, 4);
    assert_memory_equal(v, bin, 4);
    assert_int_equal(v[4], '\0');       /* NUL added after the data */
    free(v);

    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/rw/s", "hello"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/rw/s", NULL);
    assert_string_equal(v, "hello");
    free(v);

    /* Empty value, and the implicitly created parent is empty too. */
    assert_int_equal(xsc_write(x, XSC_NO_TX, "/ct/rw/empty", "", 0), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/rw", &len);
    assert_non_null(v);
    assert_int_equal(len, 0);
    free(v);
}

static void test_read_missing(void **state)
{
    struct xsc_handle *x = *state;
    char *v;

    v = xsc_read(x, XSC_NO_TX, "/ct/nope", NULL);
    assert_null(v);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(xsc_errmsg(x),
                        "XS_READ /ct/nope: No such file or directory");
    /* The connection is still usable after a daemon error. */
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/after", "1"), 0);
}

static void test_write_too_big(void **state)
{
    struct xsc_handle *x = *state;
    char *big = calloc(1, 5000);

    assert_non_null(big);
    assert_int_equal(xsc_write(x, XSC_NO_TX, "/ct/big", big, 5000), -1);
    assert_int_equal(errno, E2BIG);
    free(big);
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/big", "ok"), 0);
}

static void test_mkdir_directory_rm(void **state)
{
    struct xsc_handle *x = *state;
    char **names;
    unsigned num, i, seen = 0;

    assert_int_equal(xsc_mkdir(x, XSC_NO_TX, "/ct/d"), 0);
    assert_int_equal(xsc_mkdir(x, XSC_NO_TX, "/ct/d"), 0);  /* exists: ok */
    names = xsc_directory(x, XSC_NO_TX, "/ct/d", &num);
    assert_non_null(names);
    assert_int_equal(num, 0);
    free(names);

    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/d/x", "1"), 0);
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/d/y", "2"), 0);
    assert_int_equal(xsc_mkdir(x, XSC_NO_TX, "/ct/d/z"), 0);
    names = xsc_directory(x, XSC_NO_TX, "/ct/d", &num);
    assert_non_null(names);
    assert_int_equal(num, 3);
    for (i = 0; i < num; i++) {
        if (strcmp(names[i], "x") == 0)
            seen |= 1;
        else if (strcmp(names[i], "y") == 0)
            seen |= 2;
        else if (strcmp(names[i], "z") == 0)
            seen |= 4;
    }
    assert_int_equal(seen, 7);
    free(names);

    assert_int_equal(xsc_rm(x, XSC_NO_TX, "/ct/d"), 0);
    assert_null(xsc_read(x, XSC_NO_TX, "/ct/d/x", NULL));
    assert_int_equal(errno, ENOENT);
    assert_null(xsc_directory(x, XSC_NO_TX, "/ct/d", &num));
    assert_int_equal(errno, ENOENT);
}

/* More children than one 4096-byte reply holds: the library must fall back
 * to XS_DIRECTORY_PART and still return every name exactly once. */
static void test_large_directory(void **state)
{
    struct xsc_handle *x = *state;
    enum { N = 400 };
    char path[128], **names;
    unsigned num, i, idx;
    char *seen = calloc(N, 1);
    xsc_tx t;

    assert_non_null(seen);
    /* One transaction keeps this quick. */
    assert_int_equal(xsc_transaction_start(x, &t), 0);
    for (i = 0; i < N; i++) {
        snprintf(path, sizeof(path),
                 "/ct/large/child-%03u-with-a-rather-long-name", i);
        assert_int_equal(xsc_write_str(x, t, path, "v"), 0);
    }
    assert_int_equal(xsc_transaction_end(x, t, true), 0);

    names = xsc_directory(x, XSC_NO_TX, "/ct/large", &num);
    assert_non_null(names);
    assert_int_equal(num, N);
    for (i = 0; i < num; i++) {
        assert_int_equal(sscanf(names[i], "child-%03u-", &idx), 1);
        assert_true(idx < N);
        assert_int_equal(seen[idx], 0);
        seen[idx] = 1;
    }
    free(names);
    free(seen);
    assert_int_equal(xsc_rm(x, XSC_NO_TX, "/ct/large"), 0);
}

static void test_perms(void **state)
{
    struct xsc_handle *x = *state;
    const struct xsc_perm want[] = { { 0, 'n' }, { 5, 'r' }, { 7, 'b' } };
    struct xsc_perm *got;
    unsigned num, i;

    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/perm", "p"), 0);
    got = xsc_get_perms(x, XSC_NO_TX, "/ct/perm", &num);
    assert_non_null(got);
    assert_int_equal(num, 1);
    assert_int_equal(got[0].domid, 0);
    free(got);

    assert_int_equal(xsc_set_perms(x, XSC_NO_TX, "/ct/perm", want, 3), 0);
    got = xsc_get_perms(x, XSC_NO_TX, "/ct/perm", &num);
    assert_non_null(got);
    assert_int_equal(num, 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(got[i].domid, want[i].domid);
        assert_int_equal(got[i].perm, want[i].perm);
    }
    free(got);

    assert_null(xsc_get_perms(x, XSC_NO_TX, "/ct/nope", &num));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(xsc_set_perms(x, XSC_NO_TX, "/ct/nope", want, 1), -1);
    assert_int_equal(errno, ENOENT);
}

/* ---- transactions ------------------------------------------------------------ */

static void test_transactions(void **state)
{
    struct xsc_handle *x = *state, *y;
    xsc_tx t;
    char *v;

    y = xsc_open(daemon_.sock, 0);
    assert_non_null(y);

    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/tx/a", "0"), 0);
    assert_int_equal(xsc_transaction_start(x, &t), 0);
    assert_int_not_equal(t, XSC_NO_TX);
    assert_int_equal(xsc_write_str(x, t, "/ct/tx/a", "1"), 0);
    v = xsc_read(x, t, "/ct/tx/a", NULL);     /* sees its own write */
    assert_string_equal(v, "1");
    free(v);
    v = xsc_read(y, XSC_NO_TX, "/ct/tx/a", NULL);   /* others don't yet */
    assert_string_equal(v, "0");
    free(v);
    assert_int_equal(xsc_transaction_end(x, t, true), 0);
    v = xsc_read(y, XSC_NO_TX, "/ct/tx/a", NULL);
    assert_string_equal(v, "1");
    free(v);

    /* Abort. */
    assert_int_equal(xsc_transaction_start(x, &t), 0);
    assert_int_equal(xsc_rm(x, t, "/ct/tx/a"), 0);
    assert_int_equal(xsc_transaction_end(x, t, false), 0);
    v = xsc_read(y, XSC_NO_TX, "/ct/tx/a", NULL);
    assert_string_equal(v, "1");
    free(v);

    /* Conflict. */
    assert_int_equal(xsc_transaction_start(x, &t), 0);
    v = xsc_read(x, t, "/ct/tx/a", NULL);
    free(v);
    assert_int_equal(xsc_write_str(y, XSC_NO_TX, "/ct/tx/a", "2"), 0);
    assert_int_equal(xsc_write_str(x, t, "/ct/tx/a", "3"), 0);
    assert_int_equal(xsc_transaction_end(x, t, true), -1);
    assert_int_equal(errno, EAGAIN);
    v = xsc_read(y, XSC_NO_TX, "/ct/tx/a", NULL);
    assert_string_equal(v, "2");
    free(v);

    /* An ended transaction id is no longer valid. */
    assert_null(xsc_read(x, t, "/ct/tx/a", NULL));

    xsc_close(y);
}

/* ---- watches ------------------------------------------------------------------ */

static void expect_event(struct xsc_handle *x, const char *path,
                         const char *token, bool block)
{
    char *p = NULL, *t = NULL;

    assert_int_equal(xsc_read_watch(x, &p, &t, block), 0);
    assert_string_equal(p, path);
    assert_string_equal(t, token);
    free(p);
    free(t);
}

static void expect_no_event(struct xsc_handle *x)
{
    char *p = NULL, *t = NULL;

    assert_int_equal(xsc_read_watch(x, &p, &t, false), -1);
    assert_int_equal(errno, EAGAIN);
}

static void test_watch(void **state)
{
    struct xsc_handle *x = *state, *y;
    struct pollfd pfd;
    char *v;

    y = xsc_open(daemon_.sock, 0);
    assert_non_null(y);

    assert_int_equal(xsc_watch(x, "/ct/w", "tok"), 0);
    expect_event(x, "/ct/w", "tok", true);      /* fires on registration */

    /* A change by another client: the fd becomes readable. */
    assert_int_equal(xsc_write_str(y, XSC_NO_TX, "/ct/w/a", "1"), 0);
    pfd.fd = xsc_fileno(x);
    pfd.events = POLLIN;
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    expect_event(x, "/ct/w/a", "tok", false);
    expect_no_event(x);

    /* Events arriving while we wait for a reply are queued: after the
     * next round trip the event is inside the handle and the fd is quiet,
     * which is why xsc_watch_pending() exists. */
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/w/b", "2"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/w/b", NULL);
    free(v);
    assert_true(xsc_watch_pending(x));
    pfd.revents = 0;
    assert_int_equal(poll(&pfd, 1, 0), 0);
    expect_event(x, "/ct/w/b", "tok", false);
    assert_false(xsc_watch_pending(x));

    /* Outside the subtree: nothing. */
    assert_int_equal(xsc_write_str(y, XSC_NO_TX, "/ct/other", "1"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/other", NULL);
    free(v);
    expect_no_event(x);

    /* Unwatch drops queued events of that watch and stops new ones. */
    assert_int_equal(xsc_write_str(y, XSC_NO_TX, "/ct/w/c", "3"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/w/c", NULL);    /* event now queued */
    free(v);
    assert_true(xsc_watch_pending(x));
    assert_int_equal(xsc_unwatch(x, "/ct/w", "tok"), 0);
    assert_false(xsc_watch_pending(x));
    assert_int_equal(xsc_write_str(y, XSC_NO_TX, "/ct/w/d", "4"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/w/d", NULL);
    free(v);
    expect_no_event(x);

    /* Unwatching something not watched is an error from the daemon. */
    assert_int_equal(xsc_unwatch(x, "/ct/w", "tok"), -1);
    assert_int_equal(errno, ENOENT);

    xsc_close(y);
}

static void test_reset_watches(void **state)
{
    struct xsc_handle *x = *state;
    char *v;

    assert_int_equal(xsc_watch(x, "/ct/rw2", "t"), 0);
    expect_event(x, "/ct/rw2", "t", true);
    assert_int_equal(xsc_reset_watches(x), 0);
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/ct/rw2/x", "1"), 0);
    v = xsc_read(x, XSC_NO_TX, "/ct/rw2/x", NULL);
    free(v);
    expect_no_event(x);
}

/* ---- domains ------------------------------------------------------------------ */

static void test_domain_path(void **state)
{
    struct xsc_handle *x = *state;
    char *p;

    p = xsc_get_domain_path(x, 5);
    assert_non_null(p);
    assert_string_equal(p, "/local/domain/5");
    free(p);
    p = xsc_get_domain_path(x, 0);
    assert_non_null(p);
    assert_string_equal(p, "/local/domain/0");
    free(p);
}

static void test_domain_introduced(void **state)
{
    struct xsc_handle *x = *state;

    /* Nobody introduced domain 4242 (there is no Xen here). */
    assert_int_equal(xsc_is_domain_introduced(x, 4242), 0);
    /* Releasing it is refused. */
    assert_int_equal(xsc_release_domain(x, 4242), -1);
}

static void test_control(void **state)
{
    struct xsc_handle *x = *state;
    const char *help[] = { "help" }, *bogus[] = { "no-such-command" };
    size_t len = 0;
    char *r;

    /* "help" lists the commands, as upstream's xenstore-control shows. */
    r = xsc_control(x, help, 1, &len);
    assert_non_null(r);
    assert_int_equal(len > 0, 1);
    assert_non_null(strstr(r, "quota"));
    assert_non_null(strstr(r, "log"));
    free(r);
    assert_null(xsc_control(x, bogus, 1, NULL));
    assert_string_not_equal(xsc_errmsg(x), "");
}

int main(void)
{
    /* One group (one TAP plan); the first two need no daemon. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perm_parse_format),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_open_env),
        cmocka_unit_test_setup_teardown(test_read_write, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_read_missing, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_write_too_big, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_mkdir_directory_rm, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_large_directory, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_perms, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_transactions, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_watch, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_reset_watches, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_domain_path, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_domain_introduced, open_setup, open_teardown),
        cmocka_unit_test_setup_teardown(test_control, open_setup, open_teardown),
    };
    return cmocka_run_group_tests_name("xsclient", tests, group_setup,
                                       group_teardown);
}
