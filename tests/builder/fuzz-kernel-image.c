/*
 * fuzz-kernel-image.c - libFuzzer target for the builder's image parsers:
 * format detection, bzImage payloads, every decompressor, ELF program
 * headers and Xen notes, segment copying and the layout arithmetic.
 *
 * The output limit is lowered to 16 MiB, and segments are copied only for
 * images spanning at most 4 MiB, to keep executions fast; the code paths
 * are the same as with the real 1 GiB limit.
 * Seeds: tests/builder/seeds/fuzz-kernel-image (a small PV ELF, and it
 * compressed in each format and wrapped in a bzImage).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_build.h"

#define FUZZ_MAX_SIZE (16u * 1024 * 1024)
#define FUZZ_COPY_MAX (4u * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctrl_kernel_image img;
	struct ctrl_pv_layout_in in;
	struct ctrl_pv_layout l;
	char err[256];
	unsigned char *dest;
	size_t span;

	if (ctrl_kernel_parse(data, size, FUZZ_MAX_SIZE, &img, err,
	                      sizeof(err)) < 0)
		return 0;

	/* Load it as the builder would, when the span is reasonable. */
	span = (size_t)(img.virt_kend - img.virt_kstart);
	if (span > 0 && span <= FUZZ_COPY_MAX) {
		dest = malloc(span);
		if (dest != NULL) {
			ctrl_kernel_copy_segments(&img, dest, span, err,
			                          sizeof(err));
			free(dest);
		}
	}

	memset(&in, 0, sizeof(in));
	in.nr_pages = 32768;
	in.virt_base = img.virt_base;
	in.virt_kstart = img.virt_kstart;
	in.virt_kend = img.virt_kend;
	in.init_p2m = img.notes.init_p2m;
	ctrl_pv_layout(&in, &l, err, sizeof(err));

	ctrl_kernel_free(&img);
	return 0;
}
