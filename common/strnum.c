/*
 * strnum.c - strict number parsing (see strnum.h for the rules).
 *
 * Both parsers lean on strtoull/strtoll for the digits and add what
 * those functions do not check: that something was there at all, that
 * nothing but the number was there, and that the value is in range.
 * The C library already knows the base prefixes and detects overflow;
 * what it gets wrong for a strict parser is leniency (whitespace,
 * signs, partial conversions), and that is all this file removes.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "strnum.h"

_Static_assert(sizeof(unsigned long long) == sizeof(uint64_t),
    "strtoull must return exactly 64 bits");
_Static_assert(sizeof(long long) == sizeof(int64_t),
    "strtoll must return exactly 64 bits");

/*
 * The checks shared by both parsers, made before any conversion.
 * allow_sign says whether a leading '+' or '-' may start the number.
 * The first character must be a digit (after the sign, if allowed):
 * this refuses whitespace, which strtoull would skip, and a sign where
 * none is allowed, which strtoull would apply.
 */
static int
precheck(const char *s, int base, int allow_sign, const void *out)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL || out == NULL)
		return -1;
	if (base != 0 && base != 8 && base != 10 && base != 16)
		return -1;
	if (allow_sign && (*p == '+' || *p == '-'))
		p++;
	/* Hex digits a-f can start a base-16 number; anything else can't. */
	if (!isdigit(*p) && !(base == 16 && isxdigit(*p)))
		return -1;
	return 0;
}

int
strnum_u64(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out)
{
	unsigned long long v;
	char *end;
	int saved = errno;

	if (precheck(s, base, 0, out) == -1 || min > max) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (end == s || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	/* Overflow is a well-formed number out of range, not junk. */
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	errno = saved;
	return 0;
}

int
strnum_i64(const char *s, int base, int64_t min, int64_t max,
    int64_t *out)
{
	long long v;
	char *end;
	int saved = errno;

	if (precheck(s, base, 1, out) == -1 || min > max) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	errno = saved;
	return 0;
}
