/*
 * cmd_shutdown.c - `xl shutdown` and `xl reboot`: ask guests to power off
 * or reboot through control/shutdown, optionally for all guests (-a) and
 * waiting until each is gone (-w).
 *
 * With -w upstream returns once the guest has shut down; we wait until
 * the domain has really been destroyed and its xenstore state removed
 * (by its monitor, or here if it has none), so a script can create a new
 * domain of the same name right after.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "liblight.h"
#include "xl.h"
#include "lifecycle.h"

/* How long a powered-off guest may wait for its monitor to destroy it
 * before `-w` does it itself. */
#define MONITOR_GRACE_MS 5000

static int shutdown_or_reboot(int argc, char **argv, enum light_shutdown_req req)
{
	static const struct option longopts[] = {
		{ "all", 0, 0, 'a' },
		{ "wait", 0, 0, 'w' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_ctx *c;
	struct light_dominfo *list = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, i, nids = 0;
	bool all = false, wait = false, fallback = false;
	int opt, rc = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "awF", longopts, 0)) != -1) {
		switch (opt) {
		case 'a': all = true; break;
		case 'w': wait = true; break;
		case 'F': fallback = true; break;
		}
	}
	if (!all && optind >= argc) {
		fprintf(stderr, "You must specify -a or a domain id.\n\n");
		return EXIT_FAILURE;
	}
	if (all && optind < argc) {
		fprintf(stderr, "You must specify -a or a domain id, not both.\n\n");
		return EXIT_FAILURE;
	}

	c = xl_ctx();
	if (all) {
		if (light_domain_list(c, &list, &n) < 0) {
			xl_warnx("%s", light_errmsg(c));
			goto out;
		}
		ids = calloc(n ? n : 1, sizeof(*ids));
		if (!ids) {
			xl_warnx("out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (list[i].domid != 0 && !list[i].dying)
				ids[nids++] = list[i].domid;
	} else {
		ids = calloc(1, sizeof(*ids));
		if (!ids) {
			xl_warnx("out of memory");
			goto out;
		}
		ids[nids++] = xl_find_domain(argv[optind]);
		if (ids[0] == 0) {
			fprintf(stderr, "Cannot %s domain 0.\n",
			        req == LIGHT_SHUTDOWN_REBOOT ? "reboot" : "shut down");
			goto out;
		}
	}

	rc = EXIT_SUCCESS;
	for (i = 0; i < nids; i++) {
		if (light_domain_shutdown(c, ids[i], req, fallback) < 0) {
			fprintf(stderr, "%s failed: %s\n",
			        req == LIGHT_SHUTDOWN_REBOOT ? "reboot" : "shutdown",
			        light_errmsg(c));
			rc = EXIT_FAILURE;
			ids[i] = UINT32_MAX;        /* nothing to wait for */
		}
	}
	if (!wait || rc != EXIT_SUCCESS)
		goto out;

	fprintf(stderr, "Waiting for %zu domains\n", nids);
	for (i = 0; i < nids; i++) {
		int reason;

		if (light_domain_wait_gone(c, ids[i], MONITOR_GRACE_MS, -1, &reason) < 0) {
			xl_warnx("%s", light_errmsg(c));
			rc = EXIT_FAILURE;
			continue;
		}
		fprintf(stderr, "Domain %u has been destroyed.\n", ids[i]);
	}
out:
	free(list);
	free(ids);
	return rc;
}

int cmd_shutdown(int argc, char **argv)
{
	return shutdown_or_reboot(argc, argv, LIGHT_SHUTDOWN_POWEROFF);
}

int cmd_reboot(int argc, char **argv)
{
	return shutdown_or_reboot(argc, argv, LIGHT_SHUTDOWN_REBOOT);
}
