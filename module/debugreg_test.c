// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the guest's debug registers as khv emulates MOV DR (debugreg.c).
 */
#include <kunit/test.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "khv.h"
#include "x86.h"

static struct khv_dr reset_dr(void)
{
	return (struct khv_dr){ .dr6 = KHV_DR6_FIXED_1, .dr7 = KHV_DR7_RESET };
}

static void dr_reads_back_what_was_written(struct kunit *test)
{
	struct khv_dr dr = reset_dr();
	u64 v;
	int i;

	for (i = 0; i < 4; i++) {
		v = 0xffffffff81000000ull + i;
		KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, i, true, &v, 0, 0), 0);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, i, false, &v, 0, 0), 0);
		KUNIT_EXPECT_EQ(test, v, 0xffffffff81000000ull + i);
	}
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 6, false, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, v, 0xffff0ff0ull);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 7, false, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, v, 0x400ull);
}

static void dr6_dr7_fixed_bits_and_high_half(struct kunit *test)
{
	struct khv_dr dr = reset_dr();
	u64 v;

	v = 0;
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 7, true, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, dr.dr7, 0x400ull);
	v = 0xffffdfff;		/* all but GD: bits 12, 14, 15 read 0 */
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 7, true, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, dr.dr7, 0xffff0fffull);
	v = 0;
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 6, true, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff0ff0ull);
	v = 0x400f;
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 6, true, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff4fffull);
	v = BIT_ULL(32);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 6, true, &v, 0, 0), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 7, true, &v, 0, 0), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff4fffull);
}

static void dr_refusals(struct kunit *test)
{
	struct khv_dr dr = reset_dr();
	u64 v = 0x1234;

	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 0, true, &v, 3, 0), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 0, false, &v, 1, 0), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, dr.db[0], 0ull);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 8, false, &v, 0, 0), X86_TRAP_UD);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 15, true, &v, 0, 0), X86_TRAP_UD);
	/* DR4/DR5: DR6/DR7 without CR4.DE, #UD with it. */
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 4, false, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, v, 0xffff0ff0ull);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 5, false, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, v, 0x400ull);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 5, false, &v, 0, X86_CR4_DE),
			X86_TRAP_UD);
}

static void dr7_gd_turns_the_next_mov_into_db(struct kunit *test)
{
	struct khv_dr dr = reset_dr();
	u64 v = KHV_DR7_GD | 1;

	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 7, true, &v, 0, 0), 0);
	v = 0x55;
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 0, true, &v, 0, 0), X86_TRAP_DB);
	KUNIT_EXPECT_EQ(test, dr.db[0], 0ull);
	KUNIT_EXPECT_TRUE(test, dr.dr6 & KHV_DR6_BD);
	KUNIT_EXPECT_FALSE(test, dr.dr7 & KHV_DR7_GD);
	KUNIT_EXPECT_EQ(test, khv_dr_access(&dr, 0, true, &v, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, dr.db[0], 0x55ull);
}

static void debug_trap_sets_causes(struct kunit *test)
{
	struct khv_dr dr = reset_dr();

	khv_dr_debug_trap(&dr, 0x1);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff0ff1ull);
	/* B0-B3 are this #DB's only; BS accumulates. */
	khv_dr_debug_trap(&dr, 0x4000 | 0x4);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff4ff4ull);
	khv_dr_debug_trap(&dr, 0x2);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff4ff2ull);
	/* Bits outside B0-B3, BD, BS, BT are no causes. */
	khv_dr_debug_trap(&dr, 0xffffffff00010000ull);
	KUNIT_EXPECT_EQ(test, dr.dr6, 0xffff4ff0ull);
	dr.dr7 |= KHV_DR7_GD;
	khv_dr_debug_trap(&dr, 0);
	KUNIT_EXPECT_FALSE(test, dr.dr7 & KHV_DR7_GD);
}

static struct kunit_case khv_debugreg_cases[] = {
	KUNIT_CASE(dr_reads_back_what_was_written),
	KUNIT_CASE(dr6_dr7_fixed_bits_and_high_half),
	KUNIT_CASE(dr_refusals),
	KUNIT_CASE(dr7_gd_turns_the_next_mov_into_db),
	KUNIT_CASE(debug_trap_sets_causes),
	{}
};

static struct kunit_suite khv_debugreg_suite = {
	.name = "khv_debugreg",
	.test_cases = khv_debugreg_cases,
};

kunit_test_suite(khv_debugreg_suite);
