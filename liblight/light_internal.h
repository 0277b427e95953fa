/*
 * light_internal.h - liblight's private declarations, shared by its source
 * files (ctx.c, info.c, dom0.c and the lifecycle files).  Not installed.
 *
 * Include "config.h" first, then this header.
 */
#ifndef LIGHTSTACK_LIGHT_INTERNAL_H
#define LIGHTSTACK_LIGHT_INTERNAL_H

#include <stdint.h>

#include "libctrl.h"
#include "xsclient.h"
#include "liblight.h"

/*
 * The context.  `ctrl` and `xs` are NULL when light_open() was asked not
 * to open them (LIGHT_OPEN_NO_CTRL / LIGHT_OPEN_NO_XS); code that needs
 * one calls light_need_ctrl() / light_need_xs() first.
 *
 * `err` holds the message of the last failure; it is overwritten by the
 * next failure and never cleared by a success (like errno).
 */
struct light_ctx {
	struct ctrl_handle *ctrl;   /* hypervisor: domctl, sysctl, ... */
	struct xsc_handle *xs;      /* xenstored connection */
	unsigned flags;             /* LIGHT_OPEN_* given to light_open() */
	int autoballoon;            /* enum light_autoballoon; AUTO at open */
	char err[512];
};

/*
 * Record a failure: format the message into c->err, append
 * ": strerror(errnum)" when errnum is not 0, set errno = errnum (EIO when
 * errnum is 0) and return -1, so a caller can write
 *     return light_error(c, ENOENT, "domain %u", domid);
 */
int light_error(struct light_ctx *c, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Record a failure of the layer below, keeping its message:
 * c->err = "<what>: <ctrl_errmsg()>" (or xsc_errmsg()).  errno is preserved
 * from the failed call.  Returns -1.
 */
int light_error_ctrl(struct light_ctx *c, const char *what);
int light_error_xs(struct light_ctx *c, const char *what);

/* Return 0 if the connection is open, else -1/ENOTCONN with a message. */
int light_need_ctrl(struct light_ctx *c);
int light_need_xs(struct light_ctx *c);

/*
 * Read a xenstore node whose path is given printf-style.  Returns a
 * malloc'd NUL-terminated string, or NULL with errno set (ENOENT when the
 * node does not exist; that case does NOT touch c->err, because "absent"
 * is an answer callers usually handle themselves).
 */
char *light_xs_readf(struct light_ctx *c, xsc_tx t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The name index (see light_info.h: "Finding a domain by name").
 * LIGHT_NAMES_PATH/<name> = "<domid>".
 */
#define LIGHT_NAMES_PATH "/tool/lightstack/names"

#endif /* LIGHTSTACK_LIGHT_INTERNAL_H */
