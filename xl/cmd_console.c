/*
 * cmd_console.c - `xl console [-t pv|serial] [-n N] <Domain>`: replace xl
 * with the xenconsole client attached to the domain's console.  Without
 * -t, the primary console as upstream picks it: an HVM guest's serial
 * port (xenconsole falls back to the PV console when it has no pty), a
 * PV or PVH guest's PV console.
 *
 * `xl vncviewer [--autopass] <Domain>`: replace xl with a VNC viewer on
 * an HVM guest's emulated display.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_console(int argc, char **argv)
{
	enum light_console_type type = LIGHT_CONSOLE_PV;
	struct light_dominfo info;
	unsigned long num = 0;
	uint32_t domid;
	bool typed = false;
	int opt;

	while ((opt = xl_getopt(argc, argv, "t:n:", NULL, 1)) != -1) {
		switch (opt) {
		case 't':
			typed = true;
			if (strcmp(optarg, "pv") == 0)
				type = LIGHT_CONSOLE_PV;
			else if (strcmp(optarg, "serial") == 0)
				type = LIGHT_CONSOLE_SERIAL;
			else {
				fprintf(stderr, "console type supported are: pv, serial\n");
				return EXIT_FAILURE;
			}
			break;
		case 'n':
			if (xl_parse_ulong(optarg, 0, 255, &num) < 0) {
				fprintf(stderr, "invalid console number `%s'\n", optarg);
				return EXIT_FAILURE;
			}
			break;
		}
	}
	domid = xl_find_domain(argv[optind]);
	if (!typed && light_domain_info(xl_ctx(), domid, &info) == 0 &&
	    info.hvm && !info.pvh)
		type = LIGHT_CONSOLE_SERIAL;
	light_console_exec(xl_ctx(), domid, (unsigned)num, type, -1);
	xl_warnx("%s", light_errmsg(xl_ctx()));
	return EXIT_FAILURE;
}

int cmd_vncviewer(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "autopass", 0, 0, 'a' },
		{ "vncviewer-autopass", 0, 0, 'a' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	bool autopass = false;
	uint32_t domid;
	int opt;

	while ((opt = xl_getopt(argc, argv, "a", longopts, 1)) != -1)
		if (opt == 'a')
			autopass = true;
	domid = xl_find_domain(argv[optind]);
	light_vncviewer_exec(xl_ctx(), domid, autopass);
	xl_warnx("%s", light_errmsg(xl_ctx()));
	return EXIT_FAILURE;
}
