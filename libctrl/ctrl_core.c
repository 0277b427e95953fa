/*
 * ctrl_core.c - the libctrl handle, the domctl/sysctl plumbing every other
 * file uses, and the host-wide queries (version, platform parameters,
 * build id, physinfo, scheduler, cpupools, Xen's console ring).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_internal.h"

#include <xen/version.h>

#define PRIVCMD_DEVICE "/dev/xen/privcmd"

/* ---- Handle ---------------------------------------------------------- */

int
ctrl_seterr(struct ctrl_handle *h, int errnum, const char *what, ...)
{
	va_list ap;
	int n;

	va_start(ap, what);
	n = vsnprintf(h->err, sizeof(h->err), what, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(h->err))
		snprintf(h->err + n, sizeof(h->err) - (size_t)n, ": %s",
		         strerror(errnum));
	errno = errnum;
	return -1;
}

struct ctrl_handle *
ctrl_open_err(char *err, size_t errlen)
{
	struct ctrl_handle *h;
	int saved;

	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		saved = errno;
		if (err != NULL)
			snprintf(err, errlen, "libctrl: %s", strerror(saved));
		goto fail;
	}
	h->pc = pc_open();
	if (h->pc == NULL) {
		saved = errno;
		if (err != NULL)
			snprintf(err, errlen, "cannot open %s: %s%s",
			         PRIVCMD_DEVICE, strerror(saved),
			         saved == ENOENT ? " (not running on Xen, or "
			                           "xen-privcmd not loaded)" :
			         saved == EACCES ? " (must be root in Dom0)" :
			         "");
		goto fail;
	}
	h->scratch = pc_buf_alloc(h->pc, PC_PAGE_SIZE);
	if (h->scratch == NULL) {
		saved = errno;
		if (err != NULL)
			snprintf(err, errlen, "%s", pc_errmsg(h->pc));
		goto fail;
	}
	snprintf(h->err, sizeof(h->err), "no error");
	return h;

fail:
	if (h != NULL && h->pc != NULL)
		pc_close(h->pc);
	free(h);
	errno = saved;
	return NULL;
}

struct ctrl_handle *
ctrl_open(void)
{
	return ctrl_open_err(NULL, 0);
}

void
ctrl_close(struct ctrl_handle *h)
{
	int saved = errno;

	if (h == NULL)
		return;
	if (h->gnt != NULL)
		pc_gntdev_close(h->gnt);
	pc_buf_free(h->pc, h->scratch, PC_PAGE_SIZE);
	pc_close(h->pc);
	free(h);
	errno = saved;
}

const char *
ctrl_errmsg(const struct ctrl_handle *h)
{
	if (h == NULL)
		return "no libctrl handle";
	return h->err;
}

int
ctrl_check_domid(struct ctrl_handle *h, uint32_t domid, const char *name)
{
	if (domid >= DOMID_FIRST_RESERVED)
		return ctrl_seterr(h, EINVAL, "%s dom %u", name, domid);
	return 0;
}

/* ---- Hypercall plumbing ---------------------------------------------- */

/*
 * Xen answers a domctl/sysctl with a different interface version with
 * EACCES, the same code as "not privileged": say which it may be, since the
 * bare "Permission denied" sends people looking at file permissions.
 */
static const char *
eacces_hint(int errnum)
{
	return errnum == EACCES ? " (not privileged, or the hypervisor is not "
	                          "Xen 4.17: interface 0x15 expected)" : "";
}

int
ctrl_domctl(struct ctrl_handle *h, struct xen_domctl *d, const char *name)
{
	long rc;
	int saved;

	d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	memcpy(h->scratch, d, sizeof(*d));
	rc = pc_hypercall(h->pc, __HYPERVISOR_domctl,
	                  (uint64_t)(uintptr_t)h->scratch, 0, 0, 0, 0);
	saved = errno;
	memcpy(d, h->scratch, sizeof(*d));
	if (rc < 0) {
		ctrl_seterr(h, saved, "%s dom %u", name, d->domain);
		/* Append the hint after the strerror text. */
		if (saved == EACCES) {
			size_t len = strlen(h->err);
			snprintf(h->err + len, sizeof(h->err) - len, "%s",
			         eacces_hint(saved));
		}
		errno = saved;
		return -1;
	}
	return (int)rc;
}

int
ctrl_sysctl(struct ctrl_handle *h, struct xen_sysctl *s, const char *name)
{
	long rc;
	int saved;

	s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	memcpy(h->scratch, s, sizeof(*s));
	rc = pc_hypercall(h->pc, __HYPERVISOR_sysctl,
	                  (uint64_t)(uintptr_t)h->scratch, 0, 0, 0, 0);
	saved = errno;
	memcpy(s, h->scratch, sizeof(*s));
	if (rc < 0) {
		ctrl_seterr(h, saved, "%s", name);
		if (saved == EACCES) {
			size_t len = strlen(h->err);
			snprintf(h->err + len, sizeof(h->err) - len, "%s",
			         eacces_hint(saved));
		}
		errno = saved;
		return -1;
	}
	return (int)rc;
}

long
ctrl_hypercall_arg(struct ctrl_handle *h, unsigned op, unsigned long cmd,
                   void *arg, size_t size, const char *name, uint32_t domid)
{
	long rc;
	int saved;

	if (size > PC_PAGE_SIZE)
		return ctrl_seterr(h, EINVAL, "%s: argument of %zu bytes",
		                   name, size);
	if (arg != NULL)
		memcpy(h->scratch, arg, size);
	rc = pc_hypercall(h->pc, op, cmd,
	                  arg != NULL ? (uint64_t)(uintptr_t)h->scratch : 0,
	                  0, 0, 0);
	saved = errno;
	if (arg != NULL)
		memcpy(arg, h->scratch, size);
	if (rc < 0) {
		if (domid == CTRL_NO_DOMID)
			ctrl_seterr(h, saved, "%s", name);
		else
			ctrl_seterr(h, saved, "%s dom %u", name, domid);
		return -1;
	}
	return rc;
}

/* ---- Version --------------------------------------------------------- */

/* One XENVER_* string query into dst[size] (always NUL-terminated). */
static int
version_string(struct ctrl_handle *h, unsigned cmd, const char *name,
               char *dst, size_t size)
{
	/* Xen writes at most `size` bytes (the XENVER_* types are fixed
	 * arrays of exactly these sizes); clear first so a short string is
	 * terminated. */
	memset(h->scratch, 0, PC_PAGE_SIZE);
	if (pc_hypercall(h->pc, __HYPERVISOR_xen_version, cmd,
	                 (uint64_t)(uintptr_t)h->scratch, 0, 0, 0) < 0)
		return ctrl_seterr(h, errno, "%s", name);
	memcpy(dst, h->scratch, size);
	dst[size - 1] = '\0';
	return 0;
}

int
ctrl_xen_version(struct ctrl_handle *h, struct ctrl_version *v)
{
	struct xen_compile_info ci;
	long rc;

	memset(v, 0, sizeof(*v));

	rc = pc_hypercall(h->pc, __HYPERVISOR_xen_version, XENVER_version, 0,
	                  0, 0, 0);
	if (rc < 0)
		return ctrl_seterr(h, errno, "XENVER_version");
	v->major = (int)(rc >> 16);
	v->minor = (int)(rc & 0xffff);

	if (version_string(h, XENVER_extraversion, "XENVER_extraversion",
	                   v->extra, sizeof(v->extra)) < 0 ||
	    version_string(h, XENVER_capabilities, "XENVER_capabilities",
	                   v->capabilities, sizeof(v->capabilities)) < 0 ||
	    version_string(h, XENVER_changeset, "XENVER_changeset",
	                   v->changeset, sizeof(v->changeset)) < 0 ||
	    version_string(h, XENVER_commandline, "XENVER_commandline",
	                   v->cmdline, sizeof(v->cmdline)) < 0)
		return -1;

	memset(h->scratch, 0, sizeof(ci));
	if (pc_hypercall(h->pc, __HYPERVISOR_xen_version, XENVER_compile_info,
	                 (uint64_t)(uintptr_t)h->scratch, 0, 0, 0) < 0)
		return ctrl_seterr(h, errno, "XENVER_compile_info");
	memcpy(&ci, h->scratch, sizeof(ci));
	/* Copy field by field: each is a fixed array maybe without a NUL. */
	memcpy(v->compiler, ci.compiler, sizeof(v->compiler));
	v->compiler[sizeof(v->compiler) - 1] = '\0';
	memcpy(v->compile_by, ci.compile_by, sizeof(v->compile_by));
	v->compile_by[sizeof(v->compile_by) - 1] = '\0';
	memcpy(v->compile_domain, ci.compile_domain, sizeof(v->compile_domain));
	v->compile_domain[sizeof(v->compile_domain) - 1] = '\0';
	memcpy(v->compile_date, ci.compile_date, sizeof(v->compile_date));
	v->compile_date[sizeof(v->compile_date) - 1] = '\0';

	rc = pc_hypercall(h->pc, __HYPERVISOR_xen_version, XENVER_pagesize, 0,
	                  0, 0, 0);
	if (rc < 0)
		return ctrl_seterr(h, errno, "XENVER_pagesize");
	v->pagesize = (unsigned long)rc;
	return 0;
}

int
ctrl_platform_parameters(struct ctrl_handle *h, uint64_t *virt_start)
{
	xen_platform_parameters_t pp;

	memset(&pp, 0, sizeof(pp));
	if (ctrl_hypercall_arg(h, __HYPERVISOR_xen_version,
	                       XENVER_platform_parameters, &pp, sizeof(pp),
	                       "XENVER_platform_parameters", CTRL_NO_DOMID) < 0)
		return -1;
	*virt_start = pp.virt_start;
	return 0;
}

/* Room for the build id after xen_build_id_t's length field.  Xen's is a
 * 20-byte SHA-1 (or a 16-byte MD5): 256 bytes is plenty and keeps the
 * argument well inside the scratch page. */
#define BUILD_ID_MAX 256

int
ctrl_build_id(struct ctrl_handle *h, char *hex, size_t len)
{
	/* xen_build_id_t ends in a flexible array, so give it a buffer of
	 * our own size: `len` in says how much room buf[] has, Xen returns
	 * how many bytes it wrote (or -ENOBUFS if they would not fit). */
	union {
		xen_build_id_t id;
		unsigned char raw[sizeof(xen_build_id_t) + BUILD_ID_MAX];
	} arg;
	long rc;
	size_t i;

	if (len > 0)
		hex[0] = '\0';
	memset(&arg, 0, sizeof(arg));
	arg.id.len = BUILD_ID_MAX;
	rc = ctrl_hypercall_arg(h, __HYPERVISOR_xen_version, XENVER_build_id,
	                        &arg, sizeof(arg), "XENVER_build_id",
	                        CTRL_NO_DOMID);
	if (rc < 0)
		return -1;
	if (rc > BUILD_ID_MAX)
		return ctrl_seterr(h, EPROTO, "XENVER_build_id: %ld bytes "
		                   "in a %d-byte buffer", rc, BUILD_ID_MAX);
	if (len < 2 * (size_t)rc + 1)
		return ctrl_seterr(h, ENOBUFS, "XENVER_build_id: %ld bytes",
		                   rc);
	for (i = 0; i < (size_t)rc; i++)
		snprintf(hex + 2 * i, 3, "%02x", arg.id.buf[i]);
	hex[2 * rc] = '\0';
	return (int)rc;
}

/* ---- Host ------------------------------------------------------------ */

int
ctrl_physinfo(struct ctrl_handle *h, struct ctrl_physinfo *p)
{
	struct xen_sysctl s;
	const struct xen_sysctl_physinfo *pi = &s.u.physinfo;

	memset(p, 0, sizeof(*p));
	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_physinfo;
	if (ctrl_sysctl(h, &s, "XEN_SYSCTL_physinfo") < 0)
		return -1;

	p->threads_per_core = pi->threads_per_core;
	p->cores_per_socket = pi->cores_per_socket;
	p->nr_cpus = pi->nr_cpus;
	p->max_cpu_id = pi->max_cpu_id;
	p->nr_nodes = pi->nr_nodes;
	p->max_node_id = pi->max_node_id;
	p->cpu_khz = pi->cpu_khz;
	p->capabilities = pi->capabilities;
	p->arch_capabilities = pi->arch_capabilities;
	p->total_pages = pi->total_pages;
	p->free_pages = pi->free_pages;
	p->scrub_pages = pi->scrub_pages;
	p->outstanding_pages = pi->outstanding_pages;
	p->max_mfn = pi->max_mfn;
	memcpy(p->hw_cap, pi->hw_cap, sizeof(p->hw_cap));
	return 0;
}

int
ctrl_sched_id(struct ctrl_handle *h, unsigned *id)
{
	struct xen_sysctl s;

	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_sched_id;
	if (ctrl_sysctl(h, &s, "XEN_SYSCTL_sched_id") < 0)
		return -1;
	*id = s.u.sched_id.sched_id;
	return 0;
}

const char *
ctrl_sched_name(unsigned id)
{
	switch (id) {
	case XEN_SCHEDULER_CREDIT:   return "credit";
	case XEN_SCHEDULER_CREDIT2:  return "credit2";
	case XEN_SCHEDULER_ARINC653: return "arinc653";
	case XEN_SCHEDULER_RTDS:     return "rtds";
	case XEN_SCHEDULER_NULL:     return "null";
	default:                     return "unknown";
	}
}

/* ---- CPU pools ------------------------------------------------------- */

/*
 * One XEN_SYSCTL_cpupool_op returning a CPU bitmap (INFO or FREEINFO).
 * The map is sized for the host's CPUs (physinfo's max_cpu_id), the size
 * libxenctl uses too; Xen copies at most that many bits and zeroes the
 * rest of a larger buffer.  On success *cpumap is malloc'd.
 */
static int
cpupool_op(struct ctrl_handle *h, struct xen_sysctl *s, const char *name,
           uint8_t **cpumap, size_t *nbytes)
{
	struct ctrl_physinfo p;
	uint8_t *buf = NULL, *map = NULL;
	size_t size = 0;
	int rc = -1, saved;

	*cpumap = NULL;
	*nbytes = 0;
	if (ctrl_physinfo(h, &p) < 0)
		goto out;
	size = (p.max_cpu_id + 1 + 7) / 8;
	buf = pc_buf_alloc(h->pc, size);
	if (buf == NULL) {
		ctrl_seterr(h, errno, "%s: %s", name, pc_errmsg(h->pc));
		goto out;
	}
	memset(buf, 0, size);
	set_xen_guest_handle(s->u.cpupool_op.cpumap.bitmap, buf);
	s->u.cpupool_op.cpumap.nr_bits = (uint32_t)(size * 8);
	s->cmd = XEN_SYSCTL_cpupool_op;
	if (ctrl_sysctl(h, s, name) < 0)
		goto out;
	map = malloc(size);
	if (map == NULL) {
		ctrl_seterr(h, errno, "%s", name);
		goto out;
	}
	memcpy(map, buf, size);
	*cpumap = map;
	*nbytes = size;
	rc = 0;
out:
	saved = errno;
	if (buf != NULL)
		pc_buf_free(h->pc, buf, size);
	errno = saved;
	return rc;
}

int
ctrl_cpupool_freeinfo(struct ctrl_handle *h, uint8_t **cpumap, size_t *nbytes)
{
	struct xen_sysctl s;

	memset(&s, 0, sizeof(s));
	s.u.cpupool_op.op = XEN_SYSCTL_CPUPOOL_OP_FREEINFO;
	return cpupool_op(h, &s, "XEN_SYSCTL_CPUPOOL_OP_FREEINFO", cpumap,
	                  nbytes);
}

int
ctrl_cpupool_info(struct ctrl_handle *h, uint32_t poolid,
                  struct ctrl_cpupool *out)
{
	struct xen_sysctl s;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.u.cpupool_op.op = XEN_SYSCTL_CPUPOOL_OP_INFO;
	s.u.cpupool_op.cpupool_id = poolid;
	if (cpupool_op(h, &s, "XEN_SYSCTL_CPUPOOL_OP_INFO", &out->cpumap,
	               &out->nbytes) < 0)
		return -1;
	out->id = s.u.cpupool_op.cpupool_id;
	out->sched_id = s.u.cpupool_op.sched_id;
	out->n_dom = s.u.cpupool_op.n_dom;
	return 0;
}

/* ---- Xen's console ring ---------------------------------------------- */

/* Read in chunks of this size; Xen's ring is typically 16-64 KiB. */
#define CONSOLE_CHUNK (16 * 1024)
#define CONSOLE_MAX   (16 * 1024 * 1024)

int
ctrl_readconsole_incr(struct ctrl_handle *h, uint32_t *index, bool from_start,
                      char **buf, size_t *len)
{
	struct xen_sysctl s;
	char *chunk = NULL, *out = NULL, *bigger;
	size_t used = 0;
	bool incremental = !from_start;
	int rc = -1, saved;

	*buf = NULL;
	*len = 0;
	chunk = pc_buf_alloc(h->pc, CONSOLE_CHUNK);
	if (chunk == NULL) {
		ctrl_seterr(h, errno, "%s", pc_errmsg(h->pc));
		goto out;
	}

	/* Xen copies at most `count` bytes from its read position and
	 * returns the new position in `index`; keep asking from there until
	 * a call returns nothing. */
	for (;;) {
		memset(&s, 0, sizeof(s));
		s.cmd = XEN_SYSCTL_readconsole;
		s.u.readconsole.clear = 0;
		s.u.readconsole.incremental = incremental;
		s.u.readconsole.index = *index;
		set_xen_guest_handle(s.u.readconsole.buffer, chunk);
		s.u.readconsole.count = CONSOLE_CHUNK;
		if (ctrl_sysctl(h, &s, "XEN_SYSCTL_readconsole") < 0)
			goto out;
		*index = s.u.readconsole.index;
		incremental = true;
		if (s.u.readconsole.count == 0)
			break;
		bigger = realloc(out, used + s.u.readconsole.count + 1);
		if (bigger == NULL) {
			ctrl_seterr(h, errno, "XEN_SYSCTL_readconsole");
			goto out;
		}
		out = bigger;
		memcpy(out + used, chunk, s.u.readconsole.count);
		used += s.u.readconsole.count;
		/* A short chunk means we caught up with the writer.  The cap
		 * only guards against a log written faster than we read. */
		if (s.u.readconsole.count < CONSOLE_CHUNK ||
		    used >= CONSOLE_MAX)
			break;
	}

	if (out == NULL) {
		out = malloc(1);
		if (out == NULL) {
			ctrl_seterr(h, errno, "XEN_SYSCTL_readconsole");
			goto out;
		}
	}
	out[used] = '\0';
	*buf = out;
	*len = used;
	out = NULL;
	rc = 0;
out:
	saved = errno;
	free(out);
	if (chunk != NULL)
		pc_buf_free(h->pc, chunk, CONSOLE_CHUNK);
	errno = saved;
	return rc;
}

int
ctrl_readconsole(struct ctrl_handle *h, bool clear, char **buf, size_t *len)
{
	struct xen_sysctl s;
	uint32_t index = 0;

	if (ctrl_readconsole_incr(h, &index, true, buf, len) < 0)
		return -1;
	if (!clear)
		return 0;

	/* Clearing is a separate zero-length read with clear set: it moves
	 * Xen's consumer index to where we stopped reading, so nothing that
	 * arrived after our read is thrown away unseen. */
	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_readconsole;
	s.u.readconsole.clear = 1;
	s.u.readconsole.incremental = 1;
	s.u.readconsole.index = index;
	s.u.readconsole.count = 0;
	if (ctrl_sysctl(h, &s, "XEN_SYSCTL_readconsole (clear)") < 0) {
		int saved = errno;
		free(*buf);
		*buf = NULL;
		*len = 0;
		errno = saved;
		return -1;
	}
	return 0;
}
