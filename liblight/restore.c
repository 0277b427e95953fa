/*
 * restore.c - light_domain_restore: a new domain from a saved file (xl
 * header and config, libxl stream, libxc image; light_stream.h).
 *
 * The file's outer layers are read here; the domain itself is made by
 * create.c's steps with this file as the source of its memory and state
 * (light_restore.h), so all of create's undo applies to a restore too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_internal.h"
#include "light_domain.h"
#include "light_lifecycle.h"
#include "light_restore.h"
#include "light_save.h"
#include "ctrl_save.h"

int
light_restore_build(struct light_ctx *c, struct light_restore_src *src,
                    uint32_t domid, const struct light_domain_config *dc,
                    uint32_t store_port, uint32_t console_port,
                    uint64_t *store_mfn, uint64_t *console_mfn)
{
	struct ctrl_restore_params p;
	struct ctrl_restore_result r;
	struct ctrl_e820entry e;
	uint64_t kb = dc->max_memkb > dc->target_memkb ? dc->max_memkb
	                                                : dc->target_memkb;
	char err[400];
	int t;

	/* One RAM range of maxmem, as at create (the guest reads it back
	 * after resume too). */
	e.addr = 0;
	e.size = kb * 1024;
	e.type = CTRL_E820_RAM;
	if (ctrl_domain_set_memory_map(c->ctrl, domid, &e, 1) < 0)
		return light_error_ctrl(c, "restore: memory map");
	memset(&p, 0, sizeof(p));
	p.store_evtchn = store_port;
	p.console_evtchn = console_port;
	p.store_domid = 0;
	p.console_domid = 0;
	p.maxmem_kb = kb;
	err[0] = '\0';
	if (ctrl_domain_restore(c->ctrl, domid, &src->sr, &p, &r, err,
	                        sizeof(err)) < 0)
		return lc_fail(c, errno ? errno : EINVAL, "%s: %s", src->path,
		               err);
	/* The libxl stream goes on after the image: only END may follow. */
	src->lx.offset = src->sr.offset;
	t = light_lx_next(&src->lx);
	if (t < 0)
		return lc_fail(c, EINVAL, "%s: %s", src->path, src->lx.err);
	if (t != LIGHT_LX_END)
		return lc_fail(c, EINVAL, "%s: libxl record at offset %#llx: a "
		               "second LIBXC_CONTEXT", src->path,
		               (unsigned long long)src->lx.offset);
	*store_mfn = r.store_mfn;
	*console_mfn = r.console_mfn;
	return 0;
}

/* The config the file carries, as a domain config. */
static int
file_config(struct light_ctx *c, const char *path,
            const struct light_savefile *sf, struct light_domain_config *dc)
{
	struct light_cfg *cfg;
	char err[512];
	int rc;

	if (sf->config == NULL)
		return lc_fail(c, EINVAL, "%s: the file has no domain config; "
		               "give one", path);
	if (sf->json) {
		if (light_domain_config_from_json(sf->config, path, dc, err,
		                                  sizeof(err)) < 0)
			return lc_fail(c, EINVAL, "%s: the config in the file: %s",
			               path, err);
		return 0;
	}
	/* Older xl wrote the xl.cfg text itself. */
	cfg = light_cfg_new();
	if (cfg == NULL)
		return lc_fail(c, ENOMEM, "%s", path);
	rc = light_cfg_parse_data(cfg, path, sf->config, sf->config_len, err,
	                          sizeof(err));
	if (rc == 0)
		rc = light_domain_config_from_cfg(cfg, dc, err, sizeof(err));
	light_cfg_free(cfg);
	if (rc < 0)
		return lc_fail(c, EINVAL, "%s: the config in the file: %s", path,
		               err);
	return 0;
}

int
light_domain_restore(struct light_ctx *c, const char *path,
                     struct light_domain_config *override, unsigned flags,
                     uint32_t *domid)
{
	struct light_restore_src src;
	struct light_savefile sf;
	struct light_domain_config own, *dc = override;
	bool have_own = false;
	uint64_t offset = 0;
	char err[256];
	int rc = -1, t, saved;

	memset(&src, 0, sizeof(src));
	memset(&sf, 0, sizeof(sf));
	src.path = path;
	src.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src.fd < 0)
		return light_error(c, errno, "restore: %s", path);
	if (light_savefile_read(sr_read_fd, &src.fd, &offset, &sf, err,
	                        sizeof(err)) < 0) {
		lc_fail(c, EINVAL, "%s: %s", path, err);
		goto out;
	}
	if (dc == NULL) {
		if (file_config(c, path, &sf, &own) < 0)
			goto out;
		have_own = true;
		dc = &own;
	}
	light_lx_reader_init(&src.lx, sr_read_fd, &src.fd, offset);
	if (light_lx_read_header(&src.lx) < 0) {
		lc_fail(c, EINVAL, "%s: %s", path, src.lx.err);
		goto out;
	}
	t = light_lx_next(&src.lx);
	if (t < 0) {
		lc_fail(c, EINVAL, "%s: %s", path, src.lx.err);
		goto out;
	}
	if (t != LIGHT_LX_LIBXC_CONTEXT) {
		lc_fail(c, EINVAL, "%s: the libxl stream ends before any "
		        "domain image", path);
		goto out;
	}
	sr_reader_init(&src.sr, sr_read_fd, &src.fd);
	src.sr.offset = src.lx.offset;
	rc = light_domain_create_restored(c, dc, flags, &src, domid);
out:
	saved = errno;
	sr_reader_dispose(&src.sr);
	light_savefile_dispose(&sf);
	if (have_own)
		light_domain_config_dispose(&own);
	close(src.fd);
	errno = saved;
	return rc;
}
