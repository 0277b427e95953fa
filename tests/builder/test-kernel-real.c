/*
 * test-kernel-real.c - parse a real Debian kernel (an xz-compressed
 * bzImage) and check what its Xen notes say.  Where it looks, in order:
 *   $LIGHTSTACK_TEST_KERNEL (run-tests sets it to the system-test image's
 *   kernel, building that image first, so a full run never skips this)
 *   $LIGHTSTACK_CACHE/<key>/vmlinuz (default ~/.cache/lightstack/system,
 *   the system tests' image cache)
 *   /boot/vmlinuz-*-amd64
 * With none of them (a quick loop on a fresh machine) the test is skipped,
 * "ok 1 # SKIP" once tests/tap-run has corrected cmocka's TAP, and says
 * where it looked.  A kernel that is named but cannot be read fails.
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctrl_build.h"

static char kernel[4096];

static bool first_match(const char *pattern)
{
	glob_t g;
	bool found = false;

	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(kernel, sizeof(kernel), "%s", g.gl_pathv[0]);
		found = true;
	}
	globfree(&g);
	return found;
}

static bool find_kernel(void)
{
	const char *env = getenv("LIGHTSTACK_TEST_KERNEL");
	const char *cache = getenv("LIGHTSTACK_CACHE");
	const char *home = getenv("HOME");
	char pattern[4096];

	if (env != NULL && *env != '\0') {
		snprintf(kernel, sizeof(kernel), "%s", env);
		return true;
	}
	if (cache != NULL && *cache != '\0')
		snprintf(pattern, sizeof(pattern), "%s/*/vmlinuz", cache);
	else
		snprintf(pattern, sizeof(pattern),
		         "%s/.cache/lightstack/system/*/vmlinuz",
		         home ? home : "/root");
	return first_match(pattern) || first_match("/boot/vmlinuz-*-amd64");
}

static void test_debian_kernel(void **state)
{
	struct ctrl_kernel_image img;
	struct ctrl_pv_layout_in in;
	struct ctrl_pv_layout l;
	char err[512];

	(void)state;
	if (!find_kernel()) {
		print_message("# no Debian kernel: set LIGHTSTACK_TEST_KERNEL, "
		              "or build the system-test image "
		              "(tests/system/mkimage), or install "
		              "linux-image-amd64\n");
		skip();
	}
	if (ctrl_kernel_load_file(kernel, &img, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	print_message("# %s: %s, ELF %zu bytes, 0x%llx-0x%llx entry 0x%llx "
	              "hypercall 0x%llx init_p2m 0x%llx features \"%s\"\n",
	              kernel, img.format, img.elf_len,
	              (unsigned long long)img.virt_kstart,
	              (unsigned long long)img.virt_kend,
	              (unsigned long long)img.virt_entry,
	              (unsigned long long)img.notes.hypercall_page,
	              (unsigned long long)img.notes.init_p2m,
	              img.notes.features);
	/* Debian's kernels are xz bzImages. */
	assert_string_equal(img.format, "bzImage+xz");
	assert_true(img.notes.present);
	assert_int_equal(img.notes.virt_base, 0xffffffff80000000ULL);
	assert_int_equal(img.notes.paddr_offset, 0);
	assert_string_equal(img.notes.guest_os, "linux");
	assert_string_equal(img.notes.xen_version, "xen-3.0");
	assert_string_equal(img.notes.loader, "generic");
	/* Loaded at 16 MiB physical, i.e. 0xffffffff81000000. */
	assert_int_equal(img.virt_kstart, 0xffffffff81000000ULL);
	assert_true(img.virt_entry > img.virt_kstart &&
	            img.virt_entry < img.virt_kend);
	assert_int_equal(img.virt_entry, img.notes.entry);
	/* Kernels with the XSA-466 fixes have no hypercall page note (they
	 * patch in the hypercall instruction themselves); older ones do. */
	if (img.notes.hypercall_page != CTRL_UNSET_ADDR) {
		assert_int_equal(img.notes.hypercall_page & 0xfff, 0);
		assert_true(img.notes.hypercall_page >= img.virt_kstart &&
		            img.notes.hypercall_page < img.virt_kend);
	}
	/* Linux asks for its p2m list at 512 GiB (INIT_P2M). */
	assert_int_equal(img.notes.init_p2m, 0x8000000000ULL);
	assert_true(img.notes.feat_required == 0 ||
	            (img.notes.feat_required & img.notes.feat_supported) ==
	            img.notes.feat_required);

	/* It fits 96 MiB with an initramfs, not 48 MiB. */
	memset(&in, 0, sizeof(in));
	in.virt_base = img.virt_base;
	in.virt_kstart = img.virt_kstart;
	in.virt_kend = img.virt_kend;
	in.ramdisk_len = 2 * 1024 * 1024;
	in.init_p2m = img.notes.init_p2m;
	in.nr_pages = 96 * 256;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), 0);
	in.nr_pages = 48 * 256;
	assert_int_equal(ctrl_pv_layout(&in, &l, err, sizeof(err)), -1);
	ctrl_kernel_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
