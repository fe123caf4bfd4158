// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O APIC: see ioapic.h. The registers as the 82093AA datasheet gives
 * them; the pins turned into MSIs as QEMU's and KVM's I/O APICs do.
 */
#include <string.h>

#include "ioapic.h"
#include "le.h"

#define MSI_ADDR_BASE		0xfee00000U
#define MSI_ADDR_DEST_SHIFT	12
#define MSI_ADDR_LOGICAL	0x4U
#define MSI_DATA_LEVEL		0x8000U
#define MSI_DATA_ASSERT		0x4000U

void ioapic_init(struct ioapic *a, uint8_t id,
		 bool (*send)(void *opaque, const struct ioapic_msi *msi), void *opaque)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->id = id & 0x0f;
	a->send = send;
	a->opaque = opaque;
	for (i = 0; i < IOAPIC_PINS; i++)
		a->redir[i] = IOAPIC_MASKED;
}

static unsigned int delivery(uint64_t e)
{
	return (e & IOAPIC_DELIVERY) >> IOAPIC_DELIVERY_SHIFT;
}

static bool is_level(uint64_t e)
{
	/* An NMI has no EOI: it is sent as an edge whatever the entry says. */
	return (e & IOAPIC_LEVEL) && delivery(e) != IOAPIC_NMI;
}

bool ioapic_entry_msi(uint64_t e, struct ioapic_msi *msi)
{
	unsigned int mode = delivery(e);

	memset(msi, 0, sizeof(*msi));
	/* khv's APICs take fixed, lowest-priority and NMI messages only. */
	if (mode != IOAPIC_FIXED && mode != IOAPIC_LOWEST && mode != IOAPIC_NMI)
		return false;
	msi->address_lo = MSI_ADDR_BASE |
			  (uint32_t)(e >> IOAPIC_DEST_SHIFT) << MSI_ADDR_DEST_SHIFT |
			  (e & IOAPIC_DEST_LOGICAL ? MSI_ADDR_LOGICAL : 0);
	msi->data = (uint32_t)(e & IOAPIC_VECTOR) | mode << IOAPIC_DELIVERY_SHIFT;
	if (is_level(e))
		msi->data |= MSI_DATA_LEVEL | MSI_DATA_ASSERT;
	return true;
}

/* Pin's message, once: a level pin holds its Remote IRR until the EOI. */
static void fire(struct ioapic *a, unsigned int pin)
{
	uint64_t *e = &a->redir[pin];
	struct ioapic_msi msi;

	if ((*e & IOAPIC_MASKED) || (*e & IOAPIC_REMOTE_IRR))
		return;
	if (!ioapic_entry_msi(*e, &msi)) {
		a->dropped++;
		return;
	}
	if (is_level(*e))
		*e |= IOAPIC_REMOTE_IRR;
	if (!a->send(a->opaque, &msi))
		*e &= ~IOAPIC_REMOTE_IRR;
}

void ioapic_set_irq(struct ioapic *a, unsigned int pin, bool level)
{
	uint32_t bit = 1U << pin;
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = a->lines & bit;
	if (level)
		a->lines |= bit;
	else
		a->lines &= ~bit;
	if (level && (is_level(a->redir[pin]) || !was))
		fire(a, pin);
}

void ioapic_eoi(struct ioapic *a, uint8_t vector)
{
	unsigned int pin;
	uint64_t *e;

	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		e = &a->redir[pin];
		if (!(*e & IOAPIC_REMOTE_IRR) || (*e & IOAPIC_VECTOR) != vector)
			continue;
		*e &= ~IOAPIC_REMOTE_IRR;
		if (a->lines & (1U << pin))
			fire(a, pin);
	}
}

static uint32_t read_reg(const struct ioapic *a)
{
	unsigned int reg = a->select, pin = (reg - IOAPIC_REDIR) / 2;

	switch (reg) {
	case IOAPIC_ID:
	case IOAPIC_ARB:
		return (uint32_t)a->id << 24;
	case IOAPIC_VER:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REDIR || pin >= IOAPIC_PINS)
		return 0;
	return reg & 1 ? a->redir[pin] >> 32 : (uint32_t)a->redir[pin];
}

static void write_reg(struct ioapic *a, uint32_t val)
{
	unsigned int reg = a->select, pin = (reg - IOAPIC_REDIR) / 2;
	uint64_t *e, v;

	if (reg == IOAPIC_ID) {
		a->id = (val >> 24) & 0x0f;
		return;
	}
	if (reg < IOAPIC_REDIR || pin >= IOAPIC_PINS)
		return;
	e = &a->redir[pin];
	v = reg & 1 ? (uint64_t)val << 32 | (uint32_t)*e : (*e & ~0xffffffffULL) | val;
	*e = (*e & ~IOAPIC_WRITABLE) | (v & IOAPIC_WRITABLE);
	/* Switching to edge ends a Remote IRR (Linux's way to clear a stuck one). */
	if (!(*e & IOAPIC_LEVEL))
		*e &= ~IOAPIC_REMOTE_IRR;
	if (a->written)
		a->written(a->written_opaque, pin, *e);
	if (is_level(*e) && (a->lines & (1U << pin)))
		fire(a, pin);
}

void ioapic_mmio(struct ioapic *a, uint64_t offset, bool write, uint8_t *data, unsigned int len)
{
	uint32_t val;

	if (offset == IOAPIC_REG_SELECT && len >= 1 && len <= 8) {
		if (write) {
			a->select = data[0];
		} else {
			memset(data, 0, len);
			data[0] = a->select;
		}
		return;
	}
	if (offset == IOAPIC_REG_WINDOW && len == 4) {
		if (write) {
			write_reg(a, get32(data));
		} else {
			val = read_reg(a);
			put32(data, val);
		}
		return;
	}
	if (!write)
		memset(data, 0xff, len > 8 ? 8 : len);
}
