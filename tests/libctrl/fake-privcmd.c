/*
 * fake-privcmd.c - the privcmd functions libctrl's core calls, answering
 * like Xen 4.17 from the state in `fake` (see fake-privcmd.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-privcmd.h"

#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>

struct fake_state fake;

struct pc_handle {
	char err[256];
};

void
fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.affinity = 0x0f;
	fake.soft_affinity = 0x0f;
	fake.sched_weight = 256;
	fake.sched_ratelimit = 1000;
}

void
fake_add_dom(uint32_t id, uint32_t flags)
{
	size_t i;

	/* Keep the table sorted: Xen walks domains in id order. */
	for (i = fake.ndoms; i > 0 && fake.doms[i - 1].id > id; i--)
		fake.doms[i] = fake.doms[i - 1];
	fake.doms[i].id = id;
	fake.doms[i].flags = flags;
	fake.ndoms++;
}

static struct fake_dom *
find_dom(uint32_t id)
{
	size_t i;

	for (i = 0; i < fake.ndoms; i++)
		if (fake.doms[i].id == id)
			return &fake.doms[i];
	return NULL;
}

bool
fake_has_dom(uint32_t id)
{
	return find_dom(id) != NULL;
}

static void
remove_dom(uint32_t id)
{
	size_t i;

	for (i = 0; i < fake.ndoms; i++) {
		if (fake.doms[i].id == id) {
			memmove(&fake.doms[i], &fake.doms[i + 1],
			        (fake.ndoms - i - 1) * sizeof(fake.doms[0]));
			fake.ndoms--;
			return;
		}
	}
}

void
fake_console_write(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fake.conring[fake.conp++ & (FAKE_CONRING - 1)] = s[i];
	/* Like Xen: the oldest data is overwritten when the ring is full. */
	if (fake.conp - fake.conc > FAKE_CONRING)
		fake.conc = fake.conp - FAKE_CONRING;
}

/* Is [p, p+len) inside one live hypercall buffer?  Records a violation. */
static bool
check_ptr(const void *p, size_t len)
{
	const char *c = p;
	int i;

	for (i = 0; i < 64; i++) {
		const char *b = fake.bufs[i].p;
		if (b != NULL && c >= b && c + len <= b + fake.bufs[i].size)
			return true;
	}
	fake.bad_pointer = true;
	return false;
}

/* ---- privcmd API ----------------------------------------------------- */

struct pc_handle *
pc_open(void)
{
	return calloc(1, sizeof(struct pc_handle));
}

void
pc_close(struct pc_handle *h)
{
	free(h);
}

const char *
pc_errmsg(const struct pc_handle *h)
{
	return h->err;
}

void *
pc_buf_alloc(struct pc_handle *h, size_t size)
{
	size_t len = (size + PC_PAGE_SIZE - 1) & ~(PC_PAGE_SIZE - 1);
	int i;

	for (i = 0; i < 64; i++) {
		if (fake.bufs[i].p == NULL) {
			fake.bufs[i].p = calloc(1, len);
			fake.bufs[i].size = len;
			fake.live_bufs++;
			return fake.bufs[i].p;
		}
	}
	snprintf(h->err, sizeof(h->err), "fake: out of buffers");
	errno = ENOMEM;
	return NULL;
}

void
pc_buf_free(struct pc_handle *h, void *buf, size_t size)
{
	int i;

	(void)h;
	(void)size;
	for (i = 0; i < 64; i++) {
		if (fake.bufs[i].p == buf && buf != NULL) {
			free(buf);
			fake.bufs[i].p = NULL;
			fake.live_bufs--;
			return;
		}
	}
}

/* Hand out one page for a ring mapping, remembering its kind. */
static void *
fake_page(bool grant)
{
	int i;

	for (i = 0; i < 8; i++) {
		if (fake.maps[i].p == NULL) {
			fake.maps[i].p = calloc(1, PC_PAGE_SIZE);
			if (fake.maps[i].p == NULL)
				return NULL;
			fake.maps[i].grant = grant;
			fake.live_maps++;
			return fake.maps[i].p;
		}
	}
	errno = ENOMEM;
	return NULL;
}

/* Give back a page from fake_page; -1/EINVAL if it is not one, and
 * wrong_unmap when it was of the other kind. */
static int
fake_unpage(void *addr, bool grant)
{
	int i;

	for (i = 0; i < 8; i++) {
		if (fake.maps[i].p != NULL && fake.maps[i].p == addr) {
			if (fake.maps[i].grant != grant)
				fake.wrong_unmap = true;
			free(addr);
			fake.maps[i].p = NULL;
			fake.live_maps--;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

void *
pc_map_foreign(struct pc_handle *h, uint32_t domid, int prot,
               const uint64_t *gfns, int *errs, size_t n)
{
	size_t i;

	(void)prot;
	fake.foreign_maps++;
	fake.last_foreign_dom = domid;
	fake.last_frame = n > 0 ? gfns[0] : 0;
	if (!fake.foreign_ok || n != 1) {
		snprintf(h->err, sizeof(h->err),
		         "IOCTL_PRIVCMD_MMAPBATCH_V2 dom %u: Invalid argument",
		         domid);
		errno = EINVAL;
		return NULL;
	}
	if (errs != NULL) {
		for (i = 0; i < n; i++)
			errs[i] = fake.foreign_page_err;
	} else if (fake.foreign_page_err != 0) {
		errno = -fake.foreign_page_err;
		return NULL;
	}
	return fake_page(false);
}

struct pc_gntdev {
	int unused;
};

struct pc_gntdev *
pc_gntdev_open(void)
{
	fake.gntdev_opens++;
	if (fake.gntdev_errno != 0) {
		errno = fake.gntdev_errno;
		return NULL;
	}
	return calloc(1, sizeof(struct pc_gntdev));
}

void
pc_gntdev_close(struct pc_gntdev *g)
{
	free(g);
}

const char *
pc_gntdev_errmsg(const struct pc_gntdev *g)
{
	(void)g;
	return "fake gntdev";
}

void *
pc_gnt_map(struct pc_gntdev *g, uint32_t domid, const uint32_t *refs,
           size_t count, int prot)
{
	(void)g; (void)prot;
	fake.gnt_maps++;
	fake.last_gnt_dom = domid;
	fake.last_gref = count > 0 ? refs[0] : 0;
	if (fake.gnt_errno != 0 || count != 1) {
		errno = fake.gnt_errno != 0 ? fake.gnt_errno : EINVAL;
		return NULL;
	}
	return fake_page(true);
}

int
pc_gnt_unmap(struct pc_gntdev *g, void *addr, size_t count)
{
	(void)g; (void)count;
	fake.gnt_unmaps++;
	return fake_unpage(addr, true);
}

void *
pc_map_resource(struct pc_handle *h, uint32_t domid, unsigned int type,
                unsigned int id, unsigned long frame, size_t nr, int prot)
{
	(void)frame; (void)nr; (void)prot;
	snprintf(h->err, sizeof(h->err),
	         "IOCTL_PRIVCMD_MMAP_RESOURCE dom %u type %u id %u: "
	         "Operation not supported", domid, type, id);
	errno = EOPNOTSUPP;
	return NULL;
}

long
pc_resource_size(struct pc_handle *h, uint32_t domid, unsigned int type,
                 unsigned int id)
{
	(void)h; (void)domid; (void)type; (void)id;
	return 32;
}

int
pc_unmap(void *addr, size_t npages)
{
	int i;

	(void)npages;
	fake.unmaps++;
	/* Only pages from fake_page are real; others (from tests of
	 * mapping errors) were never mapped. */
	for (i = 0; i < 8; i++)
		if (fake.maps[i].p != NULL && fake.maps[i].p == addr)
			return fake_unpage(addr, false);
	return 0;
}

/* ---- The pretend hypervisor ------------------------------------------ */

static long
fake_domctl(struct xen_domctl *d)
{
	struct fake_dom *dom;
	size_t i;

	fake.domctls++;
	if (!check_ptr(d, sizeof(*d)))
		return -EFAULT;
	if (d->interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;

	switch (d->cmd) {
	case XEN_DOMCTL_getdomaininfo:
		/* 4.17: the first domain with id >= the one asked. */
		for (i = 0; i < fake.ndoms; i++)
			if (fake.doms[i].id >= d->domain)
				break;
		if (i == fake.ndoms)
			return -ESRCH;
		memset(&d->u.getdomaininfo, 0, sizeof(d->u.getdomaininfo));
		d->u.getdomaininfo.domain = (domid_t)fake.doms[i].id;
		d->u.getdomaininfo.flags = fake.doms[i].flags;
		d->u.getdomaininfo.tot_pages = 100u * fake.doms[i].id;
		d->u.getdomaininfo.max_vcpu_id = 1;
		d->u.getdomaininfo.nr_online_vcpus = 2;
		d->domain = (domid_t)fake.doms[i].id;
		return 0;

	case XEN_DOMCTL_createdomain:
		fake.created = d->u.createdomain;
		if (d->domain != 0 && d->domain < DOMID_FIRST_RESERVED) {
			if (find_dom(d->domain) != NULL)
				return -EEXIST;
		} else {
			d->domain = fake.ndoms > 0
			            ? (domid_t)(fake.doms[fake.ndoms - 1].id + 1)
			            : 1;
		}
		fake_add_dom(d->domain, XEN_DOMINF_paused);
		return 0;

	case XEN_DOMCTL_destroydomain:
		if (find_dom(d->domain) == NULL)
			return -ESRCH;
		if (fake.destroy_eagain > 0) {
			fake.destroy_eagain--;
			return -EAGAIN;
		}
		remove_dom(d->domain);
		return 0;

	case XEN_DOMCTL_pausedomain:
	case XEN_DOMCTL_unpausedomain:
		dom = find_dom(d->domain);
		if (dom == NULL)
			return -ESRCH;
		if (d->cmd == XEN_DOMCTL_pausedomain)
			dom->flags |= XEN_DOMINF_paused;
		else
			dom->flags &= ~XEN_DOMINF_paused;
		return 0;

	case XEN_DOMCTL_max_mem:
	case XEN_DOMCTL_max_vcpus:
	case XEN_DOMCTL_set_address_size:
	case XEN_DOMCTL_setdomainhandle:
	case XEN_DOMCTL_set_target:
		return find_dom(d->domain) != NULL ? 0 : -ESRCH;

	case XEN_DOMCTL_getvcpuinfo:
		if (find_dom(d->domain) == NULL)
			return -ESRCH;
		if (d->u.getvcpuinfo.vcpu > 1)
			return -EINVAL;
		d->u.getvcpuinfo.online = 1;
		d->u.getvcpuinfo.running = 1;
		d->u.getvcpuinfo.cpu_time = 123456789;
		d->u.getvcpuinfo.cpu = 1;
		return 0;

	case XEN_DOMCTL_setvcpuaffinity:
	case XEN_DOMCTL_getvcpuaffinity: {
		/* A 4-CPU host: Xen keeps only bits 0..3.  Each map given
		 * (by its flag) is set and/or written back. */
		struct xen_domctl_vcpuaffinity *va = &d->u.vcpuaffinity;
		uint8_t *hard = va->cpumap_hard.bitmap.p;
		uint8_t *soft = va->cpumap_soft.bitmap.p;
		size_t hbytes = (va->cpumap_hard.nr_bits + 7) / 8;
		size_t sbytes = (va->cpumap_soft.nr_bits + 7) / 8;
		bool has_hard = va->flags & XEN_VCPUAFFINITY_HARD;
		bool has_soft = va->flags & XEN_VCPUAFFINITY_SOFT;

		if (find_dom(d->domain) == NULL)
			return -ESRCH;
		if ((!has_hard && !has_soft) ||
		    (va->flags & ~(XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)) ||
		    (has_hard && !check_ptr(hard, hbytes)) ||
		    (has_soft && !check_ptr(soft, sbytes)))
			return -EINVAL;
		if (d->cmd == XEN_DOMCTL_setvcpuaffinity) {
			if (has_hard && (hard[0] & 0x0f) == 0)
				return -EINVAL;
			if (has_hard)
				fake.affinity = hard[0] & 0x0f;
			if (has_soft)
				fake.soft_affinity = soft[0] & 0x0f;
		}
		if (has_hard) {
			memset(hard, 0, hbytes);
			hard[0] = fake.affinity;
		}
		if (has_soft) {
			memset(soft, 0, sbytes);
			soft[0] = fake.soft_affinity;
		}
		return 0;
	}

	case XEN_DOMCTL_scheduler_op: {
		struct xen_domctl_scheduler_op *so = &d->u.scheduler_op;

		if (find_dom(d->domain) == NULL)
			return -ESRCH;
		if (so->sched_id != XEN_SCHEDULER_CREDIT2)
			return -EINVAL;
		if (so->cmd == XEN_DOMCTL_SCHEDOP_putinfo) {
			fake.sched_weight = so->u.credit2.weight;
			fake.sched_cap = so->u.credit2.cap;
			return 0;
		}
		if (so->cmd != XEN_DOMCTL_SCHEDOP_getinfo)
			return -EINVAL;
		so->u.credit2.weight = fake.sched_weight;
		so->u.credit2.cap = fake.sched_cap;
		return 0;
	}

	case XEN_DOMCTL_setvcpucontext:
	case XEN_DOMCTL_getvcpucontext:
		if (find_dom(d->domain) == NULL)
			return -ESRCH;
		if (!check_ptr(d->u.vcpucontext.ctxt.p, sizeof(fake.ctx)))
			return -EFAULT;
		fake.ctx_vcpu = d->u.vcpucontext.vcpu;
		if (d->cmd == XEN_DOMCTL_setvcpucontext)
			memcpy(&fake.ctx, d->u.vcpucontext.ctxt.p,
			       sizeof(fake.ctx));
		else
			memcpy(d->u.vcpucontext.ctxt.p, &fake.ctx,
			       sizeof(fake.ctx));
		return 0;
	}
	return -ENOSYS;
}

static long
fake_readconsole(struct xen_sysctl_readconsole *rc)
{
	uint32_t c = fake.conc, p = fake.conp, sofar = 0, idx, len;
	char *dst = rc->buffer.p;

	if (rc->count > 0 && !check_ptr(dst, rc->count))
		return -EFAULT;
	/* Xen's read_console_ring(): start at the consumer, or at the
	 * caller's index when it lies inside the live data. */
	if (rc->incremental &&
	    (c <= p ? c < rc->index && rc->index <= p
	            : c < rc->index || rc->index <= p))
		c = rc->index;
	while (c != p && sofar < rc->count) {
		idx = c & (FAKE_CONRING - 1);
		len = p - c;
		if (idx + len > FAKE_CONRING)
			len = FAKE_CONRING - idx;
		if (sofar + len > rc->count)
			len = rc->count - sofar;
		memcpy(dst + sofar, &fake.conring[idx], len);
		sofar += len;
		c += len;
	}
	if (rc->clear)
		fake.conc = p - c > FAKE_CONRING ? p - FAKE_CONRING : c;
	rc->count = sofar;
	rc->index = c;
	return 0;
}

/* Xen copies min(its bits, nr_bits) of the map and zeroes the rest of
 * the caller's buffer. */
static long
fake_cpumap_out(struct xenctl_bitmap *b, uint8_t map)
{
	uint8_t *p = b->bitmap.p;
	size_t bytes = (b->nr_bits + 7) / 8;

	fake.last_cpumap_bits = b->nr_bits;
	if (bytes == 0)
		return 0;
	if (!check_ptr(p, bytes))
		return -EFAULT;
	memset(p, 0, bytes);
	p[0] = map;
	return 0;
}

static long
fake_cpupool(struct xen_sysctl_cpupool_op *op)
{
	uint32_t id;

	switch (op->op) {
	case XEN_SYSCTL_CPUPOOL_OP_FREEINFO:
		return fake_cpumap_out(&op->cpumap, fake.free_cpus);
	case XEN_SYSCTL_CPUPOOL_OP_INFO:
		/* Like Xen: the first pool with an id >= the one asked. */
		for (id = op->cpupool_id; id < 8; id++)
			if (fake.pool_cpus[id] != 0)
				break;
		if (id >= 8)
			return -ENOENT;
		op->cpupool_id = id;
		op->sched_id = XEN_SCHEDULER_CREDIT2;
		op->n_dom = id + 1;
		return fake_cpumap_out(&op->cpumap, fake.pool_cpus[id]);
	}
	return -EOPNOTSUPP;
}

static long
fake_sysctl(struct xen_sysctl *s)
{
	struct xen_sysctl_getdomaininfolist *l;
	xen_domctl_getdomaininfo_t *out;
	uint32_t n = 0;
	size_t i;

	fake.sysctls++;
	if (!check_ptr(s, sizeof(*s)))
		return -EFAULT;
	if (s->interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;

	switch (s->cmd) {
	case XEN_SYSCTL_physinfo:
		memset(&s->u.physinfo, 0, sizeof(s->u.physinfo));
		s->u.physinfo.threads_per_core = 1;
		s->u.physinfo.cores_per_socket = 2;
		s->u.physinfo.nr_cpus = 2;
		s->u.physinfo.max_cpu_id = 1;
		s->u.physinfo.nr_nodes = 1;
		s->u.physinfo.cpu_khz = 2400000;
		s->u.physinfo.capabilities = XEN_SYSCTL_PHYSCAP_pv;
		s->u.physinfo.total_pages = 2097152;
		s->u.physinfo.free_pages = 1048576;
		s->u.physinfo.max_mfn = 0x23ffff;
		s->u.physinfo.hw_cap[0] = 0x178bfbff;
		s->u.physinfo.hw_cap[7] = 7;
		return 0;

	case XEN_SYSCTL_sched_id:
		s->u.sched_id.sched_id = XEN_SCHEDULER_CREDIT2;
		return 0;

	case XEN_SYSCTL_getdomaininfolist:
		l = &s->u.getdomaininfolist;
		out = l->buffer.p;
		if (!check_ptr(out, (size_t)l->max_domains * sizeof(*out)))
			return -EFAULT;
		for (i = 0; i < fake.ndoms; i++) {
			if (fake.doms[i].id < l->first_domain)
				continue;
			if (n == l->max_domains)
				break;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].domain = (domid_t)fake.doms[i].id;
			out[n].flags = fake.doms[i].flags;
			out[n].tot_pages = 100u * fake.doms[i].id;
			n++;
		}
		l->num_domains = n;
		return 0;

	case XEN_SYSCTL_readconsole:
		return fake_readconsole(&s->u.readconsole);

	case XEN_SYSCTL_cpupool_op:
		return fake_cpupool(&s->u.cpupool_op);

	case XEN_SYSCTL_scheduler_op:
		if (s->u.scheduler_op.sched_id != XEN_SCHEDULER_CREDIT2 ||
		    s->u.scheduler_op.cpupool_id != 0)
			return -EINVAL;
		if (s->u.scheduler_op.cmd == XEN_SYSCTL_SCHEDOP_putinfo)
			fake.sched_ratelimit =
			    s->u.scheduler_op.u.sched_credit2.ratelimit_us;
		else
			s->u.scheduler_op.u.sched_credit2.ratelimit_us =
			    fake.sched_ratelimit;
		return 0;
	}
	return -ENOSYS;
}

static long
fake_version(uint64_t cmd, void *arg)
{
	struct xen_compile_info *ci = arg;

	if (cmd == XENVER_version)
		return (4 << 16) | 17;
	if (cmd == XENVER_pagesize)
		return 4096;
	if (cmd == XENVER_platform_parameters) {
		xen_platform_parameters_t *pp = arg;
		if (!check_ptr(arg, sizeof(*pp)))
			return -EFAULT;
		pp->virt_start = 0xffff800000000000ULL;
		return 0;
	}
	if (cmd == XENVER_build_id) {
		xen_build_id_t *b = arg;
		if (!check_ptr(arg, sizeof(*b)))
			return -EFAULT;
		if (fake.build_id_len == 0)
			return -ENODATA;
		/* len 0 asks for the size; too small a buffer: ENOBUFS. */
		if (b->len == 0)
			return fake.build_id_len;
		if (b->len < fake.build_id_len)
			return -ENOBUFS;
		if (!check_ptr(arg, sizeof(*b) + fake.build_id_len))
			return -EFAULT;
		memcpy(b->buf, fake.build_id, fake.build_id_len);
		return fake.build_id_len;
	}
	if (!check_ptr(arg, 1024))
		return -EFAULT;
	switch (cmd) {
	case XENVER_extraversion:
		strcpy(arg, ".1-fake");
		return 0;
	case XENVER_capabilities:
		strcpy(arg, "xen-3.0-x86_64 hvm-3.0-x86_32");
		return 0;
	case XENVER_changeset:
		strcpy(arg, "fake changeset");
		return 0;
	case XENVER_commandline:
		strcpy(arg, "console=com1 dom0_mem=1024M");
		return 0;
	case XENVER_compile_info:
		/* A full-width field with no NUL: the reader must cut it. */
		memset(ci->compile_by, 'x', sizeof(ci->compile_by));
		strcpy(ci->compiler, "gcc (fake) 12.2.0");
		strcpy(ci->compile_domain, "example.org");
		strcpy(ci->compile_date, "Sat Jan  1 00:00:00 UTC 2022");
		return 0;
	}
	return -ENOSYS;
}

static long
fake_memory(uint64_t cmd, void *arg)
{
	struct xen_memory_reservation *r = arg;
	struct xen_memory_domain *md = arg;
	struct xen_foreign_memory_map *fm = arg;
	xen_pfn_t *ext;
	unsigned long i;

	/* The sharing counters take no argument (a NULL pointer). */
	if (cmd == XENMEM_get_sharing_freed_pages)
		return fake.sharing_freed;
	if (cmd == XENMEM_get_sharing_shared_pages)
		return fake.sharing_shared;
	if (!check_ptr(arg, 16))
		return -EFAULT;
	switch (cmd) {
	case XENMEM_populate_physmap:
		if (find_dom(r->domid) == NULL)
			return -ESRCH;
		ext = r->extent_start.p;
		if (!check_ptr(ext, r->nr_extents * sizeof(*ext)))
			return -EFAULT;
		/* Hand out "machine frames" gpfn + 0x100000 while memory
		 * lasts; a short count tells the caller Xen ran out. */
		for (i = 0; i < r->nr_extents && fake.free_pages > 0; i++) {
			ext[i] += 0x100000;
			fake.free_pages--;
		}
		return (long)i;
	case XENMEM_decrease_reservation:
		if (!check_ptr(r->extent_start.p,
		               r->nr_extents * sizeof(xen_pfn_t)))
			return -EFAULT;
		return (long)r->nr_extents;
	case XENMEM_current_reservation:
		return find_dom(md->domid) != NULL ? 1234 : -ESRCH;
	case XENMEM_maximum_gpfn:
		return find_dom(md->domid) != NULL ? 4321 : -ESRCH;
	case XENMEM_set_memory_map:
		if (find_dom(fm->domid) == NULL)
			return -ESRCH;
		if (!check_ptr(fm->map.buffer.p, fm->map.nr_entries *
		               sizeof(struct ctrl_e820entry)))
			return -EFAULT;
		fake.e820_n = fm->map.nr_entries;
		memcpy(fake.e820, fm->map.buffer.p,
		       fake.e820_n * sizeof(struct ctrl_e820entry));
		return 0;
	}
	return -ENOSYS;
}

long
pc_hypercall(struct pc_handle *h, unsigned int op, uint64_t a1, uint64_t a2,
             uint64_t a3, uint64_t a4, uint64_t a5)
{
	long rc = -ENOSYS;

	(void)a5;
	fake.calls++;
	fake.last_op = op;
	if (fake.fail_next != 0) {
		rc = -fake.fail_next;
		fake.fail_next = 0;
		goto out;
	}

	switch (op) {
	case __HYPERVISOR_domctl:
		rc = fake_domctl((struct xen_domctl *)(uintptr_t)a1);
		break;
	case __HYPERVISOR_sysctl:
		rc = fake_sysctl((struct xen_sysctl *)(uintptr_t)a1);
		break;
	case __HYPERVISOR_xen_version:
		rc = fake_version(a1, (void *)(uintptr_t)a2);
		break;
	case __HYPERVISOR_memory_op:
		rc = fake_memory(a1, (void *)(uintptr_t)a2);
		break;
	case __HYPERVISOR_event_channel_op: {
		struct evtchn_alloc_unbound *a = (void *)(uintptr_t)a2;
		if (a1 != EVTCHNOP_alloc_unbound || !check_ptr(a, sizeof(*a)))
			rc = -EINVAL;
		else if (find_dom(a->dom) == NULL)
			rc = -ESRCH;
		else {
			a->port = 17;
			rc = 0;
		}
		break;
	}
	case __HYPERVISOR_sched_op: {
		struct sched_remote_shutdown *s = (void *)(uintptr_t)a2;
		if (a1 != SCHEDOP_remote_shutdown || !check_ptr(s, sizeof(*s)))
			rc = -EINVAL;
		else if (find_dom(s->domain_id) == NULL)
			rc = -ESRCH;
		else {
			fake.shutdown_dom = s->domain_id;
			fake.shutdown_reason = s->reason;
			rc = 0;
		}
		break;
	}
	case __HYPERVISOR_mmuext_op: {
		struct mmuext_op *m = (void *)(uintptr_t)a1;
		if (!check_ptr(m, sizeof(*m) * a2))
			rc = -EFAULT;
		else {
			fake.pin_cmd = m->cmd;
			fake.pin_mfn = m->arg1.mfn;
			fake.pin_count = (unsigned)a2;
			fake.pin_foreigndom = (uint32_t)a4;
			rc = find_dom((uint32_t)a4) != NULL ? 0 : -ESRCH;
		}
		(void)a3;
		break;
	}
	}
out:
	if (rc < 0) {
		snprintf(h->err, sizeof(h->err), "hypercall %u: %s", op,
		         strerror((int)-rc));
		errno = (int)-rc;
		return -1;
	}
	return rc;
}
