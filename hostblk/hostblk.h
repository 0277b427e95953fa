/*
 * hostblk.h - Lightstack's OS layer for guest disks: turning what a user
 * names in `disk=` into a block device that Dom0's xen-blkback can serve.
 *
 *  - A raw image file becomes a loop device (/dev/loopN), attached with
 *    the loop-control and LOOP_CONFIGURE ioctls.
 *  - An image in a format only QEMU understands (qcow2, vmdk, vdi, ...)
 *    becomes an nbd device (/dev/nbdN) served by a forked qemu-nbd.
 *  - hb_identity() tells whether two targets are really the same storage,
 *    so liblight can refuse to give it writable to two guests (upstream's
 *    `w!` rule) even when one names a file and the other the loop device
 *    already attached to it.
 *
 * This layer knows nothing about Xen or xenstore: liblight's vbd device
 * calls it and writes the resulting major:minor into blkback's
 * `physical-device` node.
 *
 * Conventions: functions return 0 on success and -1 on failure with errno
 * set; there is no handle, so each call takes an `err` buffer (errlen
 * bytes, may be NULL/0) that receives a one-line message naming what
 * failed and on what ("/srv/a.img: No such file or directory",
 * "qemu-nbd not found: install qemu-utils").  Nothing is printed.  A
 * failed attach leaves nothing behind: no loop or nbd device stays bound
 * and no qemu-nbd process keeps running.
 *
 * Threads: there is no handle and no shared state; calls may run in
 * several threads at once (a loop attach that loses the free device to
 * another thread or process retries with the next one).
 *
 * Everything here needs root (CAP_SYS_ADMIN for the loop and nbd ioctls).
 */
#ifndef LIGHTSTACK_HOSTBLK_H
#define LIGHTSTACK_HOSTBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Big enough for any "/dev/loopN" or "/dev/nbdN" this layer returns. */
#define HB_DEVPATH_MAX 32

/* ---- Loop devices (raw image files) ---------------------------------- */

/*
 * Attach the regular file `file` to a free loop device: LOOP_CTL_GET_FREE
 * on /dev/loop-control, then one LOOP_CONFIGURE, with LO_FLAGS_READ_ONLY
 * when !writable (the kernel then refuses every write, whoever opens the
 * device).  Direct I/O is never asked for.  When another process grabs
 * the same free device between the two ioctls (EBUSY), the attach asks
 * for another one, a bounded number of times.
 *
 * The device stays bound after this call returns, until hb_loop_detach():
 * that is what a toolstack process that exits after `xl create` needs.
 * hb_loop_detach() at teardown turns into autoclear by itself if blkback
 * still holds the device.
 *
 * On success fills `devpath` (len bytes, at least HB_DEVPATH_MAX) with
 * "/dev/loopN" and `*dev` with its device number (st_rdev); either
 * pointer may be NULL when not wanted.  Errors: ENOENT (file missing,
 * named in err), EISDIR/EINVAL (not a regular file), EACCES/EROFS (a
 * writable attach of a file that cannot be written), ENODEV (no loop
 * driver: "modprobe loop"), EAGAIN (no free device after the retries).
 */
int hb_loop_attach(const char *file, bool writable, char *devpath, size_t len,
                   dev_t *dev, char *err, size_t errlen);

/*
 * The same with LO_FLAGS_AUTOCLEAR: *holdfd receives an open fd on the
 * loop device (O_CLOEXEC), and the kernel frees the device at the last
 * close of any of its openers.  So closing *holdfd before anyone else
 * opened the device undoes the attach completely, and closing it after
 * blkback opened the device leaves blkback's final close to free it.
 * Note that blkback opens the device asynchronously, when it processes
 * `physical-device`, and that its InitWait state does not prove it has
 * (Connected does).
 */
int hb_loop_attach_autoclear(const char *file, bool writable, char *devpath,
                             size_t len, dev_t *dev, int *holdfd, char *err,
                             size_t errlen);

/*
 * Detach a loop device (LOOP_CLR_FD).  A device that is already free
 * (ENXIO) counts as success, so teardown may call this after the kernel's
 * autoclear already did the work.  When the device is still open (blkback
 * has not let it go yet) the kernel defers the clear to the last close
 * (autoclear); that also counts as success.  Fails with ENOTBLK when
 * `devpath` is not a loop device.
 */
int hb_loop_detach(const char *devpath, char *err, size_t errlen);

/* ---- nbd devices (qcow2 and the other formats qemu-img knows) -------- */

/*
 * Serve `file` in format `format` ("qcow2", "raw", "vmdk", ...; NULL or
 * "" lets qemu-nbd probe, which upstream discourages: pass it) on a free
 * /dev/nbdN through `qemu-nbd --fork --connect=/dev/nbdN --format=FMT
 * [--read-only] FILE` (its unix socket in /run/lightstack, created
 * 0700, rather than qemu-nbd's default /var/lock), loading the nbd module
 * (nbds_max=16) first when /sys/module/nbd is absent.  A device is free when its sysfs size is 0
 * and it has no pid file.  The attach waits (bounded, a few seconds)
 * until the kernel reports a non-zero size on the device.
 *
 * Fills `devpath`/`*dev` like hb_loop_attach().  Errors: ENOENT for a
 * missing file (named) or a missing qemu-nbd ("qemu-nbd not found:
 * install qemu-utils"), ENODEV when the nbd module cannot be loaded,
 * EINVAL for a format qemu-nbd refuses (its own message is passed on),
 * EAGAIN when every nbd device is busy, ETIMEDOUT when the device never
 * got a size (the server is stopped again and the device disconnected).
 */
int hb_nbd_attach(const char *file, const char *format, bool writable,
                  char *devpath, size_t len, dev_t *dev, char *err,
                  size_t errlen);

/*
 * Disconnect an nbd device (NBD_DISCONNECT and NBD_CLEAR_SOCK, what
 * `qemu-nbd --disconnect` does; its qemu-nbd then exits) and wait,
 * bounded, until its size is 0 and no server is attached.  A device that
 * is already disconnected counts as success.
 */
int hb_nbd_detach(const char *devpath, char *err, size_t errlen);

/* ---- Identity of a disk target, for the w! sharing check ------------- */

/*
 * What storage a path really is.  Two targets are the same storage when
 * they are the same block device (rdev) or the same file (dev, ino).  A
 * loop device is both: its own rdev, and the (dev, ino) of its backing
 * file, so "file:/srv/a.img" and "phy:/dev/loop3" (bound to that file)
 * compare equal.  An nbd device's backing file is not known to the kernel;
 * it compares by rdev only.
 */
struct hb_identity {
	bool  is_block; /* path is a block device (rdev valid) */
	dev_t rdev;     /* its device number, when is_block */
	bool  has_file; /* (dev, ino) valid: a regular file, or a loop's backing file */
	dev_t dev;      /* st_dev of the file */
	ino_t ino;      /* st_ino of the file */
};

/*
 * Fill `id` for `path`, following symlinks (/dev/vg/x -> /dev/dm-3).  A
 * regular file gets has_file; a block device gets is_block, and a bound
 * loop device also its backing file (LOOP_GET_STATUS64).  ENOENT names a
 * missing path; other file types fail with EINVAL.
 */
int hb_identity(const char *path, struct hb_identity *id, char *err,
                size_t errlen);

/* True when a and b are the same storage (see struct hb_identity). */
bool hb_identity_same(const struct hb_identity *a, const struct hb_identity *b);

#endif /* LIGHTSTACK_HOSTBLK_H */
