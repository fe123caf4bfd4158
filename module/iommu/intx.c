// SPDX-License-Identifier: GPL-2.0-only
/*
 * An assigned function's INTx (KHV_SET_DEVICE_MSI with KHV_DEVICE_MSI_INTX;
 * Documentation/khv-abi.rst, "Device interrupts"), forwarded as VFIO's INTx
 * and KVM's resampling irqfd do it together, without a trip through user
 * space:
 *
 * - the host's handler of the function's line, which host devices may share
 *   (IRQF_SHARED), claims an assertion only when the function's Interrupt
 *   Status bit says it is its own, masks the function there
 *   (PCI_COMMAND_INTX_DISABLE: PCI 2.3 INTx masking, which khv requires) and
 *   raises the VMM's message in the guest's local APICs, level-triggered;
 * - the guest's EOI of that vector (khv_lapic_eoi_exit()) resamples the
 *   line: the function is unmasked if it deasserted INTx meanwhile, else its
 *   message is raised again and it stays masked. User space's IOAPIC never
 *   saw the assertion: that EOI does not reach it.
 *
 * Locking: the VM's iommu.lock serialises on, off and a new message, which
 * may sleep (request_irq(), free_irq()); iommu.intx_lock, taken with
 * interrupts off, serialises each function's masked state, its message, the
 * list of forwarded functions and their vectors between those, the handler
 * (hard interrupt) and the EOI (a vCPU's run loop). The message is raised
 * under it, so that a new one replaces the old at once.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/bug.h>
#include <linux/export.h>
#include <linux/interrupt.h>
#include <linux/limits.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>

#include "../khv.h"
#include "assigned.h"

/* One message per function: a vector's users fit in a u8. */
static_assert(KHV_MAX_ASSIGNED <= U8_MAX);

/**
 * khv_intx_vec_get() - one more function's message has @vec.
 * @v:   the VM's INTx vectors.
 * @vec: the vector.
 */
void khv_intx_vec_get(struct khv_intx_vectors *v, u8 vec)
{
	if (!v->users[vec]++)
		set_bit(vec, v->map);
}
EXPORT_SYMBOL_IF_KUNIT(khv_intx_vec_get);

/**
 * khv_intx_vec_put() - one function's message has @vec no more.
 * @v:   the VM's INTx vectors.
 * @vec: a vector khv_intx_vec_get() counted.
 */
void khv_intx_vec_put(struct khv_intx_vectors *v, u8 vec)
{
	if (WARN_ON_ONCE(!v->users[vec]))
		return;
	if (!--v->users[vec])
		clear_bit(vec, v->map);
}
EXPORT_SYMBOL_IF_KUNIT(khv_intx_vec_put);

/**
 * khv_intx_vec_move() - a function's message goes from @from to @to.
 * @v:    the VM's INTx vectors.
 * @from: its old vector.
 * @to:   its new one.
 *
 * The new vector is counted before the old one goes: a vector that keeps a
 * user is never out of the map, not even for a moment.
 */
void khv_intx_vec_move(struct khv_intx_vectors *v, u8 from, u8 to)
{
	khv_intx_vec_get(v, to);
	khv_intx_vec_put(v, from);
}
EXPORT_SYMBOL_IF_KUNIT(khv_intx_vec_move);

/**
 * khv_pci_intx_disable() - PCI_COMMAND_INTX_DISABLE set or clear.
 * @pdev: the function.
 * @off:  set it.
 *
 * While khv forwards the function's INTx, its only writer of the bit is
 * under iommu.intx_lock (pci_check_and_*_intx() too).
 */
void khv_pci_intx_disable(struct pci_dev *pdev, bool off)
{
	u16 cmd, want;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	want = off ? cmd | PCI_COMMAND_INTX_DISABLE :
		     cmd & ~PCI_COMMAND_INTX_DISABLE;
	if (want != cmd)
		pci_write_config_word(pdev, PCI_COMMAND, want);
}

/* Masked, its message raised: it waits for the guest's EOI. */
static void khv_intx_deliver(struct khv_assigned *a)
{
	lockdep_assert_held(&a->vm->iommu.intx_lock);
	a->intx_masked = true;
	khv_lapic_deliver(a->vm, NULL, &a->intx);
}

/*
 * @a is masked: unmasked if its function deasserted the line, else its
 * message raised again (as VFIO sends again rather than take the same
 * interrupt once more).
 */
static void khv_intx_resample(struct khv_assigned *a)
{
	lockdep_assert_held(&a->vm->iommu.intx_lock);
	if (pci_check_and_unmask_intx(a->pdev))
		a->intx_masked = false;
	else
		khv_intx_deliver(a);
}

static irqreturn_t khv_intx_handler(int irq, void *data)
{
	struct khv_assigned *a = data;
	spinlock_t *lock = &a->vm->iommu.intx_lock;
	irqreturn_t r = IRQ_NONE;
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	/*
	 * The line may be shared: an assertion is ours only while the
	 * function is unmasked (masked, it asserts nothing) and says so.
	 */
	if (a->intx_on && !a->intx_masked && pci_check_and_mask_intx(a->pdev)) {
		khv_intx_deliver(a);
		r = IRQ_HANDLED;
	}
	spin_unlock_irqrestore(lock, flags);
	return r;
}

/* Off the VM's list, its vector uncounted, masked: the handler ignores it. */
static void khv_intx_stop(struct khv_assigned *a)
{
	struct khv_vm_iommu *io = &a->vm->iommu;
	unsigned long flags;

	spin_lock_irqsave(&io->intx_lock, flags);
	list_del(&a->intx_link);
	khv_intx_vec_put(&io->intx_vec, a->intx.vector);
	a->intx_on = false;
	a->intx_masked = false;
	khv_pci_intx_disable(a->pdev, true);
	spin_unlock_irqrestore(&io->intx_lock, flags);
}

static int khv_intx_enable(struct khv_assigned *a,
			   const struct khv_apic_irq *msg)
{
	struct khv_vm_iommu *io = &a->vm->iommu;
	struct pci_dev *pdev = a->pdev;
	unsigned long flags;
	int r;

	/* Masked until its handler is there: the line may be shared. */
	spin_lock_irqsave(&io->intx_lock, flags);
	khv_pci_intx_disable(pdev, true);
	a->intx = *msg;
	a->intx_masked = true;
	a->intx_on = true;
	list_add_tail(&a->intx_link, &io->intx);
	khv_intx_vec_get(&io->intx_vec, msg->vector);
	spin_unlock_irqrestore(&io->intx_lock, flags);

	r = request_irq(pdev->irq, khv_intx_handler, IRQF_SHARED, "khv-intx",
			a);
	if (r) {
		pr_info_ratelimited("vm %llu: %s: no INTx (IRQ %u): %d\n",
				    a->vm->id, a->desc, pdev->irq, r);
		khv_intx_stop(a);
		khv_pci_intx_disable(pdev, a->intx_host_off);
		return r;
	}
	/* Asserted already, it is raised now, as a level line would be. */
	spin_lock_irqsave(&io->intx_lock, flags);
	khv_intx_resample(a);
	spin_unlock_irqrestore(&io->intx_lock, flags);
	return 0;
}

/* A new message for a forwarded INTx, in place of the old at once. */
static void khv_intx_change(struct khv_assigned *a,
			    const struct khv_apic_irq *msg)
{
	struct khv_vm_iommu *io = &a->vm->iommu;
	unsigned long flags;
	u8 old;

	spin_lock_irqsave(&io->intx_lock, flags);
	old = a->intx.vector;
	khv_intx_vec_move(&io->intx_vec, old, msg->vector);
	a->intx = *msg;
	/* An EOI of the old vector would not end the wait: it ends now. */
	if (a->intx_masked && old != msg->vector)
		khv_intx_resample(a);
	spin_unlock_irqrestore(&io->intx_lock, flags);
}

/**
 * khv_intx_set() - forward @a's INTx as @msg, or give it @msg instead of
 *	the message it had.
 * @a:   the assignment; its VM's iommu.lock held.
 * @msg: a fixed or lowest-priority message, level-triggered.
 *
 * Return: 0; -ENODEV for a function without an INTx khv can mask (no pin,
 * no host interrupt, or INTx masking that the PCI core found broken);
 * -EBUSY while its MSI is forwarded, or from request_irq() (the line is
 * the host's exclusively), as its other errors.
 */
int khv_intx_set(struct khv_assigned *a, const struct khv_apic_irq *msg)
{
	struct pci_dev *pdev = a->pdev;

	lockdep_assert_held(&a->vm->iommu.lock);
	if (a->intx_on) {
		khv_intx_change(a, msg);
		return 0;
	}
	if (!pdev->pin || !pdev->irq || pdev->irq == IRQ_NOTCONNECTED ||
	    !pci_intx_mask_supported(pdev)) {
		pr_info_ratelimited("vm %llu: %s: no INTx that khv can mask\n",
				    a->vm->id, a->desc);
		return -ENODEV;
	}
	if (a->msi_res)
		return -EBUSY;
	return khv_intx_enable(a, msg);
}

/**
 * khv_intx_release() - the host stops taking @a's INTx.
 * @a: the assignment; its VM's iommu.lock held.
 *
 * When it returns, the handler runs no more, no EOI reaches the function,
 * and its PCI_COMMAND_INTX_DISABLE is as the host had it.
 */
void khv_intx_release(struct khv_assigned *a)
{
	lockdep_assert_held(&a->vm->iommu.lock);
	if (!a->intx_on)
		return;
	khv_intx_stop(a);
	free_irq(a->pdev->irq, a);
	khv_pci_intx_disable(a->pdev, a->intx_host_off);
}

/* The guest's EOI of @vec (iommu.h). */
bool khv_intx_eoi(struct khv_vm *vm, u8 vec)
{
	struct khv_vm_iommu *io = &vm->iommu;
	struct khv_assigned *a;
	unsigned long flags;
	bool ended = false;

	spin_lock_irqsave(&io->intx_lock, flags);
	list_for_each_entry(a, &io->intx, intx_link) {
		/* Not waiting: the vector came from elsewhere (the IOAPIC's). */
		if (a->intx.vector != vec || !a->intx_masked)
			continue;
		ended = true;
		khv_intx_resample(a);
	}
	spin_unlock_irqrestore(&io->intx_lock, flags);
	return ended;
}
