/*
 * privcmd.h - Lightstack's OS layer: the only code that touches Linux's Xen
 * device files (/dev/xen/privcmd, /dev/xen/hypercall, /dev/xen/evtchn,
 * /dev/xen/gntdev) and xenfs (/proc/xen/...).
 *
 * Everything above this layer (libctrl, xenstored, the console daemon) asks
 * for hypercalls, mappings and event channels through these functions and
 * never opens a device itself.
 *
 * Conventions: functions return 0 (or a non-negative value) on success and
 * -1 on failure with errno set.  The handle remembers a one-line message for
 * the last failure ("IOCTL_PRIVCMD_MMAPBATCH_V2 dom 3: Invalid argument"),
 * readable with pc_errmsg().  Handles are not thread-safe; use one per thread.
 */
#ifndef LIGHTSTACK_PRIVCMD_H
#define LIGHTSTACK_PRIVCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Xen's page size on x86: every frame count and mapping length in this
 * interface is in units of these pages. */
#define PC_PAGE_SHIFT 12
#define PC_PAGE_SIZE  (1UL << PC_PAGE_SHIFT)

/* True when this kernel exposes the Xen privcmd interface (we are in a Xen
 * domain with xenfs/privcmd available).  Cheap; does not open anything. */
bool pc_xen_present(void);

/* True when /proc/xen/capabilities says "control_d" (we are Dom0). */
bool pc_is_control_domain(void);

/* ---- Hypercalls (/dev/xen/privcmd) ---------------------------------- */

struct pc_handle;

struct pc_handle *pc_open(void);
void pc_close(struct pc_handle *h);
const char *pc_errmsg(const struct pc_handle *h);

/* Issue hypercall `op` with up to five arguments.  Returns the hypercall's
 * non-negative result, or -1 with errno set to the negated Xen error. */
long pc_hypercall(struct pc_handle *h, unsigned int op, uint64_t a1,
                  uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Buffers passed to the hypervisor by pointer must stay resident and must
 * not be copy-on-write shared with a forked child while Xen writes them.
 * These come from /dev/xen/hypercall when the kernel has it, otherwise from
 * locked, MADV_DONTFORK anonymous memory.  Zero-filled; size is rounded up
 * to whole pages. */
void *pc_buf_alloc(struct pc_handle *h, size_t size);
void pc_buf_free(struct pc_handle *h, void *buf, size_t size);

/* Map `n` frames of foreign domain `domid` (IOCTL_PRIVCMD_MMAPBATCH_V2).
 * `gfns[i]` is the guest frame to map at page i.  If `errs` is non-NULL it
 * receives a per-page error (0 or -errno) and the call succeeds when the
 * ioctl itself did; with errs NULL any page failing fails the call.  Returns
 * the address of the mapping or NULL.  Unmap with pc_unmap(addr, n). */
void *pc_map_foreign(struct pc_handle *h, uint32_t domid, int prot,
                     const uint64_t *gfns, int *errs, size_t n);

/* Map `nr` frames of a domain's resource (IOCTL_PRIVCMD_MMAP_RESOURCE),
 * e.g. XENMEM_resource_grant_table id 0 frame 0 for the grant table.
 * Returns the mapping or NULL; unmap with pc_unmap(addr, nr). */
void *pc_map_resource(struct pc_handle *h, uint32_t domid, unsigned int type,
                      unsigned int id, unsigned long frame, size_t nr, int prot);

/* Number of frames of that resource (IOCTL_PRIVCMD_MMAP_RESOURCE with no
 * address: the kernel asks Xen for the size), or -1. */
long pc_resource_size(struct pc_handle *h, uint32_t domid, unsigned int type,
                      unsigned int id);

/* Unmap `npages` pages mapped by pc_map_foreign / pc_map_resource /
 * pc_gnt_map / pc_xsd_kva_map. */
int pc_unmap(void *addr, size_t npages);

/* ---- Event channels (/dev/xen/evtchn) --------------------------------- */

struct pc_evtchn;

struct pc_evtchn *pc_evtchn_open(void);
void pc_evtchn_close(struct pc_evtchn *e);
/* The fd becomes readable when a bound port fires; then call
 * pc_evtchn_pending() and pc_evtchn_unmask(). */
int pc_evtchn_fd(const struct pc_evtchn *e);
const char *pc_evtchn_errmsg(const struct pc_evtchn *e);

/* Each bind returns the local port, or -1.  A port bound with
 * pc_evtchn_bind_interdomain() fires once right away (Xen marks it pending
 * so that a notification sent before the bind is not lost): expect it in
 * pc_evtchn_pending() and unmask it like any other event.  Events already
 * queued for a port stay queued after pc_evtchn_unbind(). */
int pc_evtchn_bind_interdomain(struct pc_evtchn *e, uint32_t domid,
                               uint32_t remote_port);
int pc_evtchn_bind_unbound(struct pc_evtchn *e, uint32_t remote_domid);
int pc_evtchn_bind_virq(struct pc_evtchn *e, unsigned int virq);
int pc_evtchn_unbind(struct pc_evtchn *e, uint32_t port);
int pc_evtchn_notify(struct pc_evtchn *e, uint32_t port);
/* Next pending port, or -1 with errno EAGAIN when none is pending. */
int pc_evtchn_pending(struct pc_evtchn *e);
int pc_evtchn_unmask(struct pc_evtchn *e, uint32_t port);
/* When more events arrive than the kernel's per-fd ring holds, the ring
 * "overflows": pc_evtchn_pending() fails with EFBIG and events were lost.
 * Call this to clear the ring and the error, then treat every bound port as
 * possibly pending (check each ring, unmask each port). */
int pc_evtchn_reset(struct pc_evtchn *e);

/* ---- Grant mappings (/dev/xen/gntdev) --------------------------------- */

struct pc_gntdev;

struct pc_gntdev *pc_gntdev_open(void);
void pc_gntdev_close(struct pc_gntdev *g);
const char *pc_gntdev_errmsg(const struct pc_gntdev *g);

/* Map `count` grant references of `domid` contiguously.  Returns the
 * mapping or NULL.  Unmap with pc_gnt_unmap (not pc_unmap: gntdev must
 * also release its grant handles). */
void *pc_gnt_map(struct pc_gntdev *g, uint32_t domid, const uint32_t *refs,
                 size_t count, int prot);
int pc_gnt_unmap(struct pc_gntdev *g, void *addr, size_t count);

/* ---- xenfs (/proc/xen) ------------------------------------------------- */

/* Dom0's own xenstore ring page (/proc/xen/xsd_kva), one page, read-write.
 * Unmap with pc_unmap(addr, 1). */
void *pc_xsd_kva_map(void);
/* The event channel of that ring (/proc/xen/xsd_port), or -1. */
int pc_xsd_port(void);

/* Open the kernel's xenstore device (/dev/xen/xenbus), for clients that
 * talk to xenstored through the kernel rather than the socket.  Returns an
 * fd usable with read/write (xs_wire framing), or -1. */
int pc_xenbus_open(void);

#endif /* LIGHTSTACK_PRIVCMD_H */
