// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event injection, vendor-neutral (Documentation/khv-abi.rst, "Events"):
 * the core owns what a vCPU has to deliver (struct khv_events) and chooses,
 * right before each entry with interrupts off, what to inject; the backends
 * write that one event into the VMCS or VMCB and, after the exit, read back
 * the one whose delivery the exit interrupted (arch.h). KVM's
 * inject_pending_event() and kvm_multiple_exception() are the model.
 *
 *   after an exit:   injected = what the exit interrupted (exit_event), or
 *                    nothing: an event delivered is gone.
 *   exit handlers:   khv_queue_exception(): merges with what was being
 *                    delivered (SDM Vol. 3A 6.15), pending until the entry.
 *   user space:      KHV_INTERRUPT, KHV_NMI, KHV_SET_VCPU_EVENTS (under the
 *                    vCPU's mutex, so never while it runs).
 *   before an entry: khv_event_choose(): the interrupted event again; else
 *                    the pending exception; else an NMI the guest can take
 *                    (else an NMI window); else an interrupt it can take
 *                    (else an interrupt window).
 *
 * A software event (INTn, INT3, INTO, INT1) is never carried: when an exit
 * interrupts its delivery the guest's RIP still points at its instruction,
 * which raises it again (SDM Vol. 3C 28.2.4, APM 15.7.2).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"
#include "regs.h"
#include "x86.h"

/**
 * khv_event_choose() - what to inject at the next entry, and which windows
 *	to open.
 * @s: the vCPU's events and what the guest can take now.
 * @c: out: the choice.
 *
 * An event whose delivery an exit interrupted goes first: the processor
 * had begun it and must finish it, exactly once. Then a pending exception:
 * it belongs to the instruction that last ran and is not blocked by
 * anything. Then an NMI, then an external interrupt (SDM Vol. 3A 7.9), each
 * only when the guest can take it; one that must wait asks for a window,
 * and so does user space's request_interrupt_window.
 */
void khv_event_choose(const struct khv_event_state *s,
		      struct khv_event_choice *c)
{
	memset(c, 0, sizeof(*c));
	if (s->injected)
		c->inject = KHV_INJECT_AGAIN;
	else if (s->exc_pending)
		c->inject = KHV_INJECT_EXCEPTION;
	else if (s->nmi_pending && s->nmi_allowed)
		c->inject = KHV_INJECT_NMI;
	else if (s->irq_pending && s->irq_allowed)
		c->inject = KHV_INJECT_IRQ;

	/* A second NMI waits for the first one's IRET. */
	c->nmi_window = s->nmi_pending > (c->inject == KHV_INJECT_NMI);
	c->irq_window = s->irq_window_requested ||
			(s->irq_pending && c->inject != KHV_INJECT_IRQ);
}
EXPORT_SYMBOL_IF_KUNIT(khv_event_choose);

static bool khv_bool_ok(u8 v)
{
	return v <= 1;
}

/* An exception of KHV_SET_VCPU_EVENTS, injected or pending. */
static int khv_events_check_exception(const struct khv_vcpu_events *e)
{
	u8 v = e->exception.vector;

	if (!e->exception.injected && !e->exception.pending)
		return e->exception.vector || e->exception.has_error ||
		       e->exception.error || e->exception.has_payload ||
		       e->exception.payload ? -EINVAL : 0;
	/* Hardware exceptions are 0-31; 2 is the NMI, which has its own. */
	if (v > 31 || v == X86_TRAP_NMI)
		return -EINVAL;
	if (e->exception.has_error && !khv_exception_has_error(v))
		return -EINVAL;
	if (!e->exception.has_error && e->exception.error)
		return -EINVAL;
	/* A payload is CR2 or DR6, written when a pending one is delivered. */
	if (e->exception.has_payload &&
	    (!e->exception.pending || (v != X86_TRAP_PF && v != X86_TRAP_DB)))
		return -EINVAL;
	if (!e->exception.has_payload && e->exception.payload)
		return -EINVAL;
	return 0;
}

/**
 * khv_vcpu_events_check() - is @e a state KHV_SET_VCPU_EVENTS may install?
 * @e: copied from user space.
 *
 * Reserved, padding and flags 0; booleans 0 or 1; the fields of an absent
 * event 0; exceptions 0-31 but 2, an error code only for a vector that
 * pushes one, a payload only for a pending #PF or #DB; interrupt vectors
 * 32-255; no software interrupt; known shadow bits; at most one event
 * injected, and none with a pending exception; at most 2 pending NMIs, 1
 * while NMIs are masked or one is injected.
 *
 * Return: 0 or -EINVAL.
 */
int khv_vcpu_events_check(const struct khv_vcpu_events *e)
{
	unsigned int injected;

	if (e->flags || memchr_inv(e->reserved, 0, sizeof(e->reserved)) ||
	    memchr_inv(e->exception.padding, 0, sizeof(e->exception.padding)) ||
	    memchr_inv(e->interrupt.padding, 0, sizeof(e->interrupt.padding)) ||
	    memchr_inv(e->nmi.padding, 0, sizeof(e->nmi.padding)))
		return -EINVAL;
	if (!khv_bool_ok(e->exception.injected) ||
	    !khv_bool_ok(e->exception.pending) ||
	    !khv_bool_ok(e->exception.has_error) ||
	    !khv_bool_ok(e->exception.has_payload) ||
	    !khv_bool_ok(e->interrupt.injected) ||
	    !khv_bool_ok(e->interrupt.pending) ||
	    !khv_bool_ok(e->nmi.injected) || !khv_bool_ok(e->nmi.masked) ||
	    e->nmi.pending > 2)
		return -EINVAL;
	if (khv_events_check_exception(e))
		return -EINVAL;
	if (e->interrupt.soft || (e->interrupt.shadow &
	    ~(KHV_INTERRUPT_SHADOW_STI | KHV_INTERRUPT_SHADOW_MOV_SS)))
		return -EINVAL;
	/* External interrupts use 32-255 (SDM Vol. 3A 7.2). */
	if (e->interrupt.injected ? e->interrupt.vector < 32 :
	    e->interrupt.vector != 0)
		return -EINVAL;
	if (e->interrupt.pending ? e->interrupt.pending_vector < 32 :
	    e->interrupt.pending_vector != 0)
		return -EINVAL;
	injected = e->exception.injected + e->interrupt.injected +
		   e->nmi.injected;
	if (injected > 1 || (injected && e->exception.pending))
		return -EINVAL;
	/* While one is in service or on its way, one more NMI latches. */
	if (e->nmi.pending > 1 && (e->nmi.masked || e->nmi.injected))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_vcpu_events_check);

/**
 * khv_queue_exception() - raise hardware exception @vector for the guest.
 * @vcpu:   the vCPU, in an exit handler's context (exit.h).
 * @vector: 0-31.
 * @err:    its error code, for a vector that pushes one.
 * @cr2:    for a page fault, the linear address (CR2 when it is delivered).
 *
 * It is delivered at the next entry. If the exit interrupted the delivery
 * of another exception, the two combine as the processor combines them
 * (SDM Vol. 3A 6.15, khv_exception_merge()): serially, into a double fault,
 * or into a triple fault, which shuts the guest down. Any other event being
 * delivered (an interrupt, an NMI) is abandoned for the exception, as the
 * processor abandons it.
 *
 * Return: 1 (enter the guest again), or 0 after a triple fault
 * (KHV_EXIT_SHUTDOWN).
 */
int khv_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2)
{
	struct khv_events *ev = &vcpu->events;
	u8 raised = vector;
	int first = -1;

	if (ev->injected.type == KHV_EVENT_HW_EXCEPTION)
		first = ev->injected.vector;
	else if (ev->exc_pending)
		first = ev->exc_vector;
	ev->injected = (struct khv_event){};
	ev->exc_pending = false;
	if (first >= 0) {
		vector = khv_exception_merge(first, vector);
		if (vector == KHV_TRIPLE_FAULT)
			return khv_vcpu_exit(vcpu, KHV_EXIT_SHUTDOWN);
		if (vector == X86_TRAP_DF) {
			err = 0;
			/* The second page fault wrote CR2 before it escalated. */
			if (raised == X86_TRAP_PF)
				khv_arch->set_cr2(vcpu, cr2);
		}
	}
	khv_stat_count(vcpu, KHV_STAT_EXCEPTION);
	ev->exc_pending = true;
	ev->exc_vector = vector;
	ev->exc_has_error = khv_exception_has_error(vector);
	ev->exc_error = ev->exc_has_error ? err : 0;
	ev->exc_has_payload = vector == X86_TRAP_PF;
	ev->exc_payload = ev->exc_has_payload ? cr2 : 0;
	return 1;
}

/*
 * A hardware exception as the processor delivers it now: an error code only
 * in protected mode (SDM Vol. 3C 26.2.1.3: VM entry checks it so).
 */
static void khv_event_fix_error(struct khv_vcpu *vcpu, struct khv_event *e)
{
	struct khv_cpu_mode m;

	if (e->type != KHV_EVENT_HW_EXCEPTION)
		return;
	khv_arch->get_cpu_mode(vcpu, &m);
	e->has_error = khv_exception_has_error(e->vector) &&
		       (m.cr0 & X86_CR0_PE);
	if (!e->has_error)
		e->error = 0;
}

/* The pending exception becomes the event of this entry, its payload applied. */
static void khv_event_take_exception(struct khv_vcpu *vcpu)
{
	struct khv_events *ev = &vcpu->events;

	ev->injected = (struct khv_event){
		.type = KHV_EVENT_HW_EXCEPTION,
		.vector = ev->exc_vector,
		.has_error = ev->exc_has_error,
		.error = ev->exc_error,
	};
	/* CR2, or the #DB's causes into the guest's DR6 (debugreg.c). */
	if (ev->exc_has_payload && ev->exc_vector == X86_TRAP_PF)
		khv_arch->set_cr2(vcpu, ev->exc_payload);
	if (ev->exc_has_payload && ev->exc_vector == X86_TRAP_DB) {
		khv_dr_debug_trap(&vcpu->dr, ev->exc_payload);
		khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
	}
	ev->exc_pending = false;
	ev->exc_has_payload = false;
	ev->exc_payload = 0;
}

/**
 * khv_event_before_entry() - choose and write this entry's event.
 * @vcpu: the vCPU, about to enter (khv_vcpu_enter_guest()): interrupts
 *	off, on VMX its VMCS current.
 *
 * Nothing can change the events from here to the entry: they change under
 * the vCPU's mutex, which KHV_RUN holds.
 */
void khv_event_before_entry(struct khv_vcpu *vcpu)
{
	struct khv_events *ev = &vcpu->events;
	/*
	 * User space's ExtINT, and its request for a window, count only when
	 * LINT0 lets the PIC's interrupt through (lapic.c; KVM's
	 * kvm_cpu_accept_dm_intr()): else it waits, and no window opens that
	 * could not be used.
	 */
	bool pic_ok = khv_lapic_accepts_extint(vcpu);
	bool extint = ev->irq_pending && pic_ok;
	int apic_vec = -1;
	struct khv_event_state s = {
		.injected = ev->injected.type != KHV_EVENT_NONE,
		.exc_pending = ev->exc_pending,
		.nmi_pending = ev->nmi_pending,
		.irq_pending = extint,
		.irq_window_requested = ev->req_irq_window && pic_ok,
	};
	struct khv_event_choice c;

	lockdep_assert_irqs_disabled();
	/* The local APIC's highest interrupt above its priority, if any. */
	if (vcpu->lapic) {
		khv_lapic_sync_tpr(vcpu);
		apic_vec = khv_lapic_pending(vcpu);
		s.irq_pending |= apic_vec >= 0;
	}
	if (s.nmi_pending)
		s.nmi_allowed = khv_arch->nmi_allowed(vcpu);
	if (s.irq_pending)
		s.irq_allowed = khv_arch->interrupt_allowed(vcpu);
	khv_event_choose(&s, &c);

	switch (c.inject) {
	case KHV_INJECT_EXCEPTION:
		khv_event_take_exception(vcpu);
		break;
	case KHV_INJECT_NMI:
		ev->injected = (struct khv_event){
			.type = KHV_EVENT_NMI, .vector = X86_TRAP_NMI,
		};
		ev->nmi_pending--;
		break;
	case KHV_INJECT_IRQ:
		/* User space's ExtINT first, as the PIC's through LINT0. */
		if (extint) {
			ev->injected = (struct khv_event){
				.type = KHV_EVENT_EXT_INTR,
				.vector = ev->irq_vector,
			};
			ev->irq_pending = false;
			ev->irq_vector = 0;
		} else {
			ev->injected = (struct khv_event){
				.type = KHV_EVENT_EXT_INTR,
				.vector = khv_lapic_ack(vcpu),
			};
		}
		break;
	}
	if (vcpu->lapic && khv_arch->cr8_intercept)
		khv_arch->cr8_intercept(vcpu, c.inject != KHV_INJECT_IRQ &&
					khv_lapic_masked_by_tpr(vcpu));
	if (ev->injected.type != KHV_EVENT_NONE) {
		khv_event_fix_error(vcpu, &ev->injected);
		khv_arch->inject_event(vcpu, &ev->injected);
	}
	/* The interrupt window first: VMX may open it for an NMI too. */
	khv_arch->request_irq_window(vcpu, c.irq_window);
	khv_arch->request_nmi_window(vcpu, c.nmi_window);
}

/**
 * khv_event_after_exit() - after an exit, before its handler: the event
 *	being injected was delivered, unless the exit interrupted its delivery
 *	(then the backend reads it back, and it is injected again).
 * @vcpu: the vCPU, in the exit context of khv_arch_ops.handle_exit.
 */
void khv_event_after_exit(struct khv_vcpu *vcpu)
{
	vcpu->events.injected = (struct khv_event){};
	khv_arch->exit_event(vcpu, &vcpu->events.injected);
}

/**
 * khv_event_irq_ready() - could user space's next external interrupt be
 *	delivered now? RFLAGS.IF set, no STI/MOV SS shadow, and no interrupt
 *	queued or being delivered (KVM's kvm_vcpu_ready_for_interrupt_injection()).
 * @vcpu: the vCPU, outside the guest, its mutex held.
 *
 * Return: true if KHV_INTERRUPT now would be delivered at the next entry.
 */
bool khv_event_irq_ready(struct khv_vcpu *vcpu)
{
	const struct khv_events *ev = &vcpu->events;

	return (khv_rflags_read(vcpu) & X86_EFLAGS_IF) && !ev->irq_pending &&
	       khv_lapic_accepts_extint(vcpu) &&
	       ev->injected.type != KHV_EVENT_EXT_INTR &&
	       !khv_arch->get_interrupt_shadow(vcpu);
}

/* On every return of KHV_RUN: the run page's if_flag and readiness. */
void khv_event_run_report(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;

	WRITE_ONCE(run->if_flag, !!(khv_rflags_read(vcpu) & X86_EFLAGS_IF));
	WRITE_ONCE(run->ready_for_interrupt_injection, khv_event_irq_ready(vcpu));
}

static void khv_vcpu_get_events(struct khv_vcpu *vcpu, struct khv_vcpu_events *e)
{
	const struct khv_events *ev = &vcpu->events;
	const struct khv_event *inj = &ev->injected;

	memset(e, 0, sizeof(*e));
	switch (inj->type) {
	case KHV_EVENT_HW_EXCEPTION:
		e->exception.injected = 1;
		e->exception.vector = inj->vector;
		e->exception.has_error = inj->has_error;
		e->exception.error = inj->error;
		break;
	case KHV_EVENT_EXT_INTR:
		e->interrupt.injected = 1;
		e->interrupt.vector = inj->vector;
		break;
	case KHV_EVENT_NMI:
		e->nmi.injected = 1;
		break;
	}
	if (ev->exc_pending) {
		e->exception.pending = 1;
		e->exception.vector = ev->exc_vector;
		e->exception.has_error = ev->exc_has_error;
		e->exception.error = ev->exc_error;
		e->exception.has_payload = ev->exc_has_payload;
		e->exception.payload = ev->exc_payload;
	}
	e->interrupt.shadow = khv_arch->get_interrupt_shadow(vcpu);
	if (ev->irq_pending) {
		e->interrupt.pending = 1;
		e->interrupt.pending_vector = ev->irq_vector;
	}
	e->nmi.pending = ev->nmi_pending;
	e->nmi.masked = khv_arch->get_nmi_mask(vcpu);
}

/* KHV_SET_VCPU_EVENTS: @e passed khv_vcpu_events_check(). */
static void khv_vcpu_set_events(struct khv_vcpu *vcpu,
				const struct khv_vcpu_events *e)
{
	struct khv_events *ev = &vcpu->events;

	ev->injected = (struct khv_event){};
	if (e->exception.injected)
		ev->injected = (struct khv_event){
			.type = KHV_EVENT_HW_EXCEPTION,
			.vector = e->exception.vector,
			.has_error = e->exception.has_error,
			.error = e->exception.error,
		};
	else if (e->interrupt.injected)
		ev->injected = (struct khv_event){
			.type = KHV_EVENT_EXT_INTR, .vector = e->interrupt.vector,
		};
	else if (e->nmi.injected)
		ev->injected = (struct khv_event){
			.type = KHV_EVENT_NMI, .vector = X86_TRAP_NMI,
		};
	ev->exc_pending = e->exception.pending;
	ev->exc_vector = e->exception.pending ? e->exception.vector : 0;
	ev->exc_has_error = e->exception.pending && e->exception.has_error;
	ev->exc_error = e->exception.pending ? e->exception.error : 0;
	ev->exc_has_payload = e->exception.has_payload;
	ev->exc_payload = e->exception.payload;
	ev->irq_pending = e->interrupt.pending;
	ev->irq_vector = e->interrupt.pending_vector;
	ev->nmi_pending = e->nmi.pending;
	khv_arch->set_interrupt_shadow(vcpu, e->interrupt.shadow);
	khv_arch->set_nmi_mask(vcpu, e->nmi.masked);
}

static long khv_vcpu_events_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
				  void __user *argp)
{
	struct khv_vcpu_events e;
	int r;

	if (cmd == KHV_GET_VCPU_EVENTS) {
		khv_vcpu_get_events(vcpu, &e);
		return copy_to_user(argp, &e, sizeof(e)) ? -EFAULT : 0;
	}
	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	r = khv_vcpu_events_check(&e);
	if (r)
		return r;
	khv_vcpu_set_events(vcpu, &e);
	return 0;
}

/* KHV_INTERRUPT: one external interrupt from user space's controller. */
static long khv_vcpu_interrupt(struct khv_vcpu *vcpu, void __user *argp)
{
	struct khv_events *ev = &vcpu->events;
	struct khv_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.flags || memchr_inv(irq.reserved, 0, sizeof(irq.reserved)) ||
	    irq.vector < 32 || irq.vector > 255)
		return -EINVAL;
	if (ev->irq_pending)
		return -EEXIST;
	ev->irq_pending = true;
	ev->irq_vector = irq.vector;
	return 0;
}

/*
 * KHV_NMI, and an NMI from the local APIC: NMIs latch, they do not queue
 * (SDM Vol. 3A 7.9): one may wait while another is delivered or handled,
 * two when neither is.
 */
void khv_event_raise_nmi(struct khv_vcpu *vcpu)
{
	struct khv_events *ev = &vcpu->events;
	unsigned int limit = 2;

	if (ev->injected.type == KHV_EVENT_NMI || khv_arch->get_nmi_mask(vcpu))
		limit = 1;
	if (ev->nmi_pending < limit)
		ev->nmi_pending++;
}

static long khv_vcpu_nmi(struct khv_vcpu *vcpu, unsigned long arg)
{
	if (arg)
		return -EINVAL;
	khv_event_raise_nmi(vcpu);
	return 0;
}

/**
 * khv_vcpu_event_ioctl() - KHV_GET_VCPU_EVENTS, KHV_SET_VCPU_EVENTS,
 *	KHV_INTERRUPT, KHV_NMI.
 * @vcpu: the vCPU, its mutex held.
 * @cmd:  the ioctl.
 * @arg:  its argument.
 *
 * Return: 0 or -errno (Documentation/khv-abi.rst).
 */
long khv_vcpu_event_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KHV_GET_VCPU_EVENTS:
	case KHV_SET_VCPU_EVENTS:
		return khv_vcpu_events_ioctl(vcpu, cmd, argp);
	case KHV_INTERRUPT:
		return khv_vcpu_interrupt(vcpu, argp);
	case KHV_NMI:
		return khv_vcpu_nmi(vcpu, arg);
	default:
		return -ENOTTY;
	}
}
