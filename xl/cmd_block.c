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
#include "jsonw.h"
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
/* One disk of `xl block-list --json` (doc/json.md). */
static void json_disk(struct xl_json *j, uint32_t domid,
                      const struct light_disk_info *d)
{
	xl_json_map_open(j);
	xl_json_uint(j, "domid", domid);
	xl_json_uint(j, "devid", d->devid);
	xl_json_str(j, "vdev", d->vdev[0] ? d->vdev : NULL);
	xl_json_uint(j, "backend_id", d->backend_id);
	xl_json_uint(j, "frontend_id", d->frontend_id);
	if (d->state >= 0)
		xl_json_int(j, "state", d->state);
	else
		xl_json_str(j, "state", NULL);
	if (d->evtchn >= 0)
		xl_json_int(j, "evtchn", d->evtchn);
	else
		xl_json_str(j, "evtchn", NULL);
	if (d->ring_ref >= 0)
		xl_json_int(j, "ring_ref", d->ring_ref);
	else
		xl_json_str(j, "ring_ref", NULL);
	xl_json_str(j, "backend_path", d->backend);
	xl_json_str(j, "target", d->target[0] ? d->target : NULL);
	xl_json_bool(j, "readwrite", d->readwrite);
	xl_json_map_close(j);
}

int cmd_block_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_disk_info *disks;
	struct xl_json *j = NULL;
	uint32_t domid;
	int i, n, rc = EXIT_SUCCESS;

	while (xl_getopt(argc, argv, "", longopts, 1) != -1)
		if (!j)
			j = xl_json_new();    /* --json, the only option */
	if (j) {
		xl_json_map_open(j);
		xl_json_key(j, "disks");
		xl_json_array_open(j);
	} else
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
		for (int k = 0; k < n && j; k++)
			json_disk(j, domid, &disks[k]);
		for (int k = 0; k < n && !j; k++)
			printf("%-5u %-3u %-6u %-5d %-6d %-8d %-30s\n",
			       disks[k].devid, disks[k].backend_id, disks[k].frontend_id,
			       disks[k].state, disks[k].evtchn, disks[k].ring_ref,
			       disks[k].backend);
		free(disks);
	}
	if (j) {
		xl_json_array_close(j);
		xl_json_map_close(j);
		if (xl_json_print(j, stdout) < 0) {
			xl_warnx("cannot write the JSON output: %s", strerror(errno));
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}
