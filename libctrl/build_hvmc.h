/*
 * build_hvmc.h - what the two HVM-container builders share: build_pvh.c
 * (a PVH kernel started directly) and build_hvm.c (hvmloader, then
 * SeaBIOS, with QEMU as device model).  Both populate translated guest
 * memory, copy images into it, seed the grant table, give the guest
 * libxl's CPUID topology and start vCPU 0 in 32-bit flat protected mode
 * with %ebx pointing at a struct hvm_start_info.  Only build_*.c include
 * this.
 */
#ifndef LIGHTSTACK_BUILD_HVMC_H
#define LIGHTSTACK_BUILD_HVMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl_build.h"

/* The domain being built and where its one-line error goes. */
struct hvmc {
	struct ctrl_handle *h;
	uint32_t domid;
	char *err;
	size_t errlen;
};

/* Record a one-line message in b->err; -1 with errno kept (EINVAL if 0). */
int hvmc_fail(struct hvmc *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with libctrl's last error appended: "what: <error>". */
int hvmc_fail_ctrl(struct hvmc *b, const char *what);

double hvmc_seconds(void);

/* Map guest frames [pfn, pfn + n) read-write (ctrl_unmap(m, n) after);
 * NULL on failure. */
void *hvmc_map(struct hvmc *b, uint64_t pfn, uint64_t n);

/* Copy `len` bytes to guest frames [pfn, pfn + pages), zeroing the rest. */
int hvmc_copy_in(struct hvmc *b, const char *what, uint64_t pfn,
                 uint64_t pages, const void *data, size_t len);

/* Xen must run HVM guests ("hvm-3.0-x86_32" in its capabilities). */
int hvmc_check_xen(struct hvmc *b);

/* Populate guest frames [pfn, pfn + n): 2 MiB extents where aligned and
 * while Xen has them, 4 KiB pages for the rest. */
int hvmc_populate(struct hvmc *b, uint64_t pfn, uint64_t n);

/* XENMEM_set_memory_map from `n` entries. */
int hvmc_set_memory_map(struct hvmc *b, const struct ctrl_memmap_entry *e,
                        unsigned n);

/* The domain must be an HVM container (made with `maker`, named in the
 * message otherwise); then its paging pool, sized as libxl sizes it. */
int hvmc_prepare(struct hvmc *b, uint64_t mem_kb, unsigned nr_vcpus,
                 const char *maker);

/* The identity page table Intel's EPT needs for a vCPU with paging off,
 * written into special page `pfn` and named in HVM_PARAM_IDENT_PT. */
int hvmc_ident_pt(struct hvmc *b, uint64_t pfn);

/* Grant entries 0 (console) and 1 (xenstore) for backends in other
 * domains, naming the rings' gfns. */
int hvmc_seed_grants(struct hvmc *b, uint32_t console_domid,
                     uint64_t console_pfn, uint32_t store_domid,
                     uint64_t store_pfn);

/* The CPUID topology libxl gives every HVM and PVH guest. */
int hvmc_set_topology(struct hvmc *b);

/* vCPU 0 at `entry` with %ebx = `ebx`, in 32-bit flat protected mode,
 * paging off.  mtrr_wb: also enable every vCPU's MTRRs with write-back
 * as the default type (PVH: no firmware programs them; HVM: hvmloader
 * does, so false). */
int hvmc_set_vcpu(struct hvmc *b, uint64_t entry, uint64_t ebx,
                  unsigned nr_vcpus, bool mtrr_wb);

#endif /* LIGHTSTACK_BUILD_HVMC_H */
