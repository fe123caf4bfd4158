// SPDX-License-Identifier: GPL-2.0-only
/*
 * Segmentation of a data access khv performs in the guest's name (the memory
 * operand of an emulated INS/OUTS): the checks the processor makes before it
 * forms the linear address (SDM Vol. 3A 3.4.5.1, 5.3, 5.4; Vol. 1 3.3.7.1).
 */
#include <linux/bits.h>
#include <linux/module.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "khv.h"
#include "x86.h"

/* Segment types (SDM Vol. 3A 3.4.5.1, Table 3-1). */
#define SEG_TYPE_CODE		BIT(3)
#define SEG_TYPE_RW		BIT(1)	/* data: writable; code: readable */
#define SEG_TYPE_EXPDOWN	BIT(2)	/* data only */

/**
 * khv_seg_linear() - the linear address of a data access through a segment,
 *	or the exception the processor raises instead.
 * @seg:    the segment register's hidden part (as KHV_GET_SREGS gives it).
 * @seg_nr: which register: KHV_SEG_ES .. KHV_SEG_GS (SS faults are #SS).
 * @cpu:    KHV_CPU_REAL (real-address or virtual-8086 mode), KHV_CPU_PROT
 *	    (protected or compatibility mode) or KHV_CPU_64 (64-bit mode).
 * @ea:     the effective address (the offset), already truncated to the
 *	    instruction's address size.
 * @size:   bytes accessed.
 * @write:  a write.
 * @linear: out: the linear address.
 *
 * 64-bit mode: only FS and GS have a base, and the address must be
 * canonical. Other modes: the offset within the limit (the bytes above it
 * for an expand-down segment), the linear address 32 bits; in protected
 * mode also a usable segment, writable for a write, readable if code.
 *
 * Return: 0, or X86_TRAP_GP or X86_TRAP_SS (error code 0).
 */
int khv_seg_linear(const struct khv_segment *seg, unsigned int seg_nr,
		   unsigned int cpu, u64 ea, unsigned int size, bool write,
		   u64 *linear)
{
	int fault = seg_nr == KHV_SEG_SS ? X86_TRAP_SS : X86_TRAP_GP;
	u64 last = ea + size - 1, top;

	if (cpu == KHV_CPU_64) {
		*linear = ea;
		if (seg_nr == KHV_SEG_FS || seg_nr == KHV_SEG_GS)
			*linear += seg->base;
		if (!khv_canonical(*linear) || !khv_canonical(*linear + size - 1))
			return fault;
		return 0;
	}
	if (cpu == KHV_CPU_PROT) {
		if (seg->unusable || !seg->present)
			return fault;
		if (seg->type & SEG_TYPE_CODE) {
			if (write || !(seg->type & SEG_TYPE_RW))
				return fault;
		} else if (write && !(seg->type & SEG_TYPE_RW)) {
			return fault;
		}
	}
	if (cpu == KHV_CPU_PROT && !(seg->type & SEG_TYPE_CODE) &&
	    (seg->type & SEG_TYPE_EXPDOWN)) {
		/* SDM 5.3: offsets limit + 1 .. 0xffff, or 4 GiB - 1 with B. */
		top = seg->db ? 0xffffffffULL : 0xffffULL;
		if (ea <= seg->limit || last > top)
			return fault;
	} else if (last > seg->limit) {
		return fault;
	}
	*linear = (seg->base + ea) & 0xffffffffULL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_seg_linear);
