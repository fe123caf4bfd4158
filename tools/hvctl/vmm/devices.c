// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port-I/O dispatch to the legacy devices, and their interrupt lines into
 * the PIC and the I/O APIC: the UART's level on IRQ 4 (pin 4), the PIT's
 * channel 0 edges on IRQ 0 (pin 2, mptable.h). The I/O APIC's entries, as
 * the guest writes them, to the PCI bus: pins 16-23 are its functions'.
 */
#include <string.h>

#include "devices.h"
#include "mptable.h"

static void dev_redir_written(void *opaque, unsigned int pin, uint64_t entry)
{
	struct devices *d = opaque;

	pci_redir_written(&d->pci, pin, entry);
}

void dev_init(struct devices *d, uint64_t now, uint8_t ioapic_id,
	      bool (*send)(void *opaque, const struct ioapic_msi *msi), void *opaque)
{
	memset(d, 0, sizeof(*d));
	ioapic_init(&d->ioapic, ioapic_id, send, opaque);
	d->ioapic.written = dev_redir_written;
	d->ioapic.written_opaque = d;
	pci_init(&d->pci);
	uart_init(&d->uart);
	pic_init(&d->pic);
	pit_init(&d->pit, now);
	rtc_init(&d->rtc);
	fwcfg_init(&d->fwcfg, 0, 0);
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

void dev_pio(struct devices *d, uint16_t port, unsigned int size, bool write,
	     uint8_t *data, uint64_t now, time_t tod)
{
	unsigned int i;

	if (fwcfg_io(&d->fwcfg, port, size, write, data) ||
	    pci_pio(&d->pci, port, size, write, data))
		return;
	for (i = 0; i < size; i++)
		dev_io(d, (uint16_t)(port + i), write, data + i, now, tod);
}

void dev_update(struct devices *d, uint64_t now)
{
	bool com1 = uart_irq(&d->uart);

	pic_set_irq(&d->pic, UART_COM1_IRQ, com1);
	ioapic_set_irq(&d->ioapic, UART_COM1_IRQ, com1);
	if (pit_irq0(&d->pit, now)) {
		pic_pulse_irq(&d->pic, 0);
		ioapic_set_irq(&d->ioapic, MP_PIT_PIN, true);
		ioapic_set_irq(&d->ioapic, MP_PIT_PIN, false);
	}
}
