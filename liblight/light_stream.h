/*
 * light_stream.h - the two outer layers of a saved domain, as upstream's
 * xl and libxl write them (Xen 4.17), around libctrl's libxc image
 * (sr_stream.h):
 *
 *   xl save-file header   32-byte magic "Xen saved domain, xl format\n \0 \r",
 *                         then four native-endian uint32: byte order
 *                         0x01020304, mandatory flags (bit 0 JSON config,
 *                         bit 1 stream v2), optional flags, optional data
 *                         length; the optional data is uint32 config
 *                         length and the config (libxl JSON, NUL included).
 *   libxl stream header   16 bytes big-endian: "LibxlFmt", version 2,
 *                         options (bit 0 big-endian, bit 1 legacy).
 *   libxl records         { uint32 type; uint32 length; body; pad to 8 }:
 *                         LIBXC_CONTEXT (0 length: the libxc image follows
 *                         here, up to its own END), then END.
 *
 * The readers treat their input as untrusted and fail with one line in
 * `err` naming the part and its offset, e.g. "libxl record at offset 0x5c:
 * unknown mandatory record type 0x9".
 */
#ifndef LIGHTSTACK_LIGHT_STREAM_H
#define LIGHTSTACK_LIGHT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_stream.h"

#define LIGHT_SAVE_MAGIC_LEN 32
#define LIGHT_SAVE_BYTEORDER 0x01020304u
#define LIGHT_SAVE_FLAG_JSON     (1u << 0)
#define LIGHT_SAVE_FLAG_STREAMv2 (1u << 1)
/* A config in the header is at most this long (a sanity bound). */
#define LIGHT_SAVE_CONFIG_MAX (16u << 20)

#define LIGHT_LX_IDENT   0x4c6962786c466d74ull  /* "LibxlFmt" */
#define LIGHT_LX_VERSION 2u
#define LIGHT_LX_END                    0u
#define LIGHT_LX_LIBXC_CONTEXT          1u
#define LIGHT_LX_EMULATOR_XENSTORE_DATA 2u
#define LIGHT_LX_EMULATOR_CONTEXT       3u
#define LIGHT_LX_CHECKPOINT_END         4u
#define LIGHT_LX_CHECKPOINT_STATE       5u
#define LIGHT_LX_OPTIONAL               0x80000000u

/* What the save-file header said. */
struct light_savefile {
	uint32_t mandatory_flags;
	uint32_t optional_flags;
	bool json;                 /* config is libxl JSON, else xl.cfg */
	char *config;              /* malloc'd, NUL-terminated, or NULL */
	size_t config_len;         /* without the terminating NUL */
};

/* Write the xl header with `config` (len bytes, no NUL needed; NULL for
 * none) as JSON.  0, or -1 with errno. */
int light_savefile_write(struct sr_writer *w, const char *config,
                         size_t len);
/* Read and check the xl header; *offset advances past it.  0, or -1 with
 * err set.  light_savefile_dispose frees what it holds. */
int light_savefile_read(sr_read_fn read, void *arg, uint64_t *offset,
                        struct light_savefile *out, char *err,
                        size_t errlen);
void light_savefile_dispose(struct light_savefile *s);

/* The libxl stream: its header and (bodiless) records. */
int light_lx_write_header(struct sr_writer *w);
int light_lx_write_record(struct sr_writer *w, uint32_t type);

/*
 * Reader of the libxl layer.  light_lx_next returns the next record's
 * type: LIGHT_LX_LIBXC_CONTEXT (once; the caller then reads the libxc
 * image from the same input, and adds what it consumed to r->offset),
 * LIGHT_LX_END (last), or -1 with r->err set.  Records a PV guest without
 * a device model never has (emulator, checkpoint) are refused.
 */
struct light_lx_reader {
	sr_read_fn read;
	void *arg;
	uint64_t offset;
	bool seen_header, seen_libxc, seen_end;
	char err[256];
};
void light_lx_reader_init(struct light_lx_reader *r, sr_read_fn read,
                          void *arg, uint64_t offset);
int light_lx_read_header(struct light_lx_reader *r);
int light_lx_next(struct light_lx_reader *r);

/*
 * Walk a whole save file (xl header, libxl stream, libxc image) with all
 * checks and nothing else: 0 if sound, -1 with err set.  The fuzzer's
 * entry point, and a cheap pre-check.
 */
int light_stream_check(sr_read_fn read, void *arg, char *err, size_t errlen);

#endif /* LIGHTSTACK_LIGHT_STREAM_H */
