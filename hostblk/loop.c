/*
 * loop.c - raw image files as block devices, through Linux's loop driver.
 *
 * How the modern loop interface works (Linux >= 5.8):
 *  - /dev/loop-control's LOOP_CTL_GET_FREE returns the number of a free
 *    loop device, creating one if all are in use.  "Free" is only a hint:
 *    nothing reserves it, so two attaches may get the same number.
 *  - LOOP_CONFIGURE on /dev/loopN binds a file descriptor and sets the
 *    flags in a single ioctl (the old LOOP_SET_FD + LOOP_SET_STATUS64
 *    pair left a window where the device was bound with the wrong
 *    flags).  It fails with EBUSY when the device was bound meanwhile:
 *    the loser of the race above simply asks for another free one.
 *  - LO_FLAGS_AUTOCLEAR makes the kernel unbind the device when its last
 *    opener closes it; LOOP_CLR_FD on a device that others still hold
 *    only sets that flag (see hb_loop_detach in hostblk.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include "hostblk.h"
#include "hb_internal.h"

#define LOOP_CONTROL   "/dev/loop-control"
#define LOOP_MAJOR_NR  7

/* How often to ask for another free device when a concurrent attach took
 * the one we were given.  Each retry costs two syscalls; losing sixteen
 * races in a row means something else is grabbing devices in a loop. */
#define LOOP_RETRIES   16

/* Open the image the device will serve; the error names the file. */
static int
open_backing(const char *file, bool writable, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(file, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd == -1) {
		hb_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		hb_err(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		hb_err(err, errlen, "%s: not a regular file", file);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Open /dev/loopN.  On a /dev that is not devtmpfs the node of a device
 * LOOP_CTL_GET_FREE just created may be missing: make it from the device
 * number sysfs reports, as udev would.
 */
static int
open_loopdev(int n, char *path, size_t len)
{
	char sys[64], buf[32];
	unsigned int maj, mnr;
	FILE *f;
	int fd;

	snprintf(path, len, "/dev/loop%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd != -1 || errno != ENOENT)
		return fd;
	snprintf(sys, sizeof(sys), "/sys/block/loop%d/dev", n);
	if ((f = fopen(sys, "re")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    sscanf(buf, "%u:%u", &maj, &mnr) != 2) {
		fclose(f);
		errno = ENOENT;
		return -1;
	}
	fclose(f);
	if (mknod(path, S_IFBLK | 0660, makedev(maj, mnr)) == -1 && errno != EEXIST)
		return -1;
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Both attach flavours: holdfd NULL means no autoclear (see hostblk.h). */
static int
loop_attach(const char *file, bool writable, char *devpath, size_t len,
            dev_t *dev, int *holdfd, char *err, size_t errlen)
{
	struct loop_config cfg;
	char path[HB_DEVPATH_MAX];
	struct stat st;
	int filefd = -1, ctl = -1, lfd = -1, tries, n, ret = -1;

	if (file == NULL || *file == '\0') {
		errno = EINVAL;
		hb_err(err, errlen, "loop attach: empty file name");
		return -1;
	}
	if ((filefd = open_backing(file, writable, err, errlen)) == -1)
		return -1;
	if ((ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			errno = ENODEV;
		hb_err(err, errlen, "%s: %s (is the loop module loaded? modprobe loop)",
		       LOOP_CONTROL, strerror(errno));
		goto out;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned int)filefd;
	cfg.info.lo_flags = (writable ? 0 : LO_FLAGS_READ_ONLY) |
	                    (holdfd != NULL ? LO_FLAGS_AUTOCLEAR : 0);
	/* For losetup -l and /sys/block/loopN/loop/backing_file readers;
	 * the kernel truncates silently, which is fine for a label. */
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name),
	         "%s", file);

	for (tries = 0; tries < LOOP_RETRIES; tries++) {
		if ((n = ioctl(ctl, LOOP_CTL_GET_FREE)) == -1) {
			hb_err(err, errlen, "%s: LOOP_CTL_GET_FREE: %s",
			       LOOP_CONTROL, strerror(errno));
			goto out;
		}
		if ((lfd = open_loopdev(n, path, sizeof(path))) == -1) {
			hb_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			break;
		if (errno != EBUSY) {
			hb_err(err, errlen, "%s: LOOP_CONFIGURE %s: %s", path,
			       file, strerror(errno));
			goto out;
		}
		close(lfd);
		lfd = -1;
	}
	if (lfd == -1) {
		errno = EAGAIN;
		hb_err(err, errlen, "%s: no free loop device after %d tries",
		       file, LOOP_RETRIES);
		goto out;
	}
	if (fstat(lfd, &st) == -1) {
		hb_err(err, errlen, "%s: %s", path, strerror(errno));
		/* Bound but unusable: unbind it again. */
		ioctl(lfd, LOOP_CLR_FD);
		goto out;
	}

	if (devpath != NULL && snprintf(devpath, len, "%s", path) >= (int)len) {
		errno = ENAMETOOLONG;
		hb_err(err, errlen, "%s: device path buffer too small", path);
		ioctl(lfd, LOOP_CLR_FD);
		goto out;
	}
	if (dev != NULL)
		*dev = st.st_rdev;
	if (holdfd != NULL) {
		*holdfd = lfd;
		lfd = -1;
	}
	ret = 0;
out:
	/* The loop driver holds its own reference to the backing file. */
	if (lfd != -1)
		close(lfd);
	if (ctl != -1)
		close(ctl);
	if (filefd != -1)
		close(filefd);
	return ret;
}

int
hb_loop_attach(const char *file, bool writable, char *devpath, size_t len,
               dev_t *dev, char *err, size_t errlen)
{
	return loop_attach(file, writable, devpath, len, dev, NULL, err, errlen);
}

int
hb_loop_attach_autoclear(const char *file, bool writable, char *devpath,
                         size_t len, dev_t *dev, int *holdfd, char *err,
                         size_t errlen)
{
	if (holdfd == NULL) {
		errno = EINVAL;
		hb_err(err, errlen, "%s: autoclear attach needs a hold fd", file);
		return -1;
	}
	return loop_attach(file, writable, devpath, len, dev, holdfd, err, errlen);
}

/* Open devpath and check that it is a loop device. */
int
hb_open_loop(const char *devpath, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if ((fd = open(devpath, O_RDONLY | O_CLOEXEC)) == -1) {
		hb_err(err, errlen, "%s: %s", devpath, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		hb_err(err, errlen, "%s: %s", devpath, strerror(errno));
		goto fail;
	}
	if (!S_ISBLK(st.st_mode) || major(st.st_rdev) != LOOP_MAJOR_NR) {
		errno = ENOTBLK;
		hb_err(err, errlen, "%s: not a loop device", devpath);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
hb_loop_detach(const char *devpath, char *err, size_t errlen)
{
	int fd, ret = -1;

	if ((fd = hb_open_loop(devpath, err, errlen)) == -1)
		return -1;
	/* ENXIO: nothing bound, e.g. autoclear already freed it. */
	if (ioctl(fd, LOOP_CLR_FD) == -1 && errno != ENXIO) {
		hb_err(err, errlen, "%s: LOOP_CLR_FD: %s", devpath, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
