/*
 * build_internal.h - what the builder's own files (build_*.c) share and
 * nothing else includes.  The fuzzer compiles build_image.c, build_elf.c and
 * build_layout.c on their own, so every function declared here is defined
 * in one of those three, or inline below.
 */
#ifndef LIGHTSTACK_BUILD_INTERNAL_H
#define LIGHTSTACK_BUILD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ctrl_build.h"

/* Format a one-line message into the caller's err buffer (which may be
 * NULL or empty: then nothing is written).  Defined in build_image.c. */
void ctrl_build_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse an uncompressed ELF kernel into img; takes ownership of `elf`, even
 * on failure.  Defined in build_elf.c. */
int ctrl_kernel_parse_elf(unsigned char *elf, size_t len,
                          struct ctrl_kernel_image *img, char *err,
                          size_t errlen);

/* Little-endian stores and loads at any alignment: the tables the
 * layout files write (start_info, ACPI, hvm_info) are given as byte
 * offsets, so nothing depends on the compiler's struct layout. */
static inline void ctrl_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static inline void ctrl_put32(unsigned char *p, uint32_t v)
{
	ctrl_put16(p, (uint16_t)(v & 0xffff));
	ctrl_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void ctrl_put64(unsigned char *p, uint64_t v)
{
	ctrl_put32(p, (uint32_t)v);
	ctrl_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t ctrl_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ctrl_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif /* LIGHTSTACK_BUILD_INTERNAL_H */
