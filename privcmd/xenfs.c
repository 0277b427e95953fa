/*
 * xenfs.c - the small files under /proc/xen (xenfs) and the kernel's
 * xenstore device.
 *
 * /proc/xen/capabilities holds "control_d" in the control domain.
 * /proc/xen/xsd_kva is Dom0's own xenstore ring page, which a xenstored
 * running in Dom0 maps; /proc/xen/xsd_port is the event channel of that
 * ring, as a decimal number.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "privcmd.h"
#include "pc_internal.h"
#include "strnum.h"

#define XENFS_CAPS     "/proc/xen/capabilities"
#define XENFS_XSD_KVA  "/proc/xen/xsd_kva"
#define XENFS_XSD_PORT "/proc/xen/xsd_port"
#define XENBUS_DEV     "/dev/xen/xenbus"

/* Read a small text file into buf (NUL-terminated).  Returns the length
 * read or -1/errno. */
static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return n;
}

bool
pc_xen_present(void)
{
	return access("/dev/xen/privcmd", F_OK) == 0 ||
	       access("/proc/xen/privcmd", F_OK) == 0;
}

bool
pc_is_control_domain(void)
{
	char buf[256];

	if (read_small(XENFS_CAPS, buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "control_d") != NULL;
}

void *
pc_xsd_kva_map(void)
{
	void *p;
	int fd, saved;

	fd = open(XENFS_XSD_KVA, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, PC_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	saved = errno;
	/* The mapping stays valid after the fd is closed. */
	close(fd);
	if (p == MAP_FAILED) {
		errno = saved;
		return NULL;
	}
	return p;
}

int
pc_xsd_port(void)
{
	char buf[64];
	uint64_t port;
	ssize_t n;

	n = read_small(XENFS_XSD_PORT, buf, sizeof(buf));
	if (n < 0)
		return -1;
	/* The file is a bare number, maybe followed by one newline. */
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (strnum_u64(buf, 10, 1, INT_MAX, &port) == -1) {
		errno = EINVAL;
		return -1;
	}
	return (int)port;
}

int
pc_xenbus_open(void)
{
	return open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
}
