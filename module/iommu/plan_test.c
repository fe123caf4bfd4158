// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: how a region of guest RAM is cut into runs for the nested page
 * table and the IOMMU domains (plan.c): physically contiguous pages only,
 * holes (pages not yet touched) skipped, never across a 2 MiB boundary of
 * guest-physical space, never past the region; and the rights a device
 * gets on a read-only region. The pages are real (one order-2 block, split,
 * and one page apart), never written.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <uapi/linux/khv.h>

#include "../compat.h"
#include "iommu.h"

/* p[0..3] physically contiguous, p[4] elsewhere. */
struct plan_pages {
	struct page *p[5];
};

static int plan_test_init(struct kunit *test)
{
	struct plan_pages *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);
	struct page *block;
	int i;

	if (!pp)
		return -ENOMEM;
	test->priv = pp;
	block = alloc_pages(GFP_KERNEL, 2);
	if (!block)
		return -ENOMEM;
	split_page(block, 2);
	for (i = 0; i < 4; i++)
		pp->p[i] = block + i;
	pp->p[4] = alloc_page(GFP_KERNEL);
	return 0;
}

static void plan_test_exit(struct kunit *test)
{
	struct plan_pages *pp = test->priv;
	int i;

	for (i = 0; pp && i < 5; i++)
		if (pp->p[i])
			__free_page(pp->p[i]);
}

static struct page **plan_pages(struct kunit *test)
{
	struct plan_pages *pp = test->priv;

	KUNIT_ASSERT_NOT_NULL(test, pp->p[4]);
	return pp->p;
}

static void run_max_stops_at_2m_and_region_end(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(0, 0, 1024), 512UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(0, 512, 1024), 512UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(0, 1000, 1024), 24UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(SZ_4K, 0, 1024), 511UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(SZ_2M - SZ_4K, 0, 10), 1UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(SZ_2M - SZ_4K, 1, 10), 9UL);
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(0, 1, 3), 2UL);
	/* Far up: 2^48 - 2 MiB is a boundary too. */
	KUNIT_EXPECT_EQ(test, khv_slot_run_max(BIT_ULL(48) - SZ_2M, 0, 512),
			512UL);
}

static void page_run_contiguous_only(struct kunit *test)
{
	struct page **p = plan_pages(test);
	struct page *all[4] = { p[0], p[1], p[2], p[3] };
	struct page *gap[4] = { p[0], p[1], NULL, p[3] };
	struct page *skip[3] = { p[0], p[2], p[3] };
	struct page *down[2] = { p[1], p[0] };
	struct page *apart[3] = { p[2], p[3], p[4] };
	struct page *hole[2] = { NULL, p[0] };

	KUNIT_EXPECT_EQ(test, khv_page_run(all, 4), 4UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(all, 3), 3UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(all, 0), 0UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(gap, 4), 2UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(skip, 3), 1UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(down, 2), 1UL);
	KUNIT_EXPECT_EQ(test, khv_page_run(apart, 3), 2UL);
	/* A page not yet touched starts no run. */
	KUNIT_EXPECT_EQ(test, khv_page_run(hole, 2), 0UL);
}

struct plan_run {
	unsigned long first, n;
};

/* The runs domain.c and mem.c map for a region at @gpa: into @runs. */
static int plan_region(u64 gpa, struct page **pages, unsigned long npages,
		       struct plan_run *runs, int max)
{
	unsigned long i, n;
	int nr = 0;

	for (i = 0; nr < max && (n = khv_slot_next_run(gpa, pages, npages, &i));
	     i += n) {
		runs[nr].first = i;
		runs[nr++].n = n;
	}
	return nr;
}

static void region_plan_maps_each_page_once(struct kunit *test)
{
	struct page **p = plan_pages(test);
	struct page *region[7] = { NULL, p[0], p[1], p[2], p[3], NULL, p[4] };
	struct plan_run runs[8];
	int nr;

	/* Page 3 of the region is the first of a 2 MiB frame: a cut there. */
	nr = plan_region(SZ_2M - 3 * SZ_4K, region, 7, runs, 8);
	KUNIT_ASSERT_EQ(test, nr, 3);
	KUNIT_EXPECT_EQ(test, runs[0].first, 1UL);
	KUNIT_EXPECT_EQ(test, runs[0].n, 2UL);
	KUNIT_EXPECT_EQ(test, runs[1].first, 3UL);
	KUNIT_EXPECT_EQ(test, runs[1].n, 2UL);
	KUNIT_EXPECT_EQ(test, runs[2].first, 6UL);
	KUNIT_EXPECT_EQ(test, runs[2].n, 1UL);
	/* Aligned elsewhere: one run for the block. */
	nr = plan_region(SZ_1G, region, 7, runs, 8);
	KUNIT_ASSERT_EQ(test, nr, 2);
	KUNIT_EXPECT_EQ(test, runs[0].first, 1UL);
	KUNIT_EXPECT_EQ(test, runs[0].n, 4UL);
	KUNIT_EXPECT_EQ(test, runs[1].first, 6UL);
	KUNIT_EXPECT_EQ(test, runs[1].n, 1UL);
}

static void readonly_region_is_read_only_to_devices(struct kunit *test)
{
	int rw = IOMMU_READ | IOMMU_WRITE;

	KUNIT_EXPECT_EQ(test, khv_iommu_slot_prot(0, rw), rw);
	KUNIT_EXPECT_EQ(test, khv_iommu_slot_prot(KHV_MEM_READONLY, rw),
			IOMMU_READ);
	KUNIT_EXPECT_EQ(test, khv_iommu_slot_prot(KHV_MEM_READONLY,
						  rw | IOMMU_CACHE),
			IOMMU_READ | IOMMU_CACHE);
}

static struct kunit_case khv_iommu_plan_cases[] = {
	KUNIT_CASE(run_max_stops_at_2m_and_region_end),
	KUNIT_CASE(page_run_contiguous_only),
	KUNIT_CASE(region_plan_maps_each_page_once),
	KUNIT_CASE(readonly_region_is_read_only_to_devices),
	{}
};

static struct kunit_suite khv_iommu_plan_suite = {
	.name = "khv_iommu_plan",
	.init = plan_test_init,
	.exit = plan_test_exit,
	.test_cases = khv_iommu_plan_cases,
};

kunit_test_suite(khv_iommu_plan_suite);
