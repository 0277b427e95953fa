/*
 * build_image.c - kernel image formats: detection, bzImage payloads and
 * decompression through the system libraries (zlib, liblzma, libzstd,
 * libbz2, liblz4).
 *
 * Everything here handles untrusted bytes.  Decompression writes into an
 * output buffer that grows by doubling but never past `max_size` + 1 bytes:
 * producing that extra byte is how a stream that inflates past the limit is
 * recognised (a decompression bomb, XSA-25), without ever holding more than
 * the limit in memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "build_internal.h"
#include "lazylib.h"

/*
 * The decompressors are loaded when a kernel in their format is first
 * unpacked, not linked (common/lazylib.h has the figures): five
 * libraries mapped into every process that loads libctrl, every `xl
 * list` among them, for the one step of a create that may need one.
 * Each table has the library's names and its header's prototypes;
 * zlib's inflateInit2 is a macro over inflateInit2_.
 */
#define ZLIB_FUNCS(F, t) F(t, inflateInit2_) F(t, inflate) F(t, inflateEnd)
#define LZMA_FUNCS(F, t) F(t, lzma_alone_decoder) F(t, lzma_stream_decoder) \
	F(t, lzma_code) F(t, lzma_end)
#define BZ2_FUNCS(F, t) F(t, BZ2_bzDecompressInit) F(t, BZ2_bzDecompress) \
	F(t, BZ2_bzDecompressEnd)
#define ZSTD_FUNCS(F, t) F(t, ZSTD_createDStream) F(t, ZSTD_initDStream) \
	F(t, ZSTD_decompressStream) F(t, ZSTD_isError) \
	F(t, ZSTD_getErrorName) F(t, ZSTD_freeDStream)
#define LZ4_FUNCS(F, t) F(t, LZ4F_createDecompressionContext) \
	F(t, LZ4F_decompress) F(t, LZ4F_isError) F(t, LZ4F_getErrorName) \
	F(t, LZ4F_freeDecompressionContext) F(t, LZ4_compressBound) \
	F(t, LZ4_decompress_safe)
LAZYLIB_DEFINE(libz, ZLIB_FUNCS, "libz.so.1", "a gzip kernel", NULL)
LAZYLIB_DEFINE(liblzma, LZMA_FUNCS, "liblzma.so.5", "an xz or lzma kernel", NULL)
LAZYLIB_DEFINE(libbz2, BZ2_FUNCS, "libbz2.so.1.0", "a bzip2 kernel", NULL)
LAZYLIB_DEFINE(libzstd, ZSTD_FUNCS, "libzstd.so.1", "a zstd kernel", NULL)
LAZYLIB_DEFINE(liblz4, LZ4_FUNCS, "liblz4.so.1", "an lz4 kernel", NULL)

/* liblzma may use this much memory for its dictionary; kernels use 32 MiB
 * at most, so this only stops hostile headers asking for gigabytes. */
#define LZMA_MEMLIMIT (256ULL * 1024 * 1024)

/* The Linux boot protocol's legacy LZ4 framing: blocks of at most 8 MiB. */
#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8u * 1024 * 1024)

void ctrl_build_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- Format detection ------------------------------------------------- */

/* bzImage: the x86 boot protocol's setup header says "HdrS" at 0x202. */
static bool is_bzimage(const unsigned char *p, size_t len)
{
	return len >= 0x250 && memcmp(p + 0x202, "HdrS", 4) == 0;
}

const char *ctrl_image_format(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return "elf";
	if (is_bzimage(p, len))
		return "bzImage";
	if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return "gzip";
	if (len >= 6 && memcmp(p, "\3757zXZ\0", 6) == 0)
		return "xz";
	if (len >= 4 && get_le32(p) == 0xFD2FB528u)
		return "zstd";
	if (len >= 3 && memcmp(p, "BZh", 3) == 0)
		return "bzip2";
	if (len >= 4 && get_le32(p) == 0x184D2204u)
		return "lz4";
	if (len >= 4 && get_le32(p) == LZ4_LEGACY_MAGIC)
		return "lz4-legacy";
	/* .lzma ("lzma_alone"): a properties byte (lc/lp/pb, 0x5d for every
	 * kernel) then a 32-bit dictionary size.  No magic exists; this is
	 * the test the kernel's own tools and libxenguest use too. */
	if (len >= 13 && p[0] == 0x5d && p[1] == 0x00 && p[2] == 0x00)
		return "lzma";
	return NULL;
}

/* ---- Output buffer ------------------------------------------------------ */

struct outbuf {
	unsigned char *p;
	size_t len;                   /* bytes produced */
	size_t cap;                   /* bytes allocated, <= max + 1 */
	size_t max;                   /* largest acceptable output */
};

/* Make room for more output.  Fails with E2BIG once max + 1 bytes exist
 * (the stream is larger than allowed), ENOMEM if realloc fails. */
static int out_grow(struct outbuf *o)
{
	size_t ncap;
	unsigned char *np;

	if (o->cap > o->max) {
		errno = E2BIG;
		return -1;
	}
	ncap = o->cap ? o->cap * 2 : 1024 * 1024;
	if (ncap > o->max + 1 || ncap < o->cap)
		ncap = o->max + 1;
	np = realloc(o->p, ncap);
	if (np == NULL)
		return -1;
	o->p = np;
	o->cap = ncap;
	return 0;
}

/* After a decoder stopped: too much output is E2BIG. */
static bool out_too_big(const struct outbuf *o)
{
	return o->len > o->max;
}

/* ---- One function per library ----------------------------------------- */

static int gunzip(const unsigned char *in, size_t in_len, struct outbuf *o,
                  char *err, size_t errlen)
{
	z_stream z;
	int rc, ret = -1;

	if (in_len > UINT_MAX) {
		ctrl_build_seterr(err, errlen, "gzip: input too large");
		errno = EFBIG;
		return -1;
	}
	memset(&z, 0, sizeof(z));
	/* 15 + 32: any window size, gzip or zlib header detected. */
	if (libz.inflateInit2_(&z, 15 + 32, ZLIB_VERSION, (int)sizeof(z)) != Z_OK) {
		ctrl_build_seterr(err, errlen, "gzip: cannot initialise zlib");
		errno = ENOMEM;
		return -1;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)in_len;
	for (;;) {
		size_t room;

		if (o->len == o->cap && out_grow(o) < 0) {
			ctrl_build_seterr(err, errlen, "gzip: %s", strerror(errno));
			goto out;
		}
		room = o->cap - o->len;
		if (room > UINT_MAX)
			room = UINT_MAX;
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)room;
		rc = libz.inflate(&z, Z_NO_FLUSH);
		o->len += room - z.avail_out;
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "gzip: %s", strerror(E2BIG));
			errno = E2BIG;
			goto out;
		}
		if (rc == Z_STREAM_END)
			break;
		/* Z_BUF_ERROR: no progress possible.  With output room left
		 * that means the input ran out. */
		if (rc == Z_BUF_ERROR && z.avail_out > 0) {
			ctrl_build_seterr(err, errlen, "gzip: stream is truncated");
			errno = EINVAL;
			goto out;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			ctrl_build_seterr(err, errlen, "gzip: %s",
			       z.msg ? z.msg : "corrupt stream");
			errno = rc == Z_MEM_ERROR ? ENOMEM : EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	libz.inflateEnd(&z);
	return ret;
}

static const char *lzma_strerror(lzma_ret rc)
{
	switch (rc) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "dictionary too large";
	case LZMA_FORMAT_ERROR: return "not in the expected format";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_DATA_ERROR: return "corrupt stream";
	case LZMA_BUF_ERROR: return "stream is truncated";
	default: return "decoder error";
	}
}

/* xz (.xz container) and lzma (legacy .lzma "alone" format). */
static int unxz(const char *name, bool alone, const unsigned char *in,
                size_t in_len, struct outbuf *o, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret rc;
	int ret = -1;

	rc = alone ? liblzma.lzma_alone_decoder(&s, LZMA_MEMLIMIT)
	           : liblzma.lzma_stream_decoder(&s, LZMA_MEMLIMIT, 0);
	if (rc != LZMA_OK) {
		ctrl_build_seterr(err, errlen, "%s: cannot initialise liblzma", name);
		errno = ENOMEM;
		return -1;
	}
	s.next_in = in;
	s.avail_in = in_len;
	for (;;) {
		size_t room;

		if (o->len == o->cap && out_grow(o) < 0) {
			ctrl_build_seterr(err, errlen, "%s: %s", name, strerror(errno));
			goto out;
		}
		room = o->cap - o->len;
		s.next_out = o->p + o->len;
		s.avail_out = room;
		rc = liblzma.lzma_code(&s, LZMA_FINISH);
		o->len += room - s.avail_out;
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "%s: %s", name, strerror(E2BIG));
			errno = E2BIG;
			goto out;
		}
		if (rc == LZMA_STREAM_END)
			break;
		if (rc == LZMA_OK)
			continue;
		/* LZMA_BUF_ERROR with output room left: input ran out. */
		if (rc == LZMA_BUF_ERROR && s.avail_out == 0)
			continue;
		ctrl_build_seterr(err, errlen, "%s: %s", name, lzma_strerror(rc));
		errno = rc == LZMA_MEM_ERROR ? ENOMEM : EINVAL;
		goto out;
	}
	ret = 0;
out:
	liblzma.lzma_end(&s);
	return ret;
}

static int unbzip2(const unsigned char *in, size_t in_len, struct outbuf *o,
                   char *err, size_t errlen)
{
	bz_stream b;
	int rc, ret = -1;

	if (in_len > UINT_MAX) {
		ctrl_build_seterr(err, errlen, "bzip2: input too large");
		errno = EFBIG;
		return -1;
	}
	memset(&b, 0, sizeof(b));
	if (libbz2.BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) {
		ctrl_build_seterr(err, errlen, "bzip2: cannot initialise libbz2");
		errno = ENOMEM;
		return -1;
	}
	b.next_in = (char *)in;
	b.avail_in = (unsigned)in_len;
	for (;;) {
		size_t room;

		if (o->len == o->cap && out_grow(o) < 0) {
			ctrl_build_seterr(err, errlen, "bzip2: %s", strerror(errno));
			goto out;
		}
		room = o->cap - o->len;
		if (room > UINT_MAX)
			room = UINT_MAX;
		b.next_out = (char *)o->p + o->len;
		b.avail_out = (unsigned)room;
		rc = libbz2.BZ2_bzDecompress(&b);
		o->len += room - b.avail_out;
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "bzip2: %s", strerror(E2BIG));
			errno = E2BIG;
			goto out;
		}
		if (rc == BZ_STREAM_END)
			break;
		if (rc != BZ_OK) {
			ctrl_build_seterr(err, errlen, "bzip2: corrupt stream (%d)", rc);
			errno = EINVAL;
			goto out;
		}
		/* BZ_OK with all input used and room left: truncated. */
		if (b.avail_in == 0 && b.avail_out > 0) {
			ctrl_build_seterr(err, errlen, "bzip2: stream is truncated");
			errno = EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	libbz2.BZ2_bzDecompressEnd(&b);
	return ret;
}

/* zstd: one frame; what follows it (the kernel's appended size) is
 * ignored. */
static int unzstd(const unsigned char *in, size_t in_len, struct outbuf *o,
                  char *err, size_t errlen)
{
	ZSTD_DStream *ds;
	ZSTD_inBuffer ib = { in, in_len, 0 };
	size_t rc;
	int ret = -1;

	ds = libzstd.ZSTD_createDStream();
	if (ds == NULL) {
		ctrl_build_seterr(err, errlen, "zstd: cannot initialise libzstd");
		errno = ENOMEM;
		return -1;
	}
	libzstd.ZSTD_initDStream(ds);
	for (;;) {
		ZSTD_outBuffer ob;

		if (o->len == o->cap && out_grow(o) < 0) {
			ctrl_build_seterr(err, errlen, "zstd: %s", strerror(errno));
			goto out;
		}
		ob.dst = o->p + o->len;
		ob.size = o->cap - o->len;
		ob.pos = 0;
		rc = libzstd.ZSTD_decompressStream(ds, &ob, &ib);
		o->len += ob.pos;
		if (libzstd.ZSTD_isError(rc)) {
			ctrl_build_seterr(err, errlen, "zstd: %s", libzstd.ZSTD_getErrorName(rc));
			errno = EINVAL;
			goto out;
		}
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "zstd: %s", strerror(E2BIG));
			errno = E2BIG;
			goto out;
		}
		if (rc == 0)
			break;                /* frame complete */
		if (ib.pos == ib.size && ob.pos < ob.size) {
			ctrl_build_seterr(err, errlen, "zstd: stream is truncated");
			errno = EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	libzstd.ZSTD_freeDStream(ds);
	return ret;
}

/* lz4 frame format (lz4 CLI default). */
static int unlz4_frame(const unsigned char *in, size_t in_len,
                       struct outbuf *o, char *err, size_t errlen)
{
	LZ4F_dctx *dctx = NULL;
	size_t pos = 0, rc;
	int ret = -1;

	if (liblz4.LZ4F_isError(liblz4.LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		ctrl_build_seterr(err, errlen, "lz4: cannot initialise liblz4");
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		size_t dst_size, src_size;

		if (o->len == o->cap && out_grow(o) < 0) {
			ctrl_build_seterr(err, errlen, "lz4: %s", strerror(errno));
			goto out;
		}
		dst_size = o->cap - o->len;
		src_size = in_len - pos;
		rc = liblz4.LZ4F_decompress(dctx, o->p + o->len, &dst_size,
		                     in + pos, &src_size, NULL);
		o->len += dst_size;
		pos += src_size;
		if (liblz4.LZ4F_isError(rc)) {
			ctrl_build_seterr(err, errlen, "lz4: %s", liblz4.LZ4F_getErrorName(rc));
			errno = EINVAL;
			goto out;
		}
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "lz4: %s", strerror(E2BIG));
			errno = E2BIG;
			goto out;
		}
		if (rc == 0)
			break;                /* frame complete */
		if (pos == in_len && o->len < o->cap) {
			ctrl_build_seterr(err, errlen, "lz4: stream is truncated");
			errno = EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	liblz4.LZ4F_freeDecompressionContext(dctx);
	return ret;
}

/*
 * Legacy lz4 (what Linux's build uses): the magic, then blocks, each a
 * 32-bit little-endian compressed size and that many bytes decompressing to
 * at most 8 MiB.  Another magic may start a new stream.  Exactly 4 bytes
 * left at the end are the decompressed size the kernel build appends.
 */
static int unlz4_legacy(const unsigned char *in, size_t in_len,
                        struct outbuf *o, char *err, size_t errlen)
{
	size_t pos = 4;

	while (in_len - pos >= 4) {
		uint32_t csize = get_le32(in + pos);
		int n;

		if (csize == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (in_len - pos == 4)
			break;                /* appended size */
		pos += 4;
		if (csize > (uint32_t)liblz4.LZ4_compressBound(LZ4_LEGACY_BLOCK) ||
		    csize > in_len - pos) {
			ctrl_build_seterr(err, errlen, "lz4: block at offset %zu is "
			       "truncated or too large", pos - 4);
			errno = EINVAL;
			return -1;
		}
		while (o->cap - o->len < LZ4_LEGACY_BLOCK && o->cap <= o->max)
			if (out_grow(o) < 0) {
				ctrl_build_seterr(err, errlen, "lz4: %s", strerror(errno));
				return -1;
			}
		n = liblz4.LZ4_decompress_safe((const char *)in + pos,
		                        (char *)o->p + o->len, (int)csize,
		                        (int)(o->cap - o->len < LZ4_LEGACY_BLOCK ?
		                              o->cap - o->len : LZ4_LEGACY_BLOCK));
		if (n < 0) {
			/* A block that did not fit the space left under the
			 * limit is a size problem, not corruption. */
			if (o->cap - o->len < LZ4_LEGACY_BLOCK) {
				ctrl_build_seterr(err, errlen, "lz4: %s", strerror(E2BIG));
				errno = E2BIG;
			} else {
				ctrl_build_seterr(err, errlen, "lz4: corrupt block at "
				       "offset %zu", pos - 4);
				errno = EINVAL;
			}
			return -1;
		}
		o->len += (size_t)n;
		pos += csize;
		if (out_too_big(o)) {
			ctrl_build_seterr(err, errlen, "lz4: %s", strerror(E2BIG));
			errno = E2BIG;
			return -1;
		}
	}
	return 0;
}

/* The library that unpacks `format`, loaded on first use; NULL for a
 * format we do not know (the caller says so). */
static struct lazylib *decompressor(const char *format)
{
	if (strcmp(format, "gzip") == 0)
		return &libz_lib;
	if (strcmp(format, "xz") == 0 || strcmp(format, "lzma") == 0)
		return &liblzma_lib;
	if (strcmp(format, "bzip2") == 0)
		return &libbz2_lib;
	if (strcmp(format, "zstd") == 0)
		return &libzstd_lib;
	if (strcmp(format, "lz4") == 0 || strcmp(format, "lz4-legacy") == 0)
		return &liblz4_lib;
	return NULL;
}

int ctrl_decompress(const char *format, const void *in, size_t in_len,
                    size_t max_size, unsigned char **out, size_t *out_len,
                    char *err, size_t errlen)
{
	struct outbuf o = { NULL, 0, 0, max_size ? max_size : CTRL_KERNEL_MAX_SIZE };
	struct lazylib *lib;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (format == NULL) {
		ctrl_build_seterr(err, errlen, "unknown compression");
		errno = EINVAL;
		return -1;
	}
	if ((lib = decompressor(format)) != NULL &&
	    lazylib_load(lib, err, errlen) < 0)
		return -1;
	if (strcmp(format, "gzip") == 0)
		rc = gunzip(in, in_len, &o, err, errlen);
	else if (strcmp(format, "xz") == 0)
		rc = unxz("xz", false, in, in_len, &o, err, errlen);
	else if (strcmp(format, "lzma") == 0)
		rc = unxz("lzma", true, in, in_len, &o, err, errlen);
	else if (strcmp(format, "bzip2") == 0)
		rc = unbzip2(in, in_len, &o, err, errlen);
	else if (strcmp(format, "zstd") == 0)
		rc = unzstd(in, in_len, &o, err, errlen);
	else if (strcmp(format, "lz4") == 0)
		rc = unlz4_frame(in, in_len, &o, err, errlen);
	else if (strcmp(format, "lz4-legacy") == 0)
		rc = unlz4_legacy(in, in_len, &o, err, errlen);
	else {
		ctrl_build_seterr(err, errlen, "unknown compression \"%s\"", format);
		errno = EINVAL;
		rc = -1;
	}
	if (rc < 0) {
		int e = errno;

		if (e == E2BIG)
			ctrl_build_seterr(err, errlen, "%s: image decompresses to more "
			       "than %zu bytes", format, o.max);
		free(o.p);
		errno = e;
		return -1;
	}
	*out = o.p;
	*out_len = o.len;
	return 0;
}

/* ---- bzImage ----------------------------------------------------------- */

/*
 * Find the compressed kernel inside a bzImage (Linux boot protocol 2.08+):
 * the setup code takes (setup_sects + 1) sectors, the protected-mode part
 * follows, and payload_offset/payload_length locate the payload within it.
 */
static int bzimage_payload(const unsigned char *p, size_t len, size_t *off,
                           size_t *plen, char *err, size_t errlen)
{
	unsigned setup_sects;
	uint16_t version;
	uint64_t start, length;

	version = get_le16(p + 0x206);
	if (version < 0x208) {
		ctrl_build_seterr(err, errlen, "bzImage: boot protocol %u.%02u has no "
		       "payload fields (2.08 needed)", version >> 8,
		       version & 0xff);
		errno = ENOEXEC;
		return -1;
	}
	setup_sects = p[0x1f1] ? p[0x1f1] : 4;
	start = ((uint64_t)setup_sects + 1) * 512 + get_le32(p + 0x248);
	length = get_le32(p + 0x24c);
	if (length == 0 || start > len || length > len - start) {
		ctrl_build_seterr(err, errlen, "bzImage: payload (offset %llu, %llu bytes) "
		       "is outside the %zu-byte file", (unsigned long long)start,
		       (unsigned long long)length, len);
		errno = ENOEXEC;
		return -1;
	}
	*off = (size_t)start;
	*plen = (size_t)length;
	return 0;
}

int ctrl_kernel_parse(const void *data, size_t len, size_t max_size,
                      struct ctrl_kernel_image *img, char *err, size_t errlen)
{
	const unsigned char *p = data, *payload = data;
	size_t plen = len, off;
	const char *fmt, *inner;
	unsigned char *elf = NULL;
	size_t elf_len = 0;
	int ret = -1, e;

	memset(img, 0, sizeof(*img));
	if (max_size == 0)
		max_size = CTRL_KERNEL_MAX_SIZE;
	if (len > max_size) {
		ctrl_build_seterr(err, errlen, "kernel: image of %zu bytes is larger than "
		       "the %zu-byte limit", len, max_size);
		errno = EFBIG;
		return -1;
	}
	fmt = ctrl_image_format(p, len);
	if (fmt == NULL) {
		ctrl_build_seterr(err, errlen, "kernel: not an ELF file, a bzImage or a "
		       "compressed ELF");
		errno = ENOEXEC;
		return -1;
	}
	inner = fmt;
	if (strcmp(fmt, "bzImage") == 0) {
		if (bzimage_payload(p, len, &off, &plen, err, errlen) < 0)
			return -1;
		payload = p + off;
		inner = ctrl_image_format(payload, plen);
		if (inner == NULL || strcmp(inner, "bzImage") == 0) {
			ctrl_build_seterr(err, errlen, "bzImage: payload format unknown");
			errno = ENOEXEC;
			return -1;
		}
		snprintf(img->format, sizeof(img->format), "bzImage+%s", inner);
	} else {
		snprintf(img->format, sizeof(img->format), "%s", fmt);
	}

	if (strcmp(inner, "elf") == 0) {
		elf = malloc(plen);
		if (elf == NULL) {
			ctrl_build_seterr(err, errlen, "kernel: %s", strerror(errno));
			return -1;
		}
		memcpy(elf, payload, plen);
		elf_len = plen;
	} else if (ctrl_decompress(inner, payload, plen, max_size, &elf,
	                           &elf_len, err, errlen) < 0) {
		return -1;
	}
	if (elf_len < 4 || memcmp(elf, "\177ELF", 4) != 0) {
		ctrl_build_seterr(err, errlen, "kernel: %s image does not contain an ELF "
		       "file", img->format);
		errno = ENOEXEC;
		goto out;
	}
	/* ctrl_kernel_parse_elf takes ownership of `elf`, even on failure. */
	ret = ctrl_kernel_parse_elf(elf, elf_len, img, err, errlen);
	elf = NULL;
out:
	e = errno;
	free(elf);
	errno = e;
	return ret;
}

/* Read a whole file, refusing one larger than `max`. */
static int read_file(const char *path, size_t max, unsigned char **buf,
                     size_t *len, char *err, size_t errlen)
{
	struct stat st;
	unsigned char *p = NULL;
	size_t done = 0;
	int fd, ret = -1, e;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ctrl_build_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		ctrl_build_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ctrl_build_seterr(err, errlen, "%s: not a regular file", path);
		errno = EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		ctrl_build_seterr(err, errlen, "%s: file of %lld bytes is larger than the "
		       "%zu-byte limit", path, (long long)st.st_size, max);
		errno = EFBIG;
		goto out;
	}
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (p == NULL) {
		ctrl_build_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, p + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctrl_build_seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;                /* file shrank under us */
		done += (size_t)n;
	}
	*buf = p;
	*len = done;
	p = NULL;
	ret = 0;
out:
	e = errno;
	free(p);
	close(fd);
	errno = e;
	return ret;
}

int ctrl_kernel_load_file(const char *path, struct ctrl_kernel_image *img,
                          char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	char msg[256];
	int ret, e;

	memset(img, 0, sizeof(*img));
	if (read_file(path, CTRL_KERNEL_MAX_SIZE, &buf, &len, err, errlen) < 0)
		return -1;
	ret = ctrl_kernel_parse(buf, len, 0, img, msg, sizeof(msg));
	e = errno;
	if (ret < 0)
		ctrl_build_seterr(err, errlen, "%s: %s", path, msg);
	free(buf);
	errno = e;
	return ret;
}

/* Used by build_pv.c for the ramdisk, which is passed through as is. */
int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen);

int ctrl_build_read_file(const char *path, size_t max, unsigned char **buf,
                         size_t *len, char *err, size_t errlen)
{
	return read_file(path, max, buf, len, err, errlen);
}
