/*
 * perms.c - node permissions: who may do what, and the wire format.
 *
 * A node's permissions are an array (struct xsd_perm, xsd.h): entry 0
 * names the owner, who may do everything, and the access of every domain
 * not listed; later entries grant one domain its own access.  Dom0, the
 * --priv-domid domain and a domain's SET_TARGET device model have all
 * rights.  On the wire each entry is "<n|r|w|b><domid>".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "strnum.h"
#include "xsd.h"

/* Domain that owns privileged (tool) rights besides dom0 (--priv-domid). */
uint32_t xsd_priv_domid;

unsigned int perm_for_conn(const struct conn *c, const struct xsd_perm *p,
                           unsigned int n)
{
	const unsigned int all = XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
	unsigned int i;

	if (!c || conn_privileged(c) || p[0].id == c->id ||
	    (c->has_target && p[0].id == c->target))
		return all;
	for (i = 1; i < n; i++)
		if (!(p[i].perms & XSD_PERM_IGNORE) &&
		    (p[i].id == c->id || (c->has_target && p[i].id == c->target)))
			return p[i].perms & all;
	return p[0].perms & all;
}

/*
 * One "<r|w|b|n><domid>" string.  The domain id is decimal 0..65535, the
 * range of a domid on every Xen interface: no sign, no hex or octal, no
 * blanks, nothing after it ("r-1" used to become domain 4294967295).
 */
int perm_parse(const char *s, struct xsd_perm *perm)
{
	uint64_t id;

	switch (s[0]) {
	case 'r': perm->perms = XSD_PERM_READ; break;
	case 'w': perm->perms = XSD_PERM_WRITE; break;
	case 'b': perm->perms = XSD_PERM_READ | XSD_PERM_WRITE; break;
	case 'n': perm->perms = XSD_PERM_NONE; break;
	default: return -1;
	}
	if (strnum_u64(s + 1, 10, 0, UINT16_MAX, &id) < 0)
		return -1;
	perm->id = (uint32_t)id;
	return 0;
}

char *perm_format(const struct xsd_perm *p, unsigned int n, size_t *len)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };
	/* A letter, at most 10 digits of an unsigned 32-bit id, the NUL. */
	char *buf = malloc(n * 16 + 1);
	size_t used = 0;
	unsigned int i;

	if (!buf)
		return NULL;
	for (i = 0; i < n; i++)
		used += (size_t)sprintf(buf + used, "%c%i", letter[p[i].perms & 3],
		                        (int)p[i].id) + 1;
	*len = used;
	return buf;
}
