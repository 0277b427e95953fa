/*
 * The hostnet context: one netlink route socket per caller, and the
 * error message of the last failure.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netlink/errno.h>

#include "hn_internal.h"

int
hn_open(struct hn_ctx **out, char *err, size_t errlen)
{
	struct hn_ctx *ctx;
	int rc;

	*out = NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err, errlen, "hostnet: out of memory");
		return -1;
	}
	if ((ctx->sk = nl_socket_alloc()) == NULL) {
		snprintf(err, errlen, "hostnet: cannot allocate a netlink socket");
		errno = ENOMEM;
		goto fail;
	}
	if ((rc = nl_connect(ctx->sk, NETLINK_ROUTE)) < 0) {
		snprintf(err, errlen, "hostnet: netlink: %s", nl_geterror(rc));
		errno = hn_nl_errno(rc);
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	rc = errno;
	hn_close(ctx);
	errno = rc;
	return -1;
}

void
hn_close(struct hn_ctx *ctx)
{
	if (ctx == NULL)
		return;
	hn_nat_close(ctx);
	if (ctx->sk != NULL)
		nl_socket_free(ctx->sk);	/* closes it too */
	free(ctx);
}

const char *
hn_errmsg(const struct hn_ctx *ctx)
{
	return ctx != NULL ? ctx->errmsg : "";
}

int
hn_fail(struct hn_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

int
hn_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:		return ENOMEM;
	case NLE_EXIST:		return EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:		return ENOENT;
	case NLE_PERM:		return EPERM;
	case NLE_BUSY:		return EBUSY;
	case NLE_INVAL:
	case NLE_RANGE:		return EINVAL;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AGAIN:		return EAGAIN;
	default:		return EIO;
	}
}

bool
hn_ifname_ok(const char *name)
{
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;	/* they would walk out of /proc/sys/.../conf */
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}
