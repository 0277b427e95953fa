/*
 * cmd_uptime.c - `xl uptime [-s] [Domain...]`: how long each domain has
 * been running.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

/*
 * One domain's line.  Dom0's uptime must be known (upstream exits with
 * 255 without it); another domain whose start time was never recorded is
 * reported on stderr and skipped.
 */
static void
print_one(uint32_t domid, bool short_form, time_t now)
{
	struct light_ctx *c = xl_ctx();
	unsigned long secs;
	char up[64], clock[16];
	struct tm tm;
	char *name;

	if (light_domain_uptime(c, domid, (long)now, &secs) == -1) {
		if (domid == 0) {
			fprintf(stderr, "Can not get Dom0 uptime.\n");
			exit(255);
		}
		xl_warnx("%s", light_errmsg(c));
		return;
	}
	name = light_domain_name(c, domid);
	xl_uptime_string(secs, short_form, up, sizeof(up));
	if (short_form) {
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(clock, sizeof(clock), "%H:%M:%S", &tm) == 0)
			clock[0] = '\0';
		printf(" %s up %s, %s (%u)\n", clock, up,
		    name ? name : "(null)", domid);
	} else
		printf("%-33s %4u %s\n", name ? name : "(null)", domid, up);
	free(name);
}

int
cmd_uptime(int argc, char **argv)
{
	struct light_dominfo *list = NULL;
	struct light_ctx *c;
	bool short_form = false;
	uint32_t *doms = NULL;
	size_t i, n;
	time_t now;
	int opt, ret = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "s", NULL, 0)) != -1) {
		if (opt == 's')
			short_form = true;
	}

	/* Resolve every argument first: a bad one fails before any output. */
	n = (size_t)(argc - optind);
	if (n > 0) {
		doms = calloc(n, sizeof(*doms));
		if (doms == NULL) {
			xl_warnx("out of memory");
			return EXIT_FAILURE;
		}
		for (i = 0; i < n; i++)
			doms[i] = xl_find_domain(argv[optind + (int)i]);
	}

	c = xl_ctx();
	now = time(NULL);
	if (!short_form)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	if (n == 0) {
		/* Dom0 first, then every other domain. */
		print_one(0, short_form, now);
		if (light_domain_list(c, &list, &n) == -1) {
			fprintf(stderr, "Could not list vms.\n");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (list[i].domid != 0)
				print_one(list[i].domid, short_form, now);
	} else {
		for (i = 0; i < n; i++)
			print_one(doms[i], short_form, now);
	}
	ret = EXIT_SUCCESS;
out:
	free(list);
	free(doms);
	return ret;
}
