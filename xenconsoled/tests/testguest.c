/*
 * testguest.c - a minimal PV guest launcher for the console system test,
 * so xenconsoled can be tested in Dom0 without depending on `xl create`.
 *
 *   console-testguest create NAME KERNEL RAMDISK MEM_MB   prints the domid
 *   console-testguest destroy DOMID
 *   console-testguest state DOMID     prints absent, dying, shutdown or alive
 *
 * `create` does what a toolstack does for a console-only PV guest, in the
 * order libxl uses: create the domain, set its limits, allocate the
 * xenstore and console event channels (unbound, for Dom0), build it with
 * libctrl's PV builder, write the xenstore nodes the console daemon reads
 * (name, console/ring-ref, console/port, console/type), introduce the
 * domain to xenstored and unpause it.  `destroy` removes the domain's
 * xenstore tree first and then the domain, as libxl does, so the daemon
 * sees the tree vanish before the domain dies; with no xenstored to talk
 * to, `destroy` and `state` still do their part with Xen.
 *
 * Test fixture only: no networking, no disks, one vCPU.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libctrl.h"
#include "ctrl_build.h"
#include "xsclient.h"
#include "strnum.h"

#define PROG "console-testguest"

static int
xs_put(struct xsc_handle *xs, uint32_t domid, const char *leaf,
    const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", domid,
	    leaf);
	if (xsc_write_str(xs, XSC_NO_TX, path, val) == -1) {
		fprintf(stderr, PROG ": write %s: %s\n", path, xsc_errmsg(xs));
		return -1;
	}
	return 0;
}

static int
cmd_create(struct ctrl_handle *h, struct xsc_handle *xs, char **argv)
{
	struct ctrl_createdomain c;
	struct ctrl_build_params p;
	struct ctrl_build_result r;
	struct xsc_perm perm[2];
	char err[256], val[64], path[64];
	uint64_t mem_mb;
	uint32_t domid = 0;
	int store_port, cons_port, rc = 1;
	bool created = false;

	if (strnum_u64(argv[3], 10, 32, 4096, &mem_mb) == -1) {
		fprintf(stderr, PROG ": %s: memory must be 32..4096 MB\n",
		    argv[3]);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.max_vcpus = 1;
	if (ctrl_domain_create(h, &domid, &c) == -1) {
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		goto out;
	}
	created = true;
	if (ctrl_domain_max_vcpus(h, domid, 1) == -1 ||
	    ctrl_domain_max_mem(h, domid, mem_mb * 1024 + 1024) == -1) {
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		goto out;
	}
	store_port = ctrl_evtchn_alloc_unbound(h, domid, 0);
	cons_port = ctrl_evtchn_alloc_unbound(h, domid, 0);
	if (store_port < 0 || cons_port < 0) {
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.kernel_path = argv[1];
	p.ramdisk_path = argv[2];
	p.cmdline = "console=hvc0";
	p.mem_kb = mem_mb * 1024;
	p.nr_vcpus = 1;
	p.store_evtchn = (uint32_t)store_port;
	p.console_evtchn = (uint32_t)cons_port;
	if (ctrl_build_pv(h, domid, &p, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": build: %s\n", err);
		goto out;
	}

	/* /local/domain/<id>: Dom0 owns it, the guest may read it. */
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32, domid);
	perm[0] = (struct xsc_perm){ .domid = 0, .perm = 'n' };
	perm[1] = (struct xsc_perm){ .domid = domid, .perm = 'r' };
	if (xsc_mkdir(xs, XSC_NO_TX, path) == -1 ||
	    xsc_set_perms(xs, XSC_NO_TX, path, perm, 2) == -1) {
		fprintf(stderr, PROG ": %s: %s\n", path, xsc_errmsg(xs));
		goto out;
	}
	snprintf(val, sizeof(val), "%" PRIu32, domid);
	if (xs_put(xs, domid, "name", argv[0]) == -1 ||
	    xs_put(xs, domid, "domid", val) == -1)
		goto out;
	snprintf(val, sizeof(val), "%" PRIu64, r.console_mfn);
	if (xs_put(xs, domid, "console/ring-ref", val) == -1)
		goto out;
	snprintf(val, sizeof(val), "%d", cons_port);
	if (xs_put(xs, domid, "console/port", val) == -1 ||
	    xs_put(xs, domid, "console/type", "xenconsoled") == -1 ||
	    xs_put(xs, domid, "console/output", "pty") == -1)
		goto out;
	snprintf(val, sizeof(val), "%" PRIu64, r.store_mfn);
	if (xs_put(xs, domid, "store/ring-ref", val) == -1)
		goto out;
	snprintf(val, sizeof(val), "%d", store_port);
	if (xs_put(xs, domid, "store/port", val) == -1)
		goto out;
	if (xsc_introduce_domain(xs, domid, r.store_mfn,
	    (uint32_t)store_port) == -1)
		fprintf(stderr, PROG ": warning: introduce: %s\n",
		    xsc_errmsg(xs));
	if (ctrl_domain_unpause(h, domid) == -1) {
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		goto out;
	}
	printf("%" PRIu32 "\n", domid);
	rc = 0;
out:
	if (rc != 0 && created) {
		(void)ctrl_domain_destroy(h, domid);
		snprintf(path, sizeof(path), "/local/domain/%" PRIu32, domid);
		(void)xsc_rm(xs, XSC_NO_TX, path);
	}
	return rc;
}

static int
cmd_destroy(struct ctrl_handle *h, struct xsc_handle *xs, char **argv)
{
	char path[64];
	uint64_t domid;

	if (strnum_u64(argv[0], 10, 1, 0x7fef, &domid) == -1) {
		fprintf(stderr, PROG ": %s: invalid domid\n", argv[0]);
		return 1;
	}
	snprintf(path, sizeof(path), "/local/domain/%" PRIu64, domid);
	/* Without xenstore (66-xs-restart destroys a guest while xenstored
	 * is down) the domain still goes. */
	if (xs != NULL && xsc_rm(xs, XSC_NO_TX, path) == -1 && errno != ENOENT)
		fprintf(stderr, PROG ": warning: rm %s: %s\n", path,
		    xsc_errmsg(xs));
	if (ctrl_domain_destroy(h, (uint32_t)domid) == -1) {
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		return 1;
	}
	return 0;
}

static int
cmd_state(struct ctrl_handle *h, char **argv)
{
	struct ctrl_dominfo info;
	uint64_t domid;

	if (strnum_u64(argv[0], 10, 0, 0x7fef, &domid) == -1) {
		fprintf(stderr, PROG ": %s: invalid domid\n", argv[0]);
		return 1;
	}
	if (ctrl_domain_getinfo(h, (uint32_t)domid, &info) == -1) {
		if (errno == ESRCH) {
			printf("absent\n");
			return 0;
		}
		fprintf(stderr, PROG ": %s\n", ctrl_errmsg(h));
		return 1;
	}
	printf("%s\n", info.dying ? "dying" : info.shutdown ? "shutdown" :
	    "alive");
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctrl_handle *h = NULL;
	struct xsc_handle *xs = NULL;
	char err[256];
	int rc = 1;

	if (argc == 6 && strcmp(argv[1], "create") == 0)
		;
	else if (argc == 3 && (strcmp(argv[1], "destroy") == 0 ||
	    strcmp(argv[1], "state") == 0))
		;
	else {
		fprintf(stderr, "usage: " PROG " create NAME KERNEL RAMDISK "
		    "MEM_MB\n       " PROG " destroy DOMID\n       " PROG
		    " state DOMID\n");
		return 1;
	}
	h = ctrl_open_err(err, sizeof(err));
	if (h == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	xs = xsc_open(NULL, XSC_OPEN_DEFAULT);
	if (xs == NULL && strcmp(argv[1], "create") != 0) {
		fprintf(stderr, PROG ": warning: xenstore: %s\n", strerror(errno));
	} else if (xs == NULL) {
		fprintf(stderr, PROG ": xenstore: %s\n", strerror(errno));
		goto out;
	}
	if (strcmp(argv[1], "state") == 0)
		rc = cmd_state(h, argv + 2);
	else if (strcmp(argv[1], "create") == 0)
		rc = cmd_create(h, xs, argv + 2);
	else
		rc = cmd_destroy(h, xs, argv + 2);
out:
	if (xs != NULL)
		xsc_close(xs);
	if (h != NULL)
		ctrl_close(h);
	return rc;
}
