/*
 * build_layout.c - where the PV builder puts things in the guest, and the
 * initial page tables.  Pure arithmetic: no Xen, so it is unit-tested.
 *
 * A PV guest starts with paging on, on page tables the builder wrote.  They
 * must map, 1:1 from virt_base onto pfn 0 upwards, everything the kernel
 * needs before it can build its own: the kernel, the ramdisk, the p2m list,
 * start_info, the xenstore and console pages, the page tables themselves
 * and the boot stack, plus spare room Linux uses as its first allocation
 * area (at least 512 KiB, the mapping's end rounded to 4 MiB).  That is the
 * order the upstream builder (xc_dom_core.c/xg_dom_x86.c) uses and the
 * order Linux's early boot code assumes.
 *
 * x86_64 paging has four levels.  A table of level k (0 = L1 ... 3 = L4)
 * has 512 entries; an entry of level k covers 4 KiB << (9 * k), so a whole
 * table covers 2 MiB (L1), 1 GiB (L2), 512 GiB (L3) or everything (L4).
 * A mapping of [from, to) needs, at each level below L4, one table for each
 * such slot the range touches.  The tables of one mapping are consecutive
 * pfns: the L4 (map 0 only), then its L3s, L2s and L1s.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_internal.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

/* Page-table entry bits (x86). */
#define PTE_PRESENT  0x001ULL
#define PTE_RW       0x002ULL
#define PTE_USER     0x004ULL
#define PTE_ACCESSED 0x020ULL
#define PTE_DIRTY    0x040ULL

/* What the upstream builder uses: leaf entries present, writable (unless
 * they map a page table), accessed; upper levels also dirty and user. */
#define L1_PROT (PTE_PRESENT | PTE_RW | PTE_ACCESSED)
#define UPPER_PROT (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_USER)

/* Spare room after the boot stack in the initial mapping (see above). */
#define PAD_PAGES ((512 * 1024) / PAGE_SIZE)
#define MAPPING_ALIGN (4ULL * 1024 * 1024)

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* Shift of the range one table of level k covers (k = 0: L1, 2 MiB). */
static unsigned table_shift(unsigned k)
{
	return PAGE_SHIFT + 9 * (k + 1);
}

/* Number of level-k tables needed to map [from, to), to > from. */
static uint64_t tables_needed(uint64_t from, uint64_t to, unsigned k)
{
	unsigned s = table_shift(k);

	return ((to - 1) >> s) - (from >> s) + 1;
}

/* Set the table counts and first table pfns of a map (L4 only if top). */
static uint64_t place_tables(struct ctrl_pv_map *m, uint64_t first_pfn,
                             bool top)
{
	uint64_t pfn = first_pfn;
	int k;

	m->nr_tables[3] = top ? 1 : 0;
	m->table_pfn[3] = top ? pfn : 0;
	pfn += m->nr_tables[3];
	for (k = 2; k >= 0; k--) {
		m->nr_tables[k] = tables_needed(m->from, m->to, (unsigned)k);
		m->table_pfn[k] = pfn;
		pfn += m->nr_tables[k];
	}
	return pfn - first_pfn;
}

/* L4 slot of an address. */
static unsigned l4_slot(uint64_t va)
{
	return (unsigned)((va >> 39) & 511);
}

/*
 * The kernel may ask (XEN_ELFNOTE_INIT_P2M) for its p2m list at a virtual
 * address of its own, mapped by page tables separate from the kernel's.
 * We honour that when the range is page aligned, below virt_base, and in
 * L4 slots the kernel mapping does not use (so no table is shared between
 * the two mappings; Linux's 0x8000000000 vs 0xffffffff80000000 qualifies).
 * Otherwise the list goes inside the kernel mapping, which Linux accepts.
 */
static bool p2m_can_be_separate(const struct ctrl_pv_layout_in *in,
                                uint64_t p2m_bytes)
{
	uint64_t to;

	if (in->init_p2m == CTRL_UNSET_ADDR || (in->init_p2m & (PAGE_SIZE - 1)))
		return false;
	if (in->init_p2m >= in->virt_base ||
	    p2m_bytes > in->virt_base - in->init_p2m)
		return false;
	to = in->init_p2m + p2m_bytes;
	/* Lower canonical half only, and no L4 slot in common. */
	if (to > (1ULL << 47))
		return false;
	if (in->virt_base < (1ULL << 47) &&
	    l4_slot(to - 1) >= l4_slot(in->virt_base))
		return false;
	return true;
}

int ctrl_pv_layout(const struct ctrl_pv_layout_in *in,
                   struct ctrl_pv_layout *l, char *err, size_t errlen)
{
	struct ctrl_pv_map *m0 = &l->maps[0];
	uint64_t next, p2m_bytes, extra, pages, end, nr_tables = 0;
	uint64_t room;                /* pfns between virt_base and 2^64 */

	memset(l, 0, sizeof(*l));
	if (in->nr_pages == 0 || in->nr_pages > (1ULL << 40)) {
		ctrl_build_seterr(err, errlen, "layout: bad memory size (%llu pages)",
		       (unsigned long long)in->nr_pages);
		errno = EINVAL;
		return -1;
	}
	if ((in->virt_base & (PAGE_SIZE - 1)) ||
	    (in->virt_kstart & (PAGE_SIZE - 1)) ||
	    in->virt_kstart < in->virt_base || in->virt_kend < in->virt_kstart) {
		ctrl_build_seterr(err, errlen, "layout: kernel 0x%llx-0x%llx does not fit "
		       "virtual base 0x%llx (or is not page aligned)",
		       (unsigned long long)in->virt_kstart,
		       (unsigned long long)in->virt_kend,
		       (unsigned long long)in->virt_base);
		errno = EINVAL;
		return -1;
	}
	l->nr_pages = in->nr_pages;
	l->virt_base = in->virt_base;
	/* The kernel mapping must not wrap around the top of the address
	 * space (a kernel at 0xffffffff80000000 has 2 GiB above it), keeping
	 * the last 4 MiB free so that its rounded end is representable. */
	room = in->virt_base ? ((0 - in->virt_base) >> PAGE_SHIFT) : UINT64_MAX;
	room = room > (MAPPING_ALIGN >> PAGE_SHIFT) ?
	       room - (MAPPING_ALIGN >> PAGE_SHIFT) : 0;

	/* Everything below is counted in pfns; checking each against the
	 * memory size as we go keeps the arithmetic far from overflow. */
	l->kernel_pfn = (in->virt_kstart - in->virt_base) >> PAGE_SHIFT;
	l->kernel_pages = pages_for(in->virt_kend - in->virt_kstart);
	next = l->kernel_pfn + l->kernel_pages;
	if (l->kernel_pfn >= in->nr_pages || next > in->nr_pages)
		goto too_small;

	if (in->ramdisk_len > 0) {
		if (in->ramdisk_len > in->nr_pages << PAGE_SHIFT)
			goto too_small;
		l->ramdisk_pfn = next;
		l->ramdisk_pages = pages_for(in->ramdisk_len);
		next += l->ramdisk_pages;
		if (next > in->nr_pages)
			goto too_small;
	}

	p2m_bytes = in->nr_pages * 8;
	l->p2m_pages = pages_for(p2m_bytes);
	l->p2m_separate = p2m_can_be_separate(in, l->p2m_pages << PAGE_SHIFT);
	if (!l->p2m_separate) {
		l->p2m_pfn = next;
		l->p2m_vaddr = ctrl_pv_vaddr(l, next);
		l->p2m_seg_pages = l->p2m_pages;
		next += l->p2m_pages;
	}

	l->start_info_pfn = next++;
	l->xenstore_pfn = next++;
	l->console_pfn = next++;
	if (next > in->nr_pages)
		goto too_small;

	/*
	 * The page tables must map themselves, so their number depends on
	 * where the mapping ends, which depends on their number: start from
	 * the spare room and grow until the mapping covers tables, stack and
	 * spare room.  This converges in two or three rounds.
	 */
	l->pt_pfn = next;
	extra = 1 + PAD_PAGES;        /* boot stack + spare room */
	pages = extra;
	for (;;) {
		uint64_t want;

		if (next + pages > room) {
			ctrl_build_seterr(err, errlen, "layout: kernel, ramdisk and p2m list "
			       "do not fit between virtual base 0x%llx and the top "
			       "of the address space",
			       (unsigned long long)in->virt_base);
			errno = ENOMEM;
			return -1;
		}
		want = ctrl_pv_vaddr(l, next) + (pages << PAGE_SHIFT);

		end = (want | (MAPPING_ALIGN - 1)) + 1;
		m0->from = in->virt_base;
		m0->to = end;
		m0->pfn = 0;
		nr_tables = place_tables(m0, l->pt_pfn, true);
		pages = nr_tables + extra;
		if (ctrl_pv_vaddr(l, next) + (pages << PAGE_SHIFT) <= end)
			break;
	}
	l->nr_pt_pages = nr_tables;
	next += nr_tables;
	l->stack_pfn = next++;
	l->virt_pgtab_end = end;
	next = (end - in->virt_base) >> PAGE_SHIFT;
	if (next > in->nr_pages)
		goto too_small;
	l->nr_maps = 1;

	if (l->p2m_separate) {
		struct ctrl_pv_map *m1 = &l->maps[1];

		l->p2m_pfn = next;
		l->p2m_vaddr = in->init_p2m;
		m1->from = in->init_p2m;
		m1->to = in->init_p2m + (l->p2m_pages << PAGE_SHIFT);
		m1->pfn = l->p2m_pfn;
		l->p2m_seg_pages = l->p2m_pages +
			place_tables(m1, l->p2m_pfn + l->p2m_pages, false);
		next += l->p2m_seg_pages;
		if (next > in->nr_pages)
			goto too_small;
		l->nr_maps = 2;
	}
	l->pfn_end = next;
	return 0;

too_small:
	ctrl_build_seterr(err, errlen, "layout: %llu KiB of memory is too small for this "
	       "kernel and ramdisk (at least %llu KiB needed)",
	       (unsigned long long)(in->nr_pages * 4),
	       (unsigned long long)(next * 4));
	errno = ENOMEM;
	return -1;
}

/* Is `pfn` one of the page-table pages of the layout? */
static bool is_table_pfn(const struct ctrl_pv_layout *l, uint64_t pfn)
{
	if (pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_pages)
		return true;
	return l->p2m_separate && pfn >= l->p2m_pfn + l->p2m_pages &&
	       pfn < l->p2m_pfn + l->p2m_seg_pages;
}

/* The buffer page holding the table at `pfn`, or NULL. */
static uint64_t *table_at(const struct ctrl_pv_layout *l, uint64_t *tables0,
                          uint64_t *tables1, uint64_t pfn)
{
	if (pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_pages)
		return tables0 + (pfn - l->pt_pfn) * 512;
	if (tables1 != NULL && is_table_pfn(l, pfn))
		return tables1 + (pfn - l->p2m_pfn - l->p2m_pages) * 512;
	return NULL;
}

int ctrl_pv_fill_pgtables(const struct ctrl_pv_layout *l, const uint64_t *p2m,
                          uint64_t *tables0, uint64_t *tables1)
{
	unsigned i;

	if (l->nr_maps < 1 || (l->p2m_separate && tables1 == NULL)) {
		errno = EINVAL;
		return -1;
	}
	memset(tables0, 0, l->nr_pt_pages * PAGE_SIZE);
	if (l->p2m_separate)
		memset(tables1, 0, (l->p2m_seg_pages - l->p2m_pages) * PAGE_SIZE);

	/*
	 * Walk every page of every mapping from the top: each level's entry
	 * points at the table of the level below that covers this address.
	 * Entries are rewritten with the same value for neighbouring pages,
	 * which keeps the loop trivially correct.
	 */
	for (i = 0; i < l->nr_maps; i++) {
		const struct ctrl_pv_map *m = &l->maps[i];
		uint64_t va;

		for (va = m->from; va < m->to; va += PAGE_SIZE) {
			uint64_t pfn = m->pfn + ((va - m->from) >> PAGE_SHIFT);
			uint64_t table = l->maps[0].table_pfn[3];
			int k;

			for (k = 3; k >= 0; k--) {
				uint64_t *t = table_at(l, tables0, tables1, table);
				unsigned idx = (va >> (PAGE_SHIFT + 9 * k)) & 511;
				uint64_t target, prot;

				if (t == NULL)
					goto bad;
				if (k > 0) {
					unsigned s = table_shift((unsigned)k - 1);

					target = m->table_pfn[k - 1] +
						((va >> s) - (m->from >> s));
					prot = UPPER_PROT;
				} else {
					target = pfn;
					prot = L1_PROT;
					if (is_table_pfn(l, pfn))
						prot &= ~PTE_RW;
				}
				if (target >= l->nr_pages)
					goto bad;
				t[idx] = (p2m[target] << PAGE_SHIFT) | prot;
				table = target;
			}
		}
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
