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

/*
 * Rename domain `domid` to `name`, updating every place the name lives:
 * /local/domain/D/name, /vm/U/name, the name index (light_info.h) and the
 * stored configuration's c_info.name.  Names are unique: -1/EEXIST when
 * another domain has it ("domain with name \"x\" already exists.", as
 * upstream); renaming to the current name succeeds.  -1/EINVAL for an
 * empty name, -1/EPERM for domain 0.  On failure nothing is changed.
 */
int light_domain_rename(struct light_ctx *c, uint32_t domid,
                        const char *name);

/*
 * Press sysrq `key` in the guest: written to /local/domain/D/control/sysrq,
 * which a PV Linux guest's xenbus driver watches (it runs the key's
 * handler and clears the node).  Returns once written.
 */
int light_domain_sysrq(struct light_ctx *c, uint32_t domid, char key);

/* libxl_trigger's values and names ("power", "sleep", ...). */
enum light_trigger {
	LIGHT_TRIGGER_POWER = 1,
	LIGHT_TRIGGER_SLEEP,
	LIGHT_TRIGGER_NMI,
	LIGHT_TRIGGER_INIT,
	LIGHT_TRIGGER_RESET,
	LIGHT_TRIGGER_S3RESUME,
};

/* "nmi" -> LIGHT_TRIGGER_NMI ...; -1/EINVAL for an unknown name. */
int light_trigger_from_string(const char *s, enum light_trigger *out);

/*
 * Send a hardware trigger to vCPU `vcpu` (XEN_DOMCTL_sendtrigger).  What
 * Xen accepts decides, as with upstream: nmi works for every guest; power
 * and sleep need an HVM guest (EINVAL for PV); reset and init are not
 * implemented by Xen (ENOSYS).  s3resume is refused for PV (EINVAL) and,
 * having no device model to wake, for HVM too (ENOTSUP).  The message is
 * upstream's: "Send trigger 'reset' failed: Function not implemented".
 */
int light_domain_trigger(struct light_ctx *c, uint32_t domid,
                         enum light_trigger trig, unsigned vcpu);

#endif /* LIGHTSTACK_LIGHT_CORE_H */
