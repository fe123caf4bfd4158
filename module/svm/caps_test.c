// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: SVM feature detection (svm/caps.c) from CPUID/MSR values given as
 * inputs: an EPYC (Rome) and QEMU's TCG model (no NRIPS, no decode assists).
 */
#include <kunit/test.h>

#include "svm.h"

static const struct svm_facts epyc = {
	.max_ext_leaf = 0x80000020,
	.ext1_ecx = 0x75c237ff,
	.svm_ebx = 0x8000,
	.svm_edx = 0x0001bcff,
	.vm_cr = 0x8,
};

static const struct svm_facts qemu_tcg = {
	.max_ext_leaf = 0x8000001f,
	.ext1_ecx = 0x00000007,
	.svm_ebx = 0x10,
	.svm_edx = 0x00000001,
	.vm_cr = 0,
};

static void svm_epyc_accepted(struct kunit *test)
{
	struct svm_caps caps = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, svm_check_facts(&epyc, &caps, &why), 0);
	KUNIT_EXPECT_EQ(test, caps.nr_asids, 0x8000U);
	KUNIT_EXPECT_TRUE(test, caps.nrips);
	KUNIT_EXPECT_TRUE(test, caps.decode_assists);
}

static void svm_qemu_accepted_without_assists(struct kunit *test)
{
	struct svm_caps caps = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, svm_check_facts(&qemu_tcg, &caps, &why), 0);
	KUNIT_EXPECT_FALSE(test, caps.nrips);
	KUNIT_EXPECT_FALSE(test, caps.decode_assists);
}

static void svm_absent_named(struct kunit *test)
{
	struct svm_facts f = epyc;
	struct svm_caps caps = {};
	const char *why = NULL;

	f.ext1_ecx &= ~(1U << 2);
	KUNIT_EXPECT_EQ(test, svm_check_facts(&f, &caps, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "no SVM"));
}

static void svm_disabled_by_firmware_named(struct kunit *test)
{
	struct svm_facts f = epyc;
	struct svm_caps caps = {};
	const char *why = NULL;

	f.vm_cr = 0x18;		/* SVMDIS + LOCK */
	KUNIT_EXPECT_EQ(test, svm_check_facts(&f, &caps, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "disabled by firmware"));
}

static void svm_without_npt_refused(struct kunit *test)
{
	struct svm_facts f = epyc;
	struct svm_caps caps = {};
	const char *why = NULL;

	f.svm_edx &= ~1U;
	KUNIT_EXPECT_EQ(test, svm_check_facts(&f, &caps, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "nested paging"));

	f = epyc;
	f.max_ext_leaf = 0x80000008;	/* no SVM leaf at all */
	KUNIT_EXPECT_EQ(test, svm_check_facts(&f, &caps, &why), -ENODEV);
}

static void svm_without_asids_refused(struct kunit *test)
{
	struct svm_facts f = epyc;
	struct svm_caps caps = {};
	const char *why = NULL;

	f.svm_ebx = 1;		/* ASID 0 is the host's */
	KUNIT_EXPECT_EQ(test, svm_check_facts(&f, &caps, &why), -ENODEV);
}

static struct kunit_case svm_caps_cases[] = {
	KUNIT_CASE(svm_epyc_accepted),
	KUNIT_CASE(svm_qemu_accepted_without_assists),
	KUNIT_CASE(svm_absent_named),
	KUNIT_CASE(svm_disabled_by_firmware_named),
	KUNIT_CASE(svm_without_npt_refused),
	KUNIT_CASE(svm_without_asids_refused),
	{}
};

static struct kunit_suite svm_caps_suite = {
	.name = "khv_svm_caps",
	.test_cases = svm_caps_cases,
};

kunit_test_suite(svm_caps_suite);
