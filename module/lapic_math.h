/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pure logic of an emulated local APIC (SDM Vol. 3A chapter 11): vector
 * sets, priorities, destination matching, lowest-priority arbitration, timer
 * arithmetic and the checks on register reads and writes. No state, no
 * locking, no time source: the device model keeps each vCPU's registers,
 * holds its lock, reads the clocks and calls these (lapic_math.c; KUnit
 * suite in lapic_math_test.c). The rules where the SDM leaves a choice are in
 * Documentation/khv-abi.rst, "Local APIC".
 *
 * The names carry a KHV_ prefix so that they never clash with the host's
 * <asm/apicdef.h>, which describes the host's own APIC.
 */
#ifndef KHV_LAPIC_MATH_H
#define KHV_LAPIC_MATH_H

#include <linux/bits.h>
#include <linux/time64.h>
#include <linux/types.h>

/* Register offsets in the xAPIC page (SDM Vol. 3A Table 11-1). */
#define KHV_APIC_ID		0x020
#define KHV_APIC_LVR		0x030
#define KHV_APIC_TPR		0x080
#define KHV_APIC_APR		0x090	/* xAPIC only */
#define KHV_APIC_PPR		0x0a0
#define KHV_APIC_EOI		0x0b0
#define KHV_APIC_RRD		0x0c0	/* xAPIC only */
#define KHV_APIC_LDR		0x0d0
#define KHV_APIC_DFR		0x0e0	/* xAPIC only */
#define KHV_APIC_SVR		0x0f0
#define KHV_APIC_ISR		0x100	/* 8 registers, 0x100-0x170 */
#define KHV_APIC_TMR		0x180	/* 8 registers, 0x180-0x1f0 */
#define KHV_APIC_IRR		0x200	/* 8 registers, 0x200-0x270 */
#define KHV_APIC_ESR		0x280
#define KHV_APIC_LVT_CMCI	0x2f0	/* not modelled: LVR max LVT is 5 */
#define KHV_APIC_ICR		0x300	/* x2APIC: one 64-bit register */
#define KHV_APIC_ICR2		0x310	/* xAPIC only */
#define KHV_APIC_LVT_TIMER	0x320
#define KHV_APIC_LVT_THERMAL	0x330
#define KHV_APIC_LVT_PERF	0x340
#define KHV_APIC_LVT_LINT0	0x350
#define KHV_APIC_LVT_LINT1	0x360
#define KHV_APIC_LVT_ERROR	0x370
#define KHV_APIC_TMICT		0x380
#define KHV_APIC_TMCCT		0x390
#define KHV_APIC_TDCR		0x3e0
#define KHV_APIC_SELF_IPI	0x3f0	/* x2APIC only */
#define KHV_APIC_REG_END	0x400
#define KHV_APIC_REG_STRIDE	0x10	/* one register per 16 bytes */

/* x2APIC: the register at offset OFF is MSR 0x800 + OFF / 16 (Table 11-6). */
#define KHV_X2APIC_MSR_BASE	0x800
#define KHV_X2APIC_MSR_END	0x8ff
#define KHV_X2APIC_MSR(off)	(KHV_X2APIC_MSR_BASE + ((off) >> 4))
#define KHV_X2APIC_REG(msr)	(((msr) - KHV_X2APIC_MSR_BASE) << 4)

/* Vectors 0-15 are illegal as interrupts (SDM 11.5.2). */
#define KHV_APIC_VECTORS	256
#define KHV_APIC_FIRST_LEGAL	16
#define KHV_APIC_VECTOR_MASK	GENMASK(7, 0)
/* A vector's priority class is its high nibble (SDM 11.8.3). */
#define KHV_APIC_CLASS(v)	((v) & 0xf0)

/* ID, LVR (SDM 11.4.6, 11.4.8). */
#define KHV_APIC_XAPIC_ID_SHIFT	24
#define KHV_APIC_LVR_DIRECTED_EOI BIT(24)

/* Delivery modes, LVT and ICR bits 10:8 (SDM 11.5.1, 11.6.1). */
#define KHV_APIC_DM_MASK	GENMASK(10, 8)
#define KHV_APIC_DM(mode)	((mode) << 8)
#define KHV_APIC_DM_FIXED	KHV_APIC_DM(0)
#define KHV_APIC_DM_LOWEST	KHV_APIC_DM(1)	/* ICR only */
#define KHV_APIC_DM_SMI		KHV_APIC_DM(2)
#define KHV_APIC_DM_NMI		KHV_APIC_DM(4)
#define KHV_APIC_DM_INIT	KHV_APIC_DM(5)
#define KHV_APIC_DM_STARTUP	KHV_APIC_DM(6)	/* ICR only */
#define KHV_APIC_DM_EXTINT	KHV_APIC_DM(7)	/* LINT0/1 only */

/* LVT entries (SDM 11.5.1, Figure 11-8). */
#define KHV_APIC_LVT_PENDING	BIT(12)		/* delivery status, read-only */
#define KHV_APIC_LVT_POLARITY	BIT(13)		/* LINT0/1 */
#define KHV_APIC_LVT_REMOTE_IRR	BIT(14)		/* LINT0/1, read-only */
#define KHV_APIC_LVT_LEVEL	BIT(15)		/* LINT0/1 */
#define KHV_APIC_LVT_MASKED	BIT(16)
#define KHV_APIC_LVT_TIMER_MODE	GENMASK(18, 17)	/* timer */
#define KHV_APIC_TIMER_MODE(m)	((m) << 17)
#define KHV_APIC_TIMER_ONESHOT	KHV_APIC_TIMER_MODE(0)
#define KHV_APIC_TIMER_PERIODIC	KHV_APIC_TIMER_MODE(1)
#define KHV_APIC_TIMER_TSC_DEADLINE KHV_APIC_TIMER_MODE(2)

/* SVR (SDM 11.9). */
#define KHV_APIC_SVR_VECTOR	GENMASK(7, 0)
#define KHV_APIC_SVR_ENABLE	BIT(8)
#define KHV_APIC_SVR_FOCUS_OFF	BIT(9)		/* stored, no effect */
#define KHV_APIC_SVR_EOI_SUPPRESS BIT(12)	/* with LVR bit 24 only */

/* DFR (SDM 11.6.2.2): the model in bits 31:28, bits 27:0 read as ones. */
#define KHV_APIC_DFR_MODEL	GENMASK(31, 28)
#define KHV_APIC_DFR_ONES	GENMASK(27, 0)
#define KHV_APIC_DFR_FLAT	0xffffffffU
#define KHV_APIC_DFR_CLUSTER	0x0fffffffU

/* LDR: the xAPIC logical ID in bits 31:24 (SDM 11.6.2.2). */
#define KHV_APIC_LDR_XAPIC	GENMASK(31, 24)
#define KHV_APIC_LDR_SHIFT	24

/* ESR (SDM 11.5.3). */
#define KHV_APIC_ESR_SEND_CS	BIT(0)
#define KHV_APIC_ESR_RECV_CS	BIT(1)
#define KHV_APIC_ESR_SEND_ACCEPT BIT(2)
#define KHV_APIC_ESR_RECV_ACCEPT BIT(3)
#define KHV_APIC_ESR_REDIR_IPI	BIT(4)
#define KHV_APIC_ESR_SEND_ILLEGAL BIT(5)
#define KHV_APIC_ESR_RECV_ILLEGAL BIT(6)
#define KHV_APIC_ESR_ILLEGAL_REG BIT(7)		/* xAPIC only */

/* ICR (SDM 11.6.1, Figures 11-12 and 11-28). */
#define KHV_APIC_ICR_VECTOR	GENMASK(7, 0)
#define KHV_APIC_ICR_DM		KHV_APIC_DM_MASK
#define KHV_APIC_ICR_LOGICAL	BIT(11)
#define KHV_APIC_ICR_PENDING	BIT(12)		/* read-only; x2APIC: ignored */
#define KHV_APIC_ICR_ASSERT	BIT(14)
#define KHV_APIC_ICR_LEVEL	BIT(15)
#define KHV_APIC_ICR_SHORTHAND	GENMASK(19, 18)
#define KHV_APIC_ICR_SHORTHAND_SHIFT 18
#define KHV_APIC_ICR2_DEST	GENMASK(31, 24)	/* xAPIC: destination */
#define KHV_APIC_ICR2_DEST_SHIFT 24
#define KHV_X2APIC_ICR_DEST_SHIFT 32		/* x2APIC: bits 63:32 */

/* Destination shorthands: ICR bits 19:18 shifted down. */
#define KHV_APIC_SH_NONE	0
#define KHV_APIC_SH_SELF	1
#define KHV_APIC_SH_ALL		2	/* all including self */
#define KHV_APIC_SH_ALL_BUT_SELF 3

/* A start-up IPI waiting for its vCPU: this bit and its vector. */
#define KHV_APIC_SIPI_LATCHED	BIT(8)

/* Broadcast destinations (SDM 11.6.2.1, 11.12.9). */
#define KHV_APIC_BROADCAST	0xffU
#define KHV_X2APIC_BROADCAST	0xffffffffU

/* TDCR (SDM 11.5.4, Figure 11-10): bits 0, 1 and 3 select the divisor. */
#define KHV_APIC_TDCR_MASK	0xbU

/*
 * The shortest period a periodic LAPIC timer gets: a shorter one is clamped
 * to it, so that a guest cannot make the host fire an hrtimer every few
 * nanoseconds (one-shot and TSC-deadline timers need a guest exit to re-arm,
 * so they are not clamped). 200 us is KVM's default (min_timer_period_us).
 */
#define KHV_APIC_TIMER_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)
/* The slowest APIC bus the timer arithmetic takes; slower counts as this. */
#define KHV_APIC_BUS_HZ_MIN		1000000U
/* The longest delay any timer function returns (146 years), so that now
 * plus a delay never overflows a ktime_t.
 */
#define KHV_APIC_TIMER_MAX_NS		BIT_ULL(62)

/**
 * struct khv_apic_bitmap - a set of the 256 vectors, as IRR, ISR or TMR.
 * @w: vector V is bit V % 32 of @w[V / 32]: word N is the register at
 *	offset base + N * 0x10 (ISR, TMR, IRR), so an xAPIC read or an x2APIC
 *	RDMSR of one of them returns @w[N] as it is.
 *
 * Packed, not at the register page's 0x10 stride: the sets are the APIC's
 * hot state (every injection scans IRR and ISR), 32 contiguous bytes are
 * scanned with 8 loads from one cache line, and a set is a type of its own,
 * so that a register offset cannot be passed where a set is meant. Without
 * APIC virtualization no hardware reads a register page, so nothing needs
 * the stride; should APICv/AVIC come, a set is 8 words to copy.
 */
struct khv_apic_bitmap {
	u32 w[8];
};

/**
 * struct khv_apic_dest - what destination matching needs of one APIC.
 * @id:     xAPIC mode: the 8-bit APIC ID (ID register bits 31:24);
 *	    x2APIC mode: the 32-bit x2APIC ID.
 * @ldr:    the LDR register (x2APIC mode: khv_x2apic_ldr() of @id).
 * @dfr:    the DFR register (xAPIC mode only).
 * @x2apic: the APIC is in x2APIC mode.
 */
struct khv_apic_dest {
	u32 id;
	u32 ldr;
	u32 dfr;
	bool x2apic;
};

/**
 * struct khv_apic_lp_cand - a candidate of lowest-priority arbitration.
 * @id:   its APIC ID (orders the candidates of equal priority).
 * @prio: its processor (or arbitration) priority, 0-255.
 */
struct khv_apic_lp_cand {
	u32 id;
	u8 prio;
};

/* What an access to an APIC register does (khv_apic_{read,write}_check()). */
enum khv_apic_access {
	KHV_APIC_ACC_OK,	/* a read: read it; a write: store/act on *out */
	KHV_APIC_ACC_IGNORE,	/* xAPIC: write dropped, or read as 0 */
	KHV_APIC_ACC_ILLEGAL,	/* xAPIC: as IGNORE, and set ESR bit 7 */
	KHV_APIC_ACC_GP,	/* x2APIC: the RDMSR/WRMSR raises #GP(0) */
};

/* The state an access check needs (flags of khv_apic_{read,write}_check()). */
#define KHV_APIC_F_X2APIC	BIT(0)	/* an MSR access in x2APIC mode */
#define KHV_APIC_F_SW_DISABLED	BIT(1)	/* SVR bit 8 clear: LVTs stay masked */
#define KHV_APIC_F_TSC_DEADLINE	BIT(2)	/* CPUID.1:ECX[24] for the guest */
#define KHV_APIC_F_DIRECTED_EOI	BIT(3)	/* LVR bit 24 for the guest */

/* CR8 is TPR bits 7:4 (SDM 11.8.6.1). */
static inline u32 khv_apic_cr8_to_tpr(u64 cr8)
{
	return ((u32)cr8 & 0xf) << 4;
}

static inline u64 khv_apic_tpr_to_cr8(u32 tpr)
{
	return (tpr >> 4) & 0xf;
}

bool khv_apic_vec_set(struct khv_apic_bitmap *b, u8 vec);
bool khv_apic_vec_clear(struct khv_apic_bitmap *b, u8 vec);
bool khv_apic_vec_test(const struct khv_apic_bitmap *b, u8 vec);
int khv_apic_vec_highest(const struct khv_apic_bitmap *b);
unsigned int khv_apic_vec_count(const struct khv_apic_bitmap *b);

u32 khv_apic_ppr(u32 tpr, const struct khv_apic_bitmap *isr);
u32 khv_apic_apr(u32 tpr, const struct khv_apic_bitmap *irr,
		 const struct khv_apic_bitmap *isr);
int khv_apic_deliverable(const struct khv_apic_bitmap *irr, u32 ppr);
int khv_apic_ack(struct khv_apic_bitmap *irr, struct khv_apic_bitmap *isr,
		 u32 ppr);
int khv_apic_eoi(struct khv_apic_bitmap *isr);
u32 khv_apic_illegal_vector_esr(u32 dm, u8 vec, bool send);

u32 khv_x2apic_ldr(u32 x2apic_id);
bool khv_apic_match_physical(const struct khv_apic_dest *apic, u32 dest);
bool khv_apic_match_logical(const struct khv_apic_dest *apic, u32 dest);
bool khv_apic_match(const struct khv_apic_dest *apic, u32 dest, bool logical,
		    unsigned int shorthand, bool self);
int khv_apic_lowest_priority(const struct khv_apic_lp_cand *cand,
			     unsigned int n, u8 vec);
u32 khv_apic_sipi_latch(u32 latch, u8 vec);

unsigned int khv_apic_timer_divisor(u32 tdcr);
u64 khv_apic_timer_period_ns(u32 count, u32 tdcr, u32 bus_hz, bool periodic);
u32 khv_apic_timer_current(u32 count, u64 period_ns, u64 elapsed_ns,
			   bool periodic);
u64 khv_apic_timer_expirations(u64 period_ns, u64 elapsed_ns);
bool khv_apic_tsc_deadline_ns(u64 deadline, u64 host_tsc, u64 tsc_offset,
			      u32 tsc_khz, u64 *delay_ns);

u32 khv_apic_lvt_writable(u32 reg, unsigned int flags);
enum khv_apic_access khv_apic_read_check(u32 reg, unsigned int flags);
enum khv_apic_access khv_apic_write_check(u32 reg, u64 val,
					  unsigned int flags, u64 *out);

#endif /* KHV_LAPIC_MATH_H */
