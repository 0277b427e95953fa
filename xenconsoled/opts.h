/*
 * opts.h - command line of xenconsoled and xenconsole, and the strict
 * number parsing both use.  Pure functions (no I/O) so they can be unit
 * tested; errors come back as one line in a caller-supplied buffer.
 */
#ifndef LIGHTSTACK_CONSOLE_OPTS_H
#define LIGHTSTACK_CONSOLE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CD_DEFAULT_LOG_DIR "/var/log/xen/console"
#define CD_DEFAULT_LOG_MAX (1024 * 1024)	/* 1 MiB per file */
#define CD_DEFAULT_LOG_KEEP 3			/* guest-x.log.1 .. .3 */
#define CD_DEFAULT_BUFFER (64 * 1024)		/* pty backlog per guest */

/* Options of the daemon. */
struct cd_opts {
	bool interactive;        /* -i: stay in the foreground, log to stderr */
	bool verbose;            /* -v: also report routine events */
	const char *pid_file;    /* NULL: none */
	const char *log_dir;
	bool log_guest;          /* write guest-<name>.log files */
	bool timestamp_guest;    /* stamp each line of guest logs */
	uint64_t log_max_size;   /* bytes per log file before rotating */
	unsigned log_keep;       /* rotated files kept */
	uint64_t buffer_size;    /* bytes of pty backlog kept per guest */
};

/* Parse argv.  Returns 0 to run, 1 when --help was asked for, -1 on a bad
 * command line with a one-line reason in `err`.  Uses getopt_long, so the
 * caller must not be parsing anything else at the same time. */
int cd_parse_opts(int argc, char **argv, struct cd_opts *o, char *err,
                  size_t errlen);

/* Console types of the client, as upstream's --type. */
enum xcon_type { XCON_PV, XCON_SERIAL, XCON_VUART };

/* Options of the client. */
struct xcon_opts {
	enum xcon_type type;
	bool type_given;         /* --type was on the command line */
	unsigned num;            /* --num: console number */
	int notify_fd;           /* --start-notify-fd, -1 if none */
	bool interactive;        /* -i: read stdin even if it is no tty */
	bool replace_escape;     /* replace ESC in output by '.' (upstream) */
	unsigned timeout;        /* seconds to wait for the tty node */
	uint32_t domid;
};

int xcon_parse_opts(int argc, char **argv, struct xcon_opts *o, char *err,
                    size_t errlen);

/* The xenstore node holding the pty path for domain `domid`'s console
 * (e.g. "/local/domain/3/console/tty").  Returns 0, or -1 if it does not
 * fit in `len`. */
int xcon_tty_path(const struct xcon_opts *o, char *buf, size_t len);

/* strnum_u64(s, 10, min, max, out) under its old name, for callers not
 * yet converted (see common/strnum.h for the rules). */
int cons_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Like strnum_u64 in decimal but accepts a K, M or G suffix (powers of 1024). */
int cons_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* LIGHTSTACK_CONSOLE_OPTS_H */
