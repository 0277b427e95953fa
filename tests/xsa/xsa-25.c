/*
 * XSA-25: the domain builder trusted kernel and ramdisk images: a small
 * compressed image could decompress to gigabytes in Dom0 (a bomb), and
 * bad ELF headers made the loader read or write outside its buffers.
 * Here images are limited before they are read (CTRL_KERNEL_MAX_SIZE,
 * 1 GiB) and while they are decompressed, ELF offsets and sizes are
 * checked against the file with no overflow, and the layout refuses a
 * ramdisk or kernel that does not fit the guest.  Tested through
 * libctrl's public builder API; the 1 GiB zstd bomb at the default limit
 * is tests/builder/test-image's test_bomb_1g.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "ctrl_build.h"
#include "../builder/elfgen.h"

/* gzip of `n` zero bytes. */
static unsigned char *gzip_zeros(size_t n, size_t *outlen)
{
	static unsigned char zeros[65536];
	z_stream z;
	size_t cap = n / 500 + 4096;
	unsigned char *out = malloc(cap);
	int rc;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		z.next_in = zeros;
		z.avail_in = (uInt)k;
		n -= k;
		rc = deflate(&z, n ? Z_NO_FLUSH : Z_FINISH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
		assert_true(z.avail_out > 0);
	}
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* A 256 MiB bomb (about 250 KiB compressed) against a 16 MiB limit: a
 * clean error, never the whole output. */
static void test_gzip_bomb(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *bomb, *out = NULL;
	size_t len, outlen = 0;
	char err[256];

	(void)state;
	bomb = gzip_zeros(256u << 20, &len);
	assert_true(len < 1u << 20);
	memset(&img, 0, sizeof(img));
	assert_int_equal(ctrl_kernel_parse(bomb, len, 16u << 20, &img, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0 && strchr(err, '\n') == NULL);
	ctrl_kernel_free(&img);
	assert_int_equal(ctrl_decompress("gzip", bomb, len, 16u << 20, &out, &outlen,
	                                 err, sizeof(err)), -1);
	assert_null(out);
	free(bomb);
}

/* An image file over the limit is refused by its size, before reading: a
 * sparse 2 GiB file costs nothing to make. */
static void test_oversized_file(void **state)
{
	struct ctrl_kernel_image img;
	char path[] = "/tmp/xsa25-XXXXXX", err[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)2 << 30), 0);
	close(fd);
	memset(&img, 0, sizeof(img));
	assert_int_equal(ctrl_kernel_load_file(path, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	ctrl_kernel_free(&img);
	unlink(path);
}

/* ELF headers pointing outside the file, sizes that wrap, absurd counts. */
static void test_hostile_elf(void **state)
{
	struct ctrl_kernel_image img;
	char err[256];
	size_t len;
	unsigned int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		unsigned char *f = eg_make(&len);
		Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
		Elf64_Phdr *load = eg_phdr(f, 0), *note = eg_phdr(f, 1);

		switch (i) {
		case 0: load->p_offset = 0xfffffffffffff000ULL; break;
		case 1: load->p_filesz = 0xffffffffffffff00ULL; break;
		case 2: load->p_memsz = 0xffffffffffffff00ULL; break;
		case 3: eh->e_phoff = len - 8; break;
		case 4: eh->e_phnum = 0xffff; break;
		case 5: note->p_filesz = 0x7fffffff; break;
		case 6: load->p_paddr = 0xfffffffffffff000ULL; break;  /* wraps */
		}
		memset(&img, 0, sizeof(img));
		if (ctrl_kernel_parse(f, len, 0, &img, err, sizeof(err)) != -1)
			fail_msg("hostile ELF %u accepted", i);
		assert_true(strlen(err) > 0);
		ctrl_kernel_free(&img);
		free(f);
	}
}

/* A ramdisk (or kernel) bigger than the guest: the layout says so. */
static void test_ramdisk_does_not_fit(void **state)
{
	struct ctrl_pv_layout_in in;
	struct ctrl_pv_layout l;
	char err[256];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.nr_pages = 32768;                    /* 128 MiB */
	in.virt_base = EG_VIRT_BASE;
	in.virt_kstart = EG_KSTART;
	in.virt_kend = EG_KSTART + EG_MEMSZ;
	in.init_p2m = CTRL_UNSET_ADDR;
	in.ramdisk_len = 200ull << 20;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	in.ramdisk_len = UINT64_MAX - 4095;    /* wraps when rounded up */
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	in.ramdisk_len = 0;
	in.virt_kend = in.virt_kstart + (1ull << 40);
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	/* And a sane one fits. */
	in.virt_kend = EG_KSTART + EG_MEMSZ;
	in.ramdisk_len = 8u << 20;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_oversized_file),
		cmocka_unit_test(test_hostile_elf),
		cmocka_unit_test(test_ramdisk_does_not_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
