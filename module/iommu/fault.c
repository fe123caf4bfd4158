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
 *
 * /sys/kernel/debug/khv/iommu_fault (root, write only) reports a fault of
 * an assigned function as an IOMMU driver does, through
 * report_iommu_fault(): "VM SSSS:BB:DD.F IOVA r|w" (the VM's id, the IOVA
 * in hex). From there a fault takes the path every reported fault takes;
 * the tests use it where the IOMMU reports none.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "../khv.h"
#include "../mgmt.h"
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

/* "VM SSSS:BB:DD.F IOVA r|w": a fault of that function, reported. */
static ssize_t khv_fault_inject_write(struct file *file, const char __user *ubuf,
				      size_t len, loff_t *ppos)
{
	unsigned int seg, bus, dev, fn;
	unsigned long long id, iova;
	struct khv_assigned *a;
	struct khv_vm *vm;
	char buf[80], rw;
	int r = -ENODEV;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%llu %x:%x:%x.%x %llx %c", &id, &seg, &bus, &dev, &fn,
		   &iova, &rw) != 7 || seg > 0xffff || bus > 0xff || dev > 0x1f ||
	    fn > 7 || iova > ULONG_MAX || (rw != 'r' && rw != 'w'))
		return -EINVAL;
	vm = khv_vm_lookup(id);
	if (!vm)
		return -ENOENT;
	mutex_lock(&vm->iommu.lock);
	a = khv_assigned_find(vm, khv_sbdf(seg, bus, PCI_DEVFN(dev, fn)));
	if (a) {
		report_iommu_fault(a->domain, &a->pdev->dev, iova,
				   rw == 'w' ? IOMMU_FAULT_WRITE : IOMMU_FAULT_READ);
		r = len;
	}
	mutex_unlock(&vm->iommu.lock);
	khv_vm_put(vm);
	return r;
}

static const struct file_operations khv_fault_inject_fops = {
	.owner = THIS_MODULE,
	.write = khv_fault_inject_write,
	.llseek = noop_llseek,
};

/**
 * khv_iommu_debugfs_init() - /sys/kernel/debug/khv/iommu_fault.
 * @dir: khv's debugfs directory.
 */
void khv_iommu_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("iommu_fault", 0200, dir, NULL,
			    &khv_fault_inject_fops);
}
