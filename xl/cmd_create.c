/*
 * cmd_create.c - `xl create [options] <ConfigFile> [key=value ...]`.
 *
 * Parse the file and the overrides into a domain configuration, create
 * the domain, and make sure something applies its on_poweroff, on_reboot,
 * on_crash, ... actions: without that a guest that powers itself off
 * would stay a shut-down zombie and a rebooting one would never come back.
 *
 * Upstream's xl leaves one monitor process per domain.  Here one daemon,
 * lightmond(8), serves every domain: create records in xenstore who
 * monitors the new domain (liblight's "The monitor", light_domain.h) and
 * starts lightmond if none runs.  -F makes this process the domain's
 * monitor instead (lightmond leaves the domain alone), logging to stderr;
 * -e means no monitor at all.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"
#include "lifecycle.h"
#include "xml_cmds.h"

static void logline(FILE *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One log line with a timestamp. */
static void logline(FILE *log, const char *fmt, ...)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log, "%s ", stamp);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

/*
 * Watch the domain until there is nothing left to do, logging each
 * event.  Returns the exit status for the monitor process.
 */
static int run_monitor(struct light_ctx *c, struct light_domain_config *dc,
                       uint32_t domid, FILE *log)
{
	struct light_monitor_event ev;
	int r;

	logline(log, "monitoring domain %u \"%s\"", domid, dc->name);
	while ((r = light_domain_monitor_next(c, dc, &domid, &ev)) >= 0) {
		switch (ev.what) {
		case LIGHT_MON_GONE:
			logline(log, "domain %u is gone", ev.domid);
			break;
		case LIGHT_MON_DESTROYED:
			logline(log, "domain %u shut down (reason %d): destroyed (%s)",
			        ev.domid, ev.reason, light_action_name(ev.action));
			break;
		case LIGHT_MON_RESTARTED:
			logline(log, "domain %u shut down: restarted as domain %u (%s)",
			        ev.domid, ev.new_domid, light_action_name(ev.action));
			break;
		case LIGHT_MON_PRESERVED:
			logline(log, "domain %u shut down (reason %d): preserved (%s)",
			        ev.domid, ev.reason, light_action_name(ev.action));
			break;
		case LIGHT_MON_FAILED:
			logline(log, "domain %u shut down (reason %d): %s failed: %s",
			        ev.domid, ev.reason, light_action_name(ev.action),
			        ev.detail);
			break;
		case LIGHT_MON_ABANDONED:       /* the daemon's only */
		case LIGHT_MON_DM_DIED:
			break;
		}
		if (ev.detail[0] && ev.what != LIGHT_MON_FAILED)
			logline(log, "domain %u: %s", ev.domid, ev.detail);
		if (r == 0)
			return EXIT_SUCCESS;
	}
	logline(log, "domain %u: monitor failed: %s", domid, light_errmsg(c));
	return EXIT_FAILURE;
}

int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dryrun", 0, 0, 'n' },
		{ "quiet", 0, 0, 'q' },
		{ "defconfig", 1, 0, 'f' },
		{ "ignore-global-affinity-masks", 0, 0, 'i' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_domain_config dc;
	struct light_cfg *cfg = NULL;
	struct light_ctx *c;
	const char *file = NULL;
	bool paused = false, console = false, dryrun = xl_dryrun, quiet = false;
	bool foreground = false, no_monitor = false, have_dc = false;
	bool debug = false, ignore_masks = false;
	char err[512], *json;
	uint32_t domid;
	unsigned flags;
	int opt, i, ret, lockfd, rc = EXIT_FAILURE;

	while ((opt = xl_getopt(argc, argv, "pcf:qnFeVAd", longopts, 0)) != -1) {
		switch (opt) {
		case 'p': paused = true; break;
		case 'c': console = true; break;
		case 'f': file = optarg; break;
		case 'q': quiet = true; break;
		case 'n': dryrun = true; break;
		case 'F': foreground = true; break;
		case 'e': no_monitor = true; break;
		case 'd': debug = true; break;
		case 'i': ignore_masks = true; break;
		case 'V': case 'A':
			xl_warnx("create: -%c (VNC viewer) is not supported", opt);
			return EXIT_FAILURE;
		}
	}

	/* Upstream: without -f the first argument that is not key=value is
	 * the config file; everything else is an override. */
	if (!file) {
		for (i = optind; i < argc; i++) {
			if (!strchr(argv[i], '=')) {
				file = argv[i];
				break;
			}
		}
	}
	if (!file) {
		fprintf(stderr, "Config file not specified\n");
		return EXIT_FAILURE;
	}

	cfg = light_cfg_new();
	if (!cfg) {
		xl_warnx("out of memory");
		goto out;
	}
	if (!quiet)
		fprintf(stderr, "Parsing config from %s\n", file);
	/* xl.cfg, or libvirt domain XML (a file starting with <domain). */
	if (xl_cfg_parse_any(cfg, file, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	for (i = optind; i < argc; i++) {
		if (argv[i] == file)
			continue;
		if (light_cfg_override(cfg, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	}
	if (light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	have_dc = true;
	/* xl.conf's vif.default.* for what each vif leaves unset, as
	 * upstream's xl fills them before libxl sees the nics. */
	if (light_xlconf_domain_defaults(xl_conf(), &dc) < 0) {
		xl_warnx("out of memory");
		goto out;
	}
	/* vm.cpumask and friends, unless --ignore-global-affinity-masks. */
	if (!ignore_masks &&
	    light_xlconf_domain_affinity(xl_conf(), &dc, err, sizeof(err)) < 0) {
		xl_warnx("%s", err);
		goto out;
	}

	/*
	 * -d (debug), as upstream: show the parsed configuration before
	 * creating, on stderr so that stdout stays what scripts read; a dry
	 * run prints it on stdout, as its only output.
	 */
	if (debug || dryrun) {
		json = light_domain_config_print(&dc);
		if (!json) {
			xl_warnx("cannot format the configuration");
			goto out;
		}
		/* xl.conf's output_format=sxp: the old form, as upstream. */
		if (xl_conf()->output_format == LIGHT_OUTPUT_SXP) {
			if (xl_sxp_print(dryrun ? stdout : stderr, json, -1, NULL) < 0) {
				xl_warnx("cannot format the configuration");
				free(json);
				goto out;
			}
		} else {
			fprintf(dryrun ? stdout : stderr, "%s\n", json);
		}
		free(json);
	}
	if (dryrun) {
		rc = EXIT_SUCCESS;
		goto out;
	}

	c = xl_ctx();
	flags = paused ? LIGHT_CREATE_PAUSED : 0;
	if (foreground)
		flags |= LIGHT_CREATE_MONITOR_CALLER;
	else if (no_monitor)
		flags |= LIGHT_CREATE_NO_MONITOR;
	/* xl.conf's lockfile: one create at a time, as upstream. */
	lockfd = xl_lock_acquire();
	if (lockfd < 0)
		goto out;
	ret = light_domain_create(c, &dc, flags, &domid);
	xl_lock_release(lockfd);
	if (ret < 0) {
		xl_warnx("%s", light_errmsg(c));
		goto out;
	}
	if (xl_verbose)
		fprintf(stderr, "Domain %u created\n", domid);

	if (foreground) {
		/* -F: this process is the monitor (and -c is ignored, as the
		 * terminal is busy with us). */
		rc = run_monitor(c, &dc, domid, stderr);
		goto out;
	}
	/* The domain exists either way; without the daemon its actions wait
	 * until one runs (the next create starts it, and it finds stopped
	 * domains on its first look). */
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
