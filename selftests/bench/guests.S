/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench's guests: 32-bit code (flat segments, paging off), copied byte
 * for byte into the RAM of whichever hypervisor runs it (bench_guest.c).
 * Position independent: relative jumps only. Register contract: EBP counts
 * the operations down, EDI counts them up from 0 (the result both
 * hypervisors must agree on), and each program ends with HLT, which exits to
 * user space under both (interrupts off, no in-kernel irqchip).
 */
	.section .rodata
	.code32

.macro GUEST_BEGIN name
	.balign 16
	.globl \name\()_start, \name\()_end
\name\()_start:
.endm

.macro GUEST_END name
	hlt
\name\()_end:
.endm

/* The null exit: WBINVD is all khv_handle_wbinvd() skips over. */
GUEST_BEGIN guest_wbinvd
1:	wbinvd
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_wbinvd

/* CPUID leaf 0, answered in the kernel by both. */
GUEST_BEGIN guest_cpuid
1:	xor %eax, %eax
	cpuid
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_cpuid

/* A hypercall (number in EBX) both answer in the kernel: Intel's, AMD's. */
GUEST_BEGIN guest_vmcall
1:	mov %ebx, %eax
	vmcall
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_vmcall

GUEST_BEGIN guest_vmmcall
1:	mov %ebx, %eax
	vmmcall
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_vmmcall

/* OUT of the operation's number to port DX: an exit to user space each. */
GUEST_BEGIN guest_out
1:	mov %edi, %eax
	out %eax, %dx
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_out

/* A store of the operation's number outside RAM, at ESI: MMIO each. */
GUEST_BEGIN guest_mmio
1:	mov %edi, (%esi)
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_mmio

/* Stores of the operation's number at ESI, ESI + EDX, ...: touch, stream. */
GUEST_BEGIN guest_store
1:	mov %edi, (%esi)
	add %edx, %esi
	inc %edi
	dec %ebp
	jnz 1b
GUEST_END guest_store

	.code64
	.section .note.GNU-stack, "", @progbits
