/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The i8259A pair of a PC: the master at 0x20-0x21 (IRQ 0-7), the slave at
 * 0xa0-0xa1 (IRQ 8-15) cascaded on the master's IRQ 2; edge-triggered.
 * pic_output() is the master's INTR pin; pic_ack() is the processor's
 * interrupt acknowledge and gives the vector to inject (KHV_INTERRUPT).
 */
#ifndef VMM_PIC_H
#define VMM_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_CASCADE_IRQ	2

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t last_irr;		/* the input lines, for edge detection */
	uint8_t priority_add;		/* the lowest-priority IRQ + 1 */
	uint8_t irq_base;
	uint8_t init_state;		/* 0, or the ICW expected next (2-4) */
	bool init4, single, auto_eoi, rotate_on_auto_eoi, sfnm;
	bool read_isr, poll, special_mask;
};

struct pic {
	struct pic_chip chip[2];	/* master, slave */
};

void pic_init(struct pic *p);
/* Drive input line irq (0-15) to level: a rising edge requests it. */
void pic_set_irq(struct pic *p, unsigned int irq, bool level);
/* An edge: the line up, then down. */
void pic_pulse_irq(struct pic *p, unsigned int irq);
bool pic_output(const struct pic *p);
/* Interrupt acknowledge: the vector, a spurious IRQ 7/15 if none. */
uint8_t pic_ack(struct pic *p);
/* One byte at 0x20/0x21/0xa0/0xa1. */
void pic_io(struct pic *p, uint16_t port, bool write, uint8_t *val);

#endif /* VMM_PIC_H */
