/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What both entry paths (vmx/vmenter.S, svm/vmenter.S) share, included by
 * them: not assembled on its own.
 */

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
