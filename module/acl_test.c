// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: device ACL ranges (acl.c): each kind's bounds, merge of ranges
 * that overlap or touch, cuts and splits on delete, coverage at the edges,
 * the entry limit, and the violation action's state machine.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/slab.h>

#include "acl.h"
#include "compat.h"

#define PORT	KHV_ACL_KIND_PORT
#define PCI	KHV_ACL_KIND_PCI
#define MMIO	KHV_ACL_KIND_MMIO

static struct khv_acl_list *acl_new(struct kunit *test)
{
	struct khv_acl_list *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	return l;
}

static void expect_entry(struct kunit *test, const struct khv_acl_list *l,
			 unsigned int i, u32 kind, u64 first, u64 last)
{
	KUNIT_ASSERT_LT(test, i, l->n);
	KUNIT_EXPECT_EQ(test, l->e[i].kind, kind);
	KUNIT_EXPECT_EQ(test, l->e[i].first, first);
	KUNIT_EXPECT_EQ(test, l->e[i].last, last);
}

static void ranges_checked_per_kind(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PORT, 0, 0xffff), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PORT, 0x3f8, 0x3f8), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PORT, 0, 0x10000), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PORT, 0x71, 0x70), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PCI, 0, 0xffffffff), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(PCI, 0, 1ULL << 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(MMIO, 0xfed00000,
						  0xfed00fff), 0);
	/* Whole pages only, below 2^52. */
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(MMIO, 0xfed00000,
						  0xfed00ffe), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(MMIO, 0xfed00001,
						  0xfed00fff), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(MMIO, 0, U64_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(MMIO, 0,
						  KHV_ACL_MMIO_LIMIT - 1), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(0, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_acl_range_check(4, 0, 0), -EINVAL);
}

static void default_deny(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x80, 0x80));
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 0, 0xffff), -ENOENT);
}

static void add_merges_overlapping_and_touching(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x3f8, 0x3fb), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x3fc, 0x3ff), 0);
	KUNIT_EXPECT_EQ(test, l->n, 1);
	expect_entry(test, l, 0, PORT, 0x3f8, 0x3ff);
	/* Overlapping at one end, and one that bridges two. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x400, 0x40f), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x500, 0x50f), 0);
	KUNIT_EXPECT_EQ(test, l->n, 2);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x405, 0x4ff), 0);
	KUNIT_EXPECT_EQ(test, l->n, 1);
	expect_entry(test, l, 0, PORT, 0x3f8, 0x50f);
	/* Covered already: no change. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x400, 0x401), 0);
	KUNIT_EXPECT_EQ(test, l->n, 1);
	/* A gap of one port does not merge. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x511, 0x511), 0);
	KUNIT_EXPECT_EQ(test, l->n, 2);
	expect_entry(test, l, 1, PORT, 0x511, 0x511);
}

static void kinds_never_merge_and_stay_sorted(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	KUNIT_EXPECT_EQ(test, khv_acl_add(l, MMIO, 0x1000, 0x1fff), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x1000, 0x1fff), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PCI, 0x18, 0x18), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x70, 0x71), 0);
	KUNIT_EXPECT_EQ(test, l->n, 4);
	expect_entry(test, l, 0, PCI, 0x18, 0x18);
	expect_entry(test, l, 1, PORT, 0x70, 0x71);
	expect_entry(test, l, 2, PORT, 0x1000, 0x1fff);
	expect_entry(test, l, 3, MMIO, 0x1000, 0x1fff);
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PCI, 0x1000, 0x1000));
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, MMIO, 0x1000, 0x1fff));
}

static void covers_at_the_edges(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x70, 0x71), 0);
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PORT, 0x70, 0x70));
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PORT, 0x71, 0x71));
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PORT, 0x70, 0x71));
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x6f, 0x70));
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x71, 0x72));
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x6f, 0x72));
	/* Two entries with a gap never cover the gap. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x73, 0x74), 0);
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x70, 0x74));
	/* The top of the space, without wrapping. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PCI, 0xfffffff8, 0xffffffff), 0);
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PCI, 0xffffffff,
					       0xffffffff));
}

static void top_of_u64_does_not_wrap(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	/* The pure part takes any u64: joins must not wrap at U64_MAX. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PCI, U64_MAX - 1, U64_MAX), 0);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PCI, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, l->n, 2);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PCI, U64_MAX - 3, U64_MAX - 2), 0);
	KUNIT_EXPECT_EQ(test, l->n, 2);
	expect_entry(test, l, 1, PCI, U64_MAX - 3, U64_MAX);
}

static void del_cuts_removes_and_splits(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);

	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x100, 0x1ff), 0);
	/* The middle: split in two. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 0x140, 0x14f), 0);
	KUNIT_EXPECT_EQ(test, l->n, 2);
	expect_entry(test, l, 0, PORT, 0x100, 0x13f);
	expect_entry(test, l, 1, PORT, 0x150, 0x1ff);
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x140, 0x140));
	KUNIT_EXPECT_FALSE(test, khv_acl_covers(l, PORT, 0x14f, 0x14f));
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PORT, 0x13f, 0x13f));
	KUNIT_EXPECT_TRUE(test, khv_acl_covers(l, PORT, 0x150, 0x150));
	/* Across the gap: one end of each cut. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 0x130, 0x15f), 0);
	expect_entry(test, l, 0, PORT, 0x100, 0x12f);
	expect_entry(test, l, 1, PORT, 0x160, 0x1ff);
	/* The gap only: nothing to remove. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 0x130, 0x15f), -ENOENT);
	/* Another kind's range is not touched. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PCI, 0x100, 0x1ff), -ENOENT);
	/* Everything, entries inside the range. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 0, 0xffff), 0);
	KUNIT_EXPECT_EQ(test, l->n, 0);
}

static void limit_is_enospc_and_changes_nothing(struct kunit *test)
{
	struct khv_acl_list *l = acl_new(test);
	unsigned int i;

	for (i = 0; i < KHV_ACL_MAX; i++)
		KUNIT_ASSERT_EQ(test, khv_acl_add(l, PORT, 4 * i, 4 * i + 1), 0);
	KUNIT_EXPECT_EQ(test, l->n, KHV_ACL_MAX);
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x1000, 0x1000), -ENOSPC);
	/* A merge needs no new entry. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 2, 2), 0);
	expect_entry(test, l, 0, PORT, 0, 2);
	/* A split would: refused, the entry whole. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 0x1000, 0x1000), -ENOSPC);
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 1, 1), -ENOSPC);
	expect_entry(test, l, 0, PORT, 0, 2);
	/* A cut does not. */
	KUNIT_EXPECT_EQ(test, khv_acl_del(l, PORT, 2, 2), 0);
	expect_entry(test, l, 0, PORT, 0, 1);
	/* A bridge of two frees one. */
	KUNIT_EXPECT_EQ(test, khv_acl_add(l, PORT, 1, 4), 0);
	KUNIT_EXPECT_EQ(test, l->n, KHV_ACL_MAX - 1);
	expect_entry(test, l, 0, PORT, 0, 5);
}

static void action_log_only_counts(struct kunit *test)
{
	struct khv_acl_policy p;

	khv_acl_policy_init(&p);
	KUNIT_EXPECT_EQ(test, p.action, KHV_ACL_ACTION_LOG);
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_LOG);
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_LOG);
	KUNIT_EXPECT_EQ(test, p.violations, 2);
	KUNIT_EXPECT_FALSE(test, p.revoked);
}

static void action_deny_revokes_until_set(struct kunit *test)
{
	struct khv_acl_policy p;

	khv_acl_policy_init(&p);
	KUNIT_EXPECT_FALSE(test, khv_acl_policy_set(&p, KHV_ACL_ACTION_DENY));
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_DENY);
	KUNIT_EXPECT_TRUE(test, p.revoked);
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_DENY);
	KUNIT_EXPECT_TRUE(test, p.revoked);
	/* Set again, even to deny: the revocation ends, once. */
	KUNIT_EXPECT_TRUE(test, khv_acl_policy_set(&p, KHV_ACL_ACTION_DENY));
	KUNIT_EXPECT_FALSE(test, p.revoked);
	KUNIT_EXPECT_FALSE(test, khv_acl_policy_set(&p, KHV_ACL_ACTION_LOG));
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_LOG);
	KUNIT_EXPECT_FALSE(test, p.revoked);
	KUNIT_EXPECT_EQ(test, p.violations, 3);
}

static void action_pause_pauses_each_time(struct kunit *test)
{
	struct khv_acl_policy p;

	khv_acl_policy_init(&p);
	khv_acl_policy_set(&p, KHV_ACL_ACTION_PAUSE);
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_PAUSE);
	KUNIT_EXPECT_EQ(test, khv_acl_violation(&p), KHV_ACL_DO_PAUSE);
	KUNIT_EXPECT_FALSE(test, p.revoked);
	/* A count that cannot wrap. */
	p.violations = U64_MAX;
	khv_acl_violation(&p);
	KUNIT_EXPECT_EQ(test, p.violations, U64_MAX);
}

static void desc_in_words(struct kunit *test)
{
	char buf[KHV_ACL_DESC_MAX];

	khv_acl_desc(buf, sizeof(buf), PORT, 0x3f8, 0x3ff);
	KUNIT_EXPECT_STREQ(test, buf, "port 0x3f8-0x3ff");
	khv_acl_desc(buf, sizeof(buf), PCI, 0x18, 0x1f);
	KUNIT_EXPECT_STREQ(test, buf, "pci 0000:00:03.0-0000:00:03.7");
	khv_acl_desc(buf, sizeof(buf), MMIO, KHV_ACL_MMIO_LIMIT - 4096,
		     KHV_ACL_MMIO_LIMIT - 1);
	KUNIT_EXPECT_STREQ(test, buf, "mmio 0xffffffffff000-0xfffffffffffff");
	khv_acl_desc(buf, sizeof(buf), PCI, KHV_ACL_PCI_LAST,
		     KHV_ACL_PCI_LAST);
	KUNIT_EXPECT_STREQ(test, buf, "pci ffff:ff:1f.7-ffff:ff:1f.7");
}

static struct kunit_case khv_acl_cases[] = {
	KUNIT_CASE(ranges_checked_per_kind),
	KUNIT_CASE(default_deny),
	KUNIT_CASE(add_merges_overlapping_and_touching),
	KUNIT_CASE(kinds_never_merge_and_stay_sorted),
	KUNIT_CASE(covers_at_the_edges),
	KUNIT_CASE(top_of_u64_does_not_wrap),
	KUNIT_CASE(del_cuts_removes_and_splits),
	KUNIT_CASE(limit_is_enospc_and_changes_nothing),
	KUNIT_CASE(action_log_only_counts),
	KUNIT_CASE(action_deny_revokes_until_set),
	KUNIT_CASE(action_pause_pauses_each_time),
	KUNIT_CASE(desc_in_words),
	{}
};

static struct kunit_suite khv_acl_suite = {
	.name = "khv_acl",
	.test_cases = khv_acl_cases,
};

kunit_test_suite(khv_acl_suite);
