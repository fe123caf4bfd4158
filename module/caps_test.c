// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: backend selection and ioctl argument validation (caps.c, and the
 * segment check of x86.h).
 */
#include <kunit/test.h>
#include <linux/stddef.h>

#include "compat.h"
#include "khv.h"
#include "x86.h"

static void vendor_intel_selects_vmx(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id("GenuineIntel"),
			(u32)KHV_VENDOR_INTEL);
}

static void vendor_amd_and_hygon_select_svm(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id("AuthenticAMD"),
			(u32)KHV_VENDOR_AMD);
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id("HygonGenuine"),
			(u32)KHV_VENDOR_AMD);
}

static void vendor_unknown_has_no_backend(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id("CentaurHauls"), 0U);
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id("GenuineIntel "), 0U);
	KUNIT_EXPECT_EQ(test, khv_vendor_from_id(""), 0U);
}

static void create_vm_zero_args_accepted(struct kunit *test)
{
	struct khv_create_vm args = {};

	KUNIT_EXPECT_EQ(test, khv_create_vm_args_check(&args), 0);
}

static void create_vm_unknown_flag_rejected(struct kunit *test)
{
	struct khv_create_vm args = {};
	int bit;

	for (bit = 0; bit < 32; bit++) {
		args.flags = 1U << bit;
		KUNIT_EXPECT_EQ(test, khv_create_vm_args_check(&args), -EINVAL);
	}
}

static void create_vm_each_reserved_word_rejected(struct kunit *test)
{
	struct khv_create_vm args = {};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(args.reserved); i++) {
		memset(&args, 0, sizeof(args));
		args.reserved[i] = 0x80000000U;
		KUNIT_EXPECT_EQ(test, khv_create_vm_args_check(&args), -EINVAL);
	}
}

/*
 * Every byte of struct khv_segment after its last field is padding that
 * must be 0, also where the compiler would add it (issue 12, item 9).
 */
static void segment_every_padding_byte_rejected(struct kunit *test)
{
	struct khv_segment seg = {};
	size_t b;

	KUNIT_EXPECT_TRUE(test, khv_segment_valid(&seg));
	KUNIT_EXPECT_EQ(test, sizeof(seg), (size_t)32);
	for (b = offsetof(struct khv_segment, unusable) + 1; b < sizeof(seg); b++) {
		memset(&seg, 0, sizeof(seg));
		((u8 *)&seg)[b] = 0x80;
		KUNIT_EXPECT_FALSE_MSG(test, khv_segment_valid(&seg),
				       "padding byte %zu accepted", b);
	}
}

static struct kunit_case khv_caps_cases[] = {
	KUNIT_CASE(vendor_intel_selects_vmx),
	KUNIT_CASE(vendor_amd_and_hygon_select_svm),
	KUNIT_CASE(vendor_unknown_has_no_backend),
	KUNIT_CASE(create_vm_zero_args_accepted),
	KUNIT_CASE(create_vm_unknown_flag_rejected),
	KUNIT_CASE(create_vm_each_reserved_word_rejected),
	KUNIT_CASE(segment_every_padding_byte_rejected),
	{}
};

static struct kunit_suite khv_caps_suite = {
	.name = "khv_caps",
	.test_cases = khv_caps_cases,
};

kunit_test_suite(khv_caps_suite);
