/*
 * ctrl_evtchn.c - a backend daemon's event channel handle.
 *
 * A thin layer over privcmd's evtchn device wrapper: the daemons
 * (xenstored, xenconsoled) include libctrl.h only, so that libctrl is the
 * one interface to Xen above the OS layer.  Nothing is added here but the
 * handle's one-line message, kept in privcmd's handle.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "ctrl_internal.h"

/* The handle is privcmd's, wrapped so that libctrl.h need not name it. */
struct ctrl_evtchn {
	struct pc_evtchn *pc;
};

struct ctrl_evtchn *
ctrl_evtchn_open(void)
{
	struct ctrl_evtchn *e;
	int saved;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->pc = pc_evtchn_open();
	if (e->pc == NULL) {
		saved = errno;
		free(e);
		errno = saved;
		return NULL;
	}
	return e;
}

void
ctrl_evtchn_close(struct ctrl_evtchn *e)
{
	if (e == NULL)
		return;
	pc_evtchn_close(e->pc);
	free(e);
}

int
ctrl_evtchn_fd(const struct ctrl_evtchn *e)
{
	return pc_evtchn_fd(e->pc);
}

const char *
ctrl_evtchn_errmsg(const struct ctrl_evtchn *e)
{
	return e == NULL ? "no event channel handle" : pc_evtchn_errmsg(e->pc);
}

int
ctrl_evtchn_bind_interdomain(struct ctrl_evtchn *e, uint32_t domid,
                             uint32_t remote_port)
{
	return pc_evtchn_bind_interdomain(e->pc, domid, remote_port);
}

int
ctrl_evtchn_bind_virq(struct ctrl_evtchn *e, unsigned virq)
{
	return pc_evtchn_bind_virq(e->pc, virq);
}

int
ctrl_evtchn_unbind(struct ctrl_evtchn *e, uint32_t port)
{
	return pc_evtchn_unbind(e->pc, port);
}

int
ctrl_evtchn_notify(struct ctrl_evtchn *e, uint32_t port)
{
	return pc_evtchn_notify(e->pc, port);
}

int
ctrl_evtchn_pending(struct ctrl_evtchn *e)
{
	return pc_evtchn_pending(e->pc);
}

int
ctrl_evtchn_unmask(struct ctrl_evtchn *e, uint32_t port)
{
	return pc_evtchn_unmask(e->pc, port);
}
