// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MP table (Intel MultiProcessor Specification 1.4, chapter 4) that lets
 * Linux find every vCPU without ACPI: see mptable.h for what it holds.
 */
#include <string.h>

#include "ioapic.h"
#include "le.h"
#include "mptable.h"

#define MP_SPEC_REV		4
#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_TYPE_CPU		0
#define MP_TYPE_BUS		1
#define MP_TYPE_IOAPIC		2
#define MP_TYPE_INT		3
#define MP_TYPE_LINT		4
#define MP_IOAPIC_ENABLED	0x01
#define MP_INT_INT		0
#define MP_INT_NMI		1
#define MP_INT_EXTINT		3
#define MP_ALL_LAPICS		0xff
#define MP_PCI_FLAGS		0x0f	/* level-triggered (3 << 2), active low (3) */

/* The byte that makes the sum of len bytes 0. */
static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static uint8_t *mp_cpu(uint8_t *e, unsigned int id, uint32_t sig, uint32_t features)
{
	e[0] = MP_TYPE_CPU;
	e[1] = id;
	e[2] = MP_LAPIC_VERSION;
	e[3] = MP_CPU_ENABLED | (id ? 0 : MP_CPU_BSP);
	put32(e + 4, sig);
	put32(e + 8, features);
	return e + MP_CPU_LEN;
}

/* Virtual wire: a source on the ISA bus to LINTn of every local APIC. */
static uint8_t *mp_lint(uint8_t *e, uint8_t type, uint8_t lint)
{
	e[0] = MP_TYPE_LINT;
	e[1] = type;
	e[4] = MP_ISA_BUS;
	e[6] = MP_ALL_LAPICS;
	e[7] = lint;
	return e + MP_ENTRY_LEN;
}

/* The I/O APIC and ISA IRQ 0-15 on its pins (flags 0: as the bus has it). */
static uint8_t *mp_ioapic(uint8_t *e, uint8_t id)
{
	unsigned int irq;

	e[0] = MP_TYPE_IOAPIC;
	e[1] = id;
	e[2] = MP_IOAPIC_VERSION;
	e[3] = MP_IOAPIC_ENABLED;
	put32(e + 4, IOAPIC_BASE);
	e += MP_ENTRY_LEN;
	for (irq = 0; irq < 16; irq++) {
		if (irq == MP_PIT_PIN)
			continue;
		e[0] = MP_TYPE_INT;
		e[1] = MP_INT_INT;
		e[4] = MP_ISA_BUS;
		e[5] = irq;
		e[6] = id;
		e[7] = irq ? irq : MP_PIT_PIN;
		e += MP_ENTRY_LEN;
	}
	return e;
}

static uint8_t *mp_bus(uint8_t *e, uint8_t id, const char *type)
{
	e[0] = MP_TYPE_BUS;
	e[1] = id;
	memcpy(e + 2, type, 6);
	return e + MP_ENTRY_LEN;
}

/* A PCI function's INTx on its I/O APIC pin. */
static uint8_t *mp_pci_int(uint8_t *e, const struct mp_pci_irq *irq, uint8_t ioapic)
{
	e[0] = MP_TYPE_INT;
	e[1] = MP_INT_INT;
	put16(e + 2, MP_PCI_FLAGS);
	e[4] = MP_PCI_BUS;
	e[5] = irq->slot << 2 | (irq->pin - 1);
	e[6] = ioapic;
	e[7] = irq->ioapic_pin;
	return e + MP_ENTRY_LEN;
}

static bool mp_pci_irqs_ok(const struct mp_pci_irq *irqs, unsigned int nirqs)
{
	unsigned int i;

	if (nirqs > MP_MAX_PCI_IRQS)
		return false;
	for (i = 0; i < nirqs; i++)
		if (irqs[i].slot > 31 || irqs[i].pin < 1 || irqs[i].pin > 4 ||
		    irqs[i].ioapic_pin >= IOAPIC_PINS)
			return false;
	return true;
}

size_t mptable_write(uint8_t *buf, size_t len, uint64_t gpa, unsigned int ncpus,
		     const struct mp_pci_irq *irqs, unsigned int nirqs,
		     uint32_t cpu_signature, uint32_t cpu_features)
{
	size_t size = mptable_size(ncpus, nirqs), table_len = size - MP_FPS_LEN;
	uint8_t *fps = buf, *hdr = buf + MP_FPS_LEN, *e;
	unsigned int i;

	if (!ncpus || ncpus > MP_MAX_CPUS || !mp_pci_irqs_ok(irqs, nirqs) || (gpa & 15) ||
	    gpa > 0xffffffffULL - size || len < size)
		return 0;
	memset(buf, 0, size);

	memcpy(hdr, "PCMP", 4);
	put16(hdr + 4, table_len);
	hdr[6] = MP_SPEC_REV;
	memcpy(hdr + 8, "KHV     ", 8);			/* OEM ID */
	memcpy(hdr + 16, "HVCTL RUN   ", 12);		/* product ID */
	put16(hdr + 34, ncpus + MP_OTHER_ENTRIES + nirqs);	/* entry count */
	put32(hdr + 36, MP_LAPIC_ADDR);
	e = hdr + MP_HDR_LEN;
	for (i = 0; i < ncpus; i++)
		e = mp_cpu(e, i, cpu_signature, cpu_features);
	e = mp_bus(e, MP_PCI_BUS, "PCI   ");
	e = mp_bus(e, MP_ISA_BUS, "ISA   ");
	e = mp_ioapic(e, mptable_ioapic_id(ncpus));
	for (i = 0; i < nirqs; i++)
		e = mp_pci_int(e, &irqs[i], mptable_ioapic_id(ncpus));
	e = mp_lint(e, MP_INT_EXTINT, 0);
	mp_lint(e, MP_INT_NMI, 1);
	hdr[7] = mp_checksum(hdr, table_len);

	memcpy(fps, "_MP_", 4);
	put32(fps + 4, gpa + MP_FPS_LEN);
	fps[8] = 1;					/* length in 16-byte units */
	fps[9] = MP_SPEC_REV;
	fps[10] = mp_checksum(fps, MP_FPS_LEN);
	return size;
}
