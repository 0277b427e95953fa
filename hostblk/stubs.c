/*
 * stubs.c - placeholders so liblight can link against the API while the
 * real loop/nbd/identity code is written.  Every call fails with ENOSYS.
 */
#include "config.h"

#include <errno.h>

#include "hostblk.h"
#include "hb_internal.h"

static int
not_yet(char *err, size_t errlen, const char *what)
{
	errno = ENOSYS;
	hb_err(err, errlen, "%s: not implemented yet", what);
	return -1;
}

int
hb_loop_attach(const char *file, bool writable, char *devpath, size_t len,
               dev_t *dev, char *err, size_t errlen)
{
	return not_yet(err, errlen, "hb_loop_attach");
}

int
hb_loop_detach(const char *devpath, char *err, size_t errlen)
{
	return not_yet(err, errlen, "hb_loop_detach");
}

int
hb_nbd_attach(const char *file, const char *format, bool writable,
              char *devpath, size_t len, dev_t *dev, char *err, size_t errlen)
{
	return not_yet(err, errlen, "hb_nbd_attach");
}

int
hb_nbd_detach(const char *devpath, char *err, size_t errlen)
{
	return not_yet(err, errlen, "hb_nbd_detach");
}

int
hb_identity(const char *path, struct hb_identity *id, char *err, size_t errlen)
{
	return not_yet(err, errlen, "hb_identity");
}

bool
hb_identity_same(const struct hb_identity *a, const struct hb_identity *b)
{
	return false;
}
