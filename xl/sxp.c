/*
 * sxp.c - the S-expression form of a domain configuration that upstream's
 * xl prints for `xl list -l` and `xl create -n` when xl.conf says
 * output_format = "sxp" (xend's old format; upstream's printf_info_sexp).
 *
 * The input is the configuration's JSON in libxl's layout (what the
 * stored configuration and light_domain_config_print hold), so one path
 * serves both commands, exactly as upstream prints from its
 * libxl_domain_config.  libxl's JSON leaves out fields at their default;
 * an absent field prints what upstream prints for that default.  The
 * fields and their order are upstream's, for the PV guests this toolstack
 * builds.  Upstream prints a created domain's configuration after libxl
 * filled in its defaults (nomigrate False, e820_host False, mtu 1500) and
 * a dry run's before (<default>, 0): `created` picks which.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "xl.h"
#include "cmds.h"

/* A string field, or upstream's rendering of a NULL char * ("(null)"). */
static const char *
str_at(yajl_val obj, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

	const char *s = v ? YAJL_GET_STRING(v) : NULL;

	return s ? s : "(null)";
}

static long long
int_at(yajl_val obj, const char *k1, const char *k2, long long def)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : def;
}

/* libxl_disk_backend's numbers, which upstream prints as (phystype N). */
static int
phystype(const char *backend)
{
	static const char *const names[] = { "unknown", "phy", "tap", "qdisk",
	                                      "standalone", NULL };
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(backend, names[i]) == 0)
			return i;
	return 0;
}

static void
print_disks(FILE *out, yajl_val cfg, long long domid)
{
	const char *path[] = { "disks", NULL };
	yajl_val disks = yajl_tree_get(cfg, path, yajl_t_array);
	size_t i;

	for (i = 0; disks && i < YAJL_GET_ARRAY(disks)->len; i++) {
		yajl_val d = YAJL_GET_ARRAY(disks)->values[i];

		fprintf(out, "\t(device\n\t\t(tap\n");
		fprintf(out, "\t\t\t(backend_domid %lld)\n",
		    int_at(d, "backend_domid", NULL, 0));
		fprintf(out, "\t\t\t(frontend_domid %lld)\n", domid);
		fprintf(out, "\t\t\t(physpath %s)\n", str_at(d, "pdev_path", NULL));
		fprintf(out, "\t\t\t(phystype %d)\n",
		    phystype(str_at(d, "backend", NULL)));
		fprintf(out, "\t\t\t(virtpath %s)\n", str_at(d, "vdev", NULL));
		fprintf(out, "\t\t\t(unpluggable %lld)\n",
		    int_at(d, "removable", NULL, 0));
		fprintf(out, "\t\t\t(readwrite %lld)\n",
		    int_at(d, "readwrite", NULL, 0));
		fprintf(out, "\t\t\t(is_cdrom %lld)\n", int_at(d, "is_cdrom", NULL, 0));
		fprintf(out, "\t\t)\n\t)\n");
	}
}

/* "00:16:3e:01:02:03" -> "00163e010203", upstream's (mac ...) spelling. */
static void
mac_plain(const char *mac, char *buf, size_t len)
{
	size_t o = 0;

	for (; *mac && o + 1 < len; mac++)
		if (*mac != ':')
			buf[o++] = *mac;
	buf[o] = '\0';
}

static void
print_nics(FILE *out, yajl_val cfg, long long domid, bool created)
{
	const char *path[] = { "nics", NULL };
	yajl_val nics = yajl_tree_get(cfg, path, yajl_t_array);
	char mac[32];
	size_t i;

	for (i = 0; nics && i < YAJL_GET_ARRAY(nics)->len; i++) {
		yajl_val n = YAJL_GET_ARRAY(nics)->values[i];
		const char *ifname = str_at(n, "ifname", NULL);
		const char *p_mac[] = { "mac", NULL };

		fprintf(out, "\t(device\n\t\t(vif\n");
		if (yajl_tree_get(n, (const char *[]){ "ifname", NULL }, yajl_t_string))
			fprintf(out, "\t\t\t(vifname %s)\n", ifname);
		fprintf(out, "\t\t\t(backend_domid %lld)\n",
		    int_at(n, "backend_domid", NULL, 0));
		fprintf(out, "\t\t\t(frontend_domid %lld)\n", domid);
		fprintf(out, "\t\t\t(devid %lld)\n", int_at(n, "devid", NULL, 0));
		fprintf(out, "\t\t\t(mtu %lld)\n",
		    int_at(n, "mtu", NULL, created ? 1500 : 0));
		fprintf(out, "\t\t\t(model %s)\n", str_at(n, "model", NULL));
		/* An unset MAC is all zeros in libxl until create picks one. */
		if (yajl_tree_get(n, p_mac, yajl_t_string))
			mac_plain(str_at(n, "mac", NULL), mac, sizeof(mac));
		else
			snprintf(mac, sizeof(mac), "000000000000");
		fprintf(out, "\t\t\t(mac %s)\n", mac);
		fprintf(out, "\t\t)\n\t)\n");
	}
}

int
xl_sxp_print(FILE *out, const char *json, long long domid, const char *uuid)
{
	const char *p_type[] = { "c_info", "type", NULL };
	char ebuf[128];
	yajl_val cfg;
	yajl_val t;
	const char *type;
	bool created = domid >= 0;
	bool hvm;
	const char *unset_bool = created ? "False" : "<default>";

	cfg = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (!cfg) {
		errno = EINVAL;
		return -1;
	}
	t = yajl_tree_get(cfg, p_type, yajl_t_string);
	type = t ? YAJL_GET_STRING(t) : NULL;
	hvm = type && strcmp(type, "hvm") == 0;
	/* Upstream's printer knows PV and HVM and exits on anything else;
	 * the HVM block's fields are not in this model: refuse both. */
	if (type && strcmp(type, "pv") != 0) {
		yajl_tree_free(cfg);
		errno = ENOTSUP;
		return -1;
	}

	fprintf(out, "(domain\n\t(domid %lld)\n", domid);
	fprintf(out, "\t(create_info)\n");
	fprintf(out, "\t(hvm %d)\n", hvm ? 1 : 0);
	/* libxl only decides hap and oos for HVM guests. */
	fprintf(out, "\t(hap <default>)\n");
	fprintf(out, "\t(oos <default>)\n");
	fprintf(out, "\t(ssidref %lld)\n", int_at(cfg, "c_info", "ssidref", 0));
	fprintf(out, "\t(name %s)\n", str_at(cfg, "c_info", "name"));
	/* As upstream: the running domain's handle, never the file's. */
	fprintf(out, "\t(uuid %s)\n", uuid ? uuid : "<unknown>");
	fprintf(out, "\t(xsdata (null))\n");
	fprintf(out, "\t(platformdata (null))\n");

	fprintf(out, "\t(build_info)\n");
	fprintf(out, "\t(max_vcpus %lld)\n", int_at(cfg, "b_info", "max_vcpus", 0));
	/* -1 (Xen's default) unless set, as xl.conf's default says. */
	fprintf(out, "\t(max_grant_frames %lld)\n",
	    int_at(cfg, "b_info", "max_grant_frames", -1));
	fprintf(out, "\t(max_maptrack_frames %lld)\n",
	    int_at(cfg, "b_info", "max_maptrack_frames", -1));
	fprintf(out, "\t(tsc_mode %s)\n", "default");
	fprintf(out, "\t(max_memkb %lld)\n", int_at(cfg, "b_info", "max_memkb", 0));
	fprintf(out, "\t(target_memkb %lld)\n",
	    int_at(cfg, "b_info", "target_memkb", 0));
	fprintf(out, "\t(nomigrate %s)\n", unset_bool);

	fprintf(out, "\t(image\n");
	fprintf(out, "\t\t(linux 0)\n");
	fprintf(out, "\t\t\t(kernel %s)\n", str_at(cfg, "b_info", "kernel"));
	fprintf(out, "\t\t\t(cmdline %s)\n", str_at(cfg, "b_info", "cmdline"));
	fprintf(out, "\t\t\t(ramdisk %s)\n", str_at(cfg, "b_info", "ramdisk"));
	fprintf(out, "\t\t\t(e820_host %s)\n", unset_bool);
	fprintf(out, "\t\t)\n");
	fprintf(out, "\t)\n");

	print_disks(out, cfg, domid);
	print_nics(out, cfg, domid, created);
	fprintf(out, ")\n");
	yajl_tree_free(cfg);
	return 0;
}
