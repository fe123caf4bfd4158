// SPDX-License-Identifier: GPL-2.0-only
/*
 * KHV_ASSIGN_PCI_DEVICE and KHV_DEASSIGN_PCI_DEVICE, and a function's life
 * in a VM (Documentation/khv-abi.rst, "Device assignment"). Assignment
 * checks, in this order, each refusal with its own errno, a message in the
 * kernel log and an audit record: the caller is the VM's owner (EPERM);
 * the function is in the VM's ACL (EPERM, an acl-violation and the
 * violation action; EACCES while a deny holds); it exists (ENODEV); no host
 * driver has it (EBUSY); an IOMMU is in front of it (ENODEV) and its group
 * holds nothing the VM may not have (EPERM). Then: DMA ownership of the
 * group (blocked from here), the device enabled, the VM's RAM all
 * allocated, a domain mapping it attached. Any failure unwinds in reverse;
 * DMA is never left unconfined: blocked, or the VM's domain.
 *
 * A function goes back to the host (khv_assigned_release()) on
 * deassignment, when the ACL loses it, on a deny action, and at the VM's
 * end (vm-destroy, or its fd's release; the module cannot unload before).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/cred.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <uapi/linux/khv_netlink.h>

#include "../audit.h"
#include "../khv.h"
#include "assigned.h"

void khv_vm_iommu_init(struct khv_vm *vm)
{
	mutex_init(&vm->iommu.lock);
	INIT_LIST_HEAD(&vm->iommu.devs);
	INIT_LIST_HEAD(&vm->iommu.mmio);
	spin_lock_init(&vm->iommu.intx_lock);
	INIT_LIST_HEAD(&vm->iommu.intx);
	INIT_WORK(&vm->iommu.fault_work, khv_fault_work);
}

/**
 * khv_assigned_find() - the function @sbdf of @vm.
 * @vm:   the VM, its iommu.lock held.
 * @sbdf: segment << 16 | bus << 8 | devfn.
 *
 * Return: the assignment, or NULL.
 */
struct khv_assigned *khv_assigned_find(struct khv_vm *vm, u32 sbdf)
{
	struct khv_assigned *a;

	lockdep_assert_held(&vm->iommu.lock);
	list_for_each_entry(a, &vm->iommu.devs, link)
		if (a->sbdf == sbdf)
			return a;
	return NULL;
}

/**
 * khv_iommu_acl_refused() - may @vm's VMM have this range?
 * @vm:    the VM, its iommu.lock held (an acl-del waits for it: the check
 *	and what the caller does after it are one step).
 * @kind:  KHV_ACL_KIND_PCI or _MMIO.
 * @first: first of the range.
 * @last:  its last.
 * @what:  the request, for the audit record of a violation.
 * @pause: out: set when the VM is to be paused (khv_vm_acl_pause()) once
 *	the caller dropped its locks.
 *
 * Return: 0 if the ACL allows it; -EACCES while a deny action holds;
 * -EPERM for a violation, recorded, its action applied (a deny takes
 * every function and mapping of the VM back here).
 */
int khv_iommu_acl_refused(struct khv_vm *vm, u32 kind, u64 first, u64 last,
			  const char *what, bool *pause)
{
	enum khv_acl_outcome out;
	int r;

	lockdep_assert_held(&vm->iommu.lock);
	r = khv_vm_acl_allowed(vm, kind, first, last);
	if (r != -EPERM)
		return r;
	pr_info_ratelimited("vm %llu: %s: not in the VM's ACL\n", vm->id, what);
	out = khv_vm_acl_violation(vm, what);
	if (out == KHV_ACL_DO_DENY)
		khv_vm_iommu_revoke_locked(vm);
	*pause = out == KHV_ACL_DO_PAUSE;
	return -EPERM;
}

/* Decode and enable the function for the guest's use (its BARs khv's). */
static int khv_pci_enable(struct khv_assigned *a)
{
	u16 cmd;
	int r;

	/* The host's INTx masking, which pci_enable_device() clears. */
	pci_read_config_word(a->pdev, PCI_COMMAND, &cmd);
	a->intx_host_off = cmd & PCI_COMMAND_INTX_DISABLE;
	r = pci_enable_device(a->pdev);
	if (r)
		return r;
	r = pci_request_regions(a->pdev, "khv");
	if (r) {
		pr_info_ratelimited("vm %llu: %s: its BARs are claimed on the host\n",
				    a->vm->id, a->desc);
		pci_disable_device(a->pdev);
		khv_pci_intx_disable(a->pdev, a->intx_host_off);
		return -EBUSY;
	}
	/*
	 * The guest sees no configuration space: khv turns bus mastering on
	 * for it. The group's DMA is blocked until the domain is attached.
	 */
	pci_set_master(a->pdev);
	return 0;
}

static void khv_pci_disable(struct khv_assigned *a)
{
	pci_release_regions(a->pdev);
	pci_disable_device(a->pdev);
	khv_pci_intx_disable(a->pdev, a->intx_host_off);
}

static void khv_assigned_free(struct khv_assigned *a)
{
	if (a->group)
		iommu_group_put(a->group);
	pci_dev_put(a->pdev);
	kfree(a);
}

/*
 * The checks and steps after the ACL's, under the VM's iommu.lock; a
 * message says why for each refusal. On success @a is on the VM's list.
 */
static int khv_assign_locked(struct khv_vm *vm, struct khv_assigned *a)
{
	enum khv_quota_limit limit;
	int r;

	if (khv_assigned_find(vm, a->sbdf))
		return -EEXIST;
	if (vm->iommu.nr_devs >= KHV_MAX_ASSIGNED)
		return -ENOSPC;
	a->pdev = khv_pci_lookup(a->sbdf);
	if (!a->pdev) {
		pr_info_ratelimited("vm %llu: %s: no such PCI function\n",
				    vm->id, a->desc);
		return -ENODEV;
	}
	r = khv_group_check(vm, a);
	if (r)
		return r;
	r = khv_group_claim(a);
	if (r)
		return r;
	r = khv_pci_enable(a);
	if (r)
		goto err_release;
	mutex_lock(&vm->mem_lock);
	r = khv_vm_mem_populate(vm, &limit);
	if (r) {
		pr_info_ratelimited("vm %llu: %s: the VM's memory could not all be allocated (%s)\n",
				    vm->id, a->desc,
				    limit == KHV_QUOTA_OVER_CAP ? "mem-max" :
				    limit == KHV_QUOTA_RESERVED ? "mem-priority" :
				    limit == KHV_QUOTA_OK ? "host" : "mem-budget");
		goto err_unlock;
	}
	r = khv_domain_create(vm, a);
	if (r)
		goto err_unlock;
	list_add_tail(&a->link, &vm->iommu.devs);
	vm->iommu.nr_devs++;
	mutex_unlock(&vm->mem_lock);
	pr_info("vm %llu: %s assigned (IOMMU group %d)\n", vm->id, a->desc,
		iommu_group_id(a->group));
	return 0;

err_unlock:
	mutex_unlock(&vm->mem_lock);
	pci_clear_master(a->pdev);
	khv_pci_disable(a);
err_release:
	khv_group_release(a);
	return r;
}

static int khv_vm_assign(struct khv_vm *vm, u32 sbdf)
{
	bool pause = false, violated = false;
	struct khv_assigned *a;
	int r;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->vm = vm;
	a->sbdf = sbdf;
	snprintf(a->desc, sizeof(a->desc), "pci %04x:%02x:%02x.%x", sbdf >> 16,
		 (sbdf >> 8) & 0xff, PCI_SLOT(sbdf & 0xff), PCI_FUNC(sbdf & 0xff));

	mutex_lock(&vm->iommu.lock);
	if (vm->iommu.gone) {
		r = -EIO;
	} else if (!uid_eq(current_euid(), vm->owner)) {
		pr_info_ratelimited("vm %llu: %s: only the VM's owner assigns devices\n",
				    vm->id, a->desc);
		/* Not the VM's VMM: no violation of the VM's. */
		r = -EPERM;
	} else {
		r = khv_iommu_acl_refused(vm, KHV_ACL_KIND_PCI, sbdf, sbdf,
					  a->desc, &pause);
		violated = r == -EPERM;
		if (!r)
			r = khv_assign_locked(vm, a);
	}
	mutex_unlock(&vm->iommu.lock);
	/* A violation has its own record (acl-violation). */
	if (!violated)
		khv_audit_vm(KHV_AUDIT_OP_DEVICE_ASSIGN, vm, "", a->desc, r);
	if (pause)
		khv_vm_acl_pause(vm);
	if (r)
		khv_assigned_free(a);
	return r;
}

/**
 * khv_assigned_release() - give @a's function back to the host.
 * @a:   an assignment on its VM's list; the VM's iommu.lock held.
 * @why: for the audit record ("vmm", "acl-del", "revoked", "vm-destroy",
 *	"vm-close").
 *
 * In this order: its BARs out of the guest (every vCPU flushed), its
 * interrupts (its INTx masking as the host had it), bus mastering, the
 * domain (its DMA blocked from here), a reset where the function has one,
 * its BARs, the group's DMA (the host's domain again). @a is freed.
 */
void khv_assigned_release(struct khv_assigned *a, const char *why)
{
	struct khv_vm *vm = a->vm;

	lockdep_assert_held(&vm->iommu.lock);
	mutex_lock(&vm->mem_lock);
	list_del(&a->link);
	vm->iommu.nr_devs--;
	mutex_unlock(&vm->mem_lock);
	/* Out of the list: its BARs leave the guest first. */
	khv_vm_mmio_recheck(vm, false, why);
	khv_msi_release(a);
	khv_intx_release(a);
	pci_clear_master(a->pdev);
	khv_domain_destroy(a);
	/* The guest's state leaves with it where the function can reset. */
	pci_try_reset_function(a->pdev);
	khv_pci_disable(a);
	khv_group_release(a);
	pr_info("vm %llu: %s back to the host (%s)\n", vm->id, a->desc, why);
	khv_audit_vm(KHV_AUDIT_OP_DEVICE_DEASSIGN, vm, why, a->desc, 0);
	khv_assigned_free(a);
}

static int khv_vm_deassign(struct khv_vm *vm, u32 sbdf)
{
	struct khv_assigned *a;
	int r = -ENOENT;

	mutex_lock(&vm->iommu.lock);
	a = khv_assigned_find(vm, sbdf);
	if (a) {
		khv_assigned_release(a, "vmm");
		r = 0;
	}
	mutex_unlock(&vm->iommu.lock);
	return r;
}

/**
 * khv_vm_iommu_recheck() - take back what the VM's ACL no longer gives it.
 * @vm:  the VM, referenced; none of its locks held.
 * @why: for the audit records.
 *
 * Its functions out of the ACL go back to the host, then its host MMIO
 * neither in the ACL nor in a remaining function's BAR leaves the guest,
 * before it returns.
 */
void khv_vm_iommu_recheck(struct khv_vm *vm, const char *why)
{
	struct khv_assigned *a, *n;

	mutex_lock(&vm->iommu.lock);
	list_for_each_entry_safe(a, n, &vm->iommu.devs, link)
		if (khv_vm_acl_allowed(vm, KHV_ACL_KIND_PCI, a->sbdf, a->sbdf))
			khv_assigned_release(a, why);
	khv_vm_mmio_recheck(vm, false, why);
	mutex_unlock(&vm->iommu.lock);
}

/**
 * khv_vm_iommu_revoke_locked() - a deny action: every function and every
 *	host MMIO mapping of @vm goes.
 * @vm: the VM, its iommu.lock held.
 */
void khv_vm_iommu_revoke_locked(struct khv_vm *vm)
{
	struct khv_assigned *a, *n;

	lockdep_assert_held(&vm->iommu.lock);
	list_for_each_entry_safe(a, n, &vm->iommu.devs, link)
		khv_assigned_release(a, "revoked");
	khv_vm_mmio_recheck(vm, true, "revoked");
}

/* khv_vm_iommu_revoke_locked(), for a caller without the lock. */
void khv_vm_iommu_revoke(struct khv_vm *vm)
{
	mutex_lock(&vm->iommu.lock);
	khv_vm_iommu_revoke_locked(vm);
	mutex_unlock(&vm->iommu.lock);
}

/**
 * khv_vm_iommu_destroy() - the VM ends: every function back to the host,
 *	every mapping out, nothing more assigned or mapped.
 * @vm:  the VM; dead (vm-destroy) or its fd released, before its vCPUs and
 *	memory are freed.
 * @why: "vm-destroy" or "vm-close", for the audit records.
 *
 * May be called twice. When it returns, no fault work of the VM runs.
 */
void khv_vm_iommu_destroy(struct khv_vm *vm, const char *why)
{
	struct khv_assigned *a, *n;

	mutex_lock(&vm->iommu.lock);
	vm->iommu.gone = true;
	list_for_each_entry_safe(a, n, &vm->iommu.devs, link)
		khv_assigned_release(a, why);
	khv_vm_mmio_recheck(vm, true, why);
	mutex_unlock(&vm->iommu.lock);
	/* No domain is left to report a fault: none can be queued again. */
	flush_work(&vm->iommu.fault_work);
}

static int khv_pci_device_arg(void __user *argp, u32 *sbdf)
{
	struct khv_pci_device d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || memchr_inv(d.reserved, 0, sizeof(d.reserved)))
		return -EINVAL;
	*sbdf = khv_sbdf(d.segment, d.bus, d.devfn);
	return 0;
}

/**
 * khv_vm_iommu_ioctl() - KHV_ASSIGN_PCI_DEVICE, KHV_DEASSIGN_PCI_DEVICE,
 *	KHV_MAP_HOST_MMIO and KHV_SET_DEVICE_MSI.
 * @vm:  the VM.
 * @cmd: the ioctl.
 * @arg: its argument.
 *
 * Return: as Documentation/khv-abi.rst says.
 */
long khv_vm_iommu_ioctl(struct khv_vm *vm, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	u32 sbdf;
	int r;

	switch (cmd) {
	case KHV_ASSIGN_PCI_DEVICE:
	case KHV_DEASSIGN_PCI_DEVICE:
		r = khv_pci_device_arg(argp, &sbdf);
		if (r)
			return r;
		if (cmd == KHV_ASSIGN_PCI_DEVICE)
			return khv_vm_assign(vm, sbdf);
		return khv_vm_deassign(vm, sbdf);
	case KHV_MAP_HOST_MMIO:
		return khv_vm_map_host_mmio(vm, argp);
	case KHV_SET_DEVICE_MSI:
		return khv_vm_set_device_msi(vm, argp);
	default:
		return -ENOTTY;
	}
}
