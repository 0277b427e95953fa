/*
 * test-vbd.c - vdev names to devids, against numbers worked out by hand
 * from libxl's rules (and the ones users see in `xl block-list`):
 * xvda = 51712, xvdb = 51728, the extended scheme above xvdp, hd and sd
 * majors, and the names upstream refuses.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "light_device.h"

static void expect_devid(const char *vdev, uint32_t want)
{
	uint32_t got = 0xdeadbeef;

	if (vbd_vdev_to_devid(vdev, &got) != 0)
		fail_msg("%s: refused, wanted %u", vdev, want);
	if (got != want)
		fail_msg("%s: got %u, wanted %u", vdev, got, want);
}

static void expect_bad(const char *vdev)
{
	uint32_t got = 0;

	errno = 0;
	if (vbd_vdev_to_devid(vdev, &got) == 0)
		fail_msg("%s: accepted as %u, should be refused", vdev, got);
	assert_int_equal(errno, EINVAL);
}

static void test_xvd(void **state)
{
	(void)state;
	expect_devid("xvda", 51712);            /* 202 << 8 */
	expect_devid("xvdb", 51728);
	expect_devid("xvda1", 51713);
	expect_devid("xvdp", 51712 + 15 * 16);
	expect_devid("xvdp15", 51712 + 15 * 16 + 15);
	/* Partition 16 no longer fits the 4 bits: extended scheme. */
	expect_devid("xvda16", (1u << 28) | 16);
	/* xvdq is disk 16: extended. */
	expect_devid("xvdq", (1u << 28) | (16u << 8));
	expect_devid("xvdz", (1u << 28) | (25u << 8));
	expect_devid("xvdaa", (1u << 28) | (26u << 8));
	expect_devid("xvdab3", (1u << 28) | (27u << 8) | 3);
	expect_devid("xvdba", (1u << 28) | (52u << 8));
	expect_devid("d0p0", 51712);
	expect_devid("d1p2", 51728 + 2);
	expect_devid("d16p0", (1u << 28) | (16u << 8));
}

static void test_hd_sd_number(void **state)
{
	(void)state;
	expect_devid("hda", 3 << 8);
	expect_devid("hdb", (3 << 8) | 64);
	expect_devid("hdc", 22 << 8);
	expect_devid("hdd1", (22 << 8) | 64 | 1);
	expect_devid("hda63", (3 << 8) | 63);
	expect_devid("sda", 8 << 8);
	expect_devid("sdb2", (8 << 8) | 16 | 2);
	expect_devid("sdp15", (8 << 8) | 0xff);
	expect_devid("51712", 51712);
	expect_devid("0x100", 256);
}

static void test_refused(void **state)
{
	(void)state;
	expect_bad("");
	expect_bad("xvd");
	expect_bad("xvda0");        /* no leading zero */
	expect_bad("xvda01");
	expect_bad("xvda256");      /* partition above 255 */
	expect_bad("xvdA");
	expect_bad("xvda-1");
	expect_bad("hde");          /* only four IDE disks */
	expect_bad("hda64");
	expect_bad("sdq");          /* sixteen SCSI disks */
	expect_bad("sda16");
	expect_bad("vda");
	expect_bad("d1");
	expect_bad("d1p256");
	expect_bad("12x");
	expect_bad("-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xvd),
		cmocka_unit_test(test_hd_sd_number),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
