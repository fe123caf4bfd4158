// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: can khv run on this CPU? A pure function of CPUID and the VMX
 * capability MSRs (vmx/caps_test.c feeds it real and broken values).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>

#include "../compat.h"
#include "vmx.h"

#define CPUID1_ECX_VMX			BIT(5)
/* SDM Vol. 3C 24.7 (IA32_FEATURE_CONTROL): lock, VMXON outside SMX. */
#define FC_LOCKED			BIT_ULL(0)
#define FC_VMX_OUTSIDE_SMX		BIT_ULL(2)
/* SDM Vol. 3D A.1 (IA32_VMX_BASIC). */
#define BASIC_REVISION(b)		((u32)((b) & 0x7fffffff))
#define BASIC_VMCS_SIZE(b)		((u32)(((b) >> 32) & 0x1fff))
#define BASIC_32BIT_ADDR		BIT_ULL(48)
#define BASIC_MEMTYPE(b)		((u32)(((b) >> 50) & 0xf))
#define MEMTYPE_WB			6
/* SDM Vol. 3D A.3.2/A.3.3: allowed-1 settings are bits 63:32. */
#define ALLOWED1(msr, bit)		((msr) & BIT_ULL(32 + (bit)))
#define PROC_ACTIVATE_SECONDARY		31
#define PROC2_EPT			1
#define PROC2_VPID			5
#define PROC2_UNRESTRICTED_GUEST	7
/* SDM Vol. 3D A.10 (IA32_VMX_EPT_VPID_CAP). */
#define EPT_WALK_4			BIT_ULL(6)
#define EPT_MEMTYPE_WB			BIT_ULL(14)
#define EPT_2M_PAGES			BIT_ULL(16)
#define EPT_INVEPT			BIT_ULL(20)
#define EPT_AD_BITS			BIT_ULL(21)
#define EPT_INVEPT_SINGLE		BIT_ULL(25)
#define BASIC_INS_OUTS_INFO		BIT_ULL(54)
#define VPID_INVVPID			BIT_ULL(32)

/**
 * vmx_check_facts() - decide whether khv can use VMX on this CPU.
 * @f:    the values read from the CPU.
 * @caps: filled with what khv will use when the answer is yes.
 * @why:  set to a one-line reason when the answer is no.
 *
 * khv needs VMX enabled by the firmware, a write-back VMCS region of at most
 * a page, secondary controls with EPT (4-level, write-back, INVEPT) and
 * unrestricted guest (real-mode guests without emulation).
 *
 * Return: 0, or -ENODEV with @why set.
 */
int vmx_check_facts(const struct vmx_facts *f, struct vmx_caps *caps,
		    const char **why)
{
	const u64 ept_needed = EPT_WALK_4 | EPT_MEMTYPE_WB | EPT_INVEPT;

	if (!(f->cpuid1_ecx & CPUID1_ECX_VMX)) {
		*why = "CPU has no VMX (CPUID.01H:ECX.VMX[bit 5] = 0)";
		return -ENODEV;
	}
	if (!(f->feature_control & FC_LOCKED)) {
		*why = "VMX not enabled: IA32_FEATURE_CONTROL is not locked";
		return -ENODEV;
	}
	if (!(f->feature_control & FC_VMX_OUTSIDE_SMX)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL.VMXON outside SMX = 0)";
		return -ENODEV;
	}
	if (BASIC_VMCS_SIZE(f->basic) == 0 || BASIC_VMCS_SIZE(f->basic) > 4096) {
		*why = "VMX VMCS region size is not within one page (IA32_VMX_BASIC)";
		return -ENODEV;
	}
	if (f->basic & BASIC_32BIT_ADDR) {
		*why = "VMX limits VMCS addresses to 32 bits (IA32_VMX_BASIC[48])";
		return -ENODEV;
	}
	if (BASIC_MEMTYPE(f->basic) != MEMTYPE_WB) {
		*why = "VMX VMCS memory type is not write-back (IA32_VMX_BASIC[53:50])";
		return -ENODEV;
	}
	if (!ALLOWED1(f->procbased, PROC_ACTIVATE_SECONDARY)) {
		*why = "VMX has no secondary processor-based controls (no EPT)";
		return -ENODEV;
	}
	if (!ALLOWED1(f->procbased2, PROC2_EPT)) {
		*why = "VMX has no EPT (extended page tables)";
		return -ENODEV;
	}
	if ((f->ept_vpid_cap & ept_needed) != ept_needed) {
		*why = "VMX EPT lacks 4-level walks, write-back paging structures or INVEPT";
		return -ENODEV;
	}
	if (!ALLOWED1(f->procbased2, PROC2_UNRESTRICTED_GUEST)) {
		*why = "VMX has no unrestricted guest";
		return -ENODEV;
	}

	caps->vmcs_revision = BASIC_REVISION(f->basic);
	caps->vmcs_size = BASIC_VMCS_SIZE(f->basic);
	caps->vpid = ALLOWED1(f->procbased2, PROC2_VPID) &&
		     (f->ept_vpid_cap & VPID_INVVPID);
	caps->ept_2m = !!(f->ept_vpid_cap & EPT_2M_PAGES);
	caps->ept_ad = !!(f->ept_vpid_cap & EPT_AD_BITS);
	caps->invept_single = !!(f->ept_vpid_cap & EPT_INVEPT_SINGLE);
	caps->insn_info_ins_outs = !!(f->basic & BASIC_INS_OUTS_INFO);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vmx_check_facts);
