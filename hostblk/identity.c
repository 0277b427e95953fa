/*
 * identity.c - what storage a disk target really is, so liblight can
 * refuse to hand the same data writable to two guests (xl's `w!` rule).
 *
 * Paths are a poor identity: /dev/vg/x and /dev/dm-3 are one device, a
 * file has many names, and a loop device is its backing file in disguise.
 * So we compare device numbers and inodes instead.  The loop driver tells
 * the backing file's (st_dev, st_ino) through LOOP_GET_STATUS64, encoded
 * the same way stat(2) encodes st_dev, so the two compare directly.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include "hostblk.h"
#include "hb_internal.h"

#define LOOP_MAJOR_NR 7

/* A bound loop device's backing file; an unbound one (ENXIO) has none. */
static int
loop_backing(const char *path, struct hb_identity *id, char *err, size_t errlen)
{
	struct loop_info64 info;
	int fd, ret = -1;

	if ((fd = hb_open_loop(path, err, errlen)) == -1)
		return -1;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, LOOP_GET_STATUS64, &info) == -1) {
		if (errno == ENXIO) {
			ret = 0;
			goto out;
		}
		hb_err(err, errlen, "%s: LOOP_GET_STATUS64: %s", path, strerror(errno));
		goto out;
	}
	id->has_file = true;
	id->dev = (dev_t)info.lo_device;
	id->ino = (ino_t)info.lo_inode;
	ret = 0;
out:
	close(fd);
	return ret;
}

int
hb_identity(const char *path, struct hb_identity *id, char *err, size_t errlen)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		hb_err(err, errlen, "disk target: empty path");
		return -1;
	}
	if (stat(path, &st) == -1) {
		hb_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		id->has_file = true;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return 0;
	}
	if (!S_ISBLK(st.st_mode)) {
		errno = EINVAL;
		hb_err(err, errlen, "%s: neither a regular file nor a block device", path);
		return -1;
	}
	id->is_block = true;
	id->rdev = st.st_rdev;
	if (major(st.st_rdev) == LOOP_MAJOR_NR)
		return loop_backing(path, id, err, errlen);
	return 0;
}

bool
hb_identity_same(const struct hb_identity *a, const struct hb_identity *b)
{
	if (a->is_block && b->is_block && a->rdev == b->rdev)
		return true;
	return a->has_file && b->has_file && a->dev == b->dev && a->ino == b->ino;
}
