/*
 * cmd_vcpu.c - `xl vcpu-list`, `xl vcpu-pin` and `xl vcpu-set`: a
 * domain's vCPUs, where they may run, and how many the guest runs.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"
#include "jsonw.h"

/* The host's CPU count (affinities are shown over these) and the highest
 * CPU id + 1 (what vcpu-set compares with, as upstream). */
static void
host_cpus(unsigned *nr_cpus, unsigned *max_cpus)
{
	struct light_host_info h;

	if (light_host_info(xl_ctx(), &h) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		exit(EXIT_FAILURE);
	}
	*nr_cpus = h.nr_cpus;
	if (max_cpus != NULL)
		*max_cpus = h.max_cpu_id + 1;
}

/* The CPUs of a map as a JSON array of numbers. */
static void
json_cpus(struct xl_json *j, const char *key, const struct light_cpumap *m,
    unsigned nr_cpus)
{
	unsigned i;

	xl_json_key(j, key);
	xl_json_array_open(j);
	for (i = 0; i < nr_cpus; i++)
		if (light_cpumap_test(m, i))
			xl_json_uint(j, NULL, i);
	xl_json_array_close(j);
}

static void
json_vcpu(struct xl_json *j, const char *name, uint32_t domid,
    const struct light_vcpu_info *v, unsigned nr_cpus)
{
	char buf[LIGHT_CPUMAP_MAX_CPUS * 4];

	xl_json_map_open(j);
	xl_json_str(j, "name", name);
	xl_json_uint(j, "domid", domid);
	xl_json_uint(j, "vcpu", v->id);
	xl_json_bool(j, "online", v->online);
	if (v->online)
		xl_json_uint(j, "cpu", v->cpu);
	else
		xl_json_str(j, "cpu", NULL);
	xl_json_bool(j, "running", v->running);
	xl_json_bool(j, "blocked", v->blocked);
	xl_json_double(j, "cpu_time_s", (double)v->cpu_time_ns / 1e9);
	xl_json_str(j, "hard_affinity",
	    xl_format_cpumap(v->hard.bits, nr_cpus, buf, sizeof(buf)));
	json_cpus(j, "hard_affinity_cpus", &v->hard, nr_cpus);
	xl_json_str(j, "soft_affinity",
	    xl_format_cpumap(v->soft.bits, nr_cpus, buf, sizeof(buf)));
	json_cpus(j, "soft_affinity_cpus", &v->soft, nr_cpus);
	xl_json_map_close(j);
}

/* Every vCPU of one domain, as lines or into the JSON array.  Returns 0,
 * or -1 after a message when the domain's vCPUs cannot be read. */
static int
list_domain(uint32_t domid, unsigned nr_cpus, struct xl_json *j)
{
	struct light_vcpu_info *v = NULL;
	struct light_ctx *c = xl_ctx();
	size_t n, i;
	char *name;

	if (light_vcpu_list(c, domid, &v, &n) == -1) {
		xl_warnx("%s", light_errmsg(c));
		return -1;
	}
	name = light_domain_name(c, domid);
	for (i = 0; i < n; i++) {
		if (j != NULL)
			json_vcpu(j, name, domid, &v[i], nr_cpus);
		else
			xl_vcpu_list_line(stdout, name, domid, &v[i], nr_cpus);
	}
	free(name);
	free(v);
	return 0;
}

int
cmd_vcpu_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_dominfo *list = NULL;
	struct xl_json *j = NULL;
	uint32_t *doms = NULL;
	unsigned nr_cpus;
	size_t n, i;
	bool json = false;
	int opt, ret = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "", longopts, 0)) != -1) {
		if (opt == 'J')
			json = true;
	}
	/* Resolve every argument before printing anything. */
	n = (size_t)(argc - optind);
	if (n > 0) {
		doms = calloc(n, sizeof(*doms));
		if (doms == NULL) {
			xl_warnx("out of memory");
			return EXIT_FAILURE;
		}
		for (i = 0; i < n; i++)
			doms[i] = xl_find_domain(argv[optind + (int)i]);
	} else {
		if (light_domain_list(xl_ctx(), &list, &n) == -1) {
			xl_warnx("%s", light_errmsg(xl_ctx()));
			goto out;
		}
		doms = calloc(n ? n : 1, sizeof(*doms));
		if (doms == NULL) {
			xl_warnx("out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			doms[i] = list[i].domid;
	}
	host_cpus(&nr_cpus, NULL);

	if (json) {
		j = xl_json_new();
		xl_json_map_open(j);
		xl_json_key(j, "vcpus");
		xl_json_array_open(j);
	} else
		xl_vcpu_list_header(stdout);
	ret = EXIT_SUCCESS;
	for (i = 0; i < n; i++)
		if (list_domain(doms[i], nr_cpus, j) == -1)
			ret = EXIT_FAILURE;
	if (json) {
		xl_json_array_close(j);
		xl_json_map_close(j);
		/* A failed domain means no document at all (doc/json.md). */
		if (ret == EXIT_SUCCESS && xl_json_print(j, stdout) == -1) {
			xl_warnx("cannot write the JSON document");
			ret = EXIT_FAILURE;
		} else if (ret != EXIT_SUCCESS)
			xl_json_discard(j);
	}
out:
	free(list);
	free(doms);
	return ret;
}

/* A vcpu-pin map argument: "-" leaves the map alone (*use = false). */
static int
pin_map(const char *arg, struct light_cpumap *m, bool *use)
{
	char err[160];

	*use = false;
	if (strcmp(arg, "-") == 0)
		return 0;
	if (light_cpumap_parse(arg, m, err, sizeof(err)) == -1) {
		xl_warnx("%s", err);
		return -1;
	}
	*use = true;
	return 0;
}

/*
 * xl vcpu-pin [-f] DOMAIN VCPU|all HARD [SOFT]: HARD or SOFT "-" keeps
 * that map; SOFT left out keeps it too.  -f (undo a pinning the guest
 * kernel asked for) needs the kernel's override protocol, not done here.
 */
int
cmd_vcpu_pin(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", 0, 0, 'f' },
		{ "ignore-global-affinity-masks", 0, 0, 'i' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_cpumap hard, soft;
	struct light_dominfo di;
	bool use_hard, use_soft = false, ignore_masks = false;
	char err[256];
	const char *vcpu_arg;
	unsigned long vcpu;
	uint32_t domid;
	int opt, which;

	while ((opt = xl_getopt(argc, argv, "f", longopts, 3)) != -1) {
		if (opt == 'f') {
			xl_warnx("vcpu-pin: -f (--force) is not supported");
			return EXIT_FAILURE;
		}
		if (opt == 'i')
			ignore_masks = true;
	}
	domid = xl_find_domain(argv[optind]);
	vcpu_arg = argv[optind + 1];
	if (strcmp(vcpu_arg, "all") == 0)
		which = LIGHT_VCPU_ALL;
	else if (xl_parse_ulong(vcpu_arg, 0, 4095, &vcpu) == 0)
		which = (int)vcpu;
	else {
		fprintf(stderr, "Error: Invalid argument %s as VCPU.\n",
		    vcpu_arg);
		return EXIT_FAILURE;
	}
	if (pin_map(argv[optind + 2], &hard, &use_hard) == -1)
		return EXIT_FAILURE;
	if (argc > optind + 3 &&
	    pin_map(argv[optind + 3], &soft, &use_soft) == -1)
		return EXIT_FAILURE;
	if (!use_hard && !use_soft)
		return EXIT_SUCCESS;           /* "- -": nothing to change */
	/* xl.conf's vm.cpumask and vm.pv/hvm.cpumask bound the hard map, as
	 * at create. */
	if (use_hard && !ignore_masks) {
		if (light_domain_info(xl_ctx(), domid, &di) == -1) {
			xl_warnx("%s", light_errmsg(xl_ctx()));
			return EXIT_FAILURE;
		}
		if (light_xlconf_mask_affinity(xl_conf(), di.hvm ?
		    LIGHT_DOMAIN_HVM : LIGHT_DOMAIN_PV, &hard, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			return EXIT_FAILURE;
		}
	}
	if (light_vcpu_set_affinity(xl_ctx(), domid, which,
	    use_hard ? &hard : NULL, use_soft ? &soft : NULL) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/*
 * xl vcpu-set [-i] DOMAIN N: the guest runs vCPUs 0..N-1.  Asking for
 * more vCPUs than it has online and than the host has CPUs is refused
 * unless -i (--ignore-host), as upstream does.
 */
int
cmd_vcpu_set(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ignore-host", 0, 0, 'i' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_dominfo di;
	bool check_host = true;
	unsigned long count;
	unsigned nr_cpus, max_cpus;
	uint32_t domid;
	int opt;

	while ((opt = xl_getopt(argc, argv, "i", longopts, 2)) != -1) {
		if (opt == 'i')
			check_host = false;
	}
	domid = xl_find_domain(argv[optind]);
	if (xl_parse_ulong(argv[optind + 1], 1, 4096, &count) == -1) {
		fprintf(stderr, "Error: Invalid argument.\n");
		return EXIT_FAILURE;
	}
	if (light_domain_info(xl_ctx(), domid, &di) == -1) {
		if (errno == ESRCH)
			fprintf(stderr, "Domain %u does not exist.\n", domid);
		else
			xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	if (check_host) {
		host_cpus(&nr_cpus, &max_cpus);
		if (count > di.vcpus_online && count > max_cpus) {
			fprintf(stderr, "You are overcommmitting! You have %u "
			    "physical CPUs and want %lu vCPUs! Aborting, use "
			    "--ignore-host to continue\n", max_cpus, count);
			return EXIT_FAILURE;
		}
	}
	if (light_vcpu_set_online(xl_ctx(), domid, (unsigned)count) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
