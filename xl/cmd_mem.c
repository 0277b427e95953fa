/*
 * cmd_mem.c - `xl mem-set <Domain> <Size>` (the balloon target) and
 * `xl mem-max <Domain> <Size>` (Xen's limit), with upstream's size syntax
 * and messages.  The rules on what may be set are liblight's
 * (light_mem.h); this file parses and reports.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "strnum.h"
#include "xl.h"
#include "cmds.h"

int
xl_parse_mem_size_kb(const char *s, uint64_t *kb)
{
	char digits[24];
	size_t len;
	uint64_t v;
	unsigned shift = 10;   /* no suffix: MiB */
	bool bytes = false;

	if (s == NULL || (len = strlen(s)) == 0)
		goto bad;
	if (isalpha((unsigned char)s[len - 1])) {
		switch (tolower((unsigned char)s[len - 1])) {
		case 't': shift = 30; break;
		case 'g': shift = 20; break;
		case 'm': shift = 10; break;
		case 'k': shift = 0; break;
		case 'b': shift = 0; bytes = true; break;
		default: goto bad;
		}
		len--;
	}
	if (len == 0 || len >= sizeof(digits))
		goto bad;
	memcpy(digits, s, len);
	digits[len] = '\0';
	/* Upstream keeps sizes in an int64_t of KiB: stay inside it. */
	if (strnum_u64(digits, 10, 0, (uint64_t)INT64_MAX >> shift, &v) < 0)
		goto bad;
	*kb = bytes ? v >> 10 : v << shift;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* Shared by both commands: the domain first, then the size, as upstream
 * reads them. */
static int
mem_args(int argc, char **argv, uint32_t *domid, uint64_t *kb)
{
	while (xl_getopt(argc, argv, "", NULL, 2) != -1)
		;
	*domid = xl_find_domain(argv[optind]);
	if (xl_parse_mem_size_kb(argv[optind + 1], kb) < 0) {
		fprintf(stderr, "invalid memory size: %s\n", argv[optind + 1]);
		return -1;
	}
	return 0;
}

int
cmd_mem_set(int argc, char **argv)
{
	uint32_t domid;
	uint64_t kb;

	if (mem_args(argc, argv, &domid, &kb) < 0)
		return EXIT_FAILURE;
	if (light_memory_set_target(xl_ctx(), domid, kb) < 0) {
		fprintf(stderr, "cannot set domid %u dynamic max memory to : "
		    "%s: %s\n", domid, argv[optind + 1],
		    light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
cmd_mem_max(int argc, char **argv)
{
	uint32_t domid;
	uint64_t kb;

	if (mem_args(argc, argv, &domid, &kb) < 0)
		return EXIT_FAILURE;
	if (light_memory_set_max(xl_ctx(), domid, kb) < 0) {
		fprintf(stderr, "cannot set domid %u static max memory to : "
		    "%s: %s\n", domid, argv[optind + 1],
		    light_errmsg(xl_ctx()));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
