// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU faults of an assigned function: its DMA to an address outside the
 * VM's RAM (or a write to a read-only region) is stopped by the IOMMU in
 * any case; khv also counts it as an ACL violation of the VM, with its
 * audit record and the VM's violation action (Documentation/admin-guide.rst,
 * "Device assignment").
 *
 * The kernel tells a domain's owner of a fault through the handler set with
 * iommu_set_fault_handler(), called by IOMMU drivers that report faults
 * (report_iommu_fault(): AMD-Vi's event log on 6.1 to 7.3, Arm's SMMU).
 * Intel VT-d's driver does not: it logs DMA remapping faults itself
 * ("DMAR: [DMA Write NO_PASID] Request device [...] fault addr ...",
 * drivers/iommu/intel/dmar.c) and tells no one, on every kernel khv
 * supports. There khv never hears of the fault: the DMA is still stopped,
 * but neither audited nor acted upon.
 *
 * The handler runs in the IOMMU driver's interrupt path: it only counts,
 * and a work item does the rest where it may sleep.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/atomic.h>
#include <linux/iommu.h>
#include <linux/workqueue.h>

#include "../khv.h"
#include "assigned.h"

static int khv_fault_handler(struct iommu_domain *domain, struct device *dev,
			     unsigned long iova, int flags, void *token)
{
	struct khv_assigned *a = token;

	WRITE_ONCE(a->fault_iova, iova);
	WRITE_ONCE(a->fault_flags, flags);
	atomic_inc(&a->faults);
	schedule_work(&a->vm->iommu.fault_work);
	/* Reported: the driver need not log it too. */
	return 0;
}

/**
 * khv_fault_attach() - have @a's IOMMU faults reported to khv.
 * @a: an assignment whose domain is not yet attached.
 */
void khv_fault_attach(struct khv_assigned *a)
{
	iommu_set_fault_handler(a->domain, khv_fault_handler, a);
}

/**
 * khv_fault_work() - the VM's functions' faults since the last run, each
 *	function's as one ACL violation (audited with the count and the last
 *	address), and the violation action.
 * @work: the VM's iommu.fault_work.
 *
 * The VM's end (khv_vm_iommu_destroy()) waits for it after the last
 * domain is gone, so it never runs on a freed VM.
 */
void khv_fault_work(struct work_struct *work)
{
	struct khv_vm *vm = container_of(work, struct khv_vm, iommu.fault_work);
	char what[KHV_PCI_DESC_MAX + 64];
	enum khv_acl_outcome out;
	struct khv_assigned *a;
	bool pause = false;
	int n;

	mutex_lock(&vm->iommu.lock);
	list_for_each_entry(a, &vm->iommu.devs, link) {
		n = atomic_xchg(&a->faults, 0);
		if (!n)
			continue;
		snprintf(what, sizeof(what), "dma %s %s %#lx faults=%d",
			 a->desc + sizeof("pci"),
			 READ_ONCE(a->fault_flags) & IOMMU_FAULT_WRITE ?
			 "write" : "read", READ_ONCE(a->fault_iova), n);
		pr_warn_ratelimited("vm %llu: IOMMU fault: %s\n", vm->id, what);
		out = khv_vm_acl_violation(vm, what);
		if (out == KHV_ACL_DO_DENY) {
			/* Every function goes: the list with them. */
			khv_vm_iommu_revoke_locked(vm);
			break;
		}
		pause |= out == KHV_ACL_DO_PAUSE;
	}
	mutex_unlock(&vm->iommu.lock);
	if (pause)
		khv_vm_acl_pause(vm);
}
