/*
 * test-model.c - the domain configuration model: defaults, type and range
 * errors with file:line, devices, runnable checks, and the JSON shape
 * (parsed back with yajl's tree parser and checked field by field).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "light_config.h"

static char err[512];

/* Build a model from text; returns 0 or -1 (message in err). */
static int model(const char *text, struct light_domain_config *dc)
{
	struct light_cfg *cfg = light_cfg_new();
	int rc;

	assert_non_null(cfg);
	if (light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err, sizeof(err)) < 0) {
		light_cfg_free(cfg);
		fail_msg("parse failed: %s", err);
	}
	rc = light_domain_config_from_cfg(cfg, dc, err, sizeof(err));
	light_cfg_free(cfg);
	return rc;
}

static void expect_model_error(const char *text, const char *msg)
{
	struct light_domain_config dc;

	if (model(text, &dc) == 0) {
		light_domain_config_dispose(&dc);
		fail_msg("accepted, expected: %s", msg);
	}
	assert_string_equal(err, msg);
}

static void test_defaults(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model("name = 'g'\nkernel = '/k'\n", &dc), 0);
	assert_string_equal(dc.name, "g");
	assert_int_equal(dc.type, LIGHT_DOMAIN_PV);
	assert_false(dc.has_uuid);
	assert_int_equal(dc.target_memkb, 32 * 1024);
	assert_int_equal(dc.max_memkb, 32 * 1024);
	assert_int_equal(dc.vcpus, 1);
	assert_int_equal(dc.max_vcpus, 1);
	assert_null(dc.cmdline);
	assert_int_equal(dc.on_poweroff, LIGHT_ACTION_DESTROY);
	assert_int_equal(dc.on_reboot, LIGHT_ACTION_RESTART);
	assert_int_equal(dc.on_crash, LIGHT_ACTION_DESTROY);
	assert_int_equal(dc.on_watchdog, LIGHT_ACTION_DESTROY);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	light_domain_config_dispose(&dc);
}

static void test_values(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model(
		"name = 'web'\n"
		"uuid = '6C5F1B1E-8D3A-4E2B-9F7A-2F1D3C4B5A69'\n"
		"memory = 0x80\n"
		"maxmem = \"256\"\n"              /* numbers may be quoted */
		"vcpus = 2\nmaxvcpus = 4\n"
		"kernel = '/k'\nramdisk = '/r'\n"
		"root = '/dev/xvda1'\nextra = 'console=hvc0'\n"
		"on_crash = 'preserve'\non_reboot = 'coredump-restart'\n"
		"builder = 'generic'\n"
		"vnc = 1\nsdl = [ 'whatever' ]\n",  /* unknown keys ignored */
		&dc), 0);
	assert_true(dc.has_uuid);
	assert_int_equal(dc.uuid[0], 0x6c);
	assert_int_equal(dc.uuid[15], 0x69);
	assert_int_equal(dc.target_memkb, 128 * 1024);
	assert_int_equal(dc.max_memkb, 256 * 1024);
	assert_int_equal(dc.vcpus, 2);
	assert_int_equal(dc.max_vcpus, 4);
	assert_string_equal(dc.ramdisk, "/r");
	assert_string_equal(dc.cmdline, "root=/dev/xvda1 console=hvc0");
	assert_int_equal(dc.on_crash, LIGHT_ACTION_PRESERVE);
	assert_int_equal(dc.on_reboot, LIGHT_ACTION_COREDUMP_RESTART);
	light_domain_config_dispose(&dc);

	/* cmdline wins over root/extra; maxmem alone sets memory too. */
	assert_int_equal(model("name='a'\ncmdline='c'\nroot='r'\nmaxmem=64\n", &dc), 0);
	assert_string_equal(dc.cmdline, "c");
	assert_int_equal(dc.target_memkb, 64 * 1024);
	light_domain_config_dispose(&dc);
	assert_int_equal(model("name='a'\nextra='only'\n", &dc), 0);
	assert_string_equal(dc.cmdline, "only");
	light_domain_config_dispose(&dc);
}

static void test_errors(void **state)
{
	(void)state;
	expect_model_error("memory = 1\n", "g.cfg: no domain name: name = \"...\" is required");
	expect_model_error("name = ['a']\n", "g.cfg:1: name: expected a string, not a list");
	expect_model_error("name = ''\n", "g.cfg:1: name: must not be empty");
	expect_model_error("name = '42'\n",
	                   "g.cfg:1: name: `42' is a number; it would be taken for a domain id");
	expect_model_error("name = 'a/b'\n",
	                   "g.cfg:1: name: invalid character in `a/b' (use letters, digits and -_.:@+)");
	expect_model_error("name='a'\n\nmemory = 'lots'\n", "g.cfg:3: memory: not a number: `lots'");
	expect_model_error("name='a'\nmemory = [1]\n", "g.cfg:2: memory: expected a number, not a list");
	expect_model_error("name='a'\nmemory = 0\n",
	                   "g.cfg:2: memory: 0 is out of range (1 to 16777216)");
	expect_model_error("name='a'\nmemory = 99999999999999999999\n",
	                   "g.cfg:2: memory: 99999999999999999999 is out of range (1 to 16777216)");
	expect_model_error("name='a'\nmemory=256\nmaxmem=128\n",
	                   "g.cfg:3: maxmem (128 MB) is smaller than memory (256 MB)");
	expect_model_error("name='a'\nvcpus=4\nmaxvcpus=2\n",
	                   "g.cfg:3: maxvcpus (2) is smaller than vcpus (4)");
	expect_model_error("name='a'\nvcpus=1000\n", "g.cfg:2: vcpus: 1000 is out of range (1 to 128)");
	expect_model_error("name='a'\non_crash='explode'\n",
	                   "g.cfg:2: on_crash: unknown action `explode' (destroy, restart, "
	                   "rename-restart, preserve, coredump-destroy, coredump-restart, soft-reset)");
	expect_model_error("name='a'\ntype='xen'\n", "g.cfg:2: type: unknown `xen' (pv, pvh or hvm)");
	expect_model_error("name='a'\nuuid='nope'\n", "g.cfg:2: uuid: invalid `nope'");
	expect_model_error("name='a'\ndisk='x'\n", "g.cfg:2: disk: expected a list [ ... ]");
	expect_model_error("name='a'\ndisk=[['x']]\n", "g.cfg:2: disk: item 1: expected a string, not a list");
}

static void test_devices(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model(
		"name='a'\nkernel='/k'\n"
		"disk = [ 'phy:/dev/vg/a,xvda,w', '/img,qcow2,xvdb,r',\n"
		"  'vdev=xvdc, devtype=cdrom, access=ro, target=/iso/a,b.iso',\n"
		"  'file:/x.img,xvdd:cdrom,r' ]\n"
		"vif = [ 'mac=00:16:3E:aa:bb:cc, bridge=br0', 'ip=10.0.0.2' ]\n", &dc), 0);
	assert_int_equal(dc.ndisks, 4);
	assert_string_equal(dc.disks[0].target, "/dev/vg/a");
	assert_string_equal(dc.disks[0].backendtype, "phy");
	assert_string_equal(dc.disks[0].vdev, "xvda");
	assert_string_equal(dc.disks[0].format, "raw");
	assert_true(dc.disks[0].readwrite);
	assert_string_equal(dc.disks[1].format, "qcow2");
	assert_string_equal(dc.disks[1].vdev, "xvdb");
	assert_false(dc.disks[1].readwrite);
	assert_string_equal(dc.disks[2].target, "/iso/a,b.iso");  /* commas kept */
	assert_true(dc.disks[2].cdrom);
	assert_false(dc.disks[2].readwrite);
	assert_string_equal(dc.disks[3].vdev, "xvdd");
	assert_true(dc.disks[3].cdrom);
	assert_int_equal(dc.nnics, 2);
	assert_true(dc.nics[0].has_mac);
	assert_int_equal(dc.nics[0].mac[2], 0x3e);
	assert_int_equal(dc.nics[0].mac[5], 0xcc);
	assert_string_equal(dc.nics[0].bridge, "br0");
	assert_false(dc.nics[1].has_mac);
	assert_string_equal(dc.nics[1].ip, "10.0.0.2");
	light_domain_config_dispose(&dc);

	/* rate= as libxl keeps it (bytes per interval, interval), mtu=, and
	 * gatewaydev=. */
	assert_int_equal(model("name='a'\n"
		"vif = [ 'rate=10Mb/s, mtu=1400, gatewaydev=eth1', 'rate=1MB/s@20ms',\n"
		"        'rate=0x10KB/s@100000us' ]\n", &dc), 0);
	assert_int_equal(dc.nnics, 3);
	assert_int_equal(dc.nics[0].rate_interval_usecs, 50000);
	assert_int_equal(dc.nics[0].rate_bytes_per_interval, 62500);
	assert_int_equal(dc.nics[0].mtu, 1400);
	assert_string_equal(dc.nics[0].gatewaydev, "eth1");
	assert_int_equal(dc.nics[1].rate_interval_usecs, 20000);
	assert_int_equal(dc.nics[1].rate_bytes_per_interval, 20000);
	assert_int_equal(dc.nics[2].rate_interval_usecs, 100000);
	assert_int_equal(dc.nics[2].rate_bytes_per_interval, 1600);
	assert_int_equal(dc.nics[2].mtu, 0);
	light_domain_config_dispose(&dc);

	expect_model_error("name='a'\ndisk=['/x']\n", "g.cfg:2: disk 1: no vdev in `/x'");
	expect_model_error("name='a'\ndisk=['vdev=xvda']\n", "g.cfg:2: disk 1: no target in `vdev=xvda'");
	expect_model_error("name='a'\ndisk=['/x,xvda,q']\n", "g.cfg:2: disk 1: access `q': expected w, r or w!");
	expect_model_error("name='a'\ndisk=['/x,xvda,w', 'bogus=1']\n",
	                   "g.cfg:2: disk 2: unknown parameter `bogus' in `bogus=1'");
	expect_model_error("name='a'\nvif=['mac=00:16:3e:aa:bb']\n",
	                   "g.cfg:2: vif 1: invalid mac `00:16:3e:aa:bb'");
	expect_model_error("name='a'\nvif=['rate=10Xb/s']\n",
	                   "g.cfg:2: vif 1: invalid rate `10Xb/s' (e.g. 10Mb/s, 1MB/s@20ms)");
	expect_model_error("name='a'\nvif=['rate=10MB/s@0ms']\n",
	                   "g.cfg:2: vif 1: invalid rate `10MB/s@0ms' (e.g. 10Mb/s, 1MB/s@20ms)");
	expect_model_error("name='a'\nvif=['mtu=40']\n",
	                   "g.cfg:2: vif 1: invalid mtu `40' (68-65535)");
	expect_model_error("name='a'\nvif=['accel=x']\n",
	                   "g.cfg:2: vif 1: unsupported parameter `accel'");
}

static yajl_val get(yajl_val root, const char **path, yajl_type type);

/* What does not apply to a PVH guest is refused at its line. */
static void test_pvh(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model("name='a'\ntype='pvh'\nkernel='/k'\nmemory=256\n"
	                       "maxmem=256\nvcpus=4\n", &dc), 0);
	assert_int_equal(dc.type, LIGHT_DOMAIN_PVH);
	assert_int_equal(dc.max_vcpus, 4);
	/* Stored as libxl stores a PVH guest: c_info.type "pvh" and the
	 * b_info union keyed "type.pvh"; read back as PVH. */
	{
		struct light_domain_config back;
		char ebuf[256], *json = light_domain_config_to_json(&dc, 3);
		yajl_val root;
		const char *t[] = { "config", "c_info", "type", NULL };
		const char *u[] = { "config", "b_info", "type.pvh", NULL };
		const char *v[] = { "config", "b_info", "type.pv", NULL };

		assert_non_null(json);
		root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
		assert_non_null(root);
		assert_string_equal(YAJL_GET_STRING(get(root, t, yajl_t_string)), "pvh");
		assert_non_null(get(root, u, yajl_t_object));
		assert_null(yajl_tree_get(root, v, yajl_t_any));
		yajl_tree_free(root);
		assert_int_equal(light_domain_config_from_json(json, NULL, &back,
		                 ebuf, sizeof(ebuf)), 0);
		assert_int_equal(back.type, LIGHT_DOMAIN_PVH);
		light_domain_config_dispose(&back);
		free(json);
	}
	light_domain_config_dispose(&dc);
	expect_model_error("name='a'\ntype='pvh'\nkernel='/k'\nvga='none'\n",
	                   "g.cfg:4: vga: not for type \"pvh\" (an option of HVM "
	                   "guests' emulated machine)");
	expect_model_error("name='a'\ntype='pvh'\nserial='pty'\n",
	                   "g.cfg:3: serial: not for type \"pvh\" (an option of HVM "
	                   "guests' emulated machine)");
	expect_model_error("name='a'\ntype='pvh'\nmemory=128\nmaxmem=256\n",
	                   "g.cfg:4: maxmem (256 MB) differs from memory (128 MB): a "
	                   "PVH guest's memory is populated in full, it cannot "
	                   "balloon up");
	/* The same options on a PV guest stay ignored, as upstream's xl
	 * ignores HVM-only keys there. */
	assert_int_equal(model("name='a'\nkernel='/k'\nvga='none'\n", &dc), 0);
	light_domain_config_dispose(&dc);
}

/* type "hvm": the emulated PC's keys, what is refused at its line, and
 * the stored JSON giving the same configuration back (a restart). */
static void test_hvm(void **state)
{
	struct light_domain_config dc, back;
	char ebuf[256];
	char *json;

	(void)state;
	assert_int_equal(model("name='h'\ntype='hvm'\nkernel='/k'\nmemory=256\n"
	                       "vga='none'\nserial=['file:/tmp/s.log']\nacpi=0\n"
	                       "bios='seabios'\nbios_path_override='/b.bin'\n"
	                       "device_model_override='/q'\n"
	                       "device_model_version='qemu-xen'\nboot='dc'\n", &dc), 0);
	assert_int_equal(dc.type, LIGHT_DOMAIN_HVM);
	assert_string_equal(dc.hvm.vga, "none");
	assert_string_equal(dc.hvm.serial, "file:/tmp/s.log");
	assert_false(dc.hvm.acpi);
	assert_string_equal(dc.hvm.bios_path, "/b.bin");
	assert_string_equal(dc.hvm.device_model, "/q");
	json = light_domain_config_to_json(&dc, 7);
	assert_non_null(json);
	assert_int_equal(light_domain_config_from_json(json, "stored", &back,
	                 ebuf, sizeof(ebuf)), 0);
	assert_int_equal(back.type, LIGHT_DOMAIN_HVM);
	assert_string_equal(back.hvm.vga, "none");
	assert_string_equal(back.hvm.serial, "file:/tmp/s.log");
	assert_false(back.hvm.acpi);
	assert_string_equal(back.hvm.bios_path, "/b.bin");
	assert_string_equal(back.hvm.device_model, "/q");
	assert_string_equal(back.hvm.boot, "dc");
	assert_int_equal(light_domain_config_check_runnable(&back, ebuf, sizeof(ebuf)), 0);
	light_domain_config_dispose(&back);
	free(json);
	light_domain_config_dispose(&dc);

	/* serial as a plain string; acpi defaults on. */
	assert_int_equal(model("name='h'\ntype='hvm'\nvga='none'\nserial='pty'\n", &dc), 0);
	assert_string_equal(dc.hvm.serial, "pty");
	assert_true(dc.hvm.acpi);
	light_domain_config_dispose(&dc);

	/* Upstream's defaults: a Cirrus card with 8 MiB of video memory
	 * out of memory=, VNC on 127.0.0.1 from display 0, HPET on. */
	assert_int_equal(model("name='h'\ntype='hvm'\n", &dc), 0);
	assert_string_equal(dc.hvm.vga, "cirrus");
	assert_int_equal(dc.hvm.video_memkb, 8 * 1024);
	assert_true(dc.hvm.vnc);
	assert_true(dc.hvm.vncunused);
	assert_null(dc.hvm.vnclisten);
	assert_int_equal(dc.hvm.vncdisplay, 0);
	assert_true(dc.hvm.hpet);
	assert_false(dc.hvm.viridian);
	assert_false(dc.hvm.nographic);
	light_domain_config_dispose(&dc);

	/* stdvga (and the old stdvga=1), its 16 MiB, every VNC key, and the
	 * JSON round trip (libxl spells the card "std"). */
	assert_int_equal(model("name='h'\ntype='hvm'\nstdvga=1\nvnclisten='0.0.0.0'\n"
	                       "vncdisplay=3\nvncunused=0\nvncpasswd='s3cret'\n"
	                       "keymap='de'\nviridian=1\nhpet=0\n", &dc), 0);
	assert_string_equal(dc.hvm.vga, "stdvga");
	assert_int_equal(dc.hvm.video_memkb, 16 * 1024);
	json = light_domain_config_to_json(&dc, 7);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"kind\": \"std\""));
	assert_non_null(strstr(json, "\"video_memkb\": 16384"));
	assert_int_equal(light_domain_config_from_json(json, "stored", &back,
	                 ebuf, sizeof(ebuf)), 0);
	assert_string_equal(back.hvm.vga, "stdvga");
	assert_int_equal(back.hvm.video_memkb, 16 * 1024);
	assert_true(back.hvm.vnc);
	assert_false(back.hvm.vncunused);
	assert_string_equal(back.hvm.vnclisten, "0.0.0.0");
	assert_int_equal(back.hvm.vncdisplay, 3);
	assert_string_equal(back.hvm.vncpasswd, "s3cret");
	assert_string_equal(back.hvm.keymap, "de");
	assert_true(back.hvm.viridian);
	assert_false(back.hvm.hpet);
	light_domain_config_dispose(&back);
	free(json);
	light_domain_config_dispose(&dc);

	/* viridian's list form: defaults, plus and minus groups. */
	assert_int_equal(model("name='h'\ntype='hvm'\n"
	                       "viridian=['defaults','stimer','!crash_ctl']\n", &dc), 0);
	assert_true(dc.hvm.viridian);
	assert_int_equal(dc.hvm.viridian_enable, 1u << 8);
	assert_int_equal(dc.hvm.viridian_disable, 1u << 6);
	assert_int_equal(light_viridian_groups(&dc), 0x127);
	json = light_domain_config_to_json(&dc, 7);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"viridian_enable\": [\n"));
	assert_int_equal(light_domain_config_from_json(json, "stored", &back,
	                 ebuf, sizeof(ebuf)), 0);
	assert_int_equal(light_viridian_groups(&back), 0x127);
	light_domain_config_dispose(&back);
	free(json);
	light_domain_config_dispose(&dc);
	expect_model_error("name='h'\ntype='hvm'\nviridian=['freq']\n",
	                   "g.cfg:3: viridian: the other groups need \"base\"");
	expect_model_error("name='h'\ntype='hvm'\nviridian=['base','warp']\n",
	                   "g.cfg:3: viridian: unknown group `warp'");
	expect_model_error("name='h'\ntype='hvm'\nviridian=['base','synic','!synic']\n",
	                   "g.cfg:3: viridian: a group both added and taken away");

	/* vga="none" and vnc=0: no video memory, no VNC server. */
	assert_int_equal(model("name='h'\ntype='hvm'\nvga='none'\nvnc=0\n", &dc), 0);
	assert_int_equal(dc.hvm.video_memkb, 0);
	assert_false(dc.hvm.vnc);
	light_domain_config_dispose(&dc);

	expect_model_error("name='h'\ntype='hvm'\nvga='qxl'\n",
	                   "g.cfg:3: vga: qxl needs SPICE, which Lightstack does not "
	                   "offer (use stdvga or cirrus, with vnc)");
	expect_model_error("name='h'\ntype='hvm'\nvga='vmware'\n",
	                   "g.cfg:3: vga: `vmware': expected stdvga, cirrus or none");
	expect_model_error("name='h'\ntype='hvm'\nvga='stdvga'\nvideoram=8\n",
	                   "g.cfg:4: videoram (8 MB): vga=\"stdvga\" needs at least "
	                   "16 MB");
	expect_model_error("name='h'\ntype='hvm'\nsdl=1\n",
	                   "g.cfg:3: sdl: QEMU's SDL window needs an X display in "
	                   "Dom0; use vnc");
	expect_model_error("name='h'\ntype='hvm'\nvnclisten='1.2.3.4,x=y'\n",
	                   "g.cfg:3: vnclisten: `1.2.3.4,x=y': expected an address "
	                   "(and :display)");
	expect_model_error("name='h'\ntype='hvm'\nvnclisten='127.0.0.1:2'\nvncdisplay=1\n",
	                   "g.cfg:3: vnclisten: `127.0.0.1:2' names a display and "
	                   "vncdisplay= is set too");
	expect_model_error("name='h'\ntype='hvm'\nusb=1\n",
	                   "g.cfg:3: usb: not supported for HVM guests yet (no "
	                   "USB, sound or SPICE)");
	/* The card's memory counts against memory=. */
	expect_model_error("name='h'\ntype='hvm'\nmemory=20\n",
	                   "g.cfg:3: memory (20 MB): an HVM guest needs at least "
	                   "24 MB (8 MB of it video memory)");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\nmemory=128\nmaxmem=256\n",
	                   "g.cfg:5: maxmem (256 MB) differs from memory (128 MB): "
	                   "an HVM guest's memory is populated in full (no "
	                   "populate-on-demand)");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\nmemory=8\n",
	                   "g.cfg:4: memory (8 MB): an HVM guest needs at least 16 MB "
	                   "(0 MB of it video memory)");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\nserial=['pty','pty']\n",
	                   "g.cfg:4: serial: one serial port only");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\nboot='x'\n",
	                   "g.cfg:4: boot: `x': expected up to four of c (disk), "
	                   "d (cdrom), a (floppy), n (network)");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\nbios='ovmf'\n",
	                   "g.cfg:4: bios: `ovmf': only seabios is supported "
	                   "(rombios needs qemu-traditional, ovmf is not packaged "
	                   "for Xen in Debian)");
	expect_model_error("name='h'\ntype='hvm'\nvga='none'\n"
	                   "device_model_version='qemu-xen-traditional'\n",
	                   "g.cfg:4: device_model_version: only qemu-xen is supported");
}

static void test_runnable(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model("name='a'\ntype='hvm'\nkernel='/k'\nvga='none'\n", &dc), 0);
	assert_int_equal(dc.type, LIGHT_DOMAIN_HVM);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	light_domain_config_dispose(&dc);
	/* An HVM guest boots a disk (SeaBIOS) or a kernel (QEMU): neither is
	 * nothing to boot. */
	assert_int_equal(model("name='a'\ntype='hvm'\nvga='none'\n", &dc), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), -1);
	assert_string_equal(err, "g.cfg: nothing to boot: an HVM guest needs a "
	                    "disk= (SeaBIOS boots it) or a kernel= (QEMU loads it)");
	light_domain_config_dispose(&dc);
	assert_int_equal(model("name='a'\ntype='hvm'\nvga='none'\nboot='c'\n"
	                       "disk=['file:/i,hda,w']\n", &dc), 0);
	assert_string_equal(dc.hvm.boot, "c");
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	light_domain_config_dispose(&dc);
	assert_int_equal(model("name='a'\ntype='hvm'\nkernel='/k'\nvga='none'\n"
	                       "disk=['backendtype=qdisk,vdev=xvda,target=/i']\n", &dc), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "g.cfg: disk 1: an HVM guest's disks are served by "
	                        "blkback only"));
	light_domain_config_dispose(&dc);

	assert_int_equal(model("name='a'\ntype='pvh'\nkernel='/k'\n", &dc), 0);
	assert_int_equal(dc.type, LIGHT_DOMAIN_PVH);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), 0);
	light_domain_config_dispose(&dc);

	assert_int_equal(model("name='a'\nbootloader='pygrub'\n", &dc), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), -1);
	assert_string_equal(err, "g.cfg: bootloader is not supported: give the guest's "
	                    "kernel= (and ramdisk=) directly");
	light_domain_config_dispose(&dc);

	assert_int_equal(model("name='a'\n", &dc), 0);
	assert_int_equal(light_domain_config_check_runnable(&dc, err, sizeof(err)), -1);
	assert_string_equal(err, "g.cfg: no kernel: a PV or PVH guest needs kernel = \"/path/to/vmlinuz\"");
	light_domain_config_dispose(&dc);

	assert_int_equal(model("name='a'\nbuilder='hvm'\nkernel='/k'\nvga='none'\n", &dc), 0);
	assert_int_equal(dc.type, LIGHT_DOMAIN_HVM);
	light_domain_config_dispose(&dc);
}

/* Look up a path in a yajl tree; fail the test when absent. */
static yajl_val get(yajl_val root, const char **path, yajl_type type)
{
	yajl_val v = yajl_tree_get(root, path, type);

	if (!v)
		fail_msg("JSON has no %s%s%s", path[0], path[1] ? "/" : "",
		         path[1] ? path[1] : "");
	return v;
}

static void test_json_shape(void **state)
{
	struct light_domain_config dc;
	char ebuf[256], *json;
	yajl_val root, v;

	(void)state;
	assert_int_equal(model(
		"name = 'web1'\n"
		"uuid = '6c5f1b1e-8d3a-4e2b-9f7a-2f1d3c4b5a69'\n"
		"memory = 128\nmaxmem = 256\nvcpus = 2\nmaxvcpus = 3\n"
		"kernel = '/k'\ncmdline = 'a \"b\" \\\\ c'\n"   /* needs escaping */
		"on_reboot = 'rename-restart'\n"
		"disk = ['/img,xvda,w']\nvif = ['mac=00:16:3e:00:00:01']\n", &dc), 0);

	json = light_domain_config_to_json(&dc, 7);
	assert_non_null(json);
	root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	assert_non_null(root);
	{
		const char *p[] = { "domid", NULL };
		assert_int_equal(YAJL_GET_INTEGER(get(root, p, yajl_t_number)), 7);
	}
	{
		const char *p[] = { "config", "c_info", "name", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "web1");
	}
	{
		const char *p[] = { "config", "c_info", "type", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "pv");
	}
	{
		const char *p[] = { "config", "c_info", "uuid", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)),
		                    "6c5f1b1e-8d3a-4e2b-9f7a-2f1d3c4b5a69");
	}
	{
		const char *p[] = { "config", "b_info", "max_memkb", NULL };
		assert_int_equal(YAJL_GET_INTEGER(get(root, p, yajl_t_number)), 262144);
	}
	{
		const char *p[] = { "config", "b_info", "target_memkb", NULL };
		assert_int_equal(YAJL_GET_INTEGER(get(root, p, yajl_t_number)), 131072);
	}
	{
		const char *p[] = { "config", "b_info", "max_vcpus", NULL };
		assert_int_equal(YAJL_GET_INTEGER(get(root, p, yajl_t_number)), 3);
	}
	{
		const char *p[] = { "config", "b_info", "avail_vcpus", NULL };
		v = get(root, p, yajl_t_array);
		assert_int_equal(YAJL_GET_ARRAY(v)->len, 2);
		assert_int_equal(YAJL_GET_INTEGER(YAJL_GET_ARRAY(v)->values[1]), 1);
	}
	{
		const char *p[] = { "config", "b_info", "kernel", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "/k");
	}
	{
		const char *p[] = { "config", "b_info", "cmdline", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "a \"b\" \\ c");
	}
	{
		const char *p[] = { "config", "b_info", "type.pv", NULL };
		get(root, p, yajl_t_object);
	}
	{
		const char *p[] = { "config", "on_reboot", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "restart_rename");
	}
	{
		const char *p[] = { "config", "on_poweroff", NULL };
		assert_string_equal(YAJL_GET_STRING(get(root, p, yajl_t_string)), "destroy");
	}
	{
		const char *p[] = { "config", "disks", NULL };
		v = get(root, p, yajl_t_array);
		assert_int_equal(YAJL_GET_ARRAY(v)->len, 1);
		const char *q[] = { "vdev", NULL };
		assert_string_equal(YAJL_GET_STRING(yajl_tree_get(YAJL_GET_ARRAY(v)->values[0],
		                    q, yajl_t_string)), "xvda");
	}
	{
		const char *p[] = { "config", "nics", NULL };
		v = get(root, p, yajl_t_array);
		const char *q[] = { "mac", NULL };
		assert_string_equal(YAJL_GET_STRING(yajl_tree_get(YAJL_GET_ARRAY(v)->values[0],
		                    q, yajl_t_string)), "00:16:3e:00:00:01");
	}
	yajl_tree_free(root);
	/* libxl's layout: four-space indentation, no trailing newline. */
	assert_non_null(strstr(json, "\n    \"config\": {\n        \"c_info\": {"));
	assert_int_not_equal(json[strlen(json) - 1], '\n');
	free(json);

	/* Not created yet: "domid": null.  The bare form has no wrapper. */
	json = light_domain_config_to_json(&dc, -1);
	root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	{
		const char *p[] = { "domid", NULL };
		assert_true(YAJL_IS_NULL(yajl_tree_get(root, p, yajl_t_any)));
	}
	yajl_tree_free(root);
	free(json);
	json = light_domain_config_print(&dc);
	root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	{
		const char *p[] = { "c_info", "name", NULL };
		assert_non_null(yajl_tree_get(root, p, yajl_t_string));
		const char *q[] = { "domid", NULL };
		assert_null(yajl_tree_get(root, q, yajl_t_any));
	}
	yajl_tree_free(root);
	free(json);
	light_domain_config_dispose(&dc);
}

/* CPU lists as cpus= and vcpu-pin write them (light_cpumap_parse). */
/* max_grant_frames=, max_maptrack_frames=, max_grant_version=: read,
 * range-checked with the file's line; unset is -1. */
static void test_grant_limits(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model("name='g'\nkernel='/k'\nmax_grant_frames=128\n"
	                       "max_maptrack_frames=0\nmax_grant_version=2\n", &dc), 0);
	assert_int_equal(dc.max_grant_frames, 128);
	assert_int_equal(dc.max_maptrack_frames, 0);
	assert_int_equal(dc.max_grant_version, 2);
	light_domain_config_dispose(&dc);
	expect_model_error("name='g'\nkernel='/k'\nmax_grant_version=0\n",
	                   "g.cfg:3: max_grant_version: 0 is out of range (1 to 15)");
	expect_model_error("name='g'\nmax_grant_frames=2147483648\n",
	                   "g.cfg:2: max_grant_frames: 2147483648 is out of range (0 to 2147483647)");
	expect_model_error("name='g'\nmax_maptrack_frames='x'\n",
	                   "g.cfg:2: max_maptrack_frames: not a number: `x'");
}

static void test_cpumap_parse(void **state)
{
	struct light_cpumap m;

	(void)state;
	assert_int_equal(light_cpumap_parse("0-3,^1", &m, err, sizeof(err)), 0);
	assert_int_equal(m.bits[0], 0x0d);
	assert_int_equal(light_cpumap_count(&m, 8), 3);
	assert_int_equal(light_cpumap_parse("all", &m, err, sizeof(err)), 0);
	assert_int_equal(light_cpumap_count(&m, LIGHT_CPUMAP_MAX_CPUS),
	                 LIGHT_CPUMAP_MAX_CPUS);
	assert_int_equal(light_cpumap_parse("all,^0", &m, err, sizeof(err)), 0);
	assert_false(light_cpumap_test(&m, 0));
	assert_true(light_cpumap_test(&m, 1));
	assert_int_equal(light_cpumap_parse("9", &m, err, sizeof(err)), 0);
	assert_int_equal(m.bits[1], 0x02);
	assert_int_equal(light_cpumap_count(&m, 16), 1);

	assert_int_equal(light_cpumap_parse("3-1", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid cpu range `3-1' in `3-1'");
	assert_int_equal(light_cpumap_parse("0,x", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid cpu range `x' in `0,x'");
	assert_int_equal(light_cpumap_parse("1,,2", &m, err, sizeof(err)), -1);
	assert_int_equal(light_cpumap_parse("", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "empty cpu list");
	assert_int_equal(light_cpumap_parse("-1", &m, err, sizeof(err)), -1);
	assert_int_equal(light_cpumap_parse("512", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "cpu `512' in `512' is out of range (0 to 511)");
	assert_int_equal(light_cpumap_parse("nodes:0", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "`nodes:0': NUMA node ranges are not "
	                    "supported, list CPUs instead");
}

/* cpus= as a string pins every vcpu alike, as a list vcpu by vcpu. */
static void test_affinity(void **state)
{
	struct light_domain_config dc;

	(void)state;
	assert_int_equal(model("name='a'\nvcpus=1\nmaxvcpus=3\ncpus='1'\n", &dc), 0);
	assert_int_equal(dc.ncpus_hard, 3);
	assert_int_equal(dc.cpus_hard[2].bits[0], 0x02);
	assert_int_equal(dc.ncpus_soft, 0);
	assert_null(dc.cpus_soft);
	light_domain_config_dispose(&dc);

	assert_int_equal(model("name='a'\nvcpus=2\ncpus=['0','all']\n"
	                       "cpus_soft=['1']\n", &dc), 0);
	assert_int_equal(dc.ncpus_hard, 2);
	assert_int_equal(dc.cpus_hard[0].bits[0], 0x01);
	assert_int_equal(dc.cpus_hard[1].bits[0], 0xff);
	assert_int_equal(dc.ncpus_soft, 1);
	assert_int_equal(dc.cpus_soft[0].bits[0], 0x02);
	light_domain_config_dispose(&dc);

	expect_model_error("name='a'\ncpus=['0','1']\n",
	                   "g.cfg:2: cpus: 2 entries for 1 vcpus");
	expect_model_error("name='a'\ncpus_soft='0-x'\n",
	                   "g.cfg:2: cpus_soft: invalid cpu range `0-x' in `0-x'");
	expect_model_error("name='a'\nvcpus=2\ncpus=['0', 'nodes:1']\n",
	                   "g.cfg:3: cpus: item 2: `nodes:1': NUMA node ranges "
	                   "are not supported, list CPUs instead");
	expect_model_error("name='a'\ncpus=[]\n", "g.cfg:2: cpus: empty list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_hvm),
		cmocka_unit_test(test_runnable),
		cmocka_unit_test(test_pvh),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_cpumap_parse),
		cmocka_unit_test(test_grant_limits),
		cmocka_unit_test(test_affinity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
