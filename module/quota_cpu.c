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
 *
 * Also the numbers of cpu-weight (a nice level, as cgroup v2's cpu.weight
 * maps to the scheduler's weights) and cpu-reservation (a SCHED_DEADLINE
 * runtime per period, and the host's sum of reservations against its
 * cpu-budget).
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/math.h>
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

/*
 * The scheduler's weight of each nice level, -20 to 19: the kernel's
 * sched_prio_to_weight[] (kernel/sched/core.c), which is not exported.
 */
static const u32 khv_nice_weight[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
};

/**
 * khv_cpu_weight_nice() - the nice level of a cpu-weight.
 * @weight: 1 .. KHV_CPU_WEIGHT_MAX (clamped), KHV_CPU_WEIGHT_DFL the
 *	weight of nice 0.
 *
 * As cgroup v2 does: the weight in the scheduler's units (@weight * 1024 /
 * 100, rounded), then the nice level whose weight is closest (the higher
 * priority of two equally close; cpu_weight_nice_read_s64()).
 * Return: -20 .. 19.
 */
int khv_cpu_weight_nice(u32 weight)
{
	u64 w = DIV_ROUND_CLOSEST_ULL((u64)clamp_t(u32, weight, 1,
						   KHV_CPU_WEIGHT_MAX) * 1024,
				      KHV_CPU_WEIGHT_DFL);
	u64 delta, last = U64_MAX;
	int prio;

	for (prio = 0; prio < (int)ARRAY_SIZE(khv_nice_weight); prio++) {
		delta = w > khv_nice_weight[prio] ? w - khv_nice_weight[prio] :
						    khv_nice_weight[prio] - w;
		if (delta >= last)
			break;
		last = delta;
	}
	return prio - 1 - 20;
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_weight_nice);

/*
 * The SCHED_DEADLINE runtime of a cpu-reservation: @resv percent
 * (1 .. 100) of each KHV_CPU_RESV_PERIOD_NS.
 */
u64 khv_cpu_resv_runtime(u32 resv)
{
	return div_u64(KHV_CPU_RESV_PERIOD_NS *
		       min_t(u32, resv, KHV_CPU_RESV_MAX), KHV_CPU_RESV_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_resv_runtime);

/**
 * khv_cpu_resv_admit() - may a VM's reservation, or its vCPUs, change?
 * @reserved: the host's sum of reservation x vCPUs now (percent of a CPU).
 * @budget:   cpu-budget (percent of a CPU).
 * @old:      the VM's reservation x vCPUs now.
 * @new:      what it is to be.
 * @sum:      out: the host's sum after, if admitted.
 * @excess:   out: by how much a refused change exceeds @budget.
 *
 * A change that takes nothing more is always admitted (a budget lowered
 * under the sum does not stop VMs from giving back).
 * Return: true if admitted.
 */
bool khv_cpu_resv_admit(u64 reserved, u64 budget, u64 old, u64 new,
			u64 *sum, u64 *excess)
{
	*excess = 0;
	if (WARN_ON_ONCE(old > reserved))
		old = reserved;
	*sum = reserved - old + new;
	if (new <= old || *sum <= budget)
		return true;
	*excess = *sum - budget;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpu_resv_admit);
