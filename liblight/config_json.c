/*
 * config_json.c - a domain configuration as JSON in the shape of upstream's
 * libxl_domain_config, as `xl list -l` and `xl create -n` print it.
 *
 * libxl's generated JSON leaves out fields at their default, spells
 * booleans of type libxl_defbool as the strings "True"/"False", and
 * spells enum values in lower case with '_' ("restart_rename").  We
 * follow that so scripts written against upstream's output keep working,
 * for the fields this model has.  yajl does the escaping and layout
 * (four-space indent, like libxl).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>

#include "light_config.h"
#include "json_tree.h"

/* libxl_action_on_shutdown names. */
static const char *libxl_action(enum light_action a)
{
	switch (a) {
	case LIGHT_ACTION_DESTROY: return "destroy";
	case LIGHT_ACTION_RESTART: return "restart";
	case LIGHT_ACTION_RENAME_RESTART: return "restart_rename";
	case LIGHT_ACTION_PRESERVE: return "preserve";
	case LIGHT_ACTION_COREDUMP_DESTROY: return "coredump_destroy";
	case LIGHT_ACTION_COREDUMP_RESTART: return "coredump_restart";
	case LIGHT_ACTION_SOFT_RESET: return "soft_reset";
	}
	return "destroy";
}

/* Small wrappers: every yajl call returns a status; collect the first
 * failure in one place instead of checking each call. */
struct jw {
	yajl_gen g;
	bool failed;
};

static void jstr(struct jw *w, const char *s)
{
	if (yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)) != yajl_gen_status_ok)
		w->failed = true;
}

static void jkey_str(struct jw *w, const char *k, const char *v)
{
	if (!v)
		return;
	jstr(w, k);
	jstr(w, v);
}

static void jkey_int(struct jw *w, const char *k, long long v)
{
	jstr(w, k);
	if (yajl_gen_integer(w->g, v) != yajl_gen_status_ok)
		w->failed = true;
}

static void jmap_open(struct jw *w)
{
	if (yajl_gen_map_open(w->g) != yajl_gen_status_ok)
		w->failed = true;
}

static void jmap_close(struct jw *w)
{
	if (yajl_gen_map_close(w->g) != yajl_gen_status_ok)
		w->failed = true;
}

static void jarr_open(struct jw *w)
{
	if (yajl_gen_array_open(w->g) != yajl_gen_status_ok)
		w->failed = true;
}

static void write_bits(struct jw *w, const char *key, uint32_t bits);

static void jarr_close(struct jw *w)
{
	if (yajl_gen_array_close(w->g) != yajl_gen_status_ok)
		w->failed = true;
}

static void write_c_info(struct jw *w, const struct light_domain_config *dc)
{
	char uuid[37];

	jstr(w, "c_info");
	jmap_open(w);
	jkey_str(w, "type", light_domain_type_name(dc->type));
	jkey_str(w, "name", dc->name);
	if (dc->has_uuid) {
		uuid_unparse_lower(dc->uuid, uuid);
		jkey_str(w, "uuid", uuid);
	}
	jkey_str(w, "run_hotplug_scripts", "True");
	jmap_close(w);
}

/*
 * cpus= / cpus_soft= as libxl stores them: one bitmap per vcpu, each
 * written as the list of its CPU numbers.  Create trims the maps to the
 * host's CPUs, so "all" is the host's CPUs here, as in libxl's file.
 */
static void write_affinity(struct jw *w, const char *key,
                           const struct light_cpumap *maps, size_t n)
{
	size_t i;
	unsigned cpu;

	if (n == 0)
		return;
	jstr(w, key);
	jarr_open(w);
	for (i = 0; i < n; i++) {
		jarr_open(w);
		for (cpu = 0; cpu < LIGHT_CPUMAP_MAX_CPUS; cpu++)
			if (light_cpumap_test(&maps[i], cpu) &&
			    yajl_gen_integer(w->g, cpu) != yajl_gen_status_ok)
				w->failed = true;
		jarr_close(w);
	}
	jarr_close(w);
}

static void write_b_info(struct jw *w, const struct light_domain_config *dc)
{
	unsigned i;

	jstr(w, "b_info");
	jmap_open(w);
	jkey_int(w, "max_vcpus", dc->max_vcpus);
	/* avail_vcpus is a bitmap libxl prints as the list of set bits. */
	jstr(w, "avail_vcpus");
	jarr_open(w);
	for (i = 0; i < dc->vcpus; i++)
		if (yajl_gen_integer(w->g, i) != yajl_gen_status_ok)
			w->failed = true;
	jarr_close(w);
	write_affinity(w, "vcpu_hard_affinity", dc->cpus_hard, dc->ncpus_hard);
	write_affinity(w, "vcpu_soft_affinity", dc->cpus_soft, dc->ncpus_soft);
	jkey_int(w, "max_memkb", (long long)dc->max_memkb);
	jkey_int(w, "target_memkb", (long long)dc->target_memkb);
	/* Only an HVM guest's card has video memory; libxl writes the 0 too
	 * (its default, "unset", would make its list -l take 1 KiB off the
	 * target). */
	jkey_int(w, "video_memkb", dc->type == LIGHT_DOMAIN_HVM ?
	         (long long)dc->hvm.video_memkb : 0);
	/* libxl leaves out what is at its default ("use Xen's"). */
	if (dc->max_grant_frames >= 0)
		jkey_int(w, "max_grant_frames", dc->max_grant_frames);
	if (dc->max_maptrack_frames >= 0)
		jkey_int(w, "max_maptrack_frames", dc->max_maptrack_frames);
	if (dc->max_grant_version >= 0)
		jkey_int(w, "max_grant_version", dc->max_grant_version);
	jkey_str(w, "claim_mode", dc->claim_mode ? "True" : "False");
	jkey_str(w, "kernel", dc->kernel);
	jkey_str(w, "cmdline", dc->cmdline);
	jkey_str(w, "ramdisk", dc->ramdisk);
	/* libxl's keyed union: the key names the type, as upstream's xl
	 * reads it back ("type.pvh" holds only pvshim settings, not used). */
	if (dc->type == LIGHT_DOMAIN_PVH) {
		jstr(w, "type.pvh");
		jmap_open(w);
		jmap_close(w);
	} else if (dc->type == LIGHT_DOMAIN_HVM) {
		/* libxl_domain_build_info's hvm members that we set. */
		jkey_str(w, "device_model", dc->hvm.device_model);
		jstr(w, "type.hvm");
		jmap_open(w);
		jkey_str(w, "bios", "seabios");
		jkey_str(w, "system_firmware", dc->hvm.bios_path);
		jkey_str(w, "acpi", dc->hvm.acpi ? "True" : "False");
		jkey_str(w, "serial", dc->hvm.serial);
		jkey_str(w, "boot", dc->hvm.boot);
		jkey_str(w, "viridian", dc->hvm.viridian ? "True" : "False");
		write_bits(w, "viridian_enable", dc->hvm.viridian_enable);
		write_bits(w, "viridian_disable", dc->hvm.viridian_disable);
		jkey_str(w, "hpet", dc->hvm.hpet ? "True" : "False");
		jkey_str(w, "nographic", dc->hvm.nographic ? "True" : "False");
		jkey_str(w, "keymap", dc->hvm.keymap);
		/* libxl's enum spells stdvga "std". */
		jstr(w, "vga");
		jmap_open(w);
		jkey_str(w, "kind", !dc->hvm.vga ? "none" :
		         strcmp(dc->hvm.vga, "stdvga") == 0 ? "std" : dc->hvm.vga);
		jmap_close(w);
		jstr(w, "vnc");
		jmap_open(w);
		jkey_str(w, "enable", dc->hvm.vnc ? "True" : "False");
		jkey_str(w, "listen", dc->hvm.vnclisten);
		jkey_str(w, "passwd", dc->hvm.vncpasswd);
		jkey_int(w, "display", dc->hvm.vncdisplay);
		jkey_str(w, "findunused", dc->hvm.vncunused ? "True" : "False");
		jmap_close(w);
		jmap_close(w);
	} else {
		jstr(w, "type.pv");
		jmap_open(w);
		jkey_str(w, "bootloader", dc->bootloader);
		jmap_close(w);
	}
	jmap_close(w);
}

/* A libxl_bitmap: the numbers of its set bits (viridian_enable, ...). */
static void write_bits(struct jw *w, const char *key, uint32_t bits)
{
	unsigned i;

	if (!bits)
		return;
	jstr(w, key);
	jarr_open(w);
	for (i = 0; i < 32; i++)
		if ((bits & (1u << i)) && yajl_gen_integer(w->g, i) != yajl_gen_status_ok)
			w->failed = true;
	jarr_close(w);
}

/* One libxl_device_disk object. */
static void write_disk(struct jw *w, const struct light_disk *d)
{
	/* libxl_device_disk's keys; an unset backendtype becomes the one
	 * create chose, as libxl stores it: blkback ("phy"), or QEMU
	 * ("qdisk") for an empty cdrom. */
	jmap_open(w);
	jkey_int(w, "backend_domid", 0);
	jkey_str(w, "pdev_path", d->target);
	jkey_str(w, "vdev", d->vdev);
	jkey_str(w, "backend", d->backendtype ? d->backendtype :
	         d->target ? "phy" : "qdisk");
	jkey_str(w, "format", d->format);
	jkey_str(w, "script", d->script);
	jkey_int(w, "removable", d->cdrom ? 1 : 0);
	jkey_int(w, "readwrite", d->readwrite ? 1 : 0);
	jkey_int(w, "is_cdrom", d->cdrom ? 1 : 0);
	if (d->direct_io_safe) {
		jstr(w, "direct_io_safe");
		if (yajl_gen_bool(w->g, 1) != yajl_gen_status_ok)
			w->failed = true;
	}
	if (d->discard >= 0)
		jkey_str(w, "discard_enable", d->discard ? "True" : "False");
	jmap_close(w);
}

static void write_disks(struct jw *w, const struct light_domain_config *dc)
{
	size_t i;

	if (!dc->ndisks)
		return;
	jstr(w, "disks");
	jarr_open(w);
	for (i = 0; i < dc->ndisks; i++)
		write_disk(w, &dc->disks[i]);
	jarr_close(w);
}

/* One libxl_device_nic object, with the device number it has. */
static void write_nic(struct jw *w, const struct light_nic *n, uint32_t devid)
{
	char mac[LIGHT_MAC_STRLEN];

	jmap_open(w);
	jkey_int(w, "devid", (long long)devid);
	if (n->has_mac) {
		light_mac_format(n->mac, mac);
		jkey_str(w, "mac", mac);
	}
	if (n->mtu)
		jkey_int(w, "mtu", (long long)n->mtu);
	jkey_str(w, "ip", n->ip);
	jkey_str(w, "bridge", n->bridge);
	jkey_str(w, "gatewaydev", n->gatewaydev);
	if (n->rate_interval_usecs) {
		jkey_int(w, "rate_bytes_per_interval",
		         (long long)n->rate_bytes_per_interval);
		jkey_int(w, "rate_interval_usecs",
		         (long long)n->rate_interval_usecs);
	}
	jkey_str(w, "ifname", n->vifname);
	jkey_str(w, "script", n->script);
	jkey_str(w, "model", n->model);
	jkey_str(w, "backend_domname", n->backend);
	if (n->type)
		jkey_str(w, "nictype", strcmp(n->type, "ioemu") == 0 ? "vif_ioemu" : "vif");
	jmap_close(w);
}

static void write_nics(struct jw *w, const struct light_domain_config *dc)
{
	size_t i;

	if (!dc->nnics)
		return;
	jstr(w, "nics");
	jarr_open(w);
	for (i = 0; i < dc->nnics; i++)
		write_nic(w, &dc->nics[i], light_nic_devid(dc, i));
	jarr_close(w);
}

/* yajl's buffer as a C string, without the newline beautify ends with
 * (so the caller can place the text inside an array); NULL on failure. */
static char *take_text(struct jw *w)
{
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	if (!w->failed && yajl_gen_get_buf(w->g, &buf, &len) == yajl_gen_status_ok) {
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		out = malloc(len + 1);
		if (out) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(w->g);
	return out;
}

static bool jw_start(struct jw *w)
{
	w->failed = false;
	w->g = light_gen_alloc_libxl();
	return w->g != NULL;
}

char *light_disk_print(const struct light_disk *d)
{
	struct jw w;

	if (!jw_start(&w))
		return NULL;
	write_disk(&w, d);
	return take_text(&w);
}

char *light_nic_print(const struct light_nic *n, uint32_t devid)
{
	struct jw w;

	if (!jw_start(&w))
		return NULL;
	write_nic(&w, n, devid);
	return take_text(&w);
}

/* The JSON text; with `wrap` as {"domid": D, "config": {...}}, without
 * just the config object. */
static char *to_json(const struct light_domain_config *dc, long long domid,
                     bool wrap)
{
	struct jw w;

	if (!jw_start(&w))
		return NULL;
	if (wrap) {
		jmap_open(&w);
		jstr(&w, "domid");
		if (domid < 0) {
			if (yajl_gen_null(w.g) != yajl_gen_status_ok)
				w.failed = true;
		} else if (yajl_gen_integer(w.g, domid) != yajl_gen_status_ok) {
			w.failed = true;
		}
		jstr(&w, "config");
	}
	jmap_open(&w);
	write_c_info(&w, dc);
	write_b_info(&w, dc);
	write_disks(&w, dc);
	write_nics(&w, dc);
	jkey_str(&w, "on_poweroff", libxl_action(dc->on_poweroff));
	jkey_str(&w, "on_reboot", libxl_action(dc->on_reboot));
	jkey_str(&w, "on_watchdog", libxl_action(dc->on_watchdog));
	jkey_str(&w, "on_crash", libxl_action(dc->on_crash));
	jkey_str(&w, "on_soft_reset", libxl_action(dc->on_soft_reset));
	jmap_close(&w);
	if (wrap)
		jmap_close(&w);
	return take_text(&w);
}

char *light_domain_config_to_json(const struct light_domain_config *dc,
                                  long long domid)
{
	return to_json(dc, domid, true);
}

char *light_domain_config_print(const struct light_domain_config *dc)
{
	return to_json(dc, -1, false);
}
