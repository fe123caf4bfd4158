// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test kernel's machine: time from the TSC at the rate the hypervisor
 * publishes (khv's CPUID leaf 0x40000010), the IDT over entry.S's stubs,
 * the 8259A pair and the PIT's channel 0.
 */
#include "mboot.h"

#define HV_LEAF_MAX	0x40000000U
#define HV_LEAF_FREQ	0x40000010U
#define PIC1		0x20
#define PIC2		0xa0
#define PIT_CH0		0x40
#define PIT_CMD		0x43

uint32_t tsc_per_us = 1000;	/* 1 GHz when the hypervisor does not say */

/* n / d, at most 2^32 - 1, without libgcc's 64-bit division. */
uint32_t udiv(uint64_t n, uint32_t d)
{
	uint32_t q, r;

	if (!d || (uint32_t)(n >> 32) >= d)
		return 0xffffffffU;
	asm("divl %4" : "=a"(q), "=d"(r) : "a"((uint32_t)n), "d"((uint32_t)(n >> 32)), "rm"(d));
	(void)r;
	return q;
}

void time_init(void)
{
	uint32_t a, b, c, d;

	cpuid(HV_LEAF_MAX, &a, &b, &c, &d);
	if (a < HV_LEAF_FREQ)
		return;
	cpuid(HV_LEAF_FREQ, &a, &b, &c, &d);
	if (a >= 1000)
		tsc_per_us = a / 1000;
}

uint32_t us_since(uint64_t tsc)
{
	return udiv(rdtsc() - tsc, tsc_per_us);
}

void udelay(uint32_t us)
{
	uint64_t t = rdtsc();

	while (us_since(t) < us)
		asm volatile("pause");
}

bool wait_count(volatile uint32_t *v, uint32_t want, uint32_t us)
{
	uint64_t t = rdtsc();

	for (;;) {
		cli();
		if (*v >= want || us_since(t) >= us)
			break;
		sti_hlt();
	}
	sti();
	return *v >= want;
}

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[256];

/* Every vector an interrupt gate to its stub; both processors load the one table. */
void idt_init(void)
{
	extern char isr_stubs[];
	uint32_t a;
	int i;

	for (i = 0; i < 256; i++) {
		a = (uint32_t)isr_stubs + 16 * i;
		idt[i] = (struct idt_gate){ a & 0xffff, KERNEL_CS, 0, 0x8e, a >> 16 };
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)idt };

	asm volatile("lidt %0" : : "m"(desc));
}

/* ICW1-4: edge, cascaded, vectors VEC_PIC and VEC_PIC + 8, 8086 mode. */
void pic_init(uint8_t master_mask)
{
	static const uint8_t icw[2][4] = {
		{ 0x11, VEC_PIC, 0x04, 0x01 },
		{ 0x11, VEC_PIC + 8, 0x02, 0x01 },
	};
	int i;

	for (i = 0; i < 2; i++) {
		outb(i ? PIC2 : PIC1, icw[i][0]);
		outb((i ? PIC2 : PIC1) + 1, icw[i][1]);
		outb((i ? PIC2 : PIC1) + 1, icw[i][2]);
		outb((i ? PIC2 : PIC1) + 1, icw[i][3]);
	}
	outb(PIC1 + 1, master_mask);
	outb(PIC2 + 1, 0xff);
}

/* Channel 0, rate generator (mode 2), count input clocks of 1.193182 MHz. */
void pit_periodic(uint16_t count)
{
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, count & 0xff);
	outb(PIT_CH0, count >> 8);
}

/* gcc may call these even in a freestanding program. */
void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
