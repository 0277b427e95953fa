/*
 * ctrl_save.h - save a suspended 64-bit PV domain as a libxc image
 * (sr_stream.h): what xc_domain_save() is upstream, without live
 * migration.
 *
 * The caller suspends the guest first (control/shutdown = "suspend", the
 * guest then calls SCHEDOP_shutdown(SHUTDOWN_suspend) with its start_info
 * frame in rdx) and frames the image in whatever outer stream it writes.
 * ctrl_domain_save then writes, from the domain's own state:
 *   headers, X86_PV_INFO, the CPUID and MSR policies, STATIC_DATA_END,
 *   X86_PV_P2M_FRAMES (the guest's p2m found through its shared info's
 *   pfn_to_mfn_frame_list_list), PAGE_DATA for every pfn with its type
 *   (XEN_DOMCTL_getpageframeinfo3; page tables rewritten mfn -> pfn, Xen's
 *   own L4 slots cleared), X86_TSC_INFO, SHARED_INFO, the basic (cr3, cr1,
 *   GDT frames and vcpu 0's start_info in rdx rewritten to pfns),
 *   extended, xsave and MSR state of each online vcpu, END.
 * It fails (-1, errno, ctrl_errmsg naming the step and frame) on any
 * frame that does not belong to the guest; the domain is left as it was.
 */
#ifndef LIGHTSTACK_CTRL_SAVE_H
#define LIGHTSTACK_CTRL_SAVE_H

#include <stdint.h>

#include "libctrl.h"
#include "sr_stream.h"

/* Called after each batch of pages: pages written so far of the total. */
typedef void (*ctrl_save_progress_fn)(void *arg, uint64_t done,
                                      uint64_t total);

int ctrl_domain_save(struct ctrl_handle *h, uint32_t domid,
                     struct sr_writer *w, ctrl_save_progress_fn progress,
                     void *arg);

/*
 * Let a domain that suspended for a save run on (xl save -c, or after a
 * failed save): the guest's suspend hypercall returns 1, "cancelled", so
 * it resumes on its old rings and channels (XEN_DOMCTL_resumedomain after
 * setting vcpu 0's rax).  The domain is then unpaused unless `paused`.
 */
int ctrl_domain_resume_cancelled(struct ctrl_handle *h, uint32_t domid,
                                 bool paused);

/*
 * Restore: fill a new, paused, empty PV domain `domid` (created, its
 * vcpus and memory limit set, its xenstore and console event channels
 * allocated) from the libxc image in `r`, whose headers the caller may or
 * may not have read.  The image is untrusted: on top of the reader's
 * checks every pfn a page table, vcpu or the start info names must be
 * one the image populated, of the right type.  Pages are populated as
 * they come; page tables are rewritten pfn -> mfn and pinned; the guest's
 * p2m frames get the new mfns; the shared info and vcpu state are loaded;
 * start_info gets the new store and console frames and event channels;
 * grant entries 0 and 1 are given to the console and xenstore domains.
 * On failure -1, with err naming the record or frame at fault, and the
 * domain half-filled: the caller destroys it.
 */
struct ctrl_restore_params {
	uint32_t store_evtchn, console_evtchn;  /* the domain's unbound ports */
	uint32_t store_domid, console_domid;    /* their backends (0) */
	uint64_t maxmem_kb;                     /* bounds the p2m */
};
struct ctrl_restore_result {
	uint64_t store_mfn, console_mfn;
	uint64_t pages;                         /* pages of data loaded */
};
int ctrl_domain_restore(struct ctrl_handle *h, uint32_t domid,
                        struct sr_reader *r,
                        const struct ctrl_restore_params *p,
                        struct ctrl_restore_result *out,
                        char *err, size_t errlen);

#endif /* LIGHTSTACK_CTRL_SAVE_H */
