/*
 * evtchn.c - event channels through Linux's /dev/xen/evtchn.
 *
 * Each open of the device is a separate set of bound ports.  Binding is an
 * ioctl that returns the local port.  When a bound port fires, the kernel
 * masks it and appends the port number (a uint32_t) to a per-fd ring; read()
 * takes port numbers off that ring and write() of a port number unmasks it
 * again.  We open the device non-blocking so that "nothing pending" is an
 * EAGAIN the caller's poll loop can handle, never a stall.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Xen's headers use the <stdint.h> types without including it. */
#include <xen/xen.h>
#include <xen/sys/evtchn.h>

#include "privcmd.h"
#include "pc_internal.h"

#define EVTCHN_DEV "/dev/xen/evtchn"

struct pc_evtchn {
	int fd;
	char err[PC_ERRLEN];
};

struct pc_evtchn *
pc_evtchn_open(void)
{
	struct pc_evtchn *e;
	int saved;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->fd = pc_open_dev(EVTCHN_DEV, NULL, O_NONBLOCK);
	if (e->fd < 0) {
		saved = errno;
		free(e);
		errno = saved;
		return NULL;
	}
	return e;
}

void
pc_evtchn_close(struct pc_evtchn *e)
{
	int saved = errno;

	if (e == NULL)
		return;
	/* Closing the fd unbinds every port bound through it. */
	close(e->fd);
	free(e);
	errno = saved;
}

int
pc_evtchn_fd(const struct pc_evtchn *e)
{
	return e->fd;
}

const char *
pc_evtchn_errmsg(const struct pc_evtchn *e)
{
	if (e == NULL)
		return "no event channel handle";
	return e->err[0] != '\0' ? e->err : "no error";
}

int
pc_evtchn_bind_interdomain(struct pc_evtchn *e, uint32_t domid,
                           uint32_t remote_port)
{
	struct ioctl_evtchn_bind_interdomain b = {
		.remote_domain = domid,
		.remote_port = remote_port,
	};
	int rc;

	rc = ioctl(e->fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
	if (rc < 0)
		pc_seterr(e->err, sizeof(e->err), errno,
		          "IOCTL_EVTCHN_BIND_INTERDOMAIN dom %u port %u",
		          domid, remote_port);
	return rc;
}

int
pc_evtchn_bind_unbound(struct pc_evtchn *e, uint32_t remote_domid)
{
	struct ioctl_evtchn_bind_unbound_port b = {
		.remote_domain = remote_domid,
	};
	int rc;

	rc = ioctl(e->fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (rc < 0)
		pc_seterr(e->err, sizeof(e->err), errno,
		          "IOCTL_EVTCHN_BIND_UNBOUND_PORT dom %u",
		          remote_domid);
	return rc;
}

int
pc_evtchn_bind_virq(struct pc_evtchn *e, unsigned int virq)
{
	struct ioctl_evtchn_bind_virq b = { .virq = virq };
	int rc;

	rc = ioctl(e->fd, IOCTL_EVTCHN_BIND_VIRQ, &b);
	if (rc < 0)
		pc_seterr(e->err, sizeof(e->err), errno,
		          "IOCTL_EVTCHN_BIND_VIRQ virq %u", virq);
	return rc;
}

int
pc_evtchn_unbind(struct pc_evtchn *e, uint32_t port)
{
	struct ioctl_evtchn_unbind u = { .port = port };

	if (ioctl(e->fd, IOCTL_EVTCHN_UNBIND, &u) < 0) {
		pc_seterr(e->err, sizeof(e->err), errno,
		          "IOCTL_EVTCHN_UNBIND port %u", port);
		return -1;
	}
	return 0;
}

int
pc_evtchn_notify(struct pc_evtchn *e, uint32_t port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	if (ioctl(e->fd, IOCTL_EVTCHN_NOTIFY, &n) < 0) {
		pc_seterr(e->err, sizeof(e->err), errno,
		          "IOCTL_EVTCHN_NOTIFY port %u", port);
		return -1;
	}
	return 0;
}

int
pc_evtchn_pending(struct pc_evtchn *e)
{
	uint32_t port;
	ssize_t n;

	n = read(e->fd, &port, sizeof(port));
	if (n < 0) {
		/* EAGAIN (nothing pending) is the normal case: record it
		 * anyway so the message never describes an older failure. */
		pc_seterr(e->err, sizeof(e->err), errno,
		          errno == EFBIG ? "read %s (event ring overflow)"
		                         : "read %s", EVTCHN_DEV);
		return -1;
	}
	if (n != (ssize_t)sizeof(port)) {
		pc_seterr(e->err, sizeof(e->err), EIO,
		          "read %s: short read of %zd bytes", EVTCHN_DEV, n);
		return -1;
	}
	return (int)port;
}

int
pc_evtchn_unmask(struct pc_evtchn *e, uint32_t port)
{
	ssize_t n;

	n = write(e->fd, &port, sizeof(port));
	if (n != (ssize_t)sizeof(port)) {
		pc_seterr(e->err, sizeof(e->err), n < 0 ? errno : EIO,
		          "unmask port %u", port);
		return -1;
	}
	return 0;
}

int
pc_evtchn_reset(struct pc_evtchn *e)
{
	if (ioctl(e->fd, IOCTL_EVTCHN_RESET, NULL) < 0) {
		pc_seterr(e->err, sizeof(e->err), errno, "IOCTL_EVTCHN_RESET");
		return -1;
	}
	return 0;
}
