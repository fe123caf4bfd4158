// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what the core injects before an entry, and which windows it opens
 * (event.c, khv_event_choose()); and which event states user space may set
 * (khv_vcpu_events_check()).
 */
#include <kunit/test.h>
#include <asm/trapnr.h>

#include "event.h"
#include "khv.h"

static void choose(struct kunit *test, const struct khv_event_state *s,
		   u8 inject, bool nmi_window, bool irq_window)
{
	struct khv_event_choice c;

	khv_event_choose(s, &c);
	KUNIT_EXPECT_EQ(test, c.inject, inject);
	KUNIT_EXPECT_EQ(test, c.nmi_window, nmi_window);
	KUNIT_EXPECT_EQ(test, c.irq_window, irq_window);
}

static void nothing_to_do(struct kunit *test)
{
	struct khv_event_state s = {};

	choose(test, &s, KHV_INJECT_NONE, false, false);
	/* What the guest could take changes nothing by itself. */
	s.nmi_allowed = true;
	s.irq_allowed = true;
	choose(test, &s, KHV_INJECT_NONE, false, false);
}

/* An interrupted delivery finishes first, whatever else waits. */
static void interrupted_event_goes_first(struct kunit *test)
{
	struct khv_event_state s = {
		.injected = true, .exc_pending = false,
		.nmi_pending = 1, .nmi_allowed = true,
		.irq_pending = true, .irq_allowed = true,
	};

	choose(test, &s, KHV_INJECT_AGAIN, true, true);
	s.nmi_pending = 0;
	s.irq_pending = false;
	choose(test, &s, KHV_INJECT_AGAIN, false, false);
}

/* A pending exception before NMIs and interrupts; they ask for windows. */
static void exception_before_nmi_and_irq(struct kunit *test)
{
	struct khv_event_state s = {
		.exc_pending = true,
		.nmi_pending = 1, .nmi_allowed = true,
		.irq_pending = true, .irq_allowed = true,
	};

	choose(test, &s, KHV_INJECT_EXCEPTION, true, true);
	s.nmi_pending = 0;
	choose(test, &s, KHV_INJECT_EXCEPTION, false, true);
	s.irq_pending = false;
	choose(test, &s, KHV_INJECT_EXCEPTION, false, false);
}

/* SDM Vol. 3A 7.9: an NMI before a maskable interrupt. */
static void nmi_before_irq(struct kunit *test)
{
	struct khv_event_state s = {
		.nmi_pending = 1, .nmi_allowed = true,
		.irq_pending = true, .irq_allowed = true,
	};

	choose(test, &s, KHV_INJECT_NMI, false, true);
}

/* A blocked NMI waits for its window; an interrupt that can go, goes. */
static void blocked_nmi_lets_irq_through(struct kunit *test)
{
	struct khv_event_state s = {
		.nmi_pending = 1, .nmi_allowed = false,
		.irq_pending = true, .irq_allowed = true,
	};

	choose(test, &s, KHV_INJECT_IRQ, true, false);
	s.irq_allowed = false;
	choose(test, &s, KHV_INJECT_NONE, true, true);
}

/* Two NMIs: one now, the other after its IRET (the window). */
static void second_nmi_waits_for_window(struct kunit *test)
{
	struct khv_event_state s = { .nmi_pending = 2, .nmi_allowed = true };

	choose(test, &s, KHV_INJECT_NMI, true, false);
	s.nmi_pending = 1;
	choose(test, &s, KHV_INJECT_NMI, false, false);
	s.nmi_allowed = false;
	choose(test, &s, KHV_INJECT_NONE, true, false);
}

/* IF = 0 or a shadow: the interrupt waits for its window. */
static void blocked_irq_opens_window(struct kunit *test)
{
	struct khv_event_state s = { .irq_pending = true };

	choose(test, &s, KHV_INJECT_NONE, false, true);
	s.irq_allowed = true;
	choose(test, &s, KHV_INJECT_IRQ, false, false);
}

/* request_interrupt_window opens it, pending or not, injecting or not. */
static void user_request_opens_irq_window(struct kunit *test)
{
	struct khv_event_state s = { .irq_window_requested = true };

	choose(test, &s, KHV_INJECT_NONE, false, true);
	s.irq_allowed = true;
	choose(test, &s, KHV_INJECT_NONE, false, true);
	s.irq_pending = true;
	choose(test, &s, KHV_INJECT_IRQ, false, true);
	s.exc_pending = true;
	choose(test, &s, KHV_INJECT_EXCEPTION, false, true);
}

static void events_ok(struct kunit *test, const struct khv_vcpu_events *e)
{
	KUNIT_EXPECT_EQ(test, khv_vcpu_events_check(e), 0);
}

static void events_bad(struct kunit *test, const struct khv_vcpu_events *e)
{
	KUNIT_EXPECT_EQ(test, khv_vcpu_events_check(e), -EINVAL);
}

static void events_check_accepts_states(struct kunit *test)
{
	struct khv_vcpu_events e = {};

	events_ok(test, &e);
	e.exception.pending = 1;
	e.exception.vector = X86_TRAP_PF;
	e.exception.has_error = 1;
	e.exception.error = 2;
	e.exception.has_payload = 1;
	e.exception.payload = 0xdead000;
	e.interrupt.pending = 1;
	e.interrupt.pending_vector = 0x20;
	e.interrupt.shadow = KHV_INTERRUPT_SHADOW_STI;
	e.nmi.pending = 2;
	events_ok(test, &e);

	memset(&e, 0, sizeof(e));
	e.interrupt.injected = 1;
	e.interrupt.vector = 0xff;
	e.nmi.masked = 1;
	e.nmi.pending = 1;
	events_ok(test, &e);

	memset(&e, 0, sizeof(e));
	e.exception.injected = 1;
	e.exception.vector = X86_TRAP_GP;
	e.exception.has_error = 1;
	events_ok(test, &e);
	/* No error code where the vector has one: outside protected mode. */
	e.exception.has_error = 0;
	events_ok(test, &e);
}

static void events_check_refuses_hostile(struct kunit *test)
{
	struct khv_vcpu_events e = {};

	e.flags = 1;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.reserved[12] = 1;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.nmi.padding[0] = 1;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.nmi.masked = 2;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.nmi.pending = 3;
	events_bad(test, &e);
	e.nmi.pending = 2;
	e.nmi.masked = 1;
	events_bad(test, &e);

	/* External interrupts are 32-255. */
	memset(&e, 0, sizeof(e));
	e.interrupt.injected = 1;
	e.interrupt.vector = 31;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.interrupt.pending = 1;
	e.interrupt.pending_vector = 0;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.interrupt.pending_vector = 0x40;	/* without pending */
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.interrupt.soft = 1;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.interrupt.shadow = 4;
	events_bad(test, &e);

	/* Exceptions: 0-31, not the NMI, error codes and payloads that exist. */
	memset(&e, 0, sizeof(e));
	e.exception.pending = 1;
	e.exception.vector = 32;
	events_bad(test, &e);
	e.exception.vector = X86_TRAP_NMI;
	events_bad(test, &e);
	e.exception.vector = X86_TRAP_UD;
	e.exception.has_error = 1;
	events_bad(test, &e);
	e.exception.has_error = 0;
	e.exception.error = 1;
	events_bad(test, &e);
	e.exception.error = 0;
	e.exception.has_payload = 1;
	events_bad(test, &e);
	e.exception.vector = X86_TRAP_DB;
	events_ok(test, &e);
	e.exception.pending = 0;
	e.exception.injected = 1;
	events_bad(test, &e);
	e.exception.has_payload = 0;
	e.exception.payload = 1;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.exception.injected = 1;
	e.exception.pending = 1;
	e.exception.vector = X86_TRAP_DB;
	events_bad(test, &e);
	/* The fields of an absent exception are 0. */
	memset(&e, 0, sizeof(e));
	e.exception.vector = X86_TRAP_GP;
	events_bad(test, &e);

	/* One injected event at a time, none beside a pending exception. */
	memset(&e, 0, sizeof(e));
	e.nmi.injected = 1;
	e.interrupt.injected = 1;
	e.interrupt.vector = 0x30;
	events_bad(test, &e);
	memset(&e, 0, sizeof(e));
	e.nmi.injected = 1;
	e.exception.pending = 1;
	e.exception.vector = X86_TRAP_DE;
	events_bad(test, &e);
}

static struct kunit_case khv_event_cases[] = {
	KUNIT_CASE(nothing_to_do),
	KUNIT_CASE(interrupted_event_goes_first),
	KUNIT_CASE(exception_before_nmi_and_irq),
	KUNIT_CASE(nmi_before_irq),
	KUNIT_CASE(blocked_nmi_lets_irq_through),
	KUNIT_CASE(second_nmi_waits_for_window),
	KUNIT_CASE(blocked_irq_opens_window),
	KUNIT_CASE(user_request_opens_irq_window),
	KUNIT_CASE(events_check_accepts_states),
	KUNIT_CASE(events_check_refuses_hostile),
	{}
};

static struct kunit_suite khv_event_suite = {
	.name = "khv_event",
	.test_cases = khv_event_cases,
};

kunit_test_suite(khv_event_suite);
