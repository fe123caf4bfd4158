// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU and I/O quotas in KHV_RUN's loop (Documentation/admin-guide.rst,
 * "Quotas"). Each entry is timed (ktime around the backend's vcpu_run) and
 * counted against the vCPU's CPU cap (quota_cpu.c); an hrtimer ends an
 * entry when the period's share runs out, so that a guest that never exits
 * is held to its cap too. Each exit to user space for port I/O or MMIO is
 * counted against the VM's I/O limits (quota_io.c). A vCPU over its cap,
 * or back from an I/O exit with a limit in debt, waits before it enters
 * again: an hrtimer sleep that a signal, a kick (pause, destroy, a quota
 * change) or an interrupt for the vCPU ends early. Nothing the guest does
 * is dropped or changed: it only runs later.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "khv.h"
#include "quota.h"
#include "quota_run.h"

void khv_run_quota_init(struct khv_run_quota *q)
{
	spin_lock_init(&q->io_lock);
}

/*
 * A new VM's, before anyone can see it: the host's default CPU cap and I/O
 * limits, its buckets full.
 */
void khv_run_quota_defaults(struct khv_run_quota *q,
			    const struct khv_quota_defaults *d)
{
	q->cpu_cap = d->cpu_cap;
	q->cpu_weight = d->cpu_weight;
	q->io_exits_rate = d->io_exits_rate;
	q->io_bytes_rate = d->io_bytes_rate;
}

/**
 * khv_run_quota_set() - quota-set's CPU cap and I/O limits.
 * @vm:         the VM, referenced.
 * @cpu_cap:    the new cpu-cap (0 .. 100), or NULL to keep it.
 * @cpu_weight: the new cpu-weight (0 .. KHV_CPU_WEIGHT_MAX), or NULL; it
 *	holds from each vCPU's next KHV_RUN.
 * @exits_rate: the new io-exits-rate (0 .. KHV_IO_RATE_MAX), or NULL.
 * @bytes_rate: the new io-bytes-rate, likewise.
 *
 * A lowered cap holds from each vCPU's next entry on, a changed rate from
 * now on (the units a bucket holds or owes are kept); the vCPUs are kicked
 * so that one waiting under the old values looks again.
 */
void khv_run_quota_set(struct khv_vm *vm, const u32 *cpu_cap,
		       const u32 *cpu_weight, const u64 *exits_rate,
		       const u64 *bytes_rate)
{
	struct khv_run_quota *q = &vm->run_quota;
	u64 now = ktime_get_ns();

	if (cpu_cap)
		WRITE_ONCE(q->cpu_cap, *cpu_cap);
	if (cpu_weight)
		WRITE_ONCE(q->cpu_weight, *cpu_weight);
	spin_lock(&q->io_lock);
	if (exits_rate) {
		khv_io_rerate(&q->exits, q->io_exits_rate, *exits_rate, now);
		WRITE_ONCE(q->io_exits_rate, *exits_rate);
	}
	if (bytes_rate) {
		khv_io_rerate(&q->bytes, q->io_bytes_rate, *bytes_rate, now);
		WRITE_ONCE(q->io_bytes_rate, *bytes_rate);
	}
	spin_unlock(&q->io_lock);
	khv_vm_kick(vm);
}

/* The VM's quotas and usage. */
void khv_run_quota_get(struct khv_vm *vm, struct khv_run_usage *u)
{
	struct khv_run_quota *q = &vm->run_quota;

	u->cpu_cap = READ_ONCE(q->cpu_cap);
	u->cpu_weight = READ_ONCE(q->cpu_weight);
	u->cpu_resv = READ_ONCE(q->cpu_resv);
	u->io_exits_rate = READ_ONCE(q->io_exits_rate);
	u->io_bytes_rate = READ_ONCE(q->io_bytes_rate);
	u->guest_ns = khv_vm_guest_ns(vm);
	u->throttled_ns = atomic64_read(&q->throttled_ns);
	u->throttles = atomic64_read(&q->throttles);
	u->io_exits = atomic64_read(&q->io_exits);
	u->io_bytes = atomic64_read(&q->io_bytes);
}

/* Hard interrupt context: the share ran out; out of the guest. */
static enum hrtimer_restart khv_quota_timer_fire(struct hrtimer *t)
{
	struct khv_vcpu_quota *vq = container_of(t, struct khv_vcpu_quota,
						 timer);
	struct khv_vcpu *vcpu = container_of(vq, struct khv_vcpu, run_quota);

	WRITE_ONCE(vq->expired, true);
	/* expired before the mode: khv_vcpu_enter_guest() reads them reversed. */
	khv_vcpu_wake(vcpu);
	return HRTIMER_NORESTART;
}

void khv_vcpu_quota_init(struct khv_vcpu *vcpu)
{
	vcpu->run_quota.left = U64_MAX;
	khv_hrtimer_setup(&vcpu->run_quota.timer, khv_quota_timer_fire,
			  CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
}

void khv_vcpu_quota_destroy(struct khv_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->run_quota.timer);
}

/*
 * Sleep until @until (ns, CLOCK_MONOTONIC), or until a signal, a kick or a
 * wake-up for the vCPU: on vcpu->wait, as khv_lapic_block() does.
 */
static void khv_quota_sleep(struct khv_vcpu *vcpu, u64 until)
{
	ktime_t expires = ns_to_ktime(until);

	prepare_to_rcuwait(&vcpu->wait);
	/* The task before the reads: pairs with rcuwait_wake_up(). */
	set_current_state(TASK_INTERRUPTIBLE);
	if (READ_ONCE(vcpu->vm->state) == KHV_VM_STATE_RUNNING &&
	    !READ_ONCE(vcpu->run->immediate_exit) && !signal_pending(current))
		schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
	finish_rcuwait(&vcpu->wait);
}

/* How long the VM's I/O limits delay an entry after an I/O exit. */
static u64 khv_quota_io_wait(struct khv_run_quota *q, u64 now)
{
	u64 wait;

	if (!READ_ONCE(q->io_exits_rate) && !READ_ONCE(q->io_bytes_rate))
		return 0;
	spin_lock(&q->io_lock);
	wait = max(khv_io_wait(&q->exits, q->io_exits_rate, now),
		   khv_io_wait(&q->bytes, q->io_bytes_rate, now));
	spin_unlock(&q->io_lock);
	return wait;
}

/**
 * khv_quota_throttle() - before an entry: wait if a quota says so.
 * @vcpu: the vCPU, in KHV_RUN's loop (its mutex held, interrupts on).
 *
 * Return: false to enter now (with the CPU cap's share left set for
 * khv_quota_before_entry()); true after a wait, which may have ended early:
 * the loop looks at signals and the VM's state, and comes back.
 */
bool khv_quota_throttle(struct khv_vcpu *vcpu)
{
	struct khv_run_quota *q = &vcpu->vm->run_quota;
	struct khv_vcpu_quota *vq = &vcpu->run_quota;
	u32 cap = READ_ONCE(q->cpu_cap);
	u64 now, wait;

	/* No cap and no I/O exit to charge: no clock read on the way in. */
	now = (cap && cap < KHV_CPU_CAP_MAX) || vq->io_exit ? ktime_get_ns() : 0;
	wait = khv_cpu_cap_wait(&vq->cap, cap, now, &vq->left);
	if (vq->io_exit)
		wait = max(wait, khv_quota_io_wait(q, now));
	if (!wait) {
		vq->throttled = false;
		vq->io_exit = false;
		return false;
	}
	if (!vq->throttled)
		atomic64_inc(&q->throttles);
	vq->throttled = true;
	khv_quota_sleep(vcpu, now + wait);
	atomic64_add(ktime_get_ns() - now, &q->throttled_ns);
	return true;
}

/**
 * khv_quota_before_entry() - the entry begins: arm the cap's timer.
 * @vcpu: the vCPU, after khv_quota_throttle() said to enter.
 *
 * Return: the time now, for khv_quota_after_entry().
 */
u64 khv_quota_before_entry(struct khv_vcpu *vcpu)
{
	struct khv_vcpu_quota *vq = &vcpu->run_quota;
	u64 start = ktime_get_ns();

	WRITE_ONCE(vq->expired, false);
	if (vq->left != U64_MAX)
		hrtimer_start(&vq->timer, ns_to_ktime(vq->left),
			      HRTIMER_MODE_REL_HARD);
	return start;
}

/**
 * khv_quota_after_entry() - the entry is over: count its time.
 * @vcpu:  the vCPU.
 * @start: khv_quota_before_entry()'s time.
 */
void khv_quota_after_entry(struct khv_vcpu *vcpu, u64 start)
{
	struct khv_vcpu_quota *vq = &vcpu->run_quota;
	u64 ns = ktime_get_ns() - start;

	if (vq->left != U64_MAX)
		hrtimer_cancel(&vq->timer);
	khv_cpu_cap_charge(&vq->cap, ns);
	WRITE_ONCE(vq->guest_ns, vq->guest_ns + ns);
}

/**
 * khv_quota_io_exit() - an exit to user space for port I/O or MMIO.
 * @vcpu:  the vCPU.
 * @bytes: the access's bytes.
 */
void khv_quota_io_exit(struct khv_vcpu *vcpu, u64 bytes)
{
	struct khv_run_quota *q = &vcpu->vm->run_quota;
	u64 now;

	atomic64_inc(&q->io_exits);
	atomic64_add(bytes, &q->io_bytes);
	if (!READ_ONCE(q->io_exits_rate) && !READ_ONCE(q->io_bytes_rate))
		return;
	now = ktime_get_ns();
	spin_lock(&q->io_lock);
	khv_io_take(&q->exits, 1, q->io_exits_rate, now);
	khv_io_take(&q->bytes, bytes, q->io_bytes_rate, now);
	spin_unlock(&q->io_lock);
	vcpu->run_quota.io_exit = true;
}
