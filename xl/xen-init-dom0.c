/*
 * xen-init-dom0 - run once at boot, after xenstored: give Domain-0 its
 * xenstore entries (name, domid, cpupool name, Lightstack's name index).
 *
 *   xen-init-dom0 [UUID]
 *
 * With a UUID, Dom0's handle is set to it first.  Exit 0 when done or when
 * Dom0 was already set up, 1 on failure, as upstream's tool does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "liblight.h"

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
