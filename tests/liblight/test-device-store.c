/*
 * test-device-store.c - the stored configuration follows hot plug
 * (device_store.c): an attached disk or vif is added as configured, a
 * detached one removed by its device number, the rest of the file kept as
 * it was, and what a restart reads back (light_domain_config_from_json)
 * has exactly the devices the guest had, vifs under their own numbers.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "light_lifecycle.h"

#define XVDA 51712u
#define XVDB 51728u
#define XVDC 51744u

static void model(struct light_domain_config *dc, const char *devices)
{
	char text[1024], err[256];
	struct light_cfg *cfg = light_cfg_new();

	snprintf(text, sizeof(text),
	         "name = \"ds\"\nkernel = \"/boot/vmlinuz\"\nmemory = 128\n%s",
	         devices);
	assert_non_null(cfg);
	assert_int_equal(light_cfg_parse_data(cfg, "t.cfg", text, strlen(text),
	                                      err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, dc, err, sizeof(err)), 0);
	light_cfg_free(cfg);
}

static char *stored(const char *devices)
{
	struct light_domain_config dc;
	char *json;

	model(&dc, devices);
	json = light_domain_config_print(&dc);
	assert_non_null(json);
	light_domain_config_dispose(&dc);
	return json;
}

static void load(const char *json, struct light_domain_config *dc)
{
	char err[256];

	assert_int_equal(light_domain_config_from_json(json, NULL, dc, err,
	                                               sizeof(err)), 0);
}

static char *disk_item(const char *spec)
{
	struct light_disk d;
	char err[256], *item;

	assert_int_equal(light_disk_parse(spec, &d, err, sizeof(err)), 0);
	item = light_disk_print(&d);
	assert_non_null(item);
	light_disk_dispose(&d);
	return item;
}

/* The root keys in order, joined by ','. */
static void keys(const char *json, char *out, size_t len)
{
	char perr[128];
	yajl_val root = yajl_tree_parse(json, perr, sizeof(perr));
	size_t i;

	assert_non_null(root);
	out[0] = '\0';
	for (i = 0; i < root->u.object.len; i++) {
		if (i)
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, root->u.object.keys[i], len - strlen(out) - 1);
	}
	yajl_tree_free(root);
}

static void disk_attach_then_detach(void **state)
{
	struct light_domain_config dc;
	char *json = stored("disk = [ 'phy:/dev/loop0,xvda,w' ]\n"
	                    "vif = [ 'mac=00:16:3e:00:00:01' ]\n");
	char *item = disk_item("format=qcow2,vdev=xvdb,access=ro,target=/srv/b.qcow2");
	char *added, *gone, *none;

	(void)state;
	added = light_config_json_device(json, "disks", XVDB, item);
	assert_non_null(added);
	load(added, &dc);
	assert_int_equal(dc.ndisks, 2);
	assert_string_equal(dc.disks[0].vdev, "xvda");
	assert_string_equal(dc.disks[1].vdev, "xvdb");
	/* As configured, not as served: the image, not its nbd device. */
	assert_string_equal(dc.disks[1].target, "/srv/b.qcow2");
	assert_string_equal(dc.disks[1].format, "qcow2");
	assert_false(dc.disks[1].readwrite);
	assert_int_equal(dc.nnics, 1);          /* the other list untouched */
	assert_string_equal(dc.name, "ds");
	light_domain_config_dispose(&dc);

	gone = light_config_json_device(added, "disks", XVDA, NULL);
	assert_non_null(gone);
	load(gone, &dc);
	assert_int_equal(dc.ndisks, 1);
	assert_string_equal(dc.disks[0].vdev, "xvdb");
	light_domain_config_dispose(&dc);

	/* The last one detached: no list at all, as create writes it. */
	none = light_config_json_device(gone, "disks", XVDB, NULL);
	assert_non_null(none);
	assert_null(strstr(none, "\"disks\""));
	load(none, &dc);
	assert_int_equal(dc.ndisks, 0);
	assert_int_equal(dc.nnics, 1);
	light_domain_config_dispose(&dc);
	free(none);
	free(gone);
	free(added);
	free(item);
	free(json);
}

/* An attach of a vdev already listed replaces that entry, never two. */
static void disk_same_vdev_replaces(void **state)
{
	struct light_domain_config dc;
	char *json = stored("disk = [ 'phy:/dev/loop0,xvda,w', 'phy:/dev/loop1,xvdc,w' ]\n");
	char *item = disk_item("/srv/new.img,xvdc,w");
	char *out = light_config_json_device(json, "disks", XVDC, item);

	(void)state;
	assert_non_null(out);
	load(out, &dc);
	assert_int_equal(dc.ndisks, 2);
	assert_string_equal(dc.disks[1].target, "/srv/new.img");
	light_domain_config_dispose(&dc);
	free(out);
	free(item);
	free(json);
}

static void nic_keeps_its_devid(void **state)
{
	struct light_domain_config dc;
	struct light_nic n;
	char err[256], *json, *item, *added, *gone;

	(void)state;
	json = stored("vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n");
	assert_int_equal(light_nic_parse("bridge=br1,mac=00:16:3e:aa:bb:cc,mtu=1400",
	                                 &n, err, sizeof(err)), 0);
	item = light_nic_print(&n, 3);
	assert_non_null(item);
	added = light_config_json_device(json, "nics", 3, item);
	assert_non_null(added);
	gone = light_config_json_device(added, "nics", 0, NULL);
	assert_non_null(gone);
	load(gone, &dc);
	assert_int_equal(dc.nnics, 1);
	assert_true(dc.nics[0].has_devid);
	assert_int_equal(light_nic_devid(&dc, 0), 3);
	assert_string_equal(dc.nics[0].bridge, "br1");
	assert_int_equal(dc.nics[0].mtu, 1400);
	assert_int_equal(dc.nics[0].mac[5], 0xcc);
	light_domain_config_dispose(&dc);
	light_nic_dispose(&n);
	free(gone);
	free(added);
	free(item);
	free(json);
}

/* A list the file lacks goes after b_info, "nics" after "disks". */
static void new_lists_in_libxl_order(void **state)
{
	char *json = stored("");
	char *disk = disk_item("/srv/a.img,xvda,w");
	char *one, *two, k[256];
	struct light_nic n;
	char err[256], *nic;

	(void)state;
	assert_int_equal(light_nic_parse("bridge=xenbr0", &n, err, sizeof(err)), 0);
	nic = light_nic_print(&n, 0);
	assert_non_null(nic);
	one = light_config_json_device(json, "nics", 0, nic);
	assert_non_null(one);
	keys(one, k, sizeof(k));
	assert_non_null(strstr(k, "c_info,b_info,nics,on_poweroff"));
	two = light_config_json_device(one, "disks", XVDA, disk);
	assert_non_null(two);
	keys(two, k, sizeof(k));
	assert_non_null(strstr(k, "c_info,b_info,disks,nics,on_poweroff"));
	light_nic_dispose(&n);
	free(two);
	free(one);
	free(nic);
	free(disk);
	free(json);
}

/* Fields this model does not know (a file libxl wrote) survive. */
static void unknown_fields_kept(void **state)
{
	static const char json[] =
		"{ \"c_info\": { \"name\": \"up\", \"xsdata\": { \"a\": \"b\" } },"
		"  \"b_info\": { \"max_memkb\": 131072 },"
		"  \"disks\": [ { \"vdev\": \"xvda\", \"pdev_path\": \"/x\","
		"                 \"colo_port\": 7 } ],"
		"  \"vfbs\": [ ] }";
	char *item = disk_item("/srv/b.img,xvdb,w");
	char *out = light_config_json_device(json, "disks", XVDB, item);

	(void)state;
	assert_non_null(out);
	assert_non_null(strstr(out, "\"xsdata\""));
	assert_non_null(strstr(out, "\"colo_port\": 7"));
	assert_non_null(strstr(out, "\"vfbs\""));
	assert_non_null(strstr(out, "/srv/b.img"));
	free(out);
	free(item);
}

static void bad_input(void **state)
{
	char *item = disk_item("/srv/b.img,xvdb,w");

	(void)state;
	errno = 0;
	assert_null(light_config_json_device("[ 1, 2 ]", "disks", XVDB, item));
	assert_int_equal(errno, EINVAL);
	assert_null(light_config_json_device("{ \"c_info\": ", "disks", XVDB, item));
	assert_int_equal(errno, EINVAL);
	assert_null(light_config_json_device("{ }", "disks", XVDB, "{ oops"));
	assert_int_equal(errno, EINVAL);
	free(item);
}

/* vif numbers: set ones kept, unset ones after the highest set one. */
static void nic_devid_numbering(void **state)
{
	struct light_domain_config dc;

	(void)state;
	model(&dc, "vif = [ 'bridge=a', 'bridge=b', 'bridge=c' ]\n");
	assert_int_equal(light_nic_devid(&dc, 0), 0);
	assert_int_equal(light_nic_devid(&dc, 2), 2);
	dc.nics[1].has_devid = true;
	dc.nics[1].devid = 5;
	assert_int_equal(light_nic_devid(&dc, 0), 6);
	assert_int_equal(light_nic_devid(&dc, 1), 5);
	assert_int_equal(light_nic_devid(&dc, 2), 7);
	light_domain_config_dispose(&dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disk_attach_then_detach),
		cmocka_unit_test(disk_same_vdev_replaces),
		cmocka_unit_test(nic_keeps_its_devid),
		cmocka_unit_test(new_lists_in_libxl_order),
		cmocka_unit_test(unknown_fields_kept),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(nic_devid_numbering),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
