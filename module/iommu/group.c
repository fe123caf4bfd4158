// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI function to assign and its IOMMU group (Documentation/khv-abi.rst,
 * "Device assignment"): no host driver on it, an IOMMU in front of it, and
 * a group that holds nothing the VM may not have, since a group is the
 * IOMMU's unit of isolation: every device in it shares the domain. Then
 * khv claims the group's DMA (iommu_group_claim_dma_owner(), as VFIO
 * does): from there the kernel binds no driver that uses the DMA API to any
 * device of the group, and the group's DMA is blocked until khv attaches
 * its domain, and after it detaches it, until the claim is released.
 *
 * khv is no driver of the function. While it is assigned, khv keeps a
 * devres group on it (its MSI vector adds another, msi.c): the driver core
 * refuses to probe a driver on a device with devres entries ("Resources
 * present before probing"), so not even a driver that manages DMA itself
 * (vfio-pci, pci-stub) binds to it meanwhile. Both groups are released
 * before the function goes back to the host.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/pci.h>

#include "../khv.h"
#include "assigned.h"

/**
 * khv_pci_lookup() - the host's PCI function @sbdf.
 * @sbdf: segment << 16 | bus << 8 | devfn.
 *
 * Return: the function, referenced (pci_dev_put()), or NULL.
 */
struct pci_dev *khv_pci_lookup(u32 sbdf)
{
	return pci_get_domain_bus_and_slot(sbdf >> 16, (sbdf >> 8) & 0xff,
					   sbdf & 0xff);
}

/* What a look through the group found: its first device the VM may not have. */
struct khv_group_scan {
	struct khv_vm *vm;
	struct device *bad;
	const char *why;
};

/*
 * Each device of the group, under the group's mutex: a PCI function in the
 * VM's ACL, without a driver. The driver is read without the device's lock
 * (the driver core takes the group's mutex inside it): a driver that binds
 * after this look is refused by the claim, or found by the second look.
 */
static int khv_group_scan_dev(struct device *dev, void *data)
{
	struct khv_group_scan *scan = data;
	struct pci_dev *pdev;
	u32 sbdf;

	if (!dev_is_pci(dev)) {
		scan->why = "is not a PCI function";
	} else {
		pdev = to_pci_dev(dev);
		sbdf = (u32)pci_domain_nr(pdev->bus) << 16 |
		       pdev->bus->number << 8 | pdev->devfn;
		if (khv_vm_acl_allowed(scan->vm, KHV_ACL_KIND_PCI, sbdf, sbdf))
			scan->why = "is not in the VM's ACL";
		else if (READ_ONCE(dev->driver))
			scan->why = "has a host driver";
		else
			return 0;
	}
	scan->bad = dev;
	return 1;
}

/*
 * 0 when every device of @a's group may go to the VM, else -EPERM with a
 * message naming the first that may not.
 */
static int khv_group_scan(struct khv_vm *vm, struct khv_assigned *a)
{
	struct khv_group_scan scan = { .vm = vm };

	iommu_group_for_each_dev(a->group, &scan, khv_group_scan_dev);
	if (!scan.bad)
		return 0;
	pr_info_ratelimited("vm %llu: %s: its IOMMU group %d shares %s, which %s\n",
			    vm->id, a->desc, iommu_group_id(a->group),
			    dev_name(scan.bad), scan.why);
	return -EPERM;
}

/**
 * khv_group_check() - may @a's function go to @vm, as far as the host goes.
 * @vm: the VM; its ACL allows the function.
 * @a:  the assignment: its function found; its group is taken here.
 *
 * Return: 0 with a->group referenced; -EINVAL for a bridge (only endpoints
 * are assigned, as VFIO's); -EBUSY when a host driver has it; -ENODEV when
 * no IOMMU is in front of it; -EPERM when its group holds a device that
 * is not in the VM's ACL or has a driver. Each with a message.
 */
int khv_group_check(struct khv_vm *vm, struct khv_assigned *a)
{
	struct device *dev = &a->pdev->dev;
	struct device_driver *drv;
	int r;

	if (a->pdev->hdr_type != PCI_HEADER_TYPE_NORMAL) {
		pr_info_ratelimited("vm %llu: %s: not an endpoint (header type %u)\n",
				    vm->id, a->desc, a->pdev->hdr_type);
		return -EINVAL;
	}
	device_lock(dev);
	drv = dev->driver;
	if (drv)
		pr_info_ratelimited("vm %llu: %s: bound to the host driver %s: unbind it first\n",
				    vm->id, a->desc, drv->name);
	device_unlock(dev);
	if (drv)
		return -EBUSY;
	a->group = iommu_group_get(dev);
	if (!a->group) {
		pr_info_ratelimited("vm %llu: %s: no IOMMU in front of it (intel_iommu=on, amd_iommu=on?): its DMA could not be confined\n",
				    vm->id, a->desc);
		return -ENODEV;
	}
	r = khv_group_scan(vm, a);
	if (r) {
		iommu_group_put(a->group);
		a->group = NULL;
	}
	return r;
}

/**
 * khv_group_claim() - take the DMA of @a's group from the host.
 * @a: a checked assignment (khv_group_check()).
 *
 * From here until khv_group_release() the group's DMA is blocked but for
 * khv's domain, and no driver binds to the function.
 * Return: 0; -EBUSY when someone owns the group (another VM, VFIO) or a
 * driver bound to one of its devices meanwhile; -EPERM as
 * khv_group_check(); -ENOMEM.
 */
int khv_group_claim(struct khv_assigned *a)
{
	struct device *dev = &a->pdev->dev;
	int r;

	r = iommu_group_claim_dma_owner(a->group, a);
	if (r) {
		pr_info_ratelimited("vm %llu: %s: its IOMMU group %d is in use (another VM, VFIO, a driver): %d\n",
				    a->vm->id, a->desc, iommu_group_id(a->group), r);
		return -EBUSY;
	}
	/* A driver may have bound between the look and the claim. */
	r = khv_group_scan(a->vm, a);
	if (r)
		goto err_release;
	r = -ENOMEM;
	a->hold = devres_open_group(dev, NULL, GFP_KERNEL);
	if (!a->hold)
		goto err_release;
	devres_close_group(dev, a->hold);
	return 0;

err_release:
	iommu_group_release_dma_owner(a->group);
	return r == -EPERM ? -EBUSY : r;
}

/**
 * khv_group_release() - give the group's DMA back to the host.
 * @a: a claimed assignment whose domain is detached.
 *
 * The group goes back to its default domain; drivers may bind again.
 */
void khv_group_release(struct khv_assigned *a)
{
	devres_release_group(&a->pdev->dev, a->hold);
	a->hold = NULL;
	iommu_group_release_dma_owner(a->group);
}
