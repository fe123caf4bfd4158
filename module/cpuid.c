// SPDX-License-Identifier: GPL-2.0-only
/*
 * What CPUID tells a guest: the vCPU's table (KHV_SET_CPUID) or the host's
 * values, in both cases less what the host lacks and what khv must not give
 * a guest.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "compat.h"
#include "khv.h"
#include "lapic.h"
#include "x86.h"
#include "xstate.h"

/* The hypervisor leaves (Documentation/khv-abi.rst, "CPUID"). */
#define KHV_CPUID_MAX_HV	0x40000010
/* Its signature, "khvkhvkhv\0\0\0". */
#define KHV_SIG_EBX	0x6b76686b
#define KHV_SIG_ECX	0x686b7668
#define KHV_SIG_EDX	0x00000076

/*
 * Bits a guest may not see even where the host has them: nested
 * virtualization (VMX, SVM), state khv does not switch (CET), instructions
 * khv intercepts without emulating (MONITOR/MWAIT), an x2APIC (unless the
 * irqchip gives one, khv_cpuid_lapic()), SGX (leaf 7 EBX bit 2, ECX bit
 * 30; leaf 12h reads as zeros) and machine-check exceptions and architecture
 * (leaf 1 and 8000_0001h EDX bits 7 and 14: khv has no MCG/MCi MSRs, which
 * a guest that saw them would read, take a #GP and panic on). XSAVE, AVX,
 * AVX-512 and protection keys: khv_cpuid_xfeatures().
 */
#define L1_ECX_DENY	(BIT(3) | BIT(5) | BIT(21))
#define L1_EDX_DENY	(BIT(7) | BIT(14))	/* MCE, MCA: no machine-check MSRs */
#define L7_EBX_DENY	BIT(2)
#define L7_ECX_DENY	(BIT(7) | BIT(30))
#define L7_EDX_DENY	BIT(20)
#define E1_ECX_DENY	(BIT(2) | BIT(11) | BIT(16))
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_ECX_X2APIC	BIT(21)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_EDX_APIC	BIT(9)

/**
 * khv_cpuid_mask() - make CPUID values fit for a guest.
 * @function: the leaf.
 * @index:    the sub-leaf.
 * @regs:     EAX, EBX, ECX, EDX as user space or the host gave them; masked
 *	      in place.
 * @host:     the host's values for the same leaf.
 * @id:       the vCPU's id, which is its APIC ID.
 *
 * Feature leaves (1, 7.0, 8000_0001h) keep only bits the host has and khv
 * allows; leaf 1 always says a hypervisor is present; the SVM leaf
 * (8000_000Ah), XSAVE leaf (0Dh, computed after: khv_cpuid_xfeatures()) and
 * SGX leaf (12h) read as zeros; the hypervisor leaves (4000_0000h..4000_00FFh)
 * are khv's own: 4000_0000h the highest of them and the signature
 * "khvkhvkhv\0\0\0", 4000_0010h the TSC and APIC bus frequencies in kHz
 * (the guest's TSC runs at the host's rate). No APIC ID of
 * the host reaches the guest: leaf 1 EBX[31:24], the x2APIC ID of leaves 0Bh
 * and 1Fh and AMD's extended APIC ID (8000_001Eh EAX) are @id, and 8000_001Eh
 * names core and node 0.
 */
void khv_cpuid_mask(u32 function, u32 index, u32 *regs, const u32 *host,
		    u32 id)
{
	switch (function) {
	case 1:
		regs[1] = (regs[1] & GENMASK(23, 0)) | (id & 0xff) << 24;
		regs[2] = (regs[2] & host[2] & ~L1_ECX_DENY) | L1_ECX_HYPERVISOR;
		regs[3] &= host[3] & ~L1_EDX_DENY;
		break;
	case 0xb:
	case 0x1f:
		regs[3] = id;
		break;
	case 0x8000001e:
		regs[0] = id;
		regs[1] = 0;
		regs[2] = 0;
		break;
	case 7:
		if (index == 0) {
			regs[1] &= host[1] & ~L7_EBX_DENY;
			regs[2] &= host[2] & ~L7_ECX_DENY;
			regs[3] &= host[3] & ~L7_EDX_DENY;
		} else {
			memset(regs, 0, 4 * sizeof(*regs));
		}
		break;
	case 0xd:
	case 0x12:
	case 0x8000000a:
		memset(regs, 0, 4 * sizeof(*regs));
		break;
	case 0x80000001:
		regs[2] &= host[2] & ~E1_ECX_DENY;
		regs[3] &= host[3] & ~L1_EDX_DENY;	/* AMD's copies of them */
		break;
	case 0x40000000 ... 0x400000ff:
		memset(regs, 0, 4 * sizeof(*regs));
		if (function == 0x40000000) {
			regs[0] = KHV_CPUID_MAX_HV;
			regs[1] = KHV_SIG_EBX;
			regs[2] = KHV_SIG_ECX;
			regs[3] = KHV_SIG_EDX;
		} else if (function == KHV_CPUID_MAX_HV) {
			regs[0] = tsc_khz;
			regs[1] = KHV_APIC_BUS_HZ / 1000;
		}
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_cpuid_mask);

/*
 * With the irqchip, leaf 1 describes khv's APIC (emulated, so whatever the
 * host has): EDX.APIC while IA32_APIC_BASE enables it, ECX.x2APIC and
 * ECX.TSC-deadline unless a KHV_SET_CPUID table leaves them out. The
 * initial APIC IDs are the vCPU's id already (khv_cpuid_mask()).
 */
static void khv_cpuid_lapic(struct khv_vcpu *vcpu, u32 function, u32 *regs)
{
	const u32 want = L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE;
	const struct khv_cpuid_entry *e;
	u32 ecx = want;
	unsigned int i;

	if (function != 1)
		return;
	if (vcpu->cpuid) {
		ecx = 0;
		for (i = 0; i < vcpu->cpuid_nent; i++) {
			e = &vcpu->cpuid[i];
			if (e->function == 1) {
				ecx = e->ecx;
				break;
			}
		}
	}
	regs[2] = (regs[2] & ~want) | (ecx & want);
	if (vcpu->lapic->base & KHV_APIC_BASE_ENABLE)
		regs[3] |= L1_EDX_APIC;
	else
		regs[3] &= ~L1_EDX_APIC;
}

/* The entry of the vCPU's table for @function (and @index), or NULL. */
static const struct khv_cpuid_entry *khv_cpuid_find(struct khv_vcpu *vcpu,
						    u32 function, u32 index)
{
	const struct khv_cpuid_entry *e;
	unsigned int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		e = &vcpu->cpuid[i];
		if (e->function == function &&
		    (!(e->flags & KHV_CPUID_FLAG_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/*
 * Whether @function's result depends only on the vCPU's table, its id and
 * the host: not leaf 1 (the APIC's enable bit, OSXSAVE), 7 (OSPKE) or 0Dh
 * (XCR0), which follow the guest's state.
 */
static bool khv_cpuid_cacheable(u32 function)
{
	return function != 1 && function != 7 && function != 0xd;
}

static struct khv_cpuid_cached *khv_cpuid_slot(struct khv_vcpu *vcpu,
					       u32 function, u32 index)
{
	/* The basic, hypervisor and extended ranges spread over the slots. */
	u32 h = function ^ (function >> 27) ^ index;

	return &vcpu->cpuid_cache[h & (KHV_CPUID_CACHE - 1)];
}

/**
 * khv_cpuid() - what the guest's CPUID returns.
 * @vcpu:     the vCPU (its thread, or its mutex held).
 * @function: EAX.
 * @index:    ECX.
 * @regs:     out: EAX, EBX, ECX, EDX.
 *
 * A cacheable leaf is worked out once and kept (struct khv_vcpu.cpuid_cache)
 * until KHV_SET_CPUID: the host's CPUID, which on hardware serialises and
 * under a hypervisor of its own exits, then runs once per leaf, as KVM's
 * table does (its exit reads kvm_find_cpuid_entry()'s copy). A leaf that
 * differs between the host's CPUs (a hybrid part's core type) reads the same
 * for the vCPU wherever it runs.
 */
void khv_cpuid(struct khv_vcpu *vcpu, u32 function, u32 index, u32 *regs)
{
	struct khv_cpuid_cached *c = NULL;
	const struct khv_cpuid_entry *e;
	struct khv_cpuid_xf xf = {};
	struct khv_cpu_mode m;
	u32 host[4];

	if (khv_cpuid_cacheable(function)) {
		c = khv_cpuid_slot(vcpu, function, index);
		if (c->valid && c->function == function && c->index == index) {
			memcpy(regs, c->regs, sizeof(c->regs));
			return;
		}
	}
	cpuid_count(function, index, &host[0], &host[1], &host[2], &host[3]);
	if (!vcpu->cpuid) {
		memcpy(regs, host, sizeof(host));
	} else {
		/* A leaf the table lacks reads as zeros. */
		e = khv_cpuid_find(vcpu, function, index);
		regs[0] = e ? e->eax : 0;
		regs[1] = e ? e->ebx : 0;
		regs[2] = e ? e->ecx : 0;
		regs[3] = e ? e->edx : 0;
	}
	khv_cpuid_mask(function, index, regs, host, vcpu->id);
	if (c) {
		c->function = function;
		c->index = index;
		memcpy(c->regs, regs, sizeof(c->regs));
		c->valid = true;
		return;
	}
	if (vcpu->lapic)
		khv_cpuid_lapic(vcpu, function, regs);
	khv_arch->get_cpu_mode(vcpu, &m);
	xf.offered = khv_xcr0_offered(vcpu);
	xf.xcr0 = vcpu->xs.xcr0;
	xf.osxsave = m.cr4 & X86_CR4_OSXSAVE;
	xf.ospke = m.cr4 & X86_CR4_PKE;
	xf.layout = &khv_xs.layout;
	khv_cpuid_xfeatures(function, index, regs, host, &xf);
}

/**
 * khv_xcr0_offered() - the XCR0 bits the vCPU's CPUID offers.
 * @vcpu: the vCPU.
 *
 * What the host supports for guests (khv_xs.supported); a KHV_SET_CPUID
 * table narrows it: no XSAVE in its leaf 1 leaves x87 only, its leaf 0DH
 * (if present) names the bits, and PKRU needs PKU in its leaf 7.
 *
 * Return: the mask; 0 where the host has no XSAVE.
 */
u64 khv_xcr0_offered(struct khv_vcpu *vcpu)
{
	const struct khv_cpuid_entry *e;
	u64 m = khv_xs.supported;

	if (!m || !vcpu->cpuid)
		return m;
	e = khv_cpuid_find(vcpu, 1, 0);
	if (!e || !(e->ecx & BIT(26)))
		return KHV_XF_FP;
	e = khv_cpuid_find(vcpu, 0xd, 0);
	if (e)
		m &= e->eax | (u64)e->edx << 32 | KHV_XF_FP;
	e = khv_cpuid_find(vcpu, 7, 0);
	if (!e || !(e->ecx & BIT(3)))
		m &= ~KHV_XF_PKRU;
	return m;
}

/**
 * khv_vcpu_set_cpuid() - KHV_SET_CPUID.
 * @vcpu: the vCPU (its mutex held).
 * @argp: the user's struct khv_cpuid.
 *
 * Return: 0; -EINVAL for flags, a count out of range, unknown entry flags or
 * non-zero reserved words; -EFAULT; -ENOMEM.
 */
long khv_vcpu_set_cpuid(struct khv_vcpu *vcpu, void __user *argp)
{
	struct khv_cpuid_entry *table;
	struct khv_cpuid *c;
	unsigned int i;
	long r = -EINVAL;

	c = memdup_user(argp, sizeof(*c));
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (c->flags || !c->nent || c->nent > KHV_MAX_CPUID_ENTRIES)
		goto out;
	for (i = 0; i < c->nent; i++)
		if ((c->entries[i].flags & ~KHV_CPUID_FLAG_INDEX) ||
		    memchr_inv(c->entries[i].reserved, 0,
			       sizeof(c->entries[i].reserved)))
			goto out;
	table = kmemdup(c->entries, c->nent * sizeof(*table),
			GFP_KERNEL_ACCOUNT);
	r = -ENOMEM;
	if (!table)
		goto out;
	kfree(vcpu->cpuid);
	vcpu->cpuid = table;
	vcpu->cpuid_nent = c->nent;
	memset(vcpu->cpuid_cache, 0, sizeof(vcpu->cpuid_cache));
	r = 0;
out:
	kfree(c);
	return r;
}
