/*
 * xsa.h - the harness shared by the XSA regression tests (tests/xsa/).
 *
 * Each test plays an attack from one of Xen's security advisories against
 * Lightstack's xenstored, in process (libxsdcore, no Xen, no socket):
 *   - guest 5 is the attacker.  Its xenstore page is a zeroed struct
 *     xenstore_domain_interface in this process, served by the daemon's
 *     real ring code (domain_attach_ring), so the attack arrives exactly
 *     as a guest kernel would send it: bytes in req[], req_prod moved.
 *   - guest 6 is a bystander guest on a ring of its own, and dom0 is a
 *     tool connection (privileged, on a null transport).
 * After the attack, xsa_others_served() checks that the daemon goes on:
 * guest 6's request is answered within one pass of the daemon over the
 * rings (the bound: no pass is spent on the attacker's backlog first),
 * dom0's request is answered at once, and the tree is consistent.
 */
#ifndef LIGHTSTACK_TESTS_XSA_H
#define LIGHTSTACK_TESTS_XSA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xsd.h"

extern struct xenstore_domain_interface xsa_ring5, xsa_ring6;
extern struct conn *xsa_dom0, *xsa_g5, *xsa_g6;

/* cmocka setup/teardown: fresh tree, dom0, guests 5 and 6 with homes
 * /local/domain/5 and /6 they own; quotas back to upstream's defaults. */
int xsa_setup(void **state);
int xsa_teardown(void **state);

/* Attach guest `domid` on `ring` (zeroed here), with its home. */
struct conn *xsa_guest(uint32_t domid, struct xenstore_domain_interface *ring);

/* Guest side of a ring.  put: raw bytes (false: no room).  send: one
 * request.  recv: serve the rings, then take the next message (false:
 * none complete). */
bool xsa_put(struct xenstore_domain_interface *r, const void *p, size_t len);
bool xsa_send(struct xenstore_domain_interface *r, uint32_t type,
              uint32_t id, const void *p, size_t len);
bool xsa_recv(struct xenstore_domain_interface *r, struct xsd_sockmsg *hdr,
              char *buf);
/* One request of NUL-terminated strings (NULL ends the list) and its
 * reply, watch events skipped; the reply's payload is returned (static
 * buffer), the type in *type if given.  XS_WRITE: the last string is
 * the value, sent without its NUL. */
const char *xsa_greq(struct xenstore_domain_interface *r, uint32_t type,
                     uint32_t *rtype, ...);
/* Watch events waiting on the ring (consumed): count, last path in
 * path (if given, 512 bytes). */
int xsa_gevents(struct xenstore_domain_interface *r, char *path);

/* dom0: one request of NUL-terminated strings; the reply (events
 * skipped) as a string.  dom0_write sends value without NUL. */
const char *xsa_d0(uint32_t type, ...);
void xsa_dom0_write(const char *path, const char *value);
/* Watch events queued for a tool connection, consumed. */
int xsa_conn_events(struct conn *c);

/* Release guest domid as dom0 does (XS_RELEASE), free its connection. */
void xsa_release(uint32_t domid);
/* Free connections the loop would (dead ones), as xenstored.c does. */
void xsa_reap(void);

/* The bystanders are still served (see above). */
void xsa_others_served(void);

/* Nodes in the main table owned by domid. */
unsigned int xsa_owned(uint32_t domid);

#endif
