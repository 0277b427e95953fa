/*
 * test-layout.c - the PV builder's layout arithmetic and initial page
 * tables, without Xen: the tables are written into local buffers with a
 * made-up pfn->mfn list and then walked like the MMU would walk them.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctrl_build.h"

#define BASE   0xffffffff80000000ULL
#define KSTART (BASE + 0x1000000ULL)
#define MiB    (1024ULL * 1024)

/* A Debian-6.1-like kernel: 16 MiB into the mapping, ~42 MiB long. */
static struct ctrl_pv_layout_in debian_like(uint64_t mem_mib)
{
	struct ctrl_pv_layout_in in;

	memset(&in, 0, sizeof(in));
	in.nr_pages = mem_mib * MiB / 4096;
	in.virt_base = BASE;
	in.virt_kstart = KSTART;
	in.virt_kend = KSTART + 42 * MiB + 0x123;
	in.ramdisk_len = 5 * MiB + 17;
	in.init_p2m = 0x8000000000ULL;
	return in;
}

/* Independent count of the tables mapping [from, to) (plus an L4). */
static uint64_t count_tables(uint64_t from, uint64_t to, bool l4)
{
	uint64_t n = l4 ? 1 : 0;

	n += ((to - 1) >> 39) - (from >> 39) + 1;
	n += ((to - 1) >> 30) - (from >> 30) + 1;
	n += ((to - 1) >> 21) - (from >> 21) + 1;
	return n;
}

static void test_order(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(96);
	struct ctrl_pv_layout l;
	char err[256];

	(void)state;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_pfn, 0x1000);
	assert_int_equal(l.kernel_pages, (42 * MiB + 0x123 + 4095) / 4096);
	assert_int_equal(l.ramdisk_pfn, l.kernel_pfn + l.kernel_pages);
	assert_int_equal(l.ramdisk_pages, (5 * MiB + 17 + 4095) / 4096);
	/* INIT_P2M honoured: nothing between ramdisk and start_info. */
	assert_true(l.p2m_separate);
	assert_int_equal(l.start_info_pfn, l.ramdisk_pfn + l.ramdisk_pages);
	assert_int_equal(l.xenstore_pfn, l.start_info_pfn + 1);
	assert_int_equal(l.console_pfn, l.start_info_pfn + 2);
	assert_int_equal(l.pt_pfn, l.start_info_pfn + 3);
	assert_int_equal(l.stack_pfn, l.pt_pfn + l.nr_pt_pages);
	/* The mapping ends 4 MiB aligned, with >= 512 KiB after the stack. */
	assert_int_equal(l.virt_pgtab_end % (4 * MiB), 0);
	assert_true(l.virt_pgtab_end >=
	            ctrl_pv_vaddr(&l, l.stack_pfn + 1) + 512 * 1024);
	assert_true(l.virt_pgtab_end - 4 * MiB <
	            ctrl_pv_vaddr(&l, l.stack_pfn + 1) + 512 * 1024);
	assert_int_equal(l.nr_pt_pages,
	                 count_tables(BASE, l.virt_pgtab_end, true));
	/* ~64 MiB mapped from 0xffffffff80000000: 1 L4, 1 L3, 1 L2, 32 L1. */
	assert_int_equal(l.nr_pt_pages, 1 + 1 + 1 + (l.virt_pgtab_end - BASE) / (2 * MiB));
	/* The p2m list follows the mapped area, then its own tables. */
	assert_int_equal(l.p2m_pfn, (l.virt_pgtab_end - BASE) / 4096);
	assert_int_equal(l.p2m_vaddr, 0x8000000000ULL);
	assert_int_equal(l.p2m_pages, 96 * MiB / 4096 * 8 / 4096);
	assert_int_equal(l.p2m_seg_pages, l.p2m_pages + 3);
	assert_int_equal(l.pfn_end, l.p2m_pfn + l.p2m_seg_pages);
	assert_true(l.pfn_end <= l.nr_pages);
	assert_int_equal(l.nr_maps, 2);
}

static void test_p2m_in_mapping(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(96);
	struct ctrl_pv_layout l;

	(void)state;
	in.init_p2m = CTRL_UNSET_ADDR;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_false(l.p2m_separate);
	assert_int_equal(l.nr_maps, 1);
	assert_int_equal(l.p2m_pfn, l.ramdisk_pfn + l.ramdisk_pages);
	assert_int_equal(l.p2m_vaddr, ctrl_pv_vaddr(&l, l.p2m_pfn));
	assert_int_equal(l.start_info_pfn, l.p2m_pfn + l.p2m_pages);

	/* An INIT_P2M sharing the kernel's L4 slot, or above virt_base, or
	 * misaligned, is not honoured either. */
	in.init_p2m = BASE - 0x100000000ULL;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_false(l.p2m_separate);
	in.init_p2m = BASE + 0x40000000ULL;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_false(l.p2m_separate);
	in.init_p2m = 0x8000000123ULL;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_false(l.p2m_separate);
}

static void test_too_small(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(64);
	struct ctrl_pv_layout l;
	char err[256] = "";

	(void)state;
	/* Kernel ends at 58 MiB + 5 MiB ramdisk + tables + 4 MiB rounding:
	 * 64 MiB cannot hold it, 72 MiB can. */
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);
	assert_non_null(strstr(err, "too small"));
	in = debian_like(72);
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), 0);

	in = debian_like(8);
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	in = debian_like(96);
	in.ramdisk_len = 1ULL << 40;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);

	/* 1 TiB without INIT_P2M: its 2 GiB p2m list cannot fit between
	 * 0xffffffff80000000 and 2^64; refused instead of wrapping. */
	in = debian_like(1024 * 1024);
	in.init_p2m = CTRL_UNSET_ADDR;
	in.ramdisk_len = 0;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);
	assert_non_null(strstr(err, "top of the address space"));
	/* With INIT_P2M it fits. */
	in.init_p2m = 0x8000000000ULL;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), 0);
	assert_true(l.p2m_separate);
	assert_int_equal(l.p2m_pages, 1024ULL * 1024 * 256 * 8 / 4096);
}

static void test_bad_input(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(96);
	struct ctrl_pv_layout l;

	(void)state;
	in.virt_kstart += 0x10;                  /* not page aligned */
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	in = debian_like(96);
	in.virt_kstart = BASE - 4096;            /* below virt_base */
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), -1);
	in = debian_like(96);
	in.virt_kend = in.virt_kstart - 1;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), -1);
	in = debian_like(96);
	in.nr_pages = 0;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), -1);
	/* A kernel far above the base needs that much memory. */
	in = debian_like(96);
	in.virt_base = 0xffff800000000000ULL;
	in.virt_kstart = in.virt_base + (1ULL << 40);
	in.virt_kend = in.virt_kstart + MiB;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), -1);
	assert_int_equal(errno, ENOMEM);
}

/* ---- page tables -------------------------------------------------------- */

struct walker {
	const struct ctrl_pv_layout *l;
	uint64_t *p2m;
	uint64_t *t0, *t1;
};

/* A made-up, non-contiguous machine frame for each pfn. */
static uint64_t fake_mfn(uint64_t pfn)
{
	return 0x200000 + pfn * 3;
}

/* The table page holding machine frame `mfn`, or NULL. */
static uint64_t *table_by_mfn(const struct walker *w, uint64_t mfn)
{
	const struct ctrl_pv_layout *l = w->l;
	uint64_t pfn;

	if (mfn < 0x200000 || (mfn - 0x200000) % 3)
		return NULL;
	pfn = (mfn - 0x200000) / 3;
	if (pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_pages)
		return w->t0 + (pfn - l->pt_pfn) * 512;
	if (l->p2m_separate && pfn >= l->p2m_pfn + l->p2m_pages &&
	    pfn < l->p2m_pfn + l->p2m_seg_pages)
		return w->t1 + (pfn - l->p2m_pfn - l->p2m_pages) * 512;
	fail_msg("entry points at pfn 0x%llx, not a page table",
	         (unsigned long long)pfn);
	return NULL;
}

/* Walk the tables for `va` like the MMU: returns the L1 entry, or 0 if
 * some level is not present. */
static uint64_t walk(const struct walker *w, uint64_t va)
{
	uint64_t *t = w->t0;                     /* the L4 is first */
	int k;

	for (k = 3; k >= 0; k--) {
		uint64_t e = t[(va >> (12 + 9 * k)) & 511];

		if (!(e & 1))
			return 0;
		if (k == 0)
			return e;
		assert_int_equal(e & 0xfff, 0x067);  /* P|RW|U|A|D */
		t = table_by_mfn(w, (e & 0x000ffffffffff000ULL) >> 12);
		assert_non_null(t);
	}
	return 0;
}

static void check_tables(struct ctrl_pv_layout *l)
{
	struct walker w;
	uint64_t pfn, va, n1;

	w.l = l;
	w.p2m = malloc(l->nr_pages * sizeof(uint64_t));
	for (pfn = 0; pfn < l->nr_pages; pfn++)
		w.p2m[pfn] = fake_mfn(pfn);
	w.t0 = malloc(l->nr_pt_pages * 4096);
	n1 = l->p2m_seg_pages - l->p2m_pages;
	w.t1 = l->p2m_separate ? malloc(n1 * 4096) : NULL;
	memset(w.t0, 0xff, l->nr_pt_pages * 4096);   /* must be cleared */
	assert_int_equal(ctrl_pv_fill_pgtables(l, w.p2m, w.t0, w.t1), 0);

	/* Every page of the kernel mapping resolves to its pfn; page-table
	 * pages read-only, everything else writable. */
	for (va = l->virt_base; va < l->virt_pgtab_end; va += 4096) {
		uint64_t e = walk(&w, va);
		bool table;

		pfn = (va - l->virt_base) >> 12;
		assert_int_equal(e >> 12, fake_mfn(pfn));
		table = pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_pages;
		assert_int_equal(e & 0xfff, table ? 0x021 : 0x023);
	}
	/* Nothing beyond it, nor below virt_base in the same tables. */
	assert_int_equal(walk(&w, l->virt_pgtab_end), 0);
	assert_int_equal(walk(&w, l->virt_pgtab_end + 8 * MiB), 0);
	assert_int_equal(walk(&w, 0), 0);

	if (l->p2m_separate) {
		for (va = l->maps[1].from; va < l->maps[1].to; va += 4096) {
			uint64_t e = walk(&w, va);

			pfn = l->p2m_pfn + ((va - l->maps[1].from) >> 12);
			assert_int_equal(e >> 12, fake_mfn(pfn));
			assert_int_equal(e & 0xfff, 0x023);
		}
		assert_int_equal(walk(&w, l->maps[1].to), 0);
	}
	free(w.p2m);
	free(w.t0);
	free(w.t1);
}

static void test_pgtables_separate_p2m(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(96);
	struct ctrl_pv_layout l;

	(void)state;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_true(l.p2m_separate);
	check_tables(&l);
}

static void test_pgtables_in_mapping(void **state)
{
	struct ctrl_pv_layout_in in = debian_like(128);
	struct ctrl_pv_layout l;

	(void)state;
	in.init_p2m = CTRL_UNSET_ADDR;
	in.ramdisk_len = 0;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_int_equal(l.ramdisk_pages, 0);
	check_tables(&l);
}

/* A mapping that crosses a 1 GiB boundary needs two L2 tables. */
static void test_pgtables_crossing_1g(void **state)
{
	struct ctrl_pv_layout_in in;
	struct ctrl_pv_layout l;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.nr_pages = 1200 * MiB / 4096;
	in.virt_base = 0xffffffffc0000000ULL - 512 * MiB;
	in.virt_kstart = in.virt_base;
	in.virt_kend = in.virt_base + 600 * MiB;
	in.init_p2m = CTRL_UNSET_ADDR;
	assert_int_equal(ctrl_pv_layout(&in, &l, NULL, 0), 0);
	assert_int_equal(l.maps[0].nr_tables[1], 2);
	assert_int_equal(l.nr_pt_pages,
	                 count_tables(in.virt_base, l.virt_pgtab_end, true));
	check_tables(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_p2m_in_mapping),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_pgtables_separate_p2m),
		cmocka_unit_test(test_pgtables_in_mapping),
		cmocka_unit_test(test_pgtables_crossing_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
