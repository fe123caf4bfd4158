// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what CPUID may tell a guest (cpuid.c).
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <asm/tsc.h>

#include "khv.h"
#include "x86.h"
#include "xstate.h"

static const u32 all[4] = { ~0U, ~0U, ~0U, ~0U };

static void cpuid_hides_vmx_svm_and_sets_hypervisor(struct kunit *test)
{
	u32 r[4] = { 0, 0, BIT(5) | BIT(0), 0 };

	khv_cpuid_mask(1, 0, r, all, 0);
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(5));
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(0));
	KUNIT_EXPECT_TRUE(test, r[2] & BIT(31));

	r[2] = BIT(2) | BIT(0);
	khv_cpuid_mask(0x80000001, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[2], (u32)BIT(0));
}

/* No machine-check MSRs in khv: MCE and MCA hidden, the bits around kept. */
static void cpuid_hides_mce_and_mca(struct kunit *test)
{
	u32 r[4] = { 0, 0, 0, BIT(14) | BIT(7) | BIT(6) | BIT(8) };

	khv_cpuid_mask(1, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[3], (u32)(BIT(6) | BIT(8)));
	r[3] = BIT(14) | BIT(7) | BIT(6) | BIT(8);
	khv_cpuid_mask(0x80000001, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[3], (u32)(BIT(6) | BIT(8)));
}

static void cpuid_hides_what_the_host_lacks(struct kunit *test)
{
	const u32 host[4] = { 0, 0, BIT(0), BIT(4) };
	u32 r[4] = { 0, 0, BIT(0) | BIT(1), BIT(4) | BIT(6) };

	khv_cpuid_mask(1, 0, r, host, 0);
	KUNIT_EXPECT_EQ(test, r[2], (u32)(BIT(0) | BIT(31)));
	KUNIT_EXPECT_EQ(test, r[3], (u32)BIT(4));
}

/* Without XSAVE offered (khv_cpuid_xfeatures()), nothing of it shows. */
static void cpuid_hides_xsave_and_avx(struct kunit *test)
{
	static const struct khv_xstate_layout l = {};
	const struct khv_cpuid_xf none = { .layout = &l, .osxsave = true };
	u32 r[4] = { ~0U, ~0U, ~0U, ~0U };

	khv_cpuid_mask(1, 0, r, all, 0);
	khv_cpuid_xfeatures(1, 0, r, all, &none);
	KUNIT_EXPECT_FALSE(test, r[2] & (BIT(26) | BIT(27) | BIT(28)));
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(7, 0, r, all, 0);
	khv_cpuid_xfeatures(7, 0, r, all, &none);
	KUNIT_EXPECT_FALSE(test, r[1] & BIT(5));	/* AVX2 */
	KUNIT_EXPECT_FALSE(test, r[1] & BIT(16));	/* AVX512F */
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(0xd, 0, r, all, 0);
	khv_cpuid_xfeatures(0xd, 0, r, all, &none);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
}

static void cpuid_hypervisor_leaf_is_khv(struct kunit *test)
{
	u32 r[4] = { 1, 2, 3, 4 };

	khv_cpuid_mask(0x40000000, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0], 0x40000010U);
	KUNIT_EXPECT_EQ(test, r[1], 0x6b76686bU);	/* "khvk" */
	KUNIT_EXPECT_EQ(test, r[2], 0x686b7668U);	/* "hvkh" */
	KUNIT_EXPECT_EQ(test, r[3], 0x76U);		/* "v" */
	r[0] = 5;
	khv_cpuid_mask(0x40000001, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
	/* The TSC and APIC bus frequencies in kHz. */
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(0x40000010, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0], tsc_khz);
	KUNIT_EXPECT_EQ(test, r[1], KHV_APIC_BUS_HZ / 1000);
	KUNIT_EXPECT_EQ(test, r[2] | r[3], 0U);
}

static void cpuid_other_leaves_pass_through(struct kunit *test)
{
	u32 r[4] = { 0xd, 0x68747541, 0x444d4163, 0x69746e65 };

	khv_cpuid_mask(0, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0], 0xdU);
	KUNIT_EXPECT_EQ(test, r[1], 0x68747541U);
}

/* The host's APIC IDs never reach a guest: the vCPU's id stands for them. */
static void cpuid_apic_ids_are_the_vcpu_id(struct kunit *test)
{
	u32 r[4] = { 0x000906ea, 0x17100800, 0, 0 };	/* host APIC ID 0x17 */
	const u32 leaves[] = { 0xb, 0x1f };
	unsigned int i;

	khv_cpuid_mask(1, 0, r, all, 5);
	KUNIT_EXPECT_EQ(test, r[1] >> 24, 5U);
	/* Brand index, CLFLUSH size and logical count stay. */
	KUNIT_EXPECT_EQ(test, r[1] & 0xffffff, 0x100800U);

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		r[0] = 1;
		r[1] = 2;
		r[2] = 0x100;
		r[3] = 0x17;			/* x2APIC ID of the host CPU */
		khv_cpuid_mask(leaves[i], 1, r, all, 9);
		KUNIT_EXPECT_EQ(test, r[3], 9U);
	}
	/* AMD: the extended APIC ID, core and node of the host CPU. */
	r[0] = 0x17;
	r[1] = 0x0103;
	r[2] = 0x0301;
	r[3] = 0;
	khv_cpuid_mask(0x8000001e, 0, r, all, 3);
	KUNIT_EXPECT_EQ(test, r[0], 3U);
	KUNIT_EXPECT_EQ(test, r[1], 0U);
	KUNIT_EXPECT_EQ(test, r[2], 0U);
}

/*
 * Features khv does not give a guest: x2APIC (no APIC is virtualized), CET
 * (CR4.CET is refused, no CET state is switched), SGX and its leaf; PKU and
 * OSPKE without PKRU offered (khv_cpuid_xfeatures()).
 */
static void cpuid_hides_x2apic_pku_cet_sgx(struct kunit *test)
{
	static const struct khv_xstate_layout l = {};
	const struct khv_cpuid_xf x87 = { .offered = 3, .layout = &l, .ospke = true };
	u32 r[4] = { ~0U, ~0U, ~0U, ~0U };

	khv_cpuid_mask(1, 0, r, all, 0);
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(21));	/* x2APIC */
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(7, 0, r, all, 0);
	khv_cpuid_xfeatures(7, 0, r, all, &x87);
	KUNIT_EXPECT_FALSE(test, r[1] & BIT(2));	/* SGX */
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(3));	/* PKU */
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(4));	/* OSPKE */
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(7));	/* CET_SS */
	KUNIT_EXPECT_FALSE(test, r[2] & BIT(30));	/* SGX_LC */
	KUNIT_EXPECT_FALSE(test, r[3] & BIT(20));	/* CET_IBT */
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(0x12, 0, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
	memset(r, 0xff, sizeof(r));
	khv_cpuid_mask(0x12, 2, r, all, 0);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
}

static struct kunit_case khv_cpuid_cases[] = {
	KUNIT_CASE(cpuid_hides_vmx_svm_and_sets_hypervisor),
	KUNIT_CASE(cpuid_hides_mce_and_mca),
	KUNIT_CASE(cpuid_hides_what_the_host_lacks),
	KUNIT_CASE(cpuid_hides_xsave_and_avx),
	KUNIT_CASE(cpuid_hypervisor_leaf_is_khv),
	KUNIT_CASE(cpuid_other_leaves_pass_through),
	KUNIT_CASE(cpuid_apic_ids_are_the_vcpu_id),
	KUNIT_CASE(cpuid_hides_x2apic_pku_cet_sgx),
	{}
};

static struct kunit_suite khv_cpuid_suite = {
	.name = "khv_cpuid",
	.test_cases = khv_cpuid_cases,
};

kunit_test_suite(khv_cpuid_suite);
