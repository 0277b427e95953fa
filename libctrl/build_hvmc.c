/*
 * build_hvmc.c - the hypercall helpers both HVM-container builders use
 * (build_hvmc.h): build_pvh.c and build_hvm.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ctrl_internal.h"     /* libctrl.h, ctrl_domctl, Xen headers */
#include "build_hvmc.h"

#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#define POPULATE_BATCH 512
#define SUPERPAGE_ORDER 9            /* 2 MiB */

#define X86_CR0_PE      0x00000001u
#define X86_CR0_ET      0x00000010u
#define X86_DR6_DEFAULT 0xffff0ff0u
#define X86_DR7_DEFAULT 0x00000400u
#define MTRR_TYPE_WRBACK      6u
#define MTRR_DEF_TYPE_ENABLE  (1u << 11)

int hvmc_fail(struct hvmc *b, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	if (b->err != NULL && b->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	errno = e ? e : EINVAL;
	return -1;
}

int hvmc_fail_ctrl(struct hvmc *b, const char *what)
{
	return hvmc_fail(b, "%s: %s", what, ctrl_errmsg(b->h));
}

double hvmc_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void *hvmc_map(struct hvmc *b, uint64_t pfn, uint64_t n)
{
	uint64_t *gfns, i;
	void *m;

	gfns = malloc(n * sizeof(*gfns));
	if (gfns == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		gfns[i] = pfn + i;
	m = ctrl_map_foreign(b->h, b->domid, PROT_READ | PROT_WRITE, gfns, n);
	free(gfns);
	return m;
}

int hvmc_copy_in(struct hvmc *b, const char *what, uint64_t pfn,
                   uint64_t pages, const void *data, size_t len)
{
	unsigned char *dst = hvmc_map(b, pfn, pages);

	if (dst == NULL)
		return hvmc_fail_ctrl(b, what);
	if (len > 0)
		memcpy(dst, data, len);
	memset(dst + len, 0, pages * PAGE_SIZE - len);
	ctrl_unmap(dst, pages);
	return 0;
}

int hvmc_prepare(struct hvmc *b, uint64_t mem_kb, unsigned nr_vcpus,
                 const char *maker)
{
	struct ctrl_dominfo info;
	uint64_t paging_kb;

	if (ctrl_domain_getinfo(b->h, b->domid, &info) < 0)
		return hvmc_fail_ctrl(b, "domain info");
	if (!info.hvm) {
		errno = EINVAL;
		return hvmc_fail(b, "domain %u is not an HVM container (create it "
		                 "with %s)", b->domid, maker);
	}
	paging_kb = ctrl_paging_kb(mem_kb, nr_vcpus);
	if (ctrl_domain_set_paging_mb(b->h, b->domid,
	                              (unsigned)(paging_kb / 1024)) < 0)
		return hvmc_fail_ctrl(b, "paging pool");
	return 0;
}

/* The PVH entry and hvmloader are both 32-bit. */
int hvmc_check_xen(struct hvmc *b)
{
	struct ctrl_version *v;
	int ret = 0;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return hvmc_fail(b, "out of memory");
	if (ctrl_xen_version(b->h, v) < 0)
		ret = hvmc_fail_ctrl(b, "xen version");
	else if (strstr(v->capabilities, "hvm-3.0-x86_32") == NULL) {
		errno = EOPNOTSUPP;
		ret = hvmc_fail(b, "this Xen cannot run HVM or PVH guests "
		           "(capabilities \"%s\")", v->capabilities);
	}
	free(v);
	return ret;
}

int hvmc_populate(struct hvmc *b, uint64_t pfn, uint64_t n)
{
	uint64_t end = pfn + n;
	uint64_t ext[POPULATE_BATCH];

	while (pfn < end) {
		uint64_t sp = 1ULL << SUPERPAGE_ORDER;
		unsigned long want = 0;
		unsigned order = 0;
		long done;

		if ((pfn & (sp - 1)) == 0 && end - pfn >= sp) {
			order = SUPERPAGE_ORDER;
			while (want < POPULATE_BATCH && end - pfn >= (want + 1) * sp) {
				ext[want] = pfn + want * sp;
				want++;
			}
		} else {
			/* 4 KiB pages up to the next 2 MiB boundary (or end). */
			uint64_t stop = (pfn | (sp - 1)) + 1;

			if (stop > end)
				stop = end;
			while (want < POPULATE_BATCH && pfn + want < stop) {
				ext[want] = pfn + want;
				want++;
			}
		}
		done = ctrl_populate_physmap(b->h, b->domid, want, order, 0, ext);
		if (done < 0)
			return hvmc_fail_ctrl(b, "populate memory");
		if (done == 0 && order > 0) {
			/* No 2 MiB pieces left: this stretch in 4 KiB pages. */
			uint64_t i;

			for (i = 0; i < sp; i += POPULATE_BATCH) {
				unsigned long j;

				for (j = 0; j < POPULATE_BATCH; j++)
					ext[j] = pfn + i + j;
				done = ctrl_populate_physmap(b->h, b->domid,
				                             POPULATE_BATCH, 0, 0, ext);
				if (done != POPULATE_BATCH)
					goto short_;
			}
			pfn += sp;
			continue;
		}
		if ((unsigned long)done != want && order == 0)
			goto short_;
		pfn += (uint64_t)done << order;
	}
	return 0;
short_:
	errno = ENOMEM;
	return hvmc_fail(b, "populate memory at frame %#llx: Xen is out of memory, "
	            "or max_mem is too low", (unsigned long long)pfn);
}

int hvmc_set_memory_map(struct hvmc *b, const struct ctrl_memmap_entry *map,
                        unsigned n)
{
	struct ctrl_e820entry e[CTRL_E820_MAX];
	unsigned i;

	if (n > CTRL_E820_MAX) {
		errno = E2BIG;
		return hvmc_fail(b, "memory map: %u entries", n);
	}
	for (i = 0; i < n; i++) {
		e[i].addr = map[i].addr;
		e[i].size = map[i].size;
		e[i].type = map[i].type;
	}
	if (ctrl_domain_set_memory_map(b->h, b->domid, e, n) < 0)
		return hvmc_fail_ctrl(b, "memory map");
	return 0;
}

/* Intel's EPT without "unrestricted guest" runs a vCPU with paging off
 * (as the PVH entry is) on an identity map Xen finds in HVM_PARAM_IDENT_PT:
 * a 32-bit page directory of 4 MiB pages, in a special page, as
 * libxenguest writes it.  AMD's nested paging (this testbed) needs none. */
int hvmc_ident_pt(struct hvmc *b, uint64_t pfn)
{
	uint32_t *pd = hvmc_map(b, pfn, 1);
	unsigned i;

	if (pd == NULL)
		return hvmc_fail_ctrl(b, "map identity page table");
	for (i = 0; i < PAGE_SIZE / sizeof(*pd); i++)
		pd[i] = (i << 22) | 0xe7;   /* present, rw, user, A, D, PSE */
	ctrl_unmap(pd, 1);
	if (ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_IDENT_PT,
	                       pfn << PAGE_SHIFT) < 0)
		return hvmc_fail_ctrl(b, "hvm param IDENT_PT");
	return 0;
}

/* As build_pv.c's: the backends' reserved grants, naming gfns. */
int hvmc_seed_grants(struct hvmc *b, uint32_t console_domid,
                     uint64_t console_pfn, uint32_t store_domid,
                     uint64_t store_pfn)
{
	grant_entry_v1_t *g;

	if (console_domid == b->domid && store_domid == b->domid)
		return 0;
	g = ctrl_map_resource(b->h, b->domid, XENMEM_resource_grant_table,
	                      XENMEM_resource_grant_table_id_shared, 0, 1,
	                      PROT_READ | PROT_WRITE);
	if (g == NULL)
		return hvmc_fail_ctrl(b, "map grant table");
	if (console_domid != b->domid) {
		g[GNTTAB_RESERVED_CONSOLE].domid = (domid_t)console_domid;
		g[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)console_pfn;
		__atomic_store_n(&g[GNTTAB_RESERVED_CONSOLE].flags,
		                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	}
	if (store_domid != b->domid) {
		g[GNTTAB_RESERVED_XENSTORE].domid = (domid_t)store_domid;
		g[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)store_pfn;
		__atomic_store_n(&g[GNTTAB_RESERVED_XENSTORE].flags,
		                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	}
	ctrl_unmap(g, 1);
	return 0;
}

/*
 * The guest's CPUID topology (ctrl_cpuid_hvm_topology): Xen gives a new
 * domain its default policy; we read it back (leaves only: the MSRs are
 * left as they are), edit the topology as libxl does for every HVM and
 * PVH guest, and set it.  Xen accepts a new policy only before the
 * domain first runs, which is why this is part of the build.
 */
#define MAX_CPUID_LEAVES 512u
_Static_assert(sizeof(struct ctrl_cpuid_leaf) == sizeof(xen_cpuid_leaf_t),
               "ctrl_cpuid_leaf is xen_cpuid_leaf_t");

int hvmc_set_topology(struct hvmc *b)
{
	struct xen_domctl d;
	xen_cpuid_leaf_t *leaves = NULL;
	size_t sz = 0;
	uint32_t n;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_cpu_policy;
	d.domain = (domid_t)b->domid;
	if (ctrl_domctl(b->h, &d, "XEN_DOMCTL_get_cpu_policy") < 0)
		return hvmc_fail_ctrl(b, "cpuid policy");
	n = d.u.cpu_policy.nr_leaves;
	if (n == 0 || n > MAX_CPUID_LEAVES) {
		errno = E2BIG;
		return hvmc_fail(b, "cpuid policy: Xen announces %u leaves", n);
	}
	sz = n * sizeof(*leaves);
	leaves = pc_buf_alloc(b->h->pc, sz);
	if (leaves == NULL) {
		errno = ENOMEM;
		return hvmc_fail(b, "cpuid policy: %s", pc_errmsg(b->h->pc));
	}
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_cpu_policy;
	d.domain = (domid_t)b->domid;
	d.u.cpu_policy.nr_leaves = n;
	set_xen_guest_handle(d.u.cpu_policy.leaves, leaves);
	if (ctrl_domctl(b->h, &d, "XEN_DOMCTL_get_cpu_policy") < 0) {
		hvmc_fail_ctrl(b, "cpuid policy");
		goto out;
	}
	if (d.u.cpu_policy.nr_leaves > n) {
		errno = E2BIG;
		hvmc_fail(b, "cpuid policy: larger than Xen announced");
		goto out;
	}
	n = d.u.cpu_policy.nr_leaves;
	ctrl_cpuid_hvm_topology((struct ctrl_cpuid_leaf *)leaves, n);

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_set_cpu_policy;
	d.domain = (domid_t)b->domid;
	d.u.cpu_policy.nr_leaves = n;
	set_xen_guest_handle(d.u.cpu_policy.leaves, leaves);
	if (ctrl_domctl(b->h, &d, "XEN_DOMCTL_set_cpu_policy") < 0) {
		hvmc_fail_ctrl(b, "cpuid topology");
		goto out;
	}
	ret = 0;
out:
	pc_buf_free(b->h->pc, leaves, sz);
	return ret;
}

/* Append one save record to *pos. */
static unsigned char *put_record(unsigned char *pos, uint16_t code,
                                 uint16_t instance, const void *body,
                                 uint32_t len)
{
	struct hvm_save_descriptor d;

	d.typecode = code;
	d.instance = instance;
	d.length = len;
	memcpy(pos, &d, sizeof(d));
	if (len > 0)
		memcpy(pos + sizeof(d), body, len);
	return pos + sizeof(d) + len;
}

/*
 * Xen's context of the new domain supplies the HEADER record (its magic,
 * version and CPU id must be the running Xen's) and the MTRR records Xen
 * initialised; we send back HEADER, vCPU 0's CPU record, (mtrr_wb) every
 * vCPU's MTRR record with MTRRs enabled and write-back by default, and
 * END.
 */
int hvmc_set_vcpu(struct hvmc *b, uint64_t entry, uint64_t ebx,
                  unsigned nr_vcpus, bool mtrr_wb)
{
	unsigned char *ctx = NULL, *out = NULL, *pos;
	const unsigned char *hdr = NULL;
	size_t len = 0, off, outlen;
	HVM_SAVE_TYPE(CPU) cpu;
	HVM_SAVE_TYPE(MTRR) mtrr;
	unsigned nr_mtrr = 0;
	int ret = -1;

	if (ctrl_hvm_getcontext(b->h, b->domid, &ctx, &len) < 0)
		return hvmc_fail_ctrl(b, "hvm context");
	outlen = sizeof(struct hvm_save_descriptor) * (3 + nr_vcpus) +
	         HVM_SAVE_LENGTH(HEADER) + HVM_SAVE_LENGTH(CPU) +
	         (size_t)nr_vcpus * HVM_SAVE_LENGTH(MTRR);
	out = calloc(1, outlen);
	if (out == NULL) {
		hvmc_fail(b, "hvm context: out of memory");
		goto out;
	}

	/* Walk Xen's records (each a descriptor and `length` bytes); the
	 * lengths come from Xen but are checked against the buffer all the
	 * same. */
	for (off = 0; off + sizeof(struct hvm_save_descriptor) <= len;) {
		struct hvm_save_descriptor d;
		const unsigned char *body;

		memcpy(&d, ctx + off, sizeof(d));
		body = ctx + off + sizeof(d);
		if (d.length > len - off - sizeof(d))
			break;
		if (d.typecode == HVM_SAVE_CODE(HEADER) &&
		    d.length == HVM_SAVE_LENGTH(HEADER))
			hdr = body;
		off += sizeof(d) + d.length;
		if (d.typecode == HVM_SAVE_CODE(END))
			break;
	}
	if (hdr == NULL) {
		errno = EIO;
		hvmc_fail(b, "hvm context: Xen's context has no header record");
		goto out;
	}
	pos = put_record(out, HVM_SAVE_CODE(HEADER), 0, hdr,
	                 HVM_SAVE_LENGTH(HEADER));

	/* vCPU 0: flat 32-bit segments (base 0, limit 4 GiB), a busy 32-bit
	 * TSS, CR0 with only PE (and ET), paging off; the arbytes are VMCB
	 * attribute encodings, as libxenguest writes them. */
	memset(&cpu, 0, sizeof(cpu));
	cpu.cs_limit = cpu.ds_limit = cpu.es_limit = cpu.ss_limit = ~0u;
	cpu.cs_arbytes = 0xc9b;
	cpu.ds_arbytes = cpu.es_arbytes = cpu.ss_arbytes = 0xc93;
	cpu.tr_limit = 0x67;
	cpu.tr_arbytes = 0x8b;
	cpu.cr0 = X86_CR0_PE | X86_CR0_ET;
	cpu.rip = entry;
	cpu.rbx = ebx;
	cpu.dr6 = X86_DR6_DEFAULT;
	cpu.dr7 = X86_DR7_DEFAULT;
	pos = put_record(pos, HVM_SAVE_CODE(CPU), 0, &cpu,
	                 HVM_SAVE_LENGTH(CPU));

	for (off = 0; mtrr_wb && off + sizeof(struct hvm_save_descriptor) <= len;) {
		struct hvm_save_descriptor d;

		memcpy(&d, ctx + off, sizeof(d));
		if (d.length > len - off - sizeof(d))
			break;
		if (d.typecode == HVM_SAVE_CODE(MTRR) &&
		    d.length == HVM_SAVE_LENGTH(MTRR) &&
		    d.instance < nr_vcpus && nr_mtrr < nr_vcpus) {
			memcpy(&mtrr, ctx + off + sizeof(d), sizeof(mtrr));
			mtrr.msr_mtrr_def_type = MTRR_TYPE_WRBACK |
			                         MTRR_DEF_TYPE_ENABLE;
			pos = put_record(pos, HVM_SAVE_CODE(MTRR), d.instance,
			                 &mtrr, HVM_SAVE_LENGTH(MTRR));
			nr_mtrr++;
		}
		off += sizeof(d) + d.length;
		if (d.typecode == HVM_SAVE_CODE(END))
			break;
	}
	pos = put_record(pos, HVM_SAVE_CODE(END), 0, NULL, 0);
	if (ctrl_hvm_setcontext(b->h, b->domid, out, (size_t)(pos - out)) < 0) {
		hvmc_fail_ctrl(b, "vcpu 0 context");
		goto out;
	}
	ret = 0;
out:
	free(ctx);
	free(out);
	return ret;
}
