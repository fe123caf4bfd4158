/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv's demo guest: a flat image loaded at 0x7c00 and entered in real mode
 * (as a boot sector would be). It switches to long mode by itself (GDT,
 * identity-mapped page tables with 2 MiB pages, PAE, EFER.LME, paging),
 * prints a line on the serial port 0x3f8 from 64-bit code, asks the module
 * for its API version with a hypercall, and reports success on the exit port
 * 0xf4 (hvctl run's exit status) before halting.
 */
	.code16
	.section .text
	.globl _start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x7c00, %sp

	/* Page tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD): 1 GiB of 2 MiB pages. */
	movw	$0x1000, %di
	xorl	%eax, %eax
	movw	$0x3000 / 4, %cx
	cld
	rep stosl
	movl	$0x2003, 0x1000
	movl	$0x3003, 0x2000
	movw	$0x3000, %di
	movl	$0x83, %eax		/* present, writable, 2 MiB */
	movw	$512, %cx
1:	movl	%eax, (%di)
	addl	$0x200000, %eax
	addw	$8, %di
	loop	1b

	lgdtl	gdt_desc
	movl	$0x1000, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$0x20, %eax		/* CR4.PAE */
	movl	%eax, %cr4
	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	orl	$0x100, %eax		/* EFER.LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* CR0.PG | CR0.PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $long_mode

	.code64
long_mode:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	$0x7c00, %rsp

	leaq	msg(%rip), %rsi
	movw	$0x3f8, %dx
2:	lodsb
	testb	%al, %al
	jz	3f
	outb	%al, %dx
	jmp	2b
3:
	/* VMCALL on Intel, VMMCALL on AMD: CPUID leaf 0 tells which. */
	xorl	%eax, %eax
	cpuid
	xorl	%eax, %eax		/* KHV_HC_API_VERSION */
	cmpl	$0x756e6547, %ebx	/* "Genu" */
	je	6f
	vmmcall
	jmp	7f
6:	vmcall
7:	cmpl	$1, %eax
	jne	4f
	xorl	%eax, %eax		/* exit status 0 */
	jmp	5f
4:	movl	$1, %eax
5:	movw	$0xf4, %dx
	outb	%al, %dx
	hlt
	jmp	5b

	.p2align 3
gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf93000000ffff	/* 0x10: data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

msg:
	.asciz	"Hello from a khv guest in 64-bit long mode\n"
