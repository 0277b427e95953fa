/*
 * light_block.h - a running guest's virtual disks (vbd): hot attach,
 * detach and listing, as `xl block-attach/-detach/-list` use them.
 *
 * Disks given in disk= are attached by light_domain_create itself; these
 * calls are for adding and removing disks while the guest runs (the
 * guest's blkfront sees the new xvd* appear and disappear).
 *
 * How a disk is served (the same for create and hot attach): a block
 * device target is given to Dom0's xen-blkback as it is; a raw image file
 * gets a loop device, any other format (qcow2, vmdk, ...) an nbd device
 * served by qemu-nbd, both read-only when the disk is.  They are detached
 * again when the disk is removed.  A target already attached writable to
 * a guest (this one or another) is refused unless the new disk says w!;
 * so is any second use of it when either use is writable.
 *
 * script= (not upstream's "block", which is the above) runs the user's
 * block script instead, as libxl does: "SCRIPT add" when blkback waits
 * (environment script=, XENBUS_TYPE=vbd, XENBUS_PATH=backend/vbd/D/N,
 * XENBUS_BASE_PATH=backend), then a bounded wait until it has written
 * physical-device (failure: its hotplug-error or exit status in the
 * message, and "SCRIPT remove" is run); "SCRIPT remove" again when the
 * disk goes, before its nodes are removed.  Such a target is the
 * script's: Lightstack neither stats it nor checks its sharing.
 *
 * Attach and detach keep the domain's stored configuration in step (the
 * disk as given is added to, or removed from, its "disks"), so that a
 * restart of the guest recreates exactly the disks it has.
 *
 * Conventions of light_ctx.h: -1 with errno and light_errmsg() on failure.
 *
 * Threads: these calls take a light_ctx and follow its rule (light_ctx.h):
 * one thread per context at a time; different contexts may run at once.
 */
#ifndef LIGHTSTACK_LIGHT_BLOCK_H
#define LIGHTSTACK_LIGHT_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "light_config.h"

struct light_ctx;

/*
 * Attach `disk` (see light_disk_parse) to running domain `domid` and wait
 * (bounded) until Dom0's backend is ready.  *devid (may be NULL) receives
 * the disk's device number.  All or nothing: on failure no loop or nbd
 * device and no xenstore node is left.  EEXIST when the guest already has
 * a disk with that vdev, EBUSY when the sharing check refuses it.
 */
int light_disk_attach(struct light_ctx *c, uint32_t domid,
                      const struct light_disk *disk, uint32_t *devid);

/*
 * Remove disk `devid` from domain `domid`: the guest is asked to close it
 * (bounded wait), then its nodes go and its loop or nbd device is
 * detached.  `force` skips the wait.  Returns 0 when the guest closed the
 * disk, 1 when it was removed without that (forced, or the guest did not
 * answer in time), -1 on failure (ENOENT: no such disk).
 */
int light_disk_detach(struct light_ctx *c, uint32_t domid, uint32_t devid,
                      bool force);

/* One disk of a domain as `xl block-list` prints it (libxl_diskinfo). */
struct light_disk_info {
	uint32_t devid;         /* "Vdev" */
	uint32_t backend_id;    /* "BE" */
	uint32_t frontend_id;   /* "handle": the guest's domid, as libxl */
	int state;              /* the frontend's XenbusState, -1 unknown */
	int evtchn;             /* the frontend's event-channel, -1 none */
	int ring_ref;           /* the frontend's ring-ref, -1 none */
	char backend[128];      /* backend path */
	char vdev[32];          /* backend "dev" ("xvda"), "" unknown */
	char target[256];       /* backend "params", "" unknown */
	bool readwrite;         /* backend "mode" is w */
};

/*
 * The disks of domain `domid`, ascending devid.  *out is malloc'd (NULL
 * when there are none); returns the count or -1.
 */
int light_disk_list(struct light_ctx *c, uint32_t domid,
                    struct light_disk_info **out);

#endif /* LIGHTSTACK_LIGHT_BLOCK_H */
