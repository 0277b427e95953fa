/*
 * light_info.h - host information, the domain list, and finding a domain
 * by name or id.  Used by `xl info`, `xl list`, `xl domid`, `xl uptime`...
 *
 * All functions follow light_ctx.h's conventions: 0 / -1 with errno and a
 * message in light_errmsg().
 *
 * Threads: these calls take a light_ctx and follow its rule (light_ctx.h):
 * one thread per context at a time; different contexts may run at once.
 */
#ifndef LIGHTSTACK_LIGHT_INFO_H
#define LIGHTSTACK_LIGHT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "light_ctx.h"

struct light_ctx;

/* ---- Host ------------------------------------------------------------ */

/*
 * What `xl info` shows about the machine and the hypervisor.  Memory is in
 * pages of `pagesize` bytes, exactly as Xen reports it; callers convert.
 * Strings are NUL-terminated and truncated to fit.
 */
struct light_host_info {
	/* XEN_SYSCTL_physinfo */
	unsigned nr_cpus, max_cpu_id, nr_nodes, cores_per_socket;
	unsigned threads_per_core;
	unsigned long cpu_khz;
	uint32_t hw_cap[8];
	uint32_t physcaps;              /* LIGHT_PHYSCAP_* bits */
	uint64_t total_pages, free_pages, scrub_pages, outstanding_pages;
	/*
	 * Memory sharing counters (XENMEM_get_sharing_freed_pages /
	 * _shared_pages), in pages.  has_sharing is false when they could
	 * not be read: callers leave them out.
	 */
	bool has_sharing;
	uint64_t sharing_freed_pages, sharing_used_frames;
	/* CPUs in no cpupool (XEN_SYSCTL_CPUPOOL_OP_FREEINFO); -1 if unknown */
	int free_cpus;

	/* XENVER_* */
	int xen_major, xen_minor;
	char xen_extra[16];
	char xen_caps[1024];
	char xen_changeset[64];
	char xen_commandline[1024];
	char cc_compiler[64];
	char cc_compile_by[16];
	char cc_compile_domain[32];
	char cc_compile_date[32];
	bool has_build_id;              /* false: could not be read */
	char build_id[129];             /* XENVER_build_id in hex; "" if
	                                 * Xen was built without one */
	unsigned long pagesize;
	bool has_virt_start;            /* false: could not be read */
	uint64_t virt_start;            /* XENVER_platform_parameters */
	char scheduler[16];             /* "credit", "credit2", ...; "" if unknown */
};

/* light_host_info.physcaps: the same bits as Xen's XEN_SYSCTL_PHYSCAP_*
 * (checked at compile time in info.c), named here so callers need no Xen
 * header. */
#define LIGHT_PHYSCAP_HVM            (1u << 0)
#define LIGHT_PHYSCAP_PV             (1u << 1)
#define LIGHT_PHYSCAP_DIRECTIO       (1u << 2)
#define LIGHT_PHYSCAP_HAP            (1u << 3)
#define LIGHT_PHYSCAP_SHADOW         (1u << 4)
#define LIGHT_PHYSCAP_IOMMU_HAP_PT   (1u << 5)
#define LIGHT_PHYSCAP_VMTRACE        (1u << 6)
#define LIGHT_PHYSCAP_VPMU           (1u << 7)
#define LIGHT_PHYSCAP_GNTTAB_V1      (1u << 8)
#define LIGHT_PHYSCAP_GNTTAB_V2      (1u << 9)

int light_host_info(struct light_ctx *c, struct light_host_info *out);

/* ---- Domains --------------------------------------------------------- */

/* What Xen says about one domain, plus its name from xenstore. */
struct light_dominfo {
	uint32_t domid;
	char name[256];         /* /local/domain/<id>/name; "" if absent */
	bool has_name;          /* false when the node does not exist */
	uint8_t uuid[16];       /* the domain handle */
	bool running, blocked, paused, shutdown, dying;
	unsigned shutdown_reason;   /* SHUTDOWN_*; meaningful if shutdown */
	uint64_t tot_pages, max_pages, outstanding_pages;
	uint64_t cpu_time_ns;
	unsigned vcpus_online, max_vcpu_id;
	uint32_t ssidref, cpupool;
	bool hvm;               /* an HVM container: PVH or HVM */
	bool pvh;               /* ... and PVH (/libxl/<id>/type is "pvh") */
};

/*
 * All domains, in domid order.  *out is malloc'd (free it with free());
 * *n is its length.  Names cost one xenstore read per domain over the one
 * connection (there is no multi-read in the xenstore protocol).
 */
int light_domain_list(struct light_ctx *c, struct light_dominfo **out,
    size_t *n);

/* One domain.  -1/ESRCH if it does not exist. */
int light_domain_info(struct light_ctx *c, uint32_t domid,
    struct light_dominfo *out);

/*
 * Finding a domain by name.
 *
 * Xenstore only maps id -> name (/local/domain/<id>/name); scanning every
 * domain to map a name back costs a read per domain.  So liblight keeps an
 * index in xenstore:
 *
 *     /tool/lightstack/names/<name> = "<domid>"
 *
 * light_init_dom0() creates the index directory and the Domain-0 entry;
 * whoever creates or renames a domain adds its entry (light_name_index_add,
 * preferably in the same transaction that writes the name) and whoever
 * destroys it removes it (light_name_index_remove).
 *
 * light_domain_lookup(name):
 *   - all digits: the number itself (0..UINT32_MAX, no existence check,
 *     as upstream xl does; ERANGE if too big);
 *   - else read the index entry, then check /local/domain/<id>/name still
 *     says that name (two reads, whatever the number of domains);
 *   - entry absent (a domain another toolstack created, or a host not
 *     set up by light_init_dom0): scan every domain's name, like
 *     upstream; the index is a cache, /local/domain/<id>/name the truth;
 *   - entry stale (that domain is gone or renamed): remove it (if it
 *     still holds what was read), then scan.
 * Lightstack's xenstored also drops the entries of a domain it releases
 * (whoever destroyed it), so stale entries are rare.
 * A name may hold bytes a xenstore path may not ('.', ' ', ...): the key
 * is the name with each byte outside [A-Za-z0-9_-] written "@xx" (hex),
 * e.g. "web.1" -> /tool/lightstack/names/web@2e1.
 * Returns 0 and sets *domid, or -1 with errno ENOENT (no such name),
 * EINVAL (empty string), ERANGE, or an I/O error.
 */
int light_domain_lookup(struct light_ctx *c, const char *name_or_id,
    uint32_t *domid);

/* The name-only half of light_domain_lookup(): "3" is looked up as a
 * name.  Same index rules and errors. */
int light_domain_by_name(struct light_ctx *c, const char *name,
    uint32_t *domid);

/* The name of a domain (malloc'd), or NULL with errno ENOENT if it has
 * none (no /local/domain/<id>/name). */
char *light_domain_name(struct light_ctx *c, uint32_t domid);

/*
 * Maintain the name index.  `t` is a xenstore transaction id (0 for
 * none); the number is written as decimal text.  Removing an absent entry
 * is not an error.
 */
int light_name_index_add(struct light_ctx *c, uint32_t t, const char *name,
    uint32_t domid);
int light_name_index_remove(struct light_ctx *c, uint32_t t,
    const char *name);

/*
 * Claim `name` for domid inside transaction t (never 0): like
 * light_name_index_add(), but -1 with EEXIST ("domain with name ... already
 * exists") when the entry names another domain that still has the name.
 * Because the entry is read in t, concurrent creators of one name cannot
 * all win: the losers' commits fail with EAGAIN and their retry sees the
 * winner.
 */
int light_name_claim(struct light_ctx *c, uint32_t t, const char *name,
    uint32_t domid);

/*
 * Seconds since the domain started: Dom0 from /proc/uptime's first field,
 * other domains from <vm>/start_time where <vm> is /local/domain/<id>/vm
 * (written at creation, as upstream does).  `now` is the current time
 * (time(NULL)), passed in so one command uses one clock reading.
 * -1/ENOENT when the start time is not recorded.
 */
int light_domain_uptime(struct light_ctx *c, uint32_t domid, long now,
    unsigned long *seconds);

/* The name of cpupool `poolid` (/local/pool/<id>/name, malloc'd), or NULL
 * with errno ENOENT. */
char *light_cpupool_name(struct light_ctx *c, uint32_t poolid);

/* ---- Hypervisor console ---------------------------------------------- */

/* Xen's console ring (`xl dmesg`).  *buf is malloc'd, *len bytes, plus a
 * NUL.  With clear, Xen empties the ring after reading. */
int light_xen_dmesg(struct light_ctx *c, bool clear, char **buf,
    size_t *len);

/* ---- Dom0 ------------------------------------------------------------ */

/*
 * Write the Domain-0 entries tools expect, as upstream's xen-init-dom0:
 * /local/domain/0/domid = "0", /local/domain/0/name = "Domain-0",
 * /local/pool/0/name = "Pool-0" (at boot Xen has this one cpupool), the
 * name index directory and its Domain-0 entry; and, if uuid is not NULL,
 * set Dom0's handle first.  All entries are written in one transaction.
 * Returns 1 (not an error) if Dom0 was already set up, 0 when done.
 */
int light_init_dom0(struct light_ctx *c, const uint8_t *uuid);

#endif /* LIGHTSTACK_LIGHT_INFO_H */
