/*
 * ctx.c - the liblight context: open/close, error messages, and the small
 * xenstore helpers every liblight file uses.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_internal.h"

struct light_ctx *
light_open(unsigned flags, char *err, size_t errlen)
{
	struct light_ctx *c;
	char why[256];
	int saved;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->flags = flags;
	c->autoballoon = LIGHT_AUTOBALLOON_AUTO;

	if (!(flags & LIGHT_OPEN_NO_CTRL)) {
		c->ctrl = ctrl_open_err(why, sizeof(why));
		if (c->ctrl == NULL) {
			saved = errno;
			if (err != NULL)
				snprintf(err, errlen,
				    "cannot open the hypervisor interface: %s",
				    why);
			goto fail;
		}
	}
	if (!(flags & LIGHT_OPEN_NO_XS)) {
		/*
		 * Like upstream's xs_open(): the daemon's socket, or the
		 * kernel's xenbus device when there is no local socket.
		 */
		c->xs = xsc_open(NULL, XSC_OPEN_XENBUS_FALLBACK);
		if (c->xs == NULL) {
			saved = errno;
			if (err != NULL)
				snprintf(err, errlen,
				    "cannot connect to xenstore: %s",
				    strerror(saved));
			goto fail;
		}
	}
	return c;

fail:
	light_close(c);
	errno = saved;
	return NULL;
}

void
light_close(struct light_ctx *c)
{
	if (c == NULL)
		return;
	if (c->xs != NULL)
		xsc_close(c->xs);
	if (c->ctrl != NULL)
		ctrl_close(c->ctrl);
	free(c);
}

const char *
light_errmsg(const struct light_ctx *c)
{
	return c->err;
}

int
light_error(struct light_ctx *c, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	used = strlen(c->err);
	if (errnum != 0 && used < sizeof(c->err))
		snprintf(c->err + used, sizeof(c->err) - used, ": %s",
		    strerror(errnum));
	errno = errnum != 0 ? errnum : EIO;
	return -1;
}

int
light_error_ctrl(struct light_ctx *c, const char *what)
{
	int saved = errno;

	snprintf(c->err, sizeof(c->err), "%s: %s", what,
	    c->ctrl != NULL ? ctrl_errmsg(c->ctrl) : strerror(saved));
	errno = saved;
	return -1;
}

int
light_error_xs(struct light_ctx *c, const char *what)
{
	int saved = errno;

	snprintf(c->err, sizeof(c->err), "%s: %s", what,
	    c->xs != NULL ? xsc_errmsg(c->xs) : strerror(saved));
	errno = saved;
	return -1;
}

int
light_need_ctrl(struct light_ctx *c)
{
	if (c->ctrl == NULL)
		return light_error(c, ENOTCONN,
		    "the hypervisor interface is not open");
	return 0;
}

int
light_need_xs(struct light_ctx *c)
{
	if (c->xs == NULL)
		return light_error(c, ENOTCONN, "xenstore is not connected");
	return 0;
}

char *
light_xs_readf(struct light_ctx *c, xsc_tx t, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	char *v;
	int n;

	if (light_need_xs(c) == -1)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		light_error(c, ENAMETOOLONG, "xenstore path %.64s...", path);
		return NULL;
	}
	v = xsc_read(c->xs, t, path, NULL);
	if (v == NULL && errno != ENOENT)
		light_error_xs(c, "xenstore read");
	return v;
}
