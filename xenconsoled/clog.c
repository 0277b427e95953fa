/*
 * clog.c - bounded, rotated guest console logs.  See clog.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clog.h"

static int
open_file(struct cons_log *l)
{
	struct stat st;

	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd == -1)
		return -1;
	if (fstat(l->fd, &st) == -1) {
		int saved = errno;

		close(l->fd);
		l->fd = -1;
		errno = saved;
		return -1;
	}
	l->size = (uint64_t)st.st_size;
	return 0;
}

int
cons_log_open(struct cons_log *l, const char *path, uint64_t max_size,
    unsigned keep, bool timestamps)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->max_size = max_size;
	l->keep = keep;
	l->timestamps = timestamps;
	l->line_start = true;
	l->path = strdup(path);
	if (l->path == NULL)
		return -1;
	if (open_file(l) == -1) {
		int saved = errno;

		free(l->path);
		l->path = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

void
cons_log_close(struct cons_log *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}

int
cons_log_reopen(struct cons_log *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	return open_file(l);
}

int
cons_log_rotate(struct cons_log *l)
{
	char *from = NULL, *to = NULL;
	unsigned i;
	int rc = -1;

	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	l->rotations++;

	if (l->keep == 0) {
		/* No history wanted: start the same file over. */
		if (truncate(l->path, 0) == -1 && errno != ENOENT)
			goto out;
		rc = open_file(l);
		goto out;
	}

	/* path.(keep-1) -> path.keep, ..., path.1 -> path.2; the old
	 * path.keep is replaced by rename and so deleted. */
	for (i = l->keep; i > 1; i--) {
		free(from);
		free(to);
		from = to = NULL;
		if (asprintf(&from, "%s.%u", l->path, i - 1) == -1) {
			from = NULL;
			goto out;
		}
		if (asprintf(&to, "%s.%u", l->path, i) == -1) {
			to = NULL;
			goto out;
		}
		if (rename(from, to) == -1 && errno != ENOENT)
			goto out;
	}
	free(to);
	to = NULL;
	if (asprintf(&to, "%s.1", l->path) == -1) {
		to = NULL;
		goto out;
	}
	if (rename(l->path, to) == -1 && errno != ENOENT)
		goto out;
	rc = open_file(l);
out:
	free(from);
	free(to);
	return rc;
}

size_t
cons_log_stamp(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return strftime(buf, len, "[%Y-%m-%d %H:%M:%S] ", &tm);
}

/* Write all of buf, splitting at the size limit and rotating there. */
static int
write_bounded(struct cons_log *l, const char *buf, size_t n)
{
	while (n > 0) {
		size_t chunk = n;
		ssize_t w;

		if (l->fd == -1 && open_file(l) == -1)
			return -1;
		if (l->max_size != 0) {
			if (l->size >= l->max_size) {
				if (cons_log_rotate(l) == -1)
					return -1;
				continue;
			}
			if (chunk > l->max_size - l->size)
				chunk = (size_t)(l->max_size - l->size);
		}
		w = write(l->fd, buf, chunk);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		l->size += (uint64_t)w;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int
cons_log_write(struct cons_log *l, const char *data, size_t n)
{
	char stamp[64];
	size_t stamplen = 0, lines = 0, i, o = 0;
	char *buf = NULL;
	int rc;

	if (!l->timestamps)
		return write_bounded(l, data, n);

	/* Build the stamped text first so that the size check sees exactly
	 * what lands in the file. */
	stamplen = cons_log_stamp(stamp, sizeof(stamp), time(NULL));
	for (i = 0; i < n; i++)
		if (data[i] == '\n')
			lines++;
	buf = malloc(n + (lines + 1) * stamplen);
	if (buf == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (l->line_start) {
			memcpy(buf + o, stamp, stamplen);
			o += stamplen;
			l->line_start = false;
		}
		buf[o++] = data[i];
		if (data[i] == '\n')
			l->line_start = true;
	}
	rc = write_bounded(l, buf, o);
	free(buf);
	return rc;
}
