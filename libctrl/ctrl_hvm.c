/*
 * ctrl_hvm.c - what an HVM-container domain (PVH or HVM) needs from Xen
 * beyond a PV domain: HVM parameters (HVMOP_set_param/get_param), the HVM
 * context (XEN_DOMCTL_{get,set}hvmcontext, the save-record stream that also
 * carries a vCPU's initial registers), and the paging pool that HAP's p2m
 * tables come from (XEN_DOMCTL_shadow_op SET_ALLOCATION).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_internal.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

void ctrl_createdomain_pvh(struct ctrl_createdomain *c)
{
	/* As libxl does for type "pvh": an HVM container on hardware-assisted
	 * paging, with only the local APIC emulated (no IO-APIC, PIC, PIT,
	 * RTC, HPET, VGA, ...: a PVH guest learns of its hardware from the
	 * start_info and ACPI tables, not from emulated devices). */
	c->flags |= XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	c->emulation_flags = XEN_X86_EMU_LAPIC;
}

void ctrl_createdomain_hvm(struct ctrl_createdomain *c)
{
	/* A PC: Xen emulates the local APIC, IO-APIC, PIC, PIT, RTC, HPET,
	 * PM timer, VGA ports and the IOMMU; QEMU the rest.  vPCI is for
	 * PVH Dom0s only. */
	c->flags |= XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	c->emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
}

static int hvm_param(struct ctrl_handle *h, uint32_t domid, unsigned op,
                     unsigned idx, uint64_t *value, const char *name)
{
	struct xen_hvm_param p;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.domid = (domid_t)domid;
	p.index = idx;
	p.value = *value;
	if (ctrl_hypercall_arg(h, __HYPERVISOR_hvm_op, op, &p, sizeof(p),
	                       name, domid) < 0)
		return -1;
	*value = p.value;
	return 0;
}

int ctrl_hvm_param_set(struct ctrl_handle *h, uint32_t domid, unsigned idx,
                       uint64_t value)
{
	return hvm_param(h, domid, HVMOP_set_param, idx, &value,
	                 "HVMOP_set_param");
}

int ctrl_hvm_param_get(struct ctrl_handle *h, uint32_t domid, unsigned idx,
                       uint64_t *value)
{
	*value = 0;
	return hvm_param(h, domid, HVMOP_get_param, idx, value,
	                 "HVMOP_get_param");
}

/* One gethvmcontext/sethvmcontext call on a bounce buffer of `size`
 * bytes (0 with buf NULL: Xen only reports the size it needs). */
static int hvm_context(struct ctrl_handle *h, uint32_t domid, bool set,
                       void *data, uint32_t *size)
{
	const char *name = set ? "XEN_DOMCTL_sethvmcontext"
	                       : "XEN_DOMCTL_gethvmcontext";
	struct xen_domctl d;
	void *buf = NULL;
	uint32_t alloc = *size;
	int rc, saved;

	if (ctrl_check_domid(h, domid, name) < 0)
		return -1;
	if (alloc > 0) {
		buf = pc_buf_alloc(h->pc, *size);
		if (buf == NULL)
			return ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));
		if (set)
			memcpy(buf, data, *size);
	}
	memset(&d, 0, sizeof(d));
	d.cmd = set ? XEN_DOMCTL_sethvmcontext : XEN_DOMCTL_gethvmcontext;
	d.domain = (domid_t)domid;
	d.u.hvmcontext.size = *size;
	set_xen_guest_handle(d.u.hvmcontext.buffer, (uint8_t *)buf);
	rc = ctrl_domctl(h, &d, name) < 0 ? -1 : 0;
	if (rc == 0 && !set) {
		if (buf != NULL && d.u.hvmcontext.size <= alloc)
			memcpy(data, buf, d.u.hvmcontext.size);
		*size = d.u.hvmcontext.size;
	}
	saved = errno;
	if (buf != NULL)
		pc_buf_free(h->pc, buf, alloc);
	errno = saved;
	return rc;
}

int ctrl_hvm_getcontext(struct ctrl_handle *h, uint32_t domid,
                        unsigned char **out, size_t *len)
{
	uint32_t size = 0, got;
	unsigned char *data;

	*out = NULL;
	*len = 0;
	if (hvm_context(h, domid, false, NULL, &size) < 0)
		return -1;
	if (size == 0)
		return ctrl_seterr(h, EIO, "XEN_DOMCTL_gethvmcontext dom %u: "
		                   "empty context", domid);
	data = malloc(size);
	if (data == NULL)
		return ctrl_seterr(h, ENOMEM, "XEN_DOMCTL_gethvmcontext");
	got = size;
	if (hvm_context(h, domid, false, data, &got) < 0) {
		free(data);
		return -1;
	}
	*out = data;
	*len = got < size ? got : size;
	return 0;
}

int ctrl_hvm_setcontext(struct ctrl_handle *h, uint32_t domid,
                        const void *data, size_t len)
{
	uint32_t size = (uint32_t)len;

	if (len == 0 || len > UINT32_MAX)
		return ctrl_seterr(h, EINVAL, "XEN_DOMCTL_sethvmcontext dom %u: "
		                   "%zu bytes", domid, len);
	return hvm_context(h, domid, true, (void *)data, &size);
}

int ctrl_domain_set_paging_mb(struct ctrl_handle *h, uint32_t domid,
                              unsigned mb)
{
	struct xen_domctl d;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_shadow_op;
	d.domain = (domid_t)domid;
	d.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION;
	d.u.shadow_op.mb = mb;
	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_shadow_op") < 0)
		return -1;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_shadow_op set_allocation");
}

uint64_t ctrl_paging_kb(uint64_t maxmem_kb, unsigned max_vcpus)
{
	/* libxl's libxl_get_required_shadow_memory(): 1 MiB per vCPU for the
	 * per-vCPU structures, 8 KiB per MiB of guest memory for the p2m;
	 * rounded up to whole MiB, since the domctl counts in MiB. */
	uint64_t kb = 4 * (256 * (uint64_t)max_vcpus + 2 * (maxmem_kb / 1024));

	return (kb + 1023) / 1024 * 1024;
}
