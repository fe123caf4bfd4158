// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pure logic of an emulated local APIC (SDM Vol. 3A chapter 11), on
 * plain data: vector sets, priorities (11.8.3), destination matching
 * (11.6.2), lowest-priority arbitration, timer arithmetic (11.5.4) and the
 * checks on register accesses (11.4, 11.12.1). The device model holds the
 * state and the lock; KUnit tests these in lapic_math_test.c. Where the SDM
 * leaves a choice, Documentation/khv-abi.rst ("Local APIC") says which.
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/time64.h>

#include "compat.h"
#include "lapic_math.h"

/**
 * khv_apic_vec_set() - add a vector to a set.
 * @b:   the set (IRR, ISR or TMR).
 * @vec: the vector.
 *
 * Not atomic: the caller serializes the accesses to @b.
 *
 * Return: whether @vec was in @b already (a coalesced interrupt, for IRR).
 */
bool khv_apic_vec_set(struct khv_apic_bitmap *b, u8 vec)
{
	u32 bit = BIT(vec % 32);
	bool was = b->w[vec / 32] & bit;

	b->w[vec / 32] |= bit;
	return was;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_vec_set);

/**
 * khv_apic_vec_clear() - remove a vector from a set.
 * @b:   the set.
 * @vec: the vector.
 *
 * Return: whether @vec was in @b.
 */
bool khv_apic_vec_clear(struct khv_apic_bitmap *b, u8 vec)
{
	u32 bit = BIT(vec % 32);
	bool was = b->w[vec / 32] & bit;

	b->w[vec / 32] &= ~bit;
	return was;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_vec_clear);

/**
 * khv_apic_vec_test() - is a vector in a set?
 * @b:   the set.
 * @vec: the vector.
 *
 * Return: true if @vec is in @b.
 */
bool khv_apic_vec_test(const struct khv_apic_bitmap *b, u8 vec)
{
	return b->w[vec / 32] & BIT(vec % 32);
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_vec_test);

/**
 * khv_apic_vec_highest() - the highest vector of a set.
 * @b: the set.
 *
 * Return: the vector, 0-255, or -1 if @b is empty.
 */
int khv_apic_vec_highest(const struct khv_apic_bitmap *b)
{
	int i;

	for (i = ARRAY_SIZE(b->w) - 1; i >= 0; i--)
		if (b->w[i])
			return i * 32 + fls(b->w[i]) - 1;
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_vec_highest);

/**
 * khv_apic_vec_count() - how many vectors a set holds.
 * @b: the set.
 *
 * Return: 0-256.
 */
unsigned int khv_apic_vec_count(const struct khv_apic_bitmap *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(b->w); i++)
		n += hweight32(b->w[i]);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_vec_count);

/* The priority class (0-15) of the highest vector of @b, 0 if empty. */
static u32 khv_apic_highest_class(const struct khv_apic_bitmap *b)
{
	int v = khv_apic_vec_highest(b);

	return v < 0 ? 0 : (u32)v >> 4;
}

/**
 * khv_apic_ppr() - the processor priority (SDM 11.8.3.1).
 * @tpr: the TPR register (bits 7:0 count).
 * @isr: the in-service vectors.
 *
 * PPR is TPR when TPR's class is at least that of the highest in-service
 * vector, else that vector's class with a sub-class of 0.
 *
 * Return: the PPR register, 0-255.
 */
u32 khv_apic_ppr(u32 tpr, const struct khv_apic_bitmap *isr)
{
	u32 isrc = khv_apic_highest_class(isr);

	tpr &= KHV_APIC_VECTOR_MASK;
	return (tpr >> 4) >= isrc ? tpr : isrc << 4;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_ppr);

/**
 * khv_apic_apr() - the arbitration priority (SDM 11.6.2.4, xAPIC only).
 * @tpr: the TPR register.
 * @irr: the requested vectors.
 * @isr: the in-service vectors.
 *
 * As the SDM defines it: TPR if TPR's class is at least the highest IRR
 * vector's and above the highest ISR vector's, else the class
 * max(TPR class AND ISR class, IRR class) with a sub-class of 0.
 *
 * Return: the APR register, 0-255.
 */
u32 khv_apic_apr(u32 tpr, const struct khv_apic_bitmap *irr,
		 const struct khv_apic_bitmap *isr)
{
	u32 irrc = khv_apic_highest_class(irr);
	u32 isrc = khv_apic_highest_class(isr);
	u32 tprc;

	tpr &= KHV_APIC_VECTOR_MASK;
	tprc = tpr >> 4;
	if (tprc >= irrc && tprc > isrc)
		return tpr;
	return max(tprc & isrc, irrc) << 4;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_apr);

/**
 * khv_apic_deliverable() - the vector the APIC would present to the
 *	processor now (SDM 11.8.3).
 * @irr: the requested vectors.
 * @ppr: the processor priority (khv_apic_ppr()).
 *
 * The highest requested vector goes only if its class is above PPR's class.
 * Vectors 0-15 are of class 0 and so are never deliverable.
 *
 * Return: the vector, or -1 if none may be delivered.
 */
int khv_apic_deliverable(const struct khv_apic_bitmap *irr, u32 ppr)
{
	int v = khv_apic_vec_highest(irr);

	if (v < 0 || KHV_APIC_CLASS((u32)v) <= KHV_APIC_CLASS(ppr & 0xff))
		return -1;
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_deliverable);

/**
 * khv_apic_ack() - the processor accepts an interrupt (SDM 11.8.4).
 * @irr: the requested vectors.
 * @isr: the in-service vectors.
 * @ppr: the processor priority before the acceptance.
 *
 * Moves khv_apic_deliverable()'s vector from @irr to @isr. PPR changes with
 * @isr: the caller computes it anew.
 *
 * Return: the vector moved, or -1 if none may be delivered (nothing changes).
 */
int khv_apic_ack(struct khv_apic_bitmap *irr, struct khv_apic_bitmap *isr,
		 u32 ppr)
{
	int v = khv_apic_deliverable(irr, ppr);

	if (v < 0)
		return -1;
	khv_apic_vec_clear(irr, v);
	khv_apic_vec_set(isr, v);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_ack);

/**
 * khv_apic_eoi() - end of interrupt (SDM 11.8.5).
 * @isr: the in-service vectors.
 *
 * Clears the highest in-service vector. If it is set in TMR (level
 * triggered), the caller tells the I/O APIC (unless SVR bit 12 suppresses
 * the broadcast). PPR changes with @isr: the caller computes it anew.
 *
 * Return: the vector cleared, or -1 if none was in service (a spurious EOI).
 */
int khv_apic_eoi(struct khv_apic_bitmap *isr)
{
	int v = khv_apic_vec_highest(isr);

	if (v >= 0)
		khv_apic_vec_clear(isr, v);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_eoi);

/**
 * khv_apic_illegal_vector_esr() - the ESR bit an illegal vector sets
 *	(SDM 11.5.2, 11.5.3).
 * @dm:   the delivery mode (KHV_APIC_DM_*; an LVT entry without a delivery
 *	  mode field, timer or error, is KHV_APIC_DM_FIXED).
 * @vec:  the vector.
 * @send: the APIC sends it (ICR, SELF IPI); else it receives it (an MSI,
 *	  an IPI, an LVT entry).
 *
 * Only fixed and lowest-priority interrupts have a vector to check: NMI,
 * SMI, INIT, ExtINT ignore it and a start-up IPI's vector is a page number.
 * An interrupt with an illegal vector is neither sent nor accepted.
 *
 * Return: KHV_APIC_ESR_SEND_ILLEGAL or KHV_APIC_ESR_RECV_ILLEGAL for a vector
 * 0-15 in a fixed or lowest-priority interrupt, else 0.
 */
u32 khv_apic_illegal_vector_esr(u32 dm, u8 vec, bool send)
{
	dm &= KHV_APIC_DM_MASK;
	if ((dm != KHV_APIC_DM_FIXED && dm != KHV_APIC_DM_LOWEST) ||
	    vec >= KHV_APIC_FIRST_LEGAL)
		return 0;
	return send ? KHV_APIC_ESR_SEND_ILLEGAL : KHV_APIC_ESR_RECV_ILLEGAL;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_illegal_vector_esr);

/**
 * khv_x2apic_ldr() - the logical ID of an APIC in x2APIC mode
 *	(SDM 11.12.10.2).
 * @x2apic_id: its x2APIC ID.
 *
 * Read-only and derived: the cluster, x2APIC ID bits 19:4, in bits 31:16,
 * and one bit, 1 << x2APIC ID bits 3:0, in bits 15:0.
 *
 * Return: the LDR register.
 */
u32 khv_x2apic_ldr(u32 x2apic_id)
{
	return (((x2apic_id >> 4) & 0xffff) << 16) | BIT(x2apic_id & 0xf);
}
EXPORT_SYMBOL_IF_KUNIT(khv_x2apic_ldr);

/**
 * khv_apic_match_physical() - does an APIC match a physical destination
 *	(SDM 11.6.2.1)?
 * @apic: the APIC.
 * @dest: the destination: 8 bits (xAPIC), 32 bits (x2APIC).
 *
 * xAPIC: 0xff is the broadcast, else the 8-bit ID must equal @dest (a wider
 * @dest matches no xAPIC: no aliasing on its low byte). x2APIC: 0xffffffff
 * is the broadcast, else the 32-bit ID must equal @dest. An ID that no APIC
 * has simply matches none.
 *
 * Return: true if @apic is a destination.
 */
bool khv_apic_match_physical(const struct khv_apic_dest *apic, u32 dest)
{
	if (apic->x2apic)
		return dest == KHV_X2APIC_BROADCAST || dest == apic->id;
	return dest == KHV_APIC_BROADCAST || dest == apic->id;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_match_physical);

/**
 * khv_apic_match_logical() - does an APIC match a logical destination
 *	(SDM 11.6.2.2, 11.12.10)?
 * @apic: the APIC.
 * @dest: the message destination address (MDA).
 *
 * xAPIC flat model (DFR 0xF...): the logical ID (LDR bits 31:24) AND @dest
 * is not 0. xAPIC cluster model (DFR 0x0...): the high nibbles (cluster) are
 * equal and the low nibbles AND is not 0. In both 0xff is the broadcast; any
 * other DFR model and any @dest above 0xff match nothing. x2APIC (cluster
 * only): bits 31:16 (cluster) are equal and bits 15:0 AND is not 0;
 * 0xffffffff is the broadcast.
 *
 * Return: true if @apic is a destination.
 */
bool khv_apic_match_logical(const struct khv_apic_dest *apic, u32 dest)
{
	u32 lid;

	if (apic->x2apic) {
		if (dest == KHV_X2APIC_BROADCAST)
			return true;
		return (dest >> 16) == (apic->ldr >> 16) &&
		       (dest & apic->ldr & 0xffff);
	}
	if (dest == KHV_APIC_BROADCAST)
		return true;
	if (dest > KHV_APIC_BROADCAST)
		return false;
	lid = apic->ldr >> KHV_APIC_LDR_SHIFT;
	switch (apic->dfr >> 28) {
	case KHV_APIC_DFR_FLAT >> 28:
		return lid & dest;
	case KHV_APIC_DFR_CLUSTER >> 28:
		return (lid >> 4) == (dest >> 4) && (lid & dest & 0xf);
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_match_logical);

/**
 * khv_apic_match() - does an APIC accept an interrupt message (SDM 11.6.2)?
 * @apic:      the APIC that might accept it.
 * @dest:      the destination field (ignored with a shorthand).
 * @logical:   logical destination mode (ICR bit 11); else physical.
 * @shorthand: KHV_APIC_SH_* (ICR bits 19:18 shifted down); KHV_APIC_SH_NONE
 *	       for a message that is not an IPI (an MSI).
 * @self:      @apic is the sender.
 *
 * Return: true if @apic is a destination.
 */
bool khv_apic_match(const struct khv_apic_dest *apic, u32 dest, bool logical,
		    unsigned int shorthand, bool self)
{
	switch (shorthand) {
	case KHV_APIC_SH_NONE:
		return logical ? khv_apic_match_logical(apic, dest) :
				 khv_apic_match_physical(apic, dest);
	case KHV_APIC_SH_SELF:
		return self;
	case KHV_APIC_SH_ALL:
		return true;
	case KHV_APIC_SH_ALL_BUT_SELF:
		return !self;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_match);

/* Does candidate @j come before @i in the order (id, index)? */
static bool khv_apic_lp_before(const struct khv_apic_lp_cand *cand,
			       unsigned int j, unsigned int i)
{
	return cand[j].id < cand[i].id || (cand[j].id == cand[i].id && j < i);
}

/**
 * khv_apic_lowest_priority() - which destination gets a lowest-priority
 *	interrupt (SDM 11.6.2.4).
 * @cand: the APICs that matched the destination, in any order.
 * @n:    how many (at most the number of vCPUs: the cost is n squared).
 * @vec:  the interrupt's vector.
 *
 * The candidate whose priority class (@prio bits 7:4) is the lowest wins.
 * Ties (the common case: idle processors all have priority 0): sort the tied
 * candidates by APIC ID (then by their place in @cand) and take the one at
 * @vec modulo their number. So one vector always reaches the same APIC, and
 * different vectors spread over equally idle ones, whatever order the
 * caller lists them in. Focus processor checking is not modelled.
 *
 * Return: the winner's index in @cand, or -1 if @n is 0.
 */
int khv_apic_lowest_priority(const struct khv_apic_lp_cand *cand,
			     unsigned int n, u8 vec)
{
	unsigned int i, j, ties = 0, rank, want;
	u8 best = 0xff;

	for (i = 0; i < n; i++)
		best = min_t(u8, best, KHV_APIC_CLASS(cand[i].prio));
	for (i = 0; i < n; i++)
		ties += KHV_APIC_CLASS(cand[i].prio) == best;
	if (!ties)
		return -1;
	want = vec % ties;
	for (i = 0; i < n; i++) {
		if (KHV_APIC_CLASS(cand[i].prio) != best)
			continue;
		rank = 0;
		for (j = 0; j < n; j++)
			if (KHV_APIC_CLASS(cand[j].prio) == best &&
			    khv_apic_lp_before(cand, j, i))
				rank++;
		if (rank == want)
			return i;
	}
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_lowest_priority);

/**
 * khv_apic_sipi_latch() - the start-up IPI a vCPU takes, once another
 *	arrives (SDM Vol. 3A 9.4.4.1, 11.6.1).
 * @latch: what is latched: 0, or KHV_APIC_SIPI_LATCHED and a vector.
 * @vec:   the new start-up IPI's vector.
 *
 * The first start-up IPI after INIT starts the processor; a later one finds
 * it running and is ignored. The vCPU takes a latched one when it next
 * looks, so one that arrives before then is later than the latched one: it
 * never changes the vector the vCPU starts at.
 *
 * Return: the latch after @vec arrived (@latch itself if one was latched).
 */
u32 khv_apic_sipi_latch(u32 latch, u8 vec)
{
	if (latch & KHV_APIC_SIPI_LATCHED)
		return latch;
	return KHV_APIC_SIPI_LATCHED | vec;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_sipi_latch);

/**
 * khv_apic_timer_divisor() - decode the divide configuration register
 *	(SDM 11.5.4, Figure 11-10).
 * @tdcr: the TDCR register; bits 0, 1 and 3 count, bit 2 and up are ignored.
 *
 * Bits 3,1,0 = 000 ... 110 divide by 2, 4, 8, 16, 32, 64, 128; 111 by 1.
 *
 * Return: the divisor, 1-128.
 */
unsigned int khv_apic_timer_divisor(u32 tdcr)
{
	u32 code = (tdcr & 3) | ((tdcr >> 1) & 4);

	return code == 7 ? 1 : 2U << code;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_timer_divisor);

/* ceil(@units * @per / @hz) without overflow for any u64 @units, or the cap. */
static u64 khv_apic_scale_up(u64 units, u32 per, u32 hz)
{
	u32 rem;
	u64 q = div_u64_rem(units, hz, &rem);

	if (q >= KHV_APIC_TIMER_MAX_NS / per)
		return KHV_APIC_TIMER_MAX_NS;
	return min(q * per + div_u64((u64)rem * per + hz - 1, hz),
		   KHV_APIC_TIMER_MAX_NS);
}

/**
 * khv_apic_timer_period_ns() - how long a one-shot or periodic LAPIC timer
 *	runs (SDM 11.5.4).
 * @count:    the initial count (TMICT); 0 disarms the timer.
 * @tdcr:     the divide configuration register.
 * @bus_hz:   the APIC bus (timer input) frequency; below
 *	      KHV_APIC_BUS_HZ_MIN it counts as that.
 * @periodic: the timer is periodic: the period is at least
 *	      KHV_APIC_TIMER_MIN_PERIOD_NS.
 *
 * count * divisor bus cycles, rounded up to whole nanoseconds so that the
 * timer never fires early: at least 1 ns for an armed timer. Exact for any
 * input (count 0xffffffff, divide by 128 is 2^39 cycles: 550 s at 1 GHz).
 *
 * Return: the period in ns, or 0 if @count is 0 (disarmed).
 */
u64 khv_apic_timer_period_ns(u32 count, u32 tdcr, u32 bus_hz, bool periodic)
{
	u64 ns;

	if (!count)
		return 0;
	bus_hz = max(bus_hz, KHV_APIC_BUS_HZ_MIN);
	ns = khv_apic_scale_up((u64)count * khv_apic_timer_divisor(tdcr),
			       NSEC_PER_SEC, bus_hz);
	if (periodic)
		ns = max_t(u64, ns, KHV_APIC_TIMER_MIN_PERIOD_NS);
	return ns;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_timer_period_ns);

/**
 * khv_apic_timer_current() - the current count register (TMCCT) of a
 *	running timer (SDM 11.5.4).
 * @count:      the initial count (TMICT).
 * @period_ns:  khv_apic_timer_period_ns() of the timer.
 * @elapsed_ns: the time since the timer was armed.
 * @periodic:   periodic (reloads @count at each expiry); else one-shot.
 *
 * The count goes down linearly from @count over @period_ns, so a period
 * clamped to the floor makes the count slower, never out of range. A
 * one-shot timer stays at 0 once expired; a periodic one starts again at
 * @count.
 *
 * Return: the count, 0-@count.
 */
u32 khv_apic_timer_current(u32 count, u64 period_ns, u64 elapsed_ns,
			   bool periodic)
{
	u64 in;

	if (!count || !period_ns)
		return 0;
	if (periodic) {
		div64_u64_rem(elapsed_ns, period_ns, &in);
	} else {
		if (elapsed_ns >= period_ns)
			return 0;
		in = elapsed_ns;
	}
	/* in < period_ns, so the quotient is below count. */
	return count - (u32)mul_u64_u64_div_u64(count, in, period_ns);
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_timer_current);

/**
 * khv_apic_timer_expirations() - how often a periodic timer fired.
 * @period_ns:  its period (khv_apic_timer_period_ns()).
 * @elapsed_ns: the time since it was armed (or last counted).
 *
 * Return: the number of whole periods in @elapsed_ns, 0 if @period_ns is 0.
 */
u64 khv_apic_timer_expirations(u64 period_ns, u64 elapsed_ns)
{
	return period_ns ? div64_u64(elapsed_ns, period_ns) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_timer_expirations);

/**
 * khv_apic_tsc_deadline_ns() - when a TSC-deadline timer fires
 *	(SDM 11.5.4.1).
 * @deadline:   the IA32_TSC_DEADLINE value, in guest TSC cycles; 0 disarms.
 * @host_tsc:   the host's TSC now.
 * @tsc_offset: the guest's TSC offset: guest TSC = host TSC + offset
 *	        (modulo 2^64, as the processor adds it).
 * @tsc_khz:    the guest's TSC frequency in kHz; 0 (unknown) disarms.
 * @delay_ns:   out: the delay from now, 0 if the deadline has passed (fire
 *	        now), rounded up so that it never fires early, at most
 *	        KHV_APIC_TIMER_MAX_NS.
 *
 * Return: true if the timer is armed (*@delay_ns counts), false if
 * disarmed (*@delay_ns is 0).
 */
bool khv_apic_tsc_deadline_ns(u64 deadline, u64 host_tsc, u64 tsc_offset,
			      u32 tsc_khz, u64 *delay_ns)
{
	u64 now = host_tsc + tsc_offset;

	*delay_ns = 0;
	if (!deadline || !tsc_khz)
		return false;
	if (deadline > now)
		*delay_ns = khv_apic_scale_up(deadline - now, NSEC_PER_MSEC,
					      tsc_khz);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_tsc_deadline_ns);

/**
 * khv_apic_lvt_writable() - the bits of an LVT entry software may set
 *	(SDM 11.5.1, Figure 11-8).
 * @reg:   the register offset (KHV_APIC_LVT_*).
 * @flags: KHV_APIC_F_TSC_DEADLINE makes timer mode 10b writable.
 *
 * All: vector and mask. Timer: mode bit 17 (periodic), bit 18 with
 * TSC-deadline. Thermal and performance counter: delivery mode. LINT0/1:
 * delivery mode, polarity, trigger mode. Error: nothing more. Delivery status
 * and remote IRR are read-only. CMCI is not modelled.
 *
 * Return: the mask, 0 if @reg is not a modelled LVT entry.
 */
u32 khv_apic_lvt_writable(u32 reg, unsigned int flags)
{
	const u32 all = KHV_APIC_VECTOR_MASK | KHV_APIC_LVT_MASKED;

	switch (reg) {
	case KHV_APIC_LVT_TIMER:
		return all | KHV_APIC_TIMER_PERIODIC |
		       (flags & KHV_APIC_F_TSC_DEADLINE ?
			KHV_APIC_TIMER_TSC_DEADLINE : 0);
	case KHV_APIC_LVT_THERMAL:
	case KHV_APIC_LVT_PERF:
		return all | KHV_APIC_DM_MASK;
	case KHV_APIC_LVT_LINT0:
	case KHV_APIC_LVT_LINT1:
		return all | KHV_APIC_DM_MASK | KHV_APIC_LVT_POLARITY |
		       KHV_APIC_LVT_LEVEL;
	case KHV_APIC_LVT_ERROR:
		return all;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_lvt_writable);

/* A register offset of the xAPIC page that is no register at all. */
static enum khv_apic_access khv_apic_no_reg(u32 reg, bool x2apic)
{
	if (x2apic)
		return KHV_APIC_ACC_GP;
	/* Bytes 4-15 of a slot (SDM 11.4.1): no register, no error. */
	return reg % KHV_APIC_REG_STRIDE ? KHV_APIC_ACC_IGNORE :
					   KHV_APIC_ACC_ILLEGAL;
}

/**
 * khv_apic_read_check() - what a read of an APIC register does
 *	(SDM 11.4.1 Table 11-1, 11.12.1.2 Table 11-6).
 * @reg:   the register offset; for an x2APIC MSR, KHV_X2APIC_REG(msr).
 * @flags: KHV_APIC_F_X2APIC for an RDMSR in x2APIC mode.
 *
 * xAPIC: a write-only register (EOI) reads as 0; an offset that is no
 * register is KHV_APIC_ACC_ILLEGAL (ESR bit 7), unaligned bytes read as 0.
 * x2APIC: write-only registers (EOI, SELF IPI) and those x2APIC has not
 * (APR, RRD, DFR, ICR2, CMCI, reserved) raise #GP.
 *
 * Return: enum khv_apic_access; KHV_APIC_ACC_OK: read the register.
 */
enum khv_apic_access khv_apic_read_check(u32 reg, unsigned int flags)
{
	bool x2 = flags & KHV_APIC_F_X2APIC;

	if (reg % KHV_APIC_REG_STRIDE || reg >= KHV_APIC_REG_END)
		return khv_apic_no_reg(reg, x2);
	switch (reg) {
	case KHV_APIC_ID:
	case KHV_APIC_LVR:
	case KHV_APIC_TPR:
	case KHV_APIC_PPR:
	case KHV_APIC_LDR:
	case KHV_APIC_SVR:
	case KHV_APIC_ISR ... KHV_APIC_ISR + 0x70:
	case KHV_APIC_TMR ... KHV_APIC_TMR + 0x70:
	case KHV_APIC_IRR ... KHV_APIC_IRR + 0x70:
	case KHV_APIC_ESR:
	case KHV_APIC_ICR:
	case KHV_APIC_LVT_TIMER ... KHV_APIC_LVT_ERROR:
	case KHV_APIC_TMICT:
	case KHV_APIC_TMCCT:
	case KHV_APIC_TDCR:
		return KHV_APIC_ACC_OK;
	case KHV_APIC_APR:
	case KHV_APIC_RRD:
	case KHV_APIC_DFR:
	case KHV_APIC_ICR2:
		return x2 ? KHV_APIC_ACC_GP : KHV_APIC_ACC_OK;
	case KHV_APIC_EOI:
		return x2 ? KHV_APIC_ACC_GP : KHV_APIC_ACC_IGNORE;
	default:
		return khv_apic_no_reg(reg, x2);
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_read_check);

/* x2APIC ICR bits that raise #GP when set (SDM 11.12.9, Figure 11-28). */
#define KHV_X2APIC_ICR_RESERVED	(GENMASK_ULL(31, 20) | GENMASK_ULL(17, 16) | \
				 BIT_ULL(13))

/**
 * khv_apic_write_check() - what a write to an APIC register does
 *	(SDM 11.4.1 Table 11-1, 11.12.1.2 Table 11-6, 11.12.1.3).
 * @reg:   the register offset; for an x2APIC MSR, KHV_X2APIC_REG(msr).
 * @val:   the value written: 32 bits for xAPIC (higher bits are ignored),
 *	   64 bits for x2APIC (only ICR has bits 63:32, the destination).
 * @flags: KHV_APIC_F_*: the mode and what the guest's APIC supports.
 * @out:   out, with KHV_APIC_ACC_OK: the value to store or act on, reserved
 *	   and read-only bits cleared (the caller keeps its own read-only bits:
 *	   delivery status, remote IRR). EOI and ESR: 0 (the write is the act).
 *	   DFR: bits 27:0 set. LVT: masked when KHV_APIC_F_SW_DISABLED.
 *
 * xAPIC (SDM 11.4.1): reserved bits are ignored; a write to a read-only
 * register is dropped; to an offset that is no register, dropped with ESR
 * bit 7. x2APIC (SDM 11.12.1.3): a set reserved bit, a read-only register,
 * one x2APIC has not, a non-zero EOI or ESR write, and bits 63:32 of any
 * register but ICR raise #GP(0); ICR's delivery status (bit 12) is ignored.
 * Timer mode 11b (reserved) and 10b without TSC-deadline: #GP in x2APIC,
 * one-shot in xAPIC. Side effects (the timer, an IPI, EOI, the ESR update,
 * masking every LVT when SVR bit 8 is cleared, TMICT ignored in TSC-deadline
 * mode) are the caller's.
 *
 * Return: enum khv_apic_access.
 */
enum khv_apic_access khv_apic_write_check(u32 reg, u64 val,
					  unsigned int flags, u64 *out)
{
	bool x2 = flags & KHV_APIC_F_X2APIC;
	u32 v = (u32)val, keep, ro = 0, set = 0;

	*out = 0;
	if (reg % KHV_APIC_REG_STRIDE || reg >= KHV_APIC_REG_END)
		return khv_apic_no_reg(reg, x2);
	if (x2 && reg == KHV_APIC_ICR) {
		if (val & KHV_X2APIC_ICR_RESERVED)
			return KHV_APIC_ACC_GP;
		*out = val & ~(u64)KHV_APIC_ICR_PENDING;
		return KHV_APIC_ACC_OK;
	}
	if (x2 && val >> 32)
		return KHV_APIC_ACC_GP;

	switch (reg) {
	case KHV_APIC_ID:
		if (x2)
			return KHV_APIC_ACC_GP;
		keep = GENMASK(31, KHV_APIC_XAPIC_ID_SHIFT);
		break;
	case KHV_APIC_TPR:
		keep = KHV_APIC_VECTOR_MASK;
		break;
	case KHV_APIC_EOI:
	case KHV_APIC_ESR:
		keep = 0;
		if (!x2)
			v = 0;
		break;
	case KHV_APIC_LDR:
		if (x2)
			return KHV_APIC_ACC_GP;
		keep = KHV_APIC_LDR_XAPIC;
		break;
	case KHV_APIC_DFR:
		if (x2)
			return KHV_APIC_ACC_GP;
		keep = KHV_APIC_DFR_MODEL;
		set = KHV_APIC_DFR_ONES;
		break;
	case KHV_APIC_SVR:
		keep = KHV_APIC_SVR_VECTOR | KHV_APIC_SVR_ENABLE |
		       KHV_APIC_SVR_FOCUS_OFF;
		if (flags & KHV_APIC_F_DIRECTED_EOI)
			keep |= KHV_APIC_SVR_EOI_SUPPRESS;
		break;
	case KHV_APIC_ICR:
		keep = KHV_APIC_ICR_VECTOR | KHV_APIC_ICR_DM |
		       KHV_APIC_ICR_LOGICAL | KHV_APIC_ICR_ASSERT |
		       KHV_APIC_ICR_LEVEL | KHV_APIC_ICR_SHORTHAND;
		break;
	case KHV_APIC_ICR2:
		if (x2)
			return KHV_APIC_ACC_GP;
		keep = KHV_APIC_ICR2_DEST;
		break;
	case KHV_APIC_LVT_TIMER:
		if ((v & KHV_APIC_LVT_TIMER_MODE) == KHV_APIC_LVT_TIMER_MODE) {
			if (x2)
				return KHV_APIC_ACC_GP;
			v &= ~KHV_APIC_LVT_TIMER_MODE;
		}
		fallthrough;
	case KHV_APIC_LVT_THERMAL ... KHV_APIC_LVT_ERROR:
		keep = khv_apic_lvt_writable(reg, flags);
		ro = KHV_APIC_LVT_PENDING;
		if (reg == KHV_APIC_LVT_LINT0 || reg == KHV_APIC_LVT_LINT1)
			ro |= KHV_APIC_LVT_REMOTE_IRR;
		if (flags & KHV_APIC_F_SW_DISABLED)
			set = KHV_APIC_LVT_MASKED;
		break;
	case KHV_APIC_TMICT:
		keep = U32_MAX;
		break;
	case KHV_APIC_TDCR:
		keep = KHV_APIC_TDCR_MASK;
		break;
	case KHV_APIC_SELF_IPI:
		if (!x2)
			return KHV_APIC_ACC_ILLEGAL;
		keep = KHV_APIC_VECTOR_MASK;
		break;
	case KHV_APIC_LVR:
	case KHV_APIC_APR:
	case KHV_APIC_PPR:
	case KHV_APIC_RRD:
	case KHV_APIC_ISR ... KHV_APIC_ISR + 0x70:
	case KHV_APIC_TMR ... KHV_APIC_TMR + 0x70:
	case KHV_APIC_IRR ... KHV_APIC_IRR + 0x70:
	case KHV_APIC_TMCCT:
		return x2 ? KHV_APIC_ACC_GP : KHV_APIC_ACC_IGNORE;
	default:
		return khv_apic_no_reg(reg, x2);
	}
	if (x2 && (v & ~(keep | ro)))
		return KHV_APIC_ACC_GP;
	*out = (v & keep) | set;
	return KHV_APIC_ACC_OK;
}
EXPORT_SYMBOL_IF_KUNIT(khv_apic_write_check);
