/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Intel MultiProcessor Specification 1.4 table (chapter 4): the floating
 * pointer and the configuration table with one processor entry per vCPU
 * (its local APIC ID is its vCPU id), the PCI bus (id 0, the PCI bus
 * number, as Linux wants it) and an ISA bus (id 1), the local interrupt
 * entries of virtual-wire mode (the PIC's ExtINT on LINT0, NMI on LINT1),
 * and the I/O APIC (ioapic.h) with the ISA interrupts on its pins: IRQ 0
 * on pin 2 (the PIT's, as on every PC since the 82093AA), IRQ 1 and 3-15
 * on their own pins, active high and edge-triggered as the ISA bus is;
 * then an entry for each PCI function's INTx (pci.h): source IRQ
 * slot << 2 | (pin - 1) on the PCI bus, level-triggered and active low, to
 * its I/O APIC pin.
 */
#ifndef VMM_MPTABLE_H
#define VMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MP_MAX_CPUS		64	/* KHV's limit; an MP table's APIC ID is a byte */
#define MP_LAPIC_ADDR		0xfee00000U
#define MP_LAPIC_VERSION	0x14
#define MP_FPS_LEN		16
#define MP_HDR_LEN		44
#define MP_CPU_LEN		20
#define MP_ENTRY_LEN		8	/* bus, IOAPIC, interrupt entries */
#define MP_ISA_IRQS		15	/* IRQ 0-15 but the cascade, IRQ 2 */
/* The buses, the I/O APIC, its ISA interrupts and two local interrupt entries. */
#define MP_OTHER_ENTRIES	(3 + MP_ISA_IRQS + 2)
#define MP_MAX_PCI_IRQS		8	/* one per assigned function */
#define MP_PCI_BUS		0
#define MP_ISA_BUS		1
#define MP_IOAPIC_VERSION	0x11
#define MP_PIT_PIN		2	/* the I/O APIC pin of ISA IRQ 0 */

/*
 * The I/O APIC's ID: the first APIC ID after the vCPUs', as a BIOS numbers
 * them, where it fits the chip's four bits; else 0 (an I/O APIC's ID names
 * nothing on the system bus of an xAPIC machine: QEMU's ACPI tables give 0).
 */
static inline uint8_t mptable_ioapic_id(unsigned int ncpus)
{
	return ncpus < 16 ? ncpus : 0;
}

/* A PCI function's INTx: its slot, its pin (1 INTA# .. 4 INTD#), the I/O APIC pin. */
struct mp_pci_irq {
	uint8_t slot, pin, ioapic_pin;
};

/* The bytes the floating pointer and the table take for ncpus and nirqs. */
static inline size_t mptable_size(unsigned int ncpus, unsigned int nirqs)
{
	return MP_FPS_LEN + MP_HDR_LEN + (size_t)ncpus * MP_CPU_LEN +
	       (MP_OTHER_ENTRIES + (size_t)nirqs) * MP_ENTRY_LEN;
}

/*
 * Write the floating pointer at buf (guest-physical gpa, 16-byte aligned)
 * and the configuration table right after it, with the INTx of the nirqs
 * functions in irqs. cpu_signature and cpu_features: CPUID.1 EAX and EDX,
 * as a BIOS copies them. Returns the bytes written, or 0 when ncpus is 0
 * or above MP_MAX_CPUS, nirqs above MP_MAX_PCI_IRQS or one of irqs out of
 * range (a slot above 31, a pin not 1-4, an I/O APIC pin it does not
 * have), gpa is not 16-byte aligned, the table would not end below 4 GiB,
 * or len is too small.
 */
size_t mptable_write(uint8_t *buf, size_t len, uint64_t gpa, unsigned int ncpus,
		     const struct mp_pci_irq *irqs, unsigned int nirqs,
		     uint32_t cpu_signature, uint32_t cpu_features);

#endif /* VMM_MPTABLE_H */
