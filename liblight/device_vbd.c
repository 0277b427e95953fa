/*
 * device_vbd.c - the virtual block device: a disk= entry served by Dom0's
 * xen-blkback to the guest's blkfront.
 *
 * What a vbd needs on the host: blkback serves block devices only, so a
 * `phy:` target is used as it is, a raw image file gets a loop device and
 * any other format an nbd device served by qemu-nbd (hostblk/).  The
 * backend then learns the device through `physical-device` (major:minor
 * in hex, as upstream's block script writes it), and opens it itself.
 *
 * A disk with script= (other than upstream's own "block", which is what
 * the above does in C) is the user's: as libxl does, Lightstack writes the
 * backend with params = the target and script = the script's path, waits
 * for blkback's InitWait, runs "SCRIPT add" (environment script=,
 * XENBUS_TYPE=vbd, XENBUS_PATH=backend/vbd/D/N, XENBUS_BASE_PATH=backend),
 * and waits, bounded, until the script has written physical-device (or
 * hotplug-error).  Teardown runs "SCRIPT remove" once the backend has
 * closed, before the nodes go.  The target is the script's to interpret
 * (and to check for sharing); Lightstack attaches nothing for it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "hostblk.h"
#include "hostnet.h"
#include "light_lifecycle.h"
#include "light_device.h"
#include "light_block.h"

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

int light_disk_vdev_to_index(const char *vdev, unsigned long *disk,
                             unsigned long *part)
{
	if (vdev && (vdev_matches_dp(vdev, disk, part) ||
	    vdev_matches(vdev, "xvd", (1ul << 20) - 1, 255, disk, part) ||
	    vdev_matches(vdev, "hd", 3, 63, disk, part) ||
	    vdev_matches(vdev, "sd", 15, 15, disk, part)))
		return 0;
	errno = EINVAL;
	return -1;
}

/* ---- one disk's life on the host and in xenstore ------------------ */

/* What kind of host device a disk was given, as the bookkeeping names it
 * (/libxl/D/device/vbd/N/lightstack-host). */
enum vbd_host { VBD_HOST_NONE, VBD_HOST_LOOP, VBD_HOST_NBD, VBD_HOST_SCRIPT,
	VBD_HOST_QEMU };

static const char *const host_names[] = { "none", "loop", "nbd", "script",
	"qemu" };

/* Where a relative script= lives, and libxl's bound for running one
 * (LIBXL_HOTPLUG_TIMEOUT). */
#define VBD_SCRIPT_DIR        "/etc/xen/scripts"
#define VBD_SCRIPT_TIMEOUT_MS 40000

/* One disk being attached: the config entry and what was acquired. */
struct vbd_dev {
	const struct light_disk *disk;
	uint32_t devid;
	enum vbd_host host;          /* what we attached (undo detaches it) */
	char hostdev[HB_DEVPATH_MAX];/* /dev/loopN, /dev/nbdN, or the target */
	dev_t rdev;                  /* what blkback gets (physical-device) */
	struct hb_identity ident;    /* the target's, for the sharing check */
	bool written;                /* its xenstore nodes exist */
	char script[PATH_MAX];       /* VBD_HOST_SCRIPT: its absolute path */
	bool script_added;           /* "add" ran: undo runs "remove" */
};

struct vbd_create {
	size_t n;                    /* disks prepared so far */
	struct vbd_dev dev[];        /* dc->ndisks of them */
};

/* Do two uses of the same storage conflict?  Only when one of them may
 * write and neither said w!. */
static bool uses_conflict(bool rw_a, bool share_a, bool rw_b, bool share_b)
{
	return (rw_a || rw_b) && !share_a && !share_b;
}

/* script=block (upstream's default block script, by name or path) is
 * what Lightstack does itself: no script runs for it. */
static bool script_is_inline(const char *script)
{
	const char *base = strrchr(script, '/') ? strrchr(script, '/') + 1 : script;

	return strcmp(base, "block") == 0;
}

/* The kind of a disk's backend: blkback's "vbd" or QEMU's "qdisk". */
static const char *vbd_kind(const struct vbd_dev *v)
{
	return v->host == VBD_HOST_QEMU ? "qdisk" : "vbd";
}

static const struct dev_ops *vbd_kind_ops(const struct vbd_dev *v)
{
	return v->host == VBD_HOST_QEMU ? &qdisk_ops : &vbd_ops;
}

/* A backend's params as a path: a qdisk's is "FORMAT:PATH". */
static const char *params_path(const char *kind, const char *params)
{
	const char *colon;

	if (strcmp(kind, "qdisk") == 0 && (colon = strchr(params, ':')))
		return colon + 1;
	return params;
}

/* Is the storage of `id` used by any disk backend of `kind` in xenstore
 * in a way that conflicts with (rw, share)?  0 when free; -1/EBUSY
 * naming the user, -1 on a xenstore failure. */
static int check_backends_of(struct light_ctx *c, const char *kind,
                             const char *vdev, const struct hb_identity *id,
                             bool rw, bool share)
{
	char **doms = NULL, **devs = NULL, dir[160], lx[160];
	unsigned nd = 0, nv = 0, i, j;
	struct hb_identity other;
	int rc = -1;

	snprintf(dir, sizeof(dir), "/local/domain/0/backend/%s", kind);
	doms = xsc_directory(c->xs, XSC_NO_TX, dir, &nd);
	if (!doms) {
		if (errno == ENOENT)
			return 0;
		return light_error_xs(c, "xenstore directory of disk backends");
	}
	for (i = 0; i < nd; i++) {
		snprintf(dir, sizeof(dir), "/local/domain/0/backend/%s/%s", kind,
		         doms[i]);
		free(devs);
		devs = xsc_directory(c->xs, XSC_NO_TX, dir, &nv);
		if (!devs)
			continue;
		for (j = 0; j < nv; j++) {
			static const char *const nodes[] = { "physical-device-path", "params" };
			char *mode, *oshare_s, *path;
			bool orw, oshare, same = false;
			size_t k;

			mode = light_xs_readf(c, XSC_NO_TX, "%s/%s/mode", dir, devs[j]);
			snprintf(lx, sizeof(lx), "/libxl/%s/device/vbd/%s", doms[i], devs[j]);
			oshare_s = light_xs_readf(c, XSC_NO_TX, "%s/lightstack-share", lx);
			orw = mode && strchr(mode, 'w');
			oshare = oshare_s && strcmp(oshare_s, "1") == 0;
			free(mode);
			free(oshare_s);
			if (!uses_conflict(rw, share, orw, oshare))
				continue;
			for (k = 0; k < 2 && !same; k++) {
				path = light_xs_readf(c, XSC_NO_TX, "%s/%s/%s", dir, devs[j],
				                      nodes[k]);
				if (path && *path &&
				    hb_identity(params_path(kind, path), &other, NULL, 0) == 0 &&
				    hb_identity_same(id, &other))
					same = true;
				free(path);
			}
			if (same) {
				lc_fail(c, EBUSY, "disk %s: its target is already attached "
				        "%s to domain %s (%s %s); use access w! to share it "
				        "anyway", vdev, orw ? "writable" : "read-only",
				        doms[i], kind, devs[j]);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(devs);
	free(doms);
	return rc;
}

/* Both kinds of disk backend: blkback's and QEMU's. */
static int check_backends(struct light_ctx *c, const char *vdev,
                          const struct hb_identity *id, bool rw, bool share)
{
	if (check_backends_of(c, "vbd", vdev, id, rw, share) < 0)
		return -1;
	return check_backends_of(c, "qdisk", vdev, id, rw, share);
}

/* The sharing check of disk v: this guest's other disks, then every
 * backend on the host. */
static int check_sharing(struct light_ctx *c, const struct vbd_dev *v,
                         const struct vbd_dev *earlier, size_t nearlier)
{
	const struct light_disk *d = v->disk;
	bool rw = d->readwrite && !d->cdrom;
	size_t i;

	for (i = 0; i < nearlier; i++) {
		const struct light_disk *o = earlier[i].disk;
		if (hb_identity_same(&v->ident, &earlier[i].ident) &&
		    uses_conflict(rw, d->share_writable,
		                  o->readwrite && !o->cdrom, o->share_writable))
			return lc_fail(c, EBUSY, "disk %s: same target as disk %s of "
			               "this guest; use access w! to share it anyway",
			               d->vdev, o->vdev);
	}
	return check_backends(c, d->vdev, &v->ident, rw, d->share_writable);
}

/*
 * A disk QEMU serves (backendtype=qdisk, or an empty cdrom, which
 * blkback cannot serve: as libxl, that would go to QEMU): QEMU opens the
 * target itself, in any format it reads, so nothing is attached here.
 */
static int prepare_qdisk(struct light_ctx *c, struct vbd_dev *v,
                         const struct vbd_dev *earlier, size_t nearlier)
{
	const struct light_disk *d = v->disk;
	const char *qemu = light_qdisk_qemu();
	char params[8], err[300] = "";
	struct stat st;

	if (d->script && !script_is_inline(d->script))
		return lc_fail(c, EINVAL, "disk %s: script= does not apply to "
		               "backendtype=qdisk (QEMU opens the target itself)",
		               d->vdev);
	if (light_qdisk_params(d->format, NULL, params, sizeof(params)) < 0)
		return lc_fail(c, EINVAL, "disk %s: format=%s is not one QEMU's "
		               "qdisk backend reads (raw, qcow, qcow2, vhd, qed)",
		               d->vdev, d->format);
	if (access(qemu, X_OK) < 0)
		return lc_fail(c, errno, "disk %s: backendtype=qdisk needs QEMU's "
		               "Xen build as the disk backend: %s: %s (install "
		               "qemu-system-xen)", d->vdev, qemu, strerror(errno));
	/* Two things Debian's QEMU (7.2) cannot do through the xenstore
	 * backend, found on Xen: its xen-block stats params' path even for
	 * an empty drive, and opens a mode "r" disk's image read-only under
	 * a writable node, which fails ("Block node is read-only"); a cdrom
	 * asks for read-only access and works. */
	if (!d->target)
		return lc_fail(c, ENOTSUP, "disk %s: an empty cdrom cannot be "
		               "served: QEMU's xen-block backend (qemu-system-xen "
		               "7.2) opens params' path and an empty drive has none; "
		               "give the cdrom an image (target=PATH)", d->vdev);
	if (!d->readwrite && !d->cdrom)
		return lc_fail(c, ENOTSUP, "disk %s: QEMU's xen-block backend "
		               "(qemu-system-xen 7.2) cannot serve a read-only disk "
		               "(\"Block node is read-only\"); leave backendtype out "
		               "(blkback serves it read-only) or make it devtype=cdrom",
		               d->vdev);
	v->host = VBD_HOST_QEMU;
	v->rdev = 0;
	snprintf(v->hostdev, sizeof(v->hostdev), "%s", "");
	if (stat(d->target, &st) < 0)
		return light_error(c, errno, "disk %s: %s", d->vdev, d->target);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return lc_fail(c, EINVAL, "disk %s: %s is neither a block device "
		               "nor a regular file", d->vdev, d->target);
	if (hb_identity(d->target, &v->ident, err, sizeof(err)) < 0)
		return lc_fail(c, errno, "disk %s: %s", d->vdev, err);
	return check_sharing(c, v, earlier, nearlier);
}

/* A disk whose script= sets up the host side: check what can be checked
 * before the script runs. */
static int prepare_script(struct light_ctx *c, struct vbd_dev *v)
{
	const struct light_disk *d = v->disk;
	int n;

	if (d->format && strcmp(d->format, "raw") != 0)
		return lc_fail(c, EINVAL, "disk %s: script= serves raw targets "
		               "only, not format=%s", d->vdev, d->format);
	n = d->script[0] == '/' ?
	    snprintf(v->script, sizeof(v->script), "%s", d->script) :
	    snprintf(v->script, sizeof(v->script), "%s/%s", VBD_SCRIPT_DIR, d->script);
	if (n < 0 || (size_t)n >= sizeof(v->script))
		return lc_fail(c, ENAMETOOLONG, "disk %s: script path too long", d->vdev);
	if (access(v->script, X_OK) < 0)
		return light_error(c, errno, "disk %s: script %s", d->vdev, v->script);
	v->host = VBD_HOST_SCRIPT;
	v->rdev = 0;
	v->hostdev[0] = '\0';
	return 0;
}

/*
 * Check one disk and give it its host device.  `earlier` are the disks
 * of the same guest prepared before it (they are not in xenstore yet).
 */
static int vbd_prepare(struct light_ctx *c, struct vbd_dev *v,
                       const struct vbd_dev *earlier, size_t nearlier)
{
	const struct light_disk *d = v->disk;
	char err[300];
	struct stat st;
	bool rw = d->readwrite && !d->cdrom;

	err[0] = '\0';
	if (light_disk_vdev_to_devid(d->vdev, &v->devid) < 0)
		return lc_fail(c, EINVAL, "disk %s: invalid virtual disk name", d->vdev);
	if ((d->backendtype && strcmp(d->backendtype, "qdisk") == 0) ||
	    (!d->target && !d->backendtype))
		return prepare_qdisk(c, v, earlier, nearlier);
	if (!d->target)
		return lc_fail(c, EINVAL, "disk %s: an empty cdrom needs "
		               "backendtype=qdisk (blkback serves devices only)",
		               d->vdev);
	if (d->backendtype && strcmp(d->backendtype, "tap") == 0)
		return lc_fail(c, ENOTSUP, "disk %s: backendtype=tap needs tapdisk "
		               "(blktap), which Debian does not ship; use "
		               "backendtype=phy", d->vdev);
	if (d->backendtype && strcmp(d->backendtype, "phy") != 0)
		return lc_fail(c, ENOTSUP, "disk %s: backendtype=%s: expected phy, "
		               "qdisk or tap", d->vdev, d->backendtype);
	if (d->script && !script_is_inline(d->script))
		return prepare_script(c, v);
	if (stat(d->target, &st) < 0)
		return light_error(c, errno, "disk %s: %s", d->vdev, d->target);
	if (hb_identity(d->target, &v->ident, err, sizeof(err)) < 0)
		return lc_fail(c, errno, "disk %s: %s", d->vdev, err);

	if (check_sharing(c, v, earlier, nearlier) < 0)
		return -1;

	if (S_ISBLK(st.st_mode)) {
		/* phy: blkback opens the device itself. */
		if (d->format && strcmp(d->format, "raw") != 0)
			return lc_fail(c, EINVAL, "disk %s: %s is a block device, "
			               "format=%s makes no sense for it", d->vdev,
			               d->target, d->format);
		v->host = VBD_HOST_NONE;
		v->rdev = st.st_rdev;
		snprintf(v->hostdev, sizeof(v->hostdev), "%s", "");
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return lc_fail(c, EINVAL, "disk %s: %s is neither a block device "
		               "nor a regular file", d->vdev, d->target);
	if (!d->format || strcmp(d->format, "raw") == 0) {
		if (hb_loop_attach(d->target, rw, v->hostdev, sizeof(v->hostdev),
		                   &v->rdev, err, sizeof(err)) < 0)
			return lc_fail(c, errno, "disk %s: %s", d->vdev, err);
		v->host = VBD_HOST_LOOP;
	} else {
		if (hb_nbd_attach(d->target, d->format, rw, v->hostdev,
		                  sizeof(v->hostdev), &v->rdev, err, sizeof(err)) < 0)
			return lc_fail(c, errno, "disk %s: %s", d->vdev, err);
		v->host = VBD_HOST_NBD;
	}
	return 0;
}

/* Detach what vbd_prepare attached.  0, or -1 with the message. */
static int host_detach(struct light_ctx *c, enum vbd_host host,
                       const char *dev)
{
	char err[300] = "";
	int rc = 0;

	if (host == VBD_HOST_LOOP)
		rc = hb_loop_detach(dev, err, sizeof(err));
	else if (host == VBD_HOST_NBD)
		rc = hb_nbd_detach(dev, err, sizeof(err));
	if (rc < 0)
		return lc_fail(c, errno, "cannot detach %s: %s", dev, err);
	return 0;
}

/* Undo vbd_prepare on a failure path: keep the failure's message. */
static void vbd_unprepare(struct light_ctx *c, struct vbd_dev *v)
{
	char keep[sizeof(c->err)];
	int e = errno;

	snprintf(keep, sizeof(keep), "%s", c->err);
	(void)host_detach(c, v->host, v->hostdev);
	v->host = VBD_HOST_NONE;
	snprintf(c->err, sizeof(c->err), "%s", keep);
	errno = e;
}

/*
 * Write one disk's xenstore halves, as libxl's device_disk_add writes
 * them.  blkback (vbd) gets params = the target and, unless a script
 * does it, what upstream's block script would write (node,
 * physical-device); QEMU (qdisk) takes every backend node other than
 * state/online/frontend* as its parameters, params as FORMAT:PATH, and
 * libxl always writes discard-enable for it.
 */
static int vbd_write(struct light_ctx *c, uint32_t domid, struct vbd_dev *v)
{
	const struct light_disk *d = v->disk;
	struct dev_id id = { vbd_kind(v), domid, 0, v->devid };
	struct dev_nodes back = { 0 }, front = { 0 }, book = { 0 };
	bool rw = d->readwrite && !d->cdrom;
	bool qdisk = v->host == VBD_HOST_QEMU;
	bool by_script = v->host == VBD_HOST_SCRIPT;
	bool blkback_host = !qdisk && !by_script;
	const char *devtype = d->cdrom ? "cdrom" : "disk";
	const char *node = v->host == VBD_HOST_NONE ? d->target : v->hostdev;
	char params[PATH_MAX + 16];
	int rc = -1;

	if (qdisk && light_qdisk_params(d->format, d->target, params,
	                                sizeof(params)) < 0)
		return lc_fail(c, errno, "disk %s: cannot form params", d->vdev);
	if (!qdisk)
		snprintf(params, sizeof(params), "%s", d->target);

	if (dev_nodes_add(&back, "params", "%s", params) < 0 ||
	    dev_nodes_add(&back, "type", "%s", qdisk ? "qdisk" : "phy") < 0 ||
	    dev_nodes_add(&back, "mode", "%s", rw ? "w" : "r") < 0 ||
	    dev_nodes_add(&back, "device-type", "%s", devtype) < 0 ||
	    dev_nodes_add(&back, "removable", "%d", d->cdrom ? 1 : 0) < 0 ||
	    dev_nodes_add(&back, "bootable", "1") < 0 ||
	    dev_nodes_add(&back, "dev", "%s", d->vdev) < 0 ||
	    /* The user's script writes the rest itself... */
	    (by_script &&
	     dev_nodes_add(&back, "script", "%s", v->script) < 0) ||
	    /* ...which is what upstream's block script would have written. */
	    (blkback_host &&
	     (dev_nodes_add(&back, "node", "%s", node) < 0 ||
	      dev_nodes_add(&back, "physical-device-path", "%s", node) < 0 ||
	      dev_nodes_add(&back, "physical-device", "%x:%x",
	                    major(v->rdev), minor(v->rdev)) < 0)) ||
	    ((qdisk || d->discard >= 0) &&
	     dev_nodes_add(&back, "discard-enable", "%d", d->discard > 0) < 0) ||
	    (d->direct_io_safe &&
	     dev_nodes_add(&back, "direct-io-safe", "1") < 0) ||
	    dev_nodes_add(&front, "virtual-device", "%u", v->devid) < 0 ||
	    dev_nodes_add(&front, "device-type", "%s", devtype) < 0 ||
	    dev_nodes_add(&front, "trusted", "1") < 0 ||
	    dev_nodes_add(&book, "lightstack-host", "%s", host_names[v->host]) < 0 ||
	    dev_nodes_add(&book, "lightstack-hostdev", "%s", v->hostdev) < 0 ||
	    dev_nodes_add(&book, "lightstack-share", "%d", d->share_writable) < 0 ||
	    dev_nodes_add(&book, "lightstack-format", "%s",
	                  d->format ? d->format : "raw") < 0) {
		light_error(c, ENOMEM, "disk %s", d->vdev);
		goto out;
	}
	if (dev_write_pair(c, &id, &back, &front, &book) < 0)
		goto out;
	v->written = true;
	rc = 0;
out:
	dev_nodes_free(&back);
	dev_nodes_free(&front);
	dev_nodes_free(&book);
	return rc;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run disk devid's block script with `action` ("add", "remove") and
 * libxl's environment.  0, or -1 with a message naming the disk and, if
 * the script left one, its hotplug-error. */
static int run_block_script(struct light_ctx *c, uint32_t domid, uint32_t devid,
                            const char *script, const char *action)
{
	char e_script[PATH_MAX + 8], e_path[96], err[300], *he;
	char *env[] = { e_script, "XENBUS_TYPE=vbd", e_path,
	                "XENBUS_BASE_PATH=backend", NULL };
	const char *argv[] = { script, action, NULL };
	int e;

	snprintf(e_script, sizeof(e_script), "script=%s", script);
	snprintf(e_path, sizeof(e_path), "XENBUS_PATH=backend/vbd/%u/%u", domid, devid);
	if (hn_run_hotplug(argv, env, VBD_SCRIPT_TIMEOUT_MS, err, sizeof(err)) == 0)
		return 0;
	e = errno;
	he = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/backend/vbd/%u/%u/hotplug-error",
	                    domid, devid);
	lc_fail(c, e, "vbd %u: %s%s%s", devid, err, he && *he ? "; hotplug-error: " : "",
	        he && *he ? he : "");
	free(he);
	return -1;
}

/*
 * A script disk's "add", then wait, bounded, for what it must leave
 * behind: physical-device (blkback opens that) or hotplug-error.
 */
static int vbd_hotplug(struct light_ctx *c, uint32_t domid, struct vbd_dev *v)
{
	char be[96], *pd, *he;
	long long start;
	int bound;

	if (v->host != VBD_HOST_SCRIPT)
		return 0;
	v->script_added = true;      /* even a failed add gets its remove */
	if (run_block_script(c, domid, v->devid, v->script, "add") < 0)
		return -1;
	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%u", domid, v->devid);
	bound = dev_backend_timeout(-1);
	start = mono_ms();
	for (;;) {
		pd = light_xs_readf(c, XSC_NO_TX, "%s/physical-device", be);
		if (pd && *pd) {
			free(pd);
			return 0;
		}
		free(pd);
		he = light_xs_readf(c, XSC_NO_TX, "%s/hotplug-error", be);
		if (he && *he) {
			lc_fail(c, EIO, "disk %s: script %s: hotplug-error: %s",
			        v->disk->vdev, v->script, he);
			free(he);
			return -1;
		}
		free(he);
		if (mono_ms() - start >= bound)
			return lc_fail(c, ETIMEDOUT, "disk %s: script %s add wrote no "
			               "physical-device in %d ms", v->disk->vdev,
			               v->script, bound);
		light_wait_event(c, 200);
	}
}

static void vbd_unwrite(struct light_ctx *c, uint32_t domid, struct vbd_dev *v)
{
	struct dev_id id = { vbd_kind(v), domid, 0, v->devid };
	int e = errno;
	char keep[sizeof(c->err)];

	/* The guest has not run: nobody to hand-shake with.  A script's
	 * "remove" still needs the nodes (it reads them). */
	snprintf(keep, sizeof(keep), "%s", c->err);
	if (v->written && v->script_added) {
		(void)dev_remove_one(c, vbd_kind_ops(v), &id, true, 0);
		v->script_added = false;
	} else if (v->written) {
		(void)dev_remove(c, &id, true, 0);
	}
	v->written = false;
	snprintf(c->err, sizeof(c->err), "%s", keep);
	errno = e;
}

static int vbd_wait(struct light_ctx *c, uint32_t domid, const struct vbd_dev *v)
{
	struct dev_id id = { vbd_kind(v), domid, 0, v->devid };

	return dev_wait_backend_state(c, &id,
	                              DEV_STATE_BIT(DEV_STATE_INITWAIT) |
	                              DEV_STATE_BIT(DEV_STATE_CONNECTED), -1, NULL);
}

/* ---- create's steps --------------------------------------------------- */

int vbd_step_host(struct light_devices *d)
{
	size_t i, n = d->dc->ndisks;

	if (!d->vbd) {
		d->vbd = calloc(1, sizeof(*d->vbd) + n * sizeof(d->vbd->dev[0]));
		if (!d->vbd)
			return light_error(d->c, ENOMEM, "disks");
	}
	for (i = 0; i < n; i++) {
		struct vbd_dev *v = &d->vbd->dev[i];

		v->disk = &d->dc->disks[i];
		if (vbd_prepare(d->c, v, d->vbd->dev, i) < 0)
			return -1;
		d->vbd->n = i + 1;
		if (d->marker && v->host == VBD_HOST_LOOP)
			light_create_mark_host(d->marker, "loop", v->hostdev, &v->ident);
		else if (d->marker && v->host == VBD_HOST_NBD)
			light_create_mark_host(d->marker, "nbd", v->hostdev, NULL);
	}
	return 0;
}

void vbd_undo_host(struct light_devices *d)
{
	size_t i;

	if (!d->vbd)
		return;
	for (i = d->vbd->n; i > 0; i--)
		vbd_unprepare(d->c, &d->vbd->dev[i - 1]);
	d->vbd->n = 0;
}

int vbd_step_backend(struct light_devices *d)
{
	char p[96];
	size_t i;

	/* A new domain has no backends: whatever is under its id is left
	 * over from an earlier domain that had it (a crashed toolstack). */
	snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u", d->domid);
	(void)xsc_rm(d->c->xs, XSC_NO_TX, p);
	snprintf(p, sizeof(p), "/local/domain/0/error/backend/vbd/%u", d->domid);
	(void)xsc_rm(d->c->xs, XSC_NO_TX, p);
	for (i = 0; d->vbd && i < d->vbd->n; i++)
		if (vbd_write(d->c, d->domid, &d->vbd->dev[i]) < 0)
			return -1;
	return 0;
}

void vbd_undo_backend(struct light_devices *d)
{
	size_t i;

	for (i = d->vbd ? d->vbd->n : 0; i > 0; i--)
		vbd_unwrite(d->c, d->domid, &d->vbd->dev[i - 1]);
}

/* Does any of the prepared disks need QEMU? */
static bool any_qdisk(const struct vbd_create *vc)
{
	size_t i;

	for (i = 0; vc && i < vc->n; i++)
		if (vc->dev[i].host == VBD_HOST_QEMU)
			return true;
	return false;
}

int vbd_step_devmodel(struct light_devices *d)
{
	if (!any_qdisk(d->vbd))
		return 0;
	return light_devmodel_start(d->c, d->domid, d->dc->name);
}

void vbd_undo_devmodel(struct light_devices *d)
{
	if (any_qdisk(d->vbd))
		light_devmodel_stop(d->c, d->domid);
}

int vbd_step_wait(struct light_devices *d)
{
	size_t i;

	for (i = 0; d->vbd && i < d->vbd->n; i++)
		if (vbd_wait(d->c, d->domid, &d->vbd->dev[i]) < 0 ||
		    vbd_hotplug(d->c, d->domid, &d->vbd->dev[i]) < 0)
			return -1;
	return 0;
}

void vbd_create_done(struct light_devices *d)
{
	free(d->vbd);
	d->vbd = NULL;
}

/* ---- the kind ------------------------------------------------------- */

static int vbd_release(struct light_ctx *c, const struct dev_id *id,
                       const struct dev_nodes *book)
{
	const char *host = dev_nodes_get(book, "lightstack-host");
	const char *dev = dev_nodes_get(book, "lightstack-hostdev");

	(void)id;
	if (!host || !dev || !*dev)
		return 0;           /* phy, or not ours */
	if (strcmp(host, "loop") == 0)
		return host_detach(c, VBD_HOST_LOOP, dev);
	if (strcmp(host, "nbd") == 0)
		return host_detach(c, VBD_HOST_NBD, dev);
	return 0;
}

/* A script disk's "remove", while its nodes are still there. */
static int vbd_unplug(struct light_ctx *c, const struct dev_id *id,
                      const struct dev_nodes *book)
{
	const char *host = dev_nodes_get(book, "lightstack-host");
	char *script;
	int rc;

	if (!host || strcmp(host, "script") != 0)
		return 0;
	script = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/backend/vbd/%u/%u/script",
	                        id->domid, id->devid);
	if (!script || !*script) {
		free(script);
		return lc_fail(c, ENOENT, "vbd %u of domain %u: no script node to "
		               "run remove with", id->devid, id->domid);
	}
	rc = run_block_script(c, id->domid, id->devid, script, "remove");
	free(script);
	return rc;
}

const struct dev_ops vbd_ops = {
	.kind = "vbd",
	.release = vbd_release,
	.unplug = vbd_unplug,
};

/* QEMU opens and closes a qdisk's target itself: nothing on the host. */
const struct dev_ops qdisk_ops = {
	.kind = "qdisk",
};

/* ---- hot plug (light_block.h) ---------------------------------------- */

int light_disk_attach(struct light_ctx *c, uint32_t domid,
                      const struct light_disk *disk, uint32_t *devid)
{
	struct ctrl_dominfo info;
	struct vbd_dev v;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (domid == 0)
		return lc_fail(c, EINVAL, "disks cannot be attached to domain 0");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0 || info.dying)
		return lc_fail(c, ESRCH, "domain %u does not exist", domid);
	bool dm_started = false;

	memset(&v, 0, sizeof(v));
	v.disk = disk;
	if (vbd_prepare(c, &v, NULL, 0) < 0)
		return -1;
	if (vbd_write(c, domid, &v) < 0) {
		vbd_unprepare(c, &v);
		return -1;
	}
	/* The first qdisk of a guest brings its QEMU; later ones are found
	 * by the QEMU that runs (it watches backend/qdisk/D). */
	if (v.host == VBD_HOST_QEMU && !light_devmodel_running(c, domid)) {
		dm_started = true;
		if (light_devmodel_start(c, domid, NULL) < 0)
			goto undo;
	}
	/* The stored config learns the disk last: a restart recreates it,
	 * and if that cannot be recorded the attach is undone rather than
	 * leaving a disk the next boot would lose. */
	if (vbd_wait(c, domid, &v) < 0 || vbd_hotplug(c, domid, &v) < 0 ||
	    dev_store_add_disk(c, domid, v.devid, disk) < 0)
		goto undo;
	if (devid)
		*devid = v.devid;
	return 0;
undo:
	if (dm_started)
		light_devmodel_stop(c, domid);
	vbd_unwrite(c, domid, &v);
	vbd_unprepare(c, &v);
	return -1;
}

int light_disk_detach(struct light_ctx *c, uint32_t domid, uint32_t devid,
                      bool force)
{
	char *st;
	bool qdisk;

	if (light_need_xs(c) < 0)
		return -1;
	/* Which backend serves it: QEMU's, when backend/qdisk has it. */
	st = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/backend/qdisk/%u/%u/state",
	                    domid, devid);
	qdisk = st != NULL;
	free(st);
	return dev_detach(c, qdisk ? &qdisk_ops : &vbd_ops, domid, devid, force);
}

static int cmp_disk_info(const void *a, const void *b)
{
	uint32_t x = ((const struct light_disk_info *)a)->devid;
	uint32_t y = ((const struct light_disk_info *)b)->devid;

	return x < y ? -1 : x > y;
}

int light_disk_list(struct light_ctx *c, uint32_t domid,
                    struct light_disk_info **out)
{
	static const char *const kinds[] = { "vbd", "qdisk" };
	struct light_disk_info *list = NULL;
	uint32_t *ids[2] = { NULL, NULL };
	char fe[128];
	int nk[2], n, i, k;

	*out = NULL;
	/* blkback's disks, then QEMU's: both are vbds to the guest. */
	for (k = 0; k < 2; k++)
		if ((nk[k] = dev_list(c, kinds[k], domid, &ids[k])) < 0) {
			free(ids[0]);
			return -1;
		}
	n = nk[0] + nk[1];
	if (n == 0)
		return 0;
	list = calloc((size_t)n, sizeof(*list));
	if (!list) {
		free(ids[0]);
		free(ids[1]);
		return light_error(c, ENOMEM, "disk list");
	}
	for (i = 0; i < n; i++) {
		struct light_disk_info *l = &list[i];
		int kk = i < nk[0] ? 0 : 1;
		uint32_t devid = kk == 0 ? ids[0][i] : ids[1][i - nk[0]];
		struct dev_id id = { kinds[kk], domid, 0, devid };
		char *v;

		l->devid = devid;
		l->backend_id = 0;
		l->frontend_id = domid;
		(void)dev_backend_path(&id, l->backend, sizeof(l->backend));
		(void)dev_frontend_path(&id, fe, sizeof(fe));
		l->state = dev_read_num(c, fe, "state");
		l->evtchn = dev_read_num(c, fe, "event-channel");
		l->ring_ref = dev_read_num(c, fe, "ring-ref");
		if ((v = light_xs_readf(c, XSC_NO_TX, "%s/dev", l->backend)) != NULL)
			snprintf(l->vdev, sizeof(l->vdev), "%s", v);
		free(v);
		if ((v = light_xs_readf(c, XSC_NO_TX, "%s/params", l->backend)) != NULL)
			snprintf(l->target, sizeof(l->target), "%s", v);
		free(v);
		v = light_xs_readf(c, XSC_NO_TX, "%s/mode", l->backend);
		l->readwrite = v && strchr(v, 'w');
		free(v);
	}
	free(ids[0]);
	free(ids[1]);
	qsort(list, (size_t)n, sizeof(*list), cmp_disk_info);
	*out = list;
	return n;
}
