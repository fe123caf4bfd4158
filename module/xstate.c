// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's extended state (Documentation/khv-abi.rst, "Extended state"):
 * the host's facts, each vCPU's XSAVE area, the switch of XCR0 and PKRU
 * around each entry, XSETBV, and KHV_GET/SET_XSAVE and KHV_GET/SET_XCRS.
 *
 * Only what every kernel khv supports exports is used: the backends enter
 * the guest inside kernel_fpu_begin()/kernel_fpu_end(), which saves the
 * task's registers to its own memory and has them loaded again before the
 * task returns to user space; between the two the registers are khv's, and
 * khv loads the guest's area into them with XRSTOR and takes it back with
 * XSAVE (KVM's fpu_swap_kvm_fpstate() is for KVM only from 6.19 on).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "arch.h"
#include "event.h"
#include "khv.h"
#include "regs.h"
#include "xstate.h"

struct khv_xstate_host khv_xs __ro_after_init;

/* The MXCSR bits this processor accepts: FXSAVE's MXCSR_MASK, 0 = 0xffbf. */
static u32 khv_probe_mxcsr_mask(void)
{
	u8 buf[KHV_XSAVE_LEGACY] __aligned(16);
	u32 mask;

	memset(buf, 0, sizeof(buf));
	kernel_fpu_begin();
	asm volatile("fxsaveq %0" : "=m" (buf));
	kernel_fpu_end();
	memcpy(&mask, &buf[28], sizeof(mask));
	return mask ?: 0xffbf;
}

/*
 * A component khv offers must lie in one page after the header, and the
 * AVX-512 components come as the three or not at all.
 */
static u64 khv_xstate_sane(u64 mask, const struct khv_xstate_layout *l)
{
	unsigned int i;

	for (i = 2; i < KHV_XF_NR; i++)
		if ((mask & BIT_ULL(i)) &&
		    (!l->size[i] || l->offset[i] < KHV_XSAVE_MIN ||
		     l->offset[i] + l->size[i] > PAGE_SIZE))
			mask &= ~BIT_ULL(i);
	if ((mask & KHV_XF_AVX512) != KHV_XF_AVX512)
		mask &= ~KHV_XF_AVX512;
	if (!(mask & KHV_XF_SSE))
		mask &= ~(KHV_XF_YMM | KHV_XF_AVX512);
	return mask;
}

/**
 * khv_xstate_probe() - read the host's XSAVE facts (boot CPU; the kernel
 *	sets XCR0 and IA32_XSS alike on every CPU).
 */
void khv_xstate_probe(void)
{
	struct khv_xstate_layout *l = &khv_xs.layout;
	u32 eax, ebx, ecx, edx;
	unsigned int i;
	u64 mask;

	khv_xs.mxcsr_mask = khv_probe_mxcsr_mask();
	khv_xs.size = KHV_XSAVE_LEGACY;
	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	mask = xgetbv(XCR_XFEATURE_ENABLED_MASK) & KHV_XF_GUEST;
	khv_xs.pku = cpu_feature_enabled(X86_FEATURE_OSPKE);
	if (!khv_xs.pku)
		mask &= ~KHV_XF_PKRU;
	for (i = 2; i < KHV_XF_NR; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		l->size[i] = eax;
		l->offset[i] = ebx;
	}
	khv_xs.supported = khv_xstate_sane(mask, l);
	khv_xs.size = khv_xstate_size(khv_xs.supported, l);
	khv_xs.xsave = true;
	if (boot_cpu_has(X86_FEATURE_XSAVES))
		khv_rdmsr(MSR_IA32_XSS, khv_xs.xss);
	pr_debug("guest XCR0 up to %#llx, %u-byte areas, host XSS %#llx\n",
		 khv_xs.supported, khv_xs.size, khv_xs.xss);
}

/* CR4.OSXSAVE and CR4.PKE where the host can switch their state. */
u64 khv_xstate_cr4_allowed(void)
{
	return (khv_xs.xsave ? X86_CR4_OSXSAVE : 0) |
	       (khv_xs.pku ? X86_CR4_PKE : 0);
}

static size_t khv_xstate_alloc_size(void)
{
	return PAGE_ALIGN(khv_xs.size);
}

/* The state after RESET (SDM Vol. 3A 10.1.1): XCR0 = 1, PKRU = 0, x87/SSE init. */
static void khv_xstate_reset(struct khv_xstate *xs)
{
	u16 fcw = 0x37f;
	u32 mxcsr = KHV_MXCSR_RESET;

	memset(xs->area, 0, khv_xs.size);
	/* FXRSTOR loads these; XRSTOR loads MXCSR (XSTATE_BV = 0: init state). */
	memcpy(xs->area, &fcw, sizeof(fcw));
	memcpy(xs->area + KHV_XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	xs->xcr0 = KHV_XF_FP;
	xs->pkru = 0;
}

/* A zeroed, page-aligned area (XSAVE needs 64 bytes, FXSAVE 16). */
int khv_xstate_vcpu_init(struct khv_vcpu *vcpu)
{
	vcpu->xs.area = alloc_pages_exact(khv_xstate_alloc_size(),
					  GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->xs.area)
		return -ENOMEM;
	khv_xstate_reset(&vcpu->xs);
	return 0;
}

void khv_xstate_vcpu_free(struct khv_vcpu *vcpu)
{
	if (vcpu->xs.area)
		free_pages_exact(vcpu->xs.area, khv_xstate_alloc_size());
	vcpu->xs.area = NULL;
}

/* The components khv moves with XRSTOR/XSAVE: PKRU goes apart. */
static u64 khv_xstate_mask(void)
{
	return khv_xs.supported & ~KHV_XF_PKRU;
}

static int khv_xrstor(void *area, u64 mask)
{
	asm goto("1: xrstor64 (%[area])\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [area] "r" (area), "a" ((u32)mask), "d" ((u32)(mask >> 32))
		 : "memory" : fault);
	return 0;
fault:
	return -EIO;
}

static int khv_fxrstor(void *area)
{
	asm goto("1: fxrstorq (%[area])\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [area] "r" (area) : "memory" : fault);
	return 0;
fault:
	return -EIO;
}

/**
 * khv_xstate_load() - the guest's extended state into the registers.
 * @vcpu: the vCPU; inside kernel_fpu_begin(), before its entry.
 *
 * Every component khv may offer is loaded, from the area or in its initial
 * state (XSTATE_BV), whatever the guest's XCR0 is now: nothing of the
 * previous owner of the registers stays where a guest could reach it.
 * Components khv never offers (AMX, MPX, supervisor state) are left alone:
 * the guest's XCR0 and IA32_XSS do not include them. An area XRSTOR refuses
 * (never one XSAVE wrote; KHV_SET_XSAVE checks what XRSTOR checks) is
 * replaced by the reset state.
 */
void khv_xstate_load(struct khv_vcpu *vcpu)
{
	struct khv_xstate *xs = &vcpu->xs;
	int r;

	r = khv_xs.xsave ? khv_xrstor(xs->area, khv_xstate_mask()) :
			   khv_fxrstor(xs->area);
	if (!r)
		return;
	pr_warn_ratelimited("vCPU %u: XRSTOR refused its state, reset\n",
			    vcpu->id);
	khv_xstate_reset(xs);
	if (khv_xs.xsave)
		WARN_ON_ONCE(khv_xrstor(xs->area, khv_xstate_mask()));
	else
		WARN_ON_ONCE(khv_fxrstor(xs->area));
}

/**
 * khv_xstate_save() - the guest's extended state back into its area.
 * @vcpu: the vCPU; after its exit, the host's XCR0 back (khv_xstate_exit()),
 *	still inside kernel_fpu_begin().
 *
 * XSAVE, not XSAVEOPT: no optimisation that depends on what the processor
 * believes about the area's last XRSTOR.
 */
void khv_xstate_save(struct khv_vcpu *vcpu)
{
	u64 mask = khv_xstate_mask();

	if (!khv_xs.xsave) {
		asm volatile("fxsaveq (%[area])"
			     : : [area] "r" (vcpu->xs.area) : "memory");
		return;
	}
	asm volatile("xsave64 (%[area])"
		     : : [area] "r" (vcpu->xs.area), "a" ((u32)mask),
		       "d" ((u32)(mask >> 32))
		     : "memory");
}

/**
 * khv_xstate_enter() - the guest's XCR0 and PKRU into the registers.
 * @vcpu:    the vCPU; interrupts off, right before the entry.
 * @h:       out: the host's values, for khv_xstate_exit().
 * @osxsave: the guest's CR4.OSXSAVE, as it will run with it.
 *
 * The guest's XCR0 only while its CR4.OSXSAVE is set: without it the guest
 * can execute none of XSAVE, XRSTOR, XGETBV, XSETBV or an instruction with a
 * VEX or EVEX prefix (#UD), so the host's XCR0 may stay, and two XSETBVs
 * are saved (KVM's kvm_load_guest_xsave_state() does the same). The guest's
 * PKRU always (with XCR0.PKRU its XSAVE could store the register even while
 * its CR4.PKE is clear); the host's comes back right after the exit, before
 * any access to user memory.
 */
void khv_xstate_enter(struct khv_vcpu *vcpu, struct khv_xstate_saved *h,
		      bool osxsave)
{
	h->xcr0_switched = khv_xs.xsave && osxsave;
	if (h->xcr0_switched) {
		h->xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (vcpu->xs.xcr0 != h->xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xs.xcr0);
	}
	if (khv_xs.pku) {
		h->pkru = rdpkru();
		if (vcpu->xs.pkru != h->pkru)
			wrpkru(vcpu->xs.pkru);
	}
}

/**
 * khv_xstate_exit() - the host's XCR0 and PKRU back, the guest's PKRU kept.
 * @vcpu: the vCPU; interrupts off, right after the exit.
 * @h:    what khv_xstate_enter() found.
 */
void khv_xstate_exit(struct khv_vcpu *vcpu, const struct khv_xstate_saved *h)
{
	u64 xcr0;

	if (khv_xs.pku) {
		vcpu->xs.pkru = rdpkru();
		if (vcpu->xs.pkru != h->pkru)
			wrpkru(h->pkru);
	}
	if (!h->xcr0_switched)
		return;
	/*
	 * Hardware always exits on XSETBV; an emulator may not (QEMU's TCG
	 * does not intercept it under SVM) and let the guest change XCR0
	 * itself: the guest's XCR0 is what the register holds, within what
	 * khv switches.
	 */
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (unlikely(xcr0 != vcpu->xs.xcr0) &&
	    !khv_xcr0_check(xcr0 & khv_xs.supported, khv_xs.supported))
		vcpu->xs.xcr0 = xcr0 & khv_xs.supported;
	if (xcr0 != h->xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, h->xcr0);
}

/**
 * khv_handle_xsetbv() - XSETBV (0F 01 D1), which exits on both vendors.
 * @vcpu: the vCPU.
 *
 * SDM Vol. 2 "XSETBV": #UD without CR4.OSXSAVE; #GP(0) above CPL 0, for an
 * XCR other than 0 and for an XCR0 value khv_xcr0_check() refuses against
 * what the guest's CPUID offers.
 *
 * Return: as an exit handler.
 */
int khv_handle_xsetbv(struct khv_vcpu *vcpu)
{
	u32 index = khv_register_read(vcpu, KHV_REG_RCX);
	u64 val = khv_edx_eax_read(vcpu);
	struct khv_cpu_mode m;

	khv_arch->get_cpu_mode(vcpu, &m);
	if (!khv_xs.xsave || !(m.cr4 & X86_CR4_OSXSAVE))
		return khv_queue_exception(vcpu, X86_TRAP_UD, 0, 0);
	if (khv_arch->get_cpl(vcpu) || index ||
	    khv_xcr0_check(val, khv_xcr0_offered(vcpu)))
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	vcpu->xs.xcr0 = val;
	khv_arch->skip_instruction(vcpu, 3);
	return 1;
}

/* KHV_GET_XSAVE: the area, with PKRU in its place, in a zeroed buffer. */
static long khv_get_xsave(struct khv_vcpu *vcpu, void __user *argp)
{
	struct khv_xstate *xs = &vcpu->xs;
	struct khv_xsave *u;
	u8 *region;
	u64 bv;
	long r = 0;

	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		return -ENOMEM;
	region = (u8 *)u->region;
	memcpy(region, xs->area, khv_xs.size);
	if (khv_xs.xsave) {
		memcpy(&bv, region + KHV_XSAVE_LEGACY, sizeof(bv));
		bv &= ~KHV_XF_PKRU;
		if (khv_xs.pku && xs->pkru) {
			memcpy(region + khv_xs.layout.offset[9], &xs->pkru,
			       sizeof(xs->pkru));
			bv |= KHV_XF_PKRU;
		}
		memcpy(region + KHV_XSAVE_LEGACY, &bv, sizeof(bv));
	}
	if (copy_to_user(argp, u, sizeof(*u)))
		r = -EFAULT;
	kfree(u);
	return r;
}

/*
 * KHV_SET_XSAVE: checked as XRSTOR would check it (the header, MXCSR), then
 * the area and PKRU replaced.
 */
static long khv_set_xsave(struct khv_vcpu *vcpu, void __user *argp)
{
	struct khv_xstate *xs = &vcpu->xs;
	struct khv_xsave *u;
	u64 hdr[KHV_XSAVE_HDR_SIZE / sizeof(u64)];
	u32 mxcsr, pkru = 0;
	u8 *region;
	long r = -EINVAL;

	u = memdup_user(argp, sizeof(*u));
	if (IS_ERR(u))
		return PTR_ERR(u);
	region = (u8 *)u->region;
	memcpy(&mxcsr, region + KHV_XSAVE_MXCSR, sizeof(mxcsr));
	if (mxcsr & ~khv_xs.mxcsr_mask)
		goto out;
	if (khv_xs.xsave) {
		memcpy(hdr, region + KHV_XSAVE_LEGACY, sizeof(hdr));
		if (khv_xsave_header_check(hdr, khv_xs.supported))
			goto out;
		if (hdr[0] & KHV_XF_PKRU)
			memcpy(&pkru, region + khv_xs.layout.offset[9],
			       sizeof(pkru));
		hdr[0] &= ~KHV_XF_PKRU;
		memcpy(region + KHV_XSAVE_LEGACY, hdr, sizeof(hdr));
	}
	memcpy(xs->area, region, khv_xs.size);
	xs->pkru = pkru;
	r = 0;
out:
	kfree(u);
	return r;
}

/* KHV_GET_XCRS: XCR0 where the host has XSAVE, else none. */
static long khv_get_xcrs(struct khv_vcpu *vcpu, void __user *argp)
{
	struct khv_xcrs x;

	memset(&x, 0, sizeof(x));
	if (khv_xs.xsave) {
		x.nr_xcrs = 1;
		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = vcpu->xs.xcr0;
	}
	return copy_to_user(argp, &x, sizeof(x)) ? -EFAULT : 0;
}

/*
 * KHV_SET_XCRS: no flags, at most KHV_MAX_XCRS entries, XCR0 only, reserved
 * fields zero, and a value XSETBV would take (khv_xcr0_check()).
 */
static long khv_set_xcrs(struct khv_vcpu *vcpu, void __user *argp)
{
	u64 xcr0 = vcpu->xs.xcr0;
	struct khv_xcrs x;
	unsigned int i;

	if (copy_from_user(&x, argp, sizeof(x)))
		return -EFAULT;
	if (x.flags || x.nr_xcrs > KHV_MAX_XCRS ||
	    memchr_inv(x.padding, 0, sizeof(x.padding)))
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++) {
		if (x.xcrs[i].xcr || x.xcrs[i].reserved || !khv_xs.xsave ||
		    khv_xcr0_check(x.xcrs[i].value, khv_xcr0_offered(vcpu)))
			return -EINVAL;
		xcr0 = x.xcrs[i].value;
	}
	vcpu->xs.xcr0 = xcr0;
	return 0;
}

/* The vCPU ioctls on extended state; the vCPU's mutex held. */
long khv_vcpu_xstate_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
			   void __user *argp)
{
	switch (cmd) {
	case KHV_GET_XSAVE:
		return khv_get_xsave(vcpu, argp);
	case KHV_SET_XSAVE:
		return khv_set_xsave(vcpu, argp);
	case KHV_GET_XCRS:
		return khv_get_xcrs(vcpu, argp);
	case KHV_SET_XCRS:
		return khv_set_xcrs(vcpu, argp);
	default:
		return -ENOTTY;
	}
}
