/*
 * light_mem.h - a domain's memory after create: its balloon target and
 * its limit in Xen (`xl mem-set`, `xl mem-max`), and Dom0 autoballooning,
 * which makes room for a new guest by shrinking Dom0.
 *
 * Three numbers describe a running PV domain's memory, all in KiB:
 *
 *   static-max   /local/domain/D/memory/static-max: the most the guest
 *                may ever have.  Create writes `maxmem` here and the
 *                builder gives the guest a memory map (e820) this large,
 *                so its balloon driver has room to grow into.
 *   target       /local/domain/D/memory/target: what the guest's balloon
 *                driver aims at.  Create writes `memory`; mem-set changes
 *                it and the guest follows by giving pages back to Xen or
 *                asking for more.
 *   Xen's limit  XEN_DOMCTL_max_mem: what Xen lets the domain hold.  As
 *                libxl does, it is the target plus LIGHT_MAXMEM_SLACK_KB
 *                (light_domain.h), at create and at every mem-set, so a
 *                guest cannot take more than it was told to.
 *
 * What Xen says the domain holds now (tot_pages, `xl list`'s Mem) lags
 * the target while the balloon driver works.  Dom0 has no create: when
 * its target or static-max is missing they are filled in from what Xen
 * reports (tot_pages and max_pages), as libxl does.
 *
 * Conventions of light_ctx.h: 0 on success, -1 with errno and a one-line
 * message in light_errmsg() on failure.
 */
#ifndef LIGHTSTACK_LIGHT_MEM_H
#define LIGHTSTACK_LIGHT_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "light_config.h"
#include "light_xlconf.h"   /* enum light_autoballoon */

struct light_ctx;

/* The smallest target Dom0 may be given, by mem-set or by autoballoon
 * (libxl's LIBXL_MIN_DOM0_MEM). */
#define LIGHT_MIN_DOM0_MEM_KB (128 * 1024)

/* What a PV guest needs from Xen beyond its target: libxl's
 * LIBXL_PV_EXTRA_MEMORY; the sum is rounded up to 2 MiB. */
#define LIGHT_PV_EXTRA_MEMORY_KB 1024

/* ---- Target and limit ------------------------------------------------ */

/*
 * The domain's target and static-max (either pointer may be NULL).
 * For Dom0, missing nodes are written first (see above).  ENOENT with a
 * message naming the node when a guest's node is missing, EINVAL when
 * one is not a number.
 */
int light_memory_get(struct light_ctx *c, uint32_t domid,
                     uint64_t *target_kb, uint64_t *static_max_kb);

/*
 * `xl mem-set`: set the target to target_kb (less the domain's
 * memory/videoram, 0 for PV) and Xen's limit to the target plus the
 * slack.  Refused with EINVAL, changing nothing, when the target is above
 * static-max or, for Dom0, below LIGHT_MIN_DOM0_MEM_KB (the checks of
 * light_memory_check_target).  Also writes /vm/<uuid>/memory (MiB), as
 * libxl does.  Returns at once: the guest balloons in its own time (see
 * light_memory_wait_target).
 */
int light_memory_set_target(struct light_ctx *c, uint32_t domid,
                            uint64_t target_kb);

/*
 * `xl mem-max`: set Xen's limit, to max_kb plus the slack, then
 * memory/static-max to max_kb, as libxl_domain_setmaxmem does (so mem-set
 * cannot go above it afterwards, and `xl list -l` shows it as max_memkb).
 * The target is unchanged.  Refused with EINVAL when max_kb is below the
 * current target.
 */
int light_memory_set_max(struct light_ctx *c, uint32_t domid,
                         uint64_t max_kb);

/*
 * Whether new_target_kb is an acceptable target for domid with this
 * static-max: 0, or -1 with EINVAL and the reason in err (libxl's words:
 * "memory_dynamic_max must be less than or equal to memory_static_max",
 * "New target N for dom0 is below the minimum threshold").  Pure: no
 * Xen, no xenstore; light_memory_set_target applies it.
 */
int light_memory_check_target(uint32_t domid, uint64_t new_target_kb,
                              uint64_t static_max_kb, char *err, size_t len);

/*
 * Wait until the domain holds no more than its target (tot_pages plus
 * outstanding pages), as libxl_wait_for_memory_target does: check every
 * 2 s, spend wait_secs only on checks that saw no progress.  ETIMEDOUT
 * when it stalled above the target, EAGAIN when it grew instead.
 */
int light_memory_wait_target(struct light_ctx *c, uint32_t domid,
                             unsigned wait_secs);

/* ---- Free memory and autoballoon ------------------------------------- */

/* Xen's free memory in KiB: free plus not yet scrubbed pages (what
 * libxl_get_free_memory counts). */
int light_memory_free_kb(struct light_ctx *c, uint64_t *kb);

/* What creating dc needs from Xen's free memory, in KiB: the target plus
 * LIGHT_PV_EXTRA_MEMORY_KB, rounded up to 2 MiB (libxl's
 * libxl_domain_need_memory for PV). */
uint64_t light_domain_need_memory_kb(const struct light_domain_config *dc);

/*
 * xl.conf's `autoballoon` (enum light_autoballoon, light_xlconf.h):
 * whether create may shrink Dom0 when Xen's free memory is short.  AUTO
 * (the default of a new context) means ON unless Xen's command line sets
 * dom0_mem= (then the administrator sized Dom0: leave it alone), as
 * upstream xl decides.
 */

/* "on" or "1", "off" or "0", "auto" (upstream's spellings): 0 and *out,
 * or -1/EINVAL. */
int light_autoballoon_parse(const char *s, enum light_autoballoon *out);

/* Set the context's mode (EINVAL for a value not in the enum). */
int light_set_autoballoon(struct light_ctx *c, enum light_autoballoon mode);

/* The context's mode resolved: 1 (on) or 0 (off), AUTO looked up in
 * Xen's command line; -1 when that cannot be read. */
int light_autoballoon_enabled(struct light_ctx *c);

/* True when a Xen command line sets dom0_mem= (AUTO's test, pure). */
int light_cmdline_has_dom0_mem(const char *cmdline);

/*
 * Make need_kb of Xen's memory free by lowering Dom0's target, as xl's
 * create does with autoballoon on: up to three rounds of "lower Dom0 by
 * the shortfall, wait for it", never below LIGHT_MIN_DOM0_MEM_KB.
 * *dom0_target_kb receives Dom0's target from before (to give back with
 * light_memory_restore_dom0 if the create fails); *lowered is set to 1
 * when it was changed.  ENOMEM when the memory could not be found.
 * Does not look at the autoballoon mode: the caller decides.
 */
int light_memory_make_room(struct light_ctx *c, uint64_t need_kb,
                           uint64_t *dom0_target_kb, int *lowered);

/* Put Dom0's target back to target_kb (the undo of make_room; best
 * effort, Dom0 balloons back up in its own time). */
int light_memory_restore_dom0(struct light_ctx *c, uint64_t target_kb);

#endif /* LIGHTSTACK_LIGHT_MEM_H */
