/*
 * build_hvm_layout.c - the pure part of the HVM builder: hvmloader's ELF
 * image, where things go in guest physical memory, the hvm_info_table
 * and the hvm_start_info page hvmloader reads.  No Xen here, so all of it
 * is unit-tested (tests/builder/test-hvm.c).
 *
 * An HVM guest boots firmware, not a kernel: hvmloader, a 32-bit ELF
 * linked at 1 MiB, started like a PVH kernel (32-bit flat protected mode,
 * %ebx = start_info) but at its ELF entry point.  It finds its BIOS
 * (SeaBIOS) as the start_info module named "firmware", the guest's
 * vCPUs and memory size in the hvm_info_table at HVM_INFO_PADDR, builds
 * the ACPI tables and the e820 map below 1 MiB itself, and jumps to the
 * BIOS's reset vector.  Everything here follows what libxenguest and
 * libxl do for type "hvm" (xg_dom_hvmloader.c, xg_dom_x86.c,
 * libxl__build_hvm).
 */
#include "config.h"

#include <elf.h>
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

/* xen/hvm/hvm_info_table.h, restated as offsets. */
#define INFO_SIGNATURE       0
#define INFO_LENGTH          8
#define INFO_CHECKSUM       12
#define INFO_APIC_MODE      13
#define INFO_NR_VCPUS       16
#define INFO_LOW_MEM_PGEND  20
#define INFO_RESERVED_PGSTART 24
#define INFO_HIGH_MEM_PGEND 28
#define INFO_VCPU_ONLINE    32
#define INFO_SIZE           (INFO_VCPU_ONLINE + CTRL_HVM_MAX_VCPUS / 8)

#define E820_RAM 1

/* The name hvmloader looks its BIOS up by (get_module_entry()). */
static const char firmware_name[] = "firmware";

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* ---- hvmloader's ELF ------------------------------------------------- */

/* Program header i, from the file's bytes (32-bit little-endian). */
static void phdr(const unsigned char *elf, uint32_t phoff, unsigned i,
                 uint32_t *type, uint32_t *off, uint32_t *paddr,
                 uint32_t *filesz, uint32_t *memsz)
{
	const unsigned char *p = elf + phoff + (size_t)i * sizeof(Elf32_Phdr);

	*type = ctrl_get32(p + 0);
	*off = ctrl_get32(p + 4);
	*paddr = ctrl_get32(p + 12);
	*filesz = ctrl_get32(p + 16);
	*memsz = ctrl_get32(p + 20);
}

int ctrl_hvm_loader_parse(const unsigned char *elf, size_t len,
                          struct ctrl_hvm_loader *out, char *err, size_t errlen)
{
	uint32_t phoff, entry, type, off, paddr, filesz, memsz;
	uint16_t phnum, phentsize;
	unsigned i, nload = 0;

	memset(out, 0, sizeof(*out));
	errno = ENOEXEC;
	if (len < sizeof(Elf32_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) != 0) {
		ctrl_build_seterr(err, errlen, "hvmloader: not an ELF file");
		return -1;
	}
	if (elf[EI_CLASS] != ELFCLASS32 || elf[EI_DATA] != ELFDATA2LSB ||
	    ctrl_get16(elf + 18) != EM_386) {
		ctrl_build_seterr(err, errlen, "hvmloader: not a 32-bit x86 ELF file");
		return -1;
	}
	entry = ctrl_get32(elf + 24);
	phoff = ctrl_get32(elf + 28);
	phentsize = ctrl_get16(elf + 42);
	phnum = ctrl_get16(elf + 44);
	if (phentsize != sizeof(Elf32_Phdr) || phnum == 0 || phnum > 64 ||
	    phoff > len || (size_t)phnum * sizeof(Elf32_Phdr) > len - phoff) {
		ctrl_build_seterr(err, errlen, "hvmloader: bad program header table");
		return -1;
	}
	out->pstart = UINT64_MAX;
	for (i = 0; i < phnum; i++) {
		phdr(elf, phoff, i, &type, &off, &paddr, &filesz, &memsz);
		if (type != PT_LOAD || memsz == 0)
			continue;
		if (off > len || filesz > len - off || filesz > memsz ||
		    (uint64_t)paddr + memsz > GiB4) {
			ctrl_build_seterr(err, errlen, "hvmloader: ELF segment %u is "
			                  "outside the file or above 4 GiB", i);
			return -1;
		}
		if (paddr < out->pstart)
			out->pstart = paddr;
		if ((uint64_t)paddr + memsz > out->pend)
			out->pend = (uint64_t)paddr + memsz;
		nload++;
	}
	if (nload == 0) {
		ctrl_build_seterr(err, errlen, "hvmloader: nothing to load");
		return -1;
	}
	/* Below 1 MiB is the BIOS's: hvmloader copies SeaBIOS to end at
	 * 1 MiB, and the hvm_info_table lives at HVM_INFO_PADDR. */
	if (out->pstart < CTRL_HVM_LOW_RAM_START || out->pend - out->pstart >
	    CTRL_HVM_LOADER_MAX) {
		ctrl_build_seterr(err, errlen, "hvmloader: loads at %#llx-%#llx, "
		                  "want 1 MiB and up, at most %llu MiB",
		                  (unsigned long long)out->pstart,
		                  (unsigned long long)out->pend,
		                  (unsigned long long)(CTRL_HVM_LOADER_MAX >> 20));
		return -1;
	}
	if (entry < out->pstart || entry >= out->pend) {
		ctrl_build_seterr(err, errlen, "hvmloader: entry point %#x is "
		                  "outside the image", entry);
		return -1;
	}
	out->entry = entry;
	out->elf = elf;
	out->len = len;
	errno = 0;
	return 0;
}

int ctrl_hvm_loader_copy(const struct ctrl_hvm_loader *ld, void *dest,
                         size_t dest_len, char *err, size_t errlen)
{
	const unsigned char *elf = ld->elf;
	uint32_t phoff = ctrl_get32(elf + 28), type, off, paddr, filesz, memsz;
	uint16_t phnum = ctrl_get16(elf + 44);
	unsigned char *d = dest;
	unsigned i;

	if (ld->pend - ld->pstart > dest_len) {
		ctrl_build_seterr(err, errlen, "hvmloader: %llu bytes do not fit "
		                  "in %zu", (unsigned long long)(ld->pend - ld->pstart),
		                  dest_len);
		errno = ERANGE;
		return -1;
	}
	memset(d, 0, dest_len);
	for (i = 0; i < phnum; i++) {
		phdr(elf, phoff, i, &type, &off, &paddr, &filesz, &memsz);
		if (type != PT_LOAD || memsz == 0)
			continue;
		/* Checked by ctrl_hvm_loader_parse: inside the file and
		 * inside [pstart, pend). */
		memcpy(d + (paddr - ld->pstart), elf + off, filesz);
	}
	return 0;
}

/* ---- layout -------------------------------------------------------- */

static void add_e820(struct ctrl_hvm_layout *l, uint64_t addr, uint64_t size)
{
	l->e820[l->nr_e820].addr = addr;
	l->e820[l->nr_e820].size = size;
	l->e820[l->nr_e820].type = E820_RAM;
	l->nr_e820++;
}

int ctrl_hvm_layout(const struct ctrl_hvm_layout_in *in,
                    struct ctrl_hvm_layout *l, char *err, size_t errlen)
{
	uint64_t ram = in->nr_pages << PAGE_SHIFT, next;

	memset(l, 0, sizeof(*l));
	errno = EINVAL;
	if (in->nr_pages < (CTRL_HVM_MIN_MEM >> PAGE_SHIFT) ||
	    in->nr_pages > (1ULL << 40) || in->loader_pend <= in->loader_pstart ||
	    in->loader_pstart < CTRL_HVM_LOW_RAM_START || in->firmware_len == 0 ||
	    in->firmware_len > CTRL_HVM_FIRMWARE_MAX) {
		ctrl_build_seterr(err, errlen, "hvm layout: bad input (memory "
		                  "below %llu MiB, or no firmware)",
		                  (unsigned long long)(CTRL_HVM_MIN_MEM >> 20));
		return -1;
	}
	l->nr_pages = in->nr_pages;
	l->lowmem_end = ram < CTRL_HVM_MMIO_START ? ram : CTRL_HVM_MMIO_START;
	if (ram > l->lowmem_end)
		l->highmem_end = GiB4 + (ram - l->lowmem_end);

	/* hvmloader where it was linked, then the BIOS and start_info in
	 * the pages after it, as libxenguest places its modules. */
	l->loader_pfn = in->loader_pstart >> PAGE_SHIFT;
	l->loader_pages = pages_of(in->loader_pend) - l->loader_pfn;
	next = l->loader_pfn + l->loader_pages;
	l->firmware_pfn = next;
	l->firmware_pages = pages_of(in->firmware_len);
	next += l->firmware_pages;
	l->start_info_pfn = next++;
	if (next > (l->lowmem_end >> PAGE_SHIFT)) {
		ctrl_build_seterr(err, errlen, "hvmloader and its BIOS need %llu "
		       "MiB, the guest has %llu MiB",
		       (unsigned long long)((next << PAGE_SHIFT) >> 20),
		       (unsigned long long)(l->lowmem_end >> 20));
		errno = ENOMEM;
		return -1;
	}

	l->special_pfn = CTRL_HVM_SPECIAL_END - CTRL_HVM_NR_SPECIAL;
	l->ioreq_server_pfn = l->special_pfn - CTRL_HVM_NR_IOREQ_SERVER_PAGES;
	l->xenstore_pfn = l->special_pfn + CTRL_HVM_SPECIAL_XENSTORE;
	l->console_pfn = l->special_pfn + CTRL_HVM_SPECIAL_CONSOLE;

	/* The map Xen hands out (XENMEM_memory_map), as libxl's
	 * domain_construct_memmap() makes it for a guest with a device
	 * model: RAM from 1 MiB (hvmloader describes what is below) to the
	 * MMIO hole, and above 4 GiB.  hvmloader adds the reserved areas. */
	add_e820(l, CTRL_HVM_LOW_RAM_START, l->lowmem_end - CTRL_HVM_LOW_RAM_START);
	if (l->highmem_end != 0)
		add_e820(l, GiB4, l->highmem_end - GiB4);
	errno = 0;
	return 0;
}

int ctrl_hvm_write_info(const struct ctrl_hvm_layout *l, unsigned nr_vcpus,
                        unsigned nr_online, void *page, char *err,
                        size_t errlen)
{
	unsigned char *t = (unsigned char *)page + CTRL_HVM_INFO_OFFSET;
	unsigned char sum = 0;
	unsigned i;

	if (nr_vcpus == 0 || nr_vcpus > CTRL_HVM_MAX_VCPUS || nr_online == 0 ||
	    nr_online > nr_vcpus) {
		ctrl_build_seterr(err, errlen, "hvm_info: %u of %u vcpus online: "
		                  "an HVM guest has 1 to %d", nr_online, nr_vcpus,
		                  CTRL_HVM_MAX_VCPUS);
		errno = EINVAL;
		return -1;
	}
	memset(page, 0, PAGE_SIZE);
	memcpy(t + INFO_SIGNATURE, "HVM INFO", 8);
	ctrl_put32(t + INFO_LENGTH, INFO_SIZE);
	t[INFO_APIC_MODE] = 1;                     /* xl.cfg apic=1 */
	ctrl_put32(t + INFO_NR_VCPUS, nr_vcpus);
	ctrl_put32(t + INFO_LOW_MEM_PGEND, (uint32_t)(l->lowmem_end >> PAGE_SHIFT));
	ctrl_put32(t + INFO_RESERVED_PGSTART, (uint32_t)l->ioreq_server_pfn);
	ctrl_put32(t + INFO_HIGH_MEM_PGEND, (uint32_t)(l->highmem_end >> PAGE_SHIFT));
	/* The vCPUs online at boot (hvmloader's MADT enables these, lists
	 * the rest for hot-plug). */
	for (i = 0; i < nr_online; i++)
		t[INFO_VCPU_ONLINE + i / 8] |= (unsigned char)(1u << (i % 8));
	for (i = 0; i < INFO_SIZE; i++)
		sum = (unsigned char)(sum + t[i]);
	t[INFO_CHECKSUM] = (unsigned char)(0x100 - sum);
	return 0;
}

int ctrl_hvm_write_start_info(const struct ctrl_hvm_layout *l,
                              uint64_t firmware_len, void *page)
{
	unsigned char *p = page;
	uint64_t base = l->start_info_pfn << PAGE_SHIFT;
	size_t mod_off = SI_SIZE, mmap_off = mod_off + MOD_SIZE, name_off;
	unsigned i;

	name_off = mmap_off + (size_t)l->nr_e820 * MMAP_SIZE;
	memset(p, 0, PAGE_SIZE);
	ctrl_put32(p + 0, HVM_START_MAGIC);
	ctrl_put32(p + 4, 1);                           /* version */
	ctrl_put32(p + 8, 0);                           /* flags */
	ctrl_put32(p + 12, 1);                          /* nr_modules: the BIOS */
	ctrl_put64(p + 16, base + mod_off);             /* modlist_paddr */
	ctrl_put64(p + 24, 0);                          /* no command line */
	ctrl_put64(p + 32, 0);                          /* hvmloader makes the RSDP */
	ctrl_put64(p + 40, base + mmap_off);
	ctrl_put32(p + 48, l->nr_e820);

	ctrl_put64(p + mod_off, l->firmware_pfn << PAGE_SHIFT);
	ctrl_put64(p + mod_off + 8, firmware_len);
	ctrl_put64(p + mod_off + 16, base + name_off);  /* the module's cmdline */
	for (i = 0; i < l->nr_e820; i++) {
		unsigned char *e = p + mmap_off + (size_t)i * MMAP_SIZE;

		ctrl_put64(e, l->e820[i].addr);
		ctrl_put64(e + 8, l->e820[i].size);
		ctrl_put32(e + 16, l->e820[i].type);
	}
	memcpy(p + name_off, firmware_name, sizeof(firmware_name));
	return 0;
}
