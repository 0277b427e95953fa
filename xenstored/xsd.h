/*
 * xsd.h - internal interfaces of the xenstore daemon (not installed).
 *
 * The daemon is split by concern, one file each; the sections below name
 * the file that implements them, and explain their data structures:
 *   hashtab.c    the chained hash table of nodes keyed by full path;
 *   node.c       one node record (data, permissions, children);
 *   accounting.c what each domain owns (nodes, bytes, watches);
 *   perms.c      permission checks and their wire format;
 *   txn.c        transaction overlays and commit;
 *   tree.c       the database as requests see it: paths, views through a
 *                transaction, the node operations;
 *   decode.c     the request decoder: payload helpers, the dispatch table;
 *   proto.c      the handlers for nodes, transactions and domains;
 *   watch.c      watches and the special nodes @introduceDomain and
 *                @releaseDomain;
 *   control.c    the CONTROL commands;
 *   quota.c      the quotas and CONTROL quota/quota-soft;
 *   conn.c       connections: input framing, output queues, the socket
 *                transport;
 *   domain.c     Xen domains: ring transport, INTRODUCE/RELEASE,
 *                VIRQ_DOM_EXC;
 *   dump.c       the JSON state dump;
 *   journal.c    the state kept on disk for a restart: snapshot + journal;
 *   xenstored.c  options, start-up and the poll loop.
 * Everything except xenstored.c goes into libxsdcore.la, which the unit tests
 * and the fuzzer link without sockets or Xen.
 */
#ifndef LIGHTSTACK_XSD_H
#define LIGHTSTACK_XSD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <xen/io/xs_wire.h>

/* ---- Limits and quotas (quota.c; upstream 4.17 defaults) -------------- */

struct xsd_quota {
	int nodes;              /* nodes owned per domain */
	int watches;            /* watches per domain */
	int transactions;       /* open transactions per domain */
	int outstanding;        /* unanswered/unsent replies per domain */
	int trans_nodes;        /* nodes accessed per transaction */
	int memory_hard;        /* bytes per domain: refuse above */
	int memory_soft;        /* bytes per domain: warn above */
	int node_size;          /* bytes of one node record */
	int path_max;           /* path length below /local/domain/N/ */
	int perms;              /* permission entries per node */
	int watch_event_timeout_ms; /* unsent watch event lifetime, 0 = never */
	int pending_events;     /* queued watch events per connection */
	int conn_max;           /* socket connections, 0 = no limit */
	int conn_timeout_ms;    /* half-sent request lifetime, 0 = never */
	int write_rate;         /* guest writes per second while a transaction is open */
	int write_burst;        /* writes a guest may make at once (XSA-206) */
};
extern struct xsd_quota xsd_quota;

/* Domain that owns privileged (tool) rights besides dom0 (--priv-domid). */
extern uint32_t xsd_priv_domid;

/* -K: nodes of a gone domain are given to xsd_priv_domid, not removed. */
extern bool xsd_keep_orphans;

/* Cleared by -R (--no-recovery): CONTROL check reports problems in the
 * store but does not repair them (upstream's debugging option). */
extern bool xsd_recovery;

/* Set by CONTROL log on|off: trace each request to stderr/trace file. */
extern bool xsd_trace;
/* Where xsd_log goes: the trace file if set, else stderr when xsd_log_stderr,
 * else syslog. */
extern FILE *xsd_trace_fp;
extern bool xsd_log_stderr;
void xsd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t xsd_now_ms(void);

/* ---- Permissions (perms.c) -------------------------------------------- */

#define XSD_PERM_NONE   0x00
#define XSD_PERM_READ   0x01
#define XSD_PERM_WRITE  0x02
#define XSD_PERM_OWNER  0x08
#define XSD_PERM_IGNORE 0x10    /* entry names a domain that is gone */

struct xsd_perm {
	uint32_t id;
	uint8_t perms;
};

struct conn;

/* Access mask conn has on a node with these permissions (perms.c). */
unsigned int perm_for_conn(const struct conn *c, const struct xsd_perm *p,
                           unsigned int n);
/* One "<n|r|w|b><domid>" wire string: 0, or -1 when it is not one. */
int perm_parse(const char *s, struct xsd_perm *perm);
/* The wire form of n entries, each NUL-terminated; malloc'd, *len bytes;
 * NULL when out of memory. */
char *perm_format(const struct xsd_perm *p, unsigned int n, size_t *len);

/* ---- Nodes (node.c) and the hash table (hashtab.c) -------------------- */

/*
 * One node.  The same structure lives in the main table and in transaction
 * overlays.  `children` is upstream's format: the children's base names,
 * each NUL-terminated, in creation order; DIRECTORY returns it as is and
 * DIRECTORY_PART's offsets index into it.  `gen` is a database-wide counter
 * value taken at the node's last change; transactions compare it at commit.
 */
struct node {
	struct node *hnext;     /* hash chain */
	uint32_t hash;
	char *path;             /* full path, owned */
	uint64_t gen;
	struct xsd_perm *perms; /* perms[0]: owner and everyone's default */
	unsigned int nperms;
	char *data;
	unsigned int datalen;
	char *children;
	unsigned int childlen, childcap;
	/* Overlay bookkeeping, unused in the main table. */
	uint64_t orig_gen;      /* gen in the main table when first touched, 0 = absent */
	uint8_t tstate;         /* TX_READ, TX_WRITTEN or TX_DELETED */
	/* journal.c: this record is in the journal with jchildlen bytes of
	 * its child list, so a child added in place costs its name only. */
	bool journaled;
	unsigned int jchildlen;
};
#define TX_READ    1    /* only looked at: a copy of the node as first seen */
#define TX_WRITTEN 2    /* this overlay copy is the node's new content */
#define TX_DELETED 3    /* removed in the transaction */

/* Chained hash table of nodes keyed by path; grows by doubling. */
struct nodetab {
	struct node **b;
	size_t nbuckets;
	size_t count;
};

struct node *nodetab_get(const struct nodetab *t, const char *path);
int nodetab_put(struct nodetab *t, struct node *n);     /* n must be absent */
struct node *nodetab_take(struct nodetab *t, const char *path); /* unlink */
void nodetab_free(struct nodetab *t);                   /* frees all nodes */

struct node *node_new(const char *path);                /* empty, no perms */
struct node *node_copy(const struct node *n);
/* Copy src's generation, data, perms and children into dst (not the hash
 * chain nor overlay state); -1 when out of memory. */
int node_fill(struct node *dst, const struct node *src);
void node_free(struct node *n);
int node_set_data(struct node *n, const void *data, unsigned int len);
int node_set_perms(struct node *n, const struct xsd_perm *p, unsigned int num);
int node_add_child(struct node *n, const char *base);
void node_del_child(struct node *n, const char *base);
/* Size upstream accounts for one node record (for the node-size quota). */
unsigned int node_record_size(const struct node *n);

/* ---- Per-domain accounting (accounting.c) ---------------------------- */

struct dacct {
	unsigned int nodes;     /* nodes in the main table owned by the domain */
	long memory;            /* bytes of nodes and watches */
	unsigned int watches;
	bool soft_warned;
};
/* Accounting record of domid, created on demand; NULL for ids >= 65536. */
struct dacct *dacct_get(uint32_t domid);
struct dacct *dacct_peek(uint32_t domid);   /* NULL if none yet */
void dacct_free_all(void);
/* Charge (sign 1) or credit (-1) n's owner for n: a node being changed in
 * place in the main table is credited, changed, then charged again. */
void acct_node(const struct node *n, int sign);
/* Insert n into / remove path from the main table (xsd_db), charging or
 * crediting the owner.  Every change of xsd_db goes through these. */
int db_insert(struct node *n);              /* n must be absent */
void db_remove(const char *path);           /* frees the node */

/* ---- The database (tree.c) -------------------------------------------- */

struct conn;
struct txn;

extern struct nodetab xsd_db;
extern uint64_t xsd_generation;  /* last generation handed out */

/* (Re)create the initial tree: /, /tool, /tool/xenstored (owner dom0, n0). */
int tree_init(void);
void tree_fini(void);

bool path_valid(const char *path);
/* Absolute path for `path` as seen by conn (relative paths live under
 * /local/domain/<id>).  Returns malloc'd string or NULL (ENOMEM/EINVAL). */
char *path_canonical(const struct conn *c, const char *path);


/*
 * The view functions see the database the way conn sees it: through conn's
 * current transaction overlay when it has one.  Each returns NULL/-1 with
 * errno set.  tree_get checks `perm` and returns ENOENT/EACCES exactly as
 * upstream (no information leak through errors of unreadable parents).
 */
struct node *tree_get(struct conn *c, const char *path, unsigned int perm);
int tree_write(struct conn *c, const char *path, const void *data,
               unsigned int len, bool mkdir_only);
int tree_rm(struct conn *c, const char *path);
int tree_set_perms(struct conn *c, const char *path, const struct xsd_perm *p,
                   unsigned int n);
/* Remove every node owned by domid (domain destruction); fires watches. */
void tree_remove_domain_nodes(uint32_t domid);
/* A gone domain's id stops counting in every node's permissions (and in
 * open transactions' copies): a new domain with that id inherits nothing
 * (XSA-322).  Costs one walk of the store. */
void tree_forget_domain_perms(uint32_t domid);
/* Consistency check: 0 if the tree is consistent, else -1 and the first
 * problem in msg.  Changes nothing (the fuzzer's oracle). */
int tree_check(char *msg, size_t msglen);
/* CONTROL check: log every problem and, unless -R cleared xsd_recovery,
 * repair it as upstream does (unreachable nodes removed, child entries
 * without a node dropped).  Returns the number of problems found. */
int tree_check_store(void);

/* ---- Transactions (txn.c) --------------------------------------------- */

struct pending_watch {
	struct pending_watch *next;
	bool exact;
	struct xsd_perm *perms; /* old perms to consider, or NULL */
	unsigned int nperms;
	char path[];
};

struct txn {
	struct txn *next;
	uint32_t id;
	struct nodetab ov;      /* nodes touched, see TX_* */
	unsigned int nnodes;    /* for the transaction-nodes quota */
	int created;            /* nodes created minus removed, conn's domain */
	bool failed;            /* an internal error: commit must fail */
	bool aborted;           /* open when the daemon restarted: commit
	                         * fails with EAGAIN, as after a conflict */
	struct pending_watch *watches, **watches_tail;
};

struct txn *txn_new(struct conn *c);
struct txn *txn_find(const struct conn *c, uint32_t id);
/* Ends and frees t; commit: returns 0, or EAGAIN/ENOSPC/ENOMEM errno value. */
int txn_end(struct conn *c, struct txn *t, bool commit);
void txn_free_all(struct conn *c);
/* A transaction id the connection had open before a restart: usable, but
 * its commit fails with EAGAIN (its earlier work is gone). */
struct txn *txn_restore(struct conn *c, uint32_t id);

/* ---- Watches (watch.c) ---------------------------------------------- */

struct watch {
	struct watch *next;
	char *path;             /* canonical path or @special */
	char *token;
	size_t rel_off;         /* chars to strip from event paths (relative watch) */
};

/* Fire for a change of `path`.  exact: only watches on path itself (used for
 * children of a removed subtree).  perms: the node's permissions before the
 * change, so watchers losing access still hear about it. */
void fire_watches(struct conn *c, const char *path, bool exact,
                  const struct xsd_perm *perms, unsigned int nperms);
void watch_free_all(struct conn *c);
/* Special nodes @introduceDomain and @releaseDomain and their perms. */
void fire_special(const char *name);
/* Drop a gone domain from the special nodes' permissions. */
void special_forget_domain(uint32_t domid);
/* SET_PERMS on @introduceDomain/@releaseDomain: 0 (perms now belong to
 * the node), or EINVAL (no such special node) / EACCES. */
int special_set_perms(struct conn *c, const char *name, struct xsd_perm *perms,
                      unsigned int num);
/* The i-th special node (false past the last), for the journal. */
bool special_get(unsigned int i, const char **name, const struct xsd_perm **p,
                 unsigned int *n);
/* Set a special node's perms from the journal (takes p); -1 if unknown. */
int special_restore(const char *name, struct xsd_perm *p, unsigned int n);
/* Re-create a watch from the journal: no event, no quota check. */
int watch_restore(struct conn *c, const char *path, const char *token,
                  size_t rel_off);

/* ---- Connections ------------------------------------------------------ */

/* Transport: how bytes move.  read/write return bytes moved (0 = would
 * block) or -1 on a dead or misbehaving peer. */
struct conn_ops {
	const char *name;
	ssize_t (*read)(struct conn *c, void *buf, size_t len);
	ssize_t (*write)(struct conn *c, const void *buf, size_t len);
	bool (*can_read)(struct conn *c);
};

/*
 * The request whose changes fired watch events.  As in upstream 4.17
 * (XSA-326), an unprivileged connection's request stays outstanding until
 * every event it caused has been sent or dropped: a guest cannot make
 * events faster than the watchers take them, its outstanding quota stops
 * it first.  Each queued event points to its source; the source connection
 * counts its sources with events in `held`.
 */
struct evsrc {
	struct evsrc *next, *prev;  /* the source connection's list */
	struct conn *conn;          /* NULL once that connection is gone */
	unsigned int events;        /* its events still queued anywhere */
};

/*
 * One queued reply or watch event.  The queue is doubly linked so that an
 * expired event leaves from the middle in O(1); the events that can expire
 * are also on the `tnext` list in queue order, which is deadline order
 * (one timeout for all), so expiry looks only at that list's head.
 */
struct outmsg {
	struct outmsg *next, *prev; /* the connection's queue, in send order */
	struct outmsg *tnext;   /* next event with a deadline */
	struct evsrc *src;      /* request that caused this event, or NULL */
	size_t len, off;        /* bytes in buf, bytes already sent */
	bool is_event;
	bool is_reply;          /* counts as outstanding */
	uint64_t deadline_ms;   /* watch event expiry, 0 = none */
	char buf[];             /* header then payload */
};

#define XSD_HDR ((size_t)sizeof(struct xsd_sockmsg))
#define XSD_INBUF (XSD_HDR + XENSTORE_PAYLOAD_MAX + 4096)

struct domain;

struct conn {
	struct conn *next, *prev;   /* all connections */
	const struct conn_ops *ops;
	int fd;                 /* socket transport, -1 otherwise */
	void *priv;             /* transport data (ring: struct domain) */
	struct domain *dom;     /* ring connection's domain, NULL for sockets */
	bool is_domain;         /* speaks for a domain (ring): quotas and perms apply */
	uint32_t id;            /* domid the connection speaks for */
	bool has_target;        /* SET_TARGET: may act on target's nodes */
	uint32_t target;
	bool dead;              /* to be closed by the loop */
	bool ignored;           /* ring: stop serving (protocol error) */

	unsigned char in[XSD_INBUF];
	size_t in_used;

	struct outmsg *out_head, *out_tail;
	struct outmsg *timed_head, *timed_tail; /* events with a deadline */
	unsigned int outstanding;   /* queued replies */
	unsigned int nevents;       /* queued watch events */
	bool events_dropped;        /* over pending_events, logged once */
	uint64_t in_since_ms;       /* a request is half read since then, or 0 */

	/* Requests of ours whose watch events are still queued somewhere
	 * (struct evsrc): they count as outstanding. */
	struct evsrc *srcs;
	unsigned int held;
	struct evsrc *cur_src;      /* the request being processed, if it fired */
	bool in_request;            /* process_request() is running for us */

	struct watch *watches;
	unsigned int nwatches;
	struct txn *txns;
	unsigned int ntxns;
	uint32_t next_txid;

	/* Write rate limit (XSA-206), unprivileged domains only: credit in
	 * thousandths of a write, refilled at write_rate per second up to
	 * write_burst writes; below zero the connection is not read. */
	int64_t wrl_credit;
	uint64_t wrl_ms;        /* time of the last refill */

	/* Set while one request is dispatched. */
	struct txn *txn;
	struct xsd_sockmsg req;

	/* journal.c: watches or transactions changed since last recorded;
	 * fingerprint of the buffered ring state last recorded. */
	bool jdirty;
	uint64_t jring;
};

extern struct conn *xsd_conns;
/* Transactions open on all connections: the write rate limit applies
 * only while there is one (a write can then make a commit fail). */
extern unsigned int xsd_open_txns;

struct conn *conn_new(const struct conn_ops *ops, int fd, uint32_t domid);
void conn_free(struct conn *c);
bool conn_privileged(const struct conn *c);
/* Read what the transport has and process complete requests.  Returns -1
 * when the connection must be dropped. */
int conn_handle_input(struct conn *c);
/* Send queued output; -1 when the connection must be dropped. */
int conn_flush(struct conn *c);
/* Drop unsent watch events older than their deadline; earliest remaining
 * deadline or 0.  Costs O(1) plus the events dropped. */
uint64_t conn_expire_events(struct conn *c, uint64_t now);
/* Unlink the queue's head (whole or partly sent) and update the counts;
 * the caller frees it.  NULL when the queue is empty. */
struct outmsg *conn_out_pop(struct conn *c);
/* Throw away everything queued for c. */
void conn_out_drop_all(struct conn *c);
/* After each request: forget c->cur_src if it fired nothing. */
void conn_request_done(struct conn *c);
/* A request begun and not finished within the request timeout (-w
 * request=SECS) marks c dead.  Returns the time to look again, or 0. */
uint64_t conn_check_stalled(struct conn *c, uint64_t now);
/* XSA-206: charge one write to c (a guest's WRITE, MKDIR, RM,
 * SET_PERMS or commit while a transaction is open anywhere). */
void conn_wrl_charge(struct conn *c);
/* When c, held by the write rate limit, may be read again; 0 if not held. */
uint64_t conn_wrl_next(struct conn *c, uint64_t now);
/* Input is pending in the buffer and may be processed now. */
bool conn_input_ready(const struct conn *c);
bool conn_may_read(const struct conn *c);

/* Queue a reply to the request being processed. */
void send_reply(struct conn *c, uint32_t type, const void *data, size_t len);
void send_error(struct conn *c, int err);
void send_ack(struct conn *c);
/* Queue a watch event for c; `origin` is the connection whose request
 * caused it (NULL: the daemon itself).  Never looks at c's queue: O(1).
 * Over the pending-events quota an unprivileged c loses the event, a
 * privileged socket client that lets that many pile up is disconnected. */
void send_event(struct conn *c, const char *path, const char *token,
                struct conn *origin);
const char *xsd_errname(int err);
/* Queue raw bytes (restored unsent output) for c; -1 out of memory. */
int conn_queue_raw(struct conn *c, const void *data, size_t len);

extern const struct conn_ops socket_ops;

/* ---- Request decoding (decode.c) ------------------------------------- */

/* Process one complete request (header + payload of hdr->len bytes). */
void process_request(struct conn *c, const struct xsd_sockmsg *hdr,
                     const char *payload);

/* A payload is a run of NUL-terminated strings (the last one's NUL is
 * guaranteed by process_request's copy, not by the client). */
/* Number of NUL-terminated strings (upstream counts NULs). */
unsigned int count_strings(const char *p, unsigned int len);
/* The payload if it is exactly one string, else NULL. */
const char *onearg(const char *p, unsigned int len);
/* Fill up to num string starts; returns how many strings there are. */
unsigned int get_strings(const char *p, unsigned int len, const char **vec,
                         unsigned int num);
/* Strict unsigned decimal in [0, max]: 0, or -1 for anything else. */
int parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A domain id as upstream accepts it: decimal 0..65535. */
int parse_domid(const char *s, uint32_t *domid);

/* ---- Request handlers ------------------------------------------------ */

/*
 * One per xs_wire message type, called by process_request with the
 * payload (NUL-terminated copy) while c->txn is the request's transaction
 * (or NULL).  Each returns 0 after queueing its reply, or the errno value
 * that the caller sends as XS_ERROR.
 */
typedef int xsd_handler(struct conn *c, const char *p, unsigned int len);

/* Nodes, transactions, domains (proto.c). */
xsd_handler do_read, do_directory, do_directory_part, do_write, do_mkdir,
            do_rm, do_get_perms, do_set_perms, do_transaction_start,
            do_transaction_end, do_introduce, do_release, do_resume,
            do_get_domain_path, do_is_domain_introduced, do_set_target;
/* Watches (watch.c). */
xsd_handler do_watch, do_unwatch, do_reset_watches;
/* CONTROL (control.c). */
xsd_handler do_control;
/* CONTROL's quota and quota-soft commands (quota.c): v[0..n) are the
 * arguments after the command name. */
int ctl_quota(struct conn *c, const char **v, unsigned int n);
int ctl_quota_soft(struct conn *c, const char **v, unsigned int n);

/* ---- State dump (dump.c) ---------------------------------------------- */

/* Write nodes, domains and connections as JSON to file (atomically). */
int xsd_dump_state(const char *file);

/* ---- Domains (domain.c) ----------------------------------------------- */

/* Open Xen handles; false when running socket-only. */
bool domain_xen_init(bool dom0_ring);
int domain_evtchn_fd(void);
void domain_handle_evtchn(void);
/* Service rings that may have input or room for output. */
void domain_poll_rings(void);
bool domain_rings_busy(void);
/* Free the structures of released domains (outside any loop over them). */
void domain_sweep(void);
bool domain_xen_active(void);

int domain_introduce(uint32_t domid, uint64_t mfn, uint32_t port);
int domain_release(uint32_t domid);
bool domain_is_introduced(uint32_t domid);
int domain_resume(uint32_t domid);
int domain_set_target(uint32_t domid, uint32_t target);
/* Does a domain id exist (for perms: entries of gone domains are ignored). */
bool domain_exists(uint32_t domid);
/* For tests and fuzzing: serve a ring in the caller's memory as domain
 * `domid`, with no event channel and no mapping (never unmapped). */
struct conn *domain_attach_ring(uint32_t domid,
                                struct xenstore_domain_interface *intf);
void domain_notify(struct conn *c);

/* What the journal keeps of one introduced domain. */
struct xsd_domrec {
	uint32_t domid;
	uint64_t mfn;           /* the frame INTRODUCE named */
	uint32_t remote_port;   /* the guest's end of the event channel */
	bool shutdown;          /* seen shut down, @releaseDomain fired */
	bool has_target;
	uint32_t target;
};
/* Every live domain, malloc'd in *out (may be NULL when 0). */
size_t domain_records(struct xsd_domrec **out);
/* After a restart: serve the domain again (re-map its ring, re-bind its
 * event channel, take up the connection's watches and buffered I/O):
 * 0.  A domain that died meanwhile loses its nodes and @releaseDomain
 * fires: 1.  -1 when it cannot be served (logged; its nodes stay). */
int domain_restore(const struct xsd_domrec *r);
/* After all restores: notice domains that shut down while we were gone. */
void domain_restore_done(void);

/* ---- Persistence (journal.c) ------------------------------------------ */

/* A state directory is in use (--state-dir). */
extern bool xsd_persist;
/* Open the state directory, load what it holds into the store: 1 when
 * state was restored, 0 when there was none, -1 with a one-line reason in
 * why (a corrupt snapshot; an unusable directory). */
int journal_open(const char *dir, char *why, size_t whylen);
/* Ring connections of restored domains (domain.c calls these). */
void journal_restore_conn(struct conn *c);
bool journal_pending_domain(uint32_t domid);
/* Serve the domains journal_open() found; returns how many were gone. */
int journal_restore_domains(void);
/* Write the whole state as the new snapshot and start a fresh journal. */
int journal_snapshot(void);
/* Hooks: a node now in the main table / removed from it (accounting.c);
 * domains, special nodes or a ring connection's watches/transactions
 * changed.  Recorded at the next journal_commit(). */
void journal_node(struct node *n);
void journal_del(const char *path);
void journal_mark_domains(void);
void journal_mark_specials(void);
void journal_mark_conn(struct conn *c);
/* Write what the hooks gathered (end of each request, before its reply
 * goes out); journal_rings() also records ring connections' buffered I/O
 * that changed (end of each loop pass). */
void journal_commit(void);
void journal_rings(void);
void journal_close(void);

#endif /* LIGHTSTACK_XSD_H */
