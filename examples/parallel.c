/*
 * parallel.c - liblight from several threads: T threads, each with its
 * own context (the rule of light_ctx.h), each creating and destroying K
 * guests of its own, all at the same time.
 *
 *   parallel guest.cfg T K
 *
 * Guest names are <name>-t<thread>-<k>.  Each thread prints one line per
 * step ("t2 created 14 web-t2-1", "t2 destroyed 14") and stops at its
 * first failure.  When all threads are done, a fresh context checks that
 * none of the names is left.  Exits 0 only if every create and destroy
 * succeeded and nothing is left.
 *
 * Build against an installed Lightstack with
 *   cc parallel.c -pthread $(pkg-config --cflags --libs lightstack-light)
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"

#define MAX_THREADS 16

struct worker {
	pthread_t tid;
	int index;
	bool ok;
};

static const char *cfg_file;
static long per_thread;
static char base[64];
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The model for guest <base>-t<t>-<k>. */
static int model(int t, long k, struct light_domain_config *dc, char *err,
                 size_t errlen)
{
	struct light_cfg *cfg = light_cfg_new();
	char over[160];
	int rc = -1;

	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(over, sizeof(over), "name=\"%s-t%d-%ld\"", base, t, k);
	if (light_cfg_parse_file(cfg, cfg_file, err, errlen) == 0 &&
	    light_cfg_override(cfg, over, err, errlen) == 0 &&
	    light_domain_config_from_cfg(cfg, dc, err, errlen) == 0)
		rc = 0;
	light_cfg_free(cfg);
	return rc;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct light_domain_config dc;
	struct light_ctx *c;
	char err[512];
	uint32_t domid;
	long k;

	c = light_open(0, err, sizeof(err));
	if (!c) {
		say("t%d open: %s\n", w->index, err);
		return NULL;
	}
	for (k = 1; k <= per_thread; k++) {
		if (model(w->index, k, &dc, err, sizeof(err)) < 0) {
			say("t%d config: %s\n", w->index, err);
			goto out;
		}
		if (light_domain_create(c, &dc, 0, &domid) < 0) {
			say("t%d create %s: %s\n", w->index, dc.name,
			    light_errmsg(c));
			light_domain_config_dispose(&dc);
			goto out;
		}
		say("t%d created %u %s\n", w->index, domid, dc.name);
		light_domain_config_dispose(&dc);
		if (light_domain_destroy(c, domid) < 0) {
			say("t%d destroy %u: %s\n", w->index, domid,
			    light_errmsg(c));
			goto out;
		}
		say("t%d destroyed %u\n", w->index, domid);
	}
	w->ok = true;
out:
	light_close(c);
	return NULL;
}

/* After the threads: none of the names may be left. */
static bool nothing_left(int nthreads)
{
	struct light_ctx *c;
	char err[512], name[160];
	uint32_t domid;
	bool clean = true;
	int t;
	long k;

	c = light_open(0, err, sizeof(err));
	if (!c) {
		say("check open: %s\n", err);
		return false;
	}
	for (t = 1; t <= nthreads; t++) {
		for (k = 1; k <= per_thread; k++) {
			snprintf(name, sizeof(name), "%s-t%d-%ld", base, t, k);
			if (light_domain_by_name(c, name, &domid) == 0) {
				say("left behind: %s (%u)\n", name, domid);
				(void)light_domain_destroy(c, domid);
				clean = false;
			} else if (errno != ENOENT) {
				say("check %s: %s\n", name, light_errmsg(c));
				clean = false;
			}
		}
	}
	light_close(c);
	return clean;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	struct light_domain_config dc;
	struct light_cfg *cfg;
	char err[512];
	long nthreads;
	int i, failed = 0;

	if (argc != 4 || number(argv[2], 1, MAX_THREADS, &nthreads) < 0 ||
	    number(argv[3], 1, 1000, &per_thread) < 0) {
		fprintf(stderr, "usage: parallel guest.cfg THREADS(1-%d) K\n",
		        MAX_THREADS);
		return 2;
	}
	cfg_file = argv[1];
	/* The base name, once, from the file itself. */
	cfg = light_cfg_new();
	if (!cfg || light_cfg_parse_file(cfg, cfg_file, err, sizeof(err)) < 0 ||
	    light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "parallel: %s\n", cfg ? err : "out of memory");
		light_cfg_free(cfg);
		return EXIT_FAILURE;
	}
	snprintf(base, sizeof(base), "%s", dc.name ? dc.name : "guest");
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);

	for (i = 0; i < nthreads; i++) {
		w[i].index = i + 1;
		w[i].ok = false;
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0) {
			fprintf(stderr, "parallel: pthread_create failed\n");
			nthreads = i;
			failed = 1;
			break;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		if (!w[i].ok)
			failed = 1;
	}
	if (!nothing_left((int)nthreads))
		failed = 1;
	say("%s\n", failed ? "FAILED" : "all threads done");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
