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
#include "jsonw.h"
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

/*
 * output_format = "sxp" (xl.conf): each domain's stored configuration in
 * upstream's S-expression form, one after the other, no array.
 */
static int
print_details_sxp(const struct light_dominfo *d, size_t n)
{
	char uuid[37], *json;
	size_t i;

	for (i = 0; i < n; i++) {
		json = light_domain_config_json(xl_ctx(), d[i].domid);
		if (json == NULL)
			continue;
		xl_format_uuid(d[i].uuid, uuid);
		if (xl_sxp_print(stdout, json, d[i].domid, uuid) < 0) {
			xl_warnx("domain %u: cannot read its stored configuration",
			    d[i].domid);
			free(json);
			return EXIT_FAILURE;
		}
		free(json);
	}
	return EXIT_SUCCESS;
}

/* One domain as `xl list --json` and `xl vm-list --json` show it. */
static void
json_domain(struct xl_json *j, const struct light_dominfo *d)
{
	char uuid[37], state[7];

	xl_format_uuid(d->uuid, uuid);
	xl_state_chars(d, state);
	xl_json_map_open(j);
	xl_json_uint(j, "domid", d->domid);
	xl_json_str(j, "name", d->has_name ? d->name : NULL);
	xl_json_str(j, "uuid", uuid);
	xl_json_str(j, "state", state);
	xl_json_bool(j, "running", d->running);
	xl_json_bool(j, "blocked", d->blocked);
	xl_json_bool(j, "paused", d->paused);
	xl_json_bool(j, "shutdown", d->shutdown);
	xl_json_bool(j, "dying", d->dying);
	if (d->shutdown)
		xl_json_uint(j, "shutdown_reason", d->shutdown_reason);
	else
		xl_json_str(j, "shutdown_reason", NULL);
	xl_json_uint(j, "memory_kb", d->tot_pages * 4);
	xl_json_uint(j, "max_memory_kb", d->max_pages * 4);
	xl_json_uint(j, "outstanding_kb", d->outstanding_pages * 4);
	xl_json_uint(j, "vcpus", d->vcpus_online);
	xl_json_uint(j, "max_vcpu_id", d->max_vcpu_id);
	xl_json_double(j, "cpu_time_s", (double)d->cpu_time_ns / 1e9);
	xl_json_uint(j, "ssidref", d->ssidref);
	xl_json_uint(j, "cpupool", d->cpupool);
	xl_json_str(j, "type", d->pvh ? "pvh" : d->hvm ? "hvm" : "pv");
	xl_json_map_close(j);
}

/* { "domains": [ ... ] }, see doc/json.md. */
static int
print_domains_json(const struct light_dominfo *d, size_t n)
{
	struct xl_json *j = xl_json_new();
	size_t i;

	xl_json_map_open(j);
	xl_json_key(j, "domains");
	xl_json_array_open(j);
	for (i = 0; i < n; i++)
		json_domain(j, &d[i]);
	xl_json_array_close(j);
	xl_json_map_close(j);
	if (xl_json_print(j, stdout) < 0) {
		xl_warnx("cannot write the JSON output: %s", strerror(errno));
		return EXIT_FAILURE;
	}
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
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_dominfo one, *list = NULL, *doms;
	struct light_ctx *c;
	unsigned opts = 0;
	bool details = false, numa = false, json = false;
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
		case 'J':
			json = true;
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

	/* -l follows xl.conf's output_format; --json -l is always JSON. */
	if (details && !json && xl_conf()->output_format == LIGHT_OUTPUT_SXP)
		ret = print_details_sxp(doms, n);
	else if (details)
		ret = print_details(doms, n);
	else if (json)
		ret = print_domains_json(doms, n);
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
	static const struct option longopts[] = {
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	char uuid[37];
	size_t i, n;
	bool json = false;
	int ret;

	while (xl_getopt(argc, argv, "", longopts, 0) != -1)
		json = true;    /* the only option */
	c = xl_ctx();
	if (light_domain_list(c, &list, &n) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return EXIT_FAILURE;
	}
	if (json) {
		ret = print_domains_json(list, n);
		free(list);
		return ret;
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
