/*
 * ctrl_dumpcore.c - dump a live domain's memory into the core format of
 * ctrl_core_elf.c.
 *
 * What a core needs from Xen: the domain's info (tot_pages, the shared
 * info frame, the vCPU count), each vCPU's context, and its pages.  How
 * the pages are found depends on who translates addresses:
 *  - HVM/PVH: Xen does (auto-translated), so every guest frame number from
 *    0 to the highest in use is mapped as it is, skipping the VGA and
 *    below-4G MMIO holes where no RAM lives; frames that fail to map are
 *    simply not there.
 *  - PV: the guest keeps its own pfn -> mfn table (the p2m) and publishes
 *    where it is in its shared info page: as a linear array at a virtual
 *    address in a given address space (arch.p2m_vaddr, arch.p2m_cr3), or
 *    in the older three-level frame tree (arch.pfn_to_mfn_frame_list_list).
 *    Mapping the p2m gives the machine frame of every guest page.
 * Pages are mapped in batches of DUMP_BATCH and handed to the writer one
 * by one, so nothing larger than a batch is ever held.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ctrl_internal.h"      /* before any Xen header: __XEN_TOOLS__ */

#include <xen/hvm/e820.h>       /* HVM_BELOW_4G_MMIO_START */

#define DUMP_BATCH 256u
#define FRAMES_PER_PAGE (PC_PAGE_SIZE / sizeof(uint64_t))
/* An unused p2m slot (INVALID_P2M_ENTRY of a 64-bit guest). */
#define P2M_INVALID (~(uint64_t)0)

/* What the page walk needs, gathered once. */
struct dump {
	struct ctrl_handle *h;
	uint32_t domid;
	bool hvm;
	uint64_t nr_gpfns;         /* highest gpfn in use + 1 */
	uint64_t max_mfn;          /* frames above this are not RAM */
	const uint64_t *p2m;       /* PV: mapped p2m, p2m_frames pages */
	size_t p2m_frames;
	struct ctrl_core_writer *w;
};

int
ctrl_domain_get_address_size(struct ctrl_handle *h, uint32_t domid,
                             unsigned *bits)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_get_address_size") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_address_size;
	d.domain = (domid_t)domid;
	if (ctrl_domctl(h, &d, "XEN_DOMCTL_get_address_size") < 0)
		return -1;
	*bits = d.u.address_size.size;
	return 0;
}

/* Map a list of frames read-only, all or nothing. */
static void *
map_frames(struct ctrl_handle *h, uint32_t domid, const uint64_t *frames,
           size_t n, const char *what)
{
	void *p = ctrl_map_foreign(h, domid, PROT_READ, frames, n);

	if (p == NULL)
		ctrl_seterr(h, errno, "dump-core dom %u: cannot map %s",
		            domid, what);
	return p;
}

/*
 * PV, older way: the frames of the p2m from the three-level tree the
 * guest publishes in arch.pfn_to_mfn_frame_list_list (one frame listing
 * the frames of the frame list, which lists the p2m's frames).  A
 * malloc'd array of fl_n frames, or NULL.
 */
static uint64_t *
p2m_tree_frames(struct dump *d, const shared_info_t *shinfo, size_t fl_n)
{
	uint64_t fll_frame = shinfo->arch.pfn_to_mfn_frame_list_list;
	uint64_t *fll = NULL, *fl = NULL, *frames = NULL;
	size_t fll_n = (fl_n + FRAMES_PER_PAGE - 1) / FRAMES_PER_PAGE;
	int saved;

	if (fll_frame == 0 || fll_frame == P2M_INVALID) {
		ctrl_seterr(d->h, ENOTSUP, "dump-core dom %u: the guest "
		            "publishes no p2m", d->domid);
		return NULL;
	}
	if (fll_n > FRAMES_PER_PAGE) {
		ctrl_seterr(d->h, EFBIG, "dump-core dom %u: %llu frames are "
		            "more than a p2m tree holds", d->domid,
		            (unsigned long long)d->nr_gpfns);
		return NULL;
	}
	fll = map_frames(d->h, d->domid, &fll_frame, 1,
	                 "the p2m frame list list");
	if (fll == NULL)
		goto out;
	fl = map_frames(d->h, d->domid, fll, fll_n, "the p2m frame list");
	if (fl == NULL)
		goto out;
	frames = malloc(fl_n * sizeof(uint64_t));
	if (frames == NULL) {
		ctrl_seterr(d->h, errno, "dump-core dom %u", d->domid);
		goto out;
	}
	memcpy(frames, fl, fl_n * sizeof(uint64_t));
out:
	saved = errno;
	if (fl != NULL)
		ctrl_unmap(fl, fll_n);
	if (fll != NULL)
		ctrl_unmap(fll, 1);
	errno = saved;
	return frames;
}

/* x86_64 virtual addresses: 48 significant bits, sign-extended; Xen owns
 * the top of the lower half of the kernel space. */
#define VA_MASK       0x0000ffffffffffffull
#define PTE_MFN_MASK  0x000ffffffffff000ull
#define PTE_PRESENT   0x1ull
#define XEN_VIRT_START_X86_64 0xffff800000000000ull
#define XEN_VIRT_END_X86_64   0xffff87ffffffffffull

static bool
canonical(uint64_t va)
{
	return ((int64_t)va >> 47) == ((int64_t)va >> 63);
}

/*
 * PV, current way: Linux maps its p2m as one linear array at
 * arch.p2m_vaddr in the address space whose root is arch.p2m_cr3, and
 * upstream reads it there whenever p2m_cr3 is set.  Walk the four levels
 * of page tables covering that range: at each level the tables found so
 * far are mapped side by side, so the entries for the range are one run
 * of indices into them, and the frames they name are the next level's
 * tables (after level 1, the p2m's own frames).  A malloc'd array of
 * nframes frames, or NULL.
 */
static uint64_t *
p2m_list_frames(struct dump *d, const shared_info_t *shinfo, size_t nframes)
{
	uint64_t va = shinfo->arch.p2m_vaddr;
	uint64_t end = va + nframes * PC_PAGE_SIZE - 1, off = 0, mfn;
	uint64_t *tables = NULL, *next = NULL;
	const uint64_t *pte = NULL;
	size_t n = 1, i, first = 0, last = 0;
	unsigned level, shift = 0;
	int saved;

	if ((va & (PC_PAGE_SIZE - 1)) != 0 || !canonical(va) ||
	    !canonical(end) || end < va ||
	    (va <= XEN_VIRT_END_X86_64 && end >= XEN_VIRT_START_X86_64)) {
		ctrl_seterr(d->h, ERANGE, "dump-core dom %u: bad p2m address "
		            "range %#llx-%#llx", d->domid,
		            (unsigned long long)va, (unsigned long long)end);
		return NULL;
	}
	tables = malloc(sizeof(uint64_t));
	if (tables == NULL)
		goto nomem;
	tables[0] = shinfo->arch.p2m_cr3 >> 12;
	for (level = 4; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		pte = map_frames(d->h, d->domid, tables, n,
		                 "the p2m's page tables");
		if (pte == NULL)
			goto fail;
		first = ((va - off) & VA_MASK) >> shift;
		last = ((end - off) & VA_MASK) >> shift;
		if (last < first || last >= n * FRAMES_PER_PAGE) {
			ctrl_seterr(d->h, ERANGE, "dump-core dom %u: p2m page "
			            "tables out of range", d->domid);
			goto fail;
		}
		next = malloc((last - first + 1) * sizeof(uint64_t));
		if (next == NULL)
			goto nomem;
		for (i = first; i <= last; i++) {
			mfn = (pte[i] & PTE_MFN_MASK) >> 12;
			if (!(pte[i] & PTE_PRESENT) || mfn == 0) {
				ctrl_seterr(d->h, ERANGE, "dump-core dom %u: "
				            "p2m not mapped at level %u",
				            d->domid, level);
				goto fail;
			}
			next[i - first] = mfn;
		}
		ctrl_unmap((void *)pte, n);
		pte = NULL;
		free(tables);
		tables = next;
		next = NULL;
		n = last - first + 1;
		/* The first entry just read covers this base address. */
		off = va & ~(((uint64_t)1 << shift) - 1) & VA_MASK;
	}
	if (n != nframes) {
		ctrl_seterr(d->h, ERANGE, "dump-core dom %u: p2m has %zu "
		            "frames, expected %zu", d->domid, n, nframes);
		goto fail;
	}
	return tables;
nomem:
	ctrl_seterr(d->h, errno, "dump-core dom %u", d->domid);
fail:
	saved = errno;
	if (pte != NULL)
		ctrl_unmap((void *)pte, n);
	free(tables);
	free(next);
	errno = saved;
	return NULL;
}

/* PV: map the whole p2m (ctrl_unmap(d->p2m, d->p2m_frames) when done),
 * found the way upstream finds it: the linear list if the guest names
 * one, else the frame tree. */
static int
map_p2m(struct dump *d, const shared_info_t *shinfo)
{
	size_t n = (d->nr_gpfns + FRAMES_PER_PAGE - 1) / FRAMES_PER_PAGE;
	uint64_t *frames;
	int saved;

	frames = shinfo->arch.p2m_cr3 != 0 ? p2m_list_frames(d, shinfo, n)
	                                   : p2m_tree_frames(d, shinfo, n);
	if (frames == NULL)
		return -1;
	d->p2m = map_frames(d->h, d->domid, frames, n, "the p2m");
	saved = errno;
	free(frames);
	errno = saved;
	if (d->p2m == NULL)
		return -1;
	d->p2m_frames = n;
	return 0;
}

/* HVM: a frame in a hole where the guest can have no RAM. */
static bool
in_hole(uint64_t pfn)
{
	return (pfn >= 0xa0 && pfn < 0xc0) ||
	       (pfn >= (HVM_BELOW_4G_MMIO_START >> 12) &&
	        pfn < ((uint64_t)1 << 32) >> 12);
}

/* Map frames[0..n) (with their guest pfns) and give the writer each page
 * that mapped. */
static int
dump_batch(struct dump *d, const uint64_t *pfns, const uint64_t *frames,
           size_t n)
{
	int errs[DUMP_BATCH];
	unsigned char *map;
	size_t i;
	int r = 0;

	if (n == 0)
		return 0;
	map = ctrl_map_foreign_errs(d->h, d->domid, PROT_READ, frames, errs, n);
	if (map == NULL)
		return ctrl_seterr(d->h, errno, "dump-core dom %u: cannot map "
		                   "its pages", d->domid);
	for (i = 0; i < n && r == 0; i++) {
		if (errs[i] != 0)
			continue;       /* ballooned out or not RAM */
		r = ctrl_core_add_page(d->w, pfns[i], frames[i],
		                       map + i * PC_PAGE_SIZE);
		if (r < 0)
			ctrl_seterr(d->h, errno, "dump-core dom %u: writing "
			            "the core", d->domid);
	}
	ctrl_unmap(map, n);
	return r;
}

/* Every page of the guest, in pfn order. */
static int
dump_pages(struct dump *d)
{
	uint64_t pfns[DUMP_BATCH], frames[DUMP_BATCH], pfn, limit, mfn;
	size_t n = 0;

	limit = d->nr_gpfns;
	if (!d->hvm && limit > d->p2m_frames * FRAMES_PER_PAGE)
		limit = d->p2m_frames * FRAMES_PER_PAGE;
	for (pfn = 0; pfn < limit; pfn++) {
		if (d->hvm) {
			if (in_hole(pfn))
				continue;
			mfn = pfn;
		} else {
			mfn = d->p2m[pfn];
			if (mfn == P2M_INVALID || mfn > d->max_mfn)
				continue;
		}
		pfns[n] = pfn;
		frames[n++] = mfn;
		if (n == DUMP_BATCH) {
			if (dump_batch(d, pfns, frames, n) < 0)
				return -1;
			n = 0;
		}
	}
	return dump_batch(d, pfns, frames, n);
}

/* The contexts of every vCPU Xen gives one for; *n of them. */
static vcpu_guest_context_x86_64_t *
get_contexts(struct ctrl_handle *h, const struct ctrl_dominfo *info,
             unsigned *n)
{
	vcpu_guest_context_x86_64_t *ctx;
	unsigned v;

	*n = 0;
	if (info->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID) {
		ctrl_seterr(h, ENOENT, "dump-core dom %u: no vCPUs",
		            info->domid);
		return NULL;
	}
	ctx = calloc(info->max_vcpu_id + 1, sizeof(*ctx));
	if (ctx == NULL) {
		ctrl_seterr(h, errno, "dump-core dom %u", info->domid);
		return NULL;
	}
	/* An offline vCPU has no context to give: skip it, as upstream. */
	for (v = 0; v <= info->max_vcpu_id; v++)
		if (ctrl_vcpu_getcontext(h, info->domid, v, &ctx[*n]) == 0)
			(*n)++;
	if (*n == 0) {
		ctrl_seterr(h, ENOENT, "dump-core dom %u: no vCPU context "
		            "could be read", info->domid);
		free(ctx);
		return NULL;
	}
	return ctx;
}

int
ctrl_domain_dumpcore(struct ctrl_handle *h, uint32_t domid, int fd)
{
	struct dump d = { .h = h, .domid = domid };
	struct ctrl_dominfo info;
	struct ctrl_version ver;
	struct ctrl_physinfo phys;
	struct ctrl_core_desc desc;
	vcpu_guest_context_x86_64_t *ctx = NULL;
	shared_info_t *shinfo = NULL;
	uint64_t virt_start;
	unsigned nvcpus, bits;
	long gpfn;
	int r = -1, saved;

	if (ctrl_domain_getinfo(h, domid, &info) < 0 ||
	    ctrl_xen_version(h, &ver) < 0 ||
	    ctrl_platform_parameters(h, &virt_start) < 0 ||
	    ctrl_physinfo(h, &phys) < 0)
		goto out;
	d.hvm = info.hvm;
	d.max_mfn = phys.max_mfn;
	if (!d.hvm) {
		if (ctrl_domain_get_address_size(h, domid, &bits) < 0)
			goto out;
		if (bits != 64) {
			ctrl_seterr(h, ENOTSUP, "dump-core dom %u: %u-bit PV "
			            "guests are not supported", domid, bits);
			goto out;
		}
	}
	/* A PV guest must have its shared info page (the p2m hangs off it);
	 * an HVM guest's may not be mappable, and the core goes without. */
	shinfo = ctrl_map_foreign(h, domid, PROT_READ,
	                          &info.shared_info_frame, 1);
	if (shinfo == NULL && !d.hvm) {
		ctrl_seterr(h, errno, "dump-core dom %u: cannot map its shared "
		            "info page", domid);
		goto out;
	}
	ctx = get_contexts(h, &info, &nvcpus);
	if (ctx == NULL)
		goto out;
	gpfn = ctrl_domain_maximum_gpfn(h, domid);
	if (gpfn < 0)
		goto out;
	d.nr_gpfns = (uint64_t)gpfn + 1;
	if (!d.hvm && map_p2m(&d, shinfo) < 0)
		goto out;

	memset(&desc, 0, sizeof(desc));
	desc.auto_translated = d.hvm;
	desc.nr_vcpus = nvcpus;
	desc.vcpus = ctx;
	desc.shared_info = shinfo;
	desc.nr_pages = info.tot_pages;
	desc.version = &ver;
	desc.virt_start = virt_start;
	d.w = ctrl_core_begin(&desc, fd);
	if (d.w == NULL) {
		ctrl_seterr(h, errno, "dump-core dom %u: writing the core",
		            domid);
		goto out;
	}
	if (dump_pages(&d) < 0)
		goto out;
	r = ctrl_core_finish(d.w);
	d.w = NULL;
	if (r < 0)
		ctrl_seterr(h, errno, "dump-core dom %u: writing the core",
		            domid);
out:
	saved = errno;
	ctrl_core_abort(d.w);
	if (d.p2m != NULL)
		ctrl_unmap((void *)d.p2m, d.p2m_frames);
	if (shinfo != NULL)
		ctrl_unmap(shinfo, 1);
	free(ctx);
	errno = saved;
	return r;
}
