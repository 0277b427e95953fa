/*
 * monitor_daemon.c - finding and starting the one monitor daemon,
 * lightmond(8), that applies every domain's on_* actions (monitor.c).
 *
 * "Only one ever runs" is a lock, not a pid: the daemon holds an exclusive
 * flock(2) on its pidfile for as long as it lives, and the kernel drops it
 * when the daemon dies, however it dies.  So a pidfile left by a crashed
 * daemon is never mistaken for a live one, and when eight `xl create`s
 * race to start it, each may spawn one, but only the first to take the
 * lock stays; the others see it held and exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "light_lifecycle.h"

#define RUN_DIR_DEFAULT "/run/lightstack"

int light_monitor_pidfile(char *buf, size_t len)
{
	const char *d = getenv("LIGHTSTACK_RUN_DIR");
	int n;

	if (!d || !*d)
		d = RUN_DIR_DEFAULT;
	n = snprintf(buf, len, "%s/lightmond.pid", d);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int light_monitor_lock(void)
{
	char path[4096], *slash;
	int fd, saved;

	if (light_monitor_pidfile(path, sizeof(path)) < 0)
		return -1;
	/* The run directory (one level; /run itself exists). */
	slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = '\0';
		(void)mkdir(path, 0755);
		*slash = '/';
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		saved = errno == EWOULDBLOCK ? EBUSY : errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int light_monitor_daemon_running(void)
{
	int fd = light_monitor_lock();

	if (fd >= 0) {
		close(fd);      /* free: nobody holds it */
		return 0;
	}
	return errno == EBUSY ? 1 : -1;
}

/* The daemon to run: $LIGHTSTACK_LIGHTMOND (a build tree's), else the
 * installed one. */
static const char *daemon_path(void)
{
	const char *p = getenv("LIGHTSTACK_LIGHTMOND");

	return p && *p ? p : LIGHT_LIGHTMOND_PATH;
}

int light_monitor_daemon_start(struct light_ctx *c)
{
	const char *path = daemon_path();
	pid_t pid;
	int status, fd;

	if (light_monitor_daemon_running() == 1)
		return 0;
	if (access(path, X_OK) < 0)
		return light_error(c, errno, "cannot run the monitor daemon %s", path);
	pid = fork();
	if (pid < 0)
		return light_error(c, errno, "cannot fork the monitor daemon");
	if (pid == 0) {
		/* Its own log; our terminal is not its business. */
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	/* lightmond returns once it holds the lock and watches, or at once
	 * when another one already does: either way one is running then. */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return light_error(c, errno, "waiting for the monitor daemon");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return lc_fail(c, EIO, "the monitor daemon %s did not start (status %d); "
		               "see its log", path, status);
	return 0;
}
