/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal MC146818 CMOS RTC at 0x70 (index; bit 7 the NMI mask) and 0x71
 * (data): the time and date from the host's clock, status registers A-D,
 * the century, 128 bytes of CMOS RAM. No interrupts, no alarms.
 */
#ifndef VMM_RTC_H
#define VMM_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_PORT	0x70

struct rtc {
	uint8_t index;
	uint8_t ram[128];
	int64_t offset;			/* guest time - host time, seconds */
};

void rtc_init(struct rtc *r);
/* One byte at 0x70/0x71; now is the host's time of day (UTC). */
void rtc_io(struct rtc *r, uint16_t port, bool write, uint8_t *val,
	    time_t now);

#endif /* VMM_RTC_H */
