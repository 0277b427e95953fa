/*
 * config_write.c - the domain model back to xl.cfg text (light_xml.h),
 * the last step of `xl config-convert --to xl`.
 *
 * The text is written so that config_parse.c and config_model.c read it
 * back to the same model: every string double-quoted with the escapes
 * the parser knows, disks and vifs as the key=value forms of
 * xl-disk-configuration(5) and xl-network-configuration(5), with a
 * disk's target last (it alone may contain commas).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_xml.h"
#include "config_text.h"

char *light_cpumap_text(const struct light_cpumap *m, char *buf, size_t len)
{
	unsigned cpu = 0, start;
	size_t used = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	while (cpu < LIGHT_CPUMAP_MAX_CPUS) {
		if (!light_cpumap_test(m, cpu)) {
			cpu++;
			continue;
		}
		start = cpu;
		while (cpu + 1 < LIGHT_CPUMAP_MAX_CPUS && light_cpumap_test(m, cpu + 1))
			cpu++;
		if (start == cpu)
			n = snprintf(buf + used, len - used, "%s%u",
			             used ? "," : "", start);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u",
			             used ? "," : "", start, cpu);
		if (n < 0 || (size_t)n >= len - used)
			break;     /* truncated; still NUL-terminated */
		used += (size_t)n;
		cpu++;
	}
	return buf;
}

int light_cpumap_is_all(const struct light_cpumap *m)
{
	return light_cpumap_count(m, LIGHT_CPUMAP_MAX_CPUS) ==
	       LIGHT_CPUMAP_MAX_CPUS;
}

int light_cpumaps_same(const struct light_cpumap *maps, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (memcmp(&maps[i], &maps[0], sizeof(maps[0])) != 0)
			return 0;
	return n > 0;
}

/* A string in double quotes, with the escapes config_parse.c reads. */
static void put_quoted(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void put_key_string(FILE *f, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(f, "%s = ", key);
	put_quoted(f, value);
	fputc('\n', f);
}

/* Close a memstream and hand back its buffer, or NULL if writing failed. */
static char *finish(FILE *f, char **buf)
{
	int bad = ferror(f);

	/* The memstream sets *buf at fclose, so it is read only after. */
	if (fclose(f) != 0 || bad) {
		free(*buf);
		errno = ENOMEM;
		return NULL;
	}
	return *buf;
}

char *light_disk_spec(const struct light_disk *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "format=%s, vdev=%s, access=%s", d->format ? d->format : "raw",
	        d->vdev ? d->vdev : "",
	        !d->readwrite ? "ro" : d->share_writable ? "w!" : "rw");
	if (d->backendtype)
		fprintf(f, ", backendtype=%s", d->backendtype);
	if (d->script)
		fprintf(f, ", script=%s", d->script);
	if (d->cdrom)
		fputs(", devtype=cdrom", f);
	if (d->discard == 1)
		fputs(", discard", f);
	else if (d->discard == 0)
		fputs(", no-discard", f);
	if (d->direct_io_safe)
		fputs(", direct-io-safe", f);
	/* Last: the target may contain commas (xl-disk-configuration(5)). */
	if (d->target)
		fprintf(f, ", target=%s", d->target);
	return finish(f, &buf);
}

/*
 * rate= from libxl's two numbers.  The parser keeps bytes per interval
 * as bytes_per_second * interval / 10^6, so writing bytes per second
 * gives the same numbers back whenever the division is exact (always
 * for what a rate= setting produced with the default 50 ms).
 */
static void put_rate(FILE *f, const char *sep, uint64_t bytes, uint32_t usecs)
{
	uint64_t bps = bytes > UINT64_MAX / 1000000u ?
	               bytes / usecs * 1000000u : bytes * 1000000u / usecs;

	if (bps % 1000000000u == 0 && bps / 1000000000u <= UINT32_MAX)
		fprintf(f, "%srate=%" PRIu64 "GB/s", sep, bps / 1000000000u);
	else if (bps % 1000000u == 0 && bps / 1000000u <= UINT32_MAX)
		fprintf(f, "%srate=%" PRIu64 "MB/s", sep, bps / 1000000u);
	else if (bps % 1000u == 0 && bps / 1000u <= UINT32_MAX)
		fprintf(f, "%srate=%" PRIu64 "KB/s", sep, bps / 1000u);
	else
		fprintf(f, "%srate=%" PRIu64 "B/s", sep, bps);
	fprintf(f, "@%" PRIu32 "us", usecs);
}

char *light_nic_spec(const struct light_nic *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *sep = "";

	if (!f)
		return NULL;
#define FIELD(k, v) do { if (v) { fprintf(f, "%s%s=%s", sep, k, v); sep = ","; } } while (0)
	if (n->has_mac) {
		char mac[LIGHT_MAC_STRLEN];

		light_mac_format(n->mac, mac);
		fprintf(f, "mac=%s", mac);
		sep = ",";
	}
	FIELD("bridge", n->bridge);
	FIELD("ip", n->ip);
	FIELD("script", n->script);
	FIELD("model", n->model);
	FIELD("type", n->type);
	FIELD("vifname", n->vifname);
	FIELD("backend", n->backend);
	FIELD("gatewaydev", n->gatewaydev);
#undef FIELD
	if (n->mtu) {
		fprintf(f, "%smtu=%u", sep, n->mtu);
		sep = ",";
	}
	if (n->rate_bytes_per_interval && n->rate_interval_usecs) {
		put_rate(f, sep, n->rate_bytes_per_interval,
		         n->rate_interval_usecs);
	}
	return finish(f, &buf);
}

/* cpus= / cpus_soft=: one string for every vcpu, else a list. */
static void put_affinity(FILE *f, const char *key,
                         const struct light_cpumap *maps, size_t n)
{
	char text[LIGHT_CPUMAP_MAX_CPUS * 4];
	size_t i;

	if (n == 0)
		return;
	if (light_cpumaps_same(maps, n)) {
		fprintf(f, "%s = ", key);
		put_quoted(f, light_cpumap_is_all(&maps[0]) ? "all" :
		           light_cpumap_text(&maps[0], text, sizeof(text)));
		fputc('\n', f);
		return;
	}
	fprintf(f, "%s = [ ", key);
	for (i = 0; i < n; i++) {
		put_quoted(f, light_cpumap_is_all(&maps[i]) ? "all" :
		           light_cpumap_text(&maps[i], text, sizeof(text)));
		fputs(i + 1 < n ? ", " : " ]\n", f);
	}
}

/* viridian= as 1, or in the list form when groups were added or taken
 * away. */
static void put_viridian(FILE *f, const struct light_domain_config *dc)
{
	const char *sep = "";
	unsigned i;

	if (!dc->hvm.viridian_enable && !dc->hvm.viridian_disable) {
		if (dc->hvm.viridian)
			fputs("viridian = 1\n", f);
		return;
	}
	fputs("viridian = [ ", f);
	if (dc->hvm.viridian) {
		fputs("\"defaults\"", f);
		sep = ", ";
	}
	for (i = 0; i < LIGHT_VIRIDIAN_GROUPS; i++) {
		if (dc->hvm.viridian_enable & (1u << i)) {
			fprintf(f, "%s\"%s\"", sep, light_viridian_group(i));
			sep = ", ";
		}
		if (dc->hvm.viridian_disable & (1u << i)) {
			fprintf(f, "%s\"!%s\"", sep, light_viridian_group(i));
			sep = ", ";
		}
	}
	fputs(" ]\n", f);
}

/* xl.cfg counts memory in MiB; the model in KiB. */
static unsigned long long mib(uint64_t kb)
{
	return (unsigned long long)((kb + 1023) / 1024);
}

char *light_domain_config_to_xlcfg(const struct light_domain_config *dc)
{
	char *buf = NULL, *spec, uuid[37];
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	const uint8_t *u = dc->uuid;

	if (!f)
		return NULL;
	put_key_string(f, "name", dc->name);
	if (dc->has_uuid) {
		snprintf(uuid, sizeof(uuid),
		         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		         "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
		         u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		         u[14], u[15]);
		put_key_string(f, "uuid", uuid);
	}
	put_key_string(f, "type", light_domain_type_name(dc->type));
	fprintf(f, "memory = %llu\n", mib(dc->target_memkb));
	if (mib(dc->max_memkb) != mib(dc->target_memkb))
		fprintf(f, "maxmem = %llu\n", mib(dc->max_memkb));
	fprintf(f, "vcpus = %u\n", dc->vcpus);
	if (dc->max_vcpus != dc->vcpus)
		fprintf(f, "maxvcpus = %u\n", dc->max_vcpus);
	put_affinity(f, "cpus", dc->cpus_hard, dc->ncpus_hard);
	put_affinity(f, "cpus_soft", dc->cpus_soft, dc->ncpus_soft);
	put_key_string(f, "kernel", dc->kernel);
	put_key_string(f, "ramdisk", dc->ramdisk);
	put_key_string(f, "cmdline", dc->cmdline);
	put_key_string(f, "bootloader", dc->bootloader);
	if (dc->type == LIGHT_DOMAIN_HVM) {
		put_key_string(f, "vga", dc->hvm.vga ? dc->hvm.vga : "none");
		if (dc->hvm.video_memkb)
			fprintf(f, "videoram = %llu\n", mib(dc->hvm.video_memkb));
		fprintf(f, "vnc = %d\n", dc->hvm.vnc ? 1 : 0);
		if (dc->hvm.vnc) {
			put_key_string(f, "vnclisten", dc->hvm.vnclisten);
			if (dc->hvm.vncdisplay)
				fprintf(f, "vncdisplay = %u\n", dc->hvm.vncdisplay);
			if (!dc->hvm.vncunused)
				fputs("vncunused = 0\n", f);
			put_key_string(f, "vncpasswd", dc->hvm.vncpasswd);
		}
		put_key_string(f, "keymap", dc->hvm.keymap);
		if (dc->hvm.nographic)
			fputs("nographic = 1\n", f);
		put_viridian(f, dc);
		if (!dc->hvm.hpet)
			fputs("hpet = 0\n", f);
		put_key_string(f, "serial", dc->hvm.serial);
		put_key_string(f, "boot", dc->hvm.boot);
		if (!dc->hvm.acpi)
			fputs("acpi = 0\n", f);
		put_key_string(f, "bios_path_override", dc->hvm.bios_path);
		put_key_string(f, "device_model_override", dc->hvm.device_model);
	}
	put_key_string(f, "on_poweroff", light_action_name(dc->on_poweroff));
	put_key_string(f, "on_reboot", light_action_name(dc->on_reboot));
	put_key_string(f, "on_crash", light_action_name(dc->on_crash));
	if (dc->on_watchdog != LIGHT_ACTION_DESTROY)
		put_key_string(f, "on_watchdog", light_action_name(dc->on_watchdog));
	if (dc->on_soft_reset != LIGHT_ACTION_SOFT_RESET)
		put_key_string(f, "on_soft_reset",
		               light_action_name(dc->on_soft_reset));
	if (dc->ndisks) {
		fputs("disk = [\n", f);
		for (i = 0; i < dc->ndisks; i++) {
			spec = light_disk_spec(&dc->disks[i]);
			if (!spec)
				goto fail;
			fputs("    ", f);
			put_quoted(f, spec);
			fputs(",\n", f);
			free(spec);
		}
		fputs("]\n", f);
	}
	if (dc->nnics) {
		fputs("vif = [\n", f);
		for (i = 0; i < dc->nnics; i++) {
			spec = light_nic_spec(&dc->nics[i]);
			if (!spec)
				goto fail;
			fputs("    ", f);
			put_quoted(f, spec);
			fputs(",\n", f);
			free(spec);
		}
		fputs("]\n", f);
	}
	return finish(f, &buf);
fail:
	fclose(f);
	free(buf);
	errno = ENOMEM;
	return NULL;
}
