// SPDX-License-Identifier: GPL-2.0-only
/*
 * Getting vCPUs out of the guest (Documentation/khv-abi.rst, "Leaving the
 * guest"): a change of the VM's state (pause, destroy) and a change of its
 * nested page table must reach a vCPU that is inside the guest now, without
 * waiting for a host interrupt that a nohz_full CPU may never take.
 *
 * The protocol is KVM's (kvm_vcpu_kick(), kvm_make_all_cpus_request()):
 *
 *   vCPU, interrupts off              kicker
 *   cpu = this CPU                    change vm->state or vm->tlb_gen
 *   mode = IN_GUEST; smp_mb()         smp_mb()
 *   read vm->state, vm->tlb_gen       read mode (then cpu)
 *   enter the guest ... exit          IN_GUEST: IPI to cpu
 *   mode = OUTSIDE; interrupts on
 *
 * Either the kicker sees IN_GUEST and its IPI ends the entry (an IPI that
 * arrives while interrupts are off is held until the guest runs, and then
 * exits it at once), or the vCPU sees the new state and tlb_gen before it
 * enters. A kicker that waits for its IPI (smp_call_function_single(),
 * wait) returns only once that CPU has taken the interrupt with interrupts
 * on: after the exit.
 */
#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/rcuwait.h>
#include <linux/smp.h>
/* smp_send_reschedule() traces the IPI from 6.4 on, as KVM includes. */
#include <trace/events/ipi.h>

#include "khv.h"
#include "lapic.h"

/* IPIs sent to vCPUs inside the guest, since load (debugfs "kicks"). */
static atomic64_t khv_nr_kicks = ATOMIC64_INIT(0);

u64 khv_kicks(void)
{
	return atomic64_read(&khv_nr_kicks);
}

static void khv_kick_ack(void *unused)
{
}

/**
 * khv_vcpu_enter_guest() - the vCPU is about to enter the guest.
 * @vcpu:  the vCPU, on this CPU with interrupts off until
 *	   khv_vcpu_exit_guest().
 * @flush: out: the VM's nested page table changed since this vCPU last
 *	   flushed: the backend must invalidate the translations cached from
 *	   it (INVEPT, an ASID flush) before it enters.
 *
 * Entering, it also chooses the event to inject and the windows to open
 * (khv_event_before_entry()), through the backend's ops: on VMX with the
 * VMCS current, so the backend calls this after loading it.
 *
 * Return: true to enter; false to skip this entry (the VM is no longer
 * running: KHV_RUN's loop sees why).
 */
bool khv_vcpu_enter_guest(struct khv_vcpu *vcpu, bool *flush)
{
	struct khv_vm *vm = vcpu->vm;
	u64 gen;

	lockdep_assert_irqs_disabled();
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	/* The CPU before the mode: pairs with the smp_rmb() of khv_vcpu_kick(). */
	smp_wmb();
	/*
	 * The mode before the reads of state and tlb_gen: pairs with the
	 * smp_mb() of khv_vm_kick() and khv_vm_flush_tlbs().
	 */
	smp_store_mb(vcpu->mode, KHV_VCPU_IN_GUEST);
	/*
	 * A request (NMI, INIT, SIPI) that came since the loop looked, or the
	 * CPU cap's timer (quota_run.c): go round.
	 */
	if (READ_ONCE(vm->state) != KHV_VM_STATE_RUNNING ||
	    (vcpu->lapic && khv_lapic_requests(vcpu)) ||
	    READ_ONCE(vcpu->run_quota.expired)) {
		khv_vcpu_exit_guest(vcpu);
		return false;
	}
	/* Its I/O bitmap, as the ACL's last change published it (acl_vm.c). */
	vcpu->io_bitmap_pa = READ_ONCE(vm->acl.bitmap_pa);
	gen = atomic64_read(&vm->tlb_gen);
	*flush = gen != vcpu->tlb_gen;
	vcpu->tlb_gen = gen;
	khv_event_before_entry(vcpu);
	return true;
}

/**
 * khv_vcpu_exit_guest() - the vCPU left the guest; interrupts still off.
 * @vcpu: the vCPU.
 */
void khv_vcpu_exit_guest(struct khv_vcpu *vcpu)
{
	/* The guest's entry is over before the mark goes. */
	smp_store_release(&vcpu->mode, KHV_VCPU_OUTSIDE_GUEST);
}

/*
 * IPI @vcpu's CPU if it is inside the guest; @wait: until that CPU took it
 * (the vCPU has left that entry). The caller's smp_mb() orders its change
 * before the read of the mode.
 */
static void khv_vcpu_kick(struct khv_vcpu *vcpu, bool wait)
{
	int cpu;

	if (READ_ONCE(vcpu->mode) != KHV_VCPU_IN_GUEST)
		return;
	/* The mode before the CPU: pairs with khv_vcpu_enter_guest()'s smp_wmb(). */
	smp_rmb();
	cpu = READ_ONCE(vcpu->cpu);
	atomic64_inc(&khv_nr_kicks);
	if (wait) {
		smp_call_function_single(cpu, khv_kick_ack, NULL, 1);
		return;
	}
	/* As kvm_vcpu_kick(): the guest exits on any interrupt. */
	preempt_disable();
	if (cpu != smp_processor_id() && cpu_online(cpu))
		smp_send_reschedule(cpu);
	preempt_enable();
}

/**
 * khv_vcpu_wake() - make @vcpu see what was just raised for it (an
 *	interrupt in its APIC, a request): out of the guest if it is inside,
 *	awake if it sleeps in KHV_RUN.
 * @vcpu: the vCPU; any context, hard interrupts included.
 */
void khv_vcpu_wake(struct khv_vcpu *vcpu)
{
	/* The raised bit before the mode: pairs with khv_vcpu_enter_guest(). */
	smp_mb();
	khv_vcpu_kick(vcpu, false);
	rcuwait_wake_up(&vcpu->wait);
}

/* Kick every vCPU of @vm; the VM's vCPUs cannot be freed meanwhile. */
static void khv_vm_kick_all(struct khv_vm *vm, bool wait)
{
	struct khv_vcpu *vcpu;
	unsigned int i;

	mutex_lock(&vm->vcpu_lock);
	for (i = 0; i < KHV_MAX_VCPUS && !vm->gone; i++) {
		vcpu = READ_ONCE(vm->vcpus[i]);
		if (!vcpu)
			continue;
		khv_vcpu_kick(vcpu, wait);
		/* A vCPU asleep in KHV_RUN (halted, waiting for SIPI) looks too. */
		rcuwait_wake_up(&vcpu->wait);
	}
	mutex_unlock(&vm->vcpu_lock);
}

/**
 * khv_vm_kick() - make the vCPUs inside the guest see a new vm->state now.
 * @vm: the VM, referenced; its state was just changed.
 */
void khv_vm_kick(struct khv_vm *vm)
{
	/* The state before the modes: pairs with khv_vcpu_enter_guest(). */
	smp_mb();
	khv_vm_kick_all(vm, false);
}

/**
 * khv_vm_flush_tlbs() - after it returns, no vCPU of @vm uses a translation
 *	cached from the nested page table before the call.
 * @vm: the VM, with its mem_lock held.
 *
 * Call it after unmapping and before the pages leave the VM (are freed):
 * every vCPU inside the guest is made to leave it, and waited for, and each
 * flushes at its next entry (khv_vcpu_enter_guest()). A vCPU moving to another
 * CPU flushes there too (the backends' load path), so translations left in
 * other CPUs' TLBs are never used by this VM again.
 */
void khv_vm_flush_tlbs(struct khv_vm *vm)
{
	lockdep_assert_held(&vm->mem_lock);
	might_sleep();
	atomic64_inc(&vm->tlb_gen);
	/* tlb_gen before the modes: pairs with khv_vcpu_enter_guest(). */
	smp_mb__after_atomic();
	khv_vm_kick_all(vm, true);
}

/**
 * khv_vm_kick_wait() - after it returns, no vCPU of @vm runs the guest with
 *	what it read at its entry before the call (its I/O bitmap).
 * @vm: the VM, referenced; sleeps.
 */
void khv_vm_kick_wait(struct khv_vm *vm)
{
	might_sleep();
	/* The change before the modes: pairs with khv_vcpu_enter_guest(). */
	smp_mb();
	khv_vm_kick_all(vm, true);
}
