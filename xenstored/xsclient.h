/*
 * xsclient.h - Lightstack's xenstore client library (liblightstack-xs).
 *
 * A client talks to xenstored over one connection: either the daemon's
 * Unix socket or the kernel's xenbus device (/dev/xen/xenbus), both using
 * the xs_wire.h framing (a struct xsd_sockmsg header followed by `len`
 * payload bytes).  Every call sends one request and waits for its reply.
 *
 * Conventions: functions return 0 (or a non-negative value, or a malloc'd
 * result) on success and -1 (or NULL) with errno set on failure.  Errors the
 * daemon reports (XS_ERROR "ENOENT", ...) become the matching errno.  The
 * handle keeps a one-line message about the last failure, e.g.
 * "XS_READ /local/domain/7/name: No such file or directory", readable with
 * xsc_errmsg().  The library never prints and never exits.
 *
 * Thread safety: a handle is NOT thread-safe.  Use one handle per thread
 * (connections are cheap), or serialise all calls on a handle yourself.
 * Different handles are independent.
 *
 * Watches: the daemon may send a watch event at any time, also while we wait
 * for the reply to an unrelated request.  Such events are queued inside the
 * handle.  A program that polls xsc_fileno() must therefore first drain the
 * queue (xsc_watch_pending() / xsc_read_watch(..., false)) before sleeping in
 * poll(), otherwise an already-received event would wait for the next one.
 */
#ifndef LIGHTSTACK_XSCLIENT_H
#define LIGHTSTACK_XSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xsc_handle;

/* Default socket when neither a path nor $XENSTORED_PATH is given. */
#define XSC_DEFAULT_SOCKET "/run/xenstored/socket"

/* xsc_open flags. */
#define XSC_OPEN_DEFAULT 0
/* With path NULL and no $XENSTORED_PATH: if the default socket cannot be
 * connected to, fall back to the kernel's xenbus device (what a guest or a
 * Dom0 without a local daemon socket needs).  Upstream's xs_open() does
 * this.  If both fail, errno says why the socket failed. */
#define XSC_OPEN_XENBUS_FALLBACK 1u

/*
 * Connect to xenstored.  `path` NULL means $XENSTORED_PATH if set, else
 * XSC_DEFAULT_SOCKET.  A path naming a character device is taken to mean
 * the kernel's xenbus device, which privcmd's pc_xenbus_open() opens
 * (/dev/xen/xenbus).  Otherwise the path is a Unix socket.  NULL + errno on
 * failure.
 */
struct xsc_handle *xsc_open(const char *path, unsigned flags);
void xsc_close(struct xsc_handle *x);
const char *xsc_errmsg(const struct xsc_handle *x);

/* Transaction ids.  XSC_NO_TX: the operation is not part of a transaction. */
typedef uint32_t xsc_tx;
#define XSC_NO_TX 0

/* ---- Nodes ------------------------------------------------------------ */

/* Value of `path`: malloc'd, with a NUL added after the `*len` data bytes
 * (values may contain NULs; `len` may be NULL).  NULL + errno on failure. */
char *xsc_read(struct xsc_handle *x, xsc_tx t, const char *path, size_t *len);
/* Create or replace the value of `path` (parents are created). */
int xsc_write(struct xsc_handle *x, xsc_tx t, const char *path,
              const void *data, size_t len);
int xsc_write_str(struct xsc_handle *x, xsc_tx t, const char *path,
                  const char *s);
/* Create `path` with an empty value; succeeds if it already exists. */
int xsc_mkdir(struct xsc_handle *x, xsc_tx t, const char *path);
/* Remove `path` and everything below it. */
int xsc_rm(struct xsc_handle *x, xsc_tx t, const char *path);

/*
 * Names of the children of `path`, in the daemon's order.  Returns an array
 * of *num pointers; the array and the strings live in ONE allocation: free()
 * the array only.  Directories too big for one reply (the daemon answers
 * E2BIG) are fetched with XS_DIRECTORY_PART, restarting if the directory
 * changes in between.
 */
char **xsc_directory(struct xsc_handle *x, xsc_tx t, const char *path,
                     unsigned *num);

/* One permission entry.  The first entry of a node names its owner and the
 * access everyone else gets; later entries grant access to one domain. */
struct xsc_perm {
    uint32_t domid;
    char perm;          /* 'r' read, 'w' write, 'b' both, 'n' none */
};

/* Permissions of `path`: malloc'd array of *num entries. */
struct xsc_perm *xsc_get_perms(struct xsc_handle *x, xsc_tx t,
                               const char *path, unsigned *num);
int xsc_set_perms(struct xsc_handle *x, xsc_tx t, const char *path,
                  const struct xsc_perm *p, unsigned num);
/* Parse "r5" / format {5,'r'} the way xenstore-ls and xenstore-chmod write
 * permissions.  Parse: -1/EINVAL on a bad letter, missing or out-of-range
 * domid.  Format: writes at most `size` bytes incl. NUL; -1/EINVAL on a bad
 * perm letter or too small a buffer. */
int xsc_perm_parse(const char *s, struct xsc_perm *p);
int xsc_perm_format(const struct xsc_perm *p, char *buf, size_t size);

/* ---- Transactions ----------------------------------------------------- */

int xsc_transaction_start(struct xsc_handle *x, xsc_tx *t);
/* Commit (`commit` true) or abort.  -1/EAGAIN when a commit conflicted with
 * another change: the caller redoes the whole transaction. */
int xsc_transaction_end(struct xsc_handle *x, xsc_tx t, bool commit);

/* ---- Watches ---------------------------------------------------------- */

/* Watch `path` and its subtree.  The daemon sends one event at once (for
 * `path` itself), then one per change.  `token` comes back with each event. */
int xsc_watch(struct xsc_handle *x, const char *path, const char *token);
/* Remove a watch.  Events of that watch still queued in the handle (same
 * token, path at or below `path`) are dropped. */
int xsc_unwatch(struct xsc_handle *x, const char *path, const char *token);
/* The connection's fd, for poll(): readable when the daemon sent something.
 * See the note at the top: drain queued events before polling. */
int xsc_fileno(const struct xsc_handle *x);
/* True when an event is already queued inside the handle. */
bool xsc_watch_pending(const struct xsc_handle *x);
/*
 * Next watch event.  *path and *token are malloc'd separately; free both.
 * With `block` false returns -1/EAGAIN when no complete event has arrived
 * yet (it reads what the fd has without waiting); with `block` true waits.
 */
int xsc_read_watch(struct xsc_handle *x, char **path, char **token,
                   bool block);
/*
 * How many times the handle reconnected.  A socket handle whose daemon
 * restarts reconnects by itself (for up to $XSC_RECONNECT_TIMEOUT seconds,
 * default 60): the new socket takes the same descriptor number, the
 * watches are registered again (each fires once), a request that got no
 * answer is sent again, and each transaction that was open fails its
 * commit with EAGAIN.  poll() sets stay right; an epoll set must add
 * xsc_fileno() again when this count changes.
 */
unsigned xsc_reconnects(const struct xsc_handle *x);

/* ---- Domains (privileged) --------------------------------------------- */

/* Tell the daemon about a new domain's ring page (guest frame `gfn`) and its
 * event channel `port` (the remote end, in the domain). */
int xsc_introduce_domain(struct xsc_handle *x, uint32_t domid, uint64_t gfn,
                         uint32_t port);
int xsc_release_domain(struct xsc_handle *x, uint32_t domid);
/* 1 if introduced, 0 if not, -1 on failure. */
int xsc_is_domain_introduced(struct xsc_handle *x, uint32_t domid);
/* "/local/domain/<domid>" as the daemon names it; malloc'd. */
char *xsc_get_domain_path(struct xsc_handle *x, uint32_t domid);
/* Clear a domain's "shutdown" state after a suspend was cancelled. */
int xsc_resume_domain(struct xsc_handle *x, uint32_t domid);
/* Let `domid` (a device model stub domain) act with `target`'s rights. */
int xsc_set_target(struct xsc_handle *x, uint32_t domid, uint32_t target);
/* Drop all watches and transactions of this connection (XS_RESET_WATCHES). */
int xsc_reset_watches(struct xsc_handle *x);
/*
 * XS_CONTROL: send the `argc` strings of `argv` (e.g. {"log", "on"}) and
 * return the daemon's answer, malloc'd and NUL-terminated (possibly "").
 * `len` (may be NULL) receives the answer's length.
 */
char *xsc_control(struct xsc_handle *x, const char *const *argv,
                  unsigned argc, size_t *len);

#endif /* LIGHTSTACK_XSCLIENT_H */
