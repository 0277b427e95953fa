/*
 * cmd_uptime.c - `xl uptime [-s] [Domain...]`: how long each domain has
 * been running.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "liblight.h"
#include "jsonw.h"
#include "xl.h"
#include "cmds.h"

/*
 * One domain's line.  Dom0's uptime must be known (upstream exits with
 * 255 without it); another domain whose start time was never recorded is
 * reported on stderr and skipped.
 */
static void
print_one(uint32_t domid, bool short_form, time_t now, struct xl_json *j)
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
	if (j) {
		xl_json_map_open(j);
		xl_json_uint(j, "domid", domid);
		xl_json_str(j, "name", name);
		xl_json_uint(j, "uptime_s", secs);
		xl_json_map_close(j);
		free(name);
		return;
	}
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
	static const struct option longopts[] = {
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_dominfo *list = NULL;
	struct light_ctx *c;
	struct xl_json *j = NULL;
	bool short_form = false;
	uint32_t *doms = NULL;
	size_t i, n;
	time_t now;
	int opt, rc, ret = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "s", longopts, 0)) != -1) {
		if (opt == 's')
			short_form = true;
		else if (opt == 'J')
			j = j ? j : xl_json_new();
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
	if (j) {
		/* { "domains": [ { "domid", "name", "uptime_s" } ] } */
		xl_json_map_open(j);
		xl_json_key(j, "domains");
		xl_json_array_open(j);
	} else if (!short_form)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	if (n == 0) {
		/* Dom0 first, then every other domain. */
		print_one(0, short_form, now, j);
		if (light_domain_list(c, &list, &n) == -1) {
			fprintf(stderr, "Could not list vms.\n");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (list[i].domid != 0)
				print_one(list[i].domid, short_form, now, j);
	} else {
		for (i = 0; i < n; i++)
			print_one(doms[i], short_form, now, j);
	}
	if (j) {
		xl_json_array_close(j);
		xl_json_map_close(j);
		rc = xl_json_print(j, stdout);
		j = NULL;
		if (rc < 0) {
			xl_warnx("cannot write the JSON output: %s", strerror(errno));
			goto out;
		}
	}
	ret = EXIT_SUCCESS;
out:
	/* Only an unfinished document is still here: print refuses it
	 * (nothing is written) and frees it. */
	if (j)
		(void)xl_json_print(j, stdout);
	free(list);
	free(doms);
	return ret;
}
