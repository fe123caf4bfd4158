/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_apic_test: what the test and its guest code (khv_apic_test_guest.c) share. */
#ifndef KHV_APIC_TEST_H
#define KHV_APIC_TEST_H

#include <stdint.h>

#include "khv_guest.h"

/* Where the xAPIC tests move the APIC page: no RAM, inside the identity map. */
#define APIC_TEST_XAPIC_GPA	0x3fe00000ull

/* The vectors the tests raise; one handler counts them all per APIC ID. */
#define APIC_TEST_VEC		0x40
#define APIC_TEST_VEC_TIMER	0x41
#define APIC_TEST_VEC_IPI	0x42
#define APIC_TEST_VEC_LOOP	0x43	/* its handler sends it to itself again */
#define APIC_TEST_NVEC		4

/* The AP trampoline of the INIT-SIPI-SIPI test: vector 8, page 0x8000. */
#define APIC_TEST_SIPI_VECTOR	8
#define APIC_TEST_SIPI_PORT	0x80

/* Register offsets (SDM Vol. 3A Table 11-1). */
#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_EOI		0xb0
#define APIC_SVR		0xf0
#define APIC_ISR		0x100
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_LVTT		0x320
#define APIC_LVT0		0x350
#define APIC_LVTERR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_SELF_IPI		0x3f0

#define MSR_APIC_BASE		0x1bu
#define MSR_IA32_TSC		0x10u
#define MSR_TSC_DEADLINE	0x6e0u
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_X2APIC	(1ull << 10)
#define APIC_BASE_ENABLE	(1ull << 11)

#define APIC_LVT_MASKED		(1u << 16)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_TIMER_DEADLINE	(2u << 17)
#define APIC_DM_NMI		(4u << 8)
#define APIC_DM_EXTINT		(7u << 8)
#define APIC_DM_INIT		(5u << 8)
#define APIC_DM_STARTUP		(6u << 8)
#define APIC_DM_LOWEST		(1u << 8)
#define APIC_DEST_LOGICAL	(1u << 11)
#define APIC_ICR_ASSERT		(1u << 14)
#define APIC_SH_SELF		(1u << 18)
#define APIC_SH_ALL		(2u << 18)
#define APIC_SH_ALL_BUT_SELF	(3u << 18)
#define APIC_DFR_FLAT		0xffffffffu
#define APIC_DFR_CLUSTER	0x0fffffffu

/* What the guest code is told to do (its argument). */
enum { APIC_MODE_XAPIC, APIC_MODE_X2APIC };

/*
 * The group tests (guest_code_group()): vCPU 0 sends, vCPUs 1 and 2 (and 0)
 * count what arrives. Argument: the mode | the scenario << 8.
 */
#define APIC_GROUP_VCPUS	3
enum {
	APIC_GROUP_LOGICAL,		/* x2APIC cluster, or xAPIC flat */
	APIC_GROUP_LOGICAL_CLUSTER,	/* xAPIC cluster model */
	APIC_GROUP_LOWEST,		/* lowest priority to vCPUs 1 and 2 */
	APIC_GROUP_SHORTHAND,		/* all including self, all but self */
};
#define APIC_GROUP_ARG(mode, sc)	((mode) | (sc) << 8)
/* Lowest-priority IPIs the sender sends, one at a time. */
#define APIC_LOWEST_IPIS	8

/* The SIPI storm: the first SIPI's vector, then others (their pages too). */
#define APIC_STORM_SIPIS	1000
#define APIC_STORM_FIRST	8
#define APIC_STORM_OTHERS	3	/* vectors 9, 10, 11 */

/* The save/restore test's one-shot timer: 200 ms at 1 GHz, divide by 1. */
#define APIC_MIGRATE_TMICT	200000000u

/* The guest's counts, per APIC ID (0-7) and vector, and what it saw. */
struct apic_guest {
	uint64_t count[8][APIC_TEST_NVEC];
	uint64_t nmis;
	uint64_t ready;		/* the IPI receiver sleeps from here on */
	uint64_t gp;		/* #GPs taken (each skips a 2-byte RDMSR/WRMSR) */
	uint64_t stage;		/* the timer test's step (APIC_STAGE_*), for a hang */
	uint64_t stage_count;	/* the timer interrupts taken when that step began */
	uint64_t hlt_skipped;	/* interrupts taken before STI; HLT's HLT (apic_sti_hlt()) */
	uint64_t started;	/* group tests: the vCPUs set up */
	uint64_t stop;		/* group tests: the sender is done */
	uint64_t ldr[8];	/* group tests: each APIC's LDR as it reads it */
	uint64_t if_clear;	/* interrupts taken with RFLAGS.IF clear: never */
	uint64_t if_clear_rip;	/* where the last of those came */
	uint64_t frames;	/* interrupts the counting handlers took, all vCPUs */
	uint64_t frame_rip[4];	/* where the last 4 came (frames % 4) */
	uint64_t frame_rflags[4];
};

/* The timer test's steps: the HLT a guest may wait in (the low byte counts them). */
#define APIC_STAGE_ONESHOT	0x100
#define APIC_STAGE_PERIODIC	0x200
#define APIC_STAGE_DEADLINE	0x300
#define APIC_STAGE_CLAMPED	0x400
#define APIC_STAGE_PENDING	0x500
#define APIC_STAGE_EXPIRED	0x600

#endif /* KHV_APIC_TEST_H */
