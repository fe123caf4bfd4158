// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's pool of guest memory (Documentation/admin-guide.rst, "Quotas"):
 * mem-budget and mem-overcommit (module parameters, netlink host-set), and
 * every VM's guarantee, cap and allocation summed against them. One lock
 * serialises every change, so that each is checked against the pool as it
 * is (quota_math.c) and applied, or refused, whole. KHV_SET_MEMORY_REGION
 * and first touches (mem_touch.c) charge guest memory here before they
 * allocate a page of it. The pool counts the live VMs of each mem-priority,
 * so that a VM's demand above its guarantee leaves what its priority must
 * to the highest of them.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>

#include "khv.h"
#include "quota.h"
#include "quota_run.h"

/*
 * Protects khv_pool, khv_prio_vms, khv_defaults and every VM's quota and
 * quota_gone. Taken inside a VM's mem_lock, and nothing is taken inside it.
 */
static DEFINE_SPINLOCK(khv_quota_lock);
static struct khv_mem_pool khv_pool;
/* The VMs in the pool (not quota_gone) of each mem-priority. */
static u32 khv_prio_vms[KHV_MEM_PRIORITY_LEVELS];
static struct khv_quota_defaults khv_defaults = {
	.mem_priority = KHV_MEM_PRIORITY_DFL,
};

/*
 * cpu-budget, and the sum over the VMs of cpu-reservation x the vCPUs
 * counted (run_quota.resv_vcpus), both in percent of one CPU.
 */
static u32 khv_cpu_budget;
static u64 khv_cpu_reserved;

/* Read without the lock through sysfs: host-set writes them too. */
module_param_named(mem_budget, khv_pool.budget, ullong, 0444);
MODULE_PARM_DESC(mem_budget,
		 "Bytes of guest memory all VMs together may have (default 0: three quarters of RAM at load; netlink host-set changes it)");
module_param_named(mem_overcommit, khv_pool.overcommit, bool, 0444);
MODULE_PARM_DESC(mem_overcommit,
		 "Let the VMs' memory caps together exceed mem_budget (default: no; netlink host-set changes it)");

/* The default budget: three quarters of the RAM, the rest for the host. */
void khv_quota_init(void)
{
	u64 budget = READ_ONCE(khv_pool.budget);

	if (!budget)
		budget = (u64)totalram_pages() / 4 * 3 << PAGE_SHIFT;
	WRITE_ONCE(khv_pool.budget, round_down(budget, PAGE_SIZE));
	pr_debug("mem_budget %llu bytes, mem_overcommit %d\n", khv_pool.budget,
		 khv_pool.overcommit);
}

/* A copy of the pool, its sums consistent. */
void khv_quota_pool_get(struct khv_mem_pool *pool)
{
	spin_lock(&khv_quota_lock);
	*pool = khv_pool;
	spin_unlock(&khv_quota_lock);
}

/**
 * khv_quota_host_set() - host-set's memory policy.
 * @budget:     the new mem-budget (page-granular), or NULL to keep it.
 * @overcommit: the new mem-overcommit, or NULL to keep it.
 * @old:        out: the pool before.
 * @excess:     out: by how much a refused change breaks its limit.
 *
 * A policy the VMs' quotas and allocations already break is refused: a
 * budget below the charges, or overcommit off while the ceilings exceed
 * the budget. Nothing is changed then.
 * Return: KHV_QUOTA_OK, _OVER_BUDGET or _OVER_COMMIT.
 */
enum khv_quota_limit khv_quota_host_set(const u64 *budget,
					const bool *overcommit,
					struct khv_mem_pool *old, u64 *excess)
{
	enum khv_quota_limit limit;
	struct khv_mem_pool p;

	spin_lock(&khv_quota_lock);
	*old = khv_pool;
	p = khv_pool;
	if (budget)
		p.budget = *budget;
	if (overcommit)
		p.overcommit = *overcommit;
	limit = khv_quota_check(&p, excess);
	if (limit == KHV_QUOTA_OK)
		khv_pool = p;
	spin_unlock(&khv_quota_lock);
	return limit;
}

/* The VM's quota and allocation, consistent. */
void khv_quota_vm_get(struct khv_vm *vm, struct khv_mem_quota *q)
{
	spin_lock(&khv_quota_lock);
	*q = vm->quota;
	spin_unlock(&khv_quota_lock);
}

/* Under the lock: a VM of mem-priority @priority comes (@n 1) or goes (-1). */
static void khv_quota_prio_count(u32 priority, int n)
{
	if (WARN_ON_ONCE(priority > KHV_MEM_PRIORITY_MAX) ||
	    WARN_ON_ONCE(n < 0 && !khv_prio_vms[priority]))
		return;
	khv_prio_vms[priority] += n;
}

/**
 * khv_quota_vm_set() - quota-set: a VM's guarantee, cap and priority.
 * @vm:     the VM, referenced.
 * @min:    the new mem-min (page-granular, 0 for none), or NULL to keep it.
 * @max:    the new mem-max, likewise.
 * @priority: the new mem-priority (0 .. KHV_MEM_PRIORITY_MAX), or NULL.
 * @old:    out: the VM's quota before.
 * @new:    out: after, or as requested if refused.
 * @limit:  out: the limit a refused change would break.
 * @excess: out: by how many bytes.
 *
 * The priority takes nothing from the pool: it is never refused (guarantees
 * are admitted whatever it is), and it holds from the VM's next charge on.
 * Return: 0; -EINVAL (@limit _MIN_OVER_MAX; KHV_QUOTA_OK for a priority out
 * of range, which netlink's policy never lets through); -EBUSY for a cap
 * below the allocation (_OVER_CAP); -ENOMEM when the host's budget does not
 * admit it (_OVER_BUDGET, _OVER_COMMIT); -ENOENT for a VM whose memory is
 * freed.
 */
int khv_quota_vm_set(struct khv_vm *vm, const u64 *min, const u64 *max,
		     const u32 *priority, struct khv_mem_quota *old,
		     struct khv_mem_quota *new, enum khv_quota_limit *limit,
		     u64 *excess)
{
	int r = 0;

	*limit = KHV_QUOTA_OK;
	*excess = 0;
	spin_lock(&khv_quota_lock);
	*old = vm->quota;
	*new = vm->quota;
	if (min)
		new->min = *min;
	if (max)
		new->max = *max;
	if (priority)
		new->priority = *priority;
	if (vm->quota_gone) {
		r = -ENOENT;
		goto out;
	}
	if (WARN_ON_ONCE(new->priority > KHV_MEM_PRIORITY_MAX)) {
		r = -EINVAL;
		goto out;
	}
	*limit = khv_quota_admit(&khv_pool, old, new, &khv_pool, excess);
	switch (*limit) {
	case KHV_QUOTA_OK:
		khv_quota_prio_count(old->priority, -1);
		khv_quota_prio_count(new->priority, 1);
		vm->quota = *new;
		break;
	case KHV_QUOTA_MIN_OVER_MAX:
		r = -EINVAL;
		break;
	case KHV_QUOTA_OVER_CAP:
		r = -EBUSY;
		break;
	default:
		r = -ENOMEM;
		break;
	}
out:
	spin_unlock(&khv_quota_lock);
	return r;
}

/**
 * khv_quota_mem_charge() - count @bytes more of guest memory for @vm, before
 *	they are allocated.
 * @vm:    the VM, with its mem_lock held.
 * @bytes: what a new region allocates at once, or a page on first touch.
 * @limit: out: the limit that refused them (KHV_QUOTA_OVER_CAP,
 *	_OVER_BUDGET, or _RESERVED where the VM's mem-priority leaves the rest
 *	of the budget to VMs of a higher one; _OVER_BUDGET also for a VM whose
 *	memory is freed), else KHV_QUOTA_OK.
 *
 * Return: 0 (undo with khv_quota_mem_uncharge()), or -ENOMEM when the VM's
 * cap, the host's budget or the VM's priority does not admit them.
 */
int khv_quota_mem_charge(struct khv_vm *vm, u64 bytes,
			 enum khv_quota_limit *limit)
{
	struct khv_mem_quota q;
	u64 excess;

	*limit = KHV_QUOTA_OVER_BUDGET;
	spin_lock(&khv_quota_lock);
	q = vm->quota;
	if (vm->quota_gone)
		goto out;
	if (check_add_overflow(q.alloc, bytes, &q.alloc)) {
		*limit = q.max ? KHV_QUOTA_OVER_CAP : KHV_QUOTA_OVER_BUDGET;
		goto out;
	}
	*limit = khv_quota_admit_alloc(&khv_pool, &vm->quota, &q,
				       khv_quota_top(khv_prio_vms), &khv_pool,
				       &excess);
	/* Only the allocation grows: the guarantee is below the cap already. */
	if (*limit == KHV_QUOTA_OK)
		vm->quota = q;
	else if (*limit != KHV_QUOTA_OVER_CAP && *limit != KHV_QUOTA_RESERVED)
		*limit = KHV_QUOTA_OVER_BUDGET;
out:
	if (*limit != KHV_QUOTA_OK && !vm->quota_gone)
		vm->quota.denials++;
	spin_unlock(&khv_quota_lock);
	return *limit == KHV_QUOTA_OK ? 0 : -ENOMEM;
}

/* @bytes of @vm's guest memory are freed (a region that failed). */
void khv_quota_mem_uncharge(struct khv_vm *vm, u64 bytes)
{
	struct khv_mem_quota q;

	spin_lock(&khv_quota_lock);
	q = vm->quota;
	if (!WARN_ON_ONCE(q.alloc < bytes)) {
		q.alloc -= bytes;
		/* Less taken: cannot fail, but the sums stay checked. */
		if (!WARN_ON_ONCE(!khv_quota_apply(&khv_pool, &vm->quota, &q,
						   &khv_pool)))
			vm->quota = q;
	}
	spin_unlock(&khv_quota_lock);
}

/*
 * Under the lock: the VM's reservation to @resv and its counted vCPUs to
 * @vcpus, in the host's sum; false, with nothing changed, if the sum would
 * exceed cpu-budget (by *@excess, if not NULL).
 */
static bool khv_quota_cpu_move_excess(struct khv_vm *vm, u32 resv, u32 vcpus,
				      u64 *excess)
{
	struct khv_run_quota *q = &vm->run_quota;
	u64 sum, over;

	if (!khv_cpu_resv_admit(khv_cpu_reserved, khv_cpu_budget,
				(u64)q->cpu_resv * q->resv_vcpus,
				(u64)resv * vcpus, &sum, &over)) {
		if (excess)
			*excess = over;
		return false;
	}
	khv_cpu_reserved = sum;
	WRITE_ONCE(q->cpu_resv, resv);
	q->resv_vcpus = vcpus;
	return true;
}

/* The VM's reservation to @resv, @vcpus vCPUs to 0 when it goes. */
static void khv_quota_cpu_move(struct khv_vm *vm, u32 resv, u32 vcpus)
{
	WARN_ON_ONCE(!khv_quota_cpu_move_excess(vm, resv, vcpus, NULL));
}

/*
 * The VM's memory is freed: its allocation, guarantee and cap leave the
 * pool, and no quota-set may bring them back; its reservation leaves the
 * host's CPU budget.
 */
void khv_quota_vm_release(struct khv_vm *vm)
{
	static const struct khv_mem_quota none;

	spin_lock(&khv_quota_lock);
	if (!vm->quota_gone) {
		WARN_ON_ONCE(!khv_quota_apply(&khv_pool, &vm->quota, &none,
					      &khv_pool));
		khv_quota_prio_count(vm->quota.priority, -1);
		khv_quota_cpu_move(vm, 0, 0);
		vm->quota = none;
		vm->quota_gone = true;
	}
	spin_unlock(&khv_quota_lock);
}

/* The quotas new VMs get. */
void khv_quota_defaults_get(struct khv_quota_defaults *d)
{
	spin_lock(&khv_quota_lock);
	*d = khv_defaults;
	spin_unlock(&khv_quota_lock);
}

/*
 * host-set's defaults, each in its range already: false, and nothing
 * changed, if the guarantee is above the cap (or the priority out of its
 * range, which netlink's policy never lets through). They hold for VMs
 * created from now on; the VMs there are keep their quotas.
 */
bool khv_quota_defaults_set(const struct khv_quota_defaults *d)
{
	if ((d->mem_max && d->mem_min > d->mem_max) ||
	    d->mem_priority > KHV_MEM_PRIORITY_MAX)
		return false;
	spin_lock(&khv_quota_lock);
	khv_defaults = *d;
	spin_unlock(&khv_quota_lock);
	return true;
}

/**
 * khv_quota_vm_init() - a new VM's memory quota from the host's defaults.
 * @vm:     the VM, not yet visible to anyone; its quota all zero and
 *	quota_gone set (not in the pool).
 * @d:      out: the defaults it was created with (the CPU and I/O ones are
 *	the caller's to apply).
 * @limit:  out: the limit a refusal breaks.
 * @excess: out: by how many bytes.
 *
 * Return: 0, the VM in the pool (and counted at its mem-priority) until
 * khv_quota_vm_release(); or -ENOMEM when the host's budget does not admit
 * the default guarantee or cap (khv_quota_admit_new()): the VM then holds
 * nothing and stays out of the pool.
 */
int khv_quota_vm_init(struct khv_vm *vm, struct khv_quota_defaults *d,
		      enum khv_quota_limit *limit, u64 *excess)
{
	struct khv_mem_quota q;

	spin_lock(&khv_quota_lock);
	*d = khv_defaults;
	*limit = khv_quota_admit_new(&khv_pool, d, &q, &khv_pool, excess);
	if (*limit == KHV_QUOTA_OK) {
		vm->quota = q;
		vm->quota_gone = false;
		khv_quota_prio_count(q.priority, 1);
	}
	spin_unlock(&khv_quota_lock);
	return *limit == KHV_QUOTA_OK ? 0 : -ENOMEM;
}

/* The words of a refusal by the pool (the audit trail's; an ioctl's). */
int khv_quota_limit_desc(char *buf, size_t len, enum khv_quota_limit limit,
			 u64 excess)
{
	switch (limit) {
	case KHV_QUOTA_OVER_COMMIT:
		return scnprintf(buf, len,
				 "caps exceed mem-budget by %llu bytes, mem-overcommit off",
				 excess);
	case KHV_QUOTA_MIN_OVER_MAX:
		return scnprintf(buf, len, "mem-min is above mem-max");
	case KHV_QUOTA_OVER_CAP:
		return scnprintf(buf, len,
				 "mem-max is below the allocated memory by %llu bytes",
				 excess);
	case KHV_QUOTA_RESERVED:
		return scnprintf(buf, len,
				 "mem-priority: %llu bytes of mem-budget are held for VMs of a higher mem-priority",
				 excess);
	default:
		return scnprintf(buf, len,
				 "charges (mem-min or allocated) exceed mem-budget by %llu bytes",
				 excess);
	}
}

/* cpu-budget and the sum of the reservations, percent of one CPU. */
void khv_quota_cpu_get(u32 *budget, u32 *reserved)
{
	spin_lock(&khv_quota_lock);
	*budget = khv_cpu_budget;
	/* At most a budget once set: fits. */
	*reserved = min_t(u64, khv_cpu_reserved, U32_MAX);
	spin_unlock(&khv_quota_lock);
}

/**
 * khv_quota_cpu_budget_set() - host-set's cpu-budget.
 * @budget: percent of one CPU (0 .. KHV_CPU_BUDGET_MAX).
 * @old:    out: the budget before.
 * @excess: out: by how much the reservations exceed a refused budget.
 *
 * Return: 0, or -EBUSY (nothing changed) below the VMs' reservations.
 */
int khv_quota_cpu_budget_set(u32 budget, u32 *old, u64 *excess)
{
	int r = 0;

	*excess = 0;
	spin_lock(&khv_quota_lock);
	*old = khv_cpu_budget;
	if (khv_cpu_reserved > budget) {
		*excess = khv_cpu_reserved - budget;
		r = -EBUSY;
	} else {
		khv_cpu_budget = budget;
	}
	spin_unlock(&khv_quota_lock);
	return r;
}

/**
 * khv_quota_cpu_resv_set() - quota-set's cpu-reservation.
 * @vm:     the VM, referenced.
 * @resv:   percent of one CPU per vCPU (0 .. KHV_CPU_RESV_MAX).
 * @old:    out: the reservation before.
 * @excess: out: by how much a refused one exceeds cpu-budget.
 *
 * Counted for every vCPU the VM has (and each it creates later).
 * Return: 0; -ENOSPC when cpu-budget does not admit it; -ENOENT for a VM
 * that is freed.
 */
int khv_quota_cpu_resv_set(struct khv_vm *vm, u32 resv, u32 *old,
			   u64 *excess)
{
	int r = 0;

	*excess = 0;
	spin_lock(&khv_quota_lock);
	*old = vm->run_quota.cpu_resv;
	if (vm->quota_gone)
		r = -ENOENT;
	else if (!khv_quota_cpu_move_excess(vm, resv,
					    vm->run_quota.resv_vcpus, excess))
		r = -ENOSPC;
	spin_unlock(&khv_quota_lock);
	return r;
}

/*
 * One more vCPU (KHV_CREATE_VCPU, before it exists): its reservation is
 * counted; -ENOSPC (by *@excess) if cpu-budget does not admit it. Undone by
 * khv_quota_vcpu_uncharge() if the vCPU is not made after all.
 */
int khv_quota_vcpu_charge(struct khv_vm *vm, u64 *excess)
{
	int r = 0;

	*excess = 0;
	spin_lock(&khv_quota_lock);
	if (!vm->quota_gone &&
	    !khv_quota_cpu_move_excess(vm, vm->run_quota.cpu_resv,
				       vm->run_quota.resv_vcpus + 1, excess))
		r = -ENOSPC;
	spin_unlock(&khv_quota_lock);
	return r;
}

void khv_quota_vcpu_uncharge(struct khv_vm *vm)
{
	spin_lock(&khv_quota_lock);
	if (!vm->quota_gone && !WARN_ON_ONCE(!vm->run_quota.resv_vcpus))
		khv_quota_cpu_move(vm, vm->run_quota.cpu_resv,
				   vm->run_quota.resv_vcpus - 1);
	spin_unlock(&khv_quota_lock);
}
