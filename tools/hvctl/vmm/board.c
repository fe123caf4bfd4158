// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PC board as firmware leaves it for the kernel hvctl run --kernel
 * boots (vmm/linux.c, vmm/multiboot_run.c): an MP table listing every vCPU,
 * vCPU 0's local APIC in virtual-wire mode, the MTRRs on, and vCPU 0 at the
 * kernel's entry.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bzimage.h"
#include "mptable.h"
#include "vm.h"

#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_DM_EXTINT	0x700
#define APIC_DM_NMI	0x400
#define APIC_SPIV	0x0f0
#define APIC_SPIV_ON	0x1ff		/* software enabled, spurious vector 0xff */
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MTRR_ON_WB	0x806		/* E, default type write-back */

/*
 * The MP table in the BIOS area (reserved in the e820 map), where Linux
 * looks, with the INTx of the PCI functions that have one.
 */
int vmm_mptable(struct vmm *m)
{
	unsigned int eax = 0, ebx, ecx, edx = 0, i, n = 0;
	struct mp_pci_irq irqs[VMM_MAX_DEVICES];

	for (i = 0; i < m->nr_pci; i++) {
		if (!m->pci[i].ioapic_pin)
			continue;
		irqs[n++] = (struct mp_pci_irq){ .slot = m->pci[i].slot,
						 .pin = m->pci[i].cfg[PCI_INT_PIN],
						 .ioapic_pin = m->pci[i].ioapic_pin };
	}
	__get_cpuid(1, &eax, &ebx, &ecx, &edx);
	if (!mptable_write(m->ram + BOOT_BIOS_START, BOOT_HIGH_START - BOOT_BIOS_START,
			   BOOT_BIOS_START, m->nr_vcpus, irqs, n, eax, edx)) {
		fprintf(stderr, "hvctl: run: no MP table for %u vCPUs\n", m->nr_vcpus);
		return 1;
	}
	return 0;
}

/*
 * Virtual wire, as a BIOS leaves it (MP spec 3.6.2.2): the APIC software
 * enabled, LINT0 ExtINT (the PIC), LINT1 NMI. Software disabled, the APIC
 * keeps every LVT entry masked (SDM Vol. 3A 11.4.7.2), and Linux, which
 * unmasks LINT0 on the boot CPU only if it finds it unmasked (or in PIC
 * mode, or without an IOAPIC driver), would get no PIC interrupt at all.
 */
int vmm_virtual_wire(struct vmm *m)
{
	struct khv_lapic_state *s = calloc(1, sizeof(*s));
	uint32_t v;
	int r = 0;

	if (!s)
		return vmm_fail("KHV_GET_LAPIC");
	if (ioctl(m->vcpu, KHV_GET_LAPIC, s)) {
		r = vmm_fail("KHV_GET_LAPIC");
		goto out;
	}
	v = APIC_SPIV_ON;
	memcpy(s->regs + APIC_SPIV, &v, sizeof(v));
	v = APIC_DM_EXTINT;
	memcpy(s->regs + APIC_LVT_LINT0, &v, sizeof(v));
	v = APIC_DM_NMI;
	memcpy(s->regs + APIC_LVT_LINT1, &v, sizeof(v));
	if (ioctl(m->vcpu, KHV_SET_LAPIC, s))
		r = vmm_fail("KHV_SET_LAPIC");
out:
	free(s);
	return r;
}

/*
 * The MTRRs on, all memory write-back, on every vCPU, as a BIOS leaves them
 * (Linux checks that its CPUs agree); khv starts them off, as RESET does.
 */
int vmm_mtrr(struct vmm *m)
{
	struct khv_msrs msrs = { .nmsrs = 1 };
	unsigned int i;

	msrs.entries[0].index = MSR_MTRR_DEF_TYPE;
	msrs.entries[0].data = MTRR_ON_WB;
	for (i = 0; i < m->nr_vcpus; i++)
		if (ioctl(m->vcpus[i].fd, KHV_SET_MSRS, &msrs))
			return vmm_fail("KHV_SET_MSRS MTRRdefType");
	return 0;
}

int vmm_enter_flat(struct vmm *m, const struct vmm_flat_entry *e,
		   const struct khv_regs *regs)
{
	struct khv_segment code = { .limit = 0xffffffff, .selector = e->cs,
				    .type = 0xb, .present = 1, .s = 1,
				    .l = e->long_mode, .db = !e->long_mode, .g = 1 };
	struct khv_segment data = { .limit = 0xffffffff, .selector = e->ds,
				    .type = 0x3, .present = 1, .s = 1, .db = 1,
				    .g = 1 };
	struct khv_sregs sregs;

	if (ioctl(m->vcpu, KHV_GET_SREGS, &sregs))
		return vmm_fail("KHV_GET_SREGS");
	vmm_flat_segments(&sregs, &code, &data);
	sregs.gdt.base = e->gdt;
	sregs.gdt.limit = e->gdt_limit;
	sregs.cr0 = e->long_mode ? 0x80000011 : 0x11;	/* (PG,) ET, PE */
	sregs.cr3 = e->cr3;
	sregs.cr4 = e->long_mode ? 0x20 : 0;		/* PAE */
	sregs.efer = e->long_mode ? 0x500 : 0;		/* LME, LMA */
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return vmm_fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, regs))
		return vmm_fail("KHV_SET_REGS");
	return 0;
}
