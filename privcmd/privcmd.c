/*
 * privcmd.c - hypercalls, hypercall buffers and foreign mappings through
 * Linux's /dev/xen/privcmd (and /dev/xen/hypercall for buffers).
 *
 * How Linux's privcmd works, in short:
 *  - IOCTL_PRIVCMD_HYPERCALL issues one hypercall with our five arguments
 *    and returns its result; a negative result comes back as -1/errno.
 *    Xen's error numbers on x86 are the same as Linux's.
 *  - Xen reads and writes argument structures through guest virtual
 *    addresses while the hypercall runs.  Those pages must be present (no
 *    page fault can be taken for them) and must not be shared copy-on-write
 *    with a forked child, or Xen's writes would land in the wrong copy.
 *    /dev/xen/hypercall hands out exactly such pages; without it we lock
 *    anonymous memory and mark it MADV_DONTFORK.
 *  - Foreign pages are mapped into a window that must first be mmap()ed
 *    on the privcmd fd itself; the ioctl then fills that window.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Xen's headers use the <stdint.h> types without including it. */
#include <xen/xen.h>
#include <xen/sys/privcmd.h>

#include "privcmd.h"
#include "pc_internal.h"

/* Paths, in order of preference.  /proc/xen/privcmd is the old xenfs
 * location, still present when xenfs is mounted. */
#define PRIVCMD_DEV      "/dev/xen/privcmd"
#define PRIVCMD_PROC     "/proc/xen/privcmd"
#define HYPERCALL_DEV    "/dev/xen/hypercall"

/* Paged-out foreign frames make MMAPBATCH_V2 fail with ENOENT for those
 * pages; Xen starts paging them back in and we retry each one.  Bound the
 * wait so a frame that never comes back cannot hang the caller forever:
 * PAGED_RETRIES tries, PAGED_DELAY_US apart (about 10 seconds). */
#define PAGED_RETRIES    100000
#define PAGED_DELAY_US   100

/* The ioctl takes xen_pfn_t (unsigned long); our interface takes uint64_t
 * so callers need not include Xen headers.  They are the same on x86_64. */
_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t),
               "xen_pfn_t must be 64 bits (x86_64 only)");

struct pc_handle {
	int fd;             /* /dev/xen/privcmd */
	int bufd;           /* /dev/xen/hypercall, or -1 when absent */
	char err[PC_ERRLEN];/* last failure, one line */
};

void
pc_seterr(char *buf, size_t len, int errnum, const char *what, ...)
{
	va_list ap;
	int n;

	va_start(ap, what);
	n = vsnprintf(buf, len, what, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ": %s", strerror(errnum));
	errno = errnum;
}

int
pc_open_dev(const char *primary, const char *fallback, int extra_flags)
{
	int fd;

	fd = open(primary, O_RDWR | O_CLOEXEC | extra_flags);
	if (fd < 0 && errno == ENOENT && fallback != NULL)
		fd = open(fallback, O_RDWR | O_CLOEXEC | extra_flags);
	return fd;
}

/* Page count -> byte length, failing (0) on overflow. */
static size_t
pages_to_len(size_t npages)
{
	if (npages == 0 || npages > SIZE_MAX / PC_PAGE_SIZE)
		return 0;
	return npages * PC_PAGE_SIZE;
}

struct pc_handle *
pc_open(void)
{
	struct pc_handle *h;
	int saved;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->bufd = -1;

	h->fd = pc_open_dev(PRIVCMD_DEV, PRIVCMD_PROC, 0);
	if (h->fd < 0)
		goto fail;

	/* Optional: older kernels lack it and we fall back to locked memory. */
	h->bufd = open(HYPERCALL_DEV, O_RDWR | O_CLOEXEC);
	return h;

fail:
	saved = errno;
	free(h);
	errno = saved;
	return NULL;
}

void
pc_close(struct pc_handle *h)
{
	int saved = errno;

	if (h == NULL)
		return;
	if (h->bufd >= 0)
		close(h->bufd);
	close(h->fd);
	free(h);
	errno = saved;
}

const char *
pc_errmsg(const struct pc_handle *h)
{
	if (h == NULL)
		return "no privcmd handle";
	return h->err[0] != '\0' ? h->err : "no error";
}

long
pc_hypercall(struct pc_handle *h, unsigned int op, uint64_t a1, uint64_t a2,
             uint64_t a3, uint64_t a4, uint64_t a5)
{
	privcmd_hypercall_t call;
	long rc;

	memset(&call, 0, sizeof(call));
	call.op = op;
	call.arg[0] = a1;
	call.arg[1] = a2;
	call.arg[2] = a3;
	call.arg[3] = a4;
	call.arg[4] = a5;

	/* syscall() rather than ioctl(): the kernel returns a long and some
	 * hypercalls (XENMEM_maximum_ram_page, ...) return values that would
	 * not survive glibc's int-returning ioctl(). */
	rc = syscall(SYS_ioctl, h->fd, IOCTL_PRIVCMD_HYPERCALL, &call);
	if (rc < 0)
		pc_seterr(h->err, sizeof(h->err), errno, "hypercall %u", op);
	return rc;
}

void *
pc_buf_alloc(struct pc_handle *h, size_t size)
{
	size_t len;
	void *p;

	len = (size + PC_PAGE_SIZE - 1) & ~(PC_PAGE_SIZE - 1);
	if (size == 0 || len < size) {
		pc_seterr(h->err, sizeof(h->err), EINVAL,
		          "hypercall buffer of %zu bytes", size);
		return NULL;
	}

	if (h->bufd >= 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		         h->bufd, 0);
		if (p == MAP_FAILED) {
			pc_seterr(h->err, sizeof(h->err), errno,
			          "mmap %s (%zu bytes)", HYPERCALL_DEV, len);
			return NULL;
		}
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		         MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		if (p == MAP_FAILED) {
			pc_seterr(h->err, sizeof(h->err), errno,
			          "mmap locked hypercall buffer (%zu bytes)",
			          len);
			return NULL;
		}
		if (madvise(p, len, MADV_DONTFORK) < 0) {
			int saved = errno;
			munmap(p, len);
			pc_seterr(h->err, sizeof(h->err), saved,
			          "madvise MADV_DONTFORK");
			return NULL;
		}
	}
	/* Callers rely on zeroed memory (unset struct fields must be 0). */
	memset(p, 0, len);
	return p;
}

void
pc_buf_free(struct pc_handle *h, void *buf, size_t size)
{
	size_t len;
	int saved = errno;

	if (buf == NULL)
		return;
	len = (size + PC_PAGE_SIZE - 1) & ~(PC_PAGE_SIZE - 1);
	if (h->bufd < 0)
		madvise(buf, len, MADV_DOFORK);
	munmap(buf, len);
	errno = saved;
}

/*
 * Retry the pages that failed with -ENOENT (paged out) one at a time.  The
 * kernel accepts a sub-range of an already-populated window as long as the
 * pages in it are still unmapped, which is the case for failed pages.
 * Returns 0 when no page is left with -ENOENT, -1/errno when the ioctl
 * itself fails for another reason or the retries run out.
 */
static int
retry_paged(struct pc_handle *h, uint32_t domid, char *addr,
            const uint64_t *gfns, int *errs, size_t n)
{
	privcmd_mmapbatch_v2_t one;
	size_t i;
	long tries;
	int rc;

	for (i = 0; i < n; i++) {
		if (errs[i] != -ENOENT)
			continue;
		for (tries = 0; tries < PAGED_RETRIES; tries++) {
			usleep(PAGED_DELAY_US);
			memset(&one, 0, sizeof(one));
			one.num = 1;
			one.dom = (domid_t)domid;
			one.addr = (uint64_t)(uintptr_t)(addr + i * PC_PAGE_SIZE);
			one.arr = (const xen_pfn_t *)&gfns[i];
			one.err = &errs[i];
			rc = ioctl(h->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &one);
			if (rc == 0)
				break;
			if (errno != ENOENT) {
				pc_seterr(h->err, sizeof(h->err), errno,
				          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u "
				          "gfn 0x%llx", domid,
				          (unsigned long long)gfns[i]);
				return -1;
			}
		}
		if (tries == PAGED_RETRIES) {
			pc_seterr(h->err, sizeof(h->err), ENOENT,
			          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u gfn 0x%llx "
			          "stayed paged out", domid,
			          (unsigned long long)gfns[i]);
			return -1;
		}
	}
	return 0;
}

void *
pc_map_foreign(struct pc_handle *h, uint32_t domid, int prot,
               const uint64_t *gfns, int *errs, size_t n)
{
	privcmd_mmapbatch_v2_t batch;
	int *myerrs = NULL;
	void *addr = MAP_FAILED;
	size_t len, i;
	int rc, saved;

	len = pages_to_len(n);
	if (gfns == NULL || len == 0 || n > UINT_MAX || domid > 0xffff) {
		pc_seterr(h->err, sizeof(h->err), EINVAL,
		          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u (%zu pages)",
		          domid, n);
		goto fail;
	}
	/* The caller may not care about per-page errors, but the kernel
	 * always reports them and the retry needs them. */
	if (errs == NULL) {
		myerrs = calloc(n, sizeof(*myerrs));
		if (myerrs == NULL) {
			pc_seterr(h->err, sizeof(h->err), errno,
			          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u", domid);
			goto fail;
		}
		errs = myerrs;
	}

	addr = mmap(NULL, len, prot, MAP_SHARED, h->fd, 0);
	if (addr == MAP_FAILED) {
		pc_seterr(h->err, sizeof(h->err), errno,
		          "mmap privcmd window of %zu pages", n);
		goto fail;
	}

	memset(&batch, 0, sizeof(batch));
	batch.num = (unsigned int)n;
	batch.dom = (domid_t)domid;
	batch.addr = (uint64_t)(uintptr_t)addr;
	batch.arr = (const xen_pfn_t *)gfns;
	batch.err = errs;
	rc = ioctl(h->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch);
	if (rc < 0 && errno == ENOENT)
		rc = retry_paged(h, domid, addr, gfns, errs, n);
	else if (rc < 0)
		pc_seterr(h->err, sizeof(h->err), errno,
		          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u", domid);
	if (rc < 0)
		goto fail;

	/* Without an error array the caller asked for all-or-nothing. */
	if (myerrs != NULL) {
		for (i = 0; i < n; i++) {
			if (myerrs[i] != 0) {
				pc_seterr(h->err, sizeof(h->err), -myerrs[i],
				          "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u "
				          "gfn 0x%llx", domid,
				          (unsigned long long)gfns[i]);
				goto fail;
			}
		}
	}
	free(myerrs);
	return addr;

fail:
	saved = errno;
	if (addr != MAP_FAILED)
		munmap(addr, len);
	free(myerrs);
	errno = saved;
	return NULL;
}

void *
pc_map_resource(struct pc_handle *h, uint32_t domid, unsigned int type,
                unsigned int id, unsigned long frame, size_t nr, int prot)
{
	privcmd_mmap_resource_t res;
	void *addr;
	size_t len;
	int saved;

	len = pages_to_len(nr);
	if (len == 0 || domid > 0xffff || frame > UINT32_MAX) {
		pc_seterr(h->err, sizeof(h->err), EINVAL,
		          "IOCTL_PRIVCMD_MMAP_RESOURCE dom %u type %u id %u "
		          "frame %lu (%zu pages)", domid, type, id, frame, nr);
		return NULL;
	}

	addr = mmap(NULL, len, prot, MAP_SHARED, h->fd, 0);
	if (addr == MAP_FAILED) {
		pc_seterr(h->err, sizeof(h->err), errno,
		          "mmap privcmd window of %zu pages", nr);
		return NULL;
	}

	memset(&res, 0, sizeof(res));
	res.dom = (domid_t)domid;
	res.type = type;
	res.id = id;
	res.idx = (uint32_t)frame;
	res.num = nr;
	res.addr = (uint64_t)(uintptr_t)addr;
	if (ioctl(h->fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &res) < 0) {
		saved = errno;
		munmap(addr, len);
		pc_seterr(h->err, sizeof(h->err), saved,
		          "IOCTL_PRIVCMD_MMAP_RESOURCE dom %u type %u id %u",
		          domid, type, id);
		return NULL;
	}
	return addr;
}

long
pc_resource_size(struct pc_handle *h, uint32_t domid, unsigned int type,
                 unsigned int id)
{
	privcmd_mmap_resource_t res;

	if (domid > 0xffff) {
		pc_seterr(h->err, sizeof(h->err), EINVAL,
		          "IOCTL_PRIVCMD_MMAP_RESOURCE dom %u", domid);
		return -1;
	}
	memset(&res, 0, sizeof(res));
	res.dom = (domid_t)domid;
	res.type = type;
	res.id = id;
	if (ioctl(h->fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &res) < 0) {
		pc_seterr(h->err, sizeof(h->err), errno,
		          "IOCTL_PRIVCMD_MMAP_RESOURCE size dom %u type %u id %u",
		          domid, type, id);
		return -1;
	}
	return (long)res.num;
}

int
pc_unmap(void *addr, size_t npages)
{
	size_t len = pages_to_len(npages);

	if (addr == NULL || len == 0) {
		errno = EINVAL;
		return -1;
	}
	return munmap(addr, len);
}
