/*
 * ctrl_xenfs.c - facts about the domain we run in, from xenfs: is this
 * Xen, is this Dom0, and Dom0's own xenstore ring, which the kernel set up
 * at boot for the xenstore daemon to serve.  Thin wrappers over privcmd,
 * for daemons that include libctrl.h only.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ctrl_internal.h"

bool
ctrl_xen_present(void)
{
	return pc_xen_present();
}

bool
ctrl_is_control_domain(void)
{
	return pc_is_control_domain();
}

int
ctrl_ring_dom0_xenstore(struct ctrl_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->page = pc_xsd_kva_map();
	if (r->page == NULL)
		return -1;
	/* Mapped from xenfs like a foreign page: ctrl_ring_unmap munmaps. */
	r->domid = 0;
	r->by_grant = false;
	return 0;
}

int
ctrl_dom0_xenstore_port(void)
{
	return pc_xsd_port();
}
