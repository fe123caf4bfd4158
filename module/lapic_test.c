// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the pure checks of the in-kernel APIC's device model: which
 * IA32_APIC_BASE transitions a guest may make (lapic.c,
 * khv_apic_base_check()) and how an MSI decodes (irq.c, khv_msi_decode()).
 */
#include <kunit/test.h>

#include "lapic.h"

#define BASE	KHV_APIC_DEFAULT_BASE
#define EN	KHV_APIC_BASE_ENABLE
#define X2	KHV_APIC_BASE_X2APIC
#define BSP	KHV_APIC_BASE_BSP

static void base_transitions(struct kunit *test)
{
	/* xAPIC -> x2APIC, moves, BSP bit, disable, re-enable. */
	KUNIT_EXPECT_EQ(test, 0, khv_apic_base_check(BASE | EN, BASE | EN | X2));
	KUNIT_EXPECT_EQ(test, 0, khv_apic_base_check(BASE | EN, 0x3fe00000 | EN | BSP));
	KUNIT_EXPECT_EQ(test, 0, khv_apic_base_check(BASE | EN | X2, BASE));
	KUNIT_EXPECT_EQ(test, 0, khv_apic_base_check(BASE, BASE | EN));
	/* x2APIC back to xAPIC, disabled to x2APIC, x2APIC without enable. */
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_apic_base_check(BASE | EN | X2, BASE | EN));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_apic_base_check(BASE, BASE | EN | X2));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_apic_base_check(BASE | EN, BASE | X2));
}

static void base_reserved_bits(struct kunit *test)
{
	static const u64 bad[] = {
		BIT_ULL(0), BIT_ULL(7), BIT_ULL(9), BIT_ULL(52), BIT_ULL(63),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    khv_apic_base_check(BASE | EN, BASE | EN | bad[i]),
				    "bit %llx", bad[i]);
}

static void msi_fields(struct kunit *test)
{
	struct khv_apic_irq irq;

	/* Physical, fixed, edge, destination 3. */
	KUNIT_ASSERT_EQ(test, 0, khv_msi_decode(0xfee03000, 0, 0x41, &irq));
	KUNIT_EXPECT_EQ(test, irq.dest, 3u);
	KUNIT_EXPECT_FALSE(test, irq.logical);
	KUNIT_EXPECT_EQ(test, irq.dm, KHV_APIC_DM_FIXED);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x41);
	KUNIT_EXPECT_FALSE(test, irq.level);
	KUNIT_EXPECT_FALSE(test, irq.x2apic);
	/* Logical with the redirection hint: lowest priority; level. */
	KUNIT_ASSERT_EQ(test, 0, khv_msi_decode(0xfee0f00c, 0, 0x8031, &irq));
	KUNIT_EXPECT_EQ(test, irq.dest, 0xfu);
	KUNIT_EXPECT_TRUE(test, irq.logical);
	KUNIT_EXPECT_EQ(test, irq.dm, KHV_APIC_DM_LOWEST);
	KUNIT_EXPECT_TRUE(test, irq.level);
	/* An x2APIC destination above 255; NMI. */
	KUNIT_ASSERT_EQ(test, 0, khv_msi_decode(0xfee01000, 0x100, 0x400, &irq));
	KUNIT_EXPECT_EQ(test, irq.dest, 0x101u);
	KUNIT_EXPECT_TRUE(test, irq.x2apic);
	KUNIT_EXPECT_EQ(test, irq.dm, KHV_APIC_DM_NMI);
}

static void msi_refused(struct kunit *test)
{
	struct khv_apic_irq irq;

	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfed00000, 0, 0x41, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00001, 0, 0x41, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00010, 0, 0x41, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 1, 0x41, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x10041, &irq));
	/* SMI, INIT, start-up, ExtINT, reserved. */
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x241, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x500, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x608, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x700, &irq));
	KUNIT_EXPECT_EQ(test, -EINVAL, khv_msi_decode(0xfee00000, 0, 0x341, &irq));
}

static struct kunit_case khv_lapic_cases[] = {
	KUNIT_CASE(base_transitions),
	KUNIT_CASE(base_reserved_bits),
	KUNIT_CASE(msi_fields),
	KUNIT_CASE(msi_refused),
	{}
};

static struct kunit_suite khv_lapic_suite = {
	.name = "khv_lapic",
	.test_cases = khv_lapic_cases,
};

kunit_test_suite(khv_lapic_suite);
