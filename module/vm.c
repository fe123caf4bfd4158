// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM object: one per VM fd. A VM holds khv's claim on virtualization
 * from creation until its fd is released.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "khv.h"

/**
 * struct khv_vm - a virtual machine.
 * @id:      unique for the module's lifetime, never reused.
 * @owner:   the creator's effective uid.
 * @pid:     the creator's thread-group id.
 * @created: creation time (boot-based, ns).
 */
struct khv_vm {
	u64 id;
	kuid_t owner;
	pid_t pid;
	u64 created;
};

static atomic_t khv_nr_vms = ATOMIC_INIT(0);
static atomic64_t khv_nr_vms_created = ATOMIC64_INIT(0);

unsigned int khv_vms_alive(void)
{
	return atomic_read(&khv_nr_vms);
}

u64 khv_vms_created(void)
{
	return atomic64_read(&khv_nr_vms_created);
}

static int khv_vm_release(struct inode *inode, struct file *filp)
{
	struct khv_vm *vm = filp->private_data;

	khv_virt_put();
	kfree(vm);
	atomic_dec(&khv_nr_vms);
	return 0;
}

static long khv_vm_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations khv_vm_fops = {
	.owner = THIS_MODULE,
	.release = khv_vm_release,
	.unlocked_ioctl = khv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * khv_vm_create() - create a VM and return its fd.
 * @args: the validated KHV_CREATE_VM argument.
 *
 * Return: a new fd, -ENOSPC when the host has KHV_MAX_VMS VMs, -ENOMEM,
 * or -EBUSY when virtualization cannot be had (see virt.c).
 */
int khv_vm_create(const struct khv_create_vm *args)
{
	struct khv_vm *vm;
	int r;

	if (atomic_inc_return(&khv_nr_vms) > KHV_MAX_VMS) {
		r = -ENOSPC;
		goto err_count;
	}
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		r = -ENOMEM;
		goto err_count;
	}
	vm->id = atomic64_inc_return(&khv_nr_vms_created);
	vm->owner = current_euid();
	vm->pid = task_tgid_nr(current);
	vm->created = ktime_get_boottime_ns();

	r = khv_virt_get();
	if (r)
		goto err_free;
	r = anon_inode_getfd("khv-vm", &khv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_put;
	return r;

err_put:
	khv_virt_put();
err_free:
	kfree(vm);
err_count:
	atomic_dec(&khv_nr_vms);
	return r;
}
