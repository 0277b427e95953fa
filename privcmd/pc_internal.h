/*
 * pc_internal.h - helpers shared by the privcmd sources; not installed and
 * not for use outside privcmd/.
 */
#ifndef LIGHTSTACK_PC_INTERNAL_H
#define LIGHTSTACK_PC_INTERNAL_H

#include <stddef.h>

/* Size of the one-line error message every privcmd handle keeps. */
#define PC_ERRLEN 256

/*
 * Format "<what>: <strerror(errnum)>" into buf and leave errno == errnum,
 * so callers can write `pc_seterr(...); goto out;` and still return -1 with
 * the right errno.  `what` is a printf format naming the failed operation,
 * e.g. "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u".
 */
void pc_seterr(char *buf, size_t len, int errnum, const char *what, ...)
    __attribute__((format(printf, 4, 5)));

/* Open a device read-write and close-on-exec, trying `primary` first and
 * `fallback` (may be NULL) when primary does not exist.  Returns the fd or
 * -1 with errno from the last attempt. */
int pc_open_dev(const char *primary, const char *fallback, int extra_flags);

#endif /* LIGHTSTACK_PC_INTERNAL_H */
