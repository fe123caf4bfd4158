// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_xsave_test: the guest side (long mode, general registers only in C;
 * the vector registers are reached from inline assembly alone).
 */
#include <stdint.h>

#include "khv_guest.h"
#include "khv_xsave_test.h"

volatile uint64_t xg_gp_count;
volatile uint64_t xg_ud_count;

/* #GP and #UD: count, step over the 3-byte instruction (XSETBV). */
__attribute__((interrupt))
void xg_gp_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	(void)error_code;
	xg_gp_count = xg_gp_count + 1;
	frame->rip += 3;
}

__attribute__((interrupt))
void xg_ud_handler(struct guest_intr_frame *frame)
{
	xg_ud_count = xg_ud_count + 1;
	frame->rip += 3;
}

static inline void xg_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (sub));
}

static inline void xg_xsetbv(uint32_t index, uint64_t v)
{
	asm volatile("xsetbv" : : "a" ((uint32_t)v), "d" ((uint32_t)(v >> 32)),
		     "c" (index) : "memory");
}

static inline uint64_t xg_xgetbv(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0u));
	return lo | (uint64_t)hi << 32;
}

static void xg_osxsave(void)
{
	uint64_t cr4;

	asm volatile("mov %%cr4, %0" : "=r" (cr4));
	asm volatile("mov %0, %%cr4" : : "r" (cr4 | XS_CR4_OSXSAVE) : "memory");
}

/* CR4.OSXSAVE, and XCR0 with AVX (and AVX-512 where offered): the new XCR0, or 0. */
static uint64_t xg_enable_avx(void)
{
	uint32_t r[4];
	uint64_t offered, xcr0;

	xg_cpuid(1, 0, r);
	if (!(r[2] & (1u << 26)))
		return 0;
	xg_osxsave();
	xg_cpuid(0xd, 0, r);
	offered = r[0] | (uint64_t)r[3] << 32;
	if ((offered & 7) != 7)
		return 0;
	xcr0 = offered & 0xe7;
	xg_xsetbv(0, xcr0);
	return xg_xgetbv();
}

static void xg_fill(uint64_t *buf, unsigned int n, uint64_t pattern)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		buf[i] = pattern + i;
}

/* YMM0-15 from @buf (16 x 32 bytes). */
static void xg_ymm_load(const uint64_t *buf)
{
	asm volatile("vmovdqu 0x000(%0), %%ymm0\n\t"
		     "vmovdqu 0x020(%0), %%ymm1\n\t"
		     "vmovdqu 0x040(%0), %%ymm2\n\t"
		     "vmovdqu 0x060(%0), %%ymm3\n\t"
		     "vmovdqu 0x080(%0), %%ymm4\n\t"
		     "vmovdqu 0x0a0(%0), %%ymm5\n\t"
		     "vmovdqu 0x0c0(%0), %%ymm6\n\t"
		     "vmovdqu 0x0e0(%0), %%ymm7\n\t"
		     "vmovdqu 0x100(%0), %%ymm8\n\t"
		     "vmovdqu 0x120(%0), %%ymm9\n\t"
		     "vmovdqu 0x140(%0), %%ymm10\n\t"
		     "vmovdqu 0x160(%0), %%ymm11\n\t"
		     "vmovdqu 0x180(%0), %%ymm12\n\t"
		     "vmovdqu 0x1a0(%0), %%ymm13\n\t"
		     "vmovdqu 0x1c0(%0), %%ymm14\n\t"
		     "vmovdqu 0x1e0(%0), %%ymm15"
		     : : "r" (buf) : "memory");
}

/* ZMM16-31 (16 x 64 bytes) and the opmask registers k1-k7 (7 x 8 bytes). */
static void xg_zmm_load(const uint64_t *zmm, const uint64_t *k)
{
	asm volatile("vmovdqu64 0x000(%0), %%zmm16\n\t"
		     "vmovdqu64 0x040(%0), %%zmm17\n\t"
		     "vmovdqu64 0x080(%0), %%zmm18\n\t"
		     "vmovdqu64 0x0c0(%0), %%zmm19\n\t"
		     "vmovdqu64 0x100(%0), %%zmm20\n\t"
		     "vmovdqu64 0x140(%0), %%zmm21\n\t"
		     "vmovdqu64 0x180(%0), %%zmm22\n\t"
		     "vmovdqu64 0x1c0(%0), %%zmm23\n\t"
		     "vmovdqu64 0x200(%0), %%zmm24\n\t"
		     "vmovdqu64 0x240(%0), %%zmm25\n\t"
		     "vmovdqu64 0x280(%0), %%zmm26\n\t"
		     "vmovdqu64 0x2c0(%0), %%zmm27\n\t"
		     "vmovdqu64 0x300(%0), %%zmm28\n\t"
		     "vmovdqu64 0x340(%0), %%zmm29\n\t"
		     "vmovdqu64 0x380(%0), %%zmm30\n\t"
		     "vmovdqu64 0x3c0(%0), %%zmm31\n\t"
		     "kmovw 0x00(%1), %%k1\n\t"
		     "kmovw 0x08(%1), %%k2\n\t"
		     "kmovw 0x10(%1), %%k3\n\t"
		     "kmovw 0x18(%1), %%k4\n\t"
		     "kmovw 0x20(%1), %%k5\n\t"
		     "kmovw 0x28(%1), %%k6\n\t"
		     "kmovw 0x30(%1), %%k7"
		     : : "r" (zmm), "r" (k) : "memory");
}

static void xg_zmm_store(uint64_t *zmm, uint64_t *k)
{
	asm volatile("vmovdqu64 %%zmm16, 0x000(%0)\n\t"
		     "vmovdqu64 %%zmm17, 0x040(%0)\n\t"
		     "vmovdqu64 %%zmm18, 0x080(%0)\n\t"
		     "vmovdqu64 %%zmm19, 0x0c0(%0)\n\t"
		     "vmovdqu64 %%zmm20, 0x100(%0)\n\t"
		     "vmovdqu64 %%zmm21, 0x140(%0)\n\t"
		     "vmovdqu64 %%zmm22, 0x180(%0)\n\t"
		     "vmovdqu64 %%zmm23, 0x1c0(%0)\n\t"
		     "vmovdqu64 %%zmm24, 0x200(%0)\n\t"
		     "vmovdqu64 %%zmm25, 0x240(%0)\n\t"
		     "vmovdqu64 %%zmm26, 0x280(%0)\n\t"
		     "vmovdqu64 %%zmm27, 0x2c0(%0)\n\t"
		     "vmovdqu64 %%zmm28, 0x300(%0)\n\t"
		     "vmovdqu64 %%zmm29, 0x340(%0)\n\t"
		     "vmovdqu64 %%zmm30, 0x380(%0)\n\t"
		     "vmovdqu64 %%zmm31, 0x3c0(%0)\n\t"
		     "kmovw %%k1, 0x00(%1)\n\t"
		     "kmovw %%k2, 0x08(%1)\n\t"
		     "kmovw %%k3, 0x10(%1)\n\t"
		     "kmovw %%k4, 0x18(%1)\n\t"
		     "kmovw %%k5, 0x20(%1)\n\t"
		     "kmovw %%k6, 0x28(%1)\n\t"
		     "kmovw %%k7, 0x30(%1)"
		     : : "r" (zmm), "r" (k) : "memory");
}

#define XG_YMM_WORDS	(16 * 4)
#define XG_ZMM_WORDS	(16 * 8)
#define XG_K_WORDS	7

/*
 * Load YMM0-15 (and, with AVX-512 in XCR0, ZMM16-31 and k1-k7) with values
 * from @pattern; then, after each exit, check that they are all still there:
 * SYNC(XS_OK, round) or SYNC(XS_BAD, the first value found instead), until
 * the test stops running it.
 */
void guest_code_keep(uint64_t pattern)
{
	uint64_t ymm[XG_YMM_WORDS] __attribute__((aligned(64)));
	uint64_t zmm[XG_ZMM_WORDS] __attribute__((aligned(64)));
	uint64_t got[XG_ZMM_WORDS] __attribute__((aligned(64)));
	uint64_t k[XG_K_WORDS], kgot[XG_K_WORDS];
	uint64_t xcr0 = xg_enable_avx(), round;
	int avx512 = (xcr0 & 0xe0) == 0xe0;
	unsigned int i;

	if (!xcr0) {
		GUEST_SYNC2(XS_NO_AVX, 0);
		GUEST_DONE();
	}
	xg_fill(ymm, XG_YMM_WORDS, pattern);
	xg_fill(zmm, XG_ZMM_WORDS, pattern ^ 0x5a5a0000ull);
	for (i = 0; i < XG_K_WORDS; i++)
		k[i] = (pattern + i) & 0xffff;
	xg_ymm_load(ymm);
	if (avx512)
		xg_zmm_load(zmm, k);
	for (round = 0;; round++) {
		GUEST_SYNC4(XS_OK, round, xcr0, 0);
		guest_ymm_store(got);
		for (i = 0; i < XG_YMM_WORDS; i++)
			if (got[i] != ymm[i])
				GUEST_SYNC4(XS_BAD, got[i], i, 0);
		if (!avx512)
			continue;
		xg_zmm_store(got, kgot);
		for (i = 0; i < XG_ZMM_WORDS; i++)
			if (got[i] != zmm[i])
				GUEST_SYNC4(XS_BAD, got[i], 100 + i, 0);
		for (i = 0; i < XG_K_WORDS; i++)
			if ((kgot[i] & 0xffff) != k[i])
				GUEST_SYNC4(XS_BAD, kgot[i], 1000 + i, 0);
	}
}

/*
 * Another guest's view: enable the same state, report the OR of every
 * YMM0-15 word (and of ZMM16-31 and k1-k7 with AVX-512), all of which must
 * be in their initial state (0); then load @pattern and exit again.
 */
void guest_code_peek(uint64_t pattern)
{
	uint64_t got[XG_ZMM_WORDS] __attribute__((aligned(64)));
	uint64_t k[XG_K_WORDS], v = 0, xcr0 = xg_enable_avx();
	unsigned int i;

	if (!xcr0) {
		GUEST_SYNC2(XS_NO_AVX, 0);
		GUEST_DONE();
	}
	guest_ymm_store(got);
	for (i = 0; i < XG_YMM_WORDS; i++)
		v |= got[i];
	if ((xcr0 & 0xe0) == 0xe0) {
		xg_zmm_store(got, k);
		for (i = 0; i < XG_ZMM_WORDS; i++)
			v |= got[i];
		for (i = 0; i < XG_K_WORDS; i++)
			v |= k[i] & 0xffff;
	}
	GUEST_SYNC4(v ? XS_BAD : XS_OK, v, xcr0, 0);
	xg_fill(got, XG_YMM_WORDS, pattern);
	xg_ymm_load(got);
	GUEST_SYNC4(XS_OK, 0, xcr0, 0);
	GUEST_DONE();
}

/*
 * XSETBV: #UD without CR4.OSXSAVE; with it, #GP(0) for every value the SDM
 * forbids and for XCR 1; XGETBV and CPUID.(0DH,0):EBX follow what it set.
 */
void guest_code_xsetbv(uint64_t arg)
{
	uint32_t r[4];
	uint64_t offered;

	(void)arg;
	xg_gp_count = 0;
	xg_ud_count = 0;
	xg_xsetbv(0, 1);
	GUEST_SYNC2(xg_ud_count, xg_gp_count);

	xg_osxsave();
	xg_cpuid(0xd, 0, r);
	offered = r[0] | (uint64_t)r[3] << 32;
	GUEST_SYNC4(offered, r[1], r[2], xg_xgetbv());

	xg_xsetbv(0, 0);			/* x87 clear */
	xg_xsetbv(0, 2);			/* x87 clear */
	xg_xsetbv(0, 5);			/* AVX without SSE */
	xg_xsetbv(0, 0x27);			/* part of AVX-512 */
	xg_xsetbv(0, 0xe3);			/* AVX-512 without AVX */
	xg_xsetbv(0, 0x1b);			/* MPX */
	xg_xsetbv(0, 0x60003);			/* AMX */
	xg_xsetbv(0, 1ull << 63 | 3);		/* reserved */
	xg_xsetbv(1, 3);			/* XCR1 */
	GUEST_SYNC2(xg_gp_count, xg_xgetbv());

	xg_xsetbv(0, offered & 7);
	xg_cpuid(0xd, 0, r);
	GUEST_SYNC4(xg_gp_count, xg_xgetbv(), r[1], 0);
	xg_xsetbv(0, 3);
	xg_cpuid(0xd, 0, r);
	GUEST_SYNC4(xg_gp_count, xg_xgetbv(), r[1], 0);
	GUEST_DONE();
}

/* The hypervisor leaves 4000_0000h and 4000_0010h, and leaf 1 ECX. */
void guest_code_hv_leaves(uint64_t arg)
{
	uint32_t r[4];

	(void)arg;
	xg_cpuid(0x40000000, 0, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	xg_cpuid(0x40000010, 0, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	xg_cpuid(1, 0, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	GUEST_DONE();
}

static inline uint64_t xg_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return lo | (uint64_t)hi << 32;
}

static inline uint64_t xg_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return lo | (uint64_t)hi << 32;
}

static inline void xg_wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "a" ((uint32_t)v), "d" ((uint32_t)(v >> 32)),
		     "c" (msr) : "memory");
}

/*
 * The guest's TSC: its first value and the frequency CPUID publishes; then
 * @rounds times RDTSC and RDMSR(IA32_TSC) after an exit (XS_BAD if RDTSC
 * went back); then after WRMSR(IA32_TSC, XS_TSC_SET) both again.
 */
void guest_code_tsc(uint64_t rounds)
{
	uint64_t t0 = xg_rdtsc(), prev = t0, t, i;
	uint32_t r[4];

	xg_cpuid(0x40000010, 0, r);
	GUEST_SYNC4(t0, r[0], 0, 0);
	for (i = 0; i < rounds; i++) {
		t = xg_rdtsc();
		GUEST_SYNC4(t < prev ? XS_BAD : XS_OK, t, xg_rdmsr(XS_MSR_TSC), prev);
		prev = t;
	}
	xg_wrmsr(XS_MSR_TSC, XS_TSC_SET);
	t = xg_rdtsc();
	GUEST_SYNC4(t, xg_rdmsr(XS_MSR_TSC), 0, 0);
	GUEST_DONE();
}

/*
 * At CPL 3 (CR4.OSXSAVE set by the test): XSETBV raises #GP(0) and leaves
 * XCR0 as it was; XGETBV works.
 */
void guest_code_xsetbv_user(uint64_t arg)
{
	(void)arg;
	xg_gp_count = 0;
	xg_xsetbv(0, 3);
	GUEST_SYNC2(xg_gp_count, xg_xgetbv());
	GUEST_DONE();
}
