/*
 * build-probe - boot a PV guest with libctrl and the builder alone, and
 * watch it come up.  A test tool for the builder, independent of liblight:
 *
 *   build-probe [-k] [-s] [-m MiB] [-v vcpus] [-r ramdisk] [-c cmdline]
 *               [-e expect] [-w seconds] kernel
 *
 * It creates a domain, sets its vCPU and memory limits, allocates the
 * xenstore and console event channels, runs ctrl_build_pv() and unpauses
 * the domain.  Then it acts as a minimal console backend: it maps the
 * guest's console page and copies what the guest writes to stdout (lines
 * prefixed "guest: ") until a line contains `expect` (default
 * "LIGHTSTACK-GUEST-UP") or the time runs out.  Guest messages sent through
 * Xen's own console (earlyprintk=xen) are read from Xen's console ring and
 * printed as "xen: " lines.  Finally the domain is destroyed (-k keeps it).
 *
 * With -s the domain is also introduced to xenstored, so that the guest
 * kernel's xenbus (which waits for xenstore during boot) gets answers and
 * the guest can reach its init.
 *
 * Exit status: 0 when `expect` was seen, 1 otherwise.
 *
 * This tool reaches below libctrl to privcmd for one thing only, binding
 * the console event channel, because libctrl has no event channel device
 * interface; it is a test tool, not part of the toolstack's layering.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libctrl.h"
#include "ctrl_build.h"
#include "privcmd.h"
#include "strnum.h"
#include "xsclient.h"

#include <xen/io/console.h>

struct probe {
	unsigned mem_mib, vcpus, wait_s;
	const char *kernel, *ramdisk, *cmdline, *expect;
	bool keep, xenstore;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A whole decimal number in [min, max], or exit 2 saying which. */
static unsigned parse_uint(const char *s, const char *what, unsigned min,
                           unsigned max)
{
	uint64_t v;

	if (strnum_u64(s, 10, min, max, &v) == -1)
		errx(2, "%s: \"%s\" is not a number in %u..%u", what, s, min, max);
	return (unsigned)v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Line assembly for guest console output: print whole lines with a prefix
 * and report whether one of them contained `expect`.
 */
struct lines {
	char buf[4096];
	size_t len;
};

static bool emit(struct lines *l, const char *prefix, const char *data,
                 size_t n, const char *expect)
{
	bool found = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = data[i];

		if (c == '\r')
			continue;
		if (c != '\n' && l->len < sizeof(l->buf) - 1) {
			l->buf[l->len++] = c;
			continue;
		}
		l->buf[l->len] = '\0';
		printf("%s%s\n", prefix, l->buf);
		if (strstr(l->buf, expect) != NULL)
			found = true;
		l->len = 0;
	}
	fflush(stdout);
	return found;
}

/* Take what the guest wrote to its console ring.  Returns bytes read. */
static size_t drain_console(volatile struct xencons_interface *c,
                            struct lines *l, const char *expect, bool *found)
{
	XENCONS_RING_IDX cons = c->out_cons, prod = c->out_prod;
	char tmp[sizeof(c->out)];
	size_t n = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(c->out))
		cons = prod - sizeof(c->out);     /* garbage indexes: resync */
	while (cons != prod)
		tmp[n++] = c->out[MASK_XENCONS_IDX(cons++, c->out)];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->out_cons = cons;
	if (n > 0 && emit(l, "guest: ", tmp, n, expect))
		*found = true;
	return n;
}

static int introduce(uint32_t domid, uint64_t mfn, uint32_t port)
{
	struct xsc_handle *x;
	struct xsc_perm perm[2] = { { domid, 'n' }, { 0, 'r' } };
	char path[64];
	int ret = -1;

	x = xsc_open(NULL, 0);
	if (x == NULL) {
		warn("xenstored");
		return -1;
	}
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (xsc_mkdir(x, XSC_NO_TX, path) < 0 ||
	    xsc_set_perms(x, XSC_NO_TX, path, perm, 2) < 0) {
		warnx("xenstore %s: %s", path, xsc_errmsg(x));
		goto out;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	xsc_write_str(x, XSC_NO_TX, path, "build-probe");
	if (xsc_introduce_domain(x, domid, mfn, port) < 0) {
		warnx("introduce domain %u: %s", domid, xsc_errmsg(x));
		goto out;
	}
	ret = 0;
out:
	xsc_close(x);
	return ret;
}

static void release(uint32_t domid)
{
	struct xsc_handle *x = xsc_open(NULL, 0);
	char path[64];

	if (x == NULL)
		return;
	xsc_release_domain(x, domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xsc_rm(x, XSC_NO_TX, path);
	xsc_close(x);
}

static int run(const struct probe *o)
{
	struct ctrl_handle *h;
	struct ctrl_createdomain cd;
	struct ctrl_build_params bp;
	struct ctrl_build_result br;
	struct pc_evtchn *ev = NULL;
	volatile struct xencons_interface *cons = NULL;
	struct lines gl = { .len = 0 }, xl = { .len = 0 };
	uint32_t domid = 0, xen_idx = 0;
	int store_port, cons_port, local_port = -1, ret = 1;
	bool created = false, introduced = false, found = false;
	char err[512], *buf;
	size_t len;
	double t0, deadline;

	h = ctrl_open_err(err, sizeof(err));
	if (h == NULL)
		errx(1, "%s", err);

	/* Skip what is already in Xen's console ring. */
	if (ctrl_readconsole_incr(h, &xen_idx, true, &buf, &len) == 0)
		free(buf);

	memset(&cd, 0, sizeof(cd));
	cd.max_vcpus = o->vcpus;
	if (ctrl_domain_create(h, &domid, &cd) < 0) {
		warnx("%s", ctrl_errmsg(h));
		goto out;
	}
	created = true;
	printf("build-probe: created domain %u\n", domid);
	if (ctrl_domain_max_vcpus(h, domid, o->vcpus) < 0 ||
	    ctrl_domain_max_mem(h, domid, (uint64_t)o->mem_mib * 1024 + 1024) < 0) {
		warnx("%s", ctrl_errmsg(h));
		goto out;
	}
	store_port = ctrl_evtchn_alloc_unbound(h, domid, 0);
	cons_port = ctrl_evtchn_alloc_unbound(h, domid, 0);
	if (store_port < 0 || cons_port < 0) {
		warnx("%s", ctrl_errmsg(h));
		goto out;
	}

	memset(&bp, 0, sizeof(bp));
	bp.kernel_path = o->kernel;
	bp.ramdisk_path = o->ramdisk;
	bp.cmdline = o->cmdline;
	bp.mem_kb = (uint64_t)o->mem_mib * 1024;
	bp.maxmem_kb = bp.mem_kb;
	bp.nr_vcpus = o->vcpus;
	bp.store_evtchn = (uint32_t)store_port;
	bp.console_evtchn = (uint32_t)cons_port;
	t0 = now();
	if (ctrl_build_pv(h, domid, &bp, &br, err, sizeof(err)) < 0) {
		warnx("build: %s", err);
		goto out;
	}
	printf("build-probe: built domain %u in %.2f s: %s kernel, guest os "
	       "\"%s\", entry 0x%" PRIx64 ", %" PRIu64 " pages, store mfn 0x%"
	       PRIx64 " port %d, console mfn 0x%" PRIx64 " port %d\n", domid,
	       now() - t0, br.image_format, br.guest_os, br.virt_entry,
	       br.nr_pages, br.store_mfn, store_port, br.console_mfn,
	       cons_port);
	printf("build-probe: time: image %.2f s, memory %.2f s, setup %.2f s\n",
	       br.t_image, br.t_memory, br.t_setup);

	/* Our console backend: the page, and the event channel to kick the
	 * guest when we made room in its ring. */
	cons = ctrl_map_foreign(h, domid, PROT_READ | PROT_WRITE,
	                        &br.console_mfn, 1);
	if (cons == NULL) {
		warnx("map console: %s", ctrl_errmsg(h));
		goto out;
	}
	ev = pc_evtchn_open();
	if (ev != NULL)
		local_port = pc_evtchn_bind_interdomain(ev, domid,
		                                        (uint32_t)cons_port);
	if (local_port < 0)
		warnx("console event channel not bound; polling only");

	if (o->xenstore) {
		if (introduce(domid, br.store_mfn, (uint32_t)store_port) == 0)
			introduced = true;
		else
			warnx("continuing without xenstore");
	}

	if (ctrl_domain_unpause(h, domid) < 0) {
		warnx("%s", ctrl_errmsg(h));
		goto out;
	}
	t0 = now();
	deadline = t0 + o->wait_s;
	while (!found && !stop && now() < deadline) {
		struct ctrl_dominfo info;

		if (drain_console(cons, &gl, o->expect, &found) > 0 &&
		    local_port >= 0)
			pc_evtchn_notify(ev, (uint32_t)local_port);
		if (ctrl_readconsole_incr(h, &xen_idx, false, &buf, &len) == 0) {
			if (emit(&xl, "xen: ", buf, len, o->expect))
				found = true;
			free(buf);
		}
		if (ctrl_domain_getinfo(h, domid, &info) == 0 &&
		    (info.shutdown || info.dying)) {
			printf("build-probe: domain %u shut down (reason %u)\n",
			       domid, info.shutdown_reason);
			drain_console(cons, &gl, o->expect, &found);
			break;
		}
		usleep(100 * 1000);
	}
	if (found) {
		printf("build-probe: domain %u: saw \"%s\" %.1f s after unpause\n",
		       domid, o->expect, now() - t0);
		ret = 0;
	} else {
		printf("build-probe: domain %u: no \"%s\" within %u s\n", domid,
		       o->expect, o->wait_s);
	}
out:
	if (cons != NULL)
		ctrl_unmap((void *)cons, 1);
	if (ev != NULL)
		pc_evtchn_close(ev);
	if (introduced && !o->keep)
		release(domid);
	if (created && !o->keep) {
		if (ctrl_domain_destroy(h, domid) < 0)
			warnx("%s", ctrl_errmsg(h));
		else
			printf("build-probe: destroyed domain %u\n", domid);
	}
	ctrl_close(h);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: build-probe [-k] [-s] [-m MiB] [-v vcpus] "
	        "[-r ramdisk] [-c cmdline] [-e expect] [-w seconds] kernel\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct probe o = {
		.mem_mib = 128, .vcpus = 1, .wait_s = 120,
		.cmdline = "console=hvc0 earlyprintk=xen",
		.expect = "LIGHTSTACK-GUEST-UP",
	};
	int ch;

	while ((ch = getopt(argc, argv, "c:e:km:r:sv:w:")) != -1) {
		switch (ch) {
		case 'c': o.cmdline = optarg; break;
		case 'e': o.expect = optarg; break;
		case 'k': o.keep = true; break;
		case 'm': o.mem_mib = parse_uint(optarg, "-m", 16, 1u << 20); break;
		case 'r': o.ramdisk = optarg; break;
		case 's': o.xenstore = true; break;
		case 'v': o.vcpus = parse_uint(optarg, "-v", 1, 128); break;
		case 'w': o.wait_s = parse_uint(optarg, "-w", 1, 3600); break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	o.kernel = argv[optind];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run(&o);
}
