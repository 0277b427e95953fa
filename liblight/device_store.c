/*
 * device_store.c - keep the stored configuration's device lists true
 * after hot plug, so `xl list -l` shows the disks a guest really has.
 *
 * The stored file (store.c) is written from a light_domain_config at
 * create.  A hot attach or detach changes the devices but there is no
 * configuration in memory to write again, so the file is parsed (yajl's
 * tree), written back unchanged except for its "disks" array, which is
 * rebuilt from xenstore: the backends are the truth about what the guest
 * has.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "light_lifecycle.h"
#include "light_device.h"
#include "light_block.h"
#include "light_net.h"

static bool gen_ok(yajl_gen_status s)
{
	return s == yajl_gen_status_ok;
}

static bool gen_str(yajl_gen g, const char *s)
{
	return gen_ok(yajl_gen_string(g, (const unsigned char *)s, strlen(s)));
}

/* Write a parsed value back as it was. */
static bool gen_value(yajl_gen g, yajl_val v)
{
	size_t i;

	if (YAJL_IS_STRING(v))
		return gen_str(g, YAJL_GET_STRING(v));
	if (YAJL_IS_INTEGER(v))
		return gen_ok(yajl_gen_integer(g, YAJL_GET_INTEGER(v)));
	if (YAJL_IS_NUMBER(v))
		return gen_ok(yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)));
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return gen_ok(yajl_gen_bool(g, YAJL_IS_TRUE(v)));
	if (YAJL_IS_OBJECT(v)) {
		if (!gen_ok(yajl_gen_map_open(g)))
			return false;
		for (i = 0; i < v->u.object.len; i++)
			if (!gen_str(g, v->u.object.keys[i]) ||
			    !gen_value(g, v->u.object.values[i]))
				return false;
		return gen_ok(yajl_gen_map_close(g));
	}
	if (YAJL_IS_ARRAY(v)) {
		if (!gen_ok(yajl_gen_array_open(g)))
			return false;
		for (i = 0; i < v->u.array.len; i++)
			if (!gen_value(g, v->u.array.values[i]))
				return false;
		return gen_ok(yajl_gen_array_close(g));
	}
	return gen_ok(yajl_gen_null(g));
}

static bool gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	return gen_str(g, k) && gen_str(g, v);
}

static bool gen_kv_int(yajl_gen g, const char *k, long long v)
{
	return gen_str(g, k) && gen_ok(yajl_gen_integer(g, v));
}

/* The "disks" array from xenstore, in libxl_device_disk's shape (the
 * keys config_json.c writes). */
static bool gen_disks(struct light_ctx *c, yajl_gen g,
                      const struct light_disk_info *d, int n, uint32_t domid)
{
	char *fmt, *dt;
	bool ok = true, cd;
	int i;

	if (!gen_str(g, "disks") || !gen_ok(yajl_gen_array_open(g)))
		return false;
	for (i = 0; ok && i < n; i++) {
		fmt = light_xs_readf(c, XSC_NO_TX, "/libxl/%u/device/vbd/%u/lightstack-format",
		                     domid, d[i].devid);
		dt = light_xs_readf(c, XSC_NO_TX, "%s/device-type", d[i].backend);
		cd = dt && strcmp(dt, "cdrom") == 0;
		ok = gen_ok(yajl_gen_map_open(g)) &&
		     gen_kv_int(g, "backend_domid", d[i].backend_id) &&
		     gen_kv_str(g, "pdev_path", d[i].target) &&
		     gen_kv_str(g, "vdev", d[i].vdev) &&
		     gen_kv_str(g, "backend", "phy") &&
		     gen_kv_str(g, "format", fmt && *fmt ? fmt : "raw") &&
		     gen_kv_int(g, "removable", cd) &&
		     gen_kv_int(g, "readwrite", d[i].readwrite) &&
		     gen_kv_int(g, "is_cdrom", cd) &&
		     gen_ok(yajl_gen_map_close(g));
		free(fmt);
		free(dt);
	}
	return ok && gen_ok(yajl_gen_array_close(g));
}

/* The "nics" array from the vif backends, in libxl_device_nic's shape
 * (the keys config_json.c writes), so a hot-attached vif's MAC shows. */
static bool gen_nics(struct light_ctx *c, yajl_gen g,
                     const struct light_nic_info *v, int n)
{
	static const char *const keys[][2] = {
		{ "ip", "ip" }, { "bridge", "bridge" }, { "ifname", "vifname" },
		{ "script", "script" }, { "gatewaydev", "gatewaydev" },
	};
	char mac[18], *val;
	bool ok = true;
	size_t k;
	int i;

	if (!gen_str(g, "nics") || !gen_ok(yajl_gen_array_open(g)))
		return false;
	for (i = 0; ok && i < n; i++) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		         v[i].mac[0], v[i].mac[1], v[i].mac[2], v[i].mac[3],
		         v[i].mac[4], v[i].mac[5]);
		ok = gen_ok(yajl_gen_map_open(g)) &&
		     gen_kv_int(g, "backend_domid", v[i].backend_id) &&
		     gen_kv_int(g, "devid", v[i].devid) &&
		     gen_kv_str(g, "mac", mac);
		for (k = 0; ok && k < sizeof(keys) / sizeof(keys[0]); k++) {
			val = light_xs_readf(c, XSC_NO_TX, "%s/%s", v[i].backend,
			                     keys[k][1]);
			if (val)
				ok = gen_kv_str(g, keys[k][0], val);
			free(val);
		}
		ok = ok && gen_ok(yajl_gen_map_close(g));
	}
	return ok && gen_ok(yajl_gen_array_close(g));
}

/* Write yajl's buffer (not NUL-terminated by its API) as the stored file. */
static int write_json(const char *path, const unsigned char *data, size_t len)
{
	char *text = malloc(len + 1);
	int rc;

	if (!text)
		return -1;
	memcpy(text, data, len);
	text[len] = '\0';
	rc = light_config_write(path, text);
	free(text);
	return rc;
}

/* The rewrite itself; the caller holds the userdata lock. */
static int refresh_locked(struct light_ctx *c, uint32_t domid,
                          const struct ctrl_dominfo *info)
{
	struct light_disk_info *disks = NULL;
	struct light_nic_info *nics = NULL;
	char path[4200], *text = NULL, perr[128];
	yajl_val root = NULL;
	yajl_gen g = NULL;
	const unsigned char *buf;
	size_t len, i;
	bool ok = true, placed = false;
	int n, nn, rc = -1;

	if (light_config_store_path(domid, info->handle, path, sizeof(path)) < 0)
		return -1;
	text = light_config_read(path);
	if (!text)
		return -1;          /* not created here: nothing to keep true */
	root = yajl_tree_parse(text, perr, sizeof(perr));
	if (!root || !YAJL_IS_OBJECT(root))
		goto out;
	n = light_disk_list(c, domid, &disks);
	if (n < 0)
		goto out;
	nn = light_nic_list(c, domid, &nics);
	if (nn < 0)
		goto out;
	g = yajl_gen_alloc(NULL);
	if (!g)
		goto out;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	ok = gen_ok(yajl_gen_map_open(g));
	for (i = 0; ok && i < root->u.object.len; i++) {
		const char *k = root->u.object.keys[i];

		if (strcmp(k, "disks") == 0 || strcmp(k, "nics") == 0)
			continue;
		/* libxl's order: the device lists follow b_info. */
		if (!placed && strcmp(k, "b_info") != 0 && i > 0 &&
		    strcmp(root->u.object.keys[i - 1], "b_info") == 0) {
			placed = true;
			if (n > 0)
				ok = gen_disks(c, g, disks, n, domid);
			if (ok && nn > 0)
				ok = gen_nics(c, g, nics, nn);
		}
		ok = ok && gen_str(g, k) && gen_value(g, root->u.object.values[i]);
	}
	if (ok && !placed && n > 0)
		ok = gen_disks(c, g, disks, n, domid);
	if (ok && !placed && nn > 0)
		ok = gen_nics(c, g, nics, nn);
	ok = ok && gen_ok(yajl_gen_map_close(g)) &&
	     gen_ok(yajl_gen_get_buf(g, &buf, &len));
	if (ok && write_json(path, buf, len) == 0)
		rc = 0;
out:
	if (g)
		yajl_gen_free(g);
	yajl_tree_free(root);
	free(disks);
	free(nics);
	free(text);
	return rc;
}

/* Under libxl's userdata lock: a read-modify-write of the file that
 * upstream's libxl may be rewriting too (a device it attaches). */
int dev_store_refresh(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;
	struct light_userdata_lock lk;
	int rc;

	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return -1;
	if (light_userdata_lock(domid, info.handle, &lk) < 0)
		return -1;
	rc = refresh_locked(c, domid, &info);
	light_userdata_unlock(&lk);
	return rc;
}
