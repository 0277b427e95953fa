/*
 * test-xml.c - libvirt domain XML and xl.cfg text from the model
 * (light_xml.h): the round trips xl.cfg -> model -> XML -> model ->
 * xl.cfg, the fields as virsh prints them, bad documents refused with
 * file:line and element, and validation of what we write against
 * libvirt's own RELAX NG schema (domain.rng from Debian's libvirt0).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "light_config.h"
#include "light_xml.h"

static char err[512];

/* A guest that uses every field the XML carries. */
static const char full_cfg[] =
	"name = 'web1'\n"
	"uuid = '6a2f0e7c-1111-2222-3333-444455556666'\n"
	"memory = 128\n"
	"maxmem = 256\n"
	"vcpus = 1\n"
	"maxvcpus = 2\n"
	"cpus = '0-1,3'\n"
	"kernel = '/boot/vmlinuz'\n"
	"ramdisk = '/boot/initrd.img'\n"
	"cmdline = 'root=/dev/xvda1 quiet console=\"hvc0\" a<b&c'\n"
	"on_poweroff = 'preserve'\n"
	"on_reboot = 'rename-restart'\n"
	"on_crash = 'coredump-destroy'\n"
	"disk = [ 'file:/srv/web1.img,xvda,w',\n"
	"         'phy:/dev/vg/data,xvdb,r',\n"
	"         'format=qcow2, vdev=xvdc, access=w!, target=/srv/a,b.qcow2',\n"
	"         'vdev=xvdd, devtype=cdrom' ]\n"
	"vif = [ 'mac=00:16:3e:01:02:03,bridge=xenbr0,ip=192.0.2.5 192.0.2.6',\n"
	"        'mac=00:16:3e:01:02:04,script=vif-route,vifname=web1-r,mtu=1400,model=e1000' ]\n";

static int model(const char *text, struct light_domain_config *dc)
{
	struct light_cfg *cfg = light_cfg_new();
	int rc;

	assert_non_null(cfg);
	if (light_cfg_parse_data(cfg, "g.cfg", text, strlen(text), err,
	                         sizeof(err)) < 0) {
		light_cfg_free(cfg);
		fail_msg("parse failed: %s", err);
	}
	rc = light_domain_config_from_cfg(cfg, dc, err, sizeof(err));
	light_cfg_free(cfg);
	return rc;
}

static int from_xml(const char *xml, struct light_domain_config *dc)
{
	return light_domain_config_from_xml(xml, strlen(xml), "g.xml", dc, err,
	                                    sizeof(err));
}

/* xl.cfg -> model -> XML -> model -> xl.cfg: nothing lost or changed. */
static void test_round_trip(void **state)
{
	struct light_domain_config a, b, c;
	char *cfg1, *xml1, *xml2, *cfg2;

	(void)state;
	assert_int_equal(model(full_cfg, &a), 0);
	cfg1 = light_domain_config_to_xlcfg(&a);
	xml1 = light_domain_config_to_xml(&a, NULL);
	assert_non_null(cfg1);
	assert_non_null(xml1);
	if (from_xml(xml1, &b) < 0)
		fail_msg("%s\n%s", err, xml1);
	xml2 = light_domain_config_to_xml(&b, NULL);
	cfg2 = light_domain_config_to_xlcfg(&b);
	assert_string_equal(xml1, xml2);
	assert_string_equal(cfg1, cfg2);
	/* And the xl.cfg we write reads back to the same model. */
	if (model(cfg2, &c) < 0)
		fail_msg("%s\n%s", err, cfg2);
	free(cfg2);
	cfg2 = light_domain_config_to_xlcfg(&c);
	assert_string_equal(cfg1, cfg2);
	assert_int_equal(c.ndisks, 4);
	assert_string_equal(c.disks[2].target, "/srv/a,b.qcow2");
	assert_true(c.disks[2].share_writable);
	assert_true(c.disks[3].cdrom);
	assert_null(c.disks[3].target);
	assert_string_equal(c.cmdline, a.cmdline);
	assert_string_equal(c.nics[0].ip, "192.0.2.5 192.0.2.6");
	assert_int_equal(c.nics[1].mtu, 1400);
	assert_int_equal(c.on_reboot, LIGHT_ACTION_RENAME_RESTART);
	free(cfg1);
	free(cfg2);
	free(xml1);
	free(xml2);
	light_domain_config_dispose(&a);
	light_domain_config_dispose(&b);
	light_domain_config_dispose(&c);
}

/* The elements as virsh dumpxml shows them for a libxl PV guest. */
static void test_fields(void **state)
{
	struct light_domain_config a;
	struct light_xml_live live = { 7, "/dev/pts/3" };
	char *xml;

	(void)state;
	assert_int_equal(model(full_cfg, &a), 0);
	xml = light_domain_config_to_xml(&a, &live);
	assert_non_null(xml);
	static const char *const want[] = {
		"<domain type='xen' id='7'>\n  <name>web1</name>\n",
		"  <uuid>6a2f0e7c-1111-2222-3333-444455556666</uuid>\n",
		"  <memory unit='KiB'>262144</memory>\n",
		"  <currentMemory unit='KiB'>131072</currentMemory>\n",
		"  <vcpu placement='static' cpuset='0-1,3' current='1'>2</vcpu>\n",
		"    <type arch='x86_64' machine='xenpv'>linux</type>\n",
		"    <kernel>/boot/vmlinuz</kernel>\n",
		"    <initrd>/boot/initrd.img</initrd>\n",
		"    <cmdline>root=/dev/xvda1 quiet console=&quot;hvc0&quot; a&lt;b&amp;c</cmdline>\n",
		"  <on_poweroff>preserve</on_poweroff>\n",
		"  <on_crash>coredump-destroy</on_crash>\n",
		"    <disk type='file' device='disk'>\n      <driver type='raw'/>\n"
		"      <source file='/srv/web1.img'/>\n"
		"      <target dev='xvda' bus='xen'/>\n    </disk>\n",
		"    <disk type='block' device='disk'>\n"
		"      <driver name='phy' type='raw'/>\n"
		"      <source dev='/dev/vg/data'/>\n"
		"      <target dev='xvdb' bus='xen'/>\n      <readonly/>\n",
		"      <shareable/>\n",
		"    <disk type='file' device='cdrom'>\n      <driver type='raw'/>\n"
		"      <target dev='xvdd' bus='xen'/>\n      <readonly/>\n",
		"    <interface type='bridge'>\n"
		"      <mac address='00:16:3e:01:02:03'/>\n"
		"      <source bridge='xenbr0'/>\n"
		"      <ip address='192.0.2.5'/>\n      <ip address='192.0.2.6'/>\n"
		"      <target dev='vif7.0'/>\n",
		"    <interface type='ethernet'>\n",
		"      <script path='vif-route'/>\n",
		"      <target dev='web1-r'/>\n      <model type='e1000'/>\n"
		"      <mtu size='1400'/>\n",
		"    <console type='pty' tty='/dev/pts/3'>\n"
		"      <source path='/dev/pts/3'/>\n"
		"      <target type='xen' port='0'/>\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(xml, want[i]))
			fail_msg("missing:\n%s\nin:\n%s", want[i], xml);
	free(xml);
	light_domain_config_dispose(&a);
}

/* XML as a libvirt user writes it: other units, elements we ignore. */
static void test_libvirt_document(void **state)
{
	static const char doc[] =
		"<?xml version='1.0'?>\n"
		"<!-- made by hand -->\n"
		"<domain type='xen'>\n"
		"  <name>db</name>\n"
		"  <memory unit='MiB'>512</memory>\n"
		"  <vcpu>2</vcpu>\n"
		"  <cputune><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset='2-3'/></cputune>\n"
		"  <os><type>linux</type><kernel>/k</kernel></os>\n"
		"  <features><pae/></features>\n"
		"  <devices>\n"
		"    <disk type='block' device='disk'><source dev='/dev/sdb'/>"
		"<target dev='xvda'/></disk>\n"
		"    <interface type='bridge'><source bridge='br0'/>"
		"<target dev='vif3.0'/></interface>\n"
		"    <graphics type='vnc'/>\n"
		"  </devices>\n"
		"</domain>\n";
	struct light_domain_config dc;

	(void)state;
	assert_true(light_xml_is_domain(doc, strlen(doc)));
	if (from_xml(doc, &dc) < 0)
		fail_msg("%s", err);
	assert_string_equal(dc.name, "db");
	assert_int_equal(dc.max_memkb, 512 * 1024);
	assert_int_equal(dc.target_memkb, 512 * 1024);   /* no currentMemory */
	assert_int_equal(dc.vcpus, 2);
	assert_int_equal(dc.ncpus_hard, 2);
	assert_true(light_cpumap_test(&dc.cpus_hard[1], 3));
	assert_false(light_cpumap_test(&dc.cpus_hard[1], 1));
	assert_string_equal(dc.disks[0].target, "/dev/sdb");
	assert_true(dc.disks[0].readwrite);
	assert_string_equal(dc.nics[0].bridge, "br0");
	assert_null(dc.nics[0].vifname);  /* a live vifD.N is not a name */
	light_domain_config_dispose(&dc);
}

static void expect_error(const char *xml, const char *msg)
{
	struct light_domain_config dc;

	if (from_xml(xml, &dc) == 0) {
		light_domain_config_dispose(&dc);
		fail_msg("accepted, expected: %s", msg);
	}
	if (strncmp(err, msg, strlen(msg)) != 0)
		fail_msg("got: %s\nwanted: %s...", err, msg);
	assert_null(strchr(err, '\n'));
}

#define HEAD "<domain type='xen'>\n<name>g</name>\n"
#define OS "<os><type>linux</type><kernel>/k</kernel></os>\n"

static void test_bad_documents(void **state)
{
	(void)state;
	expect_error(HEAD "<memory>64</memory>\n</domian>\n",
	             "g.xml:4: not well-formed XML: Opening and ending tag mismatch");
	expect_error("<domain type='xen'><name>g</name>\n<memory>6", "g.xml:2: not well-formed XML");
	expect_error("<guest/>\n", "g.xml:1: <guest>: not a libvirt domain");
	expect_error("<domain type='kvm'>\n</domain>\n",
	             "g.xml:1: <domain>: type `kvm': only type='xen'");
	expect_error(HEAD "<memory unit='KiB'>12x</memory>\n" OS "</domain>\n",
	             "g.xml:3: <memory>: not a number: `12x'");
	expect_error(HEAD "<memory unit='parsec'>12</memory>\n" OS "</domain>\n",
	             "g.xml:3: <memory>: unknown unit `parsec'");
	expect_error("<domain type='xen'>\n<memory>65536</memory>\n</domain>\n",
	             "g.xml:1: <domain>: no <name>");
	expect_error(HEAD "<name>h</name>\n</domain>\n",
	             "g.xml:3: <name>: given twice (first at line 2)");
	expect_error(HEAD "<memory>65536</memory>\n<vcpu current='3'>2</vcpu>\n</domain>\n",
	             "g.xml:4: <vcpu>: current 3 is more than the 2 vcpus");
	expect_error(HEAD "<memory>65536</memory>\n<devices>\n"
	             "<disk type='file'><source file='/x'/></disk>\n</devices>\n</domain>\n",
	             "g.xml:5: <disk>: no <target dev='...'/>");
	expect_error(HEAD "<memory>65536</memory>\n<devices>\n"
	             "<disk type='network'><target dev='xvda'/></disk>\n</devices>\n</domain>\n",
	             "g.xml:5: <disk>: type `network' not supported");
	expect_error(HEAD "<memory>65536</memory>\n<devices>\n"
	             "<interface type='bridge'>\n<mac address='00:16:3e:zz:02:03'/>\n"
	             "</interface>\n</devices>\n</domain>\n",
	             "g.xml:5: <interface>: ");
	/* Checked by the model, named by the element's line. */
	expect_error(HEAD "<memory>65536</memory>\n<on_crash>explode</on_crash>\n</domain>\n",
	             "g.xml:4: on_crash");
	expect_error(HEAD "<memory unit='MiB'>64</memory>\n"
	             "<currentMemory unit='MiB'>128</currentMemory>\n</domain>\n",
	             "g.xml:3: maxmem (64 MB) is smaller than memory (128 MB)");
	expect_error(HEAD "<memory>65536</memory>\n<os><type>exe</type></os>\n</domain>\n",
	             "g.xml:4: <type>: unknown OS type `exe'");
}

static void test_is_domain(void **state)
{
	(void)state;
#define IS(s) light_xml_is_domain(s, strlen(s))
	assert_true(IS("<domain type='xen'/>"));
	assert_true(IS("  \n<?xml version='1.0'?>\n<!-- x -> y -->\n<domain>"));
	assert_false(IS("name = 'g'\n"));
	assert_false(IS("<domains>"));
	assert_false(IS("# <domain>\n"));
	assert_false(IS("<!-- unterminated <domain>"));
	assert_false(IS(""));
#undef IS
}

/* What we write is valid libvirt XML, by libvirt's own schema. */
static void test_schema(void **state)
{
	const char *rng = getenv("LIGHTSTACK_DOMAIN_RNG");
	struct light_domain_config a;
	struct light_xml_live live = { 3, "/dev/pts/1" };
	char *xml;

	(void)state;
	if (!rng)
		rng = LIGHT_XML_DOMAIN_RNG;
	if (access(rng, R_OK) != 0) {
		print_message("# SKIP %s absent (Debian's libvirt0 ships it; "
		              "scripts/deps installs it)\n", rng);
		skip();
	}
	assert_int_equal(model(full_cfg, &a), 0);
	xml = light_domain_config_to_xml(&a, &live);
	assert_non_null(xml);
	if (light_xml_validate(xml, strlen(xml), rng, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, xml);
	free(xml);
	xml = light_domain_config_to_xml(&a, NULL);
	if (light_xml_validate(xml, strlen(xml), rng, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, xml);
	free(xml);
	light_domain_config_dispose(&a);
	/* And the validator can fail: an element the schema does not know. */
	static const char bad[] = "<domain type='xen'><name>g</name>"
		"<memory>1</memory><bogus/><os><type>linux</type></os></domain>";
	assert_int_equal(light_xml_validate(bad, strlen(bad), rng, err,
	                                    sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1"));
}

/* The writer for xl.cfg alone: defaults left out, strings escaped. */
static void test_xlcfg_text(void **state)
{
	struct light_domain_config a;
	char *t;

	(void)state;
	assert_int_equal(model("name='g'\nkernel='/k \"x\"\\\\y'\nmemory=64\n", &a), 0);
	t = light_domain_config_to_xlcfg(&a);
	assert_non_null(t);
	assert_string_equal(t,
		"name = \"g\"\n"
		"type = \"pv\"\n"
		"memory = 64\n"
		"vcpus = 1\n"
		"kernel = \"/k \\\"x\\\"\\\\y\"\n"
		"on_poweroff = \"destroy\"\n"
		"on_reboot = \"restart\"\n"
		"on_crash = \"destroy\"\n");
	free(t);
	light_domain_config_dispose(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_libvirt_document),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_is_domain),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_xlcfg_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
