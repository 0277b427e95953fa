/*
 * xl.c - xl's main: global options, then dispatch to one command.
 *
 *   xl [-vfNT] <subcommand> [args]
 *
 * The commands live in two tables (see xl.h); `xl help` lists them and
 * `xl help CMD` / `xl CMD --help` shows one.  Exit statuses follow
 * upstream xl: 1 for no or unknown command and unknown global options.
 *
 * Global options, as upstream defines them: -v more messages, -N dry run,
 * -f run a modifying command even though xend's lock file exists, -T
 * date and pid before each message.  Upstream's -t changes how progress
 * messages are drawn; no command here draws any, so -t is refused rather
 * than accepted and ignored.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

int
main(int argc, char **argv)
{
	const struct xl_command *cmd;
	const char *name;
	int opt, ret;

	/* "+": stop at the subcommand; its options are its own. */
	opterr = 0;
	while ((opt = getopt(argc, argv, "+vfNtT")) != -1) {
		switch (opt) {
		case 'v':
			xl_verbose++;
			break;
		case 'f':
			xl_force = true;
			break;
		case 'N':
			xl_dryrun = true;
			break;
		case 't':
			xl_warnx("-t is not supported: no command shows "
			    "progress messages");
			return EXIT_FAILURE;
		case 'T':
			xl_timestamps = true;
			break;
		default:
			fprintf(stderr, "unknown global option\n");
			return EXIT_FAILURE;
		}
	}

	if (optind >= argc) {
		xl_help(stdout, NULL);
		return EXIT_FAILURE;
	}
	name = argv[optind];

	/*
	 * The command sees argv[0] = its name.  optind = 1 (not 0) keeps
	 * getopt's state, as upstream xl does, so a command's options are
	 * parsed the same way as upstream's.
	 */
	argv += optind;
	argc -= optind;
	optind = 1;

	/* As upstream: xl.conf is read before any command runs. */
	if (xl_conf_load() == -1) {
		ret = EXIT_FAILURE;
		goto out;
	}

	if (strcmp(name, "help") == 0) {
		xl_help(stdout, argc > 1 ? argv[1] : NULL);
		ret = EXIT_SUCCESS;
		goto out;
	}

	cmd = xl_find_command(name);
	if (cmd == NULL) {
		fprintf(stderr, "command not implemented\n");
		ret = EXIT_FAILURE;
		goto out;
	}
	if (xl_check_global(cmd, xl_xend_locks) == -1) {
		ret = EXIT_FAILURE;
		goto out;
	}
	ret = cmd->fn(argc, argv);

out:
	/* A full disk or closed pipe must not pass for success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		xl_warnx("stdout: %s", strerror(errno));
		if (ret == EXIT_SUCCESS)
			ret = EXIT_FAILURE;
	}
	return ret;
}
