// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM object: one per VM fd. A VM holds khv's claim on virtualization
 * from creation until its fd is released.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/tsc.h>
#include <uapi/linux/khv_netlink_names.h>

#include "audit.h"
#include "khv.h"
#include "lapic.h"
#include "mgmt.h"
#include "x86.h"

/*
 * Every live VM, indexed by id. Lookups run under RCU and take a reference
 * only while the VM's count is not zero (a VM being freed is skipped).
 */
static DEFINE_XARRAY(khv_vms);

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

static void khv_vm_free(struct kref *ref)
{
	struct khv_vm *vm = container_of(ref, struct khv_vm, ref);

	/* Here, not at release: netlink may take these until the last put. */
	mutex_destroy(&vm->mem_lock);
	mutex_destroy(&vm->vcpu_lock);
	mutex_destroy(&vm->irqfd_lock);
	mutex_destroy(&vm->acl.lock);
	mutex_destroy(&vm->iommu.lock);
	mutex_destroy(&vm->lock);
	kfree_rcu(vm, rcu);
}

/**
 * khv_vm_put() - drop a reference taken by khv_vm_get_next().
 * @vm: the VM.
 */
void khv_vm_put(struct khv_vm *vm)
{
	kref_put(&vm->ref, khv_vm_free);
}

/**
 * khv_vm_get_next() - the live VM with the smallest id >= *@id.
 * @id: where to start; set to the id of the VM returned.
 *
 * For dumps: call with *@id = 0, then with the last id + 1.
 * Return: a referenced VM (drop it with khv_vm_put()), or NULL.
 */
struct khv_vm *khv_vm_get_next(u64 *id)
{
	unsigned long index = *id;
	struct khv_vm *vm;

	rcu_read_lock();
	xa_for_each_start(&khv_vms, index, vm, *id) {
		if (kref_get_unless_zero(&vm->ref)) {
			*id = index;
			rcu_read_unlock();
			return vm;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/**
 * khv_vm_lookup() - the VM with this id, whose fd is open.
 * @id: the VM's id.
 *
 * Return: the VM, referenced (drop it with khv_vm_put()), or NULL.
 */
struct khv_vm *khv_vm_lookup(u64 id)
{
	u64 found = id;
	struct khv_vm *vm;

	vm = khv_vm_get_next(&found);
	if (vm && found != id) {
		khv_vm_put(vm);
		vm = NULL;
	}
	return vm;
}

const char *khv_vm_state_name(u32 state)
{
	static const char *const names[] = KHV_VM_STATE_NAMES;

	return state < ARRAY_SIZE(names) && names[state] ? names[state] : "?";
}

/**
 * khv_vm_set_state() - pause, resume or destroy a VM from outside.
 * @vm:    the VM, referenced.
 * @state: KHV_VM_STATE_RUNNING, _PAUSED or _DEAD.
 * @old:   out: the state before.
 *
 * A vCPU inside the guest is kicked out of it (an IPI, kick.c) and leaves
 * KHV_RUN's loop: it then waits, without its mutex, while the VM is paused,
 * and returns -EIO once it is dead; a dead VM's assigned devices go back to
 * the host before this returns. Setting the state a VM has is no change
 * and succeeds.
 *
 * Return: 0, or -EINVAL when the VM is dead already and @state is not.
 */
int khv_vm_set_state(struct khv_vm *vm, u32 state, u32 *old)
{
	int r = 0;

	mutex_lock(&vm->lock);
	*old = vm->state;
	if (*old == KHV_VM_STATE_DEAD && state != KHV_VM_STATE_DEAD)
		r = -EINVAL;
	else
		WRITE_ONCE(vm->state, state);
	mutex_unlock(&vm->lock);
	if (r || *old == state)
		return r;
	if (state != KHV_VM_STATE_RUNNING)
		khv_vm_kick(vm);
	/* A dead VM's devices go back to the host now, not at its close. */
	if (state == KHV_VM_STATE_DEAD)
		khv_vm_iommu_destroy(vm, "vm-destroy");
	wake_up_all(&vm->state_wq);
	khv_mgmt_vm_event(vm, KHV_VM_EVENT_CHANGE);
	return 0;
}

/**
 * khv_vm_wait_running() - wait while the VM is paused.
 * @vm: the VM.
 *
 * Return: 0 when it runs, -EIO when it is dead, -EINTR on a signal.
 */
int khv_vm_wait_running(struct khv_vm *vm)
{
	if (wait_event_interruptible(vm->state_wq,
				     READ_ONCE(vm->state) != KHV_VM_STATE_PAUSED))
		return -EINTR;
	return READ_ONCE(vm->state) == KHV_VM_STATE_DEAD ? -EIO : 0;
}

/**
 * khv_vm_exit_stats() - hardware exits by reason, summed over the vCPUs.
 * @vm:       the VM, referenced.
 * @stats:    out: KHV_STAT_NR counters.
 * @nr_vcpus: out: vCPUs created.
 */
void khv_vm_exit_stats(struct khv_vm *vm, u64 *stats, unsigned int *nr_vcpus)
{
	unsigned int i, j;

	memset(stats, 0, sizeof(u64) * KHV_STAT_NR);
	mutex_lock(&vm->vcpu_lock);
	*nr_vcpus = vm->gone ? 0 : vm->nr_vcpus;
	for (i = 0; i < KHV_MAX_VCPUS && !vm->gone; i++) {
		if (!vm->vcpus[i])
			continue;
		/* Counters of a running vCPU: a racy but untorn read. */
		for (j = 0; j < KHV_STAT_NR; j++)
			stats[j] += READ_ONCE(vm->vcpus[i]->stats[j]);
	}
	mutex_unlock(&vm->vcpu_lock);
}

/* Guest time summed over the VM's vCPUs (quota_run.c). */
u64 khv_vm_guest_ns(struct khv_vm *vm)
{
	unsigned int i;
	u64 ns = 0;

	mutex_lock(&vm->vcpu_lock);
	for (i = 0; i < KHV_MAX_VCPUS && !vm->gone; i++)
		if (vm->vcpus[i])
			ns += READ_ONCE(vm->vcpus[i]->run_quota.guest_ns);
	mutex_unlock(&vm->vcpu_lock);
	return ns;
}

/* Free what the VM holds; no vCPU fd and no mapping of the VM fd is left. */
static void khv_vm_destroy(struct khv_vm *vm)
{
	unsigned int i;

	/* Whoever holds either lock (introspection) is done before we free. */
	mutex_lock(&vm->vcpu_lock);
	WRITE_ONCE(vm->gone, true);
	mutex_unlock(&vm->vcpu_lock);
	mutex_lock(&vm->mem_lock);
	WRITE_ONCE(vm->gone, true);
	mutex_unlock(&vm->mem_lock);

	/*
	 * Its devices go back to the host while its memory is theirs, and
	 * neither they nor an irqfd may raise an interrupt in a vCPU being
	 * freed.
	 */
	khv_vm_iommu_destroy(vm, "vm-close");
	khv_vm_irq_destroy(vm);
	for (i = 0; i < KHV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			khv_vcpu_destroy(vm->vcpus[i]);
	/* No vCPU is left to use its I/O bitmaps. */
	khv_vm_acl_destroy(vm);
	khv_vm_mem_destroy(vm);
	/* Its memory is back in the host's pool. */
	khv_quota_vm_release(vm);
}

static int khv_vm_release(struct inode *inode, struct file *filp)
{
	struct khv_vm *vm = filp->private_data;

	xa_erase(&khv_vms, vm->id);
	khv_mgmt_vm_event(vm, KHV_VM_EVENT_DELETE);
	khv_audit_vm(KHV_AUDIT_OP_VM_CLOSE, vm,
		     khv_vm_state_name(READ_ONCE(vm->state)),
		     "freed", 0);
	khv_vm_destroy(vm);
	khv_virt_put();
	khv_user_vm_put(vm->owner);
	atomic_dec(&khv_nr_vms);
	khv_vm_put(vm);
	return 0;
}

static long khv_vm_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	struct khv_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;
	struct khv_memory_region region;
	struct khv_io_passthrough io;
	struct khv_create_vcpu vcpu;
	int r;

	/* Destroyed from outside (vm-destroy): nothing more on its fds. */
	if (READ_ONCE(vm->state) == KHV_VM_STATE_DEAD)
		return -EIO;
	switch (cmd) {
	case KHV_SET_MEMORY_REGION:
		if (copy_from_user(&region, argp, sizeof(region)))
			return -EFAULT;
		r = khv_vm_set_memory_region(vm, &region);
		if (!r && copy_to_user(argp, &region, sizeof(region)))
			r = -EFAULT;
		return r;
	case KHV_CREATE_VCPU:
		if (copy_from_user(&vcpu, argp, sizeof(vcpu)))
			return -EFAULT;
		return khv_vcpu_create(vm, &vcpu);
	case KHV_CREATE_IRQCHIP:
	case KHV_SIGNAL_MSI:
	case KHV_IRQFD:
		return khv_vm_irq_ioctl(vm, cmd, arg);
	case KHV_SET_IO_PASSTHROUGH:
		if (copy_from_user(&io, argp, sizeof(io)))
			return -EFAULT;
		return khv_vm_io_passthrough(vm, &io);
	case KHV_ASSIGN_PCI_DEVICE:
	case KHV_DEASSIGN_PCI_DEVICE:
	case KHV_MAP_HOST_MMIO:
	case KHV_SET_DEVICE_MSI:
		return khv_vm_iommu_ioctl(vm, cmd, arg);
	default:
		return -ENOTTY;
	}
}

static int khv_vm_file_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return khv_vm_mmap(filp->private_data, vma);
}

static const struct file_operations khv_vm_fops = {
	.owner = THIS_MODULE,
	.release = khv_vm_release,
	.unlocked_ioctl = khv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = khv_vm_file_mmap,
	.llseek = noop_llseek,
};

/*
 * The host's default quotas (Documentation/admin-guide.rst, "Default
 * quotas"), admitted as a quota-set would be; a refusal is audited with the
 * limit, as an ioctl has no extack to carry it.
 */
static int khv_vm_quota_init(struct khv_vm *vm)
{
	struct khv_quota_defaults d;
	enum khv_quota_limit limit;
	char why[96];
	u64 excess;
	int r;

	r = khv_quota_vm_init(vm, &d, &limit, &excess);
	if (r) {
		khv_quota_limit_desc(why, sizeof(why), limit, excess);
		khv_audit(KHV_AUDIT_OP_VM_CREATE, 0, "/dev/khv", "", why, r);
		return r;
	}
	khv_run_quota_defaults(&vm->run_quota, &d);
	return 0;
}

/**
 * khv_vm_create() - create a VM and return its fd.
 * @args: the validated KHV_CREATE_VM argument.
 *
 * Return: a new fd, -ENOSPC when the host has KHV_MAX_VMS VMs, -EDQUOT
 * when the caller's effective uid has max_vms_per_user (limits.c), -ENOMEM
 * (also when the host's memory budget does not admit the default quotas),
 * or -EBUSY when virtualization cannot be had (see virt.c).
 */
int khv_vm_create(const struct khv_create_vm *args)
{
	kuid_t owner = current_euid();
	struct file *file;
	struct khv_vm *vm;
	int fd, r;

	if (atomic_inc_return(&khv_nr_vms) > KHV_MAX_VMS) {
		r = -ENOSPC;
		goto err_count;
	}
	r = khv_user_vm_get(owner);
	if (r)
		goto err_count;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		r = -ENOMEM;
		goto err_user;
	}
	kref_init(&vm->ref);
	/* Out of the memory pool until khv_quota_vm_init() admits it. */
	vm->quota_gone = true;
	mutex_init(&vm->lock);
	mutex_init(&vm->vcpu_lock);
	mutex_init(&vm->mem_lock);
	khv_run_quota_init(&vm->run_quota);
	init_waitqueue_head(&vm->state_wq);
	khv_vm_irq_init(vm);
	khv_vm_acl_init(vm);
	khv_vm_iommu_init(vm);
	vm->state = KHV_VM_STATE_RUNNING;
	vm->id = atomic64_inc_return(&khv_nr_vms_created);
	vm->owner = owner;
	vm->pid = task_tgid_nr(current);
	vm->created = ktime_get_boottime_ns();
	vm->tsc_offset = khv_tsc_offset(0, rdtsc());
	r = khv_vm_mem_init(vm);
	if (r)
		goto err_destroy;
	r = khv_vm_quota_init(vm);
	if (r)
		goto err_destroy;

	r = khv_virt_get();
	if (r)
		goto err_destroy;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_put_virt;
	}
	file = anon_inode_getfile("khv-vm", &khv_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		goto err_put_fd;
	}
	vm->file = file;
	/*
	 * Announced before it can be found or its fd closed, so that the
	 * monitor group never hears of a change or deletion first; from here
	 * the file's release announces the deletion.
	 */
	khv_mgmt_vm_event(vm, KHV_VM_EVENT_CREATE);
	r = xa_insert(&khv_vms, vm->id, vm, GFP_KERNEL_ACCOUNT);
	if (r)
		goto err_fput;
	/* Before fd_install(): from there on, a close may free the VM. */
	khv_audit_vm(KHV_AUDIT_OP_VM_CREATE, vm, "", "running", 0);
	fd_install(fd, file);
	return fd;

err_fput:
	/* The file's release undoes everything below. */
	put_unused_fd(fd);
	fput(file);
	return r;
err_put_fd:
	put_unused_fd(fd);
err_put_virt:
	khv_virt_put();
err_destroy:
	khv_vm_destroy(vm);
	/* A lookup may hold a reference since xa_insert(): not kfree(). */
	khv_vm_put(vm);
err_user:
	khv_user_vm_put(owner);
err_count:
	atomic_dec(&khv_nr_vms);
	return r;
}
