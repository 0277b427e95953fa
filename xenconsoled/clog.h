/*
 * clog.h - bounded, rotated log files for guest console output.
 *
 * Every byte a guest prints goes to its log file whether or not anyone is
 * attached to its pty, so output is never lost just because nobody was
 * watching.  A guest can print forever, so a file is capped: when the
 * next write would take it past `max_size` bytes, the write is split, the
 * file is renamed to NAME.1 (NAME.1 to NAME.2, ... up to NAME.<keep>, the
 * oldest being deleted) and a fresh NAME is started.  With keep == 0 the
 * file is simply truncated and restarted.
 *
 * Timestamps ("[YYYY-MM-DD HH:MM:SS] ", local time, as upstream xenconsoled
 * writes them) are optionally put at the start of each line.  They count
 * toward the size limit.
 *
 * Functions return 0 or -1 with errno set, and never print.
 */
#ifndef LIGHTSTACK_CONSOLE_CLOG_H
#define LIGHTSTACK_CONSOLE_CLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cons_log {
	int fd;                 /* -1 when closed */
	char *path;             /* current file; rotations are path.1 ... */
	uint64_t size;          /* bytes in the current file */
	uint64_t max_size;      /* 0 = unlimited (no rotation) */
	unsigned keep;          /* rotated files kept */
	bool timestamps;
	bool line_start;        /* next byte begins a line (needs a stamp) */
	uint64_t rotations;     /* how many times this log rotated */
};

/* Open (append to) `path`.  The size already in the file counts. */
int cons_log_open(struct cons_log *l, const char *path, uint64_t max_size,
                  unsigned keep, bool timestamps);

/* Append guest output, rotating as needed. */
int cons_log_write(struct cons_log *l, const char *data, size_t n);

/* Rotate now (also used by cons_log_write). */
int cons_log_rotate(struct cons_log *l);

/* Close and reopen the same path: after an external logrotate (SIGHUP). */
int cons_log_reopen(struct cons_log *l);

void cons_log_close(struct cons_log *l);

/* Format the line prefix for time `t` into `buf` (>= 32 bytes); returns its
 * length. */
size_t cons_log_stamp(char *buf, size_t len, time_t t);

#endif /* LIGHTSTACK_CONSOLE_CLOG_H */
