/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The i8254 programmable interval timer (ports 0x40-0x43) and the gate and
 * output of its channel 2 in port 0x61 (NMI status and control), as a
 * function of time: every call takes the clock (ns, any monotonic origin),
 * so the model is pure and the VMM drives it from CLOCK_MONOTONIC.
 * Channel 0's output is IRQ 0: pit_irq0() says how many of its rising
 * edges passed since the last call; pit_next_ns() when the next one comes.
 */
#ifndef VMM_PIT_H
#define VMM_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ		1193182ULL
#define PIT_PORT	0x40		/* 0x40-0x42 counters, 0x43 control */
#define PIT_PORT61	0x61
#define PIT_NO_EVENT	UINT64_MAX

struct pit_channel {
	uint32_t count;			/* reload value, 1..0x10000 */
	uint64_t load_ns;		/* when counting from count began */
	bool loaded;			/* a count was written since the mode */
	uint8_t mode, bcd, rw_mode;
	uint8_t read_state, write_state, write_latch;
	uint16_t latched_count;
	uint8_t count_latched;		/* 0, or the rw state of the latch */
	bool status_latched;
	uint8_t status;
	bool gate;
	uint64_t edges;			/* channel 0: rising edges reported */
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port61;			/* bits 0 (gate 2), 1 (speaker) */
};

void pit_init(struct pit *p, uint64_t now);
/* One byte at 0x40-0x43 or 0x61. */
void pit_io(struct pit *p, uint16_t port, bool write, uint8_t *val,
	    uint64_t now);
/* The output pin of channel c now. */
bool pit_out(const struct pit *p, unsigned int c, uint64_t now);
uint16_t pit_count(const struct pit *p, unsigned int c, uint64_t now);
/* Channel 0: rising edges of OUT since the last call (IRQ 0 requests). */
uint64_t pit_irq0(struct pit *p, uint64_t now);
/* Channel 0: when its next rising edge is due, or PIT_NO_EVENT. */
uint64_t pit_next_ns(const struct pit *p, uint64_t now);

#endif /* VMM_PIT_H */
