/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_guest_test: what the test and its guest code (khv_guest_test_guest.c) share. */
#ifndef KHV_GUEST_TEST_H
#define KHV_GUEST_TEST_H

#include <stdint.h>

#include "khv_guest.h"

#define GUEST_TEST_MAGIC	0x6b68765f74657374ull	/* "khv_test" */
#define GUEST_LOOP_ROUNDS	20

#define MSR_LSTAR		0xc0000082u
#define MSR_KERNEL_GS_BASE	0xc0000102u
#define GUEST_LSTAR_VALUE	0xffffffff81234560ull
#define TEST_KGSBASE_VALUE	0xffff888012345000ull

/*
 * guest_code_spin_on_range(): what the test answers to an MMIO read of the
 * range, and what the guest writes there.
 */
#define GUEST_SPIN_MMIO		0x4d4d494f4d4d494full	/* "OIMMOIMM" */
#define GUEST_SPIN_TAG		0x5441475441475441ull

/* guest_code_spin_on_range()'s progress, read by the test. */
struct guest_spin {
	uint64_t stop;		/* set by the test */
	uint64_t seen;		/* the range was RAM: the guest's write stayed */
	uint64_t left;		/* then it was MMIO again */
	uint64_t reads;		/* reads of the range while it was RAM */
};

extern uint64_t guest_input;
extern volatile uint64_t guest_output;
extern volatile uint64_t guest_gp_count;
extern volatile uint64_t guest_gp_error;
extern volatile struct guest_spin guest_spin;

void guest_code_sync_values(uint64_t arg);
void guest_code_cpuid(uint64_t arg);
void guest_code_cpuid_ids(uint64_t arg);
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_msr(uint64_t msr);
void guest_code_msr_allowed(uint64_t arg);
void guest_code_mmio(uint64_t base);
void guest_code_loop(uint64_t id);
void guest_code_spin_on_range(uint64_t gpa);

#endif /* KHV_GUEST_TEST_H */
