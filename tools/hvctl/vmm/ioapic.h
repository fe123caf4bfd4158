/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An I/O APIC of the 82093AA's kind (version 0x11, 24 pins, no EOI
 * register) at 0xfec00000: IOREGSEL at +0x00, IOWIN at +0x10. A pin that
 * fires becomes a message-signalled interrupt to the local APICs, which are
 * khv's (KHV_SIGNAL_MSI, Documentation/khv-abi.rst "Local APIC"): the
 * redirection entry's vector, delivery mode, destination and trigger mode
 * in the message's address and data. A level-triggered pin sets its Remote
 * IRR when it fires and fires no more until the EOI of its vector comes
 * back from khv (KHV_EXIT_IOAPIC_EOI); the pin still asserted then fires
 * again. Input polarity is not modelled: the devices drive their lines
 * active-high, as the MP table says of the ISA bus. Pins 16-23 take the
 * INTx of assigned PCI functions (vmm/pci.h), which khv delivers itself:
 * the VMM drives no line there, it hands khv the message of the pin's
 * entry each time the guest writes it (the written hook).
 */
#ifndef VMM_IOAPIC_H
#define VMM_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_SIZE		0x1000
#define IOAPIC_PINS		24
#define IOAPIC_VERSION		0x11
#define IOAPIC_REG_SELECT	0x00
#define IOAPIC_REG_WINDOW	0x10

/* Registers behind IOREGSEL. */
#define IOAPIC_ID		0x00
#define IOAPIC_VER		0x01
#define IOAPIC_ARB		0x02
#define IOAPIC_REDIR		0x10	/* 2 * pin: the low half, + 1 the high */

/* A redirection entry's bits. */
#define IOAPIC_VECTOR		0xffULL
#define IOAPIC_DELIVERY_SHIFT	8
#define IOAPIC_DELIVERY		0x700ULL
#define IOAPIC_DEST_LOGICAL	0x800ULL
#define IOAPIC_DELIVERY_STATUS	0x1000ULL
#define IOAPIC_POLARITY_LOW	0x2000ULL
#define IOAPIC_REMOTE_IRR	0x4000ULL
#define IOAPIC_LEVEL		0x8000ULL
#define IOAPIC_MASKED		0x10000ULL
#define IOAPIC_DEST_SHIFT	56
/* What the guest writes; delivery status and Remote IRR are the chip's. */
#define IOAPIC_WRITABLE		(IOAPIC_VECTOR | IOAPIC_DELIVERY | IOAPIC_DEST_LOGICAL | \
				 IOAPIC_POLARITY_LOW | IOAPIC_LEVEL | IOAPIC_MASKED | \
				 (0xffULL << IOAPIC_DEST_SHIFT))

/* Delivery modes (bits 10:8). */
#define IOAPIC_FIXED		0
#define IOAPIC_LOWEST		1
#define IOAPIC_SMI		2
#define IOAPIC_NMI		4
#define IOAPIC_INIT		5
#define IOAPIC_EXTINT		7

/* A message to the local APICs, as struct khv_msi's three fields. */
struct ioapic_msi {
	uint32_t address_lo, address_hi, data;
};

struct ioapic {
	uint8_t id;			/* bits 27:24 of the ID register */
	uint8_t select;			/* IOREGSEL */
	uint32_t lines;			/* the pins' input levels */
	uint64_t redir[IOAPIC_PINS];
	/*
	 * Called for every message the chip sends (under the caller's lock);
	 * returns false when it could not be sent: the pin's Remote IRR is
	 * then cleared again, so that a later EOI or edge can retry.
	 */
	bool (*send)(void *opaque, const struct ioapic_msi *msi);
	void *opaque;
	uint32_t dropped;		/* messages with a mode nobody takes */
	/*
	 * NULL, or called after each guest write to a redirection entry
	 * (either half), with the pin and its entry as it is now.
	 */
	void (*written)(void *opaque, unsigned int pin, uint64_t entry);
	void *written_opaque;
};

void ioapic_init(struct ioapic *a, uint8_t id,
		 bool (*send)(void *opaque, const struct ioapic_msi *msi), void *opaque);
/*
 * The message redirection entry @e sends, in @msi: false for a delivery
 * mode khv's local APICs do not take (SMI, INIT, ExtINT, reserved). A
 * level-triggered entry's message says level and assert. The mask bit is
 * not looked at.
 */
bool ioapic_entry_msi(uint64_t e, struct ioapic_msi *msi);
/* Drive pin to level: an edge pin fires on the rising edge, a level pin while high. */
void ioapic_set_irq(struct ioapic *a, unsigned int pin, bool level);
/* The EOI of vector (KHV_EXIT_IOAPIC_EOI): level pins with it end their Remote IRR. */
void ioapic_eoi(struct ioapic *a, uint8_t vector);
/*
 * An MMIO access at offset (from IOAPIC_BASE) of len bytes (1, 2, 4 or 8):
 * data holds the value written, or receives the value read (little-endian).
 * Offsets other than the two registers' read all ones and ignore writes.
 */
void ioapic_mmio(struct ioapic *a, uint64_t offset, bool write, uint8_t *data, unsigned int len);

#endif /* VMM_IOAPIC_H */
