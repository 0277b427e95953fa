/*
 * light_lifecycle.h - private helpers shared by the lifecycle files
 * (create.c, destroy.c, shutdown.c, store.c, console.c).  Not installed.
 */
#ifndef LIGHTSTACK_LIGHT_LIFECYCLE_H
#define LIGHTSTACK_LIGHT_LIFECYCLE_H

#include <limits.h>
#include <stdint.h>

#include "light_internal.h"

/* Record a failure with exactly this message (no ": strerror" suffix,
 * for messages that already say what is wrong) and set errno = errnum.
 * Returns -1. */
int lc_fail(struct light_ctx *c, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Strict decimal domid ("0".."32767"-ish, any uint32 below
 * DOMID_FIRST_RESERVED); 0 or -1/EINVAL. */
int light_parse_domid(const char *s, uint32_t *out);

/* After destroydomain: wait (bounded, 10 s) until Xen has let the domain go
 * (destroy.c). */
void light_wait_released(struct light_ctx *c, uint32_t domid);

/* Wait up to ms for any xenstore watch event on c->xs (events already
 * queued in the handle count at once), and drain them: the bounded waits
 * of shutdown and of the device states re-read their nodes after it. */
void light_wait_event(struct light_ctx *c, int ms);

/*
 * Remove a domain's xenstore home in one transaction: /local/domain/D,
 * /vm/<uuid>, /libxl/D, every /local/domain/0/backend/<kind>/D left (the
 * kinds another toolstack writes, such as libxl's console backend) and
 * the error/backend/<kind>/D reports of backend probes that failed, and
 * the name index entry of `name` if it still points at D.  `name` and
 * `uuid` may be NULL: then they are read from the domain's nodes first
 * (name, vm); with no name left to read, every index entry that holds D
 * goes.  Best effort (errors are not reported: this runs on cleanup
 * paths), returns 0 or -1.
 */
int light_remove_domain_nodes(struct light_ctx *c, uint32_t domid,
                              const char *name, const char *uuid);

/* Write dc as JSON for domid to `path` (atomically: temp file + rename),
 * creating the state directory if needed. */
int light_config_save(struct light_ctx *c, const struct light_domain_config *dc,
                      uint32_t domid, const char *path);

/* The stored configuration's JSON text with c_info.name replaced by
 * `name`, everything else written back as it was, in store.c's layout
 * (domain_ops.c, for rename).  malloc'd; NULL with errno (EINVAL: not a
 * JSON object). */
char *light_config_json_rename(const char *json, const char *name);
/* The stored configuration's JSON text with what has changed while the
 * domain ran taken from Xen and xenstore (name, uuid, avail_vcpus,
 * target_memkb, max_memkb), as libxl_retrieve_domain_configuration does;
 * everything else as it was (retrieve.c).  info is the domain's.
 * malloc'd; NULL with errno (EINVAL: not a JSON object). */
char *light_config_json_live(struct light_ctx *c, uint32_t domid,
                             const struct ctrl_dominfo *info, const char *json);
/* The stored configuration's JSON text with its list `key` ("disks" or
 * "nics") edited for hot plug (device_store.c): the item of device
 * `devid` removed (a disk's number from its vdev, a vif's "devid"), then
 * `item` (one device's JSON object, light_disk_print/light_nic_print)
 * appended unless NULL.  A list left empty is left out; a new one goes
 * after b_info, as libxl orders them.  Everything else is written back as
 * it was.  malloc'd; NULL with errno (EINVAL: not a JSON object). */
char *light_config_json_device(const char *json, const char *key,
                               uint32_t devid, const char *item);
/* The stored file's bytes: the JSON text and its NUL (store.c says why).
 * light_config_write writes json atomically (temp file + rename);
 * light_config_read returns the text without the NUL and trailing
 * newlines (malloc'd).  Both: -1/NULL with errno, no message. */
#define LIGHT_CONFIG_MAX (16 * 1024 * 1024)
int light_config_write(const char *path, const char *json);
char *light_config_read(const char *path);

/*
 * The userdata lock: libxl's protocol (libxl__lock_domain_userdata), so
 * that Lightstack and upstream's libxl on one host never interleave
 * their read-modify-writes of one domain's stored configuration.  The
 * lock is flock(LOCK_EX) on
 *     <state dir>/userdata-d.<domid>.<uuid>.domain-userdata-lock
 * and it is only held if, once flock returned, that path still names the
 * file the descriptor has open: the holder unlinks the file before it
 * closes it, so a waiter that got an unlinked file retries with a new one.
 * light_userdata_lock blocks until it holds the lock: 0, or -1 with errno
 * and no message.  light_userdata_unlock unlinks, then closes (in that
 * order, as libxl: closing first would let a waiter lock a file that is
 * about to disappear).  Held for milliseconds: a write of the file, or a
 * read.
 */
struct light_userdata_lock {
	int fd;                 /* -1 when not held */
	char path[4200];
};
int light_userdata_lock(uint32_t domid, const uint8_t uuid[16],
                        struct light_userdata_lock *lk);
void light_userdata_unlock(struct light_userdata_lock *lk);

/* Remove every stored config file of domid (whatever its uuid). */
void light_config_forget(uint32_t domid);

/*
 * The marker a create holds while it works (abandoned.c explains it):
 * made and locked before the first step, given the domid once Xen has
 * one, removed when the create ends either way.  A create killed
 * half-way leaves it unlocked for light_reap_abandoned().
 */
struct light_create_marker {
	int fd;                 /* holds the flock; -1: none */
	char path[PATH_MAX];
};
int light_create_mark(struct light_ctx *c, const char *uuid,
                      struct light_create_marker *mk);
void light_create_mark_domid(struct light_create_marker *mk, uint32_t domid);
/* A host device attached for the domain ("loop" with its backing file's
 * identity, or "nbd"), detached by the reaper if the create dies. */
struct hb_identity;
void light_create_mark_host(struct light_create_marker *mk, const char *kind,
                            const char *devpath, const struct hb_identity *file);
void light_create_unmark(struct light_create_marker *mk);

#endif /* LIGHTSTACK_LIGHT_LIFECYCLE_H */
