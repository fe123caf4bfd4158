/* SPDX-License-Identifier: GPL-2.0-only */
/* khv_xsave_test: what the test and its guest code (khv_xsave_test_guest.c) share. */
#ifndef KHV_XSAVE_TEST_H
#define KHV_XSAVE_TEST_H

#include <stdint.h>

#include "khv_guest.h"

#define XS_CR4_OSXSAVE		(1ull << 18)

/* What guest_code_keep() and guest_code_peek() report (uc.args[0]). */
enum { XS_NO_AVX = 1, XS_OK, XS_BAD };

/* Values XSETBV must refuse with #GP(0), for guest_code_xsetbv(). */
#define XS_NR_BAD		9

#define XS_MSR_TSC		0x10u
#define XS_TSC_SET		(1ull << 50)

extern volatile uint64_t xg_gp_count;
extern volatile uint64_t xg_ud_count;

void xg_gp_handler(struct guest_intr_frame *frame, uint64_t error_code);
void xg_ud_handler(struct guest_intr_frame *frame);
void guest_code_keep(uint64_t pattern);
void guest_code_peek(uint64_t pattern);
void guest_code_xsetbv(uint64_t arg);
void guest_code_hv_leaves(uint64_t arg);
void guest_code_tsc(uint64_t rounds);
void guest_code_xsetbv_user(uint64_t arg);

#endif /* KHV_XSAVE_TEST_H */
