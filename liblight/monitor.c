/*
 * monitor.c - what happens when a guest stops: the on_poweroff, on_reboot,
 * on_crash, on_watchdog and on_soft_reset actions of xl.cfg(5), for one
 * domain (xl create -F) or for every domain (the lightmond daemon).
 *
 * Who acts on a domain is recorded at create, in the same transaction as
 * the domain's other nodes, as /libxl/D/monitor (light_domain.h):
 *   "daemon"     the one monitor daemon does (the default)
 *   "caller"     the creating process does (xl create -F); others keep out
 *   "none"       nobody does (xl create -e)
 *   "preserved", "failed"   the daemon has acted; nothing more to do
 * A record in xenstore (not in the daemon's memory) is what lets the daemon
 * restart, or start after the domains, and still know what is its own.
 *
 * Actions, as upstream's xl (tools/xl/xl_vmcontrol.c handle_domain_death):
 *   destroy          destroy the domain, clean up everything it had
 *   restart          destroy it, create it again from its configuration
 *   preserve         leave it shut down (xl destroy removes it later)
 *   rename-restart   keep the old one under "<name>-YYYYMMDDTHHMMZ" with a
 *                    new uuid, create a new one under the old name
 *   coredump-*       write its memory to /var/lib/xen/dump/<name> first
 *                    ($LIGHTSTACK_DUMP_DIR overrides the directory); a
 *                    failed dump is logged and the action goes on
 *   soft-reset       upstream resets the domain in place (same id, memory
 *                    kept for kexec); Lightstack cannot yet, and restarts
 *                    it instead: a new domain, a fresh boot
 * A suspended domain (a save in progress) is nobody's business here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "light_lifecycle.h"
#include "light_device.h"     /* light_hvm_dm_died */
#include "light_core.h"

/* SHUTDOWN_* (after libctrl.h, which sets up the Xen headers). */
#include <xen/sched.h>

#define DUMP_DIR_DEFAULT "/var/lib/xen/dump"

/* How long the daemon sleeps between looks when no event comes. */
#define MONITOR_POLL_MS 1000

/* ---- The record of who monitors a domain ---------------------------- */

static const char *const mode_names[] = {
	[LIGHT_MONITOR_DAEMON] = "daemon",
	[LIGHT_MONITOR_CALLER] = "caller",
	[LIGHT_MONITOR_NONE] = "none",
	[LIGHT_MONITOR_PRESERVED] = "preserved",
	[LIGHT_MONITOR_FAILED] = "failed",
};

const char *light_monitor_mode_name(enum light_monitor_mode m)
{
	if ((size_t)m < sizeof(mode_names) / sizeof(mode_names[0]))
		return mode_names[m];
	return "?";
}

int light_domain_monitor_mode(struct light_ctx *c, uint32_t domid,
                              enum light_monitor_mode *out)
{
	char *v;
	size_t i;
	int rc = -1;

	if (light_need_xs(c) < 0)
		return -1;
	v = light_xs_readf(c, XSC_NO_TX, "/libxl/%u/monitor", domid);
	if (!v)
		return -1;      /* ENOENT: not recorded (yet) */
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(v, mode_names[i]) == 0) {
			*out = (enum light_monitor_mode)i;
			rc = 0;
		}
	}
	if (rc < 0)
		lc_fail(c, EINVAL, "domain %u: unknown monitor record `%.20s'", domid, v);
	free(v);
	return rc;
}

/* Change the record, only while the domain's /libxl/D is there: a
 * domain destroyed meanwhile must not get a stray node back. */
static void set_mode(struct light_ctx *c, uint32_t domid, enum light_monitor_mode m)
{
	char path[64], *type;
	xsc_tx t;
	int tries;

	snprintf(path, sizeof(path), "/libxl/%u/monitor", domid);
	for (tries = 0; tries < 5; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return;
		type = light_xs_readf(c, t, "/libxl/%u/type", domid);
		if (!type) {
			(void)xsc_transaction_end(c->xs, t, false);
			return;
		}
		free(type);
		if (xsc_write_str(c->xs, t, path, light_monitor_mode_name(m)) < 0) {
			(void)xsc_transaction_end(c->xs, t, false);
			return;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0 || errno != EAGAIN)
			return;
	}
}

/* ---- Applying one action -------------------------------------------- */

/* The configured action for a shutdown reason; -1 for "not ours". */
static int action_for(const struct light_domain_config *dc, unsigned reason,
                      enum light_action *a)
{
	switch (reason) {
	case SHUTDOWN_poweroff: *a = dc->on_poweroff; return 0;
	case SHUTDOWN_reboot: *a = dc->on_reboot; return 0;
	case SHUTDOWN_crash: *a = dc->on_crash; return 0;
	case SHUTDOWN_watchdog: *a = dc->on_watchdog; return 0;
	case SHUTDOWN_soft_reset: *a = dc->on_soft_reset; return 0;
	case SHUTDOWN_suspend: return -1;
	default:
		/* Upstream destroys a domain that stopped for a reason it
		 * does not know. */
		*a = LIGHT_ACTION_DESTROY;
		return 0;
	}
}

static const char *dump_dir(void)
{
	const char *d = getenv("LIGHTSTACK_DUMP_DIR");

	return d && *d ? d : DUMP_DIR_DEFAULT;
}

/* mkdir -p, quietly: a failure shows when the file cannot be created. */
static void make_dirs(const char *dir)
{
	char tmp[4096], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(tmp, 0755);
		*p = '/';
	}
	(void)mkdir(tmp, 0755);
}

/* Dump the core as upstream does, to <dir>/<name>; the result goes into
 * ev (the action goes on either way: "no point crying over spilled milk"). */
static void dump_core(struct light_ctx *c, const char *name, uint32_t domid,
                      struct light_monitor_event *ev)
{
	char path[4200];

	if (snprintf(path, sizeof(path), "%s/%s", dump_dir(), name) >= (int)sizeof(path)) {
		snprintf(ev->detail, sizeof(ev->detail), "core dump failed: path too long");
		return;
	}
	make_dirs(dump_dir());
	if (light_domain_dump_core(c, domid, path) < 0) {
		snprintf(ev->detail, sizeof(ev->detail), "core dump to %.200s failed: %.250s",
		         path, light_errmsg(c));
		return;
	}
	ev->core_dumped = true;
	snprintf(ev->detail, sizeof(ev->detail), "core dumped to %.400s", path);
}

/* Append to ev->detail ("; " between parts). */
static void add_detail(struct light_monitor_event *ev, const char *s)
{
	size_t n = strlen(ev->detail);

	snprintf(ev->detail + n, sizeof(ev->detail) - n, "%s%s", n ? "; " : "", s);
}

/*
 * rename-restart's first half, libxl_domain_preserve's job: the stopped
 * domain keeps living under "<name>-YYYYMMDDTHHMMZ" (UTC) and a fresh uuid,
 * so the new one can have both the name and the uuid.  The uuid matters:
 * /vm/<uuid> and the stored config's file name are keyed by it, and the
 * old domain's eventual destroy must not take the new one's nodes along.
 */
static int preserve_renamed(struct light_ctx *c, uint32_t domid, const char *name,
                            struct light_monitor_event *ev)
{
	struct ctrl_dominfo info;
	struct light_domain_config old;
	char newname[256], suffix[24], olduuid[37], newuuid[37];
	char oldpath[4200], newpath[4200], err[256], msg[320];
	char *json = NULL, *vm = NULL;
	time_t now = time(NULL);
	uint8_t u[16];
	struct tm tm;
	xsc_tx t;
	bool have_old = false;
	int rc = -1;

	gmtime_r(&now, &tm);
	strftime(suffix, sizeof(suffix), "-%Y%m%dT%H%MZ", &tm);
	if (snprintf(newname, sizeof(newname), "%s%s", name, suffix) >= (int)sizeof(newname))
		return lc_fail(c, ENAMETOOLONG, "name too long to rename");
	if (light_domain_rename(c, domid, newname) < 0)
		return -1;
	/* The rename has updated the stored file's name; now the uuid. */
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "domain info");
	json = light_domain_config_json(c, domid);
	if (json && light_domain_config_from_json(json, NULL, &old, err, sizeof(err)) == 0)
		have_old = true;
	uuid_generate(u);
	uuid_unparse_lower(info.handle, olduuid);
	uuid_unparse_lower(u, newuuid);
	if (ctrl_domain_set_handle(c->ctrl, domid, u) < 0) {
		light_error_ctrl(c, "cannot give the old domain a new uuid");
		goto out;
	}
	/* /vm/<old> -> /vm/<new>: the nodes the new domain's create would
	 * otherwise overwrite, and our destroy later remove. */
	if (xsc_transaction_start(c->xs, &t) < 0) {
		light_error_xs(c, "cannot start a transaction");
		goto out;
	}
	{
		char p[128];
		static const char *const keys[] = { "uuid", "name", "start_time" };
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			char *v = light_xs_readf(c, t, "/vm/%s/%s", olduuid, keys[i]);

			if (!v)
				continue;
			snprintf(p, sizeof(p), "/vm/%s/%s", newuuid, keys[i]);
			(void)xsc_write_str(c->xs, t, p, i == 0 ? newuuid : v);
			free(v);
		}
		snprintf(p, sizeof(p), "/vm/%s", olduuid);
		(void)xsc_rm(c->xs, t, p);
		snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
		if (asprintf(&vm, "/vm/%s", newuuid) < 0)
			vm = NULL;
		if (vm)
			(void)xsc_write_str(c->xs, t, p, vm);
	}
	if (xsc_transaction_end(c->xs, t, true) < 0) {
		light_error_xs(c, "cannot move /vm to the new uuid");
		goto out;
	}
	/* The stored config goes under the new uuid too. */
	if (light_config_store_path(domid, info.handle, oldpath, sizeof(oldpath)) == 0 &&
	    light_config_store_path(domid, u, newpath, sizeof(newpath)) == 0) {
		if (have_old) {
			memcpy(old.uuid, u, 16);
			old.has_uuid = true;
			if (light_config_save(c, &old, domid, newpath) == 0)
				(void)unlink(oldpath);
		} else {
			(void)rename(oldpath, newpath);
		}
	}
	snprintf(msg, sizeof(msg), "old domain %u kept as \"%s\"", domid, newname);
	add_detail(ev, msg);
	rc = 0;
out:
	if (have_old)
		light_domain_config_dispose(&old);
	free(json);
	free(vm);
	return rc;
}

int light_domain_act(struct light_ctx *c, struct light_domain_config *dc,
                     uint32_t domid, int reason, unsigned create_flags,
                     struct light_monitor_event *ev)
{
	enum light_action a;
	char *name = NULL;
	uint32_t newid;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	ev->domid = domid;
	ev->reason = reason;
	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (reason < 0 || action_for(dc, (unsigned)reason, &a) < 0)
		return lc_fail(c, EINVAL, "domain %u: no action for shutdown reason %d",
		               domid, reason);
	ev->action = a;
	/* The name now (an `xl rename` since create counts), which is what
	 * the core file and a restarted domain are called. */
	name = light_domain_name(c, domid);
	if (name && strcmp(name, dc->name) != 0) {
		free(dc->name);
		dc->name = name;
		name = NULL;
	}
	free(name);

	if (a == LIGHT_ACTION_COREDUMP_DESTROY || a == LIGHT_ACTION_COREDUMP_RESTART) {
		dump_core(c, dc->name, domid, ev);
		a = a == LIGHT_ACTION_COREDUMP_DESTROY ? LIGHT_ACTION_DESTROY :
		                                         LIGHT_ACTION_RESTART;
	}

	switch (a) {
	case LIGHT_ACTION_PRESERVE:
		ev->what = LIGHT_MON_PRESERVED;
		return 0;
	case LIGHT_ACTION_DESTROY:
		if (light_domain_destroy(c, domid) < 0 && errno != ESRCH)
			goto fail;
		ev->what = LIGHT_MON_DESTROYED;
		return 0;
	case LIGHT_ACTION_RENAME_RESTART:
		if (preserve_renamed(c, domid, dc->name, ev) < 0)
			goto fail;
		break;
	case LIGHT_ACTION_SOFT_RESET:
		add_detail(ev, "soft reset done as a restart (a new domain)");
		/* fall through */
	default:
		if (light_domain_destroy(c, domid) < 0 && errno != ESRCH)
			goto fail;
		break;
	}
	/* The restart family: the same configuration, uuid and MACs. */
	if (light_domain_create(c, dc, create_flags, &newid) < 0)
		goto fail;
	ev->what = LIGHT_MON_RESTARTED;
	ev->new_domid = newid;
	return 1;
fail:
	ev->what = LIGHT_MON_FAILED;
	add_detail(ev, light_errmsg(c));
	return rc;
}

/* ---- One domain: the caller's loop (xl create -F) -------------------- */

/* The create flag that keeps a domain's record across a restart. */
static unsigned flags_for_mode(enum light_monitor_mode m)
{
	switch (m) {
	case LIGHT_MONITOR_CALLER: return LIGHT_CREATE_MONITOR_CALLER;
	case LIGHT_MONITOR_NONE: return LIGHT_CREATE_NO_MONITOR;
	default: return 0;
	}
}

/*
 * The caller's configuration is the one it created the domain from; hot
 * plug since then changed the stored one (device_store.c).  Act on that,
 * as the daemon does, so a restart brings back the devices the guest had
 * when it stopped.  Without a usable stored file the caller's stays.
 */
static void reload_stored(struct light_ctx *c, struct light_domain_config *dc,
                          uint32_t domid)
{
	struct light_domain_config now;
	char err[256], *json;

	json = light_domain_config_json(c, domid);
	if (json && light_domain_config_from_json(json, dc->source, &now, err,
	                                          sizeof(err)) == 0) {
		light_domain_config_dispose(dc);
		*dc = now;
	}
	free(json);
}

int light_domain_monitor_next(struct light_ctx *c,
                              struct light_domain_config *dc,
                              uint32_t *domid, struct light_monitor_event *ev)
{
	struct ctrl_dominfo info;
	enum light_monitor_mode mode = LIGHT_MONITOR_CALLER;
	enum light_action a;
	bool watching;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	ev->domid = *domid;
	ev->reason = -1;
	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	watching = xsc_watch(c->xs, "@releaseDomain", "light-monitor") == 0;

	for (;;) {
		if (ctrl_domain_getinfo(c->ctrl, *domid, &info) < 0) {
			if (errno != ESRCH && errno != EINVAL) {
				light_error_ctrl(c, "domain info");
				goto out;
			}
			(void)light_domain_cleanup(c, *domid);
			ev->what = LIGHT_MON_GONE;
			rc = 0;
			goto out;
		}
		if (info.shutdown && !info.dying &&
		    action_for(dc, info.shutdown_reason, &a) == 0)
			break;
		light_wait_event(c, MONITOR_POLL_MS);
	}
	(void)light_domain_monitor_mode(c, *domid, &mode);
	reload_stored(c, dc, *domid);
	rc = light_domain_act(c, dc, *domid, (int)info.shutdown_reason,
	                      flags_for_mode(mode), ev);
	if (rc > 0)
		*domid = ev->new_domid;
out:
	if (watching)
		(void)xsc_unwatch(c->xs, "@releaseDomain", "light-monitor");
	return rc;
}

/* ---- Every domain: the daemon's loop --------------------------------- */

/*
 * What the daemon knows of a domain it has seen: its id and uuid (an id
 * is reused by a later domain; the pair is not) and its record.  Domains
 * without a record (Domain-0, another toolstack's, one whose create has
 * not committed yet) are not kept, so they are asked again next time.
 */
struct mon_entry {
	uint32_t domid;
	uint8_t handle[16];
	enum light_monitor_mode mode;
	bool seen;                  /* in the current scan */
	bool dm_reported;           /* its QEMU's death was reported */
};

struct light_monitor {
	struct light_ctx *c;
	struct mon_entry *v;
	size_t n, cap;
	bool rescan;                /* look at Xen before waiting */
};

struct light_monitor *light_monitor_open(struct light_ctx *c)
{
	struct light_monitor *m;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		lc_fail(c, ENOMEM, "out of memory");
		return NULL;
	}
	m->c = c;
	m->rescan = true;
	/* Both fire once at once, which is the first scan's cue.  Without
	 * them the poll below still finds everything, only later. */
	if (xsc_watch(c->xs, "@releaseDomain", "light-mon-release") < 0 ||
	    xsc_watch(c->xs, "@introduceDomain", "light-mon-introduce") < 0) {
		light_error_xs(c, "cannot watch @releaseDomain");
		free(m);
		return NULL;
	}
	return m;
}

void light_monitor_close(struct light_monitor *m)
{
	if (!m)
		return;
	(void)xsc_unwatch(m->c->xs, "@releaseDomain", "light-mon-release");
	(void)xsc_unwatch(m->c->xs, "@introduceDomain", "light-mon-introduce");
	free(m->v);
	free(m);
}

size_t light_monitor_count(const struct light_monitor *m)
{
	size_t i, k = 0;

	for (i = 0; i < m->n; i++)
		if (m->v[i].mode == LIGHT_MONITOR_DAEMON)
			k++;
	return k;
}

static struct mon_entry *find_entry(struct light_monitor *m, uint32_t domid)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].domid == domid)
			return &m->v[i];
	return NULL;
}

static struct mon_entry *add_entry(struct light_monitor *m,
                                   const struct ctrl_dominfo *d,
                                   enum light_monitor_mode mode)
{
	struct mon_entry *nv;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		nv = realloc(m->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		m->v = nv;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	m->v[m->n].domid = d->domid;
	memcpy(m->v[m->n].handle, d->handle, 16);
	m->v[m->n].mode = mode;
	m->v[m->n].seen = true;
	return &m->v[m->n++];
}

static void drop_entry(struct light_monitor *m, struct mon_entry *e)
{
	*e = m->v[--m->n];
}

/* Act on one stopped domain of ours, per its stored configuration. */
static void act_on(struct light_monitor *m, struct mon_entry *e,
                   const struct ctrl_dominfo *d, struct light_monitor_event *ev)
{
	struct light_domain_config dc;
	struct ctrl_dominfo now;
	char err[256];
	char *json;

	json = light_domain_config_json(m->c, d->domid);
	if (!json || light_domain_config_from_json(json, NULL, &dc, err, sizeof(err)) < 0) {
		/* No way to know its actions: leave it as it is, once. */
		memset(ev, 0, sizeof(*ev));
		ev->domid = d->domid;
		ev->reason = (int)d->shutdown_reason;
		ev->what = LIGHT_MON_FAILED;
		snprintf(ev->detail, sizeof(ev->detail), "no usable stored config: %s",
		         json ? err : light_errmsg(m->c));
		free(json);
		e->mode = LIGHT_MONITOR_FAILED;
		set_mode(m->c, d->domid, e->mode);
		return;
	}
	free(json);
	if (light_domain_act(m->c, &dc, d->domid, (int)d->shutdown_reason, 0, ev) < 0) {
		e->mode = LIGHT_MONITOR_FAILED;
		/* The domain may be gone by now (a restart that failed after
		 * its destroy); the record then goes with it. */
		set_mode(m->c, d->domid, e->mode);
	} else if (ev->what == LIGHT_MON_PRESERVED) {
		e->mode = LIGHT_MONITOR_PRESERVED;
		set_mode(m->c, d->domid, e->mode);
	} else if (ev->action == LIGHT_ACTION_RENAME_RESTART) {
		/* The renamed one stays, preserved, under its new uuid. */
		e->mode = LIGHT_MONITOR_PRESERVED;
		set_mode(m->c, d->domid, e->mode);
		if (ctrl_domain_getinfo(m->c->ctrl, d->domid, &now) == 0)
			memcpy(e->handle, now.handle, 16);
	}
	light_domain_config_dispose(&dc);
}

/*
 * One look at every domain.  Returns 1 with *ev filled when something was
 * done (the caller comes back at once: there may be more), 0 when there
 * was nothing to do, -1 when Xen could not be asked.
 */
static int scan(struct light_monitor *m, struct light_monitor_event *ev)
{
	struct ctrl_dominfo *doms = NULL;
	enum light_monitor_mode mode;
	struct mon_entry *e;
	size_t n = 0, i;
	uint32_t reaped;
	int rc = 0;

	/* A create killed half-way first: its domain has no record, so the
	 * loop below would never look at it. */
	if (light_reap_abandoned(m->c, &reaped, 1) > 0) {
		memset(ev, 0, sizeof(*ev));
		ev->what = LIGHT_MON_ABANDONED;
		ev->domid = reaped;
		ev->reason = -1;
		snprintf(ev->detail, sizeof(ev->detail),
		         "its create died half-way; destroyed");
		return 1;
	}
	if (ctrl_domain_list(m->c->ctrl, &doms, &n) < 0)
		return light_error_ctrl(m->c, "cannot list domains");
	for (i = 0; i < m->n; i++)
		m->v[i].seen = false;
	for (i = 0; i < n; i++) {
		const struct ctrl_dominfo *d = &doms[i];

		if (d->domid == 0)
			continue;
		e = find_entry(m, d->domid);
		if (e && memcmp(e->handle, d->handle, 16) != 0) {
			/* The id is another domain's now. */
			drop_entry(m, e);
			e = NULL;
		}
		if (!e) {
			if (light_domain_monitor_mode(m->c, d->domid, &mode) < 0)
				continue;
			e = add_entry(m, d, mode);
			if (!e) {
				rc = lc_fail(m->c, ENOMEM, "out of memory");
				goto out;
			}
		}
		e->seen = true;
		/* A running HVM guest whose QEMU died: its emulated devices
		 * no longer answer.  Said once; what to do is the
		 * administrator's (upstream leaves such a guest too).  Not
		 * while paused: destroy pauses a guest before it stops QEMU. */
		if (e->mode == LIGHT_MONITOR_DAEMON && d->hvm && !d->paused &&
		    !d->shutdown && !d->dying && !e->dm_reported) {
			long pid;

			if (light_hvm_dm_died(m->c, d->domid, &pid)) {
				e->dm_reported = true;
				memset(ev, 0, sizeof(*ev));
				ev->what = LIGHT_MON_DM_DIED;
				ev->domid = d->domid;
				ev->reason = -1;
				snprintf(ev->detail, sizeof(ev->detail), "its device "
				         "model (QEMU, pid %ld) is gone; the guest's "
				         "emulated devices no longer answer", pid);
				rc = 1;
				goto out;
			}
		}
		if (e->mode != LIGHT_MONITOR_DAEMON || !d->shutdown || d->dying)
			continue;
		if (d->shutdown_reason == SHUTDOWN_suspend)
			continue;
		act_on(m, e, d, ev);
		rc = 1;
		goto out;
	}
	/* Ours that vanished (someone destroyed them): tidy what they left. */
	for (i = 0; i < m->n; i++) {
		e = &m->v[i];
		if (e->seen)
			continue;
		memset(ev, 0, sizeof(*ev));
		ev->what = LIGHT_MON_GONE;
		ev->domid = e->domid;
		ev->reason = -1;
		if (e->mode == LIGHT_MONITOR_DAEMON)
			(void)light_domain_cleanup(m->c, e->domid);
		drop_entry(m, e);
		rc = 1;
		goto out;
	}
out:
	free(doms);
	return rc;
}

int light_monitor_next(struct light_monitor *m, struct light_monitor_event *ev,
                       int timeout_ms)
{
	struct timespec ts;
	long long start, now;
	int r, wait_ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	for (;;) {
		if (m->rescan) {
			r = scan(m, ev);
			if (r != 0) {
				/* After an event there may be more: look again
				 * before sleeping. */
				m->rescan = r > 0;
				return r;
			}
			m->rescan = false;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (timeout_ms >= 0 && now - start >= timeout_ms)
			return 0;
		wait_ms = MONITOR_POLL_MS;
		if (timeout_ms >= 0 && timeout_ms - (now - start) < wait_ms)
			wait_ms = (int)(timeout_ms - (now - start));
		light_wait_event(m->c, wait_ms);
		/* An event or the poll interval: either way, look. */
		m->rescan = true;
	}
}
