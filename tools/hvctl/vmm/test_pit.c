// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the i8254: counting, latches, modes 0/2/3, port 0x61. */
#include <stdio.h>

#include "pit.h"
#include "tap.h"

#define T0	1000000000ULL		/* any origin */

static struct pit p;

/* ns for n input clocks (rounded up). */
static uint64_t clk(uint64_t n)
{
	return (n * 1000000000ULL + PIT_HZ - 1) / PIT_HZ;
}

static void out(uint16_t port, uint8_t v, uint64_t now)
{
	pit_io(&p, port, true, &v, now);
}

static uint8_t in(uint16_t port, uint64_t now)
{
	uint8_t v = 0;

	pit_io(&p, port, false, &v, now);
	return v;
}

static uint16_t read16(uint16_t port, uint64_t now)
{
	uint8_t lo = in(port, now);

	return lo | in(port, now) << 8;
}

static void counting_and_latch(void)
{
	pit_init(&p, T0);
	out(0x43, 0x34, T0);		/* ch 0, lobyte/hibyte, mode 2 */
	out(0x40, 0x00, T0);
	out(0x40, 0x10, T0);		/* 4096 */
	CHECK_EQ(pit_count(&p, 0, T0), 4096);
	CHECK_EQ(pit_count(&p, 0, T0 + clk(100)), 3996);
	/* Latch: the value at the latch, however late it is read. */
	out(0x43, 0x00, T0 + clk(1000));
	CHECK_EQ(read16(0x40, T0 + clk(3000)), 3096);
	/* A second latch before the read is ignored. */
	out(0x43, 0x00, T0 + clk(10));
	out(0x43, 0x00, T0 + clk(20));
	CHECK_EQ(read16(0x40, T0 + clk(30)), 4086);
	/* Unlatched reads alternate LSB, MSB of the live count. */
	CHECK_EQ(in(0x40, T0 + clk(0x100)), 0x00);
	CHECK_EQ(in(0x40, T0 + clk(0x100)), 0x0f);
	/* Read-back status of channel 0: mode 2, lobyte/hibyte, OUT high. */
	out(0x43, 0xe2, T0 + clk(5));
	CHECK_EQ(in(0x40, T0 + clk(5)), 0x80 | 0x30 | 0x04);
}

static void lsb_msb_only(void)
{
	pit_init(&p, T0);
	out(0x43, 0x50, T0);		/* ch 1, LSB only, mode 0 */
	out(0x41, 200, T0);
	CHECK_EQ(pit_count(&p, 1, T0), 200);
	CHECK_EQ(in(0x41, T0 + clk(50)), 150);
	out(0x43, 0x60, T0);		/* ch 1, MSB only, mode 0 */
	out(0x41, 0x02, T0);
	CHECK_EQ(pit_count(&p, 1, T0), 0x200);
	CHECK_EQ(in(0x41, T0), 0x02);
}

static void mode0(void)
{
	pit_init(&p, T0);
	out(0x43, 0x30, T0);		/* ch 0, mode 0 */
	CHECK(!pit_out(&p, 0, T0));
	out(0x40, 100, T0);
	out(0x40, 0, T0);
	CHECK(!pit_out(&p, 0, T0 + clk(99)));
	CHECK_EQ(pit_irq0(&p, T0 + clk(99)), 0);
	CHECK_EQ(pit_next_ns(&p, T0), T0 + clk(100));
	CHECK(pit_out(&p, 0, T0 + clk(100)));
	CHECK_EQ(pit_irq0(&p, T0 + clk(150)), 1);
	CHECK_EQ(pit_irq0(&p, T0 + clk(100000)), 0);	/* once only */
	CHECK_EQ(pit_next_ns(&p, T0 + clk(150)), PIT_NO_EVENT);
	/* The counter wraps on. */
	CHECK_EQ(pit_count(&p, 0, T0 + clk(101)), 0xffff);
}

static void mode2(void)
{
	pit_init(&p, T0);
	out(0x43, 0x34, T0);
	out(0x40, 10, T0);
	out(0x40, 0, T0);
	CHECK(pit_out(&p, 0, T0));
	CHECK(!pit_out(&p, 0, T0 + clk(9)));	/* low while the count is 1 */
	CHECK(pit_out(&p, 0, T0 + clk(10)));
	CHECK_EQ(pit_count(&p, 0, T0 + clk(10)), 10);	/* reloaded */
	CHECK_EQ(pit_irq0(&p, T0 + clk(35)), 3);
	CHECK_EQ(pit_next_ns(&p, T0 + clk(35)), T0 + clk(40));
	CHECK_EQ(pit_irq0(&p, T0 + clk(39)), 0);
	CHECK_EQ(pit_irq0(&p, T0 + clk(40)), 1);
}

static void mode3(void)
{
	pit_init(&p, T0);
	out(0x43, 0x36, T0);		/* ch 0, mode 3 */
	out(0x40, 10, T0);
	out(0x40, 0, T0);
	CHECK(pit_out(&p, 0, T0 + clk(4)));
	CHECK(!pit_out(&p, 0, T0 + clk(5)));
	CHECK(!pit_out(&p, 0, T0 + clk(9)));
	CHECK(pit_out(&p, 0, T0 + clk(10)));
	CHECK_EQ(pit_count(&p, 0, T0 + clk(2)), 6);	/* by 2 */
	CHECK_EQ(pit_irq0(&p, T0 + clk(25)), 2);
	/* Mode 6 is mode 3. */
	out(0x43, 0x3e, T0);
	CHECK_EQ(p.ch[0].mode, 3);
	/* A count of 0 is 65536: about 18.2 Hz. */
	out(0x40, 0, T0);
	out(0x40, 0, T0);
	CHECK_EQ(pit_next_ns(&p, T0), T0 + clk(65536));
}

/* What Linux's pit_calibrate_tsc() does with channel 2 and port 0x61. */
static void port61_out2(void)
{
	uint64_t t = T0;
	uint8_t v;

	pit_init(&p, T0);
	v = in(0x61, t);
	CHECK_EQ(v & 0x01, 0);
	out(0x61, (v & ~0x02) | 0x01, t);	/* gate high, speaker off */
	CHECK_EQ(in(0x61, t) & 0x03, 0x01);
	out(0x43, 0xb0, t);			/* ch 2, lobyte/hibyte, mode 0 */
	out(0x42, 0x0b, t);			/* 50 ms: 59659 */
	out(0x42, 0xe9, t);
	CHECK_EQ(in(0x61, t + clk(59658)) & 0x20, 0);
	CHECK_EQ(in(0x61, t + clk(59659)) & 0x20, 0x20);
	/* quick_pit_calibrate(): MSB polling of the live count. */
	out(0x43, 0xb0, t);
	out(0x42, 0xff, t);
	out(0x42, 0xff, t);
	in(0x42, t + clk(0x300));
	CHECK_EQ(in(0x42, t + clk(0x300)), 0xfc);
	/* Channel 2's IRQ: none; channel 0 untouched. */
	CHECK_EQ(pit_irq0(&p, t + clk(100000)), 0);
}

static void garbage(void)
{
	unsigned int i;
	uint64_t t = T0;

	pit_init(&p, T0);
	for (i = 0; i < 100000; i++) {
		t += i * 7 % 1000;
		out(0x40 + (i & 3), (uint8_t)(i * 2654435761U >> 11), t);
		in(0x40 + ((i >> 2) & 3), t);
		pit_irq0(&p, t);
		pit_next_ns(&p, t);
	}
	CHECK(p.ch[0].mode <= 5 && p.ch[1].mode <= 5 && p.ch[2].mode <= 5);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(counting_and_latch),
		TAP_CASE(lsb_msb_only),
		TAP_CASE(mode0),
		TAP_CASE(mode2),
		TAP_CASE(mode3),
		TAP_CASE(port61_out2),
		TAP_CASE(garbage),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
