/*
 * light_ctx.h - the liblight context: one connection to the hypervisor
 * (through libctrl) and one to xenstored, plus the last error message.
 *
 * Every liblight call takes a context.  Threads: a context (with anything
 * opened from it, such as a light_events) is used by one thread at a time;
 * nothing in it locks.  Different contexts share no state and may be used
 * in different threads at the same time: one context per thread, each
 * creating, destroying and watching its own domains, is the supported way
 * to run liblight from several threads (system case 25-interop runs four
 * such threads at once).  Functions return 0 (or a non-negative value) on success
 * and -1 with errno set on failure; light_errmsg() then gives a one-line
 * message naming what failed ("xenstore read /local/domain/7/name: No such
 * file or directory").  The library never prints and never exits.
 */
#ifndef LIGHTSTACK_LIGHT_CTX_H
#define LIGHTSTACK_LIGHT_CTX_H

#include <stddef.h>

struct light_ctx;

/* light_open() flags.  By default both connections are made; a caller that
 * needs only one (a test, or a tool that only reads xenstore) may skip the
 * other.  Calls that need a skipped connection fail with ENOTCONN. */
#define LIGHT_OPEN_NO_CTRL  0x1u   /* do not open the hypervisor interface */
#define LIGHT_OPEN_NO_XS    0x2u   /* do not connect to xenstored */

/*
 * Open a context: the hypervisor interface (ctrl_open) and xenstored
 * (xsc_open(NULL, 0): $XENSTORED_PATH or the default socket).
 * On failure returns NULL with errno set and, if err is non-NULL, a
 * one-line reason in err (e.g. "cannot open the hypervisor interface:
 * No such file or directory").
 */
struct light_ctx *light_open(unsigned flags, char *err, size_t errlen);

/* Close both connections and free the context.  NULL is allowed. */
void light_close(struct light_ctx *c);

/* The message of the last failed call on this context ("" if none). */
const char *light_errmsg(const struct light_ctx *c);

#endif /* LIGHTSTACK_LIGHT_CTX_H */
