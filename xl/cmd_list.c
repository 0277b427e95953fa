/*
 * cmd_list.c - `xl list`, `xl vm-list` and `xl claims`: one line per
 * domain, formatted by format.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

/* Print the line of each domain; -c needs each domain's cpupool name. */
static void
print_domains(const struct light_dominfo *d, size_t n, unsigned opts)
{
	char *pool;
	size_t i;

	xl_list_header(stdout, opts);
	for (i = 0; i < n; i++) {
		pool = NULL;
		if (opts & XL_LIST_CPUPOOL)
			pool = light_cpupool_name(xl_ctx(), d[i].cpupool);
		xl_list_line(stdout, &d[i], opts, pool);
		free(pool);
	}
}

/*
 * Print `json` nested `indent` columns deep: yajl's beautified text starts
 * at column 0, and continuation lines must move right with it.
 */
static void
print_nested(const char *json, const char *indent)
{
	const char *p;

	for (p = json; *p != '\0'; p++) {
		putchar(*p);
		if (*p == '\n')
			fputs(indent, stdout);
	}
}

/*
 * `xl list -l`: a JSON array of {"domid": N, "config": {...}}, byte for
 * byte as upstream's yajl prints it (4-space indent, and puts() adding a
 * newline after yajl's own), skipping domains with no stored
 * configuration (Domain-0, domains of other toolstacks), as upstream does.
 * The configuration itself is the lifecycle code's (light_domain.h).
 */
static int
print_details(const struct light_dominfo *d, size_t n)
{
	char *json;
	size_t i;
	bool first = true;

	printf("[\n");
	for (i = 0; i < n; i++) {
		json = light_domain_config_json(xl_ctx(), d[i].domid);
		if (json == NULL)
			continue;
		printf("%s    {\n        \"domid\": %u,\n        \"config\": ",
		    first ? "" : ",\n", d[i].domid);
		print_nested(json, "        ");
		printf("\n    }");
		first = false;
		free(json);
	}
	printf("\n]\n\n");
	return EXIT_SUCCESS;
}

int
cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "long", 0, 0, 'l' },
		{ "verbose", 0, 0, 'v' },
		{ "context", 0, 0, 'Z' },
		{ "cpupool", 0, 0, 'c' },
		{ "numa", 0, 0, 'n' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_dominfo one, *list = NULL, *doms;
	struct light_ctx *c;
	unsigned opts = 0;
	bool details = false, numa = false;
	size_t n;
	uint32_t domid;
	int opt, ret = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "lvZcn", longopts, 0)) != -1) {
		switch (opt) {
		case 'l':
			details = true;
			break;
		case 'v':
			opts |= XL_LIST_VERBOSE;
			break;
		case 'Z':
			opts |= XL_LIST_CONTEXT;
			break;
		case 'c':
			opts |= XL_LIST_CPUPOOL;
			break;
		case 'n':
			numa = true;
			break;
		}
	}
	if (argc - optind > 1) {
		xl_help(stdout, "list");
		return EXIT_FAILURE;
	}
	if (numa) {
		xl_warnx("list -n: NUMA node affinity is not supported");
		return EXIT_FAILURE;
	}

	c = xl_ctx();
	if (optind == argc) {
		if (light_domain_list(c, &list, &n) == -1) {
			xl_warnx("%s", light_errmsg(c));
			goto out;
		}
		doms = list;
	} else {
		domid = xl_find_domain(argv[optind]);
		if (light_domain_info(c, domid, &one) == -1) {
			if (errno == ESRCH)
				fprintf(stderr, "Error: Domain '%s' does not "
				    "exist.\n", argv[optind]);
			else
				xl_warnx("%s", light_errmsg(c));
			goto out;
		}
		doms = &one;
		n = 1;
	}

	if (details)
		ret = print_details(doms, n);
	else {
		print_domains(doms, n, opts);
		ret = EXIT_SUCCESS;
	}
out:
	free(list);
	return ret;
}

int
cmd_vm_list(int argc, char **argv)
{
	struct light_dominfo *list = NULL;
	struct light_ctx *c;
	char uuid[37];
	size_t i, n;

	while (xl_getopt(argc, argv, "", NULL, 0) != -1)
		;
	c = xl_ctx();
	if (light_domain_list(c, &list, &n) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	printf("UUID                                  ID    name\n");
	for (i = 0; i < n; i++) {
		xl_format_uuid(list[i].uuid, uuid);
		printf("%s  %u    %-30s\n", uuid, list[i].domid,
		    list[i].has_name ? list[i].name : "(null)");
	}
	free(list);
	return EXIT_SUCCESS;
}

int
cmd_claims(int argc, char **argv)
{
	struct light_dominfo *list = NULL;
	struct light_ctx *c;
	size_t n;

	while (xl_getopt(argc, argv, "", NULL, 0) != -1)
		;
	c = xl_ctx();
	if (light_domain_list(c, &list, &n) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	print_domains(list, n, XL_LIST_CLAIM);
	free(list);
	return EXIT_SUCCESS;
}
