/*
 * devmodel.c - the PV device model: one QEMU in Dom0 per guest that has a
 * backendtype=qdisk disk, serving those disks to the guest's blkfront.
 *
 * xen-blkback serves block devices only; QEMU's xen-block backend reads
 * image files itself (raw, qcow2, vhd, ...).  It is Debian's
 * qemu-system-xen, a separate program: Lightstack starts it, as libxl
 * does for a PV guest, with
 *
 *     QEMU -xen-domid D -xen-attach -name NAME -nographic -M xenpv
 *          -nodefaults -no-user-config
 *          -monitor /dev/null -serial /dev/null -parallel /dev/null
 *
 * and QEMU does the rest through xenstore: it watches
 * /local/domain/0/backend/qdisk/D, takes every device there whose
 * `online` is 1 and whose state is Initialising, opens `params`
 * ("FORMAT:PATH"), and runs the backend half of the handshake.  When it
 * is up it writes "running" to /local/domain/0/device-model/D/state;
 * start waits for that, bounded.
 *
 * Where things are (as upstream's qdisk backend, so that either
 * toolstack can stop the other's):
 *   /local/domain/0/libxl/D/qdisk-backend-pid   its pid (Dom0's own tree:
 *                                               a guest cannot write it)
 *   /local/domain/0/device-model/D/state        QEMU's "running"
 *   /var/log/xen/qemu-dm-qdisk-D.log            its stdout and stderr
 *                                  ($LIGHTSTACK_DM_LOG_DIR instead of
 *                                  /var/log/xen: the unit tests)
 *
 * QEMU is started through a double fork, so it is never a child of the
 * caller (an `xl` that exits, or lightmond that runs for months, has no
 * zombie to reap), and it runs in its own session.
 *
 * Stop: SIGTERM (QEMU then takes its devices' nodes down itself), a
 * bounded wait, SIGKILL.  The pid is only signalled when
 * /proc/PID/cmdline still says "-xen-domid D": a pid left over from a
 * QEMU that died long ago may belong to anything by now.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "light_lifecycle.h"
#include "light_device.h"

#define DM_DEFAULT_QEMU    "/usr/libexec/xen-qemu-system-i386"
#define DM_LOG_DIR         "/var/log/xen"
#define DM_WATCH_TOKEN     "lightstack-dm"
/* QEMU's start under TCG takes seconds; libxl allows 60 s
 * (LIBXL_DEVICE_MODEL_START_TIMEOUT). */
#define DM_START_TIMEOUT_MS 60000
#define DM_STOP_TIMEOUT_MS  10000

const char *light_qdisk_qemu(void)
{
	const char *p = getenv("LIGHTSTACK_QEMU_XEN");

	return p && *p ? p : DM_DEFAULT_QEMU;
}

int light_qdisk_params(const char *format, const char *target, char *buf,
                       size_t len)
{
	/* libxl__device_disk_string_of_format: raw is QEMU's "aio". */
	static const char *const formats[][2] = {
		{ "raw", "aio" }, { "qcow", "qcow" }, { "qcow2", "qcow2" },
		{ "vhd", "vhd" }, { "qed", "qed" },
	};
	const char *f = NULL;
	size_t i;
	int n;

	if (!format)
		format = "raw";
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(format, formats[i][0]) == 0)
			f = formats[i][1];
	if (!f) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, len, "%s:%s", f, target ? target : "");
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

long long light_dm_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The start of /proc/PID/FILE, NUL-terminated in buf; its length, or -1
 * when the process (or the file) is not there. */
static ssize_t read_proc(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

bool light_dm_is_ours(pid_t pid, uint32_t domid)
{
	char buf[4096], want[16];
	ssize_t n, i;

	if ((n = read_proc(pid, "cmdline", buf, sizeof(buf))) <= 0)
		return false;
	snprintf(want, sizeof(want), "%u", domid);
	/* The arguments are NUL-separated: find "-xen-domid" then D. */
	for (i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (strcmp(buf + i, "-xen-domid") == 0) {
			i += (ssize_t)strlen(buf + i) + 1;
			return i < n && strcmp(buf + i, want) == 0;
		}
	return false;
}

/* The recorded pid of domain domid's QEMU, if it is still that QEMU;
 * 0 when there is none. */
static pid_t recorded_qemu(struct light_ctx *c, uint32_t domid)
{
	char *v;
	long long pid;
	pid_t rc = 0;

	v = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/libxl/%u/qdisk-backend-pid",
	                   domid);
	if (v && light_cfg_parse_int(v, 2, INT32_MAX, &pid) == 0 &&
	    light_dm_is_ours((pid_t)pid, domid))
		rc = (pid_t)pid;
	free(v);
	return rc;
}

bool light_devmodel_running(struct light_ctx *c, uint32_t domid)
{
	return recorded_qemu(c, domid) > 0;
}

void light_dm_log_tail(const char *log, char *buf, size_t len)
{
	char line[512];
	FILE *f;

	buf[0] = '\0';
	if (!(f = fopen(log, "re")))
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n') {
			size_t k = strlen(line);
			if (k >= len)
				k = len - 1;
			memcpy(buf, line, k);
			buf[k] = '\0';
		}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Whether /proc/PID/cmdline shows arguments yet; false too for a
 * process that is gone or a zombie (whose cmdline stays empty). */
static bool has_cmdline(pid_t pid)
{
	char c[2];

	return read_proc(pid, "cmdline", c, sizeof(c)) > 0;
}

static bool is_zombie_or_gone(pid_t pid)
{
	char buf[256], *p;

	if (read_proc(pid, "stat", buf, sizeof(buf)) <= 0)
		return true;
	/* "PID (COMM) STATE ...": COMM may hold anything, ')' included. */
	p = strrchr(buf, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/* fork twice: the grandchild execs QEMU, the child exits at once.  The
 * grandchild's pid comes back through `pids`, an exec failure's errno
 * through the close-on-exec `errs` (which reads EOF when exec worked). */
pid_t light_dm_spawn(const char *qemu, char *const argv[], const char *log,
                   int *exec_errno)
{
	int pids[2], errs[2], st, ms;
	pid_t child, grand = -1;
	ssize_t n;

	*exec_errno = 0;
	if (pipe2(pids, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(errs, O_CLOEXEC) < 0) {
		close(pids[0]);
		close(pids[1]);
		return -1;
	}
	child = fork();
	if (child < 0)
		goto out;
	if (child == 0) {
		pid_t g;
		int fd, e;

		setsid();
		g = fork();
		if (g != 0) {
			(void)!write(pids[1], &g, sizeof(g));
			_exit(g < 0 ? 1 : 0);
		}
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		/* Ours are blocked or ignored in some callers; QEMU's own
		 * handling must start from the defaults. */
		{
			sigset_t all;
			sigemptyset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			signal(SIGPIPE, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
		}
		execv(qemu, argv);
		e = errno;
		(void)!write(errs[1], &e, sizeof(e));
		_exit(127);
	}
	close(pids[1]);
	close(errs[1]);
	pids[1] = errs[1] = -1;
	n = read(pids[0], &grand, sizeof(grand));
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(grand) || grand <= 0) {
		grand = -1;
		errno = EAGAIN;
		goto out;
	}
	if (read(errs[0], exec_errno, sizeof(*exec_errno)) == (ssize_t)sizeof(int)) {
		grand = -1;
		errno = *exec_errno;
		goto out;
	}
	/* EOF on errs: the exec is past its point of no return (close-on-
	 * exec has run), but the kernel sets up the new image's arguments,
	 * what /proc/PID/cmdline shows and light_dm_is_ours matches, a
	 * moment later.  Checked in that window (seen under TCG), a
	 * starting QEMU looks dead: the create failed "at start" with an
	 * empty log while that QEMU went on and made its QMP socket.  Wait
	 * for the arguments (bounded: a QEMU that dies meanwhile is found
	 * by the caller). */
	for (ms = 0; ms < 5000 && !has_cmdline(grand) &&
	             !is_zombie_or_gone(grand); ms++)
		usleep(1000);
out:
	close(pids[0]);
	close(errs[0]);
	if (pids[1] >= 0)
		close(pids[1]);
	if (errs[1] >= 0)
		close(errs[1]);
	return grand;
}

/* Where QEMU's output goes: $LIGHTSTACK_DM_LOG_DIR or /var/log/xen. */
static void log_path(uint32_t domid, char *buf, size_t len)
{
	const char *dir = getenv("LIGHTSTACK_DM_LOG_DIR");

	if (!dir || !*dir)
		dir = DM_LOG_DIR;
	(void)mkdir(dir, 0750);
	snprintf(buf, len, "%s/qemu-dm-qdisk-%u.log", dir, domid);
}

int light_dm_start_bound(void)
{
	const char *t = getenv("LIGHTSTACK_DM_TIMEOUT_MS");
	long long v;

	if (t && light_cfg_parse_int(t, 0, 3600000, &v) == 0)
		return (int)v;
	return DM_START_TIMEOUT_MS;
}

/* "Exited" is read from /proc (light_dm_is_ours), not kill(pid, 0): a
 * QEMU nobody has reaped yet is a zombie, which kill() still finds. */
int light_dm_wait_running(struct light_ctx *c, uint32_t domid, pid_t pid,
                        const char *sp, int bound)
{
	long long start = light_dm_mono_ms();
	bool watching = xsc_watch(c->xs, sp, DM_WATCH_TOKEN) == 0;
	char *state;
	int rc;

	for (;;) {
		state = light_xs_readf(c, XSC_NO_TX, "%s", sp);
		rc = state && strcmp(state, "running") == 0;
		free(state);
		if (rc)
			break;
		if (!light_dm_is_ours(pid, domid)) {
			rc = 0;
			break;
		}
		if (light_dm_mono_ms() - start >= bound) {
			rc = -1;
			break;
		}
		light_wait_event(c, 200);
	}
	if (watching)
		(void)xsc_unwatch(c->xs, sp, DM_WATCH_TOKEN);
	return rc;
}

int light_devmodel_start(struct light_ctx *c, uint32_t domid, const char *name)
{
	char d_s[16], log[PATH_MAX], sp[96], pp[96], pv[16], tail[300];
	const char *qemu = light_qdisk_qemu();
	int exec_errno, bound = light_dm_start_bound(), up;
	pid_t pid;
	char *argv[] = { (char *)qemu, "-xen-domid", d_s, "-xen-attach",
		"-name", (char *)(name && *name ? name : "lightstack-guest"),
		"-nographic", "-M", "xenpv", "-nodefaults", "-no-user-config",
		"-monitor", "/dev/null", "-serial", "/dev/null",
		"-parallel", "/dev/null", NULL };

	if (light_need_xs(c) < 0)
		return -1;
	if (light_devmodel_running(c, domid))
		return 0;
	if (access(qemu, X_OK) < 0)
		return lc_fail(c, errno, "backendtype=qdisk needs QEMU's Xen build "
		               "as the disk backend: %s: %s (install qemu-system-xen)",
		               qemu, strerror(errno));
	snprintf(d_s, sizeof(d_s), "%u", domid);
	log_path(domid, log, sizeof(log));
	snprintf(sp, sizeof(sp), "/local/domain/0/device-model/%u/state", domid);
	snprintf(pp, sizeof(pp), "/local/domain/0/libxl/%u/qdisk-backend-pid", domid);
	/* A state left by an earlier QEMU of this domid must not be taken
	 * for the new one's. */
	(void)xsc_rm(c->xs, XSC_NO_TX, sp);

	pid = light_dm_spawn(qemu, argv, log, &exec_errno);
	if (pid < 0)
		return lc_fail(c, errno, "cannot start %s for domain %u: %s", qemu,
		               domid, strerror(errno));
	snprintf(pv, sizeof(pv), "%ld", (long)pid);
	if (xsc_write_str(c->xs, XSC_NO_TX, pp, pv) < 0) {
		light_error_xs(c, "xenstore write qdisk-backend-pid");
		(void)kill(pid, SIGKILL);
		return -1;
	}
	up = light_dm_wait_running(c, domid, pid, sp, bound);
	if (up == 1)
		return 0;

	/* Nothing of it may stay: stop it (if it still runs), its nodes go. */
	light_dm_log_tail(log, tail, sizeof(tail));
	light_devmodel_stop(c, domid);
	if (up == 0)
		return lc_fail(c, EIO, "QEMU (qdisk backend) of domain %u exited "
		               "at start%s%s (log: %s)", domid, tail[0] ? ": " : "",
		               tail, log);
	return lc_fail(c, ETIMEDOUT, "QEMU (qdisk backend) of domain %u did "
	               "not report running within %d ms (log: %s)", domid, bound,
	               log);
}

void light_dm_kill(pid_t pid, uint32_t domid)
{
	long long start;

	if (kill(pid, SIGTERM) < 0)
		return;
	start = light_dm_mono_ms();
	while (light_dm_is_ours(pid, domid) &&
	       light_dm_mono_ms() - start < DM_STOP_TIMEOUT_MS)
		usleep(20 * 1000);
	if (light_dm_is_ours(pid, domid))
		(void)kill(pid, SIGKILL);
}

void light_devmodel_stop(struct light_ctx *c, uint32_t domid)
{
	char p[96];
	pid_t pid;

	if (!c->xs)
		return;
	light_hvm_dm_stop(c, domid);
	pid = recorded_qemu(c, domid);
	if (pid > 0)
		light_dm_kill(pid, domid);
	snprintf(p, sizeof(p), "/local/domain/0/libxl/%u", domid);
	(void)xsc_rm(c->xs, XSC_NO_TX, p);
	snprintf(p, sizeof(p), "/local/domain/0/device-model/%u", domid);
	(void)xsc_rm(c->xs, XSC_NO_TX, p);
}
