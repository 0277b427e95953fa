/*
 * test-pvh.c - the pure parts of the PVH builder (libctrl/build_pvh_layout.c)
 * and the PVH entry note, with fake inputs: the memory layout and map, the
 * hvm_start_info page, and the ACPI tables (checksums, pointers, MADT).
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

#include <xen/elfnote.h>

#include "elfgen.h"

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

static unsigned char sum(const unsigned char *p, size_t n)
{
	unsigned char s = 0;

	while (n-- > 0)
		s = (unsigned char)(s + *p++);
	return s;
}

/* A Linux-like kernel: 16 MiB .. 74 MiB, as the Debian kernel loads. */
static void linux_in(struct ctrl_pvh_layout_in *in, uint64_t mem,
                     uint64_t ramdisk)
{
	memset(in, 0, sizeof(*in));
	in->nr_pages = mem / 4096;
	in->kernel_pstart = 16 * MiB;
	in->kernel_pend = 74 * MiB + 123;
	in->ramdisk_len = ramdisk;
}

/* ---- the PVH entry note ------------------------------------------------ */

static void test_phys32_note(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *elf;
	Elf64_Phdr *ph;
	uint32_t entry = 0x1000abc;
	size_t len;
	char err[256];

	(void)state;
	elf = eg_make(&len);
	ph = eg_phdr(elf, 1);
	/* Linux writes the PVH entry as a 32-bit value. */
	ph->p_filesz += eg_note(elf + ph->p_offset + ph->p_filesz,
	                        XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	assert_int_equal(ctrl_kernel_parse(elf, len, 0, &img, err, sizeof(err)), 0);
	free(elf);
	assert_int_equal(img.notes.phys32_entry, 0x1000abc);
	assert_int_equal(img.pstart, EG_PADDR);
	ctrl_kernel_free(&img);
}

/* ---- layout ------------------------------------------------------------ */

static void test_layout_small(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;
	char err[256];

	(void)state;
	linux_in(&in, 256 * MiB, 10 * MiB + 1);
	assert_int_equal(ctrl_pvh_layout(&in, &l, err, sizeof(err)), 0);
	assert_int_equal(l.lowmem_end, 256 * MiB);
	assert_int_equal(l.highmem_end, 0);
	assert_int_equal(l.kernel_pfn, 0x1000);
	assert_int_equal(l.kernel_pages, (74 * MiB) / 4096 + 1 - 0x1000);
	assert_int_equal(l.ramdisk_pfn, l.kernel_pfn + l.kernel_pages);
	assert_int_equal(l.ramdisk_pages, (10 * MiB) / 4096 + 1);
	assert_int_equal(l.start_info_pfn, l.ramdisk_pfn + l.ramdisk_pages);
	assert_int_equal(l.acpi_pfn, 0xfc000);
	assert_int_equal(l.special_pfn, 0xfeff8);
	assert_int_equal(l.xenstore_pfn, 0xfeffc);
	assert_int_equal(l.console_pfn, 0xfefff);

	/* RAM, ACPI NVS, the special pages reserved; nothing overlaps. */
	assert_int_equal(l.nr_e820, 3);
	assert_int_equal(l.e820[0].addr, 0);
	assert_int_equal(l.e820[0].size, 256 * MiB);
	assert_int_equal(l.e820[0].type, 1);
	assert_int_equal(l.e820[1].addr, 0xfc000000);
	assert_int_equal(l.e820[1].size, CTRL_PVH_ACPI_PAGES * 4096);
	assert_int_equal(l.e820[1].type, 4);
	assert_int_equal(l.e820[2].addr, 0xfeff8000);
	assert_int_equal(l.e820[2].size, 8 * 4096);
	assert_int_equal(l.e820[2].type, 2);
}

static void test_layout_no_ramdisk(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;

	(void)state;
	linux_in(&in, 128 * MiB, 0);
	assert_int_equal(ctrl_pvh_layout(&in, &l, NULL, 0), 0);
	assert_int_equal(l.ramdisk_pages, 0);
	assert_int_equal(l.start_info_pfn, l.kernel_pfn + l.kernel_pages);
}

static void test_layout_highmem(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;

	(void)state;
	linux_in(&in, 5 * GiB, 0);
	assert_int_equal(ctrl_pvh_layout(&in, &l, NULL, 0), 0);
	assert_int_equal(l.lowmem_end, 0xf0000000);
	assert_int_equal(l.highmem_end, 4 * GiB + (5 * GiB - 0xf0000000));
	assert_int_equal(l.nr_e820, 4);
	assert_int_equal(l.e820[3].addr, 4 * GiB);
	assert_int_equal(l.e820[3].size, 5 * GiB - 0xf0000000);
	assert_int_equal(l.e820[3].type, 1);
}

static void test_layout_too_small(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;
	char err[256];

	(void)state;
	/* The kernel itself does not fit. */
	linux_in(&in, 64 * MiB, 0);
	assert_int_equal(ctrl_pvh_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);
	assert_non_null(strstr(err, "kernel"));
	/* The kernel fits, its ramdisk does not. */
	linux_in(&in, 80 * MiB, 8 * MiB);
	assert_int_equal(ctrl_pvh_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOMEM);
	assert_non_null(strstr(err, "ramdisk"));
	/* Nonsense. */
	linux_in(&in, 256 * MiB, 0);
	in.kernel_pend = in.kernel_pstart;
	assert_int_equal(ctrl_pvh_layout(&in, &l, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
}

/* ---- start_info ---------------------------------------------------------- */

static void test_start_info(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;
	unsigned char page[4096];
	uint64_t base, mod, mmap, cmd;
	unsigned i;
	char err[256];

	(void)state;
	linux_in(&in, 256 * MiB, 5000);
	assert_int_equal(ctrl_pvh_layout(&in, &l, NULL, 0), 0);
	memset(page, 0xaa, sizeof(page));
	assert_int_equal(ctrl_pvh_write_start_info(&l, "console=hvc0 quiet",
	                 5000, 0xfc000000, page, err, sizeof(err)), 0);
	base = l.start_info_pfn * 4096;
	assert_int_equal(get32(page), 0x336ec578);     /* XEN_HVM_START_MAGIC */
	assert_int_equal(get32(page + 4), 1);          /* version */
	assert_int_equal(get32(page + 12), 1);         /* nr_modules */
	assert_int_equal(get64(page + 32), 0xfc000000);/* rsdp_paddr */
	assert_int_equal(get32(page + 48), l.nr_e820); /* memmap_entries */
	assert_int_equal(get32(page + 52), 0);         /* reserved */

	/* Every pointer is a physical address inside this page. */
	mod = get64(page + 16);
	cmd = get64(page + 24);
	mmap = get64(page + 40);
	assert_true(mod >= base + 56 && mod + 32 <= base + 4096);
	assert_true(mmap >= base + 56 && mmap + 24 * l.nr_e820 <= base + 4096);
	assert_true(cmd >= base + 56 && cmd < base + 4096);
	assert_int_equal(get64(page + (mod - base)), l.ramdisk_pfn * 4096);
	assert_int_equal(get64(page + (mod - base) + 8), 5000);
	assert_int_equal(get64(page + (mod - base) + 16), 0);
	for (i = 0; i < l.nr_e820; i++) {
		const unsigned char *e = page + (mmap - base) + 24 * i;

		assert_int_equal(get64(e), l.e820[i].addr);
		assert_int_equal(get64(e + 8), l.e820[i].size);
		assert_int_equal(get32(e + 16), l.e820[i].type);
		assert_int_equal(get32(e + 20), 0);
	}
	assert_string_equal((const char *)page + (cmd - base),
	                    "console=hvc0 quiet");
}

static void test_start_info_no_module(void **state)
{
	struct ctrl_pvh_layout_in in;
	struct ctrl_pvh_layout l;
	unsigned char page[4096];
	char *big;

	(void)state;
	linux_in(&in, 256 * MiB, 0);
	assert_int_equal(ctrl_pvh_layout(&in, &l, NULL, 0), 0);
	assert_int_equal(ctrl_pvh_write_start_info(&l, NULL, 0, 0, page,
	                                           NULL, 0), 0);
	assert_int_equal(get32(page + 12), 0);
	assert_int_equal(get64(page + 16), 0);
	/* Empty command line: a pointer to "". */
	assert_int_equal(page[get64(page + 24) - l.start_info_pfn * 4096], 0);

	big = malloc(CTRL_PVH_CMDLINE_MAX + 1);
	memset(big, 'x', CTRL_PVH_CMDLINE_MAX);
	big[CTRL_PVH_CMDLINE_MAX] = '\0';
	assert_int_equal(ctrl_pvh_write_start_info(&l, big, 0, 0, page,
	                                           NULL, 0), -1);
	assert_int_equal(errno, E2BIG);
	big[CTRL_PVH_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(ctrl_pvh_write_start_info(&l, big, 0, 0, page,
	                                           NULL, 0), 0);
	free(big);
}

/* ---- ACPI ---------------------------------------------------------------- */

#define ACPI_BASE 0xfc000000ULL

/* The table at guest address pa inside buf, after checking that it lies
 * inside and that its bytes sum to 0. */
static const unsigned char *table(const unsigned char *buf, size_t len,
                                  uint64_t pa, const char *sig)
{
	const unsigned char *t;
	uint32_t tlen;

	assert_true(pa >= ACPI_BASE && pa + 36 <= ACPI_BASE + len);
	t = buf + (pa - ACPI_BASE);
	assert_memory_equal(t, sig, 4);
	tlen = get32(t + 4);
	assert_true(tlen >= 36 && pa + tlen <= ACPI_BASE + len);
	assert_int_equal(sum(t, tlen), 0);
	return t;
}

static void check_acpi(unsigned nr_vcpus, unsigned nr_online)
{
	size_t len = CTRL_PVH_ACPI_PAGES * 4096;
	unsigned char *buf = malloc(len);
	const unsigned char *r, *x, *f, *m;
	uint64_t rsdp;
	unsigned i;

	assert_int_equal(ctrl_pvh_acpi_build(nr_vcpus, nr_online, ACPI_BASE,
	                                     buf, len, &rsdp, NULL, 0), 0);
	assert_true(rsdp >= ACPI_BASE && rsdp + 36 <= ACPI_BASE + len);
	assert_int_equal(rsdp % 16, 0);
	r = buf + (rsdp - ACPI_BASE);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(r[15], 2);                  /* ACPI 2.0+ RSDP */
	assert_int_equal(sum(r, 20), 0);             /* 1.0 checksum */
	assert_int_equal(get32(r + 20), 36);
	assert_int_equal(sum(r, 36), 0);             /* extended checksum */

	x = table(buf, len, get64(r + 24), "XSDT");
	assert_int_equal(get32(x + 4), 36 + 2 * 8);
	f = table(buf, len, get64(x + 36), "FACP");
	m = table(buf, len, get64(x + 44), "APIC");

	/* FADT: revision 5, hardware-reduced, both DSDT pointers agree. */
	assert_int_equal(f[8], 5);
	assert_int_equal(get32(f + 4), 268);
	assert_true(get32(f + 112) & (1u << 20));
	assert_int_equal(get32(f + 40), get64(f + 140));
	table(buf, len, get64(f + 140), "DSDT");

	/* MADT: the LAPIC address, then one LAPIC per vCPU with processor
	 * id i and APIC id 2i, enabled for the first nr_online only. */
	assert_int_equal(get32(m + 4), 44 + 8 * nr_vcpus);
	assert_int_equal(get32(m + 36), 0xfee00000);
	for (i = 0; i < nr_vcpus; i++) {
		const unsigned char *e = m + 44 + 8 * i;

		assert_int_equal(e[0], 0);
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);
		assert_int_equal(e[3], 2 * i);
		assert_int_equal(get32(e + 4), i < nr_online ? 1 : 0);
	}
	free(buf);
}

static void test_acpi_one(void **state)
{
	(void)state;
	check_acpi(1, 1);
}

static void test_acpi_many(void **state)
{
	(void)state;
	check_acpi(4, 4);
	check_acpi(CTRL_PVH_MAX_VCPUS, CTRL_PVH_MAX_VCPUS);
}

/* vcpus= below maxvcpus=: the others are listed, not enabled. */
static void test_acpi_some_online(void **state)
{
	(void)state;
	check_acpi(2, 1);
	check_acpi(8, 3);
}

static void test_acpi_bad(void **state)
{
	unsigned char buf[4096];
	uint64_t rsdp;
	char err[256];

	(void)state;
	assert_int_equal(ctrl_pvh_acpi_build(0, 0, ACPI_BASE, buf,
	                                     sizeof(buf), &rsdp, err,
	                                     sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_pvh_acpi_build(CTRL_PVH_MAX_VCPUS + 1,
	                                     CTRL_PVH_MAX_VCPUS + 1, ACPI_BASE,
	                                     buf, sizeof(buf), &rsdp, err,
	                                     sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	/* Online: at least one, at most all. */
	assert_int_equal(ctrl_pvh_acpi_build(2, 0, ACPI_BASE, buf, sizeof(buf),
	                                     &rsdp, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_pvh_acpi_build(2, 3, ACPI_BASE, buf, sizeof(buf),
	                                     &rsdp, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "online"));
	assert_int_equal(ctrl_pvh_acpi_build(1, 1, ACPI_BASE, buf, 200, &rsdp,
	                                     err, sizeof(err)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_non_null(strstr(err, "acpi"));
}

/* CPUID topology.  Vendor strings go in leaf 0's ebx ("Auth", "Genu"). */
#define NOSUB 0xffffffffu
static void test_cpuid_amd(void **state)
{
	struct ctrl_cpuid_leaf l[] = {
		{ 0, NOSUB, 0xd, 0x68747541u, 0x444d4163u, 0x69746e65u },
		/* lppp 1 in ebx[23:16], HTT clear */
		{ 1, NOSUB, 0x00a00f11u, 0x00010800u, 0, 0x078bfbffu & ~(1u << 28) },
		{ 0x80000001u, NOSUB, 0, 0, 0x3u, 0 },   /* LAHF, CMP_LEGACY */
		{ 0x80000008u, NOSUB, 0x3030, 0, 0x1001u, 0 }, /* size 1, nc 1 */
	};

	(void)state;
	ctrl_cpuid_hvm_topology(l, 4);
	assert_true(l[1].d & (1u << 28));
	assert_int_equal((l[1].b >> 16) & 0xff, 2);
	assert_int_equal(l[1].b & 0xffff, 0x0800);          /* rest kept */
	assert_int_equal(l[1].a, 0x00a00f11u);
	assert_int_equal(l[2].c, 0x1u);                      /* LAHF kept */
	assert_int_equal(l[3].c, 0x2003u);                   /* size 2, nc 3 */
	assert_int_equal(l[3].a, 0x3030);
}

static void test_cpuid_amd_edges(void **state)
{
	struct ctrl_cpuid_leaf l[] = {
		{ 0, NOSUB, 0xd, 0x68747541u, 0, 0 },
		{ 1, NOSUB, 0, 0x00000000u, 0, 0 },          /* lppp 0 */
		{ 0x80000008u, NOSUB, 0, 0, 0x0000u, 0 },    /* size 0, nc 0 */
	};
	struct ctrl_cpuid_leaf m[] = {
		{ 0, NOSUB, 0xd, 0x68747541u, 0, 0 },
		{ 1, NOSUB, 0, 0x00800000u, 0, 0 },          /* lppp 0x80 */
		{ 0x80000008u, NOSUB, 0, 0, 0x707fu, 0 },    /* size 7, nc 0x7f */
	};

	(void)state;
	ctrl_cpuid_hvm_topology(l, 3);
	assert_int_equal((l[1].b >> 16) & 0xff, 2);          /* 0 -> 2 */
	assert_int_equal(l[2].c, 0x0001u);                   /* size stays 0 */
	ctrl_cpuid_hvm_topology(m, 3);
	assert_int_equal((m[1].b >> 16) & 0xff, 0x80);       /* not doubled */
	assert_int_equal(m[2].c, 0x707fu);                   /* no overflow */
}

static void test_cpuid_intel(void **state)
{
	struct ctrl_cpuid_leaf l[] = {
		{ 0, NOSUB, 0x16, 0x756e6547u, 0x6c65746eu, 0x49656e69u },
		{ 1, NOSUB, 0, 0x00040000u, 0, 0 },                  /* lppp 4 */
		/* L1d: type 1, 2 threads/cache (field 1), 4 cores (field 3) */
		{ 4, 0, (3u << 26) | (1u << 14) | 0x121u, 1, 2, 3 },
		{ 4, 1, (3u << 26) | (1u << 14) | 0x143u, 0, 0, 0 },
		{ 4, 2, 0, 0, 0, 0 },                                /* end */
		{ 4, 3, (3u << 26) | 0x1u, 0, 0, 0 },                /* past end */
		{ 0x80000008u, NOSUB, 0, 0, 0x1001u, 0 },
	};

	(void)state;
	ctrl_cpuid_hvm_topology(l, 7);
	assert_int_equal((l[1].b >> 16) & 0xff, 8);
	assert_int_equal(l[2].a, (7u << 26) | 0x121u);        /* 7, threads 0 */
	assert_int_equal(l[2].b, 1);
	assert_int_equal(l[3].a, (7u << 26) | 0x143u);
	assert_int_equal(l[5].a, (3u << 26) | 0x1u);         /* untouched */
	assert_int_equal(l[6].c, 0x1001u);                    /* AMD leaf: no */
}

static void test_cpuid_missing(void **state)
{
	struct ctrl_cpuid_leaf l[] = {
		{ 7, 0, 1, 2, 3, 4 },
	};

	(void)state;
	ctrl_cpuid_hvm_topology(l, 1);             /* no leaf 0, 1: no change */
	assert_int_equal(l[0].a + l[0].b + l[0].c + l[0].d, 10);
	ctrl_cpuid_hvm_topology(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phys32_note),
		cmocka_unit_test(test_layout_small),
		cmocka_unit_test(test_layout_no_ramdisk),
		cmocka_unit_test(test_layout_highmem),
		cmocka_unit_test(test_layout_too_small),
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_start_info_no_module),
		cmocka_unit_test(test_acpi_one),
		cmocka_unit_test(test_acpi_many),
		cmocka_unit_test(test_acpi_some_online),
		cmocka_unit_test(test_acpi_bad),
		cmocka_unit_test(test_cpuid_amd),
		cmocka_unit_test(test_cpuid_amd_edges),
		cmocka_unit_test(test_cpuid_intel),
		cmocka_unit_test(test_cpuid_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
