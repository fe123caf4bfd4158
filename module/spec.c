// SPDX-License-Identifier: GPL-2.0-only
/*
 * Indirect branch prediction barriers between a khv guest and whatever runs
 * next on its CPU: another khv VM, a KVM guest when khv shares VMX/SVM with
 * KVM, and host user space where the host asks for it (VMSCAPE).
 * Documentation/khv-abi.rst, "Isolation", states the rules.
 *
 * KVM puts an IBPB between two of its own vCPUs when it changes the VMCS or
 * VMCB it has loaded on a CPU; it does not see khv's guests (khv gives KVM's
 * VMCS back as current), so khv puts the barrier on both sides itself:
 *  - before entering a guest, unless the last guest on this CPU was the
 *    same VM and nothing else can have run since; while KVM shares the CPU,
 *    "nothing else" holds only within one KHV_RUN with the thread never
 *    scheduled out (a preempt notifier sees that);
 *  - while KVM shares the CPU, after a khv guest ran, when the thread is
 *    scheduled out or KHV_RUN returns, before a KVM guest can run there.
 * The write to IA32_PRED_CMD is direct: 7.3 exports write_ibpb() to KVM
 * only (Documentation/khv-abi.rst, "Isolation on entry and exit").
 */
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>

#include "compat.h"
#include "khv.h"
#include "mitig.h"

/* The khv VM whose guest last ran on this CPU; 0: unknown, anything may have. */
static DEFINE_PER_CPU(u64, khv_last_vm);
/* A khv guest ran on this CPU since its last barrier (shared mode only). */
static DEFINE_PER_CPU(bool, khv_ibpb_owed);

static void khv_ibpb(void)
{
	if (boot_cpu_has(X86_FEATURE_IBPB) && !khv_mitig_skip(KHV_MITIG_IBPB))
		khv_wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

static bool khv_spec_shared(void)
{
	return khv_virt_owner() == KHV_VIRT_SHARED;
}

/**
 * khv_barrier_on_vm_switch() - before a guest entry of @vm on this CPU.
 * @vm: the VM about to run. Preemption off, until after the exit.
 */
void khv_barrier_on_vm_switch(struct khv_vm *vm)
{
	/* VMSCAPE: the host's user space gets an IBPB before it runs again. */
	if (KHV_IBPB_EXIT_TO_USER() && !khv_mitig_skip(KHV_MITIG_VMSCAPE))
		khv_set_ibpb_exit_to_user();
	if (khv_spec_shared())
		this_cpu_write(khv_ibpb_owed, true);
	if (this_cpu_read(khv_last_vm) == vm->id)
		return;
	this_cpu_write(khv_last_vm, vm->id);
	khv_ibpb();
}

/* The barrier a khv guest owes a KVM guest that may run here next. */
static void khv_spec_leave_cpu(void)
{
	if (!this_cpu_read(khv_ibpb_owed))
		return;
	this_cpu_write(khv_ibpb_owed, false);
	khv_ibpb();
}

#ifdef CONFIG_PREEMPT_NOTIFIERS
/* Back on a CPU where a KVM guest may have run meanwhile. */
static void khv_spec_sched_in(struct preempt_notifier *pn, int cpu)
{
	this_cpu_write(khv_last_vm, 0);
}

static void khv_spec_sched_out(struct preempt_notifier *pn,
			       struct task_struct *next)
{
	khv_spec_leave_cpu();
}

static struct preempt_ops khv_spec_preempt_ops = {
	.sched_in = khv_spec_sched_in,
	.sched_out = khv_spec_sched_out,
};
#endif

/**
 * khv_spec_run_begin() - a KHV_RUN starts in this thread.
 * @sr: its state, on the caller's stack until khv_spec_run_end().
 */
void khv_spec_run_begin(struct khv_spec_run *sr)
{
	memset(sr, 0, sizeof(*sr));
	if (!khv_spec_shared())
		return;
	preempt_disable();
#ifdef CONFIG_PREEMPT_NOTIFIERS
	preempt_notifier_init(&sr->pn, &khv_spec_preempt_ops);
	preempt_notifier_register(&sr->pn);
	sr->on = true;
#endif
	/* Coming from user space: anything may have run here. */
	this_cpu_write(khv_last_vm, 0);
	preempt_enable();
}

/**
 * khv_spec_run_end() - the KHV_RUN of @sr returns to user space.
 * @sr: what khv_spec_run_begin() set up.
 */
void khv_spec_run_end(struct khv_spec_run *sr)
{
	preempt_disable();
#ifdef CONFIG_PREEMPT_NOTIFIERS
	if (sr->on) {
		preempt_notifier_unregister(&sr->pn);
		sr->on = false;
	}
#endif
	khv_spec_leave_cpu();
	preempt_enable();
}

void khv_spec_init(void)
{
#ifdef CONFIG_PREEMPT_NOTIFIERS
	preempt_notifier_inc();
#endif
}

void khv_spec_exit(void)
{
#ifdef CONFIG_PREEMPT_NOTIFIERS
	preempt_notifier_dec();
#endif
}
