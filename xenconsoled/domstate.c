/*
 * domstate.c - list domains with XEN_SYSCTL_getdomaininfolist.
 *
 * The hypervisor writes into the buffers we pass by address, so both the
 * sysctl struct and the result array come from pc_buf_alloc (resident,
 * not shared with a forked child).  Domains are fetched in batches,
 * restarting each batch after the last domid seen.
 */
#include "config.h"

#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

#include "privcmd.h"
#include "domstate.h"

#define BATCH 128

int
cd_dom_list(struct pc_handle *pc, struct cd_dom **out, size_t *n)
{
	struct xen_sysctl *sc = NULL;
	struct xen_domctl_getdomaininfo *info = NULL;
	struct cd_dom *list = NULL, *grown;
	size_t count = 0, i;
	uint32_t next = 0;
	long r;
	int rc = -1, saved = 0;

	sc = pc_buf_alloc(pc, sizeof(*sc));
	info = pc_buf_alloc(pc, BATCH * sizeof(*info));
	if (sc == NULL || info == NULL) {
		saved = errno;
		goto out;
	}
	for (;;) {
		memset(sc, 0, sizeof(*sc));
		sc->cmd = XEN_SYSCTL_getdomaininfolist;
		sc->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
		sc->u.getdomaininfolist.first_domain = (domid_t)next;
		sc->u.getdomaininfolist.max_domains = BATCH;
		set_xen_guest_handle(sc->u.getdomaininfolist.buffer, info);
		r = pc_hypercall(pc, __HYPERVISOR_sysctl,
		    (uint64_t)(uintptr_t)sc, 0, 0, 0, 0);
		if (r < 0) {
			saved = errno;
			goto out;
		}
		if (sc->u.getdomaininfolist.num_domains == 0)
			break;
		grown = realloc(list, (count + BATCH) * sizeof(*list));
		if (grown == NULL) {
			saved = errno;
			goto out;
		}
		list = grown;
		for (i = 0; i < sc->u.getdomaininfolist.num_domains &&
		    i < BATCH; i++) {
			list[count].domid = info[i].domain;
			list[count].dying = (info[i].flags & XEN_DOMINF_dying);
			list[count].shutdown =
			    (info[i].flags & XEN_DOMINF_shutdown);
			count++;
			next = (uint32_t)info[i].domain + 1;
		}
		if (sc->u.getdomaininfolist.num_domains < BATCH ||
		    next >= DOMID_FIRST_RESERVED)
			break;
	}
	*out = list;
	*n = count;
	list = NULL;
	rc = 0;
out:
	if (sc != NULL)
		pc_buf_free(pc, sc, sizeof(*sc));
	if (info != NULL)
		pc_buf_free(pc, info, BATCH * sizeof(*info));
	free(list);
	if (rc == -1)
		errno = saved;
	return rc;
}
