/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst in the kernel
 * source), 64-bit entry: a bzImage's setup header checked against the file
 * and the guest's RAM, a memory plan, the zero page with its e820 map.
 * Every field of the image is hostile: nothing is used before it is checked.
 */
#ifndef VMM_BZIMAGE_H
#define VMM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed guest-physical addresses (as Firecracker lays them out). */
#define BOOT_GDT_ADDR		0x500ULL
#define BOOT_ZERO_PAGE		0x7000ULL
#define BOOT_STACK_TOP		0x8ff0ULL
#define BOOT_PML4_ADDR		0x9000ULL	/* PML4, PDPT, 4 PDs: 4 GiB */
#define BOOT_CMDLINE_ADDR	0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL	/* with its NUL */
#define BOOT_EBDA_START		0x9fc00ULL
#define BOOT_BIOS_START		0xf0000ULL
#define BOOT_HIGH_START		0x100000ULL
/* Guest RAM a bzImage may have: one region below the 32-bit hole. */
#define BOOT_RAM_MIN		(32ULL << 20)
#define BOOT_RAM_MAX		(3ULL << 30)

#define E820_RAM		1
#define E820_RESERVED		2
#define E820_MAX		128

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

/* A checked image: what the plan and the loader need of its header. */
struct bz_image {
	const uint8_t *img;
	size_t len;
	size_t setup_len;		/* (setup_sects + 1) * 512 */
	size_t hdr_end;			/* 0x202 + img[0x201] */
	uint64_t kernel_len;		/* syssize * 16: the protected-mode part */
	uint16_t version;
	uint8_t relocatable;
	uint32_t kernel_alignment, init_size, cmdline_size, initrd_addr_max;
	uint64_t pref_address;
};

/* Where everything goes in guest memory. */
struct bz_plan {
	uint64_t ram_size;
	uint64_t kernel_addr;		/* runtime start: entry = + 0x200 */
	uint64_t kernel_end;		/* kernel_addr + init_size */
	uint64_t initrd_addr, initrd_size;
	uint64_t cmdline_len;		/* without the NUL */
	uint64_t entry;
};

/* The reason in err (printf format), returns -1: what the checks below return. */
int boot_bad(char *err, size_t errlen, const char *fmt, ...);
/* The boot sector's 0xaa55 and the setup header's "HdrS": a bzImage's, however bad. */
bool bz_signature(const uint8_t *img, size_t len);
/* 0, or -1 with the reason in err. */
int bz_check(struct bz_image *bz, const uint8_t *img, size_t len,
	     uint64_t ram_size, char *err, size_t errlen);
int bz_plan(const struct bz_image *bz, uint64_t ram_size, size_t cmdline_len,
	    uint64_t initrd_size, struct bz_plan *p, char *err, size_t errlen);
/* Copy the kernel, the command line and the initrd; write the zero page. */
void bz_load(const struct bz_image *bz, const struct bz_plan *p, uint8_t *ram,
	     const char *cmdline, const uint8_t *initrd);

/* boot_params.c */
int e820_layout(struct e820_entry *e, int max, uint64_t ram_size);
void bz_zero_page(const struct bz_image *bz, const struct bz_plan *p,
		  uint8_t *zp);

/* boot64.c: the identity map and the GDT the 64-bit entry needs. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18
void boot64_tables(uint8_t *ram, uint64_t ram_size);

#endif /* VMM_BZIMAGE_H */
