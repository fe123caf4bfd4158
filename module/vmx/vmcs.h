/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX: the VMCS fields, controls and exit reasons khv uses (SDM Vol.
 * 3D Appendix B "Field Encoding in VMCS", Vol. 3C chapter 25 "VM-Execution
 * Control Fields" and Appendix C "VMX Basic Exit Reasons"), and the
 * instructions that reach them. Only module/vmx/ includes this file.
 */
#ifndef KHV_VMX_VMCS_H
#define KHV_VMX_VMCS_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/asm.h>

#include "run_flags.h"

enum vmcs_field {
	/* 16-bit */
	VMCS_VPID			= 0x0000,
	VMCS_GUEST_ES_SEL		= 0x0800,	/* ..TR (enum vmx_seg): +2 each */
	VMCS_HOST_ES_SEL		= 0x0c00,
	VMCS_HOST_CS_SEL		= 0x0c02,
	VMCS_HOST_SS_SEL		= 0x0c04,
	VMCS_HOST_DS_SEL		= 0x0c06,
	VMCS_HOST_FS_SEL		= 0x0c08,
	VMCS_HOST_GS_SEL		= 0x0c0a,
	VMCS_HOST_TR_SEL		= 0x0c0c,
	/* 64-bit */
	VMCS_IO_BITMAP_A		= 0x2000,
	VMCS_IO_BITMAP_B		= 0x2002,
	VMCS_MSR_BITMAP			= 0x2004,
	VMCS_TSC_OFFSET			= 0x2010,
	VMCS_EPT_POINTER		= 0x201a,
	VMCS_GUEST_PHYS_ADDR		= 0x2400,
	VMCS_LINK_POINTER		= 0x2800,
	VMCS_GUEST_DEBUGCTL		= 0x2802,
	VMCS_GUEST_PAT			= 0x2804,
	VMCS_GUEST_EFER			= 0x2806,
	VMCS_GUEST_PDPTE0		= 0x280a,	/* PDPTE0..3: +2 each */
	VMCS_HOST_PAT			= 0x2c00,
	VMCS_HOST_EFER			= 0x2c02,
	/* 32-bit */
	VMCS_PIN_CONTROLS		= 0x4000,
	VMCS_PROC_CONTROLS		= 0x4002,
	VMCS_EXCEPTION_BITMAP		= 0x4004,
	VMCS_CR3_TARGET_COUNT		= 0x400a,
	VMCS_EXIT_CONTROLS		= 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT	= 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT	= 0x4010,
	VMCS_ENTRY_CONTROLS		= 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT	= 0x4014,
	VMCS_ENTRY_INTR_INFO		= 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR	= 0x4018,
	VMCS_ENTRY_INSN_LEN		= 0x401a,
	VMCS_PROC2_CONTROLS		= 0x401e,
	VMCS_INSN_ERROR			= 0x4400,
	VMCS_EXIT_REASON		= 0x4402,
	VMCS_EXIT_INTR_INFO		= 0x4404,
	VMCS_EXIT_INTR_ERROR		= 0x4406,
	VMCS_IDT_VECTORING_INFO		= 0x4408,
	VMCS_IDT_VECTORING_ERROR	= 0x440a,
	VMCS_EXIT_INSN_LEN		= 0x440c,
	VMCS_EXIT_INSN_INFO		= 0x440e,
	VMCS_GUEST_ES_LIMIT		= 0x4800,	/* ..TR: +2 each */
	VMCS_GUEST_GDTR_LIMIT		= 0x4810,
	VMCS_GUEST_IDTR_LIMIT		= 0x4812,
	VMCS_GUEST_ES_AR		= 0x4814,	/* ..TR: +2 each */
	VMCS_GUEST_INTERRUPTIBILITY	= 0x4824,
	VMCS_GUEST_ACTIVITY		= 0x4826,
	VMCS_GUEST_SYSENTER_CS		= 0x482a,
	VMCS_PREEMPTION_TIMER		= 0x482e,
	VMCS_HOST_SYSENTER_CS		= 0x4c00,
	/* natural width */
	VMCS_CR0_MASK			= 0x6000,
	VMCS_CR4_MASK			= 0x6002,
	VMCS_CR0_SHADOW			= 0x6004,
	VMCS_CR4_SHADOW			= 0x6006,
	VMCS_EXIT_QUAL			= 0x6400,
	VMCS_GUEST_LINEAR_ADDR		= 0x640a,
	VMCS_GUEST_CR0			= 0x6800,
	VMCS_GUEST_CR3			= 0x6802,
	VMCS_GUEST_CR4			= 0x6804,
	VMCS_GUEST_ES_BASE		= 0x6806,	/* ..TR: +2 each */
	VMCS_GUEST_GDTR_BASE		= 0x6816,
	VMCS_GUEST_IDTR_BASE		= 0x6818,
	VMCS_GUEST_DR7			= 0x681a,
	VMCS_GUEST_RSP			= 0x681c,
	VMCS_GUEST_RIP			= 0x681e,
	VMCS_GUEST_RFLAGS		= 0x6820,
	VMCS_GUEST_PENDING_DBG		= 0x6822,
	VMCS_GUEST_SYSENTER_ESP		= 0x6824,
	VMCS_GUEST_SYSENTER_EIP		= 0x6826,
	VMCS_HOST_CR0			= 0x6c00,
	VMCS_HOST_CR3			= 0x6c02,
	VMCS_HOST_CR4			= 0x6c04,
	VMCS_HOST_FS_BASE		= 0x6c06,
	VMCS_HOST_GS_BASE		= 0x6c08,
	VMCS_HOST_TR_BASE		= 0x6c0a,
	VMCS_HOST_GDTR_BASE		= 0x6c0c,
	VMCS_HOST_IDTR_BASE		= 0x6c0e,
	VMCS_HOST_SYSENTER_ESP		= 0x6c10,
	VMCS_HOST_SYSENTER_EIP		= 0x6c12,
	VMCS_HOST_RSP			= VMX_HOST_RSP_FIELD,	/* vmenter.S */
	VMCS_HOST_RIP			= 0x6c16,
};

/* Guest segment registers in VMCS order: field = base field + 2 * seg. */
enum vmx_seg { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR,
	       VMX_NR_SEGS };

/* Pin-based controls (SDM Vol. 3C 25.6.1). */
#define PIN_EXT_INTR_EXITING		BIT(0)
#define PIN_NMI_EXITING			BIT(3)
#define PIN_VIRTUAL_NMIS		BIT(5)
#define PIN_PREEMPTION_TIMER		BIT(6)
/* Primary processor-based controls (25.6.2). */
#define PROC_INTR_WINDOW_EXITING	BIT(2)
#define PROC_USE_TSC_OFFSETTING		BIT(3)
#define PROC_HLT_EXITING		BIT(7)
#define PROC_MWAIT_EXITING		BIT(10)
#define PROC_RDPMC_EXITING		BIT(11)
#define PROC_CR3_LOAD_EXITING		BIT(15)
#define PROC_CR3_STORE_EXITING		BIT(16)
#define PROC_CR8_LOAD_EXITING		BIT(19)
#define PROC_CR8_STORE_EXITING		BIT(20)
#define PROC_NMI_WINDOW_EXITING		BIT(22)
#define PROC_MOV_DR_EXITING		BIT(23)
#define PROC_UNCOND_IO_EXITING		BIT(24)
#define PROC_USE_IO_BITMAPS		BIT(25)
#define PROC_USE_MSR_BITMAPS		BIT(28)
#define PROC_MONITOR_EXITING		BIT(29)
#define PROC_SECONDARY			BIT(31)
/* Secondary processor-based controls (25.6.2). */
#define PROC2_EPT			BIT(1)
#define PROC2_RDTSCP			BIT(3)
#define PROC2_VPID			BIT(5)
#define PROC2_WBINVD_EXITING		BIT(6)
#define PROC2_UNRESTRICTED		BIT(7)
#define PROC2_INVPCID			BIT(12)
/* VM-exit controls (25.7.1). */
#define EXIT_SAVE_DEBUG			BIT(2)
#define EXIT_HOST_64			BIT(9)
#define EXIT_SAVE_PAT			BIT(18)
#define EXIT_LOAD_PAT			BIT(19)
#define EXIT_SAVE_EFER			BIT(20)
#define EXIT_LOAD_EFER			BIT(21)
/* VM-entry controls (25.8.1). */
#define ENTRY_LOAD_DEBUG		BIT(2)
#define ENTRY_IA32E			BIT(9)
#define ENTRY_LOAD_PAT			BIT(14)
#define ENTRY_LOAD_EFER			BIT(15)

/* Interruption information (25.8.3, 28.2.2): entry injection and exits. */
#define INTR_INFO_VECTOR(i)		((i) & 0xff)
#define INTR_INFO_TYPE(i)		(((i) >> 8) & 7)
#define INTR_TYPE_EXT			0
#define INTR_TYPE_NMI			2
#define INTR_TYPE_HW_EXCEPTION		3
#define INTR_TYPE_SW_INTR		4	/* INTn */
#define INTR_TYPE_PRIV_SW_EXCEPTION	5	/* INT1 (ICEBP) */
#define INTR_TYPE_SW_EXCEPTION		6	/* INT3, INTO */
#define INTR_INFO_HAS_ERROR		BIT(11)
/* Exit interruption information and EPT violations: an IRET unblocked NMIs. */
#define INTR_INFO_UNBLOCK_NMI		BIT(12)
#define INTR_INFO_VALID			BIT(31)

/* Guest interruptibility state (25.4.2). */
#define INTERRUPTIBILITY_STI		BIT(0)
#define INTERRUPTIBILITY_MOV_SS		BIT(1)
#define INTERRUPTIBILITY_NMI		BIT(3)

/* Segment access rights as the VMCS holds them (25.4.1). */
#define VMX_AR_TYPE(a)			((a) & 0xf)
#define VMX_AR_S				BIT(4)
#define VMX_AR_DPL_SHIFT			5
#define VMX_AR_P				BIT(7)
#define VMX_AR_AVL				BIT(12)
#define VMX_AR_L				BIT(13)
#define VMX_AR_DB				BIT(14)
#define VMX_AR_G				BIT(15)
#define VMX_AR_UNUSABLE			BIT(16)

/* Basic exit reasons (SDM Vol. 3D Appendix C). */
#define EXIT_EXCEPTION_NMI		0
#define EXIT_EXT_INTR			1
#define EXIT_TRIPLE_FAULT		2
#define EXIT_INIT			3
#define EXIT_SIPI			4
#define EXIT_SMI			5
#define EXIT_OTHER_SMI			6
#define EXIT_INTR_WINDOW		7
#define EXIT_NMI_WINDOW			8
#define EXIT_CPUID			10
#define EXIT_HLT			12
#define EXIT_INVD			13
#define EXIT_RDPMC			15
#define EXIT_VMCALL			18
#define EXIT_VMCLEAR			19
#define EXIT_VMLAUNCH			20
#define EXIT_VMPTRLD			21
#define EXIT_VMPTRST			22
#define EXIT_VMREAD			23
#define EXIT_VMRESUME			24
#define EXIT_VMWRITE			25
#define EXIT_VMXOFF			26
#define EXIT_VMXON			27
#define EXIT_CR_ACCESS			28
#define EXIT_DR_ACCESS			29
#define EXIT_IO				30
#define EXIT_RDMSR			31
#define EXIT_WRMSR			32
#define EXIT_INVALID_GUEST_STATE	33
#define EXIT_MSR_LOADING		34
#define EXIT_MWAIT			36
#define EXIT_MONITOR			39
#define EXIT_MCE_DURING_ENTRY		41
#define EXIT_EPT_VIOLATION		48
#define EXIT_EPT_MISCONFIG		49
#define EXIT_INVEPT			50
#define EXIT_PREEMPTION_TIMER		52
#define EXIT_INVVPID			53
#define EXIT_WBINVD			54
#define EXIT_XSETBV			55
#define EXIT_VMFUNC			59
#define EXIT_REASON_FAILED_ENTRY	BIT(31)

/* VMCS_INSN_ERROR numbers khv looks at (SDM Vol. 3C 31.4). */
#define VMX_ERR_ENTRY_BAD_CONTROLS	7
#define VMX_ERR_ENTRY_BAD_HOST_STATE	8

/* Read and write the current VMCS; a fault means VMX is gone: warn once. */
static __always_inline u64 vmcs_read(enum vmcs_field field)
{
	u64 value;

	asm volatile("1: vmread %[f], %[v]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [v] "=rm" (value) : [f] "r" ((u64)field), "0" (0ULL)
		     : "cc");
	return value;
}

static __always_inline void vmcs_write(enum vmcs_field field, u64 value)
{
	asm volatile("1: vmwrite %[v], %[f]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [f] "r" ((u64)field), [v] "rm" (value) : "cc", "memory");
}

#endif /* KHV_VMX_VMCS_H */
