/*
 * ctrl_save.c - write a suspended 64-bit PV domain as a libxc image
 * (what and in which order: ctrl_save.h; the format: sr_stream.h).
 *
 * A PV guest names machine frames (mfns) everywhere: in its page tables,
 * its cr3, its GDT frames, its p2m.  An image must be loadable into other
 * frames, so every mfn is rewritten to the guest's own frame number (pfn)
 * on the way out; the restorer does the reverse.  The guest's p2m
 * (pfn -> mfn) is read once; its inverse is a sorted array of (mfn, pfn)
 * pairs searched by bisection, so no machine-wide M2P table is needed and
 * an mfn that is not the guest's is simply not found.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ctrl_internal.h"      /* before any Xen header: __XEN_TOOLS__ */
#include "ctrl_save.h"

#define FPP         (SR_PAGE_SIZE / sizeof(uint64_t))  /* frames a page */
#define BATCH       1024u      /* pfns a PAGE_DATA record (getpageframeinfo3's limit) */
#define P2M_INVALID (~(uint64_t)0)
#define PTE_PRESENT 0x1ull
#define PTE_PSE     0x80ull
#define PTE_FRAME   0x000ffffffffff000ull
/* L4 slots of Xen's own mappings in a 64-bit guest (256-271):
 * HYPERVISOR_VIRT_START/END of the x86_64 ABI. */
#define L4_XEN_FIRST 256u
#define L4_XEN_LAST  271u
/* Policy array bounds asked of Xen (it answers with its maximum). */
#define MAX_LEAVES 512u
#define MAX_MSRS   256u

struct m2p {
	uint64_t mfn, pfn;
};

/* What one save holds. */
struct save {
	struct ctrl_handle *h;
	uint32_t domid;
	struct sr_writer *w;
	struct ctrl_dominfo info;
	uint8_t shinfo[SR_PAGE_SIZE];
	uint64_t max_pfn;          /* last pfn of the p2m */
	uint64_t *p2m;             /* max_pfn + 1 entries */
	uint64_t *p2m_mfns;        /* the p2m's own frames */
	size_t p2m_frames;
	struct m2p *m2p;           /* sorted by mfn */
	size_t m2p_n;
	uint64_t pages_total, pages_done;
	ctrl_save_progress_fn progress;
	void *arg;
};

static int
cmp_m2p(const void *a, const void *b)
{
	const struct m2p *x = a, *y = b;

	return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

/* The guest's pfn for mfn, or -1 when the frame is not the guest's. */
static int64_t
mfn_to_pfn(const struct save *s, uint64_t mfn)
{
	size_t lo = 0, hi = s->m2p_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->m2p[mid].mfn == mfn)
			return (int64_t)s->m2p[mid].pfn;
		if (s->m2p[mid].mfn < mfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
write_rec(struct save *s, uint32_t type, const void *hdr, size_t hlen,
          const void *body, size_t blen)
{
	if (sr_write_record(s->w, type, hdr, hlen, body, blen) < 0)
		return ctrl_seterr(s->h, errno, "save dom %u: writing %s",
		                   s->domid, sr_rec_name(type));
	return 0;
}

/* Copy n frames of the guest into dst (n pages). */
static int
copy_frames(struct save *s, const uint64_t *mfns, size_t n, void *dst,
            const char *what)
{
	void *p = ctrl_map_foreign(s->h, s->domid, PROT_READ, mfns, n);

	if (p == NULL)
		return ctrl_seterr(s->h, errno, "save dom %u: mapping %s",
		                   s->domid, what);
	memcpy(dst, p, n * SR_PAGE_SIZE);
	ctrl_unmap(p, n);
	return 0;
}

/*
 * The p2m through the three-level tree the guest publishes: the frame
 * list list (one frame) lists the frames of the frame list, which lists
 * the p2m's frames.
 */
static int
read_p2m(struct save *s)
{
	const shared_info_t *si = (const shared_info_t *)s->shinfo;
	uint64_t fll_mfn = si->arch.pfn_to_mfn_frame_list_list;
	uint64_t *fll = NULL, *fl = NULL;
	size_t fl_n, i;
	int rc = -1;

	if (si->arch.max_pfn == 0 || si->arch.max_pfn > (1ull << 32))
		return ctrl_seterr(s->h, ERANGE, "save dom %u: shared info's "
		                   "max_pfn %#llx out of range", s->domid,
		                   (unsigned long long)si->arch.max_pfn);
	if (fll_mfn == 0 || fll_mfn == P2M_INVALID)
		return ctrl_seterr(s->h, ENOTSUP, "save dom %u: the guest "
		                   "publishes no p2m frame list", s->domid);
	s->max_pfn = si->arch.max_pfn - 1;
	s->p2m_frames = (s->max_pfn + FPP) / FPP;
	fl_n = (s->p2m_frames + FPP - 1) / FPP;
	if (fl_n > FPP)
		return ctrl_seterr(s->h, EFBIG, "save dom %u: p2m too large",
		                   s->domid);
	fll = malloc(SR_PAGE_SIZE);
	fl = malloc(fl_n * SR_PAGE_SIZE);
	s->p2m_mfns = malloc(s->p2m_frames * sizeof(uint64_t));
	s->p2m = malloc(s->p2m_frames * SR_PAGE_SIZE);
	if (fll == NULL || fl == NULL || s->p2m_mfns == NULL || s->p2m == NULL) {
		ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
		goto out;
	}
	if (copy_frames(s, &fll_mfn, 1, fll, "the p2m frame list list") < 0 ||
	    copy_frames(s, fll, fl_n, fl, "the p2m frame list") < 0)
		goto out;
	memcpy(s->p2m_mfns, fl, s->p2m_frames * sizeof(uint64_t));
	if (copy_frames(s, s->p2m_mfns, s->p2m_frames, s->p2m, "the p2m") < 0)
		goto out;
	/* The inverse, of the entries that name a frame. */
	s->m2p = malloc((s->max_pfn + 1) * sizeof(*s->m2p));
	if (s->m2p == NULL) {
		ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
		goto out;
	}
	for (i = 0; i <= s->max_pfn; i++) {
		if (s->p2m[i] == P2M_INVALID || s->p2m[i] == 0)
			continue;
		s->m2p[s->m2p_n].mfn = s->p2m[i];
		s->m2p[s->m2p_n].pfn = i;
		s->m2p_n++;
	}
	qsort(s->m2p, s->m2p_n, sizeof(*s->m2p), cmp_m2p);
	for (i = 1; i < s->m2p_n; i++)
		if (s->m2p[i].mfn == s->m2p[i - 1].mfn) {
			ctrl_seterr(s->h, EINVAL, "save dom %u: mfn %#llx "
			            "appears at pfns %#llx and %#llx of the p2m",
			            s->domid,
			            (unsigned long long)s->m2p[i].mfn,
			            (unsigned long long)s->m2p[i - 1].pfn,
			            (unsigned long long)s->m2p[i].pfn);
			goto out;
		}
	s->pages_total = s->m2p_n;
	rc = 0;
out:
	free(fll);
	free(fl);
	return rc;
}

/* XEN_DOMCTL_get_cpu_policy: the domain's CPUID leaves and MSRs.  Asked
 * first with no buffers, Xen says how many of each it may write. */
static int
write_policies(struct save *s)
{
	struct xen_domctl d;
	size_t lsz, msz;
	uint32_t nl, nm;
	void *leaves = NULL, *msrs = NULL;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_cpu_policy;
	d.domain = (domid_t)s->domid;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_get_cpu_policy") < 0)
		return -1;
	nl = d.u.cpu_policy.nr_leaves;
	nm = d.u.cpu_policy.nr_msrs;
	if (nl > MAX_LEAVES || nm > MAX_MSRS)
		return ctrl_seterr(s->h, E2BIG, "save dom %u: a policy of %u "
		                   "leaves and %u MSRs", s->domid, nl, nm);
	lsz = (nl ? nl : 1) * sizeof(xen_cpuid_leaf_t);
	msz = (nm ? nm : 1) * sizeof(xen_msr_entry_t);
	leaves = pc_buf_alloc(s->h->pc, lsz);
	if (leaves == NULL) {
		ctrl_seterr(s->h, ENOMEM, "save dom %u: policy buffer: %s",
		            s->domid, pc_errmsg(s->h->pc));
		goto out;
	}
	msrs = pc_buf_alloc(s->h->pc, msz);
	if (msrs == NULL) {
		ctrl_seterr(s->h, ENOMEM, "save dom %u: policy buffer: %s",
		            s->domid, pc_errmsg(s->h->pc));
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_cpu_policy;
	d.domain = (domid_t)s->domid;
	d.u.cpu_policy.nr_leaves = nl;
	d.u.cpu_policy.nr_msrs = nm;
	set_xen_guest_handle(d.u.cpu_policy.leaves, (xen_cpuid_leaf_t *)leaves);
	set_xen_guest_handle(d.u.cpu_policy.msrs, (xen_msr_entry_t *)msrs);
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_get_cpu_policy") < 0)
		goto out;
	if (d.u.cpu_policy.nr_leaves > nl || d.u.cpu_policy.nr_msrs > nm) {
		ctrl_seterr(s->h, E2BIG, "save dom %u: policy larger than "
		            "announced", s->domid);
		goto out;
	}
	if (d.u.cpu_policy.nr_leaves > 0 &&
	    write_rec(s, SR_REC_X86_CPUID_POLICY, NULL, 0, leaves,
	              d.u.cpu_policy.nr_leaves * sizeof(xen_cpuid_leaf_t)) < 0)
		goto out;
	if (d.u.cpu_policy.nr_msrs > 0 &&
	    write_rec(s, SR_REC_X86_MSR_POLICY, NULL, 0, msrs,
	              d.u.cpu_policy.nr_msrs * sizeof(xen_msr_entry_t)) < 0)
		goto out;
	rc = 0;
out:
	if (leaves != NULL)
		pc_buf_free(s->h->pc, leaves, lsz);
	if (msrs != NULL)
		pc_buf_free(s->h->pc, msrs, msz);
	return rc;
}

static int
write_p2m_frames(struct save *s)
{
	uint32_t hdr[2] = { 0, (uint32_t)s->max_pfn };
	uint64_t *pfns;
	size_t i;
	int64_t pfn;
	int rc;

	pfns = malloc(s->p2m_frames * sizeof(uint64_t));
	if (pfns == NULL)
		return ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
	for (i = 0; i < s->p2m_frames; i++) {
		pfn = mfn_to_pfn(s, s->p2m_mfns[i]);
		if (pfn < 0) {
			free(pfns);
			return ctrl_seterr(s->h, ERANGE, "save dom %u: p2m "
			                   "frame %zu (mfn %#llx) is not the "
			                   "guest's", s->domid, i,
			                   (unsigned long long)s->p2m_mfns[i]);
		}
		pfns[i] = (uint64_t)pfn;
	}
	rc = write_rec(s, SR_REC_X86_PV_P2M_FRAMES, hdr, sizeof(hdr), pfns,
	               s->p2m_frames * sizeof(uint64_t));
	free(pfns);
	return rc;
}

/* XEN_DOMCTL_getpageframeinfo3: each mfn replaced by its type (bits
 * 31-28, the pinned bit 31 included). */
static int
page_types(struct save *s, uint64_t *arr, size_t n)
{
	struct xen_domctl d;
	void *buf;
	int rc;

	buf = pc_buf_alloc(s->h->pc, n * sizeof(uint64_t));
	if (buf == NULL)
		return ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
	memcpy(buf, arr, n * sizeof(uint64_t));
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getpageframeinfo3;
	d.domain = (domid_t)s->domid;
	d.u.getpageframeinfo3.num = n;
	set_xen_guest_handle(d.u.getpageframeinfo3.array, (xen_pfn_t *)buf);
	rc = ctrl_domctl(s->h, &d, "XEN_DOMCTL_getpageframeinfo3");
	if (rc == 0)
		memcpy(arr, buf, n * sizeof(uint64_t));
	pc_buf_free(s->h->pc, buf, n * sizeof(uint64_t));
	return rc < 0 ? -1 : 0;
}

/* Rewrite one page table page (level 1..4) from mfns to pfns in place. */
static int
normalise_table(struct save *s, uint64_t pfn, unsigned level, uint64_t *pte)
{
	unsigned i;
	int64_t p;

	for (i = 0; i < FPP; i++) {
		if (level == 4 && i >= L4_XEN_FIRST && i <= L4_XEN_LAST) {
			pte[i] = 0;     /* Xen's: rebuilt by Xen on restore */
			continue;
		}
		if (!(pte[i] & PTE_PRESENT))
			continue;
		if (level > 1 && (pte[i] & PTE_PSE))
			return ctrl_seterr(s->h, E2BIG, "save dom %u: L%u "
			                   "table at pfn %#llx maps a superpage",
			                   s->domid, level,
			                   (unsigned long long)pfn);
		p = mfn_to_pfn(s, (pte[i] & PTE_FRAME) >> 12);
		if (p < 0)
			return ctrl_seterr(s->h, ERANGE, "save dom %u: L%u "
			                   "table at pfn %#llx entry %u names "
			                   "mfn %#llx, not the guest's", s->domid,
			                   level, (unsigned long long)pfn, i,
			                   (unsigned long long)
			                   ((pte[i] & PTE_FRAME) >> 12));
		pte[i] = (pte[i] & ~PTE_FRAME) | ((uint64_t)p << 12);
	}
	return 0;
}

/* One PAGE_DATA record for pfns first..first+n-1. */
static int
write_batch(struct save *s, uint64_t first, size_t n, uint64_t *words,
            uint64_t *mfns, uint8_t *data)
{
	uint64_t types[BATCH];
	uint32_t *hdr = (uint32_t *)words;
	uint64_t *pfnw = words + 1;
	uint64_t map_mfns[BATCH];
	size_t i, k, nmap = 0, ndata = 0, mapped = 0;
	int errs[BATCH];
	uint8_t *m = NULL;
	unsigned type;
	int rc = -1;

	for (i = 0; i < n; i++) {
		mfns[i] = s->p2m[first + i];
		types[i] = (mfns[i] == P2M_INVALID || mfns[i] == 0) ?
		           P2M_INVALID : mfns[i];
	}
	/* Ask for types of the valid ones only (compacted). */
	for (i = 0; i < n; i++)
		if (types[i] != P2M_INVALID)
			map_mfns[nmap++] = types[i];
	if (nmap > 0 && page_types(s, map_mfns, nmap) < 0)
		return -1;
	/* The types Xen reported, in the compacted order; the frames to map
	 * are those of every page Xen knows (types other than XTAB). */
	for (i = 0, k = 0, nmap = 0; i < n; i++) {
		if (types[i] == P2M_INVALID)
			type = SR_PT_XTAB;
		else
			type = (unsigned)(map_mfns[k++] >> 28) & 0xf;
		types[i] = type;
		pfnw[i] = ((uint64_t)type << SR_TYPE_SHIFT) | (first + i);
	}
	for (i = 0; i < n; i++)
		if (types[i] != SR_PT_XTAB)
			map_mfns[nmap++] = mfns[i];
	if (nmap > 0) {
		m = ctrl_map_foreign_errs(s->h, s->domid, PROT_READ, map_mfns,
		                          errs, nmap);
		if (m == NULL) {
			ctrl_seterr(s->h, errno, "save dom %u: mapping pfns "
			            "%#llx-%#llx", s->domid,
			            (unsigned long long)first,
			            (unsigned long long)(first + n - 1));
			return -1;
		}
		mapped = nmap;
	}
	for (i = 0, nmap = 0; i < n; i++) {
		type = (unsigned)types[i];
		if (type == SR_PT_XTAB)
			continue;
		if (!sr_page_type_has_data(type)) {
			nmap++;
			continue;
		}
		if (errs[nmap] != 0) {
			ctrl_seterr(s->h, -errs[nmap], "save dom %u: mapping "
			            "pfn %#llx", s->domid,
			            (unsigned long long)(first + i));
			goto out;
		}
		memcpy(data + ndata * SR_PAGE_SIZE, m + nmap * SR_PAGE_SIZE,
		       SR_PAGE_SIZE);
		if ((type & 7) >= SR_PT_L1TAB && (type & 7) <= SR_PT_L4TAB &&
		    normalise_table(s, first + i, type & 7,
		                    (uint64_t *)(data + ndata * SR_PAGE_SIZE)) < 0)
			goto out;
		nmap++;
		ndata++;
	}
	hdr[0] = (uint32_t)n;
	hdr[1] = 0;
	rc = write_rec(s, SR_REC_PAGE_DATA, words, 8 + n * 8, data,
	               ndata * SR_PAGE_SIZE);
	s->pages_done += ndata;
out:
	if (m != NULL)
		ctrl_unmap(m, mapped);
	return rc;
}

static int
write_pages(struct save *s)
{
	uint64_t *words = malloc((BATCH + 1) * sizeof(uint64_t));
	uint64_t *mfns = malloc(BATCH * sizeof(uint64_t));
	uint8_t *data = malloc((size_t)BATCH * SR_PAGE_SIZE);
	uint64_t pfn;
	size_t n;
	int rc = -1;

	if (words == NULL || mfns == NULL || data == NULL) {
		ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
		goto out;
	}
	for (pfn = 0; pfn <= s->max_pfn; pfn += n) {
		n = s->max_pfn + 1 - pfn < BATCH ? s->max_pfn + 1 - pfn : BATCH;
		if (write_batch(s, pfn, n, words, mfns, data) < 0)
			goto out;
		if (s->progress != NULL)
			s->progress(s->arg, s->pages_done, s->pages_total);
	}
	rc = 0;
out:
	free(words);
	free(mfns);
	free(data);
	return rc;
}

static int
write_tsc(struct save *s)
{
	struct xen_domctl d;
	struct sr_tsc_info t;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_gettscinfo;
	d.domain = (domid_t)s->domid;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_gettscinfo") < 0)
		return -1;
	memset(&t, 0, sizeof(t));
	t.mode = d.u.tsc_info.tsc_mode;
	t.khz = d.u.tsc_info.gtsc_khz;
	t.nsec = d.u.tsc_info.elapsed_nsec;
	t.incarnation = d.u.tsc_info.incarnation;
	return write_rec(s, SR_REC_X86_TSC_INFO, NULL, 0, &t, sizeof(t));
}

/* An mfn of vcpu `v`'s state rewritten to its pfn, or an error naming
 * the field. */
static int
to_pfn(struct save *s, unsigned v, const char *what, uint64_t *frame)
{
	int64_t p = mfn_to_pfn(s, *frame);

	if (p < 0)
		return ctrl_seterr(s->h, ERANGE, "save dom %u: vcpu %u's %s "
		                   "(mfn %#llx) is not the guest's", s->domid,
		                   v, what, (unsigned long long)*frame);
	*frame = (uint64_t)p;
	return 0;
}

static int
write_vcpu_basic(struct save *s, unsigned v)
{
	uint32_t hdr[2] = { v, 0 };
	vcpu_guest_context_x86_64_t c;
	uint64_t f;
	unsigned i, gdt;

	if (ctrl_vcpu_getcontext(s->h, s->domid, v, &c) < 0)
		return -1;
	if (v == 0) {
		/* The suspend record: start_info's frame, in rdx. */
		f = c.user_regs.rdx;
		if (to_pfn(s, v, "start info (rdx)", &f) < 0)
			return -1;
		c.user_regs.rdx = f;
	}
	if (c.gdt_ents > 14 * 512)     /* FIRST_RESERVED_GDT_ENTRY */
		return ctrl_seterr(s->h, ERANGE, "save dom %u: vcpu %u has %u "
		                   "GDT entries", s->domid, v,
		                   (unsigned)c.gdt_ents);
	gdt = (unsigned)((c.gdt_ents + 511) / 512);
	for (i = 0; i < gdt; i++) {
		f = c.gdt_frames[i];
		if (to_pfn(s, v, "GDT frame", &f) < 0)
			return -1;
		c.gdt_frames[i] = f;
	}
	f = c.ctrlreg[3] >> 12;
	if (to_pfn(s, v, "cr3", &f) < 0)
		return -1;
	c.ctrlreg[3] = f << 12;
	if (c.ctrlreg[1] != 0) {
		/* The user-mode page table root, flagged valid by bit 0. */
		f = c.ctrlreg[1] >> 12;
		if (to_pfn(s, v, "cr1 (user cr3)", &f) < 0)
			return -1;
		c.ctrlreg[1] = 1 | (f << 12);
	}
	return write_rec(s, SR_REC_X86_PV_VCPU_BASIC, hdr, sizeof(hdr), &c,
	                 sizeof(c));
}

static int
write_vcpu_extended(struct save *s, unsigned v)
{
	uint32_t hdr[2] = { v, 0 };
	struct xen_domctl d;
	size_t size;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_ext_vcpucontext;
	d.domain = (domid_t)s->domid;
	d.u.ext_vcpucontext.vcpu = v;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_get_ext_vcpucontext") < 0)
		return -1;
	size = d.u.ext_vcpucontext.size;
	if (size > sizeof(d.u.ext_vcpucontext))
		size = sizeof(d.u.ext_vcpucontext);
	return write_rec(s, SR_REC_X86_PV_VCPU_EXTENDED, hdr, sizeof(hdr),
	                 &d.u.ext_vcpucontext, size);
}

static int
write_vcpu_xsave(struct save *s, unsigned v)
{
	uint32_t hdr[2] = { v, 0 };
	struct xen_domctl d;
	void *buf;
	size_t size;
	int rc;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getvcpuextstate;
	d.domain = (domid_t)s->domid;
	d.u.vcpuextstate.vcpu = v;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_getvcpuextstate") < 0)
		return -1;
	size = d.u.vcpuextstate.size;
	if (size == 0)
		return 0;                     /* no xsave on this host */
	if (size > (1u << 20))
		return ctrl_seterr(s->h, E2BIG, "save dom %u: vcpu %u xsave "
		                   "area of %zu bytes", s->domid, v, size);
	buf = pc_buf_alloc(s->h->pc, size);
	if (buf == NULL)
		return ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getvcpuextstate;
	d.domain = (domid_t)s->domid;
	d.u.vcpuextstate.vcpu = v;
	d.u.vcpuextstate.size = size;
	set_xen_guest_handle(d.u.vcpuextstate.buffer, (uint64_t *)buf);
	rc = ctrl_domctl(s->h, &d, "XEN_DOMCTL_getvcpuextstate");
	if (rc == 0)
		rc = write_rec(s, SR_REC_X86_PV_VCPU_XSAVE, hdr, sizeof(hdr),
		               buf, d.u.vcpuextstate.size < size ?
		               d.u.vcpuextstate.size : size);
	pc_buf_free(s->h->pc, buf, size);
	return rc < 0 ? -1 : 0;
}

static int
write_vcpu_msrs(struct save *s, unsigned v)
{
	uint32_t hdr[2] = { v, 0 };
	struct xen_domctl d;
	void *buf;
	size_t n, size;
	int rc;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_vcpu_msrs;
	d.domain = (domid_t)s->domid;
	d.u.vcpu_msrs.vcpu = v;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_get_vcpu_msrs") < 0)
		return -1;
	n = d.u.vcpu_msrs.msr_count;
	if (n == 0)
		return 0;
	if (n > MAX_MSRS)
		return ctrl_seterr(s->h, E2BIG, "save dom %u: vcpu %u has %zu "
		                   "MSRs", s->domid, v, n);
	size = n * sizeof(xen_domctl_vcpu_msr_t);
	buf = pc_buf_alloc(s->h->pc, size);
	if (buf == NULL)
		return ctrl_seterr(s->h, ENOMEM, "save dom %u", s->domid);
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_get_vcpu_msrs;
	d.domain = (domid_t)s->domid;
	d.u.vcpu_msrs.vcpu = v;
	d.u.vcpu_msrs.msr_count = (uint32_t)n;
	set_xen_guest_handle(d.u.vcpu_msrs.msrs, (xen_domctl_vcpu_msr_t *)buf);
	rc = ctrl_domctl(s->h, &d, "XEN_DOMCTL_get_vcpu_msrs");
	if (rc == 0 && d.u.vcpu_msrs.msr_count > 0)
		rc = write_rec(s, SR_REC_X86_PV_VCPU_MSRS, hdr, sizeof(hdr),
		               buf, (d.u.vcpu_msrs.msr_count < n ?
		                     d.u.vcpu_msrs.msr_count : n) *
		               sizeof(xen_domctl_vcpu_msr_t));
	pc_buf_free(s->h->pc, buf, size);
	return rc < 0 ? -1 : 0;
}

static int
write_vcpus(struct save *s)
{
	struct ctrl_vcpuinfo vi;
	unsigned v;

	for (v = 0; v <= s->info.max_vcpu_id; v++) {
		if (ctrl_vcpu_getinfo(s->h, s->domid, v, &vi) < 0)
			return -1;
		if (!vi.online)
			continue;
		if (write_vcpu_basic(s, v) < 0 ||
		    write_vcpu_extended(s, v) < 0 ||
		    write_vcpu_xsave(s, v) < 0 || write_vcpu_msrs(s, v) < 0)
			return -1;
	}
	return 0;
}

int
ctrl_domain_save(struct ctrl_handle *h, uint32_t domid, struct sr_writer *w,
                 ctrl_save_progress_fn progress, void *arg)
{
	struct ctrl_version ver;
	struct save s;
	uint8_t pv_info[8] = { 8, 4 };
	uint64_t frame;
	unsigned bits;
	int rc = -1, saved;

	memset(&s, 0, sizeof(s));
	s.h = h;
	s.domid = domid;
	s.w = w;
	s.progress = progress;
	s.arg = arg;
	if (ctrl_domain_getinfo(h, domid, &s.info) < 0)
		return -1;
	if (s.info.hvm)
		return ctrl_seterr(h, ENOTSUP, "save dom %u: only PV guests "
		                   "are supported", domid);
	if (!s.info.shutdown || s.info.shutdown_reason != SHUTDOWN_suspend)
		return ctrl_seterr(h, EINVAL, "save dom %u: the domain is not "
		                   "suspended", domid);
	if (ctrl_domain_get_address_size(h, domid, &bits) < 0)
		return -1;
	if (bits != 64)
		return ctrl_seterr(h, ENOTSUP, "save dom %u: %u-bit PV guests "
		                   "are not supported", domid, bits);
	if (ctrl_xen_version(h, &ver) < 0)
		return -1;
	frame = s.info.shared_info_frame;
	if (copy_frames(&s, &frame, 1, s.shinfo, "the shared info") < 0)
		return -1;
	if (read_p2m(&s) < 0)
		goto out;
	if (sr_write_headers(w, (uint32_t)ver.major, (uint32_t)ver.minor) < 0) {
		ctrl_seterr(h, errno, "save dom %u: writing the headers", domid);
		goto out;
	}
	if (write_rec(&s, SR_REC_X86_PV_INFO, NULL, 0, pv_info, 8) < 0 ||
	    write_policies(&s) < 0 ||
	    write_rec(&s, SR_REC_STATIC_DATA_END, NULL, 0, NULL, 0) < 0 ||
	    write_p2m_frames(&s) < 0 || write_pages(&s) < 0 ||
	    write_tsc(&s) < 0 ||
	    write_rec(&s, SR_REC_SHARED_INFO, NULL, 0, s.shinfo,
	              SR_PAGE_SIZE) < 0 ||
	    write_vcpus(&s) < 0 ||
	    write_rec(&s, SR_REC_END, NULL, 0, NULL, 0) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	free(s.p2m);
	free(s.p2m_mfns);
	free(s.m2p);
	errno = saved;
	return rc;
}

int
ctrl_domain_resume_cancelled(struct ctrl_handle *h, uint32_t domid,
                             bool paused)
{
	vcpu_guest_context_x86_64_t c;
	struct ctrl_dominfo info;
	struct xen_domctl d;

	if (ctrl_domain_getinfo(h, domid, &info) < 0)
		return -1;
	if (!info.shutdown || info.shutdown_reason != SHUTDOWN_suspend)
		return ctrl_seterr(h, EINVAL, "resume dom %u: the domain is "
		                   "not suspended", domid);
	/* SCHEDOP_shutdown(suspend) returns 1 to a guest whose suspend was
	 * cancelled: it carries on with what it had. */
	if (ctrl_vcpu_getcontext(h, domid, 0, &c) < 0)
		return -1;
	c.user_regs.rax = 1;
	if (ctrl_vcpu_setcontext(h, domid, 0, &c) < 0)
		return -1;
	if (paused && !info.paused && ctrl_domain_pause(h, domid) < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_resumedomain;
	d.domain = (domid_t)domid;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_resumedomain") < 0 ? -1 : 0;
}
