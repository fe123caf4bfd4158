/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walking a guest's own page tables (guest-virtual to guest-physical): for
 * reading the instruction behind an MMIO exit, and for the memory operands
 * of the string I/O instructions khv emulates, with the permission checks
 * the processor would make.
 */
#ifndef KHV_GWALK_H
#define KHV_GWALK_H

#include <linux/bits.h>
#include <linux/types.h>

/* The guest's paging mode, from its CR0, CR4 and EFER. */
#define KHV_GWALK_PG	BIT(0)	/* CR0.PG */
#define KHV_GWALK_PAE	BIT(1)	/* CR4.PAE */
#define KHV_GWALK_PSE	BIT(2)	/* CR4.PSE */
#define KHV_GWALK_LMA	BIT(3)	/* EFER.LMA */
#define KHV_GWALK_WP	BIT(4)	/* CR0.WP */
#define KHV_GWALK_NXE	BIT(5)	/* EFER.NXE */
#define KHV_GWALK_SMEP	BIT(6)	/* CR4.SMEP */
#define KHV_GWALK_SMAP	BIT(7)	/* CR4.SMAP */
/* Not from the control registers: the caller adds it from EFLAGS.AC. */
#define KHV_GWALK_AC	BIT(8)

/**
 * typedef khv_gwalk_read_t - read a guest-physical little-endian value.
 * @ctx:  the caller's context.
 * @gpa:  where.
 * @size: 4 or 8 bytes.
 * @val:  out.
 *
 * Return: 0, or -EFAULT when @gpa is not guest RAM.
 */
typedef int (*khv_gwalk_read_t)(void *ctx, u64 gpa, unsigned int size,
				u64 *val);

unsigned int khv_gwalk_mode(u64 cr0, u64 cr4, u64 efer);
int khv_gwalk(u64 gva, u64 cr3, unsigned int mode, khv_gwalk_read_t read,
	      void *ctx, u64 *gpa);
int khv_gwalk_access(u64 gva, u64 cr3, unsigned int mode, u32 access,
		     khv_gwalk_read_t read, void *ctx, u64 *gpa, u32 *pfec);

#endif /* KHV_GWALK_H */
