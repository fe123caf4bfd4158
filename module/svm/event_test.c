// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: events in the VMCB's format (svm/event.c): what EVENTINJ injects,
 * and what EXITINTINFO (APM 15.7.2) gives back to inject again after an
 * exit that interrupted a delivery.
 */
#include <kunit/test.h>
#include <asm/trapnr.h>

#include "../event.h"
#include "svm.h"
#include "vmcb.h"

#define EXEPT(v)	(SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | (v))

/* What EXITINTINFO gives back, as EVENTINJ would inject it again. */
static u64 svm_event_reinject(u64 exit_int_info)
{
	struct khv_event ev;

	svm_event_decode(exit_int_info, &ev);
	return svm_event_inj(&ev);
}

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
	struct khv_event ev;

	KUNIT_EXPECT_EQ(test, svm_event_reinject(pf), pf);
	svm_event_decode(pf, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, (u8)KHV_EVENT_HW_EXCEPTION);
	KUNIT_EXPECT_EQ(test, ev.vector, (u8)X86_TRAP_PF);
	KUNIT_EXPECT_TRUE(test, ev.has_error);
	KUNIT_EXPECT_EQ(test, ev.error, 6U);
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
	/* An error code never comes with them. */
	KUNIT_EXPECT_EQ(test, svm_event_reinject(intr | SVM_EVTINJ_VALID_ERR |
						 (7ULL << 32)), intr);
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

/* What the core chooses, in EVENTINJ's format (APM 15.20). */
static void eventinj_of_each_kind(struct kunit *test)
{
	struct khv_event irq = { .type = KHV_EVENT_EXT_INTR, .vector = 0x41 };
	struct khv_event nmi = { .type = KHV_EVENT_NMI, .vector = X86_TRAP_NMI };
	struct khv_event gp = { .type = KHV_EVENT_HW_EXCEPTION,
				.vector = X86_TRAP_GP, .has_error = true,
				.error = 0x10 };
	struct khv_event soft = { .type = KHV_EVENT_SOFT_INTR, .vector = 0x80,
				  .insn_len = 2 };
	struct khv_event none = {};

	KUNIT_EXPECT_EQ(test, svm_event_inj(&irq), 0x80000041ULL);
	KUNIT_EXPECT_EQ(test, svm_event_inj(&nmi), 0x80000202ULL);
	KUNIT_EXPECT_EQ(test, svm_event_inj(&gp), 0x0000001080000b0dULL);
	KUNIT_EXPECT_EQ(test, svm_event_inj(&soft), 0ULL);
	KUNIT_EXPECT_EQ(test, svm_event_inj(&none), 0ULL);
}

/*
 * A machine check is the host's (Documentation/khv-abi.rst, "Isolation on entry
 * and exit"): it always exits, and that exit goes to the host's handler. No
 * emulated host can raise one inside a guest (QEMU's TCG delivers an injected
 * one to the guest's IDT without looking at the intercepts), so this is its test.
 */
static void machine_check_is_the_hosts(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, SVM_INTERCEPT_EXCEPTIONS & BIT(X86_TRAP_MC));
	/* #AC and #DB exit too, so that their delivery loops pass the host. */
	KUNIT_EXPECT_TRUE(test, SVM_INTERCEPT_EXCEPTIONS & BIT(X86_TRAP_AC));
	KUNIT_EXPECT_TRUE(test, SVM_INTERCEPT_EXCEPTIONS & BIT(X86_TRAP_DB));
	KUNIT_EXPECT_TRUE(test, svm_exit_is_mce(0x52));
	KUNIT_EXPECT_FALSE(test, svm_exit_is_mce(SVM_EXIT_EXCP_AC));
	KUNIT_EXPECT_FALSE(test, svm_exit_is_mce(SVM_EXIT_EXCP_DB));
	/* SVM_EXIT_INTR, and an exit code with the upper half set. */
	KUNIT_EXPECT_FALSE(test, svm_exit_is_mce(0x60));
	KUNIT_EXPECT_FALSE(test, svm_exit_is_mce(BIT_ULL(32) | 0x52));
}

static struct kunit_case svm_event_cases[] = {
	KUNIT_CASE(nothing_pending),
	KUNIT_CASE(hardware_exceptions_again),
	KUNIT_CASE(only_the_eventinj_fields),
	KUNIT_CASE(interrupts_and_nmis_again),
	KUNIT_CASE(software_events_run_again),
	KUNIT_CASE(eventinj_of_each_kind),
	KUNIT_CASE(machine_check_is_the_hosts),
	{}
};

static struct kunit_suite svm_event_suite = {
	.name = "khv_svm_event",
	.test_cases = svm_event_cases,
};

kunit_test_suite(svm_event_suite);
