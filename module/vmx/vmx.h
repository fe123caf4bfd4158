/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX backend: internal declarations.
 */
#ifndef KHV_VMX_H
#define KHV_VMX_H

#include <linux/types.h>

/*
 * What the CPU says about VMX, read from CPUID and the capability MSRs.
 * Kept as plain values so that the decision (caps.c) is a pure function.
 */
struct vmx_facts {
	u32 cpuid1_ecx;		/* CPUID.01H:ECX */
	u64 feature_control;	/* IA32_FEATURE_CONTROL (0x3a) */
	u64 basic;		/* IA32_VMX_BASIC (0x480) */
	u64 procbased;		/* IA32_VMX_(TRUE_)PROCBASED_CTLS */
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2 (0x48b), 0 if absent */
	u64 ept_vpid_cap;	/* IA32_VMX_EPT_VPID_CAP (0x48c), 0 if absent */
};

/* What khv found usable; filled by vmx_check_facts(). */
struct vmx_caps {
	u32 vmcs_revision;
	u32 vmcs_size;
	bool vpid;
	bool ept_2m;
	bool ept_ad;
};

int vmx_check_facts(const struct vmx_facts *f, struct vmx_caps *caps,
		    const char **why);

#endif /* KHV_VMX_H */
