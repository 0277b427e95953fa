/*
 * device_store.c - keep the stored configuration's device lists in step
 * with hot plug, as libxl does, so that `xl list -l` shows the devices a
 * guest really has and a restart (on_reboot=restart, `xl reboot`)
 * recreates exactly those.
 *
 * The stored file (store.c) is written from a light_domain_config at
 * create.  A hot attach appends the device's configuration, as the user
 * gave it (the image path, format, script, and the MAC and devid the vif
 * got), to the "disks" or "nics" list; a detach removes the entry of that
 * device number.  Everything else in the file is written back as it was
 * (parsed with yajl's tree), so a file written by upstream's libxl keeps
 * the fields this model does not know.
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
#include "json_tree.h"

/*
 * The device number a stored list item stands for: a disk's from its
 * vdev, a vif's "devid" (an item without one is numbered as
 * light_nic_devid numbers it: after the highest set one, in list order).
 * -1 when the item says nothing usable.
 */
static long long item_devid(bool disks, yajl_val list, size_t idx)
{
	const char *vpath[] = { "vdev", NULL }, *dpath[] = { "devid", NULL };
	long long next = 0;
	uint32_t devid;
	yajl_val v;
	size_t k;

	if (disks) {
		v = yajl_tree_get(list->u.array.values[idx], vpath, yajl_t_string);
		if (!v || light_disk_vdev_to_devid(YAJL_GET_STRING(v), &devid) < 0)
			return -1;
		return devid;
	}
	v = yajl_tree_get(list->u.array.values[idx], dpath, yajl_t_number);
	if (v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0)
		return YAJL_GET_INTEGER(v);
	for (k = 0; k < list->u.array.len; k++) {
		v = yajl_tree_get(list->u.array.values[k], dpath, yajl_t_number);
		if (v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= next)
			next = YAJL_GET_INTEGER(v) + 1;
	}
	for (k = 0; k < idx; k++) {
		v = yajl_tree_get(list->u.array.values[k], dpath, yajl_t_number);
		if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
			next++;
	}
	return next;
}

/*
 * The list `key` ("disks" or "nics") as it should be: the old items
 * except the one of device `devid`, then `add` (may be NULL: a detach).
 * An empty list is left out, as create leaves it out.
 */
static bool gen_list(yajl_gen g, const char *key, yajl_val old,
                     uint32_t devid, yajl_val add)
{
	bool disks = strcmp(key, "disks") == 0;
	size_t i, keep = 0, n = old && YAJL_IS_ARRAY(old) ? old->u.array.len : 0;

	for (i = 0; i < n; i++)
		if (item_devid(disks, old, i) != (long long)devid)
			keep++;
	if (keep == 0 && !add)
		return true;
	if (!light_gen_str(g, key) || !light_gen_ok(yajl_gen_array_open(g)))
		return false;
	for (i = 0; i < n; i++)
		if (item_devid(disks, old, i) != (long long)devid &&
		    !light_gen_value(g, old->u.array.values[i]))
			return false;
	if (add && !light_gen_value(g, add))
		return false;
	return light_gen_ok(yajl_gen_array_close(g));
}

/* A list the file does not have yet goes where libxl puts the device
 * lists: right after b_info, and "nics" after "disks".  True when it
 * belongs between the keys `prev` and `next`. */
static bool new_list_here(const char *key, const char *prev, const char *next)
{
	bool nics = strcmp(key, "nics") == 0;

	if (nics && strcmp(next, "disks") == 0)
		return false;
	return strcmp(prev, "b_info") == 0 || (nics && strcmp(prev, "disks") == 0);
}

char *light_config_json_device(const char *json, const char *key,
                               uint32_t devid, const char *item)
{
	yajl_val root = NULL, add = NULL, old = NULL;
	yajl_gen g = NULL;
	const unsigned char *buf;
	size_t len, i;
	bool ok, placed = false;
	char *out = NULL, perr[128];
	int err = EINVAL;

	root = yajl_tree_parse(json, perr, sizeof(perr));
	if (!root || !YAJL_IS_OBJECT(root))
		goto out;
	if (item && !(add = yajl_tree_parse(item, perr, sizeof(perr))))
		goto out;
	for (i = 0; i < root->u.object.len; i++)
		if (strcmp(root->u.object.keys[i], key) == 0)
			old = root->u.object.values[i];
	err = ENOMEM;
	g = light_gen_alloc_libxl();
	if (!g)
		goto out;
	ok = light_gen_ok(yajl_gen_map_open(g));
	for (i = 0; ok && i < root->u.object.len; i++) {
		const char *k = root->u.object.keys[i];

		if (strcmp(k, key) == 0) {
			ok = !placed && gen_list(g, key, old, devid, add);
			placed = true;
			continue;
		}
		if (!placed && !old && i > 0 &&
		    new_list_here(key, root->u.object.keys[i - 1], k)) {
			ok = gen_list(g, key, NULL, devid, add);
			placed = true;
		}
		ok = ok && light_gen_str(g, k) && light_gen_value(g, root->u.object.values[i]);
	}
	if (ok && !placed)
		ok = gen_list(g, key, old, devid, add);
	ok = ok && light_gen_ok(yajl_gen_map_close(g)) &&
	     light_gen_ok(yajl_gen_get_buf(g, &buf, &len));
	if (ok && (out = malloc(len + 1)) != NULL) {
		memcpy(out, buf, len);
		out[len] = '\0';
	}
out:
	if (g)
		yajl_gen_free(g);
	yajl_tree_free(add);
	yajl_tree_free(root);
	if (!out)
		errno = err;
	return out;
}

/* Rewrite domain domid's stored file with light_config_json_device. */
static int store_edit(struct light_ctx *c, uint32_t domid, const char *key,
                      uint32_t devid, const char *item)
{
	struct ctrl_dominfo info;
	struct light_userdata_lock lk;
	char path[4200], *text, *edited;
	int rc = -1;

	if (light_need_ctrl(c) < 0)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return lc_fail(c, ESRCH, "domain %u does not exist", domid);
	if (light_config_store_path(domid, info.handle, path, sizeof(path)) < 0)
		return lc_fail(c, ENAMETOOLONG, "state directory path too long");
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;       /* not created here: nothing to keep */
	/* A read-modify-write of the file upstream's libxl may be rewriting
	 * too (a device it attaches): under libxl's userdata lock. */
	if (light_userdata_lock(domid, info.handle, &lk) < 0)
		return light_error(c, errno, "cannot take the userdata lock "
		                   "of domain %u", domid);
	text = light_config_read(path);
	if (!text) {
		rc = errno == ENOENT ? 0 :
		     light_error(c, errno, "cannot read %s", path);
		light_userdata_unlock(&lk);
		return rc;
	}
	edited = light_config_json_device(text, key, devid, item);
	if (!edited)
		light_error(c, errno, "%s: cannot update its %s", path, key);
	else if (light_config_write(path, edited) < 0)
		light_error(c, errno, "cannot write %s", path);
	else
		rc = 0;
	light_userdata_unlock(&lk);
	free(edited);
	free(text);
	return rc;
}

int dev_store_add_disk(struct light_ctx *c, uint32_t domid, uint32_t devid,
                       const struct light_disk *disk)
{
	char *item = light_disk_print(disk);
	int rc;

	if (!item)
		return lc_fail(c, ENOMEM, "out of memory");
	rc = store_edit(c, domid, "disks", devid, item);
	free(item);
	return rc;
}

int dev_store_add_nic(struct light_ctx *c, uint32_t domid, uint32_t devid,
                      const struct light_nic *nic)
{
	char *item = light_nic_print(nic, devid);
	int rc;

	if (!item)
		return lc_fail(c, ENOMEM, "out of memory");
	rc = store_edit(c, domid, "nics", devid, item);
	free(item);
	return rc;
}

int dev_store_remove(struct light_ctx *c, uint32_t domid, const char *kind,
                     uint32_t devid)
{
	return store_edit(c, domid, strcmp(kind, "vif") == 0 ? "nics" : "disks",
	                  devid, NULL);
}
