/*
 * ctrl_internal.h - what libctrl's own sources (core and the PV builder)
 * share: the handle layout and the domctl/sysctl/hypercall helpers.  Not
 * installed; code outside libctrl/ uses libctrl.h only.
 */
#ifndef LIGHTSTACK_CTRL_INTERNAL_H
#define LIGHTSTACK_CTRL_INTERNAL_H

#include "libctrl.h"     /* defines __XEN_TOOLS__ before any Xen header */
#include "privcmd.h"

#include <xen/domctl.h>
#include <xen/sysctl.h>

/*
 * The handle.  `scratch` is one hypercall-safe page (pc_buf_alloc) kept for
 * the handle's lifetime: every domctl/sysctl struct and every small
 * argument struct is copied into it for the hypercall and back out, so a
 * typical call costs no mmap/munmap.  Larger arrays (frame lists, vCPU
 * contexts, console text) get their own pc_buf_alloc buffers.
 */
struct ctrl_handle {
	struct pc_handle *pc;
	void *scratch;             /* PC_PAGE_SIZE bytes */
	char err[512];             /* last failure, one line */
	/* gntdev for ctrl_ring_map, opened on first use; when opening
	 * failed, gnt_errno says why and it is not tried again. */
	struct pc_gntdev *gnt;
	int gnt_errno;
};

/* Record "<what>: <strerror(errnum)>" as the handle's message; returns -1
 * with errno == errnum, so `return ctrl_seterr(...)` is the idiom. */
int ctrl_seterr(struct ctrl_handle *h, int errnum, const char *what, ...)
    __attribute__((format(printf, 3, 4)));

/* Issue a domctl / sysctl: fills in the interface version, copies *d in
 * and back out (also on failure: some ops return data with an error).
 * `name` ("XEN_DOMCTL_pausedomain") names the op in the error message,
 * which also carries the domain id for domctls. */
int ctrl_domctl(struct ctrl_handle *h, struct xen_domctl *d, const char *name);
int ctrl_sysctl(struct ctrl_handle *h, struct xen_sysctl *s, const char *name);

/* Issue hypercall `op` with `arg` (size bytes, at most PC_PAGE_SIZE) copied
 * into the scratch page and back; cmd is the hypercall's first argument
 * (the sub-op), the scratch address its second.  Returns the hypercall's
 * result or -1 with the message "<name>[ dom N]: <error>" (domid
 * CTRL_NO_DOMID leaves the domain out). */
#define CTRL_NO_DOMID UINT32_MAX
long ctrl_hypercall_arg(struct ctrl_handle *h, unsigned op, unsigned long cmd,
                        void *arg, size_t size, const char *name,
                        uint32_t domid);

/* Decode Xen's getdomaininfo record into our struct (pure; unit-tested). */
void ctrl_dominfo_decode(const struct xen_domctl_getdomaininfo *in,
                         struct ctrl_dominfo *out);

/* Reject ids that cannot name a real domain (>= DOMID_FIRST_RESERVED,
 * 0x7ff0): sets the message "<name> dom N: Invalid argument" and returns
 * -1/EINVAL; returns 0 for a plausible id. */
int ctrl_check_domid(struct ctrl_handle *h, uint32_t domid, const char *name);

#endif /* LIGHTSTACK_CTRL_INTERNAL_H */
