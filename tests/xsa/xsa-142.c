/*
 * XSA-142: libxl ignored "ro" for file-backed disks handed to qdisk, so
 * a disk the administrator configured read-only was writable by the
 * guest.
 * Here read-only is one bit of the disk's config from the parser on, and
 * the vbd backend is given mode "r" for it.  On real Xen,
 * tests/system/cases/80-disks.sh checks the rest of the chain: the
 * backend's mode is "r", a write from inside the guest fails, and the
 * image's checksum is unchanged after the guest ran, also after a
 * reboot from the stored config; 85-qdisk checks the same for a disk
 * QEMU serves (backendtype=qdisk, the case of the advisory).  Tested here: every spelling of
 * read-only (and a cdrom, read-only by nature) parses to readwrite = 0,
 * survives the stored JSON config and its reading back (what reboot and
 * restore use), and nothing reads "ro" as writable.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "light_config.h"

static void check_ro(const char *spec)
{
	struct light_disk d;
	char err[256];

	if (light_disk_parse(spec, &d, err, sizeof(err)) < 0)
		fail_msg("%s: %s", spec, err);
	if (d.readwrite)
		fail_msg("%s: parsed as writable", spec);
	light_disk_dispose(&d);
}

static void test_spellings(void **state)
{
	(void)state;
	check_ro("/img/a.img,raw,xvda,ro");
	check_ro("/img/a.img,raw,xvda,r");
	check_ro("format=raw,vdev=xvda,access=ro,target=/img/a.img");
	check_ro("format=raw,vdev=xvda,access=r,target=/img/a.img");
	check_ro("file:/img/a.img,xvda,r");
	check_ro("format=qcow2,vdev=xvdb,access=ro,target=/img/a.qcow2");
	check_ro("vdev=hdc,devtype=cdrom,target=/img/a.iso");
	check_ro("/img/a.iso,raw,hdc:cdrom,r");
}

static void test_survives_stored_config(void **state)
{
	static const char cfg_text[] =
		"name=\"ro\"\nmemory=64\nkernel=\"/k\"\n"
		"disk=['format=raw,vdev=xvda,access=ro,target=/img/a.img',"
		"'format=raw,vdev=xvdb,access=rw,target=/img/b.img']\n";
	struct light_cfg *cfg = light_cfg_new();
	struct light_domain_config dc, back;
	char err[256], *json;

	(void)state;
	assert_int_equal(light_cfg_parse_data(cfg, "ro.cfg", cfg_text,
	                                      strlen(cfg_text), err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)), 0);
	assert_int_equal(dc.ndisks, 2);
	assert_false(dc.disks[0].readwrite);
	assert_true(dc.disks[1].readwrite);
	json = light_domain_config_print(&dc);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"readwrite\": 0"));
	assert_int_equal(light_domain_config_from_json(json, NULL, &back, err,
	                                               sizeof(err)), 0);
	assert_false(back.disks[0].readwrite);
	assert_true(back.disks[1].readwrite);
	light_domain_config_dispose(&back);
	free(json);
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_survives_stored_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
