// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port-I/O dispatch to the legacy devices, and their interrupt lines into
 * the PIC: the UART's level on IRQ 4, the PIT's channel 0 edges on IRQ 0.
 */
#include <string.h>

#include "devices.h"

void dev_init(struct devices *d, uint64_t now)
{
	memset(d, 0, sizeof(*d));
	uart_init(&d->uart);
	pic_init(&d->pic);
	pit_init(&d->pit, now);
	rtc_init(&d->rtc);
}

static void dev_misc(struct devices *d, uint16_t port, bool write, uint8_t *val)
{
	if (!write) {
		*val = port == DEV_RESET_PORT ? d->cf9 : 0xff;
		return;
	}
	switch (port) {
	case DEV_EXIT_PORT:
		d->exited = true;
		d->exit_status = *val;
		break;
	case DEV_RESET_PORT:
		d->cf9 = *val & 0x0e;
		if (*val & DEV_CF9_RESET)
			d->reset = true;
		break;
	case DEV_KBD_CMD:
		if (*val == DEV_KBD_RESET)
			d->reset = true;
		break;
	}
}

void dev_io(struct devices *d, uint16_t port, bool write, uint8_t *val,
	    uint64_t now, time_t tod)
{
	if (port >= UART_COM1_BASE && port < UART_COM1_BASE + 8)
		uart_io(&d->uart, port - UART_COM1_BASE, write, val);
	else if (port == PIC_MASTER || port == PIC_MASTER + 1 ||
		 port == PIC_SLAVE || port == PIC_SLAVE + 1)
		pic_io(&d->pic, port, write, val);
	else if ((port >= PIT_PORT && port <= PIT_PORT + 3) || port == PIT_PORT61)
		pit_io(&d->pit, port, write, val, now);
	else if (port == RTC_PORT || port == RTC_PORT + 1)
		rtc_io(&d->rtc, port, write, val, tod);
	else
		dev_misc(d, port, write, val);
}

void dev_update(struct devices *d, uint64_t now)
{
	pic_set_irq(&d->pic, UART_COM1_IRQ, uart_irq(&d->uart));
	if (pit_irq0(&d->pit, now))
		pic_pulse_irq(&d->pic, 0);
}
