// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what svm/event.c injects again after an exit that interrupted the
 * delivery of an event (EXITINTINFO, APM 15.7.2).
 */
#include <kunit/test.h>

#include "svm.h"
#include "vmcb.h"

#define EXEPT(v)	(SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | (v))

static void nothing_pending(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, svm_event_reinject(0), 0ULL);
	/* Fields without VALID mean nothing. */
	KUNIT_EXPECT_EQ(test, svm_event_reinject(SVM_EVTINJ_TYPE_EXEPT | 14), 0ULL);
}

/* #PF with its error code, #DB (a trap: lost unless injected again). */
static void hardware_exceptions_again(struct kunit *test)
{
	u64 pf = EXEPT(14) | SVM_EVTINJ_VALID_ERR | (0x6ULL << 32);

	KUNIT_EXPECT_EQ(test, svm_event_reinject(pf), pf);
	KUNIT_EXPECT_EQ(test, svm_event_reinject(EXEPT(1)), (u64)EXEPT(1));
	/* #DF's error code is 0 and valid. */
	KUNIT_EXPECT_EQ(test, svm_event_reinject(EXEPT(8) | SVM_EVTINJ_VALID_ERR),
			(u64)(EXEPT(8) | SVM_EVTINJ_VALID_ERR));
}

/* An error code the event does not have, or reserved bits, never pass on. */
static void only_the_eventinj_fields(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, svm_event_reinject(EXEPT(6) | (0x1234ULL << 32) | BIT(20)),
			(u64)EXEPT(6));
}

/* External interrupts and NMIs are lost unless injected again. */
static void interrupts_and_nmis_again(struct kunit *test)
{
	u64 intr = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | 0x30;
	u64 nmi = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | 2;

	KUNIT_EXPECT_EQ(test, svm_event_reinject(intr), intr);
	KUNIT_EXPECT_EQ(test, svm_event_reinject(nmi), nmi);
}

/* INTn, INT3 and INTO run again from the instruction: not injected. */
static void software_events_run_again(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, svm_event_reinject(SVM_EVTINJ_VALID |
						 SVM_EVTINJ_TYPE_SOFT | 0x80), 0ULL);
	KUNIT_EXPECT_EQ(test, svm_event_reinject(EXEPT(3)), 0ULL);
	KUNIT_EXPECT_EQ(test, svm_event_reinject(EXEPT(4)), 0ULL);
	/* Types 1, 5, 6 and 7 are reserved. */
	KUNIT_EXPECT_EQ(test, svm_event_reinject(SVM_EVTINJ_VALID | (5 << 8) | 1), 0ULL);
	KUNIT_EXPECT_EQ(test, svm_event_reinject(SVM_EVTINJ_VALID | (1 << 8) | 1), 0ULL);
}

static struct kunit_case svm_event_cases[] = {
	KUNIT_CASE(nothing_pending),
	KUNIT_CASE(hardware_exceptions_again),
	KUNIT_CASE(only_the_eventinj_fields),
	KUNIT_CASE(interrupts_and_nmis_again),
	KUNIT_CASE(software_events_run_again),
	{}
};

static struct kunit_suite svm_event_suite = {
	.name = "khv_svm_event",
	.test_cases = svm_event_cases,
};

kunit_test_suite(svm_event_suite);
