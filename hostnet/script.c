/*
 * User hotplug scripts (script=/path/to/own-script).
 *
 * libxl runs a vif's script as "SCRIPT online|offline type_if=vif" with
 * script=, XENBUS_TYPE=, XENBUS_PATH=, XENBUS_BASE_PATH=, netdev= and vif=
 * in its environment, and waits for it (a disk's block script as
 * "SCRIPT add|remove", through hn_run_hotplug).  We do the same, bounded: a script
 * that hangs is killed (its whole process group) when the time is up.  The
 * script's stderr is collected so that a failure can say why in one line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "hn_internal.h"

#define SCRIPT_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_ENV		32

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* In the child: own process group (so a timeout kills all of it), stdin
 * from /dev/null, stdout to /dev/null, stderr to the pipe. */
static void
child(const char *const argv[], char *const env[], int errfd)
{
	const char *script = argv[0];
	char *envp[MAX_ENV + 2];
	int n = 0, j, null;

	setpgid(0, 0);
	envp[n++] = SCRIPT_PATH;
	for (j = 0; env != NULL && env[j] != NULL && n <= MAX_ENV; j++)
		envp[n++] = env[j];
	envp[n] = NULL;
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	dup2(errfd, 2);
	execve(script, (char *const *)argv, envp);
	dprintf(2, "cannot run %s: %s\n", script, strerror(errno));
	_exit(127);
}

/* Keep the last non-empty line of what the script wrote to stderr. */
static void
last_line(const char *buf, char *out, size_t len)
{
	const char *end = buf + strlen(buf), *start;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (start = end; start > buf && start[-1] != '\n'; start--)
		;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

int
hn_run_script(const char *script, const char *action, char *const env[],
    int timeout_ms, char *err, size_t errlen)
{
	const char *argv[] = { script, action, "type_if=vif", NULL };

	return hn_run_hotplug(argv, env, timeout_ms, err, errlen);
}

int
hn_run_hotplug(const char *const argv[], char *const env[],
    int timeout_ms, char *err, size_t errlen)
{
	const char *script = argv[0], *action = argv[1] ? argv[1] : "";
	char buf[4096], line[200];
	size_t used = 0;
	int pfd[2] = { -1, -1 }, status, rc = -1, e;
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	bool open_pipe = true, timed_out = false, exited = false;
	pid_t pid, w;

	buf[0] = '\0';
	if (script == NULL || script[0] != '/' || access(script, X_OK) < 0) {
		e = script && script[0] == '/' ? errno : EINVAL;
		snprintf(err, errlen, "hotplug script %s: %s", script ? script : "",
		    script && script[0] == '/' ? strerror(e) :
		    "not an absolute path");
		errno = e;
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		e = errno;
		snprintf(err, errlen, "pipe: %s", strerror(e));
		errno = e;
		return -1;
	}
	if ((pid = fork()) < 0) {
		e = errno;
		snprintf(err, errlen, "fork: %s", strerror(e));
		goto out;
	}
	if (pid == 0) {
		close(pfd[0]);
		/* The pipe's write end must survive the exec as stderr. */
		child(argv, env, pfd[1]);
	}
	close(pfd[1]);
	pfd[1] = -1;

	/*
	 * Collect stderr while the script runs.  It is done when it has
	 * exited, not at EOF: a daemon it started may hold stderr open.
	 */
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		ssize_t n;

		if (!exited) {
			w = waitpid(pid, &status, WNOHANG);
			if (w < 0 && errno != EINTR) {
				e = errno;
				snprintf(err, errlen, "waitpid: %s", strerror(e));
				goto out;
			}
			if (w == pid)
				exited = true;
		}
		if (!exited && now_ms() >= deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (!open_pipe) {
			if (exited)
				break;
			nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
			continue;
		}
		if (poll(&p, 1, exited ? 0 : 20) <= 0) {
			if (exited)
				break;	/* nothing more to read right now */
			continue;
		}
		if (used == sizeof(buf) - 1) {
			/* Keep the tail: the last line is what we report. */
			memmove(buf, buf + sizeof(buf) / 2, used - sizeof(buf) / 2);
			used -= sizeof(buf) / 2;
		}
		n = read(pfd[0], buf + used, sizeof(buf) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			open_pipe = false;
		else
			used += n;
		buf[used] = '\0';
	}
	last_line(buf, line, sizeof(line));
	if (timed_out) {
		e = ETIMEDOUT;
		snprintf(err, errlen, "hotplug script %s %s: killed after %d ms",
		    script, action, timeout_ms);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		e = EIO;
		if (WIFEXITED(status))
			snprintf(err, errlen, "hotplug script %s %s failed "
			    "(exit %d)%s%s", script, action, WEXITSTATUS(status),
			    line[0] ? ": " : "", line);
		else
			snprintf(err, errlen, "hotplug script %s %s killed by "
			    "signal %d", script, action, WTERMSIG(status));
		goto out;
	}
	rc = 0;
	e = 0;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (rc < 0)
		errno = e;
	return rc;
}
