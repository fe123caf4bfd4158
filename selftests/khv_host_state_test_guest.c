// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_host_state_test: the guest side (built with GUEST_CFLAGS, run at the
 * addresses it has in the test binary; see khv_guest_test_guest.c).
 */
#include <stdint.h>

#include "khv_guest.h"
#include "khv_host_state_test.h"

volatile uint64_t hs_bp_target;
volatile uint64_t hs_db_count;
volatile uint64_t hs_gp_count;

/* A data breakpoint is a trap: RIP is already past the write. */
__attribute__((interrupt))
void hs_db_handler(struct guest_intr_frame *frame)
{
	(void)frame;
	hs_db_count = hs_db_count + 1;
}

/* #GP from WRMSR: count it and step over the 2-byte instruction. */
__attribute__((interrupt))
void hs_gp_handler(struct guest_intr_frame *frame, uint64_t error_code)
{
	(void)error_code;
	hs_gp_count = hs_gp_count + 1;
	frame->rip += 2;
}

/* Write the word the host watches; report how many #DB the guest got. */
void hs_guest_write_bp_target(uint64_t rounds)
{
	uint64_t i;

	hs_db_count = 0;
	for (i = 0; i < rounds; i++)
		hs_bp_target = i;
	GUEST_SYNC2(hs_db_count, hs_bp_target);
	GUEST_DONE();
}

/* WRMSR SFMASK with @value: report how many #GP it raised. */
void hs_guest_wrmsr(uint64_t value)
{
	hs_gp_count = 0;
	asm volatile("wrmsr" : : "a" ((uint32_t)value), "d" ((uint32_t)(value >> 32)),
		     "c" (HS_MSR_SYSCALL_MASK) : "memory");
	GUEST_SYNC(hs_gp_count);
	GUEST_DONE();
}

/* @n CPUIDs, each an exit: as many entries and exits on the guest's GS base. */
void hs_guest_cpuid_exits(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < n; i++) {
		a = 0;
		c = 0;
		asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	}
	GUEST_SYNC(n);
	GUEST_DONE();
}

/* WRMSR STAR with @value, then RDMSR it: the #GPs and what reads back. */
void hs_guest_wrmsr_star(uint64_t value)
{
	uint32_t lo, hi;

	hs_gp_count = 0;
	asm volatile("wrmsr" : : "a" ((uint32_t)value), "d" ((uint32_t)(value >> 32)),
		     "c" (HS_MSR_STAR) : "memory");
	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (HS_MSR_STAR));
	GUEST_SYNC2(hs_gp_count, (uint64_t)hi << 32 | lo);
	GUEST_DONE();
}
