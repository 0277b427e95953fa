/*
 * ctrl_ring.c - mapping the one-page rings a guest shares with a backend
 * (its xenstore page, its console page): the reserved grant first, the
 * published frame as a fallback.  See libctrl.h for why there are two ways.
 *
 * Both the xenstore daemon and the console daemon need exactly this; it
 * lives here, below both, so that the order of attempts, the error
 * reporting and the matching unmap exist once.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ctrl_internal.h"

/* The handle's gntdev, opened on first use.  A failed open is remembered
 * (gnt_errno) so that a host without gntdev does not retry it on every
 * ring: the fallback is the normal path there. */
static struct pc_gntdev *
ring_gntdev(struct ctrl_handle *h)
{
	if (h->gnt == NULL && h->gnt_errno == 0) {
		h->gnt = pc_gntdev_open();
		if (h->gnt == NULL)
			h->gnt_errno = errno != 0 ? errno : ENODEV;
	}
	return h->gnt;
}

/* Try the grant.  Returns the page or NULL, with a description of the
 * failure in why[]. */
static void *
ring_by_grant(struct ctrl_handle *h, uint32_t domid, uint32_t gref,
              char *why, size_t whylen)
{
	struct pc_gntdev *g = ring_gntdev(h);
	void *p;

	if (g == NULL) {
		snprintf(why, whylen, "grant %u: no gntdev: %s", gref,
		         strerror(h->gnt_errno));
		errno = h->gnt_errno;
		return NULL;
	}
	p = pc_gnt_map(g, domid, &gref, 1, PROT_READ | PROT_WRITE);
	if (p == NULL)
		snprintf(why, whylen, "grant %u: %s", gref, strerror(errno));
	return p;
}

/* Map the frame as foreign memory.  The per-page error array is used so
 * that a frame the guest does not own reports its own errno (EFAULT,
 * ENOENT, ...) rather than a generic failure of the batch. */
static void *
ring_by_frame(struct ctrl_handle *h, uint32_t domid, uint64_t frame,
              char *why, size_t whylen)
{
	int err = 0;
	void *p;

	p = pc_map_foreign(h->pc, domid, PROT_READ | PROT_WRITE, &frame, &err,
	                   1);
	if (p != NULL && err != 0) {
		(void)pc_unmap(p, 1);
		p = NULL;
		errno = -err;
	}
	if (p == NULL)
		snprintf(why, whylen, "frame %#llx: %s",
		         (unsigned long long)frame, strerror(errno));
	return p;
}

int
ctrl_ring_map(struct ctrl_handle *h, uint32_t domid, uint32_t gref,
              uint64_t frame, unsigned flags, struct ctrl_ring *r)
{
	char gwhy[160] = "", fwhy[160] = "";
	void *p = NULL;

	memset(r, 0, sizeof(*r));
	if ((flags & CTRL_RING_NO_GRANT) && (flags & CTRL_RING_NO_FOREIGN))
		return ctrl_seterr(h, EINVAL, "ring of dom %u: no way to map "
		                   "it (both ways excluded)", domid);
	if (ctrl_check_domid(h, domid, "ring map") < 0)
		return -1;
	if (!(flags & CTRL_RING_NO_GRANT)) {
		p = ring_by_grant(h, domid, gref, gwhy, sizeof(gwhy));
		if (p != NULL) {
			r->by_grant = true;
			goto out;
		}
	}
	if (!(flags & CTRL_RING_NO_FOREIGN))
		p = ring_by_frame(h, domid, frame, fwhy, sizeof(fwhy));
	if (p == NULL) {
		int saved = errno != 0 ? errno : EINVAL;

		snprintf(h->err, sizeof(h->err), "ring of dom %u: %s%s%s",
		         domid, gwhy, gwhy[0] && fwhy[0] ? "; " : "", fwhy);
		errno = saved;
		return -1;
	}
out:
	r->page = p;
	r->domid = domid;
	return 0;
}

int
ctrl_ring_unmap(struct ctrl_handle *h, struct ctrl_ring *r)
{
	int rc = 0;

	if (r->page == NULL)
		goto out;
	if (r->by_grant) {
		/* Only ctrl_ring_map makes grant mappings, and only through
		 * this handle's gntdev. */
		if (h == NULL || h->gnt == NULL) {
			errno = EINVAL;
			return -1;
		}
		rc = pc_gnt_unmap(h->gnt, r->page, 1);
	} else {
		rc = pc_unmap(r->page, 1);
	}
out:
	memset(r, 0, sizeof(*r));
	return rc;
}
