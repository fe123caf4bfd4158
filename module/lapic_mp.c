// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU's MP state with the irqchip (Documentation/khv-abi.rst, "MP
 * state"): HLT that sleeps inside KHV_RUN, an AP that waits for INIT and
 * then for a start-up IPI, the requests other contexts leave (NMI, INIT,
 * SIPI), and the vCPU ioctls of the APIC (KHV_GET/SET_LAPIC,
 * KHV_GET/SET_MP_STATE). KVM's kvm_vcpu_block() and
 * kvm_apic_accept_events() are the model.
 */
#include <linux/rcuwait.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "khv.h"
#include "lapic.h"
#include "regs.h"

/* Requests a vCPU in @mp_state acts on; the others wait. */
static unsigned long khv_lapic_req_mask(u32 mp_state)
{
	switch (mp_state) {
	case KHV_MP_STATE_UNINITIALIZED:
		return BIT(KHV_REQ_INIT);
	case KHV_MP_STATE_INIT_RECEIVED:
		return BIT(KHV_REQ_INIT) | BIT(KHV_REQ_SIPI);
	default:
		return BIT(KHV_REQ_INIT) | BIT(KHV_REQ_SIPI) | BIT(KHV_REQ_NMI);
	}
}

/**
 * khv_lapic_requests() - must the vCPU look at its requests before it
 *	enters (khv_vcpu_enter_guest(), after its mode is IN_GUEST)?
 * @vcpu: the vCPU, its own thread.
 *
 * Return: true if a request it acts on is pending.
 */
bool khv_lapic_requests(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	return READ_ONCE(a->req) & khv_lapic_req_mask(a->mp_state);
}

/* The architectural state after INIT (SDM Vol. 3A Table 10-1), APIC too. */
static void khv_vcpu_init_state(struct khv_vcpu *vcpu)
{
	struct khv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct khv_sregs sregs, *s = &sregs;
	unsigned int i;
	u32 sig[4];

	/* On the stack, as in KHV_SET_SREGS: an INIT cannot fail. */
	memset(s, 0, sizeof(*s));
	khv_arch->get_sregs(vcpu, s);
	s->cs = data;
	s->cs.type = 0xb;
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	s->ds = data;
	s->es = data;
	s->fs = data;
	s->gs = data;
	s->ss = data;
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.limit = 0xffff;
	s->tr.type = 0xb;
	s->tr.present = 1;
	memset(&s->ldt, 0, sizeof(s->ldt));
	s->ldt.limit = 0xffff;
	s->ldt.type = 2;
	s->ldt.present = 1;
	memset(&s->gdt, 0, sizeof(s->gdt));
	memset(&s->idt, 0, sizeof(s->idt));
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	/* CD and NW stay (Table 10-1; KVM's kvm_vcpu_reset() too). */
	s->cr0 = X86_CR0_ET | (s->cr0 & (X86_CR0_CD | X86_CR0_NW));
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->cr8 = 0;
	s->efer = 0;
	WARN_ON_ONCE(khv_arch->set_sregs(vcpu, s));
	for (i = 0; i < KHV_NR_REGS; i++)
		khv_register_write(vcpu, i, 0);
	/* EDX: the processor's signature, CPUID.1's EAX as the guest sees it. */
	khv_cpuid(vcpu, 1, 0, sig);
	khv_register_write(vcpu, KHV_REG_RDX, sig[0]);
	khv_rip_write(vcpu, 0xfff0);
	/* The debug registers as after RESET (XCR0 stays). */
	khv_dr_reset(&vcpu->dr);
	khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
	khv_register_write(vcpu, KHV_REG_RFLAGS, X86_EFLAGS_FIXED);
	vcpu->events = (struct khv_events){
		.req_irq_window = vcpu->events.req_irq_window,
	};
	khv_arch->set_interrupt_shadow(vcpu, 0);
	khv_arch->set_nmi_mask(vcpu, false);
	vcpu->pending = KHV_PENDING_NONE;
	khv_lapic_reset(vcpu, true);
}

/* A start-up IPI: real mode at @vec:0000 (SDM Vol. 3A 9.4.4). */
static void khv_vcpu_sipi(struct khv_vcpu *vcpu, u8 vec)
{
	struct khv_sregs s;

	memset(&s, 0, sizeof(s));
	khv_arch->get_sregs(vcpu, &s);
	s.cs.selector = vec << 8;
	s.cs.base = (u64)vec << 12;
	WARN_ON_ONCE(khv_arch->set_sregs(vcpu, &s));
	khv_rip_write(vcpu, 0);
}

/* Act on the requests the MP state allows; INIT before SIPI. */
static void khv_lapic_process(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;
	u32 sipi;

	if (!READ_ONCE(a->req))
		return;
	if (test_and_clear_bit(KHV_REQ_INIT, &a->req)) {
		khv_vcpu_init_state(vcpu);
		a->mp_state = (a->base & KHV_APIC_BASE_BSP) ?
			      KHV_MP_STATE_RUNNABLE : KHV_MP_STATE_INIT_RECEIVED;
	}
	/* Taken in any state, started only after INIT (khv_lapic_accept()). */
	if (test_and_clear_bit(KHV_REQ_SIPI, &a->req)) {
		sipi = xchg(&a->sipi, 0);
		if (a->mp_state == KHV_MP_STATE_INIT_RECEIVED &&
		    (sipi & KHV_APIC_SIPI_LATCHED)) {
			khv_vcpu_sipi(vcpu, sipi & KHV_APIC_VECTOR_MASK);
			a->mp_state = KHV_MP_STATE_RUNNABLE;
		}
	}
	if (a->mp_state == KHV_MP_STATE_RUNNABLE ||
	    a->mp_state == KHV_MP_STATE_HALTED) {
		if (test_and_clear_bit(KHV_REQ_NMI, &a->req))
			khv_event_raise_nmi(vcpu);
	}
}

/* A halted vCPU goes on: an interrupt it takes, an NMI, an event. */
static bool khv_lapic_halt_over(struct khv_vcpu *vcpu)
{
	const struct khv_events *ev = &vcpu->events;

	return khv_lapic_pending(vcpu) >= 0 ||
	       (ev->irq_pending && khv_lapic_accepts_extint(vcpu)) ||
	       ev->nmi_pending || ev->exc_pending ||
	       ev->injected.type != KHV_EVENT_NONE;
}

static bool khv_lapic_should_wake(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	if (READ_ONCE(vcpu->vm->state) != KHV_VM_STATE_RUNNING ||
	    khv_lapic_requests(vcpu))
		return true;
	return a->mp_state == KHV_MP_STATE_HALTED && khv_lapic_halt_over(vcpu);
}

/**
 * khv_lapic_block() - before an entry: act on requests, and sleep while the
 *	vCPU is halted or waits for INIT or SIPI.
 * @vcpu: the vCPU, in KHV_RUN's loop (its mutex held, interrupts on).
 *
 * The sleep ends for an interrupt, NMI, INIT or SIPI (khv_vcpu_wake()), a
 * signal, or a change of the VM's state (khv_vm_kick()).
 *
 * Return: 1: enter; 0: look at the VM's state again; -EINTR: a signal.
 */
int khv_lapic_block(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	for (;;) {
		khv_lapic_process(vcpu);
		if (a->mp_state == KHV_MP_STATE_HALTED &&
		    khv_lapic_halt_over(vcpu))
			a->mp_state = KHV_MP_STATE_RUNNABLE;
		if (a->mp_state == KHV_MP_STATE_RUNNABLE)
			return 1;
		if (READ_ONCE(vcpu->vm->state) != KHV_VM_STATE_RUNNING)
			return 0;
		if (rcuwait_wait_event(&vcpu->wait, khv_lapic_should_wake(vcpu),
				       TASK_INTERRUPTIBLE))
			return -EINTR;
	}
}

/**
 * khv_lapic_eoi_exit() - end the run with KHV_EXIT_IOAPIC_EOI when the
 *	guest ended a level-triggered interrupt since the last look (KVM's
 *	KVM_EXIT_IOAPIC_EOI with a split irqchip): the IOAPIC in user space
 *	clears its Remote IRR and may deliver again. An assigned function's
 *	INTx that khv raised is resampled here instead (iommu/intx.c), and
 *	user space does not hear of its EOI.
 * @vcpu: the vCPU, in KHV_RUN's loop (process context, its mutex held,
 *	no other lock).
 *
 * Return: true with vcpu->run filled.
 */
bool khv_lapic_eoi_exit(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;
	struct khv_vm *vm = vcpu->vm;
	u8 vec;

	if (likely(!a->eoi_exit))
		return false;
	vec = a->eoi_exit - 1;
	a->eoi_exit = 0;
	/* Without a lock first: most level vectors are no INTx of khv's. */
	if (test_bit(vec, vm->iommu.intx_vec.map) && khv_intx_eoi(vm, vec))
		return false;
	memset(&vcpu->run->eoi, 0, sizeof(vcpu->run->eoi));
	vcpu->run->eoi.vector = vec;
	khv_vcpu_exit(vcpu, KHV_EXIT_IOAPIC_EOI);
	return true;
}

/**
 * khv_lapic_halt() - HLT with the irqchip (the instruction is skipped).
 * @vcpu: the vCPU, in its exit handler.
 *
 * With RFLAGS.IF set the vCPU halts: KHV_RUN sleeps until something wakes
 * it (khv_lapic_block()). With IF clear only an NMI could: one pending goes
 * on, else KHV_EXIT_HLT as without the irqchip.
 *
 * Return: as an exit handler.
 */
int khv_lapic_halt(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	if (khv_rflags_read(vcpu) & X86_EFLAGS_IF) {
		a->mp_state = KHV_MP_STATE_HALTED;
		return 1;
	}
	if (vcpu->events.nmi_pending || test_bit(KHV_REQ_NMI, &a->req))
		return 1;
	return khv_vcpu_exit(vcpu, KHV_EXIT_HLT);
}

static long khv_lapic_mp_state_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
				     void __user *argp)
{
	struct khv_lapic *a = vcpu->lapic;
	struct khv_mp_state mp;

	if (cmd == KHV_GET_MP_STATE) {
		memset(&mp, 0, sizeof(mp));
		mp.mp_state = a->mp_state;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	if (mp.reserved || mp.mp_state > KHV_MP_STATE_HALTED)
		return -EINVAL;
	a->mp_state = mp.mp_state;
	return 0;
}

/**
 * khv_lapic_ioctl() - KHV_GET_LAPIC, KHV_SET_LAPIC, KHV_GET_MP_STATE,
 *	KHV_SET_MP_STATE.
 * @vcpu: the vCPU, its mutex held.
 * @cmd:  the ioctl.
 * @argp: its argument.
 *
 * Return: 0; -ENXIO without the irqchip; -EINVAL, -EFAULT, -ENOMEM.
 */
long khv_lapic_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
		     void __user *argp)
{
	struct khv_lapic_state *s;
	long r;

	if (!vcpu->lapic)
		return -ENXIO;
	if (cmd == KHV_GET_MP_STATE || cmd == KHV_SET_MP_STATE)
		return khv_lapic_mp_state_ioctl(vcpu, cmd, argp);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	if (cmd == KHV_GET_LAPIC) {
		khv_lapic_get_state(vcpu, s);
		r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	} else {
		r = copy_from_user(s, argp, sizeof(*s)) ? -EFAULT :
		    khv_lapic_set_state(vcpu, s);
	}
	kfree(s);
	return r;
}
