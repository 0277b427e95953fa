/*
 * events.c - an orchestrator in miniature: create N guests from one
 * xl.cfg file, then react to their events until all of them are gone.
 *
 *   events guest.cfg N [timeout-seconds]
 *
 * The guests are named <name>-1 .. <name>-N.  Every event about one of
 * them is printed as one line:
 *
 *   event domain-created 7 web-1
 *   event device-connected 7 web-1 vbd 51712
 *   event memory-target-reached 7 web-1 98304
 *   event domain-shutdown 7 web-1 reason 0
 *   event domain-destroyed 7 web-1
 *
 * and the reaction: a guest that shut down (whatever the reason) or
 * crashed is destroyed here ("destroying 7 (crashed)"), as a simple
 * on_poweroff/on_crash = "destroy" policy.  The program exits 0 when all
 * N are destroyed (by it or by anyone else), 1 on an error or when the
 * timeout (default 600 s) runs out first; guests still there are
 * destroyed on the way out.
 *
 * Build against an installed Lightstack with
 *   cc events.c $(pkg-config --cflags --libs lightstack-light)
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "liblight.h"

#define MAX_GUESTS 64

struct guest {
	uint32_t domid;
	bool gone;
};

static struct guest guests[MAX_GUESTS];
static size_t nguests;

static struct guest *ours(uint32_t domid)
{
	size_t i;

	for (i = 0; i < nguests; i++)
		if (guests[i].domid == domid && !guests[i].gone)
			return &guests[i];
	return NULL;
}

/* Strict decimal in [min, max]. */
static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse the file with name=<base>-<i> and create that guest. */
static int create_one(struct light_ctx *c, const char *file, long i)
{
	struct light_domain_config dc;
	struct light_cfg *cfg = light_cfg_new();
	char err[512], over[128];
	const char *base;
	int rc = -1;

	if (!cfg || light_cfg_parse_file(cfg, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "events: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	/* The file's name is the base; read it through a first model. */
	if (light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "events: %s\n", err);
		goto out;
	}
	base = dc.name ? dc.name : "guest";
	snprintf(over, sizeof(over), "name=\"%s-%ld\"", base, i);
	light_domain_config_dispose(&dc);
	if (light_cfg_override(cfg, over, err, sizeof(err)) < 0 ||
	    light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "events: %s\n", err);
		goto out;
	}
	if (light_domain_create(c, &dc, 0, &guests[nguests].domid) < 0) {
		fprintf(stderr, "events: create %s: %s\n", dc.name,
		        light_errmsg(c));
	} else {
		printf("created %u %s\n", guests[nguests].domid, dc.name);
		nguests++;
		rc = 0;
	}
	light_domain_config_dispose(&dc);
out:
	light_cfg_free(cfg);
	return rc;
}

static void print_event(const struct light_event *e)
{
	printf("event %s %u %s", light_event_type_name(e->type), e->domid,
	       e->name);
	switch (e->type) {
	case LIGHT_EVENT_DOMAIN_SHUTDOWN:
	case LIGHT_EVENT_DOMAIN_CRASHED:
		printf(" reason %d", e->reason);
		break;
	case LIGHT_EVENT_DEVICE_CONNECTED:
	case LIGHT_EVENT_DEVICE_DISCONNECTED:
		printf(" %s %u", e->kind, e->devid);
		break;
	case LIGHT_EVENT_MEMORY_TARGET_REACHED:
		printf(" %llu", (unsigned long long)e->memkb);
		break;
	default:
		break;
	}
	printf("\n");
	fflush(stdout);
}

/* The policy: what to do about one event.  Returns guests left. */
static size_t react(struct light_ctx *c, const struct light_event *e,
                    size_t left)
{
	struct guest *g = ours(e->domid);

	if (!g)
		return left;
	print_event(e);
	switch (e->type) {
	case LIGHT_EVENT_DOMAIN_SHUTDOWN:
	case LIGHT_EVENT_DOMAIN_CRASHED:
		printf("destroying %u (%s)\n", e->domid,
		       e->type == LIGHT_EVENT_DOMAIN_CRASHED ? "crashed" : "shut down");
		if (light_domain_destroy(c, e->domid) < 0)
			fprintf(stderr, "events: destroy %u: %s\n", e->domid,
			        light_errmsg(c));
		break;          /* the destroyed event follows */
	case LIGHT_EVENT_DOMAIN_DESTROYED:
		g->gone = true;
		left--;
		break;
	default:
		break;
	}
	fflush(stdout);
	return left;
}

int main(int argc, char **argv)
{
	struct light_ctx *c = NULL;
	struct light_events *ev = NULL;
	struct light_event e;
	struct pollfd p;
	char err[512];
	long n, timeout = 600, i;
	time_t end;
	size_t left, k;
	int r = 0, rc = EXIT_FAILURE;

	if (argc < 3 || argc > 4 || number(argv[2], 1, MAX_GUESTS, &n) < 0 ||
	    (argc == 4 && number(argv[3], 1, 86400, &timeout) < 0)) {
		fprintf(stderr, "usage: events guest.cfg N(1-%d) [timeout-seconds]\n",
		        MAX_GUESTS);
		return 2;
	}
	c = light_open(0, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "events: %s\n", err);
		return EXIT_FAILURE;
	}
	/* Open the event source before creating, so no event is missed. */
	ev = light_events_open(c);
	if (!ev) {
		fprintf(stderr, "events: %s\n", light_errmsg(c));
		goto out;
	}
	for (i = 1; i <= n; i++)
		if (create_one(c, argv[1], i) < 0)
			goto out;
	fflush(stdout);

	left = nguests;
	end = time(NULL) + timeout;
	p.fd = light_events_fd(ev);
	p.events = POLLIN;
	while (left > 0) {
		while (left > 0 && (r = light_events_next(ev, &e)) == 1)
			left = react(c, &e, left);
		if (left == 0)
			break;
		if (r < 0) {
			fprintf(stderr, "events: %s\n", light_events_errmsg(ev));
			goto out;
		}
		if (time(NULL) >= end) {
			fprintf(stderr, "events: timed out with %zu guests left\n",
			        left);
			goto out;
		}
		if (poll(&p, 1, 1000) < 0 && errno != EINTR) {
			perror("events: poll");
			goto out;
		}
	}
	printf("all %zu guests gone\n", nguests);
	rc = EXIT_SUCCESS;
out:
	for (k = 0; k < nguests; k++)
		if (!guests[k].gone)
			(void)light_domain_destroy(c, guests[k].domid);
	light_events_close(ev);
	light_close(c);
	return rc;
}
