/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test kernel's assembly: the multiboot header, the entry (32-bit
 * protected mode, EAX the boot magic, EBX the information structure), its
 * own GDT, 256 interrupt stubs of 16 bytes each and the application
 * processor's trampoline (copied to TRAMP_ADDR: real mode to protected mode).
 */
#include "layout.h"

	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	movl $bsp_stack + STACK_SIZE, %esp
	pushl %ebx
	pushl %eax
	lgdt gdt_desc
	ljmp $KERNEL_CS, $1f
1:	movw $KERNEL_DS, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	call kmain
	.globl halt_forever
halt_forever:
	cli
	hlt
	jmp halt_forever

/*
 * Stub n at isr_stubs + 16 * n: an error code of 0 where the processor
 * pushes none, the vector, then isr(frame) with the registers saved.
 */
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	pushl %esp
	call isr
	addl $4, %esp
	popal
	addl $8, %esp
	iretl

/*
 * The AP starts here in real mode at TRAMP_ADDR (CS = TRAMP_ADDR >> 4,
 * IP = 0): the kernel's GDT, protected mode, the AP's stack, ap_main().
 */
	.code16
	.globl tramp_start, tramp_end
tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (tramp_gdtr - tramp_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $KERNEL_CS, $(TRAMP_ADDR + tramp_pm - tramp_start)
	.code32
tramp_pm:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $ap_stack + STACK_SIZE, %esp
	movl $ap_main, %eax
	call *%eax
	jmp halt_forever
	.align 4
tramp_gdtr:
	.word gdt_end - gdt - 1
	.long gdt
tramp_end:

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* KERNEL_CS: flat 32-bit code */
	.quad 0x00cf93000000ffff	/* KERNEL_DS: flat data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.align 16
	.globl bsp_stack, ap_stack
bsp_stack:
	.skip STACK_SIZE
ap_stack:
	.skip STACK_SIZE

	.section .note.GNU-stack, "", @progbits
