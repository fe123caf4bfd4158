/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest fuzzer's guests: the guest-physical layout and the set-up of
 * each mode (fuzz_guest_setup.c).
 */
#ifndef KHV_FUZZ_GUEST_H
#define KHV_FUZZ_GUEST_H

#include "khv_vm.h"
#include "fuzz_insn.h"

#define FG_IVT_GPA	0x0ul		/* real mode's interrupt vectors */
#define FG_HANDLER_GPA	0x1000ul	/* every vector's handler */
#define FG_DATA_GPA	0x2000ul	/* far pointers, descriptors: garbage */
#define FG_CODE_GPA	0x8000ul
#define FG_CODE_LEN	0x1000ul
#define FG_REAL_STACK	0xfff0ul

/*
 * Put the vCPU in @mode at CPL @cpl (0 or 3; real mode is always 0) with
 * RIP at FG_CODE_GPA, its IDT/IVT leading to FG_HANDLER_GPA, some of it
 * made wrong on purpose. 0 or -errno.
 */
int fg_setup(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, enum insn_mode mode, int cpl);

#endif /* KHV_FUZZ_GUEST_H */
