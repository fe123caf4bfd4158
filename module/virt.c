// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who has VMX/SVM switched on, and khv's claim on it
 * (Documentation/khv-abi.rst, "Virtualization ownership").
 *
 * khv needs virtualization on every online CPU while it has at least one VM.
 * At the first VM it looks at the CPUs:
 *  - on everywhere, by KVM, and KVM keeps it on while loaded (>= 6.12):
 *    khv shares it and holds /dev/kvm open, which pins the KVM vendor module
 *    so that it cannot be unloaded (and switch VMX/SVM off) under khv;
 *  - off everywhere, on a kernel that lets a module switch it on (<= 6.18):
 *    khv owns it, switches it on for every CPU, and off after its last VM;
 *  - off everywhere on >= 6.19: khv asks for the KVM vendor module, which
 *    switches it on at load, and shares; otherwise it refuses and says why;
 *  - anything else (on some CPUs only, by another hypervisor, by a KVM that
 *    switches it off with its last VM): -EBUSY with a message.
 * Nothing else in the module touches CR4.VMXE, EFER.SVME or VMXON.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>

#include "compat.h"
#include "khv.h"

/*
 * khv_virt_lock serialises claims and releases and protects khv_virt_users
 * and khv_kvm_file. khv_virt_mode changes only with khv_virt_lock and the CPU
 * hotplug read lock held, so the hotplug callbacks (which run with the write
 * lock) read a stable value; suspend and reboot read it under khv_virt_lock
 * or with the other CPUs stopped.
 */
static DEFINE_MUTEX(khv_virt_lock);
static u32 khv_virt_mode = KHV_VIRT_OFF;
static unsigned int khv_virt_nr_users;
static struct file *khv_kvm_file;
/*
 * How the last claim went (KHV_VIRT_OWNED or _SHARED; _OFF before the
 * first): a claim logs only a change, not each first VM after an idle spell.
 */
static u32 khv_virt_last_claim = KHV_VIRT_OFF;
static bool khv_rebooting;
static int khv_cpuhp_state = -1;

/* khv switched VMX/SVM on for this CPU and must switch it off. */
static DEFINE_PER_CPU(bool, khv_cpu_owned);

u32 khv_virt_owner(void)
{
	return READ_ONCE(khv_virt_mode);
}

unsigned int khv_virt_users(void)
{
	return READ_ONCE(khv_virt_nr_users);
}

/* on_each_cpu() callbacks: interrupts are off. */
static void khv_cpu_enable_fn(void *failed)
{
	int r;

	if (this_cpu_read(khv_cpu_owned))
		return;
	r = khv_arch->cpu_enable();
	if (r)
		atomic_inc(failed);
	else
		this_cpu_write(khv_cpu_owned, true);
}

static void khv_cpu_disable_fn(void *unused)
{
	if (khv_arch->cpu_release)
		khv_arch->cpu_release();
	if (!this_cpu_read(khv_cpu_owned))
		return;
	khv_arch->cpu_disable();
	this_cpu_write(khv_cpu_owned, false);
}

static void khv_cpu_count_on_fn(void *count)
{
	if (khv_arch->cpu_virt_on())
		atomic_inc(count);
}

/* How many online CPUs have VMX/SVM on. Caller holds cpus_read_lock(). */
static unsigned int khv_cpus_virt_on(void)
{
	atomic_t on = ATOMIC_INIT(0);

	on_each_cpu(khv_cpu_count_on_fn, &on, 1);
	return atomic_read(&on);
}

/* Does the loaded KVM keep virtualization on for as long as it is loaded? */
static bool khv_kvm_keeps_virt_on(void)
{
	struct file *f;
	char val[4] = {};
	loff_t pos = 0;
	ssize_t n;

	if (!KHV_KVM_VIRT_AT_LOAD)
		return false;
	f = filp_open("/sys/module/kvm/parameters/enable_virt_at_load",
		      O_RDONLY, 0);
	if (IS_ERR(f))
		return false;
	n = kernel_read(f, val, sizeof(val) - 1, &pos);
	fput(f);
	return n > 0 && val[0] == 'Y';
}

/* Say at load time how khv will get virtualization for its first VM. */
void khv_virt_report(void)
{
	unsigned int on, online;

	cpus_read_lock();
	on = khv_cpus_virt_on();
	online = num_online_cpus();
	cpus_read_unlock();
	if (on == online)
		pr_info("%s is on for all %u CPUs (KVM's?): khv will share it\n",
			khv_arch->name, online);
	else if (on)
		pr_info("%s is on for %u of %u CPUs: khv will refuse VMs until that changes\n",
			khv_arch->name, on, online);
	else if (KHV_CAN_OWN_VIRT)
		pr_info("%s is off: khv switches it on while it has VMs\n",
			khv_arch->name);
	else
		pr_info("%s is off: khv will ask for %s to switch it on\n",
			khv_arch->name, khv_arch->kvm_module);
}

/*
 * Share virtualization that KVM switched on. Pins the KVM vendor module by
 * holding /dev/kvm open (its file operations belong to that module).
 */
static int khv_virt_share(void)
{
	const char *owner;
	struct file *kvm;
	unsigned int on;

	kvm = filp_open("/dev/kvm", O_RDWR, 0);
	if (IS_ERR(kvm)) {
		pr_warn("%s is on but /dev/kvm cannot be opened (%ld): another hypervisor owns it; refusing\n",
			khv_arch->name, PTR_ERR(kvm));
		return -EBUSY;
	}
	owner = kvm->f_op->owner ? module_name(kvm->f_op->owner) : "kernel";
	if (strcmp(owner, khv_arch->kvm_module)) {
		pr_warn("/dev/kvm belongs to %s, not %s; refusing to share\n",
			owner, khv_arch->kvm_module);
		goto err_put;
	}
	if (!khv_kvm_keeps_virt_on()) {
		pr_warn("%s is on for a KVM VM, and this KVM switches it off with its last VM; stop the KVM VMs%s\n",
			khv_arch->name, KHV_KVM_VIRT_AT_LOAD ?
			", or load kvm with enable_virt_at_load=1" : "");
		goto err_put;
	}

	/* KVM is pinned now: it cannot switch virtualization off any more. */
	cpus_read_lock();
	on = khv_cpus_virt_on();
	if (on != num_online_cpus()) {
		cpus_read_unlock();
		pr_warn("KVM switched %s off while khv was claiming it; refusing\n",
			khv_arch->name);
		goto err_put;
	}
	WRITE_ONCE(khv_virt_mode, KHV_VIRT_SHARED);
	cpus_read_unlock();
	khv_kvm_file = kvm;
	if (khv_virt_last_claim != KHV_VIRT_SHARED)
		pr_info("sharing %s with %s\n", khv_arch->name, owner);
	khv_virt_last_claim = KHV_VIRT_SHARED;
	return 0;

err_put:
	fput(kvm);
	return -EBUSY;
}

/* Switch virtualization on for every online CPU. Caller holds cpus_read_lock(). */
static int khv_virt_own(void)
{
	atomic_t failed = ATOMIC_INIT(0);

	on_each_cpu(khv_cpu_enable_fn, &failed, 1);
	if (atomic_read(&failed)) {
		/* All or nothing: leave no CPU half-enabled. */
		on_each_cpu(khv_cpu_disable_fn, NULL, 1);
		pr_warn("could not switch %s on for %d of %u CPUs; another hypervisor is starting\n",
			khv_arch->name, atomic_read(&failed), num_online_cpus());
		return -EBUSY;
	}
	WRITE_ONCE(khv_virt_mode, KHV_VIRT_OWNED);
	khv_virt_last_claim = KHV_VIRT_OWNED;
	return 0;
}

/*
 * One attempt to claim virtualization. -ENOENT: it is off everywhere and
 * khv may not switch it on itself on this kernel.
 */
static int khv_virt_try_claim(void)
{
	unsigned int on, online;
	int r;

	cpus_read_lock();
	on = khv_cpus_virt_on();
	online = num_online_cpus();
	if (on == 0)
		r = KHV_CAN_OWN_VIRT ? khv_virt_own() : -ENOENT;
	else
		r = on == online ? -EAGAIN : -EBUSY;
	cpus_read_unlock();

	if (r == -EAGAIN)
		return khv_virt_share();
	if (r == -EBUSY && on)
		pr_warn("%s is on for %u of %u CPUs: another hypervisor holds them; refusing\n",
			khv_arch->name, on, online);
	return r;
}

static int khv_virt_claim(void)
{
	int r;

	r = khv_virt_try_claim();
	if (r != -ENOENT)
		return r;
	/* >= 6.19: only KVM may switch it on; KVM does so when it loads. */
	request_module("%s", khv_arch->kvm_module);
	r = khv_virt_try_claim();
	if (r == -ENOENT) {
		pr_warn("%s is off, and on this kernel only KVM may switch it on: load %s (with kvm.enable_virt_at_load=1)\n",
			khv_arch->name, khv_arch->kvm_module);
		r = -EBUSY;
	}
	return r;
}

/*
 * Suspend: the other CPUs are offline already (their hotplug callbacks ran);
 * this runs on the last one with interrupts off. Syscore callbacks suspend
 * in the reverse order of their registration, and KVM's switches VMX off
 * (its VMCSs cleared, not khv's): khv registers its own when it claims
 * virtualization, after KVM's, so that it runs first (see khv_virt_get()).
 * Should it run late all the same, vmx_clear_cpu() finds VMX off and gives
 * up on the VMCSs without touching VMX.
 */
static int khv_syscore_suspend(void)
{
	khv_cpu_disable_fn(NULL);
	return 0;
}

static void khv_syscore_resume(void)
{
	atomic_t failed = ATOMIC_INIT(0);

	if (READ_ONCE(khv_virt_mode) != KHV_VIRT_OWNED)
		return;
	khv_cpu_enable_fn(&failed);
	if (atomic_read(&failed))
		pr_err("cannot switch %s on again after resume\n", khv_arch->name);
}

KHV_DEFINE_SYSCORE(khv_syscore, khv_syscore_suspend, khv_syscore_resume);

/**
 * khv_virt_get() - make sure VMX/SVM is on for every CPU for a new VM.
 *
 * Return: 0, or -EBUSY (with a log line saying why) when khv cannot have
 * virtualization safely right now.
 */
int khv_virt_get(void)
{
	int r = 0;

	mutex_lock(&khv_virt_lock);
	if (khv_rebooting) {
		r = -EBUSY;
		goto out;
	}
	if (!khv_virt_nr_users) {
		r = khv_virt_claim();
		/* After KVM's, which the claim found or loaded: suspends first. */
		if (!r)
			khv_register_syscore(&khv_syscore);
	}
	if (!r)
		WRITE_ONCE(khv_virt_nr_users, khv_virt_nr_users + 1);
out:
	mutex_unlock(&khv_virt_lock);
	return r;
}

/* khv_virt_put() - a VM is gone; after the last one, let go of virtualization. */
void khv_virt_put(void)
{
	struct file *kvm = NULL;

	mutex_lock(&khv_virt_lock);
	if (WARN_ON_ONCE(!khv_virt_nr_users))
		goto out;
	WRITE_ONCE(khv_virt_nr_users, khv_virt_nr_users - 1);
	if (khv_virt_nr_users)
		goto out;
	khv_unregister_syscore(&khv_syscore);
	cpus_read_lock();
	if (khv_virt_mode == KHV_VIRT_OWNED)
		on_each_cpu(khv_cpu_disable_fn, NULL, 1);
	WRITE_ONCE(khv_virt_mode, KHV_VIRT_OFF);
	cpus_read_unlock();
	kvm = khv_kvm_file;
	khv_kvm_file = NULL;
out:
	mutex_unlock(&khv_virt_lock);
	if (kvm)
		fput(kvm);
}

/* CPU hotplug: these run on the CPU coming or going, hotplug lock held. */
static int khv_cpu_online(unsigned int cpu)
{
	atomic_t failed = ATOMIC_INIT(0);
	unsigned long flags;
	bool on;

	switch (khv_virt_mode) {
	case KHV_VIRT_OWNED:
		local_irq_save(flags);
		khv_cpu_enable_fn(&failed);
		local_irq_restore(flags);
		if (atomic_read(&failed)) {
			pr_warn("cannot switch %s on for CPU %u; keeping it offline\n",
				khv_arch->name, cpu);
			return -EBUSY;
		}
		break;
	case KHV_VIRT_SHARED:
		/* KVM's own hotplug state, earlier than ours, switched it on. */
		local_irq_save(flags);
		on = khv_arch->cpu_virt_on();
		local_irq_restore(flags);
		if (!on) {
			pr_warn("%s is off on CPU %u, which KVM brought online; keeping it offline\n",
				khv_arch->name, cpu);
			return -EBUSY;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int khv_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	khv_cpu_disable_fn(NULL);
	local_irq_restore(flags);
	return 0;
}

/* Reboot, halt, power-off and kexec: leave no CPU in VMX/SVM operation. */
static int khv_reboot_notify(struct notifier_block *nb, unsigned long code,
			     void *unused)
{
	mutex_lock(&khv_virt_lock);
	khv_rebooting = true;
	on_each_cpu(khv_cpu_disable_fn, NULL, 1);
	mutex_unlock(&khv_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block khv_reboot_nb = {
	.notifier_call = khv_reboot_notify,
	/* Before KVM's, whose virtualization khv may share. */
	.priority = 1,
};

int khv_virt_init(void)
{
	int r;

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "khv:online",
				      khv_cpu_online, khv_cpu_offline);
	if (r < 0)
		return r;
	khv_cpuhp_state = r;
	r = register_reboot_notifier(&khv_reboot_nb);
	if (r)
		goto err_cpuhp;
	khv_spec_init();
	return 0;

err_cpuhp:
	cpuhp_remove_state_nocalls(khv_cpuhp_state);
	return r;
}

void khv_virt_exit(void)
{
	/* Every VM holds a module reference: none is left at unload. */
	WARN_ON(khv_virt_nr_users);
	khv_spec_exit();
	unregister_reboot_notifier(&khv_reboot_nb);
	cpuhp_remove_state_nocalls(khv_cpuhp_state);
}
