/*
 * light_restore.h - private to liblight: how restore.c hands a saved
 * image to create.c's step table, whose build step then loads the image
 * (light_restore_build) instead of booting a kernel.  Every other step
 * (domain, memory limit, event channels, xenstore home, introduce,
 * stored config, unpause) and every undo is create's own, so a restore
 * that fails anywhere leaves nothing behind.
 */
#ifndef LIGHTSTACK_LIGHT_RESTORE_H
#define LIGHTSTACK_LIGHT_RESTORE_H

#include <stdint.h>

#include "light_config.h"
#include "light_stream.h"

/* The file being restored, positioned at the libxc image. */
struct light_restore_src {
	int fd;
	const char *path;
	struct light_lx_reader lx;
	struct sr_reader sr;
};

int light_domain_create_restored(struct light_ctx *c,
                                 struct light_domain_config *dc,
                                 unsigned flags,
                                 struct light_restore_src *restore,
                                 uint32_t *domid);

/* The build step of a restore: memory map, the libxc image, the libxl
 * END after it.  Fills in the store and console frames. */
int light_restore_build(struct light_ctx *c, struct light_restore_src *src,
                        uint32_t domid, const struct light_domain_config *dc,
                        uint32_t store_port, uint32_t console_port,
                        uint64_t *store_mfn, uint64_t *console_mfn);

#endif /* LIGHTSTACK_LIGHT_RESTORE_H */
