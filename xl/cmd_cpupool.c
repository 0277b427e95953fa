/*
 * cmd_cpupool.c - `xl cpupool-list [-c] [POOL]`: the cpupools, their
 * CPUs, scheduler and number of domains.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"
#include "jsonw.h"

static void
json_pool(struct xl_json *j, const struct light_cpupool_info *p)
{
	unsigned i;

	xl_json_map_open(j);
	xl_json_str(j, "name", p->name);
	xl_json_uint(j, "id", p->id);
	xl_json_key(j, "cpus");
	xl_json_array_open(j);
	for (i = 0; i < LIGHT_CPUMAP_MAX_CPUS; i++)
		if (light_cpumap_test(&p->cpus, i))
			xl_json_uint(j, NULL, i);
	xl_json_array_close(j);
	xl_json_uint(j, "ncpus", p->ncpus);
	xl_json_str(j, "scheduler", light_sched_name(p->sched));
	/* Upstream prints a constant "y": a pool Xen reports is active. */
	xl_json_bool(j, "active", true);
	xl_json_uint(j, "domain_count", p->n_dom);
	xl_json_map_close(j);
}

int
cmd_cpupool_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpus", 0, 0, 'c' },
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_cpupool_info *pools = NULL;
	struct xl_json *j = NULL;
	const char *pool = NULL;
	bool cpu_list = false, json = false;
	uint32_t poolid = 0;
	size_t n = 0, i;
	int opt, ret = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "c", longopts, 0)) != -1) {
		if (opt == 'c')
			cpu_list = true;
		else if (opt == 'J')
			json = true;
	}
	/* Upstream looks the argument up as a name only. */
	if (optind < argc) {
		pool = argv[optind];
		if (light_cpupool_lookup(xl_ctx(), pool, true, &poolid) == -1) {
			fprintf(stderr, "Pool '%s' does not exist\n", pool);
			return EXIT_FAILURE;
		}
	}
	if (light_cpupool_list(xl_ctx(), &pools, &n) == -1) {
		fprintf(stderr, "error getting cpupool info\n");
		goto out;
	}
	if (json) {
		j = xl_json_new();
		xl_json_map_open(j);
		xl_json_key(j, "cpupools");
		xl_json_array_open(j);
	} else
		xl_cpupool_list_header(stdout, cpu_list);
	for (i = 0; i < n; i++) {
		if (pool != NULL && pools[i].id != poolid)
			continue;
		if (j != NULL)
			json_pool(j, &pools[i]);
		else
			xl_cpupool_list_line(stdout, &pools[i], cpu_list);
	}
	ret = EXIT_SUCCESS;
	if (j != NULL) {
		xl_json_array_close(j);
		xl_json_map_close(j);
		if (xl_json_print(j, stdout) == -1) {
			xl_warnx("cannot write the JSON document");
			ret = EXIT_FAILURE;
		}
	}
out:
	free(pools);
	return ret;
}
