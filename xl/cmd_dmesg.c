/*
 * cmd_dmesg.c - `xl dmesg [-c]`: print (and optionally clear) Xen's
 * console ring.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

int
cmd_dmesg(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "clear", 0, 0, 'c' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_ctx *c;
	bool clear = false;
	char *buf = NULL;
	size_t len;
	int opt;

	while ((opt = xl_getopt(argc, argv, "c", longopts, 0)) != -1) {
		if (opt == 'c')
			clear = true;
	}
	c = xl_ctx();
	if (light_xen_dmesg(c, clear, &buf, &len) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	return EXIT_SUCCESS;
}
