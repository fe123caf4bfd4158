// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arithmetic of the I/O limits (Documentation/admin-guide.rst,
 * "Quotas"), without locks or clocks so that KUnit can prove it
 * (quota_io_test.c).
 *
 * Each limit is a token bucket: it fills at its rate, units per second, up
 * to a burst of one second's worth (KHV_IO_BURST_NS), and each I/O exit to
 * user space takes its units (1 exit, or its bytes). The access has
 * happened by then: it is never refused. A bucket taken below empty is in
 * debt instead, and the vCPU waits before its next entry until the debt is
 * paid. The bucket is kept as one number, the time at which it would be
 * full again: the level at time t is (KHV_IO_BURST_NS - (full - t)) ns'
 * worth of the rate, and below zero while full - t > KHV_IO_BURST_NS. In
 * any t seconds a VM thus has at most rate * (t + 1) units, plus one exit.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>

#include "compat.h"
#include "quota_run.h"

/*
 * The ns of @rate that @units are worth, rounded up (never more than the
 * rate). One exit's bytes never reach 4 GiB: more count as that much.
 */
u64 khv_io_cost(u64 units, u64 rate)
{
	if (!rate)
		return 0;
	rate = min_t(u64, rate, KHV_IO_RATE_MAX);
	units = min_t(u64, units, U32_MAX);
	/* At most 2^32 * 10^9 < 2^62: no wrap. */
	return DIV64_U64_ROUND_UP(units * NSEC_PER_SEC, rate);
}
EXPORT_SYMBOL_IF_KUNIT(khv_io_cost);

/**
 * khv_io_take() - an exit took @units from the bucket at @now.
 * @b:     the bucket.
 * @units: exits or bytes.
 * @rate:  the limit, units per second; 0: none (nothing is counted).
 * @now:   ns, from a monotonic clock.
 */
void khv_io_take(struct khv_io_bucket *b, u64 units, u64 rate, u64 now)
{
	u64 full = max(b->full, now);

	if (!rate)
		return;
	if (check_add_overflow(full, khv_io_cost(units, rate), &b->full))
		b->full = U64_MAX;
}
EXPORT_SYMBOL_IF_KUNIT(khv_io_take);

/**
 * khv_io_wait() - how long the bucket's debt takes to pay.
 * @b:    the bucket.
 * @rate: its limit; 0: none.
 * @now:  ns, from a monotonic clock.
 *
 * Return: ns until the bucket is no longer below empty; 0: not in debt.
 */
u64 khv_io_wait(const struct khv_io_bucket *b, u64 rate, u64 now)
{
	if (!rate || b->full <= now || b->full - now <= KHV_IO_BURST_NS)
		return 0;
	return b->full - now - KHV_IO_BURST_NS;
}
EXPORT_SYMBOL_IF_KUNIT(khv_io_wait);

/* @a * @b / @c without wrapping (U64_MAX if too large); @b, @c <= 10^9. */
static u64 khv_io_mul_div(u64 a, u64 b, u64 c)
{
	u64 q = div64_u64(a, c), r = a - q * c, v;

	/* a * b / c = q * b + r * b / c, and r * b < c * b <= 10^18. */
	if (check_mul_overflow(q, b, &v) ||
	    check_add_overflow(v, div64_u64(r * b, c), &v))
		return U64_MAX;
	return v;
}

/**
 * khv_io_rerate() - the limit changes from @old to @new units per second:
 *	the bucket keeps the units it holds or owes.
 * @b:   the bucket.
 * @old: the rate until now; 0: none.
 * @new: from now on; 0: none (the bucket is forgotten).
 * @now: ns, from a monotonic clock.
 */
void khv_io_rerate(struct khv_io_bucket *b, u64 old, u64 new, u64 now)
{
	u64 owed;

	if (!new || !old) {
		/* A limit set anew starts full. */
		b->full = 0;
		return;
	}
	if (b->full <= now)
		return;
	old = min_t(u64, old, KHV_IO_RATE_MAX);
	new = min_t(u64, new, KHV_IO_RATE_MAX);
	owed = khv_io_mul_div(b->full - now, old, new);
	if (check_add_overflow(now, owed, &b->full))
		b->full = U64_MAX;
}
EXPORT_SYMBOL_IF_KUNIT(khv_io_rerate);
