// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: TSC offsetting arithmetic (x86.h): a guest's TSC starts where the
 * offset puts it and counts with the host's, modulo 2^64.
 */
#include <kunit/test.h>
#include <linux/types.h>

#include "x86.h"

static void tsc_starts_near_zero(struct kunit *test)
{
	u64 host = 0x123456789abcdefULL;
	u64 off = khv_tsc_offset(0, host);

	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, host), 0ULL);
	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, host + 1000), 1000ULL);
}

static void tsc_write_moves_the_offset(struct kunit *test)
{
	u64 host = 5000, off;

	/* WRMSR IA32_TSC of 1e12 at host 5000: 1e12 + elapsed afterwards. */
	off = khv_tsc_offset(1000000000000ULL, host);
	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, host + 7), 1000000000007ULL);
	/* Backwards too. */
	off = khv_tsc_offset(10, 1ULL << 40);
	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, (1ULL << 40) + 5), 15ULL);
}

static void tsc_wraps_modulo_2_64(struct kunit *test)
{
	u64 host = ~0ULL - 10;
	u64 off = khv_tsc_offset(100, host);

	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, host + 20), 120ULL);
	off = khv_tsc_offset(~0ULL, 3);
	KUNIT_EXPECT_EQ(test, khv_tsc_apply(off, 4), 0ULL);
}

static struct kunit_case khv_tsc_cases[] = {
	KUNIT_CASE(tsc_starts_near_zero),
	KUNIT_CASE(tsc_write_moves_the_offset),
	KUNIT_CASE(tsc_wraps_modulo_2_64),
	{}
};

static struct kunit_suite khv_tsc_suite = {
	.name = "khv_tsc",
	.test_cases = khv_tsc_cases,
};

kunit_test_suite(khv_tsc_suite);
