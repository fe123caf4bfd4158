// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the arithmetic of memory quotas (quota_math.c): charges and
 * ceilings, admission against the budget with and without overcommit, and
 * values chosen to make the sums wrap.
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

static struct kunit_case khv_quota_cases[] = {
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
