/*
 * build_internal.h - what the builder's own files (build_*.c) share and
 * nothing else includes.  The fuzzer compiles build_image.c, build_elf.c and
 * build_layout.c on their own, so everything declared here is defined in
 * one of those three.
 */
#ifndef LIGHTSTACK_BUILD_INTERNAL_H
#define LIGHTSTACK_BUILD_INTERNAL_H

#include <stddef.h>

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

#endif /* LIGHTSTACK_BUILD_INTERNAL_H */
