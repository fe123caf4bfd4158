/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_host_state_test: what the test and its guest code share. */
#ifndef KHV_HOST_STATE_TEST_H
#define KHV_HOST_STATE_TEST_H

#include <stdint.h>

#include "khv_guest.h"

#define HS_MSR_STAR		0xc0000081u
#define HS_MSR_SYSCALL_MASK	0xc0000084u
/* Linux's: SYSRET from USER32_CS (0x23), SYSCALL to KERNEL_CS (0x10). */
#define HS_LINUX_STAR		0x0023001000000000ull
#define HS_BP_WRITES		16
#define HS_MSR_GS_BASE		0xc0000101u
#define HS_MSR_KERNEL_GS_BASE	0xc0000102u
#define HS_GS_EXITS		64

/* Written by the guest; the host has a hardware breakpoint on it. */
extern volatile uint64_t hs_bp_target;
extern volatile uint64_t hs_db_count;
extern volatile uint64_t hs_gp_count;

void hs_db_handler(struct guest_intr_frame *frame);
void hs_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void hs_guest_write_bp_target(uint64_t rounds);
void hs_guest_wrmsr(uint64_t value);
void hs_guest_cpuid_exits(uint64_t n);
void hs_guest_wrmsr_star(uint64_t value);

#endif /* KHV_HOST_STATE_TEST_H */
