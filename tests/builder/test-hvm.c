/*
 * test-hvm.c - the pure parts of the HVM builder (libctrl/build_hvm_layout.c)
 * with made-up inputs: hvmloader's ELF checks and copy, the memory layout
 * and map around the MMIO hole, the hvm_info_table hvmloader validates
 * (signature, length, checksum, vCPU bitmap, memory ends), and the
 * hvm_start_info page with its "firmware" module.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctrl_build.h"

#include <xen/hvm/hvm_info_table.h>

#define MiB (1024ULL * 1024)
#define GiB (1024 * MiB)

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* A 32-bit ELF like hvmloader: two PT_LOAD segments from 1 MiB (text,
 * then data with a bss tail), entry in the first. */
struct fake_elf {
	unsigned char b[4096];
	size_t len;
};

static void make_loader(struct fake_elf *f, uint32_t paddr, uint32_t entry)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)f->b;
	Elf32_Phdr *ph = (Elf32_Phdr *)(f->b + sizeof(*eh));

	memset(f, 0, sizeof(*f));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 1024;
	ph[0].p_paddr = ph[0].p_vaddr = paddr;
	ph[0].p_filesz = ph[0].p_memsz = 1000;
	ph[1].p_type = PT_LOAD;
	ph[1].p_offset = 2048;
	ph[1].p_paddr = ph[1].p_vaddr = paddr + 8192;
	ph[1].p_filesz = 100;
	ph[1].p_memsz = 5000;                 /* bss beyond the file bytes */
	memset(f->b + 1024, 0xaa, 1000);
	memset(f->b + 2048, 0xbb, 100);
	f->len = 3072;
}

static void test_loader_parse_copy(void **state)
{
	struct fake_elf f;
	struct ctrl_hvm_loader ld;
	unsigned char *dst;
	char err[200];
	size_t n;

	(void)state;
	make_loader(&f, 0x100000, 0x100010);
	assert_int_equal(ctrl_hvm_loader_parse(f.b, f.len, &ld, err, sizeof(err)), 0);
	assert_int_equal(ld.pstart, 0x100000);
	assert_int_equal(ld.pend, 0x100000 + 8192 + 5000);
	assert_int_equal(ld.entry, 0x100010);

	n = ld.pend - ld.pstart + 100;
	dst = malloc(n);
	assert_non_null(dst);
	memset(dst, 0x55, n);
	assert_int_equal(ctrl_hvm_loader_copy(&ld, dst, n, err, sizeof(err)), 0);
	assert_int_equal(dst[0], 0xaa);
	assert_int_equal(dst[999], 0xaa);
	assert_int_equal(dst[1000], 0);               /* gap zeroed */
	assert_int_equal(dst[8192], 0xbb);
	assert_int_equal(dst[8192 + 99], 0xbb);
	assert_int_equal(dst[8192 + 100], 0);         /* bss zeroed */
	assert_int_equal(dst[n - 1], 0);              /* tail zeroed */
	/* Too small a buffer: refused, nothing written. */
	assert_int_equal(ctrl_hvm_loader_copy(&ld, dst, 100, err, sizeof(err)), -1);
	assert_int_equal(errno, ERANGE);
	free(dst);
}

static void test_loader_refused(void **state)
{
	struct fake_elf f;
	struct ctrl_hvm_loader ld;
	Elf32_Phdr *ph;
	char err[200];

	(void)state;
	/* Not ELF at all. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(ctrl_hvm_loader_parse(f.b, 100, &ld, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOEXEC);
	/* A 64-bit file (a kernel, not hvmloader). */
	make_loader(&f, 0x100000, 0x100010);
	f.b[EI_CLASS] = ELFCLASS64;
	assert_int_equal(ctrl_hvm_loader_parse(f.b, f.len, &ld, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "32-bit"));
	/* Below 1 MiB: that is the BIOS's. */
	make_loader(&f, 0x80000, 0x80010);
	assert_int_equal(ctrl_hvm_loader_parse(f.b, f.len, &ld, err, sizeof(err)), -1);
	/* Entry outside the image. */
	make_loader(&f, 0x100000, 0x200000);
	assert_int_equal(ctrl_hvm_loader_parse(f.b, f.len, &ld, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry"));
	/* A segment reaching past the end of the file. */
	make_loader(&f, 0x100000, 0x100010);
	ph = (Elf32_Phdr *)(f.b + sizeof(Elf32_Ehdr));
	ph[1].p_filesz = 4000;
	ph[1].p_memsz = 5000;
	assert_int_equal(ctrl_hvm_loader_parse(f.b, f.len, &ld, err, sizeof(err)), -1);
	/* Truncated program headers. */
	make_loader(&f, 0x100000, 0x100010);
	assert_int_equal(ctrl_hvm_loader_parse(f.b, sizeof(Elf32_Ehdr) + 10, &ld,
	                                       err, sizeof(err)), -1);
}

static void layout_in(struct ctrl_hvm_layout_in *in, uint64_t mem)
{
	memset(in, 0, sizeof(*in));
	in->nr_pages = mem / 4096;
	in->loader_pstart = 0x100000;
	in->loader_pend = 0x100000 + 170 * 1024 + 7;
	in->firmware_len = 256 * 1024;
}

static void test_layout_small(void **state)
{
	struct ctrl_hvm_layout_in in;
	struct ctrl_hvm_layout l;
	char err[200];

	(void)state;
	layout_in(&in, 256 * MiB);
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), 0);
	assert_int_equal(l.lowmem_end, 256 * MiB);
	assert_int_equal(l.highmem_end, 0);
	assert_int_equal(l.loader_pfn, 0x100);
	assert_int_equal(l.loader_pages, 43);         /* 170 KiB + 7 bytes */
	assert_int_equal(l.firmware_pfn, 0x100 + 43);
	assert_int_equal(l.firmware_pages, 64);
	assert_int_equal(l.start_info_pfn, 0x100 + 43 + 64);
	/* libxenguest's special pages and, below them, the ioreq pages. */
	assert_int_equal(l.special_pfn, 0xfeff8);
	assert_int_equal(l.ioreq_server_pfn, 0xfeff0);
	assert_int_equal(l.xenstore_pfn, 0xfeffc);
	assert_int_equal(l.console_pfn, 0xfefff);
	/* The map: RAM from 1 MiB only; hvmloader describes below. */
	assert_int_equal(l.nr_e820, 1);
	assert_int_equal(l.e820[0].addr, 1 * MiB);
	assert_int_equal(l.e820[0].size, 255 * MiB);
	assert_int_equal(l.e820[0].type, 1);
}

static void test_layout_above_hole(void **state)
{
	struct ctrl_hvm_layout_in in;
	struct ctrl_hvm_layout l;
	char err[200];

	(void)state;
	layout_in(&in, 5 * GiB);
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), 0);
	assert_int_equal(l.lowmem_end, 0xf0000000ULL);
	assert_int_equal(l.highmem_end, 4 * GiB + (5 * GiB - 0xf0000000ULL));
	assert_int_equal(l.nr_e820, 2);
	assert_int_equal(l.e820[1].addr, 4 * GiB);
	assert_int_equal(l.e820[1].size, 5 * GiB - 0xf0000000ULL);
}

static void test_layout_refused(void **state)
{
	struct ctrl_hvm_layout_in in;
	struct ctrl_hvm_layout l;
	char err[200];

	(void)state;
	layout_in(&in, 8 * MiB);                      /* below 16 MiB */
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	layout_in(&in, 256 * MiB);
	in.firmware_len = 0;                          /* no BIOS */
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), -1);
	layout_in(&in, 16 * MiB);
	in.loader_pend = 15 * MiB;                    /* no room after it */
	in.firmware_len = 2 * MiB;
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);
}

static void test_info_table(void **state)
{
	struct ctrl_hvm_layout_in in;
	struct ctrl_hvm_layout l;
	unsigned char page[4096], s = 0;
	const struct hvm_info_table *t;
	char err[200];
	size_t i;

	(void)state;
	layout_in(&in, 5 * GiB);
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), 0);
	memset(page, 0x77, sizeof(page));
	assert_int_equal(ctrl_hvm_write_info(&l, 10, 3, page, err, sizeof(err)), 0);
	/* Read back through Xen's own struct, as hvmloader does. */
	t = (const struct hvm_info_table *)(page + HVM_INFO_OFFSET);
	assert_memory_equal(t->signature, "HVM INFO", 8);
	assert_int_equal(t->length, sizeof(*t));
	for (i = 0; i < t->length; i++)
		s = (unsigned char)(s + ((const unsigned char *)t)[i]);
	assert_int_equal(s, 0);
	assert_int_equal(t->apic_mode, 1);
	assert_int_equal(t->nr_vcpus, 10);
	assert_int_equal(t->vcpu_online[0], 0x07);    /* vCPUs 0-2 online */
	assert_int_equal(t->vcpu_online[1], 0);
	assert_int_equal(t->low_mem_pgend, 0xf0000);
	assert_int_equal(t->high_mem_pgend, (4 * GiB + (5 * GiB - 0xf0000000ULL)) >> 12);
	assert_int_equal(t->reserved_mem_pgstart, 0xfeff0);
	assert_int_equal(page[0], 0);                 /* the rest zeroed */
	assert_int_equal(page[4095], 0);
	/* All 128 online: every bit. */
	assert_int_equal(ctrl_hvm_write_info(&l, 128, 128, page, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(t->vcpu_online); i++)
		assert_int_equal(t->vcpu_online[i], 0xff);
	/* Out of range. */
	assert_int_equal(ctrl_hvm_write_info(&l, 129, 1, page, err, sizeof(err)), -1);
	assert_int_equal(ctrl_hvm_write_info(&l, 2, 3, page, err, sizeof(err)), -1);
	assert_int_equal(ctrl_hvm_write_info(&l, 2, 0, page, err, sizeof(err)), -1);
}

static void test_start_info(void **state)
{
	struct ctrl_hvm_layout_in in;
	struct ctrl_hvm_layout l;
	unsigned char page[4096];
	uint64_t base, mod, name, mmap;
	char err[200];

	(void)state;
	layout_in(&in, 5 * GiB);
	assert_int_equal(ctrl_hvm_layout(&in, &l, err, sizeof(err)), 0);
	assert_int_equal(ctrl_hvm_write_start_info(&l, 262144, page), 0);
	base = l.start_info_pfn << 12;
	assert_int_equal(get32(page), 0x336ec578u);   /* XEN_HVM_START_MAGIC */
	assert_int_equal(get32(page + 4), 1);         /* version */
	assert_int_equal(get32(page + 12), 1);        /* one module */
	assert_int_equal(get64(page + 24), 0);        /* no command line */
	assert_int_equal(get64(page + 32), 0);        /* no RSDP */
	mod = get64(page + 16);
	assert_true(mod >= base && mod < base + 4096);
	assert_int_equal(get64(page + (mod - base)), l.firmware_pfn << 12);
	assert_int_equal(get64(page + (mod - base) + 8), 262144);
	name = get64(page + (mod - base) + 16);
	assert_true(name >= base && name < base + 4096);
	assert_string_equal((const char *)page + (name - base), "firmware");
	/* The memory map, as in the layout. */
	mmap = get64(page + 40);
	assert_int_equal(get32(page + 48), 2);
	assert_int_equal(get64(page + (mmap - base)), 1 * MiB);
	assert_int_equal(get64(page + (mmap - base) + 24), 4 * GiB);
	assert_int_equal(get32(page + (mmap - base) + 24 + 16), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_parse_copy),
		cmocka_unit_test(test_loader_refused),
		cmocka_unit_test(test_layout_small),
		cmocka_unit_test(test_layout_above_hole),
		cmocka_unit_test(test_layout_refused),
		cmocka_unit_test(test_info_table),
		cmocka_unit_test(test_start_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
