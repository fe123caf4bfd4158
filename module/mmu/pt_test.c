// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: nested page-table construction and walks (pt.c), for both formats
 * (npt.c, ept.c). The host-physical addresses are fake: the builder touches
 * its table pages only, never the memory it maps.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../compat.h"
#include "mmu.h"

#define GPA	0x40000000ULL		/* 1 GiB: own PDPT entry */
#define HPA	0x100000000ULL		/* 4 GiB, fake */
#define REACH	BIT_ULL(48)		/* what four levels translate */

static const struct khv_pt_format *const pt_formats[] = {
	&khv_npt_format,
	&khv_ept_format,
};

static void pt_format_desc(const struct khv_pt_format *const *fmt, char *desc)
{
	strscpy(desc, (*fmt)->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt_format, pt_formats, pt_format_desc);

/* The suite's exit destroys the table even when a case stops early. */
static int pt_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct khv_pt), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void pt_test_exit(struct kunit *test)
{
	khv_pt_destroy(test->priv);
}

static struct khv_pt *pt_setup(struct kunit *test,
			       const struct khv_pt_format *fmt)
{
	struct khv_pt *pt = test->priv;

	if (!fmt)
		fmt = *(const struct khv_pt_format *const *)test->param_value;
	KUNIT_ASSERT_EQ(test, khv_pt_init(pt, fmt, GFP_KERNEL), 0);
	return pt;
}

static void expect_mapped(struct kunit *test, struct khv_pt *pt, u64 gpa,
			  u64 hpa, unsigned int level, unsigned int prot)
{
	struct khv_pt_walk_result r;

	KUNIT_ASSERT_EQ_MSG(test, khv_pt_walk(pt, gpa, &r), 0, "gpa %llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, (u64)r.hpa, hpa, "gpa %llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, r.level, level, "gpa %llx", gpa);
	KUNIT_EXPECT_EQ(test, r.size, level == KHV_PT_LEVEL_2M ? SZ_2M : SZ_4K);
	KUNIT_EXPECT_EQ_MSG(test, r.prot, prot, "gpa %llx", gpa);
}

static void expect_unmapped(struct kunit *test, struct khv_pt *pt, u64 gpa)
{
	struct khv_pt_walk_result r;

	KUNIT_EXPECT_EQ_MSG(test, khv_pt_walk(pt, gpa, &r), -ENOENT,
			    "gpa %llx", gpa);
}

/* The raw leaf entry for @gpa. */
static u64 leaf_entry(struct kunit *test, struct khv_pt *pt, u64 gpa)
{
	struct khv_pt_walk_result r;

	KUNIT_ASSERT_EQ(test, khv_pt_walk(pt, gpa, &r), 0);
	return r.entries[r.level];
}

static void map_aligned_4m_uses_two_2m_leaves(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4M, KHV_PT_RWX), 0);
	expect_mapped(test, pt, GPA, HPA, KHV_PT_LEVEL_2M, KHV_PT_RWX);
	expect_mapped(test, pt, GPA + 0x1234, HPA + 0x1234, KHV_PT_LEVEL_2M,
		      KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_2M + 0x1ff008, HPA + SZ_2M + 0x1ff008,
		      KHV_PT_LEVEL_2M, KHV_PT_RWX);
	expect_unmapped(test, pt, GPA - SZ_4K);
	expect_unmapped(test, pt, GPA + SZ_4M);
	/* Root, PDPT, PD: no page table below the two leaves. */
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 3UL);
}

static void map_unaligned_uses_4k_leaves(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);
	u64 off;

	/* gpa 2 MiB aligned but hpa not: no 2 MiB leaf can map it. */
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA + SZ_4K, SZ_4M,
					 KHV_PT_RW), 0);
	for (off = 0; off < SZ_4M; off += SZ_256K)
		expect_mapped(test, pt, GPA + off + 8, HPA + SZ_4K + off + 8,
			      KHV_PT_LEVEL_4K, KHV_PT_RW);
	/* Less than 2 MiB: 4 KiB leaves too. */
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_1G, HPA, SZ_1M,
					 KHV_PT_RW), 0);
	expect_mapped(test, pt, GPA + SZ_1G, HPA, KHV_PT_LEVEL_4K, KHV_PT_RW);
	expect_mapped(test, pt, GPA + SZ_1G + SZ_1M - SZ_4K,
		      HPA + SZ_1M - SZ_4K, KHV_PT_LEVEL_4K, KHV_PT_RW);
	expect_unmapped(test, pt, GPA + SZ_1G + SZ_1M);
}

static void map_crossing_2m_gives_head_middle_tail(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);
	u64 gpa = GPA + SZ_2M - SZ_8K, hpa = HPA + SZ_2M - SZ_8K;
	u64 size = SZ_8K + SZ_2M + SZ_16K;

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, gpa, hpa, size, KHV_PT_RWX), 0);
	expect_unmapped(test, pt, gpa - SZ_4K);
	expect_mapped(test, pt, gpa, hpa, KHV_PT_LEVEL_4K, KHV_PT_RWX);
	expect_mapped(test, pt, gpa + SZ_4K, hpa + SZ_4K, KHV_PT_LEVEL_4K,
		      KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_2M, HPA + SZ_2M, KHV_PT_LEVEL_2M,
		      KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_4M - 1, HPA + SZ_4M - 1,
		      KHV_PT_LEVEL_2M, KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_4M, HPA + SZ_4M, KHV_PT_LEVEL_4K,
		      KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_4M + SZ_8K + SZ_4K,
		      HPA + SZ_4M + SZ_8K + SZ_4K, KHV_PT_LEVEL_4K, KHV_PT_RWX);
	expect_unmapped(test, pt, gpa + size);
	/* Root, PDPT, PD, and a page table each for head and tail. */
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 5UL);
}

static void map_prot_round_trips(struct kunit *test)
{
	static const unsigned int prots[] = {
		KHV_PT_R, KHV_PT_R | KHV_PT_W, KHV_PT_R | KHV_PT_X, KHV_PT_RWX,
	};
	struct khv_pt *pt = pt_setup(test, NULL);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		u64 gpa = GPA + i * SZ_4M;

		KUNIT_ASSERT_EQ(test, khv_pt_map(pt, gpa, HPA, SZ_2M + SZ_4K,
						 prots[i]), 0);
		expect_mapped(test, pt, gpa, HPA, KHV_PT_LEVEL_2M, prots[i]);
		expect_mapped(test, pt, gpa + SZ_2M, HPA + SZ_2M,
			      KHV_PT_LEVEL_4K, prots[i]);
	}
}

static void walk_unmapped_is_enoent(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);
	struct khv_pt_walk_result r;

	expect_unmapped(test, pt, 0);
	expect_unmapped(test, pt, GPA);
	expect_unmapped(test, pt, REACH - 1);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_RW), 0);
	/* Beside a mapping: tables exist, the leaf does not. */
	expect_unmapped(test, pt, GPA + SZ_4K);
	expect_unmapped(test, pt, GPA + SZ_2M);
	expect_unmapped(test, pt, GPA + SZ_1G);
	KUNIT_EXPECT_EQ(test, khv_pt_walk(pt, REACH, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_walk(pt, U64_MAX, &r), -EINVAL);
}

static void map_overlap_is_eexist_and_keeps_old(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);
	unsigned long tables;

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_2M, KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_2M, HPA, SZ_4K,
					 KHV_PT_R), 0);
	tables = pt->nr_tables;

	/* Inside the 2 MiB leaf, same and other size. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA + SZ_1G, SZ_2M,
					 KHV_PT_RWX), -EEXIST);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA + SZ_1M, HPA + SZ_1G, SZ_4K,
					 KHV_PT_RWX), -EEXIST);
	/* The new range's head is free, its end hits the 2 MiB leaf. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA - SZ_4M, HPA + SZ_1G,
					 SZ_4M + SZ_2M + SZ_4K, KHV_PT_RWX),
			-EEXIST);
	/* Over a 2 MiB region whose page table holds the 4 KiB leaf. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA + SZ_2M, HPA + SZ_1G, SZ_2M,
					 KHV_PT_RWX), -EEXIST);

	expect_mapped(test, pt, GPA + SZ_1M, HPA + SZ_1M, KHV_PT_LEVEL_2M,
		      KHV_PT_R);
	expect_mapped(test, pt, GPA + SZ_2M, HPA, KHV_PT_LEVEL_4K, KHV_PT_R);
	/* All or nothing: the free head was not mapped either. */
	expect_unmapped(test, pt, GPA - SZ_4M);
	expect_unmapped(test, pt, GPA - SZ_4K);
	expect_unmapped(test, pt, GPA + SZ_2M + SZ_4K);
	/* The failed head needed a PD; no other table was added. */
	KUNIT_EXPECT_EQ(test, pt->nr_tables, tables + 1);
}

static void map_rejects_bad_ranges(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, 0, KHV_PT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA + 1, HPA, SZ_4K, KHV_PT_RW),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA + 0x800, SZ_4K,
					 KHV_PT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K + 1, KHV_PT_RW),
			-EINVAL);
	/* gpa + size wraps, or ends beyond the 48 bits of four levels. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, U64_MAX - SZ_4K + 1, HPA, SZ_8K,
					 KHV_PT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, REACH - SZ_4K, HPA, SZ_8K,
					 KHV_PT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, REACH, HPA, SZ_4K, KHV_PT_RW),
			-EINVAL);
	/* hpa wraps, or ends beyond 52 bits. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, U64_MAX - SZ_4K + 1, SZ_8K,
					 KHV_PT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, (1ULL << 52) - SZ_4K, SZ_8K,
					 KHV_PT_RW), -EINVAL);
	/* No read, or unknown bits. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_W),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_X),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K,
					 KHV_PT_RWX | KHV_PT_UC | BIT(4)), -EINVAL);
	/* The edges themselves are fine. */
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, REACH - SZ_4K,
					 (1ULL << 52) - SZ_4K, SZ_4K,
					 KHV_PT_R), 0);
	expect_mapped(test, pt, REACH - 1, (1ULL << 52) - 1, KHV_PT_LEVEL_4K,
		      KHV_PT_R);
	/* Nothing rejected allocated a table: root + 3 for the last map. */
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 4UL);
}

static void unmap_rejects_bad_ranges(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA + 1, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_4K - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, U64_MAX - SZ_4K + 1, SZ_8K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, REACH - SZ_4K, SZ_8K), -EINVAL);
	/* The whole reach, nothing mapped: fine, nothing to flush. */
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, 0, REACH), 0);
}

static void unmap_part_of_2m_leaf_is_refused(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4M, KHV_PT_RW), 0);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA + SZ_4K, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_2M - SZ_4K), -EINVAL);
	/* Covers the first leaf whole, the second in part: no change at all. */
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_2M + SZ_4K), -EINVAL);
	expect_mapped(test, pt, GPA, HPA, KHV_PT_LEVEL_2M, KHV_PT_RW);
	expect_mapped(test, pt, GPA + SZ_2M + SZ_4K, HPA + SZ_2M + SZ_4K,
		      KHV_PT_LEVEL_2M, KHV_PT_RW);
	/* Whole leaves go. */
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA + SZ_2M, SZ_2M), 1);
	expect_mapped(test, pt, GPA, HPA, KHV_PT_LEVEL_2M, KHV_PT_RW);
	expect_unmapped(test, pt, GPA + SZ_2M);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 3UL);
}

static void unmap_reports_flush_needed(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);
	u64 gpa = GPA + SZ_2M - SZ_8K;

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, gpa, HPA + SZ_2M - SZ_8K,
					 SZ_2M + SZ_16K, KHV_PT_RW), 0);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA + SZ_1G, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, gpa - SZ_4K, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, gpa, SZ_4K), 1);
	expect_unmapped(test, pt, gpa);
	expect_mapped(test, pt, gpa + SZ_4K, HPA + SZ_2M - SZ_4K,
		      KHV_PT_LEVEL_4K, KHV_PT_RW);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, gpa, SZ_4K), 0);
	/* A range that is partly mapped: all of it goes, one flush. */
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_16M), 1);
	expect_unmapped(test, pt, gpa + SZ_4K);
	expect_unmapped(test, pt, GPA + SZ_2M);
	expect_unmapped(test, pt, GPA + SZ_4M);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_16M), 0);
	/* Tables stay until destroy. */
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 5UL);
}

static void map_after_unmap_reuses_tables(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_RW), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_2M, HPA, SZ_2M,
					 KHV_PT_RW), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_unmap(pt, GPA, SZ_4M), 1);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 4UL);
	/*
	 * The first 2 MiB keep their (empty) page table: 4 KiB leaves there;
	 * the second is free again for a 2 MiB leaf.
	 */
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA + SZ_2M, SZ_4M,
					 KHV_PT_RWX), 0);
	expect_mapped(test, pt, GPA, HPA + SZ_2M, KHV_PT_LEVEL_4K, KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_2M - SZ_4K, HPA + SZ_4M - SZ_4K,
		      KHV_PT_LEVEL_4K, KHV_PT_RWX);
	expect_mapped(test, pt, GPA + SZ_2M, HPA + SZ_4M, KHV_PT_LEVEL_2M,
		      KHV_PT_RWX);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 4UL);
	KUNIT_EXPECT_EQ(test, khv_pt_unmap(pt, GPA, SZ_4M), 1);
}

static void map_enomem_maps_nothing(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	/* Head and tail each need a page table: allow only one of them. */
	pt->max_tables = 4;
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA + SZ_2M - SZ_4K,
					 HPA + SZ_2M - SZ_4K,
					 SZ_4K + SZ_2M + SZ_4K, KHV_PT_RW),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 4UL);
	expect_unmapped(test, pt, GPA + SZ_2M - SZ_4K);
	expect_unmapped(test, pt, GPA + SZ_2M);
	expect_unmapped(test, pt, GPA + SZ_4M);
	/* With the limit lifted, the same call maps all, in the same tables. */
	pt->max_tables = 0;
	KUNIT_EXPECT_EQ(test, khv_pt_map(pt, GPA + SZ_2M - SZ_4K,
					 HPA + SZ_2M - SZ_4K,
					 SZ_4K + SZ_2M + SZ_4K, KHV_PT_RW), 0);
	expect_mapped(test, pt, GPA + SZ_2M - SZ_4K, HPA + SZ_2M - SZ_4K,
		      KHV_PT_LEVEL_4K, KHV_PT_RW);
	expect_mapped(test, pt, GPA + SZ_2M, HPA + SZ_2M, KHV_PT_LEVEL_2M,
		      KHV_PT_RW);
	expect_mapped(test, pt, GPA + SZ_4M, HPA + SZ_4M, KHV_PT_LEVEL_4K,
		      KHV_PT_RW);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 5UL);
}

static void destroy_frees_every_table(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, NULL);

	/* Under three PML4 entries, with 4 KiB and 2 MiB leaves. */
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, 0, HPA, SZ_8M + SZ_4K,
					 KHV_PT_RWX), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, 1ULL << 39, HPA + SZ_4K, SZ_8K,
					 KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, REACH - SZ_1G, HPA, SZ_1G,
					 KHV_PT_RW), 0);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 1UL + 3 + 3 + 2);
	khv_pt_destroy(pt);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 0UL);
	KUNIT_EXPECT_NULL(test, pt->root);
	/* Again (as the suite's exit does): nothing left to free. */
	khv_pt_destroy(pt);
	KUNIT_EXPECT_EQ(test, pt->nr_tables, 0UL);
}

/* NPT: APM Vol. 2 5.4.1 bits, U/S on every level (APM Vol. 2 15.25.5). */
#define NPT_P	BIT_ULL(0)
#define NPT_RW	BIT_ULL(1)
#define NPT_US	BIT_ULL(2)
#define NPT_PWT	BIT_ULL(3)
#define NPT_PCD	BIT_ULL(4)
#define NPT_PS	BIT_ULL(7)
#define NPT_NX	BIT_ULL(63)
#define PT_ADDR	GENMASK_ULL(51, 12)

static void npt_leaf_bits(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_npt_format);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_2M + SZ_4K,
					 KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_4M, HPA, SZ_2M + SZ_4K,
					 KHV_PT_RWX), 0);
	/* Read-only, not executable: P, U/S, NX; no R/W. */
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA),
			HPA | NPT_P | NPT_US | NPT_PS | NPT_NX);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_2M),
			(HPA + SZ_2M) | NPT_P | NPT_US | NPT_NX);
	/* Writable and executable: R/W, no NX; PS only on the 2 MiB leaf. */
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_4M),
			HPA | NPT_P | NPT_RW | NPT_US | NPT_PS);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_4M + SZ_2M),
			(HPA + SZ_2M) | NPT_P | NPT_RW | NPT_US);
}

/* Host MMIO: PCD and PWT (host PAT 3, UC), and the walk says so. */
static void npt_uc_leaf_bits(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_npt_format);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_2M + SZ_4K,
					 KHV_PT_RW | KHV_PT_UC), 0);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA),
			HPA | NPT_P | NPT_RW | NPT_US | NPT_PWT | NPT_PCD |
			NPT_PS | NPT_NX);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_2M),
			(HPA + SZ_2M) | NPT_P | NPT_RW | NPT_US | NPT_PWT |
			NPT_PCD | NPT_NX);
	expect_mapped(test, pt, GPA, HPA, KHV_PT_LEVEL_2M,
		      KHV_PT_RW | KHV_PT_UC);
}

static void npt_table_entries(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_npt_format);
	struct khv_pt_walk_result r;
	unsigned int level;

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_walk(pt, GPA, &r), 0);
	KUNIT_EXPECT_EQ(test, r.level, KHV_PT_LEVEL_4K);
	for (level = 4; level > KHV_PT_LEVEL_4K; level--) {
		KUNIT_EXPECT_EQ(test, r.entries[level] & ~PT_ADDR,
				NPT_P | NPT_RW | NPT_US);
		KUNIT_EXPECT_NE(test, r.entries[level] & PT_ADDR, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, khv_npt_root(pt), (u64)khv_pt_root_pa(pt));
	KUNIT_EXPECT_EQ(test, khv_npt_root(pt) & ~PT_ADDR, 0ULL);
}

/* EPT: SDM Vol. 3C 29.3.2 bits; memory type WB (6) and IPAT on leaves. */
#define EPT_RWX		GENMASK_ULL(2, 0)
#define EPT_IPAT	BIT_ULL(6)
#define EPT_WB_IPAT	((6ULL << 3) | EPT_IPAT)
#define EPT_LARGE	BIT_ULL(7)

static void ept_leaf_bits(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_ept_format);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_2M + SZ_4K,
					 KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_4M, HPA, SZ_4K,
					 KHV_PT_R | KHV_PT_W), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_8M, HPA, SZ_2M,
					 KHV_PT_R | KHV_PT_X), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA + SZ_16M, HPA, SZ_4K,
					 KHV_PT_RWX), 0);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA),
			HPA | BIT_ULL(0) | EPT_WB_IPAT | EPT_LARGE);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_2M),
			(HPA + SZ_2M) | BIT_ULL(0) | EPT_WB_IPAT);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_4M),
			HPA | BIT_ULL(0) | BIT_ULL(1) | EPT_WB_IPAT);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_8M),
			HPA | BIT_ULL(0) | BIT_ULL(2) | EPT_WB_IPAT | EPT_LARGE);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_16M),
			HPA | EPT_RWX | EPT_WB_IPAT);
}

/* Host MMIO: memory type 0 (UC) in bits 5:3, IPAT kept. */
static void ept_uc_leaf_bits(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_ept_format);

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_2M + SZ_4K,
					 KHV_PT_RW | KHV_PT_UC), 0);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA),
			HPA | BIT_ULL(0) | BIT_ULL(1) | EPT_IPAT | EPT_LARGE);
	KUNIT_EXPECT_EQ(test, leaf_entry(test, pt, GPA + SZ_2M),
			(HPA + SZ_2M) | BIT_ULL(0) | BIT_ULL(1) | EPT_IPAT);
	expect_mapped(test, pt, GPA + SZ_2M, HPA + SZ_2M, KHV_PT_LEVEL_4K,
		      KHV_PT_RW | KHV_PT_UC);
}

static void ept_table_entries(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_ept_format);
	struct khv_pt_walk_result r;
	unsigned int level;

	KUNIT_ASSERT_EQ(test, khv_pt_map(pt, GPA, HPA, SZ_4K, KHV_PT_R), 0);
	KUNIT_ASSERT_EQ(test, khv_pt_walk(pt, GPA, &r), 0);
	/* R|W|X only: bits 7:3 of a non-leaf entry are reserved. */
	for (level = 4; level > KHV_PT_LEVEL_4K; level--) {
		KUNIT_EXPECT_EQ(test, r.entries[level] & ~PT_ADDR, EPT_RWX);
		KUNIT_EXPECT_NE(test, r.entries[level] & PT_ADDR, 0ULL);
	}
}

static void ept_pointer_value(struct kunit *test)
{
	struct khv_pt *pt = pt_setup(test, &khv_ept_format);
	u64 root = khv_pt_root_pa(pt);

	/* SDM Vol. 3C 25.6.11: WB (6), walk length 4 - 1 in 5:3, A/D bit 6. */
	KUNIT_EXPECT_EQ(test, root & ~PT_ADDR, 0ULL);
	KUNIT_EXPECT_EQ(test, khv_ept_pointer(pt, false), root | 6 | (3 << 3));
	KUNIT_EXPECT_EQ(test, khv_ept_pointer(pt, true),
			root | 6 | (3 << 3) | BIT_ULL(6));
}

static struct kunit_case khv_mmu_cases[] = {
	KUNIT_CASE_PARAM(map_aligned_4m_uses_two_2m_leaves,
			 pt_format_gen_params),
	KUNIT_CASE_PARAM(map_unaligned_uses_4k_leaves, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_crossing_2m_gives_head_middle_tail,
			 pt_format_gen_params),
	KUNIT_CASE_PARAM(map_prot_round_trips, pt_format_gen_params),
	KUNIT_CASE_PARAM(walk_unmapped_is_enoent, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_overlap_is_eexist_and_keeps_old,
			 pt_format_gen_params),
	KUNIT_CASE_PARAM(map_rejects_bad_ranges, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_rejects_bad_ranges, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_part_of_2m_leaf_is_refused,
			 pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_reports_flush_needed, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_after_unmap_reuses_tables, pt_format_gen_params),
	KUNIT_CASE_PARAM(map_enomem_maps_nothing, pt_format_gen_params),
	KUNIT_CASE_PARAM(destroy_frees_every_table, pt_format_gen_params),
	KUNIT_CASE(npt_leaf_bits),
	KUNIT_CASE(npt_uc_leaf_bits),
	KUNIT_CASE(npt_table_entries),
	KUNIT_CASE(ept_leaf_bits),
	KUNIT_CASE(ept_uc_leaf_bits),
	KUNIT_CASE(ept_table_entries),
	KUNIT_CASE(ept_pointer_value),
	{}
};

static struct kunit_suite khv_mmu_suite = {
	.name = "khv_mmu",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = khv_mmu_cases,
};

kunit_test_suite(khv_mmu_suite);
