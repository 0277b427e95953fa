/*
 * cmd_xml.c - libvirt domain XML in xl: dumpxml, config-convert and
 * virsh's domxml-to-native / domxml-from-native (see xml_cmds.h).
 *
 * The conversions are liblight's (light_xml.h); these commands only pick
 * the direction, read the file and print.  Every conversion goes through
 * the domain model, so what config-convert prints is what create would
 * build, defaults and checks included.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liblight.h"
#include "xl.h"
#include "xml_cmds.h"

/* The whole file, NUL-terminated, at most LIGHT_CFG_MAX_FILE bytes. */
static char *read_file(const char *path, size_t *len, char *err,
    size_t errlen)
{
	char *buf;
	size_t n = 0;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(LIGHT_CFG_MAX_FILE + 2);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (n <= LIGHT_CFG_MAX_FILE &&
	    (got = read(fd, buf + n, LIGHT_CFG_MAX_FILE + 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (got < 0 || n > LIGHT_CFG_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, got < 0 ? strerror(errno) :
		    "file too large");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
xl_cfg_parse_any(struct light_cfg *cfg, const char *path, int *is_xml,
    char *err, size_t errlen)
{
	struct light_domain_config dc;
	char *data, *text = NULL;
	size_t len;
	int rc = -1, xml;

	data = read_file(path, &len, err, errlen);
	if (!data)
		return -1;
	xml = light_xml_is_domain(data, len);
	if (is_xml)
		*is_xml = xml;
	if (!xml) {
		rc = light_cfg_parse_data(cfg, path, data, len, err, errlen);
		goto out;
	}
	/* XML: through the model (its errors name the XML's lines), then as
	 * xl.cfg text, so overrides apply after it as after a file. */
	if (light_domain_config_from_xml(data, len, path, &dc, err, errlen) < 0)
		goto out;
	text = light_domain_config_to_xlcfg(&dc);
	light_domain_config_dispose(&dc);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rc = light_cfg_parse_data(cfg, path, text, strlen(text), err, errlen);
out:
	free(text);
	free(data);
	return rc;
}

int
cmd_dumpxml(int argc, char **argv)
{
	uint32_t domid;
	char *xml;

	if (xl_getopt(argc, argv, "", NULL, 1) != -1)
		return 2;
	if (argc - optind > 1) {
		fprintf(stderr, "'xl dumpxml' takes one domain.\n");
		return 2;
	}
	domid = xl_find_domain(argv[optind]);
	xml = light_domain_xml(xl_ctx(), domid);
	if (!xml) {
		xl_warnx("%s", light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	fputs(xml, stdout);
	free(xml);
	return EXIT_SUCCESS;
}

/*
 * Read `path` (either language) with overrides argv[first..argc) and
 * print it as XML (to_xml) or xl.cfg.  `want_input` is 1 to require XML,
 * 0 to require xl.cfg, -1 for either.
 */
static int convert(const char *path, int want_input, int to_xml, int argc,
    char **argv, int first)
{
	struct light_domain_config dc;
	struct light_cfg *cfg = light_cfg_new();
	char err[512], *out = NULL;
	int i, is_xml, rc = EXIT_FAILURE;

	if (!cfg) {
		xl_warnx("out of memory");
		return EXIT_FAILURE;
	}
	if (xl_cfg_parse_any(cfg, path, &is_xml, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (want_input >= 0 && is_xml != want_input) {
		fprintf(stderr, "%s: not %s\n", path, want_input ?
		    "libvirt domain XML (no <domain> element first)" :
		    "an xl.cfg file (it is libvirt XML)");
		goto out;
	}
	for (i = first; i < argc; i++) {
		if (light_cfg_override(cfg, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	}
	if (light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (to_xml < 0)
		to_xml = !is_xml;
	out = to_xml ? light_domain_config_to_xml(&dc, NULL) :
	    light_domain_config_to_xlcfg(&dc);
	light_domain_config_dispose(&dc);
	if (!out) {
		xl_warnx("out of memory");
		goto out;
	}
	fputs(out, stdout);
	rc = EXIT_SUCCESS;
out:
	free(out);
	light_cfg_free(cfg);
	return rc;
}

int
cmd_config_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", 1, 0, 't' },
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	int opt, to_xml = -1;

	while ((opt = xl_getopt(argc, argv, "t:", longopts, 1)) != -1) {
		if (opt != 't')
			continue;
		if (strcmp(optarg, "xml") == 0)
			to_xml = 1;
		else if (strcmp(optarg, "xl") == 0 || strcmp(optarg, "cfg") == 0)
			to_xml = 0;
		else {
			fprintf(stderr, "config-convert: --to `%s': expected xml "
			    "or xl\n", optarg);
			return 2;
		}
	}
	return convert(argv[optind], -1, to_xml, argc, argv, optind + 1);
}

/* virsh names the xl.cfg format "xen-xl". */
static int native_format(const char *cmd, const char *fmt)
{
	if (strcmp(fmt, "xen-xl") == 0 || strcmp(fmt, "xl") == 0)
		return 0;
	fprintf(stderr, "%s: format `%s' not supported (xen-xl)\n", cmd, fmt);
	return -1;
}

int
cmd_domxml_to_native(int argc, char **argv)
{
	if (xl_getopt(argc, argv, "", NULL, 2) != -1)
		return 2;
	if (native_format(argv[0], argv[optind]) < 0)
		return 2;
	return convert(argv[optind + 1], 1, 0, argc, argv, optind + 2);
}

int
cmd_domxml_from_native(int argc, char **argv)
{
	if (xl_getopt(argc, argv, "", NULL, 2) != -1)
		return 2;
	if (native_format(argv[0], argv[optind]) < 0)
		return 2;
	return convert(argv[optind + 1], 0, 1, argc, argv, optind + 2);
}
