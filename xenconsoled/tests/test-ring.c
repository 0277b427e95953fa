/*
 * test-ring.c - console ring copy logic and the pty backlog buffer, on a
 * struct xencons_interface in ordinary memory.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ring.h"

/* Put `n` bytes into the out ring as a guest would, starting at index
 * `start`, and set out_cons = start, out_prod = start + n. */
static void
guest_print(struct xencons_interface *r, uint32_t start, const char *s,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		r->out[MASK_XENCONS_IDX(start + i, r->out)] = s[i];
	r->out_cons = start;
	r->out_prod = start + (uint32_t)n;
}

static void
test_read_empty(void **state)
{
	static struct xencons_interface r;
	char buf[16];

	memset(&r, 0, sizeof(r));
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 0);
	assert_int_equal(r.out_cons, 0);
}

static void
test_read_wraps_buffer_and_index(void **state)
{
	static struct xencons_interface r;
	char msg[100], buf[2048];
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('A' + i % 26);
	/* 40 bytes before the 32-bit index wraps, 2048-byte ring wraps too:
	 * 0xffffffd8 & 2047 == 2008, so the data straddles the ring's end. */
	guest_print(&r, 0xffffffd8u, msg, sizeof(msg));
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(r.out_cons, r.out_prod);
	assert_int_equal(r.out_cons, 0xffffffd8u + 100u);	/* wrapped to 60 */
	assert_int_equal(r.out_cons, 60);
}

static void
test_read_partial(void **state)
{
	static struct xencons_interface r;
	char buf[10];

	memset(&r, 0, sizeof(r));
	guest_print(&r, 2040, "0123456789abcdef", 16);
	assert_int_equal(cons_ring_read_out(&r, buf, 10), 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_int_equal(r.out_cons, 2050);
	assert_int_equal(cons_ring_read_out(&r, buf, 10), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_int_equal(cons_ring_read_out(&r, buf, 10), 0);
}

static void
test_read_full_ring(void **state)
{
	static struct xencons_interface r;
	static char msg[2048], buf[4096];
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (char)i;
	guest_print(&r, 5, msg, sizeof(msg));
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 2048);
	assert_memory_equal(buf, msg, sizeof(msg));
}

static void
test_read_corrupt(void **state)
{
	static struct xencons_interface r;
	char buf[16];

	memset(&r, 0, sizeof(r));
	r.out_cons = 100;
	r.out_prod = 100 + 2049;	/* more than the ring holds */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	assert_int_equal(r.out_cons, 100);
	r.out_prod = 50;		/* producer behind consumer */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	assert_int_equal(r.out_cons, 100);
}

static void
test_in_space(void **state)
{
	static struct xencons_interface r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(cons_ring_in_space(&r), 1024);
	r.in_cons = 0xfffffff0u;
	r.in_prod = 0xfffffff0u + 1000;
	assert_int_equal(cons_ring_in_space(&r), 24);
	r.in_prod = r.in_cons + 1024;
	assert_int_equal(cons_ring_in_space(&r), 0);
	r.in_prod = r.in_cons + 1025;	/* corrupt */
	assert_int_equal(cons_ring_in_space(&r), 0);
}

static void
test_write_in_wraps(void **state)
{
	static struct xencons_interface r;
	char msg[30];
	size_t i;
	uint32_t start = 0xfffffff0u;	/* & 1023 == 1008: wraps the ring */

	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	r.in_cons = r.in_prod = start;
	assert_int_equal(cons_ring_write_in(&r, msg, sizeof(msg)), 30);
	assert_int_equal(r.in_prod, start + 30u);
	for (i = 0; i < sizeof(msg); i++)
		assert_int_equal(r.in[MASK_XENCONS_IDX(start + i, r.in)], msg[i]);
	assert_int_equal(r.in[1008], 'a');
	assert_int_equal(r.in[0], msg[16]);
}

static void
test_write_in_partial_when_full(void **state)
{
	static struct xencons_interface r;
	static char big[2000];

	memset(&r, 0, sizeof(r));
	memset(big, 'x', sizeof(big));
	r.in_cons = r.in_prod = 7;
	assert_int_equal(cons_ring_write_in(&r, big, sizeof(big)), 1024);
	assert_int_equal(r.in_prod, 7 + 1024);
	assert_int_equal(cons_ring_write_in(&r, big, 1), 0);
	r.in_cons += 10;	/* the guest consumed 10 */
	assert_int_equal(cons_ring_write_in(&r, big, sizeof(big)), 10);
}

static void
test_obuf_fifo_wrap(void **state)
{
	struct cons_obuf b;
	const char *p;
	size_t n;

	assert_int_equal(cons_obuf_init(&b, 8), 0);
	assert_int_equal(cons_obuf_peek(&b, &p), 0);
	cons_obuf_push(&b, "abcdef", 6);
	n = cons_obuf_peek(&b, &p);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "abcdef", 6);
	cons_obuf_consume(&b, 4);	/* "ef" left at offset 4 */
	cons_obuf_push(&b, "ghij", 4);	/* wraps: "efgh" then "ij" */
	n = cons_obuf_peek(&b, &p);
	assert_int_equal(n, 4);
	assert_memory_equal(p, "efgh", 4);
	cons_obuf_consume(&b, n);
	n = cons_obuf_peek(&b, &p);
	assert_int_equal(n, 2);
	assert_memory_equal(p, "ij", 2);
	cons_obuf_consume(&b, n);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.dropped, 0);
	cons_obuf_free(&b);
}

static void
test_obuf_drops_oldest(void **state)
{
	struct cons_obuf b;
	const char *p;
	char out[8];
	size_t n, got = 0;

	assert_int_equal(cons_obuf_init(&b, 8), 0);
	cons_obuf_push(&b, "0123456", 7);
	cons_obuf_push(&b, "789", 3);	/* 10 bytes into 8: drop "01" */
	assert_int_equal(b.len, 8);
	assert_int_equal(b.dropped, 2);
	while ((n = cons_obuf_peek(&b, &p)) > 0) {
		memcpy(out + got, p, n);
		got += n;
		cons_obuf_consume(&b, n);
	}
	assert_int_equal(got, 8);
	assert_memory_equal(out, "23456789", 8);

	/* One push bigger than the buffer keeps its newest bytes. */
	cons_obuf_push(&b, "abcdefghijkl", 12);
	assert_int_equal(b.dropped, 2 + 4);
	got = 0;
	while ((n = cons_obuf_peek(&b, &p)) > 0) {
		memcpy(out + got, p, n);
		got += n;
		cons_obuf_consume(&b, n);
	}
	assert_memory_equal(out, "efghijkl", 8);
	cons_obuf_free(&b);
}

static void
test_obuf_zero_size(void **state)
{
	struct cons_obuf b;

	assert_int_equal(cons_obuf_init(&b, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_empty),
		cmocka_unit_test(test_read_wraps_buffer_and_index),
		cmocka_unit_test(test_read_partial),
		cmocka_unit_test(test_read_full_ring),
		cmocka_unit_test(test_read_corrupt),
		cmocka_unit_test(test_in_space),
		cmocka_unit_test(test_write_in_wraps),
		cmocka_unit_test(test_write_in_partial_when_full),
		cmocka_unit_test(test_obuf_fifo_wrap),
		cmocka_unit_test(test_obuf_drops_oldest),
		cmocka_unit_test(test_obuf_zero_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
