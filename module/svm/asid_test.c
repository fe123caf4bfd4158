// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the ASID policy of svm/asid.c. Which ASID an entry uses and when it
 * flushes (Documentation/khv-abi.rst, "ASIDs and the TLB"); the scrub that
 * empties the ASID when the CPU is let go is what makes "owner 0" true.
 */
#include <kunit/test.h>

#include "svm.h"
#include "vmcb.h"

static const struct svm_caps epyc = {
	.nr_asids = 0x8000,
	.flush_by_asid = true,
};

static const struct svm_caps qemu_tcg = {
	.nr_asids = 0x10,
	.flush_by_asid = false,
};

/* KVM hands out ASIDs upwards from 1: khv takes the top one. */
static void asid_is_the_top_one(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;
	struct svm_caps two = { .nr_asids = 2, .flush_by_asid = true };

	svm_asid_plan(&pc, 1, 0, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.asid, 0x7fffU);
	svm_asid_plan(&pc, 1, 0, false, &qemu_tcg, &c);
	KUNIT_EXPECT_EQ(test, c.asid, 0xfU);
	/* Never ASID 0, the host's. */
	svm_asid_plan(&pc, 1, 0, false, &two, &c);
	KUNIT_EXPECT_EQ(test, c.asid, 1U);
}

/* The first entry on a CPU, and the first after a scrub, flush. */
static void first_use_flushes(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
	KUNIT_EXPECT_EQ(test, pc.owner, 7ULL);
	KUNIT_EXPECT_EQ(test, pc.tlb_gen, 3ULL);
	/* A scrub leaves owner 0 behind. */
	pc.owner = 0;
	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
}

/* Same vCPU, same mappings, nothing asked for: the TLB is kept. */
static void same_vcpu_keeps_tlb(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_NONE);
	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_NONE);
}

/* Another vCPU (of this VM or any other) ran last on the CPU: flush. */
static void other_vcpu_flushes(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	svm_asid_plan(&pc, 8, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
	KUNIT_EXPECT_EQ(test, pc.owner, 8ULL);
	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
}

/* A mapping changed (a page may leave the VM): flush, whatever ran last. */
static void new_tlb_gen_flushes(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	svm_asid_plan(&pc, 7, 4, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
	KUNIT_EXPECT_EQ(test, pc.tlb_gen, 4ULL);
	svm_asid_plan(&pc, 7, 4, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_NONE);
}

/* The vCPU asks (an emulated MOV to CR4): flush once. */
static void requested_flush(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	svm_asid_plan(&pc, 7, 3, true, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ASID);
	svm_asid_plan(&pc, 7, 3, false, &epyc, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_NONE);
}

/* Without FlushByAsid (QEMU) a flush is of the whole TLB. */
static void no_flush_by_asid_flushes_all(struct kunit *test)
{
	struct svm_asid_cpu pc = {};
	struct svm_asid_choice c;

	svm_asid_plan(&pc, 7, 3, false, &qemu_tcg, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ALL);
	svm_asid_plan(&pc, 7, 3, false, &qemu_tcg, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_NONE);
	svm_asid_plan(&pc, 9, 3, false, &qemu_tcg, &c);
	KUNIT_EXPECT_EQ(test, c.tlb_ctl, SVM_TLB_FLUSH_ALL);
}

static struct kunit_case svm_asid_cases[] = {
	KUNIT_CASE(asid_is_the_top_one),
	KUNIT_CASE(first_use_flushes),
	KUNIT_CASE(same_vcpu_keeps_tlb),
	KUNIT_CASE(other_vcpu_flushes),
	KUNIT_CASE(new_tlb_gen_flushes),
	KUNIT_CASE(requested_flush),
	KUNIT_CASE(no_flush_by_asid_flushes_all),
	{}
};

static struct kunit_suite svm_asid_suite = {
	.name = "khv_svm_asid",
	.test_cases = svm_asid_cases,
};

kunit_test_suite(svm_asid_suite);
