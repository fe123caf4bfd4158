// SPDX-License-Identifier: GPL-2.0-only
/*
 * The nested page-table builder and walker, one for every format: what the
 * bits mean comes from struct khv_pt_format (npt.c, ept.c).
 *
 * Rules every path keeps, because processors walk the table while it changes:
 * - A table page is zeroed before an entry links it, and is freed only by
 *   khv_pt_destroy(): unlinking a table would need a flush before the free.
 * - khv_pt_map() checks and allocates everything it needs before it writes
 *   its first leaf, so it maps all of the range or none of it.
 * - Leaves go from not present to present (map) or back (unmap); a present
 *   leaf is never rewritten in place.
 *
 * Every function but khv_pt_walk() and khv_pt_root_pa() may sleep: a table
 * maps up to 2^36 pages, and the loops over it give the CPU away as they go.
 */
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/io.h>

#include "../compat.h"
#include "mmu.h"

static unsigned int pt_shift(const struct khv_pt_format *fmt,
			     unsigned int level)
{
	return PAGE_SHIFT + (level - 1) * fmt->bits_per_level;
}

/* Bytes of guest-physical space one entry at @level covers. */
static u64 pt_level_size(const struct khv_pt_format *fmt, unsigned int level)
{
	return 1ULL << pt_shift(fmt, level);
}

/* Guest-physical addresses the format translates: [0, 1 << 48) for 4 levels. */
static u64 pt_reach(const struct khv_pt_format *fmt)
{
	return pt_level_size(fmt, fmt->levels + 1);
}

static unsigned int pt_index(const struct khv_pt_format *fmt, u64 gpa,
			     unsigned int level)
{
	return (gpa >> pt_shift(fmt, level)) & ((1U << fmt->bits_per_level) - 1);
}

/* Entries a loop handles between two chances for the scheduler. */
#define PT_RESCHED_EVERY	512

static void pt_resched(unsigned long *n)
{
	if (++*n % PT_RESCHED_EVERY == 0)
		cond_resched();
}

static bool pt_present(const struct khv_pt_format *fmt, u64 e)
{
	return e & fmt->present;
}

/* For a present entry: does it map memory rather than link a table? */
static bool pt_is_leaf(const struct khv_pt_format *fmt, u64 e,
		       unsigned int level)
{
	return level == KHV_PT_LEVEL_4K ||
	       ((fmt->large_levels & BIT(level)) && (e & fmt->large));
}

static u64 *pt_child(const struct khv_pt_format *fmt, u64 e)
{
	return phys_to_virt(e & fmt->addr_mask);
}

/* The level of the builder's large leaves, 0 if the format has none. */
static unsigned int pt_large_level(const struct khv_pt_format *fmt)
{
	unsigned int above_4k = fmt->large_levels & ~(BIT(KHV_PT_LEVEL_4K + 1) - 1);

	return above_4k ? __ffs(above_4k) : 0;
}

static u64 pt_make_leaf(const struct khv_pt_format *fmt, phys_addr_t hpa,
			unsigned int prot, unsigned int level)
{
	u64 e = (hpa & fmt->addr_mask) | fmt->read |
		(prot & KHV_PT_UC ? fmt->leaf_flags_uc : fmt->leaf_flags);

	if (prot & KHV_PT_W)
		e |= fmt->write;
	e |= (prot & KHV_PT_X) ? fmt->exec : fmt->nx;
	if (level > KHV_PT_LEVEL_4K)
		e |= fmt->large;
	return e;
}

static unsigned int pt_leaf_prot(const struct khv_pt_format *fmt, u64 e)
{
	unsigned int prot = 0;

	if (e & fmt->read)
		prot |= KHV_PT_R;
	if (e & fmt->write)
		prot |= KHV_PT_W;
	if (fmt->exec ? (e & fmt->exec) : !(e & fmt->nx))
		prot |= KHV_PT_X;
	if (fmt->leaf_flags_uc != fmt->leaf_flags &&
	    (e & (fmt->leaf_flags | fmt->leaf_flags_uc)) == fmt->leaf_flags_uc)
		prot |= KHV_PT_UC;
	return prot;
}

/*
 * Walk towards @gpa from the root and return the entry where the walk ends:
 * at @stop_level, at a leaf or at an entry that is not present. Its level
 * goes to *levelp; @entries, if given, gets every entry read, by level.
 */
static u64 *pt_lookup(const struct khv_pt *pt, u64 gpa, unsigned int stop_level,
		      unsigned int *levelp, u64 *entries)
{
	const struct khv_pt_format *fmt = pt->fmt;
	unsigned int level = fmt->levels;
	u64 *table = pt->root;

	for (;;) {
		u64 *ptep = &table[pt_index(fmt, gpa, level)];
		u64 e = READ_ONCE(*ptep);

		if (entries)
			entries[level] = e;
		if (level == stop_level || !pt_present(fmt, e) ||
		    pt_is_leaf(fmt, e, level)) {
			*levelp = level;
			return ptep;
		}
		table = pt_child(fmt, e);
		level--;
	}
}

/* Link a new, empty table at the non-present entry *@ptep. */
static int pt_populate(struct khv_pt *pt, u64 *ptep)
{
	const struct khv_pt_format *fmt = pt->fmt;
	unsigned long table;

	if (pt->max_tables && pt->nr_tables >= pt->max_tables)
		return -ENOMEM;
	table = get_zeroed_page(pt->gfp);
	if (!table)
		return -ENOMEM;
	pt->nr_tables++;
	/* The zeroes must be visible before the link, as in pmd_install(). */
	smp_wmb();
	WRITE_ONCE(*ptep, (__pa(table) & fmt->addr_mask) | fmt->table_flags);
	return 0;
}

/*
 * The entry for @gpa at @level, linking any table missing above it.
 * -EEXIST: a leaf above @level covers @gpa.
 */
static int pt_prepare(struct khv_pt *pt, u64 gpa, unsigned int level,
		      u64 **ptepp)
{
	unsigned int at;
	u64 *ptep;
	int ret;

	for (;;) {
		ptep = pt_lookup(pt, gpa, level, &at, NULL);
		if (at == level) {
			*ptepp = ptep;
			return 0;
		}
		if (pt_present(pt->fmt, READ_ONCE(*ptep)))
			return -EEXIST;
		ret = pt_populate(pt, ptep);
		if (ret)
			return ret;
	}
}

/*
 * One pass over the range of khv_pt_map(). The first (!@commit) checks that
 * nothing in the range is mapped and links every table the second needs;
 * the second (@commit) writes the leaves, making the same choices, and
 * cannot fail.
 */
static int pt_map_pass(struct khv_pt *pt, u64 gpa, phys_addr_t hpa, u64 size,
		       unsigned int prot, bool commit)
{
	const struct khv_pt_format *fmt = pt->fmt;
	unsigned int large_level = pt_large_level(fmt);
	u64 large = large_level ? pt_level_size(fmt, large_level) : 0;
	unsigned long steps = 0;
	u64 off = 0;
	u64 *ptep;
	int ret;

	while (off < size) {
		u64 g = gpa + off;
		phys_addr_t h = hpa + off;

		pt_resched(&steps);

		if (large && IS_ALIGNED(g | h, large) && size - off >= large) {
			ret = pt_prepare(pt, g, large_level, &ptep);
			if (ret)
				return ret;
			if (!pt_present(fmt, READ_ONCE(*ptep))) {
				if (commit)
					WRITE_ONCE(*ptep, pt_make_leaf(fmt, h, prot,
								       large_level));
				off += large;
				continue;
			}
			/*
			 * A table from earlier 4 KiB mappings (tables are not
			 * freed before destroy) or a leaf: go on with 4 KiB
			 * leaves, which find the conflict if there is one.
			 */
		}
		ret = pt_prepare(pt, g, KHV_PT_LEVEL_4K, &ptep);
		if (ret)
			return ret;
		if (pt_present(fmt, READ_ONCE(*ptep)))
			return -EEXIST;
		if (commit)
			WRITE_ONCE(*ptep, pt_make_leaf(fmt, h, prot,
						       KHV_PT_LEVEL_4K));
		off += PAGE_SIZE;
	}
	return 0;
}

static bool pt_range_ok(const struct khv_pt_format *fmt, u64 gpa, u64 size)
{
	return size && IS_ALIGNED(gpa | size, PAGE_SIZE) &&
	       gpa + size > gpa && gpa + size <= pt_reach(fmt);
}

/**
 * khv_pt_init() - set up an empty nested page table
 * @pt: the table
 * @fmt: its format (&khv_npt_format or &khv_ept_format)
 * @gfp: flags for every table page (GFP_KERNEL_ACCOUNT: charged to the VMM)
 *
 * Return: 0, -ENOMEM, or -EINVAL for a format the walker cannot handle.
 */
int khv_pt_init(struct khv_pt *pt, const struct khv_pt_format *fmt, gfp_t gfp)
{
	unsigned long root;

	memset(pt, 0, sizeof(*pt));
	if (WARN_ON_ONCE(fmt->levels < 2 || fmt->levels > KHV_PT_MAX_LEVELS ||
			 sizeof(u64) << fmt->bits_per_level != PAGE_SIZE))
		return -EINVAL;
	root = get_zeroed_page(gfp);
	if (!root)
		return -ENOMEM;
	pt->fmt = fmt;
	pt->gfp = gfp;
	pt->root = (u64 *)root;
	pt->nr_tables = 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_init);

static void pt_free_table(struct khv_pt *pt, u64 *table, unsigned int level)
{
	const struct khv_pt_format *fmt = pt->fmt;
	unsigned int i;

	/* Once per table: 2^24 of them for the whole reach in 4 KiB leaves. */
	cond_resched();
	for (i = 0; level > KHV_PT_LEVEL_4K && i < BIT(fmt->bits_per_level); i++) {
		u64 e = READ_ONCE(table[i]);

		if (pt_present(fmt, e) && !pt_is_leaf(fmt, e, level))
			pt_free_table(pt, pt_child(fmt, e), level - 1);
	}
	free_page((unsigned long)table);
	pt->nr_tables--;
}

/**
 * khv_pt_destroy() - free every table page
 * @pt: the table; a zeroed or already destroyed one is left alone
 *
 * The mapped memory is the caller's and is not touched. No processor may use
 * the table any more, and the translations cached from it must have been
 * invalidated (INVEPT of its EPTP, a flush of its ASID): a new table could
 * get the same root page, and with it the stale translations.
 */
void khv_pt_destroy(struct khv_pt *pt)
{
	might_sleep();
	if (!pt->root)
		return;
	pt_free_table(pt, pt->root, pt->fmt->levels);
	pt->root = NULL;
	WARN_ON_ONCE(pt->nr_tables);
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_destroy);

/**
 * khv_pt_map() - map guest-physical [@gpa, @gpa + @size) to host @hpa
 * @pt: the table
 * @gpa: first guest-physical address, 4 KiB aligned
 * @hpa: first host-physical address, 4 KiB aligned; the caller owns the pages
 * @size: bytes, a non-zero multiple of 4 KiB
 * @prot: KHV_PT_R, with KHV_PT_W and/or KHV_PT_X (both formats need R: NPT
 *	cannot deny reads, and EPT write-only is a misconfiguration, SDM
 *	Vol. 3C 29.3.3.1); KHV_PT_UC makes the leaves uncacheable
 *
 * Uses 2 MiB leaves where @gpa and @hpa are both 2 MiB aligned and 2 MiB
 * remain, 4 KiB leaves elsewhere (and inside a 2 MiB region that already has
 * a table from an earlier 4 KiB mapping).
 *
 * All or nothing: on any error no new mapping exists. Tables allocated before
 * an -ENOMEM stay linked, empty, until khv_pt_destroy().
 *
 * No flush is needed: processors cache no translation from a not-present
 * entry (SDM Vol. 3C 29.4.2, APM Vol. 2 15.25.6); a nested fault on a gpa
 * that khv_pt_walk() finds mapped is spurious and the guest is re-entered.
 *
 * Return: 0; -EINVAL for a misaligned, empty or wrapping range, a gpa beyond
 * the format's 48 bits, an hpa beyond 52 bits, or bad @prot; -EEXIST if any
 * page of the range is mapped already; -ENOMEM.
 */
int khv_pt_map(struct khv_pt *pt, u64 gpa, phys_addr_t hpa, u64 size,
	       unsigned int prot)
{
	const struct khv_pt_format *fmt = pt->fmt;
	phys_addr_t last = hpa + size - 1;
	int ret;

	if (!pt_range_ok(fmt, gpa, size) || !IS_ALIGNED(hpa, PAGE_SIZE) ||
	    last < hpa || (last & ~(fmt->addr_mask | (PAGE_SIZE - 1))))
		return -EINVAL;
	if (!(prot & KHV_PT_R) || (prot & ~(KHV_PT_RWX | KHV_PT_UC)))
		return -EINVAL;
	might_sleep();

	ret = pt_map_pass(pt, gpa, hpa, size, prot, false);
	if (ret)
		return ret;
	ret = pt_map_pass(pt, gpa, hpa, size, prot, true);
	WARN_ON_ONCE(ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_map);

/* One pass of khv_pt_unmap(): check only, or clear (@commit). */
static int pt_unmap_pass(struct khv_pt *pt, u64 gpa, u64 size, bool commit)
{
	const struct khv_pt_format *fmt = pt->fmt;
	u64 end = gpa + size;
	unsigned long steps = 0;
	bool cleared = false;

	while (gpa < end) {
		unsigned int level;
		u64 *ptep = pt_lookup(pt, gpa, KHV_PT_LEVEL_4K, &level, NULL);
		u64 lsize = pt_level_size(fmt, level);

		pt_resched(&steps);
		if (pt_present(fmt, READ_ONCE(*ptep))) {
			if (!IS_ALIGNED(gpa, lsize) || end - gpa < lsize)
				return -EINVAL;
			if (commit)
				WRITE_ONCE(*ptep, 0);
			cleared = true;
		}
		gpa = ALIGN_DOWN(gpa, lsize) + lsize;
	}
	return cleared;
}

/**
 * khv_pt_unmap() - remove the mappings of [@gpa, @gpa + @size)
 * @pt: the table
 * @gpa: first guest-physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * Pages of the range that are not mapped are skipped. A 2 MiB leaf is never
 * split: if the range covers only part of one, nothing is unmapped and the
 * call fails, so unmapping never allocates and never fails for a range that
 * khv_pt_map() mapped in one call.
 *
 * Tables stay, empty, until khv_pt_destroy().
 *
 * Return: 1 if a mapping was removed: the caller MUST then invalidate the
 * translations cached from @pt (INVEPT of its EPTP, a flush of its ASID)
 * before the unmapped pages are reused or the guest relies on the change;
 * 0 if nothing was mapped (no flush needed); -EINVAL for a misaligned, empty
 * or wrapping range, one beyond the format's reach, or one covering part of
 * a 2 MiB leaf.
 */
int khv_pt_unmap(struct khv_pt *pt, u64 gpa, u64 size)
{
	int ret;

	if (!pt_range_ok(pt->fmt, gpa, size))
		return -EINVAL;
	might_sleep();
	ret = pt_unmap_pass(pt, gpa, size, false);
	if (ret <= 0)
		return ret;
	return pt_unmap_pass(pt, gpa, size, true);
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_unmap);

/**
 * khv_pt_walk() - translate @gpa as the processor would
 * @pt: the table
 * @gpa: guest-physical address
 * @res: the translation and the entries read
 *
 * Return: 0; -ENOENT if @gpa is not mapped (what a nested fault means:
 * the core turns it into an MMIO exit); -EINVAL beyond the format's reach.
 */
int khv_pt_walk(struct khv_pt *pt, u64 gpa, struct khv_pt_walk_result *res)
{
	const struct khv_pt_format *fmt = pt->fmt;
	unsigned int level;
	u64 e;

	memset(res, 0, sizeof(*res));
	if (gpa >= pt_reach(fmt))
		return -EINVAL;
	pt_lookup(pt, gpa, KHV_PT_LEVEL_4K, &level, res->entries);
	e = res->entries[level];
	if (!pt_present(fmt, e))
		return -ENOENT;
	res->level = level;
	res->size = pt_level_size(fmt, level);
	/* Address bits below a large leaf's size are reserved (or PAT). */
	res->hpa = (e & fmt->addr_mask & ~(res->size - 1)) |
		   (gpa & (res->size - 1));
	res->prot = pt_leaf_prot(fmt, e);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_walk);

/**
 * khv_pt_root_pa() - host-physical address of the root table
 * @pt: the table
 *
 * Return: the address that nCR3 or the EPTP carries.
 */
phys_addr_t khv_pt_root_pa(const struct khv_pt *pt)
{
	return __pa(pt->root);
}
EXPORT_SYMBOL_IF_KUNIT(khv_pt_root_pa);
