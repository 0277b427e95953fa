/*
 * xml-validate - validate an XML file against a RELAX NG schema with
 * liblight's light_xml_validate (libvirt's virt-xml-validate, in small).
 * For the tests: the unit tests on the build host and the system case in
 * Dom0, whose image has libxml2 but no xmllint.
 *
 *   xml-validate SCHEMA.rng FILE.xml   exit 0 valid, 1 invalid, 77 no schema
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_xml.h"

int main(int argc, char **argv)
{
	char err[512], *buf = NULL;
	size_t len = 0, got;
	FILE *f, *mem;
	char chunk[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: xml-validate SCHEMA.rng FILE.xml\n");
		return 2;
	}
	f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
	mem = open_memstream(&buf, &len);
	if (!f || !mem) {
		fprintf(stderr, "xml-validate: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, mem);
	fclose(mem);
	if (light_xml_validate(buf, len, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "xml-validate: %s: %s\n", argv[2], err);
		free(buf);
		return errno == ENOENT ? 77 : 1;
	}
	printf("%s validates\n", argv[2]);
	free(buf);
	return 0;
}
