/*
 * test-core.c - the `xl dump-core` file format (libctrl/ctrl_core_elf.c)
 * written from a fake guest and read back field by field: the ELF header,
 * the section table in upstream's order, the Xen notes, the vCPU
 * contexts, the page-aligned pages and the frame table, including the
 * padding of a guest that gave fewer pages than announced and the drop of
 * pages beyond the count.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "libctrl.h"

#include <xen/elfnote.h>

#define PAGE 4096u

/* The whole file written by one test, read back into memory. */
struct core_file {
	unsigned char *data;
	size_t len;
};

static void
write_core(const struct ctrl_core_desc *d, unsigned npages,
           struct core_file *out)
{
	char path[] = "/tmp/test-core-XXXXXX";
	unsigned char page[PAGE];
	struct ctrl_core_writer *w;
	unsigned i;
	FILE *f;
	long len;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	w = ctrl_core_begin(d, fd);
	assert_non_null(w);
	for (i = 0; i < npages; i++) {
		/* Page i is filled with the byte 'A' + i; its pfn is 10 * i
		 * (gaps, as a ballooned guest has), its mfn 1000 + i. */
		memset(page, 'A' + (int)i, sizeof(page));
		assert_int_equal(ctrl_core_add_page(w, 10 * i, 1000 + i, page),
		                 0);
	}
	assert_int_equal(ctrl_core_pages_seen(w), npages);
	assert_int_equal(ctrl_core_finish(w), 0);

	f = fdopen(fd, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	out->len = (size_t)len;
	out->data = malloc(out->len);
	assert_non_null(out->data);
	assert_int_equal(fread(out->data, 1, out->len, f), out->len);
	fclose(f);
}

static const Elf64_Shdr *
shdr(const struct core_file *cf, unsigned i)
{
	const Elf64_Ehdr *eh = (const void *)cf->data;

	assert_true(i < eh->e_shnum);
	return (const void *)(cf->data + eh->e_shoff + i * sizeof(Elf64_Shdr));
}

static const char *
sec_name(const struct core_file *cf, unsigned i)
{
	const Elf64_Ehdr *eh = (const void *)cf->data;
	const Elf64_Shdr *str = shdr(cf, eh->e_shstrndx);

	assert_true(shdr(cf, i)->sh_name < str->sh_size);
	return (const char *)cf->data + str->sh_offset + shdr(cf, i)->sh_name;
}

/* Every section lies inside the file. */
static void
check_bounds(const struct core_file *cf)
{
	const Elf64_Ehdr *eh = (const void *)cf->data;
	unsigned i;

	for (i = 1; i < eh->e_shnum; i++)
		assert_true(shdr(cf, i)->sh_offset + shdr(cf, i)->sh_size <=
		            cf->len);
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static struct ctrl_version fake_version = {
	.major = 4, .minor = 17, .extra = ".3-test",
	.capabilities = "xen-3.0-x86_64 hvm-3.0-x86_64",
	.changeset = "unavailable", .compiler = "gcc (test)",
	.compile_by = "tester", .compile_domain = "example.invalid",
	.compile_date = "today", .pagesize = PAGE,
};

static void
fake_desc(struct ctrl_core_desc *d, vcpu_guest_context_x86_64_t ctx[2],
          unsigned char *shinfo, bool hvm, uint64_t nr_pages)
{
	memset(ctx, 0, 2 * sizeof(*ctx));
	ctx[0].user_regs.rip = 0xffffffff81000000ull;
	ctx[1].user_regs.rip = 0xffffffff81001234ull;
	ctx[1].ctrlreg[3] = 0x5000;
	memset(shinfo, 0x5a, PAGE);
	memset(d, 0, sizeof(*d));
	d->auto_translated = hvm;
	d->nr_vcpus = 2;
	d->vcpus = ctx;
	d->shared_info = shinfo;
	d->nr_pages = nr_pages;
	d->version = &fake_version;
	d->virt_start = 0xffff800000000000ull;
}

/* A PV guest announcing 5 pages that gives 3: layout, notes, contexts,
 * pages, p2m pairs and the padding. */
static void
test_pv_layout(void **state)
{
	static unsigned char shinfo[PAGE];
	vcpu_guest_context_x86_64_t ctx[2];
	struct ctrl_core_desc d;
	struct core_file cf;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const unsigned char *n, *p;
	static const char *const names[] = {
		"", ".shstrtab", ".note.Xen", ".xen_prstatus",
		".xen_shared_info", ".xen_pages", ".xen_p2m",
	};
	unsigned i;

	(void)state;
	fake_desc(&d, ctx, shinfo, false, 5);
	write_core(&d, 3, &cf);
	eh = (const void *)cf.data;

	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh->e_ident[EI_DATA], ELFDATA2LSB);
	assert_int_equal(eh->e_type, ET_CORE);
	assert_int_equal(eh->e_machine, EM_X86_64);
	assert_int_equal(eh->e_phnum, 0);
	assert_int_equal(eh->e_shoff, sizeof(Elf64_Ehdr));
	assert_int_equal(eh->e_shentsize, sizeof(Elf64_Shdr));
	assert_int_equal(eh->e_shnum, 7);
	assert_int_equal(eh->e_shstrndx, 1);
	check_bounds(&cf);
	for (i = 0; i < 7; i++)
		assert_string_equal(sec_name(&cf, i), names[i]);
	assert_int_equal(shdr(&cf, 1)->sh_type, SHT_STRTAB);
	assert_int_equal(shdr(&cf, 2)->sh_type, SHT_NOTE);
	/* The notes follow the section headers at once. */
	assert_int_equal(shdr(&cf, 2)->sh_offset,
	                 sizeof(Elf64_Ehdr) + 7 * sizeof(Elf64_Shdr));
	/* The string table is the file's last bytes. */
	assert_int_equal(shdr(&cf, 1)->sh_offset + shdr(&cf, 1)->sh_size,
	                 cf.len);

	/* Notes: NONE, HEADER, XEN_VERSION, FORMAT_VERSION, all "Xen". */
	sh = shdr(&cf, 2);
	n = cf.data + sh->sh_offset;
	assert_int_equal(get_u32(n), 4);
	assert_int_equal(get_u32(n + 4), 0);
	assert_int_equal(get_u32(n + 8), XEN_ELFNOTE_DUMPCORE_NONE);
	assert_memory_equal(n + 12, "Xen", 4);
	n += 16;
	assert_int_equal(get_u32(n + 4), 32);
	assert_int_equal(get_u32(n + 8), XEN_ELFNOTE_DUMPCORE_HEADER);
	assert_int_equal(get_u64(n + 16), 0xF00FEBEDu);
	assert_int_equal(get_u64(n + 24), 2);          /* vcpus */
	assert_int_equal(get_u64(n + 32), 5);          /* pages */
	assert_int_equal(get_u64(n + 40), PAGE);
	n += 16 + 32;
	assert_int_equal(get_u32(n + 4), 1280);
	assert_int_equal(get_u32(n + 8), XEN_ELFNOTE_DUMPCORE_XEN_VERSION);
	assert_int_equal(get_u64(n + 16), 4);
	assert_int_equal(get_u64(n + 24), 17);
	assert_string_equal((const char *)n + 32, ".3-test");
	assert_string_equal((const char *)n + 48, "gcc (test)");
	assert_string_equal((const char *)n + 48 + 144,
	                    "xen-3.0-x86_64 hvm-3.0-x86_64");
	assert_int_equal(get_u64(n + 16 + 1264), 0xffff800000000000ull);
	assert_int_equal(get_u64(n + 16 + 1272), PAGE);
	n += 16 + 1280;
	assert_int_equal(get_u32(n + 4), 8);
	assert_int_equal(get_u32(n + 8), XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION);
	assert_int_equal(get_u64(n + 16), 1);
	assert_int_equal(n + 24 - (cf.data + sh->sh_offset), sh->sh_size);

	/* The vCPU contexts, one record each. */
	sh = shdr(&cf, 3);
	assert_int_equal(sh->sh_entsize, sizeof(ctx[0]));
	assert_int_equal(sh->sh_size, 2 * sizeof(ctx[0]));
	assert_memory_equal(cf.data + sh->sh_offset, ctx, sizeof(ctx));
	assert_memory_equal(cf.data + shdr(&cf, 4)->sh_offset, shinfo, PAGE);

	/* Pages: page aligned, 5 slots, 3 given and 2 zero ones. */
	sh = shdr(&cf, 5);
	assert_int_equal(sh->sh_offset % PAGE, 0);
	assert_int_equal(sh->sh_size, 5 * PAGE);
	p = cf.data + sh->sh_offset;
	for (i = 0; i < 5; i++) {
		unsigned char want = i < 3 ? (unsigned char)('A' + i) : 0;
		assert_int_equal(p[i * PAGE], want);
		assert_int_equal(p[i * PAGE + PAGE - 1], want);
	}

	/* p2m: {pfn, gmfn} of each slot, all ones where nothing came. */
	sh = shdr(&cf, 6);
	assert_int_equal(sh->sh_entsize, 16);
	assert_int_equal(sh->sh_size, 5 * 16);
	assert_int_equal(sh->sh_offset, shdr(&cf, 5)->sh_offset + 5 * PAGE);
	p = cf.data + sh->sh_offset;
	for (i = 0; i < 3; i++) {
		assert_int_equal(get_u64(p + 16 * i), 10 * i);
		assert_int_equal(get_u64(p + 16 * i + 8), 1000 + i);
	}
	assert_int_equal(get_u64(p + 48), ~(uint64_t)0);
	assert_int_equal(get_u64(p + 72), ~(uint64_t)0);
	free(cf.data);
}

/* An HVM guest without a shared info page that gives more pages than
 * announced: no .xen_shared_info, .xen_pfn, the extra pages dropped. */
static void
test_hvm_extra_pages_dropped(void **state)
{
	static unsigned char shinfo[PAGE];
	vcpu_guest_context_x86_64_t ctx[2];
	struct ctrl_core_desc d;
	struct core_file cf;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const unsigned char *p, *n;

	(void)state;
	fake_desc(&d, ctx, shinfo, true, 2);
	d.shared_info = NULL;
	write_core(&d, 4, &cf);
	eh = (const void *)cf.data;

	assert_int_equal(eh->e_shnum, 6);
	check_bounds(&cf);
	assert_string_equal(sec_name(&cf, 3), ".xen_prstatus");
	assert_string_equal(sec_name(&cf, 4), ".xen_pages");
	assert_string_equal(sec_name(&cf, 5), ".xen_pfn");
	n = cf.data + shdr(&cf, 2)->sh_offset + 16;
	assert_int_equal(get_u64(n + 16), 0xF00FEBEEu);
	sh = shdr(&cf, 4);
	assert_int_equal(sh->sh_offset % PAGE, 0);
	assert_int_equal(sh->sh_size, 2 * PAGE);
	p = cf.data + sh->sh_offset;
	assert_int_equal(p[0], 'A');
	assert_int_equal(p[PAGE], 'B');
	sh = shdr(&cf, 5);
	assert_int_equal(sh->sh_entsize, 8);
	assert_int_equal(sh->sh_size, 16);
	p = cf.data + sh->sh_offset;
	assert_int_equal(get_u64(p), 0);
	assert_int_equal(get_u64(p + 8), 10);
	free(cf.data);
}

/* Nonsense descriptions are refused before anything is written. */
static void
test_bad_desc_refused(void **state)
{
	static unsigned char shinfo[PAGE];
	vcpu_guest_context_x86_64_t ctx[2];
	struct ctrl_core_desc d;

	(void)state;
	fake_desc(&d, ctx, shinfo, false, 1);
	d.nr_vcpus = 0;
	errno = 0;
	assert_null(ctrl_core_begin(&d, 1));
	assert_int_equal(errno, EINVAL);
	fake_desc(&d, ctx, shinfo, false, 1);
	d.version = NULL;
	assert_null(ctrl_core_begin(&d, 1));
}

/* A write that fails (a closed fd) is reported, not ignored. */
static void
test_write_failure_reported(void **state)
{
	static unsigned char shinfo[PAGE];
	vcpu_guest_context_x86_64_t ctx[2];
	struct ctrl_core_desc d;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	fake_desc(&d, ctx, shinfo, false, 1);
	errno = 0;
	assert_null(ctrl_core_begin(&d, fds[0]));   /* read end: EBADF */
	assert_int_equal(errno, EBADF);
	close(fds[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pv_layout),
		cmocka_unit_test(test_hvm_extra_pages_dropped),
		cmocka_unit_test(test_bad_desc_refused),
		cmocka_unit_test(test_write_failure_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
