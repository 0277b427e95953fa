/*
 * config_model.c - from parsed xl.cfg settings to a checked
 * struct light_domain_config, with upstream xl's defaults.
 *
 * Each known key has a typed getter that names file:line on a type or
 * range error.  Unknown keys are ignored, as upstream does: configs
 * written for upstream carry keys we do not implement (vnc, sdl, ...) and
 * must still start.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "light_config.h"
#include "ctrl_build.h"      /* CTRL_PVH_MAX_VCPUS */

/* Memory is given in MiB; keep it within what the 64-bit KiB fields and
 * the hypervisor can express (16 TiB is far beyond any PV guest). */
#define MAX_MEMORY_MB (16ULL * 1024 * 1024)
/* Xen's limit for a PV guest's vcpus (the vcpu_info placement allows more
 * than the legacy 32; HVM_MAX_VCPUS is 128, keep PV to that too). */
#define MAX_VCPUS 128
#define MAX_NAME 64

struct model {
	const struct light_cfg *cfg;
	char *err;
	size_t errlen;
};

static int merr(struct model *m, const struct light_cfg_setting *s,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One-line error, prefixed with the setting's file:line when known. */
static int merr(struct model *m, const struct light_cfg_setting *s,
                const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s)
		snprintf(m->err, m->errlen, "%s:%d: %s", s->source, s->line, msg);
	else
		snprintf(m->err, m->errlen, "%s", msg);
	errno = EINVAL;
	return -1;
}

/* String setting: any atom.  *out stays NULL when the key is absent. */
static int get_string(struct model *m, const char *key, char **out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(m->cfg, key);

	*out = NULL;
	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return merr(m, s, "%s: expected a string, not a list", key);
	*out = strdup(s->value->text);
	if (!*out)
		return merr(m, s, "out of memory");
	return 0;
}

/* Integer setting in [min, max]; `*present` says whether it was given. */
static int get_int(struct model *m, const char *key, long long min,
                   long long max, long long *out, bool *present)
{
	const struct light_cfg_setting *s = light_cfg_lookup(m->cfg, key);

	*present = false;
	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return merr(m, s, "%s: expected a number, not a list", key);
	if (light_cfg_parse_int(s->value->text, min, max, out) < 0) {
		if (errno == ERANGE)
			return merr(m, s, "%s: %s is out of range (%lld to %lld)",
			            key, s->value->text, min, max);
		return merr(m, s, "%s: not a number: `%.40s'", key, s->value->text);
	}
	*present = true;
	return 0;
}

/* List of strings; *items points into the cfg (not copied). */
static int get_string_list(struct model *m, const char *key,
                           const struct light_cfg_setting **sp)
{
	const struct light_cfg_setting *s = light_cfg_lookup(m->cfg, key);
	size_t i;

	*sp = NULL;
	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_LIST)
		return merr(m, s, "%s: expected a list [ ... ]", key);
	for (i = 0; i < s->value->nitems; i++)
		if (s->value->items[i]->kind != LIGHT_CFG_ATOM)
			return merr(m, s, "%s: item %zu: expected a string, not a list",
			            key, i + 1);
	*sp = s;
	return 0;
}

static const char *const action_names[] = {
	[LIGHT_ACTION_DESTROY] = "destroy",
	[LIGHT_ACTION_RESTART] = "restart",
	[LIGHT_ACTION_RENAME_RESTART] = "rename-restart",
	[LIGHT_ACTION_PRESERVE] = "preserve",
	[LIGHT_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[LIGHT_ACTION_COREDUMP_RESTART] = "coredump-restart",
	[LIGHT_ACTION_SOFT_RESET] = "soft-reset",
};

void light_mac_format(const uint8_t mac[6], char buf[LIGHT_MAC_STRLEN])
{
	snprintf(buf, LIGHT_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
	         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

const char *light_action_name(enum light_action a)
{
	if ((size_t)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return "unknown";
}

/*
 * What a PVH guest cannot have, refused at its line: the options of an
 * emulated machine (a PVH domain has no device model, firmware or legacy
 * devices), memory it cannot balloon into (every page of its memory map is
 * populated: no populate-on-demand), and more vCPUs than its ACPI tables
 * number.
 */
static const char *const hvm_only_keys[] = {
	"boot", "vga", "stdvga", "videoram", "vnc", "vnclisten", "vncdisplay",
	"vncpasswd", "vncunused", "sdl", "opengl", "nographic", "serial",
	"usb", "usbdevice", "usbctrl", "soundhw", "viridian", "hpet", "acpi_s3",
	"acpi_s4", "apic", "pae", "device_model_version",
	"device_model_override", "device_model_args", "firmware_override",
	"bios", "hdtype", "keymap", "spice",
};

static int check_pvh(struct model *m, const struct light_cfg *cfg,
                     const struct light_domain_config *dc)
{
	const struct light_cfg_setting *s;
	size_t i;

	for (i = 0; i < sizeof(hvm_only_keys) / sizeof(hvm_only_keys[0]); i++) {
		s = light_cfg_lookup(cfg, hvm_only_keys[i]);
		if (s)
			return merr(m, s, "%s: not for type \"pvh\" (an option of "
			            "HVM guests' emulated machine)", hvm_only_keys[i]);
	}
	if (dc->max_memkb != dc->target_memkb)
		return merr(m, light_cfg_lookup(cfg, "maxmem"),
		            "maxmem (%llu MB) differs from memory (%llu MB): a PVH "
		            "guest's memory is populated in full, it cannot balloon "
		            "up", (unsigned long long)dc->max_memkb / 1024,
		            (unsigned long long)dc->target_memkb / 1024);
	if (dc->max_vcpus > CTRL_PVH_MAX_VCPUS)
		return merr(m, light_cfg_lookup(cfg, dc->max_vcpus > dc->vcpus ?
		                                "maxvcpus" : "vcpus"),
		            "%u vcpus: a PVH guest has at most %d",
		            dc->max_vcpus, CTRL_PVH_MAX_VCPUS);
	return 0;
}

/*
 * The emulated PC of an HVM guest (xl.cfg(5)'s HVM options, the ones
 * Lightstack runs so far).  Memory is populated in full (no
 * populate-on-demand: maxmem must equal memory).  Defaults are libxl's:
 * a Cirrus card with its 8 MiB of video memory taken out of memory=, and
 * QEMU's VNC server on 127.0.0.1 at the first free display.
 */
static const char *const hvm_not_yet[] = {
	"opengl", "usb", "usbdevice", "usbctrl", "soundhw", "spice",
	"device_model_args", "device_model_stubdomain_override",
};

/* A string that goes into one of QEMU's comma-separated options: no
 * comma (it would start another option) and printable. */
static bool qemu_opt_ok(const char *v)
{
	for (; *v; v++)
		if (*v == ',' || (unsigned char)*v <= ' ' || *v == 0x7f)
			return false;
	return true;
}

/* vga=, stdvga= (the old boolean) and videoram= (MiB). */
static int get_vga(struct model *m, const struct light_cfg *cfg,
                   struct light_domain_config *dc)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cfg, "vga");
	long long v, min;
	bool have;

	if (get_string(m, "vga", &dc->hvm.vga) < 0)
		return -1;
	if (!dc->hvm.vga) {
		if (get_int(m, "stdvga", 0, 1, &v, &have) < 0)
			return -1;
		if (!(dc->hvm.vga = strdup(have && v ? "stdvga" : "cirrus")))
			return merr(m, s, "out of memory");
	}
	if (strcmp(dc->hvm.vga, "qxl") == 0)
		return merr(m, s, "vga: qxl needs SPICE, which Lightstack does "
		            "not offer (use stdvga or cirrus, with vnc)");
	if (strcmp(dc->hvm.vga, "none") != 0 && strcmp(dc->hvm.vga, "stdvga") != 0 &&
	    strcmp(dc->hvm.vga, "cirrus") != 0)
		return merr(m, s, "vga: `%.20s': expected stdvga, cirrus or none",
		            dc->hvm.vga);
	/* libxl's minimum and default for QEMU's cards (qemu-xen). */
	min = strcmp(dc->hvm.vga, "stdvga") == 0 ? 16 :
	      strcmp(dc->hvm.vga, "cirrus") == 0 ? 8 : 0;
	if (get_int(m, "videoram", 0, 256, &v, &have) < 0)
		return -1;
	if (have && v < min)
		return merr(m, light_cfg_lookup(cfg, "videoram"), "videoram (%lld "
		            "MB): vga=\"%s\" needs at least %lld MB", v,
		            dc->hvm.vga, min);
	dc->hvm.video_memkb = (uint64_t)(have ? v : min) * 1024;
	return 0;
}

/* sdl=, vnc= and its settings, keymap=, nographic=. */
static int get_display(struct model *m, const struct light_cfg *cfg,
                       struct light_domain_config *dc)
{
	const struct light_cfg_setting *s;
	long long v;
	bool have;

	if (get_int(m, "sdl", 0, 1, &v, &have) < 0)
		return -1;
	if (have && v)
		return merr(m, light_cfg_lookup(cfg, "sdl"), "sdl: QEMU's SDL "
		            "window needs an X display in Dom0; use vnc");
	if (get_int(m, "vnc", 0, 1, &v, &have) < 0)
		return -1;
	dc->hvm.vnc = have ? v != 0 : true;
	if (get_int(m, "vncunused", 0, 1, &v, &have) < 0)
		return -1;
	dc->hvm.vncunused = have ? v != 0 : true;
	if (get_int(m, "vncdisplay", 0, 65535 - 5900, &v, &have) < 0)
		return -1;
	dc->hvm.vncdisplay = have ? (unsigned)v : 0;
	if (get_string(m, "vnclisten", &dc->hvm.vnclisten) < 0 ||
	    get_string(m, "vncpasswd", &dc->hvm.vncpasswd) < 0 ||
	    get_string(m, "keymap", &dc->hvm.keymap) < 0)
		return -1;
	s = light_cfg_lookup(cfg, "vnclisten");
	if (dc->hvm.vnclisten && (!*dc->hvm.vnclisten ||
	                          !qemu_opt_ok(dc->hvm.vnclisten)))
		return merr(m, s, "vnclisten: `%.40s': expected an address "
		            "(and :display)", dc->hvm.vnclisten);
	/* libxl: an address with a display in it, and vncdisplay= too. */
	if (dc->hvm.vnclisten && strchr(dc->hvm.vnclisten, ':') &&
	    dc->hvm.vncdisplay)
		return merr(m, s, "vnclisten: `%.40s' names a display and "
		            "vncdisplay= is set too", dc->hvm.vnclisten);
	if (dc->hvm.keymap && (!*dc->hvm.keymap ||
	                       strspn(dc->hvm.keymap, "abcdefghijklmnopqrstuvwxyz-") !=
	                       strlen(dc->hvm.keymap)))
		return merr(m, light_cfg_lookup(cfg, "keymap"), "keymap: `%.20s': "
		            "expected a QEMU keymap name (en-us, de, ...)",
		            dc->hvm.keymap);
	if (get_int(m, "nographic", 0, 1, &v, &have) < 0)
		return -1;
	dc->hvm.nographic = have && v;
	return 0;
}

static const char *const viridian_names[LIGHT_VIRIDIAN_GROUPS] = {
	"base", "freq", "time_ref_count", "reference_tsc",
	"hcall_remote_tlb_flush", "apic_assist", "crash_ctl", "synic", "stimer",
	"hcall_ipi", "ex_processor_masks", "no_vp_limit", "cpu_hotplug",
};
/* libxl's defaults: base, freq, time_ref_count, apic_assist, crash_ctl. */
#define VIRIDIAN_DEFAULTS ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6))

const char *light_viridian_group(unsigned i)
{
	return i < LIGHT_VIRIDIAN_GROUPS ? viridian_names[i] : NULL;
}

uint32_t light_viridian_groups(const struct light_domain_config *dc)
{
	uint32_t g = dc->hvm.viridian ? VIRIDIAN_DEFAULTS : 0;

	return (g | dc->hvm.viridian_enable) & ~dc->hvm.viridian_disable;
}

/* viridian = 0|1, or the list form: group names, "!name", "defaults",
 * "all" (xl.cfg(5)).  Every group needs "base". */
static int get_viridian(struct model *m, const struct light_cfg *cfg,
                        struct light_domain_config *dc)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cfg, "viridian");
	long long v;
	bool have;
	size_t i;
	unsigned k;

	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_LIST) {
		if (get_int(m, "viridian", 0, 1, &v, &have) < 0)
			return -1;
		dc->hvm.viridian = v != 0;
		return 0;
	}
	for (i = 0; i < s->value->nitems; i++) {
		const struct light_cfg_value *it = s->value->items[i];
		const char *name;
		bool off;

		if (it->kind != LIGHT_CFG_ATOM)
			return merr(m, s, "viridian: item %zu: expected a string", i + 1);
		name = it->text;
		off = name[0] == '!';
		name += off;
		if (!off && strcmp(name, "defaults") == 0) {
			dc->hvm.viridian = true;
			continue;
		}
		if (!off && strcmp(name, "all") == 0) {
			dc->hvm.viridian_enable |= (1u << LIGHT_VIRIDIAN_GROUPS) - 1;
			continue;
		}
		for (k = 0; k < LIGHT_VIRIDIAN_GROUPS; k++)
			if (strcmp(name, viridian_names[k]) == 0)
				break;
		if (k == LIGHT_VIRIDIAN_GROUPS)
			return merr(m, s, "viridian: unknown group `%.30s'", it->text);
		if (off)
			dc->hvm.viridian_disable |= 1u << k;
		else
			dc->hvm.viridian_enable |= 1u << k;
	}
	if (dc->hvm.viridian_enable & dc->hvm.viridian_disable)
		return merr(m, s, "viridian: a group both added and taken away");
	if (light_viridian_groups(dc) && !(light_viridian_groups(dc) & 1))
		return merr(m, s, "viridian: the other groups need \"base\"");
	return 0;
}

static int get_hvm(struct model *m, const struct light_cfg *cfg,
                   struct light_domain_config *dc)
{
	const struct light_cfg_setting *s;
	char *bios = NULL;
	long long v;
	bool have;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof(hvm_not_yet) / sizeof(hvm_not_yet[0]); i++) {
		s = light_cfg_lookup(cfg, hvm_not_yet[i]);
		if (s)
			return merr(m, s, "%s: not supported for HVM guests yet "
			            "(no USB, sound or SPICE)", hvm_not_yet[i]);
	}
	if (dc->max_memkb != dc->target_memkb)
		return merr(m, light_cfg_lookup(cfg, "maxmem"),
		            "maxmem (%llu MB) differs from memory (%llu MB): an HVM "
		            "guest's memory is populated in full (no "
		            "populate-on-demand)",
		            (unsigned long long)dc->max_memkb / 1024,
		            (unsigned long long)dc->target_memkb / 1024);
	if (dc->max_vcpus > CTRL_HVM_MAX_VCPUS)
		return merr(m, light_cfg_lookup(cfg, dc->max_vcpus > dc->vcpus ?
		                                "maxvcpus" : "vcpus"),
		            "%u vcpus: an HVM guest has at most %d",
		            dc->max_vcpus, CTRL_HVM_MAX_VCPUS);
	if (get_vga(m, cfg, dc) < 0 || get_display(m, cfg, dc) < 0)
		goto out;
	if (dc->target_memkb < CTRL_HVM_MIN_MEM / 1024 + dc->hvm.video_memkb) {
		merr(m, light_cfg_lookup(cfg, "memory"), "memory (%llu MB): an HVM "
		     "guest needs at least %llu MB (%llu MB of it video memory)",
		     (unsigned long long)dc->target_memkb / 1024,
		     (unsigned long long)((CTRL_HVM_MIN_MEM >> 20) +
		                          dc->hvm.video_memkb / 1024),
		     (unsigned long long)dc->hvm.video_memkb / 1024);
		goto out;
	}

	/* serial= is a string or a list; QEMU gets one -serial. */
	s = light_cfg_lookup(cfg, "serial");
	if (s && s->value->kind == LIGHT_CFG_LIST) {
		if (s->value->nitems > 1)
			return merr(m, s, "serial: one serial port only");
		if (s->value->nitems == 1) {
			if (s->value->items[0]->kind != LIGHT_CFG_ATOM)
				return merr(m, s, "serial: expected a string");
			if (!(dc->hvm.serial = strdup(s->value->items[0]->text)))
				return merr(m, s, "out of memory");
		}
	} else if (get_string(m, "serial", &dc->hvm.serial) < 0)
		goto out;
	if (dc->hvm.serial && (!*dc->hvm.serial || strchr(dc->hvm.serial, ','))) {
		merr(m, s, "serial: `%.40s': expected one QEMU character device "
		     "(pty, file:PATH, ...)", dc->hvm.serial);
		goto out;
	}

	if (get_viridian(m, cfg, dc) < 0)
		goto out;
	if (get_int(m, "hpet", 0, 1, &v, &have) < 0)
		goto out;
	dc->hvm.hpet = have ? v != 0 : true;
	if (get_int(m, "acpi", 0, 1, &v, &have) < 0)
		goto out;
	dc->hvm.acpi = have ? v != 0 : true;
	/* boot=: the BIOS's order, as xl.cfg(5) spells it: c (the first
	 * disk), d (the cdrom), a (the floppy), n (the network: iPXE on an
	 * emulated NIC). */
	if (get_string(m, "boot", &dc->hvm.boot) < 0)
		goto out;
	if (dc->hvm.boot && (!*dc->hvm.boot || strlen(dc->hvm.boot) > 4 ||
	    strspn(dc->hvm.boot, "acdn") != strlen(dc->hvm.boot))) {
		merr(m, light_cfg_lookup(cfg, "boot"), "boot: `%.20s': expected "
		     "up to four of c (disk), d (cdrom), a (floppy), n (network)",
		     dc->hvm.boot);
		goto out;
	}

	if (get_string(m, "bios", &bios) < 0)
		goto out;
	if (bios && strcmp(bios, "seabios") != 0) {
		merr(m, light_cfg_lookup(cfg, "bios"), "bios: `%.20s': only "
		     "seabios is supported (rombios needs qemu-traditional, ovmf "
		     "is not packaged for Xen in Debian)", bios);
		goto out;
	}
	if (get_string(m, "bios_path_override", &dc->hvm.bios_path) < 0 ||
	    get_string(m, "device_model_override", &dc->hvm.device_model) < 0)
		goto out;
	s = light_cfg_lookup(cfg, "device_model_version");
	if (s && (s->value->kind != LIGHT_CFG_ATOM ||
	          strcmp(s->value->text, "qemu-xen") != 0)) {
		merr(m, s, "device_model_version: only qemu-xen is supported");
		goto out;
	}
	rc = 0;
out:
	free(bios);
	return rc;
}

const char *light_domain_type_name(enum light_domain_type t)
{
	switch (t) {
	case LIGHT_DOMAIN_PV: return "pv";
	case LIGHT_DOMAIN_PVH: return "pvh";
	case LIGHT_DOMAIN_HVM: return "hvm";
	}
	return "unknown";
}

static int get_action(struct model *m, const char *key, enum light_action def,
                      enum light_action *out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(m->cfg, key);
	size_t i;

	*out = def;
	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return merr(m, s, "%s: expected a string, not a list", key);
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (strcmp(s->value->text, action_names[i]) == 0) {
			*out = (enum light_action)i;
			return 0;
		}
	}
	return merr(m, s, "%s: unknown action `%.40s' (destroy, restart, "
	            "rename-restart, preserve, coredump-destroy, coredump-restart, "
	            "soft-reset)", key, s->value->text);
}

/* Strip blanks around s in place (upstream ignores whitespace around the
 * parameters of disk and vif specs). */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split "a,b,c" in place into at most `max` trimmed fields; returns the
 * count. */
static size_t split_commas(char *s, char **fields, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *c = strchr(s, ',');
		if (c)
			*c = '\0';
		fields[n++] = trim(s);
		if (!c)
			break;
		s = c + 1;
	}
	return n;
}

static int set_str(char **dst, const char *v)
{
	char *d = strdup(v);

	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

static void disk_dispose(struct light_disk *d)
{
	free(d->target);
	free(d->vdev);
	free(d->format);
	free(d->backendtype);
	free(d->script);
}

static void nic_dispose(struct light_nic *n)
{
	free(n->bridge);
	free(n->ip);
	free(n->script);
	free(n->model);
	free(n->type);
	free(n->vifname);
	free(n->backend);
	free(n->gatewaydev);
}

/* Legacy target prefixes ("phy:/dev/x", "file:/img", "tap:aio:/img",
 * "raw:/img", "qcow2:/img"): set backend type / format and strip. */
static const char *strip_target_prefix(struct light_disk *d, const char *t)
{
	static const struct { const char *prefix, *backend, *format; } p[] = {
		{ "phy:", "phy", NULL },
		{ "file:", NULL, "raw" },
		{ "tap:aio:", "tap", "raw" },
		{ "tap:qcow2:", "tap", "qcow2" },
		{ "tap2:aio:", "tap", "raw" },
		{ "aio:", NULL, "raw" },
		{ "raw:", NULL, "raw" },
		{ "qcow:", NULL, "qcow" },
		{ "qcow2:", NULL, "qcow2" },
		{ "vhd:", NULL, "vhd" },
		{ "qdisk:", "qdisk", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		size_t n = strlen(p[i].prefix);
		if (strncmp(t, p[i].prefix, n) == 0) {
			if (p[i].backend && set_str(&d->backendtype, p[i].backend) < 0)
				return NULL;
			if (p[i].format && set_str(&d->format, p[i].format) < 0)
				return NULL;
			return t + n;
		}
	}
	return t;
}

/* An access mode, positional or access=: w/rw, r/ro, and w! (rw!) which
 * is writable and waives the sharing check.  0 or -1. */
static int parse_access(const char *a, struct light_disk *d)
{
	if (!strcmp(a, "w") || !strcmp(a, "rw")) {
		d->readwrite = true;
		d->share_writable = false;
	} else if (!strcmp(a, "r") || !strcmp(a, "ro")) {
		d->readwrite = false;
		d->share_writable = false;
	} else if (!strcmp(a, "w!") || !strcmp(a, "rw!")) {
		d->readwrite = true;
		d->share_writable = true;
	} else {
		return -1;
	}
	return 0;
}

/*
 * One disk spec (xl-disk-configuration(5)): comma-separated, each item
 * either key=value (target=, format=, vdev=, access=, devtype=,
 * backendtype=, script=) or a flag (cdrom, discard, no-discard,
 * direct-io-safe), or positional.  Positional
 * items are, in order, target then [format,] vdev [, access]: with three
 * positional items they are the legacy target,vdev,access
 * ("phy:/dev/vg/g,xvda,w"); with four, target,format,vdev,access.
 * target= must come last since a path may contain commas.
 */
static int parse_disk(struct model *m, const struct light_cfg_setting *s,
                      size_t idx, const char *spec, struct light_disk *d)
{
	char *copy = strdup(spec), *fields[16], *pos[4];
	size_t nf, npos = 0, i;
	int rc = -1;
	char *target_rest = NULL;

	memset(d, 0, sizeof(*d));
	d->readwrite = true;
	d->discard = -1;
	if (!copy)
		return merr(m, s, "out of memory");

	/* target= swallows the rest of the spec, commas included.  It counts
	 * only at the start of a parameter (after a comma and blanks). */
	{
		char *t = copy;
		while ((t = strstr(t, "target=")) != NULL) {
			char *b = t;
			while (b > copy && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if (b == copy || b[-1] == ',') {
				target_rest = trim(t + strlen("target="));
				if (b == copy)
					copy[0] = '\0';
				else
					b[-1] = '\0';
				break;
			}
			t += strlen("target=");
		}
	}
	nf = copy[0] ? split_commas(copy, fields, sizeof(fields) / sizeof(fields[0])) : 0;
	for (i = 0; i < nf; i++) {
		char *f = fields[i], *eq = strchr(f, '=');
		char **dst = NULL;

		if (!eq) {
			if (strcmp(f, "cdrom") == 0) {
				d->cdrom = true;
				continue;
			}
			if (strcmp(f, "discard") == 0 || strcmp(f, "no-discard") == 0) {
				d->discard = f[0] == 'd';
				continue;
			}
			if (strcmp(f, "direct-io-safe") == 0) {
				d->direct_io_safe = true;
				continue;
			}
			if (npos >= 4) {
				merr(m, s, "disk %zu: too many positional parameters in `%.60s'",
				     idx, spec);
				goto out;
			}
			pos[npos++] = f;
			continue;
		}
		*eq = '\0';
		if (strcmp(f, "format") == 0) dst = &d->format;
		else if (strcmp(f, "vdev") == 0) dst = &d->vdev;
		else if (strcmp(f, "backendtype") == 0) dst = &d->backendtype;
		else if (strcmp(f, "script") == 0) dst = &d->script;
		else if (strcmp(f, "access") == 0) {
			if (parse_access(eq + 1, d) < 0) {
				merr(m, s, "disk %zu: access=%.20s: expected rw, ro or w!",
				     idx, eq + 1);
				goto out;
			}
			continue;
		} else if (strcmp(f, "devtype") == 0) {
			if (strcmp(eq + 1, "cdrom") == 0)
				d->cdrom = true;
			else if (strcmp(eq + 1, "disk") != 0) {
				merr(m, s, "disk %zu: devtype=%.20s: expected disk or cdrom",
				     idx, eq + 1);
				goto out;
			}
			continue;
		} else {
			merr(m, s, "disk %zu: unknown parameter `%.30s' in `%.60s'",
			     idx, f, spec);
			goto out;
		}
		if (set_str(dst, eq + 1) < 0) {
			merr(m, s, "out of memory");
			goto out;
		}
	}

	/* Positional: target, [format,] vdev, access. */
	if (npos > 0) {
		const char *t = strip_target_prefix(d, pos[0]);
		if (!t || (*t && set_str(&d->target, t) < 0)) {
			merr(m, s, "out of memory");
			goto out;
		}
	}
	{
		size_t v = npos == 4 ? 2 : 1;       /* index of vdev */
		if (npos == 4 && set_str(&d->format, pos[1]) < 0) {
			merr(m, s, "out of memory");
			goto out;
		}
		if (npos > v) {
			char *colon = strchr(pos[v], ':');
			if (colon) {
				if (strcmp(colon + 1, "cdrom") != 0) {
					merr(m, s, "disk %zu: `%.30s': expected vdev or vdev:cdrom",
					     idx, pos[v]);
					goto out;
				}
				*colon = '\0';
				d->cdrom = true;
			}
			if (set_str(&d->vdev, pos[v]) < 0) {
				merr(m, s, "out of memory");
				goto out;
			}
		}
		if (npos > v + 1) {
			const char *a = pos[v + 1];
			if (parse_access(a, d) < 0) {
				merr(m, s, "disk %zu: access `%.20s': expected w, r or w!",
				     idx, a);
				goto out;
			}
		}
	}
	if (target_rest) {
		const char *t = strip_target_prefix(d, target_rest);
		if (!t || set_str(&d->target, t) < 0) {
			merr(m, s, "out of memory");
			goto out;
		}
	}
	if (!d->vdev || !d->vdev[0]) {
		merr(m, s, "disk %zu: no vdev in `%.60s'", idx, spec);
		goto out;
	}
	if (!d->target && !d->cdrom) {
		merr(m, s, "disk %zu: no target in `%.60s'", idx, spec);
		goto out;
	}
	if (!d->format && set_str(&d->format, "raw") < 0) {
		merr(m, s, "out of memory");
		goto out;
	}
	/* A cdrom is never writable by the guest. */
	if (d->cdrom && d->readwrite) {
		d->readwrite = false;
		d->share_writable = false;
	}
	rc = 0;
out:
	if (rc < 0)
		disk_dispose(d);
	free(copy);
	return rc;
}

int light_disk_parse(const char *spec, struct light_disk *out,
                     char *err, size_t errlen)
{
	struct model m = { NULL, err, errlen };

	return parse_disk(&m, NULL, 1, spec, out);
}

void light_disk_dispose(struct light_disk *d)
{
	disk_dispose(d);
	memset(d, 0, sizeof(*d));
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	for (i = 0; i < 6; i++) {
		int hi = s[0], lo = hi ? s[1] : 0;
		int h = (hi >= '0' && hi <= '9') ? hi - '0' :
		        (hi >= 'a' && hi <= 'f') ? hi - 'a' + 10 :
		        (hi >= 'A' && hi <= 'F') ? hi - 'A' + 10 : -1;
		int l = (lo >= '0' && lo <= '9') ? lo - '0' :
		        (lo >= 'a' && lo <= 'f') ? lo - 'a' + 10 :
		        (lo >= 'A' && lo <= 'F') ? lo - 'A' + 10 : -1;
		if (h < 0 || l < 0)
			return -1;
		mac[i] = (uint8_t)(h * 16 + l);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

/* An unsigned decimal or 0x hex number at *p, advancing *p; -1 when
 * there is none or it exceeds max. */
static int rate_number(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	unsigned base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++, digits++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' :
		        (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10 :
		        (base == 16 && *s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v * base + (unsigned)d;
		if (v > max)
			return -1;
	}
	if (!digits)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/*
 * rate=AMOUNT[@INTERVAL], as xl-network-configuration(5) has it: AMOUNT
 * is N followed by an optional G/M/K (powers of 1000) and B/s (bytes) or
 * b/s (bits); INTERVAL is N followed by s (the default), ms or us, 50ms
 * when absent.  Like libxl we keep bytes per interval and the interval.
 */
static int parse_rate(const char *text, uint64_t *bytes, uint32_t *usecs)
{
	const char *p = text;
	uint64_t n, bps, iv = 50000;

	if (rate_number(&p, UINT32_MAX, &n) < 0 || n == 0)
		return -1;
	bps = n;
	if (*p == 'G')
		bps *= 1000000000ull, p++;
	else if (*p == 'M')
		bps *= 1000000ull, p++;
	else if (*p == 'K')
		bps *= 1000ull, p++;
	if (*p == 'b')
		bps /= 8;
	else if (*p != 'B')
		return -1;
	if (strncmp(p + 1, "/s", 2) != 0)
		return -1;
	p += 3;
	if (*p == '@') {
		p++;
		if (rate_number(&p, UINT32_MAX, &iv) < 0 || iv == 0)
			return -1;
		if (*p == 'm')
			iv *= 1000, p++;
		else if (*p == 'u')
			p++;
		else
			iv *= 1000000;
		if (*p == 's')
			p++;
		if (iv > UINT32_MAX)
			return -1;
	}
	if (*p != '\0' || bps > UINT64_MAX / iv)
		return -1;
	*bytes = bps * iv / 1000000;
	*usecs = (uint32_t)iv;
	return 0;
}

/* One vif spec: key=value items (xl-network-configuration(5)). */
static int parse_nic(struct model *m, const struct light_cfg_setting *s,
                     size_t idx, const char *spec, struct light_nic *n)
{
	char *copy = strdup(spec), *fields[16];
	size_t nf, i;
	int rc = -1;

	memset(n, 0, sizeof(*n));
	if (!copy)
		return merr(m, s, "out of memory");
	nf = copy[0] ? split_commas(copy, fields, sizeof(fields) / sizeof(fields[0])) : 0;
	for (i = 0; i < nf; i++) {
		char *f = fields[i], *eq = strchr(f, '=');
		char **dst;

		if (!*f)
			continue;
		if (!eq) {
			merr(m, s, "vif %zu: `%.30s': expected key=value", idx, f);
			goto out;
		}
		*eq = '\0';
		if (strcmp(f, "mac") == 0) {
			if (parse_mac(eq + 1, n->mac) < 0) {
				merr(m, s, "vif %zu: invalid mac `%.30s'", idx, eq + 1);
				goto out;
			}
			n->has_mac = true;
			continue;
		}
		if (strcmp(f, "rate") == 0) {
			if (parse_rate(eq + 1, &n->rate_bytes_per_interval,
			               &n->rate_interval_usecs) < 0) {
				merr(m, s, "vif %zu: invalid rate `%.30s' (e.g. 10Mb/s, "
				     "1MB/s@20ms)", idx, eq + 1);
				goto out;
			}
			continue;
		}
		if (strcmp(f, "mtu") == 0) {
			long long v;
			if (light_cfg_parse_int(eq + 1, 68, 65535, &v) < 0) {
				merr(m, s, "vif %zu: invalid mtu `%.30s' (68-65535)",
				     idx, eq + 1);
				goto out;
			}
			n->mtu = (unsigned)v;
			continue;
		}
		if (strcmp(f, "bridge") == 0) dst = &n->bridge;
		else if (strcmp(f, "gatewaydev") == 0) dst = &n->gatewaydev;
		else if (strcmp(f, "ip") == 0) dst = &n->ip;
		else if (strcmp(f, "script") == 0) dst = &n->script;
		else if (strcmp(f, "model") == 0) dst = &n->model;
		else if (strcmp(f, "type") == 0) dst = &n->type;
		else if (strcmp(f, "vifname") == 0) dst = &n->vifname;
		else if (strcmp(f, "backend") == 0) dst = &n->backend;
		else {
			/* Upstream accepts a few more (accel, colo_*, ...); keep
			 * to what is modelled and say so rather than drop it. */
			merr(m, s, "vif %zu: unsupported parameter `%.30s'", idx, f);
			goto out;
		}
		if (set_str(dst, eq + 1) < 0) {
			merr(m, s, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		nic_dispose(n);
	free(copy);
	return rc;
}

int light_nic_parse(const char *spec, struct light_nic *out,
                    char *err, size_t errlen)
{
	struct model m = { NULL, err, errlen };

	return parse_nic(&m, NULL, 1, spec, out);
}

void light_nic_dispose(struct light_nic *n)
{
	nic_dispose(n);
	memset(n, 0, sizeof(*n));
}

uint32_t light_nic_devid(const struct light_domain_config *dc, size_t i)
{
	uint32_t next = 0;
	size_t k;

	if (dc->nics[i].has_devid)
		return dc->nics[i].devid;
	for (k = 0; k < dc->nnics; k++)
		if (dc->nics[k].has_devid && dc->nics[k].devid >= next)
			next = dc->nics[k].devid + 1;
	for (k = 0; k < i; k++)
		if (!dc->nics[k].has_devid)
			next++;
	return next;
}

/* Printable, no '/', not all digits (a number names a domain id). */
/* ---- cpus= and cpus_soft= ---------------------------------------------- */

/*
 * A vcpu affinity setting, as libxl reads it: a string is one CPU list for
 * every vcpu, a list one CPU list per vcpu (vcpu i gets item i).  More
 * items than vcpus is refused rather than silently dropped.
 */
static int get_affinity(struct model *m, const char *key, unsigned max_vcpus,
                        struct light_cpumap **out, size_t *n)
{
	const struct light_cfg_setting *s = light_cfg_lookup(m->cfg, key);
	const struct light_cfg_value *v;
	struct light_cpumap one;
	size_t count, i;
	char why[160];

	*out = NULL;
	*n = 0;
	if (!s)
		return 0;
	v = s->value;
	if (v->kind == LIGHT_CFG_ATOM) {
		if (light_cpumap_parse(v->text, &one, why, sizeof(why)) < 0)
			return merr(m, s, "%s: %s", key, why);
		count = max_vcpus;
	} else {
		if (v->nitems == 0)
			return merr(m, s, "%s: empty list", key);
		if (v->nitems > max_vcpus)
			return merr(m, s, "%s: %zu entries for %u vcpus", key,
			            v->nitems, max_vcpus);
		count = v->nitems;
	}
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return merr(m, s, "out of memory");
	for (i = 0; i < count; i++) {
		if (v->kind == LIGHT_CFG_ATOM) {
			(*out)[i] = one;
			continue;
		}
		if (v->items[i]->kind != LIGHT_CFG_ATOM ||
		    light_cpumap_parse(v->items[i]->text, &(*out)[i], why,
		                       sizeof(why)) < 0) {
			if (v->items[i]->kind != LIGHT_CFG_ATOM)
				snprintf(why, sizeof(why), "expected a string");
			free(*out);
			*out = NULL;
			return merr(m, s, "%s: item %zu: %s", key, i + 1, why);
		}
	}
	*n = count;
	return 0;
}

static int check_name(struct model *m, const struct light_cfg_setting *s,
                      const char *name)
{
	size_t i, len = strlen(name);
	bool digits = true;

	if (len == 0)
		return merr(m, s, "name: must not be empty");
	if (len > MAX_NAME)
		return merr(m, s, "name: longer than %d characters", MAX_NAME);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch <= 0x20 || ch >= 0x7f || ch == '/' || ch == '\\' ||
		    ch == '"' || ch == '\'')
			return merr(m, s, "name: invalid character in `%.40s' "
			            "(use letters, digits and -_.:@+)", name);
		if (ch < '0' || ch > '9')
			digits = false;
	}
	if (digits)
		return merr(m, s, "name: `%s' is a number; it would be taken for "
		            "a domain id", name);
	return 0;
}

int light_domain_config_from_cfg(const struct light_cfg *cfg,
                                 struct light_domain_config *dc,
                                 char *err, size_t errlen)
{
	struct model m = { .cfg = cfg, .err = err, .errlen = errlen };
	const struct light_cfg_setting *s;
	char *str = NULL, *root = NULL, *extra = NULL;
	long long v;
	bool have, have_max;
	size_t i;
	int rc = -1;

	memset(dc, 0, sizeof(*dc));
	if (err && errlen)
		err[0] = '\0';
	dc->source = strdup(cfg->nsources ? cfg->sources[0] : "config");
	if (!dc->source) {
		merr(&m, NULL, "out of memory");
		goto out;
	}

	/* name */
	if (get_string(&m, "name", &dc->name) < 0)
		goto out;
	if (!dc->name) {
		merr(&m, NULL, "%s: no domain name: name = \"...\" is required",
		     dc->source);
		goto out;
	}
	if (check_name(&m, light_cfg_lookup(cfg, "name"), dc->name) < 0)
		goto out;

	/* uuid */
	if (get_string(&m, "uuid", &str) < 0)
		goto out;
	if (str) {
		if (uuid_parse(str, dc->uuid) < 0) {
			merr(&m, light_cfg_lookup(cfg, "uuid"), "uuid: invalid `%.40s'", str);
			goto out;
		}
		dc->has_uuid = true;
		free(str);
		str = NULL;
	}

	/* type, or the older builder= */
	dc->type = LIGHT_DOMAIN_PV;
	if (get_string(&m, "type", &str) < 0)
		goto out;
	s = light_cfg_lookup(cfg, "type");
	if (!str) {
		if (get_string(&m, "builder", &str) < 0)
			goto out;
		s = light_cfg_lookup(cfg, "builder");
		if (str && strcmp(str, "generic") == 0) {
			free(str);
			str = strdup("pv");
		} else if (str && strcmp(str, "hvm") != 0) {
			merr(&m, s, "builder: unknown `%.20s' (generic or hvm)", str);
			goto out;
		}
	}
	if (str) {
		if (strcmp(str, "pv") == 0)
			dc->type = LIGHT_DOMAIN_PV;
		else if (strcmp(str, "pvh") == 0)
			dc->type = LIGHT_DOMAIN_PVH;
		else if (strcmp(str, "hvm") == 0)
			dc->type = LIGHT_DOMAIN_HVM;
		else {
			merr(&m, s, "type: unknown `%.20s' (pv, pvh or hvm)", str);
			goto out;
		}
		free(str);
		str = NULL;
	}

	/* memory and maxmem, in MiB; libxl's default is 32 MiB when neither
	 * is given (LIBXL_MEMKB_DEFAULT resolves to 32768 kB). */
	if (get_int(&m, "memory", 1, MAX_MEMORY_MB, &v, &have) < 0)
		goto out;
	dc->target_memkb = have ? (uint64_t)v * 1024 : 32 * 1024;
	if (get_int(&m, "maxmem", 1, MAX_MEMORY_MB, &v, &have_max) < 0)
		goto out;
	dc->max_memkb = have_max ? (uint64_t)v * 1024 : dc->target_memkb;
	if (!have && have_max)
		dc->target_memkb = dc->max_memkb;
	if (dc->max_memkb < dc->target_memkb) {
		merr(&m, light_cfg_lookup(cfg, "maxmem"),
		     "maxmem (%llu MB) is smaller than memory (%llu MB)",
		     (unsigned long long)dc->max_memkb / 1024,
		     (unsigned long long)dc->target_memkb / 1024);
		goto out;
	}

	/* vcpus online at boot and the maximum */
	if (get_int(&m, "vcpus", 1, MAX_VCPUS, &v, &have) < 0)
		goto out;
	dc->vcpus = have ? (unsigned)v : 1;
	if (get_int(&m, "maxvcpus", 1, MAX_VCPUS, &v, &have_max) < 0)
		goto out;
	dc->max_vcpus = have_max ? (unsigned)v : dc->vcpus;
	if (dc->max_vcpus < dc->vcpus) {
		/* Upstream: maxvcpus below vcpus means "vcpus were capped". */
		merr(&m, light_cfg_lookup(cfg, "maxvcpus"),
		     "maxvcpus (%u) is smaller than vcpus (%u)", dc->max_vcpus, dc->vcpus);
		goto out;
	}
	if (dc->type == LIGHT_DOMAIN_PVH && check_pvh(&m, cfg, dc) < 0)
		goto out;
	if (dc->type == LIGHT_DOMAIN_HVM && get_hvm(&m, cfg, dc) < 0)
		goto out;
	if (get_affinity(&m, "cpus", dc->max_vcpus, &dc->cpus_hard,
	                 &dc->ncpus_hard) < 0 ||
	    get_affinity(&m, "cpus_soft", dc->max_vcpus, &dc->cpus_soft,
	                 &dc->ncpus_soft) < 0)
		goto out;

	/* Grant table limits, as xl reads them (0 to INT_MAX; Xen itself
	 * refuses what it cannot give, at create). */
	dc->max_grant_frames = dc->max_maptrack_frames = -1;
	dc->max_grant_version = -1;
	if (get_int(&m, "max_grant_frames", 0, INT_MAX, &v, &have) < 0)
		goto out;
	if (have)
		dc->max_grant_frames = v;
	if (get_int(&m, "max_maptrack_frames", 0, INT_MAX, &v, &have) < 0)
		goto out;
	if (have)
		dc->max_maptrack_frames = v;
	/* The version travels in the low 4 bits of createdomain's
	 * grant_opts (XEN_DOMCTL_GRANT_version_mask): libxl refuses more,
	 * and Xen refuses 0, which is said here with the file's line. */
	if (get_int(&m, "max_grant_version", 1, 15, &v, &have) < 0)
		goto out;
	if (have)
		dc->max_grant_version = v;

	/* kernel and its command line: cmdline=, else root= and extra= as
	 * "root=R EXTRA" the way xl composes them. */
	if (get_string(&m, "kernel", &dc->kernel) < 0 ||
	    get_string(&m, "ramdisk", &dc->ramdisk) < 0 ||
	    get_string(&m, "bootloader", &dc->bootloader) < 0 ||
	    get_string(&m, "cmdline", &dc->cmdline) < 0 ||
	    get_string(&m, "root", &root) < 0 ||
	    get_string(&m, "extra", &extra) < 0)
		goto out;
	if (!dc->cmdline && (root || extra)) {
		int n;
		if (root && extra)
			n = asprintf(&dc->cmdline, "root=%s %s", root, extra);
		else if (root)
			n = asprintf(&dc->cmdline, "root=%s", root);
		else
			n = asprintf(&dc->cmdline, "%s", extra);
		if (n < 0) {
			dc->cmdline = NULL;
			merr(&m, NULL, "out of memory");
			goto out;
		}
	}

	/* What happens when the guest stops, with xl's defaults. */
	if (get_action(&m, "on_poweroff", LIGHT_ACTION_DESTROY, &dc->on_poweroff) < 0 ||
	    get_action(&m, "on_reboot", LIGHT_ACTION_RESTART, &dc->on_reboot) < 0 ||
	    get_action(&m, "on_crash", LIGHT_ACTION_DESTROY, &dc->on_crash) < 0 ||
	    get_action(&m, "on_watchdog", LIGHT_ACTION_DESTROY, &dc->on_watchdog) < 0 ||
	    get_action(&m, "on_soft_reset", LIGHT_ACTION_SOFT_RESET, &dc->on_soft_reset) < 0)
		goto out;

	/* Devices: parsed now so errors show at create time. */
	if (get_string_list(&m, "disk", &s) < 0)
		goto out;
	if (s && s->value->nitems) {
		dc->disks = calloc(s->value->nitems, sizeof(*dc->disks));
		if (!dc->disks) {
			merr(&m, s, "out of memory");
			goto out;
		}
		for (i = 0; i < s->value->nitems; i++) {
			if (parse_disk(&m, s, i + 1, s->value->items[i]->text, &dc->disks[i]) < 0)
				goto out;
			dc->ndisks++;
		}
	}
	if (get_string_list(&m, "vif", &s) < 0)
		goto out;
	if (s && s->value->nitems) {
		dc->nics = calloc(s->value->nitems, sizeof(*dc->nics));
		if (!dc->nics) {
			merr(&m, s, "out of memory");
			goto out;
		}
		for (i = 0; i < s->value->nitems; i++) {
			if (parse_nic(&m, s, i + 1, s->value->items[i]->text, &dc->nics[i]) < 0)
				goto out;
			dc->nnics++;
		}
	}
	rc = 0;
out:
	free(str);
	free(root);
	free(extra);
	if (rc < 0)
		light_domain_config_dispose(dc);
	return rc;
}

void light_domain_config_dispose(struct light_domain_config *dc)
{
	size_t i;

	if (!dc)
		return;
	free(dc->source);
	free(dc->name);
	free(dc->kernel);
	free(dc->ramdisk);
	free(dc->cmdline);
	free(dc->bootloader);
	free(dc->hvm.serial);
	free(dc->hvm.vga);
	free(dc->hvm.vnclisten);
	free(dc->hvm.vncpasswd);
	free(dc->hvm.keymap);
	free(dc->hvm.boot);
	free(dc->hvm.bios_path);
	free(dc->hvm.device_model);
	for (i = 0; i < dc->ndisks; i++)
		disk_dispose(&dc->disks[i]);
	free(dc->disks);
	for (i = 0; i < dc->nnics; i++)
		nic_dispose(&dc->nics[i]);
	free(dc->nics);
	free(dc->cpus_hard);
	free(dc->cpus_soft);
	memset(dc, 0, sizeof(*dc));
}

/* What create needs of the disks that the file alone can tell: a valid
 * and unique vdev, a backend this host has (blkback: not tap, not
 * qdisk), no empty cdrom (that needs a device model). */
static int light_disks_check_runnable(const struct light_disk *disks, size_t n,
                                      const char *source, char *err,
                                      size_t errlen)
{
	uint32_t id, other;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct light_disk *d = &disks[i];

		if (light_disk_vdev_to_devid(d->vdev, &id) < 0) {
			snprintf(err, errlen, "%s: disk %zu: invalid virtual disk "
			         "name `%.40s' (use xvda, xvdb, ...)", source, i + 1, d->vdev);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (light_disk_vdev_to_devid(disks[j].vdev, &other) == 0 &&
			    other == id) {
				snprintf(err, errlen, "%s: disk %zu: %.40s is the same "
				         "device as disk %zu (%.40s)", source, i + 1, d->vdev,
				         j + 1, disks[j].vdev);
				return -1;
			}
		}
		if (d->backendtype && strcmp(d->backendtype, "tap") == 0) {
			snprintf(err, errlen, "%s: disk %zu: backendtype=tap needs "
			         "tapdisk (blktap), which Debian does not ship; use "
			         "backendtype=phy or leave it out", source, i + 1);
			return -1;
		}
		if (d->backendtype && strcmp(d->backendtype, "phy") != 0 &&
		    strcmp(d->backendtype, "qdisk") != 0) {
			snprintf(err, errlen, "%s: disk %zu: backendtype=%.20s: "
			         "expected phy or qdisk", source, i + 1, d->backendtype);
			return -1;
		}
		/* blkback serves devices; an empty drive is QEMU's (qdisk). */
		if (!d->target && d->backendtype &&
		    strcmp(d->backendtype, "phy") == 0) {
			snprintf(err, errlen, "%s: disk %zu: an empty cdrom needs "
			         "backendtype=qdisk, not phy", source, i + 1);
			return -1;
		}
	}
	return 0;
}

int light_domain_config_check_runnable(const struct light_domain_config *dc,
                                       char *err, size_t errlen)
{
	if (dc->bootloader) {
		snprintf(err, errlen, "%s: bootloader is not supported: give the "
		         "guest's kernel= (and ramdisk=) directly", dc->source);
		goto bad;
	}
	if (!dc->kernel && dc->type == LIGHT_DOMAIN_HVM && dc->ndisks == 0) {
		snprintf(err, errlen, "%s: nothing to boot: an HVM guest needs a "
		         "disk= (SeaBIOS boots it) or a kernel= (QEMU loads it)",
		         dc->source);
		goto bad;
	}
	if (!dc->kernel && dc->type != LIGHT_DOMAIN_HVM) {
		snprintf(err, errlen, "%s: no kernel: a PV or PVH guest needs kernel = "
		         "\"/path/to/vmlinuz\"", dc->source);
		goto bad;
	}
	if (dc->type == LIGHT_DOMAIN_HVM) {
		size_t i;

		for (i = 0; i < dc->ndisks; i++)
			if (!dc->disks[i].target || (dc->disks[i].backendtype &&
			    strcmp(dc->disks[i].backendtype, "qdisk") == 0)) {
				snprintf(err, errlen, "%s: disk %zu: an HVM guest's "
				         "disks are served by blkback only so far (no "
				         "backendtype=qdisk, no empty cdrom)",
				         dc->source, i + 1);
				goto bad;
			}
	}
	if (light_disks_check_runnable(dc->disks, dc->ndisks, dc->source,
	                               err, errlen) < 0)
		goto bad;
	return 0;
bad:
	errno = ENOTSUP;
	return -1;
}
