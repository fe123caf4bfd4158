// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the arithmetic of memory quotas (quota_math.c): charges and
 * ceilings, admission against the budget with and without overcommit,
 * values chosen to make the sums wrap, and the priority order of demand
 * above the guarantees (the shared pool held back level by level).
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/sizes.h>

#include "compat.h"
#include "quota.h"

static const struct khv_mem_quota none;

/* A pool of @budget bytes holding the VMs @q[0 .. @n - 1]. */
static struct khv_mem_pool pool_of(struct kunit *test, u64 budget,
				   bool overcommit,
				   const struct khv_mem_quota *q, int n)
{
	struct khv_mem_pool p = { .budget = budget, .overcommit = overcommit };
	u64 excess;
	int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &none, &q[i], &p,
						      &excess),
				KHV_QUOTA_OK);
	return p;
}

static void charge_is_larger_of_min_and_alloc(struct kunit *test)
{
	struct khv_mem_quota q = { .min = SZ_64M, .alloc = SZ_16M };

	KUNIT_EXPECT_EQ(test, khv_quota_charge(&q), SZ_64M);
	q.alloc = SZ_128M;
	KUNIT_EXPECT_EQ(test, khv_quota_charge(&q), SZ_128M);
	KUNIT_EXPECT_EQ(test, khv_quota_charge(&none), 0);
}

static void ceiling_is_cap_else_charge(struct kunit *test)
{
	struct khv_mem_quota q = { .alloc = SZ_16M };

	KUNIT_EXPECT_EQ(test, khv_quota_ceiling(&q), SZ_16M);
	q.min = SZ_32M;
	KUNIT_EXPECT_EQ(test, khv_quota_ceiling(&q), SZ_32M);
	q.max = SZ_256M;
	KUNIT_EXPECT_EQ(test, khv_quota_ceiling(&q), SZ_256M);
}

static void sums_follow_each_change(struct kunit *test)
{
	const struct khv_mem_quota q[] = {
		{ .min = SZ_64M, .max = SZ_128M, .alloc = SZ_16M },
		{ .alloc = SZ_32M },
	};
	struct khv_mem_pool p = pool_of(test, SZ_1G, false, q, 2);

	KUNIT_EXPECT_EQ(test, p.alloc, SZ_16M + SZ_32M);
	KUNIT_EXPECT_EQ(test, p.min, SZ_64M);
	KUNIT_EXPECT_EQ(test, p.max, SZ_128M);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_64M + SZ_32M);
	KUNIT_EXPECT_EQ(test, p.ceiling, SZ_128M + SZ_32M);
	/* Both go: every sum is back to zero. */
	KUNIT_EXPECT_TRUE(test, khv_quota_apply(&p, &q[0], &none, &p));
	KUNIT_EXPECT_TRUE(test, khv_quota_apply(&p, &q[1], &none, &p));
	KUNIT_EXPECT_EQ(test, p.alloc | p.min | p.max | p.charge | p.ceiling, 0);
	/* A VM that was not counted cannot leave. */
	KUNIT_EXPECT_FALSE(test, khv_quota_apply(&p, &q[1], &none, &p));
}

static void guarantee_never_taken_by_another(struct kunit *test)
{
	const struct khv_mem_quota a = { .min = SZ_512M };
	struct khv_mem_pool p = pool_of(test, SZ_1G, true, &a, 1), before;
	struct khv_mem_quota b = { .alloc = SZ_512M }, more = b;
	u64 excess;

	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &b, &p, &excess),
			KHV_QUOTA_OK);
	before = p;
	/* One page more than what A's guarantee leaves. */
	more.alloc += SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &b, &more, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_4K);
	/* A refusal leaves the pool as it was. */
	KUNIT_EXPECT_EQ(test, p.charge, before.charge);
	KUNIT_EXPECT_EQ(test, p.alloc, before.alloc);
}

static void caps_bounded_only_without_overcommit(struct kunit *test)
{
	const struct khv_mem_quota a = { .max = SZ_512M };
	struct khv_mem_quota b = { .max = SZ_512M + SZ_1M };
	struct khv_mem_pool p = pool_of(test, SZ_1G, false, &a, 1), q;
	u64 excess;

	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &b, &q, &excess),
			KHV_QUOTA_OVER_COMMIT);
	KUNIT_EXPECT_EQ(test, excess, SZ_1M);
	p.overcommit = true;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &b, &q, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, q.ceiling, SZ_1G + SZ_1M);
	/* And overcommit may not be turned off under them. */
	q.overcommit = false;
	KUNIT_EXPECT_EQ(test, khv_quota_check(&q, &excess),
			KHV_QUOTA_OVER_COMMIT);
	KUNIT_EXPECT_EQ(test, excess, SZ_1M);
}

static void vm_limits_checked_first(struct kunit *test)
{
	struct khv_mem_pool p = { .budget = SZ_1G };
	struct khv_mem_quota old = { .alloc = SZ_64M }, q = old;
	u64 excess;

	q.max = SZ_32M;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &old, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &old, &q, &p, &excess),
			KHV_QUOTA_OVER_CAP);
	KUNIT_EXPECT_EQ(test, excess, SZ_32M);
	q.max = SZ_128M;
	q.min = SZ_256M;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &old, &q, &p, &excess),
			KHV_QUOTA_MIN_OVER_MAX);
	/* A cap exactly at the allocation is fine. */
	q.min = 0;
	q.max = SZ_64M;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &old, &q, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.max, SZ_64M);
}

static void budget_exactly_full_admitted(struct kunit *test)
{
	struct khv_mem_pool p = { .budget = SZ_1G };
	struct khv_mem_quota q = { .alloc = SZ_1G };
	u64 excess;

	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &q, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, khv_quota_check(&p, &excess), KHV_QUOTA_OK);
	p.budget -= SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_check(&p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_4K);
}

static void huge_values_never_wrap(struct kunit *test)
{
	const struct khv_mem_quota a = { .max = U64_MAX - SZ_4K + 1 };
	struct khv_mem_pool p = pool_of(test, U64_MAX, true, &a, 1), before;
	struct khv_mem_quota b = { .max = SZ_8K };
	struct khv_mem_quota c = { .min = U64_MAX, .max = U64_MAX };
	u64 excess;

	before = p;
	/* The caps' sum would wrap to a small number: refused, not admitted. */
	KUNIT_EXPECT_NE(test, khv_quota_admit(&p, &none, &b, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, excess, U64_MAX);
	KUNIT_EXPECT_EQ(test, p.max, before.max);
	KUNIT_EXPECT_EQ(test, p.ceiling, before.ceiling);
	/* A guarantee of 2^64 - 1 on top of a charge that is not zero. */
	p = (struct khv_mem_pool){ .budget = U64_MAX, .alloc = SZ_4K,
				   .charge = SZ_4K, .ceiling = SZ_4K };
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &c, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, U64_MAX);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_4K);
	/* The allocation itself at the edge. */
	c = (struct khv_mem_quota){ .alloc = U64_MAX };
	p = (struct khv_mem_pool){ .budget = SZ_1G };
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &none, &c, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, U64_MAX - SZ_1G);
}

static void giving_back_always_admitted(struct kunit *test)
{
	struct khv_mem_quota a = { .min = SZ_512M, .alloc = SZ_64M };
	struct khv_mem_pool p = pool_of(test, SZ_1G, false, &a, 1);
	struct khv_mem_quota b = a;
	u64 excess;

	/* The budget was lowered under it (not by host-set): still, less is ok. */
	p.budget = SZ_256M;
	b.min = SZ_256M + SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &a, &b, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_256M + SZ_4K);
	a = b;
	b.min += SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &a, &b, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_8K);
}

/* Without a cap, a region comes whole; with one, up to the guarantee. */
static void eager_up_to_guarantee_with_cap(struct kunit *test)
{
	struct khv_mem_quota q = { .min = SZ_64M };

	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_1G), SZ_1G);
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&none, SZ_4K), SZ_4K);
	q.max = SZ_256M;
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_1G), SZ_64M);
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_16M), SZ_16M);
	q.alloc = SZ_16M;
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_1G), SZ_64M - SZ_16M);
	q.alloc = SZ_64M;
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_1G), 0);
	q.alloc = SZ_128M;
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, SZ_1G), 0);
	q = (struct khv_mem_quota){ .max = SZ_4K };
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, U64_MAX), 0);
	q.min = SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_eager(&q, U64_MAX), SZ_4K);
}

/*
 * First touches, a page at a time: each admitted up to the cap exactly,
 * the next refused as over the cap, the pool's sums exact throughout.
 */
static void touches_stop_at_cap(struct kunit *test)
{
	struct khv_mem_quota q = { .min = SZ_8K, .max = 4 * SZ_4K }, n;
	struct khv_mem_pool p = pool_of(test, SZ_1M, false, &q, 1);
	u64 excess;
	int i;

	for (i = 0; i < 4; i++) {
		n = q;
		n.alloc += SZ_4K;
		KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &q, &n, &p, &excess),
				KHV_QUOTA_OK);
		q = n;
		KUNIT_EXPECT_EQ(test, p.alloc, (i + 1) * SZ_4K);
		/* The guarantee is held until the allocation passes it. */
		KUNIT_EXPECT_EQ(test, p.charge, max_t(u64, SZ_8K, q.alloc));
		KUNIT_EXPECT_EQ(test, p.ceiling, 4 * SZ_4K);
	}
	n = q;
	n.alloc += SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &q, &n, &p, &excess),
			KHV_QUOTA_OVER_CAP);
	KUNIT_EXPECT_EQ(test, excess, SZ_4K);
	KUNIT_EXPECT_EQ(test, p.alloc, 4 * SZ_4K);
}

/*
 * With overcommit on, a touch under the cap can still find the budget
 * spent by another VM: refused as over the budget, by a page.
 */
static void touch_under_cap_refused_by_budget(struct kunit *test)
{
	const struct khv_mem_quota q[] = {
		{ .max = SZ_1M },
		{ .alloc = SZ_1M - SZ_4K },
	};
	struct khv_mem_pool p = pool_of(test, SZ_1M, true, q, 2);
	struct khv_mem_quota a = q[0], n;
	u64 excess;

	n = a;
	n.alloc = SZ_4K;
	KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &a, &n, &p, &excess),
			KHV_QUOTA_OK);
	a = n;
	n.alloc += SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit(&p, &a, &n, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_4K);
}

/*
 * A VM created with the host's defaults: admitted as a quota-set from no
 * quota, the guarantee held at once, the cap counted with overcommit off;
 * huge defaults refused without a wrap.
 */
static void defaults_admitted_as_new_quota(struct kunit *test)
{
	const struct khv_mem_quota q[] = { { .min = SZ_1M, .max = SZ_2M } };
	struct khv_mem_pool p = pool_of(test, SZ_4M, false, q, 1), before;
	struct khv_quota_defaults d = { .mem_min = SZ_1M, .mem_max = SZ_2M };
	struct khv_mem_quota n;
	u64 excess;

	KUNIT_ASSERT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, n.min, SZ_1M);
	KUNIT_EXPECT_EQ(test, n.max, SZ_2M);
	KUNIT_EXPECT_EQ(test, n.alloc, 0);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_2M);
	KUNIT_EXPECT_EQ(test, p.ceiling, SZ_4M);
	before = p;
	/* The caps are at the budget: a third cap is over it by its size. */
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OVER_COMMIT);
	KUNIT_EXPECT_EQ(test, excess, SZ_2M);
	KUNIT_EXPECT_EQ(test, p.ceiling, before.ceiling);
	/* With overcommit on only the guarantees count. */
	p.overcommit = true;
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OK);
	d.mem_min = SZ_2M;
	d.mem_max = 0;
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_1M);
	/* No defaults: nothing taken, always admitted, even over budget. */
	d.mem_min = 0;
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OK);
	d.mem_min = U64_MAX - (SZ_4K - 1);
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_OVER_BUDGET);
	d.mem_max = SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_admit_new(&p, &d, &n, &p, &excess),
			KHV_QUOTA_MIN_OVER_MAX);
}

/* The highest live priority: 0 with no VM, else the highest counted. */
static void top_is_highest_live_priority(struct kunit *test)
{
	u32 nr[KHV_MEM_PRIORITY_LEVELS] = {};

	KUNIT_EXPECT_EQ(test, khv_quota_top(nr), 0);
	nr[0] = 3;
	KUNIT_EXPECT_EQ(test, khv_quota_top(nr), 0);
	nr[3] = 1;
	nr[2] = 5;
	KUNIT_EXPECT_EQ(test, khv_quota_top(nr), 3);
	nr[KHV_MEM_PRIORITY_MAX] = 1;
	KUNIT_EXPECT_EQ(test, khv_quota_top(nr), KHV_MEM_PRIORITY_MAX);
	nr[KHV_MEM_PRIORITY_MAX] = 0;
	nr[3] = 0;
	KUNIT_EXPECT_EQ(test, khv_quota_top(nr), 2);
}

/*
 * Each level below the top holds a 16th of the shared pool (the budget above
 * the guarantees); the top and anything at or above it nothing.
 */
static void reserve_a_16th_of_shared_per_level(struct kunit *test)
{
	const struct khv_mem_quota g = { .min = SZ_4M };
	struct khv_mem_pool p = pool_of(test, SZ_16M + SZ_4M, false, &g, 1);
	unsigned int prio;

	KUNIT_EXPECT_EQ(test, khv_quota_shared(&p), SZ_16M);
	for (prio = 0; prio <= KHV_MEM_PRIORITY_MAX; prio++)
		KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, prio),
				(u64)(7 - prio) * SZ_1M);
	/* Equal priorities compete first come, first served. */
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 3, 3), 0);
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 3, 1), SZ_2M);
	/* Above the top (a priority raised since): nothing either. */
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 3, 5), 0);
	/* A pool whose 16th is not whole: rounded down, never above 7/16. */
	p.budget = SZ_4M + 17;
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, 0), 7);
}

/* Guarantees that take the budget (or more) leave no shared pool. */
static void reserve_none_when_guarantees_take_budget(struct kunit *test)
{
	struct khv_mem_pool p = { .budget = SZ_1G, .min = SZ_1G };

	KUNIT_EXPECT_EQ(test, khv_quota_shared(&p), 0);
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, 0), 0);
	/* Below the sum of the guarantees (never admitted): no wrap. */
	p.min = SZ_1G + SZ_4K;
	KUNIT_EXPECT_EQ(test, khv_quota_shared(&p), 0);
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, 0), 0);
	p.min = U64_MAX;
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, 0), 0);
}

/* The largest budgets: 7/16 of them, computed without a wrap. */
static void reserve_of_huge_budget_never_wraps(struct kunit *test)
{
	struct khv_mem_pool p = { .budget = U64_MAX - SZ_4K + 1 };
	u64 r = khv_quota_reserve(&p, 7, 0);

	KUNIT_EXPECT_EQ(test, r, (p.budget / 16) * 7);
	KUNIT_EXPECT_LT(test, r, p.budget / 2);
	p.budget = U64_MAX;
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, 7, 0), U64_MAX / 16 * 7);
	/* A top beyond the levels (a bug) still holds at most 7/16. */
	KUNIT_EXPECT_EQ(test, khv_quota_reserve(&p, U32_MAX, 0),
			U64_MAX / 16 * 7);
}

/*
 * @q's allocation grown to @alloc under @top (khv_quota_admit_alloc()),
 * *@q following if admitted: the limit, the bytes in *@excess.
 */
static enum khv_quota_limit grow_to(struct khv_mem_pool *p,
				    struct khv_mem_quota *q, u64 alloc,
				    unsigned int top, u64 *excess)
{
	struct khv_mem_quota n = *q;
	enum khv_quota_limit limit;

	n.alloc = alloc;
	limit = khv_quota_admit_alloc(p, q, &n, top, p, excess);
	if (limit == KHV_QUOTA_OK)
		*q = n;
	return limit;
}

/*
 * A priority 0 VM under a priority 7 one, the shared pool 16 MiB: its
 * demand above its guarantee stops where 7 MiB of the budget are left, to
 * the page: admitted one page below and at the watermark, refused (with the
 * bytes held, the pool unchanged) one page above it.
 */
static void demand_stops_at_watermark(struct kunit *test)
{
	const struct khv_mem_quota other = { .alloc = SZ_1M };
	struct khv_mem_pool p = pool_of(test, SZ_16M, true, &other, 1), before;
	struct khv_mem_quota low = { .max = SZ_32M };
	u64 excess, mark = SZ_16M - 7 * SZ_1M - SZ_1M;

	KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &none, &low, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_ASSERT_EQ(test, grow_to(&p, &low, mark - SZ_4K, 7, &excess),
			KHV_QUOTA_OK);
	KUNIT_ASSERT_EQ(test, grow_to(&p, &low, mark, 7, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.budget - p.charge, 7 * SZ_1M);
	before = p;
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, mark + SZ_4K, 7, &excess),
			KHV_QUOTA_RESERVED);
	KUNIT_EXPECT_EQ(test, excess, 7 * SZ_1M);
	KUNIT_EXPECT_EQ(test, p.charge, before.charge);
	KUNIT_EXPECT_EQ(test, p.alloc, before.alloc);
	KUNIT_EXPECT_EQ(test, low.alloc, mark);
	/* A level higher, a MiB further; at the top, up to the budget. */
	low.priority = 1;
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, mark + SZ_4K, 7, &excess),
			KHV_QUOTA_OK);
	low.priority = 7;
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_16M - SZ_1M, 7, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_16M);
	/* Past the budget: the budget's refusal, not the priority's. */
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_16M - SZ_1M + SZ_4K, 7,
				      &excess), KHV_QUOTA_OVER_BUDGET);
	KUNIT_EXPECT_EQ(test, excess, SZ_4K);
}

/*
 * Guarantees are not the priority's business: an allocation within the
 * guarantee is admitted where the free budget is below the reserve, and
 * the first page beyond it is refused by the budget (checked first).
 */
static void allocation_within_guarantee_ignores_priority(struct kunit *test)
{
	const struct khv_mem_quota high = { .alloc = SZ_8M, .priority = 7 };
	struct khv_mem_pool p = pool_of(test, SZ_16M, true, &high, 1);
	struct khv_mem_quota low = { .min = SZ_8M };
	u64 excess;

	KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &none, &low, &p, &excess),
			KHV_QUOTA_OK);
	/* Nothing of the budget is free, 3.5 MiB would be held. */
	KUNIT_ASSERT_EQ(test, khv_quota_reserve(&p, 7, 0), SZ_4M - SZ_512K);
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_8M, 7, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_8M + SZ_4K, 7, &excess),
			KHV_QUOTA_OVER_BUDGET);
	/* The cap before either. */
	low.max = SZ_8M;
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_8M + SZ_4K, 7, &excess),
			KHV_QUOTA_OVER_CAP);
}

/*
 * A VM without a cap takes a region whole: the part of it above its
 * guarantee is demand, held back as a touch is; VMs of one priority share
 * the pool first come, first served.
 */
static void eager_region_above_guarantee_is_demand(struct kunit *test)
{
	struct khv_mem_pool p = { .budget = SZ_16M, .overcommit = true };
	struct khv_mem_quota a = { .min = SZ_4M, .priority = 3 };
	struct khv_mem_quota b = { .priority = 3 };
	u64 excess;

	KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &none, &a, &p, &excess),
			KHV_QUOTA_OK);
	/* Shared 12 MiB; under a priority 5 VM, 1.5 MiB held from a and b. */
	KUNIT_EXPECT_EQ(test, grow_to(&p, &a, SZ_16M - SZ_1M, 5, &excess),
			KHV_QUOTA_RESERVED);
	KUNIT_EXPECT_EQ(test, excess, SZ_1M + SZ_512K);
	KUNIT_ASSERT_EQ(test, grow_to(&p, &a, SZ_16M - SZ_2M, 5, &excess),
			KHV_QUOTA_OK);
	/*
	 * The priority 5 VM gone, a and b are the top: b, first, may take
	 * what is left, to the budget.
	 */
	KUNIT_EXPECT_EQ(test, grow_to(&p, &b, SZ_2M, 3, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_16M);
}

/*
 * Overcommit off, the caps fit in the budget: each VM may grow to its cap
 * whatever its priority; on, the same touch is held back.
 */
static void overcommit_off_caps_are_promises(struct kunit *test)
{
	const struct khv_mem_quota high = { .max = SZ_4M, .priority = 7 };
	struct khv_mem_pool p = pool_of(test, SZ_16M, false, &high, 1), on;
	struct khv_mem_quota low = { .max = SZ_8M + SZ_4M }, copy;
	u64 excess;

	KUNIT_ASSERT_EQ(test, khv_quota_admit(&p, &none, &low, &p, &excess),
			KHV_QUOTA_OK);
	KUNIT_ASSERT_EQ(test, p.ceiling, SZ_16M);
	on = p;
	on.overcommit = true;
	copy = low;
	KUNIT_EXPECT_EQ(test, grow_to(&on, &copy, SZ_8M + SZ_4M, 7, &excess),
			KHV_QUOTA_RESERVED);
	KUNIT_EXPECT_EQ(test, excess, 7 * SZ_1M);
	KUNIT_EXPECT_EQ(test, grow_to(&p, &low, SZ_8M + SZ_4M, 7, &excess),
			KHV_QUOTA_OK);
	KUNIT_EXPECT_EQ(test, p.charge, SZ_8M + SZ_4M);
}

static struct kunit_case khv_quota_cases[] = {
	KUNIT_CASE(top_is_highest_live_priority),
	KUNIT_CASE(reserve_a_16th_of_shared_per_level),
	KUNIT_CASE(reserve_none_when_guarantees_take_budget),
	KUNIT_CASE(reserve_of_huge_budget_never_wraps),
	KUNIT_CASE(demand_stops_at_watermark),
	KUNIT_CASE(allocation_within_guarantee_ignores_priority),
	KUNIT_CASE(eager_region_above_guarantee_is_demand),
	KUNIT_CASE(overcommit_off_caps_are_promises),
	KUNIT_CASE(defaults_admitted_as_new_quota),
	KUNIT_CASE(eager_up_to_guarantee_with_cap),
	KUNIT_CASE(touches_stop_at_cap),
	KUNIT_CASE(touch_under_cap_refused_by_budget),
	KUNIT_CASE(charge_is_larger_of_min_and_alloc),
	KUNIT_CASE(ceiling_is_cap_else_charge),
	KUNIT_CASE(sums_follow_each_change),
	KUNIT_CASE(guarantee_never_taken_by_another),
	KUNIT_CASE(caps_bounded_only_without_overcommit),
	KUNIT_CASE(vm_limits_checked_first),
	KUNIT_CASE(budget_exactly_full_admitted),
	KUNIT_CASE(huge_values_never_wrap),
	KUNIT_CASE(giving_back_always_admitted),
	{}
};

static struct kunit_suite khv_quota_suite = {
	.name = "khv_quota",
	.test_cases = khv_quota_cases,
};

kunit_test_suite(khv_quota_suite);
