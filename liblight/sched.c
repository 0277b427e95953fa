/*
 * sched.c - cpupools and the credit/credit2 scheduler parameters of
 * domains and pools (light_sched.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"
#include "light_internal.h"

#include <xen/domctl.h>         /* XEN_SCHEDULER_* */

/* Xen's numbers for the schedulers, and ours. */
static const struct {
	unsigned xen_id;
	enum light_sched sched;
	const char *name;
} scheds[] = {
	{ XEN_SCHEDULER_CREDIT, LIGHT_SCHED_CREDIT, "credit" },
	{ XEN_SCHEDULER_CREDIT2, LIGHT_SCHED_CREDIT2, "credit2" },
	{ XEN_SCHEDULER_ARINC653, LIGHT_SCHED_ARINC653, "arinc653" },
	{ XEN_SCHEDULER_RTDS, LIGHT_SCHED_RTDS, "rtds" },
	{ XEN_SCHEDULER_NULL, LIGHT_SCHED_NULL, "null" },
};
#define NSCHEDS (sizeof(scheds) / sizeof(scheds[0]))

static enum light_sched
sched_from_xen(unsigned id)
{
	size_t i;

	for (i = 0; i < NSCHEDS; i++)
		if (scheds[i].xen_id == id)
			return scheds[i].sched;
	return LIGHT_SCHED_UNKNOWN;
}

/* Xen's id for one of ours; 0 (no scheduler has it) for UNKNOWN. */
static unsigned
sched_to_xen(enum light_sched s)
{
	size_t i;

	for (i = 0; i < NSCHEDS; i++)
		if (scheds[i].sched == s)
			return scheds[i].xen_id;
	return 0;
}

const char *
light_sched_name(enum light_sched s)
{
	size_t i;

	for (i = 0; i < NSCHEDS; i++)
		if (scheds[i].sched == s)
			return scheds[i].name;
	return "unknown";
}

/* ---- cpupools ---------------------------------------------------------- */

/* Fill *out from Xen's record and the pool's name in xenstore.  Pool 0
 * is "Pool-0" when nobody wrote a name (as libxl answers). */
static void
pool_fill(struct light_ctx *c, const struct ctrl_cpupool *p,
    struct light_cpupool_info *out)
{
	char *name = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->id = p->id;
	out->sched = sched_from_xen(p->sched_id);
	out->n_dom = p->n_dom;
	for (i = 0; i < p->nbytes && i < LIGHT_CPUMAP_BYTES; i++)
		out->cpus.bits[i] = p->cpumap[i];
	out->ncpus = light_cpumap_count(&out->cpus, LIGHT_CPUMAP_MAX_CPUS);
	if (c->xs != NULL)
		name = light_xs_readf(c, XSC_NO_TX, "/local/pool/%u/name",
		    p->id);
	if (name != NULL)
		snprintf(out->name, sizeof(out->name), "%s", name);
	else if (p->id == 0)
		snprintf(out->name, sizeof(out->name), "Pool-0");
	else
		snprintf(out->name, sizeof(out->name), "Pool-%u", p->id);
	free(name);
}

int
light_cpupool_info(struct light_ctx *c, uint32_t poolid,
    struct light_cpupool_info *out)
{
	struct ctrl_cpupool p;
	bool found;

	if (light_need_ctrl(c) == -1)
		return -1;
	if (ctrl_cpupool_info(c->ctrl, poolid, &p) < 0) {
		if (errno == ENOENT)
			return light_error(c, ENOENT, "no cpupool %u", poolid);
		return light_error_ctrl(c, "cpupool info");
	}
	/* Xen answers with the next pool >= poolid. */
	found = p.id == poolid;
	if (found)
		pool_fill(c, &p, out);
	free(p.cpumap);
	if (!found)
		return light_error(c, ENOENT, "no cpupool %u", poolid);
	return 0;
}

int
light_cpupool_list(struct light_ctx *c, struct light_cpupool_info **out,
    size_t *n)
{
	struct light_cpupool_info *list = NULL, *bigger;
	struct ctrl_cpupool p;
	size_t used = 0;
	uint32_t id;

	*out = NULL;
	*n = 0;
	if (light_need_ctrl(c) == -1)
		return -1;
	for (id = 0; ctrl_cpupool_info(c->ctrl, id, &p) == 0; id = p.id + 1) {
		bigger = realloc(list, (used + 1) * sizeof(*list));
		if (bigger == NULL) {
			free(p.cpumap);
			free(list);
			return light_error(c, ENOMEM, "cpupool list");
		}
		list = bigger;
		pool_fill(c, &p, &list[used++]);
		free(p.cpumap);
		if (p.id == UINT32_MAX) {      /* no id after it to ask */
			errno = ENOENT;
			break;
		}
	}
	/* The walk ends with ENOENT past the last pool; anything else is a
	 * failure, and a partial list is not an answer. */
	if (errno != ENOENT) {
		free(list);
		return light_error_ctrl(c, "cpupool info");
	}
	*out = list;
	*n = used;
	return 0;
}

int
light_cpupool_lookup(struct light_ctx *c, const char *arg, bool by_name_only,
    uint32_t *poolid)
{
	struct light_cpupool_info *list = NULL, one;
	uint64_t v;
	size_t n, i;
	int rc = -1;

	if (!by_name_only && strnum_u64(arg, 10, 0, UINT32_MAX, &v) == 0) {
		if (light_cpupool_info(c, (uint32_t)v, &one) < 0)
			return -1;
		*poolid = (uint32_t)v;
		return 0;
	}
	if (light_cpupool_list(c, &list, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, arg) == 0) {
			*poolid = list[i].id;
			rc = 0;
			break;
		}
	}
	if (rc < 0)
		light_error(c, ENOENT, "no cpupool named `%s'", arg);
	free(list);
	return rc;
}

/* ---- Scheduler parameters --------------------------------------------- */

/* The scheduler of the pool a domain lives in; also its vcpu count. */
static int
domain_sched(struct light_ctx *c, uint32_t domid, enum light_sched *sched,
    unsigned *nvcpus)
{
	struct light_cpupool_info pool;
	struct ctrl_dominfo di;

	if (light_need_ctrl(c) == -1)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &di) < 0)
		return light_error_ctrl(c, "domain info");
	if (light_cpupool_info(c, di.cpupool, &pool) < 0)
		return -1;
	*sched = pool.sched;
	*nvcpus = di.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0
	    : di.max_vcpu_id + 1;
	return 0;
}

static bool
credit_family(enum light_sched s)
{
	return s == LIGHT_SCHED_CREDIT || s == LIGHT_SCHED_CREDIT2;
}

int
light_sched_domain_get(struct light_ctx *c, uint32_t domid,
    enum light_sched *sched, struct light_sched_domain *out)
{
	struct ctrl_sched_domain p;
	unsigned nvcpus;

	memset(out, 0, sizeof(*out));
	if (domain_sched(c, domid, sched, &nvcpus) < 0)
		return -1;
	if (!credit_family(*sched))
		return light_error(c, EOPNOTSUPP, "domain %u: scheduler %s has "
		    "no weight and cap", domid, light_sched_name(*sched));
	if (ctrl_sched_domain_get(c->ctrl, domid, sched_to_xen(*sched), &p) < 0)
		return light_error_ctrl(c, "scheduler parameters");
	out->weight = p.weight;
	out->cap = p.cap;
	return 0;
}

int
light_sched_domain_set(struct light_ctx *c, uint32_t domid,
    enum light_sched sched, long weight, long cap)
{
	struct ctrl_sched_domain p;
	enum light_sched actual;
	unsigned nvcpus;

	if (domain_sched(c, domid, &actual, &nvcpus) < 0)
		return -1;
	if (actual != sched)
		return light_error(c, EINVAL, "domain %u is in a %s pool, not %s",
		    domid, light_sched_name(actual), light_sched_name(sched));
	if (!credit_family(sched))
		return light_error(c, EOPNOTSUPP, "scheduler %s has no weight "
		    "and cap", light_sched_name(sched));
	if (weight != -1 && (weight < 1 || weight > 65535))
		return light_error(c, ERANGE, "weight %ld out of range "
		    "(1 to 65535)", weight);
	if (cap != -1 && (cap < 0 || cap > 100L * nvcpus))
		return light_error(c, ERANGE, "cap %ld out of range (0 to %u "
		    "for %u vcpus)", cap, 100 * nvcpus, nvcpus);
	/* Xen sets both numbers: read them, change the ones given. */
	if (ctrl_sched_domain_get(c->ctrl, domid, sched_to_xen(sched), &p) < 0)
		return light_error_ctrl(c, "scheduler parameters");
	if (weight != -1)
		p.weight = (unsigned)weight;
	if (cap != -1)
		p.cap = (unsigned)cap;
	if (ctrl_sched_domain_set(c->ctrl, domid, sched_to_xen(sched), &p) < 0)
		return light_error_ctrl(c, "cannot set scheduler parameters");
	return 0;
}

int
light_sched_pool_get(struct light_ctx *c, uint32_t poolid,
    enum light_sched sched, struct light_sched_pool *out)
{
	struct ctrl_sched_pool p;

	memset(out, 0, sizeof(*out));
	if (light_need_ctrl(c) == -1)
		return -1;
	if (ctrl_sched_pool_get(c->ctrl, poolid, sched_to_xen(sched), &p) < 0)
		return light_error_ctrl(c, "pool scheduler parameters");
	out->tslice_ms = p.tslice_ms;
	out->ratelimit_us = p.ratelimit_us;
	out->migr_delay_us = p.migr_delay_us;
	return 0;
}

int
light_sched_pool_set(struct light_ctx *c, uint32_t poolid,
    enum light_sched sched, const struct light_sched_pool *in)
{
	struct ctrl_sched_pool p;

	if (light_need_ctrl(c) == -1)
		return -1;
	p.tslice_ms = in->tslice_ms;
	p.ratelimit_us = in->ratelimit_us;
	p.migr_delay_us = in->migr_delay_us;
	if (ctrl_sched_pool_set(c->ctrl, poolid, sched_to_xen(sched), &p) < 0)
		return light_error_ctrl(c, "cannot set pool scheduler "
		    "parameters");
	return 0;
}
