// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MTRRs' storage and checks: see mtrr.h. The index map and the checks
 * are SDM Vol. 3A 13.11.2-13.11.3; KVM's mtrr.c keeps the same registers.
 */
#include <linux/bits.h>
#include <linux/module.h>

#include "compat.h"
#include "mtrr.h"

/* The fixed-range MSRs from address 0 up, as in struct khv_mtrr. */
static const u32 khv_mtrr_fixed_msrs[KHV_MTRR_FIXED_COUNT] = {
	KHV_MSR_MTRR_FIX64K, KHV_MSR_MTRR_FIX16K, KHV_MSR_MTRR_FIX16K + 1,
	KHV_MSR_MTRR_FIX4K, KHV_MSR_MTRR_FIX4K + 1, KHV_MSR_MTRR_FIX4K + 2,
	KHV_MSR_MTRR_FIX4K + 3, KHV_MSR_MTRR_FIX4K + 4, KHV_MSR_MTRR_FIX4K + 5,
	KHV_MSR_MTRR_FIX4K + 6, KHV_MSR_MTRR_FIX4K + 7,
};

/* UC, WC, WT, WP, WB (Table 13-8); 2, 3 and 7 and above are reserved. */
static bool khv_mtrr_type_valid(u8 t)
{
	return t < 7 && t != 2 && t != 3;
}

static bool khv_mtrr_is_var(u32 index)
{
	return index >= KHV_MSR_MTRR_VAR_BASE &&
	       index < KHV_MSR_MTRR_VAR_BASE + 2 * KHV_MTRR_VAR_COUNT;
}

/* The register's slot in struct khv_mtrr; -1 for MTRRcap and other MSRs. */
static int khv_mtrr_slot(u32 index)
{
	unsigned int i;

	if (index == KHV_MSR_MTRR_DEF_TYPE)
		return 0;
	if (khv_mtrr_is_var(index))
		return 1 + KHV_MTRR_FIXED_COUNT + index - KHV_MSR_MTRR_VAR_BASE;
	for (i = 0; i < KHV_MTRR_FIXED_COUNT; i++)
		if (index == khv_mtrr_fixed_msrs[i])
			return 1 + i;
	return -1;
}

bool khv_mtrr_msr(u32 index)
{
	return index == KHV_MSR_MTRR_CAP || khv_mtrr_slot(index) >= 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_mtrr_msr);

int khv_mtrr_get(const struct khv_mtrr *m, u32 index, u64 *data)
{
	int slot = khv_mtrr_slot(index);

	if (index == KHV_MSR_MTRR_CAP) {
		*data = KHV_MTRR_CAP;
		return 0;
	}
	if (slot < 0)
		return -EINVAL;
	*data = m->regs[slot];
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_mtrr_get);

static bool khv_mtrr_value_valid(u32 index, u64 data, unsigned int phys_bits)
{
	u64 above = phys_bits < 64 ? ~0ULL << phys_bits : 0;
	unsigned int i;

	if (index == KHV_MSR_MTRR_DEF_TYPE)
		return !(data & ~KHV_MTRR_DEF_TYPE_KNOWN) && khv_mtrr_type_valid(data);
	if (khv_mtrr_is_var(index)) {
		/* PHYSMASKn: bit 11 valid, 10:0 reserved; PHYSBASEn: 11:8 reserved. */
		if (index & 1)
			return !(data & (above | GENMASK_ULL(10, 0)));
		return !(data & (above | GENMASK_ULL(11, 8))) && khv_mtrr_type_valid(data);
	}
	/* A fixed range: eight types, one per byte. */
	for (i = 0; i < 8; i++)
		if (!khv_mtrr_type_valid(data >> (8 * i)))
			return false;
	return true;
}

int khv_mtrr_set(struct khv_mtrr *m, u32 index, u64 data, bool apply,
		 unsigned int phys_bits)
{
	int slot = khv_mtrr_slot(index);

	if (slot < 0 || !khv_mtrr_value_valid(index, data, phys_bits))
		return -EINVAL;
	if (apply)
		m->regs[slot] = data;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_mtrr_set);
