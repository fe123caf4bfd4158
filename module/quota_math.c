// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arithmetic of memory quotas (Documentation/admin-guide.rst, "Quotas"),
 * without locks or state so that KUnit can prove it (quota_math_test.c).
 * Every value may come from netlink as any u64: no sum may wrap, and one
 * that would counts as too large.
 *
 * A VM's charge is what it holds of the budget now: the larger of its
 * guarantee and its allocation (a guarantee is held whether used or not).
 * Its ceiling is what it may come to hold: its cap where it has one, else
 * its charge. The sum of the charges never exceeds the budget; with
 * overcommit off, neither does the sum of the ceilings.
 *
 * A VM with a cap gets its guest memory up to its guarantee when a region is
 * added, the rest page by page on first touch (khv_quota_eager()): a region's
 * size is never charged, only its pages as they are allocated.
 *
 * The shared pool is the part of the budget above the guarantees. With
 * overcommit on, a VM's demand above its guarantee (an allocation that
 * makes its charge grow) may take the shared pool only down to what its
 * mem-priority leaves to VMs of a higher one: 1/16 of the shared pool for
 * each level between its own and the highest of the live VMs
 * (khv_quota_admit_alloc()). With overcommit off every VM can grow to its
 * cap at once: the pool never runs short of what was promised, and
 * priority holds nothing back.
 */
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>

#include "compat.h"
#include "quota.h"

/* The larger of the guarantee and the allocation. */
u64 khv_quota_charge(const struct khv_mem_quota *q)
{
	return max(q->min, q->alloc);
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_charge);

/*
 * The cap if set (never below the charge: a cap is at least the guarantee
 * and the allocation), else the charge.
 */
u64 khv_quota_ceiling(const struct khv_mem_quota *q)
{
	return max(q->max, khv_quota_charge(q));
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_ceiling);

/**
 * khv_quota_eager() - how much of a new region to allocate at once.
 * @q:    the VM's quota and allocation before the region.
 * @size: the region's size, bytes (page-granular, as @q's fields).
 *
 * Without a cap, all of it. With one, what is left of the guarantee (the
 * part of it not yet allocated), at most @size; the rest comes on first
 * touch.
 * Return: bytes, page-granular, at most @size.
 */
u64 khv_quota_eager(const struct khv_mem_quota *q, u64 size)
{
	if (!q->max)
		return size;
	if (q->min <= q->alloc)
		return 0;
	return min(size, q->min - q->alloc);
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_eager);

/* *@sum - @old + @new, into *@sum; false if it would leave 0 .. U64_MAX. */
static bool khv_quota_move(u64 *sum, u64 old, u64 new)
{
	u64 v;

	return !check_sub_overflow(*sum, old, &v) &&
	       !check_add_overflow(v, new, sum);
}

/**
 * khv_quota_apply() - the pool with one VM's quota changed, unchecked.
 * @pool: the pool now (its sums include @old).
 * @old:  the VM's quota now (all zero for a VM not yet counted).
 * @new:  what it is to be (all zero for a VM that goes).
 * @out:  the pool after (may be @pool).
 *
 * Return: false, with *@out unchanged, if a sum would leave 0 .. U64_MAX:
 * above it, the change is too large to admit; below it, @old was not in
 * @pool (a bug).
 */
bool khv_quota_apply(const struct khv_mem_pool *pool,
		     const struct khv_mem_quota *old,
		     const struct khv_mem_quota *new, struct khv_mem_pool *out)
{
	struct khv_mem_pool p = *pool;

	if (!khv_quota_move(&p.alloc, old->alloc, new->alloc) ||
	    !khv_quota_move(&p.min, old->min, new->min) ||
	    !khv_quota_move(&p.max, old->max, new->max) ||
	    !khv_quota_move(&p.charge, khv_quota_charge(old),
			    khv_quota_charge(new)) ||
	    !khv_quota_move(&p.ceiling, khv_quota_ceiling(old),
			    khv_quota_ceiling(new)))
		return false;
	*out = p;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_apply);

/**
 * khv_quota_check() - does the pool keep to its budget?
 * @pool:   the pool.
 * @excess: out: by how many bytes the broken limit is exceeded.
 *
 * Return: KHV_QUOTA_OK, _OVER_BUDGET (the charges) or _OVER_COMMIT (the
 * ceilings, overcommit off).
 */
enum khv_quota_limit khv_quota_check(const struct khv_mem_pool *pool,
				     u64 *excess)
{
	*excess = 0;
	if (pool->charge > pool->budget) {
		*excess = pool->charge - pool->budget;
		return KHV_QUOTA_OVER_BUDGET;
	}
	if (!pool->overcommit && pool->ceiling > pool->budget) {
		*excess = pool->ceiling - pool->budget;
		return KHV_QUOTA_OVER_COMMIT;
	}
	return KHV_QUOTA_OK;
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_check);

/**
 * khv_quota_admit() - may one VM's quota change from @old to @new?
 * @pool:   the pool now, which keeps to its budget.
 * @old:    the VM's quota now.
 * @new:    what it is to be.
 * @out:    out: the pool after the change, if admitted (may be @pool).
 * @excess: out: by how many bytes the broken limit would be exceeded
 *	(U64_MAX where a sum would not fit in 64 bits).
 *
 * Return: KHV_QUOTA_OK, or the limit the change would break: the VM's own
 * first (_MIN_OVER_MAX, _OVER_CAP), then the host's (khv_quota_check()).
 * A change that takes nothing (no sum grows) is always admitted.
 */
enum khv_quota_limit khv_quota_admit(const struct khv_mem_pool *pool,
				     const struct khv_mem_quota *old,
				     const struct khv_mem_quota *new,
				     struct khv_mem_pool *out, u64 *excess)
{
	struct khv_mem_pool p;
	enum khv_quota_limit limit;

	*excess = 0;
	if (new->max && new->min > new->max) {
		*excess = new->min - new->max;
		return KHV_QUOTA_MIN_OVER_MAX;
	}
	if (new->max && new->alloc > new->max) {
		*excess = new->alloc - new->max;
		return KHV_QUOTA_OVER_CAP;
	}
	if (!khv_quota_apply(pool, old, new, &p)) {
		*excess = U64_MAX;
		/* Only a growing sum can overflow: say which grew. */
		return khv_quota_charge(new) > khv_quota_charge(old) ?
		       KHV_QUOTA_OVER_BUDGET :
		       (pool->overcommit ? KHV_QUOTA_OVER_BUDGET :
					   KHV_QUOTA_OVER_COMMIT);
	}
	/* Less taken than before: admitted even where the pool was over. */
	if (p.charge <= pool->charge && p.ceiling <= pool->ceiling) {
		*out = p;
		return KHV_QUOTA_OK;
	}
	limit = khv_quota_check(&p, excess);
	if (limit == KHV_QUOTA_OK)
		*out = p;
	return limit;
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_admit);

/**
 * khv_quota_top() - the highest mem-priority of the live VMs.
 * @nr: how many live VMs have each mem-priority.
 *
 * Return: 0 .. KHV_MEM_PRIORITY_MAX; 0 without a live VM.
 */
unsigned int khv_quota_top(const u32 nr[KHV_MEM_PRIORITY_LEVELS])
{
	unsigned int p;

	for (p = KHV_MEM_PRIORITY_MAX; p > 0; p--)
		if (nr[p])
			break;
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_top);

/*
 * The shared pool: the budget above the sum of the guarantees (none when
 * they take it all; a budget below them is refused, but never wraps here).
 */
u64 khv_quota_shared(const struct khv_mem_pool *pool)
{
	return pool->budget - min(pool->min, pool->budget);
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_shared);

/**
 * khv_quota_reserve() - what a VM's demand above its guarantee must leave
 *	free of the budget, for the VMs of a higher mem-priority.
 * @pool:     the pool.
 * @top:      the highest mem-priority of the live VMs (khv_quota_top()).
 * @priority: the VM's.
 *
 * Each level from @priority up to @top holds back a 16th of the shared
 * pool: nothing at @top or above (VMs of one priority share first come,
 * first served), 7/16 at priority 0 under a VM of priority 7.
 * Return: bytes, at most 7/16 of the shared pool (never wraps).
 */
u64 khv_quota_reserve(const struct khv_mem_pool *pool, unsigned int top,
		      unsigned int priority)
{
	if (priority >= top)
		return 0;
	return khv_quota_shared(pool) / KHV_MEM_PRIORITY_SHARES *
	       min(top - priority, (unsigned int)KHV_MEM_PRIORITY_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_reserve);

/**
 * khv_quota_admit_alloc() - may a VM's allocation grow from @old to @new?
 * @pool:   the pool now, which keeps to its budget.
 * @old:    the VM's quota now.
 * @new:    with the larger allocation (the rest as @old).
 * @top:    the highest mem-priority of the live VMs (khv_quota_top()).
 * @out:    out: the pool after, if admitted (may be @pool).
 * @excess: out: as khv_quota_admit(); for _RESERVED, the bytes held for
 *	the VMs of a higher mem-priority (khv_quota_reserve()).
 *
 * As khv_quota_admit(), and, with overcommit on, where the charge grows
 * (demand above the guarantee) the free part of the budget after it must
 * still be at least khv_quota_reserve() for @new's mem-priority. An
 * allocation within the guarantee was admitted with the guarantee, one
 * within the cap with overcommit off with the cap: priority never refuses
 * them.
 * Return: KHV_QUOTA_OK, a limit of khv_quota_admit(), or _RESERVED.
 */
enum khv_quota_limit khv_quota_admit_alloc(const struct khv_mem_pool *pool,
					   const struct khv_mem_quota *old,
					   const struct khv_mem_quota *new,
					   unsigned int top,
					   struct khv_mem_pool *out,
					   u64 *excess)
{
	enum khv_quota_limit limit;
	struct khv_mem_pool p;
	u64 reserve;

	limit = khv_quota_admit(pool, old, new, &p, excess);
	if (limit != KHV_QUOTA_OK)
		return limit;
	if (p.overcommit && khv_quota_charge(new) > khv_quota_charge(old)) {
		reserve = khv_quota_reserve(&p, top, new->priority);
		/* Admitted with a growing charge: at most the budget. */
		if (p.charge > p.budget || p.budget - p.charge < reserve) {
			*excess = reserve;
			return KHV_QUOTA_RESERVED;
		}
	}
	*out = p;
	return KHV_QUOTA_OK;
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_admit_alloc);

/**
 * khv_quota_admit_new() - may a VM be created with the host's defaults?
 * @pool:   the pool now, which keeps to its budget.
 * @d:      the defaults (only @d->mem_min and @d->mem_max count here; the
 *	new quota takes @d->mem_priority too).
 * @q:      out: the new VM's quota, nothing allocated.
 * @out:    out: the pool with it, if admitted (may be @pool).
 * @excess: out: as khv_quota_admit().
 *
 * The same rules as a quota-set from no quota at all: a default guarantee
 * is held in the budget from the VM's creation on, a default cap counts
 * against it with overcommit off.
 * Return: as khv_quota_admit().
 */
enum khv_quota_limit khv_quota_admit_new(const struct khv_mem_pool *pool,
					 const struct khv_quota_defaults *d,
					 struct khv_mem_quota *q,
					 struct khv_mem_pool *out,
					 u64 *excess)
{
	static const struct khv_mem_quota none;

	*q = none;
	q->min = d->mem_min;
	q->max = d->mem_max;
	q->priority = d->mem_priority;
	return khv_quota_admit(pool, &none, q, out, excess);
}
EXPORT_SYMBOL_IF_KUNIT(khv_quota_admit_new);
