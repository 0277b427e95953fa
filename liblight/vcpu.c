/*
 * vcpu.c - a domain's vCPUs: the list with affinities, pinning, and
 * bringing vCPUs of a running PV guest online or offline (light_sched.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_internal.h"

#include <xen/domctl.h>         /* XEN_INVALID_MAX_VCPU_ID */

/* Attempts at the vcpu-set transaction before giving up on EAGAIN. */
#define TX_RETRIES 5

/*
 * The bytes of a CPU map Xen should see: enough for the host's highest
 * CPU id (libxenctrl sizes its maps the same way), at most our fixed map.
 */
static int
host_map_bytes(struct light_ctx *c, size_t *nbytes)
{
	struct ctrl_physinfo p;
	size_t n;

	if (ctrl_physinfo(c->ctrl, &p) < 0)
		return light_error_ctrl(c, "physinfo");
	n = p.max_cpu_id / 8 + 1;
	*nbytes = n < LIGHT_CPUMAP_BYTES ? n : LIGHT_CPUMAP_BYTES;
	return 0;
}

int
light_vcpu_list(struct light_ctx *c, uint32_t domid,
    struct light_vcpu_info **out, size_t *n)
{
	struct light_vcpu_info *list = NULL;
	struct ctrl_dominfo di;
	struct ctrl_vcpuinfo vi;
	size_t nbytes = 0, count, i;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (light_need_ctrl(c) == -1)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &di) < 0)
		return light_error_ctrl(c, "domain info");
	if (di.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID)
		return 0;                      /* no vcpus yet: empty list */
	if (host_map_bytes(c, &nbytes) < 0)
		return -1;
	count = (size_t)di.max_vcpu_id + 1;
	list = calloc(count, sizeof(*list));
	if (list == NULL)
		return light_error(c, ENOMEM, "vcpu list of domain %u", domid);
	for (i = 0; i < count; i++) {
		struct light_vcpu_info *v = &list[i];

		if (ctrl_vcpu_getinfo(c->ctrl, domid, (unsigned)i, &vi) < 0 ||
		    ctrl_vcpu_affinity_get(c->ctrl, domid, (unsigned)i,
		        v->hard.bits, v->soft.bits, nbytes) < 0) {
			light_error_ctrl(c, "vcpu info");
			goto out;
		}
		v->id = (unsigned)i;
		v->online = vi.online;
		v->blocked = vi.blocked;
		v->running = vi.running;
		v->cpu = vi.cpu;
		v->cpu_time_ns = vi.cpu_time_ns;
	}
	*out = list;
	*n = count;
	list = NULL;
	rc = 0;
out:
	free(list);
	return rc;
}

int
light_vcpu_set_affinity(struct light_ctx *c, uint32_t domid, int vcpu,
    const struct light_cpumap *hard, const struct light_cpumap *soft)
{
	struct light_cpumap h = { { 0 } }, s = { { 0 } };
	struct ctrl_dominfo di;
	unsigned first, last, i;
	size_t nbytes = 0;

	if (light_need_ctrl(c) == -1)
		return -1;
	if (hard == NULL && soft == NULL)
		return light_error(c, EINVAL, "vcpu affinity: nothing to set");
	if (ctrl_domain_getinfo(c->ctrl, domid, &di) < 0)
		return light_error_ctrl(c, "domain info");
	if (di.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID)
		return light_error(c, EINVAL, "domain %u has no vcpus", domid);
	if (vcpu == LIGHT_VCPU_ALL) {
		first = 0;
		last = di.max_vcpu_id;
	} else if (vcpu < 0 || (unsigned)vcpu > di.max_vcpu_id) {
		return light_error(c, EINVAL, "domain %u has no vcpu %d "
		    "(vcpus are 0 to %u)", domid, vcpu, di.max_vcpu_id);
	} else
		first = last = (unsigned)vcpu;
	if (host_map_bytes(c, &nbytes) < 0)
		return -1;
	for (i = first; i <= last; i++) {
		/* Xen writes the applied maps back: use copies each time. */
		if (hard != NULL)
			h = *hard;
		if (soft != NULL)
			s = *soft;
		if (ctrl_vcpu_affinity_set(c->ctrl, domid, i,
		    hard != NULL ? h.bits : NULL, soft != NULL ? s.bits : NULL,
		    nbytes) < 0) {
			char what[64];

			snprintf(what, sizeof(what), "cannot set the affinity "
			    "of vcpu %u", i);
			return light_error_ctrl(c, what);
		}
	}
	return 0;
}

/* One attempt at writing every vcpu's availability; returns the
 * transaction's result (-1/EAGAIN means "try again"). */
static int
write_availability(struct light_ctx *c, uint32_t domid, unsigned max,
    unsigned count)
{
	char path[96];
	xsc_tx t;
	unsigned i;

	if (xsc_transaction_start(c->xs, &t) < 0)
		return light_error_xs(c, "xenstore transaction");
	for (i = 0; i < max; i++) {
		snprintf(path, sizeof(path),
		    "/local/domain/%u/cpu/%u/availability", domid, i);
		if (xsc_write_str(c->xs, t, path,
		    i < count ? "online" : "offline") < 0) {
			int saved = errno;

			light_error_xs(c, path);
			(void)xsc_transaction_end(c->xs, t, false);
			errno = saved;
			return -1;
		}
	}
	if (xsc_transaction_end(c->xs, t, true) < 0) {
		if (errno == EAGAIN)
			return -1;
		return light_error_xs(c, "xenstore transaction");
	}
	return 0;
}

int
light_vcpu_set_online(struct light_ctx *c, uint32_t domid, unsigned count)
{
	struct ctrl_dominfo di;
	unsigned max;
	int i;

	if (light_need_ctrl(c) == -1 || light_need_xs(c) == -1)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &di) < 0)
		return light_error_ctrl(c, "domain info");
	max = di.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0
	    : di.max_vcpu_id + 1;
	if (count == 0)
		return light_error(c, EINVAL, "a domain needs at least one "
		    "vcpu");
	if (count > max)
		return light_error(c, EINVAL, "requested %u vcpus, but the "
		    "maximum of domain %u is %u", count, domid, max);
	for (i = 0; i < TX_RETRIES; i++) {
		if (write_availability(c, domid, max, count) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return light_error(c, EAGAIN, "vcpu-set: xenstore transaction kept "
	    "conflicting");
}
