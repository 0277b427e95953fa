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
#include "build_hvmc.h"

#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

/* Defined in build_image.c. */
int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen);

struct pvh {
	struct hvmc c;          /* handle, domid, error buffer */
	const struct ctrl_build_params *p;
	struct ctrl_kernel_image img;
	unsigned char *ramdisk;
	size_t ramdisk_len;
	struct ctrl_pvh_layout l;
};

/* Can this kernel boot as a PVH guest? */
static int check_kernel(struct pvh *b)
{
	const struct ctrl_xen_notes *n = &b->img.notes;

	errno = ENOEXEC;
	if (n->phys32_entry == CTRL_UNSET_ADDR)
		return hvmc_fail(&b->c, "%s: no PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY): "
		            "not a PVH kernel", b->p->kernel_path);
	if (n->phys32_entry >= (1ULL << 32))
		return hvmc_fail(&b->c, "%s: PVH entry point %#llx is above 4 GiB",
		            b->p->kernel_path,
		            (unsigned long long)n->phys32_entry);
	if (b->img.pstart < (1ULL << 20))
		return hvmc_fail(&b->c, "%s: loads at %#llx, below 1 MiB",
		            b->p->kernel_path, (unsigned long long)b->img.pstart);
	return 0;
}

static int populate(struct pvh *b)
{
	const struct ctrl_pvh_layout *l = &b->l;

	if (hvmc_populate(&b->c, 0, l->lowmem_end >> PAGE_SHIFT) < 0)
		return -1;
	if (l->highmem_end != 0 &&
	    hvmc_populate(&b->c, 1ULL << (32 - PAGE_SHIFT),
	                   (l->highmem_end >> PAGE_SHIFT) -
	                   (1ULL << (32 - PAGE_SHIFT))) < 0)
		return -1;
	if (hvmc_populate(&b->c, l->acpi_pfn, l->acpi_pages) < 0 ||
	    hvmc_populate(&b->c, l->special_pfn, CTRL_PVH_NR_SPECIAL) < 0)
		return -1;
	return 0;
}
static int load_kernel(struct pvh *b)
{
	unsigned char *dst;
	size_t len = b->l.kernel_pages * PAGE_SIZE;
	size_t head = b->img.pstart & (PAGE_SIZE - 1);
	int ret;

	dst = hvmc_map(&b->c, b->l.kernel_pfn, b->l.kernel_pages);
	if (dst == NULL)
		return hvmc_fail_ctrl(&b->c, "map kernel area");
	/* The segments go at their physical addresses: the buffer starts at
	 * pstart, which need not be page aligned. */
	memset(dst, 0, head);
	ret = ctrl_kernel_copy_segments(&b->img, dst + head, len - head,
	                                b->c.err, b->c.errlen);
	ctrl_unmap(dst, b->l.kernel_pages);
	return ret;
}

#define SPECIAL_IDENT_PT 6       /* libxenguest's SPECIALPAGE_IDENT_PT */

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
		hvmc_fail(&b->c, "acpi tables: out of memory");
		goto out;
	}
	if (ctrl_pvh_acpi_build(b->p->nr_vcpus,
	                        b->p->nr_online_vcpus ? b->p->nr_online_vcpus
	                                              : b->p->nr_vcpus,
	                        l->acpi_pfn << PAGE_SHIFT, acpi, alen, &rsdp,
	                        b->c.err, b->c.errlen) < 0 ||
	    ctrl_pvh_write_start_info(l, b->p->cmdline, b->ramdisk_len, rsdp,
	                              si, b->c.err, b->c.errlen) < 0)
		goto out;
	if (hvmc_copy_in(&b->c, "map acpi tables", l->acpi_pfn, l->acpi_pages, acpi,
	            alen) < 0 ||
	    hvmc_copy_in(&b->c, "map start_info", l->start_info_pfn, 1, si,
	            PAGE_SIZE) < 0 ||
	    hvmc_copy_in(&b->c, "map special pages", l->special_pfn,
	            CTRL_PVH_NR_SPECIAL, NULL, 0) < 0 ||
	    hvmc_ident_pt(&b->c, l->special_pfn + SPECIAL_IDENT_PT) < 0)
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

	if (ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_TIMER_MODE,
	                       HVMPTM_no_delay_for_missed_ticks) < 0)
		return hvmc_fail_ctrl(&b->c, "hvm param TIMER_MODE");
	if (ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_STORE_PFN,
	                       l->xenstore_pfn) < 0 ||
	    ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_STORE_EVTCHN,
	                       b->p->store_evtchn) < 0 ||
	    ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_CONSOLE_PFN,
	                       l->console_pfn) < 0 ||
	    ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_CONSOLE_EVTCHN,
	                       b->p->console_evtchn) < 0)
		return hvmc_fail_ctrl(&b->c, "hvm params");
	return 0;
}

int ctrl_build_pvh(struct ctrl_handle *h, uint32_t domid,
                   const struct ctrl_build_params *p,
                   struct ctrl_build_result *r, char *err, size_t errlen)
{
	struct pvh b;
	struct ctrl_pvh_layout_in in;
	double t0 = hvmc_seconds(), t1 = 0, t2 = 0;
	int ret = -1, e;

	memset(&b, 0, sizeof(b));
	memset(r, 0, sizeof(*r));
	b.c.h = h;
	b.c.domid = domid;
	b.p = p;
	b.c.err = err;
	b.c.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	errno = EINVAL;
	if (p->kernel_path == NULL) {
		hvmc_fail(&b.c, "no kernel given");
		goto out;
	}
	if (p->mem_kb < 4096 || p->mem_kb % 4 != 0 || p->mem_kb > (1ULL << 42)) {
		hvmc_fail(&b.c, "memory of %llu KiB: must be a multiple of 4 KiB, "
		     "at least 4 MiB", (unsigned long long)p->mem_kb);
		goto out;
	}
	if (p->maxmem_kb != 0 && p->maxmem_kb != p->mem_kb) {
		hvmc_fail(&b.c, "maxmem %llu KiB differs from memory %llu KiB: a PVH "
		     "guest's memory is populated in full (no populate-on-demand)",
		     (unsigned long long)p->maxmem_kb,
		     (unsigned long long)p->mem_kb);
		goto out;
	}
	if (p->nr_vcpus == 0 || p->nr_vcpus > CTRL_PVH_MAX_VCPUS) {
		hvmc_fail(&b.c, "%u vcpus: a PVH guest has 1 to %d", p->nr_vcpus,
		     CTRL_PVH_MAX_VCPUS);
		goto out;
	}

	/* 1. Kernel and ramdisk. */
	if (ctrl_kernel_load_file(p->kernel_path, &b.img, err, errlen) < 0)
		goto out;
	if (check_kernel(&b) < 0 || hvmc_check_xen(&b.c) < 0)
		goto out;
	if (p->ramdisk_path != NULL &&
	    ctrl_build_read_file(p->ramdisk_path, p->mem_kb * 1024, &b.ramdisk,
	                         &b.ramdisk_len, err, errlen) < 0)
		goto out;
	if (p->ramdisk_path != NULL && b.ramdisk_len == 0) {
		errno = EINVAL;
		hvmc_fail(&b.c, "%s: ramdisk is empty", p->ramdisk_path);
		goto out;
	}
	t1 = hvmc_seconds();

	/* 2. Layout. */
	memset(&in, 0, sizeof(in));
	in.nr_pages = p->mem_kb / 4;
	in.kernel_pstart = b.img.pstart;
	in.kernel_pend = b.img.pend;
	in.ramdisk_len = b.ramdisk_len;
	if (ctrl_pvh_layout(&in, &b.l, err, errlen) < 0)
		goto out;

	/* 3. Paging pool, then the memory map. */
	if (hvmc_prepare(&b.c, p->mem_kb, p->nr_vcpus, "ctrl_createdomain_pvh") < 0 ||
	    hvmc_set_memory_map(&b.c, b.l.e820, b.l.nr_e820) < 0)
		goto out;

	/* 4-5. Memory and its contents. */
	if (populate(&b) < 0 || load_kernel(&b) < 0)
		goto out;
	if (b.ramdisk_len > 0 &&
	    hvmc_copy_in(&b.c, "map ramdisk", b.l.ramdisk_pfn, b.l.ramdisk_pages,
	            b.ramdisk, b.ramdisk_len) < 0)
		goto out;
	t2 = hvmc_seconds();
	if (write_tables(&b) < 0)
		goto out;

	/* 6-8. */
	if (set_params(&b) < 0 ||
	    hvmc_seed_grants(&b.c, p->console_domid, b.l.console_pfn,
	                     p->store_domid, b.l.xenstore_pfn) < 0 ||
	    hvmc_set_topology(&b.c) < 0 ||
	    hvmc_set_vcpu(&b.c, b.img.notes.phys32_entry,
	                  b.l.start_info_pfn << PAGE_SHIFT, p->nr_vcpus, true) < 0)
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
	r->t_setup = hvmc_seconds() - t2;
	ret = 0;
out:
	e = errno;
	ctrl_kernel_free(&b.img);
	free(b.ramdisk);
	errno = e;
	return ret;
}
