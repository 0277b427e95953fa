/*
 * cmd_dom.c - `xl domid NAME` and `xl domname ID`: convert between a
 * domain's name and its id.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

int
cmd_domid(int argc, char **argv)
{
	struct light_ctx *c;
	const char *name;
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	name = argv[optind];
	c = xl_ctx();
	/* Names only: `xl domid 3` looks for a domain named "3". */
	if (light_domain_by_name(c, name, &domid) == -1) {
		if (errno == ENOENT || errno == EINVAL)
			fprintf(stderr, "Can't get domid of domain name '%s', "
			    "maybe this domain does not exist.\n", name);
		else
			xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	printf("%u\n", domid);
	return EXIT_SUCCESS;
}

int
cmd_domname(int argc, char **argv)
{
	struct light_ctx *c;
	unsigned long domid;
	char *name;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	if (xl_parse_ulong(argv[optind], 0, UINT32_MAX, &domid) == -1) {
		fprintf(stderr, "Invalid domain id.\n\n");
		return EXIT_FAILURE;
	}
	c = xl_ctx();
	name = light_domain_name(c, (uint32_t)domid);
	if (name == NULL) {
		if (errno == ENOENT)
			fprintf(stderr, "Can't get domain name of domain id "
			    "'%lu', maybe this domain does not exist.\n", domid);
		else
			xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	printf("%s\n", name);
	free(name);
	return EXIT_SUCCESS;
}
