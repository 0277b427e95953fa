/*
 * ring.h - the console ring shared with a guest, and the daemon's bounded
 * output buffer.  Pure functions over memory: no Xen, no file descriptors,
 * so the unit tests can drive them on an ordinary struct in memory.
 *
 * The ring page (xen/io/console.h, struct xencons_interface) holds two
 * byte rings with free-running 32-bit indices:
 *
 *   out[2048]  guest -> backend.  The guest advances out_prod, we advance
 *              out_cons after copying the bytes away.
 *   in[1024]   backend -> guest.  We advance in_prod, the guest advances
 *              in_cons.
 *
 * An index is masked with (size - 1) to find the byte; prod - cons (in
 * unsigned 32-bit arithmetic) is the fill level, so wraparound of the
 * indices themselves needs no special case.  The guest owns half of each
 * pair and may write anything there, so a fill level larger than the ring
 * means a broken or hostile guest: we report it and touch nothing.
 */
#ifndef LIGHTSTACK_CONSOLE_RING_H
#define LIGHTSTACK_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

/* Copy up to `cap` bytes of guest output from the out ring into `buf` and
 * release them to the guest (out_cons advances).  Returns the number of
 * bytes copied (0 when empty), or -1 when the indices are inconsistent. */
long cons_ring_read_out(struct xencons_interface *intf, char *buf, size_t cap);

/* Free bytes in the in ring (how much input the guest can take now); 0 when
 * the ring is full or its indices are inconsistent. */
size_t cons_ring_in_space(const struct xencons_interface *intf);

/* Append up to `len` bytes of input to the in ring.  Returns the number of
 * bytes queued (possibly fewer than `len` when the ring fills). */
size_t cons_ring_write_in(struct xencons_interface *intf, const char *buf,
                          size_t len);

/*
 * struct cons_obuf - output waiting to be written to a console's pty.
 *
 * A fixed-size byte ring owned by the daemon.  Nobody may be attached to
 * the pty for hours while the guest keeps printing; the log file already
 * has every byte, so here we keep only the most recent `size` bytes and
 * drop the oldest when full.  That keeps memory bounded and never makes
 * the guest wait for a reader that is not there.
 *
 *   data[head .. head+len) (modulo size) is the pending output, oldest
 *   first; `dropped` counts bytes thrown away since creation.
 */
struct cons_obuf {
	char *data;
	size_t size;      /* capacity in bytes */
	size_t head;      /* offset of the oldest pending byte */
	size_t len;       /* pending bytes */
	uint64_t dropped; /* bytes discarded because the buffer was full */
};

/* Allocate a buffer of `size` bytes (> 0).  Returns 0, or -1 + errno. */
int cons_obuf_init(struct cons_obuf *b, size_t size);
void cons_obuf_free(struct cons_obuf *b);

/* Append bytes, discarding the oldest pending bytes if they do not fit. */
void cons_obuf_push(struct cons_obuf *b, const char *data, size_t n);

/* The longest contiguous run of pending bytes, for write(2).  Returns its
 * length (0 when empty) and sets *p. */
size_t cons_obuf_peek(const struct cons_obuf *b, const char **p);

/* Forget `n` pending bytes after they were written (n <= len). */
void cons_obuf_consume(struct cons_obuf *b, size_t n);

#endif /* LIGHTSTACK_CONSOLE_RING_H */
