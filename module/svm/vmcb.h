/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMCB as khv uses it: AMD APM Vol. 2, Appendix B (Layout of VMCB).
 * khv's own layout rather than the kernel's, which changes between the
 * kernels khv supports; the offsets are asserted below.
 */
#ifndef KHV_SVM_VMCB_H
#define KHV_SVM_VMCB_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/trapnr.h>

/* CR intercepts (offset 0x00): bits 15:0 reads, 31:16 writes of CR0-15. */
#define SVM_CR_WRITE(n)		BIT(16 + (n))

/* Intercept vector 3 (offset 0x0c), APM Table B-1. */
#define SVM_I3_INTR		BIT(0)
#define SVM_I3_NMI		BIT(1)
#define SVM_I3_SMI		BIT(2)
#define SVM_I3_INIT		BIT(3)
#define SVM_I3_VINTR		BIT(4)
#define SVM_I3_RDPMC		BIT(15)
#define SVM_I3_CPUID		BIT(18)
#define SVM_I3_RSM		BIT(19)
#define SVM_I3_IRET		BIT(20)
#define SVM_I3_INVD		BIT(22)
#define SVM_I3_HLT		BIT(24)
#define SVM_I3_INVLPGA		BIT(26)
#define SVM_I3_IOIO		BIT(27)
#define SVM_I3_MSR		BIT(28)
#define SVM_I3_TASK_SWITCH	BIT(29)
#define SVM_I3_FERR_FREEZE	BIT(30)
#define SVM_I3_SHUTDOWN		BIT(31)
/* Intercept vector 4 (offset 0x10). */
#define SVM_I4_VMRUN		BIT(0)
#define SVM_I4_VMMCALL		BIT(1)
#define SVM_I4_VMLOAD		BIT(2)
#define SVM_I4_VMSAVE		BIT(3)
#define SVM_I4_STGI		BIT(4)
#define SVM_I4_CLGI		BIT(5)
#define SVM_I4_SKINIT		BIT(6)
#define SVM_I4_ICEBP		BIT(8)
#define SVM_I4_WBINVD		BIT(9)
#define SVM_I4_MONITOR		BIT(10)
#define SVM_I4_MWAIT		BIT(11)
#define SVM_I4_MWAIT_COND	BIT(12)
#define SVM_I4_XSETBV		BIT(13)
#define SVM_I4_RDPRU		BIT(14)

/* Exit codes, APM Appendix C. */
#define SVM_EXIT_WRITE_CR4	0x014
#define SVM_EXIT_WRITE_CR8	0x018
#define SVM_EXIT_READ_DR0	0x020
#define SVM_EXIT_WRITE_DR0	0x030
#define SVM_EXIT_WRITE_DR15	0x03f
#define SVM_EXIT_EXCP_BASE	0x040	/* + vector */
#define SVM_EXIT_EXCP_DB	(SVM_EXIT_EXCP_BASE + X86_TRAP_DB)
#define SVM_EXIT_EXCP_AC	(SVM_EXIT_EXCP_BASE + X86_TRAP_AC)
#define SVM_EXIT_EXCP_MC	(SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_INIT		0x063
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_RDPMC		0x06f
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_RSM		0x073
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_ICEBP		0x088
#define SVM_EXIT_WBINVD		0x089
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_MWAIT_COND	0x08c
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_RDPRU		0x08e
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

/* IOIO EXITINFO1, APM 15.10.2. */
#define SVM_IOIO_IN		BIT(0)
#define SVM_IOIO_STR		BIT(2)
#define SVM_IOIO_REP		BIT(3)
#define SVM_IOIO_SIZE_SHIFT	4
#define SVM_IOIO_SIZE_MASK	(7 << SVM_IOIO_SIZE_SHIFT)
#define SVM_IOIO_PORT_SHIFT	16

/*
 * EVENTINJ, APM 15.20; EXITINTINFO (APM 15.7.2) has the same layout:
 * vector in 7:0, type in 10:8, error code valid in 11, valid in 31, the
 * error code in 63:32.
 */
#define SVM_EVTINJ_VEC_MASK	0xff
#define SVM_EVTINJ_TYPE_SHIFT	8
#define SVM_EVTINJ_TYPE_MASK	(7 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_INTR	(0 << 8)
#define SVM_EVTINJ_TYPE_NMI	(2 << 8)
#define SVM_EVTINJ_TYPE_EXEPT	(3 << 8)
#define SVM_EVTINJ_TYPE_SOFT	(4 << 8)
#define SVM_EVTINJ_VALID_ERR	BIT(11)
#define SVM_EVTINJ_VALID	BIT(31)
#define SVM_EVTINJ_ERR_SHIFT	32

/* EXITINFO1 of a CR access with decode assists (APM 15.33.1): GPR valid. */
#define SVM_CR_INFO_VALID	BIT_ULL(63)
#define SVM_CR_INFO_GPR_MASK	0xf

/*
 * The exceptions that exit (APM 15.12): a machine check is the host's; #AC
 * and #DB go back to the guest through khv, so that one that recurs during
 * its own delivery loops through the host (Documentation/khv-abi.rst).
 */
#define SVM_INTERCEPT_EXCEPTIONS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | \
					 BIT(X86_TRAP_MC))

/* A machine check exited the guest: the host's handler takes it (run.c). */
static inline bool svm_exit_is_mce(u64 exit_code)
{
	return exit_code == SVM_EXIT_EXCP_MC;
}

/*
 * int_ctl (offset 0x60), APM 15.21: a virtual interrupt pending (V_IRQ), its
 * priority against the virtual TPR or not (V_IGN_TPR), V_INTR_MASKING.
 */
#define SVM_V_TPR_MASK		0xff
#define SVM_V_IRQ		BIT(8)
#define SVM_V_INTR_PRIO_SHIFT	16
#define SVM_V_INTR_PRIO_MASK	(0xf << SVM_V_INTR_PRIO_SHIFT)
#define SVM_V_IGN_TPR		BIT(20)
#define SVM_V_INTR_MASKING	BIT(24)

/* int_state (offset 0x68), APM 15.21.5: the guest is in an interrupt shadow. */
#define SVM_INTERRUPT_SHADOW	BIT(0)

/* TLB_CONTROL, APM 15.16.1. */
#define SVM_TLB_FLUSH_NONE	0
#define SVM_TLB_FLUSH_ALL	1
#define SVM_TLB_FLUSH_ASID	3

struct svm_segment {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct svm_control {
	u32 intercept_cr;		/* 0x000 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008 */
	u32 intercept3;			/* 0x00c */
	u32 intercept4;			/* 0x010 */
	u32 intercept5;			/* 0x014 */
	u8 reserved_1[0x3c - 0x18];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8 tlb_ctl;			/* 0x05c */
	u8 reserved_2[3];
	u32 int_ctl;			/* 0x060 */
	u32 int_vector;			/* 0x064 */
	u64 int_state;			/* 0x068 */
	u64 exit_code;			/* 0x070 */
	u64 exit_info_1;		/* 0x078 */
	u64 exit_info_2;		/* 0x080 */
	u64 exit_int_info;		/* 0x088 */
	u64 nested_ctl;			/* 0x090: bit 0 NP_ENABLE */
	u64 avic_vapic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u64 event_inj;			/* 0x0a8 */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_3;
	u64 next_rip;			/* 0x0c8 */
	u8 insn_len;			/* 0x0d0 */
	u8 insn_bytes[15];		/* 0x0d1 */
	u8 reserved_4[0x400 - 0xe0];
} __packed;

struct svm_save {
	struct svm_segment es;		/* 0x000 */
	struct svm_segment cs;
	struct svm_segment ss;
	struct svm_segment ds;
	struct svm_segment fs;
	struct svm_segment gs;
	struct svm_segment gdtr;
	struct svm_segment ldtr;
	struct svm_segment idtr;
	struct svm_segment tr;		/* 0x090 */
	u8 reserved_1[0xcb - 0xa0];
	u8 cpl;				/* 0x0cb */
	u32 reserved_2;
	u64 efer;			/* 0x0d0 */
	u8 reserved_3[0x148 - 0xd8];
	u64 cr4;			/* 0x148 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;			/* 0x178 */
	u8 reserved_4[0x1d8 - 0x180];
	u64 rsp;			/* 0x1d8 */
	u64 s_cet;
	u64 ssp;
	u64 isst_addr;
	u64 rax;			/* 0x1f8 */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;			/* 0x240 */
	u8 reserved_5[0x268 - 0x248];
	u64 g_pat;			/* 0x268 */
	u8 reserved_6[0xc00 - 0x270];
} __packed;

struct svm_vmcb {
	struct svm_control control;
	struct svm_save save;
} __packed;

static_assert(offsetof(struct svm_control, pause_filter_thresh) == 0x3c);
static_assert(offsetof(struct svm_control, asid) == 0x58);
static_assert(offsetof(struct svm_control, exit_code) == 0x70);
static_assert(offsetof(struct svm_control, nested_cr3) == 0xb0);
static_assert(offsetof(struct svm_control, next_rip) == 0xc8);
static_assert(sizeof(struct svm_control) == 0x400);
static_assert(offsetof(struct svm_save, tr) == 0x90);
static_assert(offsetof(struct svm_save, cpl) == 0xcb);
static_assert(offsetof(struct svm_save, efer) == 0xd0);
static_assert(offsetof(struct svm_save, cr4) == 0x148);
static_assert(offsetof(struct svm_save, rip) == 0x178);
static_assert(offsetof(struct svm_save, rsp) == 0x1d8);
static_assert(offsetof(struct svm_save, rax) == 0x1f8);
static_assert(offsetof(struct svm_save, cr2) == 0x240);
static_assert(offsetof(struct svm_save, g_pat) == 0x268);
static_assert(sizeof(struct svm_vmcb) == 4096);

#endif /* KHV_SVM_VMCB_H */
