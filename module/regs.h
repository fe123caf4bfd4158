/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's registers as struct khv_vcpu holds them, in the style of
 * KVM's kvm_cache_regs.h.
 *
 * From an exit to the next entry, regs[] is the truth. After every exit the
 * backend copies in the registers the hardware keeps (RSP, RIP and RFLAGS in
 * the VMCS; RAX, RSP, RIP and RFLAGS in the VMCB); before the next entry it
 * copies back those that regs_dirty marks, and clears regs_dirty. The other
 * general registers pass through vmenter.S on every entry and exit. There are
 * no "available" bits: a VMREAD or a VMCB load per register and exit costs
 * less than the bookkeeping would.
 */
#ifndef KHV_REGS_H
#define KHV_REGS_H

#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/types.h>

#include "vcpu.h"

static inline bool khv_register_is_dirty(struct khv_vcpu *vcpu,
					 enum khv_reg reg)
{
	return vcpu->regs_dirty & BIT(reg);
}

/* A register by number: KHV_REG_*, or a decoded instruction's 0-15. */
static inline u64 khv_register_read(struct khv_vcpu *vcpu, unsigned int reg)
{
	if (WARN_ON_ONCE(reg >= KHV_NR_REGS))
		return 0;
	return vcpu->regs[reg];
}

static inline void khv_register_write(struct khv_vcpu *vcpu, unsigned int reg,
				      u64 val)
{
	if (WARN_ON_ONCE(reg >= KHV_NR_REGS))
		return;
	vcpu->regs[reg] = val;
	vcpu->regs_dirty |= BIT(reg);
}

static inline u64 khv_rip_read(struct khv_vcpu *vcpu)
{
	return vcpu->regs[KHV_REG_RIP];
}

static inline void khv_rip_write(struct khv_vcpu *vcpu, u64 val)
{
	khv_register_write(vcpu, KHV_REG_RIP, val);
}

static inline u64 khv_rflags_read(struct khv_vcpu *vcpu)
{
	return vcpu->regs[KHV_REG_RFLAGS];
}

static inline void khv_rflags_write(struct khv_vcpu *vcpu, u64 val)
{
	khv_register_write(vcpu, KHV_REG_RFLAGS, val);
}

/* EDX:EAX, as RDMSR, RDTSC and friends write them. */
static inline void khv_edx_eax_write(struct khv_vcpu *vcpu, u64 val)
{
	khv_register_write(vcpu, KHV_REG_RAX, (u32)val);
	khv_register_write(vcpu, KHV_REG_RDX, val >> 32);
}

static inline u64 khv_edx_eax_read(struct khv_vcpu *vcpu)
{
	return (u32)vcpu->regs[KHV_REG_RAX] | vcpu->regs[KHV_REG_RDX] << 32;
}

#endif /* KHV_REGS_H */
