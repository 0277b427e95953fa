/*
 * gntdev.c - mapping other domains' grant references through Linux's
 * /dev/xen/gntdev.
 *
 * Mapping is two steps: IOCTL_GNTDEV_MAP_GRANT_REF registers the grants
 * and returns an "index" (a fake file offset), then mmap() of the device at
 * that offset performs the actual grant map.  Unmapping reverses it: ask
 * the kernel which index a virtual address belongs to, munmap(), then
 * release the index with IOCTL_GNTDEV_UNMAP_GRANT_REF (the grants are
 * unmapped when the last mapping of the index goes away).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Xen's headers use the <stdint.h> types without including it. */
#include <xen/xen.h>
#include <xen/sys/gntdev.h>

#include "privcmd.h"
#include "pc_internal.h"

#define GNTDEV_DEV "/dev/xen/gntdev"

struct pc_gntdev {
	int fd;
	char err[PC_ERRLEN];
};

struct pc_gntdev *
pc_gntdev_open(void)
{
	struct pc_gntdev *g;
	int saved;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->fd = pc_open_dev(GNTDEV_DEV, NULL, 0);
	if (g->fd < 0) {
		saved = errno;
		free(g);
		errno = saved;
		return NULL;
	}
	return g;
}

void
pc_gntdev_close(struct pc_gntdev *g)
{
	int saved = errno;

	if (g == NULL)
		return;
	close(g->fd);
	free(g);
	errno = saved;
}

const char *
pc_gntdev_errmsg(const struct pc_gntdev *g)
{
	if (g == NULL)
		return "no grant device handle";
	return g->err[0] != '\0' ? g->err : "no error";
}

/* Release a registered index (after a failed mmap or after munmap). */
static int
release_index(struct pc_gntdev *g, uint64_t index, size_t count)
{
	struct ioctl_gntdev_unmap_grant_ref u;

	memset(&u, 0, sizeof(u));
	u.index = index;
	u.count = (uint32_t)count;
	return ioctl(g->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
}

void *
pc_gnt_map(struct pc_gntdev *g, uint32_t domid, const uint32_t *refs,
           size_t count, int prot)
{
	struct ioctl_gntdev_map_grant_ref *m = NULL;
	void *addr = NULL;
	size_t i, size;
	int saved;

	/* The struct ends in a one-element array the kernel reads as
	 * `count` elements. */
	if (refs == NULL || count == 0 || count > INT_MAX / PC_PAGE_SIZE) {
		pc_seterr(g->err, sizeof(g->err), EINVAL,
		          "IOCTL_GNTDEV_MAP_GRANT_REF dom %u (%zu refs)",
		          domid, count);
		return NULL;
	}
	size = sizeof(*m) + (count - 1) * sizeof(m->refs[0]);
	m = calloc(1, size);
	if (m == NULL) {
		pc_seterr(g->err, sizeof(g->err), errno,
		          "IOCTL_GNTDEV_MAP_GRANT_REF dom %u", domid);
		return NULL;
	}
	m->count = (uint32_t)count;
	for (i = 0; i < count; i++) {
		m->refs[i].domid = domid;
		m->refs[i].ref = refs[i];
	}
	if (ioctl(g->fd, IOCTL_GNTDEV_MAP_GRANT_REF, m) < 0) {
		pc_seterr(g->err, sizeof(g->err), errno,
		          "IOCTL_GNTDEV_MAP_GRANT_REF dom %u ref %u", domid,
		          refs[0]);
		goto out;
	}

	addr = mmap(NULL, count * PC_PAGE_SIZE, prot, MAP_SHARED, g->fd,
	            (off_t)m->index);
	if (addr == MAP_FAILED) {
		saved = errno;
		release_index(g, m->index, count);
		pc_seterr(g->err, sizeof(g->err), saved,
		          "mmap grant ref %u of dom %u", refs[0], domid);
		addr = NULL;
	}
out:
	saved = errno;
	free(m);
	errno = saved;
	return addr;
}

int
pc_gnt_unmap(struct pc_gntdev *g, void *addr, size_t count)
{
	struct ioctl_gntdev_get_offset_for_vaddr q;

	if (addr == NULL || count == 0 || count > INT_MAX / PC_PAGE_SIZE) {
		pc_seterr(g->err, sizeof(g->err), EINVAL, "grant unmap");
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.vaddr = (uint64_t)(uintptr_t)addr;
	if (ioctl(g->fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &q) < 0) {
		pc_seterr(g->err, sizeof(g->err), errno,
		          "IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR %p", addr);
		return -1;
	}
	if (q.count != count) {
		pc_seterr(g->err, sizeof(g->err), EINVAL,
		          "grant unmap %p: mapped %u pages, asked %zu", addr,
		          q.count, count);
		return -1;
	}
	if (munmap(addr, count * PC_PAGE_SIZE) < 0) {
		pc_seterr(g->err, sizeof(g->err), errno, "munmap grant %p",
		          addr);
		return -1;
	}
	if (release_index(g, q.offset, count) < 0) {
		pc_seterr(g->err, sizeof(g->err), errno,
		          "IOCTL_GNTDEV_UNMAP_GRANT_REF index %llu",
		          (unsigned long long)q.offset);
		return -1;
	}
	return 0;
}
