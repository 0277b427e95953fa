/*
 * cpumap.c - CPU sets as xl.cfg and `xl vcpu-pin` write them ("0-3,^1",
 * "all"); pure functions, no Xen (see light_sched.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"
#include "light_sched.h"

bool
light_cpumap_test(const struct light_cpumap *m, unsigned cpu)
{
	if (cpu >= LIGHT_CPUMAP_MAX_CPUS)
		return false;
	return (m->bits[cpu / 8] >> (cpu % 8)) & 1;
}

void
light_cpumap_set(struct light_cpumap *m, unsigned cpu)
{
	if (cpu < LIGHT_CPUMAP_MAX_CPUS)
		m->bits[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
}

static void
cpumap_clear(struct light_cpumap *m, unsigned cpu)
{
	if (cpu < LIGHT_CPUMAP_MAX_CPUS)
		m->bits[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
}

unsigned
light_cpumap_count(const struct light_cpumap *m, unsigned ncpus)
{
	unsigned i, n = 0;

	for (i = 0; i < ncpus && i < LIGHT_CPUMAP_MAX_CPUS; i++)
		n += light_cpumap_test(m, i);
	return n;
}

/* One CPU number of an item; the whole text must be the number. */
static int
cpu_number(const char *s, unsigned *out)
{
	uint64_t v;

	if (strnum_u64(s, 10, 0, LIGHT_CPUMAP_MAX_CPUS - 1, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* One item ("all", "N", "N-M", without its '^') into [*lo, *hi]. */
static int
parse_item(const char *word, unsigned *lo, unsigned *hi)
{
	char item[32], *dash;

	if (strlen(word) >= sizeof(item)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(item, word);
	if (strcmp(item, "all") == 0) {
		*lo = 0;
		*hi = LIGHT_CPUMAP_MAX_CPUS - 1;
		return 0;
	}
	dash = strchr(item, '-');
	if (dash != NULL)
		*dash = '\0';
	if (cpu_number(item, lo) < 0)
		return -1;
	if (dash == NULL) {
		*hi = *lo;
		return 0;
	}
	if (cpu_number(dash + 1, hi) < 0 || *hi < *lo) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
light_cpumap_parse(const char *spec, struct light_cpumap *out, char *err,
    size_t errlen)
{
	char *copy, *item, *next, *word;
	unsigned lo, hi, cpu;
	bool remove;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (spec == NULL || *spec == '\0') {
		snprintf(err, errlen, "empty cpu list");
		errno = EINVAL;
		return -1;
	}
	copy = strdup(spec);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = copy; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		remove = item[0] == '^';
		word = remove ? item + 1 : item;
		if (strncmp(word, "node:", 5) == 0 ||
		    strncmp(word, "nodes:", 6) == 0) {
			snprintf(err, errlen, "`%.40s': NUMA node ranges are not "
			    "supported, list CPUs instead", word);
			errno = EINVAL;
			goto out;
		}
		if (parse_item(word, &lo, &hi) < 0) {
			if (errno == ERANGE)
				snprintf(err, errlen, "cpu `%.40s' in `%.60s' is "
				    "out of range (0 to %u)", item, spec,
				    LIGHT_CPUMAP_MAX_CPUS - 1);
			else
				snprintf(err, errlen, "invalid cpu range `%.40s' "
				    "in `%.60s'", item, spec);
			errno = EINVAL;
			goto out;
		}
		for (cpu = lo; cpu <= hi; cpu++) {
			if (remove)
				cpumap_clear(out, cpu);
			else
				light_cpumap_set(out, cpu);
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}
