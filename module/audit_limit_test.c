// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the audit trail's denial rate limit (audit_limit.c).
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include "audit.h"
#include "compat.h"

#define SEC	NSEC_PER_SEC
#define NOBODY	65534
#define ALICE	1000

static struct khv_audit_limiter *new_limiter(struct kunit *test, u32 burst,
					     u32 interval)
{
	struct khv_audit_limiter *l = kunit_kzalloc(test, sizeof(*l),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->burst = burst;
	l->interval_ns = (u64)interval * SEC;
	return l;
}

/* Denials of @uid at @now: how many of @n were recorded. */
static unsigned int deny(struct khv_audit_limiter *l, u64 now, u32 uid,
			 u32 op, unsigned int n, unsigned int *flushes,
			 struct khv_audit_summary *sum)
{
	unsigned int i, recorded = 0;
	bool flush;

	for (i = 0; i < n; i++) {
		if (khv_audit_limit(l, now, uid, op, 4242, "flood", sum, &flush))
			recorded++;
		if (flush)
			++*flushes;
	}
	return recorded;
}

static void burst_recorded_then_counted(struct kunit *test)
{
	struct khv_audit_limiter *l = new_limiter(test, 10, 60);
	struct khv_audit_summary sum = { 0 };
	unsigned int flushes = 0;

	KUNIT_EXPECT_EQ(test, deny(l, 100 * SEC, NOBODY, KHV_AUDIT_OP_VM_VIEW,
				   2000, &flushes, &sum), 10);
	KUNIT_EXPECT_EQ(test, flushes, 0);
	KUNIT_EXPECT_EQ(test, khv_audit_limit_next(l), 160 * SEC);
	/* Not over yet: nothing to sum up. */
	KUNIT_EXPECT_FALSE(test, khv_audit_limit_expire(l, 160 * SEC - 1, &sum));
	KUNIT_ASSERT_TRUE(test, khv_audit_limit_expire(l, 160 * SEC, &sum));
	KUNIT_EXPECT_EQ(test, sum.suppressed, 1990);
	KUNIT_EXPECT_EQ(test, sum.uid, NOBODY);
	KUNIT_EXPECT_EQ(test, sum.pid, 4242);
	KUNIT_EXPECT_STREQ(test, sum.comm, "flood");
	KUNIT_EXPECT_EQ(test, sum.ops, (u32)BIT(KHV_AUDIT_OP_VM_VIEW));
	KUNIT_EXPECT_FALSE(test, khv_audit_limit_expire(l, 160 * SEC, &sum));
	KUNIT_EXPECT_EQ(test, khv_audit_limit_next(l), 0);
	/* A new window: a new burst. */
	KUNIT_EXPECT_EQ(test, deny(l, 161 * SEC, NOBODY, KHV_AUDIT_OP_VM_VIEW,
				   11, &flushes, &sum), 10);
}

static void subjects_are_limited_apart(struct kunit *test)
{
	struct khv_audit_limiter *l = new_limiter(test, 5, 60);
	struct khv_audit_summary sum;
	unsigned int flushes = 0;

	KUNIT_EXPECT_EQ(test, deny(l, SEC, NOBODY, KHV_AUDIT_OP_GRANT_ADD, 100,
				   &flushes, &sum), 5);
	/* Another uid's denials are still recorded. */
	KUNIT_EXPECT_EQ(test, deny(l, 2 * SEC, ALICE, KHV_AUDIT_OP_VM_DESTROY, 5,
				   &flushes, &sum), 5);
	KUNIT_EXPECT_EQ(test, deny(l, 2 * SEC, ALICE, KHV_AUDIT_OP_VM_DESTROY, 1,
				   &flushes, &sum), 0);
	KUNIT_EXPECT_EQ(test, flushes, 0);
	KUNIT_ASSERT_TRUE(test, khv_audit_limit_expire(l, 61 * SEC, &sum));
	KUNIT_EXPECT_EQ(test, sum.uid, NOBODY);
	KUNIT_EXPECT_EQ(test, sum.suppressed, 95);
	KUNIT_EXPECT_EQ(test, khv_audit_limit_next(l), 62 * SEC);
	KUNIT_ASSERT_TRUE(test, khv_audit_limit_expire(l, 62 * SEC, &sum));
	KUNIT_EXPECT_EQ(test, sum.uid, ALICE);
	KUNIT_EXPECT_EQ(test, sum.suppressed, 1);
}

/* A window that ended unnoticed is summed up before the next denial. */
static void ended_window_flushed_by_next_denial(struct kunit *test)
{
	struct khv_audit_limiter *l = new_limiter(test, 2, 10);
	struct khv_audit_summary sum = { 0 };
	unsigned int flushes = 0;
	bool flush;

	deny(l, 0, NOBODY, KHV_AUDIT_OP_VM_VIEW, 3, &flushes, &sum);
	deny(l, 0, NOBODY, KHV_AUDIT_OP_AUDIT_VIEW, 1, &flushes, &sum);
	KUNIT_EXPECT_TRUE(test, khv_audit_limit(l, 10 * SEC, NOBODY,
						KHV_AUDIT_OP_VM_VIEW, 1, "x",
						&sum, &flush));
	KUNIT_ASSERT_TRUE(test, flush);
	KUNIT_EXPECT_EQ(test, sum.suppressed, 2);
	KUNIT_EXPECT_EQ(test, sum.ops, (u32)(BIT(KHV_AUDIT_OP_VM_VIEW) |
					     BIT(KHV_AUDIT_OP_AUDIT_VIEW)));
	KUNIT_EXPECT_EQ(test, khv_audit_limit_next(l), 0);
}

/* More subjects than slots: the oldest window gives way, summed up first. */
static void full_table_evicts_oldest_with_summary(struct kunit *test)
{
	struct khv_audit_limiter *l = new_limiter(test, 1, 60);
	struct khv_audit_summary sum = { 0 };
	unsigned int uid, flushes = 0;
	bool flush;

	for (uid = 1; uid <= KHV_AUDIT_SUBJECTS; uid++)
		KUNIT_EXPECT_EQ(test, deny(l, uid, uid, KHV_AUDIT_OP_VM_VIEW, 3,
					   &flushes, &sum), 1);
	KUNIT_EXPECT_EQ(test, flushes, 0);
	KUNIT_EXPECT_TRUE(test, khv_audit_limit(l, SEC, 9999,
						KHV_AUDIT_OP_VM_VIEW, 1, "x",
						&sum, &flush));
	KUNIT_ASSERT_TRUE(test, flush);
	KUNIT_EXPECT_EQ(test, sum.uid, 1);
	KUNIT_EXPECT_EQ(test, sum.suppressed, 2);
}

static void zero_burst_records_everything(struct kunit *test)
{
	struct khv_audit_limiter *l = new_limiter(test, 0, 60);
	struct khv_audit_summary sum;
	unsigned int flushes = 0;

	KUNIT_EXPECT_EQ(test, deny(l, SEC, NOBODY, KHV_AUDIT_OP_VM_VIEW, 500,
				   &flushes, &sum), 500);
	KUNIT_EXPECT_EQ(test, khv_audit_limit_next(l), 0);
	KUNIT_EXPECT_FALSE(test, khv_audit_limit_expire(l, U64_MAX, &sum));
}

static struct kunit_case khv_audit_limit_cases[] = {
	KUNIT_CASE(burst_recorded_then_counted),
	KUNIT_CASE(subjects_are_limited_apart),
	KUNIT_CASE(ended_window_flushed_by_next_denial),
	KUNIT_CASE(full_table_evicts_oldest_with_summary),
	KUNIT_CASE(zero_burst_records_everything),
	{}
};

static struct kunit_suite khv_audit_limit_suite = {
	.name = "khv_audit_limit",
	.test_cases = khv_audit_limit_cases,
};

kunit_test_suite(khv_audit_limit_suite);
