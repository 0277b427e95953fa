/*
 * fuzz-stream.c - libFuzzer target for the save-file reader: xl's header,
 * the libxl stream and the libxc image with all of their checks
 * (light_stream_check, which restore runs record by record too).  The
 * input is the whole file; the reader must refuse or accept it without
 * reading past it, crashing or leaking.
 * Seeds: tests/liblight/seeds/fuzz-stream (a sound file as test-stream
 * builds it: PV_INFO, CPUID policy, STATIC_DATA_END, P2M_FRAMES, a
 * PAGE_DATA of three pfns, TSC_INFO, SHARED_INFO, vcpu 0, END).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "light_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_membuf m = { .data = data, .len = size };
	char err[256];

	(void)light_stream_check(sr_read_mem, &m, err, sizeof(err));
	return 0;
}
