// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the I/O limits' token buckets (quota_io.c): costs, the burst of
 * one second, the wait for a debt, rate changes, a simulated guest held to
 * its rate, and values chosen to make the arithmetic wrap.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/time64.h>

#include "compat.h"
#include "quota_run.h"

static void cost_is_units_over_rate(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_io_cost(1, 1000), NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, khv_io_cost(4, 1 << 20),
			DIV_ROUND_UP(4 * NSEC_PER_SEC, 1 << 20));
	/* Rounded up: never more than the rate. */
	KUNIT_EXPECT_EQ(test, khv_io_cost(1, 3), 333333334);
	KUNIT_EXPECT_EQ(test, khv_io_cost(1, KHV_IO_RATE_MAX), 1);
	KUNIT_EXPECT_EQ(test, khv_io_cost(7, 0), 0);
}

static void burst_of_one_second_then_wait(struct kunit *test)
{
	struct khv_io_bucket b = {};
	u64 now = 5 * NSEC_PER_SEC;
	int i;

	/* 100/s: a full bucket takes 100 exits without a wait. */
	for (i = 0; i < 100; i++) {
		khv_io_take(&b, 1, 100, now);
		KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 100, now), 0);
	}
	khv_io_take(&b, 1, 100, now);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 100, now), 10 * NSEC_PER_MSEC);
	/* Paid once that time went by; half of it, half paid. */
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 100, now + 5 * NSEC_PER_MSEC),
			5 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 100, now + 10 * NSEC_PER_MSEC), 0);
	/* No limit: never a wait, nothing counted. */
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 0, now), 0);
	b.full = 0;
	khv_io_take(&b, 1000, 0, now);
	KUNIT_EXPECT_EQ(test, b.full, 0);
}

static void bucket_refills_to_burst_only(struct kunit *test)
{
	struct khv_io_bucket b = {};
	int i;

	khv_io_take(&b, 1, 10, 0);
	/* An hour idle fills it to one second's worth, no more. */
	for (i = 0; i < 10; i++)
		khv_io_take(&b, 1, 10, 3600 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 10, 3600 * NSEC_PER_SEC), 0);
	khv_io_take(&b, 1, 10, 3600 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 10, 3600 * NSEC_PER_SEC),
			NSEC_PER_SEC / 10);
}

static void rate_change_keeps_the_debt_in_units(struct kunit *test)
{
	struct khv_io_bucket b = {};

	/* 1 unit/s and 3 units: 2 s owed beyond the burst... */
	khv_io_take(&b, 3, 1, 0);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 1, 0), 2 * NSEC_PER_SEC);
	/* ...are 3 units at 1000/s: 3 ms, within the burst. */
	khv_io_rerate(&b, 1, 1000, 0);
	KUNIT_EXPECT_EQ(test, b.full, 3 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 1000, 0), 0);
	/* Lowered again: the same units, longer. */
	khv_io_rerate(&b, 1000, 1, 0);
	KUNIT_EXPECT_EQ(test, b.full, 3 * NSEC_PER_SEC);
	/* Removed, and set anew: full. */
	khv_io_rerate(&b, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, b.full, 0);
	khv_io_take(&b, 1, 0, 0);
	khv_io_rerate(&b, 0, 5, 0);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 5, 0), 0);
}

static void huge_values_never_wrap(struct kunit *test)
{
	struct khv_io_bucket b = {};

	/* The largest exit at the smallest rate: 2^32 s, no wrap. */
	KUNIT_EXPECT_EQ(test, khv_io_cost(U64_MAX, 1),
			(u64)U32_MAX * NSEC_PER_SEC);
	khv_io_take(&b, U64_MAX, 1, U64_MAX - 10);
	KUNIT_EXPECT_EQ(test, b.full, U64_MAX);
	khv_io_take(&b, U64_MAX, 1, U64_MAX - 10);
	KUNIT_EXPECT_EQ(test, b.full, U64_MAX);
	KUNIT_EXPECT_EQ(test, khv_io_wait(&b, 1, 0), U64_MAX - NSEC_PER_SEC);
	/* A debt far away, lowered to the smallest rate: saturates. */
	b.full = U64_MAX / 2;
	khv_io_rerate(&b, KHV_IO_RATE_MAX, 1, 0);
	KUNIT_EXPECT_EQ(test, b.full, U64_MAX);
	/* Rates beyond the largest count as the largest. */
	b.full = NSEC_PER_SEC;
	khv_io_rerate(&b, U64_MAX, U64_MAX, 0);
	KUNIT_EXPECT_EQ(test, b.full, NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, khv_io_cost(1, U64_MAX), 1);
}

/* A guest doing 4-byte OUTs as fast as it may, 10 s at 1000 bytes/s. */
static void port_writer_held_to_rate(struct kunit *test)
{
	struct khv_io_bucket b = {};
	u64 now = 0, bytes = 0, wait;

	while (now < 10 * NSEC_PER_SEC) {
		wait = khv_io_wait(&b, 1000, now);
		if (wait) {
			now += wait;
			continue;
		}
		khv_io_take(&b, 4, 1000, now);
		bytes += 4;
		now += 20 * NSEC_PER_USEC;	/* the exit's round trip */
	}
	/* rate * (t + 1 s of burst), plus the exit that went into debt */
	KUNIT_EXPECT_LE(test, bytes, 1000 * 11 + 4);
	KUNIT_EXPECT_GE(test, bytes, 1000 * 10);
}

static struct kunit_case khv_quota_io_cases[] = {
	KUNIT_CASE(cost_is_units_over_rate),
	KUNIT_CASE(burst_of_one_second_then_wait),
	KUNIT_CASE(bucket_refills_to_burst_only),
	KUNIT_CASE(rate_change_keeps_the_debt_in_units),
	KUNIT_CASE(huge_values_never_wrap),
	KUNIT_CASE(port_writer_held_to_rate),
	{}
};

static struct kunit_suite khv_quota_io_suite = {
	.name = "khv_quota_io",
	.test_cases = khv_quota_io_cases,
};

kunit_test_suite(khv_quota_io_suite);
