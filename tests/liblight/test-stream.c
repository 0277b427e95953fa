/*
 * test-stream.c - the save file's three layers (xl header, libxl stream,
 * libxc image: liblight/stream.c and libctrl/sr_stream.c) written with
 * the writers and read back through light_stream_check: a sound file is
 * accepted, and every truncation, bad length, bad pfn or page type and
 * record out of order is refused with a message naming the record.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "light_stream.h"

/* A growing buffer the writers write into. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int
wmem(void *arg, const void *data, size_t n)
{
	struct buf *b = arg;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* One libxc record of a test image. */
struct rec {
	uint32_t type;
	const void *body;
	size_t len;
};

static uint8_t pv_info[8] = { 8, 4 };
static uint8_t cpuid[48];
static uint8_t shinfo[4096];
static struct sr_tsc_info tsc = { .mode = 0, .khz = 1000000 };
/* p2m covering pfns 0-15 in one frame, pfn 3. */
static uint64_t p2m[2] = { 0 | (15ull << 32), 3 };
/* pfn 0 normal, pfn 1 an L1 table, pfn 2 invalid (no data): 3 words
 * and 2 pages. */
static uint8_t pages[8 + 3 * 8 + 2 * 4096];
static uint8_t *vcpu0;
static size_t vcpu0_len;

static void
init_bodies(void)
{
	uint64_t w[3] = {
		0, 1 | (1ull << 60), 2 | (0xfull << 60),
	};
	uint32_t count = 3;

	memcpy(pages, &count, 4);
	memcpy(pages + 8, w, sizeof(w));
	memset(pages + 32, 0xaa, 2 * 4096);
	vcpu0_len = 8 + sr_vcpu_basic_size();
	vcpu0 = calloc(1, vcpu0_len);
	assert_non_null(vcpu0);
}

#define GOOD_RECS { \
	{ SR_REC_X86_PV_INFO, pv_info, sizeof(pv_info) }, \
	{ SR_REC_X86_CPUID_POLICY, cpuid, sizeof(cpuid) }, \
	{ SR_REC_STATIC_DATA_END, NULL, 0 }, \
	{ SR_REC_X86_PV_P2M_FRAMES, p2m, sizeof(p2m) }, \
	{ SR_REC_PAGE_DATA, pages, sizeof(pages) }, \
	{ SR_REC_X86_TSC_INFO, &tsc, sizeof(tsc) }, \
	{ SR_REC_SHARED_INFO, shinfo, sizeof(shinfo) }, \
	{ SR_REC_X86_PV_VCPU_BASIC, vcpu0, vcpu0_len }, \
	{ SR_REC_END, NULL, 0 } }

#define TEST_CFG "{\"c_info\":{\"name\":\"t\"}}"
/* Offsets in the file: the libxl header follows the xl header (48 bytes),
 * the config's length and the config with its NUL. */
#define LX_AT (48 + 4 + sizeof(TEST_CFG))
#define IMG_AT (LX_AT + 16 + 8)

/* A whole save file: xl header with a config, libxl header,
 * LIBXC_CONTEXT, the image of version `version` with `recs`, libxl END. */
static void
build(struct buf *b, uint32_t version, const struct rec *recs, size_t n)
{
	struct sr_writer w = { .write = wmem, .arg = b };
	const char *cfg = TEST_CFG;
	size_t i, at;

	memset(b, 0, sizeof(*b));
	assert_int_equal(light_savefile_write(&w, cfg, strlen(cfg)), 0);
	assert_int_equal(light_lx_write_header(&w), 0);
	assert_int_equal(light_lx_write_record(&w, LIGHT_LX_LIBXC_CONTEXT), 0);
	at = b->len;
	assert_int_equal(sr_write_headers(&w, 4, 17), 0);
	/* The version field is big-endian at byte 12 of the image. */
	b->p[at + 15] = (uint8_t)version;
	for (i = 0; i < n; i++)
		assert_int_equal(sr_write_record(&w, recs[i].type, NULL, 0,
		                                 recs[i].body, recs[i].len), 0);
	assert_int_equal(light_lx_write_record(&w, LIGHT_LX_END), 0);
	assert_int_equal(w.offset, b->len);
}

static int
check(const struct buf *b, size_t len, char *err, size_t errlen)
{
	struct sr_membuf m = { .data = b->p, .len = len };

	err[0] = '\0';
	return light_stream_check(sr_read_mem, &m, err, errlen);
}

/* The file of recs is refused with a message containing want. */
static void
refused(uint32_t version, const struct rec *recs, size_t n, const char *want)
{
	struct buf b;
	char err[256];

	build(&b, version, recs, n);
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	free(b.p);
}

#define NREC(a) (sizeof(a) / sizeof((a)[0]))

static void
test_good(void **state)
{
	struct rec recs[] = GOOD_RECS;
	struct sr_membuf m;
	struct light_savefile sf;
	struct buf b;
	char err[256];
	uint64_t off = 0;

	(void)state;
	build(&b, 3, recs, NREC(recs));
	assert_int_equal(check(&b, b.len, err, sizeof(err)), 0);
	/* TEST_STREAM_SEED=FILE writes this file out: the fuzzer's seed. */
	if (getenv("TEST_STREAM_SEED") != NULL) {
		FILE *f = fopen(getenv("TEST_STREAM_SEED"), "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b.p, 1, b.len, f), b.len);
		assert_int_equal(fclose(f), 0);
	}
	/* The config comes back as written, flagged JSON. */
	m = (struct sr_membuf){ .data = b.p, .len = b.len };
	assert_int_equal(light_savefile_read(sr_read_mem, &m, &off, &sf, err,
	                                     sizeof(err)), 0);
	assert_true(sf.json);
	assert_string_equal(sf.config, TEST_CFG);
	light_savefile_dispose(&sf);
	/* Data after the libxl END is not ours to read. */
	b.p = realloc(b.p, b.len + 8);
	memset(b.p + b.len, 0xff, 8);
	assert_int_equal(check(&b, b.len + 8, err, sizeof(err)), 0);
	free(b.p);
}

/* Version 2 has no STATIC_DATA_END; its place is inferred. */
static void
test_v2(void **state)
{
	struct rec good[] = GOOD_RECS;
	struct rec v2[NREC(good) - 1];
	struct buf b;
	char err[256];

	(void)state;
	memcpy(v2, good, 2 * sizeof(good[0]));
	memcpy(v2 + 2, good + 3, (NREC(good) - 3) * sizeof(good[0]));
	build(&b, 2, v2, NREC(v2));
	assert_int_equal(check(&b, b.len, err, sizeof(err)), 0);
	free(b.p);
	refused(2, good, NREC(good), "not valid in a version 2 image");
	refused(4, good, NREC(good), "version 4 is not supported");
}

/* Every cut of the file is refused as truncated. */
static void
test_truncated(void **state)
{
	struct rec recs[] = GOOD_RECS;
	struct buf b;
	char err[256];
	size_t cut;

	(void)state;
	build(&b, 3, recs, NREC(recs));
	for (cut = 0; cut < b.len; cut += (cut < 1024 ? 1 : 61)) {
		if (check(&b, cut, err, sizeof(err)) != -1)
			fail_msg("cut at %zu of %zu accepted", cut, b.len);
		if (strstr(err, "truncated") == NULL)
			fail_msg("cut at %zu: \"%s\"", cut, err);
	}
	free(b.p);
}

static void
test_bad_lengths(void **state)
{
	struct rec recs[] = GOOD_RECS;
	uint8_t big[9] = { 8, 4 };
	uint64_t p2m_long[3] = { 15ull << 32, 3, 3 };

	(void)state;
	recs[0] = (struct rec){ SR_REC_X86_PV_INFO, big, sizeof(big) };
	refused(3, recs, NREC(recs), "X86_PV_INFO record at offset");
	memcpy(recs, (struct rec[])GOOD_RECS, sizeof(recs));
	recs[6].len = 4095;
	refused(3, recs, NREC(recs), "SHARED_INFO record at offset");
	memcpy(recs, (struct rec[])GOOD_RECS, sizeof(recs));
	recs[4].len = sizeof(pages) - 4096;  /* one page of data missing */
	refused(3, recs, NREC(recs), "expected 8224 for 3 pfns with 2 pages");
	memcpy(recs, (struct rec[])GOOD_RECS, sizeof(recs));
	recs[3] = (struct rec){ SR_REC_X86_PV_P2M_FRAMES, p2m_long,
	                        sizeof(p2m_long) };
	refused(3, recs, NREC(recs), "X86_PV_P2M_FRAMES record at offset");
	memcpy(recs, (struct rec[])GOOD_RECS, sizeof(recs));
	recs[7].len = vcpu0_len - 8;
	refused(3, recs, NREC(recs), "X86_PV_VCPU_BASIC record at offset");
	memcpy(recs, (struct rec[])GOOD_RECS, sizeof(recs));
	recs[1].len = 25;
	refused(3, recs, NREC(recs), "not a multiple of 24");
}

/* A record header claiming more than the limit is refused before any
 * allocation. */
static void
test_huge_length(void **state)
{
	struct rec recs[] = GOOD_RECS;
	struct buf b;
	char err[256];
	size_t at;
	uint32_t len = SR_REC_LENGTH_MAX + 1;

	(void)state;
	build(&b, 3, recs, NREC(recs));
	/* The PV_INFO record header is right after the image's 40 bytes of
	 * headers; find it from the end of the xl and libxl parts. */
	at = IMG_AT + 40;
	assert_int_equal(b.p[at], SR_REC_X86_PV_INFO);
	memcpy(b.p + at + 4, &len, 4);
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "beyond the limit"));
	free(b.p);
}

static void
test_order(void **state)
{
	struct rec good[] = GOOD_RECS;
	struct rec recs[NREC(good)];

	(void)state;
	/* PAGE_DATA before the p2m frames. */
	memcpy(recs, good, sizeof(recs));
	recs[3] = good[4];
	recs[4] = good[3];
	refused(3, recs, NREC(recs), "PAGE_DATA record at offset");
	/* P2M before STATIC_DATA_END. */
	memcpy(recs, good, sizeof(recs));
	recs[2] = good[3];
	recs[3] = good[2];
	refused(3, recs, NREC(recs), "comes before STATIC_DATA_END");
	/* Policy after STATIC_DATA_END. */
	memcpy(recs, good, sizeof(recs));
	recs[1] = good[2];
	recs[2] = good[1];
	refused(3, recs, NREC(recs), "comes after STATIC_DATA_END");
	/* Anything before PV_INFO. */
	memcpy(recs, good, sizeof(recs));
	recs[0] = good[1];
	recs[1] = good[0];
	refused(3, recs, NREC(recs), "comes before X86_PV_INFO");
	/* A second SHARED_INFO. */
	memcpy(recs, good, sizeof(recs));
	recs[5] = good[6];
	refused(3, recs, NREC(recs), "SHARED_INFO record at offset");
	/* END without shared info, without vcpu 0. */
	memcpy(recs, good, sizeof(recs));
	recs[6] = good[5];
	recs[5] = (struct rec){ 0x80000042u, "x", 1 };  /* optional: skipped */
	refused(3, recs, NREC(recs), "the image has no SHARED_INFO");
	memcpy(recs, good, sizeof(recs));
	recs[7] = good[5];
	recs[5] = (struct rec){ 0x80000042u, "x", 1 };
	refused(3, recs, NREC(recs), "no X86_PV_VCPU_BASIC for vcpu 0");
}

static void
test_pfns_and_types(void **state)
{
	struct rec recs[] = GOOD_RECS;
	uint8_t bad[sizeof(pages)];
	uint64_t w;

	(void)state;
	memcpy(bad, pages, sizeof(bad));
	w = 16;                                /* beyond the p2m's 0-15 */
	memcpy(bad + 8, &w, 8);
	recs[4].body = bad;
	refused(3, recs, NREC(recs), "pfn 0x10 beyond the p2m");
	memcpy(bad, pages, sizeof(bad));
	w = 0 | (5ull << 60);                  /* reserved page type */
	memcpy(bad + 8, &w, 8);
	refused(3, recs, NREC(recs), "unknown page type 0x5");
	memcpy(bad, pages, sizeof(bad));
	w = 0 | (1ull << 55);                  /* reserved bits */
	memcpy(bad + 8, &w, 8);
	refused(3, recs, NREC(recs), "reserved bits set");
	memcpy(bad, pages, sizeof(bad));
	memset(bad, 0, 4);                     /* count 0 */
	refused(3, recs, NREC(recs), "count is 0");
}

static void
test_record_types(void **state)
{
	struct rec good[] = GOOD_RECS;
	struct rec recs[NREC(good)];
	uint8_t vcpu9[8 + 16] = { 9 };

	(void)state;
	memcpy(recs, good, sizeof(recs));
	recs[5] = (struct rec){ 0x13, NULL, 0 };
	refused(3, recs, NREC(recs), "type 0x13 record at offset");
	recs[5] = (struct rec){ SR_REC_HVM_CONTEXT, NULL, 0 };
	refused(3, recs, NREC(recs), "not valid in an x86 PV image");
	recs[5] = (struct rec){ SR_REC_CHECKPOINT, NULL, 0 };
	refused(3, recs, NREC(recs), "CHECKPOINT record at offset");
	recs[5] = (struct rec){ SR_REC_X86_PV_VCPU_MSRS, vcpu9,
	                        sizeof(vcpu9) - 1 };
	refused(3, recs, NREC(recs), "not a multiple of 16");
	vcpu9[0] = 0;
	vcpu9[1] = 0x10;                       /* vcpu 4096 */
	recs[5].len = sizeof(vcpu9);
	refused(3, recs, NREC(recs), "beyond the limit of 4096 vcpus");
}

/* The outer layers' own checks. */
static void
test_outer(void **state)
{
	struct rec recs[] = GOOD_RECS;
	struct buf b;
	char err[256];
	uint32_t v;

	(void)state;
	build(&b, 3, recs, NREC(recs));
	b.p[3] ^= 1;
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wrong magic"));
	b.p[3] ^= 1;
	v = 0x4 | LIGHT_SAVE_FLAG_STREAMv2;    /* unknown mandatory flag */
	memcpy(b.p + 36, &v, 4);
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown mandatory flags 0x4"));
	v = LIGHT_SAVE_FLAG_STREAMv2 | LIGHT_SAVE_FLAG_JSON;
	memcpy(b.p + 36, &v, 4);
	v = 1000;                              /* config beyond optdata */
	memcpy(b.p + 48, &v, 4);
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "beyond the"));
	v = sizeof(TEST_CFG);
	memcpy(b.p + 48, &v, 4);
	b.p[52 + 3] = '\0';                    /* NUL inside the config */
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL byte inside"));
	b.p[52 + 3] = 'c';
	/* libxl: a bad ident, then an emulator record. */
	b.p[LX_AT] ^= 1;
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad ident"));
	b.p[LX_AT] ^= 1;
	b.p[LX_AT + 16] = LIGHT_LX_EMULATOR_XENSTORE_DATA;
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "emulator records"));
	b.p[LX_AT + 16] = LIGHT_LX_END;           /* END before the image */
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has no LIBXC_CONTEXT"));
	b.p[LX_AT + 16] = LIGHT_LX_LIBXC_CONTEXT;
	assert_int_equal(check(&b, b.len, err, sizeof(err)), 0);
	/* The image's domain header: HVM is refused. */
	b.p[IMG_AT + 24] = SR_DHDR_X86_HVM;
	assert_int_equal(check(&b, b.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "HVM images are not supported"));
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_huge_length),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_pfns_and_types),
		cmocka_unit_test(test_record_types),
		cmocka_unit_test(test_outer),
	};

	init_bodies();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
