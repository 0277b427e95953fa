/*
 * build_pvh.c - build an x86_64 PVH guest: the part that talks to Xen.
 *
 * A PVH domain is an HVM container (XEN_DOMCTL_CDF_hvm|hap) that boots
 * with no firmware: the builder does what hvmloader would, in the way
 * libxenguest and libxl do for type "pvh".  The steps, in order:
 *
 *   1. read the kernel (build_image.c/build_elf.c: ELF, or a bzImage's
 *      payload) and check it has a PVH entry (XEN_ELFNOTE_PHYS32_ENTRY);
 *   2. compute the layout (build_pvh_layout.c);
 *   3. size the paging pool HAP takes its p2m tables from, and set the
 *      memory map (XENMEM_set_memory_map; the guest also gets it in
 *      start_info);
 *   4. populate: RAM, the ACPI pages and the special pages, 2 MiB extents
 *      where the range allows.  The guest is translated: its frame
 *      numbers are the gfns we ask for, and gfn == pfn;
 *   5. copy in the kernel (at its physical addresses), the ramdisk, the
 *      ACPI tables and the start_info page; clear the special pages;
 *   6. HVM params: the xenstore and console pages and event channels,
 *      which is where a PVH Linux looks for them;
 *   7. seed grant entries 0 (console) and 1 (xenstore) for the backends,
 *      and give the CPUID policy the topology the APIC ids have;
 *   8. vCPU state through the HVM context: vCPU 0's CPU record (32-bit
 *      flat protected mode, paging off, %eip = the PVH entry, %ebx =
 *      start_info), and every vCPU's MTRRs enabled with write-back as the
 *      default type (there is no firmware to program them).
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
#include "ctrl_build.h"

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

/* Defined in build_image.c. */
int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen);

struct pvh {
	struct ctrl_handle *h;
	uint32_t domid;
	const struct ctrl_build_params *p;
	struct ctrl_kernel_image img;
	unsigned char *ramdisk;
	size_t ramdisk_len;
	struct ctrl_pvh_layout l;
	char *err;
	size_t errlen;
};

static int fail(struct pvh *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a one-line message; keeps errno. */
static int fail(struct pvh *b, const char *fmt, ...)
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

static int fail_ctrl(struct pvh *b, const char *what)
{
	return fail(b, "%s: %s", what, ctrl_errmsg(b->h));
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Map guest frames [pfn, pfn + n) read-write; NULL on failure. */
static void *map_range(struct pvh *b, uint64_t pfn, uint64_t n)
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

/* Copy `len` bytes to guest frames [pfn, pfn + pages), zeroing the rest. */
static int copy_in(struct pvh *b, const char *what, uint64_t pfn,
                   uint64_t pages, const void *data, size_t len)
{
	unsigned char *dst = map_range(b, pfn, pages);

	if (dst == NULL)
		return fail_ctrl(b, what);
	if (len > 0)
		memcpy(dst, data, len);
	memset(dst + len, 0, pages * PAGE_SIZE - len);
	ctrl_unmap(dst, pages);
	return 0;
}

/* Can this kernel boot as a PVH guest? */
static int check_kernel(struct pvh *b)
{
	const struct ctrl_xen_notes *n = &b->img.notes;

	errno = ENOEXEC;
	if (n->phys32_entry == CTRL_UNSET_ADDR)
		return fail(b, "%s: no PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY): "
		            "not a PVH kernel", b->p->kernel_path);
	if (n->phys32_entry >= (1ULL << 32))
		return fail(b, "%s: PVH entry point %#llx is above 4 GiB",
		            b->p->kernel_path,
		            (unsigned long long)n->phys32_entry);
	if (b->img.pstart < (1ULL << 20))
		return fail(b, "%s: loads at %#llx, below 1 MiB",
		            b->p->kernel_path, (unsigned long long)b->img.pstart);
	return 0;
}

/* Xen must run HVM guests ("hvm-3.0-x86_32" in its capabilities; the
 * PVH entry is 32-bit). */
static int check_xen(struct pvh *b)
{
	struct ctrl_version *v;
	int ret = 0;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return fail(b, "out of memory");
	if (ctrl_xen_version(b->h, v) < 0)
		ret = fail_ctrl(b, "xen version");
	else if (strstr(v->capabilities, "hvm-3.0-x86_32") == NULL) {
		errno = EOPNOTSUPP;
		ret = fail(b, "this Xen cannot run HVM or PVH guests "
		           "(capabilities \"%s\")", v->capabilities);
	}
	free(v);
	return ret;
}

/* Populate guest frames [pfn, pfn + n): 2 MiB extents where aligned and
 * while Xen has them, 4 KiB pages for the rest. */
static int populate_range(struct pvh *b, uint64_t pfn, uint64_t n)
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
			return fail_ctrl(b, "populate memory");
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
	return fail(b, "populate memory at frame %#llx: Xen is out of memory, "
	            "or max_mem is too low", (unsigned long long)pfn);
}

static int populate(struct pvh *b)
{
	const struct ctrl_pvh_layout *l = &b->l;

	if (populate_range(b, 0, l->lowmem_end >> PAGE_SHIFT) < 0)
		return -1;
	if (l->highmem_end != 0 &&
	    populate_range(b, 1ULL << (32 - PAGE_SHIFT),
	                   (l->highmem_end >> PAGE_SHIFT) -
	                   (1ULL << (32 - PAGE_SHIFT))) < 0)
		return -1;
	if (populate_range(b, l->acpi_pfn, l->acpi_pages) < 0 ||
	    populate_range(b, l->special_pfn, CTRL_PVH_NR_SPECIAL) < 0)
		return -1;
	return 0;
}

static int set_memory_map(struct pvh *b)
{
	struct ctrl_e820entry e[CTRL_PVH_MAX_E820];
	unsigned i;

	for (i = 0; i < b->l.nr_e820; i++) {
		e[i].addr = b->l.e820[i].addr;
		e[i].size = b->l.e820[i].size;
		e[i].type = b->l.e820[i].type;
	}
	if (ctrl_domain_set_memory_map(b->h, b->domid, e, b->l.nr_e820) < 0)
		return fail_ctrl(b, "memory map");
	return 0;
}

static int load_kernel(struct pvh *b)
{
	unsigned char *dst;
	size_t len = b->l.kernel_pages * PAGE_SIZE;
	size_t head = b->img.pstart & (PAGE_SIZE - 1);
	int ret;

	dst = map_range(b, b->l.kernel_pfn, b->l.kernel_pages);
	if (dst == NULL)
		return fail_ctrl(b, "map kernel area");
	/* The segments go at their physical addresses: the buffer starts at
	 * pstart, which need not be page aligned. */
	memset(dst, 0, head);
	ret = ctrl_kernel_copy_segments(&b->img, dst + head, len - head,
	                                b->err, b->errlen);
	ctrl_unmap(dst, b->l.kernel_pages);
	return ret;
}

/* Intel's EPT without "unrestricted guest" runs a vCPU with paging off
 * (as the PVH entry is) on an identity map Xen finds in HVM_PARAM_IDENT_PT:
 * a 32-bit page directory of 4 MiB pages, in a special page, as
 * libxenguest writes it.  AMD's nested paging (this testbed) needs none. */
#define SPECIAL_IDENT_PT 6
static int ident_pt(struct pvh *b)
{
	uint64_t pfn = b->l.special_pfn + SPECIAL_IDENT_PT;
	uint32_t *pd = map_range(b, pfn, 1);
	unsigned i;

	if (pd == NULL)
		return fail_ctrl(b, "map identity page table");
	for (i = 0; i < PAGE_SIZE / sizeof(*pd); i++)
		pd[i] = (i << 22) | 0xe7;   /* present, rw, user, A, D, PSE */
	ctrl_unmap(pd, 1);
	if (ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_IDENT_PT,
	                       pfn << PAGE_SHIFT) < 0)
		return fail_ctrl(b, "hvm param IDENT_PT");
	return 0;
}

static int write_tables(struct pvh *b)
{
	const struct ctrl_pvh_layout *l = &b->l;
	size_t alen = l->acpi_pages * PAGE_SIZE;
	unsigned char *acpi = NULL, *si = NULL;
	uint64_t rsdp;
	int ret = -1;

	acpi = malloc(alen);
	si = malloc(PAGE_SIZE);
	if (acpi == NULL || si == NULL) {
		fail(b, "acpi tables: out of memory");
		goto out;
	}
	if (ctrl_pvh_acpi_build(b->p->nr_vcpus,
	                        b->p->nr_online_vcpus ? b->p->nr_online_vcpus
	                                              : b->p->nr_vcpus,
	                        l->acpi_pfn << PAGE_SHIFT, acpi, alen, &rsdp,
	                        b->err, b->errlen) < 0 ||
	    ctrl_pvh_write_start_info(l, b->p->cmdline, b->ramdisk_len, rsdp,
	                              si, b->err, b->errlen) < 0)
		goto out;
	if (copy_in(b, "map acpi tables", l->acpi_pfn, l->acpi_pages, acpi,
	            alen) < 0 ||
	    copy_in(b, "map start_info", l->start_info_pfn, 1, si,
	            PAGE_SIZE) < 0 ||
	    copy_in(b, "map special pages", l->special_pfn,
	            CTRL_PVH_NR_SPECIAL, NULL, 0) < 0 ||
	    ident_pt(b) < 0)
		goto out;
	ret = 0;
out:
	free(acpi);
	free(si);
	return ret;
}

/* Step 6.  Besides the rings, the timer mode: Xen's default for a new
 * HVM domain is delay_for_missed_ticks, which stops the guest's clock
 * while a vCPU is descheduled; libxl sets no_delay_for_missed_ticks (the
 * xl.cfg default) for PVH and HVM alike, and so do we, so that a guest
 * keeps the same time whichever toolstack built it. */
static int set_params(struct pvh *b)
{
	const struct ctrl_pvh_layout *l = &b->l;

	if (ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_TIMER_MODE,
	                       HVMPTM_no_delay_for_missed_ticks) < 0)
		return fail_ctrl(b, "hvm param TIMER_MODE");
	if (ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_STORE_PFN,
	                       l->xenstore_pfn) < 0 ||
	    ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_STORE_EVTCHN,
	                       b->p->store_evtchn) < 0 ||
	    ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_CONSOLE_PFN,
	                       l->console_pfn) < 0 ||
	    ctrl_hvm_param_set(b->h, b->domid, HVM_PARAM_CONSOLE_EVTCHN,
	                       b->p->console_evtchn) < 0)
		return fail_ctrl(b, "hvm params");
	return 0;
}

/* As build_pv.c's: the backends' reserved grants, naming gfns. */
static int seed_grants(struct pvh *b)
{
	grant_entry_v1_t *g;

	if (b->p->console_domid == b->domid && b->p->store_domid == b->domid)
		return 0;
	g = ctrl_map_resource(b->h, b->domid, XENMEM_resource_grant_table,
	                      XENMEM_resource_grant_table_id_shared, 0, 1,
	                      PROT_READ | PROT_WRITE);
	if (g == NULL)
		return fail_ctrl(b, "map grant table");
	if (b->p->console_domid != b->domid) {
		g[GNTTAB_RESERVED_CONSOLE].domid = (domid_t)b->p->console_domid;
		g[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)b->l.console_pfn;
		__atomic_store_n(&g[GNTTAB_RESERVED_CONSOLE].flags,
		                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	}
	if (b->p->store_domid != b->domid) {
		g[GNTTAB_RESERVED_XENSTORE].domid = (domid_t)b->p->store_domid;
		g[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)b->l.xenstore_pfn;
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

static int set_topology(struct pvh *b)
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
		return fail_ctrl(b, "cpuid policy");
	n = d.u.cpu_policy.nr_leaves;
	if (n == 0 || n > MAX_CPUID_LEAVES) {
		errno = E2BIG;
		return fail(b, "cpuid policy: Xen announces %u leaves", n);
	}
	sz = n * sizeof(*leaves);
	leaves = pc_buf_alloc(b->h->pc, sz);
	if (leaves == NULL) {
		errno = ENOMEM;
		return fail(b, "cpuid policy: %s", pc_errmsg(b->h->pc));
	}
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_cpu_policy;
	d.domain = (domid_t)b->domid;
	d.u.cpu_policy.nr_leaves = n;
	set_xen_guest_handle(d.u.cpu_policy.leaves, leaves);
	if (ctrl_domctl(b->h, &d, "XEN_DOMCTL_get_cpu_policy") < 0) {
		fail_ctrl(b, "cpuid policy");
		goto out;
	}
	if (d.u.cpu_policy.nr_leaves > n) {
		errno = E2BIG;
		fail(b, "cpuid policy: larger than Xen announced");
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
		fail_ctrl(b, "cpuid topology");
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
 * Step 8.  Xen's context of the new domain supplies the HEADER record
 * (its magic, version and CPU id must be the running Xen's) and the MTRR
 * records Xen initialised; we send back HEADER, vCPU 0's CPU record,
 * every vCPU's MTRR record with MTRRs enabled and write-back by default,
 * and END.
 */
static int set_vcpu(struct pvh *b)
{
	unsigned char *ctx = NULL, *out = NULL, *pos;
	const unsigned char *hdr = NULL;
	size_t len = 0, off, outlen;
	HVM_SAVE_TYPE(CPU) cpu;
	HVM_SAVE_TYPE(MTRR) mtrr;
	unsigned nr_mtrr = 0;
	int ret = -1;

	if (ctrl_hvm_getcontext(b->h, b->domid, &ctx, &len) < 0)
		return fail_ctrl(b, "hvm context");
	outlen = sizeof(struct hvm_save_descriptor) * (3 + b->p->nr_vcpus) +
	         HVM_SAVE_LENGTH(HEADER) + HVM_SAVE_LENGTH(CPU) +
	         (size_t)b->p->nr_vcpus * HVM_SAVE_LENGTH(MTRR);
	out = calloc(1, outlen);
	if (out == NULL) {
		fail(b, "hvm context: out of memory");
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
		fail(b, "hvm context: Xen's context has no header record");
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
	cpu.rip = b->img.notes.phys32_entry;
	cpu.rbx = b->l.start_info_pfn << PAGE_SHIFT;
	cpu.dr6 = X86_DR6_DEFAULT;
	cpu.dr7 = X86_DR7_DEFAULT;
	pos = put_record(pos, HVM_SAVE_CODE(CPU), 0, &cpu,
	                 HVM_SAVE_LENGTH(CPU));

	for (off = 0; off + sizeof(struct hvm_save_descriptor) <= len;) {
		struct hvm_save_descriptor d;

		memcpy(&d, ctx + off, sizeof(d));
		if (d.length > len - off - sizeof(d))
			break;
		if (d.typecode == HVM_SAVE_CODE(MTRR) &&
		    d.length == HVM_SAVE_LENGTH(MTRR) &&
		    d.instance < b->p->nr_vcpus && nr_mtrr < b->p->nr_vcpus) {
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
		fail_ctrl(b, "vcpu 0 context");
		goto out;
	}
	ret = 0;
out:
	free(ctx);
	free(out);
	return ret;
}

int ctrl_build_pvh(struct ctrl_handle *h, uint32_t domid,
                   const struct ctrl_build_params *p,
                   struct ctrl_build_result *r, char *err, size_t errlen)
{
	struct pvh b;
	struct ctrl_pvh_layout_in in;
	struct ctrl_dominfo info;
	double t0 = seconds(), t1 = 0, t2 = 0;
	uint64_t paging_kb;
	int ret = -1, e;

	memset(&b, 0, sizeof(b));
	memset(r, 0, sizeof(*r));
	b.h = h;
	b.domid = domid;
	b.p = p;
	b.err = err;
	b.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	errno = EINVAL;
	if (p->kernel_path == NULL) {
		fail(&b, "no kernel given");
		goto out;
	}
	if (p->mem_kb < 4096 || p->mem_kb % 4 != 0 || p->mem_kb > (1ULL << 42)) {
		fail(&b, "memory of %llu KiB: must be a multiple of 4 KiB, "
		     "at least 4 MiB", (unsigned long long)p->mem_kb);
		goto out;
	}
	if (p->maxmem_kb != 0 && p->maxmem_kb != p->mem_kb) {
		fail(&b, "maxmem %llu KiB differs from memory %llu KiB: a PVH "
		     "guest's memory is populated in full (no populate-on-demand)",
		     (unsigned long long)p->maxmem_kb,
		     (unsigned long long)p->mem_kb);
		goto out;
	}
	if (p->nr_vcpus == 0 || p->nr_vcpus > CTRL_PVH_MAX_VCPUS) {
		fail(&b, "%u vcpus: a PVH guest has 1 to %d", p->nr_vcpus,
		     CTRL_PVH_MAX_VCPUS);
		goto out;
	}

	/* 1. Kernel and ramdisk. */
	if (ctrl_kernel_load_file(p->kernel_path, &b.img, err, errlen) < 0)
		goto out;
	if (check_kernel(&b) < 0 || check_xen(&b) < 0)
		goto out;
	if (p->ramdisk_path != NULL &&
	    ctrl_build_read_file(p->ramdisk_path, p->mem_kb * 1024, &b.ramdisk,
	                         &b.ramdisk_len, err, errlen) < 0)
		goto out;
	if (p->ramdisk_path != NULL && b.ramdisk_len == 0) {
		errno = EINVAL;
		fail(&b, "%s: ramdisk is empty", p->ramdisk_path);
		goto out;
	}
	t1 = seconds();

	if (ctrl_domain_getinfo(h, domid, &info) < 0) {
		fail_ctrl(&b, "domain info");
		goto out;
	}
	if (!info.hvm) {
		errno = EINVAL;
		fail(&b, "domain %u is not an HVM container (create it with "
		     "ctrl_createdomain_pvh)", domid);
		goto out;
	}

	/* 2. Layout. */
	memset(&in, 0, sizeof(in));
	in.nr_pages = p->mem_kb / 4;
	in.kernel_pstart = b.img.pstart;
	in.kernel_pend = b.img.pend;
	in.ramdisk_len = b.ramdisk_len;
	if (ctrl_pvh_layout(&in, &b.l, err, errlen) < 0)
		goto out;

	/* 3. Paging pool, then the memory map. */
	paging_kb = ctrl_paging_kb(p->mem_kb, p->nr_vcpus);
	if (ctrl_domain_set_paging_mb(h, domid, (unsigned)(paging_kb / 1024)) < 0) {
		fail_ctrl(&b, "paging pool");
		goto out;
	}
	if (set_memory_map(&b) < 0)
		goto out;

	/* 4-5. Memory and its contents. */
	if (populate(&b) < 0 || load_kernel(&b) < 0)
		goto out;
	if (b.ramdisk_len > 0 &&
	    copy_in(&b, "map ramdisk", b.l.ramdisk_pfn, b.l.ramdisk_pages,
	            b.ramdisk, b.ramdisk_len) < 0)
		goto out;
	t2 = seconds();
	if (write_tables(&b) < 0)
		goto out;

	/* 6-8. */
	if (set_params(&b) < 0 || seed_grants(&b) < 0 || set_topology(&b) < 0 ||
	    set_vcpu(&b) < 0)
		goto out;

	r->store_gfn = r->store_mfn = b.l.xenstore_pfn;
	r->console_gfn = r->console_mfn = b.l.console_pfn;
	r->nr_pages = b.l.nr_pages;
	r->start_info_mfn = b.l.start_info_pfn;
	r->virt_entry = b.img.notes.phys32_entry;
	snprintf(r->guest_os, sizeof(r->guest_os), "%s", b.img.notes.guest_os);
	snprintf(r->image_format, sizeof(r->image_format), "%s", b.img.format);
	r->t_image = t1 - t0;
	r->t_memory = t2 - t1;
	r->t_setup = seconds() - t2;
	ret = 0;
out:
	e = errno;
	ctrl_kernel_free(&b.img);
	free(b.ramdisk);
	errno = e;
	return ret;
}
