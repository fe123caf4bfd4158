// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the arithmetic of the CPU cap (quota_cpu.c): shares, the wait
 * until the next period, debts paid from later periods, and a simulated
 * spinning vCPU held to its cap over many periods.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/time64.h>

#include "compat.h"
#include "quota_run.h"

#define PERIOD	KHV_CPU_CAP_PERIOD_NS

static void share_is_percent_of_period(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_share(20), PERIOD / 5);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_share(1), PERIOD / 100);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_share(100), PERIOD);
	/* Out of range: never more than the period. */
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_share(U32_MAX), PERIOD);
}

static void no_cap_never_waits(struct kunit *test)
{
	struct khv_cpu_cap c = { .start = 5, .used = U64_MAX };
	u64 left;

	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 0, 10 * PERIOD, &left), 0);
	KUNIT_EXPECT_EQ(test, left, U64_MAX);
	KUNIT_EXPECT_EQ(test, c.used, 0);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 100, PERIOD, &left), 0);
	KUNIT_EXPECT_EQ(test, left, U64_MAX);
}

static void share_used_waits_for_next_period(struct kunit *test)
{
	struct khv_cpu_cap c = {};
	u64 now = 1000 * PERIOD + 7, left;

	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 20, now, &left), 0);
	KUNIT_EXPECT_EQ(test, c.start, 1000 * PERIOD);
	KUNIT_EXPECT_EQ(test, left, PERIOD / 5);
	khv_cpu_cap_charge(&c, PERIOD / 10);
	now += PERIOD / 10;
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 20, now, &left), 0);
	KUNIT_EXPECT_EQ(test, left, PERIOD / 10);
	khv_cpu_cap_charge(&c, PERIOD / 10);
	now += PERIOD / 10;
	/* Used up: until the period ends. */
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 20, now, &left),
			1001 * PERIOD - now);
	/* The next period: a full share again. */
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 20, 1001 * PERIOD, &left),
			0);
	KUNIT_EXPECT_EQ(test, left, PERIOD / 5);
	KUNIT_EXPECT_EQ(test, c.used, 0);
}

static void overrun_is_paid_later(struct kunit *test)
{
	struct khv_cpu_cap c = {};
	u64 left;

	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 10, 0, &left), 0);
	/* An entry that ran 2.5 shares (a late timer). */
	khv_cpu_cap_charge(&c, PERIOD / 4);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 10, PERIOD / 4, &left),
			PERIOD - PERIOD / 4);
	/* Next period: 1.5 shares still owed, wait again. */
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 10, PERIOD, &left), PERIOD);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 10, 2 * PERIOD, &left), 0);
	KUNIT_EXPECT_EQ(test, left, PERIOD / 20);
	/* Idle periods pay any debt, but hold no credit. */
	khv_cpu_cap_charge(&c, 50 * PERIOD);
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 10, 1000 * PERIOD, &left),
			0);
	KUNIT_EXPECT_EQ(test, left, PERIOD / 10);
}

static void huge_values_never_wrap(struct kunit *test)
{
	struct khv_cpu_cap c = {};
	u64 left, now = U64_MAX - PERIOD / 2;

	khv_cpu_cap_charge(&c, U64_MAX);
	khv_cpu_cap_charge(&c, U64_MAX);
	KUNIT_EXPECT_EQ(test, c.used, U64_MAX);
	KUNIT_EXPECT_GT(test, khv_cpu_cap_wait(&c, 50, now, &left), 0);
	KUNIT_EXPECT_LE(test, c.start, now);
	/* A clock that went back: start again, never a huge wait. */
	c.used = 0;
	KUNIT_EXPECT_EQ(test, khv_cpu_cap_wait(&c, 50, 3, &left), 0);
	KUNIT_EXPECT_EQ(test, c.start, 3);
}

/* A vCPU that spins, entries of 1 ms ended by the timer, 1 s at each cap. */
static void spinning_vcpu_held_to_cap(struct kunit *test)
{
	static const u32 caps[] = { 1, 5, 20, 30, 60, 99 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		struct khv_cpu_cap c = {};
		u64 now = 0, guest = 0, wait, left, ran;

		while (now < NSEC_PER_SEC) {
			wait = khv_cpu_cap_wait(&c, caps[i], now, &left);
			if (wait) {
				now += wait;
				continue;
			}
			/* The timer ends the entry 3 us late. */
			ran = min_t(u64, left + 3000, NSEC_PER_MSEC);
			khv_cpu_cap_charge(&c, ran);
			guest += ran;
			now += ran;
		}
		/* Within one period's overrun of cap percent of the time. */
		KUNIT_EXPECT_LE(test, guest,
				div_u64(now * caps[i], 100) + 10 * 3000);
		KUNIT_EXPECT_GE(test, guest,
				div_u64(now * caps[i], 100) - PERIOD / 10);
	}
}

/* cgroup v2's mapping: 100 is nice 0, the ends are -20 and 19. */
static void weight_maps_to_nice_as_cgroup(struct kunit *test)
{
	static const struct { u32 weight; int nice; } cases[] = {
		{ 100, 0 }, { 10000, -20 }, { 1, 19 }, { 0, 19 },
		{ U32_MAX, -20 }, { 200, -3 }, { 50, 3 }, { 1000, -10 },
		{ 125, -1 }, { 80, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, khv_cpu_weight_nice(cases[i].weight),
				    cases[i].nice, "weight %u", cases[i].weight);
}

/* Never below nice -20 or above 19, and never rising with the weight. */
static void nice_falls_as_weight_grows(struct kunit *test)
{
	int last = 19, nice;
	u32 w;

	for (w = 1; w <= KHV_CPU_WEIGHT_MAX; w++) {
		nice = khv_cpu_weight_nice(w);
		KUNIT_ASSERT_LE(test, nice, last);
		KUNIT_ASSERT_GE(test, nice, -20);
		last = nice;
	}
}

static void reservation_runtime_is_percent_of_period(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_cpu_resv_runtime(20), 20 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, khv_cpu_resv_runtime(100),
			KHV_CPU_RESV_PERIOD_NS);
	KUNIT_EXPECT_EQ(test, khv_cpu_resv_runtime(U32_MAX),
			KHV_CPU_RESV_PERIOD_NS);
	/* At least the scheduler's smallest runtime (1 << DL_SCALE ns). */
	KUNIT_EXPECT_GE(test, khv_cpu_resv_runtime(1), 1024);
}

/* The sum of reservation x vCPUs never exceeds the budget. */
static void reservations_admitted_within_budget(struct kunit *test)
{
	u64 sum, excess;

	KUNIT_EXPECT_TRUE(test, khv_cpu_resv_admit(0, 100, 0, 100, &sum,
						   &excess));
	KUNIT_EXPECT_EQ(test, sum, 100);
	KUNIT_EXPECT_FALSE(test, khv_cpu_resv_admit(100, 100, 0, 1, &sum,
						    &excess));
	KUNIT_EXPECT_EQ(test, excess, 1);
	/* A VM's own reservation is replaced, not added to. */
	KUNIT_EXPECT_TRUE(test, khv_cpu_resv_admit(60, 100, 40, 80, &sum,
						   &excess));
	KUNIT_EXPECT_EQ(test, sum, 100);
	KUNIT_EXPECT_FALSE(test, khv_cpu_resv_admit(60, 100, 40, 90, &sum,
						    &excess));
	KUNIT_EXPECT_EQ(test, excess, 10);
	/* No budget: nothing may be reserved, everything given back. */
	KUNIT_EXPECT_FALSE(test, khv_cpu_resv_admit(0, 0, 0, 1, &sum,
						    &excess));
	KUNIT_EXPECT_TRUE(test, khv_cpu_resv_admit(50, 0, 50, 20, &sum,
						   &excess));
	KUNIT_EXPECT_EQ(test, sum, 20);
	/* The largest values: 100 x U32_MAX vCPUs fits in 64 bits. */
	KUNIT_EXPECT_FALSE(test, khv_cpu_resv_admit(0, KHV_CPU_BUDGET_MAX, 0,
						    100ull * U32_MAX, &sum,
						    &excess));
	KUNIT_EXPECT_EQ(test, excess, 100ull * U32_MAX - KHV_CPU_BUDGET_MAX);
}

static struct kunit_case khv_quota_cpu_cases[] = {
	KUNIT_CASE(weight_maps_to_nice_as_cgroup),
	KUNIT_CASE(nice_falls_as_weight_grows),
	KUNIT_CASE(reservation_runtime_is_percent_of_period),
	KUNIT_CASE(reservations_admitted_within_budget),
	KUNIT_CASE(share_is_percent_of_period),
	KUNIT_CASE(no_cap_never_waits),
	KUNIT_CASE(share_used_waits_for_next_period),
	KUNIT_CASE(overrun_is_paid_later),
	KUNIT_CASE(huge_values_never_wrap),
	KUNIT_CASE(spinning_vcpu_held_to_cap),
	{}
};

static struct kunit_suite khv_quota_cpu_suite = {
	.name = "khv_quota_cpu",
	.test_cases = khv_quota_cpu_cases,
};

kunit_test_suite(khv_quota_cpu_suite);
