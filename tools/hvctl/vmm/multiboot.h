/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96): a kernel's header found
 * and checked, its ELF32 program headers or a.out-kludge addresses checked
 * against the file and the guest's RAM, the image loaded, and the
 * information structure with its memory map written. Every field of the
 * image is hostile: nothing is used before it is checked.
 */
#ifndef VMM_MULTIBOOT_H
#define VMM_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC		0x1badb002U
#define MB_BOOT_MAGIC		0x2badb002U	/* in EAX at the entry */
#define MB_SEARCH		8192		/* the header is in the first 8 KiB */

/* The header's flags hvctl knows: the low 16 are mandatory to honour. */
#define MB_F_PAGE_ALIGN		0x00001U	/* modules page-aligned: there are none */
#define MB_F_MEMORY_INFO	0x00002U	/* mem_* and the map: always given */
#define MB_F_VIDEO_MODE		0x00004U	/* a preferred mode: ignored (no video) */
#define MB_F_AOUT_KLUDGE	0x10000U	/* the load addresses are in the header */
#define MB_F_KNOWN		(MB_F_PAGE_ALIGN | MB_F_MEMORY_INFO | MB_F_VIDEO_MODE)

/* The information structure's flags hvctl sets. */
#define MB_INFO_MEMORY		0x001U
#define MB_INFO_CMDLINE		0x004U
#define MB_INFO_MEM_MAP		0x040U
#define MB_INFO_LEN		116		/* up to the framebuffer fields' end */
#define MB_MMAP_ENTRY_LEN	24		/* size (4) + base (8) + length (8) + type (4) */

/*
 * Where hvctl puts what it gives the kernel, all below 1 MiB, and the kernel
 * all from 1 MiB up: they cannot overlap. The MP table is at 0xf0000 (as for
 * Linux: vmm/bzimage.h's BOOT_BIOS_START), reserved in the memory map.
 */
#define MB_GDT_ADDR		0x500ULL	/* null, flat 32-bit code, flat data */
#define MB_CS			0x08
#define MB_DS			0x10
#define MB_STACK_TOP		0x9000ULL	/* 4 KiB below the info structure */
#define MB_INFO_ADDR		0x9000ULL
#define MB_MMAP_ADDR		0x9100ULL
#define MB_CMDLINE_ADDR		0x20000ULL
#define MB_CMDLINE_MAX		0x10000ULL	/* with its NUL */
#define MB_LOAD_MIN		0x100000ULL	/* the kernel: 1 MiB .. RAM's top */
/* Guest RAM for a multiboot kernel: one region below the 32-bit hole. */
#define MB_RAM_MIN		(2ULL << 20)
#define MB_RAM_MAX		(3ULL << 30)
#define MB_MAX_SEGS		16

/* A part of the file copied to guest memory, zeros after it up to memsz. */
struct mb_seg {
	uint64_t addr, memsz;
	size_t offset, filesz;
};

struct mb_image {
	const uint8_t *img;
	size_t len;
	size_t hdr_off;			/* the header's offset in the file */
	uint32_t flags;
	uint32_t entry;			/* guest-physical */
	unsigned int nr_segs;
	struct mb_seg seg[MB_MAX_SEGS];
};

/*
 * The first header in the file: 1 and its offset in *off; 0 when there is no
 * magic at all; -1 with *off at the first magic when no magic there has a
 * valid checksum.
 */
int mb_find(const uint8_t *img, size_t len, size_t *off);
/*
 * The whole image checked for a guest of ram_size bytes and a command line
 * of cmdline_len bytes (without its NUL): 0, or -1 with the reason in err.
 */
int mb_check(struct mb_image *mb, const uint8_t *img, size_t len,
	     uint64_t ram_size, size_t cmdline_len, char *err, size_t errlen);
/* Copy the segments, write the information structure, its map, the command line, the GDT. */
void mb_load(const struct mb_image *mb, uint8_t *ram, uint64_t ram_size,
	     const char *cmdline);
/* The information structure at MB_INFO_ADDR with its memory map and command line. */
void mb_info(uint8_t *ram, uint64_t ram_size, const char *cmdline);

#endif /* VMM_MULTIBOOT_H */
