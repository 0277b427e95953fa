/*
 * format_sched.c - the text of `xl vcpu-list`, `xl sched-credit[2]` and
 * `xl cpupool-list`, column for column as upstream's xl prints them.  Pure
 * functions (no Xen), so tests/xl checks every column.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "liblight.h"
#include "cmds.h"
#include "jsonw.h"

void
xl_json_discard(struct xl_json *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *sink;

	sink = open_memstream(&buf, &len);
	if (sink == NULL)
		return;        /* cannot free j without printing it: leak it */
	(void)xl_json_print(j, sink);
	fclose(sink);
	free(buf);
}

/* Append "fmt" to out[len] at *pos, keeping out NUL-terminated and
 * truncating silently (the buffers are sized for any real map). */
static void
put(char *out, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos >= len)
		return;
	if (n >= len - *pos)
		n = len - *pos - 1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
}

/* One run [first, last] as "N" or "N-M", comma first unless it is the
 * first run. */
static void
put_run(char *out, size_t len, size_t *pos, unsigned first, unsigned last,
    bool comma)
{
	char buf[32];

	if (last > first)
		snprintf(buf, sizeof(buf), "%s%u-%u", comma ? "," : "", first,
		    last);
	else
		snprintf(buf, sizeof(buf), "%s%u", comma ? "," : "", first);
	put(out, len, pos, buf);
}

/*
 * The set bits of CPUs [0, nbits) as runs: "none" when empty, "all" when
 * one run covers every CPU from 0, else "0-1,3".  A run reaching the last
 * CPU but not starting at 0 is written out ("1-3"), as upstream does.
 */
char *
xl_format_cpumap(const uint8_t *map, unsigned nbits, char *out, size_t len)
{
	size_t pos = 0;
	unsigned i, first = 0;
	bool in_run = false, any = false;

	if (len == 0)
		return out;
	out[0] = '\0';
	for (i = 0; i < nbits; i++) {
		bool set = (map[i / 8] >> (i % 8)) & 1;

		if (set && !in_run) {
			first = i;
			in_run = true;
		} else if (!set && in_run) {
			put_run(out, len, &pos, first, i - 1, any);
			any = true;
			in_run = false;
		}
	}
	if (in_run && !any && first == 0)
		put(out, len, &pos, "all");
	else if (in_run)
		put_run(out, len, &pos, first, nbits - 1, any);
	else if (!any)
		put(out, len, &pos, "none");
	return out;
}

void
xl_vcpu_list_header(FILE *out)
{
	fprintf(out, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU",
	    "CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
}

/*
 * One vCPU: name, ids, the CPU it is on ('-' when offline), the state
 * (r running, b blocked, p offline: "--p" for an offline vCPU), the time
 * it ran, and both affinities over the host's nr_cpus CPUs.
 */
void
xl_vcpu_list_line(FILE *out, const char *name, uint32_t domid,
    const struct light_vcpu_info *v, unsigned nr_cpus)
{
	char hard[LIGHT_CPUMAP_MAX_CPUS * 4], soft[LIGHT_CPUMAP_MAX_CPUS * 4];

	fprintf(out, "%-32s %5u %5u", name ? name : "(null)", domid, v->id);
	if (!v->online)
		fprintf(out, "%5c %3c%cp ", '-', '-', '-');
	else
		fprintf(out, "%5u %3c%c- ", v->cpu, v->running ? 'r' : '-',
		    v->blocked ? 'b' : '-');
	/* Upstream divides a float: the same rounding gives the same
	 * tenths. */
	fprintf(out, "%9.1f  ", (float)v->cpu_time_ns / 1e9);
	xl_format_cpumap(v->hard.bits, nr_cpus, hard, sizeof(hard));
	xl_format_cpumap(v->soft.bits, nr_cpus, soft, sizeof(soft));
	fprintf(out, "%s / %s\n", hard, soft);
}

void
xl_sched_credit_header(FILE *out)
{
	fprintf(out, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

void
xl_sched_credit_line(FILE *out, const char *name, uint32_t domid,
    const struct light_sched_domain *p)
{
	fprintf(out, "%-33s %4u %6u %4u\n", name ? name : "(null)", domid,
	    p->weight, p->cap);
}

/*
 * "Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us" for
 * credit, "Cpupool Pool-0: ratelimit=1000us" for credit2; p NULL when the
 * parameters could not be read.
 */
void
xl_sched_pool_line(FILE *out, const char *pool, enum light_sched s,
    const struct light_sched_pool *p)
{
	if (p == NULL)
		fprintf(out, "Cpupool %s: [sched params unavailable]\n", pool);
	else if (s == LIGHT_SCHED_CREDIT)
		fprintf(out, "Cpupool %s: tslice=%ums ratelimit=%uus "
		    "migration-delay=%uus\n", pool, p->tslice_ms,
		    p->ratelimit_us, p->migr_delay_us);
	else
		fprintf(out, "Cpupool %s: ratelimit=%uus\n", pool,
		    p->ratelimit_us);
}

void
xl_cpupool_list_header(FILE *out, bool cpu_list)
{
	fprintf(out, "%-19s", "Name");
	if (cpu_list)
		fprintf(out, "CPU list\n");
	else
		fprintf(out, "CPUs   Sched     Active   Domain count\n");
}

void
xl_cpupool_list_line(FILE *out, const struct light_cpupool_info *p,
    bool cpu_list)
{
	unsigned i, n = 0;

	fprintf(out, "%-19s", p->name);
	if (cpu_list) {
		for (i = 0; i < LIGHT_CPUMAP_MAX_CPUS; i++)
			if (light_cpumap_test(&p->cpus, i))
				fprintf(out, "%s%u", n++ ? "," : "", i);
	} else
		fprintf(out, "%3u %9s       y       %4u", p->ncpus,
		    light_sched_name(p->sched), p->n_dom);
	fprintf(out, "\n");
}
