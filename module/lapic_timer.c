// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LAPIC timer (SDM Vol. 3A 11.5.4; Documentation/khv-abi.rst, "Local
 * APIC"): one-shot, periodic and TSC-deadline modes on one hrtimer in hard
 * interrupt mode. The vCPU's own thread arms and cancels it (hrtimer_cancel()
 * waits for a callback in flight); the callback raises the LVT timer's
 * vector as any other sender does (khv_lapic_accept()), which kicks the vCPU
 * out of the guest or wakes it from HLT.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"

static u32 khv_lapic_timer_mode(const struct khv_lapic *a)
{
	return khv_lapic_reg(a, KHV_APIC_LVT_TIMER) & KHV_APIC_LVT_TIMER_MODE;
}

/* The count ran out or the deadline passed: the LVT timer's vector. */
static void khv_lapic_timer_expired(struct khv_lapic *a)
{
	u32 lvt = READ_ONCE(a->reg[KHV_APIC_LVT_TIMER / KHV_APIC_REG_STRIDE]);

	if ((lvt & KHV_APIC_LVT_TIMER_MODE) == KHV_APIC_TIMER_TSC_DEADLINE)
		WRITE_ONCE(a->tsc_deadline, 0);
	if (!(lvt & KHV_APIC_LVT_MASKED))
		khv_lapic_accept(a->vcpu, KHV_APIC_DM_FIXED,
				 lvt & KHV_APIC_VECTOR_MASK, false);
}

/* Hard interrupt context: the owner's fields are stable while it runs. */
static enum hrtimer_restart khv_lapic_timer_fire(struct hrtimer *t)
{
	struct khv_lapic *a = container_of(t, struct khv_lapic, timer);

	khv_lapic_timer_expired(a);
	if (a->timer_periodic && a->timer_period) {
		hrtimer_forward_now(t, ns_to_ktime(a->timer_period));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

void khv_lapic_timer_init(struct khv_lapic *a)
{
	khv_hrtimer_setup(&a->timer, khv_lapic_timer_fire, CLOCK_MONOTONIC,
			  HRTIMER_MODE_REL_HARD);
}

/* Stop it; after this no callback runs until it is armed again. */
void khv_lapic_timer_cancel(struct khv_lapic *a)
{
	hrtimer_cancel(&a->timer);
}

/**
 * khv_lapic_timer_restart() - arm the timer as TMICT, TDCR and the LVT
 *	timer say now: a count from TMICT (0 disarms), or the TSC deadline.
 * @a: the APIC, its vCPU's own thread.
 *
 * A periodic period is at least KHV_APIC_TIMER_MIN_PERIOD_NS
 * (khv_apic_timer_period_ns()), so that no guest makes the host's timer
 * interrupt fire faster; one-shot and deadline timers need the guest to
 * exit to re-arm them. A one-shot count or a deadline that has run out by
 * the time it is armed fires here, in the vCPU's thread (as KVM's
 * start_sw_period() and start_sw_tscdeadline()): its interrupt is pending
 * at the next entry, without an hrtimer and a host interrupt to raise it.
 */
void khv_lapic_timer_restart(struct khv_lapic *a)
{
	u32 mode = khv_lapic_timer_mode(a);

	hrtimer_cancel(&a->timer);
	a->timer_period = 0;
	a->timer_periodic = false;
	if (mode == KHV_APIC_TIMER_TSC_DEADLINE) {
		khv_lapic_set_tsc_deadline(a, a->tsc_deadline);
		return;
	}
	a->timer_periodic = mode == KHV_APIC_TIMER_PERIODIC;
	a->timer_period = khv_apic_timer_period_ns(khv_lapic_reg(a, KHV_APIC_TMICT),
						   khv_lapic_reg(a, KHV_APIC_TDCR),
						   KHV_APIC_BUS_HZ,
						   a->timer_periodic);
	a->timer_start = ktime_get();
	if (!a->timer_period)
		return;
	if (!a->timer_periodic &&
	    ktime_to_ns(ktime_sub(ktime_get(), a->timer_start)) >= a->timer_period) {
		khv_lapic_timer_expired(a);
		return;
	}
	hrtimer_start(&a->timer, ns_to_ktime(a->timer_period),
		      HRTIMER_MODE_REL_HARD);
}

/* TMCCT: counts down from TMICT over the period; 0 in TSC-deadline mode. */
u32 khv_lapic_timer_tmcct(struct khv_lapic *a)
{
	if (!a->timer_period ||
	    khv_lapic_timer_mode(a) == KHV_APIC_TIMER_TSC_DEADLINE)
		return 0;
	return khv_apic_timer_current(khv_lapic_reg(a, KHV_APIC_TMICT),
				      a->timer_period,
				      ktime_to_ns(ktime_sub(ktime_get(),
							    a->timer_start)),
				      a->timer_periodic);
}

/**
 * khv_lapic_set_tsc_deadline() - IA32_TSC_DEADLINE: fire when the guest's
 *	TSC reaches @deadline (at once if it has); 0 disarms.
 * @a:        the APIC, its vCPU's own thread, in TSC-deadline mode.
 * @deadline: in guest TSC cycles.
 */
void khv_lapic_set_tsc_deadline(struct khv_lapic *a, u64 deadline)
{
	u64 host = rdtsc(), delay;

	hrtimer_cancel(&a->timer);
	a->timer_period = 0;
	a->timer_periodic = false;
	WRITE_ONCE(a->tsc_deadline, deadline);
	if (!khv_apic_tsc_deadline_ns(deadline, host,
				      khv_guest_tsc(a->vcpu, host) - host,
				      tsc_khz, &delay))
		return;
	if (!delay)
		khv_lapic_timer_expired(a);
	else
		hrtimer_start(&a->timer, ns_to_ktime(delay),
			      HRTIMER_MODE_REL_HARD);
}
