// SPDX-License-Identifier: GPL-2.0-only
/*
 * The i8259A programmable interrupt controller (Intel's 8259A data sheet):
 * initialization words ICW1-ICW4, operation words OCW1 (mask), OCW2 (EOI,
 * rotation, priority), OCW3 (IRR/ISR read, poll, special mask), rotating
 * priorities, automatic EOI, the special fully nested mode for the cascade.
 */
#include <string.h>

#include "pic.h"

static void chip_reset(struct pic_chip *c)
{
	memset(c, 0, sizeof(*c));
}

void pic_init(struct pic *p)
{
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
}

/* The priority (0 highest) of the best bit in mask, 8 when mask is empty. */
static unsigned int priority(const struct pic_chip *c, uint8_t mask)
{
	unsigned int pr = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((pr + c->priority_add) & 7))))
		pr++;
	return pr;
}

/* The IRQ the chip would raise now, or -1. */
static int chip_irq(const struct pic_chip *c, bool master)
{
	unsigned int pr, cur;
	uint8_t in_service = c->isr;

	pr = priority(c, c->irr & ~c->imr);
	if (pr == 8)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	/* Fully nested for the cascade: the slave may interrupt itself. */
	if (master && c->sfnm)
		in_service &= ~(1 << PIC_CASCADE_IRQ);
	cur = priority(c, in_service);
	return pr < cur ? (int)((pr + c->priority_add) & 7) : -1;
}

static void chip_set_line(struct pic_chip *c, unsigned int irq, bool level)
{
	uint8_t m = 1 << irq;

	if (level) {
		if (!(c->last_irr & m))
			c->irr |= m;
		c->last_irr |= m;
	} else {
		c->last_irr &= ~m;
	}
}

/* The slave's INTR drives the master's IRQ 2 line. */
static void pic_cascade(struct pic *p)
{
	chip_set_line(&p->chip[0], PIC_CASCADE_IRQ, chip_irq(&p->chip[1], false) >= 0);
}

void pic_set_irq(struct pic *p, unsigned int irq, bool level)
{
	if (irq >= 16)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	pic_cascade(p);
}

void pic_pulse_irq(struct pic *p, unsigned int irq)
{
	pic_set_irq(p, irq, true);
	pic_set_irq(p, irq, false);
}

bool pic_output(const struct pic *p)
{
	return chip_irq(&p->chip[0], true) >= 0;
}

static void chip_intack(struct pic_chip *c, unsigned int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= 1 << irq;
	}
	c->irr &= ~(1 << irq);		/* edge-triggered */
}

uint8_t pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_irq(m, true), irq2;
	uint8_t vec;

	if (irq < 0)
		return m->irq_base + 7;	/* spurious */
	if (irq == PIC_CASCADE_IRQ) {
		irq2 = chip_irq(s, false);
		if (irq2 >= 0)
			chip_intack(s, irq2);
		else
			irq2 = 7;	/* spurious on the slave */
		vec = s->irq_base + irq2;
	} else {
		vec = m->irq_base + irq;
	}
	chip_intack(m, irq);
	pic_cascade(p);
	return vec;
}

static void chip_eoi(struct pic_chip *c, unsigned int irq, bool rotate)
{
	c->isr &= ~(1 << irq);
	if (rotate)
		c->priority_add = (irq + 1) & 7;
}

static void chip_write_cmd(struct pic_chip *c, uint8_t v)
{
	unsigned int pr;

	if (v & 0x10) {			/* ICW1 */
		chip_reset(c);
		c->init_state = 2;
		c->init4 = v & 0x01;
		c->single = v & 0x02;
		return;
	}
	if (v & 0x08) {			/* OCW3 */
		if (v & 0x04)
			c->poll = true;
		if (v & 0x02)
			c->read_isr = v & 0x01;
		if (v & 0x40)
			c->special_mask = (v >> 5) & 1;
		return;
	}
	switch (v >> 5) {		/* OCW2 */
	case 0:				/* rotate in automatic EOI: clear */
	case 4:				/* ... set */
		c->rotate_on_auto_eoi = v >> 7;
		break;
	case 1:				/* non-specific EOI */
	case 5:				/* ... and rotate */
		pr = priority(c, c->isr);
		if (pr != 8)
			chip_eoi(c, (pr + c->priority_add) & 7, (v >> 5) == 5);
		break;
	case 3:				/* specific EOI */
		chip_eoi(c, v & 7, false);
		break;
	case 6:				/* set priority: v & 7 the lowest */
		c->priority_add = (v + 1) & 7;
		break;
	case 7:				/* rotate on specific EOI */
		chip_eoi(c, v & 7, true);
		break;
	default:			/* 2: no operation */
		break;
	}
}

static void chip_write_data(struct pic_chip *c, uint8_t v)
{
	switch (c->init_state) {
	case 0:				/* OCW1 */
		c->imr = v;
		break;
	case 2:				/* ICW2 */
		c->irq_base = v & 0xf8;
		c->init_state = c->single ? (c->init4 ? 4 : 0) : 3;
		break;
	case 3:				/* ICW3: the cascade is fixed */
		c->init_state = c->init4 ? 4 : 0;
		break;
	default:			/* ICW4 */
		c->sfnm = (v >> 4) & 1;
		c->auto_eoi = (v >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

/* A poll command's read: acknowledges the best IRQ as an INTA would. */
static uint8_t pic_poll(struct pic *p, unsigned int which)
{
	struct pic_chip *c = &p->chip[which];
	int irq = chip_irq(c, !which);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_intack(c, irq);
	return 0x80 | irq;
}

void pic_io(struct pic *p, uint16_t port, bool write, uint8_t *val)
{
	unsigned int which = (port & 0x80) ? 1 : 0;
	struct pic_chip *c = &p->chip[which];

	if (write) {
		if (port & 1)
			chip_write_data(c, *val);
		else
			chip_write_cmd(c, *val);
	} else if (c->poll) {
		*val = pic_poll(p, which);
	} else if (port & 1) {
		*val = c->imr;
	} else {
		*val = c->read_isr ? c->isr : c->irr;
	}
	pic_cascade(p);
}
