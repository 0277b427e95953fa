/*
 * domstate.h - which domains exist and which are dying, for xenconsoled.
 *
 * A private adapter over privcmd (XEN_SYSCTL_getdomaininfolist): the
 * daemon needs only these two facts, and keeping them here lets it run
 * without the rest of libctrl.
 */
#ifndef LIGHTSTACK_CONSOLE_DOMSTATE_H
#define LIGHTSTACK_CONSOLE_DOMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc_handle;

struct cd_dom {
	uint32_t domid;
	bool dying;     /* XEN_DOMINF_dying: being destroyed */
	bool shutdown;  /* XEN_DOMINF_shutdown: stopped, not yet destroyed */
};

/* All domains, in domid order.  *out is malloc'd (free it), *n entries.
 * Returns 0, or -1 with errno (message in pc_errmsg(pc)). */
int cd_dom_list(struct pc_handle *pc, struct cd_dom **out, size_t *n);

#endif /* LIGHTSTACK_CONSOLE_DOMSTATE_H */
