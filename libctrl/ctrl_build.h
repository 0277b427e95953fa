/*
 * ctrl_build.h - Lightstack's x86_64 domain builders: PV, and PVH (at the
 * end of this file).
 *
 * The builder turns an empty domain (created, max_vcpus and max_mem set,
 * store/console event channels allocated) into one that is ready to be
 * unpaused: it reads and checks the guest kernel, sets the 64-bit address
 * size and the guest's memory map (one RAM range of maxmem), populates the
 * guest's memory, loads the kernel and ramdisk, writes the p2m list,
 * start_info, the xenstore and console pages, the initial page tables and
 * the boot stack, asks Xen to fill the hypercall page (for kernels whose
 * notes name one; Linux since the XSA-466 fixes has none), initialises
 * shared_info, pins the L4, sets vCPU 0's context and seeds the guest's
 * grant table for the console and xenstore backends.
 *
 * Three layers, each usable on its own:
 *
 *   1. The image parser (no Xen needed): ctrl_kernel_load_file() and
 *      ctrl_kernel_parse() accept an ELF vmlinux, a bzImage (its compressed
 *      payload is unpacked) or an ELF compressed with gzip, xz, lzma, zstd,
 *      bzip2 or lz4, and read the Xen ELF notes.  Input is untrusted: every
 *      length and offset is checked, and an image that decompresses past
 *      CTRL_KERNEL_MAX_SIZE (1 GiB, XSA-25) is refused.
 *
 *   2. The layout arithmetic (no Xen needed): ctrl_pv_layout() decides which
 *      guest frame holds what and how many page-table pages are needed;
 *      ctrl_pv_fill_pgtables() writes those page tables into a buffer given
 *      the pfn->mfn list.  Both are pure functions so they can be tested.
 *
 *   3. ctrl_build_pv(): does the hypercalls.
 *
 * Conventions as in libctrl: 0 on success, -1 with errno set on failure;
 * functions taking `err`/`errlen` write a one-line message there on failure
 * ("kernel: ELF segment 2 extends past the end of the file").  Nothing here
 * prints or exits.
 */
#ifndef LIGHTSTACK_CTRL_BUILD_H
#define LIGHTSTACK_CTRL_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctrl_handle;

/* Largest kernel image we accept, after decompression (XSA-25). */
#define CTRL_KERNEL_MAX_SIZE (1024ULL * 1024 * 1024)

/* "Not given" value for the addresses below (as libelf's UNSET_ADDR). */
#define CTRL_UNSET_ADDR UINT64_MAX

/*
 * What the kernel's Xen ELF notes (the "Xen" notes, xen/elfnote.h) say.
 * Addresses the kernel did not give are CTRL_UNSET_ADDR; strings it did not
 * give are "".  Feature bitmaps follow xen/features.h (bit n = XENFEAT n).
 */
struct ctrl_xen_notes {
	bool present;                 /* at least one Xen note was found */
	uint64_t entry;               /* XEN_ELFNOTE_ENTRY: virtual entry point */
	uint64_t hypercall_page;      /* XEN_ELFNOTE_HYPERCALL_PAGE (virtual) */
	uint64_t virt_base;           /* XEN_ELFNOTE_VIRT_BASE */
	uint64_t paddr_offset;        /* XEN_ELFNOTE_PADDR_OFFSET */
	uint64_t init_p2m;            /* XEN_ELFNOTE_INIT_P2M: where the p2m goes */
	uint64_t hv_start_low;        /* XEN_ELFNOTE_HV_START_LOW */
	uint64_t phys32_entry;        /* XEN_ELFNOTE_PHYS32_ENTRY (PVH entry) */
	bool mod_start_pfn;           /* XEN_ELFNOTE_MOD_START_PFN != 0 */
	bool bsd_symtab;              /* XEN_ELFNOTE_BSD_SYMTAB (not loaded) */
	bool suspend_cancel;          /* XEN_ELFNOTE_SUSPEND_CANCEL */
	char loader[32];              /* XEN_ELFNOTE_LOADER, e.g. "generic" */
	char guest_os[32];            /* XEN_ELFNOTE_GUEST_OS, e.g. "linux" */
	char guest_version[32];       /* XEN_ELFNOTE_GUEST_VERSION */
	char xen_version[32];         /* XEN_ELFNOTE_XEN_VERSION, "xen-3.0" */
	char pae_mode[32];            /* XEN_ELFNOTE_PAE_MODE, e.g. "yes" */
	char features[256];           /* XEN_ELFNOTE_FEATURES, as written */
	uint32_t feat_supported;      /* features the kernel can use */
	uint32_t feat_required;       /* features it needs ("!name") */
};

/*
 * A parsed kernel: the (decompressed) ELF image and the addresses the
 * builder derives from its program headers and notes, as libelf does:
 *   virt_offset = virt_base - paddr_offset
 *   virt_kstart/virt_kend = lowest/highest PT_LOAD paddr + virt_offset
 */
struct ctrl_kernel_image {
	unsigned char *elf;           /* the ELF file, malloc'd */
	size_t elf_len;
	char format[32];              /* "elf", "gzip", "bzImage+xz", ... */
	uint64_t pstart, pend;        /* physical range of the PT_LOAD segments */
	uint64_t virt_base;           /* notes.virt_base, or 0 */
	uint64_t virt_kstart, virt_kend;
	uint64_t virt_entry;          /* notes.entry, or e_entry */
	struct ctrl_xen_notes notes;
};

/* Read `path` and parse it (see ctrl_kernel_parse).  Files larger than
 * CTRL_KERNEL_MAX_SIZE are refused before being read. */
int ctrl_kernel_load_file(const char *path, struct ctrl_kernel_image *img,
                          char *err, size_t errlen);

/* Detect the format of `data`, decompress it (up to `max_size` bytes of
 * output; 0 means CTRL_KERNEL_MAX_SIZE) and parse the ELF and its Xen notes.
 * `data` is not kept.  On failure `img` is left empty (safe to free). */
int ctrl_kernel_parse(const void *data, size_t len, size_t max_size,
                      struct ctrl_kernel_image *img, char *err, size_t errlen);

/* Free what a parse allocated; `img` may be zeroed or already freed. */
void ctrl_kernel_free(struct ctrl_kernel_image *img);

/* Copy the PT_LOAD segments of a parsed image into `dest`, a buffer that
 * stands for the virtual range [virt_kstart, virt_kstart + dest_len):
 * file bytes are copied, and every other byte of `dest` (each segment's
 * bss, gaps between segments, the tail) is zeroed.  Fails with ERANGE,
 * touching nothing, if a segment does not fit in dest_len. */
int ctrl_kernel_copy_segments(const struct ctrl_kernel_image *img,
                              void *dest, size_t dest_len,
                              char *err, size_t errlen);

/* Name of the compression found at the start of `data` ("gzip", "xz",
 * "lzma", "zstd", "bzip2", "lz4", "lz4-legacy"), "elf", "bzImage", or
 * NULL when it is none of those. */
const char *ctrl_image_format(const void *data, size_t len);

/* Decompress a whole stream of the named format ("gzip", "xz", ...) into a
 * malloc'd buffer.  Output beyond `max_size` bytes is an error (E2BIG).
 * Bytes after the end of the compressed stream (e.g. the size the kernel's
 * build appends) are ignored. */
int ctrl_decompress(const char *format, const void *in, size_t in_len,
                    size_t max_size, unsigned char **out, size_t *out_len,
                    char *err, size_t errlen);

/* ---- Layout: where everything goes in the guest --------------------- */

/*
 * Guest frame numbers (pfns) and virtual addresses of what the builder
 * places, in the order the upstream builder uses and Linux expects:
 *
 *   virt_base            pfn 0 (nothing below the kernel is used)
 *   kernel               from virt_kstart
 *   ramdisk (module 0)   next free page
 *   p2m list             next (unless the kernel asked for INIT_P2M)
 *   start_info, xenstore page, console page
 *   page tables          L4 first
 *   boot stack           one page
 *   ... padding up to virt_pgtab_end (4 MiB aligned, >= 512 KiB spare):
 *   the initial page tables map [virt_base, virt_pgtab_end) 1:1 onto pfns.
 *   p2m list at INIT_P2M (if used): at the first pfn after the padding,
 *   followed by the page tables that map it there.
 *
 * Page-table pages are counted per level: one L4, and for each mapping as
 * many L3/L2/L1 pages as there are 512 GiB/1 GiB/2 MiB slots it touches.
 */
struct ctrl_pv_layout_in {
	uint64_t nr_pages;            /* guest memory in 4 KiB pages */
	uint64_t virt_base;
	uint64_t virt_kstart, virt_kend;
	uint64_t ramdisk_len;         /* 0: none */
	uint64_t init_p2m;            /* CTRL_UNSET_ADDR: p2m inside the kernel mapping */
};

/* One virtually contiguous mapping set up by the initial page tables. */
struct ctrl_pv_map {
	uint64_t from, to;            /* virtual range, `to` exclusive */
	uint64_t pfn;                 /* pfn mapped at `from` */
	uint64_t table_pfn[4];        /* first table of each level (0=L1 .. 3=L4) */
	uint64_t nr_tables[4];        /* tables of that level (L4: 1 in map 0 only) */
};

struct ctrl_pv_layout {
	uint64_t nr_pages;
	uint64_t virt_base;
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_pages;
	uint64_t p2m_pfn, p2m_pages;  /* p2m list (without its page tables) */
	uint64_t p2m_vaddr;
	bool p2m_separate;            /* at INIT_P2M, outside the kernel mapping */
	uint64_t p2m_seg_pages;       /* p2m list + its own tables (nr_p2m_frames) */
	uint64_t start_info_pfn, xenstore_pfn, console_pfn;
	uint64_t pt_pfn, nr_pt_pages; /* all page-table pages of map 0 (pt_base) */
	uint64_t stack_pfn;
	uint64_t virt_pgtab_end;      /* end of the kernel mapping */
	uint64_t pfn_end;             /* first pfn not used by the builder */
	unsigned nr_maps;
	struct ctrl_pv_map maps[2];
};

/* Compute the layout.  Fails (ENOMEM, with a message) when it does not fit
 * in nr_pages, or on inconsistent input (EINVAL). */
int ctrl_pv_layout(const struct ctrl_pv_layout_in *in,
                   struct ctrl_pv_layout *out, char *err, size_t errlen);

/* Virtual address of `pfn` inside the kernel mapping. */
static inline uint64_t ctrl_pv_vaddr(const struct ctrl_pv_layout *l,
                                     uint64_t pfn)
{
	return l->virt_base + (pfn << 12);
}

/*
 * Write the initial page tables of `l` into two buffers: `tables0` holds
 * the l->nr_pt_pages pages at pfn l->pt_pfn (map 0, L4 first), `tables1` the
 * l->p2m_seg_pages - l->p2m_pages pages of map 1 that follow the separate
 * p2m list (NULL when !l->p2m_separate).  `p2m[pfn]` is the machine frame
 * of each pfn (l->nr_pages entries).  Entries that map a page-table page are
 * read-only, as Xen requires for a page to be validated as a page table.
 * Fails (EINVAL) if the layout is inconsistent.
 */
int ctrl_pv_fill_pgtables(const struct ctrl_pv_layout *l, const uint64_t *p2m,
                          uint64_t *tables0, uint64_t *tables1);

/* ---- The builder --------------------------------------------------- */

struct ctrl_build_params {
	const char *kernel_path;      /* required; HVM: hvmloader */
	const char *ramdisk_path;     /* NULL: none; passed through unmodified
	                                 (at most mem_kb bytes) */
	const char *cmdline;          /* NULL: empty; at most 1023 bytes used */
	uint64_t mem_kb;              /* memory to populate (the target) */
	uint64_t maxmem_kb;           /* size of the e820 RAM range (what the
	                                 guest may balloon up to); 0: mem_kb */
	unsigned nr_vcpus;            /* vCPU 0 is started; others stay down */
	unsigned nr_online_vcpus;     /* PVH: vCPUs 0..n-1 are in the MADT as
	                                 enabled, the rest as hot-pluggable
	                                 (xl.cfg vcpus= below maxvcpus=);
	                                 0: all nr_vcpus.  PV ignores it: its
	                                 guest reads cpu/N/availability */
	uint32_t store_evtchn;        /* guest's port for xenstore */
	uint32_t console_evtchn;      /* guest's port for the console */
	uint32_t store_domid;         /* xenstore backend, usually 0 */
	uint32_t console_domid;       /* console backend, usually 0 */
	uint32_t flags;               /* start_info SIF_* flags, usually 0 */
	const char *firmware_path;    /* HVM: the BIOS hvmloader starts */
	uint64_t viridian;            /* HVM: HVM_PARAM_VIRIDIAN, HVMPV_* bits
	                                 (0: no Hyper-V enlightenments) */
	bool no_hpet;                 /* HVM: no emulated HPET (hpet=0) */
};

struct ctrl_build_result {
	uint64_t store_gfn, store_mfn;     /* for a PV guest gfn == mfn */
	uint64_t console_gfn, console_mfn;
	uint64_t nr_pages;
	uint64_t start_info_mfn;
	uint64_t virt_entry;
	char guest_os[32];                 /* from the kernel's notes */
	char image_format[32];
	/* Where the time went, in seconds: reading, decompressing and
	 * parsing the kernel and ramdisk; populating memory and copying the
	 * images in; everything else (tables, hypercalls). */
	double t_image, t_memory, t_setup;
};

/*
 * Build PV domain `domid` from `p`.  The caller has created the domain and
 * set max_vcpus and max_mem; the builder sets the 64-bit address size, does
 * everything else, and leaves the domain paused and ready to unpause (after
 * introducing it to xenstored with r->store_mfn and p->store_evtchn).
 * On failure the domain is left as it is: the caller destroys it.
 */
int ctrl_build_pv(struct ctrl_handle *h, uint32_t domid,
                  const struct ctrl_build_params *p,
                  struct ctrl_build_result *r, char *err, size_t errlen);

/* ---- The PVH builder (build_pvh_layout.c, build_pvh.c) -------------- */

/*
 * A PVH guest is an HVM container without a device model: it starts at
 * the kernel's XEN_ELFNOTE_PHYS32_ENTRY in 32-bit flat protected mode with
 * %ebx = the physical address of a struct hvm_start_info
 * (xen/arch-x86/hvm/start_info.h), and sees its memory as guest frames
 * mapped 1:1 (gfn == pfn, no p2m list).  What the builder places, as
 * libxl and libxenguest do for type "pvh":
 *
 *   RAM [0, lowmem_end)          the guest's memory, below the MMIO hole
 *     kernel                     at its ELF physical addresses
 *     ramdisk (module 0)         next page after the kernel
 *     start_info page            hvm_start_info, the module list, the
 *                                memory map and the command line
 *   ACPI NVS at CTRL_PVH_ACPI_BASE   RSDP, XSDT, FADT, DSDT, MADT
 *   reserved special pages       CTRL_PVH_NR_SPECIAL pages ending at
 *                                CTRL_PVH_SPECIAL_END (4 GiB - 16 MiB):
 *                                the xenstore and console rings among them
 *   RAM [4 GiB, highmem_end)     what did not fit below the hole
 *
 * The ACPI tables describe only the vCPUs (one local APIC each, APIC id
 * 2 * vcpu as Xen's virtual LAPICs number them) and a hardware-reduced
 * platform with no legacy devices: a PVH guest has no PIC, IO-APIC, PIT,
 * RTC or PM timer.
 */
#define CTRL_PVH_LOWMEM_LIMIT  0xf0000000ULL  /* start of the MMIO hole */
#define CTRL_PVH_ACPI_BASE     0xfc000000ULL  /* libxl's ACPI_INFO address */
#define CTRL_PVH_ACPI_PAGES    4              /* room for the tables */
#define CTRL_PVH_SPECIAL_END   0xff000ULL     /* pfn, X86_HVM_END_SPECIAL_REGION */
#define CTRL_PVH_NR_SPECIAL    8              /* X86_HVM_NR_SPECIAL_PAGES */
#define CTRL_PVH_SPECIAL_XENSTORE 4           /* libxenguest's SPECIALPAGE_* */
#define CTRL_PVH_SPECIAL_CONSOLE  7
#define CTRL_PVH_LAPIC_BASE    0xfee00000ULL
#define CTRL_PVH_MAX_VCPUS     128            /* 8-bit APIC ids, 2 per vCPU */
#define CTRL_PVH_CMDLINE_MAX   1024           /* bytes, with the NUL */
#define CTRL_PVH_MAX_E820      8

/* One entry of a guest's memory map, as Xen's XENMEM_set_memory_map and
 * hvm_start_info's memmap take it. */
struct ctrl_memmap_entry {
	uint64_t addr, size;
	uint32_t type;                /* XEN_HVM_MEMMAP_TYPE_* (= E820 types) */
};

struct ctrl_pvh_layout_in {
	uint64_t nr_pages;            /* guest RAM in 4 KiB pages */
	uint64_t kernel_pstart;       /* physical range of the kernel */
	uint64_t kernel_pend;
	uint64_t ramdisk_len;         /* 0: none */
};

struct ctrl_pvh_layout {
	uint64_t nr_pages;
	uint64_t lowmem_end;          /* RAM [0, lowmem_end) */
	uint64_t highmem_end;         /* RAM [4 GiB, highmem_end); 0: none */
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_pages;
	uint64_t start_info_pfn;      /* one page */
	uint64_t acpi_pfn, acpi_pages;
	uint64_t special_pfn;         /* first of CTRL_PVH_NR_SPECIAL */
	uint64_t xenstore_pfn, console_pfn;
	unsigned nr_e820;             /* the memory map, address order */
	struct ctrl_memmap_entry e820[CTRL_PVH_MAX_E820];
};

/* Compute the layout.  Fails (EINVAL/ENOMEM with a message) when the
 * kernel is not inside low RAM or the ramdisk and start_info do not fit
 * after it. */
int ctrl_pvh_layout(const struct ctrl_pvh_layout_in *in,
                    struct ctrl_pvh_layout *out, char *err, size_t errlen);

/* Write the start_info page (4096 bytes at `page`, standing for guest
 * physical address l->start_info_pfn << 12): struct hvm_start_info
 * version 1, one module (the ramdisk, when there is one), the memory map
 * and the command line (NULL: empty).  Fails (E2BIG) on a command line of
 * CTRL_PVH_CMDLINE_MAX bytes or more. */
int ctrl_pvh_write_start_info(const struct ctrl_pvh_layout *l,
                              const char *cmdline, uint64_t ramdisk_len,
                              uint64_t rsdp_paddr, void *page,
                              char *err, size_t errlen);

/* Build the ACPI tables for `nr_vcpus` vCPUs (1..CTRL_PVH_MAX_VCPUS), the
 * first `nr_online` (1..nr_vcpus) enabled and the others present but
 * disabled, as libxl's MADT has them, so the guest boots with that many
 * and may bring the rest up later, into `buf` (len bytes, zeroed here),
 * which stands for guest
 * physical address `base`.  *rsdp_paddr gets the RSDP's address.  Every
 * table's checksum makes its bytes sum to 0.  Fails (ENOSPC) if len is
 * too small. */
int ctrl_pvh_acpi_build(unsigned nr_vcpus, unsigned nr_online,
                        uint64_t base, void *buf,
                        size_t len, uint64_t *rsdp_paddr,
                        char *err, size_t errlen);

/* One CPUID leaf of a domain's policy, laid out as Xen's xen_cpuid_leaf_t
 * (leaf, subleaf, then eax..edx; subleaf ~0u for a leaf without them). */
struct ctrl_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t a, b, c, d;
};

/*
 * Give an HVM-container guest the topology its local APICs have: Xen
 * numbers them vcpu_id * 2, so the CPUID policy must say "no SMT, every
 * vCPU a core of one package" or the guest reads APIC id 2 as a second
 * package.  What libxenguest's xc_cpuid_apply_policy() does for HVM and
 * PVH: leaf 1's HTT bit set and its logical-processor count doubled
 * (2 when it was 0, left alone at 0x80 or above); CMP_LEGACY cleared;
 * on Intel, leaf 4's cores-per-package doubled (plus one) and
 * threads-per-cache zeroed in every cache subleaf; on AMD and Hygon,
 * leaf 0x80000008's core count doubled (plus one, below 0x7f) and its
 * ApicIdCoreSize raised by one (when between 1 and 6).  Edits `n` leaves
 * in place; leaves the policy does not have are left out.  Pure: no Xen.
 */
void ctrl_cpuid_hvm_topology(struct ctrl_cpuid_leaf *leaves, unsigned n);

/*
 * Build PVH domain `domid` from `p` (p->maxmem_kb must equal p->mem_kb or
 * be 0: without populate-on-demand every page of the memory map is
 * populated).  The caller created the domain with ctrl_createdomain_pvh(),
 * set max_vcpus and max_mem (the target + a little: the ACPI and special
 * pages are extra).  The builder sizes the paging pool, sets the memory
 * map, populates memory, loads kernel and ramdisk, writes start_info and
 * the ACPI tables, sets the xenstore/console HVM params, seeds the grant
 * table, and sets vCPU 0's registers and every vCPU's MTRRs (write-back
 * by default, as libxenguest sets them for a guest without firmware).
 * r->store_gfn/console_gfn (and the *_mfn fields, the same numbers: what
 * xenstored and the console daemon map) name the rings.  On failure the
 * domain is left as it is: the caller destroys it.
 */
int ctrl_build_pvh(struct ctrl_handle *h, uint32_t domid,
                   const struct ctrl_build_params *p,
                   struct ctrl_build_result *r, char *err, size_t errlen);

/* ---- The HVM builder (build_hvm_layout.c, build_hvm.c) -------------- */

/*
 * An HVM guest boots firmware: hvmloader (a 32-bit ELF, Debian's
 * /usr/lib/xen-4.17/boot/hvmloader), which starts the BIOS (SeaBIOS) it
 * gets as a start_info module; QEMU (the device model, started by the
 * caller, not here) emulates the platform's devices.  What the builder
 * places, as libxenguest and libxl do for type "hvm":
 *
 *   RAM [0, lowmem_end), but not the VGA hole [0xa0000, 0xc0000)
 *     hvm_info_table at CTRL_HVM_INFO_PFN:CTRL_HVM_INFO_OFFSET (vCPUs,
 *                                memory size: what hvmloader reads)
 *     hvmloader                  at its ELF physical addresses (1 MiB)
 *     the BIOS (module "firmware") next page after hvmloader
 *     start_info page            hvm_start_info, the module list, the
 *                                memory map, the module's name
 *   ioreq server pages           CTRL_HVM_NR_IOREQ_SERVER_PAGES, just
 *                                below the special pages
 *   special pages                CTRL_HVM_NR_SPECIAL ending at
 *                                CTRL_HVM_SPECIAL_END: xenstore and
 *                                console rings, QEMU's ioreq pages, ...
 *   RAM [4 GiB, highmem_end)     what did not fit below the MMIO hole
 *
 * hvmloader builds the ACPI tables, the e820 map below 1 MiB and the
 * MTRRs itself.
 */
#define CTRL_HVM_MMIO_START    0xf0000000ULL  /* HVM_BELOW_4G_MMIO_START */
#define CTRL_HVM_LOW_RAM_START 0x100000ULL    /* e820 RAM from here up */
#define CTRL_HVM_VGA_HOLE_PFN  0xa0           /* not populated: QEMU's */
#define CTRL_HVM_VGA_HOLE_PAGES 0x20
#define CTRL_HVM_INFO_PFN      0x9f           /* HVM_INFO_PFN */
#define CTRL_HVM_INFO_OFFSET   0x800          /* HVM_INFO_OFFSET */
#define CTRL_HVM_SPECIAL_END   0xff000ULL     /* X86_HVM_END_SPECIAL_REGION */
#define CTRL_HVM_NR_SPECIAL    8              /* X86_HVM_NR_SPECIAL_PAGES */
#define CTRL_HVM_SPECIAL_PAGING   0           /* libxenguest's SPECIALPAGE_* */
#define CTRL_HVM_SPECIAL_ACCESS   1
#define CTRL_HVM_SPECIAL_SHARING  2
#define CTRL_HVM_SPECIAL_BUFIOREQ 3
#define CTRL_HVM_SPECIAL_XENSTORE 4
#define CTRL_HVM_SPECIAL_IOREQ    5
#define CTRL_HVM_SPECIAL_IDENT_PT 6
#define CTRL_HVM_SPECIAL_CONSOLE  7
#define CTRL_HVM_NR_IOREQ_SERVER_PAGES 8
#define CTRL_HVM_MAX_VCPUS     128            /* HVM_MAX_VCPUS */
#define CTRL_HVM_MIN_MEM       (16ULL << 20)  /* hvmloader and a BIOS */
#define CTRL_HVM_LOADER_MAX    (16ULL << 20)
#define CTRL_HVM_FIRMWARE_MAX  (16ULL << 20)
#define CTRL_HVM_MAX_E820      4

/* hvmloader, parsed from its ELF file (which the caller keeps). */
struct ctrl_hvm_loader {
	const unsigned char *elf;
	size_t len;
	uint64_t pstart, pend;        /* physical range of the PT_LOAD segments */
	uint64_t entry;               /* e_entry: where vCPU 0 starts */
};

/* Check a 32-bit x86 ELF firmware image (every segment inside the file
 * and between 1 MiB and 4 GiB, the entry inside them) and describe it.
 * -1/ENOEXEC with a message otherwise. */
int ctrl_hvm_loader_parse(const unsigned char *elf, size_t len,
                          struct ctrl_hvm_loader *out, char *err,
                          size_t errlen);

/* Copy its segments into `dest`, which stands for physical addresses
 * [pstart, pstart + dest_len); the rest is zeroed.  ERANGE if they do
 * not fit. */
int ctrl_hvm_loader_copy(const struct ctrl_hvm_loader *ld, void *dest,
                         size_t dest_len, char *err, size_t errlen);

struct ctrl_hvm_layout_in {
	uint64_t nr_pages;            /* guest RAM in 4 KiB pages */
	uint64_t loader_pstart;       /* hvmloader's physical range */
	uint64_t loader_pend;
	uint64_t firmware_len;        /* the BIOS image, bytes */
};

struct ctrl_hvm_layout {
	uint64_t nr_pages;
	uint64_t lowmem_end;          /* RAM [0, lowmem_end) minus the VGA hole */
	uint64_t highmem_end;         /* RAM [4 GiB, highmem_end); 0: none */
	uint64_t loader_pfn, loader_pages;
	uint64_t firmware_pfn, firmware_pages;
	uint64_t start_info_pfn;      /* one page */
	uint64_t special_pfn;         /* first of CTRL_HVM_NR_SPECIAL */
	uint64_t ioreq_server_pfn;    /* first of CTRL_HVM_NR_IOREQ_SERVER_PAGES */
	uint64_t xenstore_pfn, console_pfn;
	unsigned nr_e820;             /* what XENMEM_memory_map returns */
	struct ctrl_memmap_entry e820[CTRL_HVM_MAX_E820];
};

/* Compute the layout.  EINVAL for less than CTRL_HVM_MIN_MEM or no
 * firmware, ENOMEM when hvmloader, the BIOS and start_info do not fit
 * below the MMIO hole. */
int ctrl_hvm_layout(const struct ctrl_hvm_layout_in *in,
                    struct ctrl_hvm_layout *out, char *err, size_t errlen);

/* Write the page at CTRL_HVM_INFO_PFN (4096 bytes at `page`, zeroed
 * first) with the hvm_info_table at CTRL_HVM_INFO_OFFSET: `nr_vcpus`
 * vCPUs (1..CTRL_HVM_MAX_VCPUS), the first `nr_online` online, the
 * memory ends and the checksum that makes its bytes sum to 0. */
int ctrl_hvm_write_info(const struct ctrl_hvm_layout *l, unsigned nr_vcpus,
                        unsigned nr_online, void *page, char *err,
                        size_t errlen);

/* Write the start_info page (4096 bytes at `page`): struct
 * hvm_start_info version 1 with one module, the BIOS of firmware_len
 * bytes named "firmware", and the memory map; no command line and no
 * RSDP (hvmloader makes the ACPI tables). */
int ctrl_hvm_write_start_info(const struct ctrl_hvm_layout *l,
                              uint64_t firmware_len, void *page);

/*
 * Build HVM domain `domid`: p->kernel_path is hvmloader, p->firmware_path
 * the BIOS it starts (SeaBIOS); p->ramdisk_path and p->cmdline must be
 * NULL (a direct kernel boot is QEMU's: -kernel/-initrd/-append), and
 * p->maxmem_kb must equal p->mem_kb or be 0 (no populate-on-demand).
 * The caller created the domain with ctrl_createdomain_hvm() and set
 * max_vcpus and max_mem (the target + libxl's slack: the special pages
 * are extra).  The builder sizes the paging pool, sets the memory map,
 * populates memory, loads hvmloader and the BIOS, writes start_info and
 * the hvm_info_table, sets the HVM params (rings, ioreq pages, timer
 * mode, HPET, ...), seeds the grant table and sets vCPU 0's registers.
 * The domain stays paused; QEMU must be running before it is unpaused.
 */
int ctrl_build_hvm(struct ctrl_handle *h, uint32_t domid,
                   const struct ctrl_build_params *p,
                   struct ctrl_build_result *r, char *err, size_t errlen);

#endif /* LIGHTSTACK_CTRL_BUILD_H */
