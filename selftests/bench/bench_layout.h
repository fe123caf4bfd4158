/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv_bench: what the guests (guests.S) and their VMMs agree on, as plain
 * numbers for C and the assembler alike: the guest-physical layout, the
 * port, the interrupt vector and the local APIC's x2APIC MSRs.
 */
#ifndef KHV_BENCH_LAYOUT_H
#define KHV_BENCH_LAYOUT_H

/*
 * Guest-physical layout: an IDT (its gates are the interrupt workloads'),
 * a GDT, the code, a word of data and the two vCPUs' stacks.
 */
#define BENCH_IDT_GPA		0x400
#define BENCH_GDT_GPA		0x800
#define BENCH_CODE_GPA		0x1000
#define BENCH_CODE_MAX		0x1000	/* a guest's bytes, at most */
#define BENCH_STOP_GPA		0x2000	/* ipi: vCPU 0 tells vCPU 1 to stop */
#define BENCH_STACK1_TOP	0x3000	/* vCPU 1's stack grows down from here */
#define BENCH_STACK0_TOP	0x4000	/* vCPU 0's */
#define BENCH_SEL_CODE32	0x08
#define BENCH_SEL_DATA		0x10
/* Outside every guest's RAM: accesses there are MMIO for user space. */
#define BENCH_MMIO_GPA		0xd0000000
/* A port neither hypervisor handles in the kernel (no PIC, no PIT). */
#define BENCH_PORT		0x3f0

/*
 * The interrupt workloads' vector (LAPIC timer, IPIs), the IDT's last gate:
 * any other vector or an exception finds no gate and shuts the guest down.
 */
#define BENCH_VECTOR		0x40
#define BENCH_IDT_LIMIT		((BENCH_VECTOR + 1) * 8 - 1)
/*
 * An interrupt guest's OUT to BENCH_PORT once its APIC is set up; at its
 * end it writes its count of interrupts there (never this value).
 */
#define BENCH_IRQ_READY		0xffffffff

/* IA32_APIC_BASE and its enable bits (SDM Vol. 3A 11.12.1). */
#define BENCH_MSR_APIC_BASE	0x1b
#define BENCH_APIC_BASE_X2APIC	0xc00	/* EN (bit 11) and EXTD (bit 10) */
/* x2APIC registers (SDM Vol. 3A Table 11-6) and the values written. */
#define BENCH_X2APIC_EOI	0x80b
#define BENCH_X2APIC_SVR	0x80f
#define BENCH_X2APIC_ICR	0x830
#define BENCH_X2APIC_LVTT	0x832
#define BENCH_X2APIC_TMICT	0x838
#define BENCH_X2APIC_TDCR	0x83e
#define BENCH_APIC_SVR_ON	0x1ff	/* software enabled, spurious vector 0xff */
#define BENCH_APIC_TDCR_DIV1	0xb	/* divide by 1 */
#define BENCH_APIC_LVT_MASKED	0x10000
/* Fixed, physical destination, level assert (SDM 11.6.1): the vector. */
#define BENCH_APIC_ICR_FIXED	(0x4000 | BENCH_VECTOR)

#endif /* KHV_BENCH_LAYOUT_H */
