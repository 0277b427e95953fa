/*
 * escape.c - the client's byte filters.  See escape.h.
 */
#include "config.h"

#include <string.h>

#include "escape.h"

bool
xcon_scan_input(const char *buf, size_t len, size_t *fwd)
{
	const char *esc = memchr(buf, XCON_ESCAPE_CHAR, len);

	if (esc == NULL) {
		*fwd = len;
		return false;
	}
	*fwd = (size_t)(esc - buf);
	return true;
}

void
xcon_replace_escape(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] == '\033')
			buf[i] = '.';
}
