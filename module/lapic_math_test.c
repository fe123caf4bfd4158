// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the local APIC's pure logic (lapic_math.c): vector sets,
 * priorities (SDM Vol. 3A 11.8.3), destinations (11.6.2), lowest-priority
 * arbitration, the timer (11.5.4) and register access checks (11.4.1,
 * 11.12.1), hostile values included.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "compat.h"
#include "lapic_math.h"

#define GHZ	1000000000U
#define X2	KHV_APIC_F_X2APIC
#define TSCDL	KHV_APIC_F_TSC_DEADLINE

/* A vector set holding the vectors listed. */
static struct khv_apic_bitmap bm_of(const u8 *v, unsigned int n)
{
	struct khv_apic_bitmap b = {};

	while (n--)
		khv_apic_vec_set(&b, v[n]);
	return b;
}

#define BM(...)	bm_of((const u8[]){ __VA_ARGS__ }, \
		      sizeof((const u8[]){ __VA_ARGS__ }))

/* --- vector sets ------------------------------------------------------- */

static void vec_set_clear_test(struct kunit *test)
{
	static const u8 edges[] = { 0, 1, 31, 32, 63, 64, 127, 128, 254, 255 };
	struct khv_apic_bitmap b = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		KUNIT_EXPECT_FALSE(test, khv_apic_vec_test(&b, edges[i]));
		KUNIT_EXPECT_FALSE(test, khv_apic_vec_set(&b, edges[i]));
		KUNIT_EXPECT_TRUE(test, khv_apic_vec_set(&b, edges[i]));
		KUNIT_EXPECT_TRUE(test, khv_apic_vec_test(&b, edges[i]));
	}
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&b), ARRAY_SIZE(edges));
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		KUNIT_EXPECT_TRUE(test, khv_apic_vec_clear(&b, edges[i]));
		KUNIT_EXPECT_FALSE(test, khv_apic_vec_clear(&b, edges[i]));
		KUNIT_EXPECT_FALSE(test, khv_apic_vec_test(&b, edges[i]));
	}
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&b), 0);
}

/* Word N of a set is the register at base + N * 0x10: vector V is bit V%32. */
static void vec_register_layout(struct kunit *test)
{
	struct khv_apic_bitmap b = BM(0x41, 0x20, 0xff, 0x00);

	KUNIT_EXPECT_EQ(test, b.w[0], 0x1);
	KUNIT_EXPECT_EQ(test, b.w[1], 0x1);
	KUNIT_EXPECT_EQ(test, b.w[2], 0x2);
	KUNIT_EXPECT_EQ(test, b.w[7], 0x80000000);
	KUNIT_EXPECT_EQ(test, b.w[3] | b.w[4] | b.w[5] | b.w[6], 0);
}

static void vec_highest(struct kunit *test)
{
	struct khv_apic_bitmap e = {}, b;

	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&e), -1);
	b = BM(0);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 0);
	b = BM(255);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 255);
	b = BM(5, 200, 33);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 200);
	b = BM(31, 32);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 32);
	b = BM(31);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 31);
	b = BM(63, 16);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 63);
}

static void vec_count(struct kunit *test)
{
	struct khv_apic_bitmap b = {};
	unsigned int v;

	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&b), 0);
	for (v = 0; v < KHV_APIC_VECTORS; v++)
		khv_apic_vec_set(&b, v);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&b), 256);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_highest(&b), 255);
	b = BM(1, 2, 3, 200);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&b), 4);
}

/* --- priorities -------------------------------------------------------- */

static void ppr_from_tpr(struct kunit *test)
{
	struct khv_apic_bitmap e = {};

	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0, &e), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0x35, &e), 0x35);
	/* TPR bits 31:8 are reserved and do not count. */
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0x1ff, &e), 0xff);
}

static void ppr_from_isr(struct kunit *test)
{
	struct khv_apic_bitmap isr = BM(0x51, 0x22);

	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0x35, &isr), 0x50);
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0, &isr), 0x50);
	/* Same class: TPR, with its sub-class. */
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0x5f, &isr), 0x5f);
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0x60, &isr), 0x60);
}

static void deliverable_by_class(struct kunit *test)
{
	struct khv_apic_bitmap e = {}, irr = BM(0x41);

	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&e, 0), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0), 0x41);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0x35), 0x41);
	/* Same class as PPR: held back, whatever the sub-classes. */
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0x40), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0x4f), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0x50), -1);
	irr = BM(0x41, 0x81);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0x50), 0x81);
	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0xf0), -1);
}

/* Vectors 0-15 are class 0: even with PPR 0 they never reach the guest. */
static void deliverable_never_illegal(struct kunit *test)
{
	struct khv_apic_bitmap irr = BM(0, 5, 15), isr = {};

	KUNIT_EXPECT_EQ(test, khv_apic_deliverable(&irr, 0), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, 0), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&isr), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&irr), 3);
}

static void ack_moves_irr_to_isr(struct kunit *test)
{
	struct khv_apic_bitmap irr = BM(0x31, 0x61), isr = {};
	u32 ppr = khv_apic_ppr(0, &isr);

	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, ppr), 0x61);
	KUNIT_EXPECT_FALSE(test, khv_apic_vec_test(&irr, 0x61));
	KUNIT_EXPECT_TRUE(test, khv_apic_vec_test(&isr, 0x61));
	/* 0x31 waits behind the in-service 0x61 ... */
	ppr = khv_apic_ppr(0, &isr);
	KUNIT_EXPECT_EQ(test, ppr, 0x60);
	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, ppr), -1);
	/* ... until its EOI. */
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x61);
	ppr = khv_apic_ppr(0, &isr);
	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, ppr), 0x31);
	KUNIT_EXPECT_EQ(test, khv_apic_vec_count(&irr), 0);
}

static void ack_nothing_changes_nothing(struct kunit *test)
{
	struct khv_apic_bitmap irr = BM(0x45), isr = BM(0x52);
	struct khv_apic_bitmap irr0 = irr, isr0 = isr;

	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, khv_apic_ppr(0, &isr)),
			-1);
	/* Not KUNIT_EXPECT_MEMEQ: 6.1's KUnit has none. */
	KUNIT_EXPECT_EQ(test, memcmp(&irr, &irr0, sizeof(irr)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&isr, &isr0, sizeof(isr)), 0);
}

/* A higher class interrupts a lower one; TPR holds both back. */
static void nested_interrupts(struct kunit *test)
{
	struct khv_apic_bitmap irr = BM(0x30), isr = {};

	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, khv_apic_ppr(0x30, &isr)),
			-1);
	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, khv_apic_ppr(0x2f, &isr)),
			0x30);
	khv_apic_vec_set(&irr, 0x90);
	KUNIT_EXPECT_EQ(test, khv_apic_ack(&irr, &isr, khv_apic_ppr(0, &isr)),
			0x90);
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0, &isr), 0x90);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x90);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x30);
	KUNIT_EXPECT_EQ(test, khv_apic_ppr(0, &isr), 0);
}

static void eoi_highest_then_spurious(struct kunit *test)
{
	struct khv_apic_bitmap isr = BM(0x31, 0x61, 0x62);

	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x62);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x61);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), 0x31);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_eoi(&isr), -1);
}

static void apr_as_sdm(struct kunit *test)
{
	struct khv_apic_bitmap e = {}, irr = BM(0x41), isr = BM(0x32);

	KUNIT_EXPECT_EQ(test, khv_apic_apr(0x25, &e, &e), 0x25);
	/* TPR class at least IRR's and above ISR's: TPR. */
	KUNIT_EXPECT_EQ(test, khv_apic_apr(0x45, &irr, &isr), 0x45);
	/* Else max(TPR & ISR class, IRR class), sub-class 0. */
	KUNIT_EXPECT_EQ(test, khv_apic_apr(0x15, &irr, &isr), 0x40);
	KUNIT_EXPECT_EQ(test, khv_apic_apr(0x35, &e, &isr), 0x30);
	KUNIT_EXPECT_EQ(test, khv_apic_apr(0x0f, &e, &isr), 0x00);
}

static void cr8_is_tpr_class(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_cr8_to_tpr(0xa), 0xa0);
	KUNIT_EXPECT_EQ(test, khv_apic_cr8_to_tpr(0xf), 0xf0);
	KUNIT_EXPECT_EQ(test, khv_apic_tpr_to_cr8(0xa7), 0xa);
	KUNIT_EXPECT_EQ(test, khv_apic_tpr_to_cr8(0x0f), 0);
}

static void illegal_vectors(struct kunit *test)
{
	unsigned int v;

	for (v = 0; v < KHV_APIC_FIRST_LEGAL; v++) {
		KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_FIXED,
								  v, true),
				KHV_APIC_ESR_SEND_ILLEGAL);
		KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_FIXED,
								  v, false),
				KHV_APIC_ESR_RECV_ILLEGAL);
		KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_LOWEST,
								  v, true),
				KHV_APIC_ESR_SEND_ILLEGAL);
	}
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_FIXED, 16,
							  true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_FIXED, 255,
							  false), 0);
	/* No vector to check: NMI, INIT, SMI, ExtINT; SIPI's is a page. */
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_NMI, 2,
							  true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_INIT, 0,
							  true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_STARTUP, 0,
							  true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_SMI, 0,
							  false), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(KHV_APIC_DM_EXTINT, 0,
							  false), 0);
	/* A whole ICR as the mode: only bits 10:8 count. */
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(0xc4807, 7, true),
			KHV_APIC_ESR_SEND_ILLEGAL);
	KUNIT_EXPECT_EQ(test, khv_apic_illegal_vector_esr(0xc4c07, 7, true), 0);
}

/* --- destinations ------------------------------------------------------ */

static void x2apic_ldr_from_id(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_x2apic_ldr(0), 0x00000001);
	KUNIT_EXPECT_EQ(test, khv_x2apic_ldr(0xf), 0x00008000);
	KUNIT_EXPECT_EQ(test, khv_x2apic_ldr(0x13), 0x00010008);
	KUNIT_EXPECT_EQ(test, khv_x2apic_ldr(0xfffff), 0xffff8000);
	/* Only ID bits 19:0 make the LDR. */
	KUNIT_EXPECT_EQ(test, khv_x2apic_ldr(0x100000), 0x00000001);
}

static void physical_xapic(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 3, .dfr = KHV_APIC_DFR_FLAT };

	KUNIT_EXPECT_TRUE(test, khv_apic_match_physical(&a, 3));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 4));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_physical(&a, 0xff));
	/* No aliasing of a wide destination on the low byte. */
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0x103));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0xffffffff));
}

static void physical_x2apic(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 0x1234, .x2apic = true };

	a.ldr = khv_x2apic_ldr(a.id);
	KUNIT_EXPECT_TRUE(test, khv_apic_match_physical(&a, 0x1234));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0x34));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0xff));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_physical(&a, 0xffffffff));
	/* 0xff is an ordinary x2APIC ID. */
	a.id = 0xff;
	KUNIT_EXPECT_TRUE(test, khv_apic_match_physical(&a, 0xff));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_physical(&a, 0xfe));
}

static void logical_flat(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 2, .ldr = 0x04000000,
				   .dfr = KHV_APIC_DFR_FLAT };

	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x04));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x0c));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x03));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0xff));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x104));
	/* LDR's reserved bits 23:0 do not count. */
	a.ldr = 0x04ffffff;
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x03));
	/* An APIC without a logical ID gets only the broadcast. */
	a.ldr = 0;
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0xfe));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0xff));
}

static void logical_cluster(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 5, .ldr = 0x21000000,
				   .dfr = KHV_APIC_DFR_CLUSTER };

	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x21));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x23));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x22));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x31));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x01));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x2f0));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0xff));
	/* Cluster 15 with other bits is no broadcast. */
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0xf1));
}

static void logical_bad_model(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 1, .ldr = 0xff000000,
				   .dfr = 0x5fffffff };

	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x01));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0xfe));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0xff));
}

static void logical_x2apic(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 0x13, .x2apic = true };

	a.ldr = khv_x2apic_ldr(a.id);
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x00010008));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0x0001000c));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x00010004));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x00020008));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x00000008));
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0x00010000));
	KUNIT_EXPECT_TRUE(test, khv_apic_match_logical(&a, 0xffffffff));
	/* 0xff is cluster 0, APICs 0-7: not this one. */
	KUNIT_EXPECT_FALSE(test, khv_apic_match_logical(&a, 0xff));
}

static void shorthands(struct kunit *test)
{
	struct khv_apic_dest a = { .id = 1, .ldr = 0x02000000,
				   .dfr = KHV_APIC_DFR_FLAT };

	/* With a shorthand the destination does not count. */
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 7, false, KHV_APIC_SH_SELF,
					       true));
	KUNIT_EXPECT_FALSE(test, khv_apic_match(&a, 1, false, KHV_APIC_SH_SELF,
						false));
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 7, true, KHV_APIC_SH_ALL,
					       true));
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 7, true, KHV_APIC_SH_ALL,
					       false));
	KUNIT_EXPECT_FALSE(test, khv_apic_match(&a, 1, false,
						KHV_APIC_SH_ALL_BUT_SELF, true));
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 7, false,
					       KHV_APIC_SH_ALL_BUT_SELF, false));
	/* No shorthand: physical or logical; a sender may target itself. */
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 1, false, KHV_APIC_SH_NONE,
					       true));
	KUNIT_EXPECT_FALSE(test, khv_apic_match(&a, 2, false, KHV_APIC_SH_NONE,
						false));
	KUNIT_EXPECT_TRUE(test, khv_apic_match(&a, 2, true, KHV_APIC_SH_NONE,
					       false));
	KUNIT_EXPECT_FALSE(test, khv_apic_match(&a, 1, true, KHV_APIC_SH_NONE,
						false));
	/* Not a shorthand at all. */
	KUNIT_EXPECT_FALSE(test, khv_apic_match(&a, 0xff, false, 4, true));
}

/* Four APICs, IDs 0-3 (flat LDR 1 << ID): absent IDs reach nobody. */
static void absent_destinations(struct kunit *test)
{
	struct khv_apic_dest a[4];
	unsigned int i, phys = 0, logi = 0, bcast = 0;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = (struct khv_apic_dest){ .id = i, .dfr = KHV_APIC_DFR_FLAT,
					       .ldr = BIT(i) << 24 };
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		phys += khv_apic_match(&a[i], 7, false, KHV_APIC_SH_NONE, false);
		phys += khv_apic_match(&a[i], 0xfe, false, KHV_APIC_SH_NONE,
				       false);
		logi += khv_apic_match(&a[i], 0xf0, true, KHV_APIC_SH_NONE,
				       false);
		bcast += khv_apic_match(&a[i], 0xff, false, KHV_APIC_SH_NONE,
					false);
	}
	KUNIT_EXPECT_EQ(test, phys, 0);
	KUNIT_EXPECT_EQ(test, logi, 0);
	KUNIT_EXPECT_EQ(test, bcast, 4);
}

/* --- lowest priority --------------------------------------------------- */

static void lp_lowest_class_wins(struct kunit *test)
{
	struct khv_apic_lp_cand c[] = {
		{ .id = 0, .prio = 0x30 },
		{ .id = 1, .prio = 0x1f },
		{ .id = 2, .prio = 0x20 },
	};
	unsigned int v;

	for (v = 0x20; v < 0x30; v++)
		KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 3, v), 1);
}

static void lp_ties_spread_by_vector(struct kunit *test)
{
	/* Listed out of order, sub-classes differ: all tied at class 0. */
	struct khv_apic_lp_cand c[] = {
		{ .id = 3, .prio = 0x00 },
		{ .id = 1, .prio = 0x0f },
		{ .id = 9, .prio = 0x40 },
		{ .id = 2, .prio = 0x05 },
		{ .id = 0, .prio = 0x00 },
	};

	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 5, 0x20), 4);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 5, 0x21), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 5, 0x22), 3);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 5, 0x23), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(c, 5, 0x24), 4);
}

static void lp_order_does_not_matter(struct kunit *test)
{
	struct khv_apic_lp_cand a[] = {
		{ .id = 10, .prio = 0x10 }, { .id = 20, .prio = 0x10 },
		{ .id = 30, .prio = 0x10 },
	};
	struct khv_apic_lp_cand b[] = {
		{ .id = 30, .prio = 0x10 }, { .id = 10, .prio = 0x10 },
		{ .id = 20, .prio = 0x10 },
	};
	unsigned int v;

	for (v = 0; v < 256; v++)
		KUNIT_EXPECT_EQ(test, a[khv_apic_lowest_priority(a, 3, v)].id,
				b[khv_apic_lowest_priority(b, 3, v)].id);
}

static void lp_edge_cases(struct kunit *test)
{
	struct khv_apic_lp_cand one = { .id = 7, .prio = 0xff };
	/* Two APICs with one ID (a guest may write xAPIC IDs): by place. */
	struct khv_apic_lp_cand dup[] = {
		{ .id = 4, .prio = 0 }, { .id = 4, .prio = 0 },
	};

	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(&one, 0, 0x30), -1);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(&one, 1, 0x30), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(dup, 2, 0x30), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_lowest_priority(dup, 2, 0x31), 1);
}

/* --- start-up IPIs ------------------------------------------------------ */

static void sipi_first_wins(struct kunit *test)
{
	u32 latch = 0;
	unsigned int i;

	latch = khv_apic_sipi_latch(latch, 0x08);
	KUNIT_EXPECT_EQ(test, latch, KHV_APIC_SIPI_LATCHED | 0x08);
	/* A storm of others, vector 0 and 0xff too: the first stays. */
	for (i = 0; i < 256; i++)
		latch = khv_apic_sipi_latch(latch, i);
	KUNIT_EXPECT_EQ(test, latch, KHV_APIC_SIPI_LATCHED | 0x08);
	/* Vector 0 is a vector: latched, not "none". */
	KUNIT_EXPECT_EQ(test, khv_apic_sipi_latch(0, 0), KHV_APIC_SIPI_LATCHED);
	KUNIT_EXPECT_EQ(test, khv_apic_sipi_latch(KHV_APIC_SIPI_LATCHED, 9),
			KHV_APIC_SIPI_LATCHED);
}

/* --- timer ------------------------------------------------------------- */

static void timer_divisor(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x0), 2);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x1), 4);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x2), 8);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x3), 16);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x8), 32);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x9), 64);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0xa), 128);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0xb), 1);
	/* Bit 2 and bits 31:4 are reserved. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0x4), 2);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0xf), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_divisor(0xfffffff3), 16);
}

static void timer_period(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1000, 0xb, GHZ, false),
			1000);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1000, 0x0, GHZ, false),
			2000);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1000, 0xb, 100000000,
						       false), 10000);
	/* 1 ms periodic at 1 GHz / 16: above the floor, unchanged. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(62500, 0x3, GHZ, true),
			1000000);
}

static void timer_period_zero_disarms(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(0, 0xb, GHZ, false), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(0, 0xa, GHZ, true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(0, 0xb, 0, true), 0);
}

static void timer_period_floor(struct kunit *test)
{
	/* Count 1: one-shot fires after 1 ns, periodic only every 200 us. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1, 0xb, GHZ, false), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1, 0xb, GHZ, true),
			KHV_APIC_TIMER_MIN_PERIOD_NS);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(199999, 0xb, GHZ, true),
			KHV_APIC_TIMER_MIN_PERIOD_NS);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(200001, 0xb, GHZ, true),
			200001);
	KUNIT_EXPECT_EQ(test, KHV_APIC_TIMER_MIN_PERIOD_NS, 200000);
}

static void timer_period_rounds_up(struct kunit *test)
{
	/* 3 GHz bus: a cycle is 1/3 ns; never 0, never early. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1, 0xb, 3 * GHZ, false),
			1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(4, 0xb, 3 * GHZ, false),
			2);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(3, 0xb, 3 * GHZ, false),
			1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(1, 0xb, U32_MAX, false),
			1);
}

static void timer_period_largest(struct kunit *test)
{
	/* 0xffffffff * 128 = 2^39 - 128 cycles: no overflow at any bus. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(U32_MAX, 0xa, GHZ, true),
			549755813760ULL);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(U32_MAX, 0xa,
						       KHV_APIC_BUS_HZ_MIN, true),
			549755813760000ULL);
	/* A bus below the minimum (0, 1 Hz) counts as the minimum. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(U32_MAX, 0xa, 0, true),
			549755813760000ULL);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(U32_MAX, 0xa, 1, false),
			549755813760000ULL);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_period_ns(U32_MAX, 0xa, U32_MAX,
						       false), 128000000000ULL);
}

static void timer_current_oneshot(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 0, false), 1000);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 250, false),
			750);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 999, false), 1);
	/* Expired: 0, and it stays 0. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 1000, false), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, U64_MAX, false),
			0);
	/* Divide by 2: 2000 ns for 1000 counts. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 2000, 500, false),
			750);
}

static void timer_current_periodic(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 1250, true),
			750);
	/* Reloaded at each expiry. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 2000, true),
			1000);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, 2999, true), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 1000, U64_MAX, true),
			1000 - 615);
}

/* A clamped period: the count goes slower, never above the initial one. */
static void timer_current_clamped(struct kunit *test)
{
	u64 p = khv_apic_timer_period_ns(10, 0xb, GHZ, true);

	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(10, p, 0, true), 10);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(10, p, 100000, true), 5);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(10, p, 199999, true), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(10, p, 200000, true), 10);
	p = khv_apic_timer_period_ns(1, 0xb, GHZ, true);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1, p, 150000, true), 1);
}

static void timer_current_extremes(struct kunit *test)
{
	u64 p = khv_apic_timer_period_ns(U32_MAX, 0xa, GHZ, false);

	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(0, 1000, 10, false), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(0, 1000, 10, true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(1000, 0, 10, true), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(U32_MAX, p, 0, false),
			U32_MAX);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(U32_MAX, p, p / 2, false),
			2147483648U);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(U32_MAX, p, p - 1, false),
			1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_current(U32_MAX, p, p + 1, true),
			U32_MAX);
}

static void timer_expirations(struct kunit *test)
{
	u64 floor = khv_apic_timer_period_ns(1, 0xb, GHZ, true);

	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(0, 12345), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(100, 0), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(100, 99), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(100, 100), 1);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(100, 1050), 10);
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(1, U64_MAX), U64_MAX);
	/* One second of a clamped count-1 timer: 5000, not 10^9. */
	KUNIT_EXPECT_EQ(test, khv_apic_timer_expirations(floor, NSEC_PER_SEC),
			5000);
}

static void tsc_deadline_disarmed(struct kunit *test)
{
	u64 d = 42;

	KUNIT_EXPECT_FALSE(test, khv_apic_tsc_deadline_ns(0, 1000, 0, 1000000,
							  &d));
	KUNIT_EXPECT_EQ(test, d, 0);
	d = 42;
	KUNIT_EXPECT_FALSE(test, khv_apic_tsc_deadline_ns(5000, 1000, 0, 0, &d));
	KUNIT_EXPECT_EQ(test, d, 0);
}

static void tsc_deadline_past_fires_now(struct kunit *test)
{
	u64 d = 42;

	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(1, 1000, 0, 1000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 0);
	d = 42;
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(1000, 1000, 0, 1000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 0);
}

static void tsc_deadline_future(struct kunit *test)
{
	u64 d;

	/* 1 GHz: a cycle a nanosecond. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(2000, 1000, 0, 1000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 1000);
	/* 2.5 GHz: 1 cycle is 0.4 ns, 5 cycles 2 ns: rounded up. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(1001, 1000, 0, 2500000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 1);
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(1005, 1000, 0, 2500000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 2);
	/* 1 s at 3 GHz. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(3000000000ULL, 0, 0,
							 3000000, &d));
	KUNIT_EXPECT_EQ(test, d, NSEC_PER_SEC);
}

static void tsc_deadline_offset(struct kunit *test)
{
	u64 d;

	/* Guest TSC = host 1000 - 500 = 500: deadline 600 is 100 ns away. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(600, 1000, -500ULL,
							 1000000, &d));
	KUNIT_EXPECT_EQ(test, d, 100);
	/* Guest TSC = host + 10^6: the host's "future" is the guest's past. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(500000, 1000, 1000000,
							 1000000, &d));
	KUNIT_EXPECT_EQ(test, d, 0);
	/* The sum wraps modulo 2^64, as the processor's does. */
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(10, 5, -1ULL, 1000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 6);
}

static void tsc_deadline_far_future(struct kunit *test)
{
	u64 d;

	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(U64_MAX, 0, 0, 1, &d));
	KUNIT_EXPECT_EQ(test, d, KHV_APIC_TIMER_MAX_NS);
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(U64_MAX, 0, 0, 3000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, KHV_APIC_TIMER_MAX_NS);
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(U64_MAX, 0, 0, 5000000,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 3689348814741910323ULL);
	KUNIT_EXPECT_TRUE(test, khv_apic_tsc_deadline_ns(U64_MAX, 0, 0, U32_MAX,
							 &d));
	KUNIT_EXPECT_EQ(test, d, 4294967297000000ULL);
}

/* --- register accesses ------------------------------------------------- */

/* Expect a write of @val to @reg to be @acc and, if OK, to store @out. */
static void expect_write(struct kunit *test, u32 reg, u64 val,
			 unsigned int flags, enum khv_apic_access acc, u64 out)
{
	u64 got = 0x5a5a;

	KUNIT_EXPECT_EQ_MSG(test, khv_apic_write_check(reg, val, flags, &got),
			    acc, "reg %#x val %#llx flags %#x", reg, val, flags);
	KUNIT_EXPECT_EQ_MSG(test, got, acc == KHV_APIC_ACC_OK ? out : 0,
			    "reg %#x val %#llx flags %#x", reg, val, flags);
}

static void x2apic_msr_numbers(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_ID), 0x802);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_TPR), 0x808);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_EOI), 0x80b);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_ICR), 0x830);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_TDCR), 0x83e);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_MSR(KHV_APIC_SELF_IPI), 0x83f);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_REG(0x80f), KHV_APIC_SVR);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_REG(0x817), KHV_APIC_ISR + 0x70);
	KUNIT_EXPECT_EQ(test, KHV_X2APIC_REG(KHV_X2APIC_MSR_END), 0xff0);
}

static void write_tpr(struct kunit *test)
{
	expect_write(test, KHV_APIC_TPR, 0x1ff, 0, KHV_APIC_ACC_OK, 0xff);
	expect_write(test, KHV_APIC_TPR, 0xffffffff00000020ULL, 0,
		     KHV_APIC_ACC_OK, 0x20);
	expect_write(test, KHV_APIC_TPR, 0xff, X2, KHV_APIC_ACC_OK, 0xff);
	expect_write(test, KHV_APIC_TPR, 0x1ff, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_TPR, BIT_ULL(32), X2, KHV_APIC_ACC_GP, 0);
}

static void write_read_only(struct kunit *test)
{
	static const u32 ro[] = {
		KHV_APIC_LVR, KHV_APIC_PPR, KHV_APIC_ISR, KHV_APIC_ISR + 0x70,
		KHV_APIC_TMR + 0x30, KHV_APIC_IRR, KHV_APIC_IRR + 0x70,
		KHV_APIC_TMCCT,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		expect_write(test, ro[i], 0x12345678, 0, KHV_APIC_ACC_IGNORE, 0);
		expect_write(test, ro[i], 0, X2, KHV_APIC_ACC_GP, 0);
	}
	/* Read-only in xAPIC mode, absent in x2APIC mode. */
	expect_write(test, KHV_APIC_APR, 1, 0, KHV_APIC_ACC_IGNORE, 0);
	expect_write(test, KHV_APIC_RRD, 1, 0, KHV_APIC_ACC_IGNORE, 0);
	expect_write(test, KHV_APIC_APR, 0, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_RRD, 0, X2, KHV_APIC_ACC_GP, 0);
	/* x2APIC's ID and LDR are read-only. */
	expect_write(test, KHV_APIC_ID, 0, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_LDR, 0x10001, X2, KHV_APIC_ACC_GP, 0);
}

static void write_eoi_esr(struct kunit *test)
{
	expect_write(test, KHV_APIC_EOI, 0, 0, KHV_APIC_ACC_OK, 0);
	expect_write(test, KHV_APIC_EOI, 0xdead, 0, KHV_APIC_ACC_OK, 0);
	expect_write(test, KHV_APIC_EOI, 0, X2, KHV_APIC_ACC_OK, 0);
	expect_write(test, KHV_APIC_EOI, 1, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ESR, 0xff, 0, KHV_APIC_ACC_OK, 0);
	expect_write(test, KHV_APIC_ESR, 0, X2, KHV_APIC_ACC_OK, 0);
	expect_write(test, KHV_APIC_ESR, 0x40, X2, KHV_APIC_ACC_GP, 0);
}

static void write_id_ldr_dfr(struct kunit *test)
{
	expect_write(test, KHV_APIC_ID, 0x05abcdef, 0, KHV_APIC_ACC_OK,
		     0x05000000);
	expect_write(test, KHV_APIC_LDR, 0x12345678, 0, KHV_APIC_ACC_OK,
		     0x12000000);
	expect_write(test, KHV_APIC_DFR, 0, 0, KHV_APIC_ACC_OK,
		     KHV_APIC_DFR_CLUSTER);
	expect_write(test, KHV_APIC_DFR, 0xf0000000, 0, KHV_APIC_ACC_OK,
		     KHV_APIC_DFR_FLAT);
	expect_write(test, KHV_APIC_DFR, 0x12345678, 0, KHV_APIC_ACC_OK,
		     0x1fffffff);
	expect_write(test, KHV_APIC_DFR, KHV_APIC_DFR_FLAT, X2, KHV_APIC_ACC_GP,
		     0);
}

static void write_svr(struct kunit *test)
{
	expect_write(test, KHV_APIC_SVR, 0x11ff, 0, KHV_APIC_ACC_OK, 0x1ff);
	expect_write(test, KHV_APIC_SVR, 0xffffffff, 0, KHV_APIC_ACC_OK, 0x3ff);
	expect_write(test, KHV_APIC_SVR, 0x11ff, KHV_APIC_F_DIRECTED_EOI,
		     KHV_APIC_ACC_OK, 0x11ff);
	expect_write(test, KHV_APIC_SVR, 0x11ff, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_SVR, 0x11ff, X2 | KHV_APIC_F_DIRECTED_EOI,
		     KHV_APIC_ACC_OK, 0x11ff);
	/* Focus processor checking (bit 9): 32-bit Linux sets it. */
	expect_write(test, KHV_APIC_SVR, 0x3ff, X2, KHV_APIC_ACC_OK, 0x3ff);
	expect_write(test, KHV_APIC_SVR, 0x4ff, X2, KHV_APIC_ACC_GP, 0);
}

static void write_lvt_timer(struct kunit *test)
{
	u32 r = KHV_APIC_LVT_TIMER;

	expect_write(test, r, 0x200ef, 0, KHV_APIC_ACC_OK, 0x200ef);
	expect_write(test, r, 0x100ef, X2, KHV_APIC_ACC_OK, 0x100ef);
	/* TSC-deadline mode only where the guest has it. */
	expect_write(test, r, 0x400ef, TSCDL, KHV_APIC_ACC_OK, 0x400ef);
	expect_write(test, r, 0x400ef, X2 | TSCDL, KHV_APIC_ACC_OK, 0x400ef);
	expect_write(test, r, 0x400ef, 0, KHV_APIC_ACC_OK, 0xef);
	expect_write(test, r, 0x400ef, X2, KHV_APIC_ACC_GP, 0);
	/* Mode 11b is reserved: one-shot in xAPIC mode, #GP in x2APIC. */
	expect_write(test, r, 0x600ef, 0, KHV_APIC_ACC_OK, 0xef);
	expect_write(test, r, 0x600ef, TSCDL, KHV_APIC_ACC_OK, 0xef);
	expect_write(test, r, 0x600ef, X2 | TSCDL, KHV_APIC_ACC_GP, 0);
	/* No delivery mode, polarity or trigger mode in the timer's entry. */
	expect_write(test, r, 0xaf4ef, 0, KHV_APIC_ACC_OK, 0x200ef);
	expect_write(test, r, 0x004ef, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, r, 0x080ef, X2, KHV_APIC_ACC_GP, 0);
	/* Delivery status is read-only, not reserved. */
	expect_write(test, r, 0x010ef, X2, KHV_APIC_ACC_OK, 0xef);
}

static void write_lvt_lint(struct kunit *test)
{
	/* ExtINT, level, masked; NMI, edge. */
	expect_write(test, KHV_APIC_LVT_LINT0, 0x18700, 0, KHV_APIC_ACC_OK,
		     0x18700);
	expect_write(test, KHV_APIC_LVT_LINT1, 0x00400, X2, KHV_APIC_ACC_OK,
		     0x00400);
	expect_write(test, KHV_APIC_LVT_LINT0, 0x0a000, X2, KHV_APIC_ACC_OK,
		     0x0a000);
	/* Remote IRR and delivery status: read-only, ignored. */
	expect_write(test, KHV_APIC_LVT_LINT0, 0x05700, X2, KHV_APIC_ACC_OK,
		     0x00700);
	/* Timer mode bits are reserved here. */
	expect_write(test, KHV_APIC_LVT_LINT1, 0x20400, 0, KHV_APIC_ACC_OK,
		     0x00400);
	expect_write(test, KHV_APIC_LVT_LINT1, 0x20400, X2, KHV_APIC_ACC_GP, 0);
}

static void write_lvt_others(struct kunit *test)
{
	expect_write(test, KHV_APIC_LVT_ERROR, 0x100fe, X2, KHV_APIC_ACC_OK,
		     0x100fe);
	expect_write(test, KHV_APIC_LVT_ERROR, 0x004fe, 0, KHV_APIC_ACC_OK, 0xfe);
	expect_write(test, KHV_APIC_LVT_ERROR, 0x004fe, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_LVT_THERMAL, 0x10400, X2, KHV_APIC_ACC_OK,
		     0x10400);
	expect_write(test, KHV_APIC_LVT_PERF, 0x08400, 0, KHV_APIC_ACC_OK,
		     0x00400);
	expect_write(test, KHV_APIC_LVT_PERF, 0x08400, X2, KHV_APIC_ACC_GP, 0);
}

/* While SVR bit 8 is clear, LVT entries cannot be unmasked (SDM 11.4.7.2). */
static void write_lvt_sw_disabled(struct kunit *test)
{
	unsigned int f = KHV_APIC_F_SW_DISABLED;
	u32 r;

	for (r = KHV_APIC_LVT_TIMER; r <= KHV_APIC_LVT_ERROR; r += 0x10)
		expect_write(test, r, 0x30, f, KHV_APIC_ACC_OK, 0x10030);
	expect_write(test, KHV_APIC_LVT_TIMER, 0x20030, f | X2, KHV_APIC_ACC_OK,
		     0x30030);
	/* Other registers are not forced. */
	expect_write(test, KHV_APIC_TPR, 0x30, f, KHV_APIC_ACC_OK, 0x30);
}

static void write_icr(struct kunit *test)
{
	/* xAPIC: reserved and read-only bits dropped. */
	expect_write(test, KHV_APIC_ICR, 0xffffffff, 0, KHV_APIC_ACC_OK,
		     0x000ccfff);
	expect_write(test, KHV_APIC_ICR, 0x000c4500, 0, KHV_APIC_ACC_OK,
		     0x000c4500);
	expect_write(test, KHV_APIC_ICR2, 0x12345678, 0, KHV_APIC_ACC_OK,
		     0x12000000);
	/* x2APIC: one 64-bit register, destination in bits 63:32. */
	expect_write(test, KHV_APIC_ICR, 0x0000001200004030ULL, X2,
		     KHV_APIC_ACC_OK, 0x0000001200004030ULL);
	expect_write(test, KHV_APIC_ICR, 0xffffffff000c0830ULL, X2,
		     KHV_APIC_ACC_OK, 0xffffffff000c0830ULL);
	expect_write(test, KHV_APIC_ICR, 0x1030, X2, KHV_APIC_ACC_OK, 0x0030);
	expect_write(test, KHV_APIC_ICR, 0x2030, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ICR, 0x10030, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ICR, 0x20030, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ICR, 0x100030, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ICR, 0x80000030, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_ICR2, 0, X2, KHV_APIC_ACC_GP, 0);
}

static void write_timer_regs(struct kunit *test)
{
	expect_write(test, KHV_APIC_TMICT, 0xffffffff, 0, KHV_APIC_ACC_OK,
		     0xffffffff);
	expect_write(test, KHV_APIC_TMICT, 0xffffffff, X2, KHV_APIC_ACC_OK,
		     0xffffffff);
	expect_write(test, KHV_APIC_TMICT, 0x100000000ULL, X2, KHV_APIC_ACC_GP,
		     0);
	expect_write(test, KHV_APIC_TDCR, 0xf, 0, KHV_APIC_ACC_OK, 0xb);
	expect_write(test, KHV_APIC_TDCR, 0xb, X2, KHV_APIC_ACC_OK, 0xb);
	expect_write(test, KHV_APIC_TDCR, 0x4, X2, KHV_APIC_ACC_GP, 0);
}

static void write_self_ipi(struct kunit *test)
{
	expect_write(test, KHV_APIC_SELF_IPI, 0x30, X2, KHV_APIC_ACC_OK, 0x30);
	expect_write(test, KHV_APIC_SELF_IPI, 0x05, X2, KHV_APIC_ACC_OK, 0x05);
	expect_write(test, KHV_APIC_SELF_IPI, 0x130, X2, KHV_APIC_ACC_GP, 0);
	expect_write(test, KHV_APIC_SELF_IPI, 0x30, 0, KHV_APIC_ACC_ILLEGAL, 0);
}

static void write_no_register(struct kunit *test)
{
	static const u32 none[] = {
		0x000, 0x010, 0x040, 0x070, 0x290, 0x2e0, KHV_APIC_LVT_CMCI,
		0x3a0, 0x3d0, 0x400, 0xff0,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(none); i++) {
		expect_write(test, none[i], 1, 0, KHV_APIC_ACC_ILLEGAL, 0);
		expect_write(test, none[i], 0, X2, KHV_APIC_ACC_GP, 0);
	}
	/* Bytes 4-15 of a register's slot: silently nothing. */
	expect_write(test, KHV_APIC_TPR + 4, 0xff, 0, KHV_APIC_ACC_IGNORE, 0);
	expect_write(test, KHV_APIC_EOI + 8, 0, 0, KHV_APIC_ACC_IGNORE, 0);
}

static void read_checks(struct kunit *test)
{
	static const u32 both[] = {
		KHV_APIC_ID, KHV_APIC_LVR, KHV_APIC_TPR, KHV_APIC_PPR,
		KHV_APIC_LDR, KHV_APIC_SVR, KHV_APIC_ISR, KHV_APIC_TMR + 0x70,
		KHV_APIC_IRR + 0x40, KHV_APIC_ESR, KHV_APIC_ICR,
		KHV_APIC_LVT_TIMER, KHV_APIC_LVT_THERMAL, KHV_APIC_LVT_PERF,
		KHV_APIC_LVT_LINT0, KHV_APIC_LVT_LINT1, KHV_APIC_LVT_ERROR,
		KHV_APIC_TMICT, KHV_APIC_TMCCT, KHV_APIC_TDCR,
	};
	static const u32 xapic_only[] = {
		KHV_APIC_APR, KHV_APIC_RRD, KHV_APIC_DFR, KHV_APIC_ICR2,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(both); i++) {
		KUNIT_EXPECT_EQ(test, khv_apic_read_check(both[i], 0),
				KHV_APIC_ACC_OK);
		KUNIT_EXPECT_EQ(test, khv_apic_read_check(both[i], X2),
				KHV_APIC_ACC_OK);
	}
	for (i = 0; i < ARRAY_SIZE(xapic_only); i++) {
		KUNIT_EXPECT_EQ(test, khv_apic_read_check(xapic_only[i], 0),
				KHV_APIC_ACC_OK);
		KUNIT_EXPECT_EQ(test, khv_apic_read_check(xapic_only[i], X2),
				KHV_APIC_ACC_GP);
	}
	/* Write-only registers. */
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_EOI, 0),
			KHV_APIC_ACC_IGNORE);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_EOI, X2),
			KHV_APIC_ACC_GP);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_SELF_IPI, X2),
			KHV_APIC_ACC_GP);
	/* No register there. */
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_SELF_IPI, 0),
			KHV_APIC_ACC_ILLEGAL);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_LVT_CMCI, 0),
			KHV_APIC_ACC_ILLEGAL);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_LVT_CMCI, X2),
			KHV_APIC_ACC_GP);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(0x000, 0),
			KHV_APIC_ACC_ILLEGAL);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(0x3c0, X2), KHV_APIC_ACC_GP);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(0x800, 0),
			KHV_APIC_ACC_ILLEGAL);
	KUNIT_EXPECT_EQ(test, khv_apic_read_check(KHV_APIC_PPR + 4, 0),
			KHV_APIC_ACC_IGNORE);
}

static void lvt_writable_masks(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_TIMER, 0),
			0x300ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_TIMER, TSCDL),
			0x700ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_THERMAL, 0),
			0x107ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_PERF, 0),
			0x107ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_LINT0, 0),
			0x1a7ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_LINT1, X2),
			0x1a7ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_ERROR, 0),
			0x100ff);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_LVT_CMCI, 0), 0);
	KUNIT_EXPECT_EQ(test, khv_apic_lvt_writable(KHV_APIC_TPR, 0), 0);
}

static struct kunit_case khv_lapic_math_cases[] = {
	KUNIT_CASE(vec_set_clear_test),
	KUNIT_CASE(vec_register_layout),
	KUNIT_CASE(vec_highest),
	KUNIT_CASE(vec_count),
	KUNIT_CASE(ppr_from_tpr),
	KUNIT_CASE(ppr_from_isr),
	KUNIT_CASE(deliverable_by_class),
	KUNIT_CASE(deliverable_never_illegal),
	KUNIT_CASE(ack_moves_irr_to_isr),
	KUNIT_CASE(ack_nothing_changes_nothing),
	KUNIT_CASE(nested_interrupts),
	KUNIT_CASE(eoi_highest_then_spurious),
	KUNIT_CASE(apr_as_sdm),
	KUNIT_CASE(cr8_is_tpr_class),
	KUNIT_CASE(illegal_vectors),
	KUNIT_CASE(x2apic_ldr_from_id),
	KUNIT_CASE(physical_xapic),
	KUNIT_CASE(physical_x2apic),
	KUNIT_CASE(logical_flat),
	KUNIT_CASE(logical_cluster),
	KUNIT_CASE(logical_bad_model),
	KUNIT_CASE(logical_x2apic),
	KUNIT_CASE(shorthands),
	KUNIT_CASE(absent_destinations),
	KUNIT_CASE(lp_lowest_class_wins),
	KUNIT_CASE(lp_ties_spread_by_vector),
	KUNIT_CASE(lp_order_does_not_matter),
	KUNIT_CASE(lp_edge_cases),
	KUNIT_CASE(sipi_first_wins),
	KUNIT_CASE(timer_divisor),
	KUNIT_CASE(timer_period),
	KUNIT_CASE(timer_period_zero_disarms),
	KUNIT_CASE(timer_period_floor),
	KUNIT_CASE(timer_period_rounds_up),
	KUNIT_CASE(timer_period_largest),
	KUNIT_CASE(timer_current_oneshot),
	KUNIT_CASE(timer_current_periodic),
	KUNIT_CASE(timer_current_clamped),
	KUNIT_CASE(timer_current_extremes),
	KUNIT_CASE(timer_expirations),
	KUNIT_CASE(tsc_deadline_disarmed),
	KUNIT_CASE(tsc_deadline_past_fires_now),
	KUNIT_CASE(tsc_deadline_future),
	KUNIT_CASE(tsc_deadline_offset),
	KUNIT_CASE(tsc_deadline_far_future),
	KUNIT_CASE(x2apic_msr_numbers),
	KUNIT_CASE(write_tpr),
	KUNIT_CASE(write_read_only),
	KUNIT_CASE(write_eoi_esr),
	KUNIT_CASE(write_id_ldr_dfr),
	KUNIT_CASE(write_svr),
	KUNIT_CASE(write_lvt_timer),
	KUNIT_CASE(write_lvt_lint),
	KUNIT_CASE(write_lvt_others),
	KUNIT_CASE(write_lvt_sw_disabled),
	KUNIT_CASE(write_icr),
	KUNIT_CASE(write_timer_regs),
	KUNIT_CASE(write_self_ipi),
	KUNIT_CASE(write_no_register),
	KUNIT_CASE(read_checks),
	KUNIT_CASE(lvt_writable_masks),
	{}
};

static struct kunit_suite khv_lapic_math_suite = {
	.name = "khv_lapic_math",
	.test_cases = khv_lapic_math_cases,
};

kunit_test_suite(khv_lapic_math_suite);
