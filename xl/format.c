/*
 * format.c - the text of `xl list`, `xl uptime` and `xl info`, as pure
 * functions of already gathered facts.  Column widths and wording follow
 * upstream xl 4.17 exactly, because scripts parse this output.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liblight.h"
#include "jsonw.h"
#include "xl.h"
#include "cmds.h"

void
xl_state_chars(const struct light_dominfo *d, char out[7])
{
	/* Indexed by SHUTDOWN_* (poweroff 0 ... soft_reset 5). */
	static const char reasons[] = "-rscwS";
	unsigned reason = d->shutdown ? d->shutdown_reason : 0;

	out[0] = d->running ? 'r' : '-';
	out[1] = d->blocked ? 'b' : '-';
	out[2] = d->paused ? 'p' : '-';
	out[3] = d->shutdown ? 's' : '-';
	out[4] = reason < sizeof(reasons) - 1 ? reasons[reason] : '?';
	out[5] = d->dying ? 'd' : '-';
	out[6] = '\0';
}

void
xl_format_uuid(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
	    u[10], u[11], u[12], u[13], u[14], u[15]);
}

void
xl_list_header(FILE *out, unsigned opts)
{
	fputs("Name                                        ID   Mem VCPUs"
	    "\tState\tTime(s)", out);
	if (opts & XL_LIST_VERBOSE)
		fputs("   UUID                            Reason-Code"
		    "\tSecurity Label", out);
	if ((opts & XL_LIST_CONTEXT) && !(opts & XL_LIST_VERBOSE))
		fputs("   Security Label", out);
	if (opts & XL_LIST_CLAIM)
		fputs("  Claimed", out);
	if (opts & XL_LIST_CPUPOOL)
		fputs("         Cpupool", out);
	fputc('\n', out);
}

void
xl_list_line(FILE *out, const struct light_dominfo *d, unsigned opts,
    const char *pool)
{
	char state[7], uuid[37];
	/* Memory shown is what the domain has plus what it has claimed. */
	unsigned long mem_mib = (unsigned long)
	    ((d->tot_pages + d->outstanding_pages) * 4 / 1024);
	unsigned reason = d->shutdown ? d->shutdown_reason : 0;

	xl_state_chars(d, state);
	/* Upstream prints the seconds through a float: keep its rounding. */
	fprintf(out, "%-40s %5u %5lu %5u     %s  %8.1f",
	    d->has_name ? d->name : "(null)", d->domid, mem_mib,
	    d->vcpus_online, state, (double)((float)d->cpu_time_ns / 1e9));
	if (opts & XL_LIST_VERBOSE) {
		xl_format_uuid(d->uuid, uuid);
		fprintf(out, " %s", uuid);
		if (d->shutdown)
			fprintf(out, " %8x", reason);
		else
			fprintf(out, " %8s", "-");
	}
	if (opts & XL_LIST_CLAIM)
		fprintf(out, " %5lu",
		    (unsigned long)(d->outstanding_pages * 4 / 1024));
	/* Without XSM/FLASK no domain has a security label. */
	if (opts & (XL_LIST_VERBOSE | XL_LIST_CONTEXT))
		fprintf(out, " %16s", "-");
	if (opts & XL_LIST_CPUPOOL)
		fprintf(out, "%16s", pool != NULL ? pool : "(null)");
	fputc('\n', out);
}

char *
xl_uptime_string(unsigned long secs, bool short_form, char *out, size_t len)
{
	unsigned long day, hour, min, sec;

	day = secs / 86400;
	hour = secs % 86400 / 3600;
	min = secs % 3600 / 60;
	sec = secs % 60;

	if (day > 1)
		snprintf(out, len, "%lu days, ", day);
	else if (day == 1)
		snprintf(out, len, "%lu day, ", day);
	else
		out[0] = '\0';
	if (short_form)
		snprintf(out + strlen(out), len - strlen(out), "%2lu:%02lu",
		    hour, min);
	else
		snprintf(out + strlen(out), len - strlen(out),
		    "%2lu:%02lu:%02lu", hour, min, sec);
	return out;
}

/*
 * Print one `xl info` line "name<pad>: value".  With a field filter,
 * print only the value of lines whose text starts with the filter and
 * has ": " after the name (upstream's rule: a prefix match, so
 * `xl info xen_` prints every xen_* value).
 */
static void info_line(FILE *out, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
info_line(FILE *out, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL, *colon;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (line == NULL)
		return;
	if (field == NULL)
		fputs(line, out);
	else if (strncmp(line, field, strlen(field)) == 0 &&
	    (colon = strchr(line, ':')) != NULL && colon[1] == ' ')
		fputs(colon + 2, out);
	free(line);
}


void
xl_print_info(FILE *out, const struct utsname *uts,
    const struct light_host_info *h, const char *f)
{
	uint32_t cap = h->physcaps;
	/* Pages per MiB: Xen reports memory in pages. */
	uint64_t ppm = h->pagesize ? (1u << 20) / h->pagesize : 256;

	if (uts != NULL) {
		info_line(out, f, "host                   : %s\n", uts->nodename);
		info_line(out, f, "release                : %s\n", uts->release);
		info_line(out, f, "version                : %s\n", uts->version);
		info_line(out, f, "machine                : %s\n", uts->machine);
	}

	info_line(out, f, "nr_cpus                : %u\n", h->nr_cpus);
	info_line(out, f, "max_cpu_id             : %u\n", h->max_cpu_id);
	info_line(out, f, "nr_nodes               : %u\n", h->nr_nodes);
	info_line(out, f, "cores_per_socket       : %u\n", h->cores_per_socket);
	info_line(out, f, "threads_per_core       : %u\n", h->threads_per_core);
	info_line(out, f, "cpu_mhz                : %lu.%03lu\n",
	    h->cpu_khz / 1000, h->cpu_khz % 1000);
	info_line(out, f, "hw_caps                : "
	    "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x\n",
	    h->hw_cap[0], h->hw_cap[1], h->hw_cap[2], h->hw_cap[3],
	    h->hw_cap[4], h->hw_cap[5], h->hw_cap[6], h->hw_cap[7]);
	info_line(out, f, "virt_caps              :%s%s%s%s%s%s%s%s%s%s%s\n",
	    (cap & LIGHT_PHYSCAP_PV) ? " pv" : "",
	    (cap & LIGHT_PHYSCAP_HVM) ? " hvm" : "",
	    (cap & LIGHT_PHYSCAP_HVM) && (cap & LIGHT_PHYSCAP_DIRECTIO) ?
		" hvm_directio" : "",
	    (cap & LIGHT_PHYSCAP_PV) && (cap & LIGHT_PHYSCAP_DIRECTIO) ?
		" pv_directio" : "",
	    (cap & LIGHT_PHYSCAP_HAP) ? " hap" : "",
	    (cap & LIGHT_PHYSCAP_SHADOW) ? " shadow" : "",
	    (cap & LIGHT_PHYSCAP_IOMMU_HAP_PT) ? " iommu_hap_pt_share" :
		"",
	    (cap & LIGHT_PHYSCAP_VMTRACE) ? " vmtrace" : "",
	    (cap & LIGHT_PHYSCAP_VPMU) ? " vpmu" : "",
	    (cap & LIGHT_PHYSCAP_GNTTAB_V1) ? " gnttab-v1" : "",
	    (cap & LIGHT_PHYSCAP_GNTTAB_V2) ? " gnttab-v2" : "");
	info_line(out, f, "total_memory           : %" PRIu64 "\n",
	    h->total_pages / ppm);
	info_line(out, f, "free_memory            : %" PRIu64 "\n",
	    (h->free_pages - h->outstanding_pages) / ppm);
	if (h->has_sharing) {
		info_line(out, f, "sharing_freed_memory   : %" PRIu64 "\n",
		    h->sharing_freed_pages / ppm);
		info_line(out, f, "sharing_used_memory    : %" PRIu64 "\n",
		    h->sharing_used_frames / ppm);
	}
	info_line(out, f, "outstanding_claims     : %" PRIu64 "\n",
	    h->outstanding_pages / ppm);
	if (h->free_cpus >= 0)
		info_line(out, f, "free_cpus              : %d\n", h->free_cpus);

	info_line(out, f, "xen_major              : %d\n", h->xen_major);
	info_line(out, f, "xen_minor              : %d\n", h->xen_minor);
	info_line(out, f, "xen_extra              : %s\n", h->xen_extra);
	info_line(out, f, "xen_version            : %d.%d%s\n", h->xen_major,
	    h->xen_minor, h->xen_extra);
	info_line(out, f, "xen_caps               : %s\n", h->xen_caps);
	info_line(out, f, "xen_scheduler          : %s\n", h->scheduler);
	info_line(out, f, "xen_pagesize           : %lu\n", h->pagesize);
	if (h->has_virt_start)
		info_line(out, f, "platform_params        : virt_start=0x%"
		    PRIx64 "\n", h->virt_start);
	info_line(out, f, "xen_changeset          : %s\n", h->xen_changeset);
	info_line(out, f, "xen_commandline        : %s\n", h->xen_commandline);
	info_line(out, f, "cc_compiler            : %s\n", h->cc_compiler);
	info_line(out, f, "cc_compile_by          : %s\n", h->cc_compile_by);
	info_line(out, f, "cc_compile_domain      : %s\n", h->cc_compile_domain);
	info_line(out, f, "cc_compile_date        : %s\n", h->cc_compile_date);
	if (h->has_build_id)
		info_line(out, f, "build_id               : %s\n", h->build_id);
	info_line(out, f, "xend_config_format     : 4\n");
}

/*
 * `xl info --json`: the same facts as one object, memory in MiB as the
 * text shows it (the name says so), virt_caps as a list of words.
 */
int
xl_print_info_json(FILE *out, const struct utsname *uts,
    const struct light_host_info *h)
{
	static const struct { uint32_t bit; const char *name; } caps[] = {
		{ LIGHT_PHYSCAP_PV, "pv" }, { LIGHT_PHYSCAP_HVM, "hvm" },
		{ LIGHT_PHYSCAP_DIRECTIO, "directio" },
		{ LIGHT_PHYSCAP_HAP, "hap" }, { LIGHT_PHYSCAP_SHADOW, "shadow" },
		{ LIGHT_PHYSCAP_IOMMU_HAP_PT, "iommu_hap_pt_share" },
		{ LIGHT_PHYSCAP_VMTRACE, "vmtrace" }, { LIGHT_PHYSCAP_VPMU, "vpmu" },
		{ LIGHT_PHYSCAP_GNTTAB_V1, "gnttab-v1" },
		{ LIGHT_PHYSCAP_GNTTAB_V2, "gnttab-v2" },
	};
	uint64_t ppm = h->pagesize ? (1u << 20) / h->pagesize : 256;
	struct xl_json *j = xl_json_new();
	char buf[128];
	size_t i;

	xl_json_map_open(j);
	xl_json_str(j, "host", uts ? uts->nodename : NULL);
	xl_json_str(j, "release", uts ? uts->release : NULL);
	xl_json_str(j, "version", uts ? uts->version : NULL);
	xl_json_str(j, "machine", uts ? uts->machine : NULL);
	xl_json_uint(j, "nr_cpus", h->nr_cpus);
	xl_json_uint(j, "max_cpu_id", h->max_cpu_id);
	xl_json_uint(j, "nr_nodes", h->nr_nodes);
	xl_json_uint(j, "cores_per_socket", h->cores_per_socket);
	xl_json_uint(j, "threads_per_core", h->threads_per_core);
	xl_json_uint(j, "cpu_khz", h->cpu_khz);
	snprintf(buf, sizeof(buf), "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x",
	    h->hw_cap[0], h->hw_cap[1], h->hw_cap[2], h->hw_cap[3],
	    h->hw_cap[4], h->hw_cap[5], h->hw_cap[6], h->hw_cap[7]);
	xl_json_str(j, "hw_caps", buf);
	xl_json_key(j, "virt_caps");
	xl_json_array_open(j);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (h->physcaps & caps[i].bit)
			xl_json_str(j, NULL, caps[i].name);
	xl_json_array_close(j);
	xl_json_uint(j, "total_memory_mb", h->total_pages / ppm);
	xl_json_uint(j, "free_memory_mb",
	    (h->free_pages - h->outstanding_pages) / ppm);
	if (h->has_sharing) {
		xl_json_uint(j, "sharing_freed_memory_mb",
		    h->sharing_freed_pages / ppm);
		xl_json_uint(j, "sharing_used_memory_mb",
		    h->sharing_used_frames / ppm);
	} else {
		xl_json_str(j, "sharing_freed_memory_mb", NULL);
		xl_json_str(j, "sharing_used_memory_mb", NULL);
	}
	xl_json_uint(j, "outstanding_claims_mb", h->outstanding_pages / ppm);
	if (h->free_cpus >= 0)
		xl_json_int(j, "free_cpus", h->free_cpus);
	else
		xl_json_str(j, "free_cpus", NULL);
	xl_json_int(j, "xen_major", h->xen_major);
	xl_json_int(j, "xen_minor", h->xen_minor);
	xl_json_str(j, "xen_extra", h->xen_extra);
	snprintf(buf, sizeof(buf), "%d.%d%s", h->xen_major, h->xen_minor,
	    h->xen_extra);
	xl_json_str(j, "xen_version", buf);
	xl_json_str(j, "xen_caps", h->xen_caps);
	xl_json_str(j, "xen_scheduler", h->scheduler);
	xl_json_uint(j, "xen_pagesize", h->pagesize);
	if (h->has_virt_start)
		xl_json_uint(j, "virt_start", h->virt_start);
	else
		xl_json_str(j, "virt_start", NULL);
	xl_json_str(j, "xen_changeset", h->xen_changeset);
	xl_json_str(j, "xen_commandline", h->xen_commandline);
	xl_json_str(j, "cc_compiler", h->cc_compiler);
	xl_json_str(j, "cc_compile_by", h->cc_compile_by);
	xl_json_str(j, "cc_compile_domain", h->cc_compile_domain);
	xl_json_str(j, "cc_compile_date", h->cc_compile_date);
	xl_json_str(j, "build_id", h->has_build_id ? h->build_id : NULL);
	xl_json_map_close(j);
	return xl_json_print(j, out);
}
