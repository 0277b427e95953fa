/*
 * hb_internal.h - helpers shared by hostblk's files; not for other layers.
 */
#ifndef LIGHTSTACK_HB_INTERNAL_H
#define LIGHTSTACK_HB_INTERNAL_H

#include <stddef.h>

/* Write a printf-style one-line message into err (errlen bytes; either may
 * be NULL/0) and leave errno as it was, so callers can do
 * `hb_err(err, errlen, "%s: %s", file, strerror(errno)); return -1;`. */
void hb_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Open devpath read-only, checking it is a loop device (ENOTBLK if not).
 * Returns the fd or -1 with err filled. */
int hb_open_loop(const char *devpath, char *err, size_t errlen);

#endif /* LIGHTSTACK_HB_INTERNAL_H */
