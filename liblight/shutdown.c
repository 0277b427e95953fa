/*
 * shutdown.c - asking guests to stop, waiting until they are gone, pause
 * and unpause.  What happens once a guest has stopped (its on_* actions)
 * is monitor.c's.
 *
 * Waiting: xenstored fires the special watch @releaseDomain whenever a
 * domain shuts down or dies.  The event does not say which domain, so on
 * each one we ask Xen about ours.  We also wake up every
 * WAIT_POLL_MS regardless, so a missed or absent event costs latency,
 * never a hang.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "light_lifecycle.h"

/* SHUTDOWN_* (after libctrl.h, which sets up the Xen headers). */
#include <xen/sched.h>

#define WAIT_POLL_MS 250

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep until a xenstore event arrives or `ms` passes; drop the events
 * (they only mean "look again"). */
void light_wait_event(struct light_ctx *c, int ms)
{
	struct pollfd pfd;
	char *path, *token;

	/* Events already queued inside the handle would not wake poll(). */
	while (xsc_read_watch(c->xs, &path, &token, false) == 0) {
		free(path);
		free(token);
		ms = 0;
	}
	if (ms <= 0)
		return;
	pfd.fd = xsc_fileno(c->xs);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) > 0) {
		while (xsc_read_watch(c->xs, &path, &token, false) == 0) {
			free(path);
			free(token);
		}
	}
}

int light_domain_shutdown(struct light_ctx *c, uint32_t domid,
                          enum light_shutdown_req req, bool force)
{
	struct ctrl_dominfo info;
	const char *what = req == LIGHT_SHUTDOWN_REBOOT ? "reboot" : "poweroff";
	char path[96];
	char *feature;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (domid == 0)
		return lc_fail(c, EPERM, "domain 0 cannot be shut down from here");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return lc_fail(c, ESRCH, "domain %u does not exist", domid);

	if (force) {
		/* A guest that never said it handles control/shutdown would
		 * ignore the request: have Xen shut it down instead. */
		feature = light_xs_readf(c, XSC_NO_TX,
		                         "/local/domain/%u/control/feature-%s", domid, what);
		bool pv_aware = feature && strcmp(feature, "1") == 0;
		free(feature);
		if (!pv_aware) {
			if (ctrl_domain_shutdown(c->ctrl, domid,
			                         req == LIGHT_SHUTDOWN_REBOOT ?
			                         SHUTDOWN_reboot : SHUTDOWN_poweroff) < 0)
				return light_error_ctrl(c, "cannot shut the domain down");
			return 0;
		}
	}
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
	if (xsc_write_str(c->xs, XSC_NO_TX, path, what) < 0)
		return light_error_xs(c, "cannot write the shutdown request");
	return 0;
}

int light_domain_wait_gone(struct light_ctx *c, uint32_t domid,
                           int grace_ms, int timeout_ms, int *reason)
{
	struct ctrl_dominfo info;
	long long start = now_ms(), down_since = -1;
	bool watching;
	int rc = -1;

	if (reason)
		*reason = -1;
	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	watching = xsc_watch(c->xs, "@releaseDomain", "light-wait") == 0;

	for (;;) {
		long long t = now_ms();

		if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0) {
			if (errno != ESRCH && errno != EINVAL) {
				light_error_ctrl(c, "domain info");
				goto out;
			}
			/* Gone.  Whoever destroyed it may not have cleaned up. */
			(void)light_domain_cleanup(c, domid);
			rc = 0;
			goto out;
		}
		if (info.shutdown && !info.dying) {
			if (reason)
				*reason = (int)info.shutdown_reason;
			if (down_since < 0)
				down_since = t;
			/* Powered off and nobody (no monitor) destroys it: do it,
			 * so the wait ends with the domain really gone.  A reboot
			 * is left to the monitor, which would create it again. */
			if (info.shutdown_reason == SHUTDOWN_poweroff &&
			    grace_ms >= 0 && t - down_since >= grace_ms) {
				if (light_domain_destroy(c, domid) < 0 && errno != ESRCH)
					goto out;
				continue;
			}
		}
		if (timeout_ms >= 0 && t - start >= timeout_ms) {
			lc_fail(c, ETIMEDOUT, "domain %u is still there after %d ms",
			        domid, timeout_ms);
			goto out;
		}
		light_wait_event(c, WAIT_POLL_MS);
	}
out:
	if (watching)
		(void)xsc_unwatch(c->xs, "@releaseDomain", "light-wait");
	return rc;
}

int light_domain_pause(struct light_ctx *c, uint32_t domid)
{
	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_domain_pause(c->ctrl, domid) < 0)
		return light_error_ctrl(c, "cannot pause the domain");
	return 0;
}

int light_domain_unpause(struct light_ctx *c, uint32_t domid)
{
	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_domain_unpause(c->ctrl, domid) < 0)
		return light_error_ctrl(c, "cannot unpause the domain");
	return 0;
}
