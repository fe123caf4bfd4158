// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest page-table walk: 32-bit, PAE and 4-level long-mode paging
 * (SDM Vol. 3A 4.3, 4.4, 4.5). Only presence is checked: the processor
 * already fetched the instruction this walk is for, so the permissions held.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "compat.h"
#include "gwalk.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define ADDR_52		GENMASK_ULL(51, 12)

/**
 * khv_gwalk_mode() - the KHV_GWALK_* flags of a guest's control registers.
 * @cr0: guest CR0.
 * @cr4: guest CR4.
 * @efer: guest EFER.
 *
 * Return: the flags for khv_gwalk().
 */
unsigned int khv_gwalk_mode(u64 cr0, u64 cr4, u64 efer)
{
	unsigned int mode = 0;

	if (cr0 & X86_CR0_PG)
		mode |= KHV_GWALK_PG;
	if (cr4 & X86_CR4_PAE)
		mode |= KHV_GWALK_PAE;
	if (cr4 & X86_CR4_PSE)
		mode |= KHV_GWALK_PSE;
	if (efer & EFER_LMA)
		mode |= KHV_GWALK_LMA;
	return mode;
}
EXPORT_SYMBOL_IF_KUNIT(khv_gwalk_mode);

/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with PSE. */
static int khv_gwalk32(u64 gva, u64 cr3, unsigned int mode,
		       khv_gwalk_read_t read, void *ctx, u64 *gpa)
{
	u64 pde, pte;
	int r;

	gva &= 0xffffffff;
	r = read(ctx, (cr3 & 0xfffff000) + ((gva >> 22) << 2), 4, &pde);
	if (r)
		return r;
	if (!(pde & PTE_P))
		return -ENOENT;
	if ((pde & PTE_PS) && (mode & KHV_GWALK_PSE)) {
		/* SDM 4.3: bits 20:13 of a 4 MiB PDE are physical bits 39:32. */
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) |
		       (gva & 0x3fffff);
		return 0;
	}
	r = read(ctx, (pde & 0xfffff000) + (((gva >> 12) & 0x3ff) << 2), 4,
		 &pte);
	if (r)
		return r;
	if (!(pte & PTE_P))
		return -ENOENT;
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/**
 * khv_gwalk() - translate a guest-virtual address.
 * @gva:  the address (a linear address: segment base already added).
 * @cr3:  guest CR3.
 * @mode: khv_gwalk_mode() of the guest.
 * @read: reads guest-physical memory.
 * @ctx:  for @read.
 * @gpa:  out: the guest-physical address.
 *
 * Return: 0; -ENOENT for a not-present entry or a non-canonical address;
 * what @read returns when a table is not in guest RAM.
 */
int khv_gwalk(u64 gva, u64 cr3, unsigned int mode, khv_gwalk_read_t read,
	      void *ctx, u64 *gpa)
{
	unsigned int level, levels, shift;
	u64 table, e;
	int r;

	if (!(mode & KHV_GWALK_PG)) {
		*gpa = gva;
		return 0;
	}
	if (!(mode & KHV_GWALK_PAE))
		return khv_gwalk32(gva, cr3, mode, read, ctx, gpa);

	if (mode & KHV_GWALK_LMA) {
		/* Bits 63:47 must all equal bit 47 (SDM 3.3.7.1). */
		if ((s64)(gva << 16) >> 16 != (s64)gva)
			return -ENOENT;
		levels = 4;
		table = cr3 & ADDR_52;
	} else {
		/* PAE: CR3 points at four 8-byte PDPTEs (SDM 4.4.1). */
		gva &= 0xffffffff;
		levels = 3;
		table = cr3 & 0xffffffe0;
	}

	for (level = levels; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (level == 3 && levels == 3)
			r = read(ctx, table + ((gva >> 30) & 3) * 8, 8, &e);
		else
			r = read(ctx, table + ((gva >> shift) & 511) * 8, 8, &e);
		if (r)
			return r;
		if (!(e & PTE_P))
			return -ENOENT;
		/* PS makes a 1 GiB (long mode level 3) or 2 MiB (level 2) page. */
		if ((level == 2 || (level == 3 && levels == 4)) && (e & PTE_PS)) {
			*gpa = (e & ADDR_52 & ~GENMASK_ULL(shift - 1, 0)) |
			       (gva & GENMASK_ULL(shift - 1, 0));
			return 0;
		}
		table = e & ADDR_52;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_gwalk);
