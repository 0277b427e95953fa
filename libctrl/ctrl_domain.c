/*
 * ctrl_domain.c - domain information, lifecycle and vCPU domctls.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrl_internal.h"

#include <xen/sched.h>

/* Domains fetched per XEN_SYSCTL_getdomaininfolist call: one call covers a
 * typical host; the batch must fit a modest hypercall buffer. */
#define DOMLIST_BATCH 256

/* Upstream's default number of event channels for a guest. */
#define DEFAULT_MAX_EVTCHN_PORT 1023

/* ---- Information ------------------------------------------------------ */

void
ctrl_dominfo_decode(const struct xen_domctl_getdomaininfo *in,
                    struct ctrl_dominfo *out)
{
	memset(out, 0, sizeof(*out));
	out->domid = in->domain;
	out->flags = in->flags;
	out->dying = (in->flags & XEN_DOMINF_dying) != 0;
	out->hvm = (in->flags & XEN_DOMINF_hvm_guest) != 0;
	out->shutdown = (in->flags & XEN_DOMINF_shutdown) != 0;
	out->paused = (in->flags & XEN_DOMINF_paused) != 0;
	out->blocked = (in->flags & XEN_DOMINF_blocked) != 0;
	out->running = (in->flags & XEN_DOMINF_running) != 0;
	out->debugged = (in->flags & XEN_DOMINF_debugged) != 0;
	out->xs_domain = (in->flags & XEN_DOMINF_xs_domain) != 0;
	out->hap = (in->flags & XEN_DOMINF_hap) != 0;
	out->dom0 = in->domain == 0;
	/* The reason is only meaningful once the domain has shut down;
	 * otherwise the bits are stale or zero, so report 0. */
	if (out->shutdown)
		out->shutdown_reason = (in->flags >> XEN_DOMINF_shutdownshift) &
		                       XEN_DOMINF_shutdownmask;
	out->tot_pages = in->tot_pages;
	out->max_pages = in->max_pages;
	out->outstanding_pages = in->outstanding_pages;
	out->shr_pages = in->shr_pages;
	out->paged_pages = in->paged_pages;
	out->shared_info_frame = in->shared_info_frame;
	out->cpu_time_ns = in->cpu_time;
	out->nr_online_vcpus = in->nr_online_vcpus;
	out->max_vcpu_id = in->max_vcpu_id;
	out->ssidref = in->ssidref;
	out->cpupool = in->cpupool;
	out->gpaddr_bits = in->gpaddr_bits;
	memcpy(out->handle, in->handle, sizeof(out->handle));
}

int
ctrl_domain_getinfo(struct ctrl_handle *h, uint32_t domid,
                    struct ctrl_dominfo *out)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_getdomaininfo") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getdomaininfo;
	d.domain = (domid_t)domid;
	if (ctrl_domctl(h, &d, "XEN_DOMCTL_getdomaininfo") < 0)
		return -1;
	/* Xen 4.17 answers with the first domain whose id is >= the one
	 * asked for: a different id means ours does not exist. */
	if (d.u.getdomaininfo.domain != domid)
		return ctrl_seterr(h, ESRCH, "XEN_DOMCTL_getdomaininfo dom %u",
		                   domid);
	ctrl_dominfo_decode(&d.u.getdomaininfo, out);
	return 0;
}

int
ctrl_domain_list(struct ctrl_handle *h, struct ctrl_dominfo **out, size_t *n)
{
	struct xen_domctl_getdomaininfo *batch;
	struct ctrl_dominfo *list = NULL, *bigger;
	struct xen_sysctl s;
	size_t used = 0, cap = 0, bsize, i;
	uint32_t next = 0, got;
	int rc = -1, saved;

	*out = NULL;
	*n = 0;
	bsize = DOMLIST_BATCH * sizeof(*batch);
	batch = pc_buf_alloc(h->pc, bsize);
	if (batch == NULL)
		return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));

	/* Xen fills at most max_domains records with ids >= first_domain,
	 * in id order; a full batch means there may be more after the last
	 * id seen. */
	for (;;) {
		memset(&s, 0, sizeof(s));
		s.cmd = XEN_SYSCTL_getdomaininfolist;
		s.u.getdomaininfolist.first_domain = (domid_t)next;
		s.u.getdomaininfolist.max_domains = DOMLIST_BATCH;
		set_xen_guest_handle(s.u.getdomaininfolist.buffer, batch);
		if (ctrl_sysctl(h, &s, "XEN_SYSCTL_getdomaininfolist") < 0)
			goto out;
		got = s.u.getdomaininfolist.num_domains;
		if (got > DOMLIST_BATCH) {
			ctrl_seterr(h, EIO, "XEN_SYSCTL_getdomaininfolist: "
			            "%u records for a batch of %u", got,
			            DOMLIST_BATCH);
			goto out;
		}
		if (used + got > cap) {
			cap = used + got + DOMLIST_BATCH;
			bigger = realloc(list, cap * sizeof(*list));
			if (bigger == NULL) {
				ctrl_seterr(h, errno,
				            "XEN_SYSCTL_getdomaininfolist");
				goto out;
			}
			list = bigger;
		}
		for (i = 0; i < got; i++)
			ctrl_dominfo_decode(&batch[i], &list[used + i]);
		used += got;
		if (got < DOMLIST_BATCH)
			break;
		next = batch[got - 1].domain + 1u;
		if (next >= DOMID_FIRST_RESERVED)
			break;
	}

	if (used == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	*n = used;
	list = NULL;
	rc = 0;
out:
	saved = errno;
	free(list);
	pc_buf_free(h->pc, batch, bsize);
	errno = saved;
	return rc;
}

int
ctrl_vcpu_getinfo(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                  struct ctrl_vcpuinfo *out)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_getvcpuinfo") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getvcpuinfo;
	d.domain = (domid_t)domid;
	d.u.getvcpuinfo.vcpu = vcpu;
	if (ctrl_domctl(h, &d, "XEN_DOMCTL_getvcpuinfo") < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->online = d.u.getvcpuinfo.online != 0;
	out->blocked = d.u.getvcpuinfo.blocked != 0;
	out->running = d.u.getvcpuinfo.running != 0;
	out->cpu_time_ns = d.u.getvcpuinfo.cpu_time;
	out->cpu = d.u.getvcpuinfo.cpu;
	return 0;
}

/* ---- Lifecycle -------------------------------------------------------- */

int
ctrl_domain_create(struct ctrl_handle *h, uint32_t *domid,
                   const struct ctrl_createdomain *c)
{
	struct xen_domctl d;
	struct xen_domctl_createdomain *cd = &d.u.createdomain;

	/* 0 asks Xen to pick a free id; any other id must be a real one. */
	if (*domid != 0 &&
	    ctrl_check_domid(h, *domid, "XEN_DOMCTL_createdomain") < 0)
		return -1;
	if (c->max_vcpus == 0)
		return ctrl_seterr(h, EINVAL,
		                   "XEN_DOMCTL_createdomain: max_vcpus 0");

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_createdomain;
	d.domain = (domid_t)*domid;
	cd->ssidref = c->ssidref;
	memcpy(cd->handle, c->handle, sizeof(cd->handle));
	cd->flags = c->flags;
	cd->iommu_opts = c->iommu_opts;
	cd->max_vcpus = c->max_vcpus;
	cd->max_evtchn_port = c->max_evtchn_port != 0 ? c->max_evtchn_port
	                                              : DEFAULT_MAX_EVTCHN_PORT;
	cd->max_grant_frames = c->max_grant_frames > 0 ? c->max_grant_frames
	                                               : -1;
	cd->max_maptrack_frames = c->max_maptrack_frames > 0
	                          ? c->max_maptrack_frames : -1;
	/* Xen rejects grant version 0; version 1 is what every PV guest
	 * starts with. */
	cd->grant_opts = XEN_DOMCTL_GRANT_version(c->grant_opts) != 0
	                 ? (uint32_t)c->grant_opts
	                 : (uint32_t)c->grant_opts | XEN_DOMCTL_GRANT_version(1);
	cd->vmtrace_size = 0;
	cd->cpupool_id = c->cpupool_id;
	cd->arch.emulation_flags = c->emulation_flags;
	cd->arch.misc_flags = c->misc_flags;

	if (ctrl_domctl(h, &d, "XEN_DOMCTL_createdomain") < 0)
		return -1;
	*domid = d.domain;
	return 0;
}

/* The domctls that take nothing but the domain id. */
static int
simple_domctl(struct ctrl_handle *h, uint32_t domid, uint32_t cmd,
              const char *name)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = cmd;
	d.domain = (domid_t)domid;
	return ctrl_domctl(h, &d, name) < 0 ? -1 : 0;
}

int
ctrl_domain_pause(struct ctrl_handle *h, uint32_t domid)
{
	return simple_domctl(h, domid, XEN_DOMCTL_pausedomain,
	                     "XEN_DOMCTL_pausedomain");
}

int
ctrl_domain_unpause(struct ctrl_handle *h, uint32_t domid)
{
	return simple_domctl(h, domid, XEN_DOMCTL_unpausedomain,
	                     "XEN_DOMCTL_unpausedomain");
}

int
ctrl_domain_destroy(struct ctrl_handle *h, uint32_t domid)
{
	int rc;

	/* Tearing a domain down takes Xen a while (relinquishing its
	 * memory); Xen returns EAGAIN when it stopped part way and wants to
	 * be called again.  Keep calling until it finishes. */
	do {
		rc = simple_domctl(h, domid, XEN_DOMCTL_destroydomain,
		                   "XEN_DOMCTL_destroydomain");
	} while (rc < 0 && errno == EAGAIN);
	return rc;
}

int
ctrl_domain_shutdown(struct ctrl_handle *h, uint32_t domid, unsigned reason)
{
	struct sched_remote_shutdown arg;

	if (ctrl_check_domid(h, domid, "SCHEDOP_remote_shutdown") < 0)
		return -1;
	memset(&arg, 0, sizeof(arg));
	arg.domain_id = (domid_t)domid;
	arg.reason = reason;
	return ctrl_hypercall_arg(h, __HYPERVISOR_sched_op,
	                          SCHEDOP_remote_shutdown, &arg, sizeof(arg),
	                          "SCHEDOP_remote_shutdown", domid) < 0 ? -1 : 0;
}

int
ctrl_domain_max_mem(struct ctrl_handle *h, uint32_t domid, uint64_t max_kb)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_max_mem") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_max_mem;
	d.domain = (domid_t)domid;
	d.u.max_mem.max_memkb = max_kb;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_max_mem") < 0 ? -1 : 0;
}

int
ctrl_domain_max_vcpus(struct ctrl_handle *h, uint32_t domid, unsigned max)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_max_vcpus") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_max_vcpus;
	d.domain = (domid_t)domid;
	d.u.max_vcpus.max = max;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_max_vcpus") < 0 ? -1 : 0;
}

int
ctrl_domain_set_address_size(struct ctrl_handle *h, uint32_t domid,
                             unsigned bits)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_set_address_size") < 0)
		return -1;
	if (bits != 32 && bits != 64)
		return ctrl_seterr(h, EINVAL, "XEN_DOMCTL_set_address_size "
		                   "dom %u: %u bits", domid, bits);
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_set_address_size;
	d.domain = (domid_t)domid;
	d.u.address_size.size = bits;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_set_address_size") < 0 ? -1 : 0;
}

int
ctrl_domain_set_target(struct ctrl_handle *h, uint32_t domid, uint32_t target)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_set_target") < 0 ||
	    ctrl_check_domid(h, target, "XEN_DOMCTL_set_target (target)") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_set_target;
	d.domain = (domid_t)domid;
	d.u.set_target.target = (domid_t)target;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_set_target") < 0 ? -1 : 0;
}

int
ctrl_domain_set_handle(struct ctrl_handle *h, uint32_t domid,
                       const uint8_t handle[16])
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_setdomainhandle") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_setdomainhandle;
	d.domain = (domid_t)domid;
	memcpy(d.u.setdomainhandle.handle, handle,
	       sizeof(d.u.setdomainhandle.handle));
	return ctrl_domctl(h, &d, "XEN_DOMCTL_setdomainhandle") < 0 ? -1 : 0;
}

/* ---- vCPU context ----------------------------------------------------- */

/* The x86_64 context we take and the native one Xen's domctl names are the
 * same structure on an x86_64 toolstack. */
_Static_assert(sizeof(vcpu_guest_context_x86_64_t) ==
               sizeof(vcpu_guest_context_t),
               "vcpu_guest_context layout mismatch");

/* setvcpucontext (set true) or getvcpucontext through a bounce buffer. */
static int
vcpu_context(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
             vcpu_guest_context_x86_64_t *ctx, bool set)
{
	const char *name = set ? "XEN_DOMCTL_setvcpucontext"
	                       : "XEN_DOMCTL_getvcpucontext";
	struct xen_domctl d;
	void *buf;
	int rc, saved;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	buf = pc_buf_alloc(h->pc, sizeof(*ctx));
	if (buf == NULL)
		return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));
	if (set)
		memcpy(buf, ctx, sizeof(*ctx));

	memset(&d, 0, sizeof(d));
	d.cmd = set ? XEN_DOMCTL_setvcpucontext : XEN_DOMCTL_getvcpucontext;
	d.domain = (domid_t)domid;
	d.u.vcpucontext.vcpu = vcpu;
	set_xen_guest_handle(d.u.vcpucontext.ctxt, (vcpu_guest_context_t *)buf);
	rc = ctrl_domctl(h, &d, name) < 0 ? -1 : 0;
	if (rc == 0 && !set)
		memcpy(ctx, buf, sizeof(*ctx));

	saved = errno;
	pc_buf_free(h->pc, buf, sizeof(*ctx));
	errno = saved;
	return rc;
}

int
ctrl_vcpu_setcontext(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                     const vcpu_guest_context_x86_64_t *ctx)
{
	/* Not modified when set is true; the cast only shares the helper. */
	return vcpu_context(h, domid, vcpu, (vcpu_guest_context_x86_64_t *)ctx,
	                    true);
}

int
ctrl_vcpu_getcontext(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                     vcpu_guest_context_x86_64_t *ctx)
{
	return vcpu_context(h, domid, vcpu, ctx, false);
}
