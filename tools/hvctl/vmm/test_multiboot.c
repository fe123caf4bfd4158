// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of multiboot v1 loading: the header found or not, its checksum
 * and flags, ELF32 and a.out-kludge images placed, hostile sizes and
 * addresses refused, the information structure and its memory map.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "le.h"
#include "multiboot.h"
#include "tap.h"

#define RAM		(16ULL << 20)
#define IMG_LEN		0x4000
#define HDR_OFF		0x40		/* the a.out image's header */
#define AOUT_LOAD	0x100000U	/* its file's first byte is loaded here */

static uint8_t img[IMG_LEN];
static char err[256];
static struct mb_image mb;

static void header(size_t off, uint32_t flags)
{
	put32(img + off, MB_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, -(MB_HEADER_MAGIC + flags));
}

/* The a.out kludge: the whole file at 1 MiB, 0x1000 bytes of bss, entry at 0x100100. */
static void aout_image(void)
{
	memset(img, 0x5a, sizeof(img));
	header(HDR_OFF, MB_F_AOUT_KLUDGE | MB_F_PAGE_ALIGN | MB_F_MEMORY_INFO);
	put32(img + HDR_OFF + 12, AOUT_LOAD + HDR_OFF);		/* header_addr */
	put32(img + HDR_OFF + 16, AOUT_LOAD);			/* load_addr */
	put32(img + HDR_OFF + 20, AOUT_LOAD + IMG_LEN);		/* load_end_addr */
	put32(img + HDR_OFF + 24, AOUT_LOAD + IMG_LEN + 0x1000);	/* bss_end_addr */
	put32(img + HDR_OFF + 28, AOUT_LOAD + 0x100);		/* entry_addr */
}

static void phdr(unsigned int i, uint32_t type, uint32_t offset, uint32_t paddr,
		 uint32_t filesz, uint32_t memsz)
{
	Elf32_Phdr p = { .p_type = type, .p_offset = offset, .p_vaddr = paddr,
			 .p_paddr = paddr, .p_filesz = filesz, .p_memsz = memsz };

	memcpy(img + 0x34 + i * sizeof(p), &p, sizeof(p));
}

/*
 * An ELF32 executable: a note, text (0x1000 bytes of the file at 2 MiB) and
 * data (0x800 bytes at 3 MiB with 0x2000 of bss), the header in the text.
 */
static void elf_image(void)
{
	Elf32_Ehdr h = { .e_type = ET_EXEC, .e_machine = EM_386, .e_version = 1,
			 .e_entry = 0x200010, .e_phoff = 0x34,
			 .e_ehsize = sizeof(h), .e_phentsize = sizeof(Elf32_Phdr),
			 .e_phnum = 3 };

	memset(img, 0, sizeof(img));
	memcpy(h.e_ident, ELFMAG, SELFMAG);
	h.e_ident[EI_CLASS] = ELFCLASS32;
	h.e_ident[EI_DATA] = ELFDATA2LSB;
	h.e_ident[EI_VERSION] = 1;
	memcpy(img, &h, sizeof(h));
	phdr(0, PT_NOTE, 0x100, 0, 0x10, 0x10);
	phdr(1, PT_LOAD, 0x1000, 0x200000, 0x1000, 0x1000);
	phdr(2, PT_LOAD, 0x2000, 0x300000, 0x800, 0x2800);
	memset(img + 0x1000, 0x11, 0x1000);
	memset(img + 0x2000, 0x22, 0x800);
	header(0x1000, MB_F_MEMORY_INFO);
}

static int check(size_t len)
{
	return mb_check(&mb, img, len, RAM, 0, err, sizeof(err));
}

static void header_found(void)
{
	size_t off = 0;

	aout_image();
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 1);
	CHECK_EQ(off, HDR_OFF);
	/* The last place it may be: 12 bytes ending at 8 KiB. */
	memset(img, 0, sizeof(img));
	header(MB_SEARCH - 12, 0);
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 1);
	CHECK_EQ(off, MB_SEARCH - 12);
	/* Found in a file of just the header. */
	CHECK_EQ(mb_find(img + MB_SEARCH - 12, 12, &off), 1);
	CHECK_EQ(off, 0);
}

static void header_not_found(void)
{
	size_t off = 0;

	memset(img, 0, sizeof(img));
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 0);
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "no multiboot header"));
	header(2, 0);				/* not 4-byte aligned */
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 0);
	memset(img, 0, sizeof(img));
	header(MB_SEARCH - 8, 0);		/* its checksum beyond 8 KiB */
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 0);
	memset(img, 0, sizeof(img));
	header(MB_SEARCH, 0);
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 0);
	memset(img, 0, sizeof(img));
	header(0x100, 0);			/* its checksum beyond the file */
	CHECK_EQ(mb_find(img, 0x108, &off), 0);
	CHECK_EQ(mb_find(img, 0x10c, &off), 1);
}

static void bad_checksum(void)
{
	size_t off = 0;

	aout_image();
	img[HDR_OFF + 8] ^= 1;
	CHECK_EQ(mb_find(img, IMG_LEN, &off), -1);
	CHECK_EQ(off, HDR_OFF);
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "bad checksum"));
	/* A good header after a bad one is the one. */
	header(0x200, 0);
	CHECK_EQ(mb_find(img, IMG_LEN, &off), 1);
	CHECK_EQ(off, 0x200);
}

static void flags(void)
{
	aout_image();
	CHECK_EQ(check(IMG_LEN), 0);
	header(HDR_OFF, MB_F_AOUT_KLUDGE | MB_F_VIDEO_MODE | (1U << 20));
	CHECK_EQ(check(IMG_LEN), 0);		/* video ignored, high bits optional */
	header(HDR_OFF, MB_F_AOUT_KLUDGE | (1U << 3));
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "0x8 are not supported"));
	header(HDR_OFF, MB_F_AOUT_KLUDGE | (1U << 15));
	CHECK(check(IMG_LEN) < 0);
	/* Without the kludge, an ELF file is needed. */
	header(HDR_OFF, 0);
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "not an ELF"));
}

static void aout_placement(void)
{
	uint8_t *ram = malloc(RAM);
	uint32_t i;

	aout_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(mb.nr_segs, 1);
	CHECK_EQ(mb.seg[0].addr, AOUT_LOAD);
	CHECK_EQ(mb.seg[0].offset, 0);
	CHECK_EQ(mb.seg[0].filesz, IMG_LEN);
	CHECK_EQ(mb.seg[0].memsz, IMG_LEN + 0x1000);
	CHECK_EQ(mb.entry, AOUT_LOAD + 0x100);
	if (!ram) {
		CHECK(ram);
		return;
	}
	memset(ram, 0xcc, RAM);
	mb_load(&mb, ram, RAM, "");
	CHECK(!memcmp(ram + AOUT_LOAD, img, IMG_LEN));
	for (i = 0; i < 0x1000; i++)
		if (ram[AOUT_LOAD + IMG_LEN + i])
			break;
	CHECK_EQ(i, 0x1000);				/* the bss zeroed */
	CHECK_EQ(ram[AOUT_LOAD + IMG_LEN + 0x1000], 0xcc);	/* and no more */
	/* A header further in: the file from load_addr's offset; no end, no bss. */
	put32(img + HDR_OFF + 16, AOUT_LOAD + 0x20);
	put32(img + HDR_OFF + 20, 0);
	put32(img + HDR_OFF + 24, 0);
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(mb.seg[0].offset, 0x20);
	CHECK_EQ(mb.seg[0].filesz, IMG_LEN - 0x20);
	CHECK_EQ(mb.seg[0].memsz, IMG_LEN - 0x20);
	free(ram);
}

static void elf_placement(void)
{
	uint8_t *ram = malloc(RAM);

	elf_image();
	CHECK_EQ(check(IMG_LEN), 0);
	CHECK_EQ(mb.nr_segs, 2);			/* the note is not loaded */
	CHECK_EQ(mb.seg[0].addr, 0x200000);
	CHECK_EQ(mb.seg[1].addr, 0x300000);
	CHECK_EQ(mb.seg[1].memsz, 0x2800);
	CHECK_EQ(mb.entry, 0x200010);
	CHECK_EQ(mb.hdr_off, 0x1000);
	if (!ram) {
		CHECK(ram);
		return;
	}
	memset(ram, 0xcc, RAM);
	mb_load(&mb, ram, RAM, "");
	CHECK(!memcmp(ram + 0x200000, img + 0x1000, 0x1000));	/* the header too */
	CHECK_EQ(ram[0x200fff], 0x11);
	CHECK_EQ(ram[0x201000], 0xcc);
	CHECK_EQ(ram[0x3007ff], 0x22);
	CHECK_EQ(ram[0x300800], 0);
	CHECK_EQ(ram[0x3027ff], 0);
	CHECK_EQ(ram[0x302800], 0xcc);
	/* The flat GDT: 32-bit code at 0x08, data at 0x10. */
	CHECK_EQ(get64(ram + MB_GDT_ADDR + MB_CS), 0x00cf9b000000ffffULL);
	CHECK_EQ(get64(ram + MB_GDT_ADDR + MB_DS), 0x00cf93000000ffffULL);
	free(ram);
}

/* Each hostile ELF program header, one at a time. */
static void elf_hostile(void)
{
	static const uint32_t bad[][4] = {	/* offset, paddr, filesz, memsz */
		{ 0x1000, 0xf0000, 0x1000, 0x1000 },	/* the MP table's area */
		{ 0x1000, 0x9000, 0x100, 0x100 },	/* the info structure */
		{ 0x1000, 0xfff000, 0x1000, 0x2000 },	/* beyond RAM's top */
		{ 0x1000, 0xfffff000, 0x1000, 0x2000 },	/* wraps 4 GiB */
		{ 0x1000, 0x200000, 0x1000, 0xffffffff },
		{ 0x1000, 0x200000, 0x2000, 0x1000 },	/* filesz > memsz */
		{ 0x3800, 0x200000, 0x1000, 0x1000 },	/* beyond the file */
		{ 0xfffff000, 0x200000, 0x2000, 0x2000 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		elf_image();
		phdr(1, PT_LOAD, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
		CHECK(check(IMG_LEN) < 0);
		if (check(IMG_LEN) == 0)
			printf("# case %u loaded\n", i);
	}
	elf_image();
	CHECK_EQ(check(0x2800), 0);			/* the file ends with data */
	CHECK(check(0x27ff) < 0);
	elf_image();
	put32(img + 0x18, 0x400000);			/* e_entry in no segment */
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "entry"));
	elf_image();
	put32(img + 0x1c, IMG_LEN - 0x40);		/* e_phoff: 3 headers beyond */
	CHECK(check(IMG_LEN) < 0);
	elf_image();
	put16(img + 0x2c, 0xffff);			/* e_phnum */
	CHECK(check(IMG_LEN) < 0);
	elf_image();
	put16(img + 0x2a, 56);				/* e_phentsize of ELF64 */
	CHECK(check(IMG_LEN) < 0);
	elf_image();
	img[EI_CLASS] = ELFCLASS64;
	CHECK(check(IMG_LEN) < 0);
	elf_image();
	put16(img + 0x10, ET_DYN);
	CHECK(check(IMG_LEN) < 0);
	/* More segments than hvctl takes. */
	elf_image();
	put32(img + 0x1c, 0x200);
	put16(img + 0x2c, MB_MAX_SEGS + 1);
	for (i = 0; i <= MB_MAX_SEGS; i++) {
		Elf32_Phdr p = { .p_type = PT_LOAD, .p_offset = 0x1000,
				 .p_paddr = 0x200000 + i * 0x1000, .p_filesz = 0x1000,
				 .p_memsz = 0x1000 };

		memcpy(img + 0x200 + i * sizeof(p), &p, sizeof(p));
	}
	CHECK(check(IMG_LEN) < 0);
	CHECK(strstr(err, "segments"));
}

static void aout_hostile(void)
{
	aout_image();
	put32(img + HDR_OFF + 16, AOUT_LOAD + HDR_OFF + 4);	/* load_addr after the header */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 16, AOUT_LOAD - 0x1000);		/* before the file's start */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 20, AOUT_LOAD + IMG_LEN + 1);	/* load_end beyond the file */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 20, AOUT_LOAD - 1);		/* load_end below load_addr */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 24, AOUT_LOAD + 0x10);		/* bss_end inside the file */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 24, 0xffffffff);			/* bss beyond RAM */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 12, 0x80000 + HDR_OFF);		/* below 1 MiB */
	put32(img + HDR_OFF + 16, 0x80000);
	put32(img + HDR_OFF + 20, 0);
	put32(img + HDR_OFF + 24, 0);
	put32(img + HDR_OFF + 28, 0x80000);
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	put32(img + HDR_OFF + 28, AOUT_LOAD + IMG_LEN + 0x1000);	/* entry past the bss */
	CHECK(check(IMG_LEN) < 0);
	aout_image();
	CHECK(check(HDR_OFF + 16) < 0);				/* the addresses cut off */
	CHECK(strstr(err, "beyond the file"));
	/* RAM and command line sizes. */
	aout_image();
	CHECK(mb_check(&mb, img, IMG_LEN, 1ULL << 20, 0, err, sizeof(err)) < 0);
	CHECK(mb_check(&mb, img, IMG_LEN, 4ULL << 30, 0, err, sizeof(err)) < 0);
	CHECK(mb_check(&mb, img, IMG_LEN, RAM + 1, 0, err, sizeof(err)) < 0);
	CHECK(mb_check(&mb, img, IMG_LEN, RAM, MB_CMDLINE_MAX, err, sizeof(err)) < 0);
	CHECK_EQ(mb_check(&mb, img, IMG_LEN, RAM, MB_CMDLINE_MAX - 1, err, sizeof(err)), 0);
	/* Just room: the bss ends at RAM's top. */
	put32(img + HDR_OFF + 24, RAM);
	CHECK_EQ(check(IMG_LEN), 0);
	put32(img + HDR_OFF + 24, RAM + 1);
	CHECK(check(IMG_LEN) < 0);
}

static void info_struct(void)
{
	struct e820_entry e[E820_MAX];
	uint8_t *ram = calloc(1, RAM), *info, *m;
	const char *cmd = "mboot x=1";
	int i, n;

	if (!ram) {
		CHECK(ram);
		return;
	}
	mb_info(ram, RAM, cmd);
	info = ram + MB_INFO_ADDR;
	CHECK_EQ(get32(info), MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEM_MAP);
	CHECK_EQ(get32(info + 4), 639);				/* mem_lower */
	CHECK_EQ(get32(info + 8), (RAM >> 10) - 1024);		/* mem_upper */
	CHECK_EQ(get32(info + 16), MB_CMDLINE_ADDR);
	CHECK(!strcmp((char *)ram + MB_CMDLINE_ADDR, cmd));
	CHECK_EQ(get32(info + 20), 0);				/* mods_count */
	n = e820_layout(e, E820_MAX, RAM);
	CHECK_EQ(n, 4);
	CHECK_EQ(get32(info + 44), n * 24);			/* mmap_length */
	CHECK_EQ(get32(info + 48), MB_MMAP_ADDR);
	for (i = 0; i < n; i++) {
		m = ram + MB_MMAP_ADDR + i * 24;
		CHECK_EQ(get32(m), 20);
		CHECK_EQ(get64(m + 4), e[i].addr);
		CHECK_EQ(get64(m + 12), e[i].size);
		CHECK_EQ(get32(m + 20), e[i].type);
	}
	/* The map ends before the command line; nothing of hvctl's at 1 MiB. */
	CHECK(MB_MMAP_ADDR + n * 24 <= MB_CMDLINE_ADDR);
	CHECK(MB_INFO_ADDR + MB_INFO_LEN <= MB_MMAP_ADDR);
	CHECK(MB_CMDLINE_ADDR + MB_CMDLINE_MAX <= BOOT_EBDA_START);
	CHECK_EQ(ram[MB_LOAD_MIN], 0);
	free(ram);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(header_found),
		TAP_CASE(header_not_found),
		TAP_CASE(bad_checksum),
		TAP_CASE(flags),
		TAP_CASE(aout_placement),
		TAP_CASE(elf_placement),
		TAP_CASE(elf_hostile),
		TAP_CASE(aout_hostile),
		TAP_CASE(info_struct),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
