/*
 * test-config-load.c - the stored configuration read back
 * (light_domain_config_from_json): every field config_json.c writes comes
 * back as it was, so the monitor daemon restarts a guest exactly as it was
 * created; bad stored files are refused with a message, never a crash.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "light_config.h"

static char err[512];

static void model(const char *text, struct light_domain_config *dc)
{
	struct light_cfg *cfg = light_cfg_new();

	assert_non_null(cfg);
	if (light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err, sizeof(err)) < 0 ||
	    light_domain_config_from_cfg(cfg, dc, err, sizeof(err)) < 0) {
		light_cfg_free(cfg);
		fail_msg("model failed: %s", err);
	}
	light_cfg_free(cfg);
}

/* A config with every field set, in both wrappings. */
static const char full_cfg[] =
	"name = 'full'\nuuid = '6b4e9c0e-1111-4a2b-9c3d-0123456789ab'\n"
	"kernel = '/k'\nramdisk = '/r'\nextra = 'console=hvc0'\nroot = '/dev/xvda'\n"
	"memory = 96\nmaxmem = 128\nvcpus = 2\nmaxvcpus = 4\n"
	"cpus = [ '0-1', '3' ]\ncpus_soft = '2,5'\n"
	"max_grant_frames = 16\nmax_maptrack_frames = 0\nmax_grant_version = 1\n"
	"on_poweroff = 'preserve'\non_reboot = 'rename-restart'\n"
	"on_crash = 'coredump-restart'\non_watchdog = 'coredump-destroy'\n"
	"on_soft_reset = 'destroy'\n"
	"disk = [ '/img/a.raw,raw,xvda,rw', 'format=qcow2,vdev=xvdb,access=ro,"
	"no-discard,direct-io-safe,target=/img/b.qcow2', '/img/c.iso,raw,xvdc,r,devtype=cdrom' ]\n"
	"vif = [ 'mac=00:16:3e:01:02:03,bridge=xenbr0,ip=192.0.2.5,mtu=1400,"
	"rate=10Mb/s,vifname=v1', 'type=ioemu,model=e1000,script=vif-route,"
	"gatewaydev=eth9,backend=0' ]\n";

static void round_trip(const char *text, bool wrap)
{
	struct light_domain_config dc, back;
	char *j1, *j2, *in;

	model(text, &dc);
	j1 = light_domain_config_print(&dc);
	assert_non_null(j1);
	in = wrap ? light_domain_config_to_json(&dc, 7) : strdup(j1);
	assert_non_null(in);
	if (light_domain_config_from_json(in, "t", &back, err, sizeof(err)) < 0)
		fail_msg("load failed: %s\n%s", err, in);
	j2 = light_domain_config_print(&back);
	assert_non_null(j2);
	assert_string_equal(j1, j2);
	assert_string_equal(back.source, "t");
	free(j1);
	free(j2);
	free(in);
	light_domain_config_dispose(&dc);
	light_domain_config_dispose(&back);
}

static void test_round_trip_full(void **state)
{
	(void)state;
	round_trip(full_cfg, false);
	round_trip(full_cfg, true);
}

static void test_round_trip_minimal(void **state)
{
	(void)state;
	round_trip("name = 'g'\nkernel = '/k'\n", false);
}

/* Field by field for the ones the monitor acts on. */
static void test_actions_and_identity(void **state)
{
	struct light_domain_config dc, back;
	char *j;

	(void)state;
	model(full_cfg, &dc);
	j = light_domain_config_print(&dc);
	assert_non_null(j);
	assert_int_equal(light_domain_config_from_json(j, NULL, &back, err, sizeof(err)), 0);
	assert_string_equal(back.name, "full");
	assert_true(back.has_uuid);
	assert_memory_equal(back.uuid, dc.uuid, 16);
	assert_int_equal(back.on_poweroff, LIGHT_ACTION_PRESERVE);
	assert_int_equal(back.on_reboot, LIGHT_ACTION_RENAME_RESTART);
	assert_int_equal(back.on_crash, LIGHT_ACTION_COREDUMP_RESTART);
	assert_int_equal(back.on_watchdog, LIGHT_ACTION_COREDUMP_DESTROY);
	assert_int_equal(back.on_soft_reset, LIGHT_ACTION_DESTROY);
	assert_int_equal(back.nnics, 2);
	assert_true(back.nics[0].has_mac);
	assert_int_equal(back.nics[0].mac[5], 3);
	assert_int_equal(back.vcpus, 2);
	assert_int_equal(back.max_vcpus, 4);
	assert_string_equal(back.source, "<stored>");
	/* cpus= per vcpu, cpus_soft= for all four; the grant limits. */
	assert_int_equal(back.ncpus_hard, 2);
	assert_true(light_cpumap_test(&back.cpus_hard[0], 1));
	assert_false(light_cpumap_test(&back.cpus_hard[0], 2));
	assert_true(light_cpumap_test(&back.cpus_hard[1], 3));
	assert_int_equal(light_cpumap_count(&back.cpus_hard[1], 512), 1);
	assert_int_equal(back.ncpus_soft, 4);
	assert_true(light_cpumap_test(&back.cpus_soft[3], 5));
	assert_int_equal(light_cpumap_count(&back.cpus_soft[3], 512), 2);
	assert_int_equal(back.max_grant_frames, 16);
	assert_int_equal(back.max_maptrack_frames, 0);
	assert_int_equal(back.max_grant_version, 1);
	assert_false(back.claim_mode);
	free(j);
	light_domain_config_dispose(&dc);
	light_domain_config_dispose(&back);
}

/* Unset grant limits stay unset (-1) through a file, and libxl's own
 * "default" (its uint32 -1) reads as unset; claim_mode in either form. */
static void test_grant_defaults(void **state)
{
	struct light_domain_config dc, back;
	char *j;

	(void)state;
	model("name = 'g'\nkernel = '/k'\n", &dc);
	assert_int_equal(dc.max_grant_frames, -1);
	assert_int_equal(dc.max_maptrack_frames, -1);
	assert_int_equal(dc.max_grant_version, -1);
	dc.claim_mode = true;
	j = light_domain_config_print(&dc);
	assert_non_null(j);
	assert_null(strstr(j, "max_grant_frames"));
	assert_non_null(strstr(j, "\"claim_mode\": \"True\""));
	assert_int_equal(light_domain_config_from_json(j, NULL, &back, err, sizeof(err)), 0);
	assert_int_equal(back.max_grant_frames, -1);
	assert_int_equal(back.max_grant_version, -1);
	assert_true(back.claim_mode);
	free(j);
	light_domain_config_dispose(&back);
	light_domain_config_dispose(&dc);

	assert_int_equal(light_domain_config_from_json(
	    "{\"c_info\": {\"name\": \"u\"}, \"b_info\": {\"max_vcpus\": 1, "
	    "\"max_memkb\": 1024, \"max_grant_frames\": 4294967295, "
	    "\"max_maptrack_frames\": 8, \"claim_mode\": true}}",
	    NULL, &back, err, sizeof(err)), 0);
	assert_int_equal(back.max_grant_frames, -1);
	assert_int_equal(back.max_maptrack_frames, 8);
	assert_true(back.claim_mode);
	light_domain_config_dispose(&back);
}

static void test_soft_reset_default(void **state)
{
	struct light_domain_config dc;

	(void)state;
	model("name = 'g'\nkernel = '/k'\n", &dc);
	assert_int_equal(dc.on_soft_reset, LIGHT_ACTION_SOFT_RESET);
	light_domain_config_dispose(&dc);
}

static void expect_bad(const char *json, const char *msg)
{
	struct light_domain_config dc;

	if (light_domain_config_from_json(json, NULL, &dc, err, sizeof(err)) == 0) {
		light_domain_config_dispose(&dc);
		fail_msg("accepted: %s", json);
	}
	assert_non_null(strstr(err, msg));
	/* Refused: nothing left to free. */
	assert_null(dc.name);
	assert_null(dc.disks);
}

static void test_bad_files(void **state)
{
	(void)state;
	expect_bad("", "not JSON");
	expect_bad("{\"c_info\": ", "not JSON");
	expect_bad("[1, 2]", "not an object");
	expect_bad("{}", "no c_info");
	expect_bad("{\"c_info\": {\"name\": 5}, \"b_info\": {}}", "name: not a string");
	expect_bad("{\"c_info\": {}, \"b_info\": {}}", "has no name");
	expect_bad("{\"c_info\": {\"name\": \"g\", \"uuid\": \"zz\"}, \"b_info\": {}}",
	           "not a uuid");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {\"max_vcpus\": -1}}",
	           "max_vcpus");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {\"max_vcpus\": 1, "
	           "\"avail_vcpus\": [0, 1]}}", "avail_vcpus");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {}, "
	           "\"on_crash\": \"explode\"}", "on_crash: unknown action");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {}, "
	           "\"disks\": [{\"vdev\": \"xvda\"}, {\"pdev_path\": \"/x\"}]}",
	           "has no vdev");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {}, "
	           "\"nics\": [{\"mac\": \"00:16:3e:01:02\"}]}", "bad mac");
	expect_bad("{\"c_info\": {\"name\": \"g\"}, \"b_info\": {}, \"nics\": 3}",
	           "nics: not a list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_round_trip_minimal),
		cmocka_unit_test(test_actions_and_identity),
		cmocka_unit_test(test_soft_reset_default),
		cmocka_unit_test(test_grant_defaults),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
