/*
 * build_elf.c - the guest kernel's ELF file and its Xen notes.
 *
 * Only 64-bit little-endian x86 ELF files are accepted: the builder makes
 * x86_64 PV guests only.  The file is untrusted; every offset and size read
 * from it is checked against the file's length before it is used, and the
 * arithmetic is done in 64 bits with explicit overflow checks.
 *
 * The Xen notes are ELF notes named "Xen" (xen/elfnote.h).  A note is
 *   uint32 namesz, descsz, type; name[namesz] padded to 4; desc[descsz]
 *   padded to 4.
 * Numeric notes hold a 1, 2, 4 or 8-byte little-endian number; string notes
 * a NUL-terminated string.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "build_internal.h"

/* More program headers than any real kernel has; bounds the overlap check. */
#define MAX_PHDRS 128

/* Largest Xen note value we read; real ones are a few dozen bytes. */
#define MAX_NOTE_DESC 4096

/* Program header i, copied out (the file need not be aligned). */
static Elf64_Phdr get_phdr(const unsigned char *elf, const Elf64_Ehdr *eh,
                           unsigned i)
{
	Elf64_Phdr ph;

	memcpy(&ph, elf + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

static uint64_t get_le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* XENFEAT names as they appear in XEN_ELFNOTE_FEATURES. */
static const struct {
	const char *name;
	unsigned bit;
} feature_names[] = {
	{ "writable_page_tables", XENFEAT_writable_page_tables },
	{ "writable_descriptor_tables", XENFEAT_writable_descriptor_tables },
	{ "auto_translated_physmap", XENFEAT_auto_translated_physmap },
	{ "supervisor_mode_kernel", XENFEAT_supervisor_mode_kernel },
	{ "pae_pgdir_above_4gb", XENFEAT_pae_pgdir_above_4gb },
	{ "hvm_callback_vector", XENFEAT_hvm_callback_vector },
	{ "dom0", XENFEAT_dom0 },
};

/*
 * Parse "name|!name|..." into the supported/required bitmaps.  Unknown
 * optional names are ignored (newer kernels may know newer features); an
 * unknown required one is an error, as we cannot promise it.
 */
static int parse_features(struct ctrl_xen_notes *n, char *err, size_t errlen)
{
	const char *s = n->features;

	while (*s != '\0') {
		size_t len = strcspn(s, "|");
		bool required = false;
		size_t i;

		if (*s == '!') {
			required = true;
			s++;
			len--;
		}
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (strlen(feature_names[i].name) == len &&
			    strncmp(feature_names[i].name, s, len) == 0)
				break;
		if (i < sizeof(feature_names) / sizeof(feature_names[0])) {
			n->feat_supported |= 1u << feature_names[i].bit;
			if (required)
				n->feat_required |= 1u << feature_names[i].bit;
		} else if (required) {
			ctrl_build_seterr(err, errlen, "kernel: requires unknown Xen feature "
			       "\"%.*s\"", (int)len, s);
			errno = ENOEXEC;
			return -1;
		}
		s += len;
		if (*s == '|')
			s++;
	}
	return 0;
}

/* Copy a string note into a fixed field; it must fit. */
static int note_string(char *dst, size_t dstlen, const unsigned char *desc,
                       uint32_t descsz, uint32_t type, char *err,
                       size_t errlen)
{
	size_t n = strnlen((const char *)desc, descsz);

	if (n >= dstlen) {
		ctrl_build_seterr(err, errlen, "kernel: Xen note %u is too long (%zu bytes)",
		       type, n);
		errno = ENOEXEC;
		return -1;
	}
	memcpy(dst, desc, n);
	dst[n] = '\0';
	return 0;
}

/* Record one "Xen" note.  Unknown types are ignored (forward compat). */
static int xen_note(struct ctrl_xen_notes *n, uint32_t type,
                    const unsigned char *desc, uint32_t descsz, char *err,
                    size_t errlen)
{
	uint64_t v = 0;
	bool numeric = false;

	switch (type) {
	case XEN_ELFNOTE_ENTRY:
	case XEN_ELFNOTE_HYPERCALL_PAGE:
	case XEN_ELFNOTE_VIRT_BASE:
	case XEN_ELFNOTE_PADDR_OFFSET:
	case XEN_ELFNOTE_HV_START_LOW:
	case XEN_ELFNOTE_INIT_P2M:
	case XEN_ELFNOTE_MOD_START_PFN:
	case XEN_ELFNOTE_PHYS32_ENTRY:
	case XEN_ELFNOTE_SUSPEND_CANCEL:
	case XEN_ELFNOTE_L1_MFN_VALID:
		numeric = true;
		break;
	default:
		break;
	}
	if (numeric) {
		/* L1_MFN_VALID holds a mask and value pair; only its size
		 * varies, and we do not use it. */
		if (type == XEN_ELFNOTE_L1_MFN_VALID)
			return 0;
		if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8) {
			ctrl_build_seterr(err, errlen, "kernel: Xen note %u has a %u-byte "
			       "value (1, 2, 4 or 8 expected)", type, descsz);
			errno = ENOEXEC;
			return -1;
		}
		v = get_le(desc, descsz);
	}

	n->present = true;
	switch (type) {
	case XEN_ELFNOTE_ENTRY: n->entry = v; break;
	case XEN_ELFNOTE_HYPERCALL_PAGE: n->hypercall_page = v; break;
	case XEN_ELFNOTE_VIRT_BASE: n->virt_base = v; break;
	case XEN_ELFNOTE_PADDR_OFFSET: n->paddr_offset = v; break;
	case XEN_ELFNOTE_HV_START_LOW: n->hv_start_low = v; break;
	case XEN_ELFNOTE_INIT_P2M: n->init_p2m = v; break;
	case XEN_ELFNOTE_PHYS32_ENTRY: n->phys32_entry = v; break;
	case XEN_ELFNOTE_MOD_START_PFN: n->mod_start_pfn = v != 0; break;
	case XEN_ELFNOTE_SUSPEND_CANCEL: n->suspend_cancel = v != 0; break;
	case XEN_ELFNOTE_BSD_SYMTAB: n->bsd_symtab = true; break;
	case XEN_ELFNOTE_LOADER:
		return note_string(n->loader, sizeof(n->loader), desc, descsz,
		                   type, err, errlen);
	case XEN_ELFNOTE_GUEST_OS:
		return note_string(n->guest_os, sizeof(n->guest_os), desc,
		                   descsz, type, err, errlen);
	case XEN_ELFNOTE_GUEST_VERSION:
		return note_string(n->guest_version, sizeof(n->guest_version),
		                   desc, descsz, type, err, errlen);
	case XEN_ELFNOTE_XEN_VERSION:
		return note_string(n->xen_version, sizeof(n->xen_version), desc,
		                   descsz, type, err, errlen);
	case XEN_ELFNOTE_PAE_MODE:
		return note_string(n->pae_mode, sizeof(n->pae_mode), desc,
		                   descsz, type, err, errlen);
	case XEN_ELFNOTE_FEATURES:
		if (note_string(n->features, sizeof(n->features), desc, descsz,
		                type, err, errlen) < 0)
			return -1;
		return parse_features(n, err, errlen);
	case XEN_ELFNOTE_SUPPORTED_FEATURES:
		/* A bitmap of 32-bit words; we know the first word only. */
		if (descsz < 4) {
			ctrl_build_seterr(err, errlen, "kernel: Xen note %u is too short",
			       type);
			errno = ENOEXEC;
			return -1;
		}
		n->feat_supported |= (uint32_t)get_le(desc, 4);
		break;
	default:
		break;
	}
	return 0;
}

/* Walk the notes in [off, off + size) of the file. */
static int parse_notes(const unsigned char *elf, uint64_t off, uint64_t size,
                       struct ctrl_xen_notes *n, char *err, size_t errlen)
{
	uint64_t pos = 0;

	while (size - pos >= 12) {
		const unsigned char *h = elf + off + pos;
		uint32_t namesz, descsz, type;
		uint64_t name_al, desc_al;

		memcpy(&namesz, h, 4);
		memcpy(&descsz, h + 4, 4);
		memcpy(&type, h + 8, 4);
		name_al = ((uint64_t)namesz + 3) & ~3ULL;
		desc_al = ((uint64_t)descsz + 3) & ~3ULL;
		if (name_al > size - pos - 12 ||
		    desc_al > size - pos - 12 - name_al) {
			ctrl_build_seterr(err, errlen, "kernel: ELF note at offset %llu "
			       "extends past the end of its segment",
			       (unsigned long long)(off + pos));
			errno = ENOEXEC;
			return -1;
		}
		if (namesz == 4 && memcmp(h + 12, "Xen", 4) == 0) {
			if (descsz > MAX_NOTE_DESC) {
				ctrl_build_seterr(err, errlen, "kernel: Xen note %u is "
				       "oversized (%u bytes)", type, descsz);
				errno = ENOEXEC;
				return -1;
			}
			if (xen_note(n, type, h + 12 + name_al, descsz, err,
			             errlen) < 0)
				return -1;
		}
		pos += 12 + name_al + desc_al;
	}
	return 0;
}

/*
 * Kernels whose program headers carry no Xen notes may still have them in
 * SHT_NOTE sections (libelf looks there too).  The section header table is
 * optional: a missing or malformed one is simply not used; a note section
 * pointing outside the file is an error.
 */
static int section_notes(const unsigned char *elf, size_t len,
                         const Elf64_Ehdr *eh, struct ctrl_xen_notes *n,
                         char *err, size_t errlen)
{
	unsigned i;

	if (eh->e_shoff == 0 || eh->e_shnum == 0 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff)
		return 0;
	for (i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh;

		memcpy(&sh, elf + eh->e_shoff + (uint64_t)i * sizeof(sh),
		       sizeof(sh));
		if (sh.sh_type != SHT_NOTE)
			continue;
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset) {
			ctrl_build_seterr(err, errlen, "kernel: ELF note section %u extends "
			       "past the end of the file", i);
			errno = ENOEXEC;
			return -1;
		}
		if (parse_notes(elf, sh.sh_offset, sh.sh_size, n, err,
		                errlen) < 0)
			return -1;
	}
	return 0;
}

int ctrl_kernel_parse_elf(unsigned char *elf, size_t len,
                          struct ctrl_kernel_image *img, char *err,
                          size_t errlen)
{
	struct ctrl_xen_notes *n = &img->notes;
	Elf64_Ehdr eh;
	uint64_t virt_offset, paddr_offset;
	unsigned i, j, nload = 0;
	int e;

	img->elf = elf;
	img->elf_len = len;
	n->entry = n->hypercall_page = n->virt_base = CTRL_UNSET_ADDR;
	n->paddr_offset = n->init_p2m = n->hv_start_low = CTRL_UNSET_ADDR;
	n->phys32_entry = CTRL_UNSET_ADDR;

	if (len < sizeof(eh)) {
		ctrl_build_seterr(err, errlen, "kernel: ELF header is truncated");
		goto bad;
	}
	memcpy(&eh, elf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		ctrl_build_seterr(err, errlen, "kernel: not a 64-bit ELF file (only "
		       "x86_64 PV guests are supported)");
		goto bad;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64) {
		ctrl_build_seterr(err, errlen, "kernel: not an x86_64 ELF file");
		goto bad;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > MAX_PHDRS) {
		ctrl_build_seterr(err, errlen, "kernel: bad program header table (%u "
		       "entries of %u bytes)", eh.e_phnum, eh.e_phentsize);
		goto bad;
	}
	if (eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff) {
		ctrl_build_seterr(err, errlen, "kernel: program headers extend past the "
		       "end of the file");
		goto bad;
	}

	/* Check every segment, and find the physical range of the loadable
	 * ones. */
	img->pstart = UINT64_MAX;
	img->pend = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(elf, &eh, i);

		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset) {
			ctrl_build_seterr(err, errlen, "kernel: ELF segment %u extends past "
			       "the end of the file", i);
			goto bad;
		}
		if (ph.p_type == PT_NOTE) {
			if (parse_notes(elf, ph.p_offset, ph.p_filesz, n, err,
			                errlen) < 0)
				goto fail;
			continue;
		}
		if (ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz ||
		    ph.p_memsz > CTRL_KERNEL_MAX_SIZE ||
		    ph.p_paddr > UINT64_MAX - ph.p_memsz) {
			ctrl_build_seterr(err, errlen, "kernel: ELF segment %u has a bad size "
			       "(%llu bytes in the file, %llu in memory)", i,
			       (unsigned long long)ph.p_filesz,
			       (unsigned long long)ph.p_memsz);
			goto bad;
		}
		/* Two segments loaded at the same place would make the
		 * image's contents depend on load order. */
		for (j = 0; j < i; j++) {
			Elf64_Phdr q = get_phdr(elf, &eh, j);

			if (q.p_type != PT_LOAD || q.p_memsz == 0)
				continue;
			if (ph.p_paddr < q.p_paddr + q.p_memsz &&
			    q.p_paddr < ph.p_paddr + ph.p_memsz) {
				ctrl_build_seterr(err, errlen, "kernel: ELF segments %u and "
				       "%u overlap", j, i);
				goto bad;
			}
		}
		if (ph.p_paddr < img->pstart)
			img->pstart = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > img->pend)
			img->pend = ph.p_paddr + ph.p_memsz;
		nload++;
	}
	if (!n->present && section_notes(elf, len, &eh, n, err, errlen) < 0)
		goto fail;
	if (nload == 0) {
		ctrl_build_seterr(err, errlen, "kernel: ELF file has nothing to load");
		goto bad;
	}
	if (img->pend - img->pstart > CTRL_KERNEL_MAX_SIZE) {
		ctrl_build_seterr(err, errlen, "kernel: ELF segments span %llu bytes",
		       (unsigned long long)(img->pend - img->pstart));
		goto bad;
	}

	/* Addresses, the way libelf derives them (see ctrl_build.h). */
	img->virt_base = n->virt_base != CTRL_UNSET_ADDR ? n->virt_base : 0;
	if (n->paddr_offset != CTRL_UNSET_ADDR && n->virt_base == CTRL_UNSET_ADDR) {
		ctrl_build_seterr(err, errlen, "kernel: PADDR_OFFSET note without "
		       "VIRT_BASE");
		goto bad;
	}
	paddr_offset = n->paddr_offset != CTRL_UNSET_ADDR ? n->paddr_offset
	                                                 : img->virt_base;
	virt_offset = img->virt_base - paddr_offset;
	img->virt_kstart = img->pstart + virt_offset;
	img->virt_kend = img->pend + virt_offset;
	img->virt_entry = n->entry != CTRL_UNSET_ADDR ? n->entry : eh.e_entry;
	if (img->virt_kend < img->virt_kstart ||
	    img->virt_kstart < img->virt_base) {
		ctrl_build_seterr(err, errlen, "kernel: image 0x%llx-0x%llx is not above "
		       "its virtual base 0x%llx",
		       (unsigned long long)img->virt_kstart,
		       (unsigned long long)img->virt_kend,
		       (unsigned long long)img->virt_base);
		goto bad;
	}
	if (img->virt_entry < img->virt_kstart ||
	    img->virt_entry >= img->virt_kend) {
		ctrl_build_seterr(err, errlen, "kernel: entry point 0x%llx is outside the "
		       "image", (unsigned long long)img->virt_entry);
		goto bad;
	}
	if (n->hypercall_page != CTRL_UNSET_ADDR &&
	    (n->hypercall_page < img->virt_kstart ||
	     n->hypercall_page >= img->virt_kend ||
	     (n->hypercall_page & 0xfff) != 0)) {
		ctrl_build_seterr(err, errlen, "kernel: hypercall page 0x%llx is not a "
		       "page inside the image",
		       (unsigned long long)n->hypercall_page);
		goto bad;
	}
	return 0;

bad:
	errno = ENOEXEC;
fail:
	e = errno;
	ctrl_kernel_free(img);
	errno = e;
	return -1;
}

int ctrl_kernel_copy_segments(const struct ctrl_kernel_image *img,
                              void *dest, size_t dest_len,
                              char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr seg[MAX_PHDRS];
	unsigned i, j, n = 0;
	uint64_t done = 0;
	unsigned char *d = dest;

	if (img->elf == NULL || img->elf_len < sizeof(eh)) {
		ctrl_build_seterr(err, errlen, "kernel: no image loaded");
		errno = EINVAL;
		return -1;
	}
	memcpy(&eh, img->elf, sizeof(eh));
	if (eh.e_phnum > MAX_PHDRS) {
		ctrl_build_seterr(err, errlen, "kernel: bad program header table");
		errno = EINVAL;
		return -1;
	}

	/* The loadable segments in address order (insertion sort: there are
	 * a handful), each checked against dest_len, which is the caller's;
	 * the headers themselves were checked by ctrl_kernel_parse_elf. */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(img->elf, &eh, i);
		uint64_t off;

		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		off = ph.p_paddr - img->pstart;
		if (off > dest_len || ph.p_memsz > dest_len - off) {
			ctrl_build_seterr(err, errlen, "kernel: segment %u does not fit the "
			       "%zu-byte kernel area", i, dest_len);
			errno = ERANGE;
			return -1;
		}
		for (j = n; j > 0 && seg[j - 1].p_paddr > ph.p_paddr; j--)
			seg[j] = seg[j - 1];
		seg[j] = ph;
		n++;
	}

	/* Copy each, zeroing what lies before it and its bss; segments do
	 * not overlap (checked at parse time). */
	for (i = 0; i < n; i++) {
		uint64_t off = seg[i].p_paddr - img->pstart;

		memset(d + done, 0, off - done);
		memcpy(d + off, img->elf + seg[i].p_offset, seg[i].p_filesz);
		memset(d + off + seg[i].p_filesz, 0,
		       seg[i].p_memsz - seg[i].p_filesz);
		done = off + seg[i].p_memsz;
	}
	memset(d + done, 0, dest_len - done);
	return 0;
}

void ctrl_kernel_free(struct ctrl_kernel_image *img)
{
	free(img->elf);
	img->elf = NULL;
	img->elf_len = 0;
}
