// SPDX-License-Identifier: GPL-2.0-only
/*
 * A multiboot v1 kernel (the Multiboot Specification 0.6.96, sections 3.1
 * and 3.3): the header in the file hvctl read into its own buffer, the
 * segments an ELF32 file or the header's a.out-kludge addresses describe,
 * each checked against the file and the guest's RAM from 1 MiB to its top
 * (below 1 MiB is what hvctl itself puts there), and the information
 * structure with the memory map hvctl gives Linux (vmm/boot_params.c).
 */
#include <elf.h>
#include <string.h>

#include "bzimage.h"
#include "le.h"
#include "multiboot.h"

/* Header fields (offsets from the magic). */
#define MH_FLAGS		4
#define MH_CHECKSUM		8
#define MH_HEADER_ADDR		12
#define MH_LOAD_ADDR		16
#define MH_LOAD_END_ADDR	20
#define MH_BSS_END_ADDR		24
#define MH_ENTRY_ADDR		28
#define MH_AOUT_END		32

/* Information structure fields. */
#define MI_FLAGS		0
#define MI_MEM_LOWER		4
#define MI_MEM_UPPER		8
#define MI_CMDLINE		16
#define MI_MMAP_LENGTH		44
#define MI_MMAP_ADDR		48

int mb_find(const uint8_t *img, size_t len, size_t *off)
{
	size_t end = len < MB_SEARCH ? len : MB_SEARCH, o;
	int r = 0;

	for (o = 0; o + MH_HEADER_ADDR <= end; o += 4) {
		if (get32(img + o) != MB_HEADER_MAGIC)
			continue;
		if (!(uint32_t)(MB_HEADER_MAGIC + get32(img + o + MH_FLAGS) +
				get32(img + o + MH_CHECKSUM))) {
			*off = o;
			return 1;
		}
		if (!r)
			*off = o;
		r = -1;
	}
	return r;
}

/* One segment: in the file, and in RAM from MB_LOAD_MIN to the top. */
static int mb_add_seg(struct mb_image *mb, uint64_t addr, uint64_t offset,
		      uint64_t filesz, uint64_t memsz, uint64_t ram_size,
		      char *err, size_t errlen)
{
	if (!memsz)
		return 0;
	if (mb->nr_segs == MB_MAX_SEGS)
		return boot_bad(err, errlen, "more than %u segments to load", MB_MAX_SEGS);
	if (filesz > memsz)
		return boot_bad(err, errlen, "segment %u: %#llx bytes of file in %#llx of memory",
				mb->nr_segs, (unsigned long long)filesz,
				(unsigned long long)memsz);
	if (offset > mb->len || filesz > mb->len - offset)
		return boot_bad(err, errlen,
				"segment %u: file bytes %#llx + %#llx beyond the file (%#zx)",
				mb->nr_segs, (unsigned long long)offset,
				(unsigned long long)filesz, mb->len);
	if (addr < MB_LOAD_MIN || addr > ram_size || memsz > ram_size - addr)
		return boot_bad(err, errlen,
				"segment %u: %#llx + %#llx is not in guest RAM from 1 MiB to %#llx",
				mb->nr_segs, (unsigned long long)addr,
				(unsigned long long)memsz,
				(unsigned long long)ram_size);
	mb->seg[mb->nr_segs++] = (struct mb_seg){ addr, memsz, offset, filesz };
	return 0;
}

/* The a.out kludge: one segment from the header's own addresses. */
static int mb_check_aout(struct mb_image *mb, uint64_t ram_size, char *err, size_t errlen)
{
	const uint8_t *h = mb->img + mb->hdr_off;
	uint32_t header_addr, load_addr, load_end, bss_end;
	uint64_t offset, filesz, memsz;

	if (mb->len - mb->hdr_off < MH_AOUT_END)
		return boot_bad(err, errlen,
				"multiboot header at %#zx: the a.out kludge's addresses are beyond the file",
				mb->hdr_off);
	header_addr = get32(h + MH_HEADER_ADDR);
	load_addr = get32(h + MH_LOAD_ADDR);
	load_end = get32(h + MH_LOAD_END_ADDR);
	bss_end = get32(h + MH_BSS_END_ADDR);
	mb->entry = get32(h + MH_ENTRY_ADDR);
	if (load_addr > header_addr || header_addr - load_addr > mb->hdr_off)
		return boot_bad(err, errlen,
				"load_addr %#x: not in the file before header_addr %#x (at %#zx)",
				load_addr, header_addr, mb->hdr_off);
	offset = mb->hdr_off - (header_addr - load_addr);
	if (!load_end)
		filesz = mb->len - offset;
	else if (load_end < load_addr)
		return boot_bad(err, errlen, "load_end_addr %#x is below load_addr %#x",
				load_end, load_addr);
	else
		filesz = load_end - load_addr;
	memsz = filesz;
	if (bss_end && bss_end < load_addr + filesz)
		return boot_bad(err, errlen, "bss_end_addr %#x is below the loaded end %#llx",
				bss_end, (unsigned long long)(load_addr + filesz));
	if (bss_end)
		memsz = bss_end - load_addr;
	return mb_add_seg(mb, load_addr, offset, filesz, memsz, ram_size, err, errlen);
}

/* An ELF32 executable for i386: its PT_LOAD segments at their physical addresses. */
static int mb_check_elf(struct mb_image *mb, uint64_t ram_size, char *err, size_t errlen)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned int i;

	if (mb->len < sizeof(eh) || memcmp(mb->img, ELFMAG, SELFMAG))
		return boot_bad(err, errlen, "no a.out kludge (flag 16) and not an ELF file");
	memcpy(&eh, mb->img, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_386 || eh.e_type != ET_EXEC)
		return boot_bad(err, errlen, "not a 32-bit little-endian i386 ELF executable");
	if (eh.e_phentsize != sizeof(ph) || !eh.e_phnum)
		return boot_bad(err, errlen, "ELF e_phentsize %u, e_phnum %u",
				eh.e_phentsize, eh.e_phnum);
	if (eh.e_phoff > mb->len || eh.e_phnum > (mb->len - eh.e_phoff) / sizeof(ph))
		return boot_bad(err, errlen,
				"ELF program headers (e_phoff %#x, e_phnum %u) not in the file",
				eh.e_phoff, eh.e_phnum);
	mb->entry = eh.e_entry;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, mb->img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD &&
		    mb_add_seg(mb, ph.p_paddr, ph.p_offset, ph.p_filesz, ph.p_memsz,
			       ram_size, err, errlen))
			return -1;
	}
	return 0;
}

int mb_check(struct mb_image *mb, const uint8_t *img, size_t len,
	     uint64_t ram_size, size_t cmdline_len, char *err, size_t errlen)
{
	unsigned int i;
	int r;

	memset(mb, 0, sizeof(*mb));
	mb->img = img;
	mb->len = len;
	r = mb_find(img, len, &mb->hdr_off);
	if (!r)
		return boot_bad(err, errlen,
				"no multiboot header in the first %u bytes", MB_SEARCH);
	if (r < 0)
		return boot_bad(err, errlen, "multiboot header at %#zx: bad checksum", mb->hdr_off);
	mb->flags = get32(img + mb->hdr_off + MH_FLAGS);
	if (mb->flags & 0xffff & ~MB_F_KNOWN)
		return boot_bad(err, errlen, "multiboot flags %#x: bits %#x are not supported",
				mb->flags, mb->flags & 0xffff & ~MB_F_KNOWN);
	if (ram_size < MB_RAM_MIN || ram_size > MB_RAM_MAX || (ram_size & 0xfff))
		return boot_bad(err, errlen,
				"guest RAM %#llx: a multiboot kernel needs 2 MiB .. 3 GiB in pages",
				(unsigned long long)ram_size);
	if (cmdline_len >= MB_CMDLINE_MAX)
		return boot_bad(err, errlen, "command line of %zu bytes: at most %llu",
				cmdline_len, MB_CMDLINE_MAX - 1);
	r = mb->flags & MB_F_AOUT_KLUDGE ? mb_check_aout(mb, ram_size, err, errlen) :
					   mb_check_elf(mb, ram_size, err, errlen);
	if (r)
		return r;
	if (!mb->nr_segs)
		return boot_bad(err, errlen, "nothing to load");
	for (i = 0; i < mb->nr_segs; i++)
		if (mb->entry >= mb->seg[i].addr &&
		    mb->entry - mb->seg[i].addr < mb->seg[i].memsz)
			return 0;
	return boot_bad(err, errlen, "entry %#x is not in a loaded segment", mb->entry);
}

void mb_info(uint8_t *ram, uint64_t ram_size, const char *cmdline)
{
	struct e820_entry e[E820_MAX];
	uint8_t *info = ram + MB_INFO_ADDR, *m;
	size_t len = strlen(cmdline);
	int i, n;

	n = e820_layout(e, E820_MAX, ram_size);
	if (n < 0)
		n = 0;
	memset(info, 0, MB_INFO_LEN);
	put32(info + MI_FLAGS, MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEM_MAP);
	put32(info + MI_MEM_LOWER, BOOT_EBDA_START >> 10);
	put32(info + MI_MEM_UPPER, (ram_size - BOOT_HIGH_START) >> 10);
	put32(info + MI_CMDLINE, MB_CMDLINE_ADDR);
	put32(info + MI_MMAP_LENGTH, n * MB_MMAP_ENTRY_LEN);
	put32(info + MI_MMAP_ADDR, MB_MMAP_ADDR);
	for (i = 0; i < n; i++) {
		/* "size" counts the bytes after itself. */
		m = ram + MB_MMAP_ADDR + i * MB_MMAP_ENTRY_LEN;
		put32(m, MB_MMAP_ENTRY_LEN - 4);
		put64(m + 4, e[i].addr);
		put64(m + 12, e[i].size);
		put32(m + 20, e[i].type);
	}
	memcpy(ram + MB_CMDLINE_ADDR, cmdline, len + 1);
}

void mb_load(const struct mb_image *mb, uint8_t *ram, uint64_t ram_size,
	     const char *cmdline)
{
	const struct mb_seg *s;
	unsigned int i;

	for (i = 0; i < mb->nr_segs; i++) {
		s = &mb->seg[i];
		memcpy(ram + s->addr, mb->img + s->offset, s->filesz);
		memset(ram + s->addr + s->filesz, 0, s->memsz - s->filesz);
	}
	mb_info(ram, ram_size, cmdline);
	/* null, flat 32-bit code (MB_CS), flat data (MB_DS). */
	memset(ram + MB_GDT_ADDR, 0, 3 * 8);
	put64(ram + MB_GDT_ADDR + MB_CS, 0x00cf9b000000ffffULL);
	put64(ram + MB_GDT_ADDR + MB_DS, 0x00cf93000000ffffULL);
}
