/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel local APIC of a vCPU (Documentation/khv-abi.rst, "Local
 * APIC"): its registers (lapic.c), its timer (lapic_timer.c), INIT, SIPI and
 * the MP state (lapic_mp.c), MSIs and irqfds (irq.c). The pure rules are
 * lapic_math.c's.
 *
 * The registers belong to the vCPU: only its own thread (KHV_RUN, or an
 * ioctl under its mutex) reads and writes them. Other contexts (another
 * vCPU's ICR write, the timer's hrtimer in hard interrupt context, an MSI
 * ioctl, an irqfd's wake-up callback) never take the vCPU's mutex: they set
 * bits in @in_irr or @req and wake or kick the vCPU (khv_vcpu_wake()), which
 * folds them into its registers before its next entry, with interrupts off.
 */
#ifndef KHV_LAPIC_H
#define KHV_LAPIC_H

#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/types.h>

#include "lapic_math.h"
#include "x86.h"

struct khv_vcpu;
struct khv_vm;

/* Version register: version 0x14, max LVT entry 5 (SDM 11.4.8). */
#define KHV_APIC_VERSION	(0x14 | (5 << 16))

/* IA32_APIC_BASE (SDM 11.4.4). */
#define KHV_APIC_BASE_BSP	BIT_ULL(8)
#define KHV_APIC_BASE_X2APIC	BIT_ULL(10)
#define KHV_APIC_BASE_ENABLE	BIT_ULL(11)
#define KHV_APIC_BASE_ADDR	GENMASK_ULL(51, 12)
#define KHV_APIC_DEFAULT_BASE	0xfee00000ULL
#define KHV_MSR_TSC_DEADLINE	0x6e0

/* Requests to the vCPU from other contexts (struct khv_lapic.req). */
enum {
	KHV_REQ_NMI,
	KHV_REQ_INIT,
	KHV_REQ_SIPI,
};

/**
 * struct khv_lapic - a vCPU's local APIC.
 * @vcpu:   its vCPU.
 * @base:   IA32_APIC_BASE.
 * @reg:    the plain registers by offset / 16 (ID, LVR, TPR, LDR, DFR,
 *	SVR, ESR, ICR, ICR2, the LVT, TMICT, TDCR); ISR, TMR and IRR are the
 *	sets below.
 * @irr:    requested vectors,
 * @isr:    in service,
 * @tmr:    level-triggered ones.
 * @in_irr: vectors other contexts raised, not yet folded into @irr,
 * @in_tmr: those of them that are level-triggered.
 * @in_esr: receive errors other contexts found, for ESR.
 * @esr_acc: errors since the last write of ESR, which shows them.
 * @req:    BIT(KHV_REQ_*): NMI, INIT, start-up from other contexts,
 * @sipi:   the start-up IPI the vCPU has not taken yet: KHV_APIC_SIPI_LATCHED
 *	and its vector, 0 if none; the first one wins (khv_apic_sipi_latch()).
 * @mp_state: KHV_MP_STATE_*; the vCPU's own.
 * @dest_id: what senders match destinations against (written by the vCPU
 * @dest_ldr: with WRITE_ONCE, read by any context with READ_ONCE):
 * @dest_dfr: the ID (x2APIC ID in x2APIC mode), LDR, DFR,
 * @dest_x2apic: the mode,
 * @accepts: and whether fixed interrupts are accepted (hardware and
 *	software enabled),
 * @arb_prio: the processor priority, for lowest-priority arbitration.
 * @timer:  the LAPIC timer (hard interrupt mode).
 * @timer_start: when it was armed (ktime, ns).
 * @timer_period: its period in ns (0: disarmed), for TMCCT.
 * @timer_periodic: it reloads.
 * @tsc_deadline: IA32_TSC_DEADLINE; 0 once it fired.
 * @eoi_exit: a level-triggered vector the guest ended (EOI) plus one, for
 *	user space's IOAPIC (KHV_EXIT_IOAPIC_EOI); 0: none.
 */
struct khv_lapic {
	struct khv_vcpu *vcpu;
	u64 base;
	u32 reg[KHV_APIC_REG_END / KHV_APIC_REG_STRIDE];
	struct khv_apic_bitmap irr;
	struct khv_apic_bitmap isr;
	struct khv_apic_bitmap tmr;
	unsigned long in_irr[BITS_TO_LONGS(KHV_APIC_VECTORS)];
	unsigned long in_tmr[BITS_TO_LONGS(KHV_APIC_VECTORS)];
	atomic_t in_esr;
	u32 esr_acc;
	unsigned long req;
	u32 sipi;
	u32 mp_state;
	u32 dest_id;
	u32 dest_ldr;
	u32 dest_dfr;
	bool dest_x2apic;
	bool accepts;
	u8 arb_prio;
	struct hrtimer timer;
	ktime_t timer_start;
	u64 timer_period;
	bool timer_periodic;
	u64 tsc_deadline;
	u16 eoi_exit;
};

/**
 * struct khv_apic_irq - an interrupt message on its way to the APICs.
 * @dest:      destination ID (8 bits xAPIC, 32 bits x2APIC).
 * @dm:        delivery mode, KHV_APIC_DM_*.
 * @vector:    the vector (a start-up IPI's page number).
 * @logical:   logical destination mode.
 * @shorthand: KHV_APIC_SH_*.
 * @level:     level-triggered.
 * @x2apic:    @dest is a 32-bit x2APIC ID (an x2APIC sender or an MSI
 *	       with a high destination); else an 8-bit one.
 */
struct khv_apic_irq {
	u32 dest;
	u32 dm;
	u8 vector;
	bool logical;
	u8 shorthand;
	bool level;
	bool x2apic;
};

static inline u32 khv_lapic_reg(const struct khv_lapic *a, u32 off)
{
	return a->reg[off / KHV_APIC_REG_STRIDE];
}

static inline void khv_lapic_set_reg(struct khv_lapic *a, u32 off, u32 v)
{
	a->reg[off / KHV_APIC_REG_STRIDE] = v;
}

static inline bool khv_lapic_x2apic(const struct khv_lapic *a)
{
	return a->base & KHV_APIC_BASE_X2APIC;
}

static inline bool khv_lapic_hw_enabled(const struct khv_lapic *a)
{
	return a->base & KHV_APIC_BASE_ENABLE;
}

/* lapic.c */
int khv_lapic_create(struct khv_vcpu *vcpu);
void khv_lapic_free(struct khv_vcpu *vcpu);
void khv_lapic_reset(struct khv_vcpu *vcpu, bool init);
bool khv_lapic_in_page(struct khv_vcpu *vcpu, u64 gpa);
bool khv_lapic_mmio(struct khv_vcpu *vcpu, u64 gpa, bool write,
		    unsigned int size, u64 *val);
bool khv_lapic_msr_owned(u32 index);
int khv_lapic_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data, bool host);
int khv_lapic_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply,
		      bool host);
int khv_lapic_deliver(struct khv_vm *vm, struct khv_vcpu *src,
		      const struct khv_apic_irq *irq);
void khv_lapic_accept(struct khv_vcpu *vcpu, u32 dm, u8 vec, bool level);
void khv_lapic_fold(struct khv_vcpu *vcpu);
int khv_lapic_pending(struct khv_vcpu *vcpu);
bool khv_lapic_masked_by_tpr(struct khv_vcpu *vcpu);
int khv_lapic_ack(struct khv_vcpu *vcpu);
void khv_lapic_sync_tpr(struct khv_vcpu *vcpu);
void khv_lapic_get_state(struct khv_vcpu *vcpu, struct khv_lapic_state *s);
int khv_lapic_set_state(struct khv_vcpu *vcpu, const struct khv_lapic_state *s);
void khv_lapic_publish(struct khv_lapic *a);
int khv_apic_base_check(u64 old, u64 data);

/* lapic_timer.c */
void khv_lapic_timer_init(struct khv_lapic *a);
void khv_lapic_timer_cancel(struct khv_lapic *a);
void khv_lapic_timer_restart(struct khv_lapic *a);
u32 khv_lapic_timer_tmcct(struct khv_lapic *a);
void khv_lapic_set_tsc_deadline(struct khv_lapic *a, u64 deadline);

/* lapic_mp.c */
bool khv_lapic_requests(struct khv_vcpu *vcpu);
int khv_lapic_block(struct khv_vcpu *vcpu);
int khv_lapic_halt(struct khv_vcpu *vcpu);
bool khv_lapic_eoi_exit(struct khv_vcpu *vcpu);
long khv_lapic_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
		     void __user *argp);

/* irq.c */
int khv_msi_decode(u32 lo, u32 hi, u32 data, struct khv_apic_irq *irq);
long khv_vm_irq_ioctl(struct khv_vm *vm, unsigned int cmd, unsigned long arg);
void khv_vm_irq_init(struct khv_vm *vm);
void khv_vm_irq_destroy(struct khv_vm *vm);

#endif /* KHV_LAPIC_H */
