/*
 * config_load.c - a domain configuration read back from the JSON that
 * config_json.c writes (the stored config of a running domain).
 *
 * The monitor daemon needs the whole configuration of a domain it did not
 * create itself, and after its own restart: to apply the stored on_*
 * actions and to create the domain again on reboot, with the uuid and the
 * MAC addresses chosen at the first create.  The stored file is the one
 * source of that, so this is the exact inverse of config_json.c: every key
 * written there is read here (tests/liblight/test-config-load.c checks
 * that a configuration survives the round trip unchanged).
 *
 * The file is ours, but it sits on disk where anyone with root can edit
 * it, so every value is checked for type and range like a config file.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>
#include <yajl/yajl_tree.h>

#include "light_config.h"

/* The loader's state: where errors go. */
struct loader {
	char *err;
	size_t errlen;
};

static int lerr(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int lerr(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (l->errlen)
		vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* The member `key` of object `obj`, or NULL. */
static yajl_val member(yajl_val obj, const char *key)
{
	size_t i;

	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/* An optional string member into *out (malloc'd; left NULL if absent). */
static int get_str(struct loader *l, yajl_val obj, const char *key, char **out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return 0;
	if (!YAJL_IS_STRING(v))
		return lerr(l, "stored config: %s: not a string", key);
	*out = strdup(v->u.string);
	if (!*out)
		return lerr(l, "out of memory");
	return 0;
}

/* An optional integer member in [min, max]; *out unchanged if absent. */
static int get_int(struct loader *l, yajl_val obj, const char *key,
                   long long min, long long max, long long *out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return 0;
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
	    YAJL_GET_INTEGER(v) > max)
		return lerr(l, "stored config: %s: not an integer in %lld..%lld",
		            key, min, max);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

/* libxl_action_on_shutdown names, the inverse of config_json.c. */
static const struct {
	const char *name;
	enum light_action action;
} libxl_actions[] = {
	{ "destroy", LIGHT_ACTION_DESTROY },
	{ "restart", LIGHT_ACTION_RESTART },
	{ "restart_rename", LIGHT_ACTION_RENAME_RESTART },
	{ "preserve", LIGHT_ACTION_PRESERVE },
	{ "coredump_destroy", LIGHT_ACTION_COREDUMP_DESTROY },
	{ "coredump_restart", LIGHT_ACTION_COREDUMP_RESTART },
	{ "soft_reset", LIGHT_ACTION_SOFT_RESET },
};

static int get_action(struct loader *l, yajl_val obj, const char *key,
                      enum light_action def, enum light_action *out)
{
	yajl_val v = member(obj, key);
	size_t i;

	*out = def;
	if (!v)
		return 0;
	if (YAJL_IS_STRING(v)) {
		for (i = 0; i < sizeof(libxl_actions) / sizeof(libxl_actions[0]); i++) {
			if (strcmp(v->u.string, libxl_actions[i].name) == 0) {
				*out = libxl_actions[i].action;
				return 0;
			}
		}
	}
	return lerr(l, "stored config: %s: unknown action", key);
}

/* A libxl defbool ("True"/"False", or a JSON boolean); `def` if absent
 * or "<default>". */
static bool get_defbool(yajl_val obj, const char *key, bool def)
{
	yajl_val v = member(obj, key);

	if (v && YAJL_IS_TRUE(v))
		return true;
	if (v && YAJL_IS_FALSE(v))
		return false;
	if (v && YAJL_IS_STRING(v) && strcmp(v->u.string, "True") == 0)
		return true;
	if (v && YAJL_IS_STRING(v) && strcmp(v->u.string, "False") == 0)
		return false;
	return def;
}

/* A libxl_bitmap of at most 32 bits: the numbers of the set ones. */
static int get_bits(struct loader *l, yajl_val obj, const char *key,
                    uint32_t *out)
{
	yajl_val v = member(obj, key);
	size_t i;

	*out = 0;
	if (!v)
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return lerr(l, "stored config: %s: not a list", key);
	for (i = 0; i < v->u.array.len; i++) {
		yajl_val b = v->u.array.values[i];

		if (!YAJL_IS_INTEGER(b) || YAJL_GET_INTEGER(b) < 0 ||
		    YAJL_GET_INTEGER(b) >= LIGHT_VIRIDIAN_GROUPS)
			return lerr(l, "stored config: %s: not a bit number", key);
		*out |= 1u << YAJL_GET_INTEGER(b);
	}
	return 0;
}

/* libxl's "type.hvm" (and b_info's device_model and video_memkb), as
 * config_json.c writes them: what a restart of an HVM guest needs back.
 * A config stored before Lightstack had displays has no "vnc" and video
 * memory 0: it comes back as it ran, without VNC. */
static int load_hvm(struct loader *l, yajl_val bi, struct light_domain_config *dc)
{
	yajl_val hvm = member(bi, "type.hvm"), v, vnc;
	char *kind = NULL;
	long long n = 0;

	if (get_str(l, bi, "device_model", &dc->hvm.device_model) < 0 ||
	    get_int(l, bi, "video_memkb", 0, 256 * 1024, &n) < 0)
		return -1;
	dc->hvm.video_memkb = (uint64_t)n;
	if (!hvm || !YAJL_IS_OBJECT(hvm))
		return lerr(l, "stored config: an hvm guest without type.hvm");
	if (get_str(l, hvm, "serial", &dc->hvm.serial) < 0 ||
	    get_str(l, hvm, "boot", &dc->hvm.boot) < 0 ||
	    get_str(l, hvm, "system_firmware", &dc->hvm.bios_path) < 0 ||
	    get_str(l, hvm, "keymap", &dc->hvm.keymap) < 0)
		return -1;
	dc->hvm.acpi = get_defbool(hvm, "acpi", true);
	dc->hvm.hpet = get_defbool(hvm, "hpet", true);
	dc->hvm.viridian = get_defbool(hvm, "viridian", false);
	if (get_bits(l, hvm, "viridian_enable", &dc->hvm.viridian_enable) < 0 ||
	    get_bits(l, hvm, "viridian_disable", &dc->hvm.viridian_disable) < 0)
		return -1;
	dc->hvm.nographic = get_defbool(hvm, "nographic", false);
	v = member(hvm, "vga");
	if (v && YAJL_IS_OBJECT(v) && get_str(l, v, "kind", &kind) < 0)
		return -1;
	if (kind && strcmp(kind, "std") == 0) {
		free(kind);
		kind = strdup("stdvga");
	} else if (!kind)
		kind = strdup("none");
	if (!kind)
		return lerr(l, "out of memory");
	if (strcmp(kind, "none") != 0 && strcmp(kind, "stdvga") != 0 &&
	    strcmp(kind, "cirrus") != 0) {
		lerr(l, "stored config: vga kind %.20s: not one Lightstack runs",
		     kind);
		free(kind);
		return -1;
	}
	dc->hvm.vga = kind;
	vnc = member(hvm, "vnc");
	if (vnc && YAJL_IS_OBJECT(vnc)) {
		dc->hvm.vnc = get_defbool(vnc, "enable", true);
		dc->hvm.vncunused = get_defbool(vnc, "findunused", true);
		n = 0;
		if (get_str(l, vnc, "listen", &dc->hvm.vnclisten) < 0 ||
		    get_str(l, vnc, "passwd", &dc->hvm.vncpasswd) < 0 ||
		    get_int(l, vnc, "display", 0, 65535 - 5900, &n) < 0)
			return -1;
		dc->hvm.vncdisplay = (unsigned)n;
	}
	return 0;
}

static int load_c_info(struct loader *l, yajl_val ci,
                       struct light_domain_config *dc)
{
	char *type = NULL, *uuid = NULL;
	int rc = -1;

	if (!ci || !YAJL_IS_OBJECT(ci))
		return lerr(l, "stored config: no c_info object");
	if (get_str(l, ci, "type", &type) < 0 || get_str(l, ci, "name", &dc->name) < 0 ||
	    get_str(l, ci, "uuid", &uuid) < 0)
		goto out;
	if (!dc->name || !*dc->name) {
		lerr(l, "stored config: c_info has no name");
		goto out;
	}
	dc->type = LIGHT_DOMAIN_PV;
	if (type && strcmp(type, "pvh") == 0)
		dc->type = LIGHT_DOMAIN_PVH;
	else if (type && strcmp(type, "hvm") == 0)
		dc->type = LIGHT_DOMAIN_HVM;
	else if (type && strcmp(type, "pv") != 0) {
		lerr(l, "stored config: c_info.type: unknown type");
		goto out;
	}
	if (uuid) {
		if (uuid_parse(uuid, dc->uuid) < 0) {
			lerr(l, "stored config: c_info.uuid: not a uuid");
			goto out;
		}
		dc->has_uuid = true;
	}
	rc = 0;
out:
	free(type);
	free(uuid);
	return rc;
}

/* A grant limit; libxl's "default" (its uint32 -1, or the member left
 * out) becomes -1. */
static int get_grant(struct loader *l, yajl_val bi, const char *key,
                     long long *out)
{
	long long n = -1;

	if (get_int(l, bi, key, -1, UINT32_MAX, &n) < 0)
		return -1;
	*out = n > INT_MAX ? -1 : n;
	return 0;
}

/* vcpu_hard_affinity / vcpu_soft_affinity: a list of CPU-number lists,
 * the inverse of config_json.c's write_affinity. */
static int get_affinity(struct loader *l, yajl_val bi, const char *key,
                        unsigned max_vcpus, struct light_cpumap **out,
                        size_t *n)
{
	yajl_val v = member(bi, key), m, cpu;
	size_t i, j;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > max_vcpus)
		return lerr(l, "stored config: b_info.%s: bad list", key);
	if (v->u.array.len == 0)
		return 0;
	*out = calloc(v->u.array.len, sizeof(**out));
	if (!*out)
		return lerr(l, "out of memory");
	for (i = 0; i < v->u.array.len; i++) {
		m = v->u.array.values[i];
		if (!YAJL_IS_ARRAY(m))
			goto bad;
		for (j = 0; j < m->u.array.len; j++) {
			cpu = m->u.array.values[j];
			if (!YAJL_IS_INTEGER(cpu) || YAJL_GET_INTEGER(cpu) < 0 ||
			    YAJL_GET_INTEGER(cpu) >= LIGHT_CPUMAP_MAX_CPUS)
				goto bad;
			light_cpumap_set(&(*out)[i], (unsigned)YAJL_GET_INTEGER(cpu));
		}
	}
	*n = v->u.array.len;
	return 0;
bad:
	free(*out);
	*out = NULL;
	return lerr(l, "stored config: b_info.%s: item %zu: not a CPU list",
	            key, i + 1);
}

static int load_b_info(struct loader *l, yajl_val bi,
                       struct light_domain_config *dc)
{
	yajl_val avail, pv, v;
	long long n;

	if (!bi || !YAJL_IS_OBJECT(bi))
		return lerr(l, "stored config: no b_info object");
	n = 1;
	if (get_int(l, bi, "max_vcpus", 1, 4096, &n) < 0)
		return -1;
	dc->max_vcpus = (unsigned)n;
	/* avail_vcpus lists the online vcpus; config_json.c writes 0..vcpus-1. */
	avail = member(bi, "avail_vcpus");
	dc->vcpus = dc->max_vcpus;
	if (avail) {
		if (!YAJL_IS_ARRAY(avail) || avail->u.array.len > dc->max_vcpus)
			return lerr(l, "stored config: b_info.avail_vcpus: bad list");
		dc->vcpus = (unsigned)avail->u.array.len;
	}
	n = 0;
	if (get_int(l, bi, "max_memkb", 0, INT64_MAX, &n) < 0)
		return -1;
	dc->max_memkb = (uint64_t)n;
	n = (long long)dc->max_memkb;
	if (get_int(l, bi, "target_memkb", 0, INT64_MAX, &n) < 0)
		return -1;
	dc->target_memkb = (uint64_t)n;
	if (get_affinity(l, bi, "vcpu_hard_affinity", dc->max_vcpus,
	                 &dc->cpus_hard, &dc->ncpus_hard) < 0 ||
	    get_affinity(l, bi, "vcpu_soft_affinity", dc->max_vcpus,
	                 &dc->cpus_soft, &dc->ncpus_soft) < 0 ||
	    get_grant(l, bi, "max_grant_frames", &dc->max_grant_frames) < 0 ||
	    get_grant(l, bi, "max_maptrack_frames", &dc->max_maptrack_frames) < 0)
		return -1;
	n = -1;
	if (get_int(l, bi, "max_grant_version", -1, 15, &n) < 0)
		return -1;
	dc->max_grant_version = n;
	v = member(bi, "claim_mode");
	dc->claim_mode = v && (YAJL_IS_TRUE(v) ||
	    (YAJL_IS_STRING(v) && strcmp(v->u.string, "True") == 0));
	if (get_str(l, bi, "kernel", &dc->kernel) < 0 ||
	    get_str(l, bi, "cmdline", &dc->cmdline) < 0 ||
	    get_str(l, bi, "ramdisk", &dc->ramdisk) < 0)
		return -1;
	pv = member(bi, "type.pv");
	if (pv && YAJL_IS_OBJECT(pv) && get_str(l, pv, "bootloader", &dc->bootloader) < 0)
		return -1;
	if (dc->type == LIGHT_DOMAIN_HVM)
		return load_hvm(l, bi, dc);
	return 0;
}

static int load_disk(struct loader *l, yajl_val o, struct light_disk *d)
{
	yajl_val v;
	long long n;

	d->discard = -1;
	if (!YAJL_IS_OBJECT(o))
		return lerr(l, "stored config: disks: not an object");
	if (get_str(l, o, "pdev_path", &d->target) < 0 ||
	    get_str(l, o, "vdev", &d->vdev) < 0 ||
	    get_str(l, o, "backend", &d->backendtype) < 0 ||
	    get_str(l, o, "format", &d->format) < 0 ||
	    get_str(l, o, "script", &d->script) < 0)
		return -1;
	if (!d->vdev)
		return lerr(l, "stored config: a disk has no vdev");
	n = 1;
	if (get_int(l, o, "readwrite", 0, 1, &n) < 0)
		return -1;
	d->readwrite = n != 0;
	n = 0;
	if (get_int(l, o, "is_cdrom", 0, 1, &n) < 0)
		return -1;
	d->cdrom = n != 0;
	v = member(o, "direct_io_safe");
	d->direct_io_safe = v && YAJL_IS_TRUE(v);
	v = member(o, "discard_enable");
	if (v && YAJL_IS_STRING(v))
		d->discard = strcmp(v->u.string, "True") == 0;
	return 0;
}

static int load_nic(struct loader *l, yajl_val o, struct light_nic *n)
{
	unsigned m[6];
	char *mac = NULL, *nictype = NULL;
	long long v;
	int rc = -1, i, end = 0;

	if (!YAJL_IS_OBJECT(o))
		return lerr(l, "stored config: nics: not an object");
	if (get_str(l, o, "mac", &mac) < 0 || get_str(l, o, "ip", &n->ip) < 0 ||
	    get_str(l, o, "bridge", &n->bridge) < 0 ||
	    get_str(l, o, "gatewaydev", &n->gatewaydev) < 0 ||
	    get_str(l, o, "ifname", &n->vifname) < 0 ||
	    get_str(l, o, "script", &n->script) < 0 ||
	    get_str(l, o, "model", &n->model) < 0 ||
	    get_str(l, o, "backend_domname", &n->backend) < 0 ||
	    get_str(l, o, "nictype", &nictype) < 0)
		goto out;
	if (mac) {
		if (strlen(mac) != 17 ||
		    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2],
		           &m[3], &m[4], &m[5], &end) != 6 || end != 17) {
			lerr(l, "stored config: nics: bad mac");
			goto out;
		}
		for (i = 0; i < 6; i++)
			n->mac[i] = (uint8_t)m[i];
		n->has_mac = true;
	}
	v = -1;
	if (get_int(l, o, "devid", -1, INT32_MAX, &v) < 0)
		goto out;
	if (v >= 0) {
		n->has_devid = true;
		n->devid = (uint32_t)v;
	}
	v = 0;
	if (get_int(l, o, "mtu", 0, 65535, &v) < 0)
		goto out;
	n->mtu = (unsigned)v;
	v = 0;
	if (get_int(l, o, "rate_bytes_per_interval", 0, INT64_MAX, &v) < 0)
		goto out;
	n->rate_bytes_per_interval = (uint64_t)v;
	v = 0;
	if (get_int(l, o, "rate_interval_usecs", 0, UINT32_MAX, &v) < 0)
		goto out;
	n->rate_interval_usecs = (uint32_t)v;
	if (nictype) {
		n->type = strdup(strcmp(nictype, "vif_ioemu") == 0 ? "ioemu" : "vif");
		if (!n->type) {
			lerr(l, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	free(mac);
	free(nictype);
	return rc;
}

/* An optional array member, each item loaded into a calloc'd array. */
static int load_devices(struct loader *l, yajl_val root,
                        struct light_domain_config *dc)
{
	yajl_val a;
	size_t i;

	a = member(root, "disks");
	if (a) {
		if (!YAJL_IS_ARRAY(a))
			return lerr(l, "stored config: disks: not a list");
		dc->disks = calloc(a->u.array.len ? a->u.array.len : 1, sizeof(*dc->disks));
		if (!dc->disks)
			return lerr(l, "out of memory");
		for (i = 0; i < a->u.array.len; i++) {
			dc->ndisks = i + 1;  /* so dispose frees a half-loaded one */
			if (load_disk(l, a->u.array.values[i], &dc->disks[i]) < 0)
				return -1;
		}
	}
	a = member(root, "nics");
	if (a) {
		if (!YAJL_IS_ARRAY(a))
			return lerr(l, "stored config: nics: not a list");
		dc->nics = calloc(a->u.array.len ? a->u.array.len : 1, sizeof(*dc->nics));
		if (!dc->nics)
			return lerr(l, "out of memory");
		for (i = 0; i < a->u.array.len; i++) {
			dc->nnics = i + 1;
			if (load_nic(l, a->u.array.values[i], &dc->nics[i]) < 0)
				return -1;
		}
	}
	return 0;
}

int light_domain_config_from_json(const char *json, const char *source,
                                  struct light_domain_config *out,
                                  char *err, size_t errlen)
{
	struct loader l = { err, errlen };
	char perr[128];
	yajl_val root, cfg;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = yajl_tree_parse(json, perr, sizeof(perr));
	if (!root) {
		/* yajl's message spans lines; the first says what. */
		perr[strcspn(perr, "\n")] = '\0';
		return lerr(&l, "stored config: not JSON: %s", perr);
	}
	/* Either the bare config object or {"domid": D, "config": {...}}. */
	cfg = member(root, "config");
	if (!cfg)
		cfg = root;
	if (!YAJL_IS_OBJECT(cfg)) {
		lerr(&l, "stored config: not an object");
		goto out;
	}
	if (load_c_info(&l, member(cfg, "c_info"), out) < 0 ||
	    load_b_info(&l, member(cfg, "b_info"), out) < 0 ||
	    load_devices(&l, cfg, out) < 0 ||
	    get_action(&l, cfg, "on_poweroff", LIGHT_ACTION_DESTROY, &out->on_poweroff) < 0 ||
	    get_action(&l, cfg, "on_reboot", LIGHT_ACTION_RESTART, &out->on_reboot) < 0 ||
	    get_action(&l, cfg, "on_watchdog", LIGHT_ACTION_DESTROY, &out->on_watchdog) < 0 ||
	    get_action(&l, cfg, "on_crash", LIGHT_ACTION_DESTROY, &out->on_crash) < 0 ||
	    get_action(&l, cfg, "on_soft_reset", LIGHT_ACTION_SOFT_RESET,
	               &out->on_soft_reset) < 0)
		goto out;
	out->source = strdup(source ? source : "<stored>");
	if (!out->source) {
		lerr(&l, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		light_domain_config_dispose(out);
	yajl_tree_free(root);
	if (rc < 0)
		errno = EINVAL;
	return rc;
}
