/*
 * cmd_sched.c - `xl sched-credit` and `xl sched-credit2`: show and set
 * the weight and cap of domains and the parameters of a cpupool's
 * scheduler.  The two commands differ only in the scheduler they speak
 * to and in the pool parameters it has (credit: time slice, rate limit,
 * migration delay; credit2: rate limit), so they share one implementation
 * driven by the options they were given.
 *
 * What is shown or set follows upstream's rules:
 *   (nothing)        every pool running this scheduler: its parameters,
 *                    then the weight and cap of each of its domains
 *   -p POOL          the same, for one pool
 *   -d DOM           one domain's weight and cap; with -w / -c: set them
 *   -s [-p POOL]     the pool's parameters (pool 0 by default); with
 *                    -t / -r / -m: set them
 * A pool running another scheduler is left out of the listing; a domain
 * or pool asked for by name that runs another scheduler is an error.
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

/* The parsed command line. */
struct sched_args {
	enum light_sched sched;        /* the command's scheduler */
	const char *dom, *pool;        /* -d, -p */
	bool opt_w, opt_c, opt_s, opt_t, opt_r, opt_m, json;
	unsigned long weight, cap, tslice, ratelimit, migr;
};

static const char *
cmd_name(const struct sched_args *a)
{
	return a->sched == LIGHT_SCHED_CREDIT ? "sched-credit"
	                                      : "sched-credit2";
}

/* One numeric option value, strictly parsed. */
static void
number(const char *opt, const char *arg, unsigned long max,
    unsigned long *out)
{
	if (xl_parse_ulong(arg, 0, max, out) == -1) {
		xl_warnx("invalid %s `%s' (a number from 0 to %lu)", opt, arg,
		    max);
		exit(EXIT_FAILURE);
	}
}

/* A -p argument: a pool id or name, which must exist. */
static uint32_t
find_pool(const char *arg)
{
	uint32_t poolid;

	if (light_cpupool_lookup(xl_ctx(), arg, false, &poolid) == -1) {
		fprintf(stderr, "unknown cpupool '%s'\n", arg);
		exit(EXIT_FAILURE);
	}
	return poolid;
}

/* ---- Output ------------------------------------------------------------ */

static void
json_pool_params(struct xl_json *j, enum light_sched s,
    const struct light_sched_pool *p)
{
	if (s == LIGHT_SCHED_CREDIT) {
		if (p) {
			xl_json_uint(j, "tslice_ms", p->tslice_ms);
			xl_json_uint(j, "ratelimit_us", p->ratelimit_us);
			xl_json_uint(j, "migration_delay_us", p->migr_delay_us);
		} else {
			xl_json_str(j, "tslice_ms", NULL);
			xl_json_str(j, "ratelimit_us", NULL);
			xl_json_str(j, "migration_delay_us", NULL);
		}
	} else if (p)
		xl_json_uint(j, "ratelimit_us", p->ratelimit_us);
	else
		xl_json_str(j, "ratelimit_us", NULL);
}

/* A pool's parameter line (or the start of its JSON object, left open
 * for its domains).  Unreadable parameters are reported, not fatal, as
 * upstream does. */
static void
show_pool(const struct sched_args *a, const struct light_cpupool_info *pool,
    struct xl_json *j)
{
	struct light_sched_pool p;
	bool ok;

	ok = light_sched_pool_get(xl_ctx(), pool->id, a->sched, &p) == 0;
	if (!ok)
		xl_warnx("%s", light_errmsg(xl_ctx()));
	if (j == NULL) {
		xl_sched_pool_line(stdout, pool->name, a->sched, ok ? &p : NULL);
		return;
	}
	xl_json_map_open(j);
	xl_json_str(j, "name", pool->name);
	xl_json_uint(j, "id", pool->id);
	xl_json_str(j, "scheduler", light_sched_name(a->sched));
	json_pool_params(j, a->sched, ok ? &p : NULL);
}

/*
 * One domain's weight and cap.  A domain under another scheduler fails
 * with upstream's message.  Returns 0 or -1.
 */
static int
show_domain(const struct sched_args *a, uint32_t domid, struct xl_json *j)
{
	struct light_sched_domain p;
	enum light_sched actual = LIGHT_SCHED_UNKNOWN;
	char *name;

	if (light_sched_domain_get(xl_ctx(), domid, &actual, &p) == -1 &&
	    (errno != EOPNOTSUPP || actual == a->sched)) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return -1;
	}
	if (actual != a->sched) {
		fprintf(stderr, "libxl_domain_sched_params_get returned %s not "
		    "%s.\n", light_sched_name(actual),
		    light_sched_name(a->sched));
		return -1;
	}
	name = light_domain_name(xl_ctx(), domid);
	if (j != NULL) {
		xl_json_map_open(j);
		xl_json_str(j, "name", name);
		xl_json_uint(j, "domid", domid);
		xl_json_uint(j, "weight", p.weight);
		xl_json_uint(j, "cap", p.cap);
		xl_json_map_close(j);
	} else
		xl_sched_credit_line(stdout, name, domid, &p);
	free(name);
	return 0;
}

static int
finish_json(struct xl_json *j, int ret)
{
	if (j == NULL)
		return ret;
	if (ret != EXIT_SUCCESS) {
		xl_json_discard(j);
		return ret;
	}
	if (xl_json_print(j, stdout) == -1) {
		xl_warnx("cannot write the JSON document");
		return EXIT_FAILURE;
	}
	return ret;
}

static struct xl_json *
start_json(bool json, const char *key)
{
	struct xl_json *j;

	if (!json)
		return NULL;
	j = xl_json_new();
	xl_json_map_open(j);
	xl_json_key(j, key);
	xl_json_array_open(j);
	return j;
}

static void
end_json_list(struct xl_json *j)
{
	if (j == NULL)
		return;
	xl_json_array_close(j);
	xl_json_map_close(j);
}

/* Every pool running this scheduler (or just -p's), with its domains. */
static int
show_all(const struct sched_args *a)
{
	struct light_cpupool_info *pools = NULL;
	struct light_dominfo *doms = NULL;
	struct xl_json *j;
	size_t npools = 0, ndoms = 0, p, i;
	uint32_t poolid = 0;
	int ret = EXIT_FAILURE;

	if (a->pool)
		poolid = find_pool(a->pool);
	if (light_domain_list(xl_ctx(), &doms, &ndoms) == -1 ||
	    light_cpupool_list(xl_ctx(), &pools, &npools) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		goto out;
	}
	j = start_json(a->json, "cpupools");
	ret = EXIT_SUCCESS;
	for (p = 0; p < npools && ret == EXIT_SUCCESS; p++) {
		if (pools[p].sched != a->sched || (a->pool && pools[p].id != poolid))
			continue;
		show_pool(a, &pools[p], j);
		if (j != NULL) {
			xl_json_key(j, "domains");
			xl_json_array_open(j);
		} else
			xl_sched_credit_header(stdout);
		for (i = 0; i < ndoms; i++) {
			if (doms[i].cpupool != pools[p].id)
				continue;
			if (show_domain(a, doms[i].domid, j) == -1) {
				ret = EXIT_FAILURE;
				break;
			}
		}
		if (j != NULL) {
			xl_json_array_close(j);
			xl_json_map_close(j);
		}
	}
	end_json_list(j);
	ret = finish_json(j, ret);
out:
	free(pools);
	free(doms);
	return ret;
}

/* -s: show or set the parameters of one pool (0 unless -p). */
static int
pool_params(const struct sched_args *a)
{
	struct light_cpupool_info pool;
	struct light_sched_pool p;
	struct xl_json *j;
	uint32_t poolid = a->pool ? find_pool(a->pool) : 0;

	if (light_cpupool_info(xl_ctx(), poolid, &pool) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	if (!a->opt_t && !a->opt_r && !a->opt_m) {
		j = start_json(a->json, "cpupools");
		show_pool(a, &pool, j);
		if (j != NULL) {
			xl_json_str(j, "domains", NULL);
			xl_json_map_close(j);
		}
		end_json_list(j);
		return finish_json(j, EXIT_SUCCESS);
	}
	/* Set: credit keeps what is not given (read first); credit2 has
	 * only the rate limit. */
	memset(&p, 0, sizeof(p));
	if (a->sched == LIGHT_SCHED_CREDIT &&
	    light_sched_pool_get(xl_ctx(), poolid, a->sched, &p) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	if (a->opt_t)
		p.tslice_ms = (unsigned)a->tslice;
	if (a->opt_r)
		p.ratelimit_us = (unsigned)a->ratelimit;
	if (a->opt_m)
		p.migr_delay_us = (unsigned)a->migr;
	if (light_sched_pool_set(xl_ctx(), poolid, a->sched, &p) == -1) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* -d DOM: show its weight and cap, or set them with -w / -c. */
static int
domain_params(const struct sched_args *a)
{
	struct xl_json *j;
	uint32_t domid = xl_find_domain(a->dom);
	int ret;

	if (a->opt_w || a->opt_c) {
		if (light_sched_domain_set(xl_ctx(), domid, a->sched,
		    a->opt_w ? (long)a->weight : -1,
		    a->opt_c ? (long)a->cap : -1) == -1) {
			xl_warnx("%s", light_errmsg(xl_ctx()));
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	j = start_json(a->json, "domains");
	if (j == NULL)
		xl_sched_credit_header(stdout);
	ret = show_domain(a, domid, j) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	end_json_list(j);
	return finish_json(j, ret);
}

/* ---- The commands ------------------------------------------------------ */

static int
sched_main(int argc, char **argv, enum light_sched sched)
{
	static const struct option longopts[] = {
		{ "domain", 1, 0, 'd' },
		{ "weight", 1, 0, 'w' },
		{ "cap", 1, 0, 'c' },
		{ "schedparam", 0, 0, 's' },
		{ "tslice_ms", 1, 0, 't' },
		{ "ratelimit_us", 1, 0, 'r' },
		{ "migration_delay_us", 1, 0, 'm' },
		{ "cpupool", 1, 0, 'p' },
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct sched_args a;
	const char *opts = sched == LIGHT_SCHED_CREDIT ? "d:w:c:p:t:r:m:s"
	                                               : "d:w:c:p:r:s";
	int opt;

	memset(&a, 0, sizeof(a));
	a.sched = sched;
	while ((opt = xl_getopt(argc, argv, opts, longopts, 0)) != -1) {
		switch (opt) {
		case 'd': a.dom = optarg; break;
		case 'p': a.pool = optarg; break;
		case 's': a.opt_s = true; break;
		case 'J': a.json = true; break;
		case 'w':
			number("weight", optarg, 65535, &a.weight);
			a.opt_w = true;
			break;
		case 'c':
			number("cap", optarg, 65535, &a.cap);
			a.opt_c = true;
			break;
		case 't':
			number("tslice_ms", optarg, 1000000, &a.tslice);
			a.opt_t = true;
			break;
		case 'r':
			number("ratelimit_us", optarg, 1000000, &a.ratelimit);
			a.opt_r = true;
			break;
		case 'm':
			number("migration_delay_us", optarg, 1000000, &a.migr);
			a.opt_m = true;
			break;
		}
	}
	/* Upstream's checks and messages, per command. */
	if (sched == LIGHT_SCHED_CREDIT && (a.pool || a.opt_s) &&
	    (a.dom || a.opt_w || a.opt_c)) {
		fprintf(stderr, "Specifying a cpupool or schedparam is not "
		    "allowed with domain options.\n");
		return EXIT_FAILURE;
	}
	if (sched == LIGHT_SCHED_CREDIT2 && a.pool &&
	    (a.dom || a.opt_w || a.opt_c)) {
		fprintf(stderr, "Specifying a cpupool is not allowed with "
		    "other options.\n");
		return EXIT_FAILURE;
	}
	if (!a.dom && (a.opt_w || a.opt_c)) {
		fprintf(stderr, "Must specify a domain.\n");
		return EXIT_FAILURE;
	}
	if (!a.opt_s && (a.opt_t || a.opt_r || a.opt_m)) {
		fprintf(stderr, "Must specify schedparam to set schedule "
		    "parameter values.\n");
		return EXIT_FAILURE;
	}
	if ((a.opt_w || a.opt_c || a.opt_t || a.opt_r || a.opt_m) && a.json) {
		xl_warnx("%s: --json only applies when showing parameters",
		    cmd_name(&a));
		return EXIT_FAILURE;
	}
	if (a.opt_s)
		return pool_params(&a);
	if (a.dom == NULL)
		return show_all(&a);
	return domain_params(&a);
}

int
cmd_sched_credit(int argc, char **argv)
{
	return sched_main(argc, argv, LIGHT_SCHED_CREDIT);
}

int
cmd_sched_credit2(int argc, char **argv)
{
	return sched_main(argc, argv, LIGHT_SCHED_CREDIT2);
}
