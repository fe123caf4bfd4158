// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel local APIC (Documentation/khv-abi.rst, "Local APIC"): its
 * registers through the xAPIC page and the x2APIC MSRs, IA32_APIC_BASE,
 * interrupts from other contexts and their delivery to the guest. The
 * locking model is in lapic.h; the rules are lapic_math.c's.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"

/* Guest-physical address bits IA32_APIC_BASE may hold (MAXPHYADDR 52). */
#define KHV_APIC_BASE_VALID	(KHV_APIC_BASE_ADDR | KHV_APIC_BASE_ENABLE | \
				 KHV_APIC_BASE_X2APIC | KHV_APIC_BASE_BSP)

static unsigned int khv_lapic_flags(const struct khv_lapic *a, bool x2)
{
	unsigned int f = KHV_APIC_F_TSC_DEADLINE;

	if (x2)
		f |= KHV_APIC_F_X2APIC;
	if (!(khv_lapic_reg(a, KHV_APIC_SVR) & KHV_APIC_SVR_ENABLE))
		f |= KHV_APIC_F_SW_DISABLED;
	return f;
}

static u32 khv_lapic_ppr(const struct khv_lapic *a)
{
	return khv_apic_ppr(khv_lapic_reg(a, KHV_APIC_TPR), &a->isr);
}

/**
 * khv_lapic_publish() - what senders match against, after a change of the
 *	ID, LDR, DFR, SVR, TPR, ISR or IA32_APIC_BASE.
 * @a: the vCPU's APIC, written by its own thread only.
 */
void khv_lapic_publish(struct khv_lapic *a)
{
	bool x2 = khv_lapic_x2apic(a);
	u32 id = khv_lapic_reg(a, KHV_APIC_ID);

	WRITE_ONCE(a->dest_x2apic, x2);
	WRITE_ONCE(a->dest_id, x2 ? id : id >> KHV_APIC_XAPIC_ID_SHIFT);
	WRITE_ONCE(a->dest_ldr, khv_lapic_reg(a, KHV_APIC_LDR));
	WRITE_ONCE(a->dest_dfr, khv_lapic_reg(a, KHV_APIC_DFR));
	WRITE_ONCE(a->accepts, khv_lapic_hw_enabled(a) &&
		   (khv_lapic_reg(a, KHV_APIC_SVR) & KHV_APIC_SVR_ENABLE));
	WRITE_ONCE(a->arb_prio, khv_lapic_ppr(a));
}

/* A new TPR: the guest's CR8 follows (SVM V_TPR, VMX's CR8). */
static void khv_lapic_set_tpr(struct khv_vcpu *vcpu, u32 tpr)
{
	struct khv_lapic *a = vcpu->lapic;

	khv_lapic_set_reg(a, KHV_APIC_TPR, tpr & KHV_APIC_VECTOR_MASK);
	khv_arch->set_cr8(vcpu, khv_apic_tpr_to_cr8(tpr));
	WRITE_ONCE(a->arb_prio, khv_lapic_ppr(a));
}

/**
 * khv_lapic_sync_tpr() - take a CR8 the guest wrote without an exit (SVM's
 *	V_TPR) or that an exit handler stored (VMX) into TPR.
 * @vcpu: the vCPU, its own thread.
 */
void khv_lapic_sync_tpr(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;
	u8 cr8 = khv_arch->get_cr8(vcpu);

	if (cr8 != khv_apic_tpr_to_cr8(khv_lapic_reg(a, KHV_APIC_TPR))) {
		khv_lapic_set_reg(a, KHV_APIC_TPR, khv_apic_cr8_to_tpr(cr8));
		WRITE_ONCE(a->arb_prio, khv_lapic_ppr(a));
	}
}

/**
 * khv_lapic_reset() - the APIC's state after RESET, or after INIT.
 * @vcpu: the vCPU, its own thread (or being created).
 * @init: INIT: IA32_APIC_BASE (and so the mode) and the ID stay
 *	(SDM 11.4.7.3).
 */
void khv_lapic_reset(struct khv_vcpu *vcpu, bool init)
{
	struct khv_lapic *a = vcpu->lapic;
	u32 off, id;
	int i;

	khv_lapic_timer_cancel(a);
	/* The ID stays at INIT (KVM too): the xAPIC's is writable. */
	id = init ? khv_lapic_reg(a, KHV_APIC_ID) :
	     khv_lapic_x2apic(a) ? vcpu->id :
	     vcpu->id << KHV_APIC_XAPIC_ID_SHIFT;
	if (!init)
		a->base = KHV_APIC_DEFAULT_BASE | KHV_APIC_BASE_ENABLE |
			  (vcpu->id ? 0 : KHV_APIC_BASE_BSP);
	memset(a->reg, 0, sizeof(a->reg));
	memset(&a->irr, 0, sizeof(a->irr));
	memset(&a->isr, 0, sizeof(a->isr));
	memset(&a->tmr, 0, sizeof(a->tmr));
	for (i = 0; i < ARRAY_SIZE(a->in_irr); i++) {
		xchg(&a->in_irr[i], 0);
		xchg(&a->in_tmr[i], 0);
	}
	atomic_set(&a->in_esr, 0);
	a->esr_acc = 0;
	khv_lapic_set_reg(a, KHV_APIC_ID, id);
	if (khv_lapic_x2apic(a))
		khv_lapic_set_reg(a, KHV_APIC_LDR, khv_x2apic_ldr(vcpu->id));
	khv_lapic_set_reg(a, KHV_APIC_LVR, KHV_APIC_VERSION);
	for (off = KHV_APIC_LVT_TIMER; off <= KHV_APIC_LVT_ERROR;
	     off += KHV_APIC_REG_STRIDE)
		khv_lapic_set_reg(a, off, KHV_APIC_LVT_MASKED);
	khv_lapic_set_reg(a, KHV_APIC_DFR, KHV_APIC_DFR_FLAT);
	khv_lapic_set_reg(a, KHV_APIC_SVR, 0xff);
	a->timer_period = 0;
	a->tsc_deadline = 0;
	a->eoi_exit = 0;
	khv_lapic_set_tpr(vcpu, 0);
	khv_lapic_publish(a);
}

/**
 * khv_lapic_create() - the vCPU's APIC, in its RESET state; an AP waits
 *	for INIT (KHV_MP_STATE_UNINITIALIZED), the BSP (id 0) runs.
 * @vcpu: the new vCPU, its backend part created.
 *
 * Return: 0 or -ENOMEM.
 */
int khv_lapic_create(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	khv_lapic_timer_init(a);
	vcpu->lapic = a;
	khv_lapic_reset(vcpu, false);
	a->mp_state = vcpu->id ? KHV_MP_STATE_UNINITIALIZED :
				 KHV_MP_STATE_RUNNABLE;
	return 0;
}

/* The vCPU never runs again: its timer stops before the memory goes. */
void khv_lapic_free(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	if (!a)
		return;
	khv_lapic_timer_cancel(a);
	kfree(a);
	vcpu->lapic = NULL;
}

/*
 * An error the guest sees in ESR after its next write of ESR, and the
 * error LVT's interrupt when it is unmasked (SDM 11.5.3). An illegal vector
 * there raises nothing: it would be one more error, without end.
 */
static void khv_lapic_esr_error(struct khv_lapic *a, u32 bits)
{
	u32 lvt = khv_lapic_reg(a, KHV_APIC_LVT_ERROR);
	u8 vec = lvt & KHV_APIC_VECTOR_MASK;

	a->esr_acc |= bits;
	if (bits && !(lvt & KHV_APIC_LVT_MASKED) &&
	    vec >= KHV_APIC_FIRST_LEGAL)
		khv_lapic_accept(a->vcpu, KHV_APIC_DM_FIXED, vec, false);
}

/**
 * khv_lapic_fold() - move what other contexts raised into IRR and ESR.
 * @vcpu: the vCPU, its own thread (any context, interrupts on or off).
 */
void khv_lapic_fold(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;
	unsigned long v, t;
	int i;

	/* Errors first: the error LVT's vector joins IRR below. */
	if (atomic_read(&a->in_esr))
		khv_lapic_esr_error(a, atomic_xchg(&a->in_esr, 0));
	for (i = 0; i < ARRAY_SIZE(a->in_irr); i++) {
		if (!READ_ONCE(a->in_irr[i]))
			continue;
		v = xchg(&a->in_irr[i], 0);
		t = READ_ONCE(a->in_tmr[i]);
#if BITS_PER_LONG == 64
		a->irr.w[2 * i] |= (u32)v;
		a->irr.w[2 * i + 1] |= (u32)(v >> 32);
		a->tmr.w[2 * i] = (a->tmr.w[2 * i] & ~(u32)v) | (u32)(t & v);
		a->tmr.w[2 * i + 1] = (a->tmr.w[2 * i + 1] & ~(u32)(v >> 32)) |
				      (u32)((t & v) >> 32);
#else
		a->irr.w[i] |= v;
		a->tmr.w[i] = (a->tmr.w[i] & ~v) | (t & v);
#endif
	}
}

/**
 * khv_lapic_pending() - the interrupt the APIC would deliver now.
 * @vcpu: the vCPU, its own thread.
 *
 * Return: the highest requested vector above the processor priority, or -1
 * (none, or the APIC disabled).
 */
int khv_lapic_pending(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	khv_lapic_fold(vcpu);
	if (!READ_ONCE(a->accepts))
		return -1;
	return khv_apic_deliverable(&a->irr, khv_lapic_ppr(a));
}

/*
 * Is the highest requested vector held back by TPR alone (not by one in
 * service)? Then only a lower TPR lets it through: on SVM a MOV to CR8
 * that would not exit must (khv_arch_ops.cr8_intercept).
 */
bool khv_lapic_masked_by_tpr(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;

	if (!READ_ONCE(a->accepts))
		return false;
	return khv_apic_deliverable(&a->irr, khv_apic_ppr(0, &a->isr)) >= 0 &&
	       khv_apic_deliverable(&a->irr, khv_lapic_ppr(a)) < 0;
}

/**
 * khv_lapic_ack() - the processor takes the interrupt: IRR to ISR.
 * @vcpu: the vCPU, about to enter with it (interrupts off).
 *
 * Return: its vector, or -1.
 */
int khv_lapic_ack(struct khv_vcpu *vcpu)
{
	struct khv_lapic *a = vcpu->lapic;
	int v = khv_apic_ack(&a->irr, &a->isr, khv_lapic_ppr(a));

	if (v >= 0)
		WRITE_ONCE(a->arb_prio, khv_lapic_ppr(a));
	return v;
}

/**
 * khv_lapic_accept() - an interrupt message reaches @vcpu's APIC.
 * @vcpu:  the destination; any context (hard interrupt included).
 * @dm:    KHV_APIC_DM_*: fixed and lowest priority (once arbitrated) set
 *	   the vector in IRR; NMI, INIT and start-up become requests; the
 *	   others are dropped.
 * @vec:   the vector (a start-up IPI's page).
 * @level: level-triggered: the vector's TMR bit.
 */
void khv_lapic_accept(struct khv_vcpu *vcpu, u32 dm, u8 vec, bool level)
{
	struct khv_lapic *a = vcpu->lapic;
	u32 old, new;

	switch (dm) {
	case KHV_APIC_DM_FIXED:
	case KHV_APIC_DM_LOWEST:
		if (!READ_ONCE(a->accepts))
			return;
		if (vec < KHV_APIC_FIRST_LEGAL) {
			atomic_or(KHV_APIC_ESR_RECV_ILLEGAL, &a->in_esr);
			return;
		}
		if (level)
			set_bit(vec, a->in_tmr);
		else
			clear_bit(vec, a->in_tmr);
		set_bit(vec, a->in_irr);
		break;
	case KHV_APIC_DM_NMI:
		set_bit(KHV_REQ_NMI, &a->req);
		break;
	case KHV_APIC_DM_INIT:
		/*
		 * A start-up IPI not taken yet was meant for the state before
		 * this INIT: it goes (KVM's too). The request first, then the
		 * latch: a start-up IPI in between leaves a request with no
		 * latch, never a latch with no request.
		 */
		clear_bit(KHV_REQ_SIPI, &a->req);
		xchg(&a->sipi, 0);
		set_bit(KHV_REQ_INIT, &a->req);
		break;
	case KHV_APIC_DM_STARTUP:
		/*
		 * The first one not taken yet stays (khv_apic_sipi_latch()):
		 * a storm of them never moves where the AP starts. cmpxchg()
		 * orders the latch before the request, which
		 * khv_lapic_process() clears before it takes the latch.
		 */
		old = READ_ONCE(a->sipi);
		new = khv_apic_sipi_latch(old, vec);
		if (new == old || cmpxchg(&a->sipi, old, new) != old)
			return;
		set_bit(KHV_REQ_SIPI, &a->req);
		break;
	default:
		return;
	}
	khv_vcpu_wake(vcpu);
}

/**
 * khv_lapic_deliver() - send an interrupt message to the APICs of @vm.
 * @vm:  the VM (its vCPUs stay while the caller holds the VM or a vCPU).
 * @src: the sending vCPU (an IPI), or NULL (an MSI).
 * @irq: the message.
 *
 * Every APIC that is hardware-enabled and matches takes it; a
 * lowest-priority message goes to one of them (khv_apic_lowest_priority()).
 * Any context; the destinations' registers are read as they publish them.
 *
 * Return: how many APICs took it.
 */
int khv_lapic_deliver(struct khv_vm *vm, struct khv_vcpu *src,
		      const struct khv_apic_irq *irq)
{
	struct khv_apic_lp_cand cand[KHV_MAX_VCPUS];
	u8 who[KHV_MAX_VCPUS];
	struct khv_apic_dest d;
	struct khv_vcpu *t;
	struct khv_lapic *a;
	unsigned int i, n = 0;
	int count = 0, w;

	for (i = 0; i < KHV_MAX_VCPUS; i++) {
		t = READ_ONCE(vm->vcpus[i]);
		if (!t || !t->lapic)
			continue;
		a = t->lapic;
		if (!(READ_ONCE(a->base) & KHV_APIC_BASE_ENABLE))
			continue;
		d.id = READ_ONCE(a->dest_id);
		d.ldr = READ_ONCE(a->dest_ldr);
		d.dfr = READ_ONCE(a->dest_dfr);
		d.x2apic = READ_ONCE(a->dest_x2apic);
		if (!khv_apic_match(&d, irq->dest, irq->logical, irq->shorthand,
				    t == src))
			continue;
		if (irq->dm == KHV_APIC_DM_LOWEST) {
			cand[n].id = d.id;
			cand[n].prio = READ_ONCE(a->arb_prio);
			who[n++] = i;
			continue;
		}
		khv_lapic_accept(t, irq->dm, irq->vector, irq->level);
		count++;
	}
	w = khv_apic_lowest_priority(cand, n, irq->vector);
	if (w >= 0) {
		khv_lapic_accept(READ_ONCE(vm->vcpus[who[w]]), KHV_APIC_DM_FIXED,
				 irq->vector, irq->level);
		count++;
	}
	return count;
}

/* An ICR write: the IPI it describes (SDM 11.6.1). */
static void khv_lapic_send_ipi(struct khv_vcpu *vcpu, u32 lo, u32 dest)
{
	struct khv_lapic *a = vcpu->lapic;
	struct khv_apic_irq irq = {
		.dest = dest,
		.dm = lo & KHV_APIC_ICR_DM,
		.vector = lo & KHV_APIC_ICR_VECTOR,
		.logical = lo & KHV_APIC_ICR_LOGICAL,
		.shorthand = (lo & KHV_APIC_ICR_SHORTHAND) >>
			     KHV_APIC_ICR_SHORTHAND_SHIFT,
		.level = lo & KHV_APIC_ICR_LEVEL,
		.x2apic = khv_lapic_x2apic(a),
	};
	u32 esr = khv_apic_illegal_vector_esr(irq.dm, irq.vector, true);

	if (esr) {
		khv_lapic_esr_error(a, esr);
		return;
	}
	/* INIT level de-assert: no effect (SDM 11.6.1, Pentium 4 and later). */
	if (irq.dm == KHV_APIC_DM_INIT && !(lo & KHV_APIC_ICR_ASSERT))
		return;
	/* SMI and ExtINT are not sent; lowest priority to a shorthand is fixed. */
	if (irq.dm == KHV_APIC_DM_SMI || irq.dm == KHV_APIC_DM_EXTINT ||
	    irq.dm == KHV_APIC_DM(3) || irq.dm == KHV_APIC_DM(7))
		return;
	if (irq.dm == KHV_APIC_DM_LOWEST && irq.shorthand != KHV_APIC_SH_NONE)
		irq.dm = KHV_APIC_DM_FIXED;
	/* Level-triggered only matters for INIT de-assert (SDM 11.6.1). */
	irq.level = false;
	khv_lapic_deliver(vcpu->vm, vcpu, &irq);
}

/* A register as a read returns it (@off checked by khv_apic_read_check()). */
static u32 khv_lapic_read(struct khv_vcpu *vcpu, u32 off)
{
	struct khv_lapic *a = vcpu->lapic;

	switch (off) {
	case KHV_APIC_TPR:
		khv_lapic_sync_tpr(vcpu);
		return khv_lapic_reg(a, off);
	case KHV_APIC_PPR:
		khv_lapic_sync_tpr(vcpu);
		return khv_lapic_ppr(a);
	case KHV_APIC_APR:
		khv_lapic_sync_tpr(vcpu);
		khv_lapic_fold(vcpu);
		return khv_apic_apr(khv_lapic_reg(a, KHV_APIC_TPR), &a->irr,
				    &a->isr);
	case KHV_APIC_ISR ... KHV_APIC_ISR + 0x70:
		return a->isr.w[(off - KHV_APIC_ISR) / KHV_APIC_REG_STRIDE];
	case KHV_APIC_TMR ... KHV_APIC_TMR + 0x70:
		khv_lapic_fold(vcpu);
		return a->tmr.w[(off - KHV_APIC_TMR) / KHV_APIC_REG_STRIDE];
	case KHV_APIC_IRR ... KHV_APIC_IRR + 0x70:
		khv_lapic_fold(vcpu);
		return a->irr.w[(off - KHV_APIC_IRR) / KHV_APIC_REG_STRIDE];
	case KHV_APIC_TMCCT:
		return khv_lapic_timer_tmcct(a);
	case KHV_APIC_EOI:
	case KHV_APIC_SELF_IPI:
		return 0;
	default:
		return khv_lapic_reg(a, off);
	}
}

/* The LVT timer changes mode: the old mode's count or deadline is gone. */
static void khv_lapic_write_lvt_timer(struct khv_lapic *a, u32 v)
{
	u32 old = khv_lapic_reg(a, KHV_APIC_LVT_TIMER);

	khv_lapic_set_reg(a, KHV_APIC_LVT_TIMER, v);
	if ((old ^ v) & KHV_APIC_LVT_TIMER_MODE) {
		khv_lapic_timer_cancel(a);
		khv_lapic_set_reg(a, KHV_APIC_TMICT, 0);
		a->timer_period = 0;
		WRITE_ONCE(a->tsc_deadline, 0);
	}
}

static void khv_lapic_write_svr(struct khv_lapic *a, u32 v)
{
	u32 off;

	khv_lapic_set_reg(a, KHV_APIC_SVR, v);
	/* Software disable masks every LVT entry (SDM 11.4.7.2). */
	if (!(v & KHV_APIC_SVR_ENABLE))
		for (off = KHV_APIC_LVT_TIMER; off <= KHV_APIC_LVT_ERROR;
		     off += KHV_APIC_REG_STRIDE)
			a->reg[off / KHV_APIC_REG_STRIDE] |= KHV_APIC_LVT_MASKED;
	khv_lapic_publish(a);
}

/* A write that khv_apic_write_check() allowed, @v as it returned it. */
static void khv_lapic_write(struct khv_vcpu *vcpu, u32 off, u64 v)
{
	struct khv_lapic *a = vcpu->lapic;
	bool x2 = khv_lapic_x2apic(a);
	int vec;

	switch (off) {
	case KHV_APIC_TPR:
		khv_lapic_set_tpr(vcpu, v);
		break;
	case KHV_APIC_EOI:
		vec = khv_apic_eoi(&a->isr);
		/* The IOAPIC is user space's: it hears of a level EOI. */
		if (vec >= 0 && khv_apic_vec_clear(&a->tmr, vec))
			a->eoi_exit = vec + 1;
		WRITE_ONCE(a->arb_prio, khv_lapic_ppr(a));
		break;
	case KHV_APIC_ID:
	case KHV_APIC_LDR:
	case KHV_APIC_DFR:
		khv_lapic_set_reg(a, off, v);
		khv_lapic_publish(a);
		break;
	case KHV_APIC_SVR:
		khv_lapic_write_svr(a, v);
		break;
	case KHV_APIC_ESR:
		khv_lapic_fold(vcpu);
		khv_lapic_set_reg(a, KHV_APIC_ESR, a->esr_acc);
		a->esr_acc = 0;
		break;
	case KHV_APIC_ICR:
		khv_lapic_set_reg(a, KHV_APIC_ICR, (u32)v);
		if (x2)
			khv_lapic_set_reg(a, KHV_APIC_ICR2, v >> 32);
		khv_lapic_send_ipi(vcpu, v, x2 ? v >> 32 :
				   khv_lapic_reg(a, KHV_APIC_ICR2) >>
				   KHV_APIC_ICR2_DEST_SHIFT);
		break;
	case KHV_APIC_LVT_TIMER:
		khv_lapic_write_lvt_timer(a, v);
		break;
	case KHV_APIC_TMICT:
		/* Ignored in TSC-deadline mode (SDM 11.5.4.1). */
		if ((khv_lapic_reg(a, KHV_APIC_LVT_TIMER) &
		     KHV_APIC_LVT_TIMER_MODE) == KHV_APIC_TIMER_TSC_DEADLINE)
			break;
		khv_lapic_set_reg(a, off, v);
		khv_lapic_timer_restart(a);
		break;
	case KHV_APIC_SELF_IPI:
		khv_lapic_send_ipi(vcpu, (u32)v | KHV_APIC_DM_FIXED |
				   KHV_APIC_SH_SELF << KHV_APIC_ICR_SHORTHAND_SHIFT,
				   0);
		break;
	default:
		khv_lapic_set_reg(a, off, v);
	}
}

/**
 * khv_lapic_in_page() - is @gpa in the vCPU's xAPIC page (its APIC
 *	hardware-enabled and not in x2APIC mode)?
 * @vcpu: the vCPU, with the irqchip.
 * @gpa:  a guest-physical address.
 *
 * Return: true if an access there is the APIC's.
 */
bool khv_lapic_in_page(struct khv_vcpu *vcpu, u64 gpa)
{
	struct khv_lapic *a = vcpu->lapic;
	u64 base = a->base & KHV_APIC_BASE_ADDR;

	return khv_lapic_hw_enabled(a) && !khv_lapic_x2apic(a) &&
	       gpa >= base && gpa < base + PAGE_SIZE;
}

/**
 * khv_lapic_mmio() - a guest access to the xAPIC page.
 * @vcpu:  the vCPU, in an exit handler.
 * @gpa:   the address.
 * @write: a store.
 * @size:  1, 2, 4 or 8 bytes.
 * @val:   in: the data stored; out: the data loaded.
 *
 * Registers are 32 bits at 16-byte strides; an aligned 32-bit access
 * reads or writes one (SDM 11.4.1). A narrower or unaligned load reads the
 * bytes of the register's dword, a wider one zero above; a store that is
 * not an aligned dword is dropped (the SDM leaves it undefined).
 *
 * Return: false if @gpa is not the APIC's (the access goes to user space).
 */
bool khv_lapic_mmio(struct khv_vcpu *vcpu, u64 gpa, bool write,
		    unsigned int size, u64 *val)
{
	struct khv_lapic *a = vcpu->lapic;
	enum khv_apic_access acc;
	u32 off, shift;
	u64 out;

	if (!khv_lapic_in_page(vcpu, gpa))
		return false;
	off = gpa & (PAGE_SIZE - 1);
	shift = (off & 3) * 8;
	off &= ~3U;
	if (!write) {
		*val = 0;
		acc = khv_apic_read_check(off, khv_lapic_flags(a, false));
		if (acc == KHV_APIC_ACC_OK) {
			*val = khv_lapic_read(vcpu, off) >> shift;
			if (size < 4)
				*val &= GENMASK_ULL(size * 8 - 1, 0);
		}
	} else {
		if (shift || size < 4)
			return true;
		acc = khv_apic_write_check(off, (u32)*val,
					   khv_lapic_flags(a, false), &out);
		if (acc == KHV_APIC_ACC_OK)
			khv_lapic_write(vcpu, off, out);
	}
	if (acc == KHV_APIC_ACC_ILLEGAL)
		khv_lapic_esr_error(a, KHV_APIC_ESR_ILLEGAL_REG);
	return true;
}

/* The MSRs of the APIC: IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC's. */
bool khv_lapic_msr_owned(u32 index)
{
	return index == MSR_IA32_APICBASE || index == KHV_MSR_TSC_DEADLINE ||
	       (index >= KHV_X2APIC_MSR_BASE && index <= KHV_X2APIC_MSR_END);
}

/**
 * khv_lapic_get_msr() - RDMSR or KHV_GET_MSRS of an APIC MSR.
 * @vcpu:  the vCPU, its own thread.
 * @index: khv_lapic_msr_owned().
 * @data:  out: the value.
 * @host:  from user space.
 *
 * Return: 0, or -EINVAL (#GP for the guest): an x2APIC register outside
 * x2APIC mode, or one khv_apic_read_check() refuses.
 */
int khv_lapic_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct khv_lapic *a = vcpu->lapic;
	u32 off;

	*data = 0;
	if (index == MSR_IA32_APICBASE) {
		*data = a->base;
		return 0;
	}
	if (index == KHV_MSR_TSC_DEADLINE) {
		if ((khv_lapic_reg(a, KHV_APIC_LVT_TIMER) &
		     KHV_APIC_LVT_TIMER_MODE) == KHV_APIC_TIMER_TSC_DEADLINE)
			*data = READ_ONCE(a->tsc_deadline);
		return 0;
	}
	off = KHV_X2APIC_REG(index);
	if (!khv_lapic_x2apic(a) ||
	    khv_apic_read_check(off, khv_lapic_flags(a, true)) != KHV_APIC_ACC_OK)
		return -EINVAL;
	if (off == KHV_APIC_ICR)
		*data = khv_lapic_reg(a, KHV_APIC_ICR) |
			(u64)khv_lapic_reg(a, KHV_APIC_ICR2) << 32;
	else
		*data = khv_lapic_read(vcpu, off);
	return 0;
}

/**
 * khv_apic_base_check() - may IA32_APIC_BASE go from @old to @data
 *	(SDM 11.12.5, Figure 11-27)?
 * @old:  its value now.
 * @data: the value written.
 *
 * No reserved bit (MAXPHYADDR 52); x2APIC only with the APIC enabled; not
 * from x2APIC back to xAPIC, nor from disabled straight to x2APIC.
 *
 * Return: 0 or -EINVAL (#GP for the guest).
 */
int khv_apic_base_check(u64 old, u64 data)
{
	bool en = data & KHV_APIC_BASE_ENABLE, x2 = data & KHV_APIC_BASE_X2APIC;
	bool old_x2 = old & KHV_APIC_BASE_X2APIC;

	if (data & ~KHV_APIC_BASE_VALID)
		return -EINVAL;
	if (x2 && !en)
		return -EINVAL;
	if (en && !x2 && old_x2)
		return -EINVAL;
	if (x2 && !old_x2 && !(old & KHV_APIC_BASE_ENABLE))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_base_check);

static void khv_lapic_set_base(struct khv_vcpu *vcpu, u64 data)
{
	struct khv_lapic *a = vcpu->lapic;
	u64 old = a->base;

	a->base = data;
	if ((data & KHV_APIC_BASE_X2APIC) && !(old & KHV_APIC_BASE_X2APIC)) {
		/* x2APIC: the ID is the x2APIC ID, LDR derived (SDM 11.12.5.1). */
		khv_lapic_set_reg(a, KHV_APIC_ID, vcpu->id);
		khv_lapic_set_reg(a, KHV_APIC_LDR, khv_x2apic_ldr(vcpu->id));
	} else if (!(data & KHV_APIC_BASE_ENABLE) &&
		   (old & KHV_APIC_BASE_ENABLE)) {
		/* Disabled: back in xAPIC mode with its power-up state. */
		khv_lapic_reset(vcpu, true);
		a->base = data;
	}
	khv_lapic_publish(a);
}

/**
 * khv_lapic_set_msr() - WRMSR or KHV_SET_MSRS of an APIC MSR.
 * @vcpu:  the vCPU, its own thread.
 * @index: khv_lapic_msr_owned().
 * @data:  the value.
 * @apply: write it; else only check it.
 * @host:  from user space.
 *
 * Return: 0, or -EINVAL (#GP for the guest).
 */
int khv_lapic_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply,
		      bool host)
{
	struct khv_lapic *a = vcpu->lapic;
	u64 out;
	u32 off;

	if (index == MSR_IA32_APICBASE) {
		if (khv_apic_base_check(a->base, data))
			return -EINVAL;
		if (apply && data != a->base)
			khv_lapic_set_base(vcpu, data);
		return 0;
	}
	if (index == KHV_MSR_TSC_DEADLINE) {
		/* Ignored outside TSC-deadline mode (SDM 11.5.4.1). */
		if (apply && (khv_lapic_reg(a, KHV_APIC_LVT_TIMER) &
			      KHV_APIC_LVT_TIMER_MODE) ==
			     KHV_APIC_TIMER_TSC_DEADLINE)
			khv_lapic_set_tsc_deadline(a, data);
		return 0;
	}
	off = KHV_X2APIC_REG(index);
	if (!khv_lapic_x2apic(a) ||
	    khv_apic_write_check(off, data, khv_lapic_flags(a, true), &out) !=
	    KHV_APIC_ACC_OK)
		return -EINVAL;
	if (apply)
		khv_lapic_write(vcpu, off, out);
	return 0;
}

static u32 khv_le32_get(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void khv_le32_put(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/**
 * khv_lapic_get_state() - KHV_GET_LAPIC: the register page.
 * @vcpu: the vCPU, its mutex held.
 * @s:    out.
 */
void khv_lapic_get_state(struct khv_vcpu *vcpu, struct khv_lapic_state *s)
{
	u32 off;

	memset(s, 0, sizeof(*s));
	khv_lapic_sync_tpr(vcpu);
	khv_lapic_fold(vcpu);
	for (off = 0; off < KHV_APIC_REG_END; off += KHV_APIC_REG_STRIDE) {
		if (khv_apic_read_check(off, 0) == KHV_APIC_ACC_OK)
			khv_le32_put(s->regs + off, khv_lapic_read(vcpu, off));
	}
}

/* The plain registers KHV_SET_LAPIC takes through the xAPIC write rules. */
static const u16 khv_lapic_state_regs[] = {
	KHV_APIC_TPR, KHV_APIC_LDR, KHV_APIC_DFR, KHV_APIC_SVR, KHV_APIC_ICR,
	KHV_APIC_LVT_TIMER, KHV_APIC_LVT_THERMAL, KHV_APIC_LVT_PERF,
	KHV_APIC_LVT_LINT0, KHV_APIC_LVT_LINT1, KHV_APIC_LVT_ERROR,
	KHV_APIC_TMICT, KHV_APIC_TDCR,
};

/**
 * khv_lapic_set_state() - KHV_SET_LAPIC.
 * @vcpu: the vCPU, its mutex held.
 * @s:    the register page, as KHV_GET_LAPIC gives it.
 *
 * Registers take only the bits a write may set (read-only and reserved
 * bits are dropped); in x2APIC mode the ID must be the vCPU's id and LDR
 * is derived. IRR, ISR and TMR are taken as they are, vectors 0-15
 * dropped; a running timer starts again from TMICT.
 *
 * Return: 0, or -EINVAL for an x2APIC ID that is not the vCPU's.
 */
int khv_lapic_set_state(struct khv_vcpu *vcpu, const struct khv_lapic_state *s)
{
	struct khv_lapic *a = vcpu->lapic;
	unsigned int i, flags = KHV_APIC_F_TSC_DEADLINE;
	u32 id = khv_le32_get(s->regs + KHV_APIC_ID), v;
	u64 out;

	if (khv_lapic_x2apic(a) && id != vcpu->id)
		return -EINVAL;
	khv_lapic_timer_cancel(a);
	khv_lapic_set_reg(a, KHV_APIC_ID, khv_lapic_x2apic(a) ? id :
			  id & GENMASK(31, KHV_APIC_XAPIC_ID_SHIFT));
	for (i = 0; i < ARRAY_SIZE(khv_lapic_state_regs); i++) {
		v = khv_le32_get(s->regs + khv_lapic_state_regs[i]);
		if (khv_apic_write_check(khv_lapic_state_regs[i], v, flags,
					 &out) == KHV_APIC_ACC_OK)
			khv_lapic_set_reg(a, khv_lapic_state_regs[i], out);
	}
	khv_lapic_set_reg(a, KHV_APIC_ICR2, khv_le32_get(s->regs + KHV_APIC_ICR2));
	if (!khv_lapic_x2apic(a))
		a->reg[KHV_APIC_ICR2 / KHV_APIC_REG_STRIDE] &= KHV_APIC_ICR2_DEST;
	else
		khv_lapic_set_reg(a, KHV_APIC_LDR, khv_x2apic_ldr(vcpu->id));
	khv_lapic_set_reg(a, KHV_APIC_ESR, khv_le32_get(s->regs + KHV_APIC_ESR) &
			  GENMASK(7, 0));
	for (i = 0; i < 8; i++) {
		a->isr.w[i] = khv_le32_get(s->regs + KHV_APIC_ISR + i * 16);
		a->tmr.w[i] = khv_le32_get(s->regs + KHV_APIC_TMR + i * 16);
		a->irr.w[i] = khv_le32_get(s->regs + KHV_APIC_IRR + i * 16);
	}
	a->isr.w[0] &= ~0xffffU;
	a->tmr.w[0] &= ~0xffffU;
	a->irr.w[0] &= ~0xffffU;
	khv_lapic_set_tpr(vcpu, khv_lapic_reg(a, KHV_APIC_TPR));
	khv_lapic_write_svr(a, khv_lapic_reg(a, KHV_APIC_SVR));
	khv_lapic_timer_restart(a);
	return 0;
}
