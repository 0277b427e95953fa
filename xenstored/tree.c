/*
 * tree.c - the xenstore node database as requests see it.
 *
 * All nodes live in one hash table keyed by their full path (xsd_db, see
 * hashtab.c), so a lookup costs one hash of the path whatever the tree's
 * size.  A node also keeps its children's base names (node.c) so that
 * DIRECTORY is a copy and recursive RM can walk down.
 *
 * Every operation goes through a "view": the main table, or for a request
 * inside a transaction, that transaction's overlay (txn.c) in front of
 * it.  Permission checks are in perms.c, per-domain counts in
 * accounting.c.  This file holds the paths, the views and the operations
 * (read, write, mkdir, rm, set-perms, domain removal, the consistency
 * check) on top of them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "xsd.h"

struct nodetab xsd_db;
uint64_t xsd_generation;
bool xsd_keep_orphans;
bool xsd_recovery = true;

/* ---- Paths ----------------------------------------------------------- */

bool path_valid(const char *path)
{
	size_t len = strlen(path), off = 0;
	const char *p;

	if (path[0] != '/')
		return false;
	if (len > 1 && path[len - 1] == '/')
		return false;
	if (strstr(path, "//"))
		return false;
	/* The path-max quota applies below /local/domain/<domid>/. */
	if (strncmp(path, "/local/domain/", 14) == 0) {
		p = path + 14;
		while (*p >= '0' && *p <= '9' && p - (path + 14) < 5)
			p++;
		if (p > path + 14 && *p == '/')
			off = (size_t)(p + 1 - path);
	}
	if (len > off + (size_t)xsd_quota.path_max)
		return false;
	return strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "abcdefghijklmnopqrstuvwxyz0123456789-/_@") == len;
}

char *path_canonical(const struct conn *c, const char *path)
{
	char *s;
	size_t len;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (path[0] == '/' || path[0] == '@')
		return strdup(path);
	len = strlen(path) + 32;
	s = malloc(len);
	if (s)
		snprintf(s, len, "/local/domain/%u/%s", c ? c->id : 0, path);
	return s;
}

/* Parent path of an absolute path other than "/", malloc'd. */
static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, path, len);
		p[len] = 0;
	}
	return p;
}

static const char *base_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* ---- Views: the database as one connection sees it -------------------- */

static struct txn *view_txn(const struct conn *c)
{
	return c ? c->txn : NULL;
}

/*
 * Remember a first access in the transaction's overlay.  `cur` is the main
 * table's node (NULL when absent); its content is copied, so that every
 * later look inside the transaction sees the node as it was at this first
 * access, whatever other connections do meanwhile (commit then fails with
 * EAGAIN).  Only touched nodes are copied, never the database.
 */
static struct node *record_access(struct conn *c, struct txn *t,
                                  const char *path, const struct node *cur)
{
	struct node *o;

	if (t->nnodes >= (unsigned)xsd_quota.trans_nodes && !conn_privileged(c)) {
		errno = ENOSPC;
		return NULL;
	}
	o = node_new(path);
	if (!o || (cur && node_fill(o, cur) < 0) || nodetab_put(&t->ov, o) < 0) {
		node_free(o);
		errno = ENOMEM;
		return NULL;
	}
	o->orig_gen = cur ? cur->gen : 0;
	o->tstate = TX_READ;
	t->nnodes++;
	return o;
}

/* Does the overlay entry stand for a node that is not there? */
static bool overlay_absent(const struct node *o)
{
	return o->tstate == TX_DELETED || (o->tstate == TX_READ && !o->orig_gen);
}

/* The node as conn sees it, or NULL with errno ENOENT (or ENOSPC/ENOMEM
 * from the transaction's bookkeeping). */
static struct node *view_lookup(struct conn *c, const char *path)
{
	struct txn *t = view_txn(c);
	struct node *n;

	if (!t) {
		n = nodetab_get(&xsd_db, path);
	} else {
		n = nodetab_get(&t->ov, path);
		if (!n && !(n = record_access(c, t, path,
		                              nodetab_get(&xsd_db, path))))
			return NULL;
		if (overlay_absent(n))
			n = NULL;
	}
	if (!n)
		errno = ENOENT;
	return n;
}

/*
 * Make path's node modifiable and return it.  Outside a transaction this is
 * the main table's node: its accounting is taken out here and put back by
 * view_done().  Inside, it is the overlay's copy (made at first access).
 */
static struct node *view_writable(struct conn *c, const char *path)
{
	struct txn *t = view_txn(c);
	struct node *n = nodetab_get(&xsd_db, path);
	struct node *o;

	if (!t) {
		if (!n) {
			errno = ENOENT;
			return NULL;
		}
		acct_node(n, -1);
		return n;
	}
	o = nodetab_get(&t->ov, path);
	if (!o && !(o = record_access(c, t, path, n)))
		return NULL;
	if (overlay_absent(o)) {
		errno = ENOENT;
		return NULL;
	}
	o->tstate = TX_WRITTEN;
	return o;
}

static void view_done(struct conn *c, struct node *n)
{
	if (view_txn(c))
		return;
	n->gen = ++xsd_generation;
	acct_node(n, 1);
}

/* Add a new node (content taken over from `n`, which is freed). */
static int view_create(struct conn *c, struct node *n)
{
	struct txn *t = view_txn(c);
	struct node *o;
	int ret = -1;

	if (!t) {
		n->gen = ++xsd_generation;
		if (db_insert(n) < 0)
			goto out;
		return 0;
	}
	o = nodetab_get(&t->ov, n->path);
	if (!o && !(o = record_access(c, t, n->path,
	                              nodetab_get(&xsd_db, n->path))))
		goto out;
	if (node_fill(o, n) < 0) {
		t->failed = true;
		errno = ENOMEM;
		goto out;
	}
	o->tstate = TX_WRITTEN;
	t->created++;
	ret = 0;
out:
	node_free(n);
	return ret;
}

static int view_delete(struct conn *c, const char *path)
{
	struct txn *t = view_txn(c);
	struct node *o;

	if (!t) {
		db_remove(path);
		return 0;
	}
	o = nodetab_get(&t->ov, path);
	if (!o && !(o = record_access(c, t, path, nodetab_get(&xsd_db, path))))
		return -1;
	free(o->data);
	free(o->children);
	free(o->perms);
	o->data = o->children = NULL;
	o->perms = NULL;
	o->datalen = o->childlen = o->childcap = o->nperms = 0;
	o->tstate = TX_DELETED;
	t->created--;
	return 0;
}

/* ---- Operations --------------------------------------------------------- */

/*
 * Upstream hides whether a node exists from a domain that may not see its
 * parent: the answer for a missing or forbidden node depends on what the
 * nearest existing ancestor allows.
 */
static int errno_from_parents(struct conn *c, const char *path, int err,
                              unsigned int perm)
{
	char *name = strdup(path), *p;
	struct node *n = NULL;
	int ret = err;

	if (!name)
		return ENOMEM;
	while (strcmp(name, "/") != 0) {
		p = parent_of(name);
		free(name);
		name = p;
		if (!name) {
			ret = ENOMEM;
			goto out;
		}
		n = view_lookup(c, name);
		if (n)
			break;
		if (errno == ENOMEM || errno == ENOSPC) {
			ret = errno;
			goto out;
		}
	}
	if (!n || !(perm_for_conn(c, n->perms, n->nperms) & perm))
		ret = EACCES;
out:
	free(name);
	return ret;
}

struct node *tree_get(struct conn *c, const char *path, unsigned int perm)
{
	struct node *n;

	if (!path || !path_valid(path)) {
		errno = EINVAL;
		return NULL;
	}
	n = view_lookup(c, path);
	if (n) {
		if ((perm_for_conn(c, n->perms, n->nperms) & perm) == perm)
			return n;
		errno = EACCES;
	}
	if (errno != ENOMEM && errno != ENOSPC)
		errno = errno_from_parents(c, path, errno, perm);
	return NULL;
}

static bool over_size(const struct conn *c, unsigned int size)
{
	return !conn_privileged(c) && size >= (unsigned)xsd_quota.node_size;
}

static bool over_memory(const struct conn *c, size_t add)
{
	struct dacct *d;

	if (conn_privileged(c) || !xsd_quota.memory_hard)
		return false;
	d = dacct_get(c->id);
	return d && d->memory + (long)add > xsd_quota.memory_hard;
}

/* Create path and its missing ancestors; the nearest existing ancestor's
 * permissions are inherited, and an unprivileged creator owns the nodes. */
static int create_nodes(struct conn *c, const char *path, const void *data,
                        unsigned int len)
{
	char *names[XENSTORE_ABS_PATH_MAX / 2 + 2];
	unsigned int levels = 0, i;
	struct node *parent = NULL, *n;
	struct xsd_perm *perms = NULL;
	unsigned int nperms;
	struct dacct *d;
	int ret = -1, pending;
	char *name = strdup(path);

	if (!name) {
		errno = ENOMEM;
		return -1;
	}
	/* Walk up to the first existing node; names[0] is path itself. */
	names[levels++] = name;
	for (;;) {
		char *p = parent_of(names[levels - 1]);

		if (!p) {
			errno = ENOMEM;
			goto out;
		}
		parent = view_lookup(c, p);
		if (parent) {
			free(p);
			break;
		}
		if (errno != ENOENT || strcmp(p, "/") == 0) {
			free(p);
			if (errno == ENOENT)
				errno = EIO;    /* no root: cannot happen */
			goto out;
		}
		names[levels++] = p;
	}

	/* Quotas first, so that nothing is half done when one is hit. */
	if (!conn_privileged(c)) {
		d = dacct_get(c->id);
		pending = c->txn ? c->txn->created : 0;
		if (d && (long)d->nodes + pending + levels > (long)xsd_quota.nodes) {
			errno = ENOSPC;
			goto out;
		}
	}
	nperms = parent->nperms;
	if (over_size(c, node_record_size(parent) + strlen(base_of(names[levels - 1])) + 1)
	    || over_size(c, 24 + 8 * nperms + len)) {
		errno = ENOSPC;
		goto out;
	}
	for (i = 1; i < levels; i++) {
		if (over_size(c, 24 + 8 * nperms + strlen(base_of(names[i - 1])) + 1)) {
			errno = ENOSPC;
			goto out;
		}
	}
	if (over_memory(c, strlen(path) * levels + len + 32 * levels)) {
		errno = ENOMEM;
		goto out;
	}
	perms = malloc(nperms * sizeof(*perms));
	if (!perms) {
		errno = ENOMEM;
		goto out;
	}
	memcpy(perms, parent->perms, nperms * sizeof(*perms));
	if (!conn_privileged(c))
		perms[0].id = c->id;

	/* Link the topmost new node into the existing parent. */
	{
		char *pp = parent_of(names[levels - 1]);

		parent = pp ? view_writable(c, pp) : NULL;
		free(pp);
		if (!parent || node_add_child(parent, base_of(names[levels - 1])) < 0) {
			if (parent)
				view_done(c, parent);
			if (c && c->txn)
				c->txn->failed = true;
			errno = ENOMEM;
			goto out;
		}
		view_done(c, parent);
	}
	/* Then create from the top down. */
	for (i = levels; i-- > 0;) {
		n = node_new(names[i]);
		if (!n || node_set_perms(n, perms, nperms) < 0 ||
		    (i > 0 && node_add_child(n, base_of(names[i - 1])) < 0) ||
		    (i == 0 && node_set_data(n, data, len) < 0)) {
			node_free(n);
			if (c && c->txn)
				c->txn->failed = true;
			errno = ENOMEM;
			goto out;
		}
		if (view_create(c, n) < 0)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < levels; i++)
		free(names[i]);
	free(perms);
	return ret;
}

int tree_write(struct conn *c, const char *path, const void *data,
               unsigned int len, bool mkdir_only)
{
	struct node *n = tree_get(c, path, XSD_PERM_WRITE);

	if (!n) {
		if (errno != ENOENT)
			return -1;
		if (create_nodes(c, path, data, len) < 0)
			return -1;
		fire_watches(c, path, false, NULL, 0);
		return 0;
	}
	if (mkdir_only)
		return 0;
	if (over_size(c, node_record_size(n) - n->datalen + len)) {
		errno = ENOSPC;
		return -1;
	}
	if (len > n->datalen && over_memory(c, len - n->datalen)) {
		errno = ENOMEM;
		return -1;
	}
	n = view_writable(c, path);
	if (!n)
		return -1;
	if (node_set_data(n, data, len) < 0) {
		view_done(c, n);
		errno = ENOMEM;
		return -1;
	}
	view_done(c, n);
	fire_watches(c, path, false, NULL, 0);
	return 0;
}

/* Remove path and everything below it, children first, firing watches while
 * each node's permissions are still visible. */
static int rm_subtree(struct conn *c, const char *path, const char *root)
{
	struct node *n = view_lookup(c, path);
	struct xsd_perm *perms = NULL;
	unsigned int off, nperms, clen;
	char *children = NULL, *child = NULL;
	size_t plen = strlen(path);
	int ret = -1;

	if (!n)
		return errno == ENOENT ? 0 : -1;
	/* The walk below may turn n's overlay entry into another state;
	 * work on copies of what we need. */
	clen = n->childlen;
	nperms = n->nperms;
	children = clen ? malloc(clen) : NULL;
	perms = malloc(nperms * sizeof(*perms));
	if ((clen && !children) || !perms) {
		errno = ENOMEM;
		goto out;
	}
	if (clen)
		memcpy(children, n->children, clen);
	memcpy(perms, n->perms, nperms * sizeof(*perms));

	for (off = 0; off < clen; off += strlen(children + off) + 1) {
		size_t blen = strlen(children + off);

		child = malloc(plen + blen + 2);
		if (!child) {
			errno = ENOMEM;
			goto out;
		}
		if (strcmp(path, "/") == 0)
			sprintf(child, "/%s", children + off);
		else
			sprintf(child, "%s/%s", path, children + off);
		if (rm_subtree(c, child, root) < 0)
			goto out;
		free(child);
		child = NULL;
	}
	fire_watches(c, path, strcmp(path, root) != 0, perms, nperms);
	ret = view_delete(c, path);
out:
	free(child);
	free(children);
	free(perms);
	return ret;
}

int tree_rm(struct conn *c, const char *path)
{
	struct node *n = tree_get(c, path, XSD_PERM_WRITE);
	char *parent = NULL;
	struct node *p;
	int ret = -1;

	if (!n) {
		if (errno != ENOENT)
			return -1;
		/* Removing a missing node is fine if its parent exists. */
		parent = parent_of(path);
		if (!parent) {
			errno = ENOMEM;
			return -1;
		}
		p = view_lookup(c, parent);
		if (!p && errno != ENOMEM && errno != ENOSPC)
			errno = ENOENT;
		ret = p ? 0 : -1;
		goto out;
	}
	if (strcmp(path, "/") == 0) {
		errno = EINVAL;
		return -1;
	}
	parent = parent_of(path);
	if (!parent) {
		errno = ENOMEM;
		return -1;
	}
	if (rm_subtree(c, path, path) < 0)
		goto out;
	p = view_writable(c, parent);
	if (!p) {
		if (c && c->txn)
			c->txn->failed = true;
		goto out;
	}
	node_del_child(p, base_of(path));
	view_done(c, p);
	ret = 0;
out:
	free(parent);
	return ret;
}

int tree_set_perms(struct conn *c, const char *path, const struct xsd_perm *p,
                   unsigned int num)
{
	struct node *n = tree_get(c, path, XSD_PERM_WRITE | XSD_PERM_OWNER);
	struct xsd_perm *old = NULL;
	unsigned int nold;
	int ret = -1;

	if (!n)
		return -1;
	/* Unprivileged domains may not give their nodes away. */
	if (!conn_privileged(c) && p[0].id != n->perms[0].id) {
		errno = EPERM;
		return -1;
	}
	if (over_size(c, node_record_size(n) - 8 * n->nperms + 8 * num)) {
		errno = ENOSPC;
		return -1;
	}
	nold = n->nperms;
	old = malloc(nold * sizeof(*old));
	if (!old) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(old, n->perms, nold * sizeof(*old));
	n = view_writable(c, path);
	if (!n)
		goto out;
	if (node_set_perms(n, p, num) < 0) {
		view_done(c, n);
		errno = ENOMEM;
		goto out;
	}
	view_done(c, n);
	fire_watches(c, path, false, old, nold);
	ret = 0;
out:
	free(old);
	return ret;
}

/* Collect paths of nodes owned by domid (top-most only: their subtrees go
 * with them, as upstream skips the children of a removed node). */
static int collect_owned(const char *path, uint32_t domid, char ***list,
                         size_t *n, size_t *cap)
{
	struct node *nd = nodetab_get(&xsd_db, path);
	unsigned int off;
	char *child;
	int ret = 0;

	if (!nd)
		return 0;
	if (nd->perms[0].id == domid && strcmp(path, "/") != 0) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			char **l = realloc(*list, nc * sizeof(*l));

			if (!l)
				return -1;
			*list = l;
			*cap = nc;
		}
		(*list)[*n] = strdup(path);
		if (!(*list)[*n])
			return -1;
		(*n)++;
		return 0;
	}
	for (off = 0; off < nd->childlen && ret == 0;
	     off += strlen(nd->children + off) + 1) {
		child = malloc(strlen(path) + strlen(nd->children + off) + 2);
		if (!child)
			return -1;
		if (strcmp(path, "/") == 0)
			sprintf(child, "/%s", nd->children + off);
		else
			sprintf(child, "%s/%s", path, nd->children + off);
		ret = collect_owned(child, domid, list, n, cap);
		free(child);
	}
	return ret;
}

/* -K: hand the nodes of gone domid under path to the privileged domain. */
static void give_subtree(const char *path, uint32_t domid)
{
	struct node *n = nodetab_get(&xsd_db, path);
	unsigned int off;
	char *child;

	if (!n)
		return;
	if (n->perms[0].id == domid) {
		acct_node(n, -1);
		n->perms[0].id = xsd_priv_domid;
		n->gen = ++xsd_generation;
		acct_node(n, 1);
	}
	for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1) {
		child = malloc(strlen(path) + strlen(n->children + off) + 2);
		if (!child)
			return;
		sprintf(child, "%s/%s", path, n->children + off);
		give_subtree(child, domid);
		free(child);
	}
}

void tree_remove_domain_nodes(uint32_t domid)
{
	struct dacct *d = dacct_get(domid);
	char **list = NULL;
	size_t n = 0, cap = 0, i;

	if (d && d->nodes == 0)
		return;
	if (collect_owned("/", domid, &list, &n, &cap) < 0)
		syslog(LOG_ERR, "out of memory looking for nodes of domain %u",
		       (unsigned)domid);
	for (i = 0; i < n; i++) {
		if (xsd_keep_orphans)
			give_subtree(list[i], domid);
		else if (tree_rm(NULL, list[i]) < 0)
			syslog(LOG_ERR, "cannot remove orphaned node %s", list[i]);
		free(list[i]);
	}
	free(list);
}

/*
 * XSA-322: permissions name domains by id, and ids are reused.  When a
 * domain goes, every entry naming it (other than as owner: those nodes
 * are removed or handed on above) stops counting, so that the next
 * domain given the same id inherits none of its grants.  The entry is
 * flagged rather than removed, as upstream does: the node's permissions
 * do not visibly change, and its generation stays, so no transaction
 * fails because of it.  Open transactions' copies are flagged too, or a
 * commit would bring the grant back.
 */
static void forget_in_table(struct nodetab *t, uint32_t domid)
{
	size_t i;
	unsigned int k;
	struct node *n;

	for (i = 0; i < t->nbuckets; i++)
		for (n = t->b[i]; n; n = n->hnext)
			for (k = 1; k < n->nperms; k++)
				if (n->perms[k].id == domid)
					n->perms[k].perms |= XSD_PERM_IGNORE;
}

void tree_forget_domain_perms(uint32_t domid)
{
	struct conn *c;
	struct txn *t;

	forget_in_table(&xsd_db, domid);
	for (c = xsd_conns; c; c = c->next)
		for (t = c->txns; t; t = t->next)
			forget_in_table(&t->ov, domid);
}

/*
 * The consistency check.  Every node must have permissions, and a parent
 * that exists and lists it; every child a node lists must exist.  Nothing
 * in the protocol can break this (the fuzzer asserts it after each
 * request), so a problem means a bug in the daemon, and CONTROL check is
 * how an administrator looks for one.
 */
enum problem_kind {
	PROBLEM_NONE,
	PROBLEM_NO_PERMS,       /* cannot be repaired: reported only */
	PROBLEM_NO_PARENT,      /* unreachable: removed */
	PROBLEM_UNLISTED,       /* parent does not list it: unreachable, removed */
	PROBLEM_MISSING_CHILD,  /* listed child has no node: entry dropped */
};

struct problem {
	enum problem_kind kind;
	struct node *n;
	const char *child;      /* PROBLEM_MISSING_CHILD: base name, in n */
};

/* Find the first problem in the main table; -1 when out of memory. */
static int find_problem(struct problem *pb)
{
	size_t i;
	unsigned int off;
	struct node *n, *p;
	char *parent, *child;
	bool found;

	pb->kind = PROBLEM_NONE;
	for (i = 0; i < xsd_db.nbuckets; i++) {
		for (n = xsd_db.b[i]; n; n = n->hnext) {
			pb->n = n;
			if (n->nperms == 0) {
				pb->kind = PROBLEM_NO_PERMS;
				return 0;
			}
			if (strcmp(n->path, "/") != 0) {
				parent = parent_of(n->path);
				if (!parent)
					return -1;
				p = nodetab_get(&xsd_db, parent);
				free(parent);
				if (!p) {
					pb->kind = PROBLEM_NO_PARENT;
					return 0;
				}
				found = false;
				for (off = 0; off < p->childlen;
				     off += strlen(p->children + off) + 1)
					if (strcmp(p->children + off, base_of(n->path)) == 0)
						found = true;
				if (!found) {
					pb->kind = PROBLEM_UNLISTED;
					return 0;
				}
			}
			for (off = 0; off < n->childlen;
			     off += strlen(n->children + off) + 1) {
				child = malloc(strlen(n->path) + strlen(n->children + off) + 2);
				if (!child)
					return -1;
				sprintf(child, "%s/%s", strcmp(n->path, "/") ? n->path : "",
				        n->children + off);
				p = nodetab_get(&xsd_db, child);
				free(child);
				if (!p) {
					pb->kind = PROBLEM_MISSING_CHILD;
					pb->child = n->children + off;
					return 0;
				}
			}
		}
	}
	return 0;
}

static void describe_problem(const struct problem *pb, char *msg, size_t msglen)
{
	switch (pb->kind) {
	case PROBLEM_NONE:
		snprintf(msg, msglen, "consistent");
		break;
	case PROBLEM_NO_PERMS:
		snprintf(msg, msglen, "%s has no permissions", pb->n->path);
		break;
	case PROBLEM_NO_PARENT:
		snprintf(msg, msglen, "%s has no parent", pb->n->path);
		break;
	case PROBLEM_UNLISTED:
		snprintf(msg, msglen, "%s not listed in its parent", pb->n->path);
		break;
	case PROBLEM_MISSING_CHILD:
		snprintf(msg, msglen, "%s lists missing child %s", pb->n->path,
		         pb->child);
		break;
	}
}

int tree_check(char *msg, size_t msglen)
{
	struct problem pb;

	if (find_problem(&pb) < 0) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	describe_problem(&pb, msg, msglen);
	return pb.kind == PROBLEM_NONE ? 0 : -1;
}

/*
 * Repair one problem the way upstream's store check does: what no parent
 * reaches is removed (its own children then have no parent and go in a
 * later round), a child entry without a node is dropped from the list.
 * Returns false for a problem that cannot be repaired.
 */
static bool repair_problem(const struct problem *pb)
{
	struct node *n = pb->n;
	char *base;

	switch (pb->kind) {
	case PROBLEM_NO_PARENT:
	case PROBLEM_UNLISTED:
		db_remove(n->path);
		return true;
	case PROBLEM_MISSING_CHILD:
		/* pb->child points into the list being edited. */
		base = strdup(pb->child);
		if (!base)
			return false;
		acct_node(n, -1);
		node_del_child(n, base);
		n->gen = ++xsd_generation;  /* open transactions must notice */
		acct_node(n, 1);
		free(base);
		return true;
	default:
		return false;
	}
}

int tree_check_store(void)
{
	struct problem pb;
	char msg[256];
	int found = 0;

	for (;;) {
		if (find_problem(&pb) < 0) {
			xsd_log("store check: out of memory");
			break;
		}
		if (pb.kind == PROBLEM_NONE)
			break;
		found++;
		describe_problem(&pb, msg, sizeof(msg));
		if (!xsd_recovery) {
			xsd_log("store check: %s (not repaired: -R)", msg);
			break;
		}
		xsd_log("store check: %s: repaired", msg);
		/* Each repair removes a node or a child entry, so this ends. */
		if (!repair_problem(&pb)) {
			xsd_log("store check: %s: cannot repair", msg);
			break;
		}
	}
	return found;
}

static int init_node(const char *path, const char *child)
{
	struct xsd_perm perm = { 0, XSD_PERM_NONE };
	struct node *n = node_new(path);

	if (!n || node_set_perms(n, &perm, 1) < 0 ||
	    (child && node_add_child(n, child) < 0)) {
		node_free(n);
		return -1;
	}
	n->gen = ++xsd_generation;
	if (db_insert(n) < 0) {
		node_free(n);
		return -1;
	}
	return 0;
}

int tree_init(void)
{
	tree_fini();
	if (init_node("/", "tool") < 0 || init_node("/tool", "xenstored") < 0 ||
	    init_node("/tool/xenstored", NULL) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void tree_fini(void)
{
	nodetab_free(&xsd_db);
	dacct_free_all();
}

