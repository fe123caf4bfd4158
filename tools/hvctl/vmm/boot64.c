// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the 64-bit entry of the boot protocol needs in guest memory
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the first
 * 4 GiB identity-mapped by 2 MiB pages (the kernel, the zero page and the
 * command line are all below 3 GiB), and a GDT with flat __BOOT_CS (0x10)
 * and __BOOT_DS (0x18).
 */
#include <string.h>

#include "bzimage.h"
#include "le.h"

#define PTE_P		0x001ULL
#define PTE_RW		0x002ULL
#define PTE_PS		0x080ULL

void boot64_tables(uint8_t *ram, uint64_t ram_size)
{
	uint64_t pml4 = BOOT_PML4_ADDR, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
	int i;

	(void)ram_size;
	memset(ram + pml4, 0, 6 * 0x1000);
	put64(ram + pml4, pdpt | PTE_P | PTE_RW);
	for (i = 0; i < 4; i++)
		put64(ram + pdpt + i * 8, (pd + i * 0x1000) | PTE_P | PTE_RW);
	for (i = 0; i < 4 * 512; i++)
		put64(ram + pd + i * 8, ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS);

	/* null, null, __BOOT_CS: 64-bit code, __BOOT_DS: data; all flat. */
	memset(ram + BOOT_GDT_ADDR, 0, 4 * 8);
	put64(ram + BOOT_GDT_ADDR + BOOT_CS, 0x00af9b000000ffffULL);
	put64(ram + BOOT_GDT_ADDR + BOOT_DS, 0x00cf93000000ffffULL);
}
