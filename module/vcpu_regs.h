/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's general registers by x86 number (SDM Vol. 2 2.1.5), the order
 * of struct khv_vcpu's regs[] (regs.h). C and both entry paths
 * (vmx/vmenter.S, svm/vmenter.S) take the layout from here, as KVM's entry
 * code takes it from asm/kvm_vcpu_regs.h.
 */
#ifndef KHV_VCPU_REGS_H
#define KHV_VCPU_REGS_H

#define __KHV_REGS_RAX	0
#define __KHV_REGS_RCX	1
#define __KHV_REGS_RDX	2
#define __KHV_REGS_RBX	3
#define __KHV_REGS_RSP	4
#define __KHV_REGS_RBP	5
#define __KHV_REGS_RSI	6
#define __KHV_REGS_RDI	7
#define __KHV_REGS_R8	8
#define __KHV_REGS_R9	9
#define __KHV_REGS_R10	10
#define __KHV_REGS_R11	11
#define __KHV_REGS_R12	12
#define __KHV_REGS_R13	13
#define __KHV_REGS_R14	14
#define __KHV_REGS_R15	15

#ifdef __ASSEMBLY__

/* Byte offsets in regs[], for the entry code. */
#define VCPU_RAX	(__KHV_REGS_RAX * 8)
#define VCPU_RCX	(__KHV_REGS_RCX * 8)
#define VCPU_RDX	(__KHV_REGS_RDX * 8)
#define VCPU_RBX	(__KHV_REGS_RBX * 8)
#define VCPU_RBP	(__KHV_REGS_RBP * 8)
#define VCPU_RSI	(__KHV_REGS_RSI * 8)
#define VCPU_RDI	(__KHV_REGS_RDI * 8)
#define VCPU_R8		(__KHV_REGS_R8 * 8)
#define VCPU_R9		(__KHV_REGS_R9 * 8)
#define VCPU_R10	(__KHV_REGS_R10 * 8)
#define VCPU_R11	(__KHV_REGS_R11 * 8)
#define VCPU_R12	(__KHV_REGS_R12 * 8)
#define VCPU_R13	(__KHV_REGS_R13 * 8)
#define VCPU_R14	(__KHV_REGS_R14 * 8)
#define VCPU_R15	(__KHV_REGS_R15 * 8)

#else

/* regs[]: the general registers, then RIP and RFLAGS. */
enum khv_reg {
	KHV_REG_RAX = __KHV_REGS_RAX,
	KHV_REG_RCX = __KHV_REGS_RCX,
	KHV_REG_RDX = __KHV_REGS_RDX,
	KHV_REG_RBX = __KHV_REGS_RBX,
	KHV_REG_RSP = __KHV_REGS_RSP,
	KHV_REG_RBP = __KHV_REGS_RBP,
	KHV_REG_RSI = __KHV_REGS_RSI,
	KHV_REG_RDI = __KHV_REGS_RDI,
	KHV_REG_R8 = __KHV_REGS_R8,
	KHV_REG_R9 = __KHV_REGS_R9,
	KHV_REG_R10 = __KHV_REGS_R10,
	KHV_REG_R11 = __KHV_REGS_R11,
	KHV_REG_R12 = __KHV_REGS_R12,
	KHV_REG_R13 = __KHV_REGS_R13,
	KHV_REG_R14 = __KHV_REGS_R14,
	KHV_REG_R15 = __KHV_REGS_R15,
	KHV_REG_RIP,
	KHV_REG_RFLAGS,
	KHV_NR_REGS
};

#endif /* __ASSEMBLY__ */

#endif /* KHV_VCPU_REGS_H */
