/*
 * nbd.c - images in formats only QEMU understands (qcow2, vmdk, ...) as
 * block devices: qemu-nbd serves the image over a socket to the kernel's
 * nbd driver, which shows it as /dev/nbdN.
 *
 * How the pieces fit:
 *  - The nbd module creates nbds_max devices at load time; a device is in
 *    use while a server task sits in its NBD_DO_IT ioctl, which sysfs
 *    shows as /sys/block/nbdN/pid, and once connected its size
 *    (/sys/block/nbdN/size, in 512-byte sectors) is non-zero.
 *  - `qemu-nbd --fork --connect=/dev/nbdN` forks a server.  Its parent
 *    exits once the child has set up the device's socket (status 0) or
 *    failed (non-zero, with the reason on stderr), so the exit status is
 *    a reliable answer; the size appears a moment later, when the child
 *    enters NBD_DO_IT, and the attach waits for it (bounded).
 *  - Disconnecting needs no process: NBD_DISCONNECT and NBD_CLEAR_SOCK on
 *    the device (what `qemu-nbd --disconnect` does) end the server's
 *    NBD_DO_IT, after which the server exits.
 *  - Two attaches may pick the same free device.  The kernel lets only
 *    one set its socket; the loser sees the device taken and moves on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/nbd.h>

#include "hostblk.h"
#include "hb_internal.h"

#define NBD_MAJOR_NR      43
#define NBD_MODULE_ARGS   "nbds_max=16"
/* Bounds, generous because a Dom0 under QEMU's TCG starts a process in
 * hundreds of milliseconds: qemu-nbd's setup, then the device's size. */
#define QEMU_NBD_TIMEOUT_MS  60000
#define SIZE_TIMEOUT_MS      30000
#define DISCONNECT_TIMEOUT_MS 30000
#define POLL_MS              10
/* qemu-nbd --connect also listens on a unix socket, by default in
 * /var/lock, which a minimal or early system may lack.  We name one of
 * our own per device instead, in a directory only root can enter. */
#define SOCKET_DIR        "/run/lightstack"
#define DEFAULT_PATH      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Find `name` in $PATH (or a sane default), as execvp would. */
static int
find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;
	size_t n;

	if (path == NULL || *path == '\0')
		path = DEFAULT_PATH;
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > 0 && snprintf(out, len, "%.*s/%s", (int)n, p, name) < (int)len &&
		    access(out, X_OK) == 0)
			return 0;
		if (end == NULL)
			break;
	}
	errno = ENOENT;
	return -1;
}

/*
 * Run argv[0] (an absolute path) with stdin and stdout on /dev/null and
 * stderr into a memory file, wait for it (bounded), and leave its first
 * line of stderr in msg.  Returns its exit status (0..255), or -1 with
 * errno (ETIMEDOUT: killed after timeout_ms).
 */
static int
run(char *const argv[], int timeout_ms, char *msg, size_t msglen)
{
	int errfd = -1, nullfd = -1, status, waited = 0, ret = -1;
	ssize_t n;
	pid_t pid, w;
	char *nl;

	if (msglen > 0)
		msg[0] = '\0';
	if ((errfd = memfd_create("hostblk-stderr", MFD_CLOEXEC)) == -1)
		goto out;
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		goto out;
	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0) {
		/* qemu-nbd's server outlives us for as long as the guest runs:
		 * it must not inherit our caller's descriptors (a xenstore
		 * connection, a lock) nor its blocked signals. */
		sigset_t none;

		if (dup2(nullfd, 0) == -1 || dup2(nullfd, 1) == -1 ||
		    dup2(errfd, 2) == -1)
			_exit(127);
		close_range(3, ~0U, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && waited < timeout_ms) {
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		errno = ETIMEDOUT;
		goto out;
	}
	if (w == -1)
		goto out;
	if (msglen > 1 && lseek(errfd, 0, SEEK_SET) == 0 &&
	    (n = read(errfd, msg, msglen - 1)) > 0) {
		msg[n] = '\0';
		if ((nl = strchr(msg, '\n')) != NULL)
			*nl = '\0';
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (nullfd != -1)
		close(nullfd);
	if (errfd != -1)
		close(errfd);
	return ret;
}

/* Read a decimal number from a sysfs file. */
static int
sysfs_u64(const char *path, unsigned long long *v)
{
	char buf[32], *end;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = EIO;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0')) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Size in sectors of nbdN (0: not connected), -1 when it does not exist. */
static int
nbd_size(int n, unsigned long long *size)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/block/nbd%d/size", n);
	return sysfs_u64(p, size);
}

/* True while a server task is attached (inside NBD_DO_IT). */
static bool
nbd_has_server(int n)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/block/nbd%d/pid", n);
	return access(p, F_OK) == 0;
}

static bool
nbd_free(int n)
{
	unsigned long long size;

	return nbd_size(n, &size) == 0 && size == 0 && !nbd_has_server(n);
}

/* Load the nbd driver if it is not there yet. */
static int
ensure_module(char *err, size_t errlen)
{
	char modprobe[PATH_MAX], msg[256];
	char *argv[] = { modprobe, "nbd", NBD_MODULE_ARGS, NULL };
	int st;

	if (access("/sys/module/nbd", F_OK) == 0)
		return 0;
	if (find_program("modprobe", modprobe, sizeof(modprobe)) == -1) {
		errno = ENODEV;
		hb_err(err, errlen, "nbd module not loaded and modprobe not found");
		return -1;
	}
	st = run(argv, QEMU_NBD_TIMEOUT_MS, msg, sizeof(msg));
	if (access("/sys/module/nbd", F_OK) == 0)
		return 0;
	errno = ENODEV;
	hb_err(err, errlen, "nbd module not available (modprobe nbd %s)%s%s",
	       st == 0 ? "succeeded but no /sys/module/nbd" : "failed",
	       msg[0] != '\0' ? ": " : "", msg);
	return -1;
}

/* The N of "/dev/nbdN", checking the path names an nbd device. */
static int
nbd_index(const char *devpath, char *err, size_t errlen)
{
	const char *base = strrchr(devpath, '/');
	struct stat st;
	char *end;
	long n;

	base = base != NULL ? base + 1 : devpath;
	if (strncmp(base, "nbd", 3) != 0 || base[3] < '0' || base[3] > '9')
		goto bad;
	errno = 0;
	n = strtol(base + 3, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > INT_MAX)
		goto bad;
	if (stat(devpath, &st) == -1) {
		hb_err(err, errlen, "%s: %s", devpath, strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode) || major(st.st_rdev) != NBD_MAJOR_NR)
		goto bad;
	return (int)n;
bad:
	errno = ENOTBLK;
	hb_err(err, errlen, "%s: not an nbd device", devpath);
	return -1;
}

static void
socket_path(int n, char *out, size_t len)
{
	snprintf(out, len, "%s/qemu-nbd-nbd%d.sock", SOCKET_DIR, n);
}

/* NBD_DISCONNECT + NBD_CLEAR_SOCK, then wait until the server let go. */
static int
disconnect(const char *devpath, int n, char *err, size_t errlen)
{
	unsigned long long size = 1;
	int fd, waited = 0;

	if ((fd = open(devpath, O_RDWR | O_CLOEXEC)) == -1) {
		hb_err(err, errlen, "%s: %s", devpath, strerror(errno));
		return -1;
	}
	/* Either may fail harmlessly on a device that is half torn down. */
	ioctl(fd, NBD_DISCONNECT);
	ioctl(fd, NBD_CLEAR_SOCK);
	close(fd);
	while (waited < DISCONNECT_TIMEOUT_MS) {
		if (nbd_size(n, &size) == 0 && size == 0 && !nbd_has_server(n)) {
			char sock[PATH_MAX];

			/* The server may have exited without removing it. */
			socket_path(n, sock, sizeof(sock));
			unlink(sock);
			return 0;
		}
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	errno = ETIMEDOUT;
	hb_err(err, errlen, "%s: still connected %d s after disconnect", devpath,
	       DISCONNECT_TIMEOUT_MS / 1000);
	return -1;
}

/* qemu accepts format names of letters, digits, '-' and '_' only; refuse
 * anything else before it reaches a command line. */
static bool
format_ok(const char *format)
{
	size_t i, n = strlen(format);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		char c = format[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Start qemu-nbd on nbdN.  1: the device was taken by someone else
 * meanwhile (try another), 0: connected, -1: error (err filled). */
static int
connect_one(const char *qemu_nbd, const char *abs, const char *format,
            bool writable, int n, char *devpath, char *err, size_t errlen)
{
	char conn[HB_DEVPATH_MAX + 16], fmt[48], msg[512], sock[PATH_MAX];
	char sockopt[PATH_MAX + 16];
	char *argv[10];
	unsigned long long size = 0;
	int argc = 0, st, waited = 0;

	snprintf(devpath, HB_DEVPATH_MAX, "/dev/nbd%d", n);
	snprintf(conn, sizeof(conn), "--connect=%s", devpath);
	socket_path(n, sock, sizeof(sock));
	snprintf(sockopt, sizeof(sockopt), "--socket=%s", sock);
	if (mkdir(SOCKET_DIR, 0700) == -1 && errno != EEXIST) {
		hb_err(err, errlen, "%s: %s", SOCKET_DIR, strerror(errno));
		return -1;
	}
	/* The device is free, so a socket of that name is a stale one. */
	unlink(sock);
	argv[argc++] = (char *)qemu_nbd;
	argv[argc++] = "--fork";
	argv[argc++] = conn;
	argv[argc++] = sockopt;
	if (format != NULL && *format != '\0') {
		snprintf(fmt, sizeof(fmt), "--format=%s", format);
		argv[argc++] = fmt;
	}
	if (!writable)
		argv[argc++] = "--read-only";
	argv[argc++] = "--";
	argv[argc++] = (char *)abs;
	argv[argc] = NULL;

	st = run(argv, QEMU_NBD_TIMEOUT_MS, msg, sizeof(msg));
	if (st == -1) {
		hb_err(err, errlen, "%s: running %s: %s", abs, qemu_nbd, strerror(errno));
		if (nbd_free(n))
			unlink(sock);
		return -1;
	}
	if (st != 0) {
		/* Taken meanwhile: our qemu-nbd lost the race for it (and the
		 * socket name is the winner's now). */
		if (!nbd_free(n))
			return 1;
		unlink(sock);
		errno = EINVAL;
		hb_err(err, errlen, "%s", msg[0] != '\0' ? msg :
		       "qemu-nbd failed without a message");
		return -1;
	}
	while (waited < SIZE_TIMEOUT_MS) {
		if (nbd_size(n, &size) == 0 && size > 0)
			return 0;
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	/* Stop the server we started; its own error, if any, is lost. */
	disconnect(devpath, n, NULL, 0);
	errno = ETIMEDOUT;
	hb_err(err, errlen, "%s: %s got no size within %d s", abs, devpath,
	       SIZE_TIMEOUT_MS / 1000);
	return -1;
}

int
hb_nbd_attach(const char *file, const char *format, bool writable,
              char *devpath, size_t len, dev_t *dev, char *err, size_t errlen)
{
	char qemu_nbd[PATH_MAX], abs[PATH_MAX], path[HB_DEVPATH_MAX];
	unsigned long long size;
	struct stat st;
	int n, r;

	if (file == NULL || *file == '\0') {
		errno = EINVAL;
		hb_err(err, errlen, "nbd attach: empty file name");
		return -1;
	}
	if (format != NULL && *format != '\0' && !format_ok(format)) {
		errno = EINVAL;
		hb_err(err, errlen, "%s: invalid image format \"%s\"", file, format);
		return -1;
	}
	/* An absolute path also keeps qemu from reading "x:..." as a protocol. */
	if (realpath(file, abs) == NULL || stat(abs, &st) == -1) {
		hb_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		hb_err(err, errlen, "%s: not a regular file or block device", file);
		return -1;
	}
	if (access(abs, writable ? R_OK | W_OK : R_OK) == -1) {
		hb_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (find_program("qemu-nbd", qemu_nbd, sizeof(qemu_nbd)) == -1) {
		hb_err(err, errlen, "qemu-nbd not found: install qemu-utils");
		return -1;
	}
	if (ensure_module(err, errlen) == -1)
		return -1;

	for (n = 0; nbd_size(n, &size) == 0; n++) {
		if (size != 0 || nbd_has_server(n))
			continue;
		r = connect_one(qemu_nbd, abs, format, writable, n, path, err, errlen);
		if (r == 1)
			continue;
		if (r == -1)
			return -1;
		if (stat(path, &st) == -1) {
			hb_err(err, errlen, "%s: %s", path, strerror(errno));
			disconnect(path, n, NULL, 0);
			return -1;
		}
		if (devpath != NULL && snprintf(devpath, len, "%s", path) >= (int)len) {
			errno = ENAMETOOLONG;
			hb_err(err, errlen, "%s: device path buffer too small", path);
			disconnect(path, n, NULL, 0);
			return -1;
		}
		if (dev != NULL)
			*dev = st.st_rdev;
		return 0;
	}
	errno = EAGAIN;
	hb_err(err, errlen, "%s: no free nbd device (%d in use)", file, n);
	return -1;
}

int
hb_nbd_detach(const char *devpath, char *err, size_t errlen)
{
	int n;

	if ((n = nbd_index(devpath, err, errlen)) == -1)
		return -1;
	if (nbd_free(n))
		return 0;
	return disconnect(devpath, n, err, errlen);
}
