/*
 * watch.c - watches, and the special nodes @introduceDomain and
 * @releaseDomain.
 *
 * A connection's watches (struct watch, xsd.h) are a list of a path, a
 * token and, for a relative watch, how many characters to strip from event
 * paths.  A change fires every watch on the path or above it, on every
 * connection that may read the node (or could before the change: the old
 * permissions come along).  Inside a transaction nothing fires: events
 * wait in the transaction (struct pending_watch) and go out on commit.
 *
 * The special nodes have permissions but no node in the tree; they live
 * here, in `specials`, because only watches and SET_PERMS see them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* ---- Special watch nodes ----------------------------------------------- */

/* @introduceDomain and @releaseDomain have permissions but no node. */
static struct special {
	const char *name;
	struct xsd_perm *p;
	unsigned int n;
} specials[] = {
	{ "@introduceDomain", NULL, 0 },
	{ "@releaseDomain", NULL, 0 },
};
static struct xsd_perm special_default = { 0, XSD_PERM_NONE };

static struct special *special_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		if (strcmp(specials[i].name, name) == 0) {
			if (!specials[i].p) {
				specials[i].p = &special_default;
				specials[i].n = 1;
			}
			return &specials[i];
		}
	}
	return NULL;
}

static bool special_readable(const struct conn *c, const char *name)
{
	struct special *s = special_find(name);

	return s && (perm_for_conn(c, s->p, s->n) & XSD_PERM_READ);
}

/* SET_PERMS on a special node: needs write and owner rights on it.  On
 * success (0) the node owns perms. */
int special_set_perms(struct conn *c, const char *name, struct xsd_perm *perms,
                      unsigned int num)
{
	struct special *sp = special_find(name);

	if (!sp)
		return EINVAL;
	if ((perm_for_conn(c, sp->p, sp->n) & (XSD_PERM_WRITE | XSD_PERM_OWNER))
	    != (XSD_PERM_WRITE | XSD_PERM_OWNER))
		return EACCES;
	if (sp->p != &special_default)
		free(sp->p);
	sp->p = perms;
	sp->n = num;
	journal_mark_specials();
	return 0;
}

bool special_get(unsigned int i, const char **name, const struct xsd_perm **p,
                 unsigned int *n)
{
	struct special *sp;

	if (i >= sizeof(specials) / sizeof(specials[0]))
		return false;
	sp = special_find(specials[i].name);
	*name = sp->name;
	*p = sp->p;
	*n = sp->n;
	return true;
}

int special_restore(const char *name, struct xsd_perm *p, unsigned int n)
{
	struct special *sp = special_find(name);

	if (!sp || !n)
		return -1;
	if (sp->p != &special_default)
		free(sp->p);
	sp->p = p;
	sp->n = n;
	return 0;
}

/* ---- Watches ------------------------------------------------------------ */

/* Is child path equal to or below parent? "/" is above everything. */
static bool is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return true;
	if (strncmp(child, parent, len) != 0)
		return false;
	return child[len] == '/' || child[len] == 0;
}

/* A watcher hears about a node it (or whose parent it) may read, or that it
 * could read before a permission change or removal. */
static bool watch_permitted(const struct conn *c, const char *path,
                            const struct xsd_perm *perms, unsigned int nperms)
{
	struct node *n, *p;
	char *parent, *slash;
	bool ok = false;

	if (perms && (perm_for_conn(c, perms, nperms) & XSD_PERM_READ))
		return true;
	n = nodetab_get(&xsd_db, path);
	if (!n)
		return false;
	if (perm_for_conn(c, n->perms, n->nperms) & XSD_PERM_READ)
		return true;
	parent = strdup(path);
	if (!parent)
		return false;
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	p = nodetab_get(&xsd_db, parent);
	ok = p && (perm_for_conn(c, p->perms, p->nperms) & XSD_PERM_READ);
	free(parent);
	return ok;
}

static void queue_watch(struct txn *t, const char *path, bool exact,
                        const struct xsd_perm *perms, unsigned int nperms)
{
	size_t len = strlen(path) + 1;
	struct pending_watch *w = calloc(1, sizeof(*w) + len);

	if (!w) {
		t->failed = true;
		return;
	}
	memcpy(w->path, path, len);
	w->exact = exact;
	if (perms && nperms) {
		w->perms = malloc(nperms * sizeof(*perms));
		if (!w->perms) {
			free(w);
			t->failed = true;
			return;
		}
		memcpy(w->perms, perms, nperms * sizeof(*perms));
		w->nperms = nperms;
	}
	*t->watches_tail = w;
	t->watches_tail = &w->next;
}

void fire_watches(struct conn *c, const char *path, bool exact,
                  const struct xsd_perm *perms, unsigned int nperms)
{
	struct conn *i;
	struct watch *w;
	const char *p;
	bool checked, ok;

	/* Inside a transaction, events wait for a successful commit. */
	if (c && c->txn) {
		queue_watch(c->txn, path, exact, perms, nperms);
		return;
	}
	for (i = xsd_conns; i; i = i->next) {
		if (i->dead || i->ignored)
			continue;
		checked = ok = false;
		for (w = i->watches; w; w = w->next) {
			if (exact ? strcmp(path, w->path) != 0 : !is_child(path, w->path))
				continue;
			/* Permission checks only for connections that would hear. */
			if (!checked) {
				ok = path[0] == '@' ? special_readable(i, path)
				                    : watch_permitted(i, path, perms, nperms);
				checked = true;
			}
			if (!ok)
				break;
			p = path;
			if (w->rel_off && strlen(path) >= w->rel_off) {
				p += w->rel_off;
				if (*p == '/')
					p++;
			}
			send_event(i, p, w->token, c);
		}
	}
}

void fire_special(const char *name)
{
	fire_watches(NULL, name, true, NULL, 0);
}

static void watch_free(struct conn *c, struct watch *w)
{
	struct dacct *d = dacct_get(c->id);

	if (d) {
		d->watches--;
		d->memory -= (long)(strlen(w->path) + strlen(w->token));
	}
	free(w->path);
	free(w->token);
	free(w);
	c->nwatches--;
}

void watch_free_all(struct conn *c)
{
	struct watch *w;

	while ((w = c->watches)) {
		c->watches = w->next;
		watch_free(c, w);
	}
}

/* Forget a gone domain in the special nodes' permissions, as upstream. */
void special_forget_domain(uint32_t domid)
{
	size_t i;
	unsigned int cur, n;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		struct special *s = &specials[i];

		if (!s->p || s->p == &special_default)
			continue;
		if (s->p[0].id == domid)
			s->p[0].id = xsd_priv_domid;
		for (cur = n = 1; cur < s->n; cur++)
			if (s->p[cur].id != domid)
				s->p[n++] = s->p[cur];
		s->n = n;
	}
	journal_mark_specials();
}

int watch_restore(struct conn *c, const char *path, const char *token,
                  size_t rel_off)
{
	struct watch *w = calloc(1, sizeof(*w)), **tail;
	struct dacct *d;

	if (!w || !(w->path = strdup(path)) || !(w->token = strdup(token))) {
		if (w)
			free(w->path);
		free(w);
		return -1;
	}
	w->rel_off = rel_off <= strlen(path) ? rel_off : 0;
	/* Keep the order they had: events go out in registration order. */
	for (tail = &c->watches; *tail; tail = &(*tail)->next)
		;
	*tail = w;
	c->nwatches++;
	d = dacct_get(c->id);
	if (d) {
		d->watches++;
		d->memory += (long)(strlen(w->path) + strlen(w->token));
	}
	return 0;
}

/* ---- Handlers ------------------------------------------------------------ */

/* <path>|<token>|: fires once at once, then on every change at or below. */
int do_watch(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[2];
	char *path = NULL;
	struct watch *w = NULL, **tail;
	struct dacct *d;
	bool relative;
	int ret = 0;

	if (get_strings(p, len, vec, 2) != 2)
		return EINVAL;
	if (vec[0][0] == '@') {
		relative = false;
		if (strlen(vec[0]) > XENSTORE_REL_PATH_MAX)
			return EINVAL;
	} else {
		relative = vec[0][0] != '/';
	}
	path = path_canonical(c, vec[0]);
	if (!path)
		return ENOMEM;
	if (path[0] != '@' && !path_valid(path)) {
		ret = EINVAL;
		goto out;
	}
	for (tail = &c->watches; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->path, path) == 0 &&
		    strcmp((*tail)->token, vec[1]) == 0) {
			ret = EEXIST;
			goto out;
		}
	}
	/* Upstream counts the watches of ring connections (domains) only. */
	if (c->is_domain && c->nwatches > (unsigned)xsd_quota.watches) {
		ret = E2BIG;
		goto out;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->token = strdup(vec[1]))) {
		ret = ENOMEM;
		goto out;
	}
	w->path = path;
	path = NULL;
	if (relative) {
		char prefix[32];

		w->rel_off = (size_t)snprintf(prefix, sizeof(prefix),
		                              "/local/domain/%u", c->id);
	}
	*tail = w;
	c->nwatches++;
	d = dacct_get(c->id);
	if (d) {
		d->watches++;
		d->memory += (long)(strlen(w->path) + strlen(w->token));
	}
	send_ack(c);
	send_event(c, relative ? vec[0] : w->path, w->token, NULL);
	w = NULL;
out:
	if (w) {
		free(w->token);
		free(w);
	}
	free(path);
	return ret;
}

int do_unwatch(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[2];
	char *path;
	struct watch **pp, *w;
	int ret = ENOENT;

	if (get_strings(p, len, vec, 2) != 2)
		return EINVAL;
	path = path_canonical(c, vec[0]);
	if (!path)
		return ENOMEM;
	for (pp = &c->watches; (w = *pp); pp = &w->next) {
		if (strcmp(w->path, path) == 0 && strcmp(w->token, vec[1]) == 0) {
			*pp = w->next;
			watch_free(c, w);
			send_ack(c);
			ret = 0;
			break;
		}
	}
	free(path);
	return ret;
}

int do_reset_watches(struct conn *c, const char *p, unsigned int len)
{
	watch_free_all(c);
	c->txn = NULL;
	txn_free_all(c);
	send_ack(c);
	return 0;
}
