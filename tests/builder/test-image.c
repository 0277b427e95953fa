/*
 * test-image.c - the builder's kernel image parser: format detection, every
 * decompressor, bzImage payloads, Xen notes, and bad input of each kind.
 *
 * Compressed inputs are made at test time with the real command-line tools
 * (gzip, xz, zstd, bzip2, lz4), so the decoders are checked against the
 * formats as the kernel build produces them, not against our own encoder.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctrl_build.h"
#include "elfgen.h"

static char tmpdir[] = "/tmp/test-image.XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Run a shell command; fail the test if it fails. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* Compress the generated ELF with `cmd` (reads stdin, writes stdout). */
static unsigned char *compressed_elf(const char *cmd, size_t *len)
{
	char in[256], out[256];
	unsigned char *elf;
	size_t elf_len;

	elf = eg_make(&elf_len);
	snprintf(in, sizeof(in), "%s/kernel.elf", tmpdir);
	snprintf(out, sizeof(out), "%s/kernel.z", tmpdir);
	write_file(in, elf, elf_len);
	free(elf);
	sh("%s < %s > %s", cmd, in, out);
	return read_all(out, len);
}

/* Append the 4-byte size the kernel build adds after its payload. */
static unsigned char *append_size(unsigned char *p, size_t *len)
{
	uint32_t sz = EG_SIZE;

	p = realloc(p, *len + 4);
	assert_non_null(p);
	memcpy(p + *len, &sz, 4);
	*len += 4;
	return p;
}

/* The parse result must describe the generated ELF exactly. */
static void check_parsed(const struct ctrl_kernel_image *img)
{
	unsigned char *elf;
	size_t elf_len;

	elf = eg_make(&elf_len);
	assert_int_equal(img->elf_len, elf_len);
	assert_memory_equal(img->elf, elf, elf_len);
	free(elf);
	assert_true(img->notes.present);
	assert_int_equal(img->virt_entry, EG_ENTRY);
	assert_int_equal(img->virt_kstart, EG_KSTART);
	assert_int_equal(img->virt_kend, EG_KSTART + EG_MEMSZ);
}

static int parse(const void *p, size_t len, size_t max,
                 struct ctrl_kernel_image *img, char *err, size_t errlen)
{
	memset(img, 0xa5, sizeof(*img));  /* parse must initialise it */
	return ctrl_kernel_parse(p, len, max, img, err, errlen);
}

/* ---- format detection -------------------------------------------------- */

static void test_detect(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0 };
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char lz4[] = { 0x04, 0x22, 0x4d, 0x18 };
	static const unsigned char lz4l[] = { 0x02, 0x21, 0x4c, 0x18 };
	static const unsigned char lzma[13] = { 0x5d, 0, 0, 0x80 };
	unsigned char bz[0x300] = { 0 };

	(void)state;
	assert_string_equal(ctrl_image_format("\177ELF\2", 5), "elf");
	assert_string_equal(ctrl_image_format(gz, sizeof(gz)), "gzip");
	assert_string_equal(ctrl_image_format(xz, sizeof(xz)), "xz");
	assert_string_equal(ctrl_image_format(zst, sizeof(zst)), "zstd");
	assert_string_equal(ctrl_image_format("BZh91AY", 7), "bzip2");
	assert_string_equal(ctrl_image_format(lz4, sizeof(lz4)), "lz4");
	assert_string_equal(ctrl_image_format(lz4l, sizeof(lz4l)), "lz4-legacy");
	assert_string_equal(ctrl_image_format(lzma, sizeof(lzma)), "lzma");
	memcpy(bz + 0x202, "HdrS", 4);
	assert_string_equal(ctrl_image_format(bz, sizeof(bz)), "bzImage");
	assert_null(ctrl_image_format("hello world", 11));
	assert_null(ctrl_image_format("", 0));
	/* Too short for the magic: not detected (no over-read). */
	assert_null(ctrl_image_format(xz, 3));
}

/* ---- plain ELF and notes ------------------------------------------------ */

static void expect_bad(unsigned char *elf, size_t len, const char *want);

static void test_elf_notes(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *elf;
	size_t len;
	char err[256];

	(void)state;
	elf = eg_make(&len);
	assert_int_equal(parse(elf, len, 0, &img, err, sizeof(err)), 0);
	free(elf);
	check_parsed(&img);
	assert_string_equal(img.format, "elf");
	assert_int_equal(img.notes.entry, EG_ENTRY);
	assert_int_equal(img.notes.hypercall_page, EG_HYPERCALL);
	assert_int_equal(img.notes.virt_base, EG_VIRT_BASE);
	assert_int_equal(img.notes.paddr_offset, 0);
	assert_int_equal(img.notes.init_p2m, EG_INIT_P2M);
	assert_int_equal(img.notes.phys32_entry, CTRL_UNSET_ADDR);
	assert_string_equal(img.notes.guest_os, "linux");
	assert_string_equal(img.notes.guest_version, "2.6");
	assert_string_equal(img.notes.xen_version, "xen-3.0");
	assert_string_equal(img.notes.loader, "generic");
	assert_string_equal(img.notes.pae_mode, "yes");
	assert_string_equal(img.notes.features,
	                    "!writable_page_tables|pae_pgdir_above_4gb");
	/* FEATURES: bit 0 required, bits 0 and 4 supported; plus the
	 * SUPPORTED_FEATURES bitmap 0x801. */
	assert_int_equal(img.notes.feat_required, 0x1);
	assert_int_equal(img.notes.feat_supported, 0x801 | 0x10);
	assert_int_equal(img.pstart, EG_PADDR);
	assert_int_equal(img.pend, EG_PADDR + EG_MEMSZ);
	assert_int_equal(img.virt_base, EG_VIRT_BASE);
	ctrl_kernel_free(&img);
	assert_null(img.elf);
	ctrl_kernel_free(&img);          /* twice is harmless */
}

/* The same notes found through an SHT_NOTE section instead of PT_NOTE. */
static void test_section_notes(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *elf;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Shdr sh[2];
	char err[256];

	(void)state;
	elf = eg_make(&len);
	elf = realloc(elf, len + sizeof(sh));
	memset(sh, 0, sizeof(sh));
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_offset = EG_NOTES_OFF;
	sh[1].sh_size = eg_phdr(elf, 1)->p_filesz;
	memcpy(elf + len, sh, sizeof(sh));
	eh = (Elf64_Ehdr *)elf;
	eh->e_shoff = len;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 2;
	eg_phdr(elf, 1)->p_type = PT_NULL;       /* no PT_NOTE any more */
	assert_int_equal(parse(elf, len + sizeof(sh), 0, &img, err,
	                       sizeof(err)), 0);
	assert_true(img.notes.present);
	assert_int_equal(img.notes.entry, EG_ENTRY);
	assert_string_equal(img.notes.guest_os, "linux");
	ctrl_kernel_free(&img);

	/* A note section outside the file. */
	sh[1].sh_offset = len + 4096;
	memcpy(elf + len, sh, sizeof(sh));
	expect_bad(elf, len + sizeof(sh), "note section");
	free(elf);
}

static void test_copy_segments(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *elf, *dest;
	size_t len, i;
	char err[256];

	(void)state;
	elf = eg_make(&len);
	assert_int_equal(parse(elf, len, 0, &img, err, sizeof(err)), 0);
	dest = malloc(EG_MEMSZ);
	memset(dest, 0xee, EG_MEMSZ);
	assert_int_equal(ctrl_kernel_copy_segments(&img, dest, EG_MEMSZ, err,
	                                           sizeof(err)), 0);
	assert_memory_equal(dest, elf + EG_LOAD_OFF, EG_FILESZ);
	for (i = EG_FILESZ; i < EG_MEMSZ; i++)
		assert_int_equal(dest[i], 0);      /* bss zeroed */
	/* A destination smaller than the image is refused, not overrun. */
	assert_int_equal(ctrl_kernel_copy_segments(&img, dest, EG_MEMSZ - 1,
	                                           err, sizeof(err)), -1);
	assert_int_equal(errno, ERANGE);
	free(dest);
	free(elf);
	ctrl_kernel_free(&img);

	/* Two segments with a gap, listed out of address order: the gap and
	 * the tail are zeroed too. */
	elf = eg_make(&len);
	*eg_phdr(elf, 1) = *eg_phdr(elf, 0);
	eg_phdr(elf, 0)->p_paddr = EG_PADDR + 0x6000;
	eg_phdr(elf, 0)->p_offset = EG_LOAD_OFF + 0x100;
	eg_phdr(elf, 0)->p_filesz = 0x10;
	eg_phdr(elf, 0)->p_memsz = 0x20;
	/* (the notes are gone: no VIRT_BASE, virtual == physical) */
	((Elf64_Ehdr *)elf)->e_entry = EG_PADDR;
	assert_int_equal(parse(elf, len, 0, &img, err, sizeof(err)), 0);
	assert_int_equal(img.pend - img.pstart, 0x6020);
	dest = malloc(0x7000);
	memset(dest, 0xee, 0x7000);
	assert_int_equal(ctrl_kernel_copy_segments(&img, dest, 0x7000, err,
	                                           sizeof(err)), 0);
	assert_memory_equal(dest, elf + EG_LOAD_OFF, EG_FILESZ);
	for (i = EG_FILESZ; i < 0x6000; i++)
		assert_int_equal(dest[i], 0);      /* bss and gap */
	assert_memory_equal(dest + 0x6000, elf + EG_LOAD_OFF + 0x100, 0x10);
	for (i = 0x6010; i < 0x7000; i++)
		assert_int_equal(dest[i], 0);      /* bss and tail */
	free(dest);
	free(elf);
	ctrl_kernel_free(&img);
}

/* ---- each decompressor ------------------------------------------------- */

static void roundtrip(const char *cmd, const char *want_format, bool trailer)
{
	struct ctrl_kernel_image img;
	unsigned char *z;
	size_t len;
	char err[256];
	int rc;

	z = compressed_elf(cmd, &len);
	if (trailer)
		z = append_size(z, &len);
	rc = parse(z, len, 0, &img, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s: %s", cmd, err);
	assert_string_equal(img.format, want_format);
	check_parsed(&img);
	ctrl_kernel_free(&img);

	/* Cut in half: an error with a message, never a crash. */
	err[0] = '\0';
	assert_int_equal(parse(z, len / 2, 0, &img, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_null(img.elf);
	free(z);
}

static void test_gzip(void **s) { (void)s; roundtrip("gzip -9 -c", "gzip", true); }
static void test_xz(void **s) { (void)s; roundtrip("xz --check=crc32 --x86 --lzma2 -c", "xz", true); }
static void test_lzma(void **s) { (void)s; roundtrip("xz --format=lzma -c", "lzma", true); }
static void test_zstd(void **s) { (void)s; roundtrip("zstd -q -19 -c", "zstd", true); }
static void test_bzip2(void **s) { (void)s; roundtrip("bzip2 -9 -c", "bzip2", false); }
static void test_lz4(void **s) { (void)s; roundtrip("lz4 -q -c", "lz4", false); }
static void test_lz4_legacy(void **s) { (void)s; roundtrip("lz4 -q -l -c", "lz4-legacy", true); }

/* ---- bzImage ------------------------------------------------------------ */

/* A minimal bzImage: 2 setup sectors (setup_sects = 1), then a 16-byte
 * gap, then the payload, as payload_offset/payload_length say. */
static unsigned char *make_bzimage(const unsigned char *payload, size_t plen,
                                   size_t *len)
{
	size_t start = 2 * 512 + 16;
	unsigned char *b = calloc(1, start + plen);
	uint32_t off = 16, l = (uint32_t)plen;

	b[0x1f1] = 1;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;                 /* protocol 2.15 */
	b[0x207] = 0x02;
	memcpy(b + 0x248, &off, 4);
	memcpy(b + 0x24c, &l, 4);
	memcpy(b + start, payload, plen);
	*len = start + plen;
	return b;
}

static void test_bzimage(void **state)
{
	struct ctrl_kernel_image img;
	unsigned char *z, *bz;
	size_t zlen, len;
	char err[256];
	uint32_t bad;

	(void)state;
	z = compressed_elf("xz --check=crc32 -c", &zlen);
	z = append_size(z, &zlen);
	bz = make_bzimage(z, zlen, &len);
	assert_int_equal(parse(bz, len, 0, &img, err, sizeof(err)), 0);
	assert_string_equal(img.format, "bzImage+xz");
	check_parsed(&img);
	ctrl_kernel_free(&img);

	/* payload_length past the end of the file. */
	bad = (uint32_t)zlen + 1;
	memcpy(bz + 0x24c, &bad, 4);
	assert_int_equal(parse(bz, len, 0, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside"));
	/* payload_offset wrapping around. */
	bad = 0xffffffffu;
	memcpy(bz + 0x248, &bad, 4);
	assert_int_equal(parse(bz, len, 0, &img, err, sizeof(err)), -1);
	/* An old boot protocol has no payload fields. */
	bz[0x206] = 0x04;
	assert_int_equal(parse(bz, len, 0, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2.08"));
	free(bz);
	free(z);

	/* A bzImage whose payload is not a kernel. */
	bz = make_bzimage((const unsigned char *)"garbage!", 8, &len);
	assert_int_equal(parse(bz, len, 0, &img, err, sizeof(err)), -1);
	free(bz);
}

/* ---- bad ELF files ------------------------------------------------------ */

/* Parse a modified image and expect an error mentioning `want`. */
static void expect_bad(unsigned char *elf, size_t len, const char *want)
{
	struct ctrl_kernel_image img;
	char err[256] = "";

	assert_int_equal(parse(elf, len, 0, &img, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, want);
	assert_null(img.elf);
}

static void test_truncated(void **state)
{
	unsigned char *elf;
	size_t len, cut;

	(void)state;
	elf = eg_make(&len);
	expect_bad(elf, 20, "truncated");
	expect_bad(elf, sizeof(Elf64_Ehdr) + 10, "program headers");
	expect_bad(elf, EG_NOTES_OFF + 30, "extends past the end of the file");
	expect_bad(elf, len - 1, "extends past the end of the file");
	/* Every prefix: an error, never a crash or an over-read (ASan). */
	for (cut = 0; cut < len; cut += 7) {
		struct ctrl_kernel_image img;

		assert_int_equal(parse(elf, cut, 0, &img, NULL, 0), -1);
	}
	free(elf);
}

static void test_bad_segments(void **state)
{
	unsigned char *elf;
	size_t len;
	Elf64_Phdr *ph;

	(void)state;
	elf = eg_make(&len);
	ph = eg_phdr(elf, 0);

	ph->p_filesz = UINT64_MAX - 10;          /* huge p_filesz */
	expect_bad(elf, len, "past the end");
	ph->p_filesz = EG_FILESZ;

	ph->p_offset = UINT64_MAX - 0x10;        /* offset + size wraps */
	expect_bad(elf, len, "past the end");
	ph->p_offset = EG_LOAD_OFF;

	ph->p_memsz = EG_FILESZ - 1;             /* filesz > memsz */
	expect_bad(elf, len, "bad size");
	ph->p_memsz = 1ULL << 40;                /* absurd memsz */
	expect_bad(elf, len, "bad size");
	ph->p_memsz = EG_MEMSZ;
	ph->p_paddr = UINT64_MAX - 0x100;        /* paddr + memsz wraps */
	expect_bad(elf, len, "bad size");
	ph->p_paddr = EG_PADDR;

	/* Turn the note segment into a second PT_LOAD over the first. */
	eg_phdr(elf, 1)->p_type = PT_LOAD;
	eg_phdr(elf, 1)->p_paddr = EG_PADDR + 0x1000;
	eg_phdr(elf, 1)->p_memsz = 0x1000;
	expect_bad(elf, len, "overlap");
	free(elf);

	/* 32-bit and non-x86 files. */
	elf = eg_make(&len);
	elf[EI_CLASS] = ELFCLASS32;
	expect_bad(elf, len, "64-bit");
	elf[EI_CLASS] = ELFCLASS64;
	((Elf64_Ehdr *)elf)->e_machine = EM_AARCH64;
	expect_bad(elf, len, "x86_64");
	((Elf64_Ehdr *)elf)->e_machine = EM_X86_64;
	((Elf64_Ehdr *)elf)->e_phnum = 0;
	expect_bad(elf, len, "program header");
	free(elf);
}

/* Find the note of `type` in the generated image; returns its header. */
static unsigned char *find_note(unsigned char *elf, uint32_t type)
{
	unsigned char *n = elf + EG_NOTES_OFF;
	uint32_t t, namesz, descsz;

	for (;;) {
		memcpy(&namesz, n, 4);
		memcpy(&descsz, n + 4, 4);
		memcpy(&t, n + 8, 4);
		if (t == type)
			return n;
		n += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	}
}

static void test_bad_notes(void **state)
{
	unsigned char *elf, *n;
	size_t len;
	uint32_t v;

	(void)state;
	elf = eg_make(&len);
	n = find_note(elf, XEN_ELFNOTE_GUEST_OS);
	v = 0x7fffffff;                          /* descsz past the segment */
	memcpy(n + 4, &v, 4);
	expect_bad(elf, len, "past the end of its segment");
	v = 0xffffffff;                          /* aligning it would wrap */
	memcpy(n + 4, &v, 4);
	expect_bad(elf, len, "past the end of its segment");
	memcpy(n, &v, 4);                        /* namesz too */
	expect_bad(elf, len, "past the end of its segment");
	free(elf);

	/* A numeric note with a 3-byte value. */
	elf = eg_make(&len);
	n = find_note(elf, XEN_ELFNOTE_ENTRY);
	v = 3;
	memcpy(n + 4, &v, 4);
	expect_bad(elf, len, "3-byte");
	free(elf);

	/* A note segment reaching past the end of the file. */
	elf = eg_make(&len);
	eg_phdr(elf, 1)->p_filesz = len;
	expect_bad(elf, len, "past the end of the file");
	free(elf);

	/* Entry point outside the image. */
	elf = eg_make(&len);
	n = find_note(elf, XEN_ELFNOTE_ENTRY);
	memset(n + 16, 0, 8);
	expect_bad(elf, len, "entry point");
	free(elf);

	/* Hypercall page not page-aligned. */
	elf = eg_make(&len);
	n = find_note(elf, XEN_ELFNOTE_HYPERCALL_PAGE);
	n[16] = 0x10;
	expect_bad(elf, len, "hypercall page");
	free(elf);

	/* A string note longer than we keep. */
	elf = eg_make(&len);
	n = find_note(elf, XEN_ELFNOTE_GUEST_VERSION);
	memset(n + 16, 'x', 4);                  /* "2.6\0" -> "xxxx" ... */
	v = 200;                                 /* ... and claim 200 bytes */
	memcpy(n + 4, &v, 4);
	/* (now it also runs past the segment, which is reported first or
	 * it is too long: either way an error) */
	{
		struct ctrl_kernel_image img;

		assert_int_equal(parse(elf, len, 0, &img, NULL, 0), -1);
	}
	free(elf);
}

static void test_not_a_kernel(void **state)
{
	struct ctrl_kernel_image img;
	char err[256];
	unsigned char *z;
	size_t len;

	(void)state;
	assert_int_equal(parse("just some text, no kernel", 25, 0, &img, err,
	                       sizeof(err)), -1);
	assert_int_equal(errno, ENOEXEC);
	assert_non_null(strstr(err, "not an ELF"));

	/* A gzip file that does not hold an ELF. */
	sh("echo 'hello' | gzip -c > %s/text.gz", tmpdir);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/text.gz", tmpdir);
		z = read_all(path, &len);
	}
	assert_int_equal(parse(z, len, 0, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not contain an ELF"));
	free(z);

	/* Corrupt data after a valid header. */
	z = compressed_elf("gzip -c", &len);
	memset(z + 20, 0x55, len - 30);
	assert_int_equal(parse(z, len, 0, &img, err, sizeof(err)), -1);
	free(z);
}

/* ---- decompression bombs ---------------------------------------------- */

/* 4 MiB of zeros through every format, with a 1 MiB limit: each must stop
 * with E2BIG, without producing more than the limit. */
static void test_bomb_small_limit(void **state)
{
	static const char *cmds[][2] = {
		{ "gzip -c", "gzip" }, { "xz -c", "xz" },
		{ "xz --format=lzma -c", "lzma" }, { "zstd -q -c", "zstd" },
		{ "bzip2 -c", "bzip2" }, { "lz4 -q -c", "lz4" },
		{ "lz4 -q -l -c", "lz4-legacy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char path[256];
		unsigned char *z, *out;
		size_t len, out_len;
		char err[256] = "";

		snprintf(path, sizeof(path), "%s/zeros.%zu", tmpdir, i);
		sh("head -c 4194304 /dev/zero | %s > %s", cmds[i][0], path);
		z = read_all(path, &len);
		assert_string_equal(ctrl_image_format(z, len), cmds[i][1]);
		assert_int_equal(ctrl_decompress(cmds[i][1], z, len, 1 << 20,
		                                 &out, &out_len, err,
		                                 sizeof(err)), -1);
		if (errno != E2BIG)
			fail_msg("%s: errno %d (%s)", cmds[i][1], errno, err);
		assert_null(out);
		assert_non_null(strstr(err, "more than"));
		/* With room enough it decompresses to 4 MiB of zeros. */
		assert_int_equal(ctrl_decompress(cmds[i][1], z, len, 8 << 20,
		                                 &out, &out_len, err,
		                                 sizeof(err)), 0);
		assert_int_equal(out_len, 4194304);
		assert_int_equal(out[0] | out[out_len - 1], 0);
		free(out);
		free(z);
	}
}

/* The real limit: a zstd stream of 1 GiB + 4 KiB of zeros is refused by
 * ctrl_kernel_parse with the default limit (XSA-25). */
static void test_bomb_1g(void **state)
{
	struct ctrl_kernel_image img;
	char path[256], err[256] = "";
	unsigned char *z;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/bomb.zst", tmpdir);
	sh("head -c %llu /dev/zero | zstd -q -c > %s",
	   CTRL_KERNEL_MAX_SIZE + 4096, path);
	z = read_all(path, &len);
	assert_true(len < 1024 * 1024);          /* small input ... */
	assert_int_equal(parse(z, len, 0, &img, err, sizeof(err)), -1);
	assert_int_equal(errno, E2BIG);          /* ... refused by output size */
	assert_non_null(strstr(err, "more than 1073741824 bytes"));
	free(z);
}

static void test_load_file(void **state)
{
	struct ctrl_kernel_image img;
	char path[256], err[256] = "";
	unsigned char *elf;
	size_t len;

	(void)state;
	elf = eg_make(&len);
	snprintf(path, sizeof(path), "%s/vmlinux", tmpdir);
	write_file(path, elf, len);
	free(elf);
	assert_int_equal(ctrl_kernel_load_file(path, &img, err, sizeof(err)), 0);
	check_parsed(&img);
	ctrl_kernel_free(&img);

	assert_int_equal(ctrl_kernel_load_file("/nonexistent/vmlinuz", &img,
	                                       err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "/nonexistent/vmlinuz"));
	assert_int_equal(ctrl_kernel_load_file(tmpdir, &img, err,
	                                       sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	/* A bad file's message names the file. */
	write_file(path, "garbage", 7);
	assert_int_equal(ctrl_kernel_load_file(path, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_elf_notes),
		cmocka_unit_test(test_section_notes),
		cmocka_unit_test(test_copy_segments),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_xz),
		cmocka_unit_test(test_lzma),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_bzip2),
		cmocka_unit_test(test_lz4),
		cmocka_unit_test(test_lz4_legacy),
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_notes),
		cmocka_unit_test(test_not_a_kernel),
		cmocka_unit_test(test_bomb_small_limit),
		cmocka_unit_test(test_bomb_1g),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
