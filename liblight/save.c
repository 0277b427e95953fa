/*
 * save.c - light_domain_save: suspend a PV guest and write it out as xl,
 * libxl and libxc write a saved domain (light_save.h).
 *
 * The steps, in order, each undone if a later one fails:
 *   open the file                    (undo: remove it)
 *   write xl's header with the config, the libxl header, LIBXC_CONTEXT
 *   suspend the guest                (undo: resume it, suspend cancelled)
 *   ctrl_domain_save: the libxc image
 *   libxl END, fsync, close
 * and then, all written, destroy the domain (or resume it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "light_internal.h"
#include "light_domain.h"
#include "light_lifecycle.h"
#include "light_save.h"
#include "light_stream.h"
#include "ctrl_save.h"

#define SUSPEND_TIMEOUT_MS 120000
#define SUSPEND_POLL_MS    20

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* 1 once Xen reports the domain suspended, 0 if not yet, -1 on error. */
static int
is_suspended(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;

	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "save");
	if (info.shutdown && info.shutdown_reason != SHUTDOWN_suspend)
		return light_error(c, EINVAL, "save: domain %u shut down "
		                   "(reason %u) instead of suspending", domid,
		                   info.shutdown_reason);
	return info.shutdown ? 1 : 0;
}

/*
 * Ask the guest to suspend through its control node, as upstream does for
 * a PV guest, and wait (bounded) for SHUTDOWN_suspend.  On a timeout the
 * request is withdrawn so that the guest does not suspend later, unseen.
 */
static int
suspend_guest(struct light_ctx *c, uint32_t domid)
{
	char path[64];
	int waited, rc;

	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
	         domid);
	if (xsc_write_str(c->xs, XSC_NO_TX, path, "suspend") < 0)
		return light_error_xs(c, "save: asking the guest to suspend");
	for (waited = 0; waited < SUSPEND_TIMEOUT_MS;
	     waited += SUSPEND_POLL_MS) {
		rc = is_suspended(c, domid);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		sleep_ms(SUSPEND_POLL_MS);
	}
	(void)xsc_write_str(c->xs, XSC_NO_TX, path, "");
	if (is_suspended(c, domid) == 1)
		return 0;
	return light_error(c, ETIMEDOUT, "save: domain %u did not suspend "
	                   "within %d s (does the guest support suspend?)",
	                   domid, SUSPEND_TIMEOUT_MS / 1000);
}

int
light_domain_save(struct light_ctx *c, uint32_t domid, const char *path,
                  unsigned flags, const char *config_json,
                  light_save_progress_fn progress, void *arg)
{
	struct ctrl_dominfo info;
	struct sr_writer w;
	char *json = NULL;
	bool suspended = false, created = false;
	int fd = -1, rc = -1, saved;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (domid == 0)
		return light_error(c, EPERM, "save: domain 0 cannot be saved");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error(c, ESRCH, "save: domain %u does not exist",
		                   domid);
	if (info.hvm)
		return light_error(c, ENOTSUP, "save: domain %u is not a PV "
		                   "guest; only PV guests can be saved", domid);
	if (info.shutdown || info.dying)
		return light_error(c, EINVAL, "save: domain %u is shutting "
		                   "down", domid);
	if (config_json == NULL) {
		json = light_domain_config_json(c, domid);
		if (json == NULL)
			return -1;
		config_json = json;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		light_error(c, errno, "save: %s", path);
		goto out;
	}
	created = true;
	memset(&w, 0, sizeof(w));
	w.write = sr_write_fd;
	w.arg = &fd;
	if (light_savefile_write(&w, config_json, strlen(config_json)) < 0 ||
	    light_lx_write_header(&w) < 0 ||
	    light_lx_write_record(&w, LIGHT_LX_LIBXC_CONTEXT) < 0) {
		light_error(c, errno, "save: writing %s", path);
		goto out;
	}
	if (suspend_guest(c, domid) < 0)
		goto out;
	suspended = true;
	if (ctrl_domain_save(c->ctrl, domid, &w, progress, arg) < 0) {
		light_error_ctrl(c, "save");
		goto out;
	}
	if (light_lx_write_record(&w, LIGHT_LX_END) < 0 || fsync(fd) < 0) {
		light_error(c, errno, "save: writing %s", path);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		light_error(c, errno, "save: writing %s", path);
		goto out;
	}
	fd = -1;
	/* The file is whole: now the domain may go (or go on). */
	if (flags & (LIGHT_SAVE_CHECKPOINT | LIGHT_SAVE_PAUSED)) {
		if (ctrl_domain_resume_cancelled(c->ctrl, domid,
		                                 (flags & LIGHT_SAVE_PAUSED) != 0) < 0) {
			light_error_ctrl(c, "save: resuming the domain");
			free(json);
			return -1;
		}
	} else if (light_domain_destroy(c, domid) < 0) {
		free(json);
		return -1;
	}
	rc = 0;
out:
	saved = errno;
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		if (created)
			(void)unlink(path);
		/* The guest carries on as if nothing had happened. */
		if (suspended)
			(void)ctrl_domain_resume_cancelled(c->ctrl, domid, false);
	}
	free(json);
	errno = saved;
	return rc;
}
