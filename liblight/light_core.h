/*
 * light_core.h - operations on a running domain that are neither its
 * lifecycle nor its devices: core dumps, renaming, and the guest's
 * "keyboard" (sysrq keys and hardware triggers).
 *
 * Conventions of light_ctx.h: 0 on success, -1 with errno set and a
 * one-line message in light_errmsg() on failure.
 */
#ifndef LIGHTSTACK_LIGHT_CORE_H
#define LIGHTSTACK_LIGHT_CORE_H

#include <stdint.h>

struct light_ctx;

/*
 * Write domain `domid`'s memory and vCPU state to `path` as an ELF core
 * in the layout of upstream's `xl dump-core` (see "Core dumps" in
 * libctrl.h: .note.Xen, .xen_prstatus, .xen_shared_info, .xen_pages,
 * .xen_p2m or .xen_pfn).  The file is created mode 0600 (replacing what
 * was there).  A running domain is paused for the dump so the image is
 * consistent, and unpaused after; a paused or shut-down domain is left
 * as it was.  Memory is streamed, never held whole.  On failure the file
 * is removed.  -1/ESRCH for no such domain, -1/EPERM for domain 0,
 * -1/ENOTSUP for a 32-bit PV guest.
 */
int light_domain_dump_core(struct light_ctx *c, uint32_t domid,
                           const char *path);

#endif /* LIGHTSTACK_LIGHT_CORE_H */
