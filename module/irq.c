// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM's split irqchip (Documentation/khv-abi.rst, "Interrupt
 * controllers"): KHV_CREATE_IRQCHIP gives every vCPU a local APIC, the
 * IOAPIC and the PIC stay in user space, which raises interrupts with
 * KHV_SIGNAL_MSI, and through eventfds bound with KHV_IRQFD without
 * stopping any vCPU (KVM's irqfd: the eventfd's wait queue calls us).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"

/* MSI address (SDM Vol. 3A 11.11.1, Figure 11-24). */
#define KHV_MSI_ADDR_BASE	0xfee00000U
#define KHV_MSI_ADDR_BASE_MASK	GENMASK(31, 20)
#define KHV_MSI_ADDR_DEST	GENMASK(19, 12)
#define KHV_MSI_ADDR_DEST_SHIFT	12
#define KHV_MSI_ADDR_RH		BIT(3)
#define KHV_MSI_ADDR_DM		BIT(2)
#define KHV_MSI_ADDR_RESERVED	(GENMASK(11, 4) | GENMASK(1, 0))
/* MSI data (Figure 11-25): vector, delivery mode, level, trigger. */
#define KHV_MSI_DATA_LEVEL	BIT(14)
#define KHV_MSI_DATA_TRIGGER	BIT(15)
#define KHV_MSI_DATA_KNOWN	(KHV_APIC_VECTOR_MASK | KHV_APIC_DM_MASK | \
				 KHV_MSI_DATA_LEVEL | KHV_MSI_DATA_TRIGGER)

/**
 * struct khv_irqfd_bind - an eventfd bound to an MSI (KHV_IRQFD).
 * @vm:   the VM.
 * @ctx:  the eventfd (a reference held).
 * @irq:  the message its signals deliver.
 * @wait: in the eventfd's wait queue.
 * @pt:   for vfs_poll(), which adds @wait.
 * @link: in vm->irqfds.
 */
struct khv_irqfd_bind {
	struct khv_vm *vm;
	struct eventfd_ctx *ctx;
	struct khv_apic_irq irq;
	wait_queue_entry_t wait;
	poll_table pt;
	struct list_head link;
};

/**
 * khv_msi_decode() - an MSI's address and data as the APICs take them.
 * @lo:   the address, bits 31:0.
 * @hi:   bits 63:32: bits 31:8 of an x2APIC destination ID.
 * @data: the data.
 * @irq:  out: the message.
 *
 * Return: 0, or -EINVAL for a malformed message (Documentation/khv-abi.rst,
 * KHV_SIGNAL_MSI).
 */
int khv_msi_decode(u32 lo, u32 hi, u32 data, struct khv_apic_irq *irq)
{
	u32 dm = data & KHV_APIC_DM_MASK;

	if ((lo & KHV_MSI_ADDR_BASE_MASK) != KHV_MSI_ADDR_BASE ||
	    (lo & KHV_MSI_ADDR_RESERVED) || (hi & 0xff) ||
	    (data & ~KHV_MSI_DATA_KNOWN))
		return -EINVAL;
	/* Fixed, lowest priority and NMI; INIT, SMI, ExtINT and reserved not. */
	if (dm != KHV_APIC_DM_FIXED && dm != KHV_APIC_DM_LOWEST &&
	    dm != KHV_APIC_DM_NMI)
		return -EINVAL;
	memset(irq, 0, sizeof(*irq));
	irq->dest = ((lo & KHV_MSI_ADDR_DEST) >> KHV_MSI_ADDR_DEST_SHIFT) | hi;
	irq->x2apic = hi != 0;
	irq->logical = lo & KHV_MSI_ADDR_DM;
	irq->dm = dm;
	/* The redirection hint makes a fixed message lowest priority (11.11.1). */
	if ((lo & KHV_MSI_ADDR_RH) && dm == KHV_APIC_DM_FIXED)
		irq->dm = KHV_APIC_DM_LOWEST;
	irq->vector = data & KHV_APIC_VECTOR_MASK;
	irq->level = data & KHV_MSI_DATA_TRIGGER;
	irq->shorthand = KHV_APIC_SH_NONE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_msi_decode);

static long khv_vm_signal_msi(struct khv_vm *vm, void __user *argp)
{
	struct khv_apic_irq irq;
	struct khv_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (msi.flags || memchr_inv(msi.reserved, 0, sizeof(msi.reserved)) ||
	    khv_msi_decode(msi.address_lo, msi.address_hi, msi.data, &irq))
		return -EINVAL;
	return khv_lapic_deliver(vm, NULL, &irq);
}

/*
 * The eventfd's wait queue, its lock held, interrupts off: a signal
 * (EPOLLIN) delivers the MSI. The count is read back to zero so that it
 * never saturates.
 */
static int khv_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct khv_irqfd_bind *f = container_of(wait, struct khv_irqfd_bind, wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(f->ctx, &cnt);
		khv_lapic_deliver(f->vm, NULL, &f->irq);
	}
	return 0;
}

static void khv_irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			    poll_table *pt)
{
	struct khv_irqfd_bind *f = container_of(pt, struct khv_irqfd_bind, pt);

	add_wait_queue(wqh, &f->wait);
}

/* Out of the wait queue (no wakeup runs after this), then freed. */
static void khv_irqfd_free(struct khv_irqfd_bind *f)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	eventfd_ctx_put(f->ctx);
	list_del(&f->link);
	kfree(f);
}

static struct khv_irqfd_bind *
khv_irqfd_find(struct khv_vm *vm, struct eventfd_ctx *ctx)
{
	struct khv_irqfd_bind *f;

	list_for_each_entry(f, &vm->irqfds, link)
		if (f->ctx == ctx)
			return f;
	return NULL;
}

static long khv_irqfd_assign(struct khv_vm *vm, const struct khv_irqfd *a)
{
	struct khv_irqfd_bind *f;
	struct file *file;
	__poll_t events;
	long r;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	if (khv_msi_decode(a->address_lo, a->address_hi, a->data, &f->irq)) {
		kfree(f);
		return -EINVAL;
	}
	file = fget(a->fd);
	if (!file) {
		kfree(f);
		return -EBADF;
	}
	f->vm = vm;
	f->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(f->ctx)) {
		r = PTR_ERR(f->ctx);
		goto err;
	}
	init_waitqueue_func_entry(&f->wait, khv_irqfd_wakeup);
	init_poll_funcptr(&f->pt, khv_irqfd_queue);

	mutex_lock(&vm->irqfd_lock);
	r = -EBUSY;
	if (khv_irqfd_find(vm, f->ctx))
		goto err_unlock;
	r = -ENOSPC;
	if (vm->nr_irqfds >= KHV_MAX_IRQFDS)
		goto err_unlock;
	list_add_tail(&f->link, &vm->irqfds);
	vm->nr_irqfds++;
	/* In the wait queue from here; a signal already there is delivered. */
	events = vfs_poll(file, &f->pt);
	mutex_unlock(&vm->irqfd_lock);
	if (events & EPOLLIN)
		khv_lapic_deliver(vm, NULL, &f->irq);
	fput(file);
	return 0;

err_unlock:
	mutex_unlock(&vm->irqfd_lock);
	eventfd_ctx_put(f->ctx);
err:
	fput(file);
	kfree(f);
	return r;
}

static long khv_irqfd_deassign(struct khv_vm *vm, u32 fd)
{
	struct eventfd_ctx *ctx;
	struct khv_irqfd_bind *f;
	long r = -ENOENT;

	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&vm->irqfd_lock);
	f = khv_irqfd_find(vm, ctx);
	if (f) {
		khv_irqfd_free(f);
		vm->nr_irqfds--;
		r = 0;
	}
	mutex_unlock(&vm->irqfd_lock);
	eventfd_ctx_put(ctx);
	return r;
}

static long khv_vm_irqfd(struct khv_vm *vm, void __user *argp)
{
	struct khv_irqfd a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~KHV_IRQFD_DEASSIGN) ||
	    memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	if (a.flags & KHV_IRQFD_DEASSIGN) {
		if (a.address_lo || a.address_hi || a.data)
			return -EINVAL;
		return khv_irqfd_deassign(vm, a.fd);
	}
	return khv_irqfd_assign(vm, &a);
}

/* KHV_CREATE_IRQCHIP: before any vCPU exists, once. */
static long khv_vm_create_irqchip(struct khv_vm *vm, unsigned long arg)
{
	long r = 0;

	if (arg)
		return -EINVAL;
	mutex_lock(&vm->vcpu_lock);
	if (vm->irqchip)
		r = -EEXIST;
	else if (vm->nr_vcpus)
		r = -EBUSY;
	else
		vm->irqchip = true;
	mutex_unlock(&vm->vcpu_lock);
	return r;
}

/**
 * khv_vm_irq_ioctl() - KHV_CREATE_IRQCHIP, KHV_SIGNAL_MSI, KHV_IRQFD.
 * @vm:  the VM.
 * @cmd: the ioctl.
 * @arg: its argument.
 *
 * Return: as Documentation/khv-abi.rst says; -ENXIO for the last two
 * without the irqchip.
 */
long khv_vm_irq_ioctl(struct khv_vm *vm, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (cmd == KHV_CREATE_IRQCHIP)
		return khv_vm_create_irqchip(vm, arg);
	if (!READ_ONCE(vm->irqchip))
		return -ENXIO;
	if (cmd == KHV_SIGNAL_MSI)
		return khv_vm_signal_msi(vm, argp);
	return khv_vm_irqfd(vm, argp);
}

void khv_vm_irq_init(struct khv_vm *vm)
{
	mutex_init(&vm->irqfd_lock);
	INIT_LIST_HEAD(&vm->irqfds);
}

/* The VM goes: every irqfd is unbound before its vCPUs are freed. */
void khv_vm_irq_destroy(struct khv_vm *vm)
{
	struct khv_irqfd_bind *f, *n;

	mutex_lock(&vm->irqfd_lock);
	list_for_each_entry_safe(f, n, &vm->irqfds, link)
		khv_irqfd_free(f);
	vm->nr_irqfds = 0;
	mutex_unlock(&vm->irqfd_lock);
}
