// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MOV-family decoder for MMIO emulation (decode.h). It works out what
 * the instruction moves and how long it is; the faulting guest-physical
 * address comes from the exit, so segments and the effective address are
 * not computed. Section numbers are those of the Intel SDM.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

#include "compat.h"
#include "decode.h"

#define REX_W	0x8
#define REX_R	0x4

struct decoder {
	const u8 *bytes;
	size_t avail;
	size_t pos;
};

/* A byte beyond what the caller gave, or beyond 15, is -EINVAL. */
static int fetch(struct decoder *d, u8 *byte)
{
	if (d->pos >= d->avail)
		return -EINVAL;
	*byte = d->bytes[d->pos++];
	return 0;
}

/* Fetch an n-byte little-endian immediate, or just skip a displacement. */
static int fetch_le(struct decoder *d, unsigned int n, u64 *val)
{
	unsigned int i;

	if (d->avail - d->pos < n)
		return -EINVAL;
	if (val) {
		*val = 0;
		for (i = 0; i < n; i++)
			*val |= (u64)d->bytes[d->pos + i] << (8 * i);
	}
	d->pos += n;
	return 0;
}

/*
 * Skip the SIB byte and displacement of a memory operand; a register
 * operand (mod=11) cannot be what faulted on MMIO.
 */
static int skip_mem_operand(struct decoder *d, u8 modrm, int addr_size)
{
	u8 mod = modrm >> 6, rm = modrm & 7, sib;
	unsigned int disp;
	int ret;

	if (mod == 3)
		return -EOPNOTSUPP;

	if (addr_size == 2) {
		/* Vol. 2A Table 2-1: mod=00 rm=110 is [disp16]. */
		if (mod == 0)
			disp = rm == 6 ? 2 : 0;
		else
			disp = mod == 1 ? 1 : 2;
		return fetch_le(d, disp, NULL);
	}

	/*
	 * Vol. 2A Tables 2-2 and 2-3: rm=100 brings a SIB byte; mod=00 with
	 * rm=101 is disp32 (RIP/EIP-relative in 64-bit mode, 2.2.1.6), and
	 * so is a SIB base of 101 with mod=00. Table 2-5: REX.B/REX.X do not
	 * take part in these special cases, so R12/R13 behave as RSP/RBP.
	 */
	if (mod == 0)
		disp = rm == 5 ? 4 : 0;
	else
		disp = mod == 1 ? 1 : 4;
	if (rm == 4) {
		ret = fetch(d, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	}
	return fetch_le(d, disp, NULL);
}

/*
 * The register operand of ModRM.reg. Vol. 2A 2.2.1.2 and Table 3-1: with
 * an 8-bit operand and no REX prefix, 4..7 are AH, CH, DH, BH, bits 15:8
 * of RAX..RBX; any REX prefix makes them SPL, BPL, SIL, DIL instead.
 */
static void set_reg(struct khv_insn *insn, u8 modrm, u8 rex, u8 reg_size)
{
	u8 reg = (modrm >> 3) & 7;

	if (rex & REX_R)
		reg += 8;
	if (reg_size == 1 && !rex && reg >= 4) {
		reg -= 4;
		insn->high8 = 1;
	}
	insn->reg = reg;
	insn->reg_size = reg_size;
}

/**
 * khv_decode_mmio() - decode the MOV-family instruction that touched MMIO.
 * @bytes: the instruction bytes, fetched by the caller from guest memory.
 * @avail: how many of @bytes are valid; more than 15 are never looked at.
 * @mode: 16 (real mode, virtual-8086 or a 16-bit code segment), 32 (a 32-bit
 *	code segment, CS.D=1, legacy or compatibility mode) or 64 (64-bit
 *	mode: EFER.LMA and CS.L); the default operand and address size.
 * @insn: filled in on success, zeroed otherwise.
 *
 * Legacy prefixes 66, 67 and the segment overrides are accepted (the
 * overrides do not matter: the exit gives the physical address), REX in
 * 64-bit mode; LOCK, REP and REPNE are refused. Only the memory forms of
 * 88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3 and 0F B6/B7/BE/BF are decoded.
 *
 * Return: 0; -EOPNOTSUPP for any other instruction or form, which the
 * caller reports as "emulation failed" with the bytes; -EINVAL for an
 * unknown @mode, or when the instruction does not end within @avail bytes
 * or is longer than 15 bytes.
 */
int khv_decode_mmio(const u8 *bytes, size_t avail, int mode,
		    struct khv_insn *insn)
{
	struct decoder d = {
		.bytes = bytes,
		.avail = min_t(size_t, avail, KHV_INSN_MAX_LEN),
	};
	bool opsize_prefix = false, addrsize_prefix = false;
	int op_size, addr_size, ret;
	u8 rex = 0, opcode, modrm;
	u64 imm;

	memset(insn, 0, sizeof(*insn));
	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;

	/* Vol. 2A 2.1.1 (legacy prefixes, any order) and 2.2.1 (REX). */
	for (;;) {
		ret = fetch(&d, &opcode);
		if (ret)
			return ret;
		switch (opcode) {
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			break;
		case 0xf0: case 0xf2: case 0xf3:
			return -EOPNOTSUPP;
		default:
			if (mode == 64 && (opcode & 0xf0) == 0x40) {
				rex = opcode;
				continue;
			}
			goto prefixes_done;
		}
		/* Vol. 2A 2.2.1: a REX not right before the opcode is ignored. */
		rex = 0;
	}
prefixes_done:

	/* Vol. 1 3.6 and Table 3-4 (64-bit mode: REX.W wins over 66). */
	if (mode == 64) {
		if (rex & REX_W)
			op_size = 8;
		else
			op_size = opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 4 : 8;
	} else {
		op_size = (mode == 16) != opsize_prefix ? 2 : 4;
		addr_size = (mode == 16) != addrsize_prefix ? 2 : 4;
	}

	switch (opcode) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m16/32/64, r16/32/64 */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r16/32/64, r/m16/32/64 */
		ret = fetch(&d, &modrm);
		if (ret)
			return ret;
		ret = skip_mem_operand(&d, modrm, addr_size);
		if (ret)
			return ret;
		insn->op = opcode & 2 ? KHV_INSN_LOAD : KHV_INSN_STORE;
		insn->size = opcode & 1 ? op_size : 1;
		set_reg(insn, modrm, rex, insn->size);
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m16/32/64, imm16/32 */
		ret = fetch(&d, &modrm);
		if (ret)
			return ret;
		/* Other reg fields are XABORT/XBEGIN (mod=11) or undefined. */
		if (modrm & 0x38)
			return -EOPNOTSUPP;
		ret = skip_mem_operand(&d, modrm, addr_size);
		if (ret)
			return ret;
		insn->op = KHV_INSN_STORE_IMM;
		insn->size = opcode & 1 ? op_size : 1;
		ret = fetch_le(&d, min_t(unsigned int, insn->size, 4), &imm);
		if (ret)
			return ret;
		/* Vol. 2B MOV: REX.W + C7 sign-extends its imm32 to 64 bits. */
		insn->imm = insn->size == 8 ? (u64)sign_extend64(imm, 31) : imm;
		break;
	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV AX/EAX/RAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, AX/EAX/RAX */
		/* Vol. 2B MOV note: the offset is address-size wide. */
		ret = fetch_le(&d, addr_size, NULL);
		if (ret)
			return ret;
		insn->op = opcode & 2 ? KHV_INSN_STORE : KHV_INSN_LOAD;
		insn->size = opcode & 1 ? op_size : 1;
		insn->reg = 0;
		insn->reg_size = insn->size;
		break;
	case 0x0f:
		ret = fetch(&d, &opcode);
		if (ret)
			return ret;
		switch (opcode) {
		case 0xb6:	/* MOVZX r16/32/64, r/m8 */
		case 0xb7:	/* MOVZX r32/64, r/m16 */
		case 0xbe:	/* MOVSX r16/32/64, r/m8 */
		case 0xbf:	/* MOVSX r32/64, r/m16 */
			break;
		default:
			return -EOPNOTSUPP;
		}
		ret = fetch(&d, &modrm);
		if (ret)
			return ret;
		ret = skip_mem_operand(&d, modrm, addr_size);
		if (ret)
			return ret;
		insn->op = KHV_INSN_LOAD;
		insn->size = opcode & 1 ? 2 : 1;
		insn->sign_extend = !!(opcode & 8);
		insn->zero_extend = !(opcode & 8);
		set_reg(insn, modrm, rex, op_size);
		break;
	default:
		return -EOPNOTSUPP;
	}

	insn->len = d.pos;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_decode_mmio);

/**
 * khv_insn_load_result() - the new value of a LOAD's destination register.
 * @insn: a decoded LOAD.
 * @old: the register's value before the instruction (all 64 bits).
 * @data: what the MMIO read returned, @insn->size bytes (more is ignored).
 *
 * MOVSX/MOVZX first widen @data to @insn->reg_size. Then, Vol. 1 3.4.1.1:
 * an 8-bit or 16-bit write keeps the rest of the register (AH..BH are
 * bits 15:8 of RAX..RBX), a 32-bit write zeroes bits 63:32, a 64-bit write
 * replaces it all. Outside 64-bit mode bits 63:32 are undefined after a
 * 32-bit write, so zeroing them is correct in every mode (KVM does so).
 *
 * Return: the value to store in register @insn->reg.
 */
u64 khv_insn_load_result(const struct khv_insn *insn, u64 old, u64 data)
{
	unsigned int bits = insn->size * 8;

	if (bits < 64)
		data &= BIT_ULL(bits) - 1;
	if (insn->sign_extend)
		data = sign_extend64(data, bits - 1);

	switch (insn->reg_size) {
	case 1:
		if (insn->high8)
			return (old & ~0xff00ULL) | ((data & 0xff) << 8);
		return (old & ~0xffULL) | (data & 0xff);
	case 2:
		return (old & ~0xffffULL) | (data & 0xffff);
	case 4:
		return (u32)data;
	default:
		return data;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_insn_load_result);

/**
 * khv_insn_store_data() - the value a STORE or STORE_IMM writes to MMIO.
 * @insn: a decoded STORE or STORE_IMM.
 * @reg: the value of register @insn->reg (ignored for STORE_IMM).
 *
 * Return: the data to write, @insn->size bytes, the bits above them zero.
 */
u64 khv_insn_store_data(const struct khv_insn *insn, u64 reg)
{
	u64 data = insn->op == KHV_INSN_STORE_IMM ? insn->imm : reg;

	if (insn->op != KHV_INSN_STORE_IMM && insn->high8)
		data >>= 8;
	if (insn->size < 8)
		data &= BIT_ULL(insn->size * 8) - 1;
	return data;
}
EXPORT_SYMBOL_IF_KUNIT(khv_insn_store_data);
