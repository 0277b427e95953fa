/*
 * dump.c - the daemon's state as a JSON document (--dump-state FILE).
 *
 * For debugging and tests: every node in tree order with its permissions,
 * value and children, the per-domain accounting and the connections with
 * their watches.  Written on SIGUSR1 and at exit, to FILE.tmp then renamed,
 * so a reader never sees half a document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "xsd.h"

static json_object *node_json(const struct node *n)
{
	json_object *o = json_object_new_object(), *perms, *children;
	unsigned int i, off;
	char buf[24];

	static const char letter[] = { 'n', 'r', 'w', 'b' };

	json_object_object_add(o, "path", json_object_new_string(n->path));
	json_object_object_add(o, "generation", json_object_new_int64((int64_t)n->gen));
	perms = json_object_new_array();
	for (i = 0; i < n->nperms; i++) {
		snprintf(buf, sizeof(buf), "%c%u", letter[n->perms[i].perms & 3],
		         n->perms[i].id);
		json_object_array_add(perms, json_object_new_string(buf));
	}
	json_object_object_add(o, "perms", perms);
	json_object_object_add(o, "value",
	                       json_object_new_string_len(n->data ? n->data : "",
	                                                  (int)n->datalen));
	children = json_object_new_array();
	for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1)
		json_object_array_add(children,
		                      json_object_new_string(n->children + off));
	json_object_object_add(o, "children", children);
	return o;
}

/* Depth-first in children order, so dumps of equal trees are equal. */
static void add_subtree(json_object *arr, const char *path)
{
	const struct node *n = nodetab_get(&xsd_db, path);
	unsigned int off;
	char *child;

	if (!n)
		return;
	json_object_array_add(arr, node_json(n));
	for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1) {
		child = malloc(strlen(path) + strlen(n->children + off) + 2);
		if (!child)
			return;
		sprintf(child, "%s/%s", strcmp(path, "/") ? path : "",
		        n->children + off);
		add_subtree(arr, child);
		free(child);
	}
}

int xsd_dump_state(const char *file)
{
	json_object *root = json_object_new_object(), *nodes, *conns, *doms;
	const struct conn *c;
	const struct watch *w;
	char *tmp = NULL;
	uint32_t id;
	int ret = -1;

	if (!root)
		return -1;
	json_object_object_add(root, "generation",
	                       json_object_new_int64((int64_t)xsd_generation));
	nodes = json_object_new_array();
	add_subtree(nodes, "/");
	json_object_object_add(root, "nodes", nodes);

	doms = json_object_new_array();
	for (id = 0; id < 65536; id++) {
		struct dacct *d = dacct_peek(id);
		json_object *o;

		if (!d || (!d->nodes && !d->watches))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "domid", json_object_new_int((int)id));
		json_object_object_add(o, "nodes", json_object_new_int((int)d->nodes));
		json_object_object_add(o, "watches", json_object_new_int((int)d->watches));
		json_object_object_add(o, "memory", json_object_new_int64(d->memory));
		json_object_object_add(o, "introduced",
		                       json_object_new_boolean(domain_is_introduced(id)));
		json_object_array_add(doms, o);
	}
	json_object_object_add(root, "domains", doms);

	conns = json_object_new_array();
	for (c = xsd_conns; c; c = c->next) {
		json_object *o = json_object_new_object(), *wl = json_object_new_array();

		json_object_object_add(o, "domid", json_object_new_int((int)c->id));
		json_object_object_add(o, "transport", json_object_new_string(c->ops->name));
		json_object_object_add(o, "transactions", json_object_new_int((int)c->ntxns));
		json_object_object_add(o, "queued_replies",
		                       json_object_new_int((int)c->outstanding));
		for (w = c->watches; w; w = w->next) {
			json_object *wo = json_object_new_object();

			json_object_object_add(wo, "path", json_object_new_string(w->path));
			json_object_object_add(wo, "token", json_object_new_string(w->token));
			json_object_array_add(wl, wo);
		}
		json_object_object_add(o, "watches", wl);
		json_object_array_add(conns, o);
	}
	json_object_object_add(root, "connections", conns);

	tmp = malloc(strlen(file) + 5);
	if (!tmp)
		goto out;
	sprintf(tmp, "%s.tmp", file);
	if (json_object_to_file_ext(tmp, root, JSON_C_TO_STRING_PRETTY |
	                                       JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
		goto out;
	if (rename(tmp, file) < 0) {
		remove(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	json_object_put(root);
	return ret;
}
