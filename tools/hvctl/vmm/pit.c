// SPDX-License-Identifier: GPL-2.0-only
/*
 * The i8254 (Intel's 82C54 data sheet) as a function of elapsed input
 * clocks d since a count was loaded: mode 0 (interrupt on terminal count),
 * 1 (one-shot), 2 (rate generator), 3 (square wave), 4 and 5 (strobes);
 * counter latch and read-back commands, LSB/MSB/LSB-then-MSB access.
 * BCD counting is recorded in the status and otherwise counts in binary.
 */
#include <string.h>

#include "pit.h"

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD0, RW_WORD1 };

#define NS_PER_SEC	1000000000ULL
#define REFRESH_NS	15085ULL	/* port 0x61 bit 4 toggles */

/* Input clocks since the count was loaded. */
static uint64_t pit_ticks(const struct pit_channel *c, uint64_t now)
{
	uint64_t ns = now > c->load_ns ? now - c->load_ns : 0;

	/* ns * PIT_HZ / 1e9 without overflow for centuries of ns. */
	return (ns / NS_PER_SEC) * PIT_HZ + (ns % NS_PER_SEC) * PIT_HZ / NS_PER_SEC;
}

/* When d input clocks will have passed (rounded up). */
static uint64_t pit_when(const struct pit_channel *c, uint64_t d)
{
	return c->load_ns + (d / PIT_HZ) * NS_PER_SEC +
	       ((d % PIT_HZ) * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

/*
 * Counting needs a count written since the control word. A low gate does
 * not pause counting here; channel 2's rising gate restarts it.
 */
static bool pit_counting(const struct pit_channel *c)
{
	return c->loaded;
}

uint16_t pit_count(const struct pit *p, unsigned int i, uint64_t now)
{
	const struct pit_channel *c = &p->ch[i];
	uint64_t d;

	if (!pit_counting(c))
		return c->count;
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 2:
		return c->count - d % c->count;
	case 3:
		/* Counts down by 2 twice per period. */
		return c->count - (2 * d) % c->count;
	default:
		return (c->count - d) & 0xffff;
	}
}

bool pit_out(const struct pit *p, unsigned int i, uint64_t now)
{
	const struct pit_channel *c = &p->ch[i];
	uint64_t d;

	if (!pit_counting(c))
		return c->mode != 0;	/* mode 0: low from the control word on */
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d >= c->count;
	case 2:
		/* Low for the one clock when the counter is 1. */
		return c->count == 1 || d % c->count != c->count - 1;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:			/* 4, 5: a low strobe at terminal count */
		return d != c->count;
	}
}

/* Rising edges of OUT in the first d clocks (what IRQ 0 sees). */
static uint64_t pit_edges(const struct pit_channel *c, uint64_t d)
{
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 2:
	case 3:
		return d / c->count;
	default:
		return 0;
	}
}

uint64_t pit_irq0(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t e, n;

	if (!pit_counting(c))
		return 0;
	e = pit_edges(c, pit_ticks(c, now));
	n = e > c->edges ? e - c->edges : 0;
	c->edges = e;
	return n;
}

uint64_t pit_next_ns(const struct pit *p, uint64_t now)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t d, next;

	if (!pit_counting(c))
		return PIT_NO_EVENT;
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 0:
		if (c->edges)
			return PIT_NO_EVENT;
		next = c->count;
		break;
	case 2:
	case 3:
		next = (c->edges + 1) * c->count;
		break;
	default:
		return PIT_NO_EVENT;
	}
	return next <= d ? now : pit_when(c, next);
}

static void pit_load(struct pit_channel *c, uint32_t v, uint64_t now)
{
	c->count = v ? v : 0x10000;
	c->load_ns = now;
	c->loaded = true;
	c->edges = 0;
}

static void pit_latch(struct pit *p, unsigned int i, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	if (c->count_latched)
		return;			/* the first latch holds until read */
	c->latched_count = pit_count(p, i, now);
	c->count_latched = c->rw_mode;
}

static void pit_latch_status(struct pit *p, unsigned int i, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	if (c->status_latched)
		return;
	c->status = (pit_out(p, i, now) << 7) | (!c->loaded << 6) |
		    (c->rw_mode << 4) | (c->mode << 1) | c->bcd;
	c->status_latched = true;
}

static void pit_control(struct pit *p, uint8_t v, uint64_t now)
{
	unsigned int i = v >> 6, access = (v >> 4) & 3;
	struct pit_channel *c;

	if (i == 3) {			/* read-back */
		for (i = 0; i < 3; i++) {
			if (!(v & (2 << i)))
				continue;
			if (!(v & 0x20))
				pit_latch(p, i, now);
			if (!(v & 0x10))
				pit_latch_status(p, i, now);
		}
		return;
	}
	if (access == RW_LATCH) {
		pit_latch(p, i, now);
		return;
	}
	c = &p->ch[i];
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6, 7 are 2, 3 */
	c->bcd = v & 1;
	c->loaded = false;		/* stops until a count is written */
	c->count_latched = 0;
	c->edges = 0;
}

static void pit_write_count(struct pit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->write_state) {
	case RW_LSB:
		pit_load(c, v, now);
		break;
	case RW_MSB:
		pit_load(c, v << 8, now);
		break;
	case RW_WORD0:
		c->write_latch = v;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		pit_load(c, c->write_latch | v << 8, now);
		c->write_state = RW_WORD0;
		break;
	}
}

static uint8_t pit_read_count(struct pit *p, unsigned int i, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];
	uint16_t count;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_MSB:
			c->count_latched = 0;
			return c->latched_count >> 8;
		case RW_WORD0:
			c->count_latched = RW_MSB;
			return c->latched_count & 0xff;
		default:
			c->count_latched = 0;
			return c->latched_count & 0xff;
		}
	}
	count = pit_count(p, i, now);
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count & 0xff;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:
		return count & 0xff;
	}
}

/* Channel 2's gate: a rising edge restarts modes 1, 2, 3 and 5. */
static void pit_set_gate2(struct pit *p, bool gate, uint64_t now)
{
	struct pit_channel *c = &p->ch[2];

	if (gate && !c->gate && c->loaded && c->mode != 0 && c->mode != 4)
		c->load_ns = now;
	c->gate = gate;
}

void pit_init(struct pit *p, uint64_t now)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++) {
		p->ch[i].count = 0x10000;
		p->ch[i].load_ns = now;
		p->ch[i].gate = i != 2;	/* channels 0, 1 are wired high */
	}
}

void pit_io(struct pit *p, uint16_t port, bool write, uint8_t *val,
	    uint64_t now)
{
	if (port == PIT_PORT61) {
		if (write) {
			p->port61 = *val & 3;
			pit_set_gate2(p, *val & 1, now);
		} else {
			*val = p->port61 | (pit_out(p, 2, now) << 5) |
			       (((now / REFRESH_NS) & 1) << 4);
		}
		return;
	}
	port -= PIT_PORT;
	if (port > 3)
		return;
	if (write) {
		if (port == 3)
			pit_control(p, *val, now);
		else
			pit_write_count(&p->ch[port], *val, now);
	} else {
		*val = port == 3 ? 0xff : pit_read_count(p, port, now);
	}
}
