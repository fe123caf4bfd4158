// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMOS RTC's registers (MC146818A data sheet): seconds, minutes, hours,
 * day of week, day, month, year at 0, 2, 4, 6-9, in BCD unless status B's
 * DM bit says binary, 24-hour unless its 24/12 bit is clear; status A
 * (never "update in progress"), B, C (no interrupt flags), D (valid RAM
 * and time), the century at 0x32. The time is read from the host's clock
 * on every access; a write to a time register is kept as an offset.
 */
#include <string.h>

#include "rtc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MON		0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32

#define B_24H		0x02
#define B_DM_BINARY	0x04
#define D_VRT		0x80

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	r->ram[REG_A] = 0x26;		/* 32.768 kHz base, 1024 Hz rate */
	r->ram[REG_B] = B_24H;
	r->ram[REG_D] = D_VRT;
}

static uint8_t rtc_enc(const struct rtc *r, unsigned int v)
{
	if (r->ram[REG_B] & B_DM_BINARY)
		return v;
	return (v / 10) << 4 | v % 10;
}

static unsigned int rtc_dec(const struct rtc *r, uint8_t v)
{
	if (r->ram[REG_B] & B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t rtc_hour(const struct rtc *r, unsigned int h)
{
	unsigned int h12;

	if (r->ram[REG_B] & B_24H)
		return rtc_enc(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return rtc_enc(r, h12) | (h >= 12 ? 0x80 : 0);
}

static uint8_t rtc_time_reg(const struct rtc *r, unsigned int reg, time_t now)
{
	time_t t = now + r->offset;
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	switch (reg) {
	case REG_SEC:
		return rtc_enc(r, tm.tm_sec);
	case REG_MIN:
		return rtc_enc(r, tm.tm_min);
	case REG_HOUR:
		return rtc_hour(r, tm.tm_hour);
	case REG_WDAY:
		return rtc_enc(r, tm.tm_wday + 1);
	case REG_MDAY:
		return rtc_enc(r, tm.tm_mday);
	case REG_MON:
		return rtc_enc(r, tm.tm_mon + 1);
	case REG_YEAR:
		return rtc_enc(r, tm.tm_year % 100);
	default:
		return rtc_enc(r, (tm.tm_year + 1900) / 100);
	}
}

/* A guest setting the clock: move the offset by the field's change. */
static void rtc_set_time(struct rtc *r, unsigned int reg, uint8_t v, time_t now)
{
	static const int64_t unit[] = { [REG_SEC] = 1, [REG_MIN] = 60,
					[REG_HOUR] = 3600, [REG_MDAY] = 86400 };
	unsigned int old, new;

	if (reg >= ARRAY_SIZE(unit) || !unit[reg] ||
	    (reg == REG_HOUR && !(r->ram[REG_B] & B_24H)))
		return;			/* other fields are not settable */
	old = rtc_dec(r, rtc_time_reg(r, reg, now));
	new = rtc_dec(r, v);
	r->offset += ((int64_t)new - old) * unit[reg];
}

void rtc_io(struct rtc *r, uint16_t port, bool write, uint8_t *val,
	    time_t now)
{
	unsigned int reg = r->index;

	if (port == RTC_PORT) {
		if (write)
			r->index = *val & 0x7f;
		else
			*val = 0xff;
		return;
	}
	if (!write) {
		switch (reg) {
		case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
		case REG_MDAY: case REG_MON: case REG_YEAR: case REG_CENTURY:
			*val = rtc_time_reg(r, reg, now);
			break;
		case REG_A:
			*val = r->ram[REG_A] & 0x7f;	/* UIP never set */
			break;
		default:
			*val = r->ram[reg];
		}
		return;
	}
	switch (reg) {
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_MDAY:
		rtc_set_time(r, reg, *val, now);
		break;
	case REG_WDAY: case REG_MON: case REG_YEAR: case REG_CENTURY:
	case REG_C: case REG_D:
		break;				/* read-only here */
	case REG_A:
		r->ram[REG_A] = *val & 0x7f;
		break;
	case REG_B:
		r->ram[REG_B] = *val & (B_24H | B_DM_BINARY | 0x80);
		break;
	default:
		r->ram[reg] = *val;
	}
}
