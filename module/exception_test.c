// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: how khv combines and delivers guest exceptions (x86.h,
 * exception.c).
 */
#include <kunit/test.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "khv.h"
#include "x86.h"

/* SDM Vol. 3A 6.15, Table 6-5. */
static void exception_merge_follows_table_6_5(struct kunit *test)
{
	/* Benign after anything, anything after benign: serially. */
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_AC, X86_TRAP_AC),
			(u8)X86_TRAP_AC);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_DB, X86_TRAP_DB),
			(u8)X86_TRAP_DB);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_GP, X86_TRAP_AC),
			(u8)X86_TRAP_AC);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_PF, X86_TRAP_DB),
			(u8)X86_TRAP_DB);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_AC, X86_TRAP_GP),
			(u8)X86_TRAP_GP);
	/* Contributory after contributory: double fault. */
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_GP, X86_TRAP_NP),
			(u8)X86_TRAP_DF);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_DE, X86_TRAP_SS),
			(u8)X86_TRAP_DF);
	/* Page fault, then contributory or page fault: double fault. */
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_PF, X86_TRAP_GP),
			(u8)X86_TRAP_DF);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_PF, X86_TRAP_PF),
			(u8)X86_TRAP_DF);
	/* Contributory, then a page fault: serially. */
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_GP, X86_TRAP_PF),
			(u8)X86_TRAP_PF);
	/* Anything during a double fault: shutdown. */
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_DF, X86_TRAP_AC),
			(u8)KHV_TRIPLE_FAULT);
	KUNIT_EXPECT_EQ(test, khv_exception_merge(X86_TRAP_DF, X86_TRAP_GP),
			(u8)KHV_TRIPLE_FAULT);
}

static void exception_error_codes(struct kunit *test)
{
	static const u8 with[] = {
		X86_TRAP_DF, X86_TRAP_TS, X86_TRAP_NP, X86_TRAP_SS,
		X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_AC, X86_TRAP_CP,
	};
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(with); i++)
		KUNIT_EXPECT_TRUE(test, khv_exception_has_error(with[i]));
	for (i = 0; i < 32; i++)
		n += khv_exception_has_error(i);
	KUNIT_EXPECT_EQ(test, n, (unsigned int)ARRAY_SIZE(with));
	KUNIT_EXPECT_FALSE(test, khv_exception_has_error(X86_TRAP_DB));
	KUNIT_EXPECT_FALSE(test, khv_exception_has_error(X86_TRAP_MC));
}

/* As KVM's vmx_guest_inject_ac(): the guest's own #AC goes back to it. */
static void exception_ac_split_lock_or_guest(struct kunit *test)
{
	const u64 am = X86_CR0_PE | X86_CR0_AM, ac = X86_EFLAGS_FIXED | X86_EFLAGS_AC;

	/* Without split-lock detection every #AC is the guest's. */
	KUNIT_EXPECT_FALSE(test, khv_ac_is_split_lock(false, 0, 0, 0));
	KUNIT_EXPECT_FALSE(test, khv_ac_is_split_lock(false, 3, am, ac));
	/* With it, only CPL 3 + CR0.AM + EFLAGS.AC is the guest's. */
	KUNIT_EXPECT_FALSE(test, khv_ac_is_split_lock(true, 3, am, ac));
	KUNIT_EXPECT_TRUE(test, khv_ac_is_split_lock(true, 0, am, ac));
	KUNIT_EXPECT_TRUE(test, khv_ac_is_split_lock(true, 3, X86_CR0_PE, ac));
	KUNIT_EXPECT_TRUE(test, khv_ac_is_split_lock(true, 3, am, X86_EFLAGS_FIXED));
}

static struct kunit_case khv_exception_cases[] = {
	KUNIT_CASE(exception_merge_follows_table_6_5),
	KUNIT_CASE(exception_error_codes),
	KUNIT_CASE(exception_ac_split_lock_or_guest),
	{}
};

static struct kunit_suite khv_exception_suite = {
	.name = "khv_exception",
	.test_cases = khv_exception_cases,
};

kunit_test_suite(khv_exception_suite);
