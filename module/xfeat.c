// SPDX-License-Identifier: GPL-2.0-only
/*
 * The architectural rules of the guest's extended state, as pure functions
 * (xfeat_test.c): which XCR0 values XSETBV accepts, how large an XSAVE area
 * is, what CPUID says about XSAVE, AVX, AVX-512 and protection keys, and
 * which XSAVE headers XRSTOR accepts (SDM Vol. 1 ch. 13, Vol. 2 XSETBV).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string.h>

#include "compat.h"
#include "xstate.h"

/* CPUID.1:ECX: FMA, XSAVE, OSXSAVE, AVX, F16C. */
#define L1_ECX_FMA	BIT(12)
#define L1_ECX_XSAVE	BIT(26)
#define L1_ECX_OSXSAVE	BIT(27)
#define L1_ECX_AVX	BIT(28)
#define L1_ECX_F16C	BIT(29)
/* CPUID.(7,0): AVX2; VAES, VPCLMULQDQ (VEX/EVEX only); PKU, OSPKE. */
#define L7_EBX_AVX2	BIT(5)
#define L7_ECX_VEX	(BIT(9) | BIT(10))
#define L7_ECX_PKU	BIT(3)
#define L7_ECX_OSPKE	BIT(4)
/*
 * The AVX-512 family (F, DQ, IFMA, PF, ER, CD, BW, VL; VBMI, VBMI2, VNNI,
 * BITALG, VPOPCNTDQ; 4VNNIW, 4FMAPS, VP2INTERSECT, FP16).
 */
#define L7_EBX_AVX512	(BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | \
			 BIT(28) | BIT(30) | BIT(31))
#define L7_ECX_AVX512	(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define L7_EDX_AVX512	(BIT(2) | BIT(3) | BIT(8) | BIT(23))
/* AMX-BF16, AMX-TILE, AMX-INT8: never offered. */
#define L7_EDX_AMX	(BIT(22) | BIT(24) | BIT(25))
/*
 * CPUID.(0DH,1):EAX: XSAVEOPT and XGETBV with ECX = 1 only (no XSAVEC,
 * XSAVES or XFD).
 */
#define LD1_EAX_OFFERED	(BIT(0) | BIT(2))
/* CPUID.(0DH,i):ECX bit 1: 64-byte aligned in the compacted form. */
#define LDI_ECX_ALIGNED	BIT(1)

/**
 * khv_xcr0_check() - would XSETBV accept @xcr0 for XCR0?
 * @xcr0:    the value.
 * @offered: the bits the guest's CPUID offers (CPUID.(0DH,0):EDX:EAX).
 *
 * SDM Vol. 2 "XSETBV" and Vol. 1 13.3: bit 0 set; no bit that is not
 * offered; AVX only with SSE; the three AVX-512 components all or none, and
 * only with SSE and AVX; MPX's two and AMX's two components all or none.
 *
 * Return: 0, or -EINVAL for #GP(0).
 */
int khv_xcr0_check(u64 xcr0, u64 offered)
{
	u64 avx512 = xcr0 & KHV_XF_AVX512;
	u64 mpx = xcr0 & (KHV_XF_BNDREGS | KHV_XF_BNDCSR);
	u64 tile = xcr0 & KHV_XF_XTILE;

	if (!(xcr0 & KHV_XF_FP) || (xcr0 & ~offered))
		return -EINVAL;
	if ((xcr0 & KHV_XF_YMM) && !(xcr0 & KHV_XF_SSE))
		return -EINVAL;
	if (avx512 && (avx512 != KHV_XF_AVX512 ||
		       (xcr0 & (KHV_XF_SSE | KHV_XF_YMM)) !=
		       (KHV_XF_SSE | KHV_XF_YMM)))
		return -EINVAL;
	if (mpx && mpx != (KHV_XF_BNDREGS | KHV_XF_BNDCSR))
		return -EINVAL;
	if (tile && tile != KHV_XF_XTILE)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_xcr0_check);

/**
 * khv_xstate_size() - bytes of a standard-format XSAVE area for @mask.
 * @mask: XCR0 bits; those at or above KHV_XF_NR do not count.
 * @l:    where each component lives.
 *
 * The legacy region and the header, and up to the end of the last
 * component of @mask (CPUID.(0DH,0):EBX and ECX are computed so).
 */
u32 khv_xstate_size(u64 mask, const struct khv_xstate_layout *l)
{
	u32 size = KHV_XSAVE_MIN;
	unsigned int i;

	for (i = 2; i < KHV_XF_NR; i++)
		if ((mask & BIT_ULL(i)) && l->size[i])
			size = max(size, l->offset[i] + l->size[i]);
	return size;
}
EXPORT_SYMBOL_IF_KUNIT(khv_xstate_size);

static void khv_cpuid_leaf_d(u32 index, u32 *regs, const u32 *host,
			     const struct khv_cpuid_xf *xf)
{
	memset(regs, 0, 4 * sizeof(*regs));
	if (!xf->offered)
		return;
	if (index == 0) {
		regs[0] = (u32)xf->offered;
		regs[1] = khv_xstate_size(xf->xcr0, xf->layout);
		regs[2] = khv_xstate_size(xf->offered, xf->layout);
		regs[3] = xf->offered >> 32;
	} else if (index == 1) {
		regs[0] = host[0] & LD1_EAX_OFFERED;
	} else if (index < KHV_XF_NR && (xf->offered & BIT_ULL(index))) {
		regs[0] = host[0];
		regs[1] = host[1];
		regs[2] = host[2] & LDI_ECX_ALIGNED;
	}
}

/**
 * khv_cpuid_xfeatures() - the XSAVE-related CPUID bits, after khv_cpuid_mask().
 * @function: the leaf.
 * @index:    the sub-leaf.
 * @regs:     EAX, EBX, ECX, EDX; changed in place.
 * @host:     the host's values for the same leaf.
 * @xf:       what the vCPU is offered and its CR4.
 *
 * XSAVE where any component is offered; OSXSAVE and OSPKE mirror the guest's
 * CR4 as on hardware; AVX and the instructions that need its state (FMA,
 * F16C, AVX2, VAES, VPCLMULQDQ) only with AVX state, the AVX-512 family only
 * with all three AVX-512 components, PKU only with PKRU, AMX never. Leaf
 * 0DH is computed: the offered XCR0 bits, the sizes for the guest's XCR0 and
 * for all offered bits, the host's offsets and sizes of offered components;
 * of sub-leaf 1 only XSAVEOPT and XGETBV(1).
 */
void khv_cpuid_xfeatures(u32 function, u32 index, u32 *regs, const u32 *host,
			 const struct khv_cpuid_xf *xf)
{
	bool avx = xf->offered & KHV_XF_YMM;
	bool avx512 = (xf->offered & KHV_XF_AVX512) == KHV_XF_AVX512;
	bool pku = xf->offered & KHV_XF_PKRU;

	switch (function) {
	case 1:
		regs[2] &= ~L1_ECX_OSXSAVE;
		if (!xf->offered)
			regs[2] &= ~L1_ECX_XSAVE;
		else if (xf->osxsave && (regs[2] & L1_ECX_XSAVE))
			regs[2] |= L1_ECX_OSXSAVE;
		if (!avx)
			regs[2] &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
		break;
	case 7:
		if (index)
			break;
		if (!avx) {
			regs[1] &= ~L7_EBX_AVX2;
			regs[2] &= ~L7_ECX_VEX;
		}
		if (!avx512) {
			regs[1] &= ~L7_EBX_AVX512;
			regs[2] &= ~L7_ECX_AVX512;
			regs[3] &= ~L7_EDX_AVX512;
		}
		regs[2] &= ~L7_ECX_OSPKE;
		if (!pku)
			regs[2] &= ~L7_ECX_PKU;
		else if (xf->ospke && (regs[2] & L7_ECX_PKU))
			regs[2] |= L7_ECX_OSPKE;
		regs[3] &= ~L7_EDX_AMX;
		break;
	case 0xd:
		khv_cpuid_leaf_d(index, regs, host, xf);
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpuid_xfeatures);

/**
 * khv_xsave_header_check() - would XRSTOR (standard form) accept this header?
 * @hdr:       the 64-byte XSAVE header: XSTATE_BV, XCOMP_BV, six reserved.
 * @supported: the components the area may hold.
 *
 * XSTATE_BV within @supported, XCOMP_BV 0 (the standard form), the reserved
 * words 0 (SDM Vol. 1 13.8.1 checks bytes 23:8; khv all of them).
 *
 * Return: 0 or -EINVAL.
 */
int khv_xsave_header_check(const u64 *hdr, u64 supported)
{
	if (hdr[0] & ~supported)
		return -EINVAL;
	if (memchr_inv(&hdr[1], 0, KHV_XSAVE_HDR_SIZE - sizeof(u64)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_xsave_header_check);
