/*
 * light_config.h - xl.cfg parsing and the domain configuration model.
 *
 * Two layers, both usable without Xen:
 *
 *   1. The xl.cfg language (struct light_cfg).  A file is a sequence of
 *      settings, one per line or separated by ';':
 *
 *          name = "guest"          # strings: "..." or '...', C escapes
 *          memory = 128            # numbers: decimal, 0x hex, 0 octal
 *          disk = [ 'phy:/dev/vg/g,xvda,w',
 *                   'format=raw,vdev=xvdb,target=/img', ]   # lists
 *          extra += " quiet"       # += appends to a string or list
 *
 *      Keys are [a-z][_0-9a-z]*.  Lists may span lines, may nest and may
 *      end with a comma.  '#' starts a comment that runs to the end of
 *      the line.  A later setting of a key replaces an earlier one, which
 *      is how command line overrides (xl create guest.cfg memory=256)
 *      work: they are parsed after the file.  The parser keeps values as
 *      text (like upstream's libxlu); the model below converts them and
 *      checks their types.
 *
 *   2. The domain configuration model (struct light_domain_config): the
 *      typed, validated description of one guest, built from a light_cfg
 *      by light_domain_config_from_cfg(), printed as JSON in the shape of
 *      upstream's libxl_domain_config (what `xl list -l` and
 *      `xl create -n` print).
 *
 * Errors: functions return -1 (or NULL) and write a one-line message to
 * the caller's buffer, naming file:line when the error is in a config:
 * "guest.cfg:7: syntax error near `]'".  Nothing here prints.
 *
 * Threads: the parser and the model have no context and no shared state;
 * each light_cfg or light_domain_config is used by one thread at a time,
 * and different objects may be used in different threads at once.
 */
#ifndef LIGHTSTACK_LIGHT_CONFIG_H
#define LIGHTSTACK_LIGHT_CONFIG_H

#include "light_sched.h"    /* struct light_cpumap */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- The xl.cfg language ---------------------------------------------- */

/* Limits that keep hostile input from costing unbounded memory or stack. */
#define LIGHT_CFG_MAX_FILE   (1024 * 1024)  /* bytes in one config file */
#define LIGHT_CFG_MAX_DEPTH  16             /* nesting of lists */

enum light_cfg_kind {
	LIGHT_CFG_ATOM,    /* a number or a string, kept as text */
	LIGHT_CFG_LIST,    /* [ value, value, ... ] */
};

/* One value.  An atom keeps its text (a string dequoted, a number as
 * written) and whether it was quoted, so the model can tell `memory = 128`
 * from `memory = "128"` if it cares (it does not: upstream accepts both). */
struct light_cfg_value {
	enum light_cfg_kind kind;
	char *text;                       /* ATOM: NUL-terminated */
	bool quoted;                      /* ATOM: was a string literal */
	struct light_cfg_value **items;   /* LIST: nitems values */
	size_t nitems;
	int line;                         /* where the value starts */
};

/* One `key = value` as it appeared; `source` points into the light_cfg's
 * list of source names ("guest.cfg", "command line"). */
struct light_cfg_setting {
	char *key;
	struct light_cfg_value *value;
	const char *source;
	int line;
};

/* A parsed configuration: settings in the order they were read. */
struct light_cfg {
	struct light_cfg_setting *settings;
	size_t nsettings;
	char **sources;                   /* names for error messages */
	size_t nsources;
};

struct light_cfg *light_cfg_new(void);
void light_cfg_free(struct light_cfg *cfg);

/* Parse `len` bytes of xl.cfg text and append its settings to `cfg`.
 * `source` names the text in error messages.  On a syntax error nothing is
 * appended.  Returns 0 or -1 (message in err). */
int light_cfg_parse_data(struct light_cfg *cfg, const char *source,
                         const char *data, size_t len,
                         char *err, size_t errlen);

/* Read and parse a file; the file's name as given is its source name. */
int light_cfg_parse_file(struct light_cfg *cfg, const char *path,
                         char *err, size_t errlen);

/* One command line override "key=value" (or "key+=value").  The value is
 * parsed as xl.cfg text, so `memory=256`, `name="x"`, `vif=['bridge=b']`
 * work as upstream; as a convenience a value that is not valid xl.cfg
 * syntax and does not start with a quote or '[' is taken as a literal
 * string (`name=web1`).  Overrides apply after the file. */
int light_cfg_override(struct light_cfg *cfg, const char *keyval,
                       char *err, size_t errlen);

/* The effective setting of `key` (the last one), or NULL. */
const struct light_cfg_setting *light_cfg_lookup(const struct light_cfg *cfg,
                                                 const char *key);

/* Strict integer conversion of an atom's text as upstream reads numbers
 * (strtol base 0: 0x hex, leading 0 octal), checking the whole string and
 * the range [min, max].  Returns 0 or -1 with errno ERANGE or EINVAL. */
int light_cfg_parse_int(const char *text, long long min, long long max,
                        long long *out);

/* ---- The domain configuration model ----------------------------------- */

enum light_domain_type {
	LIGHT_DOMAIN_PV,
	LIGHT_DOMAIN_PVH,      /* an HVM container without device model */
	LIGHT_DOMAIN_HVM,      /* firmware and QEMU as device model */
};

/* What to do when the guest shuts down for a given reason (xl.cfg(5)). */
enum light_action {
	LIGHT_ACTION_DESTROY,
	LIGHT_ACTION_RESTART,
	LIGHT_ACTION_RENAME_RESTART,
	LIGHT_ACTION_PRESERVE,
	LIGHT_ACTION_COREDUMP_DESTROY,
	LIGHT_ACTION_COREDUMP_RESTART,
	LIGHT_ACTION_SOFT_RESET,
};

/* A disk=[...] entry (xl-disk-configuration(5)), served by Dom0's
 * xen-blkback (liblight/device_vbd.c). */
struct light_disk {
	char *target;        /* path of the image or device; NULL: empty cdrom */
	char *vdev;          /* "xvda" */
	char *format;        /* "raw" (default), "qcow2", ... */
	char *backendtype;   /* "phy", "qdisk", "tap" or NULL (choose) */
	char *script;
	bool readwrite;      /* access=rw (default) / ro */
	bool cdrom;          /* devtype=cdrom */
	bool share_writable; /* access w!: writable even if used elsewhere */
	int discard;         /* discard / no-discard: 1 / 0; -1 unset */
	bool direct_io_safe; /* direct-io-safe */
};

/* Parse one disk spec as `xl block-attach` gets it (the same syntax as a
 * disk= list item) into `out` (zeroed first; dispose with
 * light_disk_dispose).  -1 with a message naming the spec. */
int light_disk_parse(const char *spec, struct light_disk *out,
                     char *err, size_t errlen);
void light_disk_dispose(struct light_disk *d);

/*
 * The devid (xenstore device number) of a virtual disk name, exactly as
 * libxl computes it:
 *   xvdX[N] / dXpN   disk < 16, partition < 16: (202 << 8) | disk << 4 | N
 *                    else (extended):   (1 << 28) | disk << 8 | N
 *                    (disk up to 2^20 - 1, partition up to 255)
 *   a number         taken as it is (up to INT_MAX)
 *   hdX[N]           disk 0..3, N < 64: (3 or 22) << 8 | (disk & 1) << 6 | N
 *   sdX[N]           disk 0..15, N < 16: (8 << 8) | disk << 4 | N
 * Disk letters count a..z, aa..zz, ... (a = 0, z = 25, aa = 26); a
 * partition number has no leading zero.  xvda = 51712, xvdb = 51728.
 * 0 or -1/EINVAL.
 */
int light_disk_vdev_to_devid(const char *vdev, uint32_t *devid);

/* The disk and partition numbers of a vdev as libxl's
 * libxl__device_disk_dev_number gives them (xvdb3: disk 1, partition 3;
 * hdc: disk 2; a plain devid number has none: -1/EINVAL).  An HVM
 * guest's QEMU emulates disks 0-3 as its IDE drives. */
int light_disk_vdev_to_index(const char *vdev, unsigned long *disk,
                             unsigned long *part);

/* A vif=[...] entry (xl-network-configuration(5)).  device_vif.c turns
 * it into a vif; `model` is ignored for PV, as upstream does. */
struct light_nic {
	bool has_mac;        /* else create picks 00:16:3e:xx:xx:xx and sets it */
	uint8_t mac[6];
	char *bridge;
	char *ip;
	char *script;
	char *model;
	char *type;
	char *vifname;
	char *backend;
	char *gatewaydev;    /* netdev for vif-route/vif-nat */
	unsigned mtu;        /* 0: the default (the bridge's, 1500 in xenstore) */
	/* rate=: netback's credit scheduler, libxl's two numbers; 0 none */
	uint64_t rate_bytes_per_interval;
	uint32_t rate_interval_usecs;
	/* The vif's device number, as libxl keeps it in the stored config: a
	 * restarted guest gets each vif back under the number it had (a
	 * hot-attached vif keeps its number after others were detached).
	 * Not set (parsed from vif=): create numbers such vifs after the
	 * highest set one, in list order (0, 1, ... when none is set). */
	bool has_devid;
	uint32_t devid;
};

/* Parse one vif spec as `xl network-attach` gets it (the key=value items
 * of a vif= list entry, comma separated) into `out` (zeroed first; dispose
 * with light_nic_dispose).  -1 with a message naming the spec. */
int light_nic_parse(const char *spec, struct light_nic *out,
                    char *err, size_t errlen);
void light_nic_dispose(struct light_nic *n);

/* The typed configuration of one domain.  Strings are malloc'd and owned;
 * light_domain_config_dispose() frees them.  Memory is in KiB as in libxl. */
struct light_domain_config {
	char *name;                    /* required; unique among domains */
	bool has_uuid;                 /* uuid given; else one is generated */
	uint8_t uuid[16];
	enum light_domain_type type;   /* default PV */
	uint64_t target_memkb;         /* memory= (MiB in the file) */
	uint64_t max_memkb;            /* maxmem=, default memory */
	unsigned vcpus;                /* online at boot, default 1 */
	unsigned max_vcpus;            /* maxvcpus=, default vcpus */
	/* cpus= / cpus_soft=: hard and soft affinity of each vcpu, applied at
	 * create.  A string ("0-1,^0", "all") gives every vcpu the same map; a
	 * list gives vcpu i its item i and leaves later vcpus as Xen sets
	 * them (all CPUs).  n == 0: not given. */
	struct light_cpumap *cpus_hard, *cpus_soft;
	size_t ncpus_hard, ncpus_soft;
	/* max_grant_frames=, max_maptrack_frames=, max_grant_version=: the
	 * grant table limits createdomain gives Xen.  -1: not given, which
	 * xl turns into xl.conf's value (light_xlconf_domain_defaults) and
	 * create into Xen's default (gnttab_max_frames=,
	 * gnttab_max_maptrack_frames=; for the version the highest this Xen
	 * offers, as libxl picks it, recorded in the stored configuration). */
	long long max_grant_frames, max_maptrack_frames, max_grant_version;
	/* Claim the guest's memory from Xen (XENMEM_claim_pages) before the
	 * build populates it, so that a create that cannot get its memory
	 * fails at once rather than midway.  Not an xl.cfg key: xl.conf's
	 * claim_mode sets it (light_xlconf_domain_defaults); off by default
	 * in the library, as libxl's b_info.claim_mode. */
	bool claim_mode;
	char *kernel;                  /* required for PV without bootloader */
	char *ramdisk;
	char *cmdline;                 /* cmdline=, or "root=R EXTRA" */
	char *bootloader;              /* parsed; refused at create */
	enum light_action on_poweroff, on_reboot, on_crash, on_watchdog;
	enum light_action on_soft_reset;  /* default soft-reset, as xl.cfg(5) */
	struct light_disk *disks;
	size_t ndisks;
	struct light_nic *nics;
	size_t nnics;
	/* type "hvm" only: the emulated PC, which QEMU runs (devmodel_hvm.c),
	 * read from xl.cfg's keys and stored as libxl's "type.hvm". */
	struct light_hvm_config {
		char *serial;          /* serial=: QEMU's -serial ("pty",
		                          "file:/path", ...); NULL: none */
		char *vga;             /* vga=: "cirrus" (upstream's default),
		                          "stdvga" or "none" */
		uint64_t video_memkb;  /* videoram=: the card's memory, taken
		                          out of memory= as libxl takes it (8
		                          MiB cirrus, 16 stdvga, 0 none) */
		/* vnc=, vnclisten=, vncdisplay=, vncunused=, vncpasswd=:
		 * QEMU's VNC server on the emulated display; on by default
		 * on 127.0.0.1, the first free display from 0, as libxl. */
		bool vnc;
		char *vnclisten;       /* NULL: 127.0.0.1 */
		unsigned vncdisplay;
		bool vncunused;
		char *vncpasswd;       /* NULL: none (set over QMP) */
		char *keymap;          /* keymap=: QEMU's -k; NULL: its own */
		bool nographic;        /* nographic=: QEMU's -nographic */
		/* viridian=: Hyper-V enlightenments for Windows guests.  1
		 * (or "defaults" in the list form): libxl's default groups;
		 * the list's "NAME" and "!NAME" add and take away the group
		 * light_viridian_group(i) names as bit i (libxl's
		 * libxl_viridian_enlightenment numbering; "all" adds all). */
		bool viridian;
		uint32_t viridian_enable, viridian_disable;
		bool hpet;             /* hpet=, default 1 */
		bool acpi;             /* acpi=, default 1 */
		char *boot;            /* boot=: QEMU's boot order ("cda",
		                          "c", ...); NULL: upstream's "cda" */
		char *bios_path;       /* bios_path_override=: SeaBIOS image */
		char *device_model;    /* device_model_override=: QEMU */
	} hvm;
	char *source;                  /* config file name, for messages */
};

/* The viridian= groups: the name of bit i, NULL past the last. */
#define LIGHT_VIRIDIAN_GROUPS 13
const char *light_viridian_group(unsigned i);
/* The groups an HVM guest gets from dc's viridian settings, as bits of
 * light_viridian_group (libxl's rules: the defaults if viridian, then
 * the list's additions, less its removals). */
uint32_t light_viridian_groups(const struct light_domain_config *dc);

/* Fill `out` (which this zeroes first) from the effective settings of
 * `cfg`, applying upstream's defaults and checks.  Unknown keys are
 * ignored as upstream does; a known key with a value of the wrong type or
 * out of range is an error naming file:line ("guest.cfg:4: memory: not a
 * number: `12x'").  On error `out` holds nothing to free. */
int light_domain_config_from_cfg(const struct light_cfg *cfg,
                                 struct light_domain_config *out,
                                 char *err, size_t errlen);
void light_domain_config_dispose(struct light_domain_config *dc);

/* Checks that depend on what this host can run rather than on the file:
 * PV only, no bootloader, a kernel given.  Used by create; separate so that
 * `xl create -n` can show the parsed form of any valid file. */
int light_domain_config_check_runnable(const struct light_domain_config *dc,
                                       char *err, size_t errlen);

/*
 * The inverse of light_domain_config_print (config_load.c): fill `out`
 * (zeroed first; dispose with light_domain_config_dispose) from that JSON,
 * either the bare config object or {"domid": D, "config": {...}} as
 * light_domain_config_json returns it.  `source` names it in later
 * messages (NULL: "<stored>").  -1/EINVAL with a one-line message in err
 * on a value of the wrong type or range; on error `out` holds nothing.
 */
int light_domain_config_from_json(const char *json, const char *source,
                                  struct light_domain_config *out,
                                  char *err, size_t errlen);

/*
 * The device number vif i of `dc` gets (create and the stored config use
 * it): its own when set (has_devid), else, as libxl numbers them, the
 * next after the highest set one, counting the unset ones in list order.
 */
uint32_t light_nic_devid(const struct light_domain_config *dc, size_t i);

/* A MAC address as xl.cfg, xenstore and QEMU spell it: "00:16:3e:0a:0b:0c"
 * (lower case, 17 characters and the NUL). */
#define LIGHT_MAC_STRLEN 18
void light_mac_format(const uint8_t mac[6], char buf[LIGHT_MAC_STRLEN]);

/* One disk or one vif (with device number `devid`) as the JSON object
 * light_domain_config_print writes in its "disks" / "nics" list.
 * malloc'd, NULL on failure. */
char *light_disk_print(const struct light_disk *d);
char *light_nic_print(const struct light_nic *n, uint32_t devid);

/* Names for the enums, as xl.cfg spells them ("destroy", "pv"). */
const char *light_action_name(enum light_action a);
const char *light_domain_type_name(enum light_domain_type t);

/* The JSON of one domain in libxl's shape, as one object:
 *   { "domid": N, "config": { "c_info": {...}, "b_info": {...},
 *     "disks": [...], "nics": [...], "on_poweroff": "destroy", ... } }
 * Pass domid -1 for a configuration not yet created: it prints
 * "domid": null as libxl does.  Returns a malloc'd string, NULL on failure. */
char *light_domain_config_to_json(const struct light_domain_config *dc,
                                  long long domid);

/* Just the "config" object of the above, as `xl create -n` prints it
 * (upstream prints the bare libxl_domain_config there). */
char *light_domain_config_print(const struct light_domain_config *dc);

#endif /* LIGHTSTACK_LIGHT_CONFIG_H */
