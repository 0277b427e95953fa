/*
 * core.c - light_domain_dump_core(): open the file, hold the domain
 * still, and let libctrl stream its pages into the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "light_internal.h"

int light_domain_dump_core(struct light_ctx *c, uint32_t domid,
                           const char *path)
{
	struct ctrl_dominfo info;
	char what[300];
	bool paused_here = false;
	int fd = -1, rc = -1, saved;

	if (light_need_ctrl(c) < 0)
		return -1;
	if (domid == 0)
		return light_error(c, EPERM, "cannot dump the core of "
		                   "Domain-0");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "cannot find the domain");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return light_error(c, errno, "cannot create %s", path);

	/* A guest running while its pages are copied gives a core whose
	 * pages disagree with each other and with the vCPU state. */
	if (!info.paused && !info.shutdown && !info.dying) {
		if (ctrl_domain_pause(c->ctrl, domid) < 0) {
			light_error_ctrl(c, "cannot pause the domain");
			goto out;
		}
		paused_here = true;
	}
	if (ctrl_domain_dumpcore(c->ctrl, domid, fd) < 0) {
		saved = errno;
		snprintf(what, sizeof(what), "core dumping domain to %s", path);
		errno = saved;
		light_error_ctrl(c, what);
		goto out;
	}
	/* A pipe or a character device (xl dump-core D /dev/stdout) has
	 * nothing to sync: EINVAL there is no failure. */
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) {
		light_error(c, errno, "writing %s", path);
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (paused_here && ctrl_domain_unpause(c->ctrl, domid) < 0 && rc == 0) {
		saved = errno;
		light_error_ctrl(c, "cannot unpause the domain");
		rc = -1;
	}
	if (close(fd) < 0 && rc == 0) {
		saved = errno;
		light_error(c, errno, "writing %s", path);
		rc = -1;
	}
	if (rc < 0)
		unlink(path);
	errno = saved;
	return rc;
}
