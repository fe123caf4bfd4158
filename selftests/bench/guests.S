/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench's guests: 32-bit code (flat segments, paging off), copied byte
 * for byte into the RAM of whichever hypervisor runs it (bench_guest.c).
 * Position independent: relative jumps only, absolute addresses only those
 * of bench_layout.h. Register contract: EBP counts the operations down, EDI
 * counts them up from 0 (the result both hypervisors must agree on), and
 * each program ends with HLT, which exits to user space under both
 * (interrupts off, no in-kernel irqchip). The interrupt guests differ: see
 * guest_timer.
 */
#include "bench_layout.h"

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

/*
 * The interrupt guests (lapic_timer, ipi) run with the in-kernel local APIC
 * in x2APIC mode, as a guest kernel does where CPUID offers it (both
 * hypervisors do): its registers are MSRs, whose writes both intercept.
 * With an in-kernel APIC a HLT with interrupts on waits in the kernel (and
 * KVM's HLT never returns to user space, whatever IF says), so these guests
 * talk to their VMM by OUT to BENCH_PORT instead: BENCH_IRQ_READY once set
 * up, then, at the end, their count of interrupts (EDI). Their handler
 * (BENCH_VECTOR's gate, bench_load_guest()) counts in EDI and ends the
 * interrupt with an EOI. ESP is theirs to set (struct bench_regs has none).
 */

/* x2APIC mode (IA32_APIC_BASE.EXTD), the APIC software-enabled (SVR). */
.macro APIC_ON
	mov $BENCH_MSR_APIC_BASE, %ecx
	rdmsr
	or $BENCH_APIC_BASE_X2APIC, %eax
	wrmsr
	mov $BENCH_X2APIC_SVR, %ecx
	mov $BENCH_APIC_SVR_ON, %eax
	xor %edx, %edx
	wrmsr
.endm

/* OUT of \val to BENCH_PORT: an exit to user space under both. */
.macro IRQ_OUT val
	mov \val, %eax
	mov $BENCH_PORT, %edx
	out %eax, (%dx)
.endm

/* The handler: count, EOI, return; what it uses it saves. */
.macro IRQ_HANDLER name
	.globl \name
\name:
	push %eax
	push %ecx
	push %edx
	inc %edi
	mov $BENCH_X2APIC_EOI, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	pop %edx
	pop %ecx
	pop %eax
	iret
.endm

/*
 * lapic_timer: EBP times a one-shot LAPIC timer of the smallest count (1
 * bus cycle, divide by 1), armed with interrupts off, then awaited with
 * STI; HLT as a guest kernel idles: STI's shadow covers the HLT (SDM Vol.
 * 3A 6.8.3), so the interrupt, however soon it comes, is taken in the HLT
 * or just after it, never before it (where it would leave the HLT waiting
 * for good). The handler has run once per operation: EDI = EBP's start.
 */
GUEST_BEGIN guest_timer
	mov $BENCH_STACK0_TOP, %esp
	APIC_ON
	mov $BENCH_X2APIC_TDCR, %ecx
	mov $BENCH_APIC_TDCR_DIV1, %eax
	wrmsr
	mov $BENCH_X2APIC_LVTT, %ecx
	mov $BENCH_VECTOR, %eax		/* one-shot, unmasked */
	wrmsr
	IRQ_OUT $BENCH_IRQ_READY
	mov $BENCH_X2APIC_TMICT, %ecx
	xor %edx, %edx
1:	mov $1, %eax
	wrmsr				/* arm */
	sti
	hlt				/* the handler runs */
	cli
	dec %ebp
	jnz 1b
	IRQ_OUT %edi
	ud2
	IRQ_HANDLER guest_timer_irq
guest_timer_end:

/*
 * ipi: EBP round trips of a fixed IPI (BENCH_VECTOR, physical destination)
 * from vCPU 0 (APIC ID 0) to vCPU 1 (APIC ID 1) and back, each side waiting
 * in STI; HLT. vCPU 1 (guest_ipi_ap) answers each IPI until it finds
 * BENCH_STOP_GPA set: vCPU 0 sets it and sends one IPI more at its end. So
 * vCPU 0's handler ran EBP times, vCPU 1's EBP + 1 times. vCPU 1 reports
 * ready (OUT) before vCPU 0 sends anything: an APIC not yet software-enabled
 * drops a fixed IPI.
 */
GUEST_BEGIN guest_ipi
	mov $BENCH_STACK0_TOP, %esp
	APIC_ON
	IRQ_OUT $BENCH_IRQ_READY
	mov $BENCH_X2APIC_ICR, %ecx
	mov $1, %edx			/* x2APIC destination: APIC ID 1 */
1:	mov $BENCH_APIC_ICR_FIXED, %eax
	wrmsr				/* ping */
	sti
	hlt				/* the answer */
	cli
	dec %ebp
	jnz 1b
	movl $1, BENCH_STOP_GPA
	mfence				/* the store before the IPI (x2APIC's WRMSR orders nothing) */
	mov $BENCH_APIC_ICR_FIXED, %eax
	wrmsr
	IRQ_OUT %edi
	ud2
	.globl guest_ipi_ap
guest_ipi_ap:
	mov $BENCH_STACK1_TOP, %esp
	APIC_ON
	IRQ_OUT $BENCH_IRQ_READY
	mov $BENCH_X2APIC_ICR, %ecx
	xor %edx, %edx			/* APIC ID 0 */
2:	sti
	hlt				/* a ping */
	cli
	cmpl $0, BENCH_STOP_GPA
	jne 3f
	mov $BENCH_APIC_ICR_FIXED, %eax
	wrmsr				/* its answer */
	jmp 2b
3:	IRQ_OUT %edi
	ud2
	IRQ_HANDLER guest_ipi_irq
guest_ipi_end:

	.code64
	.section .note.GNU-stack, "", @progbits
