/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walking a guest's own page tables (guest-virtual to guest-physical), for
 * reading the instruction behind an MMIO exit.
 */
#ifndef KHV_GWALK_H
#define KHV_GWALK_H

#include <linux/types.h>

/* The guest's paging mode, from its CR0, CR4 and EFER. */
#define KHV_GWALK_PG	BIT(0)	/* CR0.PG */
#define KHV_GWALK_PAE	BIT(1)	/* CR4.PAE */
#define KHV_GWALK_PSE	BIT(2)	/* CR4.PSE */
#define KHV_GWALK_LMA	BIT(3)	/* EFER.LMA */

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

#endif /* KHV_GWALK_H */
