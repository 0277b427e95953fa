/*
 * ring.c - copying bytes in and out of a guest's console ring, and the
 * bounded pty output buffer.  See ring.h for the layout.
 *
 * Ordering: the guest runs concurrently on another CPU.  Indices are read
 * with acquire semantics (so the bytes they announce are read after them)
 * and written with release semantics (so the bytes we copied, or wrote,
 * are done before the guest sees the index move).  That is the
 * mb()/wmb() pairing every Xen ring uses, spelled with C11-era builtins.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE sizeof(((struct xencons_interface *)0)->in)

long
cons_ring_read_out(struct xencons_interface *intf, char *buf, size_t cap)
{
	XENCONS_RING_IDX cons, prod, avail, i;

	cons = __atomic_load_n(&intf->out_cons, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
	avail = prod - cons;
	if (avail > OUT_SIZE)
		return -1;
	if (avail > cap)
		avail = (XENCONS_RING_IDX)cap;

	for (i = 0; i < avail; i++)
		buf[i] = intf->out[MASK_XENCONS_IDX(cons + i, intf->out)];

	__atomic_store_n(&intf->out_cons, cons + avail, __ATOMIC_RELEASE);
	return (long)avail;
}

size_t
cons_ring_in_space(const struct xencons_interface *intf)
{
	XENCONS_RING_IDX cons, prod, used;

	cons = __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&intf->in_prod, __ATOMIC_RELAXED);
	used = prod - cons;
	if (used > IN_SIZE)
		return 0;	/* guest scribbled on in_cons: send nothing */
	return IN_SIZE - used;
}

size_t
cons_ring_write_in(struct xencons_interface *intf, const char *buf, size_t len)
{
	XENCONS_RING_IDX prod;
	size_t space, i;

	space = cons_ring_in_space(intf);
	if (len > space)
		len = space;
	prod = __atomic_load_n(&intf->in_prod, __ATOMIC_RELAXED);
	for (i = 0; i < len; i++)
		intf->in[MASK_XENCONS_IDX(prod + i, intf->in)] = buf[i];
	__atomic_store_n(&intf->in_prod, prod + (XENCONS_RING_IDX)len,
	    __ATOMIC_RELEASE);
	return len;
}

int
cons_obuf_init(struct cons_obuf *b, size_t size)
{
	memset(b, 0, sizeof(*b));
	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	b->data = malloc(size);
	if (b->data == NULL)
		return -1;
	b->size = size;
	return 0;
}

void
cons_obuf_free(struct cons_obuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
cons_obuf_push(struct cons_obuf *b, const char *data, size_t n)
{
	size_t tail, chunk;

	/* Only the last `size` bytes of a huge write can survive anyway. */
	if (n > b->size) {
		b->dropped += n - b->size;
		data += n - b->size;
		n = b->size;
	}
	/* Make room by dropping the oldest pending bytes. */
	if (b->len + n > b->size) {
		size_t drop = b->len + n - b->size;

		cons_obuf_consume(b, drop);
		b->dropped += drop;
	}
	while (n > 0) {
		tail = (b->head + b->len) % b->size;
		chunk = b->size - tail;
		if (chunk > n)
			chunk = n;
		memcpy(b->data + tail, data, chunk);
		b->len += chunk;
		data += chunk;
		n -= chunk;
	}
}

size_t
cons_obuf_peek(const struct cons_obuf *b, const char **p)
{
	size_t run;

	*p = b->data + b->head;
	run = b->size - b->head;
	return b->len < run ? b->len : run;
}

void
cons_obuf_consume(struct cons_obuf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	b->head = (b->head + n) % b->size;
	b->len -= n;
	if (b->len == 0)
		b->head = 0;	/* keep writes contiguous when we can */
}
