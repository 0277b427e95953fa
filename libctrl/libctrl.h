/*
 * libctrl.h - Lightstack's Xen control library (what libxenctrl is to the
 * upstream toolstack): typed wrappers around the domctl, sysctl, memory,
 * event channel and scheduler hypercalls a Dom0 toolstack needs, plus
 * foreign memory mapping for the domain builder.
 *
 * Link with liblightstack-ctrl (pkg-config lightstack-ctrl).  Targets Xen
 * 4.17 on x86_64: XEN_DOMCTL_INTERFACE_VERSION and
 * XEN_SYSCTL_INTERFACE_VERSION 0x15.  A hypervisor speaking another
 * interface version refuses domctls/sysctls with EACCES, and the error
 * message says so.
 *
 * Conventions:
 *  - Functions return 0 (or a non-negative value) on success, -1 with errno
 *    set on failure (pointer-returning ones NULL with errno).  errno carries
 *    Xen's error code (same numbers as Linux on x86), e.g. ESRCH for "no
 *    such domain", EEXIST for a domain id in use, EACCES for a wrong
 *    interface version or missing privilege.
 *  - The handle keeps a one-line message naming the failed operation and
 *    domain, e.g. "XEN_DOMCTL_pausedomain dom 5: No such process"; read it
 *    with ctrl_errmsg().  The library never prints and never exits.
 *  - A handle is not thread-safe: use one per thread.  Handles are not
 *    inherited across exec (all fds are close-on-exec); after fork() the
 *    child must open its own handle.
 *  - Domain ids are uint32_t for convenience; valid guest ids are below
 *    DOMID_FIRST_RESERVED (0x7ff0).
 */
#ifndef LIGHTSTACK_LIBCTRL_H
#define LIGHTSTACK_LIBCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* We are toolstack code: ask Xen's headers for the tools-only interface
 * (domctl/sysctl, the latest __XEN_INTERFACE_VERSION__).  Defined here so
 * that every file including this header sees the same struct layouts
 * whatever it includes next. */
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif

/* Xen's public ABI headers (libxen-dev), for the XEN_DOMCTL_CDF_*,
 * SHUTDOWN_*, XENMEM_resource_*, VIRQ_* ... constants and the x86_64 vCPU
 * context layout used by ctrl_vcpu_setcontext(). */
#include <xen/xen.h>
#include <xen/sched.h>          /* SHUTDOWN_* */
#if defined(__GNUC__) && !defined(__STRICT_ANSI__)
#include <xen/foreign/x86_64.h>
#else
/* xen/foreign/x86_64.h only compiles as GNU C (it needs an alignment
 * attribute); on x86_64 the native context has the very same layout. */
typedef vcpu_guest_context_t vcpu_guest_context_x86_64_t;
#endif

struct ctrl_handle;

/* ---- Handle --------------------------------------------------------- */

/* Open /dev/xen/privcmd.  NULL with errno on failure: ENOENT when this is
 * not a Xen domain or the xen-privcmd module / xenfs is not loaded, EACCES
 * when not root. */
struct ctrl_handle *ctrl_open(void);

/* Like ctrl_open(), and on failure also writes a one-line explanation
 * ("cannot open /dev/xen/privcmd: No such file or directory (not running on
 * Xen, or xen-privcmd not loaded)") into err[errlen] (if err is non-NULL). */
struct ctrl_handle *ctrl_open_err(char *err, size_t errlen);

void ctrl_close(struct ctrl_handle *h);

/* The last failure on this handle, one line, never NULL. */
const char *ctrl_errmsg(const struct ctrl_handle *h);

/* ---- Hypervisor and host -------------------------------------------- */

/* Everything XENVER_* reports; strings are NUL-terminated (truncated if
 * Xen's were longer). */
struct ctrl_version {
	int major, minor;          /* XENVER_version: 4, 17 */
	char extra[16];            /* XENVER_extraversion: ".3" or "-unstable" */
	char capabilities[1024];   /* "xen-3.0-x86_64 hvm-3.0-x86_32 ..." */
	char changeset[64];
	char compiler[64];         /* XENVER_compile_info */
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
	unsigned long pagesize;    /* XENVER_pagesize */
	char cmdline[1024];        /* XENVER_commandline */
};
int ctrl_xen_version(struct ctrl_handle *h, struct ctrl_version *v);

/* XEN_SYSCTL_physinfo.  Memory figures are in pages of 4 KiB. */
struct ctrl_physinfo {
	unsigned threads_per_core, cores_per_socket, nr_cpus, max_cpu_id,
	         nr_nodes, max_node_id;
	unsigned long cpu_khz;
	uint32_t capabilities;      /* XEN_SYSCTL_PHYSCAP_* (hvm, pv, ...) */
	uint32_t arch_capabilities; /* XEN_SYSCTL_PHYSCAP_X86_* */
	uint64_t total_pages, free_pages, scrub_pages, outstanding_pages,
	         max_mfn;
	uint32_t hw_cap[8];
};
int ctrl_physinfo(struct ctrl_handle *h, struct ctrl_physinfo *p);

/* The running scheduler (XEN_SYSCTL_sched_id): *id gets XEN_SCHEDULER_*. */
int ctrl_sched_id(struct ctrl_handle *h, unsigned *id);
/* "credit", "credit2", "arinc653", "rtds", "null", or "unknown". */
const char *ctrl_sched_name(unsigned id);

/* Xen's console ring (XEN_SYSCTL_readconsole), as `xl dmesg` shows it.
 * *buf is malloc'd and NUL-terminated (*len excludes the NUL); free() it.
 * With clear, the ring is emptied after reading. */
int ctrl_readconsole(struct ctrl_handle *h, bool clear, char **buf,
                     size_t *len);
/* Incremental form, for following the log: with from_start the whole ring
 * is read, otherwise only what came after *index; *index is updated to the
 * end of what was read.  Data overwritten in the ring since *index is lost
 * (reading restarts at the oldest data still there). */
int ctrl_readconsole_incr(struct ctrl_handle *h, uint32_t *index,
                          bool from_start, char **buf, size_t *len);

/* XENVER_platform_parameters: the hypervisor's virtual start address
 * (upstream `xl info` prints it as platform_params). */
int ctrl_platform_parameters(struct ctrl_handle *h, uint64_t *virt_start);

/* XENVER_build_id: the hypervisor's build id (an ELF note, usually a
 * 20-byte SHA-1) written into hex[len] as lower-case hex, NUL-terminated,
 * as upstream prints it.  Returns the id's length in bytes.  -1/ENODATA
 * when Xen was built without one; -1/ENOBUFS when hex is too small
 * (needs 2 * bytes + 1). */
int ctrl_build_id(struct ctrl_handle *h, char *hex, size_t len);

/* ---- CPU pools ------------------------------------------------------ */

/* CPUs in no cpupool (XEN_SYSCTL_CPUPOOL_OP_FREEINFO).  *cpumap is a
 * malloc'd bitmap of *nbytes bytes (free() it), bit i of byte i/8 being
 * physical CPU i, sized for the host's max_cpu_id.  `xl info` shows the
 * number of set bits as free_cpus. */
int ctrl_cpupool_freeinfo(struct ctrl_handle *h, uint8_t **cpumap,
                          size_t *nbytes);

/* One cpupool (XEN_SYSCTL_CPUPOOL_OP_INFO). */
struct ctrl_cpupool {
	uint32_t id;
	unsigned sched_id;         /* XEN_SCHEDULER_*: see ctrl_sched_name() */
	unsigned n_dom;            /* domains in the pool */
	uint8_t *cpumap;           /* malloc'd, `nbytes` bytes; free() it */
	size_t nbytes;
};

/* The pool with the smallest id >= poolid: Xen answers INFO that way, so
 * walking all pools is `for (id = 0; ctrl_cpupool_info(h, id, &p) == 0;
 * id = p.id + 1)`, ending with -1/ENOENT past the last pool.  Whether
 * the returned pool is the one asked for is the caller's check (p.id). */
int ctrl_cpupool_info(struct ctrl_handle *h, uint32_t poolid,
                      struct ctrl_cpupool *out);

/* ---- Domain information --------------------------------------------- */

/* One domain, decoded from xen_domctl_getdomaininfo. */
struct ctrl_dominfo {
	uint32_t domid;
	uint32_t flags;            /* raw XEN_DOMINF_* */
	bool dying, shutdown, paused, blocked, running, hvm, dom0; /* decoded */
	bool debugged, xs_domain, hap;
	unsigned shutdown_reason;  /* SHUTDOWN_* when shutdown is set */
	uint64_t tot_pages, max_pages, outstanding_pages, shr_pages,
	         paged_pages, shared_info_frame;
	uint64_t cpu_time_ns;
	unsigned nr_online_vcpus;
	unsigned max_vcpu_id;      /* XEN_INVALID_MAX_VCPU_ID if no vcpus */
	uint32_t ssidref, cpupool;
	unsigned gpaddr_bits;
	uint8_t handle[16];        /* the domain's UUID (binary) */
};

/* The domain with exactly this id.  -1/ESRCH when it does not exist (Xen
 * 4.17's getdomaininfo answers with the next domain >= the id; that is
 * checked here), -1/EINVAL for a reserved id (>= 0x7ff0). */
int ctrl_domain_getinfo(struct ctrl_handle *h, uint32_t domid,
                        struct ctrl_dominfo *out);

/* Every domain, in id order, via XEN_SYSCTL_getdomaininfolist in batches.
 * *out is one malloc'd array of *n entries (free(*out)); NULL when *n==0. */
int ctrl_domain_list(struct ctrl_handle *h, struct ctrl_dominfo **out,
                     size_t *n);

/* vCPU state (XEN_DOMCTL_getvcpuinfo). */
struct ctrl_vcpuinfo {
	bool online, blocked, running;
	uint64_t cpu_time_ns;
	unsigned cpu;              /* physical CPU it runs / last ran on */
};
int ctrl_vcpu_getinfo(struct ctrl_handle *h, uint32_t domid, unsigned vcpu,
                      struct ctrl_vcpuinfo *out);

/* ---- Domain lifecycle ----------------------------------------------- */

/* Parameters of XEN_DOMCTL_createdomain.  A zeroed struct plus max_vcpus
 * gives a plain PV guest: zero means "the usual default" for the fields
 * marked so (Xen would reject or cripple a domain given a literal 0). */
struct ctrl_createdomain {
	uint32_t flags;            /* XEN_DOMCTL_CDF_* (0 for PV) */
	uint8_t handle[16];        /* UUID */
	unsigned max_vcpus;        /* required, >= 1 */
	unsigned max_evtchn_port;  /* 0: 1023 (upstream's default) */
	int max_grant_frames;      /* 0 or <0: Xen's default */
	int max_maptrack_frames;   /* 0 or <0: Xen's default */
	uint32_t ssidref;
	int grant_opts;            /* XEN_DOMCTL_GRANT_version(v); 0: v1 */
	uint32_t iommu_opts;       /* XEN_DOMCTL_IOMMU_* */
	uint32_t cpupool_id;       /* 0: default pool */
	uint32_t emulation_flags;  /* x86 XEN_X86_EMU_*: 0 for PV */
	uint32_t misc_flags;       /* x86 XEN_X86_MSR_RELAXED, ... */
};

/* Create a domain.  *domid in: the wanted id, 0 for "any free id"; out:
 * the new domain's id.  The domain starts paused with no memory. */
int ctrl_domain_create(struct ctrl_handle *h, uint32_t *domid,
                       const struct ctrl_createdomain *c);
int ctrl_domain_pause(struct ctrl_handle *h, uint32_t domid);
int ctrl_domain_unpause(struct ctrl_handle *h, uint32_t domid);
/* Destroy a domain.  Waits out Xen's EAGAIN (teardown still in progress)
 * until the domain is dying with its memory released, or failed. */
int ctrl_domain_destroy(struct ctrl_handle *h, uint32_t domid);
/* Shut a domain down as if it asked itself (SCHEDOP_remote_shutdown);
 * reason is SHUTDOWN_poweroff, _reboot, _suspend, _crash, ... */
int ctrl_domain_shutdown(struct ctrl_handle *h, uint32_t domid,
                         unsigned reason);
/* Memory limit in KiB (XEN_DOMCTL_max_mem). */
int ctrl_domain_max_mem(struct ctrl_handle *h, uint32_t domid,
                        uint64_t max_kb);
/* Allocate the domain's vCPUs (XEN_DOMCTL_max_vcpus).  Still required in
 * Xen 4.17 after ctrl_domain_create() and before any vCPU context is set;
 * max must equal the max_vcpus given at creation. */
int ctrl_domain_max_vcpus(struct ctrl_handle *h, uint32_t domid,
                          unsigned max);
/* PV guest address width: 64 (or 32 for a 32-bit PV guest). */
int ctrl_domain_set_address_size(struct ctrl_handle *h, uint32_t domid,
                                 unsigned bits);
/* Make domid a device model / stub domain of target (XEN_DOMCTL_set_target). */
int ctrl_domain_set_target(struct ctrl_handle *h, uint32_t domid,
                           uint32_t target);
/* Set the domain's UUID (XEN_DOMCTL_setdomainhandle). */
int ctrl_domain_set_handle(struct ctrl_handle *h, uint32_t domid,
                           const uint8_t handle[16]);

/* One E820 entry as Xen reads it (20 bytes, packed). */
struct ctrl_e820entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;             /* 1 RAM, 2 reserved, ... */
} __attribute__((packed));
#define CTRL_E820_RAM      1
#define CTRL_E820_RESERVED 2
#define CTRL_E820_MAX      128  /* Xen's limit for one guest map */

/* The guest's pseudo-physical memory map (XENMEM_set_memory_map), as a PV
 * guest reads it back with XENMEM_memory_map. */
int ctrl_domain_set_memory_map(struct ctrl_handle *h, uint32_t domid,
                               const struct ctrl_e820entry *map, unsigned n);

/* ---- HVM containers: PVH and HVM (ctrl_hvm.c) ---------------------- */

/* Turn a zeroed (or PV) ctrl_createdomain into what libxl asks for a PVH
 * guest: XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, and XEN_X86_EMU_LAPIC as
 * the only emulated device. */
void ctrl_createdomain_pvh(struct ctrl_createdomain *c);

/* The same for an HVM guest (type "hvm", with QEMU as device model):
 * XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, and every emulated device Xen
 * has but vPCI (XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI), as libxl asks. */
void ctrl_createdomain_hvm(struct ctrl_createdomain *c);

/* HVM parameters (HVMOP_set_param / HVMOP_get_param), idx an HVM_PARAM_*
 * of xen/hvm/params.h: the xenstore and console rings' frames and event
 * channels of an HVM-container guest are given to it this way. */
int ctrl_hvm_param_set(struct ctrl_handle *h, uint32_t domid, unsigned idx,
                       uint64_t value);
int ctrl_hvm_param_get(struct ctrl_handle *h, uint32_t domid, unsigned idx,
                       uint64_t *value);

/* The domain's whole HVM context (XEN_DOMCTL_gethvmcontext): a stream of
 * save records (struct hvm_save_descriptor + body, xen/hvm/save.h), the
 * HEADER first and END last.  *out is malloc'd, the caller frees it. */
int ctrl_hvm_getcontext(struct ctrl_handle *h, uint32_t domid,
                        unsigned char **out, size_t *len);
/* Load records into the domain (XEN_DOMCTL_sethvmcontext): a HEADER, any
 * records (e.g. one vCPU's CPU record) and END; records not given are left
 * as they are.  The domain must be paused. */
int ctrl_hvm_setcontext(struct ctrl_handle *h, uint32_t domid,
                        const void *data, size_t len);

/* Size the pool HAP's p2m tables come from (XEN_DOMCTL_shadow_op
 * SET_ALLOCATION), in MiB.  Set it before memory is populated. */
int ctrl_domain_set_paging_mb(struct ctrl_handle *h, uint32_t domid,
                              unsigned mb);
/* The pool libxl gives a guest of this size, in KiB (whole MiB). */
uint64_t ctrl_paging_kb(uint64_t maxmem_kb, unsigned max_vcpus);

/* ---- vCPU ----------------------------------------------------------- */

/* Load a vCPU's initial register state (XEN_DOMCTL_setvcpucontext). */
int ctrl_vcpu_setcontext(struct ctrl_handle *h, uint32_t domid,
                         unsigned vcpu, const vcpu_guest_context_x86_64_t *ctx);
/* Read it back (XEN_DOMCTL_getvcpucontext); the domain should be paused. */
int ctrl_vcpu_getcontext(struct ctrl_handle *h, uint32_t domid,
                         unsigned vcpu, vcpu_guest_context_x86_64_t *ctx);

/* Hard CPU affinity of a vCPU (XEN_DOMCTL_{set,get}vcpuaffinity).
 * cpumap is a bitmap of nbytes bytes (1..2048): bit i of byte i/8 is
 * physical CPU i.  Setting writes back the affinity Xen actually applied
 * (it may narrow the map to the CPUs of the domain's pool); getting fills
 * cpumap, clearing bits beyond the host's CPUs. */
int ctrl_vcpu_setaffinity(struct ctrl_handle *h, uint32_t domid,
                          unsigned vcpu, uint8_t *cpumap, size_t nbytes);
int ctrl_vcpu_getaffinity(struct ctrl_handle *h, uint32_t domid,
                          unsigned vcpu, uint8_t *cpumap, size_t nbytes);

/* Hard and soft affinity together (ctrl_vcpu.c).  The hard map is a rule
 * (the vCPU never runs outside it), the soft map a preference.  Either
 * pointer may be NULL to leave that map alone (set) or not read it (get),
 * not both; both maps are nbytes long (1..2048) and get Xen's effective
 * maps written back, as above.  Xen refuses (EINVAL) a hard map with no
 * online CPU of the domain's pool. */
int ctrl_vcpu_affinity_set(struct ctrl_handle *h, uint32_t domid,
                           unsigned vcpu, uint8_t *hard, uint8_t *soft,
                           size_t nbytes);
int ctrl_vcpu_affinity_get(struct ctrl_handle *h, uint32_t domid,
                           unsigned vcpu, uint8_t *hard, uint8_t *soft,
                           size_t nbytes);

/* ---- Scheduler parameters (ctrl_sched.c) ------------------------------ */

/* A domain's credit or credit2 parameters: weight 1..65535 (Xen's default
 * 256), cap in percent of one CPU, 0 for none.  Xen keeps them per
 * scheduler; sched_id (XEN_SCHEDULER_CREDIT or _CREDIT2) must be the
 * scheduler of the domain's cpupool, else Xen answers EINVAL.  Other
 * schedulers: -1/EOPNOTSUPP.  Setting takes both numbers as they are
 * (read, change, write to keep one). */
struct ctrl_sched_domain {
	unsigned weight;
	unsigned cap;
};
int ctrl_sched_domain_get(struct ctrl_handle *h, uint32_t domid,
                          unsigned sched_id, struct ctrl_sched_domain *out);
int ctrl_sched_domain_set(struct ctrl_handle *h, uint32_t domid,
                          unsigned sched_id,
                          const struct ctrl_sched_domain *in);

/* A cpupool's scheduler-wide parameters (XEN_SYSCTL_scheduler_op).  credit
 * uses all three; credit2 only ratelimit_us (the others read as 0 and are
 * ignored when setting).  sched_id must be the pool's scheduler (EINVAL
 * otherwise); Xen range-checks the values (EINVAL). */
struct ctrl_sched_pool {
	unsigned tslice_ms;        /* credit: time slice */
	unsigned ratelimit_us;     /* minimum run time before preemption */
	unsigned migr_delay_us;    /* credit: vCPU cache-hot time */
};
int ctrl_sched_pool_get(struct ctrl_handle *h, uint32_t poolid,
                        unsigned sched_id, struct ctrl_sched_pool *out);
int ctrl_sched_pool_set(struct ctrl_handle *h, uint32_t poolid,
                        unsigned sched_id, const struct ctrl_sched_pool *in);

/* ---- Event channels ------------------------------------------------- */

/* A new unbound port in domid that remote_domid may bind to
 * (EVTCHNOP_alloc_unbound).  Returns the port, or -1. */
int ctrl_evtchn_alloc_unbound(struct ctrl_handle *h, uint32_t domid,
                              uint32_t remote_domid);

/* ---- Memory --------------------------------------------------------- */

/* XENMEM_populate_physmap: give domid nr_extents extents of 2^extent_order
 * pages.  extents[] in: the guest frame numbers to populate; out: for a PV
 * guest, the machine frames backing them.  mem_flags: XENMEMF_*.  Returns
 * how many extents were populated (fewer than asked when Xen ran out of
 * memory or hit the domain's limit), or -1. */
long ctrl_populate_physmap(struct ctrl_handle *h, uint32_t domid,
                           unsigned long nr_extents, unsigned extent_order,
                           unsigned mem_flags, uint64_t *extents);
/* XENMEM_decrease_reservation: release the given guest frames.  Returns how
 * many extents were released, or -1. */
long ctrl_decrease_reservation(struct ctrl_handle *h, uint32_t domid,
                               unsigned long nr_extents,
                               unsigned extent_order, const uint64_t *extents);
/*
 * XENMEM_claim_pages: reserve Xen's free memory so that the domain can
 * grow to `pages` in total (what it holds counts), without allocating it;
 * other allocations cannot take it meanwhile.  0 releases the claim
 * (Xen releases it too when the domain dies).  The claim must be above
 * what the domain holds and within its max_mem.  -1/ENOMEM when Xen has
 * not that much free.
 */
int ctrl_domain_claim_pages(struct ctrl_handle *h, uint32_t domid,
                            unsigned long pages);
/* XENMEM_current_reservation: pages the domain holds now. */
long ctrl_domain_current_pages(struct ctrl_handle *h, uint32_t domid);
/* XENMEM_maximum_gpfn: the highest guest frame number in use. */
long ctrl_domain_maximum_gpfn(struct ctrl_handle *h, uint32_t domid);

/* Memory sharing counters (XENMEM_get_sharing_freed_pages and
 * XENMEM_get_sharing_shared_pages): pages saved by sharing, and frames
 * currently shared.  Both are 0 on a host that does not share memory.
 * Return the count, or -1. */
long ctrl_sharing_freed_pages(struct ctrl_handle *h);
long ctrl_sharing_used_pages(struct ctrl_handle *h);

/* ---- Mapping another domain's memory -------------------------------- */

/* Map n frames of domid contiguously; prot is PROT_READ|PROT_WRITE etc.
 * gfns are the guest's frame numbers (for a PV guest: machine frames).
 * NULL on any failure, including any single page failing.  Unmap with
 * ctrl_unmap(addr, n). */
void *ctrl_map_foreign(struct ctrl_handle *h, uint32_t domid, int prot,
                       const uint64_t *gfns, size_t n);
/* Same, but per-page errors (0 or -errno) go to errs[n] and the call
 * succeeds as long as the mapping itself could be made. */
void *ctrl_map_foreign_errs(struct ctrl_handle *h, uint32_t domid, int prot,
                            const uint64_t *gfns, int *errs, size_t n);
/* Map frames frame..frame+nr-1 of a domain resource (XENMEM_resource_*,
 * e.g. XENMEM_resource_grant_table id XENMEM_resource_grant_table_id_shared
 * for the grant table).  Unmap with ctrl_unmap(addr, nr). */
void *ctrl_map_resource(struct ctrl_handle *h, uint32_t domid, unsigned type,
                        unsigned id, unsigned long frame, size_t nr, int prot);
/* Size of such a resource in frames, or -1. */
long ctrl_resource_size(struct ctrl_handle *h, uint32_t domid, unsigned type,
                        unsigned id);
/* Unmap npages mapped by one of the functions above. */
int ctrl_unmap(void *addr, size_t npages);

/* ---- PV page tables ------------------------------------------------- */

/* Pin mfn as a level-`level` page table (1..4) of domid: MMUEXT_PIN_L<n>_TABLE
 * issued with domid as the foreign domain.  A PV guest's top-level table
 * must be pinned before its vCPU context can point at it. */
int ctrl_mmuext_pin_table(struct ctrl_handle *h, uint32_t domid,
                          unsigned level, uint64_t mfn);

/* ---- Shared rings of other domains (xenstore, console) ------------ */

/*
 * A guest shares one page with each PV backend that serves it without a
 * device model: its xenstore ring and its console ring.  There are two
 * ways to reach such a page.  The toolstack writes a grant for it into a
 * reserved entry of the guest's grant table (GNTTAB_RESERVED_XENSTORE,
 * GNTTAB_RESERVED_CONSOLE in xen/grant_table.h); mapping that grant
 * through gntdev works for every guest type and needs no knowledge of the
 * guest's memory.  The guest also publishes the page's frame number (a
 * machine frame for PV), which can be mapped as foreign memory through
 * privcmd; that is the only way when gntdev is missing or the grant was
 * never set up.  The daemons want "the grant, else the frame", and get it
 * here in one place.
 *
 * struct ctrl_ring is a mapped page and how it was mapped, so that
 * ctrl_ring_unmap() gives it back the right way (a grant mapping must be
 * released through gntdev, not munmap alone).  A zeroed struct is
 * "unmapped"; unmapping that is a no-op.
 */
struct ctrl_ring {
	void *page;                /* one 4 KiB page, read-write; NULL if none */
	uint32_t domid;
	bool by_grant;             /* through gntdev, else a foreign mapping */
};

#define CTRL_RING_NO_GRANT   0x1u  /* skip the grant: foreign frame only */
#define CTRL_RING_NO_FOREIGN 0x2u  /* the grant only, no fallback */

/* Map domid's ring page: grant `gref` through gntdev first (gntdev is
 * opened on first use and kept with the handle; if it cannot be opened,
 * every later call goes straight to the frame), then `frame` as foreign
 * memory.  Returns 0 and fills *r, or -1 with errno from the last way
 * tried and a message naming both attempts ("ring of dom 5: grant 1:
 * ...; frame 0x1234: ..."). */
int ctrl_ring_map(struct ctrl_handle *h, uint32_t domid, uint32_t gref,
                  uint64_t frame, unsigned flags, struct ctrl_ring *r);
/* Unmap a ring mapped by ctrl_ring_map (h may be NULL for a foreign
 * mapping) and zero *r.  Returns 0, or -1 with errno. */
int ctrl_ring_unmap(struct ctrl_handle *h, struct ctrl_ring *r);

/* Dom0's own xenstore page and event channel, which the kernel set up at
 * boot (xenfs /proc/xen/xsd_kva and xsd_port): the xenstore daemon serves
 * Dom0 over these.  Map: 0 and *r filled (unmap with ctrl_ring_unmap), or
 * -1 with errno.  Port: the port number, or -1. */
int ctrl_ring_dom0_xenstore(struct ctrl_ring *r);
int ctrl_dom0_xenstore_port(void);

/* True when this kernel has Xen's privcmd interface (cheap, opens
 * nothing); true when /proc/xen/capabilities says control_d (Dom0). */
bool ctrl_xen_present(void);
bool ctrl_is_control_domain(void);

/* ---- Event channels of a backend (/dev/xen/evtchn) ----------------- */

/*
 * A backend daemon's own event channel ports: bound to a guest's port or
 * to a virtual IRQ, notified, and waited for through one fd that poll(2)
 * reports readable when a bound port fired.  Thin, so that a daemon needs
 * no header but this one; semantics are those of Linux's evtchn device:
 *   - a port bound with ctrl_evtchn_bind_interdomain() fires once right
 *     away (so a notification sent before the bind is not lost);
 *   - after ctrl_evtchn_pending() returns a port, it stays masked until
 *     ctrl_evtchn_unmask().
 * Each call returns 0 (bind: the local port) or -1 with errno; the handle
 * keeps a one-line message (ctrl_evtchn_errmsg).
 */
struct ctrl_evtchn;

struct ctrl_evtchn *ctrl_evtchn_open(void);
void ctrl_evtchn_close(struct ctrl_evtchn *e);
int ctrl_evtchn_fd(const struct ctrl_evtchn *e);
const char *ctrl_evtchn_errmsg(const struct ctrl_evtchn *e);
int ctrl_evtchn_bind_interdomain(struct ctrl_evtchn *e, uint32_t domid,
                                 uint32_t remote_port);
int ctrl_evtchn_bind_virq(struct ctrl_evtchn *e, unsigned virq);
int ctrl_evtchn_unbind(struct ctrl_evtchn *e, uint32_t port);
int ctrl_evtchn_notify(struct ctrl_evtchn *e, uint32_t port);
/* Next pending port, or -1 with errno EAGAIN when none is. */
int ctrl_evtchn_pending(struct ctrl_evtchn *e);
int ctrl_evtchn_unmask(struct ctrl_evtchn *e, uint32_t port);

/* ---- Core dumps (`xl dump-core`) ---------------------------------- */

/*
 * A domain's core file in the layout of upstream's `xl dump-core`
 * (libxenguest's xg_core.c), so crash(8) and Xen's own tools read it:
 *
 *   ELF64 header (ET_CORE, EM_X86_64), no program headers
 *   section headers, right after the ELF header:
 *     [0] null  [1] .shstrtab  [2] .note.Xen  [3] .xen_prstatus
 *     [4] .xen_shared_info (when the shared info page could be mapped)
 *     then .xen_pages and .xen_p2m (PV) or .xen_pfn (HVM/PVH)
 *   .note.Xen: four notes named "Xen": DUMPCORE_NONE (empty),
 *     DUMPCORE_HEADER {magic 0xF00FEBED (0xF00FEBEE for HVM), vcpus,
 *     pages, page size}, DUMPCORE_XEN_VERSION {major, minor, extra,
 *     compile info, capabilities, changeset, virt_start, page size},
 *     DUMPCORE_FORMAT_VERSION {0.1}
 *   .xen_prstatus: one vcpu_guest_context per vCPU whose context could
 *     be read
 *   .xen_shared_info: the page
 *   (zeros up to the next 4 KiB boundary)
 *   .xen_pages: nr_pages pages, in ascending guest frame order
 *   .xen_p2m: {uint64 pfn, uint64 gmfn} per page, or .xen_pfn: uint64 pfn
 *     per page; a slot the guest had no page for is all ones
 *   .shstrtab's strings, last
 *
 * The number of pages is fixed before the first page is written (the
 * domain's tot_pages): more pages than announced are dropped, fewer are
 * padded with zero pages and all-ones table entries, as upstream does.
 *
 * The writer is split into begin / add pages / finish so that any source
 * of pages (the live domain, a test's fake) can drive it and memory is
 * streamed: it keeps only the frame table (16 bytes a page), never the
 * pages.
 */
struct ctrl_core_writer;

struct ctrl_core_desc {
	bool auto_translated;      /* HVM/PVH: .xen_pfn, else PV: .xen_p2m */
	unsigned nr_vcpus;         /* >= 1 */
	const vcpu_guest_context_x86_64_t *vcpus;
	const void *shared_info;   /* one page, or NULL for no section */
	uint64_t nr_pages;         /* pages the file holds */
	const struct ctrl_version *version;   /* for the XEN_VERSION note */
	uint64_t virt_start;       /* XENVER_platform_parameters */
};

/* Write everything before the pages to fd.  NULL with errno on failure. */
struct ctrl_core_writer *ctrl_core_begin(const struct ctrl_core_desc *d,
                                         int fd);
/* Append one page (4 KiB at `page`) of guest frame pfn, backed by gmfn
 * (for PV the machine frame, else pfn).  Pages past nr_pages are counted
 * and dropped.  0, or -1 with errno (a failed write). */
int ctrl_core_add_page(struct ctrl_core_writer *w, uint64_t pfn,
                       uint64_t gmfn, const void *page);
/* Pages given so far (including dropped ones). */
uint64_t ctrl_core_pages_seen(const struct ctrl_core_writer *w);
/* Pad, write the frame table and the string table, free w.  0 or -1 with
 * errno; w is freed either way. */
int ctrl_core_finish(struct ctrl_core_writer *w);
/* Free w without finishing (after a failure); NULL is a no-op. */
void ctrl_core_abort(struct ctrl_core_writer *w);

/*
 * Dump domain `domid` to fd as above: its vCPU contexts, shared info page
 * and every page it holds, read by mapping its frames in batches (a PV
 * guest's frames are found through the p2m frame tree it publishes in its
 * shared info page).  The caller pauses the domain first if it wants a
 * consistent image.  0, or -1 with errno and a message; 32-bit PV guests
 * are refused (ENOTSUP).
 */
int ctrl_domain_dumpcore(struct ctrl_handle *h, uint32_t domid, int fd);

/* The guest's address width in bits, 32 or 64 (XEN_DOMCTL_get_address_size). */
int ctrl_domain_get_address_size(struct ctrl_handle *h, uint32_t domid,
                                 unsigned *bits);

/* ---- Triggers (`xl trigger`) --------------------------------------- */

/* XEN_DOMCTL_sendtrigger: trigger is XEN_DOMCTL_SENDTRIGGER_NMI, _RESET,
 * _INIT, _POWER or _SLEEP, delivered to vCPU `vcpu`.  Xen 4.17 delivers
 * NMI to any guest, POWER and SLEEP to HVM guests only (EINVAL for PV),
 * and implements neither RESET nor INIT (ENOSYS). */
int ctrl_domain_send_trigger(struct ctrl_handle *h, uint32_t domid,
                             unsigned trigger, unsigned vcpu);

#endif /* LIGHTSTACK_LIBCTRL_H */
