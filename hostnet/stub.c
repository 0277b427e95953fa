/* Placeholder so the API links while the real files are written: every
 * call fails with ENOSYS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "hn_internal.h"

int
hn_open(struct hn_ctx **out, char *err, size_t errlen)
{
	snprintf(err, errlen, "hostnet: not implemented yet");
	errno = ENOSYS;
	return -1;
}

void
hn_close(struct hn_ctx *ctx)
{
	free(ctx);
}

const char *
hn_errmsg(const struct hn_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

#define STUB { errno = ENOSYS; return -1; }
int hn_link_exists(struct hn_ctx *c, const char *i) STUB
int hn_link_wait(struct hn_ctx *c, const char *i, int t) STUB
int hn_link_rename(struct hn_ctx *c, const char *f, const char *t) STUB
int hn_link_set_up(struct hn_ctx *c, const char *i, bool u) STUB
int hn_link_set_mtu(struct hn_ctx *c, const char *i, unsigned m) STUB
int hn_link_get_mtu(struct hn_ctx *c, const char *i, unsigned *m) STUB
int hn_bridge_attach(struct hn_ctx *c, const char *b, const char *i, unsigned m) STUB
int hn_bridge_detach(struct hn_ctx *c, const char *i) STUB
int hn_bridge_has_port(struct hn_ctx *c, const char *b, const char *i) STUB
int hn_route_attach(struct hn_ctx *c, const char *i, const char *p, const char *g) STUB
int hn_route_detach(struct hn_ctx *c, const char *i, const char *p) STUB
int hn_nat_attach(struct hn_ctx *c, const char *i, const char *g, const char *r, const char *o) STUB
int hn_nat_detach(struct hn_ctx *c, const char *i, const char *g, const char *r) STUB
int hn_nat_guest_ip(unsigned d, unsigned v, char *o, size_t l) STUB
int hn_nat_router_ip(const char *g, char *o, size_t l) STUB
int hn_nat_has_rule(struct hn_ctx *c, const char *i) STUB
int hn_run_script(const char *s, const char *a, char *const e[], int t, char *er, size_t el) STUB
