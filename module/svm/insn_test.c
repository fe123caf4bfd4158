// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the SVM instructions of svm/insn.h with SVM switched off (as
 * between two runs when a reboot, a crash path or another hypervisor turned
 * it off). Each raises #UD there; its exception-table entry must make it
 * an error instead of an oops. Runs where EFER.SVME is 0 on the test's CPU:
 * before khv's first VM on a host where khv owns SVM, and on Intel.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "../compat.h"
#include "insn.h"

static void svm_insns_fault_softly_when_off(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u64 efer, pa;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pa = page_to_phys(page);
	preempt_disable();
	khv_rdmsr(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		preempt_enable();
		__free_page(page);
		kunit_skip(test, "SVM is switched on here (KVM or a khv VM has it)");
	}
	KUNIT_EXPECT_EQ(test, svm_clgi(), -EIO);
	KUNIT_EXPECT_EQ(test, svm_vmsave(pa), -EIO);
	KUNIT_EXPECT_EQ(test, svm_vmrun_no_guest_code(pa), -EIO);
	KUNIT_EXPECT_EQ(test, svm_stgi(), -EIO);
	preempt_enable();
	__free_page(page);
}

static struct kunit_case svm_insn_cases[] = {
	KUNIT_CASE(svm_insns_fault_softly_when_off),
	{}
};

static struct kunit_suite svm_insn_suite = {
	.name = "khv_svm_insn",
	.test_cases = svm_insn_cases,
};

kunit_test_suite(svm_insn_suite);
