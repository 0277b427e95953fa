/*
 * stream.c - xl's save-file header and the libxl stream around the libxc
 * image (layout in light_stream.h).  Pure: no Xen, no xenstore, so that
 * the unit tests and the fuzzer drive all of it.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_stream.h"

static const char save_magic[LIGHT_SAVE_MAGIC_LEN] =
    "Xen saved domain, xl format\n \0 \r";

struct save_hdr {
	char magic[LIGHT_SAVE_MAGIC_LEN];
	uint32_t byteorder;
	uint32_t mandatory_flags;
	uint32_t optional_flags;
	uint32_t optional_data_len;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
}

/* Exactly len bytes from the input, or an error naming what was read. */
static int
get(sr_read_fn read, void *arg, uint64_t *offset, void *buf, size_t len,
    const char *what, char *err, size_t errlen)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(arg, p + got, len - got);
		if (n < 0) {
			int e = errno;
			seterr(err, errlen, "%s at offset %#llx: read error: "
			       "%s", what, (unsigned long long)*offset,
			       strerror(e));
			errno = e;
			return -1;
		}
		if (n == 0) {
			seterr(err, errlen, "%s at offset %#llx: file "
			       "truncated (%zu of %zu bytes)", what,
			       (unsigned long long)*offset, got, len);
			return -1;
		}
		got += (size_t)n;
	}
	*offset += len;
	return 0;
}

int
light_savefile_write(struct sr_writer *w, const char *config, size_t len)
{
	struct save_hdr h;
	uint32_t clen;

	if (config != NULL && len + 1 > LIGHT_SAVE_CONFIG_MAX) {
		errno = EFBIG;
		return -1;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, save_magic, sizeof(h.magic));
	h.byteorder = LIGHT_SAVE_BYTEORDER;
	h.mandatory_flags = LIGHT_SAVE_FLAG_STREAMv2;
	if (config != NULL) {
		/* Upstream counts the NUL in the length and writes it. */
		h.mandatory_flags |= LIGHT_SAVE_FLAG_JSON;
		clen = (uint32_t)len + 1;
		h.optional_data_len = 4 + clen;
	}
	if (w->write(w->arg, &h, sizeof(h)) < 0)
		return -1;
	w->offset += sizeof(h);
	if (config == NULL)
		return 0;
	if (w->write(w->arg, &clen, 4) < 0 ||
	    w->write(w->arg, config, len) < 0 ||
	    w->write(w->arg, "", 1) < 0)
		return -1;
	w->offset += 4 + clen;
	return 0;
}

int
light_savefile_read(sr_read_fn read, void *arg, uint64_t *offset,
                    struct light_savefile *out, char *err, size_t errlen)
{
	struct save_hdr h;
	uint32_t bad, clen, left;
	uint64_t at;
	char *cfg;

	memset(out, 0, sizeof(*out));
	if (get(read, arg, offset, &h, sizeof(h), "save-file header", err,
	        errlen) < 0)
		return -1;
	if (memcmp(h.magic, save_magic, sizeof(h.magic)) != 0) {
		seterr(err, errlen, "save-file header at offset 0: wrong "
		       "magic (not an xl save file)");
		return -1;
	}
	if (h.byteorder != LIGHT_SAVE_BYTEORDER) {
		seterr(err, errlen, "save-file header at offset 0x20: byte "
		       "order %#x, expected %#x", h.byteorder,
		       LIGHT_SAVE_BYTEORDER);
		return -1;
	}
	bad = h.mandatory_flags &
	      ~(LIGHT_SAVE_FLAG_JSON | LIGHT_SAVE_FLAG_STREAMv2);
	if (bad != 0) {
		seterr(err, errlen, "save-file header at offset 0x24: "
		       "unknown mandatory flags %#x", bad);
		return -1;
	}
	if (!(h.mandatory_flags & LIGHT_SAVE_FLAG_STREAMv2)) {
		seterr(err, errlen, "save-file header at offset 0x24: a "
		       "legacy (pre-v2) stream is not supported");
		return -1;
	}
	out->mandatory_flags = h.mandatory_flags;
	out->optional_flags = h.optional_flags;
	out->json = (h.mandatory_flags & LIGHT_SAVE_FLAG_JSON) != 0;
	left = h.optional_data_len;
	if (left == 0)
		return 0;
	if (left > 4 + LIGHT_SAVE_CONFIG_MAX) {
		seterr(err, errlen, "save-file header at offset 0x2c: "
		       "optional data of %u bytes, at most %u", left,
		       4 + LIGHT_SAVE_CONFIG_MAX);
		return -1;
	}
	at = *offset;
	if (left < 4) {
		seterr(err, errlen, "save-file optional data at offset %#llx: "
		       "%u bytes, too short for a config length",
		       (unsigned long long)at, left);
		return -1;
	}
	if (get(read, arg, offset, &clen, 4, "save-file config length", err,
	        errlen) < 0)
		return -1;
	left -= 4;
	if (clen > left) {
		seterr(err, errlen, "save-file config at offset %#llx: length "
		       "%u beyond the %u bytes of optional data",
		       (unsigned long long)at, clen, left);
		return -1;
	}
	/* The rest of the optional data is read whole (we know nothing
	 * after the config, and skipping is what upstream asks). */
	cfg = malloc((size_t)left + 1);
	if (cfg == NULL) {
		seterr(err, errlen, "save-file config: out of memory");
		return -1;
	}
	if (get(read, arg, offset, cfg, left, "save-file config", err,
	        errlen) < 0) {
		free(cfg);
		return -1;
	}
	cfg[clen] = '\0';
	if (clen == 0) {
		free(cfg);
		return 0;
	}
	/* The config is text: a NUL inside (other than the terminator
	 * upstream writes) would cut it short unseen. */
	if (strlen(cfg) + 1 < clen) {
		seterr(err, errlen, "save-file config at offset %#llx: NUL "
		       "byte inside the config", (unsigned long long)at + 4);
		free(cfg);
		return -1;
	}
	out->config = cfg;
	out->config_len = strlen(cfg);
	return 0;
}

void
light_savefile_dispose(struct light_savefile *s)
{
	free(s->config);
	s->config = NULL;
	s->config_len = 0;
}

int
light_lx_write_header(struct sr_writer *w)
{
	struct { uint64_t ident; uint32_t version, options; } h = {
		.ident = htobe64(LIGHT_LX_IDENT),
		.version = htobe32(LIGHT_LX_VERSION),
		.options = 0,
	};

	if (w->write(w->arg, &h, sizeof(h)) < 0)
		return -1;
	w->offset += sizeof(h);
	return 0;
}

int
light_lx_write_record(struct sr_writer *w, uint32_t type)
{
	return sr_write_record(w, type, NULL, 0, NULL, 0);
}

void
light_lx_reader_init(struct light_lx_reader *r, sr_read_fn read, void *arg,
                     uint64_t offset)
{
	memset(r, 0, sizeof(*r));
	r->read = read;
	r->arg = arg;
	r->offset = offset;
}

int
light_lx_read_header(struct light_lx_reader *r)
{
	struct { uint64_t ident; uint32_t version, options; } h;
	uint64_t at = r->offset;
	uint32_t opt;

	if (get(r->read, r->arg, &r->offset, &h, sizeof(h), "libxl header",
	        r->err, sizeof(r->err)) < 0)
		return -1;
	if (be64toh(h.ident) != LIGHT_LX_IDENT) {
		seterr(r->err, sizeof(r->err), "libxl header at offset %#llx: "
		       "bad ident %#llx, expected \"LibxlFmt\"",
		       (unsigned long long)at,
		       (unsigned long long)be64toh(h.ident));
		return -1;
	}
	if (be32toh(h.version) != LIGHT_LX_VERSION) {
		seterr(r->err, sizeof(r->err), "libxl header at offset %#llx: "
		       "version %u is not supported (2)",
		       (unsigned long long)at, be32toh(h.version));
		return -1;
	}
	opt = be32toh(h.options);
	if (opt != 0) {
		seterr(r->err, sizeof(r->err), "libxl header at offset %#llx: "
		       "options %#x not supported (%s)",
		       (unsigned long long)at, opt,
		       (opt & 1) ? "big-endian" : (opt & 2) ?
		       "legacy conversion" : "reserved bits");
		return -1;
	}
	r->seen_header = true;
	return 0;
}

int
light_lx_next(struct light_lx_reader *r)
{
	struct { uint32_t type, length; } rh;
	uint64_t at;
	uint8_t skip[256];
	size_t left, n;

	if (!r->seen_header || r->seen_end) {
		seterr(r->err, sizeof(r->err), "libxl record read %s",
		       r->seen_end ? "after END" : "before the header");
		return -1;
	}
	for (;;) {
		at = r->offset;
		if (get(r->read, r->arg, &r->offset, &rh, sizeof(rh),
		        "libxl record header", r->err, sizeof(r->err)) < 0)
			return -1;
		rh.type = le32toh(rh.type);
		rh.length = le32toh(rh.length);
		if (rh.length > SR_REC_LENGTH_MAX) {
			seterr(r->err, sizeof(r->err), "libxl record at offset "
			       "%#llx: length %u beyond the limit of %u",
			       (unsigned long long)at, rh.length,
			       SR_REC_LENGTH_MAX);
			return -1;
		}
		if (rh.type & LIGHT_LX_OPTIONAL) {
			/* An optional record we do not know: skip it. */
			left = ((size_t)rh.length + 7) & ~(size_t)7;
			while (left > 0) {
				n = left < sizeof(skip) ? left : sizeof(skip);
				if (get(r->read, r->arg, &r->offset, skip, n,
				        "libxl optional record", r->err,
				        sizeof(r->err)) < 0)
					return -1;
				left -= n;
			}
			continue;
		}
		switch (rh.type) {
		case LIGHT_LX_LIBXC_CONTEXT:
		case LIGHT_LX_END:
			if (rh.length != 0) {
				seterr(r->err, sizeof(r->err), "libxl %s record "
				       "at offset %#llx: length %u, expected "
				       "0", rh.type ? "LIBXC_CONTEXT" : "END",
				       (unsigned long long)at, rh.length);
				return -1;
			}
			if (rh.type == LIGHT_LX_LIBXC_CONTEXT) {
				if (r->seen_libxc) {
					seterr(r->err, sizeof(r->err), "libxl "
					       "LIBXC_CONTEXT record at offset "
					       "%#llx: repeated",
					       (unsigned long long)at);
					return -1;
				}
				r->seen_libxc = true;
				return LIGHT_LX_LIBXC_CONTEXT;
			}
			if (!r->seen_libxc) {
				seterr(r->err, sizeof(r->err), "libxl END record "
				       "at offset %#llx: the stream has no "
				       "LIBXC_CONTEXT", (unsigned long long)at);
				return -1;
			}
			r->seen_end = true;
			return LIGHT_LX_END;
		case LIGHT_LX_EMULATOR_XENSTORE_DATA:
		case LIGHT_LX_EMULATOR_CONTEXT:
			seterr(r->err, sizeof(r->err), "libxl record at offset "
			       "%#llx: emulator records (type %u) are not "
			       "supported for a PV guest",
			       (unsigned long long)at, rh.type);
			return -1;
		case LIGHT_LX_CHECKPOINT_END:
		case LIGHT_LX_CHECKPOINT_STATE:
			seterr(r->err, sizeof(r->err), "libxl record at offset "
			       "%#llx: checkpoint records (type %u) are not "
			       "supported", (unsigned long long)at, rh.type);
			return -1;
		default:
			seterr(r->err, sizeof(r->err), "libxl record at offset "
			       "%#llx: unknown mandatory record type %#x",
			       (unsigned long long)at, rh.type);
			return -1;
		}
	}
}

int
light_stream_check(sr_read_fn read, void *arg, char *err, size_t errlen)
{
	struct light_savefile sf;
	struct light_lx_reader lx;
	struct sr_reader sr;
	struct sr_record rec;
	uint64_t offset = 0;
	int rc, t;

	if (light_savefile_read(read, arg, &offset, &sf, err, errlen) < 0)
		return -1;
	light_savefile_dispose(&sf);
	light_lx_reader_init(&lx, read, arg, offset);
	if (light_lx_read_header(&lx) < 0)
		goto lxfail;
	for (;;) {
		t = light_lx_next(&lx);
		if (t < 0)
			goto lxfail;
		if (t == LIGHT_LX_END)
			return 0;
		/* LIBXC_CONTEXT: the image follows, up to its END. */
		sr_reader_init(&sr, read, arg);
		sr.offset = lx.offset;
		rc = sr_read_headers(&sr);
		if (rc == 0)
			while ((rc = sr_read_record(&sr, &rec)) == 1)
				;
		lx.offset = sr.offset;
		if (rc < 0)
			snprintf(err, errlen, "%s", sr.err);
		sr_reader_dispose(&sr);
		if (rc < 0) {
			errno = EINVAL;
			return -1;
		}
	}
lxfail:
	snprintf(err, errlen, "%s", lx.err);
	errno = EINVAL;
	return -1;
}
