// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vendor-neutral vCPU: its fd, the shared run page, its registers
 * (KHV_GET_REGS/KHV_SET_REGS) and KHV_RUN's loop, which enters through the
 * backend's vcpu_run and handles exits through its handle_exit (the shared
 * handlers: exit.c).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include <asm/processor-flags.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"
#include "mgmt.h"
#include "regs.h"
#include "x86.h"

/* struct khv_regs (uapi) fields by x86 register number (enum khv_reg). */
static const u8 khv_regs_offset[KHV_NR_REGS] = {
	offsetof(struct khv_regs, rax), offsetof(struct khv_regs, rcx),
	offsetof(struct khv_regs, rdx), offsetof(struct khv_regs, rbx),
	offsetof(struct khv_regs, rsp), offsetof(struct khv_regs, rbp),
	offsetof(struct khv_regs, rsi), offsetof(struct khv_regs, rdi),
	offsetof(struct khv_regs, r8), offsetof(struct khv_regs, r9),
	offsetof(struct khv_regs, r10), offsetof(struct khv_regs, r11),
	offsetof(struct khv_regs, r12), offsetof(struct khv_regs, r13),
	offsetof(struct khv_regs, r14), offsetof(struct khv_regs, r15),
	offsetof(struct khv_regs, rip), offsetof(struct khv_regs, rflags),
};

static u64 *khv_regs_field(struct khv_regs *regs, unsigned int nr)
{
	return (u64 *)((u8 *)regs + khv_regs_offset[nr]);
}

/* KHV_GET_REGS, and introspection (netlink/introspect.c). */
void khv_vcpu_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	unsigned int i;

	memset(regs, 0, sizeof(*regs));
	for (i = 0; i < KHV_NR_REGS; i++)
		*khv_regs_field(regs, i) = vcpu->regs[i];
}

/* KHV_SET_REGS: -EINVAL for an RFLAGS value no processor holds. */
static int khv_vcpu_set_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	unsigned int i;

	if (!khv_rflags_valid(regs->rflags))
		return -EINVAL;
	for (i = 0; i < KHV_NR_REGS; i++)
		khv_register_write(vcpu, i, *khv_regs_field(regs, i));
	return 0;
}

/**
 * khv_vcpu_loop_due() - whether khv_vcpu_run_loop() has work before the
 *	next entry: a page to allocate for the last exit, an interrupt window
 *	user space asked for, an EOI for its IOAPIC, a halt or a wait for
 *	INIT/SIPI, the run page's immediate_exit, a signal, the scheduler.
 *	Each condition the loop acts on between entries belongs here: a
 *	backend's run of entries (khv_exit_reenter()) goes on only without one.
 * @vcpu: the vCPU, on its thread after an exit.
 *
 * Return: true when the loop must look before the vCPU enters again.
 */
bool khv_vcpu_loop_due(struct khv_vcpu *vcpu)
{
	const struct khv_lapic *a = vcpu->lapic;

	return vcpu->touch_pending || vcpu->events.req_irq_window ||
	       (a && (a->eoi_exit || a->mp_state != KHV_MP_STATE_RUNNABLE)) ||
	       READ_ONCE(vcpu->run->immediate_exit) || need_resched() ||
	       signal_pending(current);
}

static long khv_vcpu_run_loop(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	enum khv_entry entry;
	u64 start;
	int r;

	khv_vcpu_complete_user(vcpu);
	for (;;) {
		/* An EOI for user space's IOAPIC, from an exit or KHV_SET_MSRS. */
		if (vcpu->lapic && khv_lapic_eoi_exit(vcpu))
			return 0;
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
			return -EINTR;
		}
		switch (READ_ONCE(vcpu->vm->state)) {
		case KHV_VM_STATE_PAUSED:
			return KHV_RUN_PAUSED;
		case KHV_VM_STATE_DEAD:
			return -EIO;
		}
		/* Halted, or an AP waiting for INIT/SIPI: sleep here. */
		if (vcpu->lapic) {
			r = khv_lapic_block(vcpu);
			if (r == -EINTR) {
				khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
				return -EINTR;
			}
			if (!r)
				continue;
		}
		/* Over the CPU cap, or an I/O limit in debt: wait, look again. */
		if (khv_quota_throttle(vcpu))
			continue;
		start = khv_quota_before_entry(vcpu);
		vcpu->reentries = 0;
		entry = khv_arch->vcpu_run(vcpu);
		khv_quota_after_entry(vcpu, start);
		switch (entry) {
		case KHV_ENTRY_EXITED:
			khv_event_after_exit(vcpu);
			r = khv_arch->handle_exit(vcpu);
			break;
		case KHV_ENTRY_HANDLED:
			r = khv_arch->handle_exit(vcpu);
			break;
		case KHV_ENTRY_SKIPPED:
			r = 1;
			break;
		default:
			r = 0;
		}
		/* A page the exit needs, allocated where this may sleep. */
		if (r > 0 && vcpu->touch_pending)
			r = khv_vcpu_mem_touch(vcpu);
		if (r <= 0)
			return r;
		/* As KVM's vcpu_run(): after an entry, never before the first. */
		if (vcpu->events.req_irq_window && khv_event_irq_ready(vcpu))
			return khv_vcpu_exit(vcpu, KHV_EXIT_IRQ_WINDOW_OPEN);
		cond_resched();
	}
}

static long khv_vcpu_run(struct khv_vcpu *vcpu)
{
	long r;

	if (khv_arch->vcpu_load)
		khv_arch->vcpu_load(vcpu);
	r = khv_vcpu_run_loop(vcpu);
	if (khv_arch->vcpu_put)
		khv_arch->vcpu_put(vcpu);
	return r;
}

/*
 * The run page's header: words that have no meaning yet must be 0, as any
 * reserved field, and request_interrupt_window is 0 or 1
 * (Documentation/khv-abi.rst, KHV_RUN); the outputs are not looked at. The
 * page is shared with user space: each input is read once, here.
 */
static bool khv_run_header_check(const struct khv_run *run, bool *req_window)
{
	u8 req = READ_ONCE(run->request_interrupt_window);

	*req_window = req;
	return req <= 1 && !READ_ONCE(run->flags) &&
	       !memchr_inv(run->reserved, 0, sizeof(run->reserved));
}

/*
 * KHV_RUN. While the VM is paused the vCPU waits here without its mutex, so
 * that introspection can read its registers (Documentation/khv-abi.rst).
 */
static long khv_vcpu_run_ioctl(struct khv_vcpu *vcpu)
{
	struct khv_sched_save ss;
	struct khv_spec_run sr;
	bool req_window;
	long r;

	if (!khv_run_header_check(vcpu->run, &req_window))
		return -EINVAL;
	/* cpu-weight, cpu-reservation: put back on every way out below. */
	r = khv_sched_enter(vcpu, &ss);
	if (r)
		return r;
	khv_spec_run_begin(&sr);
	do {
		/* immediate_exit returns at once, paused or not. */
		r = READ_ONCE(vcpu->run->immediate_exit) ? 0 :
		    khv_vm_wait_running(vcpu->vm);
		if (mutex_lock_killable(&vcpu->mutex)) {
			r = -EINTR;
			break;
		}
		vcpu->events.req_irq_window = req_window;
		if (r == -EINTR)
			khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
		else if (!r)
			r = khv_vcpu_run(vcpu);
		if (r != KHV_RUN_PAUSED)
			khv_event_run_report(vcpu);
		mutex_unlock(&vcpu->mutex);
	} while (r == KHV_RUN_PAUSED);
	khv_spec_run_end(&sr);
	khv_sched_leave(&ss);
	return r;
}

static noinline long khv_vcpu_regs_ioctl(struct khv_vcpu *vcpu,
					 unsigned int cmd, void __user *argp)
{
	struct khv_regs regs;

	if (cmd == KHV_GET_REGS) {
		khv_vcpu_get_regs(vcpu, &regs);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (memchr_inv(regs.reserved, 0, sizeof(regs.reserved)))
		return -EINVAL;
	return khv_vcpu_set_regs(vcpu, &regs);
}

static noinline long khv_vcpu_sregs_ioctl(struct khv_vcpu *vcpu,
					  unsigned int cmd, void __user *argp)
{
	struct khv_sregs sregs;

	int r;

	if (cmd == KHV_GET_SREGS) {
		memset(&sregs, 0, sizeof(sregs));
		khv_arch->get_sregs(vcpu, &sregs);
		/* With the irqchip: the APIC's base, CR8 its TPR. */
		if (vcpu->lapic) {
			khv_lapic_get_msr(vcpu, MSR_IA32_APICBASE,
					  &sregs.apic_base, true);
			sregs.cr8 = khv_arch->get_cr8(vcpu);
		}
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (memchr_inv(sregs.reserved, 0, sizeof(sregs.reserved)))
		return -EINVAL;
	if (vcpu->lapic && khv_lapic_set_msr(vcpu, MSR_IA32_APICBASE,
					     sregs.apic_base, false, true))
		return -EINVAL;
	r = khv_arch->set_sregs(vcpu, &sregs);
	if (r || !vcpu->lapic)
		return r;
	khv_lapic_set_msr(vcpu, MSR_IA32_APICBASE, sregs.apic_base, true, true);
	khv_arch->set_cr8(vcpu, sregs.cr8);
	khv_lapic_sync_tpr(vcpu);
	return 0;
}

/* KHV_GET_MSRS / KHV_SET_MSRS: all entries checked before any is applied. */
static noinline long khv_vcpu_msrs_ioctl(struct khv_vcpu *vcpu,
					 unsigned int cmd, void __user *argp)
{
	struct khv_msrs *m;
	unsigned int i;
	long r = 0;

	m = memdup_user(argp, sizeof(*m));
	if (IS_ERR(m))
		return PTR_ERR(m);
	if (m->flags || !m->nmsrs || m->nmsrs > KHV_MAX_MSR_ENTRIES) {
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < m->nmsrs && !r; i++) {
		if (m->entries[i].reserved)
			r = -EINVAL;
		else if (cmd == KHV_GET_MSRS)
			r = khv_msr_get(vcpu, m->entries[i].index,
					&m->entries[i].data, true);
		else
			r = khv_msr_set(vcpu, m->entries[i].index,
					m->entries[i].data, false, true);
	}
	if (r)
		goto out;
	if (cmd == KHV_GET_MSRS) {
		if (copy_to_user(argp, m, sizeof(*m)))
			r = -EFAULT;
		goto out;
	}
	for (i = 0; i < m->nmsrs; i++)
		khv_msr_set(vcpu, m->entries[i].index, m->entries[i].data,
			    true, true);
out:
	kfree(m);
	return r;
}

static long khv_vcpu_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	struct khv_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* Destroyed from outside (vm-destroy): nothing more on its fds. */
	if (READ_ONCE(vcpu->vm->state) == KHV_VM_STATE_DEAD)
		return -EIO;
	if (cmd == KHV_RUN)
		return arg ? -EINVAL : khv_vcpu_run_ioctl(vcpu);
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (cmd) {
	case KHV_GET_REGS:
	case KHV_SET_REGS:
		r = khv_vcpu_regs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_GET_SREGS:
	case KHV_SET_SREGS:
		r = khv_vcpu_sregs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_GET_MSRS:
	case KHV_SET_MSRS:
		r = khv_vcpu_msrs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_SET_CPUID:
		r = khv_vcpu_set_cpuid(vcpu, argp);
		break;
	case KHV_GET_VCPU_EVENTS:
	case KHV_SET_VCPU_EVENTS:
	case KHV_INTERRUPT:
	case KHV_NMI:
		r = khv_vcpu_event_ioctl(vcpu, cmd, arg);
		break;
	case KHV_GET_XSAVE:
	case KHV_SET_XSAVE:
	case KHV_GET_XCRS:
	case KHV_SET_XCRS:
		r = khv_vcpu_xstate_ioctl(vcpu, cmd, argp);
		break;
	case KHV_GET_LAPIC:
	case KHV_SET_LAPIC:
	case KHV_GET_MP_STATE:
	case KHV_SET_MP_STATE:
		r = khv_lapic_ioctl(vcpu, cmd, argp);
		break;
	default:
		r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t khv_vcpu_fault(struct vm_fault *vmf)
{
	struct khv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct khv_vcpu_vm_ops = {
	.fault = khv_vcpu_fault,
};

/* As guest memory (khv_vm_mmap()): not inherited, not dumped, not grown. */
static int khv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	khv_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &khv_vcpu_vm_ops;
	return 0;
}

static int khv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct khv_vcpu *vcpu = filp->private_data;

	/* The vCPU itself lives until its VM goes. */
	fput(vcpu->vm->file);
	return 0;
}

static const struct file_operations khv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = khv_vcpu_release,
	.unlocked_ioctl = khv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = khv_vcpu_mmap,
	.llseek = noop_llseek,
};

/* The vendor-neutral part of a new vCPU, before the backend's vcpu_create(). */
static int khv_vcpu_init(struct khv_vcpu *vcpu, struct khv_vm *vm, u32 id)
{
	vcpu->run = (struct khv_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->tsc_offset = vm->tsc_offset;
	mutex_init(&vcpu->mutex);
	rcuwait_init(&vcpu->wait);
	khv_vcpu_quota_init(vcpu);
	/* The reset state (SDM Vol. 3A 10.1.1), loaded by the first entry. */
	vcpu->regs[KHV_REG_RIP] = 0xfff0;
	vcpu->regs[KHV_REG_RFLAGS] = X86_EFLAGS_FIXED;
	khv_dr_reset(&vcpu->dr);
	vcpu->regs_dirty = GENMASK(KHV_NR_REGS - 1, 0);
	if (khv_xstate_vcpu_init(vcpu)) {
		free_page((unsigned long)vcpu->run);
		return -ENOMEM;
	}
	return 0;
}

static void khv_vcpu_uninit(struct khv_vcpu *vcpu)
{
	khv_vcpu_quota_destroy(vcpu);
	kfree(vcpu->cpuid);
	khv_xstate_vcpu_free(vcpu);
	mutex_destroy(&vcpu->mutex);
	free_page((unsigned long)vcpu->run);
}

/* khv_arch->vcpu_size bytes, zeroed: the backend's vCPU. */
static struct khv_vcpu *khv_vcpu_alloc(struct khv_vm *vm, u32 id)
{
	struct khv_vcpu *vcpu;
	int r;

	vcpu = kzalloc(khv_arch->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	r = khv_vcpu_init(vcpu, vm, id);
	if (r)
		goto err_free;
	r = khv_arch->vcpu_create(vcpu);
	if (r)
		goto err_uninit;
	if (vm->irqchip) {
		r = khv_lapic_create(vcpu);
		if (r)
			goto err_arch;
	}
	return vcpu;

err_arch:
	khv_arch->vcpu_free(vcpu);
err_uninit:
	khv_vcpu_uninit(vcpu);
err_free:
	kfree(vcpu);
	return ERR_PTR(r);
}

static void khv_vcpu_free(struct khv_vcpu *vcpu)
{
	khv_lapic_free(vcpu);
	khv_arch->vcpu_free(vcpu);
	khv_vcpu_uninit(vcpu);
	kfree(vcpu);
}

/**
 * khv_vcpu_create() - KHV_CREATE_VCPU: a new vCPU and its fd.
 * @vm:   the VM.
 * @args: the user's argument, copied in.
 *
 * Return: the fd; -EINVAL for non-zero flags or reserved words or an id at
 * or over KHV_CAP_MAX_VCPUS (the online CPUs unless the administrator
 * allows more, khv_max_vcpus());
 * -EEXIST for an id in use; -ENOMEM.
 */
int khv_vcpu_create(struct khv_vm *vm, const struct khv_create_vcpu *args)
{
	struct khv_vcpu *vcpu;
	struct file *file;
	u64 excess;
	int r;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->id >= khv_max_vcpus())
		return -EINVAL;

	mutex_lock(&vm->vcpu_lock);
	if (vm->vcpus[args->id]) {
		r = -EEXIST;
		goto out;
	}
	/* Its cpu-reservation, in the host's cpu-budget (quota.c). */
	r = khv_quota_vcpu_charge(vm, &excess);
	if (r)
		goto out;
	r = get_unused_fd_flags(O_CLOEXEC);
	if (r < 0)
		goto err_uncharge;
	vcpu = khv_vcpu_alloc(vm, args->id);
	if (IS_ERR(vcpu)) {
		put_unused_fd(r);
		r = PTR_ERR(vcpu);
		goto err_uncharge;
	}
	get_file(vm->file);
	file = anon_inode_getfile("khv-vcpu", &khv_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		fput(vm->file);
		khv_vcpu_free(vcpu);
		put_unused_fd(r);
		r = PTR_ERR(file);
		goto err_uncharge;
	}
	/*
	 * In vcpus[] before any KHV_RUN can reach it through its fd, so that
	 * every kick that could concern it finds it (kick.c).
	 */
	WRITE_ONCE(vm->vcpus[args->id], vcpu);
	vm->nr_vcpus++;
	fd_install(r, file);
	goto out;

err_uncharge:
	khv_quota_vcpu_uncharge(vm);
out:
	mutex_unlock(&vm->vcpu_lock);
	return r;
}

/* The VM is going: every vCPU fd is closed already. */
void khv_vcpu_destroy(struct khv_vcpu *vcpu)
{
	khv_vcpu_free(vcpu);
}
