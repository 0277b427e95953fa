/*
 * light_domain.h - the domain lifecycle: create, destroy, shutdown,
 * reboot, pause, the monitor (on_* actions) and the console.
 *
 * Conventions of light_ctx.h: 0 (or a non-negative value) on success, -1
 * with errno set and a one-line message in light_errmsg() on failure.
 *
 * What create leaves behind, for a domain D with uuid U and name N (the
 * layout upstream's libxl writes and Linux guests expect):
 *
 *   /local/domain/D            owner dom0, guest may read ("n0 rD")
 *       name, domid, vm = "/vm/U"
 *       memory/{static-max,target,videoram}       (KiB)
 *       cpu/<n>/availability  "online" | "offline"
 *       store/{port,ring-ref}                     (ring-ref: mfn)
 *       console/{ring-ref,port}                   read-only to the guest
 *       console/{backend-id,limit,type,output,tty} type "xenconsoled";
 *                                                 tty written by xenconsoled
 *       control/                                  read-only to the guest
 *           shutdown, sysrq, feature-{poweroff,reboot,suspend}
 *                                                 guest-writable
 *           platform-feature-{multiprocessor-suspend,xs_reset_watches} = 1
 *       data, drivers, feature, attr, error, device/suspend/event-channel
 *                                                 guest-writable
 *   /vm/U                      {uuid, name, start_time}; memory (MiB)
 *                              once mem-set changed it (light_mem.h)
 *   /libxl/D                   {type, monitor} toolstack bookkeeping, dom0
 *                              only; monitor: see "The monitor" below
 *   LIGHT_NAMES_PATH/N = "D"   the name index (light_info.h)
 *   /local/domain/0/backend/vbd/D/N, /local/domain/D/device/vbd/N,
 *   /libxl/D/device/vbd/N      one per disk (liblight/light_device.h)
 *   $LIGHTSTACK_STATE_DIR (default /var/lib/xen, as libxl)/
 *       userdata-d.D.U.libxl-json   the configuration as libxl's JSON
 *
 * All of it is written in one xenstore transaction after the build; if
 * any step of create fails, everything done before is undone (domain
 * destroyed, nodes removed, xenstored released, file removed).
 *
 * Threads: these calls take a light_ctx and follow its rule (light_ctx.h):
 * one thread per context at a time; different contexts may run at once.
 */
#ifndef LIGHTSTACK_LIGHT_DOMAIN_H
#define LIGHTSTACK_LIGHT_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "light_config.h"

struct light_ctx;

/* Where stored configurations go unless $LIGHTSTACK_STATE_DIR is set. */
#define LIGHT_STATE_DIR_DEFAULT "/var/lib/xen"

/* libxl's slack added to a PV guest's memory limit in Xen, above its
 * target (LIBXL_MAXMEM_CONSTANT; see light_mem.h). */
#define LIGHT_MAXMEM_SLACK_KB 1024
/* xenconsoled's default output buffer limit written to console/limit. */
#define LIGHT_CONSOLE_LIMIT 1048576

/* ---- Create ---------------------------------------------------------- */

#define LIGHT_CREATE_PAUSED  0x1u   /* leave the new domain paused (xl -p) */
/* Who applies the domain's on_* actions (see "The monitor" below); without
 * either flag the monitor daemon (lightmond) does. */
#define LIGHT_CREATE_NO_MONITOR      0x2u  /* nobody (xl create -e) */
#define LIGHT_CREATE_MONITOR_CALLER  0x4u  /* the caller (xl create -F) */

/*
 * Create and start the domain described by `dc` (which must pass
 * light_domain_config_check_runnable; create checks again).  A `dc` without
 * a uuid gets a fresh one, written back into dc->uuid (has_uuid set) so a
 * restart reuses it.  On success *domid is the new domain.  Refuses (EEXIST)
 * if a domain of that name exists.
 *
 * For tests, in a build configured with --enable-fault-injection only
 * (scripts/build does; installs do not): if $LIGHTSTACK_CREATE_FAIL names a
 * step of create's table in create.c ("vbd_host", "createdomain", ...,
 * "unpause"), that step fails with EIO after it ran, so the rollback of
 * everything up to and including it can be observed.  Without the option
 * the variable is ignored.
 */
int light_domain_create(struct light_ctx *c, struct light_domain_config *dc,
                        unsigned flags, uint32_t *domid);

/* ---- Destroy and cleanup -------------------------------------------- */

/*
 * Destroy domain `domid` and remove every trace of it: pause, release it
 * in xenstored, remove /local/domain/D, /vm/U, /libxl/D and its name
 * index entry, XEN_DOMCTL_destroydomain, remove the stored config.
 * -1/ESRCH if there is no such domain (leftover nodes of a domain that is
 * already gone are still removed), -1/EPERM for domain 0.
 */
int light_domain_destroy(struct light_ctx *c, uint32_t domid);

/*
 * Remove what a domain left behind once it no longer exists (nodes, name
 * entry, stored config).  Harmless when there is nothing; refuses (EBUSY)
 * while the domain still exists.
 */
int light_domain_cleanup(struct light_ctx *c, uint32_t domid);

/*
 * What a create that died half-way left.  A create that is killed
 * (SIGKILL, a crash, the OOM killer) runs none of its undo steps: it
 * leaves a paused, half-built domain and what its steps had set up.
 * Every create therefore holds a marker while it works,
 * $LIGHTSTACK_RUN_DIR/creating/<uuid>.<pid> (default /run/lightstack),
 * under an exclusive flock(2), which the kernel drops when the creator
 * dies, however it dies.  This finds the markers nobody holds, destroys
 * each one's domain as light_domain_destroy() does (devices, xenstore
 * nodes, stored configuration) and removes the marker.  Every create
 * calls it first, and the monitor daemon on each of its looks (reported
 * as LIGHT_MON_ABANDONED), so a killed `xl create` is cleaned up by the
 * next create or, with lightmond running, within about a second.
 * Returns how many domains it destroyed, or -1 with a message.  With
 * domids not NULL it stops after `max` of them, their ids in domids[]
 * (the daemon takes one at a time, to log each); with NULL it does all.
 */
int light_reap_abandoned(struct light_ctx *c, uint32_t *domids, size_t max);

/* ---- Shutdown, reboot, pause ---------------------------------------- */

enum light_shutdown_req {
	LIGHT_SHUTDOWN_POWEROFF,
	LIGHT_SHUTDOWN_REBOOT,
};

/*
 * Ask the guest to power off or reboot by writing "poweroff" / "reboot" to
 * /local/domain/D/control/shutdown (PV guests act on it themselves).  With
 * `force`, a guest that has not advertised control/feature-poweroff (or
 * -reboot) is shut down by the hypervisor instead (SCHEDOP_remote_shutdown),
 * like upstream's -F.  Returns once the request is made; see
 * light_domain_wait_gone().
 */
int light_domain_shutdown(struct light_ctx *c, uint32_t domid,
                          enum light_shutdown_req req, bool force);

/*
 * Wait until domain `domid` no longer exists, watching @releaseDomain
 * and polling Xen (so it also works if no watch event comes).  If the
 * domain is found shut down with nobody destroying it for `grace_ms`
 * (its monitor is gone), it is destroyed here.  Then its leftovers are
 * cleaned.  timeout_ms < 0 waits forever; -1/ETIMEDOUT when it runs out.
 * *reason (may be NULL) receives the shutdown reason (SHUTDOWN_*) if one
 * was seen, else -1.
 */
int light_domain_wait_gone(struct light_ctx *c, uint32_t domid,
                           int grace_ms, int timeout_ms, int *reason);

int light_domain_pause(struct light_ctx *c, uint32_t domid);
int light_domain_unpause(struct light_ctx *c, uint32_t domid);

/* ---- The monitor: what happens when a guest stops -------------------- */

/*
 * When a guest powers off, reboots, crashes, trips its watchdog or asks
 * for a soft reset, its configured action (on_poweroff, on_reboot,
 * on_crash, on_watchdog, on_soft_reset; xl.cfg(5)) is applied by exactly
 * one monitor, named at create in /libxl/D/monitor:
 *
 *   "daemon"     the one monitor daemon for all domains, lightmond(8),
 *                which loops on light_monitor_next() (the default)
 *   "caller"     the process that created it (LIGHT_CREATE_MONITOR_CALLER,
 *                xl create -F), which loops on light_domain_monitor_next()
 *   "none"       nobody (LIGHT_CREATE_NO_MONITOR, xl create -e)
 *   "preserved"  the daemon has preserved it (on_* = preserve, or the old
 *                half of rename-restart): nothing more to do
 *   "failed"     the daemon's action failed: left as it is, once
 *
 * The actions (monitor.c has the details): destroy; restart (destroy,
 * create again from the same configuration, uuid and MACs); preserve
 * (leave it shut down); rename-restart (keep the old domain as
 * "<name>-YYYYMMDDTHHMMZ" with a new uuid, create a new one);
 * coredump-destroy / coredump-restart (first write its core to
 * /var/lib/xen/dump/<name>, or $LIGHTSTACK_DUMP_DIR/<name>; a failed dump
 * does not stop the action); soft-reset (upstream resets the domain in
 * place: here it is a restart, a new domain that boots afresh).
 * A suspend (a save in progress) is never acted on.
 */
enum light_monitor_mode {
	LIGHT_MONITOR_DAEMON,
	LIGHT_MONITOR_CALLER,
	LIGHT_MONITOR_NONE,
	LIGHT_MONITOR_PRESERVED,
	LIGHT_MONITOR_FAILED,
};

/* "daemon", "caller", ... as stored. */
const char *light_monitor_mode_name(enum light_monitor_mode m);

/* The recorded monitor of a domain; -1/ENOENT when none is recorded (a
 * domain another toolstack made, or whose create has not finished). */
int light_domain_monitor_mode(struct light_ctx *c, uint32_t domid,
                              enum light_monitor_mode *out);

enum light_monitor_what {
	LIGHT_MON_GONE,         /* destroyed by someone else; cleaned up */
	LIGHT_MON_DESTROYED,    /* shut down; destroyed per its action */
	LIGHT_MON_RESTARTED,    /* shut down; created again as new_domid */
	LIGHT_MON_PRESERVED,    /* shut down; left as it is */
	LIGHT_MON_FAILED,       /* shut down; the action failed (detail says) */
	LIGHT_MON_ABANDONED,    /* left by a create that died half-way:
	                         * destroyed (light_reap_abandoned) */
	LIGHT_MON_DM_DIED,      /* a running HVM guest's device model (QEMU)
	                         * is gone; reported once, the guest is left
	                         * as it is (detail names the pid) */
};

struct light_monitor_event {
	enum light_monitor_what what;
	uint32_t domid;             /* the domain the event is about */
	uint32_t new_domid;         /* RESTARTED: the new domain */
	int reason;                 /* SHUTDOWN_* seen, or -1 */
	enum light_action action;   /* the configured action applied */
	bool core_dumped;           /* coredump-*: the core file was written */
	char detail[512];           /* what else happened, for the log; "" */
};

/*
 * Apply dc's action for shutdown `reason` (SHUTDOWN_*) to the stopped
 * domain `domid`; a restarted domain is created with `create_flags`
 * (which name its monitor).  dc->name follows the domain's current name.
 * Returns 1 (RESTARTED, ev->new_domid), 0 (DESTROYED or PRESERVED) or -1
 * (FAILED: ev->detail and light_errmsg say why).
 */
int light_domain_act(struct light_ctx *c, struct light_domain_config *dc,
                     uint32_t domid, int reason, unsigned create_flags,
                     struct light_monitor_event *ev);

/*
 * One domain, for the process that created it (xl create -F):
 *
 *     while ((r = light_domain_monitor_next(c, dc, &domid, &ev)) > 0)
 *             log the event;
 *
 * Each call waits (watching @releaseDomain, polling Xen as a fallback)
 * until domain *domid stops or disappears and applies dc's action; a
 * restart keeps the domain's monitor record and *domid becomes the new
 * id.  Before acting, *dc is replaced by the domain's stored
 * configuration when there is a usable one (hot-attached and detached
 * devices are recorded there), so the restarted guest gets the devices
 * it had; the caller keeps owning *dc and disposes it as before.  Returns 1 when there is more to watch, 0 when the domain is gone
 * or preserved, -1 on an error.
 */
int light_domain_monitor_next(struct light_ctx *c,
                              struct light_domain_config *dc,
                              uint32_t *domid, struct light_monitor_event *ev);

/*
 * Every domain whose record says "daemon", for the monitor daemon:
 *
 *     m = light_monitor_open(c);
 *     for (;;)
 *             if (light_monitor_next(m, &ev, -1) > 0) log the event;
 *
 * Each call looks at every domain (at once on the first call and after
 * an event, else when @releaseDomain or @introduceDomain fires, and at
 * least every second) and handles one thing: a stopped domain of ours
 * gets its action from its stored configuration (light_domain_config_json;
 * one without a usable one is left alone and reported FAILED), a domain
 * of ours that vanished has its leftovers removed (GONE).  Returns 1 with
 * *ev, 0 when timeout_ms (-1: none) passed with nothing to do, -1 if Xen
 * could not be asked (the next call tries again).  A restart of the
 * daemon loses nothing: the records and configurations are in xenstore
 * and on disk.  The handle uses c's xenstore connection for its watches;
 * one per light_ctx.
 */
struct light_monitor;
struct light_monitor *light_monitor_open(struct light_ctx *c);
int light_monitor_next(struct light_monitor *m, struct light_monitor_event *ev,
                       int timeout_ms);
/* How many running domains the handle watches for the daemon now. */
size_t light_monitor_count(const struct light_monitor *m);
void light_monitor_close(struct light_monitor *m);

/*
 * The daemon itself (monitor_daemon.c).  Exactly one runs: it holds an
 * exclusive flock(2) on its pidfile, $LIGHTSTACK_RUN_DIR/lightmond.pid
 * (default /run/lightstack/lightmond.pid), for as long as it lives.
 */
/* The pidfile's path into buf; -1/ENAMETOOLONG. */
int light_monitor_pidfile(char *buf, size_t len);
/* Take the lock (creating the pidfile and its directory): the open fd
 * holding it, or -1 with errno EBUSY when a daemon holds it. */
int light_monitor_lock(void);
/* 1 if a daemon holds the lock, 0 if not, -1 on an error. */
int light_monitor_daemon_running(void);
/*
 * Make sure the daemon runs: if nobody holds the lock, run it
 * ($LIGHTSTACK_LIGHTMOND, else the installed $(sbindir)/lightmond) and
 * wait until it has taken the lock and set its watches (it then goes
 * on in the background; domains that stopped meanwhile are found by its
 * first look).  0, or -1 with a message if it could not be started.
 */
int light_monitor_daemon_start(struct light_ctx *c);

/* ---- Stored configuration ------------------------------------------- */

/*
 * The stored configuration of a running domain as JSON: the config object
 * {"c_info": {...}, "b_info": {...}, ...} in libxl's layout (see
 * light_domain_config_print), which `xl list -l` places under "config".
 * malloc'd; NULL with ENOENT if none is stored (Domain-0, a domain of a
 * toolstack that keeps none).  The file is libxl's (store.c), so this is
 * also the configuration of a domain upstream's libxl created.
 *
 * As upstream's libxl_retrieve_domain_configuration, it is the domain as
 * it is now: c_info.name and uuid, b_info.avail_vcpus, target_memkb and
 * max_memkb come from Xen and xenstore (after `xl rename`, `xl vcpu-set`,
 * `xl mem-set`, `xl mem-max`); a value that cannot be read keeps the
 * stored one.  The vcpu affinity is the configured one, as libxl's.
 */
char *light_domain_config_json(struct light_ctx *c, uint32_t domid);

/* The stored-config file name for domid/uuid into buf; -1 if too long. */
int light_config_store_path(uint32_t domid, const uint8_t uuid[16],
                            char *buf, size_t len);

/* ---- Console --------------------------------------------------------- */

enum light_console_type { LIGHT_CONSOLE_PV, LIGHT_CONSOLE_SERIAL };

/*
 * Attach the terminal to a domain's console by exec'ing the xenconsole
 * client: $LIGHTSTACK_XENCONSOLE if set (e.g. a build tree's
 * xenconsoled/xenconsole), else the installed one ($(bindir)/xenconsole).
 * Does not return on success; -1 with a message if none can be run.
 * `notify_fd` >= 0 is passed as --start-notify-fd.
 */
int light_console_exec(struct light_ctx *c, uint32_t domid, unsigned num,
                       enum light_console_type type, int notify_fd);

/*
 * Exec a VNC viewer ("vncviewer" in $PATH) on an HVM guest's display, as
 * upstream's `xl vncviewer`: HOST:DISPLAY from the guest's
 * console/vnc-listen and vnc-port; with `autopass`, -autopass and its
 * vncpasswd= on standard input.  Does not return on success; -1 with a
 * message.
 */
int light_vncviewer_exec(struct light_ctx *c, uint32_t domid, bool autopass);

/* The client's path as light_console_exec would choose it, or NULL. */
char *light_console_client_path(void);

#endif /* LIGHTSTACK_LIGHT_DOMAIN_H */
