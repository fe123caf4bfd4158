/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside module/iommu/: an assigned PCI function, a host MMIO mapping, and
 * what the files of the directory give each other (iommu.h has the rest).
 */
#ifndef KHV_IOMMU_ASSIGNED_H
#define KHV_IOMMU_ASSIGNED_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>

#include "../lapic.h"

struct iommu_domain;
struct iommu_group;
struct pci_dev;
struct khv_vm;
struct khv_memslot;

/* "pci 0000:00:04.0", as the ACL code names one function, with the NUL. */
#define KHV_PCI_DESC_MAX	24

/**
 * struct khv_assigned - a PCI function given to a VM.
 * @link:   in the VM's iommu.devs.
 * @vm:     the VM.
 * @pdev:   the function (a reference held).
 * @group:  its IOMMU group (a reference held), DMA-owned by khv.
 * @domain: the paging domain mapping the VM's memory, attached to @group.
 * @prot:   the IOMMU rights of the VM's writable RAM (domain.c).
 * @sbdf:   segment << 16 | bus << 8 | devfn, as the ACL names it.
 * @desc:   "pci SSSS:BB:DD.F", for messages and audit records.
 * @hold:   a devres group on the function while it is assigned (group.c).
 * @msi_res: the devres group of its MSI vector (msi.c), or NULL.
 * @irq:    the host's interrupt of its MSI, or 0 (msi.c).
 * @msi:    the message the guest gets for it; changed with @irq disabled.
 * @intx_link: in the VM's iommu.intx while @intx_on (intx.c). It, @intx,
 *	@intx_on and @intx_masked change under the VM's iommu.intx_lock
 *	(@intx_on under its iommu.lock too, which reads it).
 * @intx:   the message the guest gets for its INTx, level-triggered.
 * @intx_on: its INTx is forwarded: pdev->irq requested, on iommu.intx.
 * @intx_masked: khv masked its INTx (PCI_COMMAND_INTX_DISABLE) at an
 *	assertion and raised @intx: it waits for the guest's EOI.
 * @intx_host_off: PCI_COMMAND_INTX_DISABLE as the host had it before the
 *	assignment (pci_enable_device() clears it), put back when the
 *	forwarding ends and when the function goes back to the host.
 * @faults: IOMMU faults counted by fault.c's handler, not yet reported.
 * @fault_iova: the address of the last one.
 * @fault_flags: its IOMMU_FAULT_READ/WRITE.
 */
struct khv_assigned {
	struct list_head link;
	struct khv_vm *vm;
	struct pci_dev *pdev;
	struct iommu_group *group;
	struct iommu_domain *domain;
	int prot;
	u32 sbdf;
	char desc[KHV_PCI_DESC_MAX];
	void *hold;
	void *msi_res;
	int irq;
	struct khv_apic_irq msi;
	struct list_head intx_link;
	struct khv_apic_irq intx;
	bool intx_on;
	bool intx_masked;
	bool intx_host_off;
	atomic_t faults;
	unsigned long fault_iova;
	int fault_flags;
};

/**
 * struct khv_host_map - host MMIO mapped into a VM's guest-physical space.
 * @link: in the VM's iommu.mmio.
 * @hpa:  host-physical base.
 * @gpa:  guest-physical base.
 * @size: bytes, whole pages.
 */
struct khv_host_map {
	struct list_head link;
	u64 hpa;
	u64 gpa;
	u64 size;
};

/* segment << 16 | bus << 8 | devfn: how the ACL names a PCI function. */
static inline u32 khv_sbdf(u16 segment, u8 bus, u8 devfn)
{
	return (u32)segment << 16 | (u32)bus << 8 | devfn;
}

/* assign.c */
struct khv_assigned *khv_assigned_find(struct khv_vm *vm, u32 sbdf);
void khv_assigned_release(struct khv_assigned *a, const char *why);
void khv_vm_iommu_revoke_locked(struct khv_vm *vm);
int khv_iommu_acl_refused(struct khv_vm *vm, u32 kind, u64 first, u64 last,
			  const char *what, bool *pause);

/* group.c */
struct pci_dev *khv_pci_lookup(u32 sbdf);
int khv_group_check(struct khv_vm *vm, struct khv_assigned *a);
int khv_group_claim(struct khv_assigned *a);
void khv_group_release(struct khv_assigned *a);

/* domain.c */
int khv_domain_create(struct khv_vm *vm, struct khv_assigned *a);
void khv_domain_destroy(struct khv_assigned *a);

/* mmio.c */
long khv_vm_map_host_mmio(struct khv_vm *vm, void __user *argp);
void khv_vm_mmio_recheck(struct khv_vm *vm, bool all, const char *why);
void khv_vm_mmio_destroy(struct khv_vm *vm);

/* msi.c */
long khv_vm_set_device_msi(struct khv_vm *vm, void __user *argp);
void khv_msi_release(struct khv_assigned *a);

/* intx.c: with the VM's iommu.lock held. */
int khv_intx_set(struct khv_assigned *a, const struct khv_apic_irq *msg);
void khv_intx_release(struct khv_assigned *a);

/* intx.c */
void khv_pci_intx_disable(struct pci_dev *pdev, bool off);

/* fault.c */
void khv_fault_attach(struct khv_assigned *a);
void khv_fault_work(struct work_struct *work);

#endif /* KHV_IOMMU_ASSIGNED_H */
