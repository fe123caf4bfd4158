// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: mitigations_off's list (mitig.c, khv_mitig_parse()).
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include "compat.h"
#include "mitig.h"

#define UNSET	0xdeadbeef

static void none_is_empty(struct kunit *test)
{
	const char *bad = NULL;
	u32 mask = UNSET;

	KUNIT_EXPECT_EQ(test, khv_mitig_parse(NULL, &mask, &bad), 0);
	KUNIT_EXPECT_EQ(test, mask, 0u);
	mask = UNSET;
	KUNIT_EXPECT_EQ(test, khv_mitig_parse("", &mask, &bad), 0);
	KUNIT_EXPECT_EQ(test, mask, 0u);
	KUNIT_EXPECT_NULL(test, bad);
}

static void each_name_its_bit(struct kunit *test)
{
	static const struct {
		const char *list;
		u32 mask;
	} ok[] = {
		{ "l1d", KHV_MITIG_L1D },
		{ "verw", KHV_MITIG_VERW },
		{ "ibpb", KHV_MITIG_IBPB },
		{ "vmscape", KHV_MITIG_VMSCAPE },
		{ "verw,l1d", KHV_MITIG_VERW | KHV_MITIG_L1D },
		{ "l1d,verw,ibpb,vmscape", KHV_MITIG_L1D | KHV_MITIG_VERW |
					   KHV_MITIG_IBPB | KHV_MITIG_VMSCAPE },
		{ "ibpb,ibpb", KHV_MITIG_IBPB },
	};
	const char *bad;
	u32 mask;
	int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		mask = UNSET;
		KUNIT_EXPECT_EQ_MSG(test, khv_mitig_parse(ok[i].list, &mask, &bad),
				    0, "%s", ok[i].list);
		KUNIT_EXPECT_EQ_MSG(test, mask, ok[i].mask, "%s", ok[i].list);
	}
}

/* A refused list leaves @mask alone and points at the first bad name. */
static void unknown_names_refused(struct kunit *test)
{
	static const struct {
		const char *list;
		int bad_at;
	} refused[] = {
		{ "rsb", 0 },		/* not switchable */
		{ "bhb", 0 },
		{ "L1D", 0 },		/* names are lower case */
		{ "l1", 0 },		/* no prefixes */
		{ "l1dx", 0 },
		{ "l1d,", 4 },		/* no empty names */
		{ ",l1d", 0 },
		{ "l1d,,verw", 4 },
		{ "verw,all", 5 },
		{ "l1d verw", 0 },	/* commas only */
		{ "verw,ibpb,x", 10 },
	};
	const char *bad;
	u32 mask;
	int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		mask = UNSET;
		bad = NULL;
		KUNIT_EXPECT_EQ_MSG(test, khv_mitig_parse(refused[i].list, &mask,
							  &bad),
				    -EINVAL, "%s", refused[i].list);
		KUNIT_EXPECT_EQ_MSG(test, mask, (u32)UNSET, "%s", refused[i].list);
		KUNIT_EXPECT_PTR_EQ_MSG(test, bad,
					refused[i].list + refused[i].bad_at,
					"%s", refused[i].list);
	}
}

static struct kunit_case khv_mitig_cases[] = {
	KUNIT_CASE(none_is_empty),
	KUNIT_CASE(each_name_its_bit),
	KUNIT_CASE(unknown_names_refused),
	{}
};

static struct kunit_suite khv_mitig_suite = {
	.name = "khv_mitig",
	.test_cases = khv_mitig_cases,
};

kunit_test_suite(khv_mitig_suite);
