// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the MP table: the floating pointer and the configuration
 * table checksum to 0, point at each other, count their entries right, have
 * one enabled processor per vCPU with the BSP first, the PCI bus as bus 0
 * and the ISA bus as bus 1, the I/O APIC with every ISA IRQ on its pin,
 * each PCI function's INTx (slot << 2 | pin - 1, level, active low) on its
 * pin, and bad arguments write nothing.
 */
#include <string.h>

#include "le.h"
#include "mptable.h"
#include "tap.h"

#define GPA	0xf0000ULL

static uint8_t buf[4096];

/* Two functions as hvctl run --device routes them: slots 1 and 2, pins 16 and 17. */
static const struct mp_pci_irq two[] = {
	{ .slot = 1, .pin = 1, .ioapic_pin = 16 },
	{ .slot = 2, .pin = 4, .ioapic_pin = 17 },
};

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* An ISA interrupt entry: as the bus has it, IRQ 0 on pin 2. */
static void check_isa_int(const uint8_t *e, uint8_t ioapic)
{
	CHECK_EQ(e[1], 0);			/* INT */
	CHECK_EQ(get16(e + 2), 0);		/* as the bus: high, edge */
	CHECK_EQ(e[6], ioapic);
	CHECK_EQ(e[7], e[5] ? e[5] : 2);	/* IRQ 0 on pin 2 */
}

/* A PCI INTx entry: one of pci's, level and active low, on its pin. */
static void check_pci_int(const uint8_t *e, uint8_t ioapic, const struct mp_pci_irq *pci,
			  unsigned int npci, unsigned int *seen)
{
	unsigned int i;

	CHECK_EQ(e[1], 0);			/* INT */
	CHECK_EQ(get16(e + 2), 0x0f);		/* level (3 << 2), active low (3) */
	CHECK_EQ(e[6], ioapic);
	for (i = 0; i < npci; i++) {
		if (e[5] != (pci[i].slot << 2 | (pci[i].pin - 1)))
			continue;
		CHECK_EQ(e[7], pci[i].ioapic_pin);
		*seen |= 1U << i;
		return;
	}
	CHECK(!"a PCI interrupt entry of no function");
}

/* Walk the table as Linux's smp_read_mpc() does: check and count. */
static void check_table(unsigned int ncpus, const struct mp_pci_irq *pci, unsigned int npci)
{
	const uint8_t *fps = buf, *hdr = buf + MP_FPS_LEN, *e, *end;
	unsigned int cpus = 0, bsps = 0, buses = 0, lints = 0, entries = 0;
	unsigned int ioapics = 0, ints = 0, irqs = 0, pins = 0, pci_seen = 0;
	uint8_t ioapic = ncpus < 16 ? ncpus : 0;
	size_t n;

	memset(buf, 0xa5, sizeof(buf));
	n = mptable_write(buf, sizeof(buf), GPA, ncpus, pci, npci, 0x00a00f11, 0x178bfbff);
	CHECK_EQ(n, mptable_size(ncpus, npci));
	CHECK(!memcmp(fps, "_MP_", 4));
	CHECK_EQ(get32(fps + 4), GPA + MP_FPS_LEN);
	CHECK_EQ(fps[8], 1);
	CHECK_EQ(fps[9], 4);
	CHECK_EQ(fps[11], 0);				/* a table, no default config */
	CHECK_EQ(sum(fps, MP_FPS_LEN), 0);
	CHECK(!memcmp(hdr, "PCMP", 4));
	CHECK_EQ(get16(hdr + 4), n - MP_FPS_LEN);
	CHECK_EQ(sum(hdr, get16(hdr + 4)), 0);
	CHECK_EQ(get32(hdr + 36), MP_LAPIC_ADDR);
	CHECK_EQ(get16(hdr + 40), 0);			/* no extended table */
	e = hdr + MP_HDR_LEN;
	end = hdr + get16(hdr + 4);
	while (e < end) {
		entries++;
		switch (e[0]) {
		case 0:
			CHECK_EQ(e[1], cpus);		/* APIC ID = vCPU id */
			CHECK(e[3] & 1);
			bsps += !!(e[3] & 2);
			CHECK_EQ(get32(e + 4), 0x00a00f11);
			cpus++;
			e += MP_CPU_LEN;
			break;
		case 1:
			/* Bus 0 is PCI bus 0 (Linux takes the id for the number). */
			CHECK_EQ(e[1], buses);
			CHECK(!memcmp(e + 2, buses ? "ISA   " : "PCI   ", 6));
			buses++;
			e += MP_ENTRY_LEN;
			break;
		case 2:
			CHECK_EQ(e[1], ioapic);
			CHECK_EQ(e[2], 0x11);
			CHECK_EQ(e[3], 1);		/* enabled */
			CHECK_EQ(get32(e + 4), 0xfec00000);
			ioapics++;
			e += MP_ENTRY_LEN;
			break;
		case 3:
			CHECK(e[4] <= 1);		/* PCI bus 0 or ISA bus 1 */
			if (e[4] == 1) {
				check_isa_int(e, ioapic);
				irqs |= 1U << e[5];
			} else {
				check_pci_int(e, ioapic, pci, npci, &pci_seen);
			}
			pins |= 1U << e[7];
			ints++;
			e += MP_ENTRY_LEN;
			break;
		case 4:
			CHECK_EQ(e[4], 1);		/* from the ISA bus */
			CHECK_EQ(e[7], lints);		/* LINT0 ExtINT, LINT1 NMI */
			CHECK_EQ(e[1], lints ? 1 : 3);
			CHECK_EQ(e[6], 0xff);
			lints++;
			e += MP_ENTRY_LEN;
			break;
		default:
			CHECK(!"unexpected entry type");
			return;
		}
	}
	CHECK(e == end);
	CHECK_EQ(entries, get16(hdr + 34));
	CHECK_EQ(cpus, ncpus);
	CHECK_EQ(bsps, 1);
	CHECK(buf[MP_FPS_LEN + MP_HDR_LEN + 3] & 2);	/* the BSP is vCPU 0 */
	CHECK_EQ(buses, 2);
	CHECK_EQ(lints, 2);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(ints, 15 + npci);
	CHECK_EQ(irqs, 0xfffb);				/* all but the cascade */
	CHECK_EQ(pci_seen, (1U << npci) - 1);		/* each function's once */
	CHECK_EQ(pins & 0xffff, 0xfffe);		/* ISA: all but pin 0 */
	for (n = 0; n < npci; n++)
		CHECK(pins & 1U << pci[n].ioapic_pin);
	CHECK_EQ(buf[mptable_size(ncpus, npci)], 0xa5);	/* nothing beyond */
}

static void one_cpu(void)
{
	check_table(1, NULL, 0);
}

static void two_cpus(void)
{
	check_table(2, NULL, 0);
}

static void max_cpus(void)
{
	check_table(MP_MAX_CPUS, NULL, 0);
}

static void pci_functions(void)
{
	struct mp_pci_irq eight[MP_MAX_PCI_IRQS];
	unsigned int i;

	check_table(2, two, ARRAY_SIZE(two));
	/* The INTx entries in the table: slot 1 INTA# on pin 16, slot 2 INTD# on 17. */
	CHECK_EQ(mptable_size(2, 2) - mptable_size(2, 0), 2 * MP_ENTRY_LEN);
	for (i = 0; i < MP_MAX_PCI_IRQS; i++)
		eight[i] = (struct mp_pci_irq){ .slot = i + 1, .pin = 1 + i % 4,
						.ioapic_pin = 16 + i };
	check_table(MP_MAX_CPUS, eight, MP_MAX_PCI_IRQS);
}

static void bad_arguments(void)
{
	static const struct mp_pci_irq bad[][1] = {
		{ { .slot = 32, .pin = 1, .ioapic_pin = 16 } },
		{ { .slot = 1, .pin = 0, .ioapic_pin = 16 } },
		{ { .slot = 1, .pin = 5, .ioapic_pin = 16 } },
		{ { .slot = 1, .pin = 1, .ioapic_pin = 24 } },
	};
	struct mp_pci_irq nine[MP_MAX_PCI_IRQS + 1] = { 0 };
	unsigned int i;

	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, 0, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, MP_MAX_CPUS + 1, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA + 8, 2, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), 0xfffffff0ULL, 2, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, sizeof(buf), 1ULL << 32, 2, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, mptable_size(2, 0) - 1, GPA, 2, NULL, 0, 0, 0), 0);
	CHECK_EQ(mptable_write(buf, mptable_size(2, 2) - 1, GPA, 2, two, 2, 0, 0), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, 2, bad[i], 1, 0, 0), 0);
	for (i = 0; i < ARRAY_SIZE(nine); i++)
		nine[i] = (struct mp_pci_irq){ .slot = i + 1, .pin = 1, .ioapic_pin = 16 };
	CHECK_EQ(mptable_write(buf, sizeof(buf), GPA, 2, nine, ARRAY_SIZE(nine), 0, 0), 0);
	CHECK_EQ(buf[0], 0xa5);				/* nothing written */
	CHECK_EQ(mptable_write(buf, mptable_size(2, 0), GPA, 2, NULL, 0, 0, 0),
		 mptable_size(2, 0));
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(one_cpu),
		TAP_CASE(two_cpus),
		TAP_CASE(max_cpus),
		TAP_CASE(pci_functions),
		TAP_CASE(bad_arguments),
	};

	return tap_main(cases, ARRAY_SIZE(cases));
}
