/*
 * cmd_sysrq.c - the guest's "keyboard": `xl sysrq <Domain> <letter>` and
 * `xl trigger <Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

int cmd_sysrq(int argc, char **argv)
{
	const char *key;
	uint32_t domid;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	key = argv[optind + 1];
	/* One letter, as upstream checks before anything else. */
	if (key[0] == '\0' || key[1] != '\0') {
		xl_warnx("Invalid sysrq '%s': one letter expected", key);
		return EXIT_FAILURE;
	}
	if (light_domain_sysrq(xl_ctx(), domid, key[0]) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int cmd_trigger(int argc, char **argv)
{
	enum light_trigger trig;
	unsigned long vcpu = 0;
	uint32_t domid;
	const char *name;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	name = argv[optind + 1];
	if (light_trigger_from_string(name, &trig) < 0) {
		xl_warnx("Invalid trigger \"%s\"", name);
		return EXIT_FAILURE;
	}
	if (argv[optind + 2] != NULL &&
	    xl_parse_ulong(argv[optind + 2], 0, 4095, &vcpu) < 0) {
		xl_warnx("Invalid vcpu \"%s\": a number from 0 to 4095",
		         argv[optind + 2]);
		return EXIT_FAILURE;
	}
	if (light_domain_trigger(xl_ctx(), domid, trig, (unsigned)vcpu) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
