/*
 * ctrl_vcpu.c - where a domain's vCPUs may run: hard and soft CPU affinity
 * (XEN_DOMCTL_setvcpuaffinity / XEN_DOMCTL_getvcpuaffinity).
 *
 * Xen keeps two maps per vCPU.  The hard map is a rule: the vCPU never runs
 * on a CPU outside it.  The soft map is a preference the scheduler follows
 * when it can.  One domctl carries either or both, selected by
 * XEN_VCPUAFFINITY_HARD / _SOFT, and Xen writes back the maps it applied
 * (the requested ones narrowed to the CPUs that exist and belong to the
 * domain's cpupool).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ctrl_internal.h"

/*
 * Both directions through one bounce buffer of 2 * nbytes: the hard map
 * in the first half, the soft map in the second.  A NULL map is left out
 * of the call (its flag is not set); at least one must be given.
 */
static int
vcpu_affinity(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
              uint8_t *hard, uint8_t *soft, size_t nbytes, bool set)
{
	const char *name = set ? "XEN_DOMCTL_setvcpuaffinity"
	                       : "XEN_DOMCTL_getvcpuaffinity";
	struct xen_domctl d;
	uint8_t *buf;
	int rc, saved;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	if ((hard == NULL && soft == NULL) || nbytes == 0 ||
	    nbytes > PC_PAGE_SIZE / 2)
		return ctrl_seterr(h, EINVAL, "%s dom %u: cpumap of %zu bytes",
		                   name, domid, nbytes);
	buf = pc_buf_alloc(h->pc, 2 * nbytes);
	if (buf == NULL)
		return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));
	memset(buf, 0, 2 * nbytes);

	memset(&d, 0, sizeof(d));
	d.cmd = set ? XEN_DOMCTL_setvcpuaffinity : XEN_DOMCTL_getvcpuaffinity;
	d.domain = (domid_t)domid;
	d.u.vcpuaffinity.vcpu = vcpu;
	if (hard != NULL) {
		if (set)
			memcpy(buf, hard, nbytes);
		d.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_HARD;
		set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, buf);
		d.u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)(nbytes * 8);
	}
	if (soft != NULL) {
		if (set)
			memcpy(buf + nbytes, soft, nbytes);
		d.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_SOFT;
		set_xen_guest_handle(d.u.vcpuaffinity.cpumap_soft.bitmap,
		                     buf + nbytes);
		d.u.vcpuaffinity.cpumap_soft.nr_bits = (uint32_t)(nbytes * 8);
	}
	rc = ctrl_domctl(h, &d, name) < 0 ? -1 : 0;
	if (rc == 0 && hard != NULL)
		memcpy(hard, buf, nbytes);
	if (rc == 0 && soft != NULL)
		memcpy(soft, buf + nbytes, nbytes);

	saved = errno;
	pc_buf_free(h->pc, buf, 2 * nbytes);
	errno = saved;
	return rc;
}

int
ctrl_vcpu_affinity_set(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                       uint8_t *hard, uint8_t *soft, size_t nbytes)
{
	return vcpu_affinity(h, domid, vcpu, hard, soft, nbytes, true);
}

int
ctrl_vcpu_affinity_get(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                       uint8_t *hard, uint8_t *soft, size_t nbytes)
{
	return vcpu_affinity(h, domid, vcpu, hard, soft, nbytes, false);
}

int
ctrl_vcpu_setaffinity(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                      uint8_t *cpumap, size_t nbytes)
{
	if (cpumap == NULL)
		return ctrl_seterr(h, EINVAL, "XEN_DOMCTL_setvcpuaffinity "
		                   "dom %u: no cpumap", domid);
	return vcpu_affinity(h, domid, vcpu, cpumap, NULL, nbytes, true);
}

int
ctrl_vcpu_getaffinity(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                      uint8_t *cpumap, size_t nbytes)
{
	if (cpumap == NULL)
		return ctrl_seterr(h, EINVAL, "XEN_DOMCTL_getvcpuaffinity "
		                   "dom %u: no cpumap", domid);
	return vcpu_affinity(h, domid, vcpu, cpumap, NULL, nbytes, false);
}
