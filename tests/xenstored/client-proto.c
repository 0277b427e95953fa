/*
 * client-proto.c - liblightstack-xs against a scripted fake server, for
 * what a correct daemon never does: oversized or mistyped replies, unknown
 * error strings, a connection closed mid-request, malformed watch events,
 * replies trickling in byte by byte, and a directory that changes while
 * it is read with XS_DIRECTORY_PART.
 *
 * Each test forks a server that accepts one connection on a temporary
 * socket and plays a script; the server's exit status says whether the
 * client sent what the script expected.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/io/xs_wire.h>

#include "xsclient.h"

struct fake {
    char dir[64];
    char sock[96];
    pid_t pid;
};

/* ---- server side (runs in the child) ------------------------------------ */

static int read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    ssize_t n;

    while (len > 0) {
        n = read(fd, p, len);
        if (n <= 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/* Read one request; its payload (NUL added) goes to buf.  Exits the
 * server with status 2 if the client sent something else than `type`. */
static void expect_req(int fd, uint32_t type, char *buf, size_t size)
{
    struct xsd_sockmsg h;

    if (read_full(fd, &h, sizeof(h)) < 0 || h.len >= size ||
        read_full(fd, buf, h.len) < 0)
        _exit(3);
    buf[h.len] = '\0';
    if (h.type != type)
        _exit(2);
}

static void send_msg(int fd, uint32_t type, const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .len = len };

    if (write(fd, &h, sizeof(h)) != sizeof(h) ||
        (len && write(fd, payload, len) != (ssize_t)len))
        _exit(4);
}

typedef void (*script_fn)(int fd);

static void fake_start(struct fake *f, script_fn script)
{
    struct sockaddr_un sa;
    int lfd, fd;

    snprintf(f->dir, sizeof(f->dir), "/tmp/xsc-proto.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->sock, sizeof(f->sock), "%s/socket", f->dir);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
    /* Listen before forking, so the client can connect at once. */
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        alarm(10);      /* never hang the test run */
        fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            _exit(5);
        /* One client only: a reconnection must find nobody listening
         * rather than land in this listener's backlog and be reset. */
        close(lfd);
        script(fd);
        /* Wait for the client to hang up, so replies are not lost. */
        while (read(fd, f->dir, 1) > 0)
            ;
        _exit(0);
    }
    close(lfd);
}

/* Returns the server's exit status (0: the client behaved as scripted). */
static int fake_finish(struct fake *f)
{
    int status = -1;

    waitpid(f->pid, &status, 0);
    unlink(f->sock);
    rmdir(f->dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

/* ---- scripts and tests ---------------------------------------------------- */

static void script_bad_length(int fd)
{
    char buf[4200];
    struct xsd_sockmsg h = { .type = XS_READ, .len = 100000 };

    expect_req(fd, XS_READ, buf, sizeof(buf));
    if (write(fd, &h, sizeof(h)) != sizeof(h))
        _exit(4);
}

static void test_bad_length(void **state)
{
    struct fake f;
    struct xsc_handle *x;

    fake_start(&f, script_bad_length);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    assert_null(xsc_read(x, XSC_NO_TX, "/a", NULL));
    assert_int_equal(errno, EPROTO);
    /* Framing is lost: the handle refuses further requests. */
    assert_null(xsc_read(x, XSC_NO_TX, "/a", NULL));
    assert_int_equal(errno, EPIPE);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

static void script_errors(int fd)
{
    char buf[4200];

    expect_req(fd, XS_READ, buf, sizeof(buf));
    send_msg(fd, XS_ERROR, "EWEIRD", 7);
    expect_req(fd, XS_READ, buf, sizeof(buf));
    send_msg(fd, XS_ERROR, "EACCES", 7);
    expect_req(fd, XS_READ, buf, sizeof(buf));
    send_msg(fd, XS_READ, "ok", 2);
}

static void test_error_strings(void **state)
{
    struct fake f;
    struct xsc_handle *x;
    size_t len;
    char *v;

    fake_start(&f, script_errors);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    assert_null(xsc_read(x, XSC_NO_TX, "/a", NULL));
    assert_int_equal(errno, EINVAL);        /* unknown string */
    assert_null(xsc_read(x, XSC_NO_TX, "/a", NULL));
    assert_int_equal(errno, EACCES);
    assert_string_equal(xsc_errmsg(x), "XS_READ /a: Permission denied");
    v = xsc_read(x, XSC_NO_TX, "/a", &len);  /* errors leave it usable */
    assert_non_null(v);
    assert_int_equal(len, 2);
    assert_string_equal(v, "ok");
    free(v);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

static void script_wrong_type(int fd)
{
    char buf[4200];

    expect_req(fd, XS_READ, buf, sizeof(buf));
    send_msg(fd, XS_WRITE, "OK", 3);
}

static void test_wrong_type(void **state)
{
    struct fake f;
    struct xsc_handle *x;

    fake_start(&f, script_wrong_type);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    assert_null(xsc_read(x, XSC_NO_TX, "/a", NULL));
    assert_int_equal(errno, EPROTO);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

static void script_close(int fd)
{
    char buf[4200];

    expect_req(fd, XS_WRITE, buf, sizeof(buf));
    close(fd);
    _exit(0);
}

static void test_server_closes(void **state)
{
    struct fake f;
    struct xsc_handle *x;

    /* The daemon does not come back: one reconnection attempt, not the
     * default minute of them. */
    setenv("XSC_RECONNECT_TIMEOUT", "0", 1);
    fake_start(&f, script_close);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/a", "v"), -1);
    assert_int_equal(errno, ECONNRESET);
    /* Writing to the dead connection must not kill us with SIGPIPE. */
    assert_int_equal(xsc_write_str(x, XSC_NO_TX, "/a", "v"), -1);
    xsc_close(x);
    unsetenv("XSC_RECONNECT_TIMEOUT");
    assert_int_equal(fake_finish(&f), 0);
}

/* Events before the reply, one malformed, the reply split in single bytes. */
static void script_events(int fd)
{
    static const char ev[] = "/w/p\0tok";
    struct xsd_sockmsg h = { .type = XS_READ, .len = 1 };
    struct timespec ts = { 0, 2 * 1000 * 1000 };
    char buf[4200];
    const char *p = (const char *)&h;
    size_t i;

    expect_req(fd, XS_READ, buf, sizeof(buf));
    if (strcmp(buf, "/r") != 0)
        _exit(6);
    send_msg(fd, XS_WATCH_EVENT, ev, sizeof(ev));       /* "/w/p\0tok\0" */
    send_msg(fd, XS_WATCH_EVENT, "no-token", 9);       /* dropped */
    for (i = 0; i < sizeof(h); i++) {
        if (write(fd, p + i, 1) != 1)
            _exit(4);
        nanosleep(&ts, NULL);
    }
    if (write(fd, "v", 1) != 1)
        _exit(4);
}

static void test_events_and_split_reply(void **state)
{
    struct fake f;
    struct xsc_handle *x;
    char *v, *path, *token;

    fake_start(&f, script_events);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    v = xsc_read(x, XSC_NO_TX, "/r", NULL);
    assert_non_null(v);
    assert_string_equal(v, "v");
    free(v);
    assert_true(xsc_watch_pending(x));
    assert_int_equal(xsc_read_watch(x, &path, &token, false), 0);
    assert_string_equal(path, "/w/p");
    assert_string_equal(token, "tok");
    free(path);
    free(token);
    assert_false(xsc_watch_pending(x));
    assert_int_equal(xsc_read_watch(x, &path, &token, false), -1);
    assert_int_equal(errno, EAGAIN);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

/*
 * XS_DIRECTORY says E2BIG; the first XS_DIRECTORY_PART slice has
 * generation 1, the second generation 2 (the directory changed), so the
 * client must start over at offset 0 and end with generation 2's list.
 */
static void part(int fd, const char *want_off, const char *reply, size_t len)
{
    char buf[4200];
    size_t plen;

    expect_req(fd, XS_DIRECTORY_PART, buf, sizeof(buf));
    plen = strlen(buf);
    if (strcmp(buf, "/d") != 0 || strcmp(buf + plen + 1, want_off) != 0)
        _exit(7);
    send_msg(fd, XS_DIRECTORY_PART, reply, len);
}

static void script_dirpart(int fd)
{
    char buf[4200];

    expect_req(fd, XS_DIRECTORY, buf, sizeof(buf));
    send_msg(fd, XS_ERROR, "E2BIG", 6);
    part(fd, "0", "1\0a\0b\0", 6);
    part(fd, "4", "2\0c\0\0", 5);        /* changed: restart */
    part(fd, "0", "2\0a\0b\0", 6);
    part(fd, "4", "2\0c\0\0", 5);        /* empty name: the end */
}

static void test_directory_part_restart(void **state)
{
    struct fake f;
    struct xsc_handle *x;
    char **names;
    unsigned num = 0;

    fake_start(&f, script_dirpart);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    names = xsc_directory(x, XSC_NO_TX, "/d", &num);
    assert_non_null(names);
    assert_int_equal(num, 3);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    assert_string_equal(names[2], "c");
    free(names);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

/* A daemon without XS_DIRECTORY_PART (ENOSYS): the caller sees E2BIG, as
 * with upstream's library. */
static void script_nopart(int fd)
{
    char buf[4200];

    expect_req(fd, XS_DIRECTORY, buf, sizeof(buf));
    send_msg(fd, XS_ERROR, "E2BIG", 6);
    expect_req(fd, XS_DIRECTORY_PART, buf, sizeof(buf));
    send_msg(fd, XS_ERROR, "ENOSYS", 7);
}

static void test_directory_part_unsupported(void **state)
{
    struct fake f;
    struct xsc_handle *x;
    unsigned num;

    fake_start(&f, script_nopart);
    x = xsc_open(f.sock, 0);
    assert_non_null(x);
    assert_null(xsc_directory(x, XSC_NO_TX, "/d", &num));
    assert_int_equal(errno, E2BIG);
    xsc_close(x);
    assert_int_equal(fake_finish(&f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_error_strings),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_server_closes),
        cmocka_unit_test(test_events_and_split_reply),
        cmocka_unit_test(test_directory_part_restart),
        cmocka_unit_test(test_directory_part_unsupported),
    };

    /* SIGPIPE is left at its default on purpose: the library must not
     * raise it when the server has gone (test_server_closes). */
    return cmocka_run_group_tests_name("xsclient-proto", tests, NULL, NULL);
}
