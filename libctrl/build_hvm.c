/*
 * build_hvm.c - build an x86 HVM guest: the part that talks to Xen.
 *
 * An HVM domain boots hvmloader, which starts SeaBIOS, which boots the
 * guest as a PC does; QEMU, started by liblight before the domain is
 * unpaused, emulates the devices.  The steps, as libxenguest and libxl
 * do them for type "hvm":
 *
 *   1. read hvmloader and the BIOS, and check hvmloader's ELF
 *      (build_hvm_layout.c);
 *   2. compute the layout (build_hvm_layout.c);
 *   3. size the paging pool and set the memory map;
 *   4. populate: RAM except the VGA hole, the ioreq server pages and the
 *      special pages;
 *   5. copy in hvmloader, the BIOS, start_info and the hvm_info_table;
 *      clear the special pages, write the identity page table;
 *   6. HVM params: the rings and their event channels, QEMU's ioreq
 *      pages, the ring pages of paging/monitor/sharing, the platform
 *      timers as xl.cfg's defaults set them;
 *   7. seed grant entries 0 and 1, give the CPUID policy its topology;
 *   8. vCPU 0 at hvmloader's entry (32-bit flat protected mode, %ebx =
 *      start_info); hvmloader programs the MTRRs itself.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_internal.h"     /* libctrl.h, Xen headers */
#include "ctrl_build.h"
#include "build_hvmc.h"

#include <xen/hvm/params.h>
#include <xen/hvm/hvm_info_table.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

/* build_hvm_layout.c restates the ABI as offsets; hold it to the header. */
_Static_assert(CTRL_HVM_INFO_PFN == HVM_INFO_PFN &&
               CTRL_HVM_INFO_OFFSET == HVM_INFO_OFFSET &&
               CTRL_HVM_MAX_VCPUS == HVM_MAX_VCPUS, "hvm_info location");
_Static_assert(offsetof(struct hvm_info_table, nr_vcpus) == 16 &&
               offsetof(struct hvm_info_table, low_mem_pgend) == 20 &&
               offsetof(struct hvm_info_table, reserved_mem_pgstart) == 24 &&
               offsetof(struct hvm_info_table, high_mem_pgend) == 28 &&
               offsetof(struct hvm_info_table, vcpu_online) == 32 &&
               sizeof(struct hvm_info_table) == 48, "hvm_info_table layout");

/* Defined in build_image.c. */
int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen);

struct hvm {
	struct hvmc c;
	const struct ctrl_build_params *p;
	unsigned char *loader_file, *firmware;
	size_t loader_len, firmware_len;
	struct ctrl_hvm_loader ld;
	struct ctrl_hvm_layout l;
};

/* Step 4.  Below 4 GiB the VGA hole stays empty (QEMU maps the VGA
 * memory there); the ioreq server and special pages are one run. */
static int populate(struct hvm *b)
{
	const struct ctrl_hvm_layout *l = &b->l;
	uint64_t low = l->lowmem_end >> PAGE_SHIFT;
	uint64_t hole_end = CTRL_HVM_VGA_HOLE_PFN + CTRL_HVM_VGA_HOLE_PAGES;

	if (hvmc_populate(&b->c, 0, CTRL_HVM_VGA_HOLE_PFN) < 0 ||
	    hvmc_populate(&b->c, hole_end, low - hole_end) < 0)
		return -1;
	if (l->highmem_end != 0 &&
	    hvmc_populate(&b->c, 1ULL << (32 - PAGE_SHIFT),
	                  (l->highmem_end >> PAGE_SHIFT) -
	                  (1ULL << (32 - PAGE_SHIFT))) < 0)
		return -1;
	return hvmc_populate(&b->c, l->ioreq_server_pfn,
	                     CTRL_HVM_NR_IOREQ_SERVER_PAGES + CTRL_HVM_NR_SPECIAL);
}

/* Step 5. */
static int load(struct hvm *b)
{
	const struct ctrl_hvm_layout *l = &b->l;
	unsigned char *dst, *page;
	size_t head = b->ld.pstart & (PAGE_SIZE - 1);
	unsigned online;
	int ret = -1;

	dst = hvmc_map(&b->c, l->loader_pfn, l->loader_pages);
	if (dst == NULL)
		return hvmc_fail_ctrl(&b->c, "map hvmloader area");
	memset(dst, 0, head);
	ret = ctrl_hvm_loader_copy(&b->ld, dst + head,
	                           l->loader_pages * PAGE_SIZE - head,
	                           b->c.err, b->c.errlen);
	ctrl_unmap(dst, l->loader_pages);
	if (ret < 0)
		return -1;
	if (hvmc_copy_in(&b->c, "map firmware", l->firmware_pfn,
	                 l->firmware_pages, b->firmware, b->firmware_len) < 0)
		return -1;

	page = malloc(PAGE_SIZE);
	if (page == NULL)
		return hvmc_fail(&b->c, "start_info: out of memory");
	ret = -1;
	online = b->p->nr_online_vcpus ? b->p->nr_online_vcpus : b->p->nr_vcpus;
	if (ctrl_hvm_write_start_info(l, b->firmware_len, page) < 0 ||
	    hvmc_copy_in(&b->c, "map start_info", l->start_info_pfn, 1, page,
	                 PAGE_SIZE) < 0 ||
	    ctrl_hvm_write_info(l, b->p->nr_vcpus, online, page, b->c.err,
	                        b->c.errlen) < 0 ||
	    hvmc_copy_in(&b->c, "map hvm_info", CTRL_HVM_INFO_PFN, 1, page,
	                 PAGE_SIZE) < 0 ||
	    hvmc_copy_in(&b->c, "map special pages", l->ioreq_server_pfn,
	                 CTRL_HVM_NR_IOREQ_SERVER_PAGES + CTRL_HVM_NR_SPECIAL,
	                 NULL, 0) < 0 ||
	    hvmc_ident_pt(&b->c, l->special_pfn + CTRL_HVM_SPECIAL_IDENT_PT) < 0)
		goto out;
	ret = 0;
out:
	free(page);
	return ret;
}

/*
 * Step 6.  The params libxenguest sets (alloc_magic_pages_hvm,
 * bootlate_hvm) and those libxl sets from xl.cfg's defaults
 * (hvm_set_conf_params: hpet, viridian, vpt_align=1, timer_mode
 * no_delay_for_missed_ticks, altp2m off).  QEMU finds its ioreq pages
 * here; the guest's PV drivers find xenstore and the console.
 */
static int set_params(struct hvm *b)
{
	const struct ctrl_hvm_layout *l = &b->l;
	const struct { unsigned idx; uint64_t val; const char *name; } params[] = {
		{ HVM_PARAM_TIMER_MODE, HVMPTM_no_delay_for_missed_ticks, "TIMER_MODE" },
		{ HVM_PARAM_HPET_ENABLED, !b->p->no_hpet, "HPET_ENABLED" },
		{ HVM_PARAM_VPT_ALIGN, 1, "VPT_ALIGN" },
		{ HVM_PARAM_ALTP2M, 0, "ALTP2M" },
		{ HVM_PARAM_STORE_PFN, l->xenstore_pfn, "STORE_PFN" },
		{ HVM_PARAM_STORE_EVTCHN, b->p->store_evtchn, "STORE_EVTCHN" },
		{ HVM_PARAM_CONSOLE_PFN, l->console_pfn, "CONSOLE_PFN" },
		{ HVM_PARAM_CONSOLE_EVTCHN, b->p->console_evtchn, "CONSOLE_EVTCHN" },
		{ HVM_PARAM_BUFIOREQ_PFN, l->special_pfn + CTRL_HVM_SPECIAL_BUFIOREQ,
		  "BUFIOREQ_PFN" },
		{ HVM_PARAM_IOREQ_PFN, l->special_pfn + CTRL_HVM_SPECIAL_IOREQ,
		  "IOREQ_PFN" },
		{ HVM_PARAM_PAGING_RING_PFN, l->special_pfn + CTRL_HVM_SPECIAL_PAGING,
		  "PAGING_RING_PFN" },
		{ HVM_PARAM_MONITOR_RING_PFN, l->special_pfn + CTRL_HVM_SPECIAL_ACCESS,
		  "MONITOR_RING_PFN" },
		{ HVM_PARAM_SHARING_RING_PFN, l->special_pfn + CTRL_HVM_SPECIAL_SHARING,
		  "SHARING_RING_PFN" },
		{ HVM_PARAM_IOREQ_SERVER_PFN, l->ioreq_server_pfn, "IOREQ_SERVER_PFN" },
		{ HVM_PARAM_NR_IOREQ_SERVER_PAGES, CTRL_HVM_NR_IOREQ_SERVER_PAGES,
		  "NR_IOREQ_SERVER_PAGES" },
	};
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (ctrl_hvm_param_set(b->c.h, b->c.domid, params[i].idx,
		                       params[i].val) < 0) {
			snprintf(what, sizeof(what), "hvm param %s", params[i].name);
			return hvmc_fail_ctrl(&b->c, what);
		}
	/* Xen takes no 0 here (base_freq is required): set only to enable,
	 * as libxl does. */
	if (b->p->viridian &&
	    ctrl_hvm_param_set(b->c.h, b->c.domid, HVM_PARAM_VIRIDIAN,
	                       b->p->viridian) < 0)
		return hvmc_fail_ctrl(&b->c, "hvm param VIRIDIAN");
	return 0;
}

static int read_images(struct hvm *b)
{
	const struct ctrl_build_params *p = b->p;
	char *err = b->c.err;
	size_t errlen = b->c.errlen;

	if (ctrl_build_read_file(p->kernel_path, CTRL_HVM_LOADER_MAX * 2,
	                         &b->loader_file, &b->loader_len, err,
	                         errlen) < 0 ||
	    ctrl_build_read_file(p->firmware_path, CTRL_HVM_FIRMWARE_MAX,
	                         &b->firmware, &b->firmware_len, err,
	                         errlen) < 0)
		return -1;
	if (b->firmware_len == 0) {
		errno = EINVAL;
		return hvmc_fail(&b->c, "%s: the BIOS image is empty",
		                 p->firmware_path);
	}
	if (ctrl_hvm_loader_parse(b->loader_file, b->loader_len, &b->ld, err,
	                          errlen) < 0) {
		/* Say which file: the message names only "hvmloader". */
		char msg[300];
		int e = errno;

		snprintf(msg, sizeof(msg), "%s", err ? err : "");
		errno = e;
		return hvmc_fail(&b->c, "%s: %s", p->kernel_path, msg);
	}
	return 0;
}

int ctrl_build_hvm(struct ctrl_handle *h, uint32_t domid,
                   const struct ctrl_build_params *p,
                   struct ctrl_build_result *r, char *err, size_t errlen)
{
	struct hvm b;
	struct ctrl_hvm_layout_in in;
	double t0 = hvmc_seconds(), t1 = 0, t2 = 0;
	int ret = -1, e;

	memset(&b, 0, sizeof(b));
	memset(r, 0, sizeof(*r));
	b.c.h = h;
	b.c.domid = domid;
	b.c.err = err;
	b.c.errlen = errlen;
	b.p = p;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	errno = EINVAL;
	if (p->kernel_path == NULL || p->firmware_path == NULL) {
		hvmc_fail(&b.c, "an HVM guest needs hvmloader and a BIOS");
		goto out;
	}
	if (p->ramdisk_path != NULL || (p->cmdline != NULL && *p->cmdline)) {
		hvmc_fail(&b.c, "an HVM guest's kernel, ramdisk and command line "
		          "are QEMU's to load, not the builder's");
		goto out;
	}
	if (p->mem_kb < (CTRL_HVM_MIN_MEM >> 10) || p->mem_kb % 4 != 0 ||
	    p->mem_kb > (1ULL << 42)) {
		hvmc_fail(&b.c, "memory of %llu KiB: an HVM guest needs at least "
		          "%llu MiB, in whole pages", (unsigned long long)p->mem_kb,
		          (unsigned long long)(CTRL_HVM_MIN_MEM >> 20));
		goto out;
	}
	if (p->maxmem_kb != 0 && p->maxmem_kb != p->mem_kb) {
		hvmc_fail(&b.c, "maxmem %llu KiB differs from memory %llu KiB: "
		          "an HVM guest's memory is populated in full (no "
		          "populate-on-demand)", (unsigned long long)p->maxmem_kb,
		          (unsigned long long)p->mem_kb);
		goto out;
	}
	if (p->nr_vcpus == 0 || p->nr_vcpus > CTRL_HVM_MAX_VCPUS) {
		hvmc_fail(&b.c, "%u vcpus: an HVM guest has 1 to %d", p->nr_vcpus,
		          CTRL_HVM_MAX_VCPUS);
		goto out;
	}

	/* 1. */
	if (read_images(&b) < 0 || hvmc_check_xen(&b.c) < 0)
		goto out;
	t1 = hvmc_seconds();

	/* 2. */
	memset(&in, 0, sizeof(in));
	in.nr_pages = p->mem_kb / 4;
	in.loader_pstart = b.ld.pstart;
	in.loader_pend = b.ld.pend;
	in.firmware_len = b.firmware_len;
	if (ctrl_hvm_layout(&in, &b.l, err, errlen) < 0)
		goto out;

	/* 3. */
	if (hvmc_prepare(&b.c, p->mem_kb, p->nr_vcpus, "ctrl_createdomain_hvm") < 0 ||
	    hvmc_set_memory_map(&b.c, b.l.e820, b.l.nr_e820) < 0)
		goto out;

	/* 4-5. */
	if (populate(&b) < 0 || load(&b) < 0)
		goto out;
	t2 = hvmc_seconds();

	/* 6-8. */
	if (set_params(&b) < 0 ||
	    hvmc_seed_grants(&b.c, p->console_domid, b.l.console_pfn,
	                     p->store_domid, b.l.xenstore_pfn) < 0 ||
	    hvmc_set_topology(&b.c) < 0 ||
	    hvmc_set_vcpu(&b.c, b.ld.entry, b.l.start_info_pfn << PAGE_SHIFT,
	                  p->nr_vcpus, false) < 0)
		goto out;

	r->store_gfn = r->store_mfn = b.l.xenstore_pfn;
	r->console_gfn = r->console_mfn = b.l.console_pfn;
	r->nr_pages = b.l.nr_pages;
	r->start_info_mfn = b.l.start_info_pfn;
	r->virt_entry = b.ld.entry;
	snprintf(r->guest_os, sizeof(r->guest_os), "%s", "hvmloader");
	snprintf(r->image_format, sizeof(r->image_format), "%s", "elf32");
	r->t_image = t1 - t0;
	r->t_memory = t2 - t1;
	r->t_setup = hvmc_seconds() - t2;
	ret = 0;
out:
	e = errno;
	free(b.loader_file);
	free(b.firmware);
	errno = e;
	return ret;
}
