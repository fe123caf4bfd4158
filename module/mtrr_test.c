// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the MTRRs' index map and checks (mtrr.c, SDM Vol. 3A 13.11):
 * MTRRcap read-only, every memory type and reserved bit, MAXPHYADDR edges.
 */
#include <kunit/test.h>

#include "compat.h"
#include "mtrr.h"

static void mtrr_index_map(struct kunit *test)
{
	static const u32 ours[] = { 0xfe, 0x200, 0x20f, 0x250, 0x258, 0x259, 0x268,
				    0x26f, 0x2ff };
	static const u32 others[] = { 0xfd, 0xff, 0x1ff, 0x210, 0x24f, 0x251, 0x257,
				      0x25a, 0x267, 0x270, 0x277, 0x2fe, 0x300,
				      0xc001001f, 0x400000fe };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ours); i++)
		KUNIT_EXPECT_TRUE_MSG(test, khv_mtrr_msr(ours[i]), "%#x", ours[i]);
	for (i = 0; i < ARRAY_SIZE(others); i++)
		KUNIT_EXPECT_FALSE_MSG(test, khv_mtrr_msr(others[i]), "%#x", others[i]);
}

static void mtrr_cap_read_only(struct kunit *test)
{
	struct khv_mtrr m = {};
	u64 v = 0;

	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_CAP, &v));
	KUNIT_EXPECT_EQ(test, 0x508ULL, v);
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, KHV_MSR_MTRR_CAP, 0x508, true, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_get(&m, 0x277, &v));
}

static void mtrr_def_type(struct kunit *test)
{
	static const u8 types[] = { 0, 1, 4, 5, 6 };
	struct khv_mtrr m = {};
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE,
						      0xc00 | types[i], false, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE, 2, true, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE, 7, true, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE, 0x106, true, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE, 0x1006, true, 46));
	/* Checked, not applied; then applied and read back. */
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_DEF_TYPE, &v));
	KUNIT_EXPECT_EQ(test, 0ULL, v);
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, KHV_MSR_MTRR_DEF_TYPE, 0xc06, true, 46));
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_DEF_TYPE, &v));
	KUNIT_EXPECT_EQ(test, 0xc06ULL, v);
}

static void mtrr_fixed(struct kunit *test)
{
	struct khv_mtrr m = {};
	unsigned int i;
	u64 v;

	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, KHV_MSR_MTRR_FIX64K,
					      0x0606060606060606ULL, true, 46));
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, KHV_MSR_MTRR_FIX4K + 7,
					      0x0001040506000104ULL, true, 46));
	/* A reserved type in any one byte. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, -EINVAL,
				khv_mtrr_set(&m, KHV_MSR_MTRR_FIX16K + 1,
					     0x0606060606060606ULL ^ (0x04ULL << (8 * i)),
					     true, 46));
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_FIX16K + 1, &v));
	KUNIT_EXPECT_EQ(test, 0ULL, v);
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_FIX4K + 7, &v));
	KUNIT_EXPECT_EQ(test, 0x0001040506000104ULL, v);
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, KHV_MSR_MTRR_FIX64K, &v));
	KUNIT_EXPECT_EQ(test, 0x0606060606060606ULL, v);
}

static void mtrr_variable(struct kunit *test)
{
	struct khv_mtrr m = {};
	u64 v;

	/* PHYSBASE: type, bits 11:8 reserved, bits from MAXPHYADDR reserved. */
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, 0x200, 0x3fffffff000ULL | 6, true, 42));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x200, (1ULL << 42) | 6, true, 42));
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, 0x200, (1ULL << 42) | 6, false, 43));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x202, 0x100 | 6, true, 46));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x202, 3, true, 46));
	/* PHYSMASK: valid (bit 11), bits 10:0 reserved. */
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_set(&m, 0x20f, 0x3ffc0000800ULL, true, 42));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x20f, 0x801, true, 42));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x201, BIT_ULL(63) | 0x800, true, 52));
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, 0x200, &v));
	KUNIT_EXPECT_EQ(test, 0x3fffffff006ULL, v);
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, 0x20f, &v));
	KUNIT_EXPECT_EQ(test, 0x3ffc0000800ULL, v);
	KUNIT_EXPECT_EQ(test, 0, khv_mtrr_get(&m, 0x202, &v));
	KUNIT_EXPECT_EQ(test, 0ULL, v);
	/* Past the eighth pair: not an MTRR. */
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_mtrr_set(&m, 0x210, 6, true, 46));
}

static struct kunit_case khv_mtrr_cases[] = {
	KUNIT_CASE(mtrr_index_map),
	KUNIT_CASE(mtrr_cap_read_only),
	KUNIT_CASE(mtrr_def_type),
	KUNIT_CASE(mtrr_fixed),
	KUNIT_CASE(mtrr_variable),
	{}
};

static struct kunit_suite khv_mtrr_suite = {
	.name = "khv_mtrr",
	.test_cases = khv_mtrr_cases,
};

kunit_test_suite(khv_mtrr_suite);
