/*
 * cmd_network.c - `xl network-attach`, `network-detach` and `network-list`:
 * a running guest's virtual network interfaces (light_net.h).  Arguments
 * and output as upstream's xl_nic.c, so scripts keep working.
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
 * The vif spec from the arguments after the domain: each is one
 * key=value (mac=, bridge=, ip=, script=, ...), joined into the comma
 * form of a vif= entry.  A comma inside one argument would split it, so
 * it is refused.
 */
static char *join_spec(int argc, char **argv)
{
	size_t len = 1;
	char *spec;
	int i;

	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], ',')) {
			fprintf(stderr, "network-attach: `%s': one key=value per "
			    "argument, without commas\n", argv[i]);
			return NULL;
		}
		len += strlen(argv[i]) + 1;
	}
	if ((spec = calloc(1, len)) == NULL) {
		fprintf(stderr, "network-attach: out of memory\n");
		return NULL;
	}
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(spec, ",");
		strcat(spec, argv[i]);
	}
	return spec;
}

int cmd_network_attach(int argc, char **argv)
{
	struct light_nic nic;
	struct light_ctx *c;
	char err[300], *spec;
	uint32_t domid;
	int rc = EXIT_FAILURE;

	while (xl_getopt(argc, argv, "", NULL, 1) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	if ((spec = join_spec(argc - optind - 1, argv + optind + 1)) == NULL)
		return EXIT_FAILURE;
	if (light_nic_parse(spec, &nic, err, sizeof(err)) < 0) {
		/* The parser names the entry "vif 1"; here it is the command line. */
		fprintf(stderr, "network-attach: %s\n", err);
		free(spec);
		return EXIT_FAILURE;
	}
	/* xl.conf's vif.default.* for what the spec leaves unset. */
	if (light_xlconf_nic_defaults(xl_conf(), &nic) < 0) {
		xl_warnx("out of memory");
		goto out;
	}
	c = xl_ctx();
	if (light_nic_attach(c, domid, &nic, NULL, NULL) < 0) {
		fprintf(stderr, "libxl_device_nic_add failed: %s\n", light_errmsg(c));
		goto out;
	}
	rc = EXIT_SUCCESS;
out:
	light_nic_dispose(&nic);
	free(spec);
	return rc;
}

int cmd_network_detach(int argc, char **argv)
{
	struct light_ctx *c;
	unsigned long n;
	uint32_t domid, devid;
	const char *which;

	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	domid = xl_find_domain(argv[optind]);
	which = argv[optind + 1];
	c = xl_ctx();
	/* Upstream: a MAC has colons, anything else is a devid. */
	if (strchr(which, ':')) {
		if (light_nic_by_mac(c, domid, which, &devid) < 0) {
			fprintf(stderr, "Unknown device %s.\n", which);
			return EXIT_FAILURE;
		}
	} else {
		if (xl_parse_ulong(which, 0, UINT32_MAX, &n) < 0) {
			fprintf(stderr, "Unknown device %s.\n", which);
			return EXIT_FAILURE;
		}
		devid = (uint32_t)n;
	}
	if (light_nic_detach(c, domid, devid, false) < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "Unknown device %s.\n", which);
		else
			fprintf(stderr, "libxl_device_nic_del failed: %s\n",
			    light_errmsg(c));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

void xl_network_list_header(FILE *out)
{
	fprintf(out, "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n",
	    "Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch", "tx-",
	    "rx-ring-ref", "BE-path");
}

void xl_network_list_line(FILE *out, const struct light_nic_info *n)
{
	char mac[LIGHT_MAC_STRLEN];

	light_mac_format(n->mac, mac);
	fprintf(out, "%-3d %-2d %s", (int)n->devid, (int)n->backend_id, mac);
	fprintf(out, "%6d %5d %6d %5d/%-11d %-30s\n", (int)n->devid, n->state,
	    n->evtchn, n->rref_tx, n->rref_rx, n->backend);
}

/* Xen's -1 for "none" becomes null. */
static void json_ref(struct xl_json *j, const char *key, int v)
{
	if (v >= 0)
		xl_json_int(j, key, v);
	else
		xl_json_str(j, key, NULL);
}

/* One vif of `xl network-list --json` (doc/json.md). */
static void json_nic(struct xl_json *j, uint32_t domid,
                     const struct light_nic_info *n)
{
	char mac[LIGHT_MAC_STRLEN];

	light_mac_format(n->mac, mac);
	xl_json_map_open(j);
	xl_json_uint(j, "domid", domid);
	xl_json_uint(j, "devid", n->devid);
	xl_json_uint(j, "backend_id", n->backend_id);
	xl_json_str(j, "mac", mac);
	json_ref(j, "state", n->state);
	json_ref(j, "evtchn", n->evtchn);
	json_ref(j, "tx_ring_ref", n->rref_tx);
	json_ref(j, "rx_ring_ref", n->rref_rx);
	xl_json_str(j, "backend_path", n->backend);
	xl_json_str(j, "ifname", n->ifname[0] ? n->ifname : NULL);
	xl_json_map_close(j);
}

int cmd_network_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", 0, 0, 'J' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	struct light_nic_info *list;
	struct light_ctx *c;
	struct xl_json *js = NULL;
	int i, n, rc = EXIT_SUCCESS;

	while (xl_getopt(argc, argv, "", longopts, 1) != -1)
		if (!js)
			js = xl_json_new();   /* --json, the only option */
	c = xl_ctx();
	if (js) {
		xl_json_map_open(js);
		xl_json_key(js, "nics");
		xl_json_array_open(js);
	} else
		xl_network_list_header(stdout);
	for (i = optind; i < argc; i++) {
		uint32_t domid = xl_find_domain(argv[i]);
		int j;

		if ((n = light_nic_list(c, domid, &list)) < 0) {
			xl_warnx("%s", light_errmsg(c));
			rc = EXIT_FAILURE;
			continue;
		}
		for (j = 0; j < n; j++) {
			if (js)
				json_nic(js, domid, &list[j]);
			else
				xl_network_list_line(stdout, &list[j]);
		}
		free(list);
	}
	if (js) {
		xl_json_array_close(js);
		xl_json_map_close(js);
		if (xl_json_print(js, stdout) < 0) {
			xl_warnx("cannot write the JSON output: %s", strerror(errno));
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}
