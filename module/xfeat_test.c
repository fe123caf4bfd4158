// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the rules of the guest's extended state (xfeat.c): XSETBV's checks,
 * XSAVE area sizes, the XSAVE-related CPUID bits and leaf 0DH, XSAVE headers.
 */
#include <kunit/test.h>
#include <linux/bits.h>

#include "xstate.h"

/* A Skylake-X's standard-format layout (CPUID.(0DH,i):EAX, EBX). */
static const struct khv_xstate_layout skx = {
	.offset = { [2] = 576, [5] = 1088, [6] = 1152, [7] = 1664, [9] = 2688 },
	.size = { [2] = 256, [5] = 64, [6] = 512, [7] = 1024, [9] = 8 },
};

#define X87_SSE		(KHV_XF_FP | KHV_XF_SSE)
#define AVX		(X87_SSE | KHV_XF_YMM)
#define ALL		(AVX | KHV_XF_AVX512 | KHV_XF_PKRU)

static void xcr0_valid_values(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(KHV_XF_FP, ALL), 0);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(X87_SSE, ALL), 0);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX, ALL), 0);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_AVX512, ALL), 0);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(ALL, ALL), 0);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(KHV_XF_FP | KHV_XF_PKRU, ALL), 0);
}

static void xcr0_invalid_values(struct kunit *test)
{
	/* Bit 0 clear. */
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(0, ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(KHV_XF_SSE, ALL), -EINVAL);
	/* AVX without SSE. */
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(KHV_XF_FP | KHV_XF_YMM, ALL), -EINVAL);
	/* A part of AVX-512, or AVX-512 without AVX. */
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_OPMASK, ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_OPMASK | KHV_XF_ZMM_HI256,
					     ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(X87_SSE | KHV_XF_AVX512, ALL), -EINVAL);
	/* Not offered: AVX-512 on an AVX-only guest, MPX, AMX, reserved, supervisor. */
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_AVX512, AVX), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX, X87_SSE), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_BNDREGS | KHV_XF_BNDCSR,
					     ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_XTILE, ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | BIT_ULL(8), ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | BIT_ULL(63), ALL), -EINVAL);
	/* Even where "offered", the architectural pairs hold. */
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | KHV_XF_BNDREGS, ~0ULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_xcr0_check(AVX | BIT_ULL(17), ~0ULL), -EINVAL);
}

static void xstate_sizes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_xstate_size(KHV_XF_FP, &skx), 576U);
	KUNIT_EXPECT_EQ(test, khv_xstate_size(X87_SSE, &skx), 576U);
	KUNIT_EXPECT_EQ(test, khv_xstate_size(AVX, &skx), 832U);
	KUNIT_EXPECT_EQ(test, khv_xstate_size(AVX | KHV_XF_AVX512, &skx), 2688U);
	KUNIT_EXPECT_EQ(test, khv_xstate_size(ALL, &skx), 2696U);
	/* Bits khv does not know do not count. */
	KUNIT_EXPECT_EQ(test, khv_xstate_size(AVX | BIT_ULL(18), &skx), 832U);
}

static void cpuid_leaf_d(struct kunit *test)
{
	const struct khv_cpuid_xf xf = {
		.offered = AVX | KHV_XF_AVX512, .xcr0 = AVX, .layout = &skx,
	};
	const u32 host1[4] = { 0xf, 0x988, 0x100, 0 };	/* XSAVEOPT..XFD, XSS */
	const u32 host6[4] = { 512, 1152, 0x2, 0 };
	const u32 host9[4] = { 8, 2688, 0, 0 };
	const u32 host0[4] = { 0x2e7, 0xa88, 0xa88, 0x0 };
	u32 r[4];

	memcpy(r, host0, sizeof(r));
	khv_cpuid_xfeatures(0xd, 0, r, host0, &xf);
	KUNIT_EXPECT_EQ(test, r[0], (u32)(AVX | KHV_XF_AVX512));
	KUNIT_EXPECT_EQ(test, r[1], 832U);	/* for the guest's XCR0 */
	KUNIT_EXPECT_EQ(test, r[2], 2688U);	/* for all it may set */
	KUNIT_EXPECT_EQ(test, r[3], 0U);

	/* Sub-leaf 1: XSAVEOPT and XGETBV(1) only; no XSAVES, no XSS bits. */
	memcpy(r, host1, sizeof(r));
	khv_cpuid_xfeatures(0xd, 1, r, host1, &xf);
	KUNIT_EXPECT_EQ(test, r[0], 0x5U);
	KUNIT_EXPECT_EQ(test, r[1] | r[2] | r[3], 0U);

	memcpy(r, host6, sizeof(r));
	khv_cpuid_xfeatures(0xd, 6, r, host6, &xf);
	KUNIT_EXPECT_EQ(test, r[0], 512U);
	KUNIT_EXPECT_EQ(test, r[1], 1152U);
	KUNIT_EXPECT_EQ(test, r[2], 0x2U);

	/* PKRU not offered here: zeros. */
	memcpy(r, host9, sizeof(r));
	khv_cpuid_xfeatures(0xd, 9, r, host9, &xf);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
	memcpy(r, host9, sizeof(r));
	khv_cpuid_xfeatures(0xd, 40, r, host9, &xf);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
}

static void cpuid_feature_bits(struct kunit *test)
{
	static const u32 all[4] = { ~0U, ~0U, ~0U, ~0U };
	struct khv_cpuid_xf xf = { .offered = AVX, .layout = &skx };
	u32 r[4];

	/* OSXSAVE mirrors CR4.OSXSAVE. */
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(1, 0, r, all, &xf);
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(26));
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(27));
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(28));
	xf.osxsave = true;
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(1, 0, r, all, &xf);
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(27));

	/* AVX2 with AVX state; no AVX-512, no PKU/OSPKE without their state. */
	xf.ospke = true;
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(7, 0, r, all, &xf);
	KUNIT_EXPECT_TRUE(test, r[1] & BIT(5));
	KUNIT_EXPECT_FALSE(test, r[1] & BIT(16));
	KUNIT_EXPECT_FALSE(test, r[2] & (BIT(3) | BIT(4)));
	KUNIT_EXPECT_FALSE(test, r[3] & BIT(24));	/* AMX-TILE, never */

	/* Everything: AVX-512 and PKU, OSPKE from CR4.PKE. */
	xf.offered = ALL;
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(7, 0, r, all, &xf);
	KUNIT_EXPECT_TRUE(test, r[1] & BIT(16));
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(3));
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(4));
	xf.ospke = false;
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(7, 0, r, all, &xf);
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(4));

	/* SSE only: no AVX, FMA, F16C, AVX2. */
	xf.offered = X87_SSE;
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(1, 0, r, all, &xf);
	KUNIT_EXPECT_FALSE(test, r[2] & (BIT(12) | BIT(28) | BIT(29)));
	memset(r, 0xff, sizeof(r));
	khv_cpuid_xfeatures(7, 0, r, all, &xf);
	KUNIT_EXPECT_FALSE(test, r[1] & BIT(5));
}

static void xsave_headers(struct kunit *test)
{
	u64 h[8] = {};

	KUNIT_EXPECT_EQ(test, khv_xsave_header_check(h, AVX), 0);
	h[0] = AVX;
	KUNIT_EXPECT_EQ(test, khv_xsave_header_check(h, AVX), 0);
	h[0] = AVX | KHV_XF_OPMASK;
	KUNIT_EXPECT_EQ(test, khv_xsave_header_check(h, AVX), -EINVAL);
	h[0] = AVX;
	h[1] = BIT_ULL(63) | AVX;	/* the compacted form */
	KUNIT_EXPECT_EQ(test, khv_xsave_header_check(h, AVX), -EINVAL);
	h[1] = 0;
	h[7] = 1;
	KUNIT_EXPECT_EQ(test, khv_xsave_header_check(h, AVX), -EINVAL);
}

static struct kunit_case khv_xfeat_cases[] = {
	KUNIT_CASE(xcr0_valid_values),
	KUNIT_CASE(xcr0_invalid_values),
	KUNIT_CASE(xstate_sizes),
	KUNIT_CASE(cpuid_leaf_d),
	KUNIT_CASE(cpuid_feature_bits),
	KUNIT_CASE(xsave_headers),
	{}
};

static struct kunit_suite khv_xfeat_suite = {
	.name = "khv_xfeat",
	.test_cases = khv_xfeat_cases,
};

kunit_test_suite(khv_xfeat_suite);
