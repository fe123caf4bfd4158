/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Clearing the branch history buffer after a VM exit (Intel BHI): the
 * kernel's clear_bhb_loop() (arch/x86/entry/entry_64.S), which 7.3 exports
 * to KVM only, copied with its layout (Documentation/khv-abi.rst,
 * "Isolation on entry and exit").
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

.section .text, "ax"

/* khv_clear_bhb_loop - overwrite the branch history. Clobbers RAX, RCX. */
SYM_FUNC_START(khv_clear_bhb_loop)
	push	%rbp
	mov	%rsp, %rbp
	movl	$5, %ecx
	ANNOTATE_INTRA_FUNCTION_CALL
	call	1f
	jmp	5f
	.align 64, 0xcc
	/* The RETs in the upper half of their cache lines, as the kernel's. */
	.skip 32 - (.Lret1 - 1f), 0xcc
	ANNOTATE_INTRA_FUNCTION_CALL
1:	call	2f
.Lret1:	RET
	.align 64, 0xcc
	.skip 32 - 18, 0xcc
2:	movl	$5, %eax
3:	jmp	4f
	nop
4:	sub	$1, %eax
	jnz	3b
	sub	$1, %ecx
	jnz	1b
.Lret2:	RET
5:	lfence
	pop	%rbp
	RET
SYM_FUNC_END(khv_clear_bhb_loop)
STACK_FRAME_NON_STANDARD(khv_clear_bhb_loop)
