/*
 * ctrl_restore.c - load a libxc image of a 64-bit PV guest into a new
 * domain (ctrl_domain_restore in ctrl_save.h).
 *
 * The image names the guest's frames by pfn; the new domain gets fresh
 * machine frames as its pages arrive (XENMEM_populate_physmap), recorded
 * in p2m[].  Everything that named a frame is rewritten pfn -> mfn: page
 * table entries as each page is written, then at END the vcpus' cr3, cr1
 * and GDT frames, vcpu 0's start_info (rdx) and the frames start_info
 * names, and the guest's own p2m.  Page tables are pinned at END, once
 * every page is written and no writable mapping of them is left.
 *
 * Records are checked by the reader (sr_stream.c); what is checked here
 * is meaning: a frame named must have been populated and be of the type
 * its use needs (cr3 an L4 table, the start info a plain page).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ctrl_internal.h"      /* before any Xen header: __XEN_TOOLS__ */
#include "ctrl_save.h"

#include <xen/grant_table.h>

#define FPP         (SR_PAGE_SIZE / sizeof(uint64_t))
#define P2M_INVALID (~(uint64_t)0)
#define PTE_PRESENT 0x1ull
#define PTE_FRAME   0x000ffffffffff000ull
#define L4_XEN_FIRST 256u
#define L4_XEN_LAST  271u

/* The per-vcpu records, kept until END. */
struct vcpu_state {
	uint8_t *blob[4];          /* basic, extended, xsave, msrs */
	uint32_t size[4];
};

struct restore {
	struct ctrl_handle *h;
	uint32_t domid;
	struct sr_reader *r;
	const struct ctrl_restore_params *p;
	struct ctrl_restore_result *out;
	char *err;
	size_t errlen;
	struct ctrl_dominfo info;
	uint64_t npfns;            /* p2m[] and types[] entries */
	uint64_t *p2m;             /* pfn -> new mfn, or P2M_INVALID */
	uint8_t *types;            /* pfn -> page type (SR_PT_*) */
	uint64_t *p2m_pfns;        /* the guest p2m's own frames (pfns) */
	size_t p2m_frames;
	uint8_t shinfo[SR_PAGE_SIZE];
	uint8_t *cpuid, *msr;      /* the policies, if sent */
	uint32_t cpuid_len, msr_len;
	struct vcpu_state *vcpus;
	unsigned nvcpus;
};

static int
rfail(struct restore *s, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
rfail(struct restore *s, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

/* A hypercall failed: keep libctrl's message. */
static int
hfail(struct restore *s, const char *what)
{
	int e = errno;

	snprintf(s->err, s->errlen, "%s: %s", what, ctrl_errmsg(s->h));
	errno = e;
	return -1;
}

/* Grow p2m[] and types[] to cover pfn `last`. */
static int
grow(struct restore *s, uint64_t last)
{
	uint64_t n = last + 1, i;
	uint64_t *np;
	uint8_t *nt;

	if (n <= s->npfns)
		return 0;
	np = realloc(s->p2m, n * sizeof(*np));
	if (np == NULL)
		return rfail(s, ENOMEM, "restore: p2m of %llu pfns",
		             (unsigned long long)n);
	s->p2m = np;
	nt = realloc(s->types, n);
	if (nt == NULL)
		return rfail(s, ENOMEM, "restore: p2m of %llu pfns",
		             (unsigned long long)n);
	s->types = nt;
	for (i = s->npfns; i < n; i++) {
		s->p2m[i] = P2M_INVALID;
		s->types[i] = SR_PT_XTAB;
	}
	s->npfns = n;
	return 0;
}

/* Give the domain frames for the n pfns in gpfns (none populated yet). */
static int
populate(struct restore *s, uint64_t *gpfns, size_t n)
{
	uint64_t *frames;
	long got;
	size_t i;

	if (n == 0)
		return 0;
	frames = malloc(n * sizeof(*frames));
	if (frames == NULL)
		return rfail(s, ENOMEM, "restore: populate");
	memcpy(frames, gpfns, n * sizeof(*frames));
	got = ctrl_populate_physmap(s->h, s->domid, n, 0, 0, frames);
	if (got < 0 || (size_t)got != n) {
		free(frames);
		if (got < 0)
			return hfail(s, "restore: populating memory");
		return rfail(s, ENOMEM, "restore: Xen gave %ld of %zu pages "
		             "(is the domain's memory limit too low?)", got, n);
	}
	for (i = 0; i < n; i++)
		s->p2m[gpfns[i]] = frames[i];
	free(frames);
	return 0;
}

static int
on_p2m_frames(struct restore *s, const struct sr_record *rec)
{
	uint64_t first = rec->u.p2m.start_pfn / FPP;
	uint64_t need = rec->u.p2m.end_pfn / FPP + 1;
	uint64_t *np;
	size_t i;

	if (grow(s, rec->u.p2m.end_pfn) < 0)
		return -1;
	if (need > s->p2m_frames) {
		np = realloc(s->p2m_pfns, need * sizeof(*np));
		if (np == NULL)
			return rfail(s, ENOMEM, "restore: p2m frame list");
		for (i = s->p2m_frames; i < need; i++)
			np[i] = P2M_INVALID;
		s->p2m_pfns = np;
		s->p2m_frames = need;
	}
	for (i = 0; i < rec->u.p2m.nframes; i++)
		s->p2m_pfns[first + i] = rec->u.p2m.frames[i];
	return 0;
}

/* Rewrite one page table page from pfns to the new mfns, populating any
 * pfn it names that has no frame yet (as upstream does). */
static int
localise_table(struct restore *s, uint64_t pfn, unsigned level,
               uint64_t *pte)
{
	uint64_t f;
	unsigned i;

	for (i = 0; i < FPP; i++) {
		if (level == 4 && i >= L4_XEN_FIRST && i <= L4_XEN_LAST) {
			pte[i] = 0;     /* Xen's own slots: Xen fills them */
			continue;
		}
		if (!(pte[i] & PTE_PRESENT))
			continue;
		f = (pte[i] & PTE_FRAME) >> 12;
		if (f >= s->npfns)
			return rfail(s, EINVAL, "restore: L%u table at pfn "
			             "%#llx entry %u names pfn %#llx beyond the "
			             "p2m", level, (unsigned long long)pfn, i,
			             (unsigned long long)f);
		if (s->p2m[f] == P2M_INVALID && populate(s, &f, 1) < 0)
			return -1;
		pte[i] = (pte[i] & ~PTE_FRAME) | (s->p2m[f] << 12);
	}
	return 0;
}

static int
on_page_data(struct restore *s, const struct sr_record *rec)
{
	uint32_t n = rec->u.pages.count, i, nd = 0;
	uint64_t *alloc = NULL, *mfns = NULL, pfn;
	uint64_t *dpfn = NULL;
	unsigned type;
	size_t na = 0;
	uint8_t *m = NULL;
	int rc = -1;

	alloc = malloc(n * sizeof(*alloc));
	mfns = malloc(n * sizeof(*mfns));
	dpfn = malloc(n * sizeof(*dpfn));
	if (alloc == NULL || mfns == NULL || dpfn == NULL) {
		rfail(s, ENOMEM, "restore: PAGE_DATA at offset %#llx",
		      (unsigned long long)rec->offset);
		goto out;
	}
	for (i = 0; i < n; i++) {
		pfn = rec->u.pages.pfns[i] & SR_PFN_MASK;
		type = (unsigned)(rec->u.pages.pfns[i] >> SR_TYPE_SHIFT);
		s->types[pfn] = (uint8_t)type;
		if (type == SR_PT_XTAB || type == SR_PT_BROKEN)
			continue;
		if (s->p2m[pfn] == P2M_INVALID) {
			/* A pfn twice in one record is populated once. */
			s->p2m[pfn] = P2M_INVALID - 1;
			alloc[na++] = pfn;
		}
		if (sr_page_type_has_data(type))
			dpfn[nd++] = pfn;
	}
	for (i = 0; i < na; i++)
		s->p2m[alloc[i]] = P2M_INVALID;
	if (populate(s, alloc, na) < 0)
		goto out;
	if (nd == 0) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < nd; i++)
		mfns[i] = s->p2m[dpfn[i]];
	m = ctrl_map_foreign(s->h, s->domid, PROT_READ | PROT_WRITE, mfns, nd);
	if (m == NULL) {
		hfail(s, "restore: mapping the new pages");
		goto out;
	}
	for (i = 0; i < nd; i++) {
		uint8_t *dst = m + (size_t)i * SR_PAGE_SIZE;
		type = s->types[dpfn[i]] & 7;
		memcpy(dst, rec->u.pages.data + (size_t)i * SR_PAGE_SIZE,
		       SR_PAGE_SIZE);
		if (type >= SR_PT_L1TAB && type <= SR_PT_L4TAB &&
		    localise_table(s, dpfn[i], type, (uint64_t *)dst) < 0)
			goto out;
	}
	s->out->pages += nd;
	rc = 0;
out:
	if (m != NULL)
		ctrl_unmap(m, nd);
	free(alloc);
	free(mfns);
	free(dpfn);
	return rc;
}

static int
on_tsc(struct restore *s, const struct sr_record *rec)
{
	struct sr_tsc_info t;
	struct xen_domctl d;

	memcpy(&t, rec->body, sizeof(t));
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_settscinfo;
	d.domain = (domid_t)s->domid;
	d.u.tsc_info.tsc_mode = t.mode;
	d.u.tsc_info.gtsc_khz = t.khz;
	d.u.tsc_info.incarnation = t.incarnation;
	d.u.tsc_info.elapsed_nsec = t.nsec;
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_settscinfo") < 0)
		return hfail(s, "restore: TSC");
	return 0;
}

static int
keep(struct restore *s, uint8_t **dst, uint32_t *len, const void *src,
     uint32_t n)
{
	free(*dst);
	*dst = malloc(n ? n : 1);
	if (*dst == NULL)
		return rfail(s, ENOMEM, "restore: keeping a record");
	memcpy(*dst, src, n);
	*len = n;
	return 0;
}

static int
on_vcpu(struct restore *s, const struct sr_record *rec)
{
	unsigned v = rec->u.vcpu.vcpu, k;

	if (v >= s->nvcpus)
		return rfail(s, EINVAL, "restore: %s record at offset %#llx: "
		             "vcpu %u, the domain has %u",
		             sr_rec_name(rec->type),
		             (unsigned long long)rec->offset, v, s->nvcpus);
	if (rec->u.vcpu.size == 0)
		return 0;                 /* empty: upstream skips it too */
	k = rec->type == SR_REC_X86_PV_VCPU_BASIC ? 0 :
	    rec->type == SR_REC_X86_PV_VCPU_EXTENDED ? 1 :
	    rec->type == SR_REC_X86_PV_VCPU_XSAVE ? 2 : 3;
	return keep(s, &s->vcpus[v].blob[k], &s->vcpus[v].size[k],
	            rec->u.vcpu.blob, rec->u.vcpu.size);
}

/* The new mfn of a pfn the image populated with one of the types in
 * `mask` (bit per SR_PT_* value), or -1 naming `what`. */
static int
frame_of(struct restore *s, uint64_t pfn, unsigned mask, const char *what,
         uint64_t *mfn)
{
	if (pfn >= s->npfns || s->p2m[pfn] == P2M_INVALID)
		return rfail(s, EINVAL, "restore: %s names pfn %#llx, which the "
		             "image does not populate", what,
		             (unsigned long long)pfn);
	if (!(mask & (1u << s->types[pfn])))
		return rfail(s, EINVAL, "restore: %s names pfn %#llx of page "
		             "type %#x", what, (unsigned long long)pfn,
		             s->types[pfn]);
	*mfn = s->p2m[pfn];
	return 0;
}

#define T_PLAIN (1u << SR_PT_NOTAB)
#define T_L4    ((1u << SR_PT_L4TAB) | (1u << (SR_PT_L4TAB | SR_PT_PINNED)))

static int
set_cpu_policy(struct restore *s)
{
	struct xen_domctl d;
	void *l = NULL, *m = NULL;
	int rc = -1;

	if (s->cpuid == NULL && s->msr == NULL)
		return 0;
	if (s->cpuid_len && (l = pc_buf_alloc(s->h->pc, s->cpuid_len)) == NULL)
		return rfail(s, ENOMEM, "restore: CPUID policy");
	if (s->msr_len && (m = pc_buf_alloc(s->h->pc, s->msr_len)) == NULL) {
		rfail(s, ENOMEM, "restore: MSR policy");
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_set_cpu_policy;
	d.domain = (domid_t)s->domid;
	if (l != NULL) {
		memcpy(l, s->cpuid, s->cpuid_len);
		d.u.cpu_policy.nr_leaves = s->cpuid_len / sizeof(xen_cpuid_leaf_t);
		set_xen_guest_handle(d.u.cpu_policy.leaves, (xen_cpuid_leaf_t *)l);
	}
	if (m != NULL) {
		memcpy(m, s->msr, s->msr_len);
		d.u.cpu_policy.nr_msrs = s->msr_len / sizeof(xen_msr_entry_t);
		set_xen_guest_handle(d.u.cpu_policy.msrs, (xen_msr_entry_t *)m);
	}
	if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_set_cpu_policy") < 0) {
		hfail(s, "restore: the image's CPUID/MSR policy does not fit "
		      "this host");
		goto out;
	}
	rc = 0;
out:
	if (l != NULL)
		pc_buf_free(s->h->pc, l, s->cpuid_len);
	if (m != NULL)
		pc_buf_free(s->h->pc, m, s->msr_len);
	return rc;
}

static int
pin_tables(struct restore *s)
{
	uint64_t pfn;
	unsigned t;

	for (pfn = 0; pfn < s->npfns; pfn++) {
		t = s->types[pfn];
		if (!(t & SR_PT_PINNED) || t > (SR_PT_L4TAB | SR_PT_PINNED) ||
		    s->p2m[pfn] == P2M_INVALID)
			continue;
		if (ctrl_mmuext_pin_table(s->h, s->domid, t & 7, s->p2m[pfn]) < 0) {
			int e = errno;
			rfail(s, e, "restore: pinning the L%u table at pfn %#llx: "
			      "%s", t & 7, (unsigned long long)pfn,
			      ctrl_errmsg(s->h));
			return -1;
		}
	}
	return 0;
}

/* The guest's start_info (pfn in vcpu 0's rdx): its store and console
 * frames and channels are the new domain's. */
static int
fix_start_info(struct restore *s, vcpu_guest_context_x86_64_t *c)
{
	start_info_t *si;
	uint64_t mfn, smfn, cmfn;
	int rc = -1;

	if (frame_of(s, c->user_regs.rdx, T_PLAIN, "the start info (vcpu 0 "
	             "rdx)", &mfn) < 0)
		return -1;
	c->user_regs.rdx = mfn;
	si = ctrl_map_foreign(s->h, s->domid, PROT_READ | PROT_WRITE, &mfn, 1);
	if (si == NULL)
		return hfail(s, "restore: mapping the start info");
	if (frame_of(s, si->store_mfn, T_PLAIN, "start info's store_mfn",
	             &smfn) < 0 ||
	    frame_of(s, si->console.domU.mfn, T_PLAIN,
	             "start info's console mfn", &cmfn) < 0)
		goto out;
	si->store_mfn = smfn;
	si->store_evtchn = s->p->store_evtchn;
	si->console.domU.mfn = cmfn;
	si->console.domU.evtchn = s->p->console_evtchn;
	si->nr_pages = s->npfns;
	si->shared_info = s->info.shared_info_frame << 12;
	si->flags = 0;
	s->out->store_mfn = smfn;
	s->out->console_mfn = cmfn;
	rc = 0;
out:
	ctrl_unmap(si, 1);
	return rc;
}

static int
set_vcpu(struct restore *s, unsigned v)
{
	struct vcpu_state *vs = &s->vcpus[v];
	vcpu_guest_context_x86_64_t c;
	struct xen_domctl d;
	uint64_t f;
	unsigned i, gdt;
	void *buf;
	int rc;

	if (vs->blob[0] == NULL)
		return 0;             /* offline when saved */
	memcpy(&c, vs->blob[0], sizeof(c));
	if (v == 0 && fix_start_info(s, &c) < 0)
		return -1;
	if (c.gdt_ents > 14 * 512)
		return rfail(s, EINVAL, "restore: vcpu %u has %u GDT entries",
		             v, (unsigned)c.gdt_ents);
	gdt = (unsigned)((c.gdt_ents + 511) / 512);
	for (i = 0; i < gdt; i++) {
		if (frame_of(s, c.gdt_frames[i], T_PLAIN, "a GDT frame", &f) < 0)
			return -1;
		c.gdt_frames[i] = f;
	}
	if (frame_of(s, c.ctrlreg[3] >> 12, T_L4, "cr3", &f) < 0)
		return -1;
	c.ctrlreg[3] = f << 12;
	if (c.ctrlreg[1] & 1) {
		if (frame_of(s, c.ctrlreg[1] >> 12, T_L4, "cr1", &f) < 0)
			return -1;
		c.ctrlreg[1] = f << 12;
	}
	if (ctrl_vcpu_setcontext(s->h, s->domid, v, &c) < 0)
		return hfail(s, "restore: vcpu state");
	if (vs->blob[1] != NULL) {
		memset(&d, 0, sizeof(d));
		memcpy(&d.u.ext_vcpucontext, vs->blob[1],
		       vs->size[1] < sizeof(d.u.ext_vcpucontext) ?
		       vs->size[1] : sizeof(d.u.ext_vcpucontext));
		d.cmd = XEN_DOMCTL_set_ext_vcpucontext;
		d.domain = (domid_t)s->domid;
		d.u.ext_vcpucontext.vcpu = v;
		if (ctrl_domctl(s->h, &d, "XEN_DOMCTL_set_ext_vcpucontext") < 0)
			return hfail(s, "restore: vcpu extended state");
	}
	if (vs->blob[2] != NULL) {
		buf = pc_buf_alloc(s->h->pc, vs->size[2]);
		if (buf == NULL)
			return rfail(s, ENOMEM, "restore: xsave");
		memcpy(buf, vs->blob[2], vs->size[2]);
		memset(&d, 0, sizeof(d));
		d.cmd = XEN_DOMCTL_setvcpuextstate;
		d.domain = (domid_t)s->domid;
		d.u.vcpuextstate.vcpu = v;
		d.u.vcpuextstate.size = vs->size[2];
		set_xen_guest_handle(d.u.vcpuextstate.buffer, (uint64_t *)buf);
		rc = ctrl_domctl(s->h, &d, "XEN_DOMCTL_setvcpuextstate");
		pc_buf_free(s->h->pc, buf, vs->size[2]);
		if (rc < 0)
			return hfail(s, "restore: vcpu xsave state");
	}
	if (vs->blob[3] != NULL) {
		buf = pc_buf_alloc(s->h->pc, vs->size[3]);
		if (buf == NULL)
			return rfail(s, ENOMEM, "restore: MSRs");
		memcpy(buf, vs->blob[3], vs->size[3]);
		memset(&d, 0, sizeof(d));
		d.cmd = XEN_DOMCTL_set_vcpu_msrs;
		d.domain = (domid_t)s->domid;
		d.u.vcpu_msrs.vcpu = v;
		d.u.vcpu_msrs.msr_count = vs->size[3] /
		                          sizeof(xen_domctl_vcpu_msr_t);
		set_xen_guest_handle(d.u.vcpu_msrs.msrs,
		                     (xen_domctl_vcpu_msr_t *)buf);
		rc = ctrl_domctl(s->h, &d, "XEN_DOMCTL_set_vcpu_msrs");
		pc_buf_free(s->h->pc, buf, vs->size[3]);
		if (rc < 0)
			return hfail(s, "restore: vcpu MSRs");
	}
	return 0;
}

/* Write the new mfns into the guest's own p2m frames. */
static int
fix_guest_p2m(struct restore *s)
{
	uint64_t *mfns, *m, i;
	int rc = -1;

	mfns = malloc(s->p2m_frames * sizeof(*mfns));
	if (mfns == NULL)
		return rfail(s, ENOMEM, "restore: p2m");
	for (i = 0; i < s->p2m_frames; i++)
		if (frame_of(s, s->p2m_pfns[i], T_PLAIN, "a p2m frame",
		             &mfns[i]) < 0)
			goto out;
	m = ctrl_map_foreign(s->h, s->domid, PROT_READ | PROT_WRITE, mfns,
	                     s->p2m_frames);
	if (m == NULL) {
		hfail(s, "restore: mapping the guest's p2m");
		goto out;
	}
	for (i = 0; i < s->p2m_frames * FPP; i++)
		m[i] = i < s->npfns ? s->p2m[i] : P2M_INVALID;
	ctrl_unmap(m, s->p2m_frames);
	rc = 0;
out:
	free(mfns);
	return rc;
}

/* The shared info: the guest's vcpu_info and arch state, nothing pending,
 * everything masked until the guest's resume code rebinds its channels. */
static int
fix_shared_info(struct restore *s)
{
	const shared_info_t *old = (const shared_info_t *)s->shinfo;
	uint64_t frame = s->info.shared_info_frame;
	shared_info_t *si;
	unsigned i;

	si = ctrl_map_foreign(s->h, s->domid, PROT_READ | PROT_WRITE, &frame, 1);
	if (si == NULL)
		return hfail(s, "restore: mapping the shared info");
	memcpy(si->vcpu_info, old->vcpu_info, sizeof(si->vcpu_info));
	memcpy(&si->arch, &old->arch, sizeof(si->arch));
	si->arch.pfn_to_mfn_frame_list_list = 0;
	memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
	for (i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
		si->vcpu_info[i].evtchn_pending_sel = 0;
	memset(si->evtchn_mask, 0xff, sizeof(si->evtchn_mask));
	ctrl_unmap(si, 1);
	return 0;
}

/* Grant entries 0 and 1: the console and xenstore pages, for their
 * backends to map (as the builder seeds them at create). */
static int
seed_grants(struct restore *s)
{
	grant_entry_v1_t *g;

	g = ctrl_map_resource(s->h, s->domid, XENMEM_resource_grant_table,
	                      XENMEM_resource_grant_table_id_shared, 0, 1,
	                      PROT_READ | PROT_WRITE);
	if (g == NULL)
		return hfail(s, "restore: mapping the grant table");
	g[GNTTAB_RESERVED_CONSOLE].domid = (domid_t)s->p->console_domid;
	g[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)s->out->console_mfn;
	__atomic_store_n(&g[GNTTAB_RESERVED_CONSOLE].flags,
	                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	g[GNTTAB_RESERVED_XENSTORE].domid = (domid_t)s->p->store_domid;
	g[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)s->out->store_mfn;
	__atomic_store_n(&g[GNTTAB_RESERVED_XENSTORE].flags,
	                 (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);
	ctrl_unmap(g, 1);
	return 0;
}

static int
finish(struct restore *s)
{
	unsigned v;

	if (set_cpu_policy(s) < 0 || pin_tables(s) < 0)
		return -1;
	for (v = 0; v < s->nvcpus; v++)
		if (set_vcpu(s, v) < 0)
			return -1;
	if (fix_guest_p2m(s) < 0 || fix_shared_info(s) < 0 ||
	    seed_grants(s) < 0)
		return -1;
	return 0;
}

int
ctrl_domain_restore(struct ctrl_handle *h, uint32_t domid,
                    struct sr_reader *r, const struct ctrl_restore_params *p,
                    struct ctrl_restore_result *out, char *err,
                    size_t errlen)
{
	struct restore s;
	struct sr_record rec;
	uint64_t limit;
	int rc = -1, got, saved;
	unsigned v, k;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	s.h = h;
	s.domid = domid;
	s.r = r;
	s.p = p;
	s.out = out;
	s.err = err;
	s.errlen = errlen;
	if (ctrl_domain_getinfo(h, domid, &s.info) < 0)
		return hfail(&s, "restore");
	s.nvcpus = s.info.max_vcpu_id + 1;
	if (s.info.max_vcpu_id >= 4096 || s.info.hvm)
		return rfail(&s, EINVAL, "restore: domain %u is not an empty "
		             "PV domain with vcpus", domid);
	s.vcpus = calloc(s.nvcpus, sizeof(*s.vcpus));
	if (s.vcpus == NULL)
		return rfail(&s, ENOMEM, "restore");
	/* Bound the p2m: four times the domain's memory limit (a guest's
	 * p2m covers its e820 and a little), at least 1 GiB of pfns. */
	limit = p->maxmem_kb / 4 * 4;
	if (limit < (1u << 18))
		limit = 1u << 18;
	r->pfn_limit = limit;
	r->vcpu_limit = s.nvcpus;
	if (!r->headers_done && sr_read_headers(r) < 0) {
		rfail(&s, EINVAL, "%s", r->err);
		goto out;
	}
	while ((got = sr_read_record(r, &rec)) >= 0) {
		switch (rec.type) {
		case SR_REC_X86_PV_INFO:
			if (ctrl_domain_set_address_size(h, domid, 64) < 0) {
				hfail(&s, "restore: address size");
				goto out;
			}
			break;
		case SR_REC_X86_CPUID_POLICY:
			if (keep(&s, &s.cpuid, &s.cpuid_len, rec.body,
			         rec.length) < 0)
				goto out;
			break;
		case SR_REC_X86_MSR_POLICY:
			if (keep(&s, &s.msr, &s.msr_len, rec.body,
			         rec.length) < 0)
				goto out;
			break;
		case SR_REC_X86_PV_P2M_FRAMES:
			if (on_p2m_frames(&s, &rec) < 0)
				goto out;
			break;
		case SR_REC_PAGE_DATA:
			if (on_page_data(&s, &rec) < 0)
				goto out;
			break;
		case SR_REC_X86_TSC_INFO:
			if (on_tsc(&s, &rec) < 0)
				goto out;
			break;
		case SR_REC_SHARED_INFO:
			memcpy(s.shinfo, rec.body, SR_PAGE_SIZE);
			break;
		case SR_REC_X86_PV_VCPU_BASIC:
		case SR_REC_X86_PV_VCPU_EXTENDED:
		case SR_REC_X86_PV_VCPU_XSAVE:
		case SR_REC_X86_PV_VCPU_MSRS:
			if (on_vcpu(&s, &rec) < 0)
				goto out;
			break;
		}
		if (got == 0)
			break;
	}
	if (got < 0) {
		rfail(&s, EINVAL, "%s", r->err);
		goto out;
	}
	if (s.vcpus[0].blob[0] == NULL) {
		rfail(&s, EINVAL, "restore: the image has no state for vcpu 0");
		goto out;
	}
	rc = finish(&s);
out:
	saved = errno;
	free(s.p2m);
	free(s.types);
	free(s.p2m_pfns);
	free(s.cpuid);
	free(s.msr);
	for (v = 0; v < s.nvcpus; v++)
		for (k = 0; k < 4; k++)
			free(s.vcpus[v].blob[k]);
	free(s.vcpus);
	errno = saved;
	return rc;
}
