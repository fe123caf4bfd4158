/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page tables: one builder and walker (pt.c) for both formats, each
 * described as data: AMD NPT (npt.c) and Intel EPT (ept.c).
 *
 * Both formats are 4-level radix trees of 4 KiB tables holding 512 64-bit
 * entries; they differ only in which bits mean what, which is what
 * struct khv_pt_format says.
 */
#ifndef KHV_MMU_H
#define KHV_MMU_H

#include <linux/compiler.h>
#include <linux/types.h>

/* Access rights of a mapping, as asked of khv_pt_map(). R is required. */
#define KHV_PT_R		BIT(0)
#define KHV_PT_W		BIT(1)
#define KHV_PT_X		BIT(2)
#define KHV_PT_RW		(KHV_PT_R | KHV_PT_W)
#define KHV_PT_RWX		(KHV_PT_R | KHV_PT_W | KHV_PT_X)
/*
 * Not an access right: the leaves are uncacheable whatever the guest's own
 * memory type (host MMIO mapped into the guest, module/iommu/mmio.c).
 */
#define KHV_PT_UC		BIT(3)

/* Levels as the manuals number them: 1 holds 4 KiB leaves, 4 is the root. */
#define KHV_PT_LEVEL_4K		1
#define KHV_PT_LEVEL_2M		2
#define KHV_PT_MAX_LEVELS	4

/**
 * struct khv_pt_format - the bits of one nested page-table format
 * @name: for messages
 * @levels: number of levels; the root is level @levels
 * @bits_per_level: guest-physical address bits translated by each level
 * @present: an entry is present when any of these bits is set
 * @read: set in a leaf that allows reads
 * @write: set in a leaf that allows writes
 * @exec: set in a leaf that allows instruction fetches (0: format has none)
 * @nx: set in a leaf that forbids instruction fetches (0: format has none)
 * @leaf_flags: set in every leaf (memory type, user bit, ...)
 * @leaf_flags_uc: set instead of @leaf_flags in a leaf mapped KHV_PT_UC
 * @table_flags: the whole of a non-leaf entry except the table's address
 * @large: marks a leaf above level 1
 * @large_levels: bit L set: level L may hold a leaf marked by @large; the
 *	builder places large leaves at the lowest such level above 1 only
 * @addr_mask: bits of an entry holding a host-physical address
 */
struct khv_pt_format {
	const char *name;
	unsigned int levels;
	unsigned int bits_per_level;
	u64 present;
	u64 read;
	u64 write;
	u64 exec;
	u64 nx;
	u64 leaf_flags;
	u64 leaf_flags_uc;
	u64 table_flags;
	u64 large;
	unsigned int large_levels;
	u64 addr_mask;
};

extern const struct khv_pt_format khv_npt_format;
extern const struct khv_pt_format khv_ept_format;

/**
 * struct khv_pt - one nested page table
 * @fmt: its format
 * @root: the root table (level @fmt->levels); NULL before init/after destroy
 * @gfp: allocation flags for table pages
 * @nr_tables: table pages allocated, the root included
 * @max_tables: khv_pt_map() fails with -ENOMEM rather than allocate more
 *	table pages than this; 0 means no limit
 *
 * Locking: the caller serialises khv_pt_map(), khv_pt_unmap() and
 * khv_pt_destroy() on one table (the VM's memory lock). Table pages are freed
 * only by khv_pt_destroy(), so khv_pt_walk() may run beside a map or unmap
 * (it sees each entry either before or after the change), but not beside
 * destroy. The processors of running vCPUs walk the table concurrently at all
 * times: entries are written with WRITE_ONCE() and in an order that keeps
 * every intermediate state valid.
 */
struct khv_pt {
	const struct khv_pt_format *fmt;
	u64 *root;
	gfp_t gfp;
	unsigned long nr_tables;
	unsigned long max_tables;
};

/**
 * struct khv_pt_walk_result - what khv_pt_walk() found
 * @hpa: the host-physical address @gpa translates to
 * @prot: KHV_PT_R/W/X the leaf allows, and KHV_PT_UC for an uncacheable one
 * @level: level of the leaf (KHV_PT_LEVEL_4K or KHV_PT_LEVEL_2M)
 * @size: size of the leaf's page in bytes
 * @entries: raw entries read on the way, indexed by level (0 unused); levels
 *	below the leaf are 0
 */
struct khv_pt_walk_result {
	phys_addr_t hpa;
	unsigned int prot;
	unsigned int level;
	u64 size;
	u64 entries[KHV_PT_MAX_LEVELS + 1];
};

int khv_pt_init(struct khv_pt *pt, const struct khv_pt_format *fmt, gfp_t gfp);
void khv_pt_destroy(struct khv_pt *pt);
int khv_pt_map(struct khv_pt *pt, u64 gpa, phys_addr_t hpa, u64 size,
	       unsigned int prot);
int __must_check khv_pt_unmap(struct khv_pt *pt, u64 gpa, u64 size);
int khv_pt_walk(struct khv_pt *pt, u64 gpa, struct khv_pt_walk_result *res);
phys_addr_t khv_pt_root_pa(const struct khv_pt *pt);

u64 khv_npt_root(const struct khv_pt *pt);
u64 khv_ept_pointer(const struct khv_pt *pt, bool ad);

#endif /* KHV_MMU_H */
