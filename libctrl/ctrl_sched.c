/*
 * ctrl_sched.c - scheduler parameters: per domain (XEN_DOMCTL_scheduler_op)
 * and per cpupool (XEN_SYSCTL_scheduler_op), for credit and credit2.
 *
 * Every cpupool runs one scheduler; a domain's parameters belong to the
 * scheduler of its pool, and Xen refuses (EINVAL) a call naming another
 * scheduler than the one the target runs.  Callers therefore find the
 * scheduler first (ctrl_cpupool_info) and pass its id.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ctrl_internal.h"

static bool
credit_family(unsigned sched_id)
{
	return sched_id == XEN_SCHEDULER_CREDIT ||
	       sched_id == XEN_SCHEDULER_CREDIT2;
}

/* One domain scheduler_op; credit and credit2 share the {weight, cap}
 * layout, so one union member serves both. */
static int
domain_op(struct ctrl_handle *h, uint32_t domid, unsigned sched_id,
          struct ctrl_sched_domain *p, bool set)
{
	const char *name = set ? "XEN_DOMCTL_scheduler_op putinfo"
	                       : "XEN_DOMCTL_scheduler_op getinfo";
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	if (!credit_family(sched_id))
		return ctrl_seterr(h, EOPNOTSUPP, "%s dom %u: scheduler %s",
		                   name, domid, ctrl_sched_name(sched_id));
	if (set && (p->weight > UINT16_MAX || p->cap > UINT16_MAX))
		return ctrl_seterr(h, ERANGE, "%s dom %u: weight %u cap %u",
		                   name, domid, p->weight, p->cap);
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_scheduler_op;
	d.domain = (domid_t)domid;
	d.u.scheduler_op.sched_id = sched_id;
	d.u.scheduler_op.cmd = set ? XEN_DOMCTL_SCHEDOP_putinfo
	                           : XEN_DOMCTL_SCHEDOP_getinfo;
	if (set) {
		d.u.scheduler_op.u.credit.weight = (uint16_t)p->weight;
		d.u.scheduler_op.u.credit.cap = (uint16_t)p->cap;
	}
	if (ctrl_domctl(h, &d, name) < 0)
		return -1;
	if (!set) {
		p->weight = d.u.scheduler_op.u.credit.weight;
		p->cap = d.u.scheduler_op.u.credit.cap;
	}
	return 0;
}

int
ctrl_sched_domain_get(struct ctrl_handle *h, uint32_t domid,
                      unsigned sched_id, struct ctrl_sched_domain *out)
{
	memset(out, 0, sizeof(*out));
	return domain_op(h, domid, sched_id, out, false);
}

int
ctrl_sched_domain_set(struct ctrl_handle *h, uint32_t domid,
                      unsigned sched_id, const struct ctrl_sched_domain *in)
{
	struct ctrl_sched_domain p = *in;

	return domain_op(h, domid, sched_id, &p, true);
}

/* One pool scheduler_op.  credit has three numbers, credit2 one. */
static int
pool_op(struct ctrl_handle *h, uint32_t poolid, unsigned sched_id,
        struct ctrl_sched_pool *p, bool set)
{
	const char *name = set ? "XEN_SYSCTL_scheduler_op putinfo"
	                       : "XEN_SYSCTL_scheduler_op getinfo";
	struct xen_sysctl s;

	if (!credit_family(sched_id))
		return ctrl_seterr(h, EOPNOTSUPP, "%s pool %u: scheduler %s",
		                   name, poolid, ctrl_sched_name(sched_id));
	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_scheduler_op;
	s.u.scheduler_op.cpupool_id = poolid;
	s.u.scheduler_op.sched_id = sched_id;
	s.u.scheduler_op.cmd = set ? XEN_SYSCTL_SCHEDOP_putinfo
	                           : XEN_SYSCTL_SCHEDOP_getinfo;
	if (set && sched_id == XEN_SCHEDULER_CREDIT) {
		s.u.scheduler_op.u.sched_credit.tslice_ms = p->tslice_ms;
		s.u.scheduler_op.u.sched_credit.ratelimit_us = p->ratelimit_us;
		s.u.scheduler_op.u.sched_credit.vcpu_migr_delay_us =
		    p->migr_delay_us;
	} else if (set)
		s.u.scheduler_op.u.sched_credit2.ratelimit_us = p->ratelimit_us;
	if (ctrl_sysctl(h, &s, name) < 0) {
		/* The sysctl message has no target; name the pool. */
		return ctrl_seterr(h, errno, "%s pool %u (%s)", name, poolid,
		                   ctrl_sched_name(sched_id));
	}
	if (set)
		return 0;
	memset(p, 0, sizeof(*p));
	if (sched_id == XEN_SCHEDULER_CREDIT) {
		p->tslice_ms = s.u.scheduler_op.u.sched_credit.tslice_ms;
		p->ratelimit_us = s.u.scheduler_op.u.sched_credit.ratelimit_us;
		p->migr_delay_us =
		    s.u.scheduler_op.u.sched_credit.vcpu_migr_delay_us;
	} else
		p->ratelimit_us = s.u.scheduler_op.u.sched_credit2.ratelimit_us;
	return 0;
}

int
ctrl_sched_pool_get(struct ctrl_handle *h, uint32_t poolid,
                    unsigned sched_id, struct ctrl_sched_pool *out)
{
	return pool_op(h, poolid, sched_id, out, false);
}

int
ctrl_sched_pool_set(struct ctrl_handle *h, uint32_t poolid,
                    unsigned sched_id, const struct ctrl_sched_pool *in)
{
	struct ctrl_sched_pool p = *in;

	return pool_op(h, poolid, sched_id, &p, true);
}
