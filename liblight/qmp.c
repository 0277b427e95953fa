/*
 * qmp.c - a small client of QEMU's QMP socket, the one an HVM guest's
 * device model listens on (/var/run/xen/qmp-libxl-D, devmodel_hvm.c).
 *
 * QMP is line-oriented JSON: on connect QEMU greets ({"QMP": ...}); the
 * client must send {"execute": "qmp_capabilities"} before anything else;
 * each command gets one {"return": ...} or {"error": {"desc": ...}}
 * line, and asynchronous {"event": ...} lines may come in between, which
 * are skipped here.  Each call opens its own connection: QEMU serves one
 * client at a time on this socket, and a toolstack command is short.
 * Every wait is bounded; json-c parses the replies.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "light_lifecycle.h"
#include "light_device.h"

#define QMP_TIMEOUT_MS  10000
#define QMP_LINE_MAX    (256 * 1024)   /* longest reply we accept */

struct qmp {
	int fd;
	char *buf;          /* bytes read and not yet consumed */
	size_t len;
	long long deadline;
};

/* Read one complete line (without its newline) into a fresh string. */
static char *read_line(struct qmp *q)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		long long left;
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - q->buf);
			char *line = strndup(q->buf, k);

			memmove(q->buf, nl + 1, q->len - k - 1);
			q->len -= k + 1;
			return line;
		}
		if (q->len >= QMP_LINE_MAX) {
			errno = EMSGSIZE;
			return NULL;
		}
		left = q->deadline - light_dm_mono_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		if (poll(&p, 1, (int)left) <= 0) {
			if (errno != EINTR)
				errno = ETIMEDOUT;
			continue;
		}
		n = read(q->fd, q->buf + q->len, QMP_LINE_MAX - q->len);
		if (n == 0) {
			errno = ECONNRESET;
			return NULL;
		}
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return NULL;
		}
		q->len += (size_t)n;
	}
}

/* The next JSON object that is not an event. */
static json_object *read_reply(struct qmp *q)
{
	for (;;) {
		char *line = read_line(q);
		json_object *o;

		if (!line)
			return NULL;
		o = json_tokener_parse(line);
		free(line);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			errno = EPROTO;
			return NULL;
		}
		if (json_object_object_get_ex(o, "event", NULL)) {
			json_object_put(o);
			continue;
		}
		return o;
	}
}

static int send_line(struct qmp *q, const char *text)
{
	size_t off = 0, n = strlen(text);

	while (off < n) {
		ssize_t w = send(q->fd, text + off, n - off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* One command, with `args` (NULL: none; not consumed): its "return"
 * value (a new reference) or NULL with the error in c. */
static json_object *execute(struct light_ctx *c, struct qmp *q,
                            uint32_t domid, const char *cmd, json_object *args)
{
	json_object *req = json_object_new_object(), *r, *ret = NULL, *err, *desc;
	char *line = NULL;
	int rc = -1;

	if (req && json_object_object_add(req, "execute",
	                                  json_object_new_string(cmd)) == 0 &&
	    (!args || json_object_object_add(req, "arguments",
	                                     json_object_get(args)) == 0)) {
		const char *text = json_object_to_json_string_ext(req,
		                                                  JSON_C_TO_STRING_PLAIN);
		if (text && asprintf(&line, "%s\n", text) >= 0)
			rc = send_line(q, line);
	} else
		errno = ENOMEM;
	free(line);
	json_object_put(req);
	if (rc < 0 || !(r = read_reply(q))) {
		lc_fail(c, errno, "QMP %s to the device model of domain %u: %s",
		        cmd, domid, strerror(errno));
		return NULL;
	}
	if (json_object_object_get_ex(r, "return", &ret))
		json_object_get(ret);
	else if (json_object_object_get_ex(r, "error", &err) &&
	         json_object_object_get_ex(err, "desc", &desc))
		lc_fail(c, EIO, "QMP %s to the device model of domain %u: %s",
		        cmd, domid, json_object_get_string(desc));
	else
		lc_fail(c, EPROTO, "QMP %s to the device model of domain %u: "
		        "no return", cmd, domid);
	json_object_put(r);
	return ret;
}

json_object *light_qmp_execute(struct light_ctx *c, uint32_t domid,
                               const char *cmd)
{
	return light_qmp_execute_args(c, domid, cmd, NULL);
}

json_object *light_qmp_execute_args(struct light_ctx *c, uint32_t domid,
                                    const char *cmd, json_object *args)
{
	struct sockaddr_un sa;
	struct qmp q;
	json_object *greeting, *ret = NULL, *caps;

	memset(&q, 0, sizeof(q));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	light_hvm_qmp_path(domid, sa.sun_path, sizeof(sa.sun_path));
	q.deadline = light_dm_mono_ms() + QMP_TIMEOUT_MS;
	q.buf = malloc(QMP_LINE_MAX);
	q.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!q.buf || q.fd < 0 ||
	    connect(q.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		lc_fail(c, errno, "cannot reach the device model of domain %u "
		        "(QMP %s): %s", domid, sa.sun_path, strerror(errno));
		goto out;
	}
	/* The greeting, then capabilities negotiation (nothing asked). */
	if (!(greeting = read_reply(&q)) ||
	    !json_object_object_get_ex(greeting, "QMP", NULL)) {
		json_object_put(greeting);
		lc_fail(c, EPROTO, "the device model of domain %u did not greet "
		        "on QMP", domid);
		goto out;
	}
	json_object_put(greeting);
	if (!(caps = execute(c, &q, domid, "qmp_capabilities", NULL)))
		goto out;
	json_object_put(caps);
	ret = execute(c, &q, domid, cmd, args);
out:
	if (q.fd >= 0)
		close(q.fd);
	free(q.buf);
	json_object_put(args);
	return ret;
}

int light_hvm_record_serial(struct light_ctx *c, uint32_t domid)
{
	json_object *list = light_qmp_execute(c, domid, "query-chardev");
	size_t i, n;
	int rc = 0;

	if (!list)
		return -1;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return lc_fail(c, EPROTO, "QMP query-chardev of domain %u: not "
		               "a list", domid);
	}
	n = json_object_array_length(list);
	for (i = 0; i < n && rc == 0; i++) {
		json_object *ch = json_object_array_get_idx(list, i), *v;
		const char *label = NULL, *file = NULL;
		unsigned port;
		char p[96], tail;

		if (json_object_object_get_ex(ch, "label", &v))
			label = json_object_get_string(v);
		if (json_object_object_get_ex(ch, "filename", &v))
			file = json_object_get_string(v);
		/* "serial0" backed by "pty:/dev/pts/N". */
		if (!label || !file || sscanf(label, "serial%u%c", &port, &tail) != 1 ||
		    port > 3 || strncmp(file, "pty:/dev/pts/", 13) != 0)
			continue;
		snprintf(p, sizeof(p), "/local/domain/%u/serial/%u/tty", domid, port);
		if (xsc_write_str(c->xs, XSC_NO_TX, p, file + 4) < 0)
			rc = light_error_xs(c, "xenstore write serial tty");
	}
	json_object_put(list);
	return rc;
}

/*
 * The VNC server, as libxl sets it up after QEMU's start: the password
 * (vncpasswd=, given over QMP rather than on QEMU's command line, where
 * any Dom0 user could read it), then where it listens, asked with
 * query-vnc (vncunused= lets QEMU pick the display) and recorded at
 * /local/domain/D/console/vnc-listen and vnc-port, where `xl vncviewer`
 * and other tools look.
 */
int light_hvm_setup_vnc(struct light_ctx *c, uint32_t domid, const char *passwd)
{
	json_object *r, *v, *args;
	const char *host = NULL, *service = NULL;
	char p[96];
	int rc = 0;

	if (passwd && *passwd) {
		args = json_object_new_object();
		if (!args || json_object_object_add(args, "password",
		                                    json_object_new_string(passwd)) < 0) {
			json_object_put(args);
			return lc_fail(c, ENOMEM, "out of memory");
		}
		if (!(r = light_qmp_execute_args(c, domid, "change-vnc-password",
		                                 args)))
			return -1;
		json_object_put(r);
	}
	if (!(r = light_qmp_execute(c, domid, "query-vnc")))
		return -1;
	if (json_object_object_get_ex(r, "host", &v))
		host = json_object_get_string(v);
	if (json_object_object_get_ex(r, "service", &v))
		service = json_object_get_string(v);
	if (!host || !service || strspn(service, "0123456789") != strlen(service)) {
		json_object_put(r);
		return lc_fail(c, EPROTO, "QMP query-vnc of domain %u: no address",
		               domid);
	}
	snprintf(p, sizeof(p), "/local/domain/%u/console/vnc-listen", domid);
	if (xsc_write_str(c->xs, XSC_NO_TX, p, host) < 0)
		rc = light_error_xs(c, "xenstore write vnc-listen");
	snprintf(p, sizeof(p), "/local/domain/%u/console/vnc-port", domid);
	if (rc == 0 && xsc_write_str(c->xs, XSC_NO_TX, p, service) < 0)
		rc = light_error_xs(c, "xenstore write vnc-port");
	json_object_put(r);
	return rc;
}
