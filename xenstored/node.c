/*
 * node.c - one node record: path, data, permissions and children.
 *
 * The children list is upstream's wire format (base names, each
 * NUL-terminated, in creation order), so DIRECTORY replies copy it as is.
 * Records know nothing of the table they sit in nor of accounting; see
 * struct node in xsd.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xsd.h"

struct node *node_new(const char *path)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strdup(path);
	if (!n->path) {
		free(n);
		return NULL;
	}
	return n;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->perms);
	free(n->data);
	free(n->children);
	free(n);
}

int node_set_data(struct node *n, const void *data, unsigned int len)
{
	char *d = NULL;

	if (len) {
		d = malloc(len);
		if (!d)
			return -1;
		memcpy(d, data, len);
	}
	free(n->data);
	n->data = d;
	n->datalen = len;
	return 0;
}

int node_set_perms(struct node *n, const struct xsd_perm *p, unsigned int num)
{
	struct xsd_perm *np = malloc(num * sizeof(*np));

	if (!np)
		return -1;
	memcpy(np, p, num * sizeof(*np));
	free(n->perms);
	n->perms = np;
	n->nperms = num;
	return 0;
}

/* Copy everything but the hash chain and overlay state. */
int node_fill(struct node *dst, const struct node *src)
{
	dst->gen = src->gen;
	if (node_set_perms(dst, src->perms, src->nperms) < 0 ||
	    node_set_data(dst, src->data, src->datalen) < 0)
		return -1;
	free(dst->children);
	dst->children = NULL;
	dst->childlen = dst->childcap = 0;
	if (src->childlen) {
		dst->children = malloc(src->childlen);
		if (!dst->children)
			return -1;
		memcpy(dst->children, src->children, src->childlen);
		dst->childlen = dst->childcap = src->childlen;
	}
	return 0;
}

struct node *node_copy(const struct node *n)
{
	struct node *c = node_new(n->path);

	if (!c)
		return NULL;
	if (node_fill(c, n) < 0) {
		node_free(c);
		return NULL;
	}
	return c;
}

int node_add_child(struct node *n, const char *base)
{
	size_t len = strlen(base) + 1;

	if (n->childlen + len > n->childcap) {
		size_t cap = n->childcap ? n->childcap * 2 : 64;
		char *c;

		while (cap < n->childlen + len)
			cap *= 2;
		c = realloc(n->children, cap);
		if (!c)
			return -1;
		n->children = c;
		n->childcap = cap;
	}
	memcpy(n->children + n->childlen, base, len);
	n->childlen += len;
	return 0;
}

void node_del_child(struct node *n, const char *base)
{
	unsigned int off = 0;

	while (off < n->childlen) {
		unsigned int len = strlen(n->children + off) + 1;

		if (strcmp(n->children + off, base) == 0) {
			memmove(n->children + off, n->children + off + len,
			        n->childlen - off - len);
			n->childlen -= len;
			return;
		}
		off += len;
	}
}

/* Upstream's record: 24-byte header, 8 bytes per permission, data, children. */
unsigned int node_record_size(const struct node *n)
{
	return 24 + 8 * n->nperms + n->datalen + n->childlen;
}
