/*
 * device_vbd.c - the virtual block device: a disk= entry served by Dom0's
 * xen-blkback to the guest's blkfront.
 *
 * What a vbd needs on the host: blkback serves block devices only, so a
 * `phy:` target is used as it is, a raw image file gets a loop device and
 * any other format an nbd device served by qemu-nbd (hostblk/).  The
 * backend then learns the device through `physical-device` (major:minor
 * in hex, as upstream's block script writes it), and opens it itself.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_lifecycle.h"
#include "light_device.h"

/* ---- vdev names -> devids ------------------------------------------ */

/*
 * Match "<prefix><letters>[<partition>]": the letters count a..z, aa..,
 * bijectively in base 26; the partition is decimal without a leading
 * zero.  true with *disk and *part filled when the name matches and both
 * are within their limits.
 */
static bool vdev_matches(const char *name, const char *prefix,
                         unsigned long max_disk, unsigned long max_part,
                         unsigned long *disk, unsigned long *part)
{
	size_t plen = strlen(prefix);
	const char *p;
	unsigned long d = 0, n = 0;

	if (strncmp(name, prefix, plen) != 0)
		return false;
	for (p = name + plen; *p >= 'a' && *p <= 'z'; p++) {
		d = d * 26 + (unsigned long)(*p - 'a' + 1);
		if (d > max_disk + 1)
			return false;
	}
	if (d == 0)
		return false;
	if (*p) {
		if (*p == '0')
			return false;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return false;
			n = n * 10 + (unsigned long)(*p - '0');
			if (n > max_part)
				return false;
		}
	}
	*disk = d - 1;
	*part = n;
	return true;
}

/* "d<disk>p<part>", both decimal: the form for disks beyond any letters. */
static bool vdev_matches_dp(const char *name, unsigned long *disk,
                            unsigned long *part)
{
	const char *p = name;
	unsigned long d = 0, n = 0;

	if (*p++ != 'd' || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((d = d * 10 + (unsigned long)(*p - '0')) >= (1ul << 20))
			return false;
	if (*p++ != 'p' || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (unsigned long)(*p - '0')) > 255)
			return false;
	if (*p)
		return false;
	*disk = d;
	*part = n;
	return true;
}

int light_disk_vdev_to_devid(const char *vdev, uint32_t *devid)
{
	unsigned long disk, part;
	long long num;

	if (!vdev || !*vdev)
		goto bad;
	if (vdev_matches_dp(vdev, &disk, &part) ||
	    vdev_matches(vdev, "xvd", (1ul << 20) - 1, 255, &disk, &part)) {
		if (disk <= 15 && part <= 15)
			*devid = (202u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
		else
			*devid = (1u << 28) | (uint32_t)(disk << 8) | (uint32_t)part;
		return 0;
	}
	/* A plain number is a devid already (upstream: strtoul base 0). */
	if (vdev[0] >= '0' && vdev[0] <= '9' &&
	    light_cfg_parse_int(vdev, 0, INT_MAX, &num) == 0) {
		*devid = (uint32_t)num;
		return 0;
	}
	if (vdev_matches(vdev, "hd", 3, 63, &disk, &part)) {
		*devid = ((disk < 2 ? 3u : 22u) << 8) | (uint32_t)((disk & 1) << 6) |
		         (uint32_t)part;
		return 0;
	}
	if (vdev_matches(vdev, "sd", 15, 15, &disk, &part)) {
		*devid = (8u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* ---- the kind ------------------------------------------------------- */

const struct dev_ops vbd_ops = {
	.kind = "vbd",
	.release = NULL,
};
