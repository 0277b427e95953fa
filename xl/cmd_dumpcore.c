/*
 * cmd_dumpcore.c - `xl dump-core <Domain> <filename>`: write the domain's
 * memory and vCPU state as an ELF core (light_domain_dump_core).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_dump_core(int argc, char **argv)
{
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	if (light_domain_dump_core(xl_ctx(), domid, argv[optind + 1]) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
