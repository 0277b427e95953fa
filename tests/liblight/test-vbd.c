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
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "light_config.h"

static void expect_devid(const char *vdev, uint32_t want)
{
	uint32_t got = 0xdeadbeef;

	if (light_disk_vdev_to_devid(vdev, &got) != 0)
		fail_msg("%s: refused, wanted %u", vdev, want);
	if (got != want)
		fail_msg("%s: got %u, wanted %u", vdev, got, want);
}

static void expect_bad(const char *vdev)
{
	uint32_t got = 0;

	errno = 0;
	if (light_disk_vdev_to_devid(vdev, &got) == 0)
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

/* The forms of xl-disk-configuration(5) block-attach and disk= accept. */
static void test_disk_forms(void **state)
{
	struct light_disk d;
	char err[256];

	(void)state;
	assert_int_equal(light_disk_parse("phy:/dev/vg/x,xvda,w", &d, err, sizeof(err)), 0);
	assert_string_equal(d.target, "/dev/vg/x");
	assert_string_equal(d.backendtype, "phy");
	assert_true(d.readwrite);
	assert_false(d.share_writable);
	assert_int_equal(d.discard, -1);
	light_disk_dispose(&d);

	assert_int_equal(light_disk_parse("file:/srv/a.img,xvdb,w!", &d, err, sizeof(err)), 0);
	assert_string_equal(d.target, "/srv/a.img");
	assert_string_equal(d.format, "raw");
	assert_true(d.readwrite);
	assert_true(d.share_writable);
	light_disk_dispose(&d);

	assert_int_equal(light_disk_parse("format=qcow2, vdev=xvdc, access=ro, "
	                                  "discard, direct-io-safe, target=/i/a,b.qcow2",
	                                  &d, err, sizeof(err)), 0);
	assert_string_equal(d.format, "qcow2");
	assert_string_equal(d.vdev, "xvdc");
	assert_string_equal(d.target, "/i/a,b.qcow2");
	assert_false(d.readwrite);
	assert_int_equal(d.discard, 1);
	assert_true(d.direct_io_safe);
	light_disk_dispose(&d);

	assert_int_equal(light_disk_parse("vdev=xvdd,no-discard,backendtype=phy,"
	                                  "access=w!,target=/dev/loop7", &d, err, sizeof(err)), 0);
	assert_int_equal(d.discard, 0);
	assert_string_equal(d.backendtype, "phy");
	assert_true(d.share_writable);
	light_disk_dispose(&d);

	/* A cdrom is read-only whatever the spec says. */
	assert_int_equal(light_disk_parse("/x.iso,xvde:cdrom,w", &d, err, sizeof(err)), 0);
	assert_true(d.cdrom);
	assert_false(d.readwrite);
	light_disk_dispose(&d);
	assert_int_equal(light_disk_parse(",xvdc:cdrom,r", &d, err, sizeof(err)), 0);
	assert_null(d.target);
	assert_true(d.cdrom);
	light_disk_dispose(&d);

	assert_int_equal(light_disk_parse("/x,xvda,w?", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "disk 1: access `w?': expected w, r or w!");
	assert_int_equal(light_disk_parse("/x,xvda,w,bogus", &d, err, sizeof(err)), -1);
}

/* What create refuses before it creates anything. */
static void test_disk_runnable(void **state)
{
	static const struct { const char *cfg, *msg; } bad[] = {
		{ "disk=['/a,xvda,w','/b,51712,w']", "disk 2: 51712 is the same device as disk 1 (xvda)" },
		{ "disk=['/a,vda,w']", "disk 1: invalid virtual disk name `vda'" },
		{ "disk=['/a,xvda,w,backendtype=tap']", "disk 1: backendtype=tap needs tapdisk" },
		{ "disk=['vdev=xvdc,devtype=cdrom,access=ro,backendtype=phy']", "disk 1: an empty cdrom needs backendtype=qdisk, not phy" },
	};
	struct light_domain_config dc;
	struct light_cfg *cfg;
	char err[256], text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = light_cfg_new();
		assert_non_null(cfg);
		snprintf(text, sizeof(text), "name='a'\nkernel='/k'\n%s\n", bad[i].cfg);
		assert_int_equal(light_cfg_parse_data(cfg, "g.cfg", text, strlen(text),
		                                      err, sizeof(err)), 0);
		assert_int_equal(light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)), 0);
		assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("%s: got `%s', wanted `%s'", bad[i].cfg, err, bad[i].msg);
		light_domain_config_dispose(&dc);
		light_cfg_free(cfg);
	}
	cfg = light_cfg_new();
	snprintf(text, sizeof(text), "name='a'\nkernel='/k'\ndisk=['/a,xvda,w','/a,hda,r']\n");
	assert_int_equal(light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);

	/* QEMU's disks: an image and an empty cdrom pass the check. */
	cfg = light_cfg_new();
	snprintf(text, sizeof(text), "name='a'\nkernel='/k'\n"
	         "disk=['format=qcow2,vdev=xvda,backendtype=qdisk,target=/a.q', ',xvdc:cdrom,r']\n");
	assert_int_equal(light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	assert_string_equal(dc.disks[0].backendtype, "qdisk");
	assert_null(dc.disks[1].target);
	assert_true(dc.disks[1].cdrom);
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);

	/* A block script's target is the script's: create takes it. */
	cfg = light_cfg_new();
	snprintf(text, sizeof(text), "name='a'\nkernel='/k'\n"
	         "disk=['vdev=xvda,script=iscsi,target=iqn.2026-12.x:y']\n");
	assert_int_equal(light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	assert_string_equal(dc.disks[0].script, "iscsi");
	assert_string_equal(dc.disks[0].target, "iqn.2026-12.x:y");
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xvd),
		cmocka_unit_test(test_hd_sd_number),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_disk_forms),
		cmocka_unit_test(test_disk_runnable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
