// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest exceptions khv intercepts on both vendors (Documentation/khv-abi.rst,
 * "Isolation on entry and exit"): a machine check belongs to the host; an
 * alignment check or a debug exception goes back to the guest, through khv,
 * so that an exception that recurs while it is being delivered (CVE-2015-5307,
 * CVE-2015-8104) loops through the host instead of hanging the processor.
 */
#include <linux/module.h>
#include <linux/ptrace.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>

#include "compat.h"
#include "exit.h"
#include "khv.h"
#include "regs.h"
#include "x86.h"

/**
 * khv_machine_check() - hand a machine check that exited the guest to the
 *	host's handler. Call on the CPU it happened on, with interrupts still
 *	off after the exit.
 *
 * The guest is user space to the handler whatever its own CPL (as KVM does
 * it): a recoverable error in guest memory poisons the page and signals the
 * VMM instead of panicking the host.
 */
void khv_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	khv_do_machine_check(&regs);
#endif
}

/**
 * khv_vcpu_machine_check() - the exit handler of a machine check: the host's
 *	handler ran already (khv_machine_check()).
 * @vcpu: the vCPU.
 *
 * What the handler queued for the task (SIGBUS for a poisoned guest page)
 * runs on the way back to user space: KHV_RUN returns EINTR.
 * Return: -EINTR.
 */
int khv_vcpu_machine_check(struct khv_vcpu *vcpu)
{
	khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
	return -EINTR;
}

/**
 * khv_ac_is_split_lock() - whether an alignment-check exception of the guest
 *	is the host's split-lock detection rather than the guest's own.
 * @host_sld: the host has split-lock detection (X86_FEATURE_SPLIT_LOCK_DETECT).
 * @cpl:      the guest's CPL.
 * @cr0:      the guest's CR0.
 * @rflags:   the guest's RFLAGS.
 *
 * The guest's own #AC needs CPL 3, CR0.AM and EFLAGS.AC (SDM Vol. 3A 6.15,
 * interrupt 17); anything else is a split lock the host detected (as KVM's
 * vmx_guest_inject_ac() decides).
 * Return: true for a split lock.
 */
bool khv_ac_is_split_lock(bool host_sld, unsigned int cpl, u64 cr0, u64 rflags)
{
	if (!host_sld)
		return false;
	return cpl != 3 || !(cr0 & X86_CR0_AM) || !(rflags & X86_EFLAGS_AC);
}
EXPORT_SYMBOL_IF_KUNIT(khv_ac_is_split_lock);

/**
 * khv_vcpu_alignment_check() - the exit handler of an alignment check.
 * @vcpu:   the vCPU.
 * @err:    the error code (0).
 *
 * The guest's own #AC goes back to it. A split lock is the host's: in its
 * "warn" mode the task may go on (the kernel lets this task's split locks
 * through for a while); else (its "fatal" mode, which also sends SIGBUS, or
 * a kernel that keeps the decision for KVM) the run ends with
 * KHV_EXIT_INTERNAL_ERROR, info[0] the vector and info[1] RIP.
 * Return: 1 to enter the guest again, 0 to exit to user space.
 */
int khv_vcpu_alignment_check(struct khv_vcpu *vcpu, u32 err)
{
	u64 rip = khv_rip_read(vcpu);
	struct khv_cpu_mode m;

	khv_arch->get_cpu_mode(vcpu, &m);
	if (!khv_ac_is_split_lock(boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT),
				  khv_arch->get_cpl(vcpu), m.cr0,
				  khv_rflags_read(vcpu)))
		return khv_queue_exception(vcpu, X86_TRAP_AC, err, 0);
	if (khv_handle_guest_split_lock(rip))
		return 1;
	return khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR, 0, X86_TRAP_AC,
				 rip);
}
