/*
 * dom0.c - the Dom0 init step (what upstream's xen-init-dom0 does): give
 * Domain-0 the xenstore entries every tool expects, once per boot, after
 * xenstored has started.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "light_internal.h"

/* A transaction that conflicts with another writer is simply redone;
 * give up after this many tries rather than spin forever. */
#define DOM0_TX_TRIES 10

/* Write the entries inside transaction t. */
static int
write_entries(struct light_ctx *c, xsc_tx t)
{
	if (xsc_write_str(c->xs, t, "/local/domain/0/domid", "0") == -1)
		return light_error_xs(c, "cannot set domid for Dom0");
	if (xsc_write_str(c->xs, t, "/local/domain/0/name", "Domain-0") == -1)
		return light_error_xs(c, "cannot set domain name for Dom0");
	/*
	 * Cpupool names.  At Dom0 start Xen on x86 has exactly one cpupool,
	 * pool 0, which Xen creates at boot and which cannot be destroyed;
	 * libctrl has no cpupool enumeration, and nothing else can exist
	 * yet, so this is the whole list upstream would write.
	 */
	if (xsc_write_str(c->xs, t, "/local/pool/0/name", "Pool-0") == -1)
		return light_error_xs(c, "cannot set pool name");
	/* The name index (light_info.h): its presence makes it
	 * authoritative, so create the directory even if empty. */
	if (xsc_mkdir(c->xs, t, LIGHT_NAMES_PATH) == -1)
		return light_error_xs(c, "cannot create the name index");
	if (light_name_index_add(c, t, "Domain-0", 0) == -1)
		return -1;
	return 0;
}

int
light_init_dom0(struct light_ctx *c, const uint8_t *uuid)
{
	char *id = NULL, *name = NULL;
	xsc_tx t;
	int tries, ret = -1;

	if (light_need_xs(c) == -1)
		return -1;

	/* This runs once per boot: a second run changes nothing. */
	id = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/domid");
	if (id == NULL && errno != ENOENT)
		goto out;
	name = light_xs_readf(c, XSC_NO_TX, "/local/domain/0/name");
	if (name == NULL && errno != ENOENT)
		goto out;
	if (id != NULL && name != NULL) {
		ret = 1;
		goto out;
	}

	if (uuid != NULL) {
		if (light_need_ctrl(c) == -1)
			goto out;
		if (ctrl_domain_set_handle(c->ctrl, 0, uuid) == -1) {
			light_error_ctrl(c, "failed to set Dom0 UUID");
			goto out;
		}
	}

	for (tries = 0; tries < DOM0_TX_TRIES; tries++) {
		if (xsc_transaction_start(c->xs, &t) == -1) {
			light_error_xs(c, "xenstore transaction");
			goto out;
		}
		if (write_entries(c, t) == -1) {
			int saved = errno;

			xsc_transaction_end(c->xs, t, false);
			errno = saved;
			goto out;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0) {
			ret = 0;
			goto out;
		}
		if (errno != EAGAIN) {
			light_error_xs(c, "xenstore transaction");
			goto out;
		}
	}
	light_error(c, EAGAIN, "Dom0 entries: too many transaction conflicts");
out:
	free(id);
	free(name);
	return ret;
}
