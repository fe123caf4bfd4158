// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random instruction streams for the guest fuzzer. Each template emits one
 * instruction that exits (or should not) with the register set-up it needs;
 * encodings per SDM Vol. 2 and APM Vol. 3. The same bytes run in real,
 * protected and long mode: operand sizes follow the mode (a 0x66 prefix
 * makes real mode's operations 32-bit), and what a mode does not have
 * (INTO in long mode, VMX in an SVM guest) simply faults.
 */
#include <string.h>

#include "fuzz_insn.h"

struct emit {
	uint8_t *p, *end;
	const struct insn_ctx *c;
	struct fuzz_rng *r;
};

static void b(struct emit *e, uint8_t v)
{
	if (e->p < e->end)
		*e->p++ = v;
}

static void bytes(struct emit *e, const char *s, size_t n)
{
	while (n--)
		b(e, *s++);
}

#define EMIT(e, s)	bytes((e), (s), sizeof(s) - 1)

/* An encoding with its length: some have zero bytes. */
struct op {
	const char *s;
	size_t n;
};

#define OP(s)		{ (s), sizeof(s) - 1 }

static void emit_op(struct emit *e, const struct op *ops, size_t nr)
{
	const struct op *o = &ops[rng_below(e->r, nr)];

	bytes(e, o->s, o->n);
}

static void imm32(struct emit *e, uint32_t v)
{
	b(e, v);
	b(e, v >> 8);
	b(e, v >> 16);
	b(e, v >> 24);
}

/* mov r32, imm32 (B8+r): reg 0 eax, 1 ecx, 2 edx, 3 ebx, 6 esi, 7 edi. */
static void mov32(struct emit *e, int reg, uint32_t v)
{
	if (e->c->mode == MODE_REAL)
		b(e, 0x66);
	b(e, 0xb8 + reg);
	imm32(e, v);
}

/* In real mode, [eax] needs the 0x67 prefix (32-bit addressing). */
static void addr32(struct emit *e)
{
	if (e->c->mode == MODE_REAL)
		b(e, 0x67);
}

static const uint32_t msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0x174, 0x175, 0x176, 0x1d9, 0x277, 0x480,
	0x491, 0x6e0, 0x802, 0x80b, 0x830, 0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010010,
	0xc0010114, 0xc0010117, 0x40000000, 0x4b564d00, 0xda0,
};

static const uint16_t ports[] = {
	0x20, 0x21, 0x40, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71, 0x80, 0x92, 0xa0, 0x3f8,
	0x3fd, 0xcf8, 0xcfc, 0xcf9, 0x510, 0xffff, 0x0,
};

/* An address that is RAM, just past it, or far away (MMIO or nothing). */
static uint32_t addr(struct emit *e)
{
	static const uint32_t far[] = { 0xfee00000, 0xfec00000, 0xfed00000, 0xa0000,
					0xb8000, 0xffff0000, 0xfffffff0, 0xfffff000 };
	uint64_t ram = e->c->ram_size;

	switch (rng_below(e->r, 4)) {
	case 0:
		return rng_below(e->r, ram);
	case 1:
		return ram + rng_below(e->r, 0x10000);
	case 2:
		return far[rng_below(e->r, ARRAY_SIZE(far))] + rng_below(e->r, 16);
	default:
		return rng_next(e->r);
	}
}

static uint32_t cr_value(struct emit *e)
{
	static const uint32_t v[] = { 0x80000011, 0x80050033, 0x60000010, 0x11, 0x20,
				      0x6f8, 0x2000, 0x40000, 0x100000, 0x200000 };

	return rng_pct(e->r, 60) ? v[rng_below(e->r, ARRAY_SIZE(v))] ^ (1u << rng_below(e->r, 32))
				 : rng_edgy(e->r);
}

static void t_cpuid(struct emit *e)
{
	static const uint32_t leaves[] = { 0, 1, 4, 7, 0xb, 0xd, 0x14, 0x40000000,
					   0x80000000, 0x80000001, 0x80000008, 0x8000000a };

	mov32(e, 0, rng_pct(e->r, 80) ? leaves[rng_below(e->r, ARRAY_SIZE(leaves))]
				      : rng_next(e->r));
	mov32(e, 1, rng_below(e->r, 4));
	EMIT(e, "\x0f\xa2");
}

static void t_msr(struct emit *e)
{
	mov32(e, 1, rng_pct(e->r, 80) ? msrs[rng_below(e->r, ARRAY_SIZE(msrs))] : rng_edgy(e->r));
	mov32(e, 0, rng_edgy(e->r));
	mov32(e, 2, rng_pct(e->r, 50) ? 0 : rng_edgy(e->r));
	if (rng_pct(e->r, 50))
		EMIT(e, "\x0f\x32");
	else
		EMIT(e, "\x0f\x30");
}

static void t_io(struct emit *e)
{
	static const uint8_t ops[] = { 0xec, 0xed, 0xee, 0xef };
	uint16_t port = rng_pct(e->r, 80) ? ports[rng_below(e->r, ARRAY_SIZE(ports))]
					  : rng_next(e->r);

	mov32(e, 2, port);
	mov32(e, 0, rng_next(e->r));
	if (rng_pct(e->r, 30))
		b(e, 0x66);
	if (rng_pct(e->r, 25)) {	/* IN/OUT with an immediate port */
		b(e, 0xe4 + rng_below(e->r, 4));
		b(e, port);
	} else {
		b(e, ops[rng_below(e->r, 4)]);
	}
}

/* INS/OUTS, often with REP, random counts, directions and buffers. */
static void t_string_io(struct emit *e)
{
	static const uint32_t counts[] = { 0, 1, 2, 3, 7, 64, 1000, 4097, 0xffff, 0xffffffff };

	mov32(e, 2, rng_pct(e->r, 80) ? ports[rng_below(e->r, ARRAY_SIZE(ports))] : rng_next(e->r));
	mov32(e, 1, rng_pct(e->r, 80) ? counts[rng_below(e->r, ARRAY_SIZE(counts))]
				      : rng_edgy(e->r));
	mov32(e, 6, addr(e));
	mov32(e, 7, addr(e));
	b(e, rng_pct(e->r, 30) ? 0xfd : 0xfc);	/* STD / CLD */
	if (rng_pct(e->r, 20))
		b(e, 0x66);
	if (rng_pct(e->r, 30))
		b(e, 0x67);
	if (rng_pct(e->r, 70))
		b(e, 0xf3);
	b(e, 0x6c + rng_below(e->r, 4));
}

/* MOV to and from CR0/CR2/CR3/CR4/CR8 and DR0-DR7. */
static void t_mov_cr_dr(struct emit *e)
{
	static const uint8_t crs[] = { 0, 2, 3, 4, 8 };
	bool dr = rng_pct(e->r, 35);
	int n = dr ? rng_below(e->r, 8) : crs[rng_below(e->r, ARRAY_SIZE(crs))];

	mov32(e, 0, cr_value(e));
	if (n == 8 || rng_pct(e->r, 5))
		b(e, 0x44);	/* REX.R: CR8 (or garbage outside long mode) */
	b(e, 0x0f);
	b(e, (dr ? 0x21 : 0x20) + (rng_pct(e->r, 60) ? 2 : 0));
	b(e, 0xc0 | (n & 7) << 3);
}

static void t_xsetbv(struct emit *e)
{
	mov32(e, 1, rng_pct(e->r, 80) ? 0 : rng_edgy(e->r));
	mov32(e, 0, rng_pct(e->r, 50) ? 1 + 2 * rng_below(e->r, 4) : rng_edgy(e->r));
	mov32(e, 2, rng_pct(e->r, 80) ? 0 : rng_edgy(e->r));
	if (rng_pct(e->r, 80))
		EMIT(e, "\x0f\x01\xd1");
	else
		EMIT(e, "\x0f\x01\xd0");
}

static void t_hypercall(struct emit *e)
{
	mov32(e, 0, rng_pct(e->r, 30) ? 0 : rng_pct(e->r, 50) ? 0x1000 + rng_below(e->r, 8)
							 : rng_edgy(e->r));
	mov32(e, 3, rng_edgy(e->r));
	if (rng_pct(e->r, 50))
		EMIT(e, "\x0f\x01\xd9");
	else
		EMIT(e, "\x0f\x01\xc1");
}

/* The virtualization instructions themselves, SVM's and VMX's. */
static void t_virt(struct emit *e)
{
	static const struct op ops[] = {
		OP("\x0f\x01\xd8"), OP("\x0f\x01\xda"), OP("\x0f\x01\xdb"),
		OP("\x0f\x01\xdc"), OP("\x0f\x01\xdd"), OP("\x0f\x01\xde"),
		OP("\x0f\x01\xdf"), OP("\x0f\x01\xc2"), OP("\x0f\x01\xc3"),
		OP("\x0f\x01\xc4"), OP("\x0f\x01\xd4"), OP("\xf3\x0f\xc7\x30"),
		OP("\x66\x0f\xc7\x30"), OP("\x0f\xc7\x30"), OP("\x0f\xc7\x38"),
		OP("\x0f\x78\xc1"), OP("\x0f\x79\xc1"), OP("\x66\x0f\x38\x80\x00"),
		OP("\x66\x0f\x38\x81\x00"), OP("\x0f\x01\xfa"), OP("\x0f\x01\xfb"),
	};

	mov32(e, 0, addr(e));
	mov32(e, 1, rng_edgy(e->r));
	addr32(e);
	emit_op(e, ops, ARRAY_SIZE(ops));
}

/* INT n, INT3, INTO, INT1, UD2, IRET: exceptions and their delivery. */
static void t_int(struct emit *e)
{
	switch (rng_below(e->r, 7)) {
	case 0:
	case 1:
		b(e, 0xcd);
		b(e, rng_next(e->r));
		break;
	case 2:
		b(e, 0xcc);
		break;
	case 3:
		b(e, 0xce);
		break;
	case 4:
		b(e, 0xf1);
		break;
	case 5:
		EMIT(e, "\x0f\x0b");
		break;
	default:
		if (e->c->mode == MODE_LONG && rng_pct(e->r, 70))
			b(e, 0x48);
		b(e, 0xcf);
		break;
	}
}

/* LGDT/LIDT from garbage, LLDT/LTR/MOV Sreg with random selectors, far jumps. */
static void t_desc(struct emit *e)
{
	uint32_t a = addr(e);

	switch (rng_below(e->r, 6)) {
	case 0:
	case 1:
		mov32(e, 0, a);
		addr32(e);
		EMIT(e, "\x0f\x01");
		b(e, rng_pct(e->r, 50) ? 0x10 : 0x18);	/* lgdt/lidt [eax] */
		break;
	case 2:
		mov32(e, 0, rng_next(e->r));
		EMIT(e, "\x0f\x00");
		b(e, rng_pct(e->r, 50) ? 0xd0 : 0xd8);	/* lldt/ltr ax */
		break;
	case 3:
		mov32(e, 0, rng_pct(e->r, 50) ? rng_below(e->r, 0x48) : rng_next(e->r));
		b(e, 0x8e);
		b(e, 0xc0 | rng_below(e->r, 6) << 3);	/* mov es/cs/ss/ds/fs/gs, ax */
		break;
	case 4:
		if (e->c->mode == MODE_LONG) {	/* ljmp [eax]: a far pointer in memory */
			mov32(e, 0, a);
			EMIT(e, "\xff\x28");
		} else {
			b(e, 0xea);		/* ljmp ptr16:16/32 */
			imm32(e, rng_pct(e->r, 50) ? e->c->code_gpa : rng_next(e->r));
			if (e->c->mode == MODE_PROT) {
				b(e, rng_below(e->r, 0x48));
				b(e, 0);
			}
		}
		break;
	default:	/* lcall/retf/iret with random frames on the stack */
		mov32(e, 0, rng_next(e->r));
		b(e, 0x50);
		b(e, 0x50);
		b(e, rng_pct(e->r, 50) ? 0xcb : 0xcf);
		break;
	}
}

/* Accesses to MMIO (or RAM, or nothing) of every size, some read-modify-write. */
static void t_mmio(struct emit *e)
{
	static const struct op ops[] = {
		OP("\x89\x08"), OP("\x8b\x08"), OP("\x88\x08"), OP("\x8a\x08"),
		OP("\x66\x89\x08"), OP("\x66\x8b\x08"), OP("\x01\x08"), OP("\x87\x08"),
		OP("\xf0\x0f\xb1\x08"), OP("\x0f\xb7\x08"), OP("\xc7\x00\x01\x02\x03\x04"),
		OP("\xf3\xa4"), OP("\xf3\xab"), OP("\xff\x00"), OP("\x0f\x01\x38"),
		OP("\xf6\x00\x01"), OP("\x48\x89\x08"), OP("\x0f\xae\x38"),
		OP("\x0f\x18\x00"), OP("\x0f\xc7\x08"),
	};

	mov32(e, 0, addr(e));
	mov32(e, 7, addr(e));
	mov32(e, 6, addr(e));
	mov32(e, 1, rng_pct(e->r, 50) ? rng_below(e->r, 16) : rng_edgy(e->r));
	addr32(e);
	/* 0x48 (REX.W) is DEC EAX outside long mode: the access still happens. */
	emit_op(e, ops, ARRAY_SIZE(ops));
}

/* Writes into the stream itself, ahead of (or behind) where it runs. */
static void t_smc(struct emit *e)
{
	mov32(e, 0, e->c->code_gpa + rng_below(e->r, e->c->code_len));
	addr32(e);
	b(e, 0xc6);
	b(e, 0x00);
	b(e, rng_pct(e->r, 30) ? 0xf4 : rng_next(e->r));
}

/* RFLAGS with random bits (TF, AC, IF, IOPL, VM, NT...) through POPF. */
static void t_flags(struct emit *e)
{
	mov32(e, 0, rng_pct(e->r, 50) ? (1u << rng_below(e->r, 22)) | 2 : rng_next(e->r));
	b(e, 0x50);
	b(e, 0x9d);
}

static void t_misc(struct emit *e)
{
	static const struct op ops[] = {
		OP("\xf4"), OP("\xfb"), OP("\xfa"), OP("\x0f\x31"), OP("\x0f\x01\xf9"),
		OP("\x0f\x33"), OP("\x0f\x09"), OP("\x0f\x08"), OP("\x0f\x01\xc8"),
		OP("\x0f\x01\xc9"), OP("\x0f\x01\xf8"), OP("\x0f\x05"), OP("\x0f\x07"),
		OP("\x0f\x34"), OP("\x0f\x35"), OP("\x0f\xaa"), OP("\x0f\x06"),
		OP("\x0f\x01\xf0"), OP("\xf3\x90"), OP("\x0f\x01\xd0"), OP("\x0f\xc7\xf0"),
		OP("\x0f\x01\xe0"), OP("\x0f\x01\xee"), OP("\x0f\x01\xef"),
		OP("\x0f\x00\xc0"), OP("\x0f\x01\xca"), OP("\x0f\x01\xcb"),
		OP("\x9b\xdb\xe3"), OP("\x0f\xae\xe8"), OP("\x0f\x01\xd5"),
		OP("\x0f\x01\xe8"),
	};

	mov32(e, 0, rng_edgy(e->r));
	mov32(e, 1, rng_below(e->r, 4));
	mov32(e, 2, 0);
	emit_op(e, ops, ARRAY_SIZE(ops));
}

static void t_invlpg(struct emit *e)
{
	mov32(e, 0, addr(e));
	addr32(e);
	EMIT(e, "\x0f\x01\x38");
}

static void t_branch(struct emit *e)
{
	b(e, rng_pct(e->r, 50) ? 0xeb : 0x74 + rng_below(e->r, 12));
	b(e, rng_pct(e->r, 70) ? 0xf0 + rng_below(e->r, 14) : rng_next(e->r));
}

static void t_garbage(struct emit *e)
{
	unsigned int n = 1 + rng_below(e->r, 8);

	while (n--)
		b(e, rng_next(e->r));
}

static const struct {
	void (*fn)(struct emit *e);
	unsigned int weight;
} templates[] = {
	{ t_cpuid, 8 }, { t_msr, 10 }, { t_io, 10 }, { t_string_io, 8 }, { t_mov_cr_dr, 9 },
	{ t_xsetbv, 4 }, { t_hypercall, 4 }, { t_virt, 5 }, { t_int, 6 }, { t_desc, 6 },
	{ t_mmio, 10 }, { t_smc, 3 }, { t_flags, 3 }, { t_misc, 6 }, { t_invlpg, 3 },
	{ t_branch, 2 }, { t_garbage, 3 },
};

void insn_generate(struct fuzz_rng *r, const struct insn_ctx *c, uint8_t *buf, size_t len)
{
	unsigned int total = 0, pick, i;
	struct emit e = { .p = buf, .end = buf + len, .c = c, .r = r };

	for (i = 0; i < ARRAY_SIZE(templates); i++)
		total += templates[i].weight;
	memset(buf, 0xf4, len);
	/* Room at the end: the last instruction's bytes are not cut off. */
	while (e.p < buf + len - 48) {
		pick = rng_below(r, total);
		for (i = 0; pick >= templates[i].weight; i++)
			pick -= templates[i].weight;
		templates[i].fn(&e);
	}
}
