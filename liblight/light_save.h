/*
 * light_save.h - save a running PV guest to a file in upstream xl's
 * format (xl header with the domain's config, libxl stream, libxc image;
 * see light_stream.h and sr_stream.h), which upstream's `xl restore`
 * reads as well as ours.
 */
#ifndef LIGHTSTACK_LIGHT_SAVE_H
#define LIGHTSTACK_LIGHT_SAVE_H

#include <stdint.h>

#include "light_ctx.h"

/* light_domain_save flags. */
#define LIGHT_SAVE_CHECKPOINT 0x1u  /* leave the guest running (xl save -c) */
#define LIGHT_SAVE_PAUSED     0x2u  /* leave it paused (xl save -p) */

/* Called as pages are written: done of total pages. */
typedef void (*light_save_progress_fn)(void *arg, uint64_t done,
                                       uint64_t total);

/*
 * Save domain `domid` (a 64-bit PV guest without devices) to `path`:
 * ask the guest to suspend (control/shutdown = "suspend") and wait, at
 * most 120 s, for Xen to report it suspended; write the file; then
 * destroy the domain, or resume it (CHECKPOINT), or resume it paused
 * (PAUSED).  `config_json` replaces the stored libxl-json config in the
 * file when not NULL.  On failure the file is removed and a guest that
 * had suspended is resumed; -1 with light_errmsg() naming what failed.
 */
int light_domain_save(struct light_ctx *c, uint32_t domid, const char *path,
                      unsigned flags, const char *config_json,
                      light_save_progress_fn progress, void *arg);

/*
 * Restore a file that light_domain_save or upstream's `xl save` wrote
 * into a new domain: its config is the one in the file, or `override`
 * when not NULL.  The domain is made by the same steps as a created one
 * (light_domain_create; `flags` are its LIGHT_CREATE_*), the kernel boot
 * replaced by loading the image, so a truncated or corrupt file, or any
 * other failure, leaves no domain, xenstore node or stored config; the
 * message names the part of the file at fault and its offset.
 */
int light_domain_restore(struct light_ctx *c, const char *path,
                         struct light_domain_config *override,
                         unsigned flags, uint32_t *domid);

#endif /* LIGHTSTACK_LIGHT_SAVE_H */
