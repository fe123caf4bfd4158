// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the i8259A pair: init sequences, priorities, EOIs, cascade. */
#include <stdio.h>

#include "pic.h"
#include "tap.h"

static struct pic p;

static void out(uint16_t port, uint8_t v)
{
	pic_io(&p, port, true, &v);
}

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;

	pic_io(&p, port, false, &v);
	return v;
}

/* What Linux's init_8259A() writes. */
static void linux_init(bool auto_eoi)
{
	pic_init(&p);
	out(0x21, 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	out(0x21, 0x30);		/* ICW2: vectors 0x30-0x37 */
	out(0x21, 1 << 2);		/* ICW3: slave on IRQ 2 */
	out(0x21, auto_eoi ? 0x03 : 0x01);	/* ICW4: 8086 (AEOI) */
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 2);
	out(0xa1, 0x01);
	out(0x21, 0x00);
	out(0xa1, 0x00);
}

static void init_sequence(void)
{
	linux_init(false);
	CHECK_EQ(p.chip[0].irq_base, 0x30);
	CHECK_EQ(p.chip[1].irq_base, 0x38);
	CHECK_EQ(p.chip[0].init_state, 0);
	CHECK_EQ(p.chip[1].init_state, 0);
	CHECK_EQ(in(0x21), 0);
	out(0x21, 0xfb);
	CHECK_EQ(in(0x21), 0xfb);	/* OCW1 reads back */
	CHECK(!pic_output(&p));
	/* Single mode without ICW4: ICW2 ends it; the next write is OCW1. */
	pic_init(&p);
	out(0x20, 0x12);
	out(0x21, 0x08);
	out(0x21, 0x5a);
	CHECK_EQ(p.chip[0].irq_base, 0x08);
	CHECK_EQ(p.chip[0].imr, 0x5a);
}

static void edge_and_mask(void)
{
	linux_init(false);
	pic_set_irq(&p, 1, true);
	CHECK(pic_output(&p));
	CHECK_EQ(pic_ack(&p), 0x31);
	CHECK(!pic_output(&p));
	/* The line still high: no new edge, no new request. */
	out(0x20, 0x20);
	CHECK(!pic_output(&p));
	pic_set_irq(&p, 1, false);
	pic_set_irq(&p, 1, true);
	CHECK(pic_output(&p));
	/* Masked: requested (IRR) but not raised. */
	out(0x21, 0x02);
	CHECK(!pic_output(&p));
	out(0x20, 0x0a);		/* OCW3: read IRR */
	CHECK_EQ(in(0x20), 0x02);
	out(0x21, 0x00);
	CHECK(pic_output(&p));
}

static void priority_and_eoi(void)
{
	linux_init(false);
	pic_pulse_irq(&p, 4);
	pic_pulse_irq(&p, 0);
	CHECK_EQ(pic_ack(&p), 0x30);	/* IRQ 0 first */
	CHECK(!pic_output(&p));		/* IRQ 4 waits for IRQ 0's EOI */
	out(0x20, 0x0b);		/* OCW3: read ISR */
	CHECK_EQ(in(0x20), 0x01);
	pic_pulse_irq(&p, 1);
	out(0x20, 0x20);		/* non-specific EOI: IRQ 0 */
	CHECK_EQ(in(0x20), 0x00);
	CHECK_EQ(pic_ack(&p), 0x31);	/* IRQ 1 before IRQ 4 */
	/* A higher priority interrupts a lower one in service. */
	pic_pulse_irq(&p, 0);
	CHECK_EQ(pic_ack(&p), 0x30);
	CHECK_EQ(in(0x20), 0x03);
	out(0x20, 0x61);		/* specific EOI of IRQ 1 */
	CHECK_EQ(in(0x20), 0x01);
	out(0x20, 0x20);
	CHECK_EQ(pic_ack(&p), 0x34);
	out(0x20, 0x20);
	CHECK_EQ(in(0x20), 0x00);
	/* Nothing pending: a spurious IRQ 7. */
	CHECK_EQ(pic_ack(&p), 0x37);
}

static void rotation(void)
{
	linux_init(false);
	out(0x20, 0xc4);		/* set priority: IRQ 4 lowest */
	pic_pulse_irq(&p, 3);
	pic_pulse_irq(&p, 5);
	CHECK_EQ(pic_ack(&p), 0x35);	/* 5 is now the highest */
	out(0x20, 0xa0);		/* rotate on non-specific EOI */
	CHECK_EQ(p.chip[0].priority_add, 6);
	CHECK_EQ(pic_ack(&p), 0x33);
	out(0x20, 0xe3);		/* rotate on specific EOI of 3 */
	CHECK_EQ(p.chip[0].priority_add, 4);
	CHECK_EQ(p.chip[0].isr, 0);
}

static void auto_eoi(void)
{
	linux_init(true);
	pic_pulse_irq(&p, 4);
	CHECK_EQ(pic_ack(&p), 0x34);
	CHECK_EQ(p.chip[0].isr, 0);
	pic_pulse_irq(&p, 4);
	CHECK(pic_output(&p));		/* no EOI needed */
}

static void cascade(void)
{
	linux_init(false);
	pic_pulse_irq(&p, 12);
	CHECK(pic_output(&p));
	CHECK_EQ(pic_ack(&p), 0x3c);
	CHECK_EQ(p.chip[1].isr, 0x10);
	CHECK_EQ(p.chip[0].isr, 0x04);
	/* Slave masked: nothing reaches the master. */
	out(0xa0, 0x20);
	out(0x20, 0x20);
	out(0xa1, 0x10);
	pic_pulse_irq(&p, 12);
	CHECK(!pic_output(&p));
	out(0xa1, 0x00);
	CHECK(pic_output(&p));
	CHECK_EQ(pic_ack(&p), 0x3c);
	/* The master's IRQ 1 goes before the slave's (IRQ 2 priority). */
	out(0xa0, 0x20);
	out(0x20, 0x20);
	pic_pulse_irq(&p, 9);
	pic_pulse_irq(&p, 1);
	CHECK_EQ(pic_ack(&p), 0x31);
	out(0x20, 0x20);
	CHECK_EQ(pic_ack(&p), 0x39);
}

static void poll_and_garbage(void)
{
	unsigned int i;

	linux_init(false);
	pic_pulse_irq(&p, 6);
	out(0x20, 0x0c);		/* OCW3: poll */
	CHECK_EQ(in(0x20), 0x86);
	CHECK_EQ(p.chip[0].isr, 0x40);
	/* Any byte sequence: no crash, state stays in range. */
	for (i = 0; i < 100000; i++) {
		out(0x20 | (i & 1) | (i & 2 ? 0x80 : 0), (uint8_t)(i * 2654435761U >> 13));
		if (pic_output(&p))
			pic_ack(&p);
		in(0xa0 | (i & 1));
	}
	CHECK(p.chip[0].priority_add < 8);
	CHECK(p.chip[1].priority_add < 8);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(init_sequence),
		TAP_CASE(edge_and_mask),
		TAP_CASE(priority_and_eoi),
		TAP_CASE(rotation),
		TAP_CASE(auto_eoi),
		TAP_CASE(cascade),
		TAP_CASE(poll_and_garbage),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
