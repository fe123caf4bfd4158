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
