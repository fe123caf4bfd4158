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

extern uint64_t guest_input;
extern volatile uint64_t guest_output;
extern volatile uint64_t guest_gp_count;
extern volatile uint64_t guest_gp_error;

void guest_code_sync_values(uint64_t arg);
void guest_code_cpuid(uint64_t arg);
void guest_code_cpuid_ids(uint64_t arg);
void guest_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void guest_code_msr(uint64_t msr);
void guest_code_msr_allowed(uint64_t arg);
void guest_code_mmio(uint64_t base);
void guest_code_loop(uint64_t id);

#endif /* KHV_GUEST_TEST_H */
