/*
 * elfgen.h - build small x86_64 ELF kernels in memory for the builder's
 * tests: one PT_LOAD segment and one PT_NOTE segment holding Xen notes,
 * laid out like a Linux PV kernel (virt_base 0xffffffff80000000, loaded at
 * physical 16 MiB).  Tests change fields of the result to make bad images.
 *
 * File layout:
 *   0x0000 ELF header, program headers (2)
 *   0x0200 notes
 *   0x1000 the loadable segment's file bytes (EG_FILESZ bytes of a pattern)
 */
#ifndef ELFGEN_H
#define ELFGEN_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#define EG_VIRT_BASE 0xffffffff80000000ULL
#define EG_PADDR     0x1000000ULL
#define EG_KSTART    (EG_VIRT_BASE + EG_PADDR)
#define EG_ENTRY     (EG_KSTART + 0x100)
#define EG_HYPERCALL (EG_KSTART + 0x1000)
#define EG_INIT_P2M  0x8000000000ULL
#define EG_FILESZ    0x2000
#define EG_MEMSZ     0x5000
#define EG_NOTES_OFF 0x200
#define EG_LOAD_OFF  0x1000
#define EG_SIZE      (EG_LOAD_OFF + EG_FILESZ)

static size_t eg_note(unsigned char *p, uint32_t type, const void *desc,
                      uint32_t descsz)
{
	uint32_t namesz = 4;
	size_t n = 12 + 4 + ((descsz + 3) & ~3u);

	memset(p, 0, n);
	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, "Xen", 4);
	memcpy(p + 16, desc, descsz);
	return n;
}

static size_t eg_note_u64(unsigned char *p, uint32_t type, uint64_t v)
{
	return eg_note(p, type, &v, 8);
}

static size_t eg_note_str(unsigned char *p, uint32_t type, const char *s)
{
	return eg_note(p, type, s, (uint32_t)strlen(s) + 1);
}

/* A valid image of EG_SIZE bytes (malloc'd). */
static unsigned char *eg_make(size_t *len)
{
	unsigned char *f = calloc(1, EG_SIZE);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f + sizeof(*eh));
	unsigned char *n = f + EG_NOTES_OFF;
	uint32_t supported = 0x801;   /* writable_page_tables | dom0 */
	size_t i;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = EG_KSTART;      /* the ENTRY note overrides it */
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;

	n += eg_note_u64(n, XEN_ELFNOTE_ENTRY, EG_ENTRY);
	n += eg_note_u64(n, XEN_ELFNOTE_HYPERCALL_PAGE, EG_HYPERCALL);
	n += eg_note_u64(n, XEN_ELFNOTE_VIRT_BASE, EG_VIRT_BASE);
	n += eg_note_u64(n, XEN_ELFNOTE_PADDR_OFFSET, 0);
	n += eg_note_u64(n, XEN_ELFNOTE_INIT_P2M, EG_INIT_P2M);
	n += eg_note_str(n, XEN_ELFNOTE_GUEST_OS, "linux");
	n += eg_note_str(n, XEN_ELFNOTE_GUEST_VERSION, "2.6");
	n += eg_note_str(n, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	n += eg_note_str(n, XEN_ELFNOTE_LOADER, "generic");
	n += eg_note_str(n, XEN_ELFNOTE_FEATURES,
	                 "!writable_page_tables|pae_pgdir_above_4gb");
	n += eg_note(n, XEN_ELFNOTE_SUPPORTED_FEATURES, &supported, 4);
	n += eg_note_str(n, XEN_ELFNOTE_PAE_MODE, "yes");

	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_W | PF_X;
	ph[0].p_offset = EG_LOAD_OFF;
	ph[0].p_vaddr = EG_KSTART;
	ph[0].p_paddr = EG_PADDR;
	ph[0].p_filesz = EG_FILESZ;
	ph[0].p_memsz = EG_MEMSZ;
	ph[0].p_align = 0x1000;

	ph[1].p_type = PT_NOTE;
	ph[1].p_flags = PF_R;
	ph[1].p_offset = EG_NOTES_OFF;
	ph[1].p_filesz = (uint64_t)(n - (f + EG_NOTES_OFF));
	ph[1].p_align = 4;

	for (i = 0; i < EG_FILESZ; i++)
		f[EG_LOAD_OFF + i] = (unsigned char)(i * 7 + 1);
	*len = EG_SIZE;
	return f;
}

static Elf64_Phdr *eg_phdr(unsigned char *f, unsigned i)
{
	return (Elf64_Phdr *)(f + sizeof(Elf64_Ehdr)) + i;
}

#endif /* ELFGEN_H */
