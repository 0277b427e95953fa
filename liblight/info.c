/*
 * info.c - host information, the domain list, names <-> ids, uptime and
 * Xen's console ring: everything `xl info/list/domid/domname/uptime/dmesg`
 * needs.  See light_info.h for the name index design.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_internal.h"
#include "strnum.h"

/* After light_internal.h: libctrl.h defines __XEN_TOOLS__ for it. */
#include <xen/sysctl.h>

/* light_info.h names Xen's physcap bits so callers need no Xen header. */
_Static_assert(LIGHT_PHYSCAP_HVM == XEN_SYSCTL_PHYSCAP_hvm, "physcap");
_Static_assert(LIGHT_PHYSCAP_PV == XEN_SYSCTL_PHYSCAP_pv, "physcap");
_Static_assert(LIGHT_PHYSCAP_DIRECTIO == XEN_SYSCTL_PHYSCAP_directio,
    "physcap");
_Static_assert(LIGHT_PHYSCAP_HAP == XEN_SYSCTL_PHYSCAP_hap, "physcap");
_Static_assert(LIGHT_PHYSCAP_SHADOW == XEN_SYSCTL_PHYSCAP_shadow, "physcap");
_Static_assert(LIGHT_PHYSCAP_IOMMU_HAP_PT ==
    XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share, "physcap");
_Static_assert(LIGHT_PHYSCAP_VMTRACE == XEN_SYSCTL_PHYSCAP_vmtrace,
    "physcap");
_Static_assert(LIGHT_PHYSCAP_VPMU == XEN_SYSCTL_PHYSCAP_vpmu, "physcap");
_Static_assert(LIGHT_PHYSCAP_GNTTAB_V1 == XEN_SYSCTL_PHYSCAP_gnttab_v1,
    "physcap");
_Static_assert(LIGHT_PHYSCAP_GNTTAB_V2 == XEN_SYSCTL_PHYSCAP_gnttab_v2,
    "physcap");

/* ---- Small helpers ---------------------------------------------------- */

/* Read a small text file (sysfs, /proc) into buf; returns its length or
 * -1.  Used for facts the kernel already exposes. */
static ssize_t
read_small_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A whole decimal string as a domain id.  Any uint32 is accepted, as
 * upstream's qualifier lookup does: whether it names a domain is for
 * the caller to find out. */
static int
parse_domid(const char *s, uint32_t *out)
{
	uint64_t v;

	if (strnum_u64(s, 10, 0, UINT32_MAX, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * Whole seconds of a "<seconds>[.<fraction>]" time, as /proc/uptime and
 * the start_time node write it; the fraction (digits only) is dropped.
 * stop is where the time ends in s: '\0' for a node, ' ' for the first
 * field of /proc/uptime.
 */
static int
parse_seconds(const char *s, char stop, unsigned long *out)
{
	char num[32];
	const char *p;
	uint64_t v;
	size_t len;

	len = strspn(s, "0123456789");
	p = s + len;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p != stop || len >= sizeof(num))
		goto bad;
	/* An empty number (".5") is strnum_u64's to refuse. */
	memcpy(num, s, len);
	num[len] = '\0';
	if (strnum_u64(num, 10, 0, ULONG_MAX, &v) == -1)
		goto bad;
	*out = (unsigned long)v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* ---- Host ------------------------------------------------------------ */

/*
 * The facts `xl info` shows that are not in physinfo or ctrl_version: the
 * memory sharing counters, the CPUs in no cpupool, the platform
 * parameters and the build id.  Each is optional in the output (the
 * has_* flags, free_cpus -1), so a failure here leaves that field out
 * rather than failing the whole query, as upstream xl leaves out
 * free_cpus when libxl cannot read it.
 */
static void
host_info_extras(struct ctrl_handle *x, struct light_host_info *h)
{
	long freed, used;
	uint8_t *map = NULL;
	size_t nbytes, i;

	freed = ctrl_sharing_freed_pages(x);
	used = ctrl_sharing_used_pages(x);
	if (freed >= 0 && used >= 0) {
		h->sharing_freed_pages = (uint64_t)freed;
		h->sharing_used_frames = (uint64_t)used;
		h->has_sharing = true;
	}

	h->free_cpus = -1;
	if (ctrl_cpupool_freeinfo(x, &map, &nbytes) == 0) {
		h->free_cpus = 0;
		for (i = 0; i < nbytes; i++)
			h->free_cpus += __builtin_popcount(map[i]);
		free(map);
	}

	if (ctrl_platform_parameters(x, &h->virt_start) == 0)
		h->has_virt_start = true;

	/* Xen built without a build id (ENODATA), or one hiding it from us
	 * (EPERM), shows an empty one, as libxl does. */
	if (ctrl_build_id(x, h->build_id, sizeof(h->build_id)) >= 0)
		h->has_build_id = true;
	else if (errno == ENODATA || errno == EPERM) {
		h->build_id[0] = '\0';
		h->has_build_id = true;
	}
}

int
light_host_info(struct light_ctx *c, struct light_host_info *h)
{
	struct ctrl_version v;
	struct ctrl_physinfo p;
	unsigned sched;

	if (light_need_ctrl(c) == -1)
		return -1;
	memset(h, 0, sizeof(*h));
	if (ctrl_physinfo(c->ctrl, &p) == -1)
		return light_error_ctrl(c, "physinfo");
	if (ctrl_xen_version(c->ctrl, &v) == -1)
		return light_error_ctrl(c, "xen version");
	if (ctrl_sched_id(c->ctrl, &sched) == -1)
		return light_error_ctrl(c, "scheduler");

	h->nr_cpus = p.nr_cpus;
	h->max_cpu_id = p.max_cpu_id;
	h->nr_nodes = p.nr_nodes;
	h->cores_per_socket = p.cores_per_socket;
	h->threads_per_core = p.threads_per_core;
	h->cpu_khz = p.cpu_khz;
	memcpy(h->hw_cap, p.hw_cap, sizeof(h->hw_cap));
	h->physcaps = p.capabilities;
	h->total_pages = p.total_pages;
	h->free_pages = p.free_pages;
	h->scrub_pages = p.scrub_pages;
	h->outstanding_pages = p.outstanding_pages;

	h->xen_major = v.major;
	h->xen_minor = v.minor;
	snprintf(h->xen_extra, sizeof(h->xen_extra), "%s", v.extra);
	snprintf(h->xen_caps, sizeof(h->xen_caps), "%s", v.capabilities);
	snprintf(h->xen_changeset, sizeof(h->xen_changeset), "%s",
	    v.changeset);
	snprintf(h->xen_commandline, sizeof(h->xen_commandline), "%s",
	    v.cmdline);
	snprintf(h->cc_compiler, sizeof(h->cc_compiler), "%s", v.compiler);
	snprintf(h->cc_compile_by, sizeof(h->cc_compile_by), "%s",
	    v.compile_by);
	snprintf(h->cc_compile_domain, sizeof(h->cc_compile_domain), "%s",
	    v.compile_domain);
	snprintf(h->cc_compile_date, sizeof(h->cc_compile_date), "%s",
	    v.compile_date);
	h->pagesize = v.pagesize;
	snprintf(h->scheduler, sizeof(h->scheduler), "%s",
	    ctrl_sched_name(sched));

	host_info_extras(c->ctrl, h);
	return 0;
}

/* ---- Domains --------------------------------------------------------- */

/* Fill *d from Xen's view of the domain and its xenstore name. */
static int
fill_dominfo(struct light_ctx *c, const struct ctrl_dominfo *x,
    struct light_dominfo *d)
{
	char *name;

	memset(d, 0, sizeof(*d));
	d->domid = x->domid;
	memcpy(d->uuid, x->handle, sizeof(d->uuid));
	d->running = x->running;
	d->blocked = x->blocked;
	d->paused = x->paused;
	d->shutdown = x->shutdown;
	d->dying = x->dying;
	d->shutdown_reason = x->shutdown_reason;
	d->tot_pages = x->tot_pages;
	d->max_pages = x->max_pages;
	d->outstanding_pages = x->outstanding_pages;
	d->cpu_time_ns = x->cpu_time_ns;
	d->vcpus_online = x->nr_online_vcpus;
	d->max_vcpu_id = x->max_vcpu_id;
	d->ssidref = x->ssidref;
	d->cpupool = x->cpupool;
	d->hvm = x->hvm;
	if (d->hvm) {
		/* Xen's flags do not tell PVH from HVM; libxl's node does. */
		char *type = light_xs_readf(c, XSC_NO_TX, "/libxl/%u/type",
		                            x->domid);

		d->pvh = type != NULL && strcmp(type, "pvh") == 0;
		free(type);
	}

	name = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/name", x->domid);
	if (name == NULL) {
		/* A domain being built or torn down may have no name yet. */
		if (errno == ENOENT)
			return 0;
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->has_name = true;
	free(name);
	return 0;
}

int
light_domain_list(struct light_ctx *c, struct light_dominfo **out, size_t *n)
{
	struct ctrl_dominfo *xs = NULL;
	struct light_dominfo *list = NULL;
	size_t i, count = 0;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (light_need_ctrl(c) == -1 || light_need_xs(c) == -1)
		return -1;
	if (ctrl_domain_list(c->ctrl, &xs, &count) == -1)
		return light_error_ctrl(c, "domain list");
	list = calloc(count ? count : 1, sizeof(*list));
	if (list == NULL) {
		light_error(c, ENOMEM, "domain list");
		goto out;
	}
	for (i = 0; i < count; i++)
		if (fill_dominfo(c, &xs[i], &list[i]) == -1)
			goto out;
	*out = list;
	*n = count;
	list = NULL;
	ret = 0;
out:
	free(list);
	free(xs);
	return ret;
}

int
light_domain_info(struct light_ctx *c, uint32_t domid,
    struct light_dominfo *out)
{
	struct ctrl_dominfo x;

	if (light_need_ctrl(c) == -1 || light_need_xs(c) == -1)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &x) == -1) {
		/* Reserved ids (EINVAL from libctrl) do not exist either. */
		if (errno == ESRCH || errno == EINVAL)
			return light_error(c, ESRCH, "domain %u", domid);
		return light_error_ctrl(c, "domain info");
	}
	return fill_dominfo(c, &x, out);
}

char *
light_domain_name(struct light_ctx *c, uint32_t domid)
{
	char *name;

	name = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/name", domid);
	if (name == NULL && errno == ENOENT)
		light_error(c, ENOENT, "domain %u has no name", domid);
	return name;
}

char *
light_cpupool_name(struct light_ctx *c, uint32_t poolid)
{
	char *name;

	name = light_xs_readf(c, XSC_NO_TX, "/local/pool/%u/name", poolid);
	if (name == NULL && errno == ENOENT)
		light_error(c, ENOENT, "cpupool %u has no name", poolid);
	return name;
}

/* ---- The name index -------------------------------------------------- */

/*
 * A domain name may hold characters a xenstore path may not ('.', ' ',
 * ...), so the index key is the name with every byte outside
 * [A-Za-z0-9_-] written as "@xx" (hex).  '@' itself is escaped, so the
 * encoding is reversible and never starts a special "@..." path.
 * Returns 0, or -1 if the key does not fit.
 */
static int
index_path(const char *name, char *path, size_t size)
{
	size_t len;
	const unsigned char *p;
	int n;

	n = snprintf(path, size, "%s/", LIGHT_NAMES_PATH);
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (len + 4 > size)
			return -1;
		if (isalnum(*p) || *p == '_' || *p == '-')
			path[len++] = (char)*p;
		else
			len += (size_t)snprintf(path + len, 4, "@%02x", *p);
	}
	path[len] = '\0';
	return 0;
}

int
light_name_index_add(struct light_ctx *c, uint32_t t, const char *name,
    uint32_t domid)
{
	char path[512], val[16];

	if (light_need_xs(c) == -1)
		return -1;
	if (name[0] == '\0' || index_path(name, path, sizeof(path)) == -1)
		return light_error(c, EINVAL, "name index: bad name");
	snprintf(val, sizeof(val), "%u", domid);
	if (xsc_write_str(c->xs, t, path, val) == -1)
		return light_error_xs(c, "name index");
	return 0;
}

/*
 * Only a read of the entry inside the creator's transaction makes names
 * unique: two creators of one name both read "absent" and write, the
 * first commit wins, the second fails with EAGAIN, retries its whole
 * transaction and then finds the winner here.  A check before the
 * transaction cannot see a creator that has not committed yet.
 */
int
light_name_claim(struct light_ctx *c, uint32_t t, const char *name,
    uint32_t domid)
{
	char path[512];
	char *v = NULL, *cur = NULL;
	uint32_t id;
	int ret = -1;

	if (light_need_xs(c) == -1)
		return -1;
	if (name[0] == '\0' || index_path(name, path, sizeof(path)) == -1)
		return light_error(c, EINVAL, "name index: bad name");
	v = xsc_read(c->xs, t, path, NULL);
	if (v == NULL && errno != ENOENT) {
		light_error_xs(c, "name index");
		goto out;
	}
	if (v != NULL && parse_domid(v, &id) == 0 && id != domid) {
		/* A stale entry (that domain is gone or renamed) is free. */
		cur = light_xs_readf(c, t, "/local/domain/%u/name", id);
		if (cur == NULL && errno != ENOENT)
			goto out;
		if (cur != NULL && strcmp(cur, name) == 0) {
			light_error(c, EEXIST, "domain with name \"%s\" already "
			    "exists (domain %u)", name, id);
			goto out;
		}
	}
	ret = light_name_index_add(c, t, name, domid);
out:
	free(v);
	free(cur);
	return ret;
}

int
light_name_index_remove(struct light_ctx *c, uint32_t t, const char *name)
{
	char path[512];

	if (light_need_xs(c) == -1)
		return -1;
	if (name[0] == '\0' || index_path(name, path, sizeof(path)) == -1)
		return light_error(c, EINVAL, "name index: bad name");
	if (xsc_rm(c->xs, t, path) == -1 && errno != ENOENT)
		return light_error_xs(c, "name index");
	return 0;
}

/*
 * The slow way, for hosts without the index: every domain's name, as
 * upstream does.  The xenstore directory is the list of domains here, so
 * this needs no hypercall.
 */
static int
scan_names(struct light_ctx *c, const char *name, uint32_t *domid)
{
	char **ids;
	unsigned i, n;
	uint32_t id;
	char *v;
	int ret = -1;

	ids = xsc_directory(c->xs, XSC_NO_TX, "/local/domain", &n);
	if (ids == NULL) {
		if (errno == ENOENT)
			return light_error(c, ENOENT, "no domain named '%s'",
			    name);
		return light_error_xs(c, "domain scan");
	}
	for (i = 0; i < n; i++) {
		if (parse_domid(ids[i], &id) == -1)
			continue;
		v = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/name", id);
		if (v == NULL) {
			if (errno == ENOENT)
				continue;       /* going away: skip it */
			goto out;
		}
		if (strcmp(v, name) == 0) {
			free(v);
			*domid = id;
			ret = 0;
			goto out;
		}
		free(v);
	}
	light_error(c, ENOENT, "no domain named '%s'", name);
out:
	free(ids);
	return ret;
}

/*
 * Remove an index entry found stale (its domain is gone or now has
 * another name), but only if it still holds the value `seen`: in one
 * transaction, so that an entry a concurrent create just wrote for a new
 * domain of that name survives.  Best effort: a reader that cannot clean
 * up still answers from the scan.
 */
static void
drop_stale_entry(struct light_ctx *c, const char *path, const char *seen)
{
	xsc_tx t;
	char *now;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (xsc_transaction_start(c->xs, &t) == -1)
			return;
		now = xsc_read(c->xs, t, path, NULL);
		if (now == NULL || strcmp(now, seen) != 0) {
			free(now);
			(void)xsc_transaction_end(c->xs, t, false);
			return;
		}
		free(now);
		if (xsc_rm(c->xs, t, path) == -1) {
			(void)xsc_transaction_end(c->xs, t, false);
			return;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0 || errno != EAGAIN)
			return;
	}
}

int
light_domain_by_name(struct light_ctx *c, const char *name, uint32_t *domid)
{
	char path[512];
	char *v = NULL, *cur = NULL;
	uint32_t id;
	int ret = -1;

	if (light_need_xs(c) == -1)
		return -1;
	if (name[0] == '\0')
		return light_error(c, EINVAL, "empty domain name");
	if (index_path(name, path, sizeof(path)) == -1)
		return light_error(c, ENOENT, "no domain named '%.64s...'",
		    name);

	v = xsc_read(c->xs, XSC_NO_TX, path, NULL);
	if (v == NULL && errno != ENOENT) {
		light_error_xs(c, "name index");
		goto out;
	}
	if (v != NULL && parse_domid(v, &id) == 0) {
		/* The entry may be stale (domain gone, id reused): check. */
		cur = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/name",
		    id);
		if (cur == NULL && errno != ENOENT)
			goto out;
		if (cur != NULL && strcmp(cur, name) == 0) {
			*domid = id;
			ret = 0;
			goto out;
		}
	}
	/* A stale entry is dropped so that it does not outlive its domain. */
	if (v != NULL)
		drop_stale_entry(c, path, v);
	/*
	 * No entry, or a stale one.  The index is only a cache: another
	 * toolstack (upstream's xl, libvirt) names its domains in
	 * /local/domain/<id>/name and never writes our index, so a miss
	 * must ask the truth, every domain's name, as upstream does.
	 */
	ret = scan_names(c, name, domid);
out:
	free(v);
	free(cur);
	return ret;
}

int
light_domain_lookup(struct light_ctx *c, const char *name_or_id,
    uint32_t *domid)
{
	const char *p;

	if (name_or_id[0] == '\0')
		return light_error(c, EINVAL, "empty domain name");
	/* All digits is an id, as upstream decides (no existence check). */
	for (p = name_or_id; isdigit((unsigned char)*p); p++)
		;
	if (*p == '\0') {
		if (parse_domid(name_or_id, domid) == -1)
			return light_error(c, ERANGE, "domain id %s",
			    name_or_id);
		return 0;
	}
	return light_domain_by_name(c, name_or_id, domid);
}

/* ---- Uptime ---------------------------------------------------------- */

int
light_domain_uptime(struct light_ctx *c, uint32_t domid, long now,
    unsigned long *seconds)
{
	char buf[128];
	char *vm = NULL, *start = NULL;
	unsigned long t;
	int ret = -1;

	if (domid == 0) {
		/* Dom0 is the machine we run on: its uptime is ours. */
		if (read_small_file("/proc/uptime", buf, sizeof(buf)) <= 0)
			return light_error(c, errno ? errno : EIO,
			    "/proc/uptime");
		if (parse_seconds(buf, ' ', &t) == -1)
			return light_error(c, EINVAL, "/proc/uptime");
		*seconds = t;
		return 0;
	}

	vm = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/vm", domid);
	if (vm == NULL) {
		if (errno == ENOENT)
			light_error(c, ENOENT,
			    "domain %u: no start time recorded", domid);
		goto out;
	}
	start = light_xs_readf(c, XSC_NO_TX, "%s/start_time", vm);
	if (start == NULL) {
		if (errno == ENOENT)
			light_error(c, ENOENT,
			    "domain %u: no start time recorded", domid);
		goto out;
	}
	/* Written as "<seconds>.<hundredths>"; the fraction is dropped. */
	if (parse_seconds(start, '\0', &t) == -1) {
		light_error(c, EINVAL, "domain %u: bad start time '%s'",
		    domid, start);
		goto out;
	}
	*seconds = now > 0 && (unsigned long)now > t ?
	    (unsigned long)now - t : 0;
	ret = 0;
out:
	free(vm);
	free(start);
	return ret;
}

/* ---- Xen's console ring ---------------------------------------------- */

int
light_xen_dmesg(struct light_ctx *c, bool clear, char **buf, size_t *len)
{
	if (light_need_ctrl(c) == -1)
		return -1;
	if (ctrl_readconsole(c->ctrl, clear, buf, len) == -1)
		return light_error_ctrl(c, "reading the console ring");
	return 0;
}
