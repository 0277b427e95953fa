/*
 * memory.c - a running domain's memory target and limit, and Dom0
 * autoballooning (light_mem.h).
 *
 * The target lives in xenstore and the limit in Xen; a change of both is
 * made inside one xenstore transaction, with Xen's limit set before the
 * commit, so a refused or conflicting change leaves the nodes as they
 * were.  The numbers and checks are libxl's (libxl_mem.c): the slack on
 * the limit, the Dom0 floor, videoram taken off the target.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_lifecycle.h"
#include "light_mem.h"
#include "strnum.h"

/* Rounds of "lower Dom0, wait" before create gives up (xl's freemem). */
#define BALLOON_ROUNDS 3
/* Seconds without progress that end one wait for Dom0's balloon. */
#define BALLOON_WAIT_SECS 10
/* How often a wait for a target looks at Xen's figures, in seconds. */
#define TARGET_POLL_SECS 2

/* ---- Reading the nodes ------------------------------------------------ */

/*
 * /local/domain/D/memory/<leaf> as KiB.  1 and *kb when present, 0 when
 * absent, -1 (EINVAL, message) when not a number or on a read error.
 */
static int
read_kb(struct light_ctx *c, xsc_tx t, uint32_t domid, const char *leaf,
        uint64_t *kb)
{
	char *v;
	int rc;

	v = light_xs_readf(c, t, "/local/domain/%u/memory/%s", domid, leaf);
	if (v == NULL)
		return errno == ENOENT ? 0 : -1;
	rc = 1;
	if (strnum_u64(v, 10, 0, UINT64_MAX / 2, kb) < 0)
		rc = light_error(c, EINVAL, "invalid memory %s `%.32s' in "
		                 "/local/domain/%u/memory/%s", leaf, v, domid,
		                 leaf);
	free(v);
	return rc;
}

static int
write_kb(struct light_ctx *c, xsc_tx t, const char *path, uint64_t kb)
{
	char val[32];

	snprintf(val, sizeof(val), "%" PRIu64, kb);
	if (xsc_write_str(c->xs, t, path, val) < 0) {
		char what[160];
		snprintf(what, sizeof(what), "xenstore write %s", path);
		return light_error_xs(c, what);
	}
	return 0;
}

/*
 * Dom0 was not made by a toolstack, so nothing wrote its memory nodes:
 * fill the missing ones from what Xen reports, in transaction t (libxl's
 * libxl__fill_dom0_memory_info).
 */
static int
fill_dom0(struct light_ctx *c, xsc_tx t, int have_target, int have_max)
{
	struct ctrl_dominfo info;

	if (ctrl_domain_getinfo(c->ctrl, 0, &info) < 0)
		return light_error_ctrl(c, "cannot read Dom0's memory");
	if (!have_target &&
	    write_kb(c, t, "/local/domain/0/memory/target",
	             info.tot_pages * 4) < 0)
		return -1;
	if (!have_max &&
	    write_kb(c, t, "/local/domain/0/memory/static-max",
	             info.max_pages * 4) < 0)
		return -1;
	return 0;
}

/*
 * Target and static-max inside transaction t.  For Dom0 missing nodes
 * are filled in the same transaction (and *filled set), so the caller's
 * commit writes them.
 */
static int
get_tx(struct light_ctx *c, xsc_tx t, uint32_t domid, uint64_t *target,
       uint64_t *max)
{
	int ht, hm;

	ht = read_kb(c, t, domid, "target", target);
	if (ht < 0)
		return -1;
	hm = read_kb(c, t, domid, "static-max", max);
	if (hm < 0)
		return -1;
	if (ht && hm)
		return 0;
	if (domid != 0)
		return light_error(c, ENOENT, "cannot get memory info from "
		                   "/local/domain/%u/memory/%s", domid,
		                   ht ? "static-max" : "target");
	if (light_need_ctrl(c) < 0 || fill_dom0(c, t, ht, hm) < 0)
		return -1;
	if (read_kb(c, t, 0, "target", target) != 1 ||
	    read_kb(c, t, 0, "static-max", max) != 1)
		return light_error(c, EIO, "Dom0's memory nodes did not stick");
	return 0;
}

/* End transaction t: commit when ok, else abort keeping errno.  Returns
 * 0, 1 to say "conflict: run it again", or -1. */
static int
end_tx(struct light_ctx *c, xsc_tx t, bool ok)
{
	int e = errno;

	if (!ok) {
		(void)xsc_transaction_end(c->xs, t, false);
		errno = e;
		return -1;
	}
	if (xsc_transaction_end(c->xs, t, true) == 0)
		return 0;
	if (errno == EAGAIN)
		return 1;
	return light_error_xs(c, "xenstore transaction commit");
}

int
light_memory_get(struct light_ctx *c, uint32_t domid, uint64_t *target_kb,
                 uint64_t *static_max_kb)
{
	uint64_t target, max;
	xsc_tx t;
	int tries, r;

	if (light_need_xs(c) < 0)
		return -1;
	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "xenstore transaction start");
		r = end_tx(c, t, get_tx(c, t, domid, &target, &max) == 0);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (target_kb != NULL)
				*target_kb = target;
			if (static_max_kb != NULL)
				*static_max_kb = max;
			return 0;
		}
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

/* ---- Changing the target --------------------------------------------- */

int
light_memory_check_target(uint32_t domid, uint64_t new_target_kb,
                          uint64_t static_max_kb, char *err, size_t len)
{
	if (new_target_kb > static_max_kb) {
		snprintf(err, len, "memory_dynamic_max must be less than or "
		         "equal to memory_static_max (target %" PRIu64 " KiB, "
		         "static-max %" PRIu64 " KiB)", new_target_kb,
		         static_max_kb);
		errno = EINVAL;
		return -1;
	}
	if (domid == 0 && new_target_kb < LIGHT_MIN_DOM0_MEM_KB) {
		snprintf(err, len, "New target %" PRIu64 " for dom0 is below "
		         "the minimum threshold (%u KiB)", new_target_kb,
		         (unsigned)LIGHT_MIN_DOM0_MEM_KB);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* /vm/<uuid>/memory (MiB), where the domain's `vm` node points; a domain
 * without one (Dom0 before any toolstack named it) has nothing to keep
 * in step. */
static int
write_vm_memory(struct light_ctx *c, xsc_tx t, uint32_t domid,
                uint64_t target_kb)
{
	char path[300];
	char *vm;
	int rc;

	vm = light_xs_readf(c, t, "/local/domain/%u/vm", domid);
	if (vm == NULL)
		return errno == ENOENT ? 0 : -1;
	snprintf(path, sizeof(path), "%.200s/memory", vm);
	free(vm);
	rc = write_kb(c, t, path, target_kb / 1024);
	return rc;
}

/*
 * One attempt of a target change inside transaction t.  `kb` is the new
 * target (absolute) or the change (relative, may be negative: it stops
 * at 0).  With enforce, Xen's limit follows the target.
 */
static int
change_tx(struct light_ctx *c, xsc_tx t, uint32_t domid, int64_t kb,
          bool relative, bool enforce)
{
	uint64_t cur, max, video = 0, next;
	char err[200], path[64];

	if (get_tx(c, t, domid, &cur, &max) < 0)
		return -1;
	if (read_kb(c, t, domid, "videoram", &video) < 0)
		return -1;
	if (relative) {
		if (kb < 0 && (uint64_t)-kb > cur)
			next = 0;
		else
			next = cur + (uint64_t)kb;
	} else {
		/* The guest sees its video memory as part of the target. */
		next = (uint64_t)kb > video ? (uint64_t)kb - video : 0;
	}
	if (light_memory_check_target(domid, next, max, err, sizeof(err)) < 0)
		return lc_fail(c, EINVAL, "%s", err);
	if (enforce &&
	    ctrl_domain_max_mem(c->ctrl, domid,
	                        next + video + LIGHT_MAXMEM_SLACK_KB) < 0)
		return light_error_ctrl(c, "cannot set the memory limit");
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	if (write_kb(c, t, path, next) < 0)
		return -1;
	return write_vm_memory(c, t, domid, next);
}

/* The domain must exist in Xen: its xenstore nodes alone may be stale. */
static int
need_domain(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;
	char what[40];

	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) == 0)
		return 0;
	snprintf(what, sizeof(what), "domain %u", domid);
	return light_error_ctrl(c, what);
}

static int
change_target(struct light_ctx *c, uint32_t domid, int64_t kb, bool relative,
              bool enforce)
{
	xsc_tx t;
	int tries, r;

	/* Dom0's missing nodes are filled (and committed) first, as libxl
	 * does: a refused change still leaves them written. */
	if (need_domain(c, domid) < 0 || light_memory_get(c, domid, NULL,
	                                                  NULL) < 0)
		return -1;
	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "xenstore transaction start");
		r = end_tx(c, t, change_tx(c, t, domid, kb, relative,
		                           enforce) == 0);
		if (r <= 0)
			return r;
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

int
light_memory_set_target(struct light_ctx *c, uint32_t domid,
                        uint64_t target_kb)
{
	if (target_kb > INT64_MAX)
		return lc_fail(c, EINVAL, "memory target %" PRIu64 " KiB is "
		               "too large", target_kb);
	return change_target(c, domid, (int64_t)target_kb, false, true);
}

int
light_memory_set_max(struct light_ctx *c, uint32_t domid, uint64_t max_kb)
{
	uint64_t target;
	char path[80];

	if (need_domain(c, domid) < 0)
		return -1;
	if (light_memory_get(c, domid, &target, NULL) < 0)
		return -1;
	if (max_kb < target)
		return lc_fail(c, EINVAL, "memory_static_max must be greater "
		               "than or equal to memory_dynamic_max (limit %"
		               PRIu64 " KiB, target %" PRIu64 " KiB)", max_kb,
		               target);
	if (max_kb > UINT64_MAX / 2 ||
	    ctrl_domain_max_mem(c->ctrl, domid,
	                        max_kb + LIGHT_MAXMEM_SLACK_KB) < 0)
		return light_error_ctrl(c, "cannot set the memory limit");
	/* Then static-max, as libxl_domain_setmaxmem does: it is what
	 * `xl list -l` reports as max_memkb and what bounds mem-set. */
	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
	         domid);
	if (write_kb(c, XSC_NO_TX, path, max_kb) < 0)
		return -1;
	return 0;
}

/* ---- Waiting for a balloon ------------------------------------------- */

int
light_memory_wait_target(struct light_ctx *c, uint32_t domid,
                         unsigned wait_secs)
{
	struct ctrl_dominfo info;
	uint64_t target, now, prev = UINT64_MAX;
	long left = (long)wait_secs;

	if (light_need_ctrl(c) < 0 ||
	    light_memory_get(c, domid, &target, NULL) < 0)
		return -1;
	for (;;) {
		sleep(TARGET_POLL_SECS);
		if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
			return light_error_ctrl(c, "cannot read the domain's "
			                        "memory");
		now = (info.tot_pages + info.outstanding_pages) * 4;
		if (now <= target)
			return 0;
		if (now > prev)
			return lc_fail(c, EAGAIN, "domain %u grew to %" PRIu64
			               " KiB while ballooning down to %" PRIu64
			               " KiB", domid, now, target);
		/* Time counts only while nothing moves: a slow but steady
		 * balloon is worth waiting for. */
		if (now == prev)
			left -= TARGET_POLL_SECS;
		if (left <= 0)
			return lc_fail(c, ETIMEDOUT, "domain %u stayed at %"
			               PRIu64 " KiB, above its target %" PRIu64
			               " KiB", domid, now, target);
		prev = now;
	}
}

/* ---- Free memory and autoballoon ------------------------------------- */

int
light_memory_free_kb(struct light_ctx *c, uint64_t *kb)
{
	struct ctrl_physinfo p;

	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_physinfo(c->ctrl, &p) < 0)
		return light_error_ctrl(c, "cannot read Xen's free memory");
	*kb = (p.free_pages + p.scrub_pages) * 4;
	return 0;
}

uint64_t
light_domain_need_memory_kb(const struct light_domain_config *dc)
{
	uint64_t kb = dc->target_memkb + LIGHT_PV_EXTRA_MEMORY_KB;

	/* An HVM container also needs the pool its p2m tables come from
	 * (libxl counts its shadow memory the same way). */
	if (dc->type != LIGHT_DOMAIN_PV)
		kb += ctrl_paging_kb(dc->target_memkb, dc->max_vcpus);

	if (kb % 2048 != 0)
		kb += 2048 - kb % 2048;
	return kb;
}

int
light_autoballoon_parse(const char *s, enum light_autoballoon *out)
{
	if (s == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = LIGHT_AUTOBALLOON_ON;
	else if (strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = LIGHT_AUTOBALLOON_OFF;
	else if (strcmp(s, "auto") == 0)
		*out = LIGHT_AUTOBALLOON_AUTO;
	else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
light_set_autoballoon(struct light_ctx *c, enum light_autoballoon mode)
{
	if (mode != LIGHT_AUTOBALLOON_AUTO && mode != LIGHT_AUTOBALLOON_OFF &&
	    mode != LIGHT_AUTOBALLOON_ON)
		return lc_fail(c, EINVAL, "autoballoon mode %d is not off, on "
		               "or auto", (int)mode);
	c->autoballoon = (int)mode;
	return 0;
}

int
light_cmdline_has_dom0_mem(const char *cmdline)
{
	const char *p = cmdline;

	/* A word of its own: "dom0_mem=" at the start or after a space
	 * (upstream's "(^| )dom0_mem=" test). */
	while ((p = strstr(p, "dom0_mem=")) != NULL) {
		if (p == cmdline || p[-1] == ' ')
			return 1;
		p++;
	}
	return 0;
}

int
light_autoballoon_enabled(struct light_ctx *c)
{
	struct ctrl_version v;

	switch (c->autoballoon) {
	case LIGHT_AUTOBALLOON_ON:
		return 1;
	case LIGHT_AUTOBALLOON_OFF:
		return 0;
	default:
		break;
	}
	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_xen_version(c->ctrl, &v) < 0)
		return light_error_ctrl(c, "cannot read Xen's command line");
	return !light_cmdline_has_dom0_mem(v.cmdline);
}

int
light_memory_make_room(struct light_ctx *c, uint64_t need_kb,
                       uint64_t *dom0_target_kb, int *lowered)
{
	uint64_t free_kb, short_kb;
	int round;

	*lowered = 0;
	if (light_memory_get(c, 0, dom0_target_kb, NULL) < 0)
		return -1;
	for (round = 0; round <= BALLOON_ROUNDS; round++) {
		if (light_memory_free_kb(c, &free_kb) < 0)
			return -1;
		if (free_kb >= need_kb)
			return 0;
		if (round == BALLOON_ROUNDS)
			break;
		short_kb = need_kb - free_kb;
		if (short_kb > INT64_MAX)
			break;
		if (change_target(c, 0, -(int64_t)short_kb, true, false) < 0) {
			char why[sizeof(c->err)];
			snprintf(why, sizeof(why), "%s", c->err);
			return lc_fail(c, ENOMEM, "failed to free memory for the "
			               "domain: cannot balloon Dom0 down by %"
			               PRIu64 " KiB: %s", short_kb, why);
		}
		*lowered = 1;
		if (light_memory_wait_target(c, 0, BALLOON_WAIT_SECS) < 0) {
			char why[sizeof(c->err)];
			snprintf(why, sizeof(why), "%s", c->err);
			return lc_fail(c, ENOMEM, "failed to free memory for the "
			               "domain: %s", why);
		}
	}
	return lc_fail(c, ENOMEM, "failed to free memory for the domain: "
	               "it needs %" PRIu64 " KiB, Xen has %" PRIu64 " KiB "
	               "free", need_kb, free_kb);
}

int
light_memory_restore_dom0(struct light_ctx *c, uint64_t target_kb)
{
	if (target_kb > INT64_MAX)
		return lc_fail(c, EINVAL, "Dom0 target %" PRIu64 " KiB",
		               target_kb);
	/* Not enforced: make_room never touched Dom0's limit either. */
	return change_target(c, 0, (int64_t)target_kb, false, false);
}
