/*
 * light_event.h - domain events for orchestrators: one fd to poll, one
 * call that returns the next event.
 *
 *     struct light_events *ev = light_events_open(c);
 *     struct pollfd p = { .fd = light_events_fd(ev), .events = POLLIN };
 *     struct light_event e;
 *     for (;;) {
 *             while ((r = light_events_next(ev, &e)) == 1)
 *                     handle(&e);         // e.type, e.domid, e.name, ...
 *             if (r < 0)
 *                     fail(light_events_errmsg(ev));
 *             poll(&p, 1, -1);            // or add the fd to your loop
 *     }
 *
 * examples/events.c is a complete program: it creates N guests and
 * reacts to their events.
 *
 * Where the events come from.  A light_events has its own connection to
 * xenstored (so its watches never mix with the context's calls) with
 * watches on @introduceDomain, @releaseDomain and /local/domain (which
 * holds Dom0's backend directories too), plus a timer while a memory
 * target is pending.  It asks the hypervisor through the context it was
 * opened with, for shutdown reasons and memory sizes:
 *
 *   DOMAIN_CREATED      a domain not seen before has a name in
 *                       /local/domain/D/name (any toolstack's).
 *   DOMAIN_SHUTDOWN     Xen reports it shut down (after @releaseDomain);
 *                       .reason is SHUTDOWN_poweroff, _reboot, _suspend,
 *                       _watchdog or _soft_reset (xen/sched.h).
 *   DOMAIN_CRASHED      the same with reason SHUTDOWN_crash.
 *   DOMAIN_DESTROYED    Xen no longer has it (or it is dying), or its
 *                       /local/domain/D home was removed.  Once per domain.
 *   DEVICE_CONNECTED    a backend under /local/domain/0/backend/<kind>/D/N
 *                       reached XenbusStateConnected (4).  .kind, .devid.
 *   DEVICE_DISCONNECTED a connected backend left state 4 (closing,
 *                       closed) or was removed.
 *   MEMORY_TARGET_REACHED  memory/target of D was set (xl mem-set) and
 *                       the domain's pages reached it: at or below a
 *                       lower target, at or above a higher one.  .memkb
 *                       is the target.
 *
 * Domains and devices that exist when the handle is opened are its
 * starting state: they produce no CREATED/CONNECTED, but their later
 * changes do.  Shut-down domains that are destroyed before the handle saw
 * them shut down give only DESTROYED.  Without a hypervisor connection
 * (a context opened with LIGHT_OPEN_NO_CTRL) there are no SHUTDOWN,
 * CRASHED or MEMORY_TARGET_REACHED events, and DESTROYED comes from
 * xenstore alone.
 *
 * Threads: a light_events belongs to the context it was opened from and
 * is used in that context's thread (it shares the context's hypervisor
 * handle); it must be closed before the context.  Different contexts, each
 * with its own light_events, may be used in different threads at once.
 */
#ifndef LIGHTSTACK_LIGHT_EVENT_H
#define LIGHTSTACK_LIGHT_EVENT_H

#include <stdint.h>

struct light_ctx;
struct light_events;

enum light_event_type {
	LIGHT_EVENT_DOMAIN_CREATED = 1,
	LIGHT_EVENT_DOMAIN_SHUTDOWN,
	LIGHT_EVENT_DOMAIN_CRASHED,
	LIGHT_EVENT_DOMAIN_DESTROYED,
	LIGHT_EVENT_DEVICE_CONNECTED,
	LIGHT_EVENT_DEVICE_DISCONNECTED,
	LIGHT_EVENT_MEMORY_TARGET_REACHED,
};

#define LIGHT_EVENT_NAME_MAX 64     /* longer names are cut */

struct light_event {
	enum light_event_type type;
	uint32_t domid;
	char name[LIGHT_EVENT_NAME_MAX]; /* the domain's name, "" if unknown */
	int reason;                 /* SHUTDOWN/CRASHED: SHUTDOWN_*; else -1 */
	char kind[16];              /* DEVICE_*: "vbd", "vif", "console", ... */
	uint32_t devid;             /* DEVICE_*: the device number */
	uint64_t memkb;             /* MEMORY_TARGET_REACHED: the target */
};

/* Open an event source on c (which must have a xenstore connection).
 * NULL with errno and light_errmsg(c) on failure. */
struct light_events *light_events_open(struct light_ctx *c);

/* The fd to poll for POLLIN.  It becomes readable when something may have
 * happened; light_events_next() then says what, if anything. */
int light_events_fd(const struct light_events *ev);

/*
 * The next event, without waiting: 1 with *out filled, 0 when there is
 * none now (poll the fd, then call again), -1 with errno on failure (the
 * xenstore connection broke; light_events_errmsg() says how).  Call it
 * until it returns 0 before polling again: events already read from
 * xenstored are queued inside the handle, where poll cannot see them.
 */
int light_events_next(struct light_events *ev, struct light_event *out);

/* The message of the last failure of this handle ("" if none). */
const char *light_events_errmsg(const struct light_events *ev);

/* A name for an event type ("domain-created", ...), for logs. */
const char *light_event_type_name(enum light_event_type t);

/* Remove the watches and free the handle.  NULL is allowed. */
void light_events_close(struct light_events *ev);

#endif /* LIGHTSTACK_LIGHT_EVENT_H */
