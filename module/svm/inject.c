// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: event injection, the backend's half (arch.h, "Event injection";
 * the core chooses in event.c), and the exits of its windows. Everything is
 * in the VMCB: the ops work from any context.
 *
 * SVM injects through EVENTINJ (APM 15.20) but keeps no NMI blocking for
 * the guest (without vNMI, which khv does not use). As KVM does without
 * vNMI: injecting an NMI masks NMIs and sets the IRET intercept; the
 * intercept fires before the IRET runs, so NMIs unmask at the first exit
 * with the guest past it. When an NMI waits for that, or for an interrupt
 * shadow to end, khv single-steps the guest (RFLAGS.TF) to get that exit at
 * once; the #DB it causes is khv's, not the guest's.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../arch.h"
#include "../event.h"
#include "../exit.h"
#include "../regs.h"
#include "../vcpu.h"
#include "../x86.h"
#include "svm.h"
#include "vcpu.h"
#include "vmcb.h"

#define SVM_SS_FLAGS	(X86_EFLAGS_TF | X86_EFLAGS_RF)

static bool svm_in_shadow(struct svm_vcpu *svm)
{
	return svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW;
}

static void svm_iret_intercept(struct svm_vcpu *svm, bool on)
{
	if (on)
		svm->vmcb->control.intercept3 |= SVM_I3_IRET;
	else
		svm->vmcb->control.intercept3 &= ~SVM_I3_IRET;
}

/* The guest's RFLAGS: without the TF and RF a single step of khv's added. */
u64 svm_guest_rflags(struct svm_vcpu *svm)
{
	u64 rflags = svm->vmcb->save.rflags;

	if (svm->nmi_singlestep)
		rflags &= ~(SVM_SS_FLAGS & ~svm->nmi_ss_rflags);
	return rflags;
}

void svm_nmi_singlestep_stop(struct svm_vcpu *svm)
{
	if (!svm->nmi_singlestep)
		return;
	svm->vmcb->save.rflags = svm_guest_rflags(svm);
	svm->nmi_singlestep = false;
}

/*
 * APM 15.21.1, 15.21.5: an interrupt needs RFLAGS.IF (V_INTR_MASKING: the
 * guest's own) and no interrupt shadow; GIF is set for a khv guest, which
 * cannot clear it (CLGI raises #UD).
 */
bool svm_interrupt_allowed(struct khv_vcpu *vcpu)
{
	return (khv_rflags_read(vcpu) & X86_EFLAGS_IF) &&
	       !svm_in_shadow(to_svm(vcpu));
}

/* An NMI: not masked by an earlier one, no interrupt shadow (as KVM). */
bool svm_nmi_allowed(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !svm->nmi_masked && !svm_in_shadow(svm);
}

void svm_inject_event(struct khv_vcpu *vcpu, const struct khv_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = svm_event_inj(ev);
	if (ev->type == KHV_EVENT_NMI) {
		svm->nmi_masked = true;
		svm_iret_intercept(svm, true);
	}
}

void svm_set_cr2(struct khv_vcpu *vcpu, u64 cr2)
{
	to_svm(vcpu)->vmcb->save.cr2 = cr2;
}

/*
 * APM 15.21.4: a virtual interrupt (V_IRQ) is taken, or with the VINTR
 * intercept exits, when the guest could take a physical one: RFLAGS.IF and
 * no shadow. A dummy one at the highest priority and ignoring the virtual
 * TPR (user space's ExtINT does not depend on it) exits then; the real
 * interrupt goes through EVENTINJ (KVM's svm_set_vintr()).
 */
void svm_request_irq_window(struct khv_vcpu *vcpu, bool open)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	if (open) {
		c->intercept3 |= SVM_I3_VINTR;
		c->int_vector = 0;
		c->int_ctl = (c->int_ctl & ~SVM_V_INTR_PRIO_MASK) | SVM_V_IRQ |
			     SVM_V_IGN_TPR | 0xf << SVM_V_INTR_PRIO_SHIFT;
	} else {
		c->intercept3 &= ~SVM_I3_VINTR;
		c->int_ctl &= ~(SVM_V_IRQ | SVM_V_INTR_PRIO_MASK | SVM_V_IGN_TPR);
	}
}

/*
 * An NMI masked by the one before waits for the IRET intercept; once that
 * fired, or while an interrupt shadow holds it back, one step of the guest
 * (RFLAGS.TF and RF, as KVM's svm_enable_nmi_window()) exits right after the
 * IRET or the covered instruction. Not while an event is injected at this
 * entry: its delivery would push the TF onto the guest's stack; the next
 * exit looks again.
 */
void svm_request_nmi_window(struct khv_vcpu *vcpu, bool open)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_vmcb *vmcb = svm->vmcb;

	if ((svm->nmi_masked && !svm->awaiting_iret) ||
	    (vmcb->control.event_inj & SVM_EVTINJ_VALID))
		open = false;
	if (!open) {
		svm_nmi_singlestep_stop(svm);
		return;
	}
	if (!svm->nmi_singlestep) {
		svm->nmi_ss_rflags = vmcb->save.rflags & SVM_SS_FLAGS;
		svm->nmi_singlestep = true;
	}
	vmcb->save.rflags |= SVM_SS_FLAGS;
}

/*
 * After an exit: the event EXITINTINFO says it interrupted (APM 15.7.2). A
 * refused entry (VMEXIT_INVALID) delivered nothing, and a shutdown leaves
 * nothing pending: neither gives anything back. An IRET intercepted before
 * is done once RIP moved (KVM's svm_complete_interrupts()).
 */
void svm_exit_event(struct khv_vcpu *vcpu, struct khv_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_control *c = &svm->vmcb->control;

	c->event_inj = 0;
	if (svm->awaiting_iret && khv_rip_read(vcpu) != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->nmi_masked = false;
	}
	if ((u32)c->exit_code == (u32)SVM_EXIT_INVALID ||
	    c->exit_code == SVM_EXIT_SHUTDOWN)
		return;
	svm_event_decode(c->exit_int_info, ev);
}

/* SVM has one shadow bit: STI and MOV SS alike. */
u8 svm_get_interrupt_shadow(struct khv_vcpu *vcpu)
{
	return svm_in_shadow(to_svm(vcpu)) ?
	       KHV_INTERRUPT_SHADOW_STI | KHV_INTERRUPT_SHADOW_MOV_SS : 0;
}

void svm_set_interrupt_shadow(struct khv_vcpu *vcpu, u8 mask)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	if (mask)
		c->int_state |= SVM_INTERRUPT_SHADOW;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW;
}

bool svm_get_nmi_mask(struct khv_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

void svm_set_nmi_mask(struct khv_vcpu *vcpu, bool masked)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	svm->awaiting_iret = false;
	svm_iret_intercept(svm, masked);
}

/* The guest can take an interrupt now: the window closes (event.c injects). */
int svm_handle_vintr(struct khv_vcpu *vcpu)
{
	svm_request_irq_window(vcpu, false);
	return 1;
}

/* The NMI handler's IRET, before it runs: NMIs unmask once it is done. */
int svm_handle_iret(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->awaiting_iret = true;
	svm->iret_rip = khv_rip_read(vcpu);
	svm_iret_intercept(svm, false);
	return 1;
}

/*
 * A #DB: after khv's single step it is khv's (the guest's own goes back to
 * it if it was single-stepping too); otherwise the guest's. The processor
 * wrote its causes into the VMCB's DR6 before the intercept (svm_vcpu_run()
 * leaves none there).
 */
int svm_handle_db(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 causes = svm->vmcb->save.dr6 & KHV_DR6_VOLATILE;
	bool guest_tf;

	if (!svm->nmi_singlestep)
		return khv_deliver_db(vcpu, causes);
	guest_tf = svm->nmi_ss_rflags & X86_EFLAGS_TF;
	svm_nmi_singlestep_stop(svm);
	return guest_tf ? khv_deliver_db(vcpu, causes) : 1;
}

/*
 * The guest's CR8 is V_TPR under V_INTR_MASKING (APM 15.21.1): MOV to and
 * from CR8 use it without an exit.
 */
u8 svm_get_cr8(struct khv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & 0xf;
}

void svm_set_cr8(struct khv_vcpu *vcpu, u8 cr8)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl = (c->int_ctl & ~SVM_V_TPR_MASK) | (cr8 & 0xf);
}

/* A MOV to CR8 exits while an interrupt waits for a lower TPR (as KVM). */
void svm_cr8_intercept(struct khv_vcpu *vcpu, bool on)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	if (on)
		c->intercept_cr |= SVM_CR_WRITE(8);
	else
		c->intercept_cr &= ~SVM_CR_WRITE(8);
}
