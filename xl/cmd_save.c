/*
 * cmd_save.c - `xl save [-c] [-p] <Domain> <CheckpointFile> [<ConfigFile>]`:
 * write a PV guest to a file upstream's `xl restore` reads too
 * (light_domain_save), then destroy it, or leave it running (-c) or
 * paused (-p).  A ConfigFile replaces the domain's stored config in the
 * file.  Progress goes to stderr only when it is a terminal.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liblight.h"
#include "light_config.h"
#include "light_save.h"
#include "xl.h"
#include "lifecycle.h"

/* "Frames: N/M  P%" as upstream's libxc prints it, redrawn in place, at
 * most every percent. */
struct progress {
	int last;
};

static void
show_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (pct == p->last)
		return;
	p->last = pct;
	fprintf(stderr, "\rSaving: Frames: %" PRIu64 "/%" PRIu64 "  %d%%",
	        done, total, pct);
	if (done >= total)
		fputc('\n', stderr);
}

/* The xl.cfg file as the JSON the header carries; NULL (message printed)
 * for a bad file. */
static char *
config_json(const char *file)
{
	struct light_domain_config dc;
	struct light_cfg *cfg = light_cfg_new();
	char err[512];
	char *json;

	if (cfg == NULL) {
		xl_warnx("out of memory");
		return NULL;
	}
	if (light_cfg_parse_file(cfg, file, err, sizeof(err)) < 0 ||
	    light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		xl_warnx("%s", err);
		light_cfg_free(cfg);
		return NULL;
	}
	json = light_domain_config_print(&dc);
	light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
	if (json == NULL)
		xl_warnx("%s: cannot convert to JSON", file);
	return json;
}

int cmd_save(int argc, char **argv)
{
	struct progress p = { -1 };
	unsigned flags = 0;
	uint32_t domid;
	const char *file;
	char *json = NULL;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "cp", NULL, 2)) != -1) {
		switch (opt) {
		case 'c':
			flags |= LIGHT_SAVE_CHECKPOINT;
			break;
		case 'p':
			flags |= LIGHT_SAVE_PAUSED;
			break;
		}
	}
	if (argc - optind > 3) {
		xl_warnx("'xl save' takes at most 3 arguments");
		return 2;
	}
	domid = xl_find_domain(argv[optind]);
	file = argv[optind + 1];
	if (argc - optind == 3 && (json = config_json(argv[optind + 2])) == NULL)
		return EXIT_FAILURE;
	fprintf(stderr, "Saving to %s new xl format\n", file);
	rc = light_domain_save(xl_ctx(), domid, file, flags, json,
	                       isatty(STDERR_FILENO) ? show_progress : NULL,
	                       &p);
	free(json);
	if (rc < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/*
 * `xl restore [-p] [-e] [-d] [-c] [<ConfigFile>] <CheckpointFile>`, with
 * upstream's argument order: a new domain from a saved file, unpaused
 * unless -p; -e: no monitor for it; -d: print the config used; -c:
 * attach to its console.
 */
int cmd_restore(int argc, char **argv)
{
	struct light_domain_config dc;
	struct light_cfg *cfg = NULL;
	struct light_ctx *c;
	bool paused = false, no_monitor = false, debug = false, console = false;
	bool have_dc = false;
	const char *file, *cfgfile = NULL;
	char err[512];
	unsigned flags = 0;
	uint32_t domid;
	int opt, lockfd, ret, rc = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "pedc", NULL, 1)) != -1) {
		switch (opt) {
		case 'p': paused = true; break;
		case 'e': no_monitor = true; break;
		case 'd': debug = true; break;
		case 'c': console = true; break;
		}
	}
	if (argc - optind > 2) {
		xl_warnx("'xl restore' takes at most 2 arguments");
		return 2;
	}
	if (argc - optind == 2) {
		cfgfile = argv[optind];
		file = argv[optind + 1];
	} else {
		file = argv[optind];
	}
	if (cfgfile != NULL) {
		cfg = light_cfg_new();
		if (cfg == NULL ||
		    light_cfg_parse_file(cfg, cfgfile, err, sizeof(err)) < 0 ||
		    light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
			xl_warnx("%s", cfg ? err : "out of memory");
			goto out;
		}
		have_dc = true;
	}
	if (debug && have_dc) {
		char *json = light_domain_config_print(&dc);
		if (json != NULL)
			fprintf(stderr, "%s\n", json);
		free(json);
	}
	c = xl_ctx();
	if (paused)
		flags |= LIGHT_CREATE_PAUSED;
	if (no_monitor)
		flags |= LIGHT_CREATE_NO_MONITOR;
	fprintf(stderr, "Loading new save file %s\n", file);
	lockfd = xl_lock_acquire();
	if (lockfd < 0)
		goto out;
	ret = light_domain_restore(c, file, have_dc ? &dc : NULL, flags, &domid);
	xl_lock_release(lockfd);
	if (ret < 0) {
		xl_warnx("%s", light_errmsg(c));
		goto out;
	}
	if (xl_verbose)
		fprintf(stderr, "Domain %u restored\n", domid);
	if (!no_monitor && light_monitor_daemon_start(c) < 0)
		xl_warnx("domain %u: %s", domid, light_errmsg(c));
	if (console) {
		light_console_exec(c, domid, 0, LIGHT_CONSOLE_PV, -1);
		xl_warnx("%s", light_errmsg(c));
		goto out;
	}
	rc = EXIT_SUCCESS;
out:
	if (have_dc)
		light_domain_config_dispose(&dc);
	light_cfg_free(cfg);
	return rc;
}
