/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The multiboot test kernel (see mboot.c): port I/O, the local APIC's MMIO
 * registers, the TSC, and what its files share.
 */
#ifndef MBOOT_H
#define MBOOT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define LAPIC_BASE	0xfee00000U
#define LAPIC_ID	0x020
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TMICT	0x380
#define LAPIC_TMCCT	0x390
#define LAPIC_TDCR	0x3e0
#define LAPIC_SVR_ON	0x100
#define LAPIC_PERIODIC	0x20000
#define LAPIC_MASKED	0x10000
#define ICR_INIT	0x4500		/* INIT, level assert */
#define ICR_STARTUP	0x4600		/* start-up, level assert: | vector */
#define ICR_FIXED	0x4000		/* fixed, level assert: | vector */
#define ICR_BUSY	0x1000		/* delivery status */

#define PIC_EOI		0x20
#define EXIT_PORT	0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

/* Interrupts on and halt until one comes: STI's shadow covers the HLT. */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

/* hw.c: the TSC's rate, delays, the IDT, the PIC and the PIT. */
extern uint32_t tsc_per_us;
void time_init(void);
uint32_t us_since(uint64_t tsc);
void udelay(uint32_t us);
/* Halt until *v reaches want or us pass (an interrupt must come to look again). */
bool wait_count(volatile uint32_t *v, uint32_t want, uint32_t us);
void idt_init(void);
void idt_load(void);
void pic_init(uint8_t master_mask);
void pit_periodic(uint16_t count);
uint32_t udiv(uint64_t n, uint32_t d);

/* console.c: COM1, polled until con_irq_on(), then by its THRE interrupt. */
void con_init(void);
void con_irq_on(void);
void con_irq(void);
bool con_flush(uint32_t us);
void kprintf(const char *fmt, ...);
void con_rx_on(bool on);
bool con_getc(char *c);
extern volatile uint32_t con_thre_irqs, con_irq_bytes, con_overruns;
extern volatile uint32_t con_rx_irqs, con_rx_bytes, con_rx_errors, con_rx_dropped;

/* The register frame isr() gets (entry.S). */
struct frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vec, err, eip, cs, eflags;
};

void isr(struct frame *f);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* MBOOT_H */
