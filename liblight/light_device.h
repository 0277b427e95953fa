/*
 * light_device.h - the guest device framework (private to liblight):
 * the xenstore layout of split drivers, the backend state machine, and
 * the device kinds (vbd in device_vbd.c, vif in device_vif.c).
 *
 * A Xen PV device is two halves that meet in xenstore.  For a device of
 * kind K ("vbd", "vif") with number N (the devid) between frontend domain
 * D and backend domain B (always 0 here), libxl writes, and the Linux
 * drivers (xen-blkback/netback in B, blkfront/netfront in D) expect:
 *
 *   /local/domain/B/backend/K/D/N      owner B, D may read ("nB rD")
 *       frontend     = /local/domain/D/device/K/N
 *       frontend-id  = D
 *       online       = 1          0 asks the backend to go away once closed
 *       state        = 1          XenbusState*, written by the driver after
 *       ...kind's nodes (params, mode, physical-device, mac, ...)
 *   /local/domain/D/device/K/N         owner D, B may read ("nD rB")
 *       backend      = /local/domain/B/backend/K/D/N
 *       backend-id   = B
 *       state        = 1
 *       ...kind's nodes (virtual-device, mac, handle, ...)
 *   /libxl/D/device/K/N                toolstack only ("n0")
 *       frontend, backend, and a copy of the kind's backend nodes, as
 *                                      libxl keeps them: upstream's xl
 *                                      block-list/network-list read there
 *       ...kind's own bookkeeping (what to undo on the host: the loop or
 *          nbd device a vbd was given, the interface a vif was put on)
 *
 * Both halves and the bookkeeping are written in ONE transaction
 * (dev_write_pair), so a device is either entirely in xenstore or not at
 * all.  The bookkeeping lives in xenstore, not in process memory, because
 * the process that removes a device (xl destroy, xl block-detach) is
 * rarely the one that added it.
 *
 * States (xen/io/xenbus.h): the backend driver probes the new backend
 * directory and moves 1 Initialising -> 2 InitWait (it waits for its
 * frontend); the guest's frontend then goes Initialised/Connected and the
 * backend follows to 4 Connected.  A driver that fails writes its reason
 * to /local/domain/B/error/<backend path without /local/domain/B/>/error
 * (xenbus_dev_fatal) and moves to Closing; a hotplug script writes
 * <backend>/hotplug-error.  dev_wait_backend_state reports whichever is
 * there.
 *
 * Removal (dev_remove), as libxl does it: backend online = 0 and
 * state = 5 Closing; the frontend sees it, closes, the backend follows to
 * 6 Closed and (offline) unregisters; then all three directories are
 * removed.  The wait for Closed is bounded: a guest that ignores the
 * handshake (or is paused, or dying) gets its nodes removed anyway,
 * which makes the backend driver tear the device down.
 *
 * Conventions: functions return 0 (or a count) or -1 with errno set and
 * the message in the context (light_errmsg()).
 */
#ifndef LIGHTSTACK_LIGHT_DEVICE_H
#define LIGHTSTACK_LIGHT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>       /* pid_t */

#include "light_internal.h"
#include "light_config.h"

/* XenbusState numbers, as the drivers write them to "state". */
#define DEV_STATE_UNKNOWN      0
#define DEV_STATE_INITIALISING 1
#define DEV_STATE_INITWAIT     2
#define DEV_STATE_INITIALISED  3
#define DEV_STATE_CONNECTED    4
#define DEV_STATE_CLOSING      5
#define DEV_STATE_CLOSED       6

/* Bit of a state for the `wanted` masks below. */
#define DEV_STATE_BIT(s) (1u << (s))

/* Bounds.  libxl uses 10 s for both (LIBXL_DEVICE_MODEL_START_TIMEOUT is
 * not involved for PV).  Under QEMU/TCG the drivers are slower, so the
 * backend wait may be raised with $LIGHTSTACK_DEVICE_TIMEOUT_MS. */
#define DEV_BACKEND_TIMEOUT_MS 10000
#define DEV_REMOVE_TIMEOUT_MS  10000

/* The backend bound in force: timeout_ms itself when >= 0, else
 * $LIGHTSTACK_DEVICE_TIMEOUT_MS or DEV_BACKEND_TIMEOUT_MS. */
int dev_backend_timeout(int timeout_ms);

/* Which device: kind, the two domains and the number.  The number's
 * meaning is the kind's (vbd: from the vdev name, vif: 0, 1, ...). */
struct dev_id {
	const char *kind;          /* "vbd", "vif": a static string */
	uint32_t domid;            /* frontend (guest) */
	uint32_t backend_domid;    /* backend, 0 */
	uint32_t devid;
};

/* ---- Paths ---------------------------------------------------------- */

/* The three directories of a device; -1/ENAMETOOLONG if len is short. */
int dev_frontend_path(const struct dev_id *id, char *buf, size_t len);
int dev_backend_path(const struct dev_id *id, char *buf, size_t len);
int dev_libxl_path(const struct dev_id *id, char *buf, size_t len);
/* Where xenbus_dev_fatal in the backend domain writes its error. */
int dev_backend_error_path(const struct dev_id *id, char *buf, size_t len);

/* ---- Node lists ------------------------------------------------------ */

/* A list of key = value nodes to write below one directory (keys may
 * contain '/'), or read back from one.  Values are owned copies. */
struct dev_kv {
	char *key;
	char *value;
};

struct dev_nodes {
	struct dev_kv *kv;
	size_t n, cap;
};

/* Append key = printf(fmt, ...).  -1/ENOMEM. */
int dev_nodes_add(struct dev_nodes *l, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of key, or NULL. */
const char *dev_nodes_get(const struct dev_nodes *l, const char *key);
void dev_nodes_free(struct dev_nodes *l);

/* Read the direct children of `dir` that have values into `out` (which
 * must be empty).  -1/ENOENT if dir does not exist. */
int dev_nodes_read(struct light_ctx *c, const char *dir, struct dev_nodes *out);

/* ---- Writing, waiting, removing -------------------------------------- */

/*
 * Write a new device in one transaction: the backend directory with
 * frontend, frontend-id, online = 1, state = 1 and `back`; the frontend
 * directory with backend, backend-id, state = 1 and `front`; the libxl
 * directory with frontend, backend, a copy of `back`, and `book` (may be
 * NULL).  Permissions
 * as in the picture above.  Refuses (EEXIST) when the frontend or backend
 * directory exists already.  Retries on transaction conflicts.
 */
int dev_write_pair(struct light_ctx *c, const struct dev_id *id,
                   const struct dev_nodes *back, const struct dev_nodes *front,
                   const struct dev_nodes *book);

/*
 * Wait, bounded by timeout_ms (< 0: DEV_BACKEND_TIMEOUT_MS or
 * $LIGHTSTACK_DEVICE_TIMEOUT_MS), until the backend's state is one of
 * `wanted` (a mask of DEV_STATE_BIT()).  Watches the backend state node;
 * polls as well, so a lost event costs time, not a hang.  Fails with the
 * backend's own error ("vbd 51712: backend: 2 opening /dev/loop0") when
 * the driver or a hotplug script reported one or the backend went to
 * Closing/Closed, ETIMEDOUT naming the last state otherwise.  *state (may
 * be NULL) receives the last state seen.
 */
int dev_wait_backend_state(struct light_ctx *c, const struct dev_id *id,
                           unsigned wanted, int timeout_ms, int *state);

/*
 * Remove a device: online = 0, state = Closing, wait (unless `force`, at
 * most timeout_ms, < 0: DEV_REMOVE_TIMEOUT_MS) until the backend is
 * Closed or gone, then remove the frontend, backend, error and libxl
 * directories in one transaction.  Returns 0 when the backend closed (or
 * there was nothing), 1 when the nodes were removed without that
 * (forced, or the bound ran out), -1 on a xenstore failure.
 */
int dev_remove(struct light_ctx *c, const struct dev_id *id, bool force,
               int timeout_ms);

/*
 * The devids of kind `kind` that domain `domid` has, from the backend
 * directories (/local/domain/0/backend/K/D), ascending.  *ids is malloc'd
 * (NULL when none); returns the count or -1.
 */
int dev_list(struct light_ctx *c, const char *kind, uint32_t domid,
             uint32_t **ids);

/* ---- Device kinds ---------------------------------------------------- */

/*
 * What a kind adds to the framework.  `release` undoes what the kind set
 * up on the host for one device (detach a loop device, remove a vif from
 * its bridge), given the device's bookkeeping as read from the libxl
 * directory before the nodes were removed.  Best effort: it runs on
 * teardown paths, records a message on failure but must not stop the
 * teardown of the other devices.  NULL: nothing on the host.
 */
/*
 * `unplug` (NULL: none) runs earlier, once the backend has closed (or
 * been told to) but while its nodes still exist: a disk's block script
 * reads them for its "remove" (libxl runs hotplug scripts at that point
 * too).  Its failure is reported after the nodes are removed anyway.
 */
struct dev_ops {
	const char *kind;
	int (*release)(struct light_ctx *c, const struct dev_id *id,
	               const struct dev_nodes *book);
	int (*unplug)(struct light_ctx *c, const struct dev_id *id,
	              const struct dev_nodes *book);
};

extern const struct dev_ops vbd_ops;
extern const struct dev_ops qdisk_ops;   /* a disk QEMU serves (devmodel.c) */
extern const struct dev_ops vif_ops;

/* The frontend's kind of a backend kind: a qdisk backend serves a "vbd"
 * frontend (and keeps its bookkeeping under /libxl/D/device/vbd, as
 * libxl does); every other kind is its own. */
const char *dev_frontend_kind(const char *kind);

/*
 * Remove one device completely: read its bookkeeping, dev_remove, then the
 * kind's release.  Returns as dev_remove.  -1/ENOENT (message "vbd 51712
 * does not exist in domain 3") if there is no such device.
 */
int dev_remove_one(struct light_ctx *c, const struct dev_ops *ops,
                   const struct dev_id *id, bool force, int timeout_ms);

/*
 * A hot detach (xl block-detach, network-detach): dev_remove_one with the
 * default bound, then the stored configuration follows (dev_store_remove)
 * so that `xl list -l` stops showing the device.
 */
int dev_detach(struct light_ctx *c, const struct dev_ops *ops,
               uint32_t domid, uint32_t devid, bool force);

/* A number node `dir`/`key` (frontend state, ring-ref, ...) as an int
 * 0..INT_MAX; -1 when absent or not such a number. */
int dev_read_num(struct light_ctx *c, const char *dir, const char *key);

/*
 * Remove every device of every kind of domain `domid` (destroy, cleanup,
 * create's undo), forced: the caller has paused the guest or it is gone.
 * Best effort; returns 0, or -1 if some device could not be removed
 * (the message names the first).
 */
int light_devices_remove_all(struct light_ctx *c, uint32_t domid);

/*
 * Keep domain domid's stored configuration (device_store.c) in step with
 * hot plug, as libxl does: an attach adds the device as it was configured
 * (replacing an entry of the same device number), a detach removes the
 * entry of device `devid` of `kind` ("vbd", "vif").  So `xl list -l`
 * shows what the guest has and a restart recreates exactly that.  0 also
 * when the domain has no stored file (not created here); -1 with the
 * message when the file cannot be read or rewritten.
 */
int dev_store_add_disk(struct light_ctx *c, uint32_t domid, uint32_t devid,
                       const struct light_disk *disk);
int dev_store_add_nic(struct light_ctx *c, uint32_t domid, uint32_t devid,
                      const struct light_nic *nic);
int dev_store_remove(struct light_ctx *c, uint32_t domid, const char *kind,
                     uint32_t devid);

/* Remove xenstore directory `path` in t if it exists and has no
 * children left: the per-domain directories backend/K/D and
 * error/backend/K/D once their last device went, and the ones above
 * (device.c). */
void light_xs_rm_if_empty(struct light_ctx *c, xsc_tx t, const char *path);

/* ---- The PV device model (devmodel.c) ------------------------------- */

/* The QEMU binary that serves qdisk disks: $LIGHTSTACK_QEMU_XEN, or
 * Debian's qemu-system-xen (/usr/libexec/xen-qemu-system-i386). */
const char *light_qdisk_qemu(void);

/* A qdisk backend's `params`: "FORMAT:TARGET" with libxl's names (raw is
 * "aio"; target NULL: an empty drive).  -1/EINVAL for a format QEMU's
 * backend is not given, -1/ENAMETOOLONG if len is short. */
int light_qdisk_params(const char *format, const char *target, char *buf,
                       size_t len);

/* Start domain domid's QEMU unless it runs already, and wait, bounded
 * ($LIGHTSTACK_DM_TIMEOUT_MS, 60 s), until it reports "running".  0, or
 * -1 with a message (QEMU missing, exited, or too slow: nothing left). */
int light_devmodel_start(struct light_ctx *c, uint32_t domid, const char *name);
bool light_devmodel_running(struct light_ctx *c, uint32_t domid);
/* Stop it (SIGTERM, bounded wait, SIGKILL) and remove its nodes, and
 * an HVM guest's QEMU too (light_hvm_dm_stop).  Best effort; nothing to
 * do when none runs. */
void light_devmodel_stop(struct light_ctx *c, uint32_t domid);

/* What both device models share (devmodel.c). */
long long light_dm_mono_ms(void);
/* Is `pid` a QEMU serving domain `domid`?  Reads /proc/PID/cmdline for
 * "-xen-domid D": a pid recorded long ago may belong to anything now. */
bool light_dm_is_ours(pid_t pid, uint32_t domid);
/* The last non-empty line of a log file, for an error message. */
void light_dm_log_tail(const char *log, char *buf, size_t len);
/* Start `qemu` with `argv` in its own session, never a child of the
 * caller (double fork), stdout and stderr to `log`.  Its pid, or -1 with
 * errno (*exec_errno: why exec failed, 0 if it did not). */
pid_t light_dm_spawn(const char *qemu, char *const argv[], const char *log,
                     int *exec_errno);
/* $LIGHTSTACK_DM_TIMEOUT_MS, or libxl's 60 s. */
int light_dm_start_bound(void);
/* Wait, at most `bound` ms, until QEMU `pid` writes "running" at xenstore
 * path `sp`: 1 when it did, 0 when it exited first, -1 when the bound
 * passed. */
int light_dm_wait_running(struct light_ctx *c, uint32_t domid, pid_t pid,
                          const char *sp, int bound);
/* SIGTERM, a bounded wait, SIGKILL: only while it is still ours. */
void light_dm_kill(pid_t pid, uint32_t domid);

/* ---- An HVM guest's emulated NICs (device_vif.c) ---------------------- */

/* The emulated twin of a type=ioemu vif (vif_type in device_vif.c):
 * QEMU's NIC of this model unless model= says another, on a tap device
 * named as libxl names it, vifD.N-emu (or VIFNAME-emu). */
#define LIGHT_NIC_MODEL_DEFAULT "rtl8139"
#define LIGHT_TAP_SUFFIX        "-emu"

/* Whether vif i of `dc` has an emulated twin (create's check decided). */
bool light_nic_emulated(const struct light_domain_config *dc, size_t i);
/* Its tap's name; -1 (ENAMETOOLONG) if it does not fit IFNAMSIZ. */
int light_nic_tap_name(const struct light_domain_config *dc, size_t i,
                       uint32_t domid, char *buf, size_t len);
/* Once QEMU runs: put each emulated NIC's tap in its vif's bridge, as
 * vif-bridge does for libxl's "tap" hotplug.  Nothing to undo: the taps
 * are QEMU's and go (leaving the bridge) when it exits.  0 or -1 with a
 * message. */
int light_vif_plug_taps(struct light_ctx *c, uint32_t domid,
                        const struct light_domain_config *dc);

/* ---- The HVM device model (devmodel_hvm.c) ---------------------------- */

/* Start the QEMU that emulates HVM guest `domid`'s PC (machine xenfv),
 * with the kernel, serial port and memory of `dc`, and wait, bounded as
 * light_devmodel_start, until it reports "running".  Its pid goes to
 * /local/domain/D/image/device-model-pid, where upstream's libxl looks
 * too.  0, or -1 with a message naming QEMU's log; nothing left. */
int light_hvm_dm_start(struct light_ctx *c, uint32_t domid,
                       const struct light_domain_config *dc);
/* Stop it, remove its QMP socket, its pid and serial nodes.  Best
 * effort. */
void light_hvm_dm_stop(struct light_ctx *c, uint32_t domid);
/* Did domain domid's QEMU die?  True when its pid is recorded but that
 * process is no longer its QEMU; *pid gets the recorded pid.  A domain
 * with no device model (PV, PVH) has none recorded: false. */
bool light_hvm_dm_died(struct light_ctx *c, uint32_t domid, long *pid);
/* Where its QMP socket is: /var/run/xen/qmp-libxl-D, as libxl's. */
void light_hvm_qmp_path(uint32_t domid, char *buf, size_t len);

/* ---- QMP (qmp.c) ------------------------------------------------------ */

struct json_object;
/* Run QMP command `cmd` (no arguments) on domain domid's QEMU: connect,
 * greeting, qmp_capabilities, the command, each bounded (10 s).  Its
 * "return" value (json_object_put it), or NULL with QEMU's error or why
 * it could not be asked. */
struct json_object *light_qmp_execute(struct light_ctx *c, uint32_t domid,
                                      const char *cmd);
/* The same with arguments `args` (an object, consumed; NULL: none). */
struct json_object *light_qmp_execute_args(struct light_ctx *c, uint32_t domid,
                                           const char *cmd,
                                           struct json_object *args);
/* Set the VNC password (if `passwd`) and record where QEMU's VNC server
 * listens at /local/domain/D/console/vnc-listen and vnc-port, as libxl
 * does.  0 or -1. */
int light_hvm_setup_vnc(struct light_ctx *c, uint32_t domid, const char *passwd);
/* Record each pty serial port QEMU opened (query-chardev: "serialN" on
 * "pty:/dev/pts/M") at /local/domain/D/serial/N/tty, where xenconsole
 * --type serial (xl console -t serial) looks.  0 or -1. */
int light_hvm_record_serial(struct light_ctx *c, uint32_t domid);

/* The firmware an HVM guest boots, each the first that exists of:
 *   hvmloader  $LIGHTSTACK_HVMLOADER, /usr/lib/lightstack/boot/hvmloader,
 *              /usr/lib/xen-4.17/boot/hvmloader (Debian's xen-utils-4.17)
 *   SeaBIOS    bios_path_override=, $LIGHTSTACK_SEABIOS,
 *              /usr/share/seabios/bios-256k.bin (Debian's seabios)
 * 0, or -1 with a message naming what is missing and where it was
 * looked for. */
int light_hvm_firmware(struct light_ctx *c, const struct light_domain_config *dc,
                       const char **hvmloader, const char **seabios);

/* ---- Create's device steps ------------------------------------------ */

/*
 * create.c keeps one of these and sets domid once the domain exists; the
 * device steps keep their per-device progress in it, so each undo
 * releases exactly what its step acquired.
 */
struct vbd_create;                 /* device_vbd.c */
struct vif_create;                 /* device_vif.c */

struct light_create_marker;
struct light_devices {
	struct light_ctx *c;
	struct light_domain_config *dc;
	uint32_t domid;
	struct vbd_create *vbd;
	struct vif_create *vif;
	/* The create's marker (abandoned.c): vbd_host notes there each loop
	 * and nbd device it attaches, which nothing else records until
	 * vbd_backend writes them into xenstore.  NULL: not noted. */
	struct light_create_marker *marker;
};

/*
 * The vbd steps, in create's order (names for $LIGHTSTACK_CREATE_FAIL):
 *   vbd_host     check every disk (target exists, w! sharing) and give
 *                image files a loop or nbd device     undo: detach them
 *   vbd_backend  write each disk's xenstore halves    undo: remove them
 *   vbd_devmodel start QEMU if a disk is backendtype=qdisk (devmodel.c)
 *                                                     undo: stop it
 *   vbd_wait     wait until each backend is InitWait or Connected, then
 *                run each script= disk's "SCRIPT add" and wait for the
 *                physical-device it writes (vbd_backend's undo runs
 *                "SCRIPT remove" for those)
 */
int vbd_step_host(struct light_devices *d);
void vbd_undo_host(struct light_devices *d);
int vbd_step_backend(struct light_devices *d);
void vbd_undo_backend(struct light_devices *d);
int vbd_step_devmodel(struct light_devices *d);
void vbd_undo_devmodel(struct light_devices *d);
int vbd_step_wait(struct light_devices *d);
/* Free what the steps kept (after success or after the undos). */
void vbd_create_done(struct light_devices *d);

/*
 * The vif steps (device_vif.c), in create's order:
 *   vif_check    every nic: mode from script=, the bridge exists, ip=,
 *                script, vifname; a MAC for those without (kept in the
 *                config, so the stored config and a restart see it)
 *   vif_backend  write each vif's xenstore halves  undo: remove them
 *   vif_hotplug  wait for netback's vifD.N, rename, bridge/route/NAT or
 *                the user's script, hotplug-status = connected
 *                                                   undo: take it apart
 *   vif_wait     until netback is InitWait or Connected
 */
int vif_step_check(struct light_devices *d);
int vif_step_backend(struct light_devices *d);
void vif_undo_backend(struct light_devices *d);
int vif_step_hotplug(struct light_devices *d);
void vif_undo_hotplug(struct light_devices *d);
int vif_step_wait(struct light_devices *d);
void vif_create_done(struct light_devices *d);

#endif /* LIGHTSTACK_LIGHT_DEVICE_H */
