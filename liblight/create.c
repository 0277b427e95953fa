/*
 * create.c - light_domain_create(): from a checked configuration to a
 * running PV, PVH or HVM guest, all or nothing.  They differ in a few
 * steps only: createdomain (PVH and HVM guests are HVM containers), build
 * (ctrl_build_pv, ctrl_build_pvh, or ctrl_build_hvm loading the
 * firmware), an HVM guest's extra xenstore nodes and its QEMU (the
 * devmodel step), and the type recorded in xenstore and the stored
 * config; devices, console and xenstore are the same PV ones.
 *
 * The work is a table of steps (light_steps.h).  Each step records what it
 * acquired in struct create, and its undo releases exactly that, so a
 * failure anywhere unwinds through one path:
 *
 *   mark           the create marker, held until the end: if this
 *                  process dies here without undoing anything, the next
 *                  create or lightmond cleans up after it (abandoned.c)
 *                                               undo: remove it
 *   vbd_host       check the disks, loop/nbd devices for images
 *                                               undo: detach them
 *   vif_check      check the vifs (bridge exists, ...), pick MACs
 *   autoballoon    if Xen's free memory is short and autoballoon is on,
 *                  shrink Dom0 (light_mem.h)
 *                                               undo: Dom0's old target
 *   createdomain   XEN_DOMCTL_createdomain, with the grant table limits
 *                                               undo: destroydomain
 *   max_vcpus      allocate the vcpus
 *   affinity       cpus= / cpus_soft=: each vcpu's hard and soft affinity
 *   max_mem        memory limit: the target + libxl's slack
 *   evtchn         unbound ports for xenstore and the console (freed with
 *                  the domain)
 *   claim          claim_mode: reserve the guest's memory in Xen
 *   build          ctrl_build_pv / ctrl_build_pvh: memory, kernel,
 *                  start_info, vcpu 0
 *   unclaim        give back what the build did not take of the claim
 *   xenstore       the domain's nodes, in one transaction
 *                                               undo: remove them
 *   vbd_backend    each disk's backend/frontend nodes  undo: remove them
 *   vbd_wait       until blkback is InitWait or Connected; then a
 *                  script= disk's "SCRIPT add" and its physical-device
 *   vif_backend    each vif's backend/frontend nodes   undo: remove them
 *   vif_hotplug    netback's vifD.N on its bridge/route/NAT
 *                                               undo: take that apart
 *   vif_wait       until netback is InitWait or Connected
 *   introduce      tell xenstored about the ring undo: release
 *   devmodel       an HVM guest's QEMU (devmodel_hvm.c) undo: stop it
 *   save_config    the JSON file for `xl list -l`  undo: unlink
 *   unpause        unless LIGHT_CREATE_PAUSED
 *
 * The guest runs nothing before unpause, so writing all its xenstore
 * nodes after the build (rather than before, as libxl does) loses
 * nothing and keeps them to a single transaction.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "light_internal.h"
#include "light_steps.h"
#include "light_lifecycle.h"
#include "light_device.h"
#include "light_restore.h"
#include "ctrl_build.h"

#include <xen/domctl.h>     /* XEN_DOMCTL_GRANT_version */
#include <xen/sysctl.h>     /* XEN_SYSCTL_PHYSCAP_gnttab_v1, _v2 */
#include <xen/hvm/params.h> /* HVMPV_*: viridian= */

/* libxl's default number of event channels for a PV guest. */
#define CREATE_EVTCHN_PORTS    1023

/* What create has done so far; each step's undo looks here. */
struct create {
	struct light_ctx *c;
	struct light_domain_config *dc;
	unsigned flags;
	char uuid[37];

	bool dom0_lowered;      /* autoballoon lowered Dom0's target ... */
	uint64_t dom0_target_kb;    /* ... from this */
	bool created;           /* the domain exists */
	uint32_t domid;
	uint32_t store_port, console_port;
	struct ctrl_build_result br;
	bool xs_written;        /* the transaction committed */
	bool introduced;
	bool dm_started;        /* an HVM guest's QEMU runs */
	bool saved;
	char save_path[PATH_MAX];
	struct light_devices devs;  /* the device steps' own progress */
	struct light_create_marker marker;  /* held while we work (abandoned.c) */
	/* Restoring (restore.c): the build step loads this saved image
	 * instead of booting a kernel. */
	struct light_restore_src *restore;
};

/* ---- small xenstore helpers ---------------------------------------- */

/* Write a printf-formatted value to a printf-formatted path... two
 * formats in one call would be unreadable, so the path is built first. */
static int xs_put(struct light_ctx *c, xsc_tx t, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int xs_put(struct light_ctx *c, xsc_tx t, const char *path,
                  const char *fmt, ...)
{
	char val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (xsc_write_str(c->xs, t, path, val) < 0) {
		char what[300];
		snprintf(what, sizeof(what), "xenstore write %s", path);
		return light_error_xs(c, what);
	}
	return 0;
}

/* Create an empty node with the given permissions. */
static int xs_node(struct light_ctx *c, xsc_tx t, const char *path,
                   const struct xsc_perm *perms, unsigned n)
{
	char what[300];

	if (xsc_write(c->xs, t, path, "", 0) < 0 ||
	    xsc_set_perms(c->xs, t, path, perms, n) < 0) {
		snprintf(what, sizeof(what), "xenstore mknod %s", path);
		return light_error_xs(c, what);
	}
	return 0;
}

/* Set permissions of an existing node. */
static int xs_perms(struct light_ctx *c, xsc_tx t, const char *path,
                    const struct xsc_perm *perms, unsigned n)
{
	char what[300];

	if (xsc_set_perms(c->xs, t, path, perms, n) < 0) {
		snprintf(what, sizeof(what), "xenstore set perms %s", path);
		return light_error_xs(c, what);
	}
	return 0;
}

/* ---- the steps ----------------------------------------------------- */

static int step_createdomain(void *arg)
{
	struct create *cr = arg;
	struct ctrl_createdomain cd;

	struct ctrl_physinfo pi;
	struct light_domain_config *dc = cr->dc;

	/* max_grant_version unset: the highest this Xen offers, as libxl
	 * decides it; the choice is kept in dc, so the stored configuration
	 * (and a restart) says what the domain got. */
	if (dc->max_grant_version < 0) {
		if (ctrl_physinfo(cr->c->ctrl, &pi) < 0)
			return light_error_ctrl(cr->c, "physinfo");
		dc->max_grant_version =
		    (pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2) ? 2 :
		    (pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v1) ? 1 : 0;
	}
	memset(&cd, 0, sizeof(cd));
	memcpy(cd.handle, dc->uuid, sizeof(cd.handle));
	cd.max_vcpus = dc->max_vcpus;
	cd.max_evtchn_port = CREATE_EVTCHN_PORTS;
	/* -1 is Xen's default (gnttab_max_frames= on its command line, 64
	 * unless set), which is what libxl passes when neither xl.cfg nor
	 * xl.conf sets one.  Xen refuses a limit above its own maximum. */
	cd.max_grant_frames = (int)dc->max_grant_frames;
	cd.max_maptrack_frames = (int)dc->max_maptrack_frames;
	cd.grant_opts = XEN_DOMCTL_GRANT_version((int)dc->max_grant_version);
	if (dc->type == LIGHT_DOMAIN_PVH)
		ctrl_createdomain_pvh(&cd);
	else if (dc->type == LIGHT_DOMAIN_HVM)
		ctrl_createdomain_hvm(&cd);
	cr->domid = 0;          /* any free id */
	if (ctrl_domain_create(cr->c->ctrl, &cr->domid, &cd) < 0)
		return light_error_ctrl(cr->c, "cannot create the domain");
	cr->created = true;
	light_create_mark_domid(&cr->marker, cr->domid);
	return 0;
}

static void undo_createdomain(void *arg)
{
	struct create *cr = arg;

	if (cr->created && ctrl_domain_destroy(cr->c->ctrl, cr->domid) == 0) {
		/* Released here, after the destroy, not in undo_introduce:
		 * see light_domain_destroy() for why the order matters. */
		if (cr->introduced)
			(void)xsc_release_domain(cr->c->xs, cr->domid);
		light_wait_released(cr->c, cr->domid);
		/* Once more, now that the domain is gone: a backend driver
		 * that probed a device while the device undos ran (netback
		 * writes its feature-* nodes then) has put its directory
		 * back, and nothing else would ever remove it. */
		light_remove_domain_nodes(cr->c, cr->domid, cr->dc->name, cr->uuid);
	}
	cr->introduced = false;
	cr->created = false;
}

static int step_max_vcpus(void *arg)
{
	struct create *cr = arg;

	/* Xen 4.17 still allocates the vcpus themselves here, not in
	 * createdomain (which only records the limit). */
	if (ctrl_domain_max_vcpus(cr->c->ctrl, cr->domid, cr->dc->max_vcpus) < 0)
		return light_error_ctrl(cr->c, "cannot set the number of vcpus");
	return 0;
}

/*
 * cpus= / cpus_soft=: pin each vcpu as the file asks before the guest
 * runs, as libxl does at build time.  A vcpu beyond a short list keeps
 * Xen's default (every CPU).  Nothing to undo: the maps go with the
 * domain.
 */
static int step_affinity(void *arg)
{
	struct create *cr = arg;
	struct light_domain_config *dc = cr->dc;
	unsigned i;

	struct ctrl_physinfo pi;
	unsigned cpu;
	size_t k;

	if (dc->ncpus_hard == 0 && dc->ncpus_soft == 0)
		return 0;
	/* The maps as applied: "all" means this host's CPUs, which is also
	 * what the stored configuration then shows, as libxl's does. */
	if (ctrl_physinfo(cr->c->ctrl, &pi) < 0)
		return light_error_ctrl(cr->c, "physinfo");
	for (cpu = pi.max_cpu_id + 1; cpu < LIGHT_CPUMAP_MAX_CPUS; cpu++) {
		for (k = 0; k < dc->ncpus_hard; k++)
			dc->cpus_hard[k].bits[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
		for (k = 0; k < dc->ncpus_soft; k++)
			dc->cpus_soft[k].bits[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
	}
	for (i = 0; i < dc->max_vcpus; i++) {
		const struct light_cpumap *hard = i < dc->ncpus_hard ?
		    &dc->cpus_hard[i] : NULL;
		const struct light_cpumap *soft = i < dc->ncpus_soft ?
		    &dc->cpus_soft[i] : NULL;

		if (hard == NULL && soft == NULL)
			continue;
		if (light_vcpu_set_affinity(cr->c, cr->domid, (int)i, hard,
		    soft) < 0)
			return -1;
	}
	return 0;
}

/*
 * xl's freemem, before anything is allocated: with autoballoon on, make
 * Xen's free memory cover the guest by shrinking Dom0.  Off, a guest too
 * big for the free memory fails in the build, as upstream's does.
 */
static int step_autoballoon(void *arg)
{
	struct create *cr = arg;
	int on, lowered = 0, rc;

	on = light_autoballoon_enabled(cr->c);
	if (on <= 0)
		return on;
	rc = light_memory_make_room(cr->c, light_domain_need_memory_kb(cr->dc),
	                            &cr->dom0_target_kb, &lowered);
	cr->dom0_lowered = lowered != 0;
	return rc;
}

/* A create that fails gives Dom0 back what it took (upstream keeps Dom0
 * small; a failed command here leaves nothing changed). */
static void undo_autoballoon(void *arg)
{
	struct create *cr = arg;
	char keep[sizeof(cr->c->err)];
	int e = errno;

	if (!cr->dom0_lowered)
		return;
	snprintf(keep, sizeof(keep), "%s", cr->c->err);
	(void)light_memory_restore_dom0(cr->c, cr->dom0_target_kb);
	snprintf(cr->c->err, sizeof(cr->c->err), "%s", keep);
	errno = e;
}

/* As libxl__build_pre: Xen's limit is the target (plus the slack), not
 * maxmem; `xl mem-set` raises it when the guest may grow. */
static int step_max_mem(void *arg)
{
	struct create *cr = arg;

	if (ctrl_domain_max_mem(cr->c->ctrl, cr->domid,
	                        cr->dc->target_memkb + LIGHT_MAXMEM_SLACK_KB) < 0)
		return light_error_ctrl(cr->c, "cannot set the memory limit");
	return 0;
}

static int step_evtchn(void *arg)
{
	struct create *cr = arg;
	int p;

	/* Both ends of these channels are bound later by dom0's xenstored
	 * and console daemon; the ports die with the domain. */
	p = ctrl_evtchn_alloc_unbound(cr->c->ctrl, cr->domid, 0);
	if (p < 0)
		return light_error_ctrl(cr->c, "cannot allocate the xenstore event channel");
	cr->store_port = (uint32_t)p;
	p = ctrl_evtchn_alloc_unbound(cr->c->ctrl, cr->domid, 0);
	if (p < 0)
		return light_error_ctrl(cr->c, "cannot allocate the console event channel");
	cr->console_port = (uint32_t)p;
	return 0;
}

/*
 * xl.conf's claim_mode, as libxenguest does it for libxl: claim the
 * guest's memory before populating it, so that a guest that does not fit
 * fails here, before the build has taken (and must give back) most of
 * it, and a create running at the same time cannot take it halfway.
 * Released once the build has its memory (step_unclaim); Xen drops a
 * claim with its domain, so there is no undo.
 */
static int step_claim(void *arg)
{
	struct create *cr = arg;
	unsigned long long mib = cr->dc->target_memkb / 1024;

	if (!cr->dc->claim_mode)
		return 0;
	if (ctrl_domain_claim_pages(cr->c->ctrl, cr->domid,
	                            (unsigned long)(cr->dc->target_memkb / 4)) < 0) {
		if (errno == ENOMEM)
			return lc_fail(cr->c, ENOMEM, "cannot claim %llu MB for the "
			               "domain: not enough free memory in Xen "
			               "(claim_mode in xl.conf)", mib);
		return light_error_ctrl(cr->c, "cannot claim the domain's memory");
	}
	return 0;
}

static int step_unclaim(void *arg)
{
	struct create *cr = arg;

	if (cr->dc->claim_mode &&
	    ctrl_domain_claim_pages(cr->c->ctrl, cr->domid, 0) < 0)
		return light_error_ctrl(cr->c, "cannot release the memory claim");
	return 0;
}

static int step_build(void *arg)
{
	struct create *cr = arg;
	struct ctrl_build_params p;
	uint32_t groups;
	char err[400];
	int rc = -1;

	if (cr->restore != NULL)
		return light_restore_build(cr->c, cr->restore, cr->domid, cr->dc,
		                           cr->store_port, cr->console_port,
		                           &cr->br.store_mfn, &cr->br.console_mfn);
	memset(&p, 0, sizeof(p));
	p.kernel_path = cr->dc->kernel;
	p.ramdisk_path = cr->dc->ramdisk;
	p.cmdline = cr->dc->cmdline;
	p.mem_kb = cr->dc->target_memkb;
	p.maxmem_kb = cr->dc->max_memkb;
	p.nr_vcpus = cr->dc->max_vcpus;
	p.nr_online_vcpus = cr->dc->vcpus;
	p.store_evtchn = cr->store_port;
	p.console_evtchn = cr->console_port;
	p.store_domid = 0;
	p.console_domid = 0;
	err[0] = '\0';
	switch (cr->dc->type) {
	case LIGHT_DOMAIN_PV:
		rc = ctrl_build_pv(cr->c->ctrl, cr->domid, &p, &cr->br, err,
		                   sizeof(err));
		break;
	case LIGHT_DOMAIN_PVH:
		rc = ctrl_build_pvh(cr->c->ctrl, cr->domid, &p, &cr->br, err,
		                    sizeof(err));
		break;
	case LIGHT_DOMAIN_HVM:
		/* The firmware boots; QEMU loads the kernel (devmodel_hvm.c). */
		if (light_hvm_firmware(cr->c, cr->dc, &p.kernel_path,
		                       &p.firmware_path) < 0)
			return -1;
		p.ramdisk_path = NULL;
		p.cmdline = NULL;
		/* memory= holds the video card's memory too, which QEMU
		 * populates itself; the RAM is the rest (libxl__build_hvm). */
		p.mem_kb -= cr->dc->hvm.video_memkb;
		p.maxmem_kb -= cr->dc->hvm.video_memkb;
		p.no_hpet = !cr->dc->hvm.hpet;
		/* Xen's bits are the groups' numbers, but for freq, which
		 * Xen has the other way round (no_freq). */
		groups = light_viridian_groups(cr->dc);
		p.viridian = (groups & ~(uint64_t)HVMPV_no_freq) |
			((groups & HVMPV_base_freq) && !(groups & (1u << 1)) ?
			 HVMPV_no_freq : 0);
		rc = ctrl_build_hvm(cr->c->ctrl, cr->domid, &p, &cr->br, err,
		                    sizeof(err));
		break;
	}
	if (rc < 0)
		return lc_fail(cr->c, errno ? errno : EIO, "cannot build the domain: %s",
		               err[0] ? err : ctrl_errmsg(cr->c->ctrl));
	return 0;
}

/*
 * What an HVM guest's firmware and QEMU read, as libxl writes it
 * (libxl__domain_make, libxl__domain_build, libxl__spawn_local_dm):
 * hvmloader's BIOS choice and platform switches, QEMU's directory in
 * Dom0's tree, and the S3/S4 feature nodes the guest writes.
 */
static int write_hvm_nodes(struct create *cr, xsc_tx t)
{
	struct light_ctx *c = cr->c;
	const struct light_domain_config *dc = cr->dc;
	uint32_t d = cr->domid;
	const struct xsc_perm ro[] = { { 0, 'n' }, { d, 'r' } };
	const struct xsc_perm rw[] = { { d, 'n' } };
	const struct xsc_perm none[] = { { 0, 'n' } };
	char p[128];

	snprintf(p, sizeof(p), "/local/domain/%u/hvmloader", d);
	if (xs_node(c, t, p, ro, 2) < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/hvmloader/bios", d);
	if (xs_put(c, t, p, "seabios") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/hvmloader/allow-memory-relocate", d);
	if (xs_put(c, t, p, "0") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/platform/acpi", d);
	if (xs_put(c, t, p, "%d", dc->hvm.acpi ? 1 : 0) < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/platform/acpi_s3", d);
	if (xs_put(c, t, p, "1") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/platform/acpi_s4", d);
	if (xs_put(c, t, p, "1") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/platform/acpi_laptop_slate", d);
	if (xs_put(c, t, p, "0") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/platform/device-model", d);
	if (xs_put(c, t, p, "qemu_xen") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/control/feature-s3", d);
	if (xs_node(c, t, p, rw, 1) < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/%u/control/feature-s4", d);
	if (xs_node(c, t, p, rw, 1) < 0)
		return -1;
	snprintf(p, sizeof(p), "/vm/%s/image/ostype", cr->uuid);
	if (xs_put(c, t, p, "hvm") < 0)
		return -1;
	snprintf(p, sizeof(p), "/vm/%s/rtc/timeoffset", cr->uuid);
	if (xs_put(c, t, p, "0") < 0)
		return -1;
	snprintf(p, sizeof(p), "/libxl/%u/dm-version", d);
	if (xs_put(c, t, p, "qemu_xen") < 0)
		return -1;
	snprintf(p, sizeof(p), "/local/domain/0/device-model/%u", d);
	if ((xsc_rm(c->xs, t, p) < 0 && errno != ENOENT) ||
	    xs_node(c, t, p, none, 1) < 0)
		return -1;
	return 0;
}

/* The whole home of the domain; called inside transaction t. */
static int write_nodes(struct create *cr, xsc_tx t)
{
	struct light_ctx *c = cr->c;
	const struct light_domain_config *dc = cr->dc;
	uint32_t d = cr->domid;
	/* Owner dom0, the guest may read: "n0 rD". */
	const struct xsc_perm ro[] = { { 0, 'n' }, { d, 'r' } };
	/* Owned by the guest: it may read and write ("nD"). */
	const struct xsc_perm rw[] = { { d, 'n' } };
	/* Console directory: the guest's, dom0 may read. */
	const struct xsc_perm cons[] = { { d, 'n' }, { 0, 'r' } };
	/* Toolstack-only. */
	const struct xsc_perm none[] = { { 0, 'n' } };
	static const char *const rw_nodes[] = {
		"control/shutdown", "control/feature-poweroff",
		"control/feature-reboot", "control/feature-suspend",
		"control/sysrq",        /* the guest clears the key it ran */
		"device/suspend/event-channel",
		"data", "drivers", "feature", "attr", "error",
	};
	char dom[64], vm[64], p[128];
	struct timeval tv;
	uint64_t video;
	unsigned i;

	snprintf(dom, sizeof(dom), "/local/domain/%u", d);
	snprintf(vm, sizeof(vm), "/vm/%s", cr->uuid);

	/* Stale nodes of an earlier domain with this id or uuid go first. */
	if ((xsc_rm(c->xs, t, dom) < 0 && errno != ENOENT) ||
	    (xsc_rm(c->xs, t, vm) < 0 && errno != ENOENT))
		return light_error_xs(c, "xenstore rm stale domain nodes");
	snprintf(p, sizeof(p), "/libxl/%u", d);
	if (xsc_rm(c->xs, t, p) < 0 && errno != ENOENT)
		return light_error_xs(c, "xenstore rm stale /libxl node");

	if (xs_node(c, t, dom, ro, 2) < 0 || xs_node(c, t, vm, ro, 2) < 0 ||
	    xs_node(c, t, p, none, 1) < 0)
		return -1;
	/* Upstream's libxl reads the type of an HVM container from here
	 * ("pvh" or "hvm"); Xen's flags only say it is not PV. */
	snprintf(p, sizeof(p), "/libxl/%u/type", d);
	if (xs_put(c, t, p, "%s", light_domain_type_name(dc->type)) < 0)
		return -1;
	/* Who applies its on_* actions (monitor.c), recorded with the rest
	 * so no monitor ever sees the domain without it. */
	snprintf(p, sizeof(p), "/libxl/%u/monitor", d);
	if (xs_put(c, t, p, "%s", light_monitor_mode_name(
	           (cr->flags & LIGHT_CREATE_NO_MONITOR) ? LIGHT_MONITOR_NONE :
	           (cr->flags & LIGHT_CREATE_MONITOR_CALLER) ? LIGHT_MONITOR_CALLER :
	           LIGHT_MONITOR_DAEMON)) < 0)
		return -1;

	/* /vm/<uuid> */
	gettimeofday(&tv, NULL);
	snprintf(p, sizeof(p), "%s/uuid", vm);
	if (xs_put(c, t, p, "%s", cr->uuid) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/name", vm);
	if (xs_put(c, t, p, "%s", dc->name) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/start_time", vm);
	if (xs_put(c, t, p, "%lu.%02d", (unsigned long)tv.tv_sec,
	           (int)(tv.tv_usec / 10000)) < 0)
		return -1;

	/* Identity.  Nodes written below inherit "n0 rD" from the parent. */
	snprintf(p, sizeof(p), "%s/vm", dom);
	if (xs_put(c, t, p, "%s", vm) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/name", dom);
	if (xs_put(c, t, p, "%s", dc->name) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/domid", dom);
	if (xs_put(c, t, p, "%u", d) < 0)
		return -1;

	/* Directories the guest reads but must not change. */
	static const char *const ro_dirs[] = { "cpu", "memory", "device", "control" };
	for (i = 0; i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dom, ro_dirs[i]);
		if (xs_node(c, t, p, ro, 2) < 0)
			return -1;
	}
	/* Nodes the guest writes (shutdown acks, feature flags, data). */
	for (i = 0; i < sizeof(rw_nodes) / sizeof(rw_nodes[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dom, rw_nodes[i]);
		if (xs_node(c, t, p, rw, 1) < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/control/platform-feature-multiprocessor-suspend", dom);
	if (xs_put(c, t, p, "1") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/control/platform-feature-xs_reset_watches", dom);
	if (xs_put(c, t, p, "1") < 0)
		return -1;

	/* Memory (KiB), as libxl__build_post writes it: the balloon target
	 * leaves out an HVM guest's video memory. */
	video = dc->type == LIGHT_DOMAIN_HVM ? dc->hvm.video_memkb : 0;
	snprintf(p, sizeof(p), "%s/memory/static-max", dom);
	if (xs_put(c, t, p, "%llu", (unsigned long long)dc->max_memkb) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/memory/target", dom);
	if (xs_put(c, t, p, "%llu", (unsigned long long)(dc->target_memkb - video)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/memory/videoram", dom);
	if (xs_put(c, t, p, "%llu", (unsigned long long)video) < 0)
		return -1;

	/* vcpus: the first `vcpus` online, the rest hot-pluggable later. */
	for (i = 0; i < dc->max_vcpus; i++) {
		snprintf(p, sizeof(p), "%s/cpu/%u/availability", dom, i);
		if (xs_put(c, t, p, "%s", i < dc->vcpus ? "online" : "offline") < 0)
			return -1;
	}

	/* xenstore ring: the guest reads these to find its store. */
	snprintf(p, sizeof(p), "%s/store/port", dom);
	if (xs_put(c, t, p, "%u", cr->store_port) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/store/ring-ref", dom);
	if (xs_put(c, t, p, "%llu", (unsigned long long)cr->br.store_mfn) < 0)
		return -1;

	/* Console 0, served by xenconsoled, which watches for this directory
	 * and writes console/tty.  ring-ref and port are read-only to the
	 * guest, as libxl writes its "ro_front" entries. */
	snprintf(p, sizeof(p), "%s/console", dom);
	if (xs_node(c, t, p, cons, 2) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/backend-id", dom);
	if (xs_put(c, t, p, "0") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/limit", dom);
	if (xs_put(c, t, p, "%d", LIGHT_CONSOLE_LIMIT) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/type", dom);
	if (xs_put(c, t, p, "xenconsoled") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/output", dom);
	if (xs_put(c, t, p, "pty") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/tty", dom);
	if (xs_put(c, t, p, "%s", "") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/port", dom);
	if (xs_put(c, t, p, "%u", cr->console_port) < 0 || xs_perms(c, t, p, ro, 2) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/console/ring-ref", dom);
	if (xs_put(c, t, p, "%llu", (unsigned long long)cr->br.console_mfn) < 0 ||
	    xs_perms(c, t, p, ro, 2) < 0)
		return -1;

	if (dc->type == LIGHT_DOMAIN_HVM && write_hvm_nodes(cr, t) < 0)
		return -1;

	/* Finally the name index entry, so lookups by name find it.  Read
	 * and written in this transaction, it is what keeps names unique
	 * when creates race (check_unique() only catches the common case). */
	if (light_name_claim(c, t, dc->name, d) < 0)
		return -1;
	return 0;
}

static int step_xenstore(void *arg)
{
	struct create *cr = arg;
	xsc_tx t;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(cr->c->xs, &t) < 0)
			return light_error_xs(cr->c, "xenstore transaction start");
		if (write_nodes(cr, t) < 0) {
			int e = errno;
			(void)xsc_transaction_end(cr->c->xs, t, false);
			errno = e;
			return -1;
		}
		if (xsc_transaction_end(cr->c->xs, t, true) == 0) {
			cr->xs_written = true;
			return 0;
		}
		if (errno != EAGAIN)
			return light_error_xs(cr->c, "xenstore transaction commit");
		/* Someone else changed the store meanwhile: redo it all. */
	}
	return lc_fail(cr->c, EAGAIN, "xenstore transaction kept conflicting");
}

static void undo_xenstore(void *arg)
{
	struct create *cr = arg;

	/* The nodes only exist if the commit went through; removing is
	 * still harmless otherwise, and the same code as destroy's. */
	if (cr->created)
		light_remove_domain_nodes(cr->c, cr->domid, cr->dc->name, cr->uuid);
	cr->xs_written = false;
}

static int step_introduce(void *arg)
{
	struct create *cr = arg;

	if (xsc_introduce_domain(cr->c->xs, cr->domid, cr->br.store_mfn,
	                         cr->store_port) < 0)
		return light_error_xs(cr->c, "cannot introduce the domain to xenstored");
	cr->introduced = true;
	return 0;
}

static int step_save_config(void *arg)
{
	struct create *cr = arg;
	struct light_userdata_lock lk;
	int rc;

	if (light_config_store_path(cr->domid, cr->dc->uuid, cr->save_path,
	                            sizeof(cr->save_path)) < 0)
		return lc_fail(cr->c, ENAMETOOLONG, "state directory path too long");
	/* Under libxl's userdata lock, as libxl stores its own: another
	 * toolstack's reader sees the whole file or none. */
	if (light_userdata_lock(cr->domid, cr->dc->uuid, &lk) < 0)
		return light_error(cr->c, errno, "cannot take the userdata lock "
		                   "of domain %u", cr->domid);
	rc = light_config_save(cr->c, cr->dc, cr->domid, cr->save_path);
	light_userdata_unlock(&lk);
	if (rc < 0)
		return -1;
	cr->saved = true;
	return 0;
}

static void undo_save_config(void *arg)
{
	struct create *cr = arg;

	if (cr->saved)
		(void)unlink(cr->save_path);
	cr->saved = false;
}

/* An HVM guest's QEMU, before it runs: the firmware's first port
 * access already goes to QEMU. */
static int step_devmodel(void *arg)
{
	struct create *cr = arg;

	if (cr->dc->type != LIGHT_DOMAIN_HVM)
		return 0;
	if (light_hvm_dm_start(cr->c, cr->domid, cr->dc) < 0)
		return -1;
	cr->dm_started = true;
	return 0;
}

static void undo_devmodel(void *arg)
{
	struct create *cr = arg;

	if (cr->dm_started)
		light_hvm_dm_stop(cr->c, cr->domid);
	cr->dm_started = false;
}

static int step_unpause(void *arg)
{
	struct create *cr = arg;

	if (cr->flags & LIGHT_CREATE_PAUSED)
		return 0;
	if (ctrl_domain_unpause(cr->c->ctrl, cr->domid) < 0)
		return light_error_ctrl(cr->c, "cannot unpause the domain");
	return 0;
}

/* The device steps (light_device.h) keep their state in cr->devs. */
static struct light_devices *devs_of(void *arg)
{
	struct create *cr = arg;

	cr->devs.domid = cr->domid;
	return &cr->devs;
}

static int step_vbd_host(void *arg) { return vbd_step_host(devs_of(arg)); }
static void undo_vbd_host(void *arg) { vbd_undo_host(devs_of(arg)); }
static int step_vbd_backend(void *arg) { return vbd_step_backend(devs_of(arg)); }
static void undo_vbd_backend(void *arg) { vbd_undo_backend(devs_of(arg)); }
static int step_vbd_devmodel(void *arg) { return vbd_step_devmodel(devs_of(arg)); }
static void undo_vbd_devmodel(void *arg) { vbd_undo_devmodel(devs_of(arg)); }
static int step_vbd_wait(void *arg) { return vbd_step_wait(devs_of(arg)); }
static int step_vif_check(void *arg) { return vif_step_check(devs_of(arg)); }
static int step_vif_backend(void *arg) { return vif_step_backend(devs_of(arg)); }
static void undo_vif_backend(void *arg) { vif_undo_backend(devs_of(arg)); }
static int step_vif_hotplug(void *arg) { return vif_step_hotplug(devs_of(arg)); }
static void undo_vif_hotplug(void *arg) { vif_undo_hotplug(devs_of(arg)); }
static int step_vif_wait(void *arg) { return vif_step_wait(devs_of(arg)); }

/* The marker that tells a create killed half-way from one at work; the
 * first step, so that whatever a later one makes is covered. */
static int step_mark(void *arg)
{
	struct create *cr = arg;

	return light_create_mark(cr->c, cr->uuid, &cr->marker);
}

static void undo_mark(void *arg)
{
	struct create *cr = arg;

	light_create_unmark(&cr->marker);
}

static const struct light_step create_steps[] = {
	{ "mark", step_mark, undo_mark },
	{ "vbd_host", step_vbd_host, undo_vbd_host },
	{ "vif_check", step_vif_check, NULL },
	{ "autoballoon", step_autoballoon, undo_autoballoon },
	{ "createdomain", step_createdomain, undo_createdomain },
	{ "max_vcpus", step_max_vcpus, NULL },
	{ "affinity", step_affinity, NULL },
	{ "max_mem", step_max_mem, NULL },
	{ "evtchn", step_evtchn, NULL },
	{ "claim", step_claim, NULL },
	{ "build", step_build, NULL },
	{ "unclaim", step_unclaim, NULL },
	{ "xenstore", step_xenstore, undo_xenstore },
	{ "vbd_backend", step_vbd_backend, undo_vbd_backend },
	{ "vbd_devmodel", step_vbd_devmodel, undo_vbd_devmodel },
	{ "vbd_wait", step_vbd_wait, NULL },
	{ "vif_backend", step_vif_backend, undo_vif_backend },
	{ "vif_hotplug", step_vif_hotplug, undo_vif_hotplug },
	{ "vif_wait", step_vif_wait, NULL },
	/* Undone by undo_createdomain, which releases after destroying. */
	{ "introduce", step_introduce, NULL },
	{ "devmodel", step_devmodel, undo_devmodel },
	{ "save_config", step_save_config, undo_save_config },
	{ "unpause", step_unpause, NULL },
};

/* Checks that need the running system: unique name and uuid. */
static int check_unique(struct light_ctx *c, const struct light_domain_config *dc)
{
	struct ctrl_dominfo *list = NULL;
	size_t n = 0, i;
	uint32_t other;
	int rc = -1;

	if (light_domain_by_name(c, dc->name, &other) == 0)
		return lc_fail(c, EEXIST, "domain with name \"%s\" already exists "
		               "(domain %u)", dc->name, other);
	if (errno != ENOENT)
		return -1;
	if (!dc->has_uuid)
		return 0;
	if (ctrl_domain_list(c->ctrl, &list, &n) < 0)
		return light_error_ctrl(c, "cannot list domains");
	for (i = 0; i < n; i++) {
		if (!list[i].dying && memcmp(list[i].handle, dc->uuid, 16) == 0) {
			char u[37];
			uuid_unparse_lower(dc->uuid, u);
			lc_fail(c, EEXIST, "uuid %s is already used by domain %u",
			        u, list[i].domid);
			goto out;
		}
	}
	rc = 0;
out:
	free(list);
	return rc;
}

static int create_or_restore(struct light_ctx *c, struct light_domain_config *dc,
                             unsigned flags, struct light_restore_src *restore,
                             uint32_t *domid);

int light_domain_create(struct light_ctx *c, struct light_domain_config *dc,
                        unsigned flags, uint32_t *domid)
{
	return create_or_restore(c, dc, flags, NULL, domid);
}

/* restore.c: the same steps, the build step loading a saved image. */
int light_domain_create_restored(struct light_ctx *c,
                                 struct light_domain_config *dc,
                                 unsigned flags,
                                 struct light_restore_src *restore,
                                 uint32_t *domid)
{
	return create_or_restore(c, dc, flags, restore, domid);
}

static int create_or_restore(struct light_ctx *c, struct light_domain_config *dc,
                             unsigned flags, struct light_restore_src *restore,
                             uint32_t *domid)
{
	struct create cr;
	char err[400];
	size_t failed;
	const char *inject;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (light_domain_config_check_runnable(dc, err, sizeof(err)) < 0)
		return lc_fail(c, ENOTSUP, "%s", err);
	/* Missing images are the commonest mistake: say so before creating
	 * anything (the builder would find out only after createdomain).  A
	 * restored guest boots no kernel. */
	if (!restore && dc->kernel && access(dc->kernel, R_OK) < 0)
		return light_error(c, errno, "kernel %s", dc->kernel);
	if (!restore && dc->ramdisk && access(dc->ramdisk, R_OK) < 0)
		return light_error(c, errno, "ramdisk %s", dc->ramdisk);
	/* What a killed create left may hold this very name. */
	(void)light_reap_abandoned(c, NULL, 0);
	if (check_unique(c, dc) < 0)
		return -1;
	if (!dc->has_uuid) {
		uuid_generate(dc->uuid);
		dc->has_uuid = true;
	}

	memset(&cr, 0, sizeof(cr));
	cr.c = c;
	cr.dc = dc;
	cr.flags = flags;
	uuid_unparse_lower(dc->uuid, cr.uuid);
	cr.devs.c = c;
	cr.devs.dc = dc;
	cr.restore = restore;
	cr.marker.fd = -1;
	cr.devs.marker = &cr.marker;

	inject = NULL;
#ifdef LIGHTSTACK_FAULT_INJECTION
	/* Test builds only (configure --enable-fault-injection). */
	inject = getenv("LIGHTSTACK_CREATE_FAIL");
#endif
	if (light_steps_run(create_steps, sizeof(create_steps) / sizeof(create_steps[0]),
	                    &cr, inject, &failed) < 0) {
		int e = errno;
		if (inject && strcmp(inject, create_steps[failed].name) == 0)
			lc_fail(c, EIO, "create step %s: injected failure", inject);
		vbd_create_done(&cr.devs);
		vif_create_done(&cr.devs);
		errno = e;
		return -1;
	}
	vbd_create_done(&cr.devs);
	vif_create_done(&cr.devs);
	light_create_unmark(&cr.marker);
	*domid = cr.domid;
	return 0;
}
