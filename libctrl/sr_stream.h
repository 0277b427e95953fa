/*
 * sr_stream.h - the domain save image ("libxc migration stream", version
 * 3, as Xen 4.17 writes it; version 2 is read too) for x86 PV guests.
 *
 * The image is two fixed headers followed by records:
 *
 *   image header (24 bytes, big-endian): marker ~0, id "XENF", version,
 *                                       options (bit 0: big-endian)
 *   domain header (16 bytes): type (1 = x86 PV), page_shift, Xen version
 *   records: { uint32 type; uint32 length; body; zero padding to 8 }
 *
 * and for a PV guest, in this order:
 *   X86_PV_INFO, [X86_CPUID_POLICY], [X86_MSR_POLICY], STATIC_DATA_END,
 *   X86_PV_P2M_FRAMES, PAGE_DATA..., X86_TSC_INFO, SHARED_INFO,
 *   per vCPU: X86_PV_VCPU_BASIC, _EXTENDED, _XSAVE, _MSRS; END.
 *
 * This file has two halves.  The writer frames records onto an output
 * (an fd, through a callback).  The reader takes records from an input
 * that is untrusted (a file from anywhere, later a network peer): every
 * length, count, pfn, page type, vCPU id and the order of the records is
 * checked before a record is handed out, and a failure leaves one line in
 * the reader naming the record and its offset in the stream, e.g.
 *   "PAGE_DATA record at offset 0x2a8: pfn 0x9000 beyond the p2m (last
 *    pfn 0x7fff)".
 * What the reader hands out is therefore structurally sound; what it
 * means for a new domain (are the page tables' frames real, is cr3 a
 * pinned L4) is the restorer's to check.
 *
 * Nothing here touches Xen: the halves are pure and unit-tested
 * (tests/libctrl/test-sr-stream.c) and fuzzed (fuzz-sr-stream).
 */
#ifndef LIGHTSTACK_SR_STREAM_H
#define LIGHTSTACK_SR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SR_IHDR_MARKER  0xffffffffffffffffull
#define SR_IHDR_ID      0x58454e46u          /* "XENF" */
#define SR_VERSION      3u                   /* what we write */
#define SR_DHDR_X86_PV  1u
#define SR_DHDR_X86_HVM 2u
#define SR_PAGE_SHIFT   12u
#define SR_PAGE_SIZE    4096u

/* Record types (docs/specs/libxc-migration-stream.pandoc). */
#define SR_REC_END                        0x00u
#define SR_REC_PAGE_DATA                  0x01u
#define SR_REC_X86_PV_INFO                0x02u
#define SR_REC_X86_PV_P2M_FRAMES          0x03u
#define SR_REC_X86_PV_VCPU_BASIC          0x04u
#define SR_REC_X86_PV_VCPU_EXTENDED       0x05u
#define SR_REC_X86_PV_VCPU_XSAVE          0x06u
#define SR_REC_SHARED_INFO                0x07u
#define SR_REC_X86_TSC_INFO               0x08u
#define SR_REC_HVM_CONTEXT                0x09u
#define SR_REC_HVM_PARAMS                 0x0au
#define SR_REC_TOOLSTACK                  0x0bu
#define SR_REC_X86_PV_VCPU_MSRS           0x0cu
#define SR_REC_VERIFY                     0x0du
#define SR_REC_CHECKPOINT                 0x0eu
#define SR_REC_CHECKPOINT_DIRTY_PFN_LIST  0x0fu
#define SR_REC_STATIC_DATA_END            0x10u
#define SR_REC_X86_CPUID_POLICY           0x11u
#define SR_REC_X86_MSR_POLICY             0x12u
#define SR_REC_OPTIONAL                   0x80000000u

/* A record body is at most this long (upstream's limit too). */
#define SR_REC_LENGTH_MAX (128u << 20)

/* PAGE_DATA's pfn words: bits 63-60 the page type, 51-0 the pfn. */
#define SR_PFN_MASK   0x000fffffffffffffull
#define SR_TYPE_SHIFT 60
#define SR_PT_NOTAB   0x0u
#define SR_PT_L1TAB   0x1u
#define SR_PT_L2TAB   0x2u
#define SR_PT_L3TAB   0x3u
#define SR_PT_L4TAB   0x4u
#define SR_PT_PINNED  0x8u     /* or'd into L1..L4 */
#define SR_PT_BROKEN  0xdu
#define SR_PT_XALLOC  0xeu
#define SR_PT_XTAB    0xfu

/* Whether a page of this type carries its contents in the record. */
bool sr_page_type_has_data(unsigned type);
/* Whether this is a type the format defines at all. */
bool sr_page_type_valid(unsigned type);
/* "PAGE_DATA", or "type 0x1234" for an unknown one (static buffer). */
const char *sr_rec_name(uint32_t type);

/* X86_TSC_INFO's body. */
struct sr_tsc_info {
	uint32_t mode;
	uint32_t khz;
	uint64_t nsec;
	uint32_t incarnation;
	uint32_t _res1;
};

/* The fixed size of a 64-bit PV guest's X86_PV_VCPU_BASIC context
 * (struct vcpu_guest_context of an x86_64 guest). */
size_t sr_vcpu_basic_size(void);

/* ---- Writer ---------------------------------------------------------- */

/* Where records go: write must write all len bytes or return -1. */
struct sr_writer {
	int (*write)(void *arg, const void *buf, size_t len);
	void *arg;
	uint64_t offset;           /* bytes written so far */
};

/* Image and domain header of an x86 PV image of this Xen. */
int sr_write_headers(struct sr_writer *w, uint32_t xen_major,
                     uint32_t xen_minor);
/* One record: its header, hdr (hlen bytes), body (blen bytes), padding.
 * Either part may be empty.  -1 (errno EINVAL) if too long. */
int sr_write_record(struct sr_writer *w, uint32_t type, const void *hdr,
                    size_t hlen, const void *body, size_t blen);
/* A write callback for a file descriptor (arg points to the int). */
int sr_write_fd(void *arg, const void *buf, size_t len);

/* ---- Reader ---------------------------------------------------------- */

/* Where the stream comes from: read fills up to len bytes and returns how
 * many (0 at the end) or -1 with errno. */
typedef ssize_t (*sr_read_fn)(void *arg, void *buf, size_t len);

/* One record as the reader hands it out; body stays valid until the next
 * sr_read_record.  Decoded views for the records the restorer uses: */
struct sr_record {
	uint32_t type;
	uint32_t length;
	uint64_t offset;           /* of the record header in the stream */
	const uint8_t *body;
	union {
		struct {           /* PAGE_DATA */
			uint32_t count;
			const uint64_t *pfns;   /* count words: type|pfn */
			const uint8_t *data;    /* pages of the data types */
		} pages;
		struct {           /* X86_PV_P2M_FRAMES */
			uint32_t start_pfn, end_pfn;
			uint32_t nframes;
			const uint64_t *frames;
		} p2m;
		struct {           /* X86_PV_VCPU_* */
			uint32_t vcpu;
			uint32_t size;
			const uint8_t *blob;
		} vcpu;
	} u;
};

/*
 * The reader's state: what the input is, the limits the caller sets, what
 * has been seen (the order rules), and the last error.
 */
struct sr_reader {
	sr_read_fn read;
	void *arg;
	uint64_t offset;           /* bytes consumed */
	/* Limits, from the caller (sr_reader_init sets defaults). */
	uint64_t pfn_limit;        /* every pfn must be below this */
	uint32_t vcpu_limit;       /* every vCPU id must be below this */
	/* From the headers. */
	uint32_t version;
	uint32_t xen_major, xen_minor;
	/* Order state. */
	bool headers_done, seen_pv_info, seen_cpuid, seen_msr;
	bool seen_static_end, seen_p2m, seen_tsc, seen_shinfo, seen_end;
	bool seen_vcpu0_basic;
	uint64_t max_pfn;          /* last pfn the p2m frames cover */
	uint64_t pages;            /* pages of data seen */
	uint8_t *buf;              /* the current record's body */
	size_t bufsize;
	char err[256];
};

void sr_reader_init(struct sr_reader *r, sr_read_fn read, void *arg);
void sr_reader_dispose(struct sr_reader *r);
/* Read and check both headers.  0, or -1 with r->err set. */
int sr_read_headers(struct sr_reader *r);
/* The next record: 1 for a record in *rec, 0 after END (rec holds END),
 * -1 with r->err set.  Optional records of unknown type are skipped. */
int sr_read_record(struct sr_reader *r, struct sr_record *rec);
/* A read callback for a file descriptor (arg points to the int). */
ssize_t sr_read_fd(void *arg, void *buf, size_t len);

/* A read callback over memory, for tests and the fuzzer. */
struct sr_membuf {
	const uint8_t *data;
	size_t len, pos;
};
ssize_t sr_read_mem(void *arg, void *buf, size_t len);

#endif /* LIGHTSTACK_SR_STREAM_H */
