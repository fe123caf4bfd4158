// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: MOV to CR4 on SVM (svm/cr4.c): the bits a guest may set, the
 * processor's checks, and the decoder of MOV to CRn.
 */
#include <kunit/test.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "svm.h"

static const struct svm_cr4_features all = {
	.umip = true, .fsgsbase = true, .pcid = true, .smep = true, .smap = true,
};

/*
 * CET, LA57 and unknown bits are never allowed; PKE and OSXSAVE only where
 * khv switches their state (.xstate).
 */
static void cr4_never_allowed(struct kunit *test)
{
	struct svm_cr4_features none = {};
	u64 a = svm_cr4_allowed_bits(&all);

	KUNIT_EXPECT_EQ(test, a & (X86_CR4_PKE | X86_CR4_OSXSAVE | X86_CR4_CET |
				   X86_CR4_LA57 | X86_CR4_VMXE | X86_CR4_SMXE), 0ULL);
	KUNIT_EXPECT_EQ(test, a >> 32, 0ULL);
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_SMEP);
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_PCIDE);
	a = svm_cr4_allowed_bits(&none);
	KUNIT_EXPECT_FALSE(test, a & (X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_UMIP |
				      X86_CR4_FSGSBASE | X86_CR4_PCIDE));
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_PAE);
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_OSFXSR);
}

static void cr4_xstate_bits_follow_the_host(struct kunit *test)
{
	struct svm_cr4_features f = all;
	u64 a;

	f.xstate = X86_CR4_OSXSAVE;
	a = svm_cr4_allowed_bits(&f);
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_OSXSAVE);
	KUNIT_EXPECT_FALSE(test, a & X86_CR4_PKE);
	f.xstate = X86_CR4_OSXSAVE | X86_CR4_PKE | X86_CR4_CET;
	a = svm_cr4_allowed_bits(&f);
	KUNIT_EXPECT_TRUE(test, a & X86_CR4_PKE);
	KUNIT_EXPECT_FALSE(test, a & X86_CR4_CET);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(X86_CR4_PAE | X86_CR4_OSXSAVE | X86_CR4_PKE,
					    X86_CR4_PAE, a, EFER_LME | EFER_LMA, 0), 0);
}

static void cr4_checks(struct kunit *test)
{
	u64 a = svm_cr4_allowed_bits(&all);
	u64 lm = EFER_LME | EFER_LMA, pae = X86_CR4_PAE;

	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PGE, pae, a, lm, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(0, 0, a, 0, 0), 0);
	/* The refused bits, and bits above 31. */
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PKE, pae, a, lm, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_OSXSAVE, pae, a, lm, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | BIT_ULL(32), pae, a, lm, 0), -EINVAL);
	/* PAE may not go in long mode. */
	KUNIT_EXPECT_EQ(test, svm_cr4_check(0, pae, a, lm, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(0, pae, a, EFER_LME, 0), 0);
	/* PCIDE: only in long mode, only with CR3[11:0] = 0. */
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PCIDE, pae, a, lm, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PCIDE, pae, a, lm, 0x1001), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PCIDE, pae, a, 0, 0), -EINVAL);
	/* Already set: CR3's low bits are a PCID then. */
	KUNIT_EXPECT_EQ(test, svm_cr4_check(pae | X86_CR4_PCIDE, pae | X86_CR4_PCIDE,
					    a, lm, 0x1001), 0);
}

static void decode_mov_to_cr4(struct kunit *test)
{
	static const u8 rax[] = { 0x0f, 0x22, 0xe0 };		/* mov %rax,%cr4 */
	static const u8 r15[] = { 0x41, 0x0f, 0x22, 0xe7 };	/* mov %r15,%cr4 */
	static const u8 esi16[] = { 0x66, 0x0f, 0x22, 0xe6 };	/* mov %esi,%cr4 */
	struct svm_mov_cr d;

	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(rax, sizeof(rax), true, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 4);
	KUNIT_EXPECT_EQ(test, d.gpr, 0);
	KUNIT_EXPECT_EQ(test, d.len, 3);
	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(r15, sizeof(r15), true, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 4);
	KUNIT_EXPECT_EQ(test, d.gpr, 15);
	KUNIT_EXPECT_EQ(test, d.len, 4);
	/* Outside 64-bit mode 41h is no prefix. */
	KUNIT_EXPECT_EQ(test, svm_decode_mov_to_cr(r15, sizeof(r15), false, &d), -EINVAL);
	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(esi16, sizeof(esi16), false, &d), 0);
	KUNIT_EXPECT_EQ(test, d.gpr, 6);
	KUNIT_EXPECT_EQ(test, d.len, 4);
}

static void decode_other_crs(struct kunit *test)
{
	static const u8 rex_r[] = { 0x44, 0x0f, 0x22, 0xe0 };	/* CR12 */
	static const u8 lock[] = { 0xf0, 0x0f, 0x22, 0xc0 };	/* AMD's CR8 alias */
	static const u8 rex_early[] = { 0x44, 0x66, 0x0f, 0x22, 0xe0 };
	static const u8 cr0[] = { 0x0f, 0x22, 0xc1 };		/* mov %rcx,%cr0 */
	struct svm_mov_cr d;

	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(rex_r, sizeof(rex_r), true, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 12);
	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(lock, sizeof(lock), false, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 8);
	/* A REX prefix followed by another prefix is ignored (SDM Vol. 2 2.2.1). */
	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(rex_early, sizeof(rex_early), true, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 4);
	KUNIT_ASSERT_EQ(test, svm_decode_mov_to_cr(cr0, sizeof(cr0), true, &d), 0);
	KUNIT_EXPECT_EQ(test, d.cr, 0);
	KUNIT_EXPECT_EQ(test, d.gpr, 1);
}

static void decode_refuses(struct kunit *test)
{
	static const u8 mov_from[] = { 0x0f, 0x20, 0xe0 };	/* mov %cr4,%rax */
	static const u8 prefixes[15] = {
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x0f, 0x22,
	};
	static const u8 rax[] = { 0x0f, 0x22, 0xe0 };
	struct svm_mov_cr d;

	KUNIT_EXPECT_EQ(test, svm_decode_mov_to_cr(mov_from, sizeof(mov_from), true, &d), -EINVAL);
	/* More than 15 bytes, or cut short. */
	KUNIT_EXPECT_EQ(test, svm_decode_mov_to_cr(prefixes, sizeof(prefixes), true, &d), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_decode_mov_to_cr(rax, 2, true, &d), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm_decode_mov_to_cr(rax, 0, true, &d), -EINVAL);
}

static struct kunit_case svm_cr4_cases[] = {
	KUNIT_CASE(cr4_never_allowed),
	KUNIT_CASE(cr4_xstate_bits_follow_the_host),
	KUNIT_CASE(cr4_checks),
	KUNIT_CASE(decode_mov_to_cr4),
	KUNIT_CASE(decode_other_crs),
	KUNIT_CASE(decode_refuses),
	{}
};

static struct kunit_suite svm_cr4_suite = {
	.name = "khv_svm_cr4",
	.test_cases = svm_cr4_cases,
};

kunit_test_suite(svm_cr4_suite);
