// SPDX-License-Identifier: GPL-2.0-only
/*
 * An assigned function's interrupts (KHV_SET_DEVICE_MSI;
 * Documentation/khv-abi.rst, "Device interrupts"). The host keeps the
 * function's MSI: khv takes one vector for it (pci_alloc_irq_vectors()),
 * which the host's interrupt remapping or APIC delivers to a host CPU, and
 * its handler raises the message the VMM named in the guest's local APICs
 * (khv_lapic_deliver(), as KHV_SIGNAL_MSI and irqfds do), in the host's
 * interrupt, without a trip through user space. With KHV_DEVICE_MSI_INTX
 * the function's INTx instead (intx.c): its message is the one the VMM's
 * IOAPIC would send for the pin, raised level-triggered and resampled at
 * the guest's EOI. A function has one of the two at a time, as in PCI.
 *
 * What is emulated: khv gives the guest no PCI configuration space; a VMM
 * that shows the function to the guest emulates it (hvctl run --kernel
 * --device does, hvctl(8)) and says which message the guest programmed
 * into its emulated MSI capability, as QEMU tells KVM the message it wires
 * to VFIO's eventfd. One MSI vector, no MSI-X, no masking by the
 * guest (a VMM turns the forwarding off instead).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/uaccess.h>

#include "../khv.h"
#include "assigned.h"

static irqreturn_t khv_msi_handler(int irq, void *data)
{
	struct khv_assigned *a = data;

	khv_lapic_deliver(a->vm, NULL, &a->msi);
	return IRQ_HANDLED;
}

/*
 * Take @a's MSI for @msi. The vector's devres goes in a group of its own,
 * released with it: a function without a driver keeps devres until a
 * driver's unbind otherwise, and the next probe would be refused.
 */
static int khv_msi_enable(struct khv_assigned *a, const struct khv_apic_irq *msi)
{
	struct device *dev = &a->pdev->dev;
	int r;

	a->msi = *msi;
	a->msi_res = devres_open_group(dev, NULL, GFP_KERNEL);
	if (!a->msi_res)
		return -ENOMEM;
	r = pci_alloc_irq_vectors(a->pdev, 1, 1, PCI_IRQ_MSI);
	devres_close_group(dev, a->msi_res);
	if (r < 0) {
		pr_info_ratelimited("vm %llu: %s: no MSI vector: %d\n",
				    a->vm->id, a->desc, r);
		r = r == -ENOMEM ? r : -ENODEV;
		goto err_res;
	}
	r = pci_irq_vector(a->pdev, 0);
	if (r < 0)
		goto err_vectors;
	a->irq = r;
	r = request_irq(a->irq, khv_msi_handler, 0, "khv", a);
	if (r)
		goto err_vectors;
	return 0;

err_vectors:
	a->irq = 0;
	pci_free_irq_vectors(a->pdev);
err_res:
	devres_release_group(dev, a->msi_res);
	a->msi_res = NULL;
	return r;
}

/**
 * khv_msi_release() - the host stops taking @a's MSI.
 * @a: the assignment; its VM's iommu.lock held.
 *
 * When it returns, the handler runs no more.
 */
void khv_msi_release(struct khv_assigned *a)
{
	if (!a->msi_res)
		return;
	free_irq(a->irq, a);
	a->irq = 0;
	pci_free_irq_vectors(a->pdev);
	devres_release_group(&a->pdev->dev, a->msi_res);
	a->msi_res = NULL;
}

/*
 * The message of @arg, checked as KHV_SIGNAL_MSI's; an INTx's must also be
 * one that the guest ends with an EOI, which resamples the line: fixed or
 * lowest priority, with a legal vector. An INTx's is level-triggered.
 */
static int khv_device_msi_decode(const struct khv_device_msi *arg,
				 struct khv_apic_irq *msg)
{
	if (khv_msi_decode(arg->address_lo, arg->address_hi, arg->data, msg))
		return -EINVAL;
	if (!(arg->flags & KHV_DEVICE_MSI_INTX))
		return 0;
	if ((msg->dm != KHV_APIC_DM_FIXED && msg->dm != KHV_APIC_DM_LOWEST) ||
	    msg->vector < KHV_APIC_FIRST_LEGAL)
		return -EINVAL;
	msg->level = true;
	return 0;
}

/**
 * khv_vm_set_device_msi() - KHV_SET_DEVICE_MSI.
 * @vm:   the VM.
 * @argp: its struct khv_device_msi.
 *
 * Return: 0; -EFAULT; -EINVAL for unknown flags, reserved words not 0, a
 * malformed message (as KHV_SIGNAL_MSI's; for INTx also one that is not
 * fixed or lowest priority, or has a vector below 16), or one given with
 * KHV_DEVICE_MSI_OFF; -ENXIO without the irqchip; -ENOENT for a function
 * not assigned to the VM; -ENODEV for one without MSI, or without an INTx
 * khv can mask; -EBUSY while its other kind (MSI, INTx) is forwarded, or
 * when the host cannot have its interrupt; -ENOMEM.
 */
long khv_vm_set_device_msi(struct khv_vm *vm, void __user *argp)
{
	struct khv_device_msi arg;
	struct khv_apic_irq msi;
	struct khv_assigned *a;
	bool intx;
	u32 sbdf;
	long r;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~(KHV_DEVICE_MSI_OFF | KHV_DEVICE_MSI_INTX)) ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	if (arg.flags & KHV_DEVICE_MSI_OFF) {
		if (arg.address_lo || arg.address_hi || arg.data)
			return -EINVAL;
	} else if (khv_device_msi_decode(&arg, &msi)) {
		return -EINVAL;
	}
	if (!READ_ONCE(vm->irqchip))
		return -ENXIO;
	sbdf = khv_sbdf(arg.segment, arg.bus, arg.devfn);
	intx = arg.flags & KHV_DEVICE_MSI_INTX;

	mutex_lock(&vm->iommu.lock);
	a = khv_assigned_find(vm, sbdf);
	if (!a) {
		r = -ENOENT;
	} else if (arg.flags & KHV_DEVICE_MSI_OFF) {
		if (intx)
			khv_intx_release(a);
		else
			khv_msi_release(a);
		r = 0;
	} else if (intx) {
		r = khv_intx_set(a, &msi);
	} else if (a->intx_on) {
		/* PCI: MSI and INTx exclude each other. */
		r = -EBUSY;
	} else if (a->irq) {
		/* A new message: none delivered half old, half new. */
		disable_irq(a->irq);
		a->msi = msi;
		enable_irq(a->irq);
		r = 0;
	} else {
		r = khv_msi_enable(a, &msi);
	}
	mutex_unlock(&vm->iommu.lock);
	return r;
}
