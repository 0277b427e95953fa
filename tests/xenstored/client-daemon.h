/*
 * client-daemon.h - start our xenstored on a temporary socket for the
 * client tests (header-only, so each test stays a single source file).
 *
 * The daemon binary is $XSC_TEST_XENSTORED if set, else
 * $top_builddir/xenstored/xenstored (top_builddir is exported by the test
 * harness), else ../../xenstored/xenstored relative to the test's cwd.
 */
#ifndef CLIENT_DAEMON_H
#define CLIENT_DAEMON_H

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct test_daemon {
    pid_t pid;
    char dir[64];
    char sock[96];
};

static bool can_connect(const char *path)
{
    struct sockaddr_un sa;
    int fd, r;

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    close(fd);
    return r == 0;
}

static int test_daemon_start(struct test_daemon *d)
{
    char bin[4096];
    const char *env, *top;
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    struct stat st;
    int i;

    env = getenv("XSC_TEST_XENSTORED");
    top = getenv("top_builddir");
    if (env)
        snprintf(bin, sizeof(bin), "%s", env);
    else
        snprintf(bin, sizeof(bin), "%s/xenstored/xenstored",
                 top ? top : "../..");
    if (access(bin, X_OK) < 0) {
        fprintf(stderr, "# no daemon: %s: %s\n", bin, strerror(errno));
        return -1;
    }

    snprintf(d->dir, sizeof(d->dir), "/tmp/xsc-test.XXXXXX");
    if (mkdtemp(d->dir) == NULL)
        return -1;
    snprintf(d->sock, sizeof(d->sock), "%s/socket", d->dir);

    d->pid = fork();
    if (d->pid < 0)
        return -1;
    if (d->pid == 0) {
        execl(bin, bin, "-N", "-D", "--socket", d->sock, (char *)NULL);
        _exit(127);
    }
    /* The socket file appears at bind(), before listen(): wait until a
     * connection actually succeeds. */
    for (i = 0; i < 250; i++) {     /* up to 5 s */
        if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
            can_connect(d->sock))
            return 0;
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            fprintf(stderr, "# daemon %s exited at start-up\n", bin);
            d->pid = 0;
            return -1;
        }
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "# daemon did not create %s\n", d->sock);
    return -1;
}

static void test_daemon_stop(struct test_daemon *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
        d->pid = 0;
    }
    unlink(d->sock);
    rmdir(d->dir);
}

#endif
