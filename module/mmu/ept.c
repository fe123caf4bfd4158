// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel extended page tables (SDM Vol. 3C 29.3 "The Extended Page Table
 * Mechanism (EPT)"), and the EPT pointer that selects one.
 */
#include <linux/bits.h>

#include "../compat.h"
#include "mmu.h"

/*
 * SDM Vol. 3C 29.3.2 "EPT Translation Mechanism", tables of EPT entry
 * formats. An entry is present when any of bits 2:0 is set.
 */
#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_MT_SHIFT	3		/* leaves: memory type, bits 5:3 */
#define EPT_IPAT	BIT_ULL(6)	/* leaves: ignore the guest's PAT */
#define EPT_LARGE	BIT_ULL(7)	/* in a PDE: maps a 2 MiB page */
#define EPT_ADDR	GENMASK_ULL(51, 12)

/* SDM Vol. 3A "Methods of Caching Available": memory type encodings. */
#define EPT_MT_UC	0ULL
#define EPT_MT_WB	6ULL

/* SDM Vol. 3C 25.6.11 "Extended-Page-Table Pointer (EPTP)". */
#define EPTP_MT_WB	EPT_MT_WB	/* bits 2:0: type of the table walk */
#define EPTP_PWL_SHIFT	3		/* bits 5:3: walk length - 1 */
#define EPTP_AD		BIT_ULL(6)	/* processor sets A/D bits 8, 9 */

/*
 * Leaves are write-back with IPAT set (SDM Vol. 3C 29.3.7 "EPT and Memory
 * Typing"): guest memory is host RAM that the host maps write-back, and a
 * guest PAT choosing another type would create an alias of different types.
 * Host MMIO given to the guest (module/iommu/mmio.c) is uncacheable with
 * IPAT set, as the host's own ioremap() maps it; every other device access
 * is an MMIO exit. Non-leaf
 * entries allow everything (bits 7:3 of them are reserved): the leaf
 * decides.
 */
const struct khv_pt_format khv_ept_format = {
	.name		= "ept",
	.levels		= 4,
	.bits_per_level	= 9,
	.present	= EPT_R | EPT_W | EPT_X,
	.read		= EPT_R,
	.write		= EPT_W,
	.exec		= EPT_X,
	.leaf_flags	= (EPT_MT_WB << EPT_MT_SHIFT) | EPT_IPAT,
	.leaf_flags_uc	= (EPT_MT_UC << EPT_MT_SHIFT) | EPT_IPAT,
	.table_flags	= EPT_R | EPT_W | EPT_X,
	.large		= EPT_LARGE,
	.large_levels	= BIT(KHV_PT_LEVEL_2M),
	.addr_mask	= EPT_ADDR,
};
EXPORT_SYMBOL_IF_KUNIT(khv_ept_format);

/**
 * khv_ept_pointer() - the VMCS's EPT pointer for a table
 * @pt: a table of &khv_ept_format
 * @ad: enable accessed and dirty flags (only if IA32_VMX_EPT_VPID_CAP bit 21
 *	says the processor supports them)
 *
 * The caller checks IA32_VMX_EPT_VPID_CAP for a 4-level walk (bit 6) and
 * write-back tables (bit 14) before using the value.
 *
 * Return: the EPTP value.
 */
u64 khv_ept_pointer(const struct khv_pt *pt, bool ad)
{
	u64 eptp = (khv_pt_root_pa(pt) & EPT_ADDR) | EPTP_MT_WB |
		   ((u64)(pt->fmt->levels - 1) << EPTP_PWL_SHIFT);

	if (ad)
		eptp |= EPTP_AD;
	return eptp;
}
EXPORT_SYMBOL_IF_KUNIT(khv_ept_pointer);
