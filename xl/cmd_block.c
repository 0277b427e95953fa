/*
 * cmd_block.c - `xl block-attach`, `block-detach` and `block-list`: a
 * running guest's virtual disks, with upstream's arguments and output.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "xl.h"
#include "cmds.h"

/*
 * `xl block-attach <Domain> <disk-spec-component(s)>...`: like upstream,
 * the components after the domain are one disk spec split over several
 * arguments ("file:/a.img xvdb w" = "file:/a.img,xvdb,w").
 */
int cmd_block_attach(int argc, char **argv)
{
	struct light_disk disk;
	char *spec = NULL, err[300];
	size_t len = 0;
	uint32_t domid, devid;
	int i, rc = EXIT_FAILURE;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	for (i = optind + 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	spec = calloc(1, len + 1);
	if (!spec) {
		xl_warnx("out of memory");
		return EXIT_FAILURE;
	}
	for (i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			strcat(spec, ",");
		strcat(spec, argv[i]);
	}
	if (light_disk_parse(spec, &disk, err, sizeof(err)) < 0) {
		xl_warnx("%s", err);
		goto out;
	}
	if (light_disk_attach(xl_ctx(), domid, &disk, &devid) < 0) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		light_disk_dispose(&disk);
		goto out;
	}
	light_disk_dispose(&disk);
	rc = EXIT_SUCCESS;
out:
	free(spec);
	return rc;
}

/* `xl block-detach [-f] <Domain> <DevId>`: DevId is a vdev ("xvdb") or
 * the device number (51728). */
int cmd_block_detach(int argc, char **argv)
{
	uint32_t domid, devid;
	bool force = false;
	int opt, r;

	while ((opt = xl_getopt(argc, argv, "f", NULL, 2)) != -1)
		if (opt == 'f')
			force = true;
	domid = xl_find_domain(argv[optind]);
	if (light_disk_vdev_to_devid(argv[optind + 1], &devid) < 0) {
		fprintf(stderr, "Error: Device %s not connected.\n", argv[optind + 1]);
		return EXIT_FAILURE;
	}
	r = light_disk_detach(xl_ctx(), domid, devid, force);
	if (r < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "Error: Device %s not connected.\n",
			        argv[optind + 1]);
		else
			xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	if (r == 1 && !force)
		xl_warnx("domain %u did not close %s in time; removed it by force",
		         domid, argv[optind + 1]);
	return EXIT_SUCCESS;
}

/* `xl block-list <Domain(s)>`: one header, then a line per disk of each
 * domain, columns as upstream's main_blocklist prints them. */
int cmd_block_list(int argc, char **argv)
{
	struct light_disk_info *disks;
	uint32_t domid;
	int i, n, rc = EXIT_SUCCESS;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n",
	       "Vdev", "BE", "handle", "state", "evt-ch", "ring-ref", "BE-path");
	for (i = optind; i < argc; i++) {
		if (light_domain_lookup(xl_ctx(), argv[i], &domid) < 0) {
			fprintf(stderr, "%s is an invalid domain identifier\n", argv[i]);
			continue;
		}
		n = light_disk_list(xl_ctx(), domid, &disks);
		if (n < 0) {
			xl_warnx("%s", light_errmsg(xl_ctx()));
			rc = EXIT_FAILURE;
			continue;
		}
		for (int k = 0; k < n; k++)
			printf("%-5u %-3u %-6u %-5d %-6d %-8d %-30s\n",
			       disks[k].devid, disks[k].backend_id, disks[k].frontend_id,
			       disks[k].state, disks[k].evtchn, disks[k].ring_ref,
			       disks[k].backend);
		free(disks);
	}
	return rc;
}
