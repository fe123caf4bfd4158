// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arithmetic of the CPU cap (Documentation/admin-guide.rst, "Quotas"),
 * without locks or clocks so that KUnit can prove it (quota_cpu_test.c).
 *
 * Time is cut into periods of KHV_CPU_CAP_PERIOD_NS; in each a vCPU may
 * spend its share, cpu-cap percent of the period, entering and in the
 * guest. Once the share is used the vCPU waits for the next period. An
 * entry that overruns the share (the timer that ends it comes late) leaves
 * a debt, paid from the shares of the periods that follow, so that over
 * time the vCPU gets no more than its cap.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>

#include "compat.h"
#include "quota_run.h"

/* The guest time a vCPU may have per period under @cap percent. */
u64 khv_cpu_cap_share(u32 cap)
{
	return div_u64(KHV_CPU_CAP_PERIOD_NS * min_t(u32, cap, KHV_CPU_CAP_MAX),
		       KHV_CPU_CAP_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_cap_share);

/*
 * Move @c to the period that holds @now, paying the share of each period
 * that went by from what was used: what is left over is debt.
 */
static void khv_cpu_cap_roll(struct khv_cpu_cap *c, u64 share, u64 now)
{
	u64 periods, paid;

	if (now < c->start) {
		/* Not from a monotonic clock: start again here. */
		c->start = now;
		return;
	}
	periods = div64_u64(now - c->start, KHV_CPU_CAP_PERIOD_NS);
	if (!periods)
		return;
	/* Neither wraps: both are at most now - start. */
	c->start += periods * KHV_CPU_CAP_PERIOD_NS;
	paid = periods * share;
	c->used = c->used > paid ? c->used - paid : 0;
}

/**
 * khv_cpu_cap_wait() - may the vCPU enter now, and for how long?
 * @c:    its account, moved to the period that holds @now.
 * @cap:  cpu-cap, percent; 0 (or 100 and more): none.
 * @now:  ns, from a monotonic clock.
 * @left: out: how long the entry may last before the share is used
 *	(U64_MAX: no cap).
 *
 * Return: 0 to enter; else ns to wait first, until the next period.
 */
u64 khv_cpu_cap_wait(struct khv_cpu_cap *c, u32 cap, u64 now, u64 *left)
{
	u64 share;

	*left = U64_MAX;
	if (!cap || cap >= KHV_CPU_CAP_MAX) {
		/* No cap: a cap set later starts from a clean account. */
		c->start = 0;
		c->used = 0;
		return 0;
	}
	share = khv_cpu_cap_share(cap);
	khv_cpu_cap_roll(c, share, now);
	if (c->used < share) {
		*left = share - c->used;
		return 0;
	}
	/* The roll left now in [start, start + period). */
	return c->start + KHV_CPU_CAP_PERIOD_NS - now;
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_cap_wait);

/* Count @ns more of guest time in the current period. */
void khv_cpu_cap_charge(struct khv_cpu_cap *c, u64 ns)
{
	if (check_add_overflow(c->used, ns, &c->used))
		c->used = U64_MAX;
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_cap_charge);
