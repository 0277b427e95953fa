/*
 * build_pv.c - build an x86_64 PV guest: the part that talks to Xen.
 *
 * The steps, in order (each a small function below):
 *
 *   1. read and check the kernel (build_image.c/build_elf.c) and ramdisk;
 *   2. set the 64-bit address size and the guest's memory map;
 *   3. compute the layout (build_layout.c);
 *   4. populate the memory: 2 MiB extents first, 4 KiB for the rest.  Xen
 *      hands back the machine frame of each extent: that is the p2m list;
 *   5. copy in the kernel and ramdisk, write the p2m list, start_info, clear
 *      the xenstore/console pages and the boot stack, write page tables;
 *   6. ask Xen to write the hypercall page (XEN_DOMCTL_hypercall_init);
 *   7. initialise shared_info (all event upcalls masked);
 *   8. pin the L4 (all our mappings of the tables are gone by then: Xen
 *      refuses to validate a page as a page table while it is writable
 *      through some other mapping);
 *   9. load vCPU 0's registers;
 *  10. seed grant entries 0 (console) and 1 (xenstore) for the backends.
 *
 * A PV guest is not translated: its "guest frame numbers" as seen by the
 * mapping and grant interfaces are machine frames.  So every page we map
 * is named by p2m[pfn], and the store/console "gfn" is the mfn.
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

#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

/* Extents per populate_physmap call: bounded so one call stays short. */
#define POPULATE_BATCH 512
#define SUPERPAGE_ORDER 9            /* 2 MiB */

#define X86_DR6_DEFAULT 0xffff0ff0u
#define X86_DR7_DEFAULT 0x00000400u
#define X86_EFLAGS_IF   0x200u

/* Defined in build_image.c. */
int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen);

/* Everything one build needs, so the steps can be small functions. */
struct build {
	struct ctrl_handle *h;
	uint32_t domid;
	const struct ctrl_build_params *p;
	struct ctrl_kernel_image img;
	unsigned char *ramdisk;
	size_t ramdisk_len;
	struct ctrl_pv_layout l;
	uint64_t *p2m;                    /* pfn -> mfn, l.nr_pages entries */
	uint64_t shared_info_mfn;
	char *err;
	size_t errlen;
};

static int fail(struct build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a one-line message; keeps errno. */
static int fail(struct build *b, const char *fmt, ...)
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

/* Same, with libctrl's message for the failed hypercall appended. */
static int fail_ctrl(struct build *b, const char *what)
{
	return fail(b, "%s: %s", what, ctrl_errmsg(b->h));
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Map `n` consecutive guest pfns read-write.  NULL on failure. */
static void *map_pfns(struct build *b, uint64_t pfn, uint64_t n)
{
	return ctrl_map_foreign(b->h, b->domid, PROT_READ | PROT_WRITE,
	                        b->p2m + pfn, n);
}

/* Can this kernel run as an x86_64 PV guest of this builder? */
static int check_kernel(struct build *b)
{
	const struct ctrl_xen_notes *n = &b->img.notes;

	errno = ENOEXEC;              /* for every refusal below */
	if (!n->present)
		return fail(b, "%s: no Xen ELF notes: not a PV kernel",
		            b->p->kernel_path);
	if (strncmp(n->loader, "generic", 7) != 0 &&
	    strncmp(n->guest_os, "linux", 5) != 0)
		return fail(b, "%s: neither a \"generic\" loader nor a Linux "
		            "kernel (loader \"%s\", guest OS \"%s\")",
		            b->p->kernel_path, n->loader, n->guest_os);
	if (n->xen_version[0] != '\0' && strcmp(n->xen_version, "xen-3.0") != 0)
		return fail(b, "%s: built for Xen interface \"%s\", not "
		            "\"xen-3.0\"", b->p->kernel_path, n->xen_version);
	if (n->feat_required & (1u << XENFEAT_auto_translated_physmap))
		return fail(b, "%s: requires auto-translated physmap, which PV "
		            "guests no longer have", b->p->kernel_path);
	if ((n->feat_required & n->feat_supported) != n->feat_required)
		return fail(b, "%s: requires features it does not support",
		            b->p->kernel_path);
	return 0;
}

/* Xen must offer 64-bit PV guests ("xen-3.0-x86_64" in its capabilities). */
static int check_xen(struct build *b)
{
	struct ctrl_version *v;
	int ret = 0;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return fail(b, "out of memory");
	if (ctrl_xen_version(b->h, v) < 0)
		ret = fail_ctrl(b, "xen version");
	else if (strstr(v->capabilities, "xen-3.0-x86_64") == NULL) {
		errno = EOPNOTSUPP;
		ret = fail(b, "this Xen cannot run 64-bit PV guests "
		           "(capabilities \"%s\")", v->capabilities);
	}
	free(v);
	return ret;
}

/* Step 4: populate memory; fills b->p2m. */
static int populate(struct build *b)
{
	uint64_t nr = b->l.nr_pages, pfn = 0, i;
	uint64_t extents[POPULATE_BATCH];

	b->p2m = malloc(nr * sizeof(*b->p2m));
	if (b->p2m == NULL)
		return fail(b, "p2m list: out of memory");

	/* 2 MiB extents for as long as Xen has them; whatever it could not
	 * give in large pieces is asked for in 4 KiB pages. */
	while (nr - pfn >= (1u << SUPERPAGE_ORDER)) {
		unsigned long want = (nr - pfn) >> SUPERPAGE_ORDER, j;
		long done;

		if (want > POPULATE_BATCH)
			want = POPULATE_BATCH;
		for (j = 0; j < want; j++)
			extents[j] = pfn + (j << SUPERPAGE_ORDER);
		done = ctrl_populate_physmap(b->h, b->domid, want,
		                             SUPERPAGE_ORDER, 0, extents);
		if (done <= 0)
			break;
		for (j = 0; j < (unsigned long)done; j++)
			for (i = 0; i < (1u << SUPERPAGE_ORDER); i++)
				b->p2m[pfn++] = extents[j] + i;
		if ((unsigned long)done < want)
			break;
	}
	while (pfn < nr) {
		unsigned long want = nr - pfn;
		long done;

		if (want > POPULATE_BATCH)
			want = POPULATE_BATCH;
		for (i = 0; i < want; i++)
			b->p2m[pfn + i] = pfn + i;
		done = ctrl_populate_physmap(b->h, b->domid, want, 0, 0,
		                             b->p2m + pfn);
		if (done < 0)
			return fail_ctrl(b, "populate memory");
		if ((unsigned long)done != want) {
			errno = ENOMEM;
			return fail(b, "populate memory: Xen gave %llu of %llu "
			            "pages (out of memory, or max_mem too low)",
			            (unsigned long long)(pfn + done),
			            (unsigned long long)nr);
		}
		pfn += want;
	}
	return 0;
}

/* Copy `len` bytes into guest pfns [pfn, pfn + pages), zeroing the rest. */
static int copy_in(struct build *b, const char *what, uint64_t pfn,
                   uint64_t pages, const void *data, size_t len)
{
	unsigned char *dst;

	dst = map_pfns(b, pfn, pages);
	if (dst == NULL)
		return fail_ctrl(b, what);
	if (len > 0)
		memcpy(dst, data, len);
	memset(dst + len, 0, pages * PAGE_SIZE - len);
	ctrl_unmap(dst, pages);
	return 0;
}

/* Step 5a: the kernel's segments, at pfn kernel_pfn (every byte of the
 * area is written: segments copied, the rest zeroed). */
static int load_kernel(struct build *b)
{
	unsigned char *dst;
	size_t len = b->l.kernel_pages * PAGE_SIZE;
	int ret;

	dst = map_pfns(b, b->l.kernel_pfn, b->l.kernel_pages);
	if (dst == NULL)
		return fail_ctrl(b, "map kernel area");
	ret = ctrl_kernel_copy_segments(&b->img, dst, len, b->err, b->errlen);
	ctrl_unmap(dst, b->l.kernel_pages);
	return ret;
}

/* Step 5c: the p2m list, each entry the mfn of that pfn. */
static int write_p2m(struct build *b)
{
	return copy_in(b, "map p2m list", b->l.p2m_pfn, b->l.p2m_pages,
	               b->p2m, b->l.nr_pages * sizeof(uint64_t));
}

/* Step 5d: start_info, and the empty xenstore and console pages. */
static int write_start_info(struct build *b)
{
	const struct ctrl_pv_layout *l = &b->l;
	start_info_t *si;
	unsigned char *pages;

	/* start_info, xenstore and console are consecutive pfns. */
	pages = map_pfns(b, l->start_info_pfn, 3);
	if (pages == NULL)
		return fail_ctrl(b, "map start_info");
	memset(pages, 0, 3 * PAGE_SIZE);
	si = (start_info_t *)pages;
	snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
	si->nr_pages = l->nr_pages;
	si->shared_info = b->shared_info_mfn << PAGE_SHIFT;
	si->flags = b->p->flags;
	si->store_mfn = b->p2m[l->xenstore_pfn];
	si->store_evtchn = b->p->store_evtchn;
	si->console.domU.mfn = b->p2m[l->console_pfn];
	si->console.domU.evtchn = b->p->console_evtchn;
	si->pt_base = ctrl_pv_vaddr(l, l->pt_pfn);
	si->nr_pt_frames = l->nr_pt_pages;
	si->mfn_list = l->p2m_vaddr;
	if (l->p2m_separate) {
		si->first_p2m_pfn = l->p2m_pfn;
		si->nr_p2m_frames = l->p2m_seg_pages;
	}
	if (b->ramdisk_len > 0) {
		/* A virtual address: the module is inside the mapping. */
		si->mod_start = ctrl_pv_vaddr(l, l->ramdisk_pfn);
		si->mod_len = b->ramdisk_len;
	}
	if (b->p->cmdline != NULL)
		snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s",
		         b->p->cmdline);
	ctrl_unmap(pages, 3);
	return 0;
}

/* Step 5e: page tables, built in local memory and copied in. */
static int write_pgtables(struct build *b)
{
	const struct ctrl_pv_layout *l = &b->l;
	uint64_t *t0 = NULL, *t1 = NULL, n1 = 0;
	int ret = -1;

	t0 = malloc(l->nr_pt_pages * PAGE_SIZE);
	if (l->p2m_separate) {
		n1 = l->p2m_seg_pages - l->p2m_pages;
		t1 = malloc(n1 * PAGE_SIZE);
	}
	if (t0 == NULL || (l->p2m_separate && t1 == NULL)) {
		fail(b, "page tables: out of memory");
		goto out;
	}
	if (ctrl_pv_fill_pgtables(l, b->p2m, t0, t1) < 0) {
		fail(b, "page tables: inconsistent layout");
		goto out;
	}
	if (copy_in(b, "map page tables", l->pt_pfn, l->nr_pt_pages, t0,
	            l->nr_pt_pages * PAGE_SIZE) < 0)
		goto out;
	if (n1 > 0 && copy_in(b, "map p2m page tables",
	                      l->p2m_pfn + l->p2m_pages, n1, t1,
	                      n1 * PAGE_SIZE) < 0)
		goto out;
	ret = 0;
out:
	free(t0);
	free(t1);
	return ret;
}

/* Step 6: Xen writes its hypercall stubs into the page the kernel named. */
static int hypercall_page(struct build *b)
{
	struct xen_domctl d;
	uint64_t va = b->img.notes.hypercall_page, pfn;

	if (va == CTRL_UNSET_ADDR)
		return 0;
	pfn = (va - b->l.virt_base) >> PAGE_SHIFT;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_hypercall_init;
	d.domain = (domid_t)b->domid;
	d.u.hypercall_init.gmfn = b->p2m[pfn];
	if (ctrl_domctl(b->h, &d, "XEN_DOMCTL_hypercall_init") < 0)
		return fail_ctrl(b, "hypercall page");
	return 0;
}

/* Step 7: shared_info starts zeroed with every vCPU's upcalls masked; the
 * kernel unmasks them once it has set up its event handling. */
static int init_shared_info(struct build *b)
{
	shared_info_t *s;
	unsigned i;

	s = ctrl_map_foreign(b->h, b->domid, PROT_READ | PROT_WRITE,
	                     &b->shared_info_mfn, 1);
	if (s == NULL)
		return fail_ctrl(b, "map shared_info");
	memset(s, 0, PAGE_SIZE);
	for (i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
		s->vcpu_info[i].evtchn_upcall_mask = 1;
	ctrl_unmap(s, 1);
	return 0;
}

/* Step 9: vCPU 0 starts at the entry point, in kernel mode, on our page
 * tables, with the boot stack and %rsi = start_info (Xen's PV ABI). */
static int set_vcpu(struct build *b)
{
	const struct ctrl_pv_layout *l = &b->l;
	vcpu_guest_context_x86_64_t *c;
	int ret = 0;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return fail(b, "vcpu context: out of memory");
	c->user_regs.rip = b->img.virt_entry;
	c->user_regs.rsp = ctrl_pv_vaddr(l, l->stack_pfn + 1);
	c->user_regs.rsi = ctrl_pv_vaddr(l, l->start_info_pfn);
	c->user_regs.rflags = X86_EFLAGS_IF;
	c->user_regs.cs = FLAT_KERNEL_CS;
	c->user_regs.ss = FLAT_KERNEL_SS;
	c->user_regs.ds = FLAT_KERNEL_DS;
	c->user_regs.es = FLAT_KERNEL_DS;
	c->user_regs.fs = FLAT_KERNEL_DS;
	c->user_regs.gs = FLAT_KERNEL_DS;
	c->kernel_ss = c->user_regs.ss;
	c->kernel_sp = c->user_regs.rsp;
	c->debugreg[6] = X86_DR6_DEFAULT;
	c->debugreg[7] = X86_DR7_DEFAULT;
	c->flags = VGCF_in_kernel | VGCF_online;
	c->ctrlreg[3] = (uint64_t)b->p2m[l->pt_pfn] << PAGE_SHIFT;
	if (ctrl_vcpu_setcontext(b->h, b->domid, 0, c) < 0)
		ret = fail_ctrl(b, "vcpu 0 context");
	free(c);
	return ret;
}

/* Step 10: grant the backends the console and xenstore pages, in the
 * reserved entries the guest's frontends expect, before xenstored and the
 * console daemon try to map them. */
static int seed_grants(struct build *b)
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
		g[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)b->p2m[b->l.console_pfn];
		__atomic_store_n(&g[GNTTAB_RESERVED_CONSOLE].flags,
		                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	}
	if (b->p->store_domid != b->domid) {
		g[GNTTAB_RESERVED_XENSTORE].domid = (domid_t)b->p->store_domid;
		g[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)b->p2m[b->l.xenstore_pfn];
		__atomic_store_n(&g[GNTTAB_RESERVED_XENSTORE].flags,
		                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	}
	ctrl_unmap(g, 1);
	return 0;
}

/* Step 2: one RAM range of maxmem, which is what a PV Linux balloons up
 * to (libxl's xc_domain_set_memmap_limit does the same). */
static int set_memory_map(struct build *b)
{
	struct ctrl_e820entry e;
	uint64_t kb = b->p->maxmem_kb > b->p->mem_kb ? b->p->maxmem_kb
	                                             : b->p->mem_kb;

	e.addr = 0;
	e.size = kb * 1024;
	e.type = CTRL_E820_RAM;
	if (ctrl_domain_set_memory_map(b->h, b->domid, &e, 1) < 0)
		return fail_ctrl(b, "memory map");
	return 0;
}

int ctrl_build_pv(struct ctrl_handle *h, uint32_t domid,
                  const struct ctrl_build_params *p,
                  struct ctrl_build_result *r, char *err, size_t errlen)
{
	struct build b;
	struct ctrl_pv_layout_in in;
	struct ctrl_dominfo info;
	uint64_t pt_mfn;
	double t0 = seconds(), t1 = 0, t2 = 0;
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
	if (p->nr_vcpus == 0) {
		fail(&b, "no vcpus");
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

	/* 2. Domain settings. */
	if (ctrl_domain_getinfo(h, domid, &info) < 0) {
		fail_ctrl(&b, "domain info");
		goto out;
	}
	if (info.hvm) {
		errno = EINVAL;
		fail(&b, "domain %u is not a PV domain", domid);
		goto out;
	}
	b.shared_info_mfn = info.shared_info_frame;
	if (ctrl_domain_set_address_size(h, domid, 64) < 0) {
		fail_ctrl(&b, "address size");
		goto out;
	}
	if (set_memory_map(&b) < 0)
		goto out;

	/* 3. Layout. */
	memset(&in, 0, sizeof(in));
	in.nr_pages = p->mem_kb / 4;
	in.virt_base = b.img.virt_base;
	in.virt_kstart = b.img.virt_kstart;
	in.virt_kend = b.img.virt_kend;
	in.ramdisk_len = b.ramdisk_len;
	in.init_p2m = b.img.notes.init_p2m;
	if (ctrl_pv_layout(&in, &b.l, err, errlen) < 0)
		goto out;

	/* 4-5. Memory and its contents. */
	if (populate(&b) < 0 || load_kernel(&b) < 0)
		goto out;
	if (b.ramdisk_len > 0 &&
	    copy_in(&b, "map ramdisk", b.l.ramdisk_pfn, b.l.ramdisk_pages,
	            b.ramdisk, b.ramdisk_len) < 0)
		goto out;
	t2 = seconds();
	if (write_p2m(&b) < 0 || write_start_info(&b) < 0 ||
	    write_pgtables(&b) < 0 ||
	    copy_in(&b, "map boot stack", b.l.stack_pfn, 1, NULL, 0) < 0)
		goto out;

	/* 6-10. */
	if (hypercall_page(&b) < 0 || init_shared_info(&b) < 0)
		goto out;
	pt_mfn = b.p2m[b.l.pt_pfn];
	if (ctrl_mmuext_pin_table(h, domid, 4, pt_mfn) < 0) {
		fail_ctrl(&b, "pin L4 page table");
		goto out;
	}
	if (set_vcpu(&b) < 0 || seed_grants(&b) < 0)
		goto out;

	r->store_gfn = r->store_mfn = b.p2m[b.l.xenstore_pfn];
	r->console_gfn = r->console_mfn = b.p2m[b.l.console_pfn];
	r->nr_pages = b.l.nr_pages;
	r->start_info_mfn = b.p2m[b.l.start_info_pfn];
	r->virt_entry = b.img.virt_entry;
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
	free(b.p2m);
	errno = e;
	return ret;
}
