// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD nested page tables: the x86-64 4-level long-mode page-table format,
 * walked with the guest-physical address as input (APM Vol. 2 15.25).
 */
#include <linux/bits.h>

#include "../compat.h"
#include "mmu.h"

/* APM Vol. 2 5.4.1 "Field Definitions" (long-mode page-table entries). */
#define NPT_P		BIT_ULL(0)	/* present */
#define NPT_RW		BIT_ULL(1)	/* writable */
#define NPT_US		BIT_ULL(2)	/* user */
#define NPT_PWT		BIT_ULL(3)	/* page write-through */
#define NPT_PCD		BIT_ULL(4)	/* page cache disable */
#define NPT_PS		BIT_ULL(7)	/* in a PDE: maps a 2 MiB page */
#define NPT_NX		BIT_ULL(63)	/* no execute (EFER.NXE, which Linux sets) */
#define NPT_ADDR	GENMASK_ULL(51, 12)

/*
 * Leaves leave PWT, PCD and PAT clear: host PAT entry 0, write-back, which
 * the processor combines with the guest's own type (APM Vol. 2 15.25.8).
 * Uncacheable leaves (host MMIO) set PCD and PWT: host PAT entry 3, which
 * Linux keeps UC (arch/x86/mm/pat/memtype.c); UC combined with any guest
 * type is UC (APM Vol. 2 Table 15-20). A/D bits (5, 6) are the processor's
 * to set.
 */
const struct khv_pt_format khv_npt_format = {
	.name		= "npt",
	.levels		= 4,
	.bits_per_level	= 9,
	.present	= NPT_P,
	.read		= NPT_P,
	.write		= NPT_RW,
	.nx		= NPT_NX,
	/*
	 * APM Vol. 2 15.25.5: every access of the nested walk is a user
	 * access, so U/S must be set at every level or the guest faults.
	 */
	.leaf_flags	= NPT_US,
	.leaf_flags_uc	= NPT_US | NPT_PCD | NPT_PWT,
	.table_flags	= NPT_P | NPT_RW | NPT_US,
	.large		= NPT_PS,
	.large_levels	= BIT(KHV_PT_LEVEL_2M),
	.addr_mask	= NPT_ADDR,
};
EXPORT_SYMBOL_IF_KUNIT(khv_npt_format);

/**
 * khv_npt_root() - the VMCB's nCR3 value for a table
 * @pt: a table of &khv_npt_format
 *
 * nCR3 is laid out like CR3 (APM Vol. 2 15.25.3); PWT and PCD stay clear so
 * the processor reads the root table as write-back memory.
 *
 * Return: the nCR3 value.
 */
u64 khv_npt_root(const struct khv_pt *pt)
{
	return khv_pt_root_pa(pt) & NPT_ADDR;
}
EXPORT_SYMBOL_IF_KUNIT(khv_npt_root);
