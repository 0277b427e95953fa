/*
 * xsclient.c - the xenstore client library (see xsclient.h).
 *
 * One handle is one connection.  Requests are strictly sequential: we send
 * one message and read messages until its reply arrives.  Anything that is
 * not a reply is a watch event and is queued for xsc_read_watch().
 *
 * Input is gathered in a buffer big enough for one maximal message (header
 * plus XENSTORE_PAYLOAD_MAX bytes).  Complete messages are cut off its front
 * and the rest is moved down, so a partial message always has room to
 * complete.  This lets xsc_read_watch(..., false) consume whatever the fd
 * has without ever blocking in the middle of a message.
 *
 * Reconnection: a socket handle remembers its watches and open
 * transactions.  When the daemon goes away (EOF, EPIPE, ECONNRESET) it
 * connects again for up to $XSC_RECONNECT_TIMEOUT seconds (default 60),
 * puts the new socket on the same descriptor number (so a caller's poll()
 * set stays right), registers the watches again (each fires once, as
 * watches do, so the caller looks again) and sends again the request that
 * got no answer.  Each transaction that was open is replaced by a fresh
 * one on the new connection, used for the rest of that transaction, whose
 * commit then fails with EAGAIN: the caller redoes it as after a conflict.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "privcmd.h"
#include "strnum.h"
#include "xsclient.h"

#define MAX_MSG (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* A queued watch event.  FIFO list: head is the oldest. */
struct xsc_event {
    struct xsc_event *next;
    char *path;
    char *token;
};

/* A registered watch, to be registered again after a reconnection. */
struct xsc_watchreg {
    char *path;
    char *token;
};

/* An open transaction: the id the caller holds, the one the daemon knows
 * now (they differ after a reconnection), and whether it must fail. */
struct xsc_txmap {
    xsc_tx id;
    xsc_tx cur;
    bool doomed;
};

struct xsc_handle {
    int fd;
    bool is_socket;         /* send() with MSG_NOSIGNAL; else write() */
    char *sock_path;        /* to reconnect to; NULL for xenbus */
    bool reconnecting;
    unsigned reconnects;
    struct xsc_watchreg *watches;
    size_t nwatches;
    struct xsc_txmap *txs;
    size_t ntxs;
    bool broken;            /* framing lost or peer gone: refuse further use */
    uint32_t req_id;        /* echoed by the daemon; we count for debugging */
    struct xsc_event *ev_head;
    struct xsc_event **ev_tail;
    size_t in_len;          /* bytes of input buffered in `in` */
    unsigned char in[MAX_MSG];
    char err[256];
};

/* Names of the request types, for error messages. */
static const char *const type_names[XS_TYPE_COUNT] = {
    [XS_CONTROL] = "XS_CONTROL",
    [XS_DIRECTORY] = "XS_DIRECTORY",
    [XS_READ] = "XS_READ",
    [XS_GET_PERMS] = "XS_GET_PERMS",
    [XS_WATCH] = "XS_WATCH",
    [XS_UNWATCH] = "XS_UNWATCH",
    [XS_TRANSACTION_START] = "XS_TRANSACTION_START",
    [XS_TRANSACTION_END] = "XS_TRANSACTION_END",
    [XS_INTRODUCE] = "XS_INTRODUCE",
    [XS_RELEASE] = "XS_RELEASE",
    [XS_GET_DOMAIN_PATH] = "XS_GET_DOMAIN_PATH",
    [XS_WRITE] = "XS_WRITE",
    [XS_MKDIR] = "XS_MKDIR",
    [XS_RM] = "XS_RM",
    [XS_SET_PERMS] = "XS_SET_PERMS",
    [XS_WATCH_EVENT] = "XS_WATCH_EVENT",
    [XS_ERROR] = "XS_ERROR",
    [XS_IS_DOMAIN_INTRODUCED] = "XS_IS_DOMAIN_INTRODUCED",
    [XS_RESUME] = "XS_RESUME",
    [XS_SET_TARGET] = "XS_SET_TARGET",
    [XS_RESET_WATCHES] = "XS_RESET_WATCHES",
    [XS_DIRECTORY_PART] = "XS_DIRECTORY_PART",
};

static const char *type_name(uint32_t type)
{
    if (type < XS_TYPE_COUNT && type_names[type])
        return type_names[type];
    return "XS_?";
}

/* Record "what: strerror(errnum)" and return -1 with errno = errnum. */
static int fail(struct xsc_handle *x, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct xsc_handle *x, int errnum, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(x->err, sizeof(x->err), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof(x->err))
        snprintf(x->err + n, sizeof(x->err) - n, ": %s", strerror(errnum));
    errno = errnum;
    return -1;
}

/* Map the daemon's error string ("ENOENT") to an errno value. */
static int error_to_errno(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(s, xsd_errors[i].errstring) == 0)
            return xsd_errors[i].errnum;
    return EINVAL;      /* what upstream does with unknown strings */
}

static int connect_socket(const char *path)
{
    struct sockaddr_un sa;
    int fd, saved;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

struct xsc_handle *xsc_open(const char *path, unsigned flags)
{
    struct xsc_handle *x = NULL;
    struct stat st;
    bool fallback = false;
    int saved;

    if (path == NULL) {
        path = getenv("XENSTORED_PATH");
        if (path == NULL || *path == '\0') {
            path = XSC_DEFAULT_SOCKET;
            fallback = (flags & XSC_OPEN_XENBUS_FALLBACK) != 0;
        }
    }

    x = calloc(1, sizeof(*x));
    if (x == NULL)
        return NULL;
    x->fd = -1;
    x->ev_tail = &x->ev_head;

    if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
        /* privcmd owns all device access; it opens /dev/xen/xenbus. */
        x->fd = pc_xenbus_open();
    } else {
        x->fd = connect_socket(path);
        x->is_socket = true;
    }
    /* Like upstream's xs_open(): no daemon socket, try the kernel's
     * device; if that fails too, report why the socket failed. */
    if (x->fd < 0 && fallback) {
        saved = errno;
        x->fd = pc_xenbus_open();
        x->is_socket = false;
        if (x->fd < 0)
            errno = saved;
    }
    if (x->fd < 0)
        goto fail;
    if (x->is_socket && !(x->sock_path = strdup(path))) {
        close(x->fd);
        goto fail;
    }
    return x;

fail:
    saved = errno;
    free(x);
    errno = saved;
    return NULL;
}

static void free_event(struct xsc_event *e)
{
    free(e->path);
    free(e->token);
    free(e);
}

void xsc_close(struct xsc_handle *x)
{
    struct xsc_event *e, *next;

    if (x == NULL)
        return;
    for (e = x->ev_head; e; e = next) {
        next = e->next;
        free_event(e);
    }
    if (x->fd >= 0)
        close(x->fd);
    for (size_t i = 0; i < x->nwatches; i++) {
        free(x->watches[i].path);
        free(x->watches[i].token);
    }
    free(x->watches);
    free(x->txs);
    free(x->sock_path);
    free(x);
}

const char *xsc_errmsg(const struct xsc_handle *x)
{
    return x->err;
}

int xsc_fileno(const struct xsc_handle *x)
{
    return x->fd;
}

unsigned xsc_reconnects(const struct xsc_handle *x)
{
    return x->reconnects;
}

bool xsc_watch_pending(const struct xsc_handle *x)
{
    return x->ev_head != NULL;
}

/* ---- Low-level message I/O ---------------------------------------------- */

static int write_all(struct xsc_handle *x, const void *buf, size_t len)
{
    const char *p = buf;
    ssize_t n;

    while (len > 0) {
        if (x->is_socket)
            n = send(x->fd, p, len, MSG_NOSIGNAL);
        else
            n = write(x->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/*
 * Read whatever the fd offers into the input buffer.  With `wait` false,
 * return 0 at once when nothing is readable.  Returns bytes read, or -1 (EOF
 * is reported as ECONNRESET).
 */
static ssize_t fill_input(struct xsc_handle *x, bool wait)
{
    struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
    ssize_t n;
    int r;

    for (;;) {
        r = poll(&pfd, 1, wait ? -1 : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        n = read(x->fd, x->in + x->in_len, sizeof(x->in) - x->in_len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = ECONNRESET;
            return -1;
        }
        x->in_len += n;
        return n;
    }
}

/*
 * Cut one complete message off the input buffer.  Returns 1 and fills
 * *hdr / *body (malloc'd, with a NUL after the payload), 0 if no complete
 * message is buffered, -1 on an impossible header or no memory.
 */
static int take_message(struct xsc_handle *x, struct xsd_sockmsg *hdr,
                        char **body)
{
    size_t total;

    if (x->in_len < sizeof(*hdr))
        return 0;
    memcpy(hdr, x->in, sizeof(*hdr));
    if (hdr->len > XENSTORE_PAYLOAD_MAX) {
        errno = EPROTO;
        return -1;
    }
    total = sizeof(*hdr) + hdr->len;
    if (x->in_len < total)
        return 0;
    *body = malloc(hdr->len + 1);
    if (*body == NULL)
        return -1;
    memcpy(*body, x->in + sizeof(*hdr), hdr->len);
    (*body)[hdr->len] = '\0';
    memmove(x->in, x->in + total, x->in_len - total);
    x->in_len -= total;
    return 1;
}

/* Queue a watch event whose payload is "path\0token\0".  Malformed events
 * are dropped: there is nobody to report them to. */
static void queue_event(struct xsc_handle *x, char *body, uint32_t len)
{
    struct xsc_event *e;
    size_t plen;

    plen = strnlen(body, len);
    if (plen + 1 >= len) {      /* no token */
        free(body);
        return;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        goto out;
    e->path = strdup(body);
    e->token = strdup(body + plen + 1);
    if (e->path == NULL || e->token == NULL) {
        free_event(e);
        goto out;
    }
    *x->ev_tail = e;
    x->ev_tail = &e->next;
out:
    free(body);
}

/* Read messages until one that is not a watch event arrives. */
static int read_reply(struct xsc_handle *x, struct xsd_sockmsg *hdr,
                      char **body)
{
    int r;

    for (;;) {
        r = take_message(x, hdr, body);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (fill_input(x, true) < 0)
                return -1;
            continue;
        }
        if (hdr->type != XS_WATCH_EVENT)
            return 0;
        queue_event(x, *body, hdr->len);
    }
}

/* ---- Reconnection ------------------------------------------------------ */

static struct xsc_txmap *tx_lookup(struct xsc_handle *x, xsc_tx t)
{
    size_t i;

    if (t == XSC_NO_TX)
        return NULL;
    for (i = 0; i < x->ntxs; i++)
        if (x->txs[i].id == t)
            return &x->txs[i];
    return NULL;
}

static void tx_forget(struct xsc_handle *x, xsc_tx t)
{
    struct xsc_txmap *m = tx_lookup(x, t);

    if (m)
        *m = x->txs[--x->ntxs];
}

static void tx_remember(struct xsc_handle *x, xsc_tx t)
{
    struct xsc_txmap *m = realloc(x->txs, (x->ntxs + 1) * sizeof(*m));

    if (m == NULL)
        return;         /* then it just cannot be carried over */
    x->txs = m;
    m[x->ntxs].id = m[x->ntxs].cur = t;
    m[x->ntxs].doomed = false;
    x->ntxs++;
}

static char *talk(struct xsc_handle *x, xsc_tx t, uint32_t type,
                  const void *const *parts, const size_t *lens, unsigned n,
                  size_t *len, const char *what);

static unsigned reconnect_timeout_ms(void)
{
    const char *s = getenv("XSC_RECONNECT_TIMEOUT");
    int64_t v;

    if (s && strnum_i64(s, 10, 0, 86400, &v) == 0)
        return (unsigned)v * 1000;
    return 60 * 1000;
}

/*
 * The daemon went away (errnum says how): connect again onto the same
 * descriptor number, register the watches again and replace each open
 * transaction by a doomed stand-in.  0 on success, -1 when this handle
 * does not reconnect or the daemon did not come back in time.
 */
static bool conn_lost(int errnum)
{
    return errnum == EPIPE || errnum == ECONNRESET || errnum == ECONNREFUSED ||
           errnum == ENOTCONN;
}

static int reconnect_once(struct xsc_handle *x);

static int reconnect(struct xsc_handle *x, int errnum)
{
    unsigned waited = 0, limit;
    struct timespec ts = { 0, 100 * 1000 * 1000 };

    if (x->sock_path == NULL || x->reconnecting || !conn_lost(errnum))
        return -1;
    limit = reconnect_timeout_ms();
    for (;;) {
        /* A connection can land in the backlog of a dying daemon's
         * listener and be reset with it: then try again too. */
        if (reconnect_once(x) == 0)
            return 0;
        if (!conn_lost(errno) || waited >= limit)
            return -1;
        nanosleep(&ts, NULL);
        waited += 100;
    }
}

/* One attempt: connect, then watches and transactions.  -1 with errno. */
static int reconnect_once(struct xsc_handle *x)
{
    size_t i;
    int fd, saved;

    fd = connect_socket(x->sock_path);
    if (fd < 0) {
        errno = ECONNREFUSED;   /* not there yet: worth another try */
        return -1;
    }
    if (dup3(fd, x->fd, O_CLOEXEC) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    x->in_len = 0;
    x->broken = false;
    x->reconnects++;
    x->reconnecting = true;
    for (i = 0; i < x->nwatches; i++) {
        const void *parts[2] = { x->watches[i].path, x->watches[i].token };
        size_t lens[2] = { strlen(x->watches[i].path) + 1,
                           strlen(x->watches[i].token) + 1 };
        char *r = talk(x, XSC_NO_TX, XS_WATCH, parts, lens, 2, NULL,
                       x->watches[i].path);

        if (r == NULL && errno != EEXIST)
            goto fail;
        free(r);
    }
    for (i = 0; i < x->ntxs; i++) {
        const void *parts[1] = { "" };
        size_t lens[1] = { 1 };
        char *r = talk(x, XSC_NO_TX, XS_TRANSACTION_START, parts, lens, 1,
                       NULL, "");
        int64_t id;

        if (r == NULL)
            goto fail;
        if (strnum_i64(r, 10, 1, UINT32_MAX, &id) < 0) {
            free(r);
            goto fail;
        }
        free(r);
        x->txs[i].cur = (xsc_tx)id;
        x->txs[i].doomed = true;
    }
    x->reconnecting = false;
    return 0;
fail:
    saved = errno;
    x->reconnecting = false;
    errno = saved;
    return -1;
}

/*
 * Send request `type` whose payload is the `n` pieces of `parts` (each with
 * its length in `lens`) and return the reply payload (malloc'd, NUL added).
 * `what` names the object for the error message (usually the path).
 */
static char *talk(struct xsc_handle *x, xsc_tx t, uint32_t type,
                  const void *const *parts, const size_t *lens, unsigned n,
                  size_t *len, const char *what)
{
    unsigned char buf[MAX_MSG];
    struct xsd_sockmsg hdr, reply;
    char *body = NULL;
    size_t total = 0;
    unsigned i, attempt;
    int errnum;
    struct xsc_txmap *map;
    bool commit = false;

    if (x->broken) {
        fail(x, EPIPE, "%s %s", type_name(type), what);
        return NULL;
    }
    for (i = 0; i < n; i++)
        total += lens[i];
    if (total > XENSTORE_PAYLOAD_MAX) {
        fail(x, E2BIG, "%s %s", type_name(type), what);
        return NULL;
    }

    hdr.type = type;
    hdr.req_id = ++x->req_id;
    hdr.tx_id = t;
    hdr.len = total;
    memcpy(buf, &hdr, sizeof(hdr));
    total = sizeof(hdr);
    for (i = 0; i < n; i++) {
        memcpy(buf + total, parts[i], lens[i]);
        total += lens[i];
    }

    for (attempt = 0;; attempt++) {
        map = tx_lookup(x, t);
        if (map && map->doomed && type == XS_TRANSACTION_END) {
            /* Its work before the reconnection is gone: end the stand-in
             * and fail a commit as a conflict does. */
            commit = parts[0] && ((const char *)parts[0])[0] == 'T';
            hdr.tx_id = map->cur;
            memcpy(buf, &hdr, sizeof(hdr));
            memcpy(buf + sizeof(hdr), "F", 2);
            total = sizeof(hdr) + 2;
            hdr.len = 2;
            memcpy(buf, &hdr, sizeof(hdr));
        } else if (map) {
            hdr.tx_id = map->cur;
            memcpy(buf, &hdr, sizeof(hdr));
        }
        /* One write: the xenbus device wants whole messages. */
        if (write_all(x, buf, total) == 0 && read_reply(x, &reply, &body) == 0)
            break;
        errnum = errno;
        if (attempt < 3 && reconnect(x, errnum) == 0) {
            /* A commit whose answer was lost: we cannot tell whether it
             * happened; the transaction is over either way. */
            if (type == XS_TRANSACTION_END && (map = tx_lookup(x, t))) {
                tx_forget(x, t);
                fail(x, EAGAIN, "%s %s", type_name(type), what);
                return NULL;
            }
            continue;
        }
        x->broken = true;       /* framing is lost: give up on the fd */
        fail(x, errnum, "%s %s", type_name(type), what);
        return NULL;
    }
    if (map && map->doomed && type == XS_TRANSACTION_END) {
        free(body);
        tx_forget(x, t);
        if (commit) {
            fail(x, EAGAIN, "%s %s: xenstored restarted", type_name(type),
                 what);
            return NULL;
        }
        body = strdup("OK");
        if (len)
            *len = 2;
        return body;
    }

    if (reply.type == XS_ERROR) {
        errnum = error_to_errno(body);
        free(body);
        fail(x, errnum, "%s %s", type_name(type), what);
        return NULL;
    }
    if (reply.type != type) {
        free(body);
        x->broken = true;
        fail(x, EPROTO, "%s %s: reply of type %u", type_name(type), what,
             reply.type);
        return NULL;
    }
    if (len)
        *len = reply.len;
    return body;
}

/* Request whose payload is one NUL-terminated string. */
static char *talk1(struct xsc_handle *x, xsc_tx t, uint32_t type,
                   const char *s, size_t *len)
{
    const void *parts[1] = { s };
    size_t lens[1] = { strlen(s) + 1 };

    return talk(x, t, type, parts, lens, 1, len, s);
}

/* Request with one string whose reply we only check for success. */
static int talk1_ok(struct xsc_handle *x, xsc_tx t, uint32_t type,
                    const char *s)
{
    char *r = talk1(x, t, type, s, NULL);

    if (r == NULL)
        return -1;
    free(r);
    return 0;
}

/* ---- Nodes ---------------------------------------------------------------- */

char *xsc_read(struct xsc_handle *x, xsc_tx t, const char *path, size_t *len)
{
    return talk1(x, t, XS_READ, path, len);
}

int xsc_write(struct xsc_handle *x, xsc_tx t, const char *path,
              const void *data, size_t len)
{
    /* Payload: path NUL value (the value has no terminator). */
    const void *parts[2] = { path, data };
    size_t lens[2] = { strlen(path) + 1, len };
    char *r;

    r = talk(x, t, XS_WRITE, parts, lens, 2, NULL, path);
    if (r == NULL)
        return -1;
    free(r);
    return 0;
}

int xsc_write_str(struct xsc_handle *x, xsc_tx t, const char *path,
                  const char *s)
{
    return xsc_write(x, t, path, s, strlen(s));
}

int xsc_mkdir(struct xsc_handle *x, xsc_tx t, const char *path)
{
    return talk1_ok(x, t, XS_MKDIR, path);
}

int xsc_rm(struct xsc_handle *x, xsc_tx t, const char *path)
{
    return talk1_ok(x, t, XS_RM, path);
}

/*
 * Turn `len` bytes of NUL-terminated names into the one-allocation array
 * xsc_directory returns: pointers first, then a copy of the strings.  Empty
 * strings are skipped (some daemons send a lone NUL for "no children").
 */
static char **split_strings(const char *s, size_t len, unsigned *num)
{
    const char *p, *end = s + len;
    char **v, *copy;
    unsigned n = 0, i = 0;

    for (p = s; p < end; p += strnlen(p, end - p) + 1)
        if (*p)
            n++;
    v = malloc((n + 1) * sizeof(char *) + len + 1);
    if (v == NULL)
        return NULL;
    copy = (char *)(v + n + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    for (p = copy; p < copy + len; p += strlen(p) + 1)
        if (*p)
            v[i++] = (char *)p;
    v[n] = NULL;
    *num = n;
    return v;
}

/*
 * XS_DIRECTORY_PART: request "path\0offset\0", reply "generation\0" then a
 * slice of the children list.  The list's end is marked by an empty name,
 * i.e. the slice ends in two NULs.  If the generation changes between
 * slices the directory changed under us and we start again.
 */
static char **directory_part(struct xsc_handle *x, xsc_tx t, const char *path,
                             unsigned *num)
{
    char gen[32] = "", offstr[16];
    char *all = NULL, *r = NULL, *grown, **v = NULL;
    size_t off = 0, rlen, glen, slen;
    const void *parts[2];
    size_t lens[2];

    for (;;) {
        snprintf(offstr, sizeof(offstr), "%zu", off);
        parts[0] = path;
        lens[0] = strlen(path) + 1;
        parts[1] = offstr;
        lens[1] = strlen(offstr) + 1;
        r = talk(x, t, XS_DIRECTORY_PART, parts, lens, 2, &rlen, path);
        if (r == NULL) {
            /* A daemon without DIRECTORY_PART: the directory is too big. */
            if (errno == ENOSYS)
                fail(x, E2BIG, "XS_DIRECTORY %s", path);
            goto out;
        }
        glen = strnlen(r, rlen);
        if (glen >= sizeof(gen) || glen == rlen) {
            fail(x, EPROTO, "XS_DIRECTORY_PART %s: bad reply", path);
            goto out;
        }
        if (off > 0 && strcmp(gen, r) != 0) {
            off = 0;            /* changed meanwhile: restart */
            free(r);
            r = NULL;
            continue;
        }
        memcpy(gen, r, glen + 1);
        slen = rlen - glen - 1;
        grown = realloc(all, off + slen + 1);
        if (grown == NULL)
            goto out;
        all = grown;
        memcpy(all + off, r + glen + 1, slen);
        off += slen;
        free(r);
        r = NULL;
        /* Done when the slice is empty or ends with the empty name. */
        if (slen <= 1 || (off >= 2 && all[off - 2] == '\0'))
            break;
    }
    v = split_strings(all ? all : "", off, num);
out:
    free(r);
    free(all);
    return v;
}

char **xsc_directory(struct xsc_handle *x, xsc_tx t, const char *path,
                     unsigned *num)
{
    char *r, **v;
    size_t len;

    r = talk1(x, t, XS_DIRECTORY, path, &len);
    if (r == NULL) {
        if (errno != E2BIG)
            return NULL;
        return directory_part(x, t, path, num);
    }
    v = split_strings(r, len, num);
    free(r);
    return v;
}

int xsc_perm_parse(const char *s, struct xsc_perm *p)
{
    uint64_t v;

    /* One permission letter, then the domain id in decimal. */
    if (s[0] != 'r' && s[0] != 'w' && s[0] != 'b' && s[0] != 'n')
        goto bad;
    if (strnum_u64(s + 1, 10, 0, UINT32_MAX, &v) < 0)
        goto bad;
    p->perm = s[0];
    p->domid = (uint32_t)v;
    return 0;
bad:
    errno = EINVAL;
    return -1;
}

int xsc_perm_format(const struct xsc_perm *p, char *buf, size_t size)
{
    int n;

    if (p->perm != 'r' && p->perm != 'w' && p->perm != 'b' && p->perm != 'n')
        goto bad;
    n = snprintf(buf, size, "%c%" PRIu32, p->perm, p->domid);
    if (n < 0 || (size_t)n >= size)
        goto bad;
    return 0;
bad:
    errno = EINVAL;
    return -1;
}

struct xsc_perm *xsc_get_perms(struct xsc_handle *x, xsc_tx t,
                               const char *path, unsigned *num)
{
    struct xsc_perm *v = NULL;
    char *r, *p, *end;
    size_t len;
    unsigned n = 0;

    r = talk1(x, t, XS_GET_PERMS, path, &len);
    if (r == NULL)
        return NULL;
    end = r + len;
    for (p = r; p < end; p += strlen(p) + 1)
        n++;
    v = calloc(n ? n : 1, sizeof(*v));
    if (v == NULL)
        goto out;
    n = 0;
    for (p = r; p < end; p += strlen(p) + 1) {
        if (xsc_perm_parse(p, &v[n]) < 0) {
            fail(x, EPROTO, "XS_GET_PERMS %s: bad permission \"%s\"", path, p);
            free(v);
            v = NULL;
            goto out;
        }
        n++;
    }
    *num = n;
out:
    free(r);
    return v;
}

int xsc_set_perms(struct xsc_handle *x, xsc_tx t, const char *path,
                  const struct xsc_perm *p, unsigned num)
{
    /* Payload: path NUL perm NUL perm NUL ... */
    char buf[XENSTORE_PAYLOAD_MAX];
    const void *parts[1] = { buf };
    size_t lens[1], off;
    unsigned i;
    char *r;

    off = strlen(path) + 1;
    if (off > sizeof(buf))
        return fail(x, E2BIG, "XS_SET_PERMS %s", path);
    memcpy(buf, path, off);
    for (i = 0; i < num; i++) {
        if (xsc_perm_format(&p[i], buf + off, sizeof(buf) - off) < 0)
            return fail(x, errno, "XS_SET_PERMS %s: permission %u", path, i);
        off += strlen(buf + off) + 1;
    }
    lens[0] = off;
    r = talk(x, t, XS_SET_PERMS, parts, lens, 1, NULL, path);
    if (r == NULL)
        return -1;
    free(r);
    return 0;
}

/* ---- Transactions ------------------------------------------------------- */

/* Strict decimal parse of a uint32 the daemon sent. */
static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;

    if (strnum_u64(s, 10, 0, UINT32_MAX, &v) < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int xsc_transaction_start(struct xsc_handle *x, xsc_tx *t)
{
    char *r;
    int ret = -1;

    r = talk1(x, XSC_NO_TX, XS_TRANSACTION_START, "", NULL);
    if (r == NULL)
        return -1;
    if (parse_u32(r, t) < 0 || *t == XSC_NO_TX) {
        fail(x, EPROTO, "XS_TRANSACTION_START: bad id \"%.32s\"", r);
        goto out;
    }
    /* The daemon may hand out an id a doomed stand-in's caller holds. */
    if (tx_lookup(x, *t)) {
        fail(x, EAGAIN, "XS_TRANSACTION_START: id %u in use", *t);
        talk1_ok(x, *t, XS_TRANSACTION_END, "F");
        goto out;
    }
    tx_remember(x, *t);
    ret = 0;
out:
    free(r);
    return ret;
}

int xsc_transaction_end(struct xsc_handle *x, xsc_tx t, bool commit)
{
    int r = talk1_ok(x, t, XS_TRANSACTION_END, commit ? "T" : "F");

    /* Over, whatever the answer (a failed commit ends it too). */
    if (r == 0 || errno != EPIPE)
        tx_forget(x, t);
    return r;
}

/* ---- Watches ---------------------------------------------------------------- */

int xsc_watch(struct xsc_handle *x, const char *path, const char *token)
{
    const void *parts[2] = { path, token };
    size_t lens[2] = { strlen(path) + 1, strlen(token) + 1 };
    char *r;

    struct xsc_watchreg *w;

    r = talk(x, XSC_NO_TX, XS_WATCH, parts, lens, 2, NULL, path);
    if (r == NULL)
        return -1;
    free(r);
    /* Remembered for a reconnection (a failure to remember only means the
     * watch would not come back). */
    w = realloc(x->watches, (x->nwatches + 1) * sizeof(*w));
    if (w) {
        x->watches = w;
        w[x->nwatches].path = strdup(path);
        w[x->nwatches].token = strdup(token);
        if (w[x->nwatches].path && w[x->nwatches].token)
            x->nwatches++;
        else {
            free(w[x->nwatches].path);
            free(w[x->nwatches].token);
        }
    }
    return 0;
}

/* True if `p` is `base` or below it. */
static bool path_under(const char *p, const char *base)
{
    size_t n = strlen(base);

    if (strncmp(p, base, n) != 0)
        return false;
    return p[n] == '\0' || p[n] == '/' || (n > 0 && base[n - 1] == '/');
}

int xsc_unwatch(struct xsc_handle *x, const char *path, const char *token)
{
    const void *parts[2] = { path, token };
    size_t lens[2] = { strlen(path) + 1, strlen(token) + 1 };
    struct xsc_event **pp, *e;
    char *r;

    size_t i;

    r = talk(x, XSC_NO_TX, XS_UNWATCH, parts, lens, 2, NULL, path);
    if (r == NULL)
        return -1;
    free(r);
    for (i = 0; i < x->nwatches; i++) {
        if (strcmp(x->watches[i].path, path) == 0 &&
            strcmp(x->watches[i].token, token) == 0) {
            free(x->watches[i].path);
            free(x->watches[i].token);
            x->watches[i] = x->watches[--x->nwatches];
            break;
        }
    }

    /* Drop events of this watch that we already hold. */
    pp = &x->ev_head;
    while ((e = *pp) != NULL) {
        if (strcmp(e->token, token) == 0 && path_under(e->path, path)) {
            *pp = e->next;
            free_event(e);
        } else {
            pp = &e->next;
        }
    }
    x->ev_tail = pp;
    return 0;
}

int xsc_read_watch(struct xsc_handle *x, char **path, char **token, bool block)
{
    struct xsd_sockmsg hdr;
    struct xsc_event *e;
    char *body;
    int r;

    while (x->ev_head == NULL) {
        if (x->broken)
            return fail(x, EPIPE, "XS_WATCH_EVENT");
        r = take_message(x, &hdr, &body);
        if (r < 0) {
            x->broken = true;
            return fail(x, errno, "XS_WATCH_EVENT");
        }
        if (r > 0) {
            if (hdr.type == XS_WATCH_EVENT) {
                queue_event(x, body, hdr.len);
            } else {
                /* A reply nobody asked for: framing is off. */
                free(body);
                x->broken = true;
                return fail(x, EPROTO, "XS_WATCH_EVENT: unexpected %s",
                            type_name(hdr.type));
            }
            continue;
        }
        r = fill_input(x, block);
        if (r < 0 && reconnect(x, errno) == 0)
            continue;   /* the watches' first events are on their way */
        if (r < 0) {
            x->broken = true;
            return fail(x, errno, "XS_WATCH_EVENT");
        }
        if (r == 0)
            return fail(x, EAGAIN, "XS_WATCH_EVENT");
    }

    e = x->ev_head;
    x->ev_head = e->next;
    if (x->ev_head == NULL)
        x->ev_tail = &x->ev_head;
    *path = e->path;
    *token = e->token;
    free(e);
    return 0;
}

/* ---- Domains ------------------------------------------------------------- */

/* Send `n` NUL-terminated strings; return the reply. */
static char *talk_strings(struct xsc_handle *x, uint32_t type,
                          const char *const *s, unsigned n, size_t *len,
                          const char *what)
{
    const void *parts[8];
    size_t lens[8];
    unsigned i;

    if (n > 8) {
        fail(x, E2BIG, "%s %s", type_name(type), what);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        parts[i] = s[i];
        lens[i] = strlen(s[i]) + 1;
    }
    return talk(x, XSC_NO_TX, type, parts, lens, n, len, what);
}

static int talk_strings_ok(struct xsc_handle *x, uint32_t type,
                           const char *const *s, unsigned n, const char *what)
{
    char *r = talk_strings(x, type, s, n, NULL, what);

    if (r == NULL)
        return -1;
    free(r);
    return 0;
}

int xsc_introduce_domain(struct xsc_handle *x, uint32_t domid, uint64_t gfn,
                         uint32_t port)
{
    char d[16], g[24], p[16];
    const char *s[3] = { d, g, p };

    snprintf(d, sizeof(d), "%" PRIu32, domid);
    snprintf(g, sizeof(g), "%" PRIu64, gfn);
    snprintf(p, sizeof(p), "%" PRIu32, port);
    return talk_strings_ok(x, XS_INTRODUCE, s, 3, d);
}

static int domid_op(struct xsc_handle *x, uint32_t type, uint32_t domid)
{
    char d[16];
    const char *s[1] = { d };

    snprintf(d, sizeof(d), "%" PRIu32, domid);
    return talk_strings_ok(x, type, s, 1, d);
}

int xsc_release_domain(struct xsc_handle *x, uint32_t domid)
{
    return domid_op(x, XS_RELEASE, domid);
}

int xsc_resume_domain(struct xsc_handle *x, uint32_t domid)
{
    return domid_op(x, XS_RESUME, domid);
}

int xsc_is_domain_introduced(struct xsc_handle *x, uint32_t domid)
{
    char d[16], *r;
    const char *s[1] = { d };
    int ret = -1;

    snprintf(d, sizeof(d), "%" PRIu32, domid);
    r = talk_strings(x, XS_IS_DOMAIN_INTRODUCED, s, 1, NULL, d);
    if (r == NULL)
        return -1;
    if (strcmp(r, "T") == 0)
        ret = 1;
    else if (strcmp(r, "F") == 0)
        ret = 0;
    else
        fail(x, EPROTO, "XS_IS_DOMAIN_INTRODUCED %s: bad reply", d);
    free(r);
    return ret;
}

char *xsc_get_domain_path(struct xsc_handle *x, uint32_t domid)
{
    char d[16];
    const char *s[1] = { d };

    snprintf(d, sizeof(d), "%" PRIu32, domid);
    return talk_strings(x, XS_GET_DOMAIN_PATH, s, 1, NULL, d);
}

int xsc_set_target(struct xsc_handle *x, uint32_t domid, uint32_t target)
{
    char d[16], tg[16];
    const char *s[2] = { d, tg };

    snprintf(d, sizeof(d), "%" PRIu32, domid);
    snprintf(tg, sizeof(tg), "%" PRIu32, target);
    return talk_strings_ok(x, XS_SET_TARGET, s, 2, d);
}

int xsc_reset_watches(struct xsc_handle *x)
{
    struct xsc_event *e, *next;

    size_t i;

    if (talk1_ok(x, XSC_NO_TX, XS_RESET_WATCHES, "") < 0)
        return -1;
    for (i = 0; i < x->nwatches; i++) {
        free(x->watches[i].path);
        free(x->watches[i].token);
    }
    x->nwatches = 0;
    x->ntxs = 0;        /* the daemon dropped the transactions too */
    /* The watches are gone, so are their pending events. */
    for (e = x->ev_head; e; e = next) {
        next = e->next;
        free_event(e);
    }
    x->ev_head = NULL;
    x->ev_tail = &x->ev_head;
    return 0;
}

char *xsc_control(struct xsc_handle *x, const char *const *argv,
                  unsigned argc, size_t *len)
{
    return talk_strings(x, XS_CONTROL, argv, argc, len,
                        argc ? argv[0] : "");
}
