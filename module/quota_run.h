/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU and I/O quotas (Documentation/admin-guide.rst, "Quotas"), enforced in
 * KHV_RUN's loop: the arithmetic (quota_cpu.c for the CPU cap's periods,
 * quota_io.c for the I/O token buckets; pure, with KUnit suites) and the
 * run loop's calls (quota_run.c), which account each entry's time and I/O
 * exit and delay the vCPU when a quota is used up.
 */
#ifndef KHV_QUOTA_RUN_H
#define KHV_QUOTA_RUN_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>

struct khv_quota_defaults;
struct khv_vcpu;
struct khv_vm;

/* The CPU cap's period: each vCPU gets cpu-cap percent of each. */
#define KHV_CPU_CAP_PERIOD_NS	(100 * NSEC_PER_MSEC)
#define KHV_CPU_CAP_MAX		100
/* cpu-weight: as cgroup v2's cpu.weight (1 .. 10000, 100 is nice 0). */
#define KHV_CPU_WEIGHT_DFL	100
#define KHV_CPU_WEIGHT_MAX	10000
/*
 * cpu-reservation: percent of one CPU per vCPU, a SCHED_DEADLINE runtime in
 * each period of KHV_CPU_RESV_PERIOD_NS; cpu-budget, the host's sum of
 * reservation x vCPUs, in percent of one CPU, at most KHV_CPU_BUDGET_MAX.
 */
#define KHV_CPU_RESV_PERIOD_NS	(100 * NSEC_PER_MSEC)
#define KHV_CPU_RESV_MAX	100
#define KHV_CPU_BUDGET_MAX	(100 * 8192)
/*
 * The I/O limits' largest rate: one unit per nanosecond, the buckets'
 * resolution. Its burst is one second's worth (KHV_IO_BURST_NS).
 */
#define KHV_IO_RATE_MAX		NSEC_PER_SEC
#define KHV_IO_BURST_NS		NSEC_PER_SEC

/**
 * struct khv_cpu_cap - one vCPU's account of its CPU cap (quota_cpu.c).
 * @start: when its current period began (ns, CLOCK_MONOTONIC); 0: never.
 * @used:  guest time counted in that period, ns; above the period's share
 *	when an entry overran it: the excess is paid from the next periods.
 */
struct khv_cpu_cap {
	u64 start;
	u64 used;
};

/**
 * struct khv_io_bucket - a token bucket of rate units per second and a
 *	burst of one second's worth, kept as the time at which it would be
 *	full again (quota_io.c).
 * @full: ns (CLOCK_MONOTONIC); at or before now: the bucket is full.
 */
struct khv_io_bucket {
	u64 full;
};

/**
 * struct khv_run_quota - a VM's CPU and I/O quotas and their usage.
 * @cpu_cap:       percent of one CPU per vCPU, 1 .. 100; 0: none.
 * @cpu_weight:    1 .. KHV_CPU_WEIGHT_MAX; 0: none (the thread's own nice).
 * @cpu_resv:      percent of one CPU per vCPU, 1 .. 100; 0: none (written
 *	under quota.c's lock, with @resv_vcpus).
 * @resv_vcpus:    the vCPUs whose @cpu_resv the host's cpu-budget counts.
 * @io_exits_rate: I/O exits to user space per second; 0: none.
 * @io_bytes_rate: bytes of those exits per second; 0: none.
 * @io_lock:       protects the rates' writes and the buckets.
 * @exits:         the bucket of @io_exits_rate,
 * @bytes:         and of @io_bytes_rate.
 * @throttled_ns:  time they waited for a quota (CPU cap or I/O limits).
 * @throttles:     how many times a vCPU began such a wait.
 * @io_exits:      exits to user space for port I/O and MMIO,
 * @io_bytes:      and their bytes.
 */
struct khv_run_quota {
	u32 cpu_cap;
	u32 cpu_weight;
	u32 cpu_resv;
	u32 resv_vcpus;
	u64 io_exits_rate;
	u64 io_bytes_rate;
	spinlock_t io_lock;	/* protects the rates' writes and buckets */
	struct khv_io_bucket exits;
	struct khv_io_bucket bytes;
	atomic64_t throttled_ns;
	atomic64_t throttles;
	atomic64_t io_exits;
	atomic64_t io_bytes;
};

/**
 * struct khv_vcpu_quota - one vCPU's part (its own thread's, but @expired).
 * @cap:       its CPU cap account.
 * @left:      how long the next entry may last (U64_MAX: no cap).
 * @timer:     ends an entry when the period's share runs out.
 * @expired:   @timer fired: do not enter (khv_vcpu_enter_guest()).
 * @throttled: the last pass of the loop waited: a wait goes on.
 * @io_exit:   the last exit was an I/O exit: the I/O limits may delay the
 *	next entry.
 * @guest_ns:  time this vCPU spent entering and in the guest (its own
 *	counter, summed for the VM when read: no shared cache line written
 *	at every entry).
 */
struct khv_vcpu_quota {
	u64 guest_ns;
	struct khv_cpu_cap cap;
	u64 left;
	struct hrtimer timer;
	bool expired;
	bool throttled;
	bool io_exit;
};

/**
 * struct khv_run_usage - a copy of a VM's quotas and usage, for netlink.
 */
struct khv_run_usage {
	u32 cpu_cap;
	u32 cpu_weight;
	u32 cpu_resv;
	u64 io_exits_rate;
	u64 io_bytes_rate;
	u64 guest_ns;
	u64 throttled_ns;
	u64 throttles;
	u64 io_exits;
	u64 io_bytes;
};

/* quota_cpu.c: pure */
u64 khv_cpu_cap_share(u32 cap);
u64 khv_cpu_cap_wait(struct khv_cpu_cap *c, u32 cap, u64 now, u64 *left);
void khv_cpu_cap_charge(struct khv_cpu_cap *c, u64 ns);

int khv_cpu_weight_nice(u32 weight);
u64 khv_cpu_resv_runtime(u32 resv);
bool khv_cpu_resv_admit(u64 reserved, u64 budget, u64 old, u64 new,
			u64 *sum, u64 *excess);

/* quota_io.c: pure */
u64 khv_io_cost(u64 units, u64 rate);
void khv_io_take(struct khv_io_bucket *b, u64 units, u64 rate, u64 now);
u64 khv_io_wait(const struct khv_io_bucket *b, u64 rate, u64 now);
void khv_io_rerate(struct khv_io_bucket *b, u64 old, u64 new, u64 now);

/* quota_run.c */
void khv_run_quota_init(struct khv_run_quota *q);
void khv_run_quota_defaults(struct khv_run_quota *q,
			    const struct khv_quota_defaults *d);
void khv_run_quota_set(struct khv_vm *vm, const u32 *cpu_cap,
		       const u32 *cpu_weight, const u64 *exits_rate,
		       const u64 *bytes_rate);
void khv_run_quota_get(struct khv_vm *vm, struct khv_run_usage *u);
void khv_vcpu_quota_init(struct khv_vcpu *vcpu);
void khv_vcpu_quota_destroy(struct khv_vcpu *vcpu);
bool khv_quota_throttle(struct khv_vcpu *vcpu);
u64 khv_quota_before_entry(struct khv_vcpu *vcpu);
void khv_quota_after_entry(struct khv_vcpu *vcpu, u64 start);
void khv_quota_io_exit(struct khv_vcpu *vcpu, u64 bytes);

/*
 * quota_sched.c: the vCPU thread's scheduling while it is inside KHV_RUN
 * (cpu-weight, cpu-reservation), and what to put back.
 */
struct khv_sched_save {
	bool nice_set;
	bool dl_set;
	int nice;
	int policy;
	u64 flags;
};

int khv_sched_enter(struct khv_vcpu *vcpu, struct khv_sched_save *s);
void khv_sched_leave(struct khv_sched_save *s);

#endif /* KHV_QUOTA_RUN_H */
