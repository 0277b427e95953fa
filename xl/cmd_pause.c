/*
 * cmd_pause.c - `xl pause <Domain>` and `xl unpause <Domain>`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_pause(int argc, char **argv)
{
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	if (light_domain_pause(xl_ctx(), domid) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int cmd_unpause(int argc, char **argv)
{
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	if (light_domain_unpause(xl_ctx(), domid) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
