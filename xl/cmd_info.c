/*
 * cmd_info.c - `xl info [FIELD]`: facts about the host and Xen, in
 * upstream's order and spelling (format.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

int
cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "numa", 0, 0, 'n' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_host_info h;
	struct light_ctx *c;
	struct utsname uts;
	const char *field = NULL;
	bool numa = false;
	int opt;

	while ((opt = xl_getopt(argc, argv, "n", longopts, 0)) != -1) {
		if (opt == 'n')
			numa = true;
	}
	if (numa) {
		xl_warnx("info -n: NUMA topology is not supported");
		return EXIT_FAILURE;
	}
	/* `xl info xen_version` prints just that value. */
	if (optind < argc)
		field = argv[optind];

	c = xl_ctx();
	if (light_host_info(c, &h) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	xl_print_info(stdout, uname(&uts) == 0 ? &uts : NULL, &h, field);
	return EXIT_SUCCESS;
}
