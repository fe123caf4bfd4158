/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A decoder for the x86 instructions that touch MMIO: the MOV family only
 * (88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3, 0F B6/B7/BE/BF). Pure logic, vendor
 * neutral: the caller fetches the instruction bytes from the guest, decodes,
 * and applies the result with khv_insn_load_result()/khv_insn_store_data().
 * Anything else is refused, so that the run ends with "emulation failed"
 * and the bytes instead of a guess.
 */
#ifndef KHV_DECODE_H
#define KHV_DECODE_H

#include <linux/types.h>

/* SDM Vol. 2A 2.3.11: no instruction is longer than 15 bytes. */
#define KHV_INSN_MAX_LEN	15

enum khv_insn_op {
	KHV_INSN_LOAD = 1,	/* register <- memory */
	KHV_INSN_STORE,		/* memory <- register */
	KHV_INSN_STORE_IMM,	/* memory <- immediate */
};

/**
 * struct khv_insn - a decoded MMIO instruction.
 * @len: instruction length in bytes: the amount to advance RIP by.
 * @op: enum khv_insn_op.
 * @size: memory access size in bytes: 1, 2, 4 or 8.
 * @reg: the general register (RAX=0 ... R15=15) that a LOAD writes or a
 *	STORE reads; 0 for STORE_IMM. For AH/CH/DH/BH it is the register
 *	holding the byte (RAX..RBX, 0..3) and @high8 is set.
 * @reg_size: width in bytes of the register operand: the destination of a
 *	LOAD (wider than @size for MOVZX/MOVSX), the source of a STORE
 *	(equal to @size); 0 for STORE_IMM.
 * @high8: the register operand is bits 15:8 of @reg (AH, CH, DH, BH: an
 *	8-bit operand numbered 4..7 without a REX prefix).
 * @sign_extend: MOVSX: a LOAD sign-extends @size to @reg_size.
 * @zero_extend: MOVZX: a LOAD zero-extends @size to @reg_size. Plain MOVs
 *	leave both flags clear; the zeroing of bits 63:32 by every 32-bit
 *	register write is not a flag but the rule of khv_insn_load_result().
 * @imm: the value a STORE_IMM writes, @size bytes (a 64-bit C7 has its
 *	imm32 sign-extended here already).
 */
struct khv_insn {
	u8 len;
	u8 op;
	u8 size;
	u8 reg;
	u8 reg_size;
	u8 high8;
	u8 sign_extend;
	u8 zero_extend;
	u64 imm;
};

int khv_decode_mmio(const u8 *bytes, size_t avail, int mode,
		    struct khv_insn *insn);
u64 khv_insn_load_result(const struct khv_insn *insn, u64 old, u64 data);
u64 khv_insn_store_data(const struct khv_insn *insn, u64 reg);

#endif /* KHV_DECODE_H */
