/*
 * ctrl_trigger.c - XEN_DOMCTL_sendtrigger: what a machine's front panel
 * and chipset would send (NMI, reset, INIT, power and sleep buttons).
 * Xen delivers only NMI to a PV guest; the others need the emulated
 * platform of an HVM guest.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ctrl_internal.h"

int
ctrl_domain_send_trigger(struct ctrl_handle *h, uint32_t domid,
                         unsigned trigger, unsigned vcpu)
{
	struct xen_domctl d;

	if (ctrl_check_domid(h, domid, "XEN_DOMCTL_sendtrigger") < 0)
		return -1;
	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_sendtrigger;
	d.domain = (domid_t)domid;
	d.u.sendtrigger.trigger = trigger;
	d.u.sendtrigger.vcpu = vcpu;
	return ctrl_domctl(h, &d, "XEN_DOMCTL_sendtrigger") < 0 ? -1 : 0;
}
