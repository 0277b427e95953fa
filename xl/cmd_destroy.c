/*
 * cmd_destroy.c - `xl destroy [-f] <Domain>`: terminate a domain at once
 * and remove every trace of it (light_domain_destroy).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_destroy(int argc, char **argv)
{
	struct light_ctx *c;
	bool force = false;
	uint32_t domid;
	int opt;

	while ((opt = xl_getopt(argc, argv, "f", NULL, 1)) != -1) {
		if (opt == 'f')
			force = true;
	}
	domid = xl_find_domain(argv[optind]);
	if (domid == 0 && !force) {
		fprintf(stderr, "Cannot destroy privileged domain 0.\n\n");
		return EXIT_FAILURE;
	}
	c = xl_ctx();
	if (light_domain_destroy(c, domid) < 0) {
		fprintf(stderr, "destroy failed: %s\n", light_errmsg(c));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
