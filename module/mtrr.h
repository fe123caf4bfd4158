/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's memory type range registers (SDM Vol. 3A 13.11): MTRRcap,
 * MTRRdefType, the eleven fixed-range and eight variable-range pairs, kept
 * and checked as the hardware checks them, and used for nothing else: the
 * memory type of guest RAM is the host's write-back with the guest's PAT
 * (khv maps no device memory into a guest), as KVM does for a VM without
 * non-coherent DMA. Documentation/khv-abi.rst, "KHV_GET_MSRS / KHV_SET_MSRS".
 */
#ifndef KHV_MTRR_H
#define KHV_MTRR_H

#include <linux/types.h>

#define KHV_MTRR_VAR_COUNT	8
#define KHV_MTRR_FIXED_COUNT	11
/* MTRRcap: WC (bit 10), fixed ranges (bit 8), VCNT; no SMRR. KVM's value. */
#define KHV_MTRR_CAP		(0x500 | KHV_MTRR_VAR_COUNT)
/* The MSRs (SDM Vol. 4 Table 2-2; the kernel's names are MSR_MTRR*). */
#define KHV_MSR_MTRR_CAP	0x0fe
#define KHV_MSR_MTRR_VAR_BASE	0x200	/* IA32_MTRR_PHYSBASE0; PHYSMASKn at + 1 */
#define KHV_MSR_MTRR_FIX64K	0x250	/* 0x00000-0x7ffff */
#define KHV_MSR_MTRR_FIX16K	0x258	/* 0x80000-0x9ffff, + 1: 0xa0000-0xbffff */
#define KHV_MSR_MTRR_FIX4K	0x268	/* 0xc0000-0xc7fff, ... + 7: 0xf8000-0xfffff */
#define KHV_MSR_MTRR_DEF_TYPE	0x2ff
/* MTRRdefType: the default type, FE (bit 10) and E (bit 11). */
#define KHV_MTRR_DEF_TYPE_KNOWN	0xcffULL

/* MTRRdefType, the fixed ranges from 0, then PHYSBASEn and PHYSMASKn. */
#define KHV_MTRR_NR		(1 + KHV_MTRR_FIXED_COUNT + 2 * KHV_MTRR_VAR_COUNT)

struct khv_mtrr {
	u64 regs[KHV_MTRR_NR];
};

bool khv_mtrr_msr(u32 index);
/*
 * RDMSR/KHV_GET_MSRS and WRMSR/KHV_SET_MSRS of an MTRR (khv_mtrr_msr()):
 * 0, or -EINVAL (#GP) for a value the hardware refuses (an undefined memory
 * type, a reserved bit, a bit at or above @phys_bits) or a write of MTRRcap.
 * @apply: store the value; without it only check.
 */
int khv_mtrr_get(const struct khv_mtrr *m, u32 index, u64 *data);
int khv_mtrr_set(struct khv_mtrr *m, u32 index, u64 data, bool apply,
		 unsigned int phys_bits);

#endif /* KHV_MTRR_H */
