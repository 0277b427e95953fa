/*
 * build_pvh_layout.c - the pure part of the PVH builder: where things go
 * in guest physical memory, the hvm_start_info page, and the ACPI tables.
 * No Xen here, so all of it is unit-tested (tests/libctrl/test-pvh.c).
 *
 * The ACPI structures are written field by field at their offsets in the
 * ACPI specification (little-endian, packed), so nothing here depends on
 * the compiler's struct layout.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "build_internal.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)
#define GiB4       (1ULL << 32)

/* xen/arch-x86/hvm/start_info.h, restated as offsets. */
#define HVM_START_MAGIC      0x336ec578u
#define SI_SIZE              56   /* struct hvm_start_info, version 1 */
#define MOD_SIZE             32   /* struct hvm_modlist_entry */
#define MMAP_SIZE            24   /* struct hvm_memmap_table_entry */

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_NVS 4

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static void add_e820(struct ctrl_pvh_layout *l, uint64_t addr, uint64_t size,
                     uint32_t type)
{
	l->e820[l->nr_e820].addr = addr;
	l->e820[l->nr_e820].size = size;
	l->e820[l->nr_e820].type = type;
	l->nr_e820++;
}

int ctrl_pvh_layout(const struct ctrl_pvh_layout_in *in,
                    struct ctrl_pvh_layout *l, char *err, size_t errlen)
{
	uint64_t ram = in->nr_pages << PAGE_SHIFT, next;

	memset(l, 0, sizeof(*l));
	if (in->nr_pages == 0 || in->nr_pages > (1ULL << 40) ||
	    in->kernel_pend <= in->kernel_pstart) {
		ctrl_build_seterr(err, errlen, "pvh layout: bad input");
		errno = EINVAL;
		return -1;
	}
	l->nr_pages = in->nr_pages;
	l->lowmem_end = ram < CTRL_PVH_LOWMEM_LIMIT ? ram : CTRL_PVH_LOWMEM_LIMIT;
	if (ram > l->lowmem_end)
		l->highmem_end = GiB4 + (ram - l->lowmem_end);

	/* The kernel runs where it was linked: its physical addresses. */
	if (in->kernel_pend > l->lowmem_end) {
		ctrl_build_seterr(err, errlen, "kernel: needs memory up to %#llx, "
		       "the guest has %llu MiB below 4 GiB",
		       (unsigned long long)in->kernel_pend,
		       (unsigned long long)(l->lowmem_end >> 20));
		errno = ENOMEM;
		return -1;
	}
	l->kernel_pfn = in->kernel_pstart >> PAGE_SHIFT;
	l->kernel_pages = pages_of(in->kernel_pend) - l->kernel_pfn;
	next = l->kernel_pfn + l->kernel_pages;
	if (in->ramdisk_len > 0) {
		l->ramdisk_pfn = next;
		l->ramdisk_pages = pages_of(in->ramdisk_len);
		next += l->ramdisk_pages;
	}
	l->start_info_pfn = next++;
	if (next > (l->lowmem_end >> PAGE_SHIFT)) {
		ctrl_build_seterr(err, errlen, "kernel, ramdisk and start_info "
		       "need %llu MiB, the guest has %llu MiB below 4 GiB",
		       (unsigned long long)((next << PAGE_SHIFT) >> 20),
		       (unsigned long long)(l->lowmem_end >> 20));
		errno = ENOMEM;
		return -1;
	}

	l->acpi_pfn = CTRL_PVH_ACPI_BASE >> PAGE_SHIFT;
	l->acpi_pages = CTRL_PVH_ACPI_PAGES;
	l->special_pfn = CTRL_PVH_SPECIAL_END - CTRL_PVH_NR_SPECIAL;
	l->xenstore_pfn = l->special_pfn + CTRL_PVH_SPECIAL_XENSTORE;
	l->console_pfn = l->special_pfn + CTRL_PVH_SPECIAL_CONSOLE;

	/* The memory map, as libxl's domain_construct_memmap() lays it out
	 * for PVH: low RAM, the ACPI tables as NVS (not reclaimable: the
	 * guest must keep them), the special pages reserved, high RAM. */
	add_e820(l, 0, l->lowmem_end, E820_RAM);
	add_e820(l, CTRL_PVH_ACPI_BASE, l->acpi_pages << PAGE_SHIFT, E820_NVS);
	add_e820(l, l->special_pfn << PAGE_SHIFT,
	         (uint64_t)CTRL_PVH_NR_SPECIAL << PAGE_SHIFT, E820_RESERVED);
	if (l->highmem_end != 0)
		add_e820(l, GiB4, l->highmem_end - GiB4, E820_RAM);
	return 0;
}

int ctrl_pvh_write_start_info(const struct ctrl_pvh_layout *l,
                              const char *cmdline, uint64_t ramdisk_len,
                              uint64_t rsdp_paddr, void *page,
                              char *err, size_t errlen)
{
	unsigned char *p = page;
	uint64_t base = l->start_info_pfn << PAGE_SHIFT;
	size_t mod_off = SI_SIZE, mmap_off, cmd_off, n;
	unsigned i;

	n = cmdline != NULL ? strlen(cmdline) : 0;
	if (n >= CTRL_PVH_CMDLINE_MAX) {
		ctrl_build_seterr(err, errlen, "command line of %zu bytes: at "
		       "most %d", n, CTRL_PVH_CMDLINE_MAX - 1);
		errno = E2BIG;
		return -1;
	}
	memset(p, 0, PAGE_SIZE);
	mmap_off = mod_off + MOD_SIZE;
	cmd_off = mmap_off + (size_t)l->nr_e820 * MMAP_SIZE;

	ctrl_put32(p + 0, HVM_START_MAGIC);
	ctrl_put32(p + 4, 1);                               /* version */
	ctrl_put32(p + 8, 0);                               /* flags */
	ctrl_put32(p + 12, ramdisk_len > 0 ? 1 : 0);        /* nr_modules */
	ctrl_put64(p + 16, ramdisk_len > 0 ? base + mod_off : 0);
	ctrl_put64(p + 24, base + cmd_off);                 /* cmdline_paddr */
	ctrl_put64(p + 32, rsdp_paddr);
	ctrl_put64(p + 40, base + mmap_off);                /* memmap_paddr */
	ctrl_put32(p + 48, l->nr_e820);                     /* memmap_entries */

	if (ramdisk_len > 0) {
		ctrl_put64(p + mod_off, l->ramdisk_pfn << PAGE_SHIFT);
		ctrl_put64(p + mod_off + 8, ramdisk_len);
	}
	for (i = 0; i < l->nr_e820; i++) {
		unsigned char *e = p + mmap_off + (size_t)i * MMAP_SIZE;

		ctrl_put64(e, l->e820[i].addr);
		ctrl_put64(e + 8, l->e820[i].size);
		ctrl_put32(e + 16, l->e820[i].type);
	}
	if (n > 0)
		memcpy(p + cmd_off, cmdline, n);
	return 0;
}

/* ---- ACPI ------------------------------------------------------------ */

#define ACPI_HDR 36

/* Make the `len` bytes at t sum to 0 through the byte at t[off]. */
static void checksum(unsigned char *t, size_t off, size_t len)
{
	unsigned char sum = 0;
	size_t i;

	t[off] = 0;
	for (i = 0; i < len; i++)
		sum = (unsigned char)(sum + t[i]);
	t[off] = (unsigned char)(0x100 - sum);
}

/* The common table header; the length and checksum are set by done(). */
static void header(unsigned char *t, const char *sig, uint8_t rev)
{
	memcpy(t, sig, 4);
	t[8] = rev;
	memcpy(t + 10, "Xen   ", 6);               /* OEM id, as libacpi's */
	memcpy(t + 16, "PVH     ", 8);             /* OEM table id */
	ctrl_put32(t + 24, 1);                          /* OEM revision */
	memcpy(t + 28, "LSTK", 4);                 /* creator: Lightstack */
	ctrl_put32(t + 32, 1);
}

static void done(unsigned char *t, uint32_t len)
{
	ctrl_put32(t + 4, len);
	checksum(t, 9, len);
}

/* Table sizes. */
#define RSDP_LEN   36
#define FADT_LEN   268                /* ACPI 5.0: up to sleep_status */
#define MADT_FIXED (ACPI_HDR + 8)
#define LAPIC_LEN  8

/* FADT fields (ACPI 5.0, table 5-34). */
#define FADT_DSDT            40
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS          112
#define FADT_MINOR          131
#define FADT_X_DSDT         140
#define IAPC_NO_VGA        (1u << 2)
#define IAPC_NO_CMOS_RTC   (1u << 5)
#define FADT_WBINVD        (1u << 0)
#define FADT_PROC_C1       (1u << 2)
#define FADT_PWR_BUTTON    (1u << 4)   /* set: no fixed power button */
#define FADT_SLP_BUTTON    (1u << 5)
#define FADT_HW_REDUCED    (1u << 20)

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

int ctrl_pvh_acpi_build(unsigned nr_vcpus, unsigned nr_online,
                        uint64_t base, void *buf,
                        size_t len, uint64_t *rsdp_paddr,
                        char *err, size_t errlen)
{
	unsigned char *b = buf, *t;
	size_t rsdp = 0, xsdt, fadt, dsdt, madt, end;
	uint32_t madt_len;
	unsigned i;

	if (nr_vcpus == 0 || nr_vcpus > CTRL_PVH_MAX_VCPUS) {
		ctrl_build_seterr(err, errlen, "acpi: %u vcpus: a PVH guest has "
		       "1 to %d", nr_vcpus, CTRL_PVH_MAX_VCPUS);
		errno = EINVAL;
		return -1;
	}
	if (nr_online == 0 || nr_online > nr_vcpus) {
		ctrl_build_seterr(err, errlen, "acpi: %u of %u vcpus online: "
		       "want 1 to %u", nr_online, nr_vcpus, nr_vcpus);
		errno = EINVAL;
		return -1;
	}
	madt_len = MADT_FIXED + LAPIC_LEN * nr_vcpus;
	xsdt = align16(rsdp + RSDP_LEN);
	fadt = align16(xsdt + ACPI_HDR + 2 * 8);
	dsdt = align16(fadt + FADT_LEN);
	madt = align16(dsdt + ACPI_HDR);
	end = madt + madt_len;
	if (end > len || base + end > GiB4) {
		ctrl_build_seterr(err, errlen, "acpi: the tables need %zu bytes, "
		       "%zu given", end, len);
		errno = ENOSPC;
		return -1;
	}
	memset(b, 0, len);

	/* DSDT: no devices to describe (the vCPUs are in the MADT); an
	 * empty AML body is a valid definition block. */
	t = b + dsdt;
	header(t, "DSDT", 2);
	done(t, ACPI_HDR);

	/* FADT: hardware-reduced ACPI, so the guest looks for no PM1 event
	 * or control blocks, PM timer, SCI or legacy devices, none of which
	 * a PVH domain has. */
	t = b + fadt;
	header(t, "FACP", 5);
	ctrl_put32(t + FADT_DSDT, (uint32_t)(base + dsdt));
	ctrl_put16(t + FADT_IAPC_BOOT_ARCH,
	      IAPC_NO_VGA | IAPC_NO_CMOS_RTC);
	ctrl_put32(t + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
	      FADT_SLP_BUTTON | FADT_HW_REDUCED);
	t[FADT_MINOR] = 0;
	ctrl_put64(t + FADT_X_DSDT, base + dsdt);
	done(t, FADT_LEN);

	/* MADT: one local APIC per vCPU, no IO-APIC, no 8259s.  Those
	 * beyond nr_online are listed but not enabled: Linux counts them as
	 * possible CPUs (to hot-plug) and does not start them at boot. */
	t = b + madt;
	header(t, "APIC", 3);
	ctrl_put32(t + ACPI_HDR, (uint32_t)CTRL_PVH_LAPIC_BASE);
	ctrl_put32(t + ACPI_HDR + 4, 0);                /* flags: no PCAT_COMPAT */
	for (i = 0; i < nr_vcpus; i++) {
		unsigned char *e = t + MADT_FIXED + (size_t)i * LAPIC_LEN;

		e[0] = 0;                          /* processor local APIC */
		e[1] = LAPIC_LEN;
		e[2] = (unsigned char)i;           /* ACPI processor id */
		e[3] = (unsigned char)(2 * i);     /* APIC id, as Xen's vLAPIC */
		ctrl_put32(e + 4, i < nr_online);       /* 1: enabled */
	}
	done(t, madt_len);

	/* XSDT: the FADT and the MADT. */
	t = b + xsdt;
	header(t, "XSDT", 1);
	ctrl_put64(t + ACPI_HDR, base + fadt);
	ctrl_put64(t + ACPI_HDR + 8, base + madt);
	done(t, ACPI_HDR + 2 * 8);

	/* RSDP, revision 2: the first checksum covers the ACPI 1.0 part
	 * (20 bytes), the extended one all 36.  No RSDT: XSDT only. */
	t = b + rsdp;
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "Xen   ", 6);
	t[15] = 2;
	ctrl_put32(t + 20, RSDP_LEN);
	ctrl_put64(t + 24, base + xsdt);
	checksum(t, 8, 20);
	checksum(t, 32, RSDP_LEN);

	*rsdp_paddr = base + rsdp;
	return 0;
}

/* ---- CPUID topology (see ctrl_build.h) ---------------------------------- */

#define CPUID_NO_SUBLEAF 0xffffffffu
#define CPUID1_EDX_HTT   (1u << 28)
#define CPUIDX1_ECX_CMP_LEGACY (1u << 1)

static struct ctrl_cpuid_leaf *find_leaf(struct ctrl_cpuid_leaf *l, unsigned n,
                                         uint32_t leaf, uint32_t subleaf)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (l[i].leaf == leaf && l[i].subleaf == subleaf)
			return &l[i];
	return NULL;
}

/* Leaf 0's vendor string, ebx-edx-ecx: "GenuineIntel", "AuthenticAMD",
 * "HygonGenuine"; only its first four bytes (ebx) tell them apart. */
enum vendor { V_OTHER, V_INTEL, V_AMD };

static enum vendor vendor_of(struct ctrl_cpuid_leaf *l, unsigned n)
{
	struct ctrl_cpuid_leaf *v = find_leaf(l, n, 0, CPUID_NO_SUBLEAF);

	if (v == NULL)
		return V_OTHER;
	if (v->b == 0x756e6547u)                  /* "Genu" */
		return V_INTEL;
	if (v->b == 0x68747541u || v->b == 0x6f677948u) /* "Auth", "Hygo" */
		return V_AMD;
	return V_OTHER;
}

void ctrl_cpuid_hvm_topology(struct ctrl_cpuid_leaf *leaves, unsigned n)
{
	struct ctrl_cpuid_leaf *l;
	uint32_t lppp, nc, size;
	unsigned i;

	if ((l = find_leaf(leaves, n, 1, CPUID_NO_SUBLEAF)) != NULL) {
		l->d |= CPUID1_EDX_HTT;
		lppp = (l->b >> 16) & 0xff;
		if (lppp == 0)
			lppp = 2;
		else if (!(lppp & 0x80))
			lppp *= 2;
		l->b = (l->b & ~0x00ff0000u) | (lppp << 16);
	}
	if ((l = find_leaf(leaves, n, 0x80000001u, CPUID_NO_SUBLEAF)) != NULL)
		l->c &= ~CPUIDX1_ECX_CMP_LEGACY;

	switch (vendor_of(leaves, n)) {
	case V_INTEL:
		/* Leaf 4: EAX[4:0] cache type (0: no more caches),
		 * EAX[25:14] threads sharing it, EAX[31:26] cores - 1. */
		for (i = 0; i < 64; i++) {
			uint32_t cores;

			l = find_leaf(leaves, n, 4, i);
			if (l == NULL || (l->a & 0x1f) == 0)
				break;
			cores = ((l->a >> 26) << 1 | 1) & 0x3f;
			l->a = (l->a & 0x00003fffu) | (cores << 26);
		}
		break;
	case V_AMD:
		/* Leaf 0x80000008 ECX: [7:0] cores - 1, [15:12] ApicIdCoreSize
		 * (0 means "use [7:0]", so it is not raised from 0). */
		l = find_leaf(leaves, n, 0x80000008u, CPUID_NO_SUBLEAF);
		if (l == NULL)
			break;
		nc = l->c & 0xff;
		size = (l->c >> 12) & 0xf;
		if (nc < 0x7f) {
			if (size != 0 && size < 7)
				size++;
			nc = (nc << 1) | 1;
			l->c = (l->c & ~0x0000f0ffu) | (size << 12) | nc;
		}
		break;
	case V_OTHER:
		break;
	}
}
