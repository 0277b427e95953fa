/*
 * test-hostblk.c - hostblk against the real kernel: loop devices, qemu-nbd
 * on nbd devices, and storage identity.
 *
 * Needs root (loop and nbd ioctls).  Runs on the build host by `make
 * check` and in Dom0 by tests/system/cases/16-hostblk.sh, because a
 * build host may have no nbd module: there the nbd tests that need one
 * skip and say why; the error paths that fail before the module is
 * needed run everywhere.
 *
 * "Nothing left behind" is checked by looking for loop devices whose
 * backing file lies in this run's scratch directory, and for processes
 * whose command line names it (a qemu-nbd), so other users of loop
 * devices on the same machine do not disturb the counts.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hostblk.h"

#define IMG_SIZE   (1024 * 1024)
#define BLK        4096
#define NCHILDREN  6

static char scratch[256];   /* mkdtemp'd, removed at the end */

static void
path_in(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", scratch, name);
}

/* Make a file of IMG_SIZE bytes filled with `c`. */
static void
make_file(const char *path, int c)
{
	char buf[BLK];
	int fd, i;

	memset(buf, c, sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (i = 0; i < IMG_SIZE / BLK; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(close(fd), 0);
}

/* Read one block at `off` of `path` into buf; 0 or -1. */
static int
read_at(const char *path, off_t off, char *buf)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, BLK, off);
	close(fd);
	return n == BLK ? 0 : -1;
}

static bool
all_bytes(const char *buf, int c)
{
	for (int i = 0; i < BLK; i++)
		if (buf[i] != (char)c)
			return false;
	return true;
}

#ifndef HB_TEST_NBD
/* Loop devices bound to a file in the scratch directory. */
static int
loops_left(void)
{
	char p[PATH_MAX], back[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int n = 0;

	if ((dir = opendir("/sys/block")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, "loop", 4) != 0)
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/loop/backing_file", d->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		if (fgets(back, sizeof(back), f) != NULL &&
		    strncmp(back, scratch, strlen(scratch)) == 0)
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

#endif

/* Processes (other than us) whose command line mentions the scratch dir. */
static int
procs_left(void)
{
	char p[300], cmd[4096], self[32];
	struct dirent *d;
	DIR *dir;
	ssize_t len;
	int fd, n = 0;

	snprintf(self, sizeof(self), "%ld", (long)getpid());
	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
		    strcmp(d->d_name, self) == 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%s/cmdline", d->d_name);
		if ((fd = open(p, O_RDONLY)) < 0)
			continue;
		len = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (len <= 0)
			continue;
		for (ssize_t i = 0; i < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		cmd[len] = '\0';
		if (strstr(cmd, scratch) != NULL)
			n++;
	}
	closedir(dir);
	return n;
}

static void
sysfs_read(const char *dev, const char *attr, char *out, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "/sys/block/%s/%s", strrchr(dev, '/') + 1, attr);
	out[0] = '\0';
	if ((f = fopen(p, "r")) != NULL) {
		if (fgets(out, (int)len, f) == NULL)
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

#ifndef HB_TEST_NBD
/* ---- loop ------------------------------------------------------------ */

static void
test_loop_rw(void **state)
{
	char file[PATH_MAX], dev[HB_DEVPATH_MAX], err[256], buf[BLK], back[PATH_MAX];
	dev_t rdev = 0;
	int fd;

	path_in(file, "rw.img");
	make_file(file, 'A');
	assert_int_equal(hb_loop_attach(file, true, dev, sizeof(dev), &rdev,
	                                err, sizeof(err)), 0);
	assert_int_equal(strncmp(dev, "/dev/loop", 9), 0);
	assert_int_equal(major(rdev), 7);
	sysfs_read(dev, "loop/backing_file", back, sizeof(back));
	assert_string_equal(back, file);
	sysfs_read(dev, "ro", back, sizeof(back));
	assert_string_equal(back, "0");
	/* Without a hold fd the device must outlive this process. */
	sysfs_read(dev, "loop/autoclear", back, sizeof(back));
	assert_string_equal(back, "0");

	/* Dom0 wrote 'A': the device reads it; a write through the device
	 * lands in the file. */
	assert_int_equal(read_at(dev, 0, buf), 0);
	assert_true(all_bytes(buf, 'A'));
	memset(buf, 'B', sizeof(buf));
	fd = open(dev, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, BLK, BLK), BLK);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	assert_int_equal(hb_loop_detach(dev, err, sizeof(err)), 0);
	assert_int_equal(loops_left(), 0);

	assert_int_equal(read_at(file, BLK, buf), 0);
	assert_true(all_bytes(buf, 'B'));
	assert_int_equal(read_at(file, 0, buf), 0);
	assert_true(all_bytes(buf, 'A'));
	unlink(file);
}

static void
test_loop_ro_refuses_writes(void **state)
{
	char file[PATH_MAX], dev[HB_DEVPATH_MAX], err[256], buf[BLK], ro[8];
	int fd;

	path_in(file, "ro.img");
	make_file(file, 'R');
	assert_int_equal(hb_loop_attach(file, false, dev, sizeof(dev), NULL,
	                                err, sizeof(err)), 0);
	sysfs_read(dev, "ro", ro, sizeof(ro));
	assert_string_equal(ro, "1");
	assert_int_equal(read_at(dev, 0, buf), 0);
	assert_true(all_bytes(buf, 'R'));

	/* The kernel refuses a writable open of a read-only disk; should a
	 * kernel allow the open, the write itself must fail. */
	memset(buf, 'X', sizeof(buf));
	fd = open(dev, O_WRONLY);
	if (fd >= 0) {
		assert_true(pwrite(fd, buf, BLK, 0) < 0);
		close(fd);
	} else {
		assert_true(errno == EROFS || errno == EACCES || errno == EPERM);
	}
	assert_int_equal(hb_loop_detach(dev, err, sizeof(err)), 0);
	assert_int_equal(loops_left(), 0);
	assert_int_equal(read_at(file, 0, buf), 0);
	assert_true(all_bytes(buf, 'R'));
	unlink(file);
}

/* With a hold fd the device is autoclear: closing the only opener frees it. */
static void
test_loop_autoclear(void **state)
{
	char file[PATH_MAX], dev[HB_DEVPATH_MAX], err[256], flag[8];
	int hold = -1, i;

	path_in(file, "auto.img");
	make_file(file, 'C');
	assert_int_equal(hb_loop_attach_autoclear(file, true, dev, sizeof(dev), NULL,
	                                          &hold, err, sizeof(err)), 0);
	assert_true(hold >= 0);
	assert_true(fcntl(hold, F_GETFD) & FD_CLOEXEC);
	sysfs_read(dev, "loop/autoclear", flag, sizeof(flag));
	assert_string_equal(flag, "1");
	assert_int_equal(loops_left(), 1);
	close(hold);
	/* Some kernels clear from a work item: allow it a moment. */
	for (i = 0; i < 500 && loops_left() != 0; i++)
		usleep(10000);
	assert_int_equal(loops_left(), 0);
	/* Teardown after autoclear: detaching a free device is fine. */
	assert_int_equal(hb_loop_detach(dev, err, sizeof(err)), 0);
	unlink(file);
}

/* Several processes attach at once: each gets its own device. */
static void
test_loop_concurrent(void **state)
{
	char file[PATH_MAX], devs[NCHILDREN][HB_DEVPATH_MAX], err[256];
	int go[2], res[2], i, j, status;
	pid_t pids[NCHILDREN];
	char c;

	path_in(file, "conc.img");
	make_file(file, 'D');
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	for (i = 0; i < NCHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char d[HB_DEVPATH_MAX] = "";
			close(go[1]);
			/* Start together: block until the parent closes go. */
			while (read(go[0], &c, 1) > 0)
				;
			if (hb_loop_attach(file, false, d, sizeof(d), NULL,
			                   err, sizeof(err)) != 0)
				snprintf(d, sizeof(d), "FAIL");
			if (write(res[1], d, sizeof(d)) != sizeof(d))
				_exit(2);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(res[1]);
	for (i = 0; i < NCHILDREN; i++)
		assert_int_equal(read(res[0], devs[i], HB_DEVPATH_MAX), HB_DEVPATH_MAX);
	close(res[0]);
	for (i = 0; i < NCHILDREN; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(loops_left(), NCHILDREN);
	for (i = 0; i < NCHILDREN; i++) {
		assert_string_not_equal(devs[i], "FAIL");
		for (j = 0; j < i; j++)
			assert_string_not_equal(devs[i], devs[j]);
	}
	for (i = 0; i < NCHILDREN; i++)
		assert_int_equal(hb_loop_detach(devs[i], err, sizeof(err)), 0);
	assert_int_equal(loops_left(), 0);
	unlink(file);
}

static void
test_loop_errors(void **state)
{
	char file[PATH_MAX], dev[HB_DEVPATH_MAX] = "", err[256] = "";

	path_in(file, "missing.img");
	assert_int_equal(hb_loop_attach(file, true, dev, sizeof(dev), NULL,
	                                err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, file));
	assert_string_equal(dev, "");

	assert_int_equal(hb_loop_attach(scratch, false, dev, sizeof(dev), NULL,
	                                err, sizeof(err)), -1);
	assert_int_equal(errno, EISDIR);
	assert_non_null(strstr(err, scratch));

	assert_int_equal(hb_loop_attach("", false, dev, sizeof(dev), NULL,
	                                err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	/* NULL error buffer is allowed. */
	assert_int_equal(hb_loop_attach(file, false, NULL, 0, NULL, NULL, 0), -1);
	assert_int_equal(loops_left(), 0);

	assert_int_equal(hb_loop_detach("/dev/null", err, sizeof(err)), -1);
	assert_int_equal(errno, ENOTBLK);
	assert_non_null(strstr(err, "/dev/null"));
	assert_int_equal(hb_loop_detach(file, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
}

/* ---- identity -------------------------------------------------------- */

static void
test_identity(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], link[PATH_MAX], dev[HB_DEVPATH_MAX], err[256];
	struct hb_identity ia, ib, il, idev, ilink;

	path_in(a, "ida.img");
	path_in(b, "idb.img");
	path_in(link, "idlink");
	make_file(a, 'a');
	make_file(b, 'b');
	assert_int_equal(hb_identity(a, &ia, err, sizeof(err)), 0);
	assert_true(ia.has_file);
	assert_false(ia.is_block);
	assert_int_equal(hb_identity(b, &ib, err, sizeof(err)), 0);
	assert_false(hb_identity_same(&ia, &ib));
	assert_true(hb_identity_same(&ia, &ia));

	/* Another name of the same file is the same storage. */
	assert_int_equal(symlink(a, link), 0);
	assert_int_equal(hb_identity(link, &il, err, sizeof(err)), 0);
	assert_true(hb_identity_same(&ia, &il));
	unlink(link);

	/* The loop device of file a is file a, and not file b. */
	assert_int_equal(hb_loop_attach(a, false, dev, sizeof(dev), NULL,
	                                err, sizeof(err)), 0);
	assert_int_equal(hb_identity(dev, &idev, err, sizeof(err)), 0);
	assert_true(idev.is_block);
	assert_true(idev.has_file);
	assert_true(hb_identity_same(&idev, &ia));
	assert_true(hb_identity_same(&ia, &idev));
	assert_false(hb_identity_same(&idev, &ib));
	/* A symlink to the device: the same block device. */
	assert_int_equal(symlink(dev, link), 0);
	assert_int_equal(hb_identity(link, &ilink, err, sizeof(err)), 0);
	assert_true(hb_identity_same(&ilink, &idev));
	unlink(link);
	assert_int_equal(hb_loop_detach(dev, err, sizeof(err)), 0);

	/* Detached, the device no longer stands for the file. */
	assert_int_equal(hb_identity(dev, &idev, err, sizeof(err)), 0);
	assert_true(idev.is_block);
	assert_false(idev.has_file);
	assert_false(hb_identity_same(&idev, &ia));

	assert_int_equal(hb_identity("/dev/null", &idev, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	path_in(link, "nosuch");
	assert_int_equal(hb_identity(link, &idev, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, link));
	unlink(a);
	unlink(b);
}

#endif

/* ---- nbd ------------------------------------------------------------- */

#ifdef HB_TEST_NBD
/* qemu-nbd sockets hostblk left in its run directory. */
static int
sockets_left(void)
{
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/run/lightstack")) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL)
		if (strncmp(d->d_name, "qemu-nbd-", 9) == 0)
			n++;
	closedir(dir);
	return n;
}
#endif

/* Run a shell command quietly; its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
sh(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX + 256];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#ifndef HB_TEST_NBD
/* Errors reported before any nbd device or module is needed. */
static void
test_nbd_errors_early(void **state)
{
	char file[PATH_MAX], empty[PATH_MAX], dev[HB_DEVPATH_MAX] = "", err[256];
	char *oldpath;

	path_in(file, "missing.qcow2");
	assert_int_equal(hb_nbd_attach(file, "qcow2", true, dev, sizeof(dev), NULL,
	                               err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, file));

	path_in(file, "early.img");
	make_file(file, 'E');
	assert_int_equal(hb_nbd_attach(file, "qcow2 --oops", true, dev, sizeof(dev),
	                               NULL, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "format"));

	/* No qemu-nbd on PATH: the message says which package to install. */
	path_in(empty, "emptybin");
	assert_int_equal(mkdir(empty, 0755), 0);
	oldpath = strdup(getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
	assert_non_null(oldpath);
	setenv("PATH", empty, 1);
	assert_int_equal(hb_nbd_attach(file, "raw", true, dev, sizeof(dev), NULL,
	                               err, sizeof(err)), -1);
	setenv("PATH", oldpath, 1);
	free(oldpath);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "qemu-nbd"));
	assert_non_null(strstr(err, "qemu-utils"));
	assert_string_equal(dev, "");
	rmdir(empty);

	assert_int_equal(hb_nbd_detach("/dev/null", err, sizeof(err)), -1);
	assert_int_equal(errno, ENOTBLK);
	assert_int_equal(procs_left(), 0);
	unlink(file);
}

#else
static void
test_nbd_qcow2(void **state)
{
	char img[PATH_MAX], raw[PATH_MAX], dev[HB_DEVPATH_MAX], err[256], buf[BLK], sz[32];
	dev_t rdev = 0;
	int fd;

	path_in(img, "disk.qcow2");
	path_in(raw, "disk.raw");
	assert_int_equal(sh("qemu-img create -q -f qcow2 '%s' 8M", img), 0);

	assert_int_equal(hb_nbd_attach(img, "qcow2", true, dev, sizeof(dev), &rdev,
	                               err, sizeof(err)), 0);
	assert_int_equal(strncmp(dev, "/dev/nbd", 8), 0);
	assert_int_equal(major(rdev), 43);
	sysfs_read(dev, "size", sz, sizeof(sz));
	assert_string_equal(sz, "16384");           /* 8 MiB in sectors */
	assert_int_equal(procs_left(), 1);          /* the qemu-nbd */
	memset(buf, 'Q', sizeof(buf));
	fd = open(dev, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, BLK, 1024 * 1024), BLK);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	assert_int_equal(hb_nbd_detach(dev, err, sizeof(err)), 0);
	sysfs_read(dev, "size", sz, sizeof(sz));
	assert_string_equal(sz, "0");
	/* The server exits once the device is disconnected. */
	for (int i = 0; i < 500 && procs_left() != 0; i++)
		usleep(10000);
	assert_int_equal(procs_left(), 0);

	/* The data really is in the qcow2: qemu-img sees it. */
	assert_int_equal(sh("qemu-img convert -f qcow2 -O raw '%s' '%s'", img, raw), 0);
	assert_int_equal(read_at(raw, 1024 * 1024, buf), 0);
	assert_true(all_bytes(buf, 'Q'));
	assert_int_equal(read_at(raw, 0, buf), 0);
	assert_true(all_bytes(buf, 0));

	/* Read-only: the data reads back, writes are refused. */
	assert_int_equal(hb_nbd_attach(img, "qcow2", false, dev, sizeof(dev), NULL,
	                               err, sizeof(err)), 0);
	assert_int_equal(read_at(dev, 1024 * 1024, buf), 0);
	assert_true(all_bytes(buf, 'Q'));
	fd = open(dev, O_WRONLY);
	if (fd >= 0) {
		memset(buf, 'X', sizeof(buf));
		assert_true(pwrite(fd, buf, BLK, 0) < 0 || fsync(fd) < 0);
		close(fd);
	}
	assert_int_equal(hb_nbd_detach(dev, err, sizeof(err)), 0);
	/* Detaching again is fine. */
	assert_int_equal(hb_nbd_detach(dev, err, sizeof(err)), 0);
	for (int i = 0; i < 500 && procs_left() != 0; i++)
		usleep(10000);
	assert_int_equal(procs_left(), 0);
	assert_int_equal(sockets_left(), 0);
	assert_int_equal(sh("qemu-img convert -f qcow2 -O raw '%s' '%s'", img, raw), 0);
	assert_int_equal(read_at(raw, 0, buf), 0);
	assert_true(all_bytes(buf, 0));
	unlink(img);
	unlink(raw);
}

/* qemu-nbd refuses the image: its reason comes back, nothing stays. */
static void
test_nbd_wrong_format(void **state)
{
	char file[PATH_MAX], dev[HB_DEVPATH_MAX] = "", err[256] = "";

	path_in(file, "notqcow.img");
	make_file(file, 'N');
	assert_int_equal(hb_nbd_attach(file, "qcow2", true, dev, sizeof(dev), NULL,
	                               err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	print_message("# qemu-nbd said: %s\n", err);
	assert_non_null(strstr(err, "qemu-nbd"));
	assert_non_null(strstr(err, "qcow2"));
	assert_int_equal(hb_nbd_attach(file, "nosuchformat", true, dev, sizeof(dev),
	                               NULL, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	print_message("# qemu-nbd said: %s\n", err);
	assert_non_null(strstr(err, "nosuchformat"));
	assert_int_equal(procs_left(), 0);
	assert_int_equal(sockets_left(), 0);
	unlink(file);
}

#endif

int
main(void)
{
	/* Two programs from this file: test-hostblk (loop, identity, the
	 * nbd errors that need no nbd device) and test-hostblk-nbd, which
	 * needs the nbd module and says "1..0 # SKIP" when there is none
	 * (a skipped cmocka test would count as a failure). */
#ifndef HB_TEST_NBD
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_rw),
		cmocka_unit_test(test_loop_ro_refuses_writes),
		cmocka_unit_test(test_loop_autoclear),
		cmocka_unit_test(test_loop_concurrent),
		cmocka_unit_test(test_loop_errors),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_nbd_errors_early),
	};
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nbd_qcow2),
		cmocka_unit_test(test_nbd_wrong_format),
	};
#endif
	const char *tmp = getenv("TMPDIR");
	int rc;

	if (geteuid() != 0) {
		printf("1..0 # SKIP hostblk tests need root (loop and nbd ioctls)\n");
		return 0;
	}
	if (access("/dev/loop-control", F_OK) != 0) {
		printf("1..0 # SKIP no /dev/loop-control (no loop driver)\n");
		return 0;
	}
#ifdef HB_TEST_NBD
	if (access("/sys/module/nbd", F_OK) != 0)
		sh("modprobe nbd nbds_max=16 >/dev/null 2>&1");
	if (access("/sys/module/nbd", F_OK) != 0) {
		printf("1..0 # SKIP no nbd module on this kernel (modprobe nbd "
		       "failed); tests/system/cases/16-hostblk.sh runs these in Dom0\n");
		return 0;
	}
	if (sh("command -v qemu-img >/dev/null && command -v qemu-nbd >/dev/null") != 0) {
		printf("1..0 # SKIP qemu-utils (qemu-img, qemu-nbd) not installed\n");
		return 0;
	}
#endif
	snprintf(scratch, sizeof(scratch), "%s/hostblk-test.XXXXXX",
	         tmp != NULL && *tmp != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		perror(scratch);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sh("rm -rf '%s'", scratch);
	return rc;
}
