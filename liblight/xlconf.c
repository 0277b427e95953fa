/*
 * xlconf.c - /etc/xen/xl.conf into struct light_xlconf (light_xlconf.h).
 *
 * The keys and their defaults are upstream xl's (tools/xl/xl.c, read at
 * start-up, and xl.conf(5)).  The text goes through the xl.cfg parser;
 * this file only gives the settings their types.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_xlconf.h"

/* One conversion in progress: the parsed file and the caller's buffer. */
struct conv {
	const struct light_cfg *cfg;
	char *err;
	size_t errlen;
};

static int cerr(struct conv *cv, const struct light_cfg_setting *s,
                int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "file:line: message", the style of xl.cfg errors. */
static int cerr(struct conv *cv, const struct light_cfg_setting *s,
                int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(cv->err, cv->errlen, "%s:%d: ", s->source, s->line);
	if (n >= 0 && (size_t)n < cv->errlen) {
		va_start(ap, fmt);
		vsnprintf(cv->err + n, cv->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	errno = errnum;
	return -1;
}

/* A string setting; *out keeps its value when the key is absent. */
static int get_string(struct conv *cv, const char *key, char **out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cv->cfg, key);
	char *v;

	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return cerr(cv, s, EINVAL, "%s: expected a string, not a list", key);
	v = strdup(s->value->text);
	if (!v)
		return cerr(cv, s, ENOMEM, "out of memory");
	free(*out);
	*out = v;
	return 0;
}

/* A number setting in [min, max]; *out keeps its value when absent. */
static int get_int(struct conv *cv, const char *key, long long min,
                   long long max, long long *out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cv->cfg, key);

	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return cerr(cv, s, EINVAL, "%s: expected a number, not a list", key);
	if (light_cfg_parse_int(s->value->text, min, max, out) < 0) {
		if (errno == ERANGE)
			return cerr(cv, s, ERANGE, "%s: %.40s is out of range "
			            "(%lld to %lld)", key, s->value->text, min, max);
		return cerr(cv, s, EINVAL, "%s: not a number: `%.40s'", key,
		            s->value->text);
	}
	return 0;
}

/*
 * One of a fixed set of words: *out becomes values[i] for the word
 * names[i].  `expect` is the list for the message.
 */
static int get_word(struct conv *cv, const char *key, const char *const *names,
                    const int *values, const char *expect, int *out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cv->cfg, key);
	size_t i;

	if (!s)
		return 0;
	if (s->value->kind != LIGHT_CFG_ATOM)
		return cerr(cv, s, EINVAL, "%s: expected a string, not a list", key);
	for (i = 0; names[i]; i++) {
		if (strcmp(s->value->text, names[i]) == 0) {
			*out = values[i];
			return 0;
		}
	}
	return cerr(cv, s, EINVAL, "%s: expected %s, not `%.40s'", key, expect,
	            s->value->text);
}

/*
 * A CPU list as xl.cfg's cpus= writes it: "all", "node:N"/"nodes:N-M",
 * or comma-separated CPUs and ranges, each optionally negated with '^'.
 * Checked here so a typo is reported against xl.conf; the text is kept
 * for whoever sets affinities.
 */
static bool cpulist_valid(const char *t)
{
	const char *p;

	if (strncmp(t, "node:", 5) == 0)
		t += 5;
	else if (strncmp(t, "nodes:", 6) == 0)
		t += 6;
	else if (strcmp(t, "all") == 0)
		return true;
	for (p = t; ; p++) {
		if (*p == '^')
			p++;
		if (strncmp(p, "all", 3) == 0) {
			p += 3;
		} else {
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p == '-') {
				p++;
				if (*p < '0' || *p > '9')
					return false;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
	}
}

static int get_cpulist(struct conv *cv, const char *key, char **out)
{
	const struct light_cfg_setting *s = light_cfg_lookup(cv->cfg, key);

	if (get_string(cv, key, out) < 0)
		return -1;
	if (s && !cpulist_valid(*out))
		return cerr(cv, s, EINVAL, "%s: not a CPU list: `%.40s'", key, *out);
	return 0;
}

void light_xlconf_defaults(struct light_xlconf *xc)
{
	memset(xc, 0, sizeof(*xc));
	xc->autoballoon = LIGHT_AUTOBALLOON_AUTO;
	xc->run_hotplug_scripts = 1;
	xc->output_format = LIGHT_OUTPUT_JSON;
	xc->claim_mode = 1;
	xc->max_grant_frames = -1;
	xc->max_maptrack_frames = -1;
	xc->max_grant_version = -1;
	xc->domid_policy = LIGHT_DOMID_XEN;
}

void light_xlconf_dispose(struct light_xlconf *xc)
{
	free(xc->lockfile);
	free(xc->vif_script);
	free(xc->vif_bridge);
	free(xc->vif_gatewaydev);
	free(xc->vif_backend);
	free(xc->remus_netbufscript);
	free(xc->colo_proxyscript);
	free(xc->blkdev_start);
	free(xc->vm_cpumask);
	free(xc->vm_pv_cpumask);
	free(xc->vm_hvm_cpumask);
	light_xlconf_defaults(xc);
}

int light_xlconf_from_cfg(struct light_xlconf *xc, const struct light_cfg *cfg,
                          char *err, size_t errlen)
{
	static const char *const balloon_names[] = { "on", "1", "off", "0",
	                                              "auto", NULL };
	static const int balloon_values[] = { LIGHT_AUTOBALLOON_ON,
		LIGHT_AUTOBALLOON_ON, LIGHT_AUTOBALLOON_OFF, LIGHT_AUTOBALLOON_OFF,
		LIGHT_AUTOBALLOON_AUTO };
	static const char *const format_names[] = { "json", "sxp", NULL };
	static const int format_values[] = { LIGHT_OUTPUT_JSON, LIGHT_OUTPUT_SXP };
	static const char *const policy_names[] = { "xen", "random", NULL };
	static const int policy_values[] = { LIGHT_DOMID_XEN, LIGHT_DOMID_RANDOM };
	struct conv cv = { cfg, err, errlen };
	int balloon, format, policy;

	light_xlconf_defaults(xc);
	balloon = xc->autoballoon;
	format = xc->output_format;
	policy = xc->domid_policy;

	/* The old names first, so the new ones override them. */
	if (get_word(&cv, "autoballoon", balloon_names, balloon_values,
	             "\"on\", \"off\" or \"auto\"", &balloon) < 0 ||
	    get_int(&cv, "run_hotplug_scripts", LLONG_MIN, LLONG_MAX,
	            &xc->run_hotplug_scripts) < 0 ||
	    get_string(&cv, "lockfile", &xc->lockfile) < 0 ||
	    get_string(&cv, "vifscript", &xc->vif_script) < 0 ||
	    get_string(&cv, "vif.default.script", &xc->vif_script) < 0 ||
	    get_string(&cv, "defaultbridge", &xc->vif_bridge) < 0 ||
	    get_string(&cv, "vif.default.bridge", &xc->vif_bridge) < 0 ||
	    get_string(&cv, "vif.default.gatewaydev", &xc->vif_gatewaydev) < 0 ||
	    get_string(&cv, "vif.default.backend", &xc->vif_backend) < 0 ||
	    get_word(&cv, "output_format", format_names, format_values,
	             "\"json\" or \"sxp\"", &format) < 0 ||
	    get_string(&cv, "blkdev_start", &xc->blkdev_start) < 0 ||
	    get_int(&cv, "claim_mode", LLONG_MIN, LLONG_MAX, &xc->claim_mode) < 0 ||
	    get_string(&cv, "remus.default.netbufscript",
	               &xc->remus_netbufscript) < 0 ||
	    get_string(&cv, "colo.default.proxyscript", &xc->colo_proxyscript) < 0 ||
	    get_int(&cv, "max_grant_frames", 0, INT_MAX, &xc->max_grant_frames) < 0 ||
	    get_int(&cv, "max_maptrack_frames", 0, INT_MAX,
	            &xc->max_maptrack_frames) < 0 ||
	    get_int(&cv, "max_grant_version", 0, INT_MAX,
	            &xc->max_grant_version) < 0 ||
	    get_cpulist(&cv, "vm.cpumask", &xc->vm_cpumask) < 0 ||
	    get_cpulist(&cv, "vm.hvm.cpumask", &xc->vm_hvm_cpumask) < 0 ||
	    get_cpulist(&cv, "vm.pv.cpumask", &xc->vm_pv_cpumask) < 0 ||
	    get_word(&cv, "domid_policy", policy_names, policy_values,
	             "\"xen\" or \"random\"", &policy) < 0) {
		int e = errno;

		light_xlconf_dispose(xc);
		errno = e;
		return -1;
	}
	xc->autoballoon = (enum light_autoballoon)balloon;
	xc->output_format = (enum light_output_format)format;
	xc->domid_policy = (enum light_domid_policy)policy;
	return 0;
}

int light_xlconf_load(struct light_xlconf *xc, const char *path,
                      char *err, size_t errlen)
{
	struct light_cfg *cfg;
	int rc = -1;

	light_xlconf_defaults(xc);
	cfg = light_cfg_new();
	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory", path);
		errno = ENOMEM;
		return -1;
	}
	if (light_cfg_parse_file(cfg, path, err, errlen) < 0) {
		if (errno != ENOENT)
			goto out;
		/* No xl.conf: upstream's defaults, like an empty file. */
		light_cfg_free(cfg);
		cfg = light_cfg_new();
		if (!cfg) {
			snprintf(err, errlen, "%s: out of memory", path);
			errno = ENOMEM;
			goto out;
		}
	}
	rc = light_xlconf_from_cfg(xc, cfg, err, errlen);
out:
	light_cfg_free(cfg);
	return rc;
}

/* *field = strdup(def) when the nic leaves it unset and xl.conf has one. */
static int fill(char **field, const char *def)
{
	if (*field || !def)
		return 0;
	*field = strdup(def);
	if (!*field) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int light_xlconf_nic_defaults(const struct light_xlconf *xc,
                              struct light_nic *n)
{
	if (fill(&n->script, xc->vif_script) < 0 ||
	    fill(&n->bridge, xc->vif_bridge) < 0 ||
	    fill(&n->gatewaydev, xc->vif_gatewaydev) < 0 ||
	    fill(&n->backend, xc->vif_backend) < 0)
		return -1;
	return 0;
}

int light_xlconf_domain_defaults(const struct light_xlconf *xc,
                                 struct light_domain_config *dc)
{
	size_t i;

	for (i = 0; i < dc->nnics; i++)
		if (light_xlconf_nic_defaults(xc, &dc->nics[i]) < 0)
			return -1;
	/* The grant limits the file leaves unset, as xl's parse_config_data
	 * takes them from its xl.conf globals; claim_mode is xl.conf's alone
	 * (upstream has no xl.cfg key for it). */
	if (dc->max_grant_frames < 0)
		dc->max_grant_frames = xc->max_grant_frames;
	if (dc->max_maptrack_frames < 0)
		dc->max_maptrack_frames = xc->max_maptrack_frames;
	if (dc->max_grant_version < 0)
		dc->max_grant_version = xc->max_grant_version;
	dc->claim_mode = xc->claim_mode != 0;
	return 0;
}

/*
 * One of the vm.*cpumask keys into `out`; an unset key is every CPU.  The
 * text passed light_xlconf_load's syntax check, but "node:" lists parse
 * only here (this toolstack does not place by NUMA node), so this names
 * the key.
 */
static int mask_of(const char *key, const char *text, struct light_cpumap *out,
                   char *err, size_t errlen)
{
	char why[160];

	if (!text)
		text = "all";
	if (light_cpumap_parse(text, out, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", key, why);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int light_xlconf_mask_affinity(const struct light_xlconf *xc,
                               enum light_domain_type type,
                               struct light_cpumap *hard,
                               char *err, size_t errlen)
{
	struct light_cpumap vm, typed;
	const char *tkey = type == LIGHT_DOMAIN_PV ? "vm.pv.cpumask" :
	                                             "vm.hvm.cpumask";
	const char *ttext = type == LIGHT_DOMAIN_PV ? xc->vm_pv_cpumask :
	                                              xc->vm_hvm_cpumask;
	size_t i;
	bool empty = true;

	if (mask_of("vm.cpumask", xc->vm_cpumask, &vm, err, errlen) < 0 ||
	    mask_of(tkey, ttext, &typed, err, errlen) < 0)
		return -1;
	for (i = 0; i < sizeof(hard->bits); i++) {
		hard->bits[i] &= vm.bits[i] & typed.bits[i];
		if (hard->bits[i])
			empty = false;
	}
	if (empty) {
		/* Upstream's words. */
		snprintf(err, errlen, "vcpu hard affinity map is empty");
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int light_xlconf_domain_affinity(const struct light_xlconf *xc,
                                 struct light_domain_config *dc,
                                 char *err, size_t errlen)
{
	size_t i;

	if (!xc->vm_cpumask && !(dc->type == LIGHT_DOMAIN_PV ?
	    xc->vm_pv_cpumask : xc->vm_hvm_cpumask))
		return 0;
	/* No cpus=: every vcpu starts from every CPU, then the masks. */
	if (dc->ncpus_hard == 0) {
		dc->cpus_hard = calloc(dc->max_vcpus, sizeof(*dc->cpus_hard));
		if (!dc->cpus_hard) {
			snprintf(err, errlen, "out of memory");
			errno = ENOMEM;
			return -1;
		}
		for (i = 0; i < dc->max_vcpus; i++)
			memset(dc->cpus_hard[i].bits, 0xff,
			       sizeof(dc->cpus_hard[i].bits));
		dc->ncpus_hard = dc->max_vcpus;
	}
	for (i = 0; i < dc->ncpus_hard; i++)
		if (light_xlconf_mask_affinity(xc, dc->type, &dc->cpus_hard[i],
		                               err, errlen) < 0)
			return -1;
	return 0;
}
