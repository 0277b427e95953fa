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
 *    where it is in its shared info page as a three-level tree:
 *    arch.pfn_to_mfn_frame_list_list is one frame listing the frames of
 *    the frame list, which lists the frames of the p2m itself.  Mapping
 *    the p2m gives the machine frame of every guest page.
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
 * PV: map the p2m through the frame tree the guest published in its shared
 * info page.  The tree's two upper levels are copied and unmapped; only
 * the p2m itself stays mapped (ctrl_unmap(p2m, p2m_frames) when done).
 */
static int
map_p2m(struct dump *d, const shared_info_t *shinfo)
{
	uint64_t fll_frame = shinfo->arch.pfn_to_mfn_frame_list_list;
	uint64_t *fll = NULL, *fl = NULL, *fl_copy = NULL;
	size_t fll_n, fl_n;
	int r = -1, saved;

	if (fll_frame == 0 || fll_frame == P2M_INVALID) {
		ctrl_seterr(d->h, ENOTSUP, "dump-core dom %u: the guest "
		            "publishes no p2m frame list", d->domid);
		return -1;
	}
	fl_n = (d->nr_gpfns + FRAMES_PER_PAGE - 1) / FRAMES_PER_PAGE;
	fll_n = (fl_n + FRAMES_PER_PAGE - 1) / FRAMES_PER_PAGE;
	if (fll_n > FRAMES_PER_PAGE) {
		ctrl_seterr(d->h, EFBIG, "dump-core dom %u: %llu frames are "
		            "more than a p2m tree holds", d->domid,
		            (unsigned long long)d->nr_gpfns);
		return -1;
	}

	fll = map_frames(d->h, d->domid, &fll_frame, 1,
	                 "the p2m frame list list");
	if (fll == NULL)
		goto out;
	fl = map_frames(d->h, d->domid, fll, fll_n, "the p2m frame list");
	if (fl == NULL)
		goto out;
	fl_copy = malloc(fl_n * sizeof(uint64_t));
	if (fl_copy == NULL) {
		ctrl_seterr(d->h, errno, "dump-core dom %u", d->domid);
		goto out;
	}
	memcpy(fl_copy, fl, fl_n * sizeof(uint64_t));
	d->p2m = map_frames(d->h, d->domid, fl_copy, fl_n, "the p2m");
	if (d->p2m == NULL)
		goto out;
	d->p2m_frames = fl_n;
	r = 0;
out:
	saved = errno;
	if (fl != NULL)
		ctrl_unmap(fl, fll_n);
	if (fll != NULL)
		ctrl_unmap(fll, 1);
	free(fl_copy);
	errno = saved;
	return r;
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
