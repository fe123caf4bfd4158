/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event injection, one vendor-neutral model (event.c): what a vCPU has to
 * deliver besides its instruction stream (exceptions, NMIs, external
 * interrupts), what the core chooses to inject before each entry, and what
 * an exit interrupted. The backends only write the chosen event into the
 * VMCS/VMCB and read back the one an exit interrupted (arch.h).
 */
#ifndef KHV_EVENT_H
#define KHV_EVENT_H

#include <linux/types.h>

struct khv_vcpu;
struct khv_vcpu_events;

/*
 * The kinds of event delivery, as both VMX (interruption types, SDM Vol. 3C
 * 25.8.3) and SVM (EVENTINJ types, APM 15.20) know them. The software kinds
 * (INTn, INT3/INTO, INT1) are never carried across an exit: the guest's RIP
 * still points at the instruction, which raises them again (event.c).
 */
enum khv_event_type {
	KHV_EVENT_NONE,
	KHV_EVENT_EXT_INTR,
	KHV_EVENT_NMI,
	KHV_EVENT_HW_EXCEPTION,
	KHV_EVENT_SOFT_INTR,
	KHV_EVENT_SOFT_EXCEPTION,
	KHV_EVENT_PRIV_SOFT_EXCEPTION,
};

/**
 * struct khv_event - one event, as the hardware delivers it.
 * @type:      enum khv_event_type.
 * @vector:    the IDT vector (2 for an NMI).
 * @has_error: a hardware exception that pushes @error.
 * @insn_len:  for the software kinds: the length of the instruction that
 *	raised it (the return address is past it).
 * @error:     the error code.
 */
struct khv_event {
	u8 type;
	u8 vector;
	bool has_error;
	u8 insn_len;
	u32 error;
};

/**
 * struct khv_events - a vCPU's events besides its registers; protected by
 *	the vCPU's mutex (KHV_RUN, the event ioctls). The interrupt shadow and
 *	the NMI mask live in the hardware's state and are read through the
 *	backend (arch.h).
 * @injected:  the event whose delivery the last exit interrupted (read back
 *	after every exit), or the one chosen for the next entry: delivered
 *	again, exactly once, before anything else.
 * @exc_pending: a hardware exception raised (khv_queue_exception(),
 *	KHV_SET_VCPU_EVENTS) and not yet delivered; never together with
 *	@injected (queueing one resolves the two, event.c),
 * @exc_vector: its vector,
 * @exc_has_error: whether it pushes
 * @exc_error: this error code,
 * @exc_has_payload: and whether @exc_payload is its CR2 (#PF) or DR6 (#DB),
 * @exc_payload: applied when it is delivered.
 * @nmi_pending: NMIs raised (KHV_NMI) and not yet delivered, 0-2.
 * @irq_pending: an external interrupt queued by user space (KHV_INTERRUPT,
 * @irq_vector: the PIC's ExtINT path) with this vector, not yet delivered.
 * @req_irq_window: this KHV_RUN's request_interrupt_window.
 */
struct khv_events {
	struct khv_event injected;
	bool exc_pending;
	u8 exc_vector;
	bool exc_has_error;
	u32 exc_error;
	bool exc_has_payload;
	u64 exc_payload;
	u8 nmi_pending;
	bool irq_pending;
	u8 irq_vector;
	bool req_irq_window;
};

/* What khv_event_choose() injects at the next entry. */
enum khv_inject {
	KHV_INJECT_NONE,
	KHV_INJECT_AGAIN,	/* events->injected, interrupted before */
	KHV_INJECT_EXCEPTION,	/* the pending exception */
	KHV_INJECT_NMI,		/* a pending NMI */
	KHV_INJECT_IRQ,		/* the pending external interrupt */
};

/**
 * struct khv_event_state - what khv_event_choose() decides on.
 * @injected:    an event whose delivery an exit interrupted.
 * @exc_pending: a pending hardware exception.
 * @nmi_pending: pending NMIs (0-2),
 * @nmi_allowed: and the guest could take one now.
 * @irq_pending: a pending external interrupt,
 * @irq_allowed: and the guest could take one now (RFLAGS.IF, no shadow).
 * @irq_window_requested: user space asked to hear when it could.
 */
struct khv_event_state {
	bool injected;
	bool exc_pending;
	u8 nmi_pending;
	bool nmi_allowed;
	bool irq_pending;
	bool irq_allowed;
	bool irq_window_requested;
};

/**
 * struct khv_event_choice - khv_event_choose()'s answer.
 * @inject:     enum khv_inject.
 * @nmi_window: exit as soon as the guest can take an NMI.
 * @irq_window: exit as soon as it can take an external interrupt.
 */
struct khv_event_choice {
	u8 inject;
	bool nmi_window;
	bool irq_window;
};

/* event.c: pure, KUnit-tested (event_test.c) */
void khv_event_choose(const struct khv_event_state *s,
		      struct khv_event_choice *c);
int khv_vcpu_events_check(const struct khv_vcpu_events *e);

/* event.c */
int khv_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2);
void khv_event_before_entry(struct khv_vcpu *vcpu);
void khv_event_after_exit(struct khv_vcpu *vcpu);
void khv_event_raise_nmi(struct khv_vcpu *vcpu);
bool khv_event_irq_ready(struct khv_vcpu *vcpu);
void khv_event_run_report(struct khv_vcpu *vcpu);
long khv_vcpu_event_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
			  unsigned long arg);

#endif /* KHV_EVENT_H */
