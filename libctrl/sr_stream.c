/*
 * sr_stream.c - write and read the libxc domain save image (see
 * sr_stream.h for the layout and the reader's promises).
 *
 * The reader is a small state machine: each record type has a check
 * function that looks at its length and body and at what came before,
 * and either decodes it into struct sr_record or fails with a message
 * "<RECORD> record at offset <o>: <what is wrong>".  The order rules are
 * those of upstream's restore side, so that every stream Xen 4.17's
 * toolstack writes is accepted and nothing that it would refuse is.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libctrl.h"            /* the Xen headers and vCPU layouts */
#include "sr_stream.h"

#define FRAMES_PER_PAGE (SR_PAGE_SIZE / sizeof(uint64_t))
/* Upper bounds on blobs whose size Xen chooses (upstream's or generous
 * ones): an extended context is at most 128 bytes; an xsave area is a
 * few KiB today, 1 MiB leaves room; policies are small arrays. */
#define VCPU_EXT_MAX   128u
#define VCPU_XSAVE_MIN 16u
#define VCPU_XSAVE_MAX (1u << 20)
#define CPUID_LEAF_SIZE 24u     /* xen_cpuid_leaf_t */
#define MSR_ENTRY_SIZE  16u     /* xen_msr_entry_t, xen_domctl_vcpu_msr_t */
#define POLICY_MAX     (1u << 20)

/* Defaults for the reader's limits: 2^40 pfns (4 PiB), 4096 vCPUs. The
 * restorer narrows them to the domain it builds. */
#define PFN_LIMIT_DEFAULT  (1ull << 40)
#define VCPU_LIMIT_DEFAULT 4096u

bool
sr_page_type_valid(unsigned type)
{
	return type <= SR_PT_L4TAB ||
	       (type >= (SR_PT_L1TAB | SR_PT_PINNED) &&
	        type <= (SR_PT_L4TAB | SR_PT_PINNED)) ||
	       type == SR_PT_BROKEN || type == SR_PT_XALLOC ||
	       type == SR_PT_XTAB;
}

bool
sr_page_type_has_data(unsigned type)
{
	return sr_page_type_valid(type) && type != SR_PT_BROKEN &&
	       type != SR_PT_XALLOC && type != SR_PT_XTAB;
}

const char *
sr_rec_name(uint32_t type)
{
	static const char *const names[] = {
		"END", "PAGE_DATA", "X86_PV_INFO", "X86_PV_P2M_FRAMES",
		"X86_PV_VCPU_BASIC", "X86_PV_VCPU_EXTENDED",
		"X86_PV_VCPU_XSAVE", "SHARED_INFO", "X86_TSC_INFO",
		"HVM_CONTEXT", "HVM_PARAMS", "TOOLSTACK", "X86_PV_VCPU_MSRS",
		"VERIFY", "CHECKPOINT", "CHECKPOINT_DIRTY_PFN_LIST",
		"STATIC_DATA_END", "X86_CPUID_POLICY", "X86_MSR_POLICY",
	};
	static char other[32];

	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	snprintf(other, sizeof(other), "type %#x", type);
	return other;
}

size_t
sr_vcpu_basic_size(void)
{
	return sizeof(vcpu_guest_context_x86_64_t);
}

/* ---- Writer ---------------------------------------------------------- */

static int
put(struct sr_writer *w, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (w->write(w->arg, buf, len) < 0)
		return -1;
	w->offset += len;
	return 0;
}

int
sr_write_headers(struct sr_writer *w, uint32_t xen_major, uint32_t xen_minor)
{
	/* Image header: big-endian whatever the host. */
	struct {
		uint64_t marker;
		uint32_t id, version;
		uint16_t options, _res1;
		uint32_t _res2;
	} ih = {
		.marker = htobe64(SR_IHDR_MARKER),
		.id = htobe32(SR_IHDR_ID),
		.version = htobe32(SR_VERSION),
		.options = 0,   /* little-endian records */
	};
	/* Domain header: the records' byte order (ours, little). */
	struct {
		uint32_t type;
		uint16_t page_shift, _res1;
		uint32_t xen_major, xen_minor;
	} dh = {
		.type = SR_DHDR_X86_PV,
		.page_shift = SR_PAGE_SHIFT,
		.xen_major = xen_major,
		.xen_minor = xen_minor,
	};

	if (put(w, &ih, sizeof(ih)) < 0)
		return -1;
	return put(w, &dh, sizeof(dh));
}

int
sr_write_record(struct sr_writer *w, uint32_t type, const void *hdr,
                size_t hlen, const void *body, size_t blen)
{
	static const uint8_t zeros[8];
	struct { uint32_t type, length; } rh;
	size_t len = hlen + blen;

	if (len > SR_REC_LENGTH_MAX || len < hlen) {
		errno = EINVAL;
		return -1;
	}
	rh.type = type;
	rh.length = (uint32_t)len;
	if (put(w, &rh, sizeof(rh)) < 0 || put(w, hdr, hlen) < 0 ||
	    put(w, body, blen) < 0)
		return -1;
	return put(w, zeros, (8 - (len & 7)) & 7);
}

int
sr_write_fd(void *arg, const void *buf, size_t len)
{
	int fd = *(int *)arg;
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- Reader ---------------------------------------------------------- */

static int
fail(struct sr_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct sr_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

ssize_t
sr_read_fd(void *arg, void *buf, size_t len)
{
	int fd = *(int *)arg;
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t
sr_read_mem(void *arg, void *buf, size_t len)
{
	struct sr_membuf *m = arg;
	size_t left = m->len - m->pos;

	if (len > left)
		len = left;
	memcpy(buf, m->data + m->pos, len);
	m->pos += len;
	return (ssize_t)len;
}

void
sr_reader_init(struct sr_reader *r, sr_read_fn read, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->read = read;
	r->arg = arg;
	r->pfn_limit = PFN_LIMIT_DEFAULT;
	r->vcpu_limit = VCPU_LIMIT_DEFAULT;
}

void
sr_reader_dispose(struct sr_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->bufsize = 0;
}

/*
 * Exactly len bytes, or fail naming `what` and where it started: the
 * stream ending early (truncated) is the commonest bad input.
 */
static int
get(struct sr_reader *r, void *buf, size_t len, const char *what,
    uint64_t at)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = r->read(r->arg, p + got, len - got);
		if (n < 0)
			return fail(r, "%s at offset %#llx: read error: %s",
			            what, (unsigned long long)at,
			            strerror(errno));
		if (n == 0)
			return fail(r, "%s at offset %#llx: stream truncated "
			            "(%zu of %zu bytes)", what,
			            (unsigned long long)at, got, len);
		got += (size_t)n;
	}
	r->offset += len;
	return 0;
}

int
sr_read_headers(struct sr_reader *r)
{
	struct {
		uint64_t marker;
		uint32_t id, version;
		uint16_t options, _res1;
		uint32_t _res2;
	} ih;
	struct {
		uint32_t type;
		uint16_t page_shift, _res1;
		uint32_t xen_major, xen_minor;
	} dh;
	unsigned long long at = r->offset, dat = at + sizeof(ih);

	if (get(r, &ih, sizeof(ih), "image header", at) < 0)
		return -1;
	if (be64toh(ih.marker) != SR_IHDR_MARKER)
		return fail(r, "image header at offset %#llx: bad marker %#llx "
		            "(not a Xen save image, or a legacy one)", at,
		            (unsigned long long)be64toh(ih.marker));
	if (be32toh(ih.id) != SR_IHDR_ID)
		return fail(r, "image header at offset %#llx: bad id %#x, "
		            "expected %#x (\"XENF\")", at, be32toh(ih.id),
		            SR_IHDR_ID);
	r->version = be32toh(ih.version);
	if (r->version != 2 && r->version != 3)
		return fail(r, "image header at offset %#llx: version %u is "
		            "not supported (2 or 3)", at, r->version);
	if (be16toh(ih.options) & 1)
		return fail(r, "image header at offset %#llx: big-endian "
		            "images are not supported", at);
	if (get(r, &dh, sizeof(dh), "domain header", dat) < 0)
		return -1;
	if (dh.type != SR_DHDR_X86_PV)
		return fail(r, "domain header at offset %#llx: domain type %u "
		            "is not x86 PV (1)%s", dat, dh.type,
		            dh.type == SR_DHDR_X86_HVM ?
		            "; HVM images are not supported" : "");
	if (dh.page_shift != SR_PAGE_SHIFT)
		return fail(r, "domain header at offset %#llx: page shift %u, "
		            "expected %u", dat, dh.page_shift, SR_PAGE_SHIFT);
	r->xen_major = dh.xen_major;
	r->xen_minor = dh.xen_minor;
	r->headers_done = true;
	return 0;
}

/* Messages below are prefixed "<NAME> record at offset <o>: ". */
#define BAD(...) rec_fail(r, rec, __VA_ARGS__)

static int
rec_fail(struct sr_reader *r, const struct sr_record *rec,
         const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
rec_fail(struct sr_reader *r, const struct sr_record *rec,
         const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail(r, "%s record at offset %#llx: %s", sr_rec_name(rec->type),
	            (unsigned long long)rec->offset, what);
}

static uint32_t
le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

/* Static data (PV_INFO, policies) ends at STATIC_DATA_END; a version 2
 * stream has no such record and its end is inferred, as upstream does,
 * at the first record that needs it. */
static int
need_static_end(struct sr_reader *r, const struct sr_record *rec)
{
	if (!r->seen_pv_info)
		return BAD("comes before X86_PV_INFO");
	if (!r->seen_static_end && r->version < 3)
		r->seen_static_end = true;
	if (!r->seen_static_end)
		return BAD("comes before STATIC_DATA_END");
	return 0;
}

static int
check_pv_info(struct sr_reader *r, struct sr_record *rec)
{
	const uint8_t *b = rec->body;

	if (r->seen_pv_info)
		return BAD("repeated");
	if (rec->length != 8)
		return BAD("length %u, expected 8", rec->length);
	if (b[0] == 4 && b[1] == 3)
		return BAD("32-bit PV guests are not supported");
	if (b[0] != 8 || b[1] != 4)
		return BAD("guest width %u with %u page table levels is not "
		           "a valid combination (8 and 4)", b[0], b[1]);
	r->seen_pv_info = true;
	return 0;
}

static int
check_policy(struct sr_reader *r, struct sr_record *rec, bool *seen,
             uint32_t unit)
{
	if (!r->seen_pv_info)
		return BAD("comes before X86_PV_INFO");
	if (r->seen_static_end)
		return BAD("comes after STATIC_DATA_END");
	if (*seen)
		return BAD("repeated");
	if (rec->length % unit != 0 || rec->length > POLICY_MAX)
		return BAD("length %u is not a multiple of %u up to %u",
		           rec->length, unit, POLICY_MAX);
	*seen = true;
	return 0;
}

static int
check_static_end(struct sr_reader *r, struct sr_record *rec)
{
	if (r->version < 3)
		return BAD("not valid in a version %u image", r->version);
	if (!r->seen_pv_info)
		return BAD("comes before X86_PV_INFO");
	if (r->seen_static_end)
		return BAD("repeated");
	if (rec->length != 0)
		return BAD("length %u, expected 0", rec->length);
	r->seen_static_end = true;
	return 0;
}

static int
check_p2m_frames(struct sr_reader *r, struct sr_record *rec)
{
	uint32_t start, end, n, i;
	uint64_t want;

	if (need_static_end(r, rec) < 0)
		return -1;
	if (rec->length < 8)
		return BAD("length %u, shorter than its 8-byte header",
		           rec->length);
	start = le32_at(rec->body);
	end = le32_at(rec->body + 4);
	if (start > end)
		return BAD("start pfn %#x beyond end pfn %#x", start, end);
	if (end >= r->pfn_limit)
		return BAD("end pfn %#x beyond the limit %#llx", end,
		           (unsigned long long)r->pfn_limit - 1);
	n = end / FRAMES_PER_PAGE - start / FRAMES_PER_PAGE + 1;
	want = 8 + (uint64_t)n * 8;
	if (rec->length != want)
		return BAD("length %u, expected %llu for pfns %#x-%#x",
		           rec->length, (unsigned long long)want, start, end);
	rec->u.p2m.start_pfn = start;
	rec->u.p2m.end_pfn = end;
	rec->u.p2m.nframes = n;
	rec->u.p2m.frames = (const uint64_t *)(rec->body + 8);
	for (i = 0; i < n; i++)
		if (le64toh(rec->u.p2m.frames[i]) > end)
			return BAD("p2m frame %u is pfn %#llx, beyond the "
			           "p2m (last pfn %#x)", i,
			           (unsigned long long)
			           le64toh(rec->u.p2m.frames[i]), end);
	if (!r->seen_p2m || end > r->max_pfn)
		r->max_pfn = end;
	r->seen_p2m = true;
	return 0;
}

static int
check_page_data(struct sr_reader *r, struct sr_record *rec)
{
	uint32_t count, i, ndata = 0;
	uint64_t want, w, pfn;
	unsigned type;
	const uint64_t *pfns;

	if (need_static_end(r, rec) < 0)
		return -1;
	if (!r->seen_p2m)
		return BAD("comes before X86_PV_P2M_FRAMES");
	if (rec->length < 8)
		return BAD("length %u, shorter than its 8-byte header",
		           rec->length);
	count = le32_at(rec->body);
	if (count == 0)
		return BAD("count is 0");
	if ((uint64_t)count * 8 > rec->length - 8)
		return BAD("length %u too short for %u pfns", rec->length,
		           count);
	pfns = (const uint64_t *)(rec->body + 8);
	for (i = 0; i < count; i++) {
		w = le64toh(pfns[i]);
		pfn = w & SR_PFN_MASK;
		type = (unsigned)(w >> SR_TYPE_SHIFT);
		if ((w & ~SR_PFN_MASK) & ~(0xfull << SR_TYPE_SHIFT))
			return BAD("pfn word %u (%#llx) has reserved bits set",
			           i, (unsigned long long)w);
		if (!sr_page_type_valid(type))
			return BAD("pfn %#llx has unknown page type %#x",
			           (unsigned long long)pfn, type);
		if (pfn > r->max_pfn)
			return BAD("pfn %#llx beyond the p2m (last pfn "
			           "%#llx)", (unsigned long long)pfn,
			           (unsigned long long)r->max_pfn);
		if (sr_page_type_has_data(type))
			ndata++;
	}
	want = 8 + (uint64_t)count * 8 + (uint64_t)ndata * SR_PAGE_SIZE;
	if (rec->length != want)
		return BAD("length %u, expected %llu for %u pfns with %u "
		           "pages of data", rec->length,
		           (unsigned long long)want, count, ndata);
	rec->u.pages.count = count;
	rec->u.pages.pfns = pfns;
	rec->u.pages.data = rec->body + 8 + (size_t)count * 8;
	r->pages += ndata;
	return 0;
}

static int
check_vcpu(struct sr_reader *r, struct sr_record *rec)
{
	uint32_t vcpu, size;

	if (need_static_end(r, rec) < 0)
		return -1;
	if (rec->length < 8)
		return BAD("length %u, shorter than its 8-byte header",
		           rec->length);
	vcpu = le32_at(rec->body);
	size = rec->length - 8;
	if (vcpu >= r->vcpu_limit)
		return BAD("vcpu %u beyond the limit of %u vcpus", vcpu,
		           r->vcpu_limit);
	/* Upstream tolerates empty blobs (older senders wrote them); they
	 * are handed out with size 0 for the restorer to skip. */
	if (size != 0) {
		switch (rec->type) {
		case SR_REC_X86_PV_VCPU_BASIC:
			if (size != sr_vcpu_basic_size())
				return BAD("vcpu %u: context of %u bytes, "
				           "expected %zu", vcpu, size,
				           sr_vcpu_basic_size());
			if (vcpu == 0)
				r->seen_vcpu0_basic = true;
			break;
		case SR_REC_X86_PV_VCPU_EXTENDED:
			if (size > VCPU_EXT_MAX)
				return BAD("vcpu %u: %u bytes, at most %u",
				           vcpu, size, VCPU_EXT_MAX);
			break;
		case SR_REC_X86_PV_VCPU_XSAVE:
			if (size < VCPU_XSAVE_MIN || size > VCPU_XSAVE_MAX)
				return BAD("vcpu %u: %u bytes, expected "
				           "%u-%u", vcpu, size,
				           VCPU_XSAVE_MIN, VCPU_XSAVE_MAX);
			break;
		case SR_REC_X86_PV_VCPU_MSRS:
			if (size % MSR_ENTRY_SIZE != 0)
				return BAD("vcpu %u: %u bytes, not a multiple "
				           "of %u", vcpu, size,
				           MSR_ENTRY_SIZE);
			break;
		}
	}
	rec->u.vcpu.vcpu = vcpu;
	rec->u.vcpu.size = size;
	rec->u.vcpu.blob = rec->body + 8;
	return 0;
}

static int
check_once_fixed(struct sr_reader *r, struct sr_record *rec, bool *seen,
                 uint32_t length)
{
	if (need_static_end(r, rec) < 0)
		return -1;
	if (*seen)
		return BAD("repeated");
	if (rec->length != length)
		return BAD("length %u, expected %u", rec->length, length);
	*seen = true;
	return 0;
}

static int
check_end(struct sr_reader *r, struct sr_record *rec)
{
	if (rec->length != 0)
		return BAD("length %u, expected 0", rec->length);
	if (!r->seen_pv_info)
		return BAD("the image has no X86_PV_INFO");
	if (!r->seen_p2m)
		return BAD("the image has no X86_PV_P2M_FRAMES");
	if (!r->seen_shinfo)
		return BAD("the image has no SHARED_INFO");
	if (!r->seen_vcpu0_basic)
		return BAD("the image has no X86_PV_VCPU_BASIC for vcpu 0");
	r->seen_end = true;
	return 0;
}

/* Check one record whose body has been read; 0 if it is sound. */
static int
check_record(struct sr_reader *r, struct sr_record *rec)
{
	switch (rec->type) {
	case SR_REC_END:
		return check_end(r, rec);
	case SR_REC_X86_PV_INFO:
		return check_pv_info(r, rec);
	case SR_REC_X86_CPUID_POLICY:
		return check_policy(r, rec, &r->seen_cpuid, CPUID_LEAF_SIZE);
	case SR_REC_X86_MSR_POLICY:
		return check_policy(r, rec, &r->seen_msr, MSR_ENTRY_SIZE);
	case SR_REC_STATIC_DATA_END:
		return check_static_end(r, rec);
	case SR_REC_X86_PV_P2M_FRAMES:
		return check_p2m_frames(r, rec);
	case SR_REC_PAGE_DATA:
		return check_page_data(r, rec);
	case SR_REC_X86_PV_VCPU_BASIC:
	case SR_REC_X86_PV_VCPU_EXTENDED:
	case SR_REC_X86_PV_VCPU_XSAVE:
	case SR_REC_X86_PV_VCPU_MSRS:
		return check_vcpu(r, rec);
	case SR_REC_SHARED_INFO:
		return check_once_fixed(r, rec, &r->seen_shinfo,
		                        SR_PAGE_SIZE);
	case SR_REC_X86_TSC_INFO:
		return check_once_fixed(r, rec, &r->seen_tsc,
		                        sizeof(struct sr_tsc_info));
	case SR_REC_HVM_CONTEXT:
	case SR_REC_HVM_PARAMS:
		return BAD("not valid in an x86 PV image");
	case SR_REC_TOOLSTACK:
	case SR_REC_VERIFY:
	case SR_REC_CHECKPOINT:
	case SR_REC_CHECKPOINT_DIRTY_PFN_LIST:
		return BAD("not supported (checkpointed and debug streams "
		           "are not)");
	default:
		return BAD("unknown mandatory record");
	}
}

int
sr_read_record(struct sr_reader *r, struct sr_record *rec)
{
	struct { uint32_t type, length; } rh;
	uint8_t pad[8];
	size_t padlen;

	if (!r->headers_done)
		return fail(r, "records read before the headers");
	if (r->seen_end)
		return fail(r, "record read after END");
	for (;;) {
		memset(rec, 0, sizeof(*rec));
		rec->offset = r->offset;
		if (get(r, &rh, sizeof(rh), "record header", rec->offset) < 0)
			return -1;
		rec->type = le32toh(rh.type);
		rec->length = le32toh(rh.length);
		if (rec->length > SR_REC_LENGTH_MAX)
			return BAD("length %u beyond the limit of %u",
			           rec->length, SR_REC_LENGTH_MAX);
		if (rec->length > r->bufsize) {
			/* 8-byte aligned so that pfn and frame arrays can
			 * be read in place. */
			uint8_t *nb = malloc(rec->length);
			if (nb == NULL)
				return BAD("out of memory for %u bytes",
				           rec->length);
			free(r->buf);
			r->buf = nb;
			r->bufsize = rec->length;
		}
		if (get(r, r->buf, rec->length, sr_rec_name(rec->type),
		        rec->offset) < 0)
			return -1;
		/* Padding is zero on save and ignored on restore. */
		padlen = (8 - (rec->length & 7)) & 7;
		if (get(r, pad, padlen, sr_rec_name(rec->type),
		        rec->offset) < 0)
			return -1;
		rec->body = r->buf;
		/* Optional records we do not know are skipped, as the
		 * format asks. */
		if ((rec->type & SR_REC_OPTIONAL) != 0)
			continue;
		if (check_record(r, rec) < 0)
			return -1;
		return rec->type == SR_REC_END ? 0 : 1;
	}
}
