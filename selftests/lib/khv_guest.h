/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv selftests: what guest code sees (KVM selftests' ucall, reduced).
 *
 * Guest code is plain C in the test binary, compiled without SSE/MMX/AVX, red
 * zone, stack protector or CET (see the Makefile's GUEST_CFLAGS), and run by
 * a long-mode vCPU at the same virtual addresses as in the test process (the
 * lib copies the binary's loadable segments into guest RAM and identity-maps
 * it). It talks to the test through a "ucall": a 32-bit OUT to
 * KHV_UCALL_PORT with RDI holding the guest address of a struct ucall on the
 * guest's stack. The test finds it there with vcpu_get_ucall().
 *
 * Guest code must not call into libc (its string functions pick SSE/AVX
 * variants at start-up) and must not touch TLS (FS is not set up).
 */
#ifndef KHV_SELFTEST_GUEST_H
#define KHV_SELFTEST_GUEST_H

#include <stdint.h>

/* An I/O port no PC device uses; an OUT there is a ucall. */
#define KHV_UCALL_PORT		0xe0f0

enum {
	UCALL_NONE,	/* the exit was not a ucall */
	UCALL_SYNC,	/* GUEST_SYNC*(): args[] hold the values */
	UCALL_ASSERT,	/* GUEST_ASSERT*() failed: file, line, msg, args[0..1] */
	UCALL_DONE,	/* GUEST_DONE(): the guest finished */
};

#define UCALL_MAX_ARGS		4

/* Lives on the guest's stack; the test reads it from guest memory. */
struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	uint64_t file;		/* guest address of a string in .rodata */
	uint64_t line;
	uint64_t msg;		/* guest address of a string in .rodata */
};

static inline void __guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1,
				 uint64_t a2, uint64_t a3, const char *file,
				 uint64_t line, const char *msg)
{
	/* Field by field: a struct initializer may become a call to memset. */
	volatile struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	uc.file = (uint64_t)(uintptr_t)file;
	uc.line = line;
	uc.msg = (uint64_t)(uintptr_t)msg;
	asm volatile("outl %%eax, %%dx"
		     : : "a" ((uint32_t)cmd), "d" (KHV_UCALL_PORT), "D" (&uc)
		     : "memory");
}

#define GUEST_SYNC(a)		__guest_ucall(UCALL_SYNC, (a), 0, 0, 0, 0, 0, 0)
#define GUEST_SYNC2(a, b)	__guest_ucall(UCALL_SYNC, (a), (b), 0, 0, 0, 0, 0)
#define GUEST_SYNC4(a, b, c, d)	__guest_ucall(UCALL_SYNC, (a), (b), (c), (d), 0, 0, 0)
#define GUEST_DONE()		__guest_ucall(UCALL_DONE, 0, 0, 0, 0, 0, 0, 0)

#define GUEST_ASSERT(cond) do {							\
	if (!(cond))								\
		__guest_ucall(UCALL_ASSERT, 0, 0, 0, 0, __FILE__, __LINE__,	\
			      "GUEST_ASSERT(" #cond ")");			\
} while (0)

/* Reports both values, as the test's own ASSERT_EQ would. */
#define GUEST_ASSERT_EQ(a, b) do {						\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);			\
	if (__a != __b)								\
		__guest_ucall(UCALL_ASSERT, __a, __b, 0, 0, __FILE__, __LINE__,	\
			      "GUEST_ASSERT_EQ(" #a ", " #b ")");		\
} while (0)

/* The guest's debug registers (every MOV DR exits to khv). */
#define GUEST_GET_DR(n) ({ uint64_t __v; asm volatile("mov %%dr" #n ", %0" : "=r" (__v)); __v; })
#define GUEST_SET_DR(n, v) asm volatile("mov %0, %%dr" #n : : "r" ((uint64_t)(v)) : "memory")

/* The frame the CPU pushes for an interrupt or exception in long mode. */
struct guest_intr_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Long-mode segment selectors of the lib's GDT. */
#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_CODE32	0x18
#define GUEST_SEL_TSS		0x20
/* CPL 3 (DPL 3 descriptors, RPL 3 selectors). */
#define GUEST_SEL_USER_DATA	0x33
#define GUEST_SEL_USER_CODE64	0x3b
#define GUEST_SEL_USER_CODE32	0x43

/* YMM0-15 to @buf (16 x 32 bytes); guest code that enabled AVX only. */
static inline void guest_ymm_store(uint64_t *buf)
{
	asm volatile("vmovdqu %%ymm0, 0x000(%0)\n\t"
		     "vmovdqu %%ymm1, 0x020(%0)\n\t"
		     "vmovdqu %%ymm2, 0x040(%0)\n\t"
		     "vmovdqu %%ymm3, 0x060(%0)\n\t"
		     "vmovdqu %%ymm4, 0x080(%0)\n\t"
		     "vmovdqu %%ymm5, 0x0a0(%0)\n\t"
		     "vmovdqu %%ymm6, 0x0c0(%0)\n\t"
		     "vmovdqu %%ymm7, 0x0e0(%0)\n\t"
		     "vmovdqu %%ymm8, 0x100(%0)\n\t"
		     "vmovdqu %%ymm9, 0x120(%0)\n\t"
		     "vmovdqu %%ymm10, 0x140(%0)\n\t"
		     "vmovdqu %%ymm11, 0x160(%0)\n\t"
		     "vmovdqu %%ymm12, 0x180(%0)\n\t"
		     "vmovdqu %%ymm13, 0x1a0(%0)\n\t"
		     "vmovdqu %%ymm14, 0x1c0(%0)\n\t"
		     "vmovdqu %%ymm15, 0x1e0(%0)"
		     : : "r" (buf) : "memory");
}

#endif /* KHV_SELFTEST_GUEST_H */
