// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpu-weight and cpu-reservation (Documentation/admin-guide.rst, "CPU weight
 * and reservation"): the kernel's scheduler does the work, for the vCPU
 * thread and only while it is inside KHV_RUN. A weight is the nice level
 * cgroup v2 would give it (quota_cpu.c); a reservation makes the thread
 * SCHED_DEADLINE with a runtime of its share of each period and
 * SCHED_FLAG_RECLAIM, so that it may also use idle time beyond it. On the
 * way out the thread gets its own policy and nice level back.
 *
 * A thread that its VMM made real-time or deadline itself keeps what it
 * has: neither applies to it.
 */
#include <linux/bug.h>
#include <linux/sched.h>
#include <uapi/linux/sched.h>
#include <uapi/linux/sched/types.h>

#include "khv.h"
#include "quota_run.h"

/* The policies nice levels are for (and that a reservation replaces). */
static bool khv_sched_fair(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH ||
	       policy == SCHED_IDLE;
}

/**
 * khv_sched_enter() - KHV_RUN begins: the VM's weight or reservation.
 * @vcpu: the vCPU; current is the thread that runs it.
 * @s:    out: what to put back (khv_sched_leave(), on every way out).
 *
 * Return: 0, or the kernel's refusal of the reservation (-EBUSY: its own
 * deadline admission found no room); nothing is changed then.
 */
int khv_sched_enter(struct khv_vcpu *vcpu, struct khv_sched_save *s)
{
	struct khv_run_quota *q = &vcpu->vm->run_quota;
	u32 resv = READ_ONCE(q->cpu_resv);
	u32 weight = READ_ONCE(q->cpu_weight);
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_DEADLINE,
		.sched_flags = SCHED_FLAG_RECLAIM,
		.sched_deadline = KHV_CPU_RESV_PERIOD_NS,
		.sched_period = KHV_CPU_RESV_PERIOD_NS,
	};
	int r;

	s->nice_set = false;
	s->dl_set = false;
	s->policy = current->policy;
	s->nice = task_nice(current);
	s->flags = current->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	if (!khv_sched_fair(s->policy))
		return 0;
	if (resv) {
		attr.sched_runtime = khv_cpu_resv_runtime(resv);
		r = sched_setattr_nocheck(current, &attr);
		if (r)
			return r;
		s->dl_set = true;
		return 0;
	}
	if (weight && khv_cpu_weight_nice(weight) != s->nice) {
		set_user_nice(current, khv_cpu_weight_nice(weight));
		s->nice_set = true;
	}
	return 0;
}

/* KHV_RUN returns: the thread's own policy and nice level again. */
void khv_sched_leave(struct khv_sched_save *s)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice,
	};

	/* A fair policy from a deadline one: nothing to refuse. */
	if (s->dl_set)
		WARN_ON_ONCE(sched_setattr_nocheck(current, &attr));
	if (s->nice_set)
		set_user_nice(current, s->nice);
}
