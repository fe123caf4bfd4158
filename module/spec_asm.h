/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The speculation features khv's entry code (vmx/vmenter.S, svm/vmenter.S)
 * tests, under the names each kernel gives them (6.1, 6.12, 7.3). Usable
 * from assembly.
 */
#ifndef KHV_SPEC_ASM_H
#define KHV_SPEC_ASM_H

#include <asm/cpufeatures.h>

/* BHI: clear the branch history after a VM exit (6.9; renamed in 6.16). */
#if defined(X86_FEATURE_CLEAR_BHB_VMEXIT)
#define KHV_FEATURE_CLEAR_BHB_VMEXIT	X86_FEATURE_CLEAR_BHB_VMEXIT
#elif defined(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT)
#define KHV_FEATURE_CLEAR_BHB_VMEXIT	X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
#endif

#endif /* KHV_SPEC_ASM_H */
