/*
 * strnum.h - the one strict number parser of the tree.
 *
 * Every number Lightstack reads from a user, a config file, xenstore or
 * a guest goes through these two functions, so "strict" means the same
 * thing everywhere: the whole string is one number, written in the
 * given base, inside [min, max].  Nothing is skipped or guessed: no
 * leading whitespace, no trailing junk, no empty string, and no sign at
 * all for the unsigned parser (strtoull would silently turn "-1" into
 * 2^64-1).
 *
 * base is what strtoull takes and only 0, 8, 10 or 16: 0 accepts
 * "0x1f" (hex), "017" (octal) and "15" (decimal); 16 also accepts an
 * optional "0x" prefix.
 *
 * Both return 0 and store the number in *out on success.  On failure
 * they return -1, leave *out untouched, and set errno to
 *   EINVAL  s or out is NULL, s is not a number in that base (empty,
 *           whitespace, sign on strnum_u64, trailing characters), the
 *           base is not one of the above, or min > max;
 *   ERANGE  s is a well-formed number outside [min, max], including
 *           numbers too large for 64 bits.
 * errno is left untouched on success.
 *
 * In-tree users build with -I$(top_srcdir)/common and link
 * $(top_builddir)/common/libcommon.la (a convenience library, so the
 * code ends up inside each library or program that uses it).
 */
#ifndef LIGHTSTACK_STRNUM_H
#define LIGHTSTACK_STRNUM_H

#include <stdint.h>

int strnum_u64(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out);
int strnum_i64(const char *s, int base, int64_t min, int64_t max,
    int64_t *out);

#endif /* LIGHTSTACK_STRNUM_H */
