/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PC's legacy devices behind one port-I/O entry point: COM1, the PIC
 * pair, the PIT with port 0x61, the CMOS RTC, fw_cfg (0x510/0x511), the
 * isa-debug-exit port 0xf4, reset through 0xcf9 and the keyboard
 * controller. Every other port reads all ones and ignores writes. The I/O
 * APIC (MMIO, ioapic_mmio()) sees the same ISA interrupt lines as the PIC,
 * on the pins the MP table gives.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fwcfg.h"
#include "ioapic.h"
#include "pci.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "uart.h"

#define DEV_EXIT_PORT	0xf4
#define DEV_RESET_PORT	0xcf9
#define DEV_KBD_CMD	0x64
#define DEV_KBD_RESET	0xfe
#define DEV_CF9_RESET	0x04

struct devices {
	struct uart uart;
	struct pic pic;
	struct pit pit;
	struct rtc rtc;
	struct ioapic ioapic;
	struct fwcfg fwcfg;
	struct pci_bus pci;
	uint8_t cf9;
	bool exited, reset;
	uint8_t exit_status;
};

/*
 * ioapic_id and send: the I/O APIC's (ioapic_init()). fw_cfg says 0 bytes
 * of RAM and 0 CPUs until fwcfg_init() is called with the machine's; the
 * PCI bus has its host bridge only until pci_attach() adds functions.
 */
void dev_init(struct devices *d, uint64_t now, uint8_t ioapic_id,
	      bool (*send)(void *opaque, const struct ioapic_msi *msi), void *opaque);
/* One byte of a port access. now: monotonic ns; tod: time of day. */
void dev_io(struct devices *d, uint16_t port, bool write, uint8_t *val,
	    uint64_t now, time_t tod);
/*
 * One access of size bytes (1, 2 or 4) at port: fw_cfg's and the PCI
 * bus's whole, any other's byte by byte through dev_io(), each byte to its
 * own port.
 */
void dev_pio(struct devices *d, uint16_t port, unsigned int size, bool write,
	     uint8_t *data, uint64_t now, time_t tod);
/* Move the interrupt lines (PIC and I/O APIC) to the devices' state; PIT edges up to now. */
void dev_update(struct devices *d, uint64_t now);

#endif /* VMM_DEVICES_H */
