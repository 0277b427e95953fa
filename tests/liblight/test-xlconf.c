/*
 * test-xlconf.c - /etc/xen/xl.conf into struct light_xlconf: upstream's
 * defaults, every key, old key names, unknown keys, bad values reported
 * as file:line, and the vif defaults applied only where a vif is silent.
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
#include <unistd.h>

#include <cmocka.h>

#include "liblight.h"

/* Write `text` to a fresh temporary file; returns its malloc'd path. */
static char *write_conf(const char *text)
{
	char *path = strdup("/tmp/test-xlconf-XXXXXX");
	FILE *f;
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Load `text` as a file; returns load's result, err filled. */
static int load_text(struct light_xlconf *xc, const char *text, char **pathp,
                     char *err, size_t errlen)
{
	char *path = write_conf(text);
	int rc = light_xlconf_load(xc, path, err, errlen);

	unlink(path);
	if (pathp)
		*pathp = path;
	else
		free(path);
	return rc;
}

static void assert_defaults(const struct light_xlconf *xc)
{
	assert_int_equal(xc->autoballoon, LIGHT_AUTOBALLOON_AUTO);
	assert_int_equal(xc->run_hotplug_scripts, 1);
	assert_null(xc->lockfile);
	assert_string_equal(LIGHT_XLCONF_LOCKFILE, "/var/lock/xl");
	assert_null(xc->vif_script);
	assert_null(xc->vif_bridge);
	assert_null(xc->vif_gatewaydev);
	assert_null(xc->vif_backend);
	assert_null(xc->remus_netbufscript);
	assert_null(xc->colo_proxyscript);
	assert_int_equal(xc->output_format, LIGHT_OUTPUT_JSON);
	assert_null(xc->blkdev_start);
	assert_int_equal(xc->claim_mode, 1);
	assert_int_equal(xc->max_grant_frames, -1);
	assert_int_equal(xc->max_maptrack_frames, -1);
	assert_int_equal(xc->max_grant_version, -1);
	assert_null(xc->vm_cpumask);
	assert_null(xc->vm_pv_cpumask);
	assert_null(xc->vm_hvm_cpumask);
	assert_int_equal(xc->domid_policy, LIGHT_DOMID_XEN);
}

static void test_missing_file(void **state)
{
	struct light_xlconf xc;
	char err[256];

	(void)state;
	assert_int_equal(light_xlconf_load(&xc, "/nonexistent/xl.conf", err,
	                                   sizeof(err)), 0);
	assert_defaults(&xc);
	light_xlconf_dispose(&xc);
}

/* Debian's shipped xl.conf is all comments: the defaults. */
static void test_comments_only(void **state)
{
	struct light_xlconf xc;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "## Global XL config file ##\n"
	                           "#autoballoon=\"auto\"\n\n#lockfile=\"/var/lock/xl\"\n",
	                           NULL, err, sizeof(err)), 0);
	assert_defaults(&xc);
	light_xlconf_dispose(&xc);
}

static void test_every_key(void **state)
{
	struct light_xlconf xc;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc,
	    "autoballoon = \"off\"\n"
	    "run_hotplug_scripts = 0\n"
	    "lockfile = \"/run/xl.lock\"\n"
	    "vif.default.script = \"vif-route\"\n"
	    "vif.default.bridge = \"br-test\"\n"
	    "vif.default.gatewaydev = \"eth1\"\n"
	    "vif.default.backend = \"Domain-0\"\n"
	    "remus.default.netbufscript = \"remus-netbuf-setup\"\n"
	    "colo.default.proxyscript = \"colo-proxy-setup\"\n"
	    "output_format = \"sxp\"\n"
	    "blkdev_start = \"xvdb\"\n"
	    "claim_mode = 0\n"
	    "max_grant_frames = 64\n"
	    "max_maptrack_frames = 0x400\n"
	    "max_grant_version = 1\n"
	    "vm.cpumask = \"0-3,^1\"\n"
	    "vm.pv.cpumask = \"node:0\"\n"
	    "vm.hvm.cpumask = \"all\"\n"
	    "domid_policy = \"random\"\n"
	    "some.future.key = [ 1, 2 ]\n",
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(xc.autoballoon, LIGHT_AUTOBALLOON_OFF);
	assert_int_equal(xc.run_hotplug_scripts, 0);
	assert_string_equal(xc.lockfile, "/run/xl.lock");
	assert_string_equal(xc.vif_script, "vif-route");
	assert_string_equal(xc.vif_bridge, "br-test");
	assert_string_equal(xc.vif_gatewaydev, "eth1");
	assert_string_equal(xc.vif_backend, "Domain-0");
	assert_string_equal(xc.remus_netbufscript, "remus-netbuf-setup");
	assert_string_equal(xc.colo_proxyscript, "colo-proxy-setup");
	assert_int_equal(xc.output_format, LIGHT_OUTPUT_SXP);
	assert_string_equal(xc.blkdev_start, "xvdb");
	assert_int_equal(xc.claim_mode, 0);
	assert_int_equal(xc.max_grant_frames, 64);
	assert_int_equal(xc.max_maptrack_frames, 1024);
	assert_int_equal(xc.max_grant_version, 1);
	assert_string_equal(xc.vm_cpumask, "0-3,^1");
	assert_string_equal(xc.vm_pv_cpumask, "node:0");
	assert_string_equal(xc.vm_hvm_cpumask, "all");
	assert_int_equal(xc.domid_policy, LIGHT_DOMID_RANDOM);
	light_xlconf_dispose(&xc);
}

/* autoballoon's spellings, as upstream reads them. */
static void test_autoballoon_words(void **state)
{
	static const struct { const char *text; int want; } cases[] = {
		{ "autoballoon = \"on\"\n", LIGHT_AUTOBALLOON_ON },
		{ "autoballoon = \"1\"\n", LIGHT_AUTOBALLOON_ON },
		{ "autoballoon = 1\n", LIGHT_AUTOBALLOON_ON },
		{ "autoballoon = \"0\"\n", LIGHT_AUTOBALLOON_OFF },
		{ "autoballoon = \"auto\"\n", LIGHT_AUTOBALLOON_AUTO },
	};
	struct light_xlconf xc;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_text(&xc, cases[i].text, NULL, err,
		                           sizeof(err)), 0);
		assert_int_equal(xc.autoballoon, cases[i].want);
		light_xlconf_dispose(&xc);
	}
}

/* The deprecated names still work; the new name wins over the old. */
static void test_old_names(void **state)
{
	struct light_xlconf xc;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "vifscript = \"vif-nat\"\n"
	                           "defaultbridge = \"br-old\"\n", NULL, err,
	                           sizeof(err)), 0);
	assert_string_equal(xc.vif_script, "vif-nat");
	assert_string_equal(xc.vif_bridge, "br-old");
	light_xlconf_dispose(&xc);

	assert_int_equal(load_text(&xc, "vif.default.bridge = \"br-new\"\n"
	                           "defaultbridge = \"br-old\"\n"
	                           "vif.default.script = \"vif-route\"\n"
	                           "vifscript = \"vif-nat\"\n", NULL, err,
	                           sizeof(err)), 0);
	assert_string_equal(xc.vif_bridge, "br-new");
	assert_string_equal(xc.vif_script, "vif-route");
	light_xlconf_dispose(&xc);
}

/* A bad value: -1, the file and line of the setting, defaults left. */
static void expect_error(const char *text, int line, const char *what)
{
	struct light_xlconf xc;
	char err[256], want[300], *path;

	assert_int_equal(load_text(&xc, text, &path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fail_msg("got `%s', want `%s...%s'", err, want, what);
	assert_defaults(&xc);
	light_xlconf_dispose(&xc);
	free(path);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("\n\noutput_format = \"xml\"\n", 3,
	             "output_format: expected \"json\" or \"sxp\", not `xml'");
	expect_error("autoballoon = \"maybe\"\n", 1, "autoballoon: expected");
	expect_error("claim_mode = 1\nmax_grant_frames = 2147483648\n", 2,
	             "max_grant_frames: 2147483648 is out of range");
	expect_error("max_maptrack_frames = \"lots\"\n", 1,
	             "max_maptrack_frames: not a number: `lots'");
	expect_error("run_hotplug_scripts = 1x\n", 1,
	             "run_hotplug_scripts: not a number: `1x'");
	expect_error("vif.default.bridge = [ \"a\" ]\n", 1,
	             "vif.default.bridge: expected a string, not a list");
	expect_error("vm.cpumask = \"0-\"\n", 1, "vm.cpumask: not a CPU list");
	expect_error("vm.pv.cpumask = \"1,,2\"\n", 1, "vm.pv.cpumask: not a CPU list");
	expect_error("domid_policy = \"next\"\n", 1, "domid_policy: expected");
	expect_error("lockfile = \"/x\"\nvif.default.script = \n", 2,
	             "expected a value");
}

/* The later of two settings of one key is the one that counts. */
static void test_last_wins(void **state)
{
	struct light_xlconf xc;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "output_format = \"sxp\"\n"
	                           "output_format = \"json\"\n", NULL, err,
	                           sizeof(err)), 0);
	assert_int_equal(xc.output_format, LIGHT_OUTPUT_JSON);
	light_xlconf_dispose(&xc);
}

/* vif defaults fill only what a vif leaves unset. */
static void test_nic_defaults(void **state)
{
	struct light_xlconf xc;
	struct light_nic n;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "vif.default.bridge = \"br-test\"\n"
	                           "vif.default.script = \"vif-bridge\"\n"
	                           "vif.default.gatewaydev = \"eth1\"\n", NULL, err,
	                           sizeof(err)), 0);

	assert_int_equal(light_nic_parse("mac=00:16:3e:00:00:01", &n, err,
	                                 sizeof(err)), 0);
	assert_int_equal(light_xlconf_nic_defaults(&xc, &n), 0);
	assert_string_equal(n.bridge, "br-test");
	assert_string_equal(n.script, "vif-bridge");
	assert_string_equal(n.gatewaydev, "eth1");
	assert_null(n.backend);
	light_nic_dispose(&n);

	assert_int_equal(light_nic_parse("bridge=br-own,script=vif-route", &n, err,
	                                 sizeof(err)), 0);
	assert_int_equal(light_xlconf_nic_defaults(&xc, &n), 0);
	assert_string_equal(n.bridge, "br-own");
	assert_string_equal(n.script, "vif-route");
	light_nic_dispose(&n);
	light_xlconf_dispose(&xc);

	/* Without xl.conf nothing is filled: liblight's own defaults apply. */
	light_xlconf_defaults(&xc);
	assert_int_equal(light_nic_parse("", &n, err, sizeof(err)), 0);
	assert_int_equal(light_xlconf_nic_defaults(&xc, &n), 0);
	assert_null(n.bridge);
	assert_null(n.script);
	light_nic_dispose(&n);
}

/* A domain configuration from xl.cfg text. */
static void model_of(const char *text, struct light_domain_config *dc)
{
	struct light_cfg *cfg = light_cfg_new();
	char err[256];

	assert_non_null(cfg);
	assert_int_equal(light_cfg_parse_data(cfg, "g.cfg", text, strlen(text),
	                                      err, sizeof(err)), 0);
	if (light_domain_config_from_cfg(cfg, dc, err, sizeof(err)) < 0)
		fail_msg("model: %s", err);
	light_cfg_free(cfg);
}

/* Grant limits: xl.conf's where xl.cfg is silent; claim_mode from xl.conf. */
static void test_grant_and_claim_defaults(void **state)
{
	struct light_xlconf xc;
	struct light_domain_config dc;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "max_grant_frames = 48\n"
	                           "max_maptrack_frames = 256\nclaim_mode = 0\n",
	                           NULL, err, sizeof(err)), 0);
	model_of("name = 'g'\nmax_grant_frames = 20\n", &dc);
	assert_int_equal(light_xlconf_domain_defaults(&xc, &dc), 0);
	assert_int_equal(dc.max_grant_frames, 20);       /* the file's */
	assert_int_equal(dc.max_maptrack_frames, 256);   /* xl.conf's */
	assert_int_equal(dc.max_grant_version, -1);      /* nobody's: Xen's */
	assert_false(dc.claim_mode);
	light_domain_config_dispose(&dc);
	light_xlconf_dispose(&xc);

	/* Upstream's default claim_mode is 1. */
	light_xlconf_defaults(&xc);
	model_of("name = 'g'\n", &dc);
	assert_false(dc.claim_mode);
	assert_int_equal(light_xlconf_domain_defaults(&xc, &dc), 0);
	assert_true(dc.claim_mode);
	assert_int_equal(dc.max_grant_frames, -1);
	light_domain_config_dispose(&dc);
}

/* vm.cpumask AND vm.pv.cpumask over every vcpu's hard affinity. */
static void test_affinity_masks(void **state)
{
	struct light_xlconf xc;
	struct light_domain_config dc;
	struct light_cpumap m;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&xc, "vm.cpumask = \"0-3\"\n"
	                           "vm.pv.cpumask = \"1-7\"\n"
	                           "vm.hvm.cpumask = \"0\"\n", NULL, err,
	                           sizeof(err)), 0);
	/* No cpus=: every vcpu gets the masks, 1-3. */
	model_of("name = 'g'\nmaxvcpus = 2\n", &dc);
	assert_int_equal(light_xlconf_domain_affinity(&xc, &dc, err, sizeof(err)), 0);
	assert_int_equal(dc.ncpus_hard, 2);
	assert_int_equal(light_cpumap_count(&dc.cpus_hard[1], 512), 3);
	assert_false(light_cpumap_test(&dc.cpus_hard[1], 0));
	assert_true(light_cpumap_test(&dc.cpus_hard[1], 3));
	assert_int_equal(dc.ncpus_soft, 0);
	light_domain_config_dispose(&dc);
	/* cpus= is narrowed, not replaced. */
	model_of("name = 'g'\ncpus = \"2-5\"\n", &dc);
	assert_int_equal(light_xlconf_domain_affinity(&xc, &dc, err, sizeof(err)), 0);
	assert_int_equal(light_cpumap_count(&dc.cpus_hard[0], 512), 2);
	light_domain_config_dispose(&dc);
	/* Nothing left: upstream's error. */
	model_of("name = 'g'\ncpus = \"0\"\n", &dc);
	assert_int_equal(light_xlconf_domain_affinity(&xc, &dc, err, sizeof(err)), -1);
	assert_string_equal(err, "vcpu hard affinity map is empty");
	light_domain_config_dispose(&dc);
	/* An HVM domain takes vm.hvm.cpumask: {0} AND 0-3. */
	assert_int_equal(light_cpumap_parse("all", &m, err, sizeof(err)), 0);
	assert_int_equal(light_xlconf_mask_affinity(&xc, LIGHT_DOMAIN_HVM, &m,
	                                            err, sizeof(err)), 0);
	assert_int_equal(light_cpumap_count(&m, 512), 1);
	assert_true(light_cpumap_test(&m, 0));
	light_xlconf_dispose(&xc);

	/* No masks: the configuration is left as it is. */
	light_xlconf_defaults(&xc);
	model_of("name = 'g'\nmaxvcpus = 2\n", &dc);
	assert_int_equal(light_xlconf_domain_affinity(&xc, &dc, err, sizeof(err)), 0);
	assert_int_equal(dc.ncpus_hard, 0);
	assert_null(dc.cpus_hard);
	light_domain_config_dispose(&dc);

	/* A node list passes the file's check but cannot be applied here. */
	assert_int_equal(load_text(&xc, "vm.pv.cpumask = \"node:0\"\n", NULL,
	                           err, sizeof(err)), 0);
	model_of("name = 'g'\n", &dc);
	assert_int_equal(light_xlconf_domain_affinity(&xc, &dc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vm.pv.cpumask: "));
	light_domain_config_dispose(&dc);
	light_xlconf_dispose(&xc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_comments_only),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_autoballoon_words),
		cmocka_unit_test(test_old_names),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_nic_defaults),
		cmocka_unit_test(test_grant_and_claim_defaults),
		cmocka_unit_test(test_affinity_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
