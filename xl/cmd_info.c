/*
 * cmd_info.c - `xl info [FIELD]`: facts about the host and Xen, in
 * upstream's order and spelling (format.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
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
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_host_info h;
	struct light_ctx *c;
	struct utsname uts;
	const char *field = NULL;
	bool numa = false, json = false;
	int opt;

	while ((opt = xl_getopt(argc, argv, "n", longopts, 0)) != -1) {
		if (opt == 'n')
			numa = true;
		else if (opt == 'J')
			json = true;
	}
	if (numa) {
		xl_warnx("info -n: NUMA topology is not supported");
		return EXIT_FAILURE;
	}
	/* `xl info xen_version` prints just that value. */
	if (optind < argc)
		field = argv[optind];
	if (json && field) {
		xl_warnx("info: --json shows every field; pick one with a JSON "
		    "tool");
		return EXIT_FAILURE;
	}

	c = xl_ctx();
	if (light_host_info(c, &h) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	if (json) {
		if (xl_print_info_json(stdout, uname(&uts) == 0 ? &uts : NULL,
		    &h) < 0) {
			xl_warnx("cannot write the JSON output: %s", strerror(errno));
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	xl_print_info(stdout, uname(&uts) == 0 ? &uts : NULL, &h, field);
	return EXIT_SUCCESS;
}
