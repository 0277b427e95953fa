/*
 * xen-init-dom0 - run once at boot, after xenstored: give Domain-0 its
 * xenstore entries (name, domid, cpupool name, Lightstack's name index),
 * and create the state directories that upstream's tools expect on a Xen
 * host (Debian's xen-utils-common and init script make them for upstream),
 * so that upstream's xl, beside Lightstack's, works on this host too.
 *
 *   xen-init-dom0 [UUID]
 *
 * With a UUID, Dom0's handle is set to it first.  Exit 0 when done or when
 * Dom0 was already set up, 1 on failure, as upstream's tool does.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uuid/uuid.h>

#include "liblight.h"

/*
 * /var/run/xen holds upstream xl's lock files (domid-history.lock; its
 * `xl destroy` fails without it), /var/lib/xen libxl's per-domain
 * userdata, /var/log/xen the daemons' and guests' logs.
 */
static const char *const host_dirs[] = {
	"/var/run/xen", "/var/lib/xen", "/var/log/xen",
};

static int
make_host_dirs(void)
{
	size_t i;

	for (i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++) {
		if (mkdir(host_dirs[i], 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "xen-init-dom0: mkdir %s: %s\n",
			    host_dirs[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct light_ctx *c = NULL;
	uuid_t uuid;
	char err[256];
	int rc, ret = EXIT_FAILURE;

	if (argc > 2) {
		fprintf(stderr, "too many arguments\n");
		goto out;
	}
	if (argc == 2 && uuid_parse(argv[1], uuid) != 0) {
		fprintf(stderr, "failed to parse UUID %s\n", argv[1]);
		goto out;
	}

	if (make_host_dirs() == -1)
		goto out;

	/* The hypervisor interface is needed only to set the UUID. */
	c = light_open(argc == 2 ? 0 : LIGHT_OPEN_NO_CTRL, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "xen-init-dom0: %s\n", err);
		goto out;
	}
	rc = light_init_dom0(c, argc == 2 ? uuid : NULL);
	if (rc == -1) {
		fprintf(stderr, "xen-init-dom0: %s\n", light_errmsg(c));
		goto out;
	}
	if (rc == 1)
		fprintf(stderr, "Dom0 is already set up\n");
	else
		printf("Done setting up Dom0\n");
	ret = EXIT_SUCCESS;
out:
	light_close(c);
	return ret;
}
