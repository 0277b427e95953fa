/*
 * opts.c - command lines of xenconsoled and xenconsole.  See opts.h.
 *
 * Option names follow upstream Xen where the two overlap, so scripts and
 * libxl-style callers keep working: xenconsoled -i/--interactive,
 * --pid-file, --log, --log-dir, --timestamp; xenconsole --type, --num,
 * --start-notify-fd, -i, -r/--no-replace-escape.  Lightstack adds
 * --log-max-size, --log-keep and --buffer-size to the daemon and
 * --timeout to the client.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "strnum.h"

/*
 * Kept only for xenconsoled.c and the test guest, which still call it;
 * it is strnum_u64 in decimal and goes once they call that directly.
 */
int
cons_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return strnum_u64(s, 10, min, max, out);
}

int
cons_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char num[32];
	size_t len;
	unsigned shift = 0;
	uint64_t v;

	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof(num)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift != 0)
		num[len - 1] = '\0';
	if (strnum_u64(num, 10, 0, UINT64_MAX >> shift, &v) == -1)
		return -1;
	v <<= shift;
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	OPT_PID_FILE = 256, OPT_LOG, OPT_LOG_DIR, OPT_LOG_MAX, OPT_LOG_KEEP,
	OPT_TIMESTAMP, OPT_BUFFER, OPT_TYPE, OPT_NOTIFY, OPT_TIMEOUT,
};

int
cd_parse_opts(int argc, char **argv, struct cd_opts *o, char *err,
    size_t errlen)
{
	static const struct option lopts[] = {
		{ "interactive",  no_argument,       NULL, 'i' },
		{ "verbose",      no_argument,       NULL, 'v' },
		{ "help",         no_argument,       NULL, 'h' },
		{ "pid-file",     required_argument, NULL, OPT_PID_FILE },
		{ "log",          required_argument, NULL, OPT_LOG },
		{ "log-dir",      required_argument, NULL, OPT_LOG_DIR },
		{ "log-max-size", required_argument, NULL, OPT_LOG_MAX },
		{ "log-keep",     required_argument, NULL, OPT_LOG_KEEP },
		{ "timestamp",    optional_argument, NULL, OPT_TIMESTAMP },
		{ "buffer-size",  required_argument, NULL, OPT_BUFFER },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->log_dir = CD_DEFAULT_LOG_DIR;
	o->log_guest = true;	/* Lightstack always keeps guest output */
	o->log_max_size = CD_DEFAULT_LOG_MAX;
	o->log_keep = CD_DEFAULT_LOG_KEEP;
	o->buffer_size = CD_DEFAULT_BUFFER;

	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ivh", lopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			return 1;
		case OPT_PID_FILE:
			if (optarg[0] == '\0') {
				snprintf(err, errlen, "--pid-file: empty path");
				return -1;
			}
			o->pid_file = optarg;
			break;
		case OPT_LOG:
			/* "hv" logs the hypervisor's console ring, which
			 * `xl dmesg` already shows; Lightstack's daemon
			 * does not keep that file. */
			if (strcmp(optarg, "none") == 0)
				o->log_guest = false;
			else if (strcmp(optarg, "guest") == 0)
				o->log_guest = true;
			else if (strcmp(optarg, "hv") == 0 ||
			    strcmp(optarg, "all") == 0) {
				snprintf(err, errlen, "--log=%s: hypervisor "
				    "logging is not supported (use xl dmesg)",
				    optarg);
				return -1;
			} else {
				snprintf(err, errlen, "--log=%s: expected none "
				    "or guest", optarg);
				return -1;
			}
			break;
		case OPT_LOG_DIR:
			if (optarg[0] != '/') {
				snprintf(err, errlen, "--log-dir=%s: must be "
				    "an absolute path", optarg);
				return -1;
			}
			o->log_dir = optarg;
			break;
		case OPT_LOG_MAX:
			if (cons_parse_size(optarg, 1024, UINT64_C(1) << 40,
			    &v) == -1) {
				snprintf(err, errlen, "--log-max-size=%s: "
				    "expected 1K..1024G", optarg);
				return -1;
			}
			o->log_max_size = v;
			break;
		case OPT_LOG_KEEP:
			if (strnum_u64(optarg, 10, 0, 100, &v) == -1) {
				snprintf(err, errlen, "--log-keep=%s: "
				    "expected 0..100", optarg);
				return -1;
			}
			o->log_keep = (unsigned)v;
			break;
		case OPT_TIMESTAMP:
			/* Upstream takes none|guest|hv|all; only guest
			 * logs exist here, so hv means none. */
			if (optarg == NULL || strcmp(optarg, "guest") == 0 ||
			    strcmp(optarg, "all") == 0)
				o->timestamp_guest = true;
			else if (strcmp(optarg, "none") == 0 ||
			    strcmp(optarg, "hv") == 0)
				o->timestamp_guest = false;
			else {
				snprintf(err, errlen, "--timestamp=%s: expected "
				    "none, guest, hv or all", optarg);
				return -1;
			}
			break;
		case OPT_BUFFER:
			if (cons_parse_size(optarg, 4096, 64 << 20, &v) == -1) {
				snprintf(err, errlen, "--buffer-size=%s: "
				    "expected 4K..64M", optarg);
				return -1;
			}
			o->buffer_size = v;
			break;
		case ':':
			snprintf(err, errlen, "%s: missing argument",
			    argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "%s: unknown option",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		snprintf(err, errlen, "%s: unexpected argument", argv[optind]);
		return -1;
	}
	return 0;
}

int
xcon_parse_opts(int argc, char **argv, struct xcon_opts *o, char *err,
    size_t errlen)
{
	static const struct option lopts[] = {
		{ "type",              required_argument, NULL, OPT_TYPE },
		{ "num",               required_argument, NULL, 'n' },
		{ "start-notify-fd",   required_argument, NULL, OPT_NOTIFY },
		{ "interactive",       no_argument,       NULL, 'i' },
		{ "no-replace-escape", no_argument,       NULL, 'r' },
		{ "timeout",           required_argument, NULL, OPT_TIMEOUT },
		{ "help",              no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->type = XCON_PV;
	o->notify_fd = -1;
	o->replace_escape = true;
	o->timeout = 5;		/* upstream waits 5 s for the pty */

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:irh", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_TYPE:
			if (strcmp(optarg, "pv") == 0)
				o->type = XCON_PV;
			else if (strcmp(optarg, "serial") == 0)
				o->type = XCON_SERIAL;
			else if (strcmp(optarg, "vuart") == 0)
				o->type = XCON_VUART;
			else {
				snprintf(err, errlen, "--type=%s: expected pv, "
				    "serial or vuart", optarg);
				return -1;
			}
			o->type_given = true;
			break;
		case 'n':
			if (strnum_u64(optarg, 10, 0, 255, &v) == -1) {
				snprintf(err, errlen, "--num=%s: expected "
				    "0..255", optarg);
				return -1;
			}
			o->num = (unsigned)v;
			break;
		case OPT_NOTIFY:
			if (strnum_u64(optarg, 10, 0, 65535, &v) == -1) {
				snprintf(err, errlen, "--start-notify-fd=%s: "
				    "expected a file descriptor", optarg);
				return -1;
			}
			o->notify_fd = (int)v;
			break;
		case OPT_TIMEOUT:
			if (strnum_u64(optarg, 10, 0, 3600, &v) == -1) {
				snprintf(err, errlen, "--timeout=%s: expected "
				    "0..3600 seconds", optarg);
				return -1;
			}
			o->timeout = (unsigned)v;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 'r':
			o->replace_escape = false;
			break;
		case 'h':
			return 1;
		case ':':
			snprintf(err, errlen, "%s: missing argument",
			    argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "%s: unknown option",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc - 1) {
		snprintf(err, errlen, optind >= argc ? "missing DOMID" :
		    "too many arguments");
		return -1;
	}
	/* DOMID_FIRST_RESERVED is 0x7ff0: ids above are not domains. */
	if (strnum_u64(argv[optind], 10, 0, 0x7fef, &v) == -1) {
		snprintf(err, errlen, "%s: invalid DOMID", argv[optind]);
		return -1;
	}
	if (v == 0) {
		/* As upstream: Domain-0's console is Xen's, not ours. */
		snprintf(err, errlen, "can't attach to Domain-0's console");
		return -1;
	}
	o->domid = (uint32_t)v;
	return 0;
}

int
xcon_tty_path(const struct xcon_opts *o, char *buf, size_t len)
{
	int n;

	switch (o->type) {
	case XCON_SERIAL:
		n = snprintf(buf, len, "/local/domain/%" PRIu32 "/serial/%u/tty",
		    o->domid, o->num);
		break;
	case XCON_VUART:
		n = snprintf(buf, len, "/local/domain/%" PRIu32 "/vuart/%u/tty",
		    o->domid, o->num);
		break;
	case XCON_PV:
	default:
		if (o->num == 0)
			n = snprintf(buf, len, "/local/domain/%" PRIu32
			    "/console/tty", o->domid);
		else
			n = snprintf(buf, len, "/local/domain/%" PRIu32
			    "/device/console/%u/tty", o->domid, o->num);
		break;
	}
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}
