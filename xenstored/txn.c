/*
 * txn.c - transactions.
 *
 * Transactions never copy the database.  Each has an overlay table
 * (struct txn.ov) of only the nodes it touched: TX_READ entries hold a
 * copy of the node as it was when first looked at and its generation then
 * (0 when it did not exist), so that the transaction keeps reading what it
 * first saw even after another connection changed the node (upstream's
 * test-xenstore "ta err" checks this); TX_WRITTEN entries hold the new
 * content, TX_DELETED ones mark removals.  Commit fails with EAGAIN when any touched node's generation
 * in the main table differs from the one remembered; otherwise the overlay
 * is moved in and the watch events held back (struct pending_watch) fire.
 * The overlay is filled by tree.c's view functions.
 */
#include "config.h"

#include <stdlib.h>
#include <syslog.h>

#include "xsd.h"

unsigned int xsd_open_txns;

struct txn *txn_new(struct conn *c)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->watches_tail = &t->watches;
	/* Ids are never 0 (that means "no transaction") nor in use. */
	do {
		t->id = ++c->next_txid;
	} while (t->id == 0 || txn_find(c, t->id));
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	xsd_open_txns++;
	return t;
}

struct txn *txn_find(const struct conn *c, uint32_t id)
{
	struct txn *t;

	for (t = c->txns; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static void txn_free(struct txn *t)
{
	struct pending_watch *w, *next;

	nodetab_free(&t->ov);
	for (w = t->watches; w; w = next) {
		next = w->next;
		free(w->perms);
		free(w);
	}
	free(t);
}

static void txn_unlink(struct conn *c, struct txn *t)
{
	struct txn **pp;

	for (pp = &c->txns; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			c->ntxns--;
			xsd_open_txns--;
			return;
		}
	}
}

/* Does anything the transaction touched look different now? */
static bool txn_conflicts(const struct txn *t)
{
	size_t i;
	struct node *o, *cur;

	for (i = 0; i < t->ov.nbuckets; i++) {
		for (o = t->ov.b[i]; o; o = o->hnext) {
			cur = nodetab_get(&xsd_db, o->path);
			if ((cur ? cur->gen : 0) != o->orig_gen)
				return true;
		}
	}
	return false;
}

static void txn_apply(struct txn *t)
{
	size_t i;
	struct node *o;

	for (i = 0; i < t->ov.nbuckets; i++) {
		while ((o = t->ov.b[i])) {
			t->ov.b[i] = o->hnext;
			o->hnext = NULL;
			if (o->tstate == TX_READ) {
				node_free(o);
				continue;
			}
			db_remove(o->path);
			if (o->tstate == TX_DELETED) {
				node_free(o);
				continue;
			}
			o->tstate = 0;
			o->orig_gen = 0;
			o->gen = ++xsd_generation;
			if (db_insert(o) < 0) {
				syslog(LOG_ERR, "out of memory committing %s", o->path);
				node_free(o);
			}
		}
	}
	t->ov.count = 0;
}

int txn_end(struct conn *c, struct txn *t, bool commit)
{
	struct pending_watch *w;
	struct dacct *d;
	int ret = 0;

	txn_unlink(c, t);
	if (!commit)
		goto out;
	if (t->failed) {
		ret = ENOMEM;
		goto out;
	}
	if (t->aborted) {
		ret = EAGAIN;
		goto out;
	}
	if (txn_conflicts(t)) {
		ret = EAGAIN;
		goto out;
	}
	d = dacct_get(c->id);
	if (!conn_privileged(c) && t->created > 0 && d &&
	    (long)d->nodes + t->created >= (long)xsd_quota.nodes) {
		ret = ENOSPC;
		goto out;
	}
	txn_apply(t);
	/* Watches were held back until now (c->txn is no longer t). */
	for (w = t->watches; w; w = w->next)
		fire_watches(c, w->path, w->exact, w->perms, w->nperms);
out:
	txn_free(t);
	return ret;
}

struct txn *txn_restore(struct conn *c, uint32_t id)
{
	struct txn *t;

	if (id == 0 || txn_find(c, id))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->watches_tail = &t->watches;
	t->id = id;
	t->aborted = true;
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	return t;
}

void txn_free_all(struct conn *c)
{
	struct txn *t;

	while ((t = c->txns)) {
		c->txns = t->next;
		txn_free(t);
		xsd_open_txns--;
	}
	c->ntxns = 0;
}
