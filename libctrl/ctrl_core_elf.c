/*
 * ctrl_core_elf.c - the core file format of `xl dump-core` (see the
 * layout in libctrl.h): an ELF64 file with sections only, written front to
 * back in one pass.  Everything but the pages has a size known up front,
 * so every offset is computed in ctrl_core_begin() before the first byte
 * is written; the pages then stream through, and the frame table that
 * names them is written after them.
 *
 * Pure file I/O: no hypercalls here, so the unit tests drive it with a
 * fake guest.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/elfnote.h>

#include "libctrl.h"

#define CORE_PAGE_SIZE 4096u

/* The header note's magic numbers (xg_core.h's XC_CORE_MAGIC{,_HVM}). */
#define CORE_MAGIC_PV  0xF00FEBEDu
#define CORE_MAGIC_HVM 0xF00FEBEEu

/* Format version 0.1: major in the high 32 bits. */
#define CORE_FORMAT_VERSION ((uint64_t)0 << 32 | 1)

/*
 * The section headers, in file order of their headers.  The pages and
 * the frame table come last among the headers, as upstream has them.
 */
enum {
	SEC_NULL, SEC_SHSTRTAB, SEC_NOTE, SEC_PRSTATUS, SEC_SHINFO,
	SEC_PAGES, SEC_TABLE, SEC_MAX
};

/*
 * Each note is a 12-byte header, the name "Xen\0" (4 bytes, so the
 * descriptor that follows is 8-aligned) and the descriptor.  The xen
 * version descriptor is upstream's struct of two u64, the XENVER_* string
 * buffers at their ABI sizes, platform parameters and the page size.
 */
#define NOTE_HDR       16u
#define XV_EXTRA       16u
#define XV_COMPILE     (64u + 16u + 32u + 32u)
#define XV_CAPS        1024u
#define XV_CHANGESET   64u
#define XV_DESC        (8u + 8u + XV_EXTRA + XV_COMPILE + XV_CAPS + \
                        XV_CHANGESET + 8u + 8u)
#define HEADER_DESC    32u
#define FORMAT_DESC    8u
#define NOTES_SIZE     (4u * NOTE_HDR + HEADER_DESC + XV_DESC + FORMAT_DESC)

/* Buffer pages in memory before a write(2), to keep syscalls few. */
#define CORE_BATCH 64u

struct ctrl_core_writer {
	int fd;
	bool auto_translated;
	uint64_t nr_pages;         /* slots in .xen_pages */
	uint64_t seen;             /* pages given, including dropped ones */
	uint64_t *table;           /* PV: pfn,gmfn pairs; else pfns */
	unsigned char *buf;        /* CORE_BATCH pages not yet written */
	unsigned buffered;
	char strtab[128];          /* .shstrtab's contents */
	size_t strtab_len;
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Add a name to the string table; returns its offset. */
static uint32_t
strtab_add(struct ctrl_core_writer *w, const char *name)
{
	size_t off = w->strtab_len, len = strlen(name) + 1;

	memcpy(w->strtab + off, name, len);
	w->strtab_len += len;
	return (uint32_t)off;
}

static unsigned char *
put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

static unsigned char *
put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
	return p + 8;
}

/* A string into a fixed buffer of len bytes, zero-filled. */
static unsigned char *
put_str(unsigned char *p, const char *s, size_t len)
{
	size_t n = strnlen(s, len - 1);

	memset(p, 0, len);
	memcpy(p, s, n);
	return p + len;
}

static unsigned char *
put_note_hdr(unsigned char *p, uint32_t descsz, uint32_t type)
{
	p = put_u32(p, 4);              /* namesz: "Xen" and its NUL */
	p = put_u32(p, descsz);
	p = put_u32(p, type);
	memcpy(p, "Xen", 4);
	return p + 4;
}

/* The four notes of .note.Xen into notes[NOTES_SIZE]. */
static void
build_notes(const struct ctrl_core_desc *d, unsigned char *notes)
{
	const struct ctrl_version *v = d->version;
	unsigned char *p = notes;

	memset(notes, 0, NOTES_SIZE);
	p = put_note_hdr(p, 0, XEN_ELFNOTE_DUMPCORE_NONE);

	p = put_note_hdr(p, HEADER_DESC, XEN_ELFNOTE_DUMPCORE_HEADER);
	p = put_u64(p, d->auto_translated ? CORE_MAGIC_HVM : CORE_MAGIC_PV);
	p = put_u64(p, d->nr_vcpus);
	p = put_u64(p, d->nr_pages);
	p = put_u64(p, CORE_PAGE_SIZE);

	p = put_note_hdr(p, XV_DESC, XEN_ELFNOTE_DUMPCORE_XEN_VERSION);
	p = put_u64(p, (uint64_t)v->major);
	p = put_u64(p, (uint64_t)v->minor);
	p = put_str(p, v->extra, XV_EXTRA);
	p = put_str(p, v->compiler, 64);
	p = put_str(p, v->compile_by, 16);
	p = put_str(p, v->compile_domain, 32);
	p = put_str(p, v->compile_date, 32);
	p = put_str(p, v->capabilities, XV_CAPS);
	p = put_str(p, v->changeset, XV_CHANGESET);
	p = put_u64(p, d->virt_start);
	p = put_u64(p, v->pagesize);

	p = put_note_hdr(p, FORMAT_DESC, XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION);
	put_u64(p, CORE_FORMAT_VERSION);
}

static void
set_shdr(Elf64_Shdr *sh, uint32_t name, uint32_t type, uint64_t off,
         uint64_t size, uint64_t align, uint64_t entsize)
{
	sh->sh_name = name;
	sh->sh_type = type;
	sh->sh_offset = off;
	sh->sh_size = size;
	sh->sh_addralign = align;
	sh->sh_entsize = entsize;
}

static uint64_t
table_entry_size(bool auto_translated)
{
	return auto_translated ? 8 : 16;
}

/*
 * Lay out every section, then write the ELF header, the section headers,
 * the notes, the vCPU contexts, the shared info page and the padding up
 * to the first page.
 */
struct ctrl_core_writer *
ctrl_core_begin(const struct ctrl_core_desc *d, int fd)
{
	struct ctrl_core_writer *w = NULL;
	Elf64_Ehdr eh;
	Elf64_Shdr sh[SEC_MAX];
	unsigned char notes[NOTES_SIZE];
	static const unsigned char zeros[CORE_PAGE_SIZE];
	unsigned nsec, i;
	uint64_t off, ctx_size, pad, tsize;
	int saved;

	if (d->nr_vcpus == 0 || d->vcpus == NULL || d->version == NULL ||
	    d->nr_pages > UINT64_MAX / CORE_PAGE_SIZE / 2) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		goto fail;
	w->fd = fd;
	w->auto_translated = d->auto_translated;
	w->nr_pages = d->nr_pages;
	tsize = table_entry_size(d->auto_translated);
	w->table = malloc(d->nr_pages ? d->nr_pages * tsize : 1);
	w->buf = malloc(CORE_BATCH * CORE_PAGE_SIZE);
	if (w->table == NULL || w->buf == NULL)
		goto fail;
	/* Slots never filled stay "no page". */
	memset(w->table, 0xff, d->nr_pages * tsize);

	/* The header count decides where the notes start, so count first. */
	nsec = d->shared_info != NULL ? SEC_MAX : SEC_MAX - 1;
	memset(sh, 0, sizeof(sh));
	w->strtab[0] = '\0';
	w->strtab_len = 1;
	ctx_size = sizeof(vcpu_guest_context_x86_64_t);

	off = sizeof(Elf64_Ehdr) + (uint64_t)nsec * sizeof(Elf64_Shdr);
	i = SEC_SHSTRTAB;
	set_shdr(&sh[i++], strtab_add(w, ".shstrtab"), SHT_STRTAB, 0, 0, 0, 0);
	set_shdr(&sh[i++], strtab_add(w, ".note.Xen"), SHT_NOTE, off,
	         NOTES_SIZE, 0, 0);
	off += NOTES_SIZE;
	set_shdr(&sh[i++], strtab_add(w, ".xen_prstatus"), SHT_PROGBITS, off,
	         ctx_size * d->nr_vcpus, 8, ctx_size);
	off += ctx_size * d->nr_vcpus;
	if (d->shared_info != NULL) {
		set_shdr(&sh[i++], strtab_add(w, ".xen_shared_info"),
		         SHT_PROGBITS, off, CORE_PAGE_SIZE, 8, CORE_PAGE_SIZE);
		off += CORE_PAGE_SIZE;
	}
	/* Pages start on a page boundary, so a reader can mmap them. */
	pad = (CORE_PAGE_SIZE - off % CORE_PAGE_SIZE) % CORE_PAGE_SIZE;
	off += pad;
	set_shdr(&sh[i++], strtab_add(w, ".xen_pages"), SHT_PROGBITS, off,
	         d->nr_pages * CORE_PAGE_SIZE, CORE_PAGE_SIZE, CORE_PAGE_SIZE);
	off += d->nr_pages * CORE_PAGE_SIZE;
	set_shdr(&sh[i++], strtab_add(w, d->auto_translated ? ".xen_pfn" :
	         ".xen_p2m"), SHT_PROGBITS, off, d->nr_pages * tsize, 8, tsize);
	off += d->nr_pages * tsize;
	sh[SEC_SHSTRTAB].sh_offset = off;
	sh[SEC_SHSTRTAB].sh_size = w->strtab_len;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh.e_ident[EI_ABIVERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)nsec;
	eh.e_shstrndx = SEC_SHSTRTAB;

	build_notes(d, notes);
	if (write_all(fd, &eh, sizeof(eh)) < 0 ||
	    write_all(fd, sh, nsec * sizeof(Elf64_Shdr)) < 0 ||
	    write_all(fd, notes, sizeof(notes)) < 0 ||
	    write_all(fd, d->vcpus, ctx_size * d->nr_vcpus) < 0 ||
	    (d->shared_info != NULL &&
	     write_all(fd, d->shared_info, CORE_PAGE_SIZE) < 0) ||
	    write_all(fd, zeros, pad) < 0)
		goto fail;
	return w;

fail:
	saved = errno;
	ctrl_core_abort(w);
	errno = saved;
	return NULL;
}

static int
flush_pages(struct ctrl_core_writer *w)
{
	int r = write_all(w->fd, w->buf, (size_t)w->buffered * CORE_PAGE_SIZE);

	w->buffered = 0;
	return r;
}

int
ctrl_core_add_page(struct ctrl_core_writer *w, uint64_t pfn, uint64_t gmfn,
                   const void *page)
{
	uint64_t slot = w->seen++;

	if (slot >= w->nr_pages)
		return 0;       /* the guest grew since the count was taken */
	if (w->auto_translated) {
		w->table[slot] = pfn;
	} else {
		w->table[2 * slot] = pfn;
		w->table[2 * slot + 1] = gmfn;
	}
	memcpy(w->buf + (size_t)w->buffered * CORE_PAGE_SIZE, page,
	       CORE_PAGE_SIZE);
	if (++w->buffered == CORE_BATCH)
		return flush_pages(w);
	return 0;
}

uint64_t
ctrl_core_pages_seen(const struct ctrl_core_writer *w)
{
	return w->seen;
}

int
ctrl_core_finish(struct ctrl_core_writer *w)
{
	uint64_t slot;
	int r = -1, saved;

	if (flush_pages(w) < 0)
		goto out;
	/* The guest shrank: zero pages keep the announced size. */
	memset(w->buf, 0, CORE_PAGE_SIZE);
	for (slot = w->seen; slot < w->nr_pages; slot++)
		if (write_all(w->fd, w->buf, CORE_PAGE_SIZE) < 0)
			goto out;
	if (write_all(w->fd, w->table,
	              w->nr_pages * table_entry_size(w->auto_translated)) < 0 ||
	    write_all(w->fd, w->strtab, w->strtab_len) < 0)
		goto out;
	r = 0;
out:
	saved = errno;
	ctrl_core_abort(w);
	errno = saved;
	return r;
}

void
ctrl_core_abort(struct ctrl_core_writer *w)
{
	if (w == NULL)
		return;
	free(w->table);
	free(w->buf);
	free(w);
}
