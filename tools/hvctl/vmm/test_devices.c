// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the port dispatch: the RTC, exit and reset ports, fw_cfg's
 * access sizes, unknown ports, and the interrupt lines from the UART and the PIT into the PIC
 * and the I/O APIC.
 */
#include <stdio.h>

#include "devices.h"
#include "le.h"
#include "tap.h"

#define T0	1000000000ULL
/* 2026-12-03 17:51:04 UTC, a Thursday. */
#define TOD	((time_t)1796320264)

static struct devices d;
static struct ioapic_msi last;
static unsigned int nsent;

static bool record(void *opaque, const struct ioapic_msi *msi)
{
	(void)opaque;
	last = *msi;
	nsent++;
	return true;
}

static void out(uint16_t port, uint8_t v, uint64_t now)
{
	dev_io(&d, port, true, &v, now, TOD);
}

static uint8_t in(uint16_t port, uint64_t now)
{
	uint8_t v = 0;

	dev_io(&d, port, false, &v, now, TOD);
	return v;
}

static uint8_t cmos(uint8_t reg)
{
	out(0x70, reg | 0x80, T0);	/* with NMIs masked, as Linux does */
	return in(0x71, T0);
}

static void rtc(void)
{
	dev_init(&d, T0, 2, record, NULL);
	CHECK_EQ(cmos(0x00), 0x04);
	CHECK_EQ(cmos(0x02), 0x51);
	CHECK_EQ(cmos(0x04), 0x17);
	CHECK_EQ(cmos(0x06), 0x05);
	CHECK_EQ(cmos(0x07), 0x03);
	CHECK_EQ(cmos(0x08), 0x12);
	CHECK_EQ(cmos(0x09), 0x26);
	CHECK_EQ(cmos(0x32), 0x20);
	CHECK_EQ(cmos(0x0a) & 0x80, 0);		/* never updating */
	CHECK_EQ(cmos(0x0d), 0x80);
	/* Binary, 12-hour: 5 PM. */
	out(0x70, 0x0b, T0);
	out(0x71, 0x04, T0);
	CHECK_EQ(cmos(0x04), 0x85);
	CHECK_EQ(cmos(0x02), 51);
	/* Setting the minutes moves the clock. */
	out(0x70, 0x0b, T0);
	out(0x71, 0x06, T0);			/* binary, 24-hour */
	out(0x70, 0x02, T0);
	out(0x71, 10, T0);
	CHECK_EQ(cmos(0x02), 10);
	CHECK_EQ(cmos(0x04), 17);
	/* CMOS RAM */
	out(0x70, 0x40, T0);
	out(0x71, 0x99, T0);
	CHECK_EQ(cmos(0x40), 0x99);
}

static void exit_and_reset(void)
{
	dev_init(&d, T0, 2, record, NULL);
	out(0xf4, 0x2a, T0);
	CHECK(d.exited);
	CHECK_EQ(d.exit_status, 0x2a);
	CHECK(!d.reset);
	out(0xcf9, 0x02, T0);			/* not the reset bit */
	CHECK(!d.reset);
	CHECK_EQ(in(0xcf9, T0), 0x02);
	out(0xcf9, 0x06, T0);
	CHECK(d.reset);
	dev_init(&d, T0, 2, record, NULL);
	out(0x64, 0xfd, T0);
	CHECK(!d.reset);
	out(0x64, 0xfe, T0);
	CHECK(d.reset);
}

/* fw_cfg through dev_pio(): whole accesses; any other size is no device's. */
static void fwcfg_ports(void)
{
	uint8_t b[4];

	dev_init(&d, T0, 2, record, NULL);
	fwcfg_init(&d.fwcfg, 64ULL << 20, 3);
	put16(b, FWCFG_NB_CPUS);
	dev_pio(&d, 0x510, 2, true, b, T0, TOD);
	dev_pio(&d, 0x511, 1, false, b, T0, TOD);
	CHECK_EQ(b[0], 3);
	dev_pio(&d, 0x511, 1, false, b, T0, TOD);
	CHECK_EQ(b[0], 0);
	/* A 16-bit read of the selector, a 32-bit one of the data: all ones. */
	dev_pio(&d, 0x510, 2, false, b, T0, TOD);
	CHECK_EQ(get16(b), 0xffff);
	dev_pio(&d, 0x511, 4, false, b, T0, TOD);
	CHECK_EQ(get32(b), 0xffffffff);
	/* A 32-bit write at 0x510 selects nothing: the offset stays at 2. */
	put32(b, FWCFG_SIGNATURE);
	dev_pio(&d, 0x510, 4, true, b, T0, TOD);
	dev_pio(&d, 0x511, 1, false, b, T0, TOD);
	CHECK_EQ(b[0], 0);
	/* Byte-wide devices still see a 16-bit access as two bytes. */
	put16(b, 0x068b);		/* 0x70: status B, NMI masked; 0x71: 6 */
	dev_pio(&d, 0x70, 2, true, b, T0, TOD);
	CHECK_EQ(cmos(0x0b), 0x06);		/* binary, 24-hour */
}

static void unknown_ports(void)
{
	unsigned int port;

	dev_init(&d, T0, 2, record, NULL);
	CHECK_EQ(in(0x64, T0), 0xff);		/* no keyboard controller */
	CHECK_EQ(in(0x2f8, T0), 0xff);		/* no COM2 */
	CHECK_EQ(in(0x70, T0), 0xff);		/* the RTC index is write-only */
	for (port = 0; port < 0x10000; port++) {
		if (port == 0xf4 || port == 0xcf9 || port == 0x64)
			continue;
		out(port, 0xff, T0);
		in(port, T0);
	}
	CHECK(!d.exited && !d.reset);
}

static void irq_lines(void)
{
	static const uint8_t init[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, 0x00 }, { 0xa1, 0x00 },
	};
	unsigned int i;

	dev_init(&d, T0, 2, record, NULL);
	for (i = 0; i < ARRAY_SIZE(init); i++)
		out(init[i][0], init[i][1], T0);
	/* PIT channel 0, mode 2, 1 ms. */
	out(0x43, 0x34, T0);
	out(0x40, 0xa9, T0);
	out(0x40, 0x04, T0);
	dev_update(&d, T0);
	CHECK(!pic_output(&d.pic));
	dev_update(&d, T0 + 1000000);
	CHECK(pic_output(&d.pic));
	CHECK_EQ(pic_ack(&d.pic), 0x30);
	out(0x20, 0x20, T0);
	/* The UART's THRE interrupt on IRQ 4. */
	out(0x3fc, 0x08, T0);			/* OUT2 */
	out(0x3f9, 0x02, T0);			/* IER: THRI */
	dev_update(&d, T0 + 1000000);
	CHECK(pic_output(&d.pic));
	CHECK_EQ(pic_ack(&d.pic), 0x34);
	CHECK_EQ(in(0x3fa, T0), 0x02);		/* IIR: THRE, acknowledged */
	out(0x20, 0x20, T0);
	dev_update(&d, T0 + 1000000);
	CHECK(!pic_output(&d.pic));
	CHECK_EQ(nsent, 0);			/* the I/O APIC's pins are masked */
}

/* The same lines on the I/O APIC: IRQ 0 on pin 2, COM1 on pin 4. */
static void ioapic_lines(void)
{
	unsigned int pin;
	uint8_t b[4];

	nsent = 0;
	dev_init(&d, T0, 2, record, NULL);
	CHECK_EQ(d.ioapic.id, 2);
	for (pin = 2; pin <= 4; pin += 2) {	/* unmasked, edge, vector 0x40 + pin */
		put32(b, IOAPIC_REDIR + 2 * pin);
		ioapic_mmio(&d.ioapic, IOAPIC_REG_SELECT, true, b, 4);
		put32(b, 0x40 + pin);
		ioapic_mmio(&d.ioapic, IOAPIC_REG_WINDOW, true, b, 4);
	}
	out(0x43, 0x34, T0);			/* PIT channel 0, mode 2, 1 ms */
	out(0x40, 0xa9, T0);
	out(0x40, 0x04, T0);
	dev_update(&d, T0);
	CHECK_EQ(nsent, 0);
	dev_update(&d, T0 + 1000000);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(last.data, 0x42);
	dev_update(&d, T0 + 1000000);		/* no new edge */
	CHECK_EQ(nsent, 1);
	out(0x3fc, 0x08, T0);			/* COM1: OUT2, THRI */
	out(0x3f9, 0x02, T0);
	dev_update(&d, T0 + 1000000);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(last.data, 0x44);
	CHECK_EQ(last.address_lo, 0xfee00000);
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(rtc),
		TAP_CASE(exit_and_reset),
		TAP_CASE(fwcfg_ports),
		TAP_CASE(unknown_ports),
		TAP_CASE(irq_lines),
		TAP_CASE(ioapic_lines),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
