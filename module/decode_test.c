// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the MMIO instruction decoder (decode.c). Each vector is the bytes
 * as objdump prints them, the CPU mode, and the expected result; the
 * lengths were checked against objdump -D -b binary -m i8086/i386/x86-64.
 * Every buffer is allocated at exactly the size given to the decoder, so
 * that KASAN reports any read beyond it.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "decode.h"

/* A zero want.reg_size in a LOAD or STORE vector means "equal to size". */
struct decode_vec {
	const char *hex;
	int mode;
	int ret;
	struct khv_insn want;
};

#define LOAD(l, sz, r)		{ .len = (l), .op = KHV_INSN_LOAD,	\
				  .size = (sz), .reg = (r) }
#define LOAD_H8(l, r)		{ .len = (l), .op = KHV_INSN_LOAD,	\
				  .size = 1, .reg = (r), .reg_size = 1,	\
				  .high8 = 1 }
#define STORE(l, sz, r)		{ .len = (l), .op = KHV_INSN_STORE,	\
				  .size = (sz), .reg = (r) }
#define STORE_H8(l, r)		{ .len = (l), .op = KHV_INSN_STORE,	\
				  .size = 1, .reg = (r), .reg_size = 1,	\
				  .high8 = 1 }
#define IMM(l, sz, v)		{ .len = (l), .op = KHV_INSN_STORE_IMM,	\
				  .size = (sz), .imm = (v) }
#define MOVZX(l, sz, r, rs)	{ .len = (l), .op = KHV_INSN_LOAD,	\
				  .size = (sz), .reg = (r),		\
				  .reg_size = (rs), .zero_extend = 1 }
#define MOVSX(l, sz, r, rs)	{ .len = (l), .op = KHV_INSN_LOAD,	\
				  .size = (sz), .reg = (r),		\
				  .reg_size = (rs), .sign_extend = 1 }
#define NOTSUPP			(-EOPNOTSUPP)

/* "88 20" -> { 0x88, 0x20 }; returns the number of bytes. */
static size_t parse_hex(struct kunit *test, const char *hex, u8 *buf,
			size_t max)
{
	size_t n = 0;
	int hi, lo;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		hi = hex_to_bin(hex[0]);
		lo = hex_to_bin(hex[1]);
		KUNIT_ASSERT_TRUE_MSG(test, hi >= 0 && lo >= 0 && n < max,
				      "bad vector \"%s\"", hex);
		buf[n++] = hi << 4 | lo;
		hex += 2;
	}
	return n;
}

/* Decode @n bytes from a buffer of exactly that size. */
static int decode_exact(struct kunit *test, const u8 *bytes, size_t n,
			int mode, struct khv_insn *insn)
{
	u8 *buf = NULL;

	if (n) {
		buf = kunit_kmalloc(test, n, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		memcpy(buf, bytes, n);
	}
	return khv_decode_mmio(buf, n, mode, insn);
}

static void expect_vec(struct kunit *test, const struct decode_vec *v)
{
	const struct khv_insn *w = &v->want;
	u8 reg_size = w->reg_size;
	u8 bytes[KHV_INSN_MAX_LEN + 1], padded[KHV_INSN_MAX_LEN + 1];
	struct khv_insn insn;
	size_t n;
	int ret;

	n = parse_hex(test, v->hex, bytes, sizeof(bytes));
	ret = decode_exact(test, bytes, n, v->mode, &insn);
	KUNIT_EXPECT_EQ_MSG(test, ret, v->ret, "%s (mode %d)", v->hex, v->mode);
	if (ret || v->ret)
		return;

	KUNIT_EXPECT_EQ_MSG(test, insn.len, w->len, "len: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.op, w->op, "op: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.size, w->size, "size: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.reg, w->reg, "reg: %s", v->hex);
	if (!reg_size && w->op != KHV_INSN_STORE_IMM)
		reg_size = w->size;
	KUNIT_EXPECT_EQ_MSG(test, insn.reg_size, reg_size,
			    "reg_size: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.high8, w->high8, "high8: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.sign_extend, w->sign_extend,
			    "sign_extend: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.zero_extend, w->zero_extend,
			    "zero_extend: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.imm, w->imm, "imm: %s", v->hex);

	/* Bytes after the instruction (the caller fetches 15) change nothing. */
	memset(padded, 0x90, sizeof(padded));
	memcpy(padded, bytes, n);
	ret = decode_exact(test, padded, KHV_INSN_MAX_LEN, v->mode, &insn);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "padded: %s", v->hex);
	KUNIT_EXPECT_EQ_MSG(test, insn.len, w->len, "padded len: %s", v->hex);
}

static void expect_vecs(struct kunit *test, const struct decode_vec *v,
			size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		expect_vec(test, &v[i]);
}

static const struct decode_vec mov_store_vecs[] = {
	{ "88 07",		16, 0, STORE(2, 1, 0) },	/* [bx], al */
	{ "89 07",		16, 0, STORE(2, 2, 0) },	/* [bx], ax */
	{ "89 1e 34 12",	16, 0, STORE(4, 2, 3) },	/* [0x1234], bx */
	{ "88 08",		32, 0, STORE(2, 1, 1) },	/* [eax], cl */
	{ "89 08",		32, 0, STORE(2, 4, 1) },	/* [eax], ecx */
	{ "89 13",		32, 0, STORE(2, 4, 2) },	/* [ebx], edx */
	{ "88 08",		64, 0, STORE(2, 1, 1) },	/* [rax], cl */
	{ "89 08",		64, 0, STORE(2, 4, 1) },	/* [rax], ecx */
	{ "89 3f",		64, 0, STORE(2, 4, 7) },	/* [rdi], edi */
};

static void mov_store_88_89_each_mode(struct kunit *test)
{
	expect_vecs(test, mov_store_vecs, ARRAY_SIZE(mov_store_vecs));
}

static const struct decode_vec mov_load_vecs[] = {
	{ "8a 07",		16, 0, LOAD(2, 1, 0) },		/* al, [bx] */
	{ "8b 0f",		16, 0, LOAD(2, 2, 1) },		/* cx, [bx] */
	{ "8b 36 00 10",	16, 0, LOAD(4, 2, 6) },		/* si, [0x1000] */
	{ "8a 10",		32, 0, LOAD(2, 1, 2) },		/* dl, [eax] */
	{ "8b 18",		32, 0, LOAD(2, 4, 3) },		/* ebx, [eax] */
	{ "8a 10",		64, 0, LOAD(2, 1, 2) },		/* dl, [rax] */
	{ "8b 28",		64, 0, LOAD(2, 4, 5) },		/* ebp, [rax] */
};

static void mov_load_8a_8b_each_mode(struct kunit *test)
{
	expect_vecs(test, mov_load_vecs, ARRAY_SIZE(mov_load_vecs));
}

static const struct decode_vec opsize_vecs[] = {
	{ "66 89 07",		16, 0, STORE(3, 4, 0) },	/* [bx], eax */
	{ "66 8b 07",		16, 0, LOAD(3, 4, 0) },
	{ "66 89 00",		32, 0, STORE(3, 2, 0) },	/* [eax], ax */
	{ "66 8b 00",		32, 0, LOAD(3, 2, 0) },
	{ "66 89 00",		64, 0, STORE(3, 2, 0) },	/* [rax], ax */
	{ "66 48 89 00",	64, 0, STORE(4, 8, 0) },	/* REX.W wins */
	{ "66 88 00",		64, 0, STORE(3, 1, 0) },	/* 8-bit stays */
	{ "66 66 89 00",	32, 0, STORE(4, 2, 0) },	/* twice = once */
};

static void operand_size_prefix_66(struct kunit *test)
{
	expect_vecs(test, opsize_vecs, ARRAY_SIZE(opsize_vecs));
}

static const struct decode_vec addrsize_vecs[] = {
	/* 16-bit mode, 32-bit addressing: SIB, disp32. */
	{ "67 89 00",		16, 0, STORE(3, 2, 0) },	/* [eax] */
	{ "67 89 04 24",	16, 0, STORE(4, 2, 0) },	/* [esp] */
	{ "67 89 05 78 56 34 12", 16, 0, STORE(7, 2, 0) },	/* [disp32] */
	{ "67 66 89 44 24 08",	16, 0, STORE(6, 4, 0) },
	/* 32-bit mode, 16-bit addressing: no SIB, rm=110 is disp16. */
	{ "67 89 06 34 12",	32, 0, STORE(5, 4, 0) },	/* [0x1234] */
	{ "67 89 04",		32, 0, STORE(3, 4, 0) },	/* [si] */
	{ "67 8b 46 fe",	32, 0, LOAD(4, 4, 0) },		/* [bp-2] */
	/* 64-bit mode, 32-bit addressing: same layout as 64-bit. */
	{ "67 89 00",		64, 0, STORE(3, 4, 0) },	/* [eax] */
	{ "67 89 05 78 56 34 12", 64, 0, STORE(7, 4, 0) },	/* [eip+d] */
	{ "67 48 8b 44 24 08",	64, 0, LOAD(6, 8, 0) },
};

static void address_size_prefix_67(struct kunit *test)
{
	expect_vecs(test, addrsize_vecs, ARRAY_SIZE(addrsize_vecs));
}

static const struct decode_vec segment_vecs[] = {
	{ "26 89 00",		32, 0, STORE(3, 4, 0) },
	{ "2e 89 00",		32, 0, STORE(3, 4, 0) },
	{ "36 89 00",		32, 0, STORE(3, 4, 0) },
	{ "3e 89 00",		32, 0, STORE(3, 4, 0) },
	{ "64 89 00",		32, 0, STORE(3, 4, 0) },
	{ "65 89 00",		32, 0, STORE(3, 4, 0) },
	{ "26 88 07",		16, 0, STORE(3, 1, 0) },
	{ "65 8b 07",		16, 0, LOAD(3, 2, 0) },
	{ "64 48 8b 00",	64, 0, LOAD(4, 8, 0) },
	{ "65 48 89 04 25 10 00 00 00", 64, 0, STORE(9, 8, 0) },
	{ "64 66 67 89 00",	64, 0, STORE(5, 2, 0) },
	{ "2e 3e 26 36 64 65 89 00", 64, 0, STORE(8, 4, 0) },
};

static void segment_overrides_accepted_and_ignored(struct kunit *test)
{
	expect_vecs(test, segment_vecs, ARRAY_SIZE(segment_vecs));
}

static const struct decode_vec rex_vecs[] = {
	{ "48 89 00",		64, 0, STORE(3, 8, 0) },	/* [rax], rax */
	{ "44 89 00",		64, 0, STORE(3, 4, 8) },	/* [rax], r8d */
	{ "4c 89 00",		64, 0, STORE(3, 8, 8) },	/* [rax], r8 */
	{ "41 89 00",		64, 0, STORE(3, 4, 0) },	/* [r8], eax */
	{ "49 89 00",		64, 0, STORE(3, 8, 0) },	/* [r8], rax */
	{ "4d 8b 3f",		64, 0, LOAD(3, 8, 15) },	/* r15, [r15] */
	{ "44 8b 28",		64, 0, LOAD(3, 4, 13) },	/* r13d, [rax] */
	{ "66 44 89 08",	64, 0, STORE(4, 2, 9) },	/* [rax], r9w */
	{ "44 88 38",		64, 0, STORE(3, 1, 15) },	/* [rax], r15b */
	{ "44 8a 20",		64, 0, LOAD(3, 1, 12) },	/* r12b, [rax] */
	{ "42 89 04 00",	64, 0, STORE(4, 4, 0) },	/* [rax+r8] */
	{ "4f 89 3c 3f",	64, 0, STORE(4, 8, 15) },	/* [r15+r15] */
	{ "40 89 00",		64, 0, STORE(3, 4, 0) },	/* empty REX */
	/* In 16/32-bit modes 40-4F are INC/DEC, not REX. */
	{ "48 89 00",		32, NOTSUPP },
	{ "41 89 00",		16, NOTSUPP },
};

static void rex_w_r_x_b_in_64bit_mode_only(struct kunit *test)
{
	expect_vecs(test, rex_vecs, ARRAY_SIZE(rex_vecs));
}

static const struct decode_vec rex_placement_vecs[] = {
	/* SDM Vol. 2A 2.2.1: a REX before another prefix is ignored. */
	{ "48 66 89 00",	64, 0, STORE(4, 2, 0) },	/* [rax], ax */
	{ "4c 3e 89 00",	64, 0, STORE(4, 4, 0) },	/* not r8d */
	{ "40 3e 88 20",	64, 0, STORE_H8(4, 0) },	/* ah, not spl */
	/* Of two REX prefixes only the last counts. */
	{ "48 41 89 00",	64, 0, STORE(4, 4, 0) },	/* [r8], eax */
	{ "41 48 89 00",	64, 0, STORE(4, 8, 0) },	/* [rax], rax */
};

static void rex_counts_only_right_before_opcode(struct kunit *test)
{
	expect_vecs(test, rex_placement_vecs, ARRAY_SIZE(rex_placement_vecs));
}

static const struct decode_vec high8_vecs[] = {
	{ "88 20",		64, 0, STORE_H8(2, 0) },	/* [rax], ah */
	{ "88 28",		64, 0, STORE_H8(2, 1) },	/* [rax], ch */
	{ "88 30",		64, 0, STORE_H8(2, 2) },	/* [rax], dh */
	{ "88 38",		64, 0, STORE_H8(2, 3) },	/* [rax], bh */
	{ "8a 20",		64, 0, LOAD_H8(2, 0) },		/* ah, [rax] */
	{ "88 27",		16, 0, STORE_H8(2, 0) },	/* [bx], ah */
	{ "8a 3b",		32, 0, LOAD_H8(2, 3) },		/* bh, [ebx] */
	/* Any REX turns 4..7 into SPL, BPL, SIL, DIL. */
	{ "40 88 20",		64, 0, STORE(3, 1, 4) },	/* [rax], spl */
	{ "48 88 28",		64, 0, STORE(3, 1, 5) },	/* [rax], bpl */
	{ "41 8a 30",		64, 0, LOAD(3, 1, 6) },		/* sil, [r8] */
	{ "40 8a 38",		64, 0, LOAD(3, 1, 7) },		/* dil, [rax] */
	/* Wider operands numbered 4..7 are ESP..EDI, never high bytes. */
	{ "89 20",		64, 0, STORE(2, 4, 4) },	/* [rax], esp */
	{ "0f b6 20",		64, 0, MOVZX(3, 1, 4, 4) },	/* esp, [rax] */
};

static void high8_registers_only_without_rex(struct kunit *test)
{
	expect_vecs(test, high8_vecs, ARRAY_SIZE(high8_vecs));
}

static const struct decode_vec addr16_vecs[] = {
	{ "89 00",		16, 0, STORE(2, 2, 0) },	/* [bx+si] */
	{ "89 01",		16, 0, STORE(2, 2, 0) },	/* [bx+di] */
	{ "89 02",		16, 0, STORE(2, 2, 0) },	/* [bp+si] */
	{ "89 03",		16, 0, STORE(2, 2, 0) },	/* [bp+di] */
	{ "89 04",		16, 0, STORE(2, 2, 0) },	/* [si] */
	{ "89 05",		16, 0, STORE(2, 2, 0) },	/* [di] */
	{ "89 06 34 12",	16, 0, STORE(4, 2, 0) },	/* [0x1234] */
	{ "89 07",		16, 0, STORE(2, 2, 0) },	/* [bx] */
	{ "89 40 10",		16, 0, STORE(3, 2, 0) },	/* [bx+si+16] */
	{ "89 44 7f",		16, 0, STORE(3, 2, 0) },	/* [si+127] */
	{ "89 46 fe",		16, 0, STORE(3, 2, 0) },	/* [bp-2] */
	{ "89 80 34 12",	16, 0, STORE(4, 2, 0) },	/* [bx+si+d16] */
	{ "89 86 34 12",	16, 0, STORE(4, 2, 0) },	/* [bp+d16] */
	{ "89 87 00 80",	16, 0, STORE(4, 2, 0) },	/* [bx+d16] */
	{ "c7 06 00 10 34 12",	16, 0, IMM(6, 2, 0x1234) },
	{ "c6 46 02 55",	16, 0, IMM(4, 1, 0x55) },
};

static void addr16_modrm_forms_and_lengths(struct kunit *test)
{
	expect_vecs(test, addr16_vecs, ARRAY_SIZE(addr16_vecs));
}

static const struct decode_vec sib_vecs[] = {
	{ "89 04 24",		32, 0, STORE(3, 4, 0) },	/* [esp] */
	{ "89 44 24 08",	32, 0, STORE(4, 4, 0) },	/* [esp+8] */
	{ "89 84 24 00 01 00 00", 32, 0, STORE(7, 4, 0) },	/* [esp+d32] */
	{ "89 04 8d 00 10 00 00", 32, 0, STORE(7, 4, 0) },	/* [ecx*4+d32] */
	{ "89 44 8d 10",	32, 0, STORE(4, 4, 0) },	/* [ebp+ecx*4+16] */
	{ "89 45 00",		32, 0, STORE(3, 4, 0) },	/* [ebp+0] */
	{ "89 40 7f",		32, 0, STORE(3, 4, 0) },	/* [eax+127] */
	{ "89 80 78 56 34 12",	32, 0, STORE(6, 4, 0) },	/* [eax+d32] */
	{ "89 05 78 56 34 12",	32, 0, STORE(6, 4, 0) },	/* [d32] */
	{ "89 04 25 78 56 34 12", 64, 0, STORE(7, 4, 0) },	/* [d32] */
	{ "89 44 24 f8",	64, 0, STORE(4, 4, 0) },	/* [rsp-8] */
	{ "8b 94 c8 00 01 00 00", 64, 0, LOAD(7, 4, 2) },	/* [rax+rcx*8+d32] */
	/* Vol. 2A Table 2-5: R12 needs SIB, R13 a displacement. */
	{ "41 89 04 24",	64, 0, STORE(4, 4, 0) },	/* [r12] */
	{ "41 89 45 00",	64, 0, STORE(4, 4, 0) },	/* [r13+0] */
	{ "43 89 04 2c",	64, 0, STORE(4, 4, 0) },	/* [r12+r13] */
	{ "41 89 04 25 78 56 34 12", 64, 0, STORE(8, 4, 0) },	/* [d32] */
	{ "43 89 44 ac 10",	64, 0, STORE(5, 4, 0) },	/* [r12+r13*4+16] */
};

static void sib_and_displacement_lengths(struct kunit *test)
{
	expect_vecs(test, sib_vecs, ARRAY_SIZE(sib_vecs));
}

static const struct decode_vec rip_vecs[] = {
	{ "89 05 78 56 34 12",	64, 0, STORE(6, 4, 0) },
	{ "48 8b 05 f0 ff ff ff", 64, 0, LOAD(7, 8, 0) },
	{ "41 89 05 00 10 00 00", 64, 0, STORE(7, 4, 0) },	/* REX.B too */
	{ "c7 05 00 10 00 00 78 56 34 12", 64, 0, IMM(10, 4, 0x12345678) },
	{ "c6 05 00 10 00 00 ff", 64, 0, IMM(7, 1, 0xff) },
	{ "0f b6 05 00 10 00 00", 64, 0, MOVZX(7, 1, 0, 4) },
};

static void rip_relative_disp32(struct kunit *test)
{
	expect_vecs(test, rip_vecs, ARRAY_SIZE(rip_vecs));
}

static const struct decode_vec moffs_vecs[] = {
	{ "a0 88 77 66 55 44 33 22 11", 64, 0, LOAD(9, 1, 0) },
	{ "a1 88 77 66 55 44 33 22 11", 64, 0, LOAD(9, 4, 0) },
	{ "48 a1 88 77 66 55 44 33 22 11", 64, 0, LOAD(10, 8, 0) },
	{ "a2 88 77 66 55 44 33 22 11", 64, 0, STORE(9, 1, 0) },
	{ "a3 88 77 66 55 44 33 22 11", 64, 0, STORE(9, 4, 0) },
	{ "66 a3 88 77 66 55 44 33 22 11", 64, 0, STORE(10, 2, 0) },
	{ "41 a1 88 77 66 55 44 33 22 11", 64, 0, LOAD(10, 4, 0) },
	{ "67 a1 78 56 34 12",	64, 0, LOAD(6, 4, 0) },
	{ "67 48 a3 78 56 34 12", 64, 0, STORE(7, 8, 0) },
	{ "a0 78 56 34 12",	32, 0, LOAD(5, 1, 0) },
	{ "a1 78 56 34 12",	32, 0, LOAD(5, 4, 0) },
	{ "a3 78 56 34 12",	32, 0, STORE(5, 4, 0) },
	{ "66 a1 78 56 34 12",	32, 0, LOAD(6, 2, 0) },
	{ "67 a1 34 12",	32, 0, LOAD(4, 4, 0) },
	{ "a0 34 12",		16, 0, LOAD(3, 1, 0) },
	{ "a1 34 12",		16, 0, LOAD(3, 2, 0) },
	{ "a2 34 12",		16, 0, STORE(3, 1, 0) },
	{ "66 a3 34 12",	16, 0, STORE(4, 4, 0) },
	{ "67 a1 78 56 34 12",	16, 0, LOAD(6, 2, 0) },
};

static void moffs_width_follows_address_size(struct kunit *test)
{
	expect_vecs(test, moffs_vecs, ARRAY_SIZE(moffs_vecs));
}

static const struct decode_vec imm_vecs[] = {
	{ "c6 00 ff",		64, 0, IMM(3, 1, 0xff) },
	{ "c6 45 f0 7f",	32, 0, IMM(4, 1, 0x7f) },
	{ "c6 07 80",		16, 0, IMM(3, 1, 0x80) },
	{ "c7 00 78 56 34 12",	64, 0, IMM(6, 4, 0x12345678) },
	{ "c7 00 00 00 00 80",	64, 0, IMM(6, 4, 0x80000000) },
	{ "66 c7 00 34 12",	64, 0, IMM(5, 2, 0x1234) },
	{ "48 c7 00 ff ff ff ff", 64, 0, IMM(7, 8, 0xffffffffffffffffULL) },
	{ "48 c7 00 00 00 00 80", 64, 0, IMM(7, 8, 0xffffffff80000000ULL) },
	{ "48 c7 00 ff ff ff 7f", 64, 0, IMM(7, 8, 0x7fffffff) },
	{ "49 c7 44 24 08 01 00 00 00", 64, 0, IMM(9, 8, 1) },
	{ "c7 44 24 08 78 56 34 12", 32, 0, IMM(8, 4, 0x12345678) },
	{ "66 c7 00 00 80",	32, 0, IMM(5, 2, 0x8000) },
	{ "c7 07 34 12",	16, 0, IMM(4, 2, 0x1234) },
	{ "66 c7 07 78 56 34 12", 16, 0, IMM(7, 4, 0x12345678) },
	/* Only /0 is MOV: /7 with mod=11 is XABORT/XBEGIN, the rest #UD. */
	{ "c6 08 00",		64, NOTSUPP },
	{ "c7 48 04 00 00 00 00", 64, NOTSUPP },
	{ "c6 f8 00",		64, NOTSUPP },
	{ "c7 f8 00 00 00 00",	64, NOTSUPP },
};

static void imm_stores_c6_c7_with_sign_extension(struct kunit *test)
{
	expect_vecs(test, imm_vecs, ARRAY_SIZE(imm_vecs));
}

static const struct decode_vec movx_vecs[] = {
	{ "0f b6 00",		64, 0, MOVZX(3, 1, 0, 4) },	/* eax, byte */
	{ "48 0f b6 00",	64, 0, MOVZX(4, 1, 0, 8) },	/* rax, byte */
	{ "66 0f b6 00",	64, 0, MOVZX(4, 1, 0, 2) },	/* ax, byte */
	{ "0f b7 00",		64, 0, MOVZX(3, 2, 0, 4) },	/* eax, word */
	{ "48 0f b7 08",	64, 0, MOVZX(4, 2, 1, 8) },	/* rcx, word */
	{ "44 0f b6 38",	64, 0, MOVZX(4, 1, 15, 4) },	/* r15d, byte */
	{ "0f be 00",		64, 0, MOVSX(3, 1, 0, 4) },	/* eax, byte */
	{ "48 0f be 10",	64, 0, MOVSX(4, 1, 2, 8) },	/* rdx, byte */
	{ "48 0f bf 08",	64, 0, MOVSX(4, 2, 1, 8) },	/* rcx, word */
	{ "66 0f bf 00",	64, 0, MOVSX(4, 2, 0, 2) },	/* ax, word */
	{ "4c 0f bf 44 24 08",	64, 0, MOVSX(6, 2, 8, 8) },	/* r8, word */
	{ "0f b6 07",		16, 0, MOVZX(3, 1, 0, 2) },	/* ax, [bx] */
	{ "66 0f be 07",	16, 0, MOVSX(4, 1, 0, 4) },	/* eax, [bx] */
	{ "0f b7 46 02",	16, 0, MOVZX(4, 2, 0, 2) },	/* ax, [bp+2] */
	{ "0f bf 43 02",	32, 0, MOVSX(4, 2, 0, 4) },	/* eax, [ebx+2] */
	{ "66 0f b6 0d 78 56 34 12", 32, 0, MOVZX(8, 1, 1, 2) },
	/* Other two-byte opcodes, even memory moves, are not decoded. */
	{ "0f 10 00",		64, NOTSUPP },	/* MOVUPS */
	{ "0f 11 00",		64, NOTSUPP },
	{ "0f c3 00",		64, NOTSUPP },	/* MOVNTI */
	{ "0f 38 f0 00",	64, NOTSUPP },	/* MOVBE */
	{ "0f b8 00",		64, NOTSUPP },
	{ "0f 0f 00 9e",	64, NOTSUPP },	/* 3DNow! PFADD */
};

static void movzx_movsx_0f_b6_b7_be_bf(struct kunit *test)
{
	expect_vecs(test, movx_vecs, ARRAY_SIZE(movx_vecs));
}

static const struct decode_vec lock_rep_vecs[] = {
	{ "f0 89 00",		64, NOTSUPP },
	{ "f2 89 00",		64, NOTSUPP },
	{ "f3 89 00",		64, NOTSUPP },
	{ "66 f0 89 00",	32, NOTSUPP },
	{ "3e f2 88 07",	16, NOTSUPP },
	{ "f3 a5",		64, NOTSUPP },	/* REP MOVSD */
	{ "f3 48 ab",		64, NOTSUPP },	/* REP STOSQ */
	{ "f0 0f b6 00",	64, NOTSUPP },
};

static void lock_and_rep_prefixes_rejected(struct kunit *test)
{
	expect_vecs(test, lock_rep_vecs, ARRAY_SIZE(lock_rep_vecs));
}

static const struct decode_vec modrm_reg_vecs[] = {
	{ "88 c0",		64, NOTSUPP },
	{ "89 c0",		64, NOTSUPP },
	{ "8a e0",		64, NOTSUPP },
	{ "8b c0",		32, NOTSUPP },
	{ "48 89 c0",		64, NOTSUPP },
	{ "89 d8",		16, NOTSUPP },
	{ "c6 c0 01",		64, NOTSUPP },
	{ "c7 c0 01 00 00 00",	64, NOTSUPP },
	{ "0f b6 c0",		64, NOTSUPP },
	{ "0f bf c0",		32, NOTSUPP },
};

static void register_operand_mod3_rejected(struct kunit *test)
{
	expect_vecs(test, modrm_reg_vecs, ARRAY_SIZE(modrm_reg_vecs));
}

static const struct decode_vec unknown_vecs[] = {
	{ "90",			64, NOTSUPP },	/* NOP */
	{ "a4",			64, NOTSUPP },	/* MOVSB */
	{ "a5",			32, NOTSUPP },	/* MOVSD */
	{ "aa",			64, NOTSUPP },	/* STOSB */
	{ "48 ab",		64, NOTSUPP },	/* STOSQ */
	{ "ac",			16, NOTSUPP },	/* LODSB */
	{ "01 00",		64, NOTSUPP },	/* ADD [rax], eax */
	{ "80 08 01",		64, NOTSUPP },	/* OR byte [rax], 1 */
	{ "86 00",		64, NOTSUPP },	/* XCHG */
	{ "87 00",		64, NOTSUPP },
	{ "ff 00",		64, NOTSUPP },	/* INC */
	{ "f7 00 01 00 00 00",	64, NOTSUPP },	/* TEST */
	{ "8c 00",		64, NOTSUPP },	/* MOV [rax], es */
	{ "8e 00",		32, NOTSUPP },	/* MOV es, [eax] */
	{ "63 00",		64, NOTSUPP },	/* MOVSXD */
	{ "c5 f8 77",		64, NOTSUPP },	/* VEX VZEROUPPER */
	{ "c4 e2 79 18 00",	64, NOTSUPP },	/* VEX VBROADCASTSS */
	{ "62 f1 7c 48 10 00",	64, NOTSUPP },	/* EVEX VMOVUPS */
	{ "8f e9 78 e1 00",	64, NOTSUPP },	/* XOP */
	{ "d9 00",		32, NOTSUPP },	/* FLD */
	{ "d7",			16, NOTSUPP },	/* XLAT */
};

static void unknown_opcodes_rejected(struct kunit *test)
{
	expect_vecs(test, unknown_vecs, ARRAY_SIZE(unknown_vecs));
}

static void unknown_mode_rejected(struct kunit *test)
{
	static const u8 mov[] = { 0x89, 0x00 };
	static const int modes[] = { 0, 8, 15, 17, 33, 63, 65, -64 };
	struct khv_insn insn;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		KUNIT_EXPECT_EQ_MSG(test, khv_decode_mmio(mov, sizeof(mov),
							  modes[i], &insn),
				    -EINVAL, "mode %d", modes[i]);
}

static void fifteen_bytes_at_most(struct kunit *test)
{
	u8 bytes[KHV_INSN_MAX_LEN + 1];
	struct khv_insn insn;
	int ret;

	/* 13 prefixes + 89 00: 15 bytes, the longest allowed. */
	memset(bytes, 0x3e, sizeof(bytes));
	bytes[13] = 0x89;
	bytes[14] = 0x00;
	ret = decode_exact(test, bytes, 15, 64, &insn);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, insn.len, 15);
	KUNIT_EXPECT_EQ(test, insn.size, 4);

	/* 14 prefixes + 89 00: 16 bytes (#GP on hardware). */
	memset(bytes, 0x3e, sizeof(bytes));
	bytes[14] = 0x89;
	bytes[15] = 0x00;
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 16, 64, &insn),
			-EINVAL);

	/* 16 bytes of prefixes, each kind. */
	memset(bytes, 0x66, sizeof(bytes));
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 16, 32, &insn),
			-EINVAL);
	memset(bytes, 0x67, sizeof(bytes));
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 16, 16, &insn),
			-EINVAL);
	memset(bytes, 0x48, sizeof(bytes));
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 16, 64, &insn),
			-EINVAL);

	/* A 16-byte instruction with a long immediate and displacement. */
	parse_hex(test, "26 26 66 67 c7 84 88 78 56 34 12 78 56 34 12",
		  bytes, sizeof(bytes));
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 15, 16, &insn), 0);
	KUNIT_EXPECT_EQ(test, insn.len, 15);
	parse_hex(test, "26 26 26 66 67 c7 84 88 78 56 34 12 78 56 34 12",
		  bytes, sizeof(bytes));
	KUNIT_EXPECT_EQ(test, decode_exact(test, bytes, 16, 16, &insn),
			-EINVAL);
}

static const struct decode_vec *const valid_tables[] = {
	mov_store_vecs, mov_load_vecs, opsize_vecs, addrsize_vecs,
	segment_vecs, rex_vecs, rex_placement_vecs, high8_vecs, addr16_vecs,
	sib_vecs, rip_vecs, moffs_vecs, imm_vecs, movx_vecs,
};

static const size_t valid_table_sizes[] = {
	ARRAY_SIZE(mov_store_vecs), ARRAY_SIZE(mov_load_vecs),
	ARRAY_SIZE(opsize_vecs), ARRAY_SIZE(addrsize_vecs),
	ARRAY_SIZE(segment_vecs), ARRAY_SIZE(rex_vecs),
	ARRAY_SIZE(rex_placement_vecs), ARRAY_SIZE(high8_vecs),
	ARRAY_SIZE(addr16_vecs), ARRAY_SIZE(sib_vecs), ARRAY_SIZE(rip_vecs),
	ARRAY_SIZE(moffs_vecs), ARRAY_SIZE(imm_vecs), ARRAY_SIZE(movx_vecs),
};

/* Every decodable vector, cut after each of its bytes, is -EINVAL. */
static void truncated_input_rejected(struct kunit *test)
{
	u8 bytes[KHV_INSN_MAX_LEN + 1];
	const struct decode_vec *v;
	struct khv_insn insn;
	size_t t, i, n, cut;

	BUILD_BUG_ON(ARRAY_SIZE(valid_tables) !=
		     ARRAY_SIZE(valid_table_sizes));
	for (t = 0; t < ARRAY_SIZE(valid_tables); t++) {
		for (i = 0; i < valid_table_sizes[t]; i++) {
			v = &valid_tables[t][i];
			if (v->ret)
				continue;
			n = parse_hex(test, v->hex, bytes, sizeof(bytes));
			for (cut = 0; cut < n; cut++)
				KUNIT_EXPECT_EQ_MSG(test,
						    decode_exact(test, bytes,
								 cut, v->mode,
								 &insn),
						    -EINVAL, "%s cut to %zu",
						    v->hex, cut);
		}
	}
}

/* Decode @hex (which must succeed) for the register-rule tests. */
static struct khv_insn decoded(struct kunit *test, const char *hex,
			       int mode)
{
	u8 bytes[KHV_INSN_MAX_LEN + 1];
	struct khv_insn insn;
	size_t n;

	n = parse_hex(test, hex, bytes, sizeof(bytes));
	KUNIT_ASSERT_EQ_MSG(test, decode_exact(test, bytes, n, mode, &insn),
			    0, "%s", hex);
	return insn;
}

#define OLD	0x1122334455667788ULL

static void load_writes_register_by_width(struct kunit *test)
{
	struct khv_insn i;

	/* 8 and 16-bit writes keep the rest of the register. */
	i = decoded(test, "8a 00", 64);			/* al */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xab),
			0x11223344556677abULL);
	i = decoded(test, "8a 20", 64);			/* ah */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xab),
			0x112233445566ab88ULL);
	i = decoded(test, "66 8b 00", 64);		/* ax */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xabcd),
			0x112233445566abcdULL);
	/* A 32-bit write zeroes bits 63:32 (SDM Vol. 1 3.4.1.1). */
	i = decoded(test, "8b 00", 64);			/* eax */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xdeadbeef),
			0xdeadbeefULL);
	i = decoded(test, "8b 00", 32);
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xdeadbeef),
			0xdeadbeefULL);
	i = decoded(test, "48 8b 00", 64);		/* rax */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD,
						   0xfedcba9876543210ULL),
			0xfedcba9876543210ULL);
	/* Data beyond the access size is ignored. */
	i = decoded(test, "8a 00", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xffffff01),
			0x1122334455667701ULL);
	i = decoded(test, "8b 00", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, ~0ULL),
			0xffffffffULL);
}

static void movzx_movsx_widen_then_write(struct kunit *test)
{
	struct khv_insn i;

	i = decoded(test, "0f b6 00", 64);		/* movzx eax, byte */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xff), 0xffULL);
	i = decoded(test, "66 0f b6 00", 64);		/* movzx ax, byte */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0xff),
			0x11223344556600ffULL);
	i = decoded(test, "48 0f b7 00", 64);		/* movzx rax, word */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x8001),
			0x8001ULL);
	i = decoded(test, "0f be 00", 64);		/* movsx eax, byte */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x80),
			0xffffff80ULL);
	i = decoded(test, "48 0f be 00", 64);		/* movsx rax, byte */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x80),
			0xffffffffffffff80ULL);
	i = decoded(test, "48 0f be 00", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x7f), 0x7fULL);
	i = decoded(test, "66 0f be 00", 64);		/* movsx ax, byte */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x80),
			0x112233445566ff80ULL);
	i = decoded(test, "48 0f bf 00", 64);		/* movsx rax, word */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x12348000),
			0xffffffffffff8000ULL);
	i = decoded(test, "0f bf 07", 16);		/* movsx ax, word */
	KUNIT_EXPECT_EQ(test, khv_insn_load_result(&i, OLD, 0x8000),
			0x1122334455668000ULL);
}

static void store_data_comes_from_register_or_imm(struct kunit *test)
{
	struct khv_insn i;

	i = decoded(test, "88 00", 64);			/* al */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x88ULL);
	i = decoded(test, "88 20", 64);			/* ah */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x77ULL);
	i = decoded(test, "40 88 20", 64);		/* spl */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x88ULL);
	i = decoded(test, "66 89 00", 64);		/* ax */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x7788ULL);
	i = decoded(test, "89 00", 64);			/* eax */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x55667788ULL);
	i = decoded(test, "48 89 00", 64);		/* rax */
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), OLD);
	i = decoded(test, "c6 00 ff", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0xffULL);
	i = decoded(test, "48 c7 00 00 00 00 80", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD),
			0xffffffff80000000ULL);
	i = decoded(test, "66 c7 00 34 12", 64);
	KUNIT_EXPECT_EQ(test, khv_insn_store_data(&i, OLD), 0x1234ULL);
}

static struct kunit_case khv_decode_cases[] = {
	KUNIT_CASE(mov_store_88_89_each_mode),
	KUNIT_CASE(mov_load_8a_8b_each_mode),
	KUNIT_CASE(operand_size_prefix_66),
	KUNIT_CASE(address_size_prefix_67),
	KUNIT_CASE(segment_overrides_accepted_and_ignored),
	KUNIT_CASE(rex_w_r_x_b_in_64bit_mode_only),
	KUNIT_CASE(rex_counts_only_right_before_opcode),
	KUNIT_CASE(high8_registers_only_without_rex),
	KUNIT_CASE(addr16_modrm_forms_and_lengths),
	KUNIT_CASE(sib_and_displacement_lengths),
	KUNIT_CASE(rip_relative_disp32),
	KUNIT_CASE(moffs_width_follows_address_size),
	KUNIT_CASE(imm_stores_c6_c7_with_sign_extension),
	KUNIT_CASE(movzx_movsx_0f_b6_b7_be_bf),
	KUNIT_CASE(lock_and_rep_prefixes_rejected),
	KUNIT_CASE(register_operand_mod3_rejected),
	KUNIT_CASE(unknown_opcodes_rejected),
	KUNIT_CASE(unknown_mode_rejected),
	KUNIT_CASE(fifteen_bytes_at_most),
	KUNIT_CASE(truncated_input_rejected),
	KUNIT_CASE(load_writes_register_by_width),
	KUNIT_CASE(movzx_movsx_widen_then_write),
	KUNIT_CASE(store_data_comes_from_register_or_imm),
	{}
};

static struct kunit_suite khv_decode_suite = {
	.name = "khv_decode",
	.test_cases = khv_decode_cases,
};

kunit_test_suite(khv_decode_suite);
