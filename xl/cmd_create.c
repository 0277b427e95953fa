/*
 * cmd_create.c - `xl create [options] <ConfigFile> [key=value ...]`.
 *
 * Parse the file and the overrides into a domain configuration, create
 * the domain, and (unless -e) leave a monitor process behind that waits
 * for the domain to shut down and applies on_poweroff/on_reboot/on_crash,
 * as upstream's xl does: without it a guest that powers itself off would
 * stay a shut-down zombie and a rebooting one would never come back.
 *
 * The monitor is a double-forked daemon (so neither xl nor a console it
 * execs has to reap it) with its own liblight context, logging to
 * $LIGHTSTACK_LOG_DIR/xl-<name>.log (default /var/log/lightstack).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"
#include "lifecycle.h"

#define LOG_DIR_DEFAULT "/var/log/lightstack"

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
		}
		if (r == 0)
			return EXIT_SUCCESS;
	}
	logline(log, "domain %u: monitor failed: %s", domid, light_errmsg(c));
	return EXIT_FAILURE;
}

/* Open the monitor's log, creating its directory; /dev/null if that fails. */
static int open_log(const char *name)
{
	const char *dir = getenv("LIGHTSTACK_LOG_DIR");
	char path[512];
	int fd;

	if (!dir || !*dir)
		dir = LOG_DIR_DEFAULT;
	(void)mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/xl-%s.log", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

/*
 * Leave a monitor daemon for `domid`.  The parent waits only for the
 * intermediate child, which exits at once.
 */
static void spawn_monitor(struct light_domain_config *dc, uint32_t domid)
{
	struct light_ctx *c;
	char err[256];
	pid_t pid;
	int status, fd, rc;
	FILE *log;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		xl_warnx("cannot fork the domain monitor: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return;
	}

	/* Intermediate child: new session, fork the daemon, exit. */
	setsid();
	pid = fork();
	if (pid != 0)
		_exit(pid < 0 ? EXIT_FAILURE : EXIT_SUCCESS);

	/* The daemon.  The parent's connections are not ours to use
	 * (libctrl and xenstore handles must not be shared across fork). */
	light_close(xl_ctx());
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open_log(dc->name);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (chdir("/") < 0)
		_exit(EXIT_FAILURE);
	log = stderr;
	c = light_open(0, err, sizeof(err));
	if (!c) {
		fprintf(log, "xl monitor: %s\n", err);
		_exit(EXIT_FAILURE);
	}
	rc = run_monitor(c, dc, domid, log);
	light_close(c);
	/* _exit: the atexit handlers belong to the parent's xl. */
	_exit(rc);
}

int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dryrun", 0, 0, 'n' },
		{ "quiet", 0, 0, 'q' },
		{ "defconfig", 1, 0, 'f' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_domain_config dc;
	struct light_cfg *cfg = NULL;
	struct light_ctx *c;
	const char *file = NULL;
	bool paused = false, console = false, dryrun = xl_dryrun, quiet = false;
	bool foreground = false, no_monitor = false, have_dc = false;
	bool debug = false;
	char err[512], *json;
	uint32_t domid;
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
	if (light_cfg_parse_file(cfg, file, err, sizeof(err)) < 0) {
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
	/* xl.conf's lockfile: one create at a time, as upstream. */
	lockfd = xl_lock_acquire();
	if (lockfd < 0)
		goto out;
	ret = light_domain_create(c, &dc, paused ? LIGHT_CREATE_PAUSED : 0, &domid);
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
	if (!no_monitor)
		spawn_monitor(&dc, domid);
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
