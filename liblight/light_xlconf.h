/*
 * light_xlconf.h - /etc/xen/xl.conf, the toolstack-wide defaults
 * (xl.conf(5)).
 *
 * Upstream xl reads xl.conf once at start and keeps the values in
 * globals; here they are one struct, so an orchestrator linking liblight
 * gets the same defaults as xl from the same file.  The file uses the
 * xl.cfg language (light_config.h), with dots allowed in keys
 * (`vif.default.bridge = "br0"`).
 *
 * Unknown keys are ignored, as upstream does.  A known key with a bad
 * value is an error naming file:line ("/etc/xen/xl.conf:3: output_format:
 * expected \"json\" or \"sxp\", not `xml'"), where upstream would warn and
 * carry on or exit depending on the key: a typo in a toolstack-wide
 * default should not be silently ignored.  A missing file is not an error:
 * every key then has its default.
 *
 * Strings are malloc'd and owned by the struct; NULL means "not set":
 * the default named at the field (for the vif defaults the library's own
 * fallback, bridge xenbr0 and script vif-bridge, exactly as upstream libxl
 * falls back when xl passes nothing).
 */
#ifndef LIGHTSTACK_LIGHT_XLCONF_H
#define LIGHTSTACK_LIGHT_XLCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "light_config.h"

/* Where xl.conf lives (upstream's XEN_CONFIG_DIR "/xl.conf"); xl lets
 * $LIGHTSTACK_XL_CONF point elsewhere (tests). */
#define LIGHT_XLCONF_PATH "/etc/xen/xl.conf"

/* Upstream's XL_LOCK_FILE (XEN_LOCK_DIR "/xl"): the lockfile when unset. */
#define LIGHT_XLCONF_LOCKFILE "/var/lock/xl"

/* autoballoon: "auto" is decided by whoever balloons (dom0_mem on Xen's
 * command line means off), so the model keeps it as a third value. */
enum light_autoballoon {
	LIGHT_AUTOBALLOON_AUTO = -1,   /* default */
	LIGHT_AUTOBALLOON_OFF = 0,     /* "off" or "0" */
	LIGHT_AUTOBALLOON_ON = 1,      /* "on" or "1" */
};

/* output_format: how `xl list -l` and `xl create -n` print a config. */
enum light_output_format {
	LIGHT_OUTPUT_JSON,             /* default */
	LIGHT_OUTPUT_SXP,
};

/* domid_policy: who picks a new domain's id. */
enum light_domid_policy {
	LIGHT_DOMID_XEN,               /* default: Xen picks the next free one */
	LIGHT_DOMID_RANDOM,
};

struct light_xlconf {
	enum light_autoballoon autoballoon;
	long long run_hotplug_scripts;   /* default 1: the toolstack runs them */
	char *lockfile;                  /* NULL: LIGHT_XLCONF_LOCKFILE */
	/* vif.default.*: the defaults of every vif of create and
	 * network-attach.  `vifscript` and `defaultbridge` are the old names
	 * of script and bridge; the new name wins when both are set. */
	char *vif_script;
	char *vif_bridge;
	char *vif_gatewaydev;
	char *vif_backend;               /* a domain name or id */
	char *remus_netbufscript;        /* remus.default.netbufscript */
	char *colo_proxyscript;          /* colo.default.proxyscript */
	enum light_output_format output_format;
	/* blkdev_start: upstream's first Dom0 vdev ("xvda") for a disk that
	 * libxl attaches to Dom0 itself (a bootloader reading the guest's
	 * disk).  Lightstack attaches no guest disk to Dom0, so nothing uses
	 * it; it is kept so that the file's value is checked and shown. */
	char *blkdev_start;
	long long claim_mode;            /* default 1: claim memory at create */
	long long max_grant_frames;      /* -1: the hypervisor's default */
	long long max_maptrack_frames;   /* -1: the hypervisor's default */
	long long max_grant_version;     /* -1: the hypervisor's default */
	/* vm.cpumask, vm.pv.cpumask, vm.hvm.cpumask: the hard affinity every
	 * vCPU starts with, as xl.cfg's cpus= text ("0-3,^1", "all",
	 * "node:0"); NULL: every CPU. */
	char *vm_cpumask;
	char *vm_pv_cpumask;
	char *vm_hvm_cpumask;
	enum light_domid_policy domid_policy;
};

/* Fill `xc` with upstream's defaults (it holds nothing to free yet). */
void light_xlconf_defaults(struct light_xlconf *xc);

/*
 * Defaults, then the file at `path`.  A missing file (ENOENT) leaves the
 * defaults and returns 0.  On any other error returns -1 with errno and a
 * one-line message in err; `xc` then holds the defaults only.
 */
int light_xlconf_load(struct light_xlconf *xc, const char *path,
                      char *err, size_t errlen);

/* The same from an already parsed light_cfg (what load uses). */
int light_xlconf_from_cfg(struct light_xlconf *xc, const struct light_cfg *cfg,
                          char *err, size_t errlen);

void light_xlconf_dispose(struct light_xlconf *xc);

/*
 * Give `n` the vif.default.* values for what it leaves unset (bridge,
 * script, gatewaydev, backend), as upstream xl does before handing a nic
 * to libxl.  Create and network-attach call it for every vif.  -1/ENOMEM.
 */
int light_xlconf_nic_defaults(const struct light_xlconf *xc,
                              struct light_nic *n);

/* The same for every vif of a domain configuration; and the grant table
 * limits dc leaves at -1 (max_grant_frames, max_maptrack_frames,
 * max_grant_version) and claim_mode, from xl.conf, as upstream xl fills
 * them in b_info. */
int light_xlconf_domain_defaults(const struct light_xlconf *xc,
                                 struct light_domain_config *dc);

/*
 * vm.cpumask and vm.pv.cpumask (PV) or vm.hvm.cpumask (PVH, HVM): upstream
 * xl ANDs every vcpu's hard affinity with both at create (a vcpu without
 * cpus= starts from every CPU) and `xl vcpu-pin` ANDs the new hard map,
 * unless --ignore-global-affinity-masks is given.
 *
 * light_xlconf_mask_affinity applies them to one map; an empty result is
 * an error ("vcpu hard affinity map is empty"), as upstream's.
 * light_xlconf_domain_affinity applies them to every vcpu of dc, filling
 * dc->cpus_hard when cpus= was not given.  Nothing is changed when no
 * mask is set.  0, or -1 with errno and a one-line message in err
 * (a mask with a "node:" list, which this toolstack cannot place).
 */
int light_xlconf_mask_affinity(const struct light_xlconf *xc,
                               enum light_domain_type type,
                               struct light_cpumap *hard,
                               char *err, size_t errlen);
int light_xlconf_domain_affinity(const struct light_xlconf *xc,
                                 struct light_domain_config *dc,
                                 char *err, size_t errlen);

#endif /* LIGHTSTACK_LIGHT_XLCONF_H */
