/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Architectural rules both backends check the same way: which register
 * values an x86 processor accepts (SDM Vol. 1 and Vol. 3A).
 */
#ifndef KHV_X86_H
#define KHV_X86_H

#include <linux/bits.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <uapi/linux/khv.h>

/*
 * The APIC bus (timer) frequency khv's local APIC runs at, as CPUID
 * 4000_0010h:EBX publishes it (in kHz there).
 */
#define KHV_APIC_BUS_HZ	1000000000U

/*
 * TSC offsetting (SDM Vol. 3C 27.3, APM 15.30.5): the guest reads the host's
 * TSC plus an offset, modulo 2^64. The offset that makes the guest read
 * @guest now that the host reads @host, and what the guest reads then.
 */
static inline u64 khv_tsc_offset(u64 guest, u64 host)
{
	return guest - host;
}

static inline u64 khv_tsc_apply(u64 offset, u64 host)
{
	return host + offset;
}

/* RFLAGS bits that do not exist (SDM Vol. 1 3.4.3): must be 0, bit 1 is 1. */
#define KHV_RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

static inline bool khv_rflags_valid(u64 rflags)
{
	return !(rflags & KHV_RFLAGS_RESERVED) && (rflags & X86_EFLAGS_FIXED);
}

/* Bits 63:47 all equal (SDM Vol. 1 3.3.7.1). */
static inline bool khv_canonical(u64 v)
{
	return (s64)(v << 16) >> 16 == (s64)v;
}

/* Each PAT entry must name a memory type that exists (SDM Vol. 3A 13.12.2). */
static inline bool khv_pat_valid(u64 pat)
{
	unsigned int i;
	u8 t;

	for (i = 0; i < 8; i++) {
		t = pat >> (i * 8);
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* DR7 after RESET and after every #VMEXIT / VM exit (SDM 18.2.4, APM 15.7.2). */
#define KHV_DR7_RESET	0x400
/* DR7's local and global enables of breakpoints 0-3 (SDM 18.2.4). */
#define KHV_DR7_ENABLED	0xff
/* DR7.GD: a MOV DR raises #DB (SDM 18.2.4); DR6.BD records that it did. */
#define KHV_DR7_GD	BIT(13)
#define KHV_DR6_BD	BIT(13)
/* What a write leaves in DR7 (bits 12, 14, 15 read 0, bit 10 reads 1). */
#define KHV_DR7_VOLATILE	0xffff2bffULL
/*
 * DR6 after RESET, and its bits a write or a #DB changes: B0-B3, BD, BS,
 * BT (SDM 18.2.3). The others read 1 (bit 16 too: khv offers no RTM) or 0.
 */
#define KHV_DR6_FIXED_1		0xffff0ff0ULL
#define KHV_DR6_VOLATILE	0x0000e00fULL

/*
 * The APIC bus, the LAPIC timer's input clock: 1 GHz, as KVM's
 * (Documentation/khv-abi.rst, "Local APIC").
 */
#define KHV_APIC_BUS_HZ	1000000000U

/* The EFER bits a guest may have. */
#define KHV_EFER_KNOWN	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * The checks of KHV_SET_SREGS that do not depend on the vendor: known EFER
 * bits, CR8 a priority, no CR0/CR4 bits above 31, paging only with
 * protection, long mode only with PAE, zero padding. Returns whether the
 * guest will be in long mode (SDM Vol. 3A 10.8.5: LMA = LME && PG) through
 * @lma.
 */
static inline int khv_sregs_check(const struct khv_sregs *s, bool *lma)
{
	if ((s->efer & ~KHV_EFER_KNOWN) || s->cr8 > 15 ||
	    (s->cr0 >> 32) || (s->cr4 >> 32) ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)))
		return -EINVAL;
	*lma = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);
	if (*lma && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (memchr_inv(s->gdt.padding, 0, sizeof(s->gdt.padding)) ||
	    memchr_inv(s->idt.padding, 0, sizeof(s->idt.padding)))
		return -EINVAL;
	return 0;
}

/* A khv_segment's fields within their widths, padding zero. */
static inline bool khv_segment_valid(const struct khv_segment *k)
{
	return k->type <= 15 && k->dpl <= 3 && k->s <= 1 && k->present <= 1 &&
	       k->avl <= 1 && k->l <= 1 && k->db <= 1 && k->g <= 1 &&
	       k->unusable <= 1 && !memchr_inv(k->padding, 0, sizeof(k->padding));
}

/*
 * The values an allow-listed MSR other than EFER may hold: the addresses
 * (LSTAR, CSTAR, the FS/GS bases, SYSENTER_ESP/EIP) canonical, as KVM's
 * __kvm_set_msr() checks them.
 */
static inline bool khv_msr_value_valid(u32 index, u64 data)
{
	switch (index) {
	case MSR_STAR:
		/* Selectors and a 32-bit EIP, every bit writable (APM Vol. 2 6.1.1). */
		return true;
	case MSR_IA32_CR_PAT:
		return khv_pat_valid(data);
	case MSR_IA32_SYSENTER_CS:
	case MSR_TSC_AUX:	/* bits 63:32 reserved (APM Vol. 2 13.2.1) */
	case MSR_SYSCALL_MASK:
		/* SFMASK: bits 63:32 reserved (SDM Vol. 4 2.1: WRMSR #GPs). */
		return !(data >> 32);
	default:
		return khv_canonical(data);
	}
}

/* Vectors that push an error code in protected mode (SDM Vol. 3A 6.13). */
static inline bool khv_exception_has_error(u8 vector)
{
	switch (vector) {
	case X86_TRAP_DF:
	case X86_TRAP_TS:
	case X86_TRAP_NP:
	case X86_TRAP_SS:
	case X86_TRAP_GP:
	case X86_TRAP_PF:
	case X86_TRAP_AC:
	case X86_TRAP_CP:
		return true;
	default:
		return false;
	}
}

/* Not a vector: what khv_exception_merge() returns for a triple fault. */
#define KHV_TRIPLE_FAULT	0xff

/* Contributory exceptions (SDM Vol. 3A 6.15, Table 6-4). */
static inline bool khv_exception_contributory(u8 vector)
{
	return vector == X86_TRAP_DE || (vector >= X86_TRAP_TS &&
					 vector <= X86_TRAP_GP);
}

/*
 * Exception @second arose while exception @first was being delivered
 * (SDM Vol. 3A 6.15, Table 6-5): a fault during a double fault shuts the
 * processor down (KHV_TRIPLE_FAULT); a contributory exception after a
 * contributory one or a page fault, or a page fault after a page fault, is
 * a double fault; anything else is delivered serially: @second now, and
 * @first again when its instruction runs again.
 */
static inline u8 khv_exception_merge(u8 first, u8 second)
{
	bool pf1 = first == X86_TRAP_PF || first == X86_TRAP_VE;

	if (first == X86_TRAP_DF)
		return KHV_TRIPLE_FAULT;
	if ((khv_exception_contributory(first) || pf1) &&
	    (khv_exception_contributory(second) || (pf1 && second == X86_TRAP_PF)))
		return X86_TRAP_DF;
	return second;
}

#endif /* KHV_X86_H */
