/*
 * ctrl_mem.c - memory reservations, the guest memory map, foreign and
 * resource mappings, PV page-table pinning and event channel allocation:
 * what the PV domain builder needs besides the domctls.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_internal.h"

#include <xen/event_channel.h>
#include <xen/memory.h>

/* Extents per XENMEM_populate_physmap / decrease_reservation call: bounds
 * the bounce buffer (8 bytes per extent: 64 KiB) while keeping the number
 * of hypercalls for a 1 GiB guest of 4 KiB pages near 30. */
#define EXTENT_BATCH 8192

_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t),
               "xen_pfn_t must be 64 bits (x86_64 only)");

/* ---- Reservations ----------------------------------------------------- */

/*
 * One XENMEM_{populate_physmap,decrease_reservation} over extents[0..nr),
 * in batches.  Xen returns how many extents of a batch it handled; a short
 * count ends the loop (out of memory, over the domain's limit).  With
 * copy_back the (possibly rewritten) frame numbers are copied back: for
 * populate_physmap Xen writes the machine frames of a PV guest there.
 */
static long
reservation_op(struct ctrl_handle *h, unsigned cmd, const char *name,
               uint32_t domid, unsigned long nr, unsigned order,
               unsigned mem_flags, uint64_t *extents, bool copy_back)
{
	struct xen_memory_reservation r;
	xen_pfn_t *buf;
	unsigned long done = 0, chunk;
	size_t bsize;
	long rc = -1, got;
	int saved;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	if (nr == 0)
		return 0;
	if (extents == NULL)
		return ctrl_seterr(h, EINVAL, "%s dom %u: no extent list",
		                   name, domid);

	bsize = (nr < EXTENT_BATCH ? nr : EXTENT_BATCH) * sizeof(*buf);
	buf = pc_buf_alloc(h->pc, bsize);
	if (buf == NULL)
		return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));

	while (done < nr) {
		chunk = nr - done < EXTENT_BATCH ? nr - done : EXTENT_BATCH;
		memcpy(buf, extents + done, chunk * sizeof(*buf));
		memset(&r, 0, sizeof(r));
		set_xen_guest_handle(r.extent_start, buf);
		r.nr_extents = chunk;
		r.extent_order = order;
		r.mem_flags = mem_flags;
		r.domid = (domid_t)domid;
		got = ctrl_hypercall_arg(h, __HYPERVISOR_memory_op, cmd, &r,
		                         sizeof(r), name, domid);
		if (got < 0)
			goto out;
		if ((unsigned long)got > chunk) {
			ctrl_seterr(h, EIO, "%s dom %u: %ld extents done of %lu",
			            name, domid, got, chunk);
			goto out;
		}
		if (copy_back)
			memcpy(extents + done, buf, (size_t)got * sizeof(*buf));
		done += (unsigned long)got;
		if ((unsigned long)got < chunk)
			break;
	}
	rc = (long)done;
out:
	saved = errno;
	pc_buf_free(h->pc, buf, bsize);
	errno = saved;
	return rc;
}

long
ctrl_populate_physmap(struct ctrl_handle *h, uint32_t domid,
                      unsigned long nr_extents, unsigned extent_order,
                      unsigned mem_flags, uint64_t *extents)
{
	return reservation_op(h, XENMEM_populate_physmap,
	                      "XENMEM_populate_physmap", domid, nr_extents,
	                      extent_order, mem_flags, extents, true);
}

long
ctrl_decrease_reservation(struct ctrl_handle *h, uint32_t domid,
                          unsigned long nr_extents, unsigned extent_order,
                          const uint64_t *extents)
{
	/* Not written back (copy_back false), so the cast is safe. */
	return reservation_op(h, XENMEM_decrease_reservation,
	                      "XENMEM_decrease_reservation", domid, nr_extents,
	                      extent_order, 0, (uint64_t *)extents, false);
}

int
ctrl_domain_claim_pages(struct ctrl_handle *h, uint32_t domid,
                        unsigned long pages)
{
	struct xen_memory_reservation r;

	if (ctrl_check_domid(h, domid, "XENMEM_claim_pages") < 0)
		return -1;
	/* No extent list, order 0, no flags: Xen refuses anything else. */
	memset(&r, 0, sizeof(r));
	set_xen_guest_handle(r.extent_start, NULL);
	r.nr_extents = pages;
	r.domid = (domid_t)domid;
	return ctrl_hypercall_arg(h, __HYPERVISOR_memory_op, XENMEM_claim_pages,
	                          &r, sizeof(r), "XENMEM_claim_pages",
	                          domid) < 0 ? -1 : 0;
}

/* XENMEM ops whose argument is just a domain id. */
static long
memory_domain_op(struct ctrl_handle *h, unsigned cmd, const char *name,
                 uint32_t domid)
{
	struct xen_memory_domain md;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	memset(&md, 0, sizeof(md));
	md.domid = (domid_t)domid;
	return ctrl_hypercall_arg(h, __HYPERVISOR_memory_op, cmd, &md,
	                          sizeof(md), name, domid);
}

long
ctrl_domain_current_pages(struct ctrl_handle *h, uint32_t domid)
{
	return memory_domain_op(h, XENMEM_current_reservation,
	                        "XENMEM_current_reservation", domid);
}

long
ctrl_domain_maximum_gpfn(struct ctrl_handle *h, uint32_t domid)
{
	return memory_domain_op(h, XENMEM_maximum_gpfn, "XENMEM_maximum_gpfn",
	                        domid);
}

/* ---- Sharing counters ------------------------------------------------- */

/* Both sub-ops take no argument: the count is the hypercall's result. */
long
ctrl_sharing_freed_pages(struct ctrl_handle *h)
{
	return ctrl_hypercall_arg(h, __HYPERVISOR_memory_op,
	                          XENMEM_get_sharing_freed_pages, NULL, 0,
	                          "XENMEM_get_sharing_freed_pages",
	                          CTRL_NO_DOMID);
}

long
ctrl_sharing_used_pages(struct ctrl_handle *h)
{
	return ctrl_hypercall_arg(h, __HYPERVISOR_memory_op,
	                          XENMEM_get_sharing_shared_pages, NULL, 0,
	                          "XENMEM_get_sharing_shared_pages",
	                          CTRL_NO_DOMID);
}

/* ---- Memory map ------------------------------------------------------- */

_Static_assert(sizeof(struct ctrl_e820entry) == 20,
               "E820 entries are 20 bytes");

int
ctrl_domain_set_memory_map(struct ctrl_handle *h, uint32_t domid,
                           const struct ctrl_e820entry *map, unsigned n)
{
	struct xen_foreign_memory_map fmap;
	void *buf;
	size_t bsize;
	long rc;
	int saved;

	if (ctrl_check_domid(h, domid, "XENMEM_set_memory_map") < 0)
		return -1;
	if (map == NULL || n == 0 || n > CTRL_E820_MAX)
		return ctrl_seterr(h, EINVAL, "XENMEM_set_memory_map dom %u: "
		                   "%u entries (1..%d allowed)", domid, n,
		                   CTRL_E820_MAX);

	bsize = (size_t)n * sizeof(*map);
	buf = pc_buf_alloc(h->pc, bsize);
	if (buf == NULL)
		return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));
	memcpy(buf, map, bsize);

	memset(&fmap, 0, sizeof(fmap));
	fmap.domid = (domid_t)domid;
	fmap.map.nr_entries = n;
	set_xen_guest_handle(fmap.map.buffer, buf);
	rc = ctrl_hypercall_arg(h, __HYPERVISOR_memory_op,
	                        XENMEM_set_memory_map, &fmap, sizeof(fmap),
	                        "XENMEM_set_memory_map", domid);
	saved = errno;
	pc_buf_free(h->pc, buf, bsize);
	errno = saved;
	return rc < 0 ? -1 : 0;
}

/* ---- Event channels --------------------------------------------------- */

int
ctrl_evtchn_alloc_unbound(struct ctrl_handle *h, uint32_t domid,
                          uint32_t remote_domid)
{
	struct evtchn_alloc_unbound a;

	if (ctrl_check_domid(h, domid, "EVTCHNOP_alloc_unbound") < 0 ||
	    ctrl_check_domid(h, remote_domid,
	                     "EVTCHNOP_alloc_unbound (remote)") < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.dom = (domid_t)domid;
	a.remote_dom = (domid_t)remote_domid;
	if (ctrl_hypercall_arg(h, __HYPERVISOR_event_channel_op,
	                       EVTCHNOP_alloc_unbound, &a, sizeof(a),
	                       "EVTCHNOP_alloc_unbound", domid) < 0)
		return -1;
	return (int)a.port;
}

/* ---- Mappings --------------------------------------------------------- */

/* privcmd's messages already name the ioctl and domain: adopt them. */
static void *
adopt_pc_error(struct ctrl_handle *h)
{
	int saved = errno;

	snprintf(h->err, sizeof(h->err), "%s", pc_errmsg(h->pc));
	errno = saved;
	return NULL;
}

void *
ctrl_map_foreign(struct ctrl_handle *h, uint32_t domid, int prot,
                 const uint64_t *gfns, size_t n)
{
	return ctrl_map_foreign_errs(h, domid, prot, gfns, NULL, n);
}

void *
ctrl_map_foreign_errs(struct ctrl_handle *h, uint32_t domid, int prot,
                      const uint64_t *gfns, int *errs, size_t n)
{
	void *p;

	if (ctrl_check_domid(h, domid, "IOCTL_PRIVCMD_MMAPBATCH_V2") < 0)
		return NULL;
	p = pc_map_foreign(h->pc, domid, prot, gfns, errs, n);
	return p != NULL ? p : adopt_pc_error(h);
}

void *
ctrl_map_resource(struct ctrl_handle *h, uint32_t domid, unsigned type,
                  unsigned id, unsigned long frame, size_t nr, int prot)
{
	void *p;

	if (ctrl_check_domid(h, domid, "IOCTL_PRIVCMD_MMAP_RESOURCE") < 0)
		return NULL;
	p = pc_map_resource(h->pc, domid, type, id, frame, nr, prot);
	return p != NULL ? p : adopt_pc_error(h);
}

long
ctrl_resource_size(struct ctrl_handle *h, uint32_t domid, unsigned type,
                   unsigned id)
{
	long n;

	if (ctrl_check_domid(h, domid, "IOCTL_PRIVCMD_MMAP_RESOURCE") < 0)
		return -1;
	n = pc_resource_size(h->pc, domid, type, id);
	if (n < 0)
		adopt_pc_error(h);
	return n;
}

int
ctrl_unmap(void *addr, size_t npages)
{
	return pc_unmap(addr, npages);
}

/* ---- PV page tables --------------------------------------------------- */

int
ctrl_mmuext_pin_table(struct ctrl_handle *h, uint32_t domid, unsigned level,
                      uint64_t mfn)
{
	static const unsigned pin_cmd[] = {
		0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
		MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE,
	};
	struct mmuext_op op;
	long rc;

	if (ctrl_check_domid(h, domid, "MMUEXT_PIN_TABLE") < 0)
		return -1;
	if (level < 1 || level > 4)
		return ctrl_seterr(h, EINVAL, "MMUEXT_PIN_TABLE dom %u: "
		                   "level %u (1..4)", domid, level);

	memset(&op, 0, sizeof(op));
	op.cmd = pin_cmd[level];
	op.arg1.mfn = mfn;
	memcpy(h->scratch, &op, sizeof(op));
	/* mmuext_op(ops, count, pdone, foreigndom): naming the guest as the
	 * foreign domain makes Xen pin a page the guest owns, on its behalf. */
	rc = pc_hypercall(h->pc, __HYPERVISOR_mmuext_op,
	                  (uint64_t)(uintptr_t)h->scratch, 1, 0, domid, 0);
	if (rc < 0)
		return ctrl_seterr(h, errno, "MMUEXT_PIN_L%u_TABLE dom %u "
		                   "mfn 0x%llx", level, domid,
		                   (unsigned long long)mfn);
	return 0;
}
