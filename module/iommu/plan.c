// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a region of guest RAM is mapped, the pure part: the same runs of
 * pages go into the nested page table (mem.c) and into every IOMMU domain
 * of the VM's assigned functions (domain.c), so that a device reaches
 * exactly what the guest's processors do; read-only regions are read-only
 * to devices too. No locks, no allocation: plan_test.c tests it.
 */
#include <linux/bits.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <kunit/visibility.h>
#include <uapi/linux/khv.h>

#include "iommu.h"

/* A run never crosses a 2 MiB boundary of guest-physical space. */
#define KHV_RUN_PAGES	(SZ_2M >> PAGE_SHIFT)

/**
 * khv_slot_run_max() - the longest run that may start at page @i of a
 *	region.
 * @gpa:    the region's guest-physical base, page-aligned.
 * @i:      the page, below @npages.
 * @npages: the region's pages.
 *
 * Return: pages up to the next 2 MiB boundary of guest-physical space or
 * the region's end, whichever comes first (at least 1): one step of
 * mapping stays short, and a 2 MiB-aligned run of 2 MiB can be one large
 * leaf or IOMMU page.
 */
unsigned long khv_slot_run_max(u64 gpa, unsigned long i, unsigned long npages)
{
	unsigned long gfn = (gpa >> PAGE_SHIFT) + i;

	return min(npages - i, KHV_RUN_PAGES - gfn % KHV_RUN_PAGES);
}
EXPORT_SYMBOL_IF_KUNIT(khv_slot_run_max);

/**
 * khv_page_run() - how many of @pages, from the first, are allocated and
 *	physically contiguous.
 * @pages: a region's pages from some index on; NULL for one not yet
 *	touched (mem_touch.c).
 * @max:   look at no more than this many (khv_slot_run_max()).
 *
 * Return: the run's length; 0 if the first page is not allocated.
 */
unsigned long khv_page_run(struct page *const *pages, unsigned long max)
{
	unsigned long n;

	if (!max || !pages[0])
		return 0;
	for (n = 1; n < max && pages[n] &&
	     page_to_pfn(pages[n]) == page_to_pfn(pages[0]) + n; n++)
		;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(khv_page_run);

/**
 * khv_slot_next_run() - the next run of a region's allocated pages.
 * @gpa:    the region's guest-physical base.
 * @pages:  its pages (NULL: not yet touched).
 * @npages: how many.
 * @i:      in: the page to look from; out: the run's first page.
 *
 * Runs as khv_page_run() and khv_slot_run_max() cut them: for (i = 0;
 * (n = khv_slot_next_run(..., &i)); i += n) visits each once.
 * Return: the run's length; 0 when no allocated page is left.
 */
unsigned long khv_slot_next_run(u64 gpa, struct page *const *pages,
				unsigned long npages, unsigned long *i)
{
	unsigned long n;

	for (; *i < npages; (*i)++) {
		n = khv_page_run(&pages[*i], khv_slot_run_max(gpa, *i, npages));
		if (n)
			return n;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_slot_next_run);

/**
 * khv_iommu_slot_prot() - the IOMMU rights of a region's pages.
 * @slot_flags: the region's KHV_MEM_* flags.
 * @prot:       IOMMU_READ | IOMMU_WRITE, with IOMMU_CACHE where the IOMMU
 *	enforces snooping (domain.c).
 *
 * Return: @prot, without IOMMU_WRITE for a read-only region: a device
 * cannot write what the guest's processors may not.
 */
int khv_iommu_slot_prot(u32 slot_flags, int prot)
{
	return slot_flags & KHV_MEM_READONLY ? prot & ~IOMMU_WRITE : prot;
}
EXPORT_SYMBOL_IF_KUNIT(khv_iommu_slot_prot);
