/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM vCPU: what vcpu.c (the VMCB and the guest state), exit.c (the exit
 * handlers) and run.c (guest entry) share.
 */
#ifndef KHV_SVM_VCPU_H
#define KHV_SVM_VCPU_H

#include <linux/preempt.h>
#include <linux/types.h>

#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "svm.h"
#include "vmcb.h"

struct khv_exit_handler;

/**
 * struct svm_vcpu - a vCPU on AMD SVM.
 * @vcpu: the vendor-neutral part.
 * @vmcb: its VMCB (one page).
 * @vmcb_pa: physical address of @vmcb.
 * @pn: scrubs khv's ASID when KHV_RUN's thread is scheduled out.
 * @tlb_tag: the vCPU's number for the ASID policy (svm/asid.c).
 * @flush_tlb: the next entry flushes the ASID (an emulated MOV to CR4).
 * @tsc_aux: the guest's TSC_AUX (RDTSCP, RDPID), in the MSR while it runs.
 * @nmi_masked: NMIs are blocked (one was injected) until the guest's IRET
 *	completes; SVM does not track it (svm/inject.c).
 * @awaiting_iret: the IRET intercept fired at @iret_rip; NMIs unmask once
 *	the guest is past it.
 * @iret_rip: where.
 * @nmi_singlestep: khv set RFLAGS.TF (and RF) to exit after one instruction
 *	(an IRET, or the one an interrupt shadow covers) and see NMIs unblocked;
 *	the #DB that follows is khv's.
 * @nmi_ss_rflags: TF and RF as the guest had them then.
 * @row: the last exit's row of the exit table (svm_exit_row()), or NULL.
 */
struct svm_vcpu {
	struct khv_vcpu vcpu;
	struct svm_vmcb *vmcb;
	u64 vmcb_pa;
	struct preempt_notifier pn;
	u64 tlb_tag;
	bool flush_tlb;
	u32 tsc_aux;
	bool nmi_masked;
	bool awaiting_iret;
	u64 iret_rip;
	bool nmi_singlestep;
	u64 nmi_ss_rflags;
	const struct khv_exit_handler *row;
};

/* The core allocates khv_svm_ops.vcpu_size bytes and uses the first part. */
static_assert(offsetof(struct svm_vcpu, vcpu) == 0);

static inline struct svm_vcpu *to_svm(struct khv_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* Segment attributes as the VMCB packs them (APM 15.5.1). */
#define SEG_TYPE(a)	((a) & 0xf)
#define SEG_S		BIT(4)
#define SEG_DPL_SHIFT	5
#define SEG_P		BIT(7)
#define SEG_AVL		BIT(8)
#define SEG_L		BIT(9)
#define SEG_DB		BIT(10)
#define SEG_G		BIT(11)
void svm_seg_get(const struct svm_segment *s, struct khv_segment *k);

/* inject.c */
u64 svm_guest_rflags(struct svm_vcpu *svm);
void svm_nmi_singlestep_stop(struct svm_vcpu *svm);
int svm_handle_vintr(struct khv_vcpu *vcpu);
int svm_handle_iret(struct khv_vcpu *vcpu);
int svm_handle_db(struct khv_vcpu *vcpu);

#endif /* KHV_SVM_VCPU_H */
