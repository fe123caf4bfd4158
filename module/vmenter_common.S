/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What both entry paths (vmx/vmenter.S, svm/vmenter.S) share, included by
 * them: not assembled on its own.
 */

/* The callee-saved registers but RBP, which each entry path saves first. */
.macro KHV_PUSH_CALLEE_SAVED
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
.endm

.macro KHV_POP_CALLEE_SAVED
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
.endm

/*
 * The guest's general registers that both entry paths move the same way,
 * from and to struct khv_vcpu's regs[] at \base (vcpu_regs.h): all but RAX,
 * RSP (in the VMCB or the VMCS on one vendor or the other), RSI and RDI
 * (one of which may be \base itself). MOVs only: the flags are kept.
 */
.macro KHV_LOAD_GUEST_GPRS base
	mov VCPU_RBX(\base), %rbx
	mov VCPU_RCX(\base), %rcx
	mov VCPU_RDX(\base), %rdx
	mov VCPU_RBP(\base), %rbp
	mov VCPU_R8(\base), %r8
	mov VCPU_R9(\base), %r9
	mov VCPU_R10(\base), %r10
	mov VCPU_R11(\base), %r11
	mov VCPU_R12(\base), %r12
	mov VCPU_R13(\base), %r13
	mov VCPU_R14(\base), %r14
	mov VCPU_R15(\base), %r15
.endm

.macro KHV_SAVE_GUEST_GPRS base
	mov %rbx, VCPU_RBX(\base)
	mov %rcx, VCPU_RCX(\base)
	mov %rdx, VCPU_RDX(\base)
	mov %rbp, VCPU_RBP(\base)
	mov %r8, VCPU_R8(\base)
	mov %r9, VCPU_R9(\base)
	mov %r10, VCPU_R10(\base)
	mov %r11, VCPU_R11(\base)
	mov %r12, VCPU_R12(\base)
	mov %r13, VCPU_R13(\base)
	mov %r14, VCPU_R14(\base)
	mov %r15, VCPU_R15(\base)
.endm

/*
 * After the exit: no guest value may steer speculation in the host. Clears
 * every general register but RSP and RBX, where the entry code keeps its
 * result (both entry paths hold it there until their last instructions).
 */
.macro KHV_CLEAR_GUEST_REGS
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
.endm
