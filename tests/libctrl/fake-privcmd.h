/*
 * fake-privcmd.h - a stand-in for privcmd/ that plays a small Xen, so the
 * libctrl core can be tested here where there is no hypervisor.
 *
 * test-marshal links libctrl's core sources against fake-privcmd.c instead
 * of the real privcmd.  The fake decodes the hypercalls libctrl issues the
 * way Xen 4.17 would (domctl/sysctl interface 0x15, getdomaininfo's "next
 * id >=" answer, the readconsole ring algorithm, EAGAIN from destroy, ...)
 * against the state below, and records what it saw so tests can assert
 * on the marshalling.  It also checks that every pointer handed to "Xen"
 * lies inside memory from pc_buf_alloc (sets `bad_pointer` otherwise).
 */
#ifndef FAKE_PRIVCMD_H
#define FAKE_PRIVCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl_internal.h"

#define FAKE_MAX_DOMS  2048
#define FAKE_CONRING   (64 * 1024)   /* power of two, like Xen's */

struct fake_dom {
	uint32_t id;
	uint32_t flags;            /* XEN_DOMINF_* */
};

struct fake_state {
	/* Live pc_buf_alloc buffers, to validate pointers and find leaks. */
	struct { void *p; size_t size; } bufs[64];
	int live_bufs;
	bool bad_pointer;          /* a hypercall pointed outside pc bufs */

	/* Hypercall log. */
	unsigned calls;            /* hypercalls issued */
	unsigned domctls, sysctls;
	unsigned last_op;

	/* Failure injection: the next hypercall fails with this errno. */
	int fail_next;

	/* Domains, sorted by id. */
	struct fake_dom doms[FAKE_MAX_DOMS];
	size_t ndoms;
	int destroy_eagain;        /* EAGAINs to return before destroying */

	/* What the last createdomain / shutdown / pin / vcpu context /
	 * memory map looked like. */
	struct xen_domctl_createdomain created;
	uint32_t shutdown_dom, shutdown_reason;
	unsigned pin_cmd, pin_count;
	uint64_t pin_mfn;
	uint32_t pin_foreigndom;
	vcpu_guest_context_t ctx;
	unsigned ctx_vcpu;
	uint8_t affinity;          /* hard affinity of every vCPU */
	uint8_t soft_affinity;     /* soft affinity of every vCPU */
	/* A credit2 host: every domain's weight and cap, the pool's rate
	 * limit (scheduler_op naming another scheduler: -EINVAL). */
	uint16_t sched_weight, sched_cap;
	uint32_t sched_ratelimit;
	struct ctrl_e820entry e820[CTRL_E820_MAX];
	unsigned e820_n;

	/* Xen's console ring: producer/consumer run freely, masked on use. */
	char conring[FAKE_CONRING];
	uint32_t conc, conp;

	/* Pages Xen may still hand out through populate_physmap. */
	unsigned long free_pages;

	/* Host facts for `xl info`: the sharing counters, the build id
	 * (build_id_len 0: Xen has none, -ENODATA) and the cpupools.
	 * Pool i exists when pool_cpus[i] != 0 (a bitmap of its CPUs);
	 * free_cpus is the bitmap of CPUs in no pool.  physinfo says
	 * max_cpu_id 1, so every map is one byte. */
	long sharing_freed, sharing_shared;
	unsigned char build_id[32];
	unsigned build_id_len;
	uint8_t pool_cpus[8];
	uint8_t free_cpus;
	uint32_t last_cpumap_bits;  /* nr_bits of the last cpupool_op */

	/* Ring mappings (ctrl_ring_map).  pc_gntdev_open fails with
	 * gntdev_errno when set; pc_gnt_map fails with gnt_errno when set.
	 * A foreign map fails as a whole (EINVAL) unless foreign_ok; then
	 * foreign_page_err is the page's own error (0 or -errno).  Pages
	 * handed out are real memory, tracked in maps[] so that pc_unmap and
	 * pc_gnt_unmap can tell which kind they are given and tests can see
	 * leaks (live_maps). */
	int gntdev_errno, gnt_errno;
	bool foreign_ok;
	int foreign_page_err;
	unsigned gntdev_opens, gnt_maps, gnt_unmaps, foreign_maps, unmaps;
	uint32_t last_gnt_dom, last_gref, last_foreign_dom;
	uint64_t last_frame;
	struct { void *p; bool grant; } maps[8];
	int live_maps;
	bool wrong_unmap;           /* a grant page given to pc_unmap or back */
};

extern struct fake_state fake;

/* Forget everything; no domains, empty console. */
void fake_reset(void);
void fake_add_dom(uint32_t id, uint32_t flags);
bool fake_has_dom(uint32_t id);
/* Append text to the fake console ring. */
void fake_console_write(const char *s, size_t len);

#endif /* FAKE_PRIVCMD_H */
