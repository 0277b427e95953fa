/*
 * xml.c - libvirt domain XML to and from the domain model (light_xml.h).
 *
 * Output is written by hand, in the layout `virsh dumpxml` prints for a
 * guest of libvirt's libxl driver (two-space indent, single quotes), so
 * that the text compares line by line with what libvirt users know.
 *
 * Input goes through libxml2 into xl.cfg settings (a struct light_cfg
 * whose settings carry the XML element's line), and then through the
 * same light_domain_config_from_cfg as an xl.cfg file: one set of checks
 * and defaults for both languages, and errors that still name the line
 * of the XML where the value was.  What only XML can get wrong (a unit,
 * a missing attribute, an element given twice) is checked here and named
 * by element.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "lazylib.h"
#include "strnum.h"
#include "light_xml.h"
#include "config_text.h"

/*
 * libxml2 is loaded when XML is first read, not linked (common/lazylib.h
 * has the figures): it brings ICU (libicuuc and 30 MB of libicudata) and
 * libstdc++, the largest part of the start-up cost of every process that
 * loads liblight, and only reading XML (domxml-to-xl, create from XML,
 * validation) needs the parser.  Writing XML is done by hand, below.
 */
#define XML_FUNCS(F, t) \
	F(t, xmlInitParser) F(t, xmlMemGet) F(t, xmlNewParserCtxt) \
	F(t, xmlCtxtReadMemory) F(t, xmlCtxtGetLastError) \
	F(t, xmlDocGetRootElement) F(t, xmlFreeDoc) F(t, xmlFreeParserCtxt) \
	F(t, xmlGetProp) F(t, xmlNodeGetContent) F(t, xmlGetLineNo) \
	F(t, xmlStrcmp) F(t, xmlReadMemory) F(t, xmlRelaxNGNewParserCtxt) \
	F(t, xmlRelaxNGSetParserStructuredErrors) F(t, xmlRelaxNGParse) \
	F(t, xmlRelaxNGNewValidCtxt) F(t, xmlRelaxNGSetValidStructuredErrors) \
	F(t, xmlRelaxNGValidateDoc) F(t, xmlRelaxNGFreeValidCtxt) \
	F(t, xmlRelaxNGFree) F(t, xmlRelaxNGFreeParserCtxt)

/* libxml2's deallocator (its headers' xmlFree is a variable, which
 * xmlMemGet reads for us). */
static xmlFreeFunc xml_free_fn;

static void xml_init(void);

LAZYLIB_DEFINE(libxml, XML_FUNCS, "libxml2.so.2", "reading libvirt XML",
               xml_init)

/* libxml2 wants one xmlInitParser() before any thread uses it. */
static void xml_init(void)
{
	libxml.xmlInitParser();
	libxml.xmlMemGet(&xml_free_fn, NULL, NULL, NULL);
}

/* Free what libxml2 allocated (xmlGetProp, xmlNodeGetContent). */
static void xml_free(void *p)
{
	if (p)
		xml_free_fn(p);
}

/* ---- Output --------------------------------------------------------- */

/* Text or attribute value with XML's five special characters escaped. */
static void put_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* <tag>text</tag> on one line at `indent` spaces. */
static void put_elem(FILE *f, int indent, const char *tag, const char *text)
{
	if (!text)
		return;
	fprintf(f, "%*s<%s>", indent, "", tag);
	put_esc(f, text);
	fprintf(f, "</%s>\n", tag);
}

/* <tag attr='value'/> */
static void put_empty(FILE *f, int indent, const char *tag, const char *attr,
                      const char *value)
{
	if (!value)
		return;
	fprintf(f, "%*s<%s %s='", indent, "", tag, attr);
	put_esc(f, value);
	fputs("'/>\n", f);
}

static void put_disk(FILE *f, const struct light_disk *d)
{
	/* A target under /dev is a block device; everything else is a file,
	 * also when blkback serves it ("phy", through a loop device). */
	bool block = d->target && strncmp(d->target, "/dev/", 5) == 0;
	const char *driver = NULL;

	if (d->backendtype && strcmp(d->backendtype, "qdisk") == 0)
		driver = "qemu";
	else if (d->backendtype)
		driver = d->backendtype;   /* phy, tap */
	fprintf(f, "    <disk type='%s' device='%s'>\n", block ? "block" : "file",
	        d->cdrom ? "cdrom" : "disk");
	fputs("      <driver", f);
	if (driver) {
		fputs(" name='", f);
		put_esc(f, driver);
		fputc('\'', f);
	}
	fputs(" type='", f);
	put_esc(f, d->format ? d->format : "raw");
	fputs("'/>\n", f);
	if (d->target)
		put_empty(f, 6, "source", block ? "dev" : "file", d->target);
	fputs("      <target dev='", f);
	put_esc(f, d->vdev ? d->vdev : "");
	fputs("' bus='xen'/>\n", f);
	if (!d->readwrite)
		fputs("      <readonly/>\n", f);
	else if (d->share_writable)
		fputs("      <shareable/>\n", f);
	fputs("    </disk>\n", f);
}

static void put_nic(FILE *f, const struct light_nic *n, size_t idx,
                    const struct light_xml_live *live)
{
	char mac[LIGHT_MAC_STRLEN], vif[64], *ips, *ip, *save;

	fprintf(f, "    <interface type='%s'>\n", n->bridge ? "bridge" : "ethernet");
	if (n->has_mac) {
		light_mac_format(n->mac, mac);
		put_empty(f, 6, "mac", "address", mac);
	}
	put_empty(f, 6, "source", "bridge", n->bridge);
	put_empty(f, 6, "script", "path", n->script);
	if (n->ip && (ips = strdup(n->ip)) != NULL) {
		/* xl.cfg's ip= is a space separated list; libvirt has one <ip>
		 * element per address. */
		for (ip = strtok_r(ips, " ", &save); ip; ip = strtok_r(NULL, " ", &save))
			put_empty(f, 6, "ip", "address", ip);
		free(ips);
	}
	if (n->vifname) {
		put_empty(f, 6, "target", "dev", n->vifname);
	} else if (live && live->domid >= 0) {
		snprintf(vif, sizeof(vif), "vif%lld.%zu", live->domid, idx);
		put_empty(f, 6, "target", "dev", vif);
	}
	put_empty(f, 6, "model", "type", n->model);
	if (n->backend)
		put_empty(f, 6, "backenddomain", "name", n->backend);
	if (n->mtu)
		fprintf(f, "      <mtu size='%u'/>\n", n->mtu);
	fputs("    </interface>\n", f);
}

char *light_domain_config_to_xml(const struct light_domain_config *dc,
                                 const struct light_xml_live *live)
{
	char *buf = NULL, map[LIGHT_CPUMAP_MAX_CPUS * 4];
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	const uint8_t *u = dc->uuid;
	const char *ostype, *machine;
	int bad;

	if (!f)
		return NULL;
	if (live && live->domid >= 0)
		fprintf(f, "<domain type='xen' id='%lld'>\n", live->domid);
	else
		fputs("<domain type='xen'>\n", f);
	put_elem(f, 2, "name", dc->name);
	if (dc->has_uuid)
		fprintf(f, "  <uuid>%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		        "%02x%02x%02x%02x%02x%02x</uuid>\n", u[0], u[1], u[2],
		        u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		        u[12], u[13], u[14], u[15]);
	fprintf(f, "  <memory unit='KiB'>%" PRIu64 "</memory>\n", dc->max_memkb);
	fprintf(f, "  <currentMemory unit='KiB'>%" PRIu64 "</currentMemory>\n",
	        dc->target_memkb);
	fputs("  <vcpu placement='static'", f);
	bool one_map = light_cpumaps_same(dc->cpus_hard, dc->ncpus_hard);

	if (one_map && !light_cpumap_is_all(&dc->cpus_hard[0]))
		fprintf(f, " cpuset='%s'",
		        light_cpumap_text(&dc->cpus_hard[0], map, sizeof(map)));
	if (dc->vcpus != dc->max_vcpus)
		fprintf(f, " current='%u'", dc->vcpus);
	fprintf(f, ">%u</vcpu>\n", dc->max_vcpus);
	if (dc->ncpus_hard && !one_map) {
		/* A list of maps, one per vcpu: libvirt's vcpupin. */
		fputs("  <cputune>\n", f);
		for (i = 0; i < dc->ncpus_hard; i++)
			fprintf(f, "    <vcpupin vcpu='%zu' cpuset='%s'/>\n", i,
			        light_cpumap_text(&dc->cpus_hard[i], map, sizeof(map)));
		fputs("  </cputune>\n", f);
	}
	if (dc->bootloader)
		put_elem(f, 2, "bootloader", dc->bootloader);
	switch (dc->type) {
	case LIGHT_DOMAIN_PVH: ostype = "xenpvh"; machine = "xenpvh"; break;
	case LIGHT_DOMAIN_HVM: ostype = "hvm"; machine = "xenfv"; break;
	default: ostype = "linux"; machine = "xenpv"; break;
	}
	fputs("  <os>\n", f);
	fprintf(f, "    <type arch='x86_64' machine='%s'>%s</type>\n", machine,
	        ostype);
	put_elem(f, 4, "kernel", dc->kernel);
	put_elem(f, 4, "initrd", dc->ramdisk);
	put_elem(f, 4, "cmdline", dc->cmdline);
	fputs("  </os>\n", f);
	fputs("  <clock offset='utc' adjustment='reset'/>\n", f);
	put_elem(f, 2, "on_poweroff", light_action_name(dc->on_poweroff));
	put_elem(f, 2, "on_reboot", light_action_name(dc->on_reboot));
	put_elem(f, 2, "on_crash", light_action_name(dc->on_crash));
	fputs("  <devices>\n", f);
	for (i = 0; i < dc->ndisks; i++)
		put_disk(f, &dc->disks[i]);
	for (i = 0; i < dc->nnics; i++)
		put_nic(f, &dc->nics[i], i, live);
	if (live && live->console_tty) {
		fputs("    <console type='pty' tty='", f);
		put_esc(f, live->console_tty);
		fputs("'>\n", f);
		put_empty(f, 6, "source", "path", live->console_tty);
	} else {
		fputs("    <console type='pty'>\n", f);
	}
	fputs("      <target type='xen' port='0'/>\n", f);
	fputs("    </console>\n", f);
	fputs("  </devices>\n", f);
	fputs("</domain>\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}

/* ---- Input ---------------------------------------------------------- */

/* The keys the XML can set, each from one element (for "given twice"). */
enum key {
	K_NAME, K_UUID, K_MEMORY, K_CURMEM, K_VCPU, K_CPUTUNE, K_OS, K_TYPE,
	K_KERNEL, K_INITRD, K_CMDLINE, K_BOOTLOADER, K_ON_POWEROFF,
	K_ON_REBOOT, K_ON_CRASH, K_DEVICES, K_NKEYS
};

struct reader {
	const char *source;
	struct light_cfg *cfg;
	char *err;
	size_t errlen;
	int seen[K_NKEYS];       /* line where each element was, 0: not yet */
	/* disk= and vif= items, as xl.cfg text, gathered over <devices>. */
	FILE *disks, *nics;
	char *disks_buf, *nics_buf;
	size_t disks_len, nics_len;
	int disks_line, nics_line;
};

static int rerr(struct reader *r, xmlNodePtr n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "source:line: <element>: message", errno EINVAL. */
static int rerr(struct reader *r, xmlNodePtr n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%ld: <%s>: %s", r->source,
	         n ? libxml.xmlGetLineNo(n) : 0L, n ? (const char *)n->name : "?", msg);
	errno = EINVAL;
	return -1;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && libxml.xmlStrcmp(n->name, BAD_CAST name) == 0;
}

/* An attribute, or NULL; the caller frees it (xml_free). */
static char *attr(xmlNodePtr n, const char *name)
{
	return (char *)libxml.xmlGetProp(n, BAD_CAST name);
}

/* The element's text with surrounding white space trimmed; xml_free it. */
static char *text_of(xmlNodePtr n)
{
	char *t = (char *)libxml.xmlNodeGetContent(n), *s, *e;

	if (!t)
		return NULL;
	for (s = t; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		e--;
	*e = '\0';
	memmove(t, s, (size_t)(e - s) + 1);
	return t;
}

/* The first time an element is seen; a second one is an error. */
static int once(struct reader *r, xmlNodePtr n, enum key k)
{
	if (r->seen[k])
		return rerr(r, n, "given twice (first at line %d)", r->seen[k]);
	r->seen[k] = (int)libxml.xmlGetLineNo(n);
	return 0;
}

/* xl.cfg's double-quoted form of a string (the escapes the parser reads). */
static void quote_to(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * Append `key = value` (value already xl.cfg text) to the cfg, and give
 * the setting the XML line, so that the model's messages name the line
 * of the element the value came from.
 */
static int add_raw(struct reader *r, xmlNodePtr n, const char *key,
                   const char *value, int line)
{
	struct light_cfg_setting *s;
	char *text = NULL, msg[256];
	size_t i;
	int rc;

	if (asprintf(&text, "%s = %s\n", key, value) < 0)
		return rerr(r, n, "out of memory");
	rc = light_cfg_parse_data(r->cfg, r->source, text, strlen(text), msg,
	                          sizeof(msg));
	free(text);
	if (rc < 0)
		return rerr(r, n, "%s", msg);
	s = &r->cfg->settings[r->cfg->nsettings - 1];
	s->line = line;
	s->value->line = line;
	for (i = 0; i < s->value->nitems; i++)
		s->value->items[i]->line = line;
	return 0;
}

static int add_string(struct reader *r, xmlNodePtr n, const char *key,
                      const char *value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return rerr(r, n, "out of memory");
	quote_to(f, value);
	if (fclose(f) != 0) {
		free(buf);
		return rerr(r, n, "out of memory");
	}
	rc = add_raw(r, n, key, buf, (int)libxml.xmlGetLineNo(n));
	free(buf);
	return rc;
}

/* A string element: its trimmed text, which must not be empty. */
static int string_elem(struct reader *r, xmlNodePtr n, enum key k,
                       const char *key)
{
	char *t;
	int rc;

	if (once(r, n, k) < 0)
		return -1;
	t = text_of(n);
	if (!t || !*t) {
		xml_free(t);
		return rerr(r, n, "empty");
	}
	rc = add_string(r, n, key, t);
	xml_free(t);
	return rc;
}

/*
 * <memory unit=U>N</memory> in KiB.  libvirt's units: b/bytes, KB (10^3),
 * k/KiB, MB, M/MiB, GB, G/GiB, TB, T/TiB; KiB without a unit.
 */
static int memory_kib(struct reader *r, xmlNodePtr n, uint64_t *kib)
{
	static const struct { const char *name; uint64_t bytes; } units[] = {
		{ "b", 1 }, { "bytes", 1 },
		{ "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
		{ "MB", 1000000 }, { "M", 1048576 }, { "MiB", 1048576 },
		{ "GB", 1000000000 }, { "G", 1073741824 }, { "GiB", 1073741824 },
		{ "TB", 1000000000000ull }, { "T", 1099511627776ull },
		{ "TiB", 1099511627776ull },
	};
	char *u = attr(n, "unit"), *t = text_of(n);
	uint64_t mult = 1024, v, bytes;
	size_t i;
	int rc = -1;

	if (u) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(u, units[i].name) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			rerr(r, n, "unknown unit `%.20s'", u);
			goto out;
		}
		mult = units[i].bytes;
	}
	if (!t || strnum_u64(t, 10, 1, UINT64_MAX, &v) < 0) {
		rerr(r, n, "not a number: `%.30s'", t ? t : "");
		goto out;
	}
	if (v > UINT64_MAX / mult) {
		rerr(r, n, "too large: `%.30s'", t);
		goto out;
	}
	bytes = v * mult;
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	rc = 0;
out:
	xml_free(u);
	xml_free(t);
	return rc;
}

static int read_vcpu(struct reader *r, xmlNodePtr n)
{
	char *t = text_of(n), *cur = attr(n, "current"), *set = attr(n, "cpuset");
	char num[32];
	uint64_t max, c;
	int rc = -1, line = (int)libxml.xmlGetLineNo(n);

	if (!t || strnum_u64(t, 10, 1, UINT32_MAX, &max) < 0) {
		rerr(r, n, "not a number: `%.30s'", t ? t : "");
		goto out;
	}
	c = max;
	if (cur && strnum_u64(cur, 10, 1, UINT32_MAX, &c) < 0) {
		rerr(r, n, "current: not a number: `%.30s'", cur);
		goto out;
	}
	if (c > max) {
		rerr(r, n, "current %" PRIu64 " is more than the %" PRIu64
		     " vcpus", c, max);
		goto out;
	}
	snprintf(num, sizeof(num), "%" PRIu64, c);
	if (add_raw(r, n, "vcpus", num, line) < 0)
		goto out;
	snprintf(num, sizeof(num), "%" PRIu64, max);
	if (add_raw(r, n, "maxvcpus", num, line) < 0)
		goto out;
	if (set && add_string(r, n, "cpus", set) < 0)
		goto out;
	rc = 0;
out:
	xml_free(t);
	xml_free(cur);
	xml_free(set);
	return rc;
}

/* <cputune><vcpupin vcpu=I cpuset=S/>...: cpus= as a list. */
static int read_cputune(struct reader *r, xmlNodePtr n)
{
	char *buf = NULL, *v, *set;
	size_t len = 0;
	uint64_t id, next = 0;
	FILE *f = open_memstream(&buf, &len);
	xmlNodePtr c;
	int rc = -1;

	if (!f)
		return rerr(r, n, "out of memory");
	fputc('[', f);
	for (c = n->children; c; c = c->next) {
		if (!is(c, "vcpupin"))
			continue;
		v = attr(c, "vcpu");
		set = attr(c, "cpuset");
		if (!v || !set || strnum_u64(v, 10, 0, UINT32_MAX, &id) < 0) {
			rerr(r, c, "needs vcpu='N' and cpuset='...'");
			xml_free(v);
			xml_free(set);
			goto out;
		}
		/* xl.cfg's list gives vcpu i its item i; fill gaps with "all". */
		if (id < next) {
			rerr(r, c, "vcpu %" PRIu64 " out of order", id);
			xml_free(v);
			xml_free(set);
			goto out;
		}
		for (; next < id; next++)
			fputs("\"all\",", f);
		quote_to(f, set);
		fputc(',', f);
		next++;
		xml_free(v);
		xml_free(set);
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		f = NULL;
		rerr(r, n, "out of memory");
		goto out;
	}
	f = NULL;
	rc = next ? add_raw(r, n, "cpus", buf, (int)libxml.xmlGetLineNo(n)) : 0;
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static int read_os(struct reader *r, xmlNodePtr n)
{
	xmlNodePtr c;
	char *t, *m;
	const char *type;
	int rc;

	for (c = n->children; c; c = c->next) {
		if (is(c, "type")) {
			if (once(r, c, K_TYPE) < 0)
				return -1;
			t = text_of(c);
			m = attr(c, "machine");
			if (t && (strcmp(t, "linux") == 0 || strcmp(t, "xen") == 0))
				type = "pv";
			else if (t && strcmp(t, "xenpvh") == 0)
				type = "pvh";
			else if (t && strcmp(t, "hvm") == 0)
				type = "hvm";
			else
				type = NULL;
			/* machine='xenpvh' also marks PVH in older libvirt. */
			if (type && m && strcmp(m, "xenpvh") == 0)
				type = "pvh";
			if (!type)
				rerr(r, c, "unknown OS type `%.20s' (linux, xenpvh or hvm)",
				     t ? t : "");
			rc = type ? add_string(r, c, "type", type) : -1;
			xml_free(t);
			xml_free(m);
			if (rc < 0)
				return -1;
		} else if (is(c, "kernel")) {
			if (string_elem(r, c, K_KERNEL, "kernel") < 0)
				return -1;
		} else if (is(c, "initrd")) {
			if (string_elem(r, c, K_INITRD, "ramdisk") < 0)
				return -1;
		} else if (is(c, "cmdline")) {
			/* An empty command line is a valid one. */
			if (once(r, c, K_CMDLINE) < 0)
				return -1;
			t = text_of(c);
			rc = add_string(r, c, "cmdline", t ? t : "");
			xml_free(t);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* Check one xl.cfg item with the model's own parser, naming the element. */
static int check_item(struct reader *r, xmlNodePtr n, const char *spec,
                      bool disk)
{
	struct light_disk d;
	struct light_nic nic;
	char msg[256];

	if (disk) {
		if (light_disk_parse(spec, &d, msg, sizeof(msg)) < 0)
			return rerr(r, n, "%s", msg);
		light_disk_dispose(&d);
	} else {
		if (light_nic_parse(spec, &nic, msg, sizeof(msg)) < 0)
			return rerr(r, n, "%s", msg);
		light_nic_dispose(&nic);
	}
	return 0;
}

/* A value that becomes part of a comma separated item must not hold a
 * comma (only a disk's target may, and it goes last). */
static int no_comma(struct reader *r, xmlNodePtr n, const char *what,
                    const char *v)
{
	if (strchr(v, ','))
		return rerr(r, n, "%s `%.40s': a comma cannot be expressed in "
		            "xl.cfg", what, v);
	return 0;
}

static int read_disk(struct reader *r, xmlNodePtr n)
{
	char *type = attr(n, "type"), *device = attr(n, "device");
	char *drv = NULL, *fmt = NULL, *src = NULL, *dev = NULL, *buf = NULL;
	const char *backend = NULL, *access = "rw";
	bool cdrom = false;
	size_t len = 0;
	FILE *f = NULL;
	xmlNodePtr c;
	int rc = -1;

	if (device && strcmp(device, "cdrom") == 0)
		cdrom = true;
	else if (device && strcmp(device, "disk") != 0) {
		rerr(r, n, "device `%.20s' not supported (disk or cdrom)", device);
		goto out;
	}
	if (type && strcmp(type, "file") != 0 && strcmp(type, "block") != 0) {
		rerr(r, n, "type `%.20s' not supported (file or block)", type);
		goto out;
	}
	for (c = n->children; c; c = c->next) {
		if (is(c, "driver")) {
			xml_free(drv);
			xml_free(fmt);
			drv = attr(c, "name");
			fmt = attr(c, "type");
		} else if (is(c, "source")) {
			xml_free(src);
			src = attr(c, "file");
			if (!src)
				src = attr(c, "dev");
		} else if (is(c, "target")) {
			xml_free(dev);
			dev = attr(c, "dev");
		} else if (is(c, "readonly")) {
			access = "ro";
		} else if (is(c, "shareable") && strcmp(access, "ro") != 0) {
			access = "w!";
		}
	}
	if (!dev || !*dev) {
		rerr(r, n, "no <target dev='...'/>");
		goto out;
	}
	if (!src && !cdrom) {
		rerr(r, n, "no <source file='...'/> or <source dev='...'/>");
		goto out;
	}
	if (drv) {
		if (strcmp(drv, "phy") == 0)
			backend = "phy";
		else if (strcmp(drv, "qemu") == 0)
			backend = "qdisk";
		else if (strcmp(drv, "tap") == 0 || strcmp(drv, "tap2") == 0)
			backend = "tap";
		else if (strcmp(drv, "file") != 0) {
			rerr(r, n, "driver `%.20s' not supported (phy, qemu, tap, file)",
			     drv);
			goto out;
		}
	}
	if (no_comma(r, n, "target dev", dev) < 0 ||
	    (fmt && no_comma(r, n, "driver type", fmt) < 0))
		goto out;
	if (!(f = open_memstream(&buf, &len))) {
		rerr(r, n, "out of memory");
		goto out;
	}
	fprintf(f, "format=%s, vdev=%s, access=%s", fmt ? fmt : "raw", dev,
	        cdrom ? "ro" : access);
	if (backend)
		fprintf(f, ", backendtype=%s", backend);
	if (cdrom)
		fputs(", devtype=cdrom", f);
	if (src)
		fprintf(f, ", target=%s", src);
	if (fclose(f) != 0) {
		f = NULL;
		rerr(r, n, "out of memory");
		goto out;
	}
	f = NULL;
	if (check_item(r, n, buf, true) < 0)
		goto out;
	if (!r->disks_line)
		r->disks_line = (int)libxml.xmlGetLineNo(n);
	quote_to(r->disks, buf);
	fputc(',', r->disks);
	rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	xml_free(type);
	xml_free(device);
	xml_free(drv);
	xml_free(fmt);
	xml_free(src);
	xml_free(dev);
	return rc;
}

static int read_interface(struct reader *r, xmlNodePtr n)
{
	static const struct { const char *elem, *attr, *key; } fields[] = {
		{ "mac", "address", "mac" },
		{ "source", "bridge", "bridge" },
		{ "script", "path", "script" },
		{ "target", "dev", "vifname" },
		{ "model", "type", "model" },
		{ "backenddomain", "name", "backend" },
		{ "mtu", "size", "mtu" },
	};
	char *type = attr(n, "type"), *buf = NULL, *v;
	const char *sep = "", *ipsep = "";
	size_t len = 0, i;
	FILE *f = NULL, *ips = NULL;
	char *ipbuf = NULL;
	size_t iplen = 0;
	xmlNodePtr c;
	int rc = -1;

	if (type && strcmp(type, "bridge") != 0 && strcmp(type, "ethernet") != 0) {
		rerr(r, n, "type `%.20s' not supported (bridge or ethernet)", type);
		goto out;
	}
	if (!(f = open_memstream(&buf, &len)) ||
	    !(ips = open_memstream(&ipbuf, &iplen))) {
		rerr(r, n, "out of memory");
		goto out;
	}
	for (c = n->children; c; c = c->next) {
		if (is(c, "ip")) {
			v = attr(c, "address");
			if (!v || !*v || strchr(v, ' ') || no_comma(r, c, "address", v) < 0) {
				if (!v || !*v || strchr(v, ' '))
					rerr(r, c, "needs address='...'");
				xml_free(v);
				goto out;
			}
			fprintf(ips, "%s%s", ipsep, v);
			ipsep = " ";
			xml_free(v);
			continue;
		}
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (!is(c, fields[i].elem))
				continue;
			v = attr(c, fields[i].attr);
			if (!v)
				break;     /* e.g. <source network=...>: not ours */
			/* A live guest's vifD.N is its name, not a setting. */
			if (strcmp(fields[i].key, "vifname") == 0 &&
			    strncmp(v, "vif", 3) == 0 && strchr(v, '.') &&
			    strspn(v + 3, "0123456789.") == strlen(v + 3)) {
				xml_free(v);
				break;
			}
			if (no_comma(r, c, fields[i].attr, v) < 0) {
				xml_free(v);
				goto out;
			}
			fprintf(f, "%s%s=%s", sep, fields[i].key, v);
			sep = ",";
			xml_free(v);
			break;
		}
	}
	if (fclose(ips) != 0) {
		ips = NULL;
		rerr(r, n, "out of memory");
		goto out;
	}
	ips = NULL;
	if (ipbuf && *ipbuf)
		fprintf(f, "%sip=%s", sep, ipbuf);
	if (fclose(f) != 0) {
		f = NULL;
		rerr(r, n, "out of memory");
		goto out;
	}
	f = NULL;
	if (check_item(r, n, buf, false) < 0)
		goto out;
	if (!r->nics_line)
		r->nics_line = (int)libxml.xmlGetLineNo(n);
	quote_to(r->nics, buf);
	fputc(',', r->nics);
	rc = 0;
out:
	if (f)
		fclose(f);
	if (ips)
		fclose(ips);
	free(buf);
	free(ipbuf);
	xml_free(type);
	return rc;
}

static int read_devices(struct reader *r, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c; c = c->next) {
		if (is(c, "disk") && read_disk(r, c) < 0)
			return -1;
		if (is(c, "interface") && read_interface(r, c) < 0)
			return -1;
	}
	return 0;
}

static int read_action(struct reader *r, xmlNodePtr n, enum key k,
                       const char *key)
{
	/* The names are xl.cfg's; the model checks them and names the line. */
	return string_elem(r, n, k, key);
}

static int read_domain(struct reader *r, xmlNodePtr root)
{
	char *type = attr(root, "type"), num[32];
	uint64_t kib;
	xmlNodePtr n;
	int rc = -1;

	if (!type || strcmp(type, "xen") != 0) {
		rerr(r, root, "type `%.20s': only type='xen' describes a Xen guest",
		     type ? type : "");
		goto out;
	}
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "name")) {
			if (string_elem(r, n, K_NAME, "name") < 0)
				goto out;
		} else if (is(n, "uuid")) {
			if (string_elem(r, n, K_UUID, "uuid") < 0)
				goto out;
		} else if (is(n, "memory") || is(n, "currentMemory")) {
			bool cur = is(n, "currentMemory");
			if (once(r, n, cur ? K_CURMEM : K_MEMORY) < 0 ||
			    memory_kib(r, n, &kib) < 0)
				goto out;
			snprintf(num, sizeof(num), "%" PRIu64, (kib + 1023) / 1024);
			if (add_raw(r, n, cur ? "memory" : "maxmem", num,
			            (int)libxml.xmlGetLineNo(n)) < 0)
				goto out;
		} else if (is(n, "vcpu")) {
			if (once(r, n, K_VCPU) < 0 || read_vcpu(r, n) < 0)
				goto out;
		} else if (is(n, "cputune")) {
			if (once(r, n, K_CPUTUNE) < 0 || read_cputune(r, n) < 0)
				goto out;
		} else if (is(n, "os")) {
			if (once(r, n, K_OS) < 0 || read_os(r, n) < 0)
				goto out;
		} else if (is(n, "bootloader")) {
			if (string_elem(r, n, K_BOOTLOADER, "bootloader") < 0)
				goto out;
		} else if (is(n, "on_poweroff")) {
			if (read_action(r, n, K_ON_POWEROFF, "on_poweroff") < 0)
				goto out;
		} else if (is(n, "on_reboot")) {
			if (read_action(r, n, K_ON_REBOOT, "on_reboot") < 0)
				goto out;
		} else if (is(n, "on_crash")) {
			if (read_action(r, n, K_ON_CRASH, "on_crash") < 0)
				goto out;
		} else if (is(n, "devices")) {
			if (once(r, n, K_DEVICES) < 0 || read_devices(r, n) < 0)
				goto out;
		}
	}
	if (!r->seen[K_NAME]) {
		rerr(r, root, "no <name>");
		goto out;
	}
	if (!r->seen[K_MEMORY] && !r->seen[K_CURMEM]) {
		rerr(r, root, "no <memory>");
		goto out;
	}
	/* libvirt: without currentMemory the guest gets all of memory. */
	if (r->seen[K_MEMORY] && !r->seen[K_CURMEM]) {
		const struct light_cfg_setting *s = light_cfg_lookup(r->cfg, "maxmem");
		if (add_raw(r, root, "memory", s->value->text, s->line) < 0)
			goto out;
	}
	rc = 0;
out:
	xml_free(type);
	return rc;
}

/* Add the gathered disk= / vif= list, if any item was read. */
static int add_list(struct reader *r, const char *key, FILE **f, char **buf,
                    int line)
{
	char *list = NULL;
	int rc, bad = ferror(*f);

	if (fclose(*f) != 0 || bad) {
		*f = NULL;
		snprintf(r->err, r->errlen, "%s: out of memory", r->source);
		return -1;
	}
	*f = NULL;
	if (!line)
		return 0;
	if (asprintf(&list, "[%s]", *buf) < 0) {
		snprintf(r->err, r->errlen, "%s: out of memory", r->source);
		return -1;
	}
	rc = add_raw(r, NULL, key, list, line);
	free(list);
	return rc;
}

int light_domain_config_from_xml(const char *data, size_t len,
                                 const char *source,
                                 struct light_domain_config *out,
                                 char *err, size_t errlen)
{
	struct reader r = { .source = source ? source : "<xml>", .err = err,
	                    .errlen = errlen };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlErrorPtr e;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > LIGHT_XML_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", r.source,
		         LIGHT_XML_MAX_FILE);
		errno = EFBIG;
		return -1;
	}
	if (lazylib_load(&libxml_lib, err, errlen) < 0)
		return -1;
	r.cfg = light_cfg_new();
	r.disks = open_memstream(&r.disks_buf, &r.disks_len);
	r.nics = open_memstream(&r.nics_buf, &r.nics_len);
	ctxt = libxml.xmlNewParserCtxt();
	if (!r.cfg || !r.disks || !r.nics || !ctxt) {
		snprintf(err, errlen, "%s: out of memory", r.source);
		errno = ENOMEM;
		goto out;
	}
	/* No network, no messages on stderr (we report the error), and no
	 * entity substitution or DTD loading: a document never makes us read
	 * another file. */
	doc = libxml.xmlCtxtReadMemory(ctxt, data, (int)len, r.source, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING);
	if (!doc) {
		e = libxml.xmlCtxtGetLastError(ctxt);
		if (e && e->message) {
			n = strlen(e->message);
			while (n > 0 && e->message[n - 1] == '\n')
				n--;
			snprintf(err, errlen, "%s:%d: not well-formed XML: %.*s",
			         r.source, e->line, (int)n, e->message);
		} else {
			snprintf(err, errlen, "%s: not well-formed XML", r.source);
		}
		errno = EINVAL;
		goto out;
	}
	root = libxml.xmlDocGetRootElement(doc);
	if (!root) {
		snprintf(err, errlen, "%s: empty document", r.source);
		errno = EINVAL;
		goto out;
	}
	if (!is(root, "domain")) {
		rerr(&r, root, "not a libvirt domain: the root element must be "
		     "<domain>");
		goto out;
	}
	if (read_domain(&r, root) < 0)
		goto out;
	if (add_list(&r, "disk", &r.disks, &r.disks_buf, r.disks_line) < 0 ||
	    add_list(&r, "vif", &r.nics, &r.nics_buf, r.nics_line) < 0)
		goto out;
	if (light_domain_config_from_cfg(r.cfg, out, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (r.disks)
		fclose(r.disks);
	if (r.nics)
		fclose(r.nics);
	free(r.disks_buf);
	free(r.nics_buf);
	if (doc)
		libxml.xmlFreeDoc(doc);
	if (ctxt)
		libxml.xmlFreeParserCtxt(ctxt);
	light_cfg_free(r.cfg);
	return rc;
}

/* Read a whole file of at most `max` bytes; malloc'd, NUL-terminated. */
static char *slurp(const char *path, size_t max, size_t *len, char *err,
                   size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(max + 2);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while ((got = read(fd, buf + n, max + 1 - n)) > 0) {
		n += (size_t)got;
		if (n > max)
			break;
	}
	if (got < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (n > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		errno = EFBIG;
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

int light_domain_config_from_xml_file(const char *path,
                                      struct light_domain_config *out,
                                      char *err, size_t errlen)
{
	size_t len;
	char *data = slurp(path, LIGHT_XML_MAX_FILE, &len, err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!data)
		return -1;
	rc = light_domain_config_from_xml(data, len, path, out, err, errlen);
	free(data);
	return rc;
}

bool light_xml_is_domain(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *close;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
		                   *p == '\r'))
			p++;
		if (end - p >= 2 && p[0] == '<' && (p[1] == '?' || p[1] == '!')) {
			/* <?xml ...?> or <!-- ... --> or <!DOCTYPE ...> */
			close = memmem(p, (size_t)(end - p),
			               p[1] == '?' ? "?>" : p[2] == '-' ? "-->" : ">",
			               p[1] == '?' ? 2 : p[2] == '-' ? 3 : 1);
			if (!close)
				return false;
			p = close + (p[1] == '?' ? 2 : p[2] == '-' ? 3 : 1);
			continue;
		}
		break;
	}
	return end - p >= 7 && memcmp(p, "<domain", 7) == 0 &&
	       (end - p == 7 || p[7] == ' ' || p[7] == '>' || p[7] == '\t' ||
	        p[7] == '\n' || p[7] == '\r' || p[7] == '/');
}

/* The first schema error, kept for the message (libxml2 calls this for
 * each; we keep one line). */
struct first_error {
	char *err;
	size_t errlen;
	bool have;
};

static void keep_first(void *arg, xmlErrorPtr e)
{
	struct first_error *fe = arg;
	size_t n;

	if (fe->have || !e || !e->message)
		return;
	n = strlen(e->message);
	while (n > 0 && e->message[n - 1] == '\n')
		n--;
	if (e->node && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE)
		snprintf(fe->err, fe->errlen, "line %ld: element %s: %.*s",
		         libxml.xmlGetLineNo((xmlNodePtr)e->node),
		         (const char *)((xmlNodePtr)e->node)->name, (int)n,
		         e->message);
	else
		snprintf(fe->err, fe->errlen, "line %d: %.*s", e->line, (int)n,
		         e->message);
	fe->have = true;
}

int light_xml_validate(const char *xml, size_t len, const char *rng_path,
                       char *err, size_t errlen)
{
	struct first_error fe = { err, errlen, false };
	xmlRelaxNGParserCtxtPtr pctxt = NULL;
	xmlRelaxNGValidCtxtPtr vctxt = NULL;
	xmlRelaxNGPtr schema = NULL;
	xmlDocPtr doc = NULL;
	int rc = -1, r;

	if (lazylib_load(&libxml_lib, err, errlen) < 0)
		return -1;
	if (access(rng_path, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", rng_path, strerror(errno));
		errno = ENOENT;
		return -1;
	}
	pctxt = libxml.xmlRelaxNGNewParserCtxt(rng_path);
	if (!pctxt) {
		snprintf(err, errlen, "%s: out of memory", rng_path);
		goto out;
	}
	libxml.xmlRelaxNGSetParserStructuredErrors(pctxt, keep_first, &fe);
	schema = libxml.xmlRelaxNGParse(pctxt);
	if (!schema) {
		if (!fe.have)
			snprintf(err, errlen, "%s: not a RELAX NG schema", rng_path);
		goto out;
	}
	doc = libxml.xmlReadMemory(xml, (int)len, "document", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR |
	                    XML_PARSE_NOWARNING);
	if (!doc) {
		snprintf(err, errlen, "not well-formed XML");
		goto out;
	}
	vctxt = libxml.xmlRelaxNGNewValidCtxt(schema);
	if (!vctxt) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fe.have = false;
	libxml.xmlRelaxNGSetValidStructuredErrors(vctxt, keep_first, &fe);
	r = libxml.xmlRelaxNGValidateDoc(vctxt, doc);
	if (r != 0) {
		if (!fe.have)
			snprintf(err, errlen, "does not validate against %s", rng_path);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && errno != ENOENT)
		errno = EINVAL;
	if (vctxt)
		libxml.xmlRelaxNGFreeValidCtxt(vctxt);
	if (schema)
		libxml.xmlRelaxNGFree(schema);
	if (pctxt)
		libxml.xmlRelaxNGFreeParserCtxt(pctxt);
	if (doc)
		libxml.xmlFreeDoc(doc);
	return rc;
}
