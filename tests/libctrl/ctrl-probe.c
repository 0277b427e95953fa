/*
 * ctrl-probe - drive libctrl and privcmd on real Xen, for the system test
 * (tests/system/cases/10-libctrl.sh) and for poking at a host by hand.
 *
 *   ctrl-probe version          XENVER_* as key=value lines
 *   ctrl-probe physinfo         XEN_SYSCTL_physinfo (+ scheduler) as key=value
 *   ctrl-probe list             one line per domain
 *   ctrl-probe getinfo DOMID    that domain's line, or an error
 *   ctrl-probe dmesg [-c]       Xen's console ring (-c: and clear it)
 *   ctrl-probe xenfs            /proc/xen/xsd_port and xsd_kva via privcmd
 *   ctrl-probe xenbus PATH      read PATH through /dev/xen/xenbus
 *   ctrl-probe exercise         create a scratch domain and run every
 *                               libctrl/privcmd operation against it
 *
 * Domain lines: "domid D tot_pages N max_pages N vcpus N flags FFFFFF
 * cpu_ns N" where flags spells r(unning) b(locked) p(aused) s(hutdown)
 * c(rashed) d(ying), '-' for each state not set, like `xl list`.
 *
 * `exercise` prints one line per step, "step NAME ok [detail]" or "step
 * NAME FAIL: message", continues where later steps do not depend on the
 * failed one, always destroys its domain, and exits 1 if any step failed.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libctrl.h"
#include "privcmd.h"
#include "strnum.h"

#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/io/xs_wire.h>

static const char *prog = "ctrl-probe";

/* A domain id: decimal, the whole string, 0..0x7fef. */
static int
parse_domid(const char *s, uint32_t *out)
{
	uint64_t v;

	if (strnum_u64(s, 10, 0, DOMID_FIRST_RESERVED - 1, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static struct ctrl_handle *
open_ctrl(void)
{
	char err[256];
	struct ctrl_handle *h;

	h = ctrl_open_err(err, sizeof(err));
	if (h == NULL)
		fprintf(stderr, "%s: %s\n", prog, err);
	return h;
}

static void
print_dom(const struct ctrl_dominfo *d)
{
	printf("domid %u tot_pages %llu max_pages %llu vcpus %u flags "
	       "%c%c%c%c%c%c cpu_ns %llu\n", d->domid,
	       (unsigned long long)d->tot_pages,
	       (unsigned long long)d->max_pages, d->nr_online_vcpus,
	       d->running ? 'r' : '-', d->blocked ? 'b' : '-',
	       d->paused ? 'p' : '-', d->shutdown ? 's' : '-',
	       d->shutdown && d->shutdown_reason == SHUTDOWN_crash ? 'c' : '-',
	       d->dying ? 'd' : '-', (unsigned long long)d->cpu_time_ns);
}

/* ---- Commands --------------------------------------------------------- */

static int
cmd_version(struct ctrl_handle *h, int argc, char **argv)
{
	struct ctrl_version v;

	(void)argc; (void)argv;
	if (ctrl_xen_version(h, &v) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	printf("xen_major=%d\nxen_minor=%d\nxen_extra=%s\nxen_caps=%s\n"
	       "xen_changeset=%s\nxen_pagesize=%lu\nxen_commandline=%s\n"
	       "cc_compiler=%s\ncc_compile_by=%s\ncc_compile_domain=%s\n"
	       "cc_compile_date=%s\n", v.major, v.minor, v.extra,
	       v.capabilities, v.changeset, v.pagesize, v.cmdline, v.compiler,
	       v.compile_by, v.compile_domain, v.compile_date);
	return 0;
}

static int
cmd_physinfo(struct ctrl_handle *h, int argc, char **argv)
{
	struct ctrl_physinfo p;
	unsigned sched;
	int i;

	(void)argc; (void)argv;
	if (ctrl_physinfo(h, &p) < 0 || ctrl_sched_id(h, &sched) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	printf("nr_cpus=%u\nmax_cpu_id=%u\nnr_nodes=%u\nmax_node_id=%u\n"
	       "cores_per_socket=%u\nthreads_per_core=%u\ncpu_mhz=%lu\n",
	       p.nr_cpus, p.max_cpu_id, p.nr_nodes, p.max_node_id,
	       p.cores_per_socket, p.threads_per_core, p.cpu_khz / 1000);
	printf("hw_caps=");
	for (i = 0; i < 8; i++)
		printf("%08x%s", p.hw_cap[i], i < 7 ? ":" : "\n");
	/* MiB from 4 KiB pages, as `xl info` computes them. */
	printf("total_memory=%llu\nfree_memory=%llu\n",
	       (unsigned long long)(p.total_pages / 256),
	       (unsigned long long)(p.free_pages / 256));
	printf("capabilities=0x%x\nmax_mfn=0x%llx\nxen_scheduler=%s\n",
	       p.capabilities, (unsigned long long)p.max_mfn,
	       ctrl_sched_name(sched));
	return 0;
}

static int
cmd_list(struct ctrl_handle *h, int argc, char **argv)
{
	struct ctrl_dominfo *list;
	size_t n, i;

	(void)argc; (void)argv;
	if (ctrl_domain_list(h, &list, &n) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	for (i = 0; i < n; i++)
		print_dom(&list[i]);
	free(list);
	return 0;
}

static int
cmd_getinfo(struct ctrl_handle *h, int argc, char **argv)
{
	struct ctrl_dominfo d;
	uint32_t domid;

	if (argc != 2 || parse_domid(argv[1], &domid) < 0) {
		fprintf(stderr, "%s: getinfo: want one domain id 0..32751\n",
		        prog);
		return 2;
	}
	if (ctrl_domain_getinfo(h, domid, &d) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	print_dom(&d);
	return 0;
}

/* hvmparam DOMID INDEX: one HVM param of a domain, in decimal (what a
 * builder set: viridian=, hpet=, ...). */
static int
cmd_hvmparam(struct ctrl_handle *h, int argc, char **argv)
{
	uint32_t domid;
	uint64_t v;
	char *end;
	unsigned long idx;

	errno = 0;
	idx = argc == 3 ? strtoul(argv[2], &end, 10) : 0;
	if (argc != 3 || parse_domid(argv[1], &domid) < 0 || errno ||
	    end == argv[2] || *end || idx > 255) {
		fprintf(stderr, "%s: hvmparam: want a domain id and a param "
		        "index 0..255\n", prog);
		return 2;
	}
	if (ctrl_hvm_param_get(h, domid, (unsigned)idx, &v) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	printf("%llu\n", (unsigned long long)v);
	return 0;
}

static int
cmd_dmesg(struct ctrl_handle *h, int argc, char **argv)
{
	bool clear = false;
	char *buf;
	size_t len;

	if (argc == 2 && strcmp(argv[1], "-c") == 0)
		clear = true;
	else if (argc != 1) {
		fprintf(stderr, "%s: dmesg: usage: dmesg [-c]\n", prog);
		return 2;
	}
	if (ctrl_readconsole(h, clear, &buf, &len) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ctrl_errmsg(h));
		return 1;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	return 0;
}

static int
cmd_xenfs(struct ctrl_handle *h, int argc, char **argv)
{
	void *kva;
	int port;

	(void)h; (void)argc; (void)argv;
	printf("control_domain=%s\n", pc_is_control_domain() ? "yes" : "no");
	port = pc_xsd_port();
	if (port < 0) {
		fprintf(stderr, "%s: /proc/xen/xsd_port: %s\n", prog,
		        strerror(errno));
		return 1;
	}
	printf("xsd_port=%d\n", port);
	kva = pc_xsd_kva_map();
	if (kva == NULL) {
		fprintf(stderr, "%s: /proc/xen/xsd_kva: %s\n", prog,
		        strerror(errno));
		return 1;
	}
	/* The ring is live: only look at the header, never write. */
	printf("xsd_kva_mapped=yes\n");
	if (pc_unmap(kva, 1) < 0) {
		fprintf(stderr, "%s: unmap xsd_kva: %s\n", prog,
		        strerror(errno));
		return 1;
	}
	return 0;
}

/* One XS_READ through the kernel's xenbus device. */
static int
cmd_xenbus(struct ctrl_handle *h, int argc, char **argv)
{
	struct xsd_sockmsg msg;
	char reply[XENSTORE_PAYLOAD_MAX + 1];
	size_t plen;
	ssize_t n;
	int fd, rc = 1;

	(void)h;
	if (argc != 2 || strlen(argv[1]) + 1 > XENSTORE_PAYLOAD_MAX) {
		fprintf(stderr, "%s: xenbus: want one xenstore path\n", prog);
		return 2;
	}
	fd = pc_xenbus_open();
	if (fd < 0) {
		fprintf(stderr, "%s: /dev/xen/xenbus: %s\n", prog,
		        strerror(errno));
		return 1;
	}
	plen = strlen(argv[1]) + 1;
	memset(&msg, 0, sizeof(msg));
	msg.type = XS_READ;
	msg.req_id = 1;
	msg.len = (uint32_t)plen;
	/* The xenbus device takes header and payload in one write. */
	{
		char req[sizeof(msg) + XENSTORE_PAYLOAD_MAX];
		memcpy(req, &msg, sizeof(msg));
		memcpy(req + sizeof(msg), argv[1], plen);
		if (write(fd, req, sizeof(msg) + plen) !=
		    (ssize_t)(sizeof(msg) + plen)) {
			fprintf(stderr, "%s: write xenbus: %s\n", prog,
			        strerror(errno));
			goto out;
		}
	}
	if (read(fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
	    msg.len > XENSTORE_PAYLOAD_MAX) {
		fprintf(stderr, "%s: read xenbus header failed\n", prog);
		goto out;
	}
	n = read(fd, reply, msg.len);
	if (n != (ssize_t)msg.len) {
		fprintf(stderr, "%s: short xenbus reply\n", prog);
		goto out;
	}
	reply[n] = '\0';
	if (msg.type == XS_ERROR) {
		fprintf(stderr, "%s: xenbus: %s: %s\n", prog, argv[1], reply);
		goto out;
	}
	printf("%s\n", reply);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* ---- exercise ----------------------------------------------------------- */

#define EX_PAGES 16

static int ex_failed;

static void
step_ok(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
step_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("step %s ok", name);
	if (fmt != NULL) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static void
step_fail(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
step_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("step %s FAIL: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	ex_failed = 1;
}

/* Fill a page with a pattern derived from seed, or check it. */
static void
fill_page(uint8_t *p, unsigned seed)
{
	size_t i;

	for (i = 0; i < PC_PAGE_SIZE; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
}

static bool
page_matches(const uint8_t *p, unsigned seed)
{
	size_t i;

	for (i = 0; i < PC_PAGE_SIZE; i++)
		if (p[i] != (uint8_t)(seed * 31 + i * 7))
			return false;
	return true;
}

static void
ex_memory(struct ctrl_handle *h, uint32_t domid, uint64_t *mfn)
{
	struct ctrl_e820entry e820 = {
		.addr = 0, .size = EX_PAGES * PC_PAGE_SIZE, .type = CTRL_E820_RAM,
	};
	struct ctrl_dominfo di;
	uint64_t gfns[EX_PAGES + 1];
	int errs[EX_PAGES + 1];
	uint8_t *m;
	long n;
	unsigned i;

	for (i = 0; i < EX_PAGES; i++)
		mfn[i] = i;
	n = ctrl_populate_physmap(h, domid, EX_PAGES, 0, 0, mfn);
	if (n != EX_PAGES) {
		step_fail("populate_physmap", "%ld of %d: %s", n, EX_PAGES,
		          ctrl_errmsg(h));
		return;
	}
	step_ok("populate_physmap", "mfn0=0x%llx", (unsigned long long)mfn[0]);

	if (ctrl_domain_getinfo(h, domid, &di) < 0)
		step_fail("tot_pages", "%s", ctrl_errmsg(h));
	else if (di.tot_pages != EX_PAGES)
		step_fail("tot_pages", "getinfo says %llu, want %d",
		          (unsigned long long)di.tot_pages, EX_PAGES);
	else
		step_ok("tot_pages", "%d", EX_PAGES);

	n = ctrl_domain_current_pages(h, domid);
	if (n != EX_PAGES)
		step_fail("current_reservation", "%ld: %s", n, ctrl_errmsg(h));
	else
		step_ok("current_reservation", "%ld", n);

	if (ctrl_domain_set_memory_map(h, domid, &e820, 1) < 0)
		step_fail("set_memory_map", "%s", ctrl_errmsg(h));
	else
		step_ok("set_memory_map", NULL);

	/* Write through one writable mapping, read back through a second,
	 * read-only one: both must reach the same machine frames. */
	m = ctrl_map_foreign(h, domid, PROT_READ | PROT_WRITE, mfn, EX_PAGES);
	if (m == NULL) {
		step_fail("map_foreign_rw", "%s", ctrl_errmsg(h));
		return;
	}
	for (i = 0; i < EX_PAGES; i++)
		fill_page(m + i * PC_PAGE_SIZE, i);
	ctrl_unmap(m, EX_PAGES);
	step_ok("map_foreign_rw", NULL);

	m = ctrl_map_foreign(h, domid, PROT_READ, mfn, EX_PAGES);
	if (m == NULL) {
		step_fail("map_foreign_ro", "%s", ctrl_errmsg(h));
		return;
	}
	for (i = 0; i < EX_PAGES; i++)
		if (!page_matches(m + i * PC_PAGE_SIZE, i))
			break;
	ctrl_unmap(m, EX_PAGES);
	if (i < EX_PAGES)
		step_fail("map_foreign_ro", "page %u differs", i);
	else
		step_ok("map_foreign_ro", "%d pages read back", EX_PAGES);

	/* Per-page errors: a frame the domain does not own fails alone. */
	for (i = 0; i < EX_PAGES; i++)
		gfns[i] = mfn[i];
	gfns[EX_PAGES] = 0xfffffffffULL;
	m = ctrl_map_foreign_errs(h, domid, PROT_READ, gfns, errs,
	                          EX_PAGES + 1);
	if (m == NULL) {
		step_fail("map_foreign_errs", "%s", ctrl_errmsg(h));
	} else {
		for (i = 0; i < EX_PAGES; i++)
			if (errs[i] != 0)
				break;
		if (i < EX_PAGES || errs[EX_PAGES] == 0)
			step_fail("map_foreign_errs", "errs[%u]=%d errs[bad]=%d",
			          i, i < EX_PAGES ? errs[i] : 0, errs[EX_PAGES]);
		else if (!page_matches(m + 3 * PC_PAGE_SIZE, 3))
			step_fail("map_foreign_errs", "page 3 differs");
		else
			step_ok("map_foreign_errs", "bad page errno %d",
			        -errs[EX_PAGES]);
		ctrl_unmap(m, EX_PAGES + 1);
	}

	/* The all-or-nothing form must refuse the same request. */
	m = ctrl_map_foreign(h, domid, PROT_READ, gfns, EX_PAGES + 1);
	if (m != NULL) {
		ctrl_unmap(m, EX_PAGES + 1);
		step_fail("map_foreign_strict", "a bad frame was accepted");
	} else {
		step_ok("map_foreign_strict", "%s", ctrl_errmsg(h));
	}
}

/* Seed a grant in the guest's table (as the builder does) and map it
 * from Dom0 through gntdev. */
static void
ex_grants(struct ctrl_handle *h, uint32_t domid, const uint64_t *mfn)
{
	const uint32_t ref = 8;
	struct grant_entry_v1 *gt;
	struct pc_gntdev *g = NULL;
	uint8_t *p, *m;
	long frames;

	frames = ctrl_resource_size(h, domid, XENMEM_resource_grant_table,
	                            XENMEM_resource_grant_table_id_shared);
	if (frames <= 0) {
		step_fail("resource_size", "%ld: %s", frames, ctrl_errmsg(h));
		return;
	}
	step_ok("resource_size", "%ld grant frames", frames);

	gt = ctrl_map_resource(h, domid, XENMEM_resource_grant_table,
	                       XENMEM_resource_grant_table_id_shared, 0, 1,
	                       PROT_READ | PROT_WRITE);
	if (gt == NULL) {
		step_fail("map_resource", "%s", ctrl_errmsg(h));
		return;
	}
	gt[ref].domid = 0;
	gt[ref].frame = (uint32_t)mfn[5];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* frame before flags */
	gt[ref].flags = GTF_permit_access;
	step_ok("map_resource", "grant ref %u -> mfn 0x%llx", ref,
	        (unsigned long long)mfn[5]);

	g = pc_gntdev_open();
	if (g == NULL) {
		step_fail("gnt_map", "open /dev/xen/gntdev: %s",
		          strerror(errno));
		goto out;
	}
	p = pc_gnt_map(g, domid, &ref, 1, PROT_READ | PROT_WRITE);
	if (p == NULL) {
		step_fail("gnt_map", "%s", pc_gntdev_errmsg(g));
		goto out;
	}
	if (!page_matches(p, 5)) {
		step_fail("gnt_map", "granted page does not hold page 5's data");
		pc_gnt_unmap(g, p, 1);
		goto out;
	}
	fill_page(p, 77);
	if (pc_gnt_unmap(g, p, 1) < 0) {
		step_fail("gnt_map", "%s", pc_gntdev_errmsg(g));
		goto out;
	}
	m = ctrl_map_foreign(h, domid, PROT_READ, &mfn[5], 1);
	if (m == NULL) {
		step_fail("gnt_map", "%s", ctrl_errmsg(h));
		goto out;
	}
	if (page_matches(m, 77))
		step_ok("gnt_map", "wrote through the grant, read back");
	else
		step_fail("gnt_map", "write through the grant not seen");
	ctrl_unmap(m, 1);
out:
	gt[ref].flags = 0;
	ctrl_unmap(gt, 1);
	pc_gntdev_close(g);
}

static void
ex_evtchn(struct ctrl_handle *h, uint32_t domid)
{
	struct pc_evtchn *e;
	struct pollfd pfd;
	int port, local, a, b, got, drained;

	e = pc_evtchn_open();
	if (e == NULL) {
		step_fail("evtchn_open", "%s", strerror(errno));
		return;
	}

	/* A port in the guest for Dom0, bound from Dom0's side. */
	port = ctrl_evtchn_alloc_unbound(h, domid, 0);
	if (port < 0) {
		step_fail("evtchn_alloc_unbound", "%s", ctrl_errmsg(h));
	} else {
		step_ok("evtchn_alloc_unbound", "port %d", port);
		local = pc_evtchn_bind_interdomain(e, domid, (uint32_t)port);
		if (local < 0)
			step_fail("evtchn_bind_interdomain", "%s",
			          pc_evtchn_errmsg(e));
		else if (pc_evtchn_notify(e, (uint32_t)local) < 0 ||
		         pc_evtchn_unbind(e, (uint32_t)local) < 0)
			step_fail("evtchn_bind_interdomain", "%s",
			          pc_evtchn_errmsg(e));
		else
			step_ok("evtchn_bind_interdomain", "local %d", local);
	}

	/* Loopback inside Dom0: notify one end, see the other pending. */
	a = pc_evtchn_bind_unbound(e, 0);
	b = a < 0 ? -1 : pc_evtchn_bind_interdomain(e, 0, (uint32_t)a);
	if (a < 0 || b < 0) {
		step_fail("evtchn_loopback", "%s", pc_evtchn_errmsg(e));
		goto loopback_done;
	}
	/* Xen marks a freshly bound interdomain port pending (so nothing
	 * sent before the bind is lost), and ports fired before an unbind
	 * stay queued: drain all that first.  The upcall may trail the
	 * bind a little: drain until the fd has stayed quiet for 200 ms. */
	drained = 0;
	pfd.fd = pc_evtchn_fd(e);
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 200) == 1) {
		while ((got = pc_evtchn_pending(e)) >= 0) {
			drained++;
			if (got == a || got == b)
				pc_evtchn_unmask(e, (uint32_t)got);
		}
		if (errno != EAGAIN) {
			step_fail("evtchn_loopback", "draining: %s",
			          pc_evtchn_errmsg(e));
			goto loopback_done;
		}
	}
	if (pc_evtchn_notify(e, (uint32_t)b) < 0) {
		step_fail("evtchn_loopback", "%s", pc_evtchn_errmsg(e));
		goto loopback_done;
	}
	if (poll(&pfd, 1, 5000) != 1) {
		step_fail("evtchn_loopback", "fd not readable after notify");
		goto loopback_done;
	}
	got = pc_evtchn_pending(e);
	if (got != a) {
		step_fail("evtchn_loopback", "pending %d, want %d (%s)", got, a,
		          pc_evtchn_errmsg(e));
		goto loopback_done;
	}
	if (pc_evtchn_unmask(e, (uint32_t)a) < 0) {
		step_fail("evtchn_loopback", "%s", pc_evtchn_errmsg(e));
		goto loopback_done;
	}
	if (pc_evtchn_pending(e) != -1 || errno != EAGAIN) {
		step_fail("evtchn_loopback", "still pending after unmask");
		goto loopback_done;
	}
	step_ok("evtchn_loopback", "ports %d<->%d (%d stale events drained)",
	        a, b, drained);
loopback_done:
	if (a >= 0)
		pc_evtchn_unbind(e, (uint32_t)a);
	if (b >= 0)
		pc_evtchn_unbind(e, (uint32_t)b);

	got = pc_evtchn_bind_virq(e, VIRQ_ENOMEM);
	if (got < 0)
		step_fail("evtchn_bind_virq", "%s", pc_evtchn_errmsg(e));
	else {
		step_ok("evtchn_bind_virq", "VIRQ_ENOMEM on port %d", got);
		pc_evtchn_unbind(e, (uint32_t)got);
	}
	pc_evtchn_close(e);
}

static void
ex_pin(struct ctrl_handle *h, uint32_t domid, const uint64_t *mfn)
{
	uint8_t *m;

	/* A zeroed page is a valid (empty) L4 table.  Clear it through a
	 * mapping we drop again: Xen refuses to pin a page that is still
	 * mapped writable anywhere. */
	m = ctrl_map_foreign(h, domid, PROT_READ | PROT_WRITE, &mfn[2], 1);
	if (m == NULL) {
		step_fail("mmuext_pin_l4", "%s", ctrl_errmsg(h));
		return;
	}
	memset(m, 0, PC_PAGE_SIZE);
	ctrl_unmap(m, 1);
	if (ctrl_mmuext_pin_table(h, domid, 4, mfn[2]) < 0)
		step_fail("mmuext_pin_l4", "%s", ctrl_errmsg(h));
	else
		step_ok("mmuext_pin_l4", "mfn 0x%llx",
		        (unsigned long long)mfn[2]);
	/* A page of 0x01 bytes is no valid L4 (every entry "present",
	 * pointing at a frame that does not exist): Xen must refuse. */
	m = ctrl_map_foreign(h, domid, PROT_READ | PROT_WRITE, &mfn[4], 1);
	if (m == NULL) {
		step_fail("mmuext_pin_bad", "%s", ctrl_errmsg(h));
		return;
	}
	memset(m, 0x01, PC_PAGE_SIZE);
	ctrl_unmap(m, 1);
	if (ctrl_mmuext_pin_table(h, domid, 4, mfn[4]) == 0)
		step_fail("mmuext_pin_bad", "garbage page pinned as L4");
	else
		step_ok("mmuext_pin_bad", "%s", ctrl_errmsg(h));
}

static void
ex_states(struct ctrl_handle *h, uint32_t domid)
{
	struct ctrl_dominfo di;
	struct ctrl_vcpuinfo vi;

	if (ctrl_vcpu_getinfo(h, domid, 0, &vi) < 0)
		step_fail("vcpu_getinfo", "%s", ctrl_errmsg(h));
	else
		step_ok("vcpu_getinfo", "online %d cpu_ns %llu", vi.online,
		        (unsigned long long)vi.cpu_time_ns);
	if (ctrl_vcpu_getinfo(h, domid, 5, &vi) == 0)
		step_fail("vcpu_getinfo_bad", "vcpu 5 of a 1-vcpu domain");
	else
		step_ok("vcpu_getinfo_bad", "%s", ctrl_errmsg(h));

	/* Pin vCPU 0 to CPU 0 and read it back. */
	{
		uint8_t map[8] = { 0 }, back[8];

		map[0] = 0x01;
		if (ctrl_vcpu_getaffinity(h, domid, 0, back, sizeof(back)) < 0)
			step_fail("vcpu_affinity", "%s", ctrl_errmsg(h));
		else if (back[0] == 0)
			step_fail("vcpu_affinity", "no CPU in the default map");
		else if (ctrl_vcpu_setaffinity(h, domid, 0, map,
		                               sizeof(map)) < 0 ||
		         ctrl_vcpu_getaffinity(h, domid, 0, back,
		                               sizeof(back)) < 0)
			step_fail("vcpu_affinity", "%s", ctrl_errmsg(h));
		else if (back[0] != 0x01)
			step_fail("vcpu_affinity", "map 0x%02x after pinning to "
			          "CPU 0", back[0]);
		else
			step_ok("vcpu_affinity", "pinned to CPU 0");
	}

	if (ctrl_domain_unpause(h, domid) < 0 ||
	    ctrl_domain_getinfo(h, domid, &di) < 0)
		step_fail("unpause", "%s", ctrl_errmsg(h));
	else if (di.paused)
		step_fail("unpause", "still paused");
	else
		step_ok("unpause", NULL);

	if (ctrl_domain_pause(h, domid) < 0 ||
	    ctrl_domain_getinfo(h, domid, &di) < 0)
		step_fail("pause", "%s", ctrl_errmsg(h));
	else if (!di.paused)
		step_fail("pause", "not paused");
	else
		step_ok("pause", NULL);

	if (ctrl_domain_shutdown(h, domid, SHUTDOWN_reboot) < 0 ||
	    ctrl_domain_getinfo(h, domid, &di) < 0)
		step_fail("shutdown", "%s", ctrl_errmsg(h));
	else if (!di.shutdown || di.shutdown_reason != SHUTDOWN_reboot)
		step_fail("shutdown", "flags 0x%x reason %u", di.flags,
		          di.shutdown_reason);
	else
		step_ok("shutdown", "reason reboot");
}

/* Creating at a chosen id, and the id gap below it: getinfo of an id just
 * under an existing domain gets that domain from Xen 4.17 and must still
 * report ESRCH. */
static void
ex_explicit_id(struct ctrl_handle *h, uint32_t first,
               const struct ctrl_createdomain *c)
{
	struct ctrl_dominfo di;
	uint32_t want = first + 2, got = first + 2, again = first;

	if (ctrl_domain_create(h, &got, c) < 0) {
		step_fail("create_at", "%s", ctrl_errmsg(h));
		return;
	}
	if (got != want)
		step_fail("create_at", "asked for %u, got %u", want, got);
	else
		step_ok("create_at", "domid %u", got);

	if (ctrl_domain_getinfo(h, first + 1, &di) == 0)
		step_fail("getinfo_gap", "dom %u reported (as %u)", first + 1,
		          di.domid);
	else if (errno != ESRCH)
		step_fail("getinfo_gap", "%s", ctrl_errmsg(h));
	else
		step_ok("getinfo_gap", "%s", ctrl_errmsg(h));

	if (ctrl_domain_create(h, &again, c) == 0) {
		step_fail("create_exists", "created dom %u twice", again);
		ctrl_domain_destroy(h, again);
	} else if (errno != EEXIST) {
		step_fail("create_exists", "%s", ctrl_errmsg(h));
	} else {
		step_ok("create_exists", "%s", ctrl_errmsg(h));
	}

	if (ctrl_domain_destroy(h, got) < 0)
		step_fail("destroy_second", "%s", ctrl_errmsg(h));
	else
		step_ok("destroy_second", "dom %u", got);
}

static int
cmd_exercise(struct ctrl_handle *h, int argc, char **argv)
{
	struct ctrl_createdomain c;
	struct ctrl_dominfo di, *list;
	uint64_t mfn[EX_PAGES];
	uint32_t domid = 0;
	size_t n, i;
	int tries;
	bool found = false;

	(void)argc; (void)argv;
	memset(&c, 0, sizeof(c));
	c.max_vcpus = 1;
	c.handle[0] = 0x4c;          /* 'L': recognisable in xl list -v */
	if (ctrl_domain_create(h, &domid, &c) < 0) {
		step_fail("create", "%s", ctrl_errmsg(h));
		return 1;
	}
	step_ok("create", "domid %u", domid);

	if (ctrl_domain_getinfo(h, domid, &di) < 0)
		step_fail("getinfo", "%s", ctrl_errmsg(h));
	else if (!di.paused || di.dying || di.tot_pages != 0 ||
	         di.handle[0] != 0x4c)
		step_fail("getinfo", "flags 0x%x tot_pages %llu", di.flags,
		          (unsigned long long)di.tot_pages);
	else
		step_ok("getinfo", "paused, no memory");

	if (ctrl_domain_list(h, &list, &n) < 0) {
		step_fail("list", "%s", ctrl_errmsg(h));
	} else {
		for (i = 0; i < n; i++)
			found |= list[i].domid == domid;
		free(list);
		if (found)
			step_ok("list", "%zu domains", n);
		else
			step_fail("list", "domain %u missing", domid);
	}

	ex_explicit_id(h, domid, &c);

	if (ctrl_domain_max_vcpus(h, domid, 1) < 0)
		step_fail("max_vcpus", "%s", ctrl_errmsg(h));
	else
		step_ok("max_vcpus", NULL);
	if (ctrl_domain_max_mem(h, domid, EX_PAGES * 4 + 1024) < 0)
		step_fail("max_mem", "%s", ctrl_errmsg(h));
	else
		step_ok("max_mem", NULL);
	if (ctrl_domain_set_address_size(h, domid, 64) < 0)
		step_fail("set_address_size", "%s", ctrl_errmsg(h));
	else
		step_ok("set_address_size", NULL);

	ex_memory(h, domid, mfn);
	if (!ex_failed) {
		ex_grants(h, domid, mfn);
		ex_pin(h, domid, mfn);
	}
	ex_evtchn(h, domid);
	ex_states(h, domid);

	if (ctrl_domain_destroy(h, domid) < 0) {
		step_fail("destroy", "%s", ctrl_errmsg(h));
		return 1;
	}
	/* The domain may linger as dying until its last page is freed. */
	for (tries = 0; tries < 100; tries++) {
		if (ctrl_domain_getinfo(h, domid, &di) < 0 && errno == ESRCH)
			break;
		usleep(100000);
	}
	if (tries == 100)
		step_fail("destroy", "domain %u still there (flags 0x%x)",
		          domid, di.flags);
	else
		step_ok("destroy", "gone after %d polls", tries);

	if (ctrl_domain_getinfo(h, domid, &di) < 0 &&
	    strstr(ctrl_errmsg(h), "No such process") != NULL)
		step_ok("errmsg", "%s", ctrl_errmsg(h));
	else
		step_fail("errmsg", "'%s'", ctrl_errmsg(h));
	return ex_failed;
}

/* ---- Command table ------------------------------------------------------ */

struct command {
	const char *name;
	int (*run)(struct ctrl_handle *, int, char **);
};

static const struct command commands[] = {
	{ "version",  cmd_version },
	{ "physinfo", cmd_physinfo },
	{ "list",     cmd_list },
	{ "getinfo",  cmd_getinfo },
	{ "hvmparam", cmd_hvmparam },
	{ "dmesg",    cmd_dmesg },
	{ "xenfs",    cmd_xenfs },
	{ "xenbus",   cmd_xenbus },
	{ "exercise", cmd_exercise },
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: %s command [args]\ncommands:", prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct ctrl_handle *h;
	size_t i;
	int rc;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
		usage();
	}
	h = open_ctrl();
	if (h == NULL)
		return 1;
	rc = cmd->run(h, argc - 1, argv + 1);
	ctrl_close(h);
	return rc;
}
