/*
 * hashtab.c - the chained hash table of nodes, keyed by full path.
 *
 * One table (xsd_db) holds the whole database and each transaction has a
 * small one for its overlay (struct txn.ov), so lookups cost one hash of
 * the path whatever the tree's size.  The table doubles when it holds as
 * many nodes as buckets; chains link through node->hnext.  Data
 * structures: struct nodetab and struct node in xsd.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static uint32_t path_hash(const char *s)
{
	/* FNV-1a: cheap and spreads paths sharing long prefixes well. */
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

struct node *nodetab_get(const struct nodetab *t, const char *path)
{
	uint32_t h;
	struct node *n;

	if (!t->nbuckets)
		return NULL;
	h = path_hash(path);
	for (n = t->b[h & (t->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == h && strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static int nodetab_grow(struct nodetab *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : 64;
	struct node **b = calloc(nb, sizeof(*b));
	size_t i;

	if (!b)
		return -1;
	for (i = 0; i < t->nbuckets; i++) {
		struct node *n = t->b[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(t->b);
	t->b = b;
	t->nbuckets = nb;
	return 0;
}

int nodetab_put(struct nodetab *t, struct node *n)
{
	struct node **slot;

	if (t->count >= t->nbuckets && nodetab_grow(t) < 0) {
		errno = ENOMEM;
		return -1;
	}
	n->hash = path_hash(n->path);
	slot = &t->b[n->hash & (t->nbuckets - 1)];
	n->hnext = *slot;
	*slot = n;
	t->count++;
	return 0;
}

struct node *nodetab_take(struct nodetab *t, const char *path)
{
	uint32_t h;
	struct node **pp, *n;

	if (!t->nbuckets)
		return NULL;
	h = path_hash(path);
	for (pp = &t->b[h & (t->nbuckets - 1)]; (n = *pp); pp = &n->hnext) {
		if (n->hash == h && strcmp(n->path, path) == 0) {
			*pp = n->hnext;
			n->hnext = NULL;
			t->count--;
			return n;
		}
	}
	return NULL;
}

void nodetab_free(struct nodetab *t)
{
	size_t i;

	for (i = 0; i < t->nbuckets; i++) {
		struct node *n = t->b[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			node_free(n);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}
