// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VMX feature detection (vmx/caps.c) from CPUID/MSR values given as
 * inputs. "xeon" holds values read on a Skylake-SP Xeon.
 */
#include <kunit/test.h>

#include "vmx.h"

static const struct vmx_facts xeon = {
	.cpuid1_ecx = 0x7ffefbff,
	.feature_control = 0x5,
	.basic = 0x00da040000000004ULL,
	.procbased = 0xfff9fffe04006172ULL,
	.procbased2 = 0x005ffcff00000000ULL,
	.ept_vpid_cap = 0x00000f0106734141ULL,
};

static int check(struct kunit *test, const struct vmx_facts *f,
		 const char **why)
{
	struct vmx_caps caps = {};

	*why = NULL;
	return vmx_check_facts(f, &caps, why);
}

static void vmx_xeon_accepted(struct kunit *test)
{
	struct vmx_caps caps = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_check_facts(&xeon, &caps, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, caps.vmcs_revision, 4U);
	KUNIT_EXPECT_EQ(test, caps.vmcs_size, 1024U);
	KUNIT_EXPECT_TRUE(test, caps.vpid);
	KUNIT_EXPECT_TRUE(test, caps.ept_2m);
	KUNIT_EXPECT_TRUE(test, caps.ept_ad);
}

static void vmx_absent_named(struct kunit *test)
{
	struct vmx_facts f = xeon;
	const char *why;

	f.cpuid1_ecx &= ~(1U << 5);
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "no VMX"));
}

static void vmx_disabled_by_firmware_named(struct kunit *test)
{
	struct vmx_facts f = xeon;
	const char *why;

	f.feature_control = 0x1;	/* locked, VMXON outside SMX off */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "disabled by firmware"));

	f.feature_control = 0x4;	/* enabled but never locked */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "not locked"));
}

static void vmx_without_ept_refused(struct kunit *test)
{
	struct vmx_facts f = xeon;
	const char *why;

	f.procbased2 &= ~(1ULL << (32 + 1));
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "no EPT"));

	f = xeon;
	f.procbased &= ~(1ULL << (32 + 31));	/* no secondary controls */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "secondary"));

	f = xeon;
	f.ept_vpid_cap &= ~(1ULL << 20);	/* no INVEPT */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "INVEPT"));
}

static void vmx_without_unrestricted_guest_refused(struct kunit *test)
{
	struct vmx_facts f = xeon;
	const char *why;

	f.procbased2 &= ~(1ULL << (32 + 7));
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "unrestricted guest"));
}

static void vmx_bad_vmcs_region_refused(struct kunit *test)
{
	struct vmx_facts f = xeon;
	const char *why;

	f.basic = (f.basic & ~(0x1fffULL << 32)) | (0x1001ULL << 32);
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);

	f = xeon;
	f.basic |= 1ULL << 48;			/* 32-bit addresses only */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);

	f = xeon;
	f.basic &= ~(0xfULL << 50);		/* uncacheable VMCS */
	KUNIT_EXPECT_EQ(test, check(test, &f, &why), -ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "write-back"));
}

static void vmx_without_vpid_still_accepted(struct kunit *test)
{
	struct vmx_facts f = xeon;
	struct vmx_caps caps = {};
	const char *why = NULL;

	f.procbased2 &= ~(1ULL << (32 + 5));
	KUNIT_EXPECT_EQ(test, vmx_check_facts(&f, &caps, &why), 0);
	KUNIT_EXPECT_FALSE(test, caps.vpid);
}

static struct kunit_case vmx_caps_cases[] = {
	KUNIT_CASE(vmx_xeon_accepted),
	KUNIT_CASE(vmx_absent_named),
	KUNIT_CASE(vmx_disabled_by_firmware_named),
	KUNIT_CASE(vmx_without_ept_refused),
	KUNIT_CASE(vmx_without_unrestricted_guest_refused),
	KUNIT_CASE(vmx_bad_vmcs_region_refused),
	KUNIT_CASE(vmx_without_vpid_still_accepted),
	{}
};

static struct kunit_suite vmx_caps_suite = {
	.name = "khv_vmx_caps",
	.test_cases = vmx_caps_cases,
};

kunit_test_suite(vmx_caps_suite);
