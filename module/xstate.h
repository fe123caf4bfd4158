/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's extended processor state (SDM Vol. 1 ch. 13, XSAVE): its XCR0,
 * its PKRU and its own XSAVE area, and what khv offers of them
 * (Documentation/khv-abi.rst, "Extended state"). Pure rules: xfeat.c
 * (xfeat_test.c); the host's facts, the switch around each entry and the
 * ioctls: xstate.c.
 */
#ifndef KHV_XSTATE_H
#define KHV_XSTATE_H

#include <linux/bits.h>
#include <linux/types.h>

struct khv_vcpu;

/* XSAVE state components by XCR0 bit (SDM Vol. 1 13.1). */
#define KHV_XF_FP		BIT_ULL(0)
#define KHV_XF_SSE		BIT_ULL(1)
#define KHV_XF_YMM		BIT_ULL(2)
#define KHV_XF_BNDREGS		BIT_ULL(3)
#define KHV_XF_BNDCSR		BIT_ULL(4)
#define KHV_XF_OPMASK		BIT_ULL(5)
#define KHV_XF_ZMM_HI256	BIT_ULL(6)
#define KHV_XF_HI16_ZMM		BIT_ULL(7)
#define KHV_XF_PKRU		BIT_ULL(9)
#define KHV_XF_XTILE		(BIT_ULL(17) | BIT_ULL(18))
#define KHV_XF_AVX512		(KHV_XF_OPMASK | KHV_XF_ZMM_HI256 | KHV_XF_HI16_ZMM)
/*
 * What khv may give a guest: x87, SSE, AVX, AVX-512 and PKRU. Never MPX
 * (gone from current processors), AMX (its XFD-managed tile data), nor any
 * supervisor state (XSAVES is not offered).
 */
#define KHV_XF_GUEST		(KHV_XF_FP | KHV_XF_SSE | KHV_XF_YMM | \
				 KHV_XF_AVX512 | KHV_XF_PKRU)
/* Components above this bit are never a guest's. */
#define KHV_XF_NR		10

/* The legacy region and the header of an XSAVE area (SDM Vol. 1 13.4). */
#define KHV_XSAVE_LEGACY	512
#define KHV_XSAVE_HDR_SIZE	64
#define KHV_XSAVE_MIN		(KHV_XSAVE_LEGACY + KHV_XSAVE_HDR_SIZE)
/* MXCSR in the legacy region. */
#define KHV_XSAVE_MXCSR		24
#define KHV_MXCSR_RESET		0x1f80

/* Where each component lives in the standard format (CPUID.(EAX=0DH,ECX=i)). */
struct khv_xstate_layout {
	u32 offset[KHV_XF_NR];
	u32 size[KHV_XF_NR];
};

/**
 * struct khv_cpuid_xf - what the XSAVE-related CPUID bits depend on.
 * @offered: the XCR0 bits the vCPU may set (khv_xcr0_offered()); 0 where
 *	XSAVE is not offered.
 * @xcr0:    the vCPU's XCR0 now.
 * @osxsave: its CR4.OSXSAVE.
 * @ospke:   its CR4.PKE.
 * @layout:  the host's component offsets and sizes.
 */
struct khv_cpuid_xf {
	u64 offered;
	u64 xcr0;
	bool osxsave;
	bool ospke;
	const struct khv_xstate_layout *layout;
};

/**
 * struct khv_xstate - a vCPU's extended state, kept apart from the host's.
 * @area: its XSAVE area, standard format, zeroed at creation, sized for
 *	every component khv offers (khv_xs.size) and page aligned: XRSTOR
 *	before each entry, XSAVE after each exit (khv_xstate_load(),
 *	khv_xstate_save()). PKRU is not kept here but in @pkru.
 * @xcr0: its XCR0, in the register only while the guest runs.
 * @pkru: its PKRU, likewise.
 */
struct khv_xstate {
	void *area;
	u64 xcr0;
	u32 pkru;
};

/**
 * struct khv_xstate_host - the host's facts, read once at load time.
 * @xsave:     the host has XSAVE on (CR4.OSXSAVE); without it the guest gets
 *	x87/SSE only, switched with FXSAVE/FXRSTOR.
 * @supported: host XCR0 & KHV_XF_GUEST: the most a guest may have.
 * @size:      bytes of a vCPU's area (standard format, @supported).
 * @pku:       the host has protection keys on (CR4.PKE): PKRU is switched.
 * @xss:       the host's IA32_XSS (0 without XSAVES).
 * @mxcsr_mask: the MXCSR bits the processor accepts (SDM Vol. 1 11.6.6).
 * @layout:    the host's component offsets and sizes.
 */
struct khv_xstate_host {
	bool xsave;
	u64 supported;
	u32 size;
	bool pku;
	u64 xss;
	u32 mxcsr_mask;
	struct khv_xstate_layout layout;
};

extern struct khv_xstate_host khv_xs;

/* Host values held across one entry (khv_xstate_enter(), khv_xstate_exit()). */
struct khv_xstate_saved {
	u64 xcr0;
	u32 pkru;
	bool xcr0_switched;
};

/* xfeat.c: pure, KUnit-tested (xfeat_test.c). */
int khv_xcr0_check(u64 xcr0, u64 offered);
u32 khv_xstate_size(u64 mask, const struct khv_xstate_layout *l);
void khv_cpuid_xfeatures(u32 function, u32 index, u32 *regs, const u32 *host,
			 const struct khv_cpuid_xf *xf);
int khv_xsave_header_check(const u64 *hdr, u64 supported);

/* xstate.c */
void khv_xstate_probe(void);
u64 khv_xstate_cr4_allowed(void);
int khv_xstate_vcpu_init(struct khv_vcpu *vcpu);
void khv_xstate_vcpu_free(struct khv_vcpu *vcpu);
void khv_xstate_load(struct khv_vcpu *vcpu);
void khv_xstate_save(struct khv_vcpu *vcpu);
void khv_xstate_enter(struct khv_vcpu *vcpu, struct khv_xstate_saved *h,
		      bool osxsave);
void khv_xstate_exit(struct khv_vcpu *vcpu, const struct khv_xstate_saved *h);
int khv_handle_xsetbv(struct khv_vcpu *vcpu);
long khv_vcpu_xstate_ioctl(struct khv_vcpu *vcpu, unsigned int cmd,
			   void __user *argp);

#endif /* KHV_XSTATE_H */
