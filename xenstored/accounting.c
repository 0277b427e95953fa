/*
 * accounting.c - what each domain owns: nodes, bytes, watches.
 *
 * A node is charged to its owner (perms[0].id) while it sits in the main
 * table, so every insert into and removal from xsd_db goes through
 * db_insert()/db_remove() here.  Records (struct dacct, xsd.h) live in a
 * direct table indexed by domid: ids are 16 bits on every Xen interface,
 * and a lookup on each request must be cheap.  The quotas compared against
 * these counts are in quota.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "xsd.h"

/* Direct table: domids are 16 bits on the wire of every Xen interface. */
static struct dacct *dacct_tab[65536];

struct dacct *dacct_get(uint32_t domid)
{
	if (domid >= 65536)
		return NULL;
	if (!dacct_tab[domid])
		dacct_tab[domid] = calloc(1, sizeof(struct dacct));
	return dacct_tab[domid];
}

struct dacct *dacct_peek(uint32_t domid)
{
	return domid < 65536 ? dacct_tab[domid] : NULL;
}

void acct_node(const struct node *n, int sign)
{
	struct dacct *d = dacct_get(n->perms[0].id);

	if (!d)
		return;
	d->nodes += sign;
	d->memory += sign * (long)(strlen(n->path) + node_record_size(n));
	/* Charged again means: now in the main table as it is (journal.c). */
	if (sign > 0)
		journal_node((struct node *)n);  /* its journal fields only */
	if (sign > 0 && xsd_quota.memory_soft &&
	    d->memory > xsd_quota.memory_soft && !d->soft_warned) {
		d->soft_warned = true;
		syslog(LOG_WARNING, "domain %u exceeds soft memory quota (%ld bytes)",
		       (unsigned)n->perms[0].id, d->memory);
	}
}

/* Main table insert/remove keeping the owner's accounting right. */
int db_insert(struct node *n)
{
	if (nodetab_put(&xsd_db, n) < 0)
		return -1;
	acct_node(n, 1);
	return 0;
}

void db_remove(const char *path)
{
	struct node *n = nodetab_take(&xsd_db, path);

	if (n) {
		acct_node(n, -1);
		node_free(n);
		journal_del(path);
	}
}

void dacct_free_all(void)
{
	size_t i;

	for (i = 0; i < 65536; i++) {
		free(dacct_tab[i]);
		dacct_tab[i] = NULL;
	}
}
