/*
 * cmd_rename.c - `xl rename <Domain> <NewDomainName>`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_rename(int argc, char **argv)
{
	const char *dom;
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	dom = argv[optind];
	domid = xl_find_domain(dom);
	if (light_domain_rename(xl_ctx(), domid, argv[optind + 1]) < 0) {
		xl_warnx("Can't rename domain '%s': %s", dom,
		         light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
