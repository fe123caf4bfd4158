/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Intel MultiProcessor Specification 1.4 table (chapter 4): the floating
 * pointer and the configuration table with one processor entry per vCPU
 * (its local APIC ID is its vCPU id), an ISA bus and the local interrupt
 * entries of virtual-wire mode (the PIC's ExtINT on LINT0, NMI on LINT1).
 * No IOAPIC: the legacy interrupts reach the BSP through the PIC and LINT0.
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
#define MP_OTHER_ENTRIES	3	/* the bus and two local interrupt entries */

/* The bytes the floating pointer and the table take for ncpus. */
static inline size_t mptable_size(unsigned int ncpus)
{
	return MP_FPS_LEN + MP_HDR_LEN + (size_t)ncpus * MP_CPU_LEN +
	       MP_OTHER_ENTRIES * MP_ENTRY_LEN;
}

/*
 * Write the floating pointer at buf (guest-physical gpa, 16-byte aligned)
 * and the configuration table right after it. cpu_signature and
 * cpu_features: CPUID.1 EAX and EDX, as a BIOS copies them. Returns the
 * bytes written, or 0 when ncpus is 0 or above MP_MAX_CPUS, gpa is not
 * 16-byte aligned, the table would not end below 4 GiB, or len is too small.
 */
size_t mptable_write(uint8_t *buf, size_t len, uint64_t gpa, unsigned int ncpus,
		     uint32_t cpu_signature, uint32_t cpu_features);

#endif /* VMM_MPTABLE_H */
