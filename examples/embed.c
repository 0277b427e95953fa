/*
 * embed.c - a small program that embeds liblight: open a context, parse an
 * xl.cfg file, create the domain, list the domains, destroy it again.
 *
 *   embed guest.cfg [key=value ...]
 *
 * Build against an installed Lightstack with
 *   cc embed.c $(pkg-config --cflags --libs lightstack-light)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"

int main(int argc, char **argv)
{
	struct light_domain_config dc;
	struct light_dominfo *doms = NULL;
	struct light_cfg *cfg;
	struct light_ctx *c = NULL;
	char err[512];
	uint32_t domid;
	size_t n, i;
	int a, rc = EXIT_FAILURE;
	bool have_dc = false;

	if (argc < 2) {
		fprintf(stderr, "usage: embed guest.cfg [key=value ...]\n");
		return 2;
	}

	/* 1. Parse: the file, then overrides, then the typed model. */
	cfg = light_cfg_new();
	if (!cfg || light_cfg_parse_file(cfg, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "embed: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	for (a = 2; a < argc; a++) {
		if (light_cfg_override(cfg, argv[a], err, sizeof(err)) < 0) {
			fprintf(stderr, "embed: %s\n", err);
			goto out;
		}
	}
	if (light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "embed: %s\n", err);
		goto out;
	}
	have_dc = true;

	/* 2. Connect to Xen and xenstored. */
	c = light_open(0, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "embed: %s\n", err);
		goto out;
	}

	/* 3. Create (all or nothing: on failure nothing is left behind). */
	if (light_domain_create(c, &dc, 0, &domid) < 0) {
		fprintf(stderr, "embed: create: %s\n", light_errmsg(c));
		goto out;
	}
	printf("created domain %u (%s)\n", domid, dc.name);

	/* 4. List. */
	if (light_domain_list(c, &doms, &n) < 0) {
		fprintf(stderr, "embed: list: %s\n", light_errmsg(c));
	} else {
		for (i = 0; i < n; i++)
			printf("  %5u  %-20s %8llu KiB\n", doms[i].domid,
			       doms[i].has_name ? doms[i].name : "(null)",
			       (unsigned long long)doms[i].tot_pages * 4);
	}

	/* 5. Destroy. */
	if (light_domain_destroy(c, domid) < 0) {
		fprintf(stderr, "embed: destroy: %s\n", light_errmsg(c));
		goto out;
	}
	printf("destroyed domain %u\n", domid);
	rc = EXIT_SUCCESS;
out:
	free(doms);
	light_close(c);
	if (have_dc)
		light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
	return rc;
}
