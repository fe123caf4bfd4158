// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM vCPU: the VMCB of each vCPU and the guest state it holds (exits:
 * exit.c; entry: run.c).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../compat.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../x86.h"
#include "svm.h"
#include "vcpu.h"
#include "vmcb.h"

/* svm/asid.c flushes khv's ASID when the vCPU thread is scheduled out. */
#ifndef CONFIG_PREEMPT_NOTIFIERS
#error "khv needs CONFIG_PREEMPT_NOTIFIERS (CONFIG_KVM selects it)"
#endif

static void svm_seg_set(struct svm_segment *s, u16 sel, u64 base, u32 limit,
			u16 attrib)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attrib = attrib;
}

/*
 * khv's intercepts and the reset state of an x86 processor (SDM Vol. 3A
 * 9.1.1), real mode, with @nested_cr3 as the nested page table.
 */
void svm_vmcb_reset(struct svm_vmcb *vmcb, u64 nested_cr3)
{
	struct svm_control *c = &vmcb->control;
	struct svm_save *s = &vmcb->save;

	/* CR4 bits khv does not switch are refused: svm_handle_cr4_write(). */
	c->intercept_cr = SVM_CR_WRITE(4);
	/* Debug registers are not switched: the guest may not touch them. */
	c->intercept_dr = 0xffffffff;
	c->intercept_exceptions = SVM_INTERCEPT_EXCEPTIONS;
	c->intercept3 = SVM_I3_INTR | SVM_I3_NMI | SVM_I3_SMI | SVM_I3_INIT |
			SVM_I3_RDPMC | SVM_I3_CPUID | SVM_I3_RSM |
			SVM_I3_INVD | SVM_I3_HLT |
			SVM_I3_INVLPGA | SVM_I3_IOIO | SVM_I3_MSR |
			SVM_I3_TASK_SWITCH | SVM_I3_FERR_FREEZE |
			SVM_I3_SHUTDOWN;
	c->intercept4 = SVM_I4_VMRUN | SVM_I4_VMMCALL | SVM_I4_VMLOAD |
			SVM_I4_VMSAVE | SVM_I4_STGI | SVM_I4_CLGI |
			SVM_I4_SKINIT | SVM_I4_ICEBP | SVM_I4_WBINVD |
			SVM_I4_MONITOR | SVM_I4_MWAIT | SVM_I4_MWAIT_COND |
			SVM_I4_XSETBV | SVM_I4_RDPRU;
	c->iopm_base_pa = svm_iopm_pa();
	c->msrpm_base_pa = svm_msrpm_pa();
	c->int_ctl = SVM_V_INTR_MASKING;
	c->nested_ctl = 1;	/* NP_ENABLE */
	c->nested_cr3 = nested_cr3;

	svm_seg_set(&s->cs, 0xf000, 0xffff0000, 0xffff, SEG_P | SEG_S | 0xb);
	svm_seg_set(&s->ds, 0, 0, 0xffff, SEG_P | SEG_S | 0x3);
	s->es = s->ds;
	s->ss = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	svm_seg_set(&s->gdtr, 0, 0, 0xffff, 0);
	svm_seg_set(&s->idtr, 0, 0, 0xffff, 0);
	svm_seg_set(&s->ldtr, 0, 0, 0xffff, SEG_P | 0x2);
	svm_seg_set(&s->tr, 0, 0, 0xffff, SEG_P | 0xb);
	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	/* APM 15.5.1: EFER.SVME must be set in the guest's VMCB. */
	s->efer = EFER_SVME;
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0xfff0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = KHV_DR7_RESET;
	s->g_pat = 0x0007040600070406ULL;
}

/*
 * The khv thread leaves the CPU: no translation of its guest may stay for
 * whoever runs next (svm/asid.c). Interrupts are off here.
 */
static void svm_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	svm_asid_scrub();
}

static void svm_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static struct preempt_ops svm_preempt_ops = {
	.sched_in = svm_sched_in,
	.sched_out = svm_sched_out,
};

/* khv_arch_ops.vcpu_create: the core allocated struct svm_vcpu, zeroed. */
int svm_vcpu_create(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *page;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm_vmcb_reset(svm->vmcb, khv_npt_root(&vcpu->vm->npt));
	svm->tlb_tag = svm_asid_new_tag();
	preempt_notifier_init(&svm->pn, &svm_preempt_ops);
	preempt_notifier_inc();
	return 0;
}

void svm_vcpu_free(struct khv_vcpu *vcpu)
{
	preempt_notifier_dec();
	free_page((unsigned long)to_svm(vcpu)->vmcb);
}

void svm_vcpu_load(struct khv_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_register(&to_svm(vcpu)->pn);
	preempt_enable();
}

void svm_vcpu_put(struct khv_vcpu *vcpu)
{
	unsigned long flags;

	preempt_disable();
	preempt_notifier_unregister(&to_svm(vcpu)->pn);
	local_irq_save(flags);
	svm_asid_scrub();
	local_irq_restore(flags);
	preempt_enable();
}

void svm_seg_get(const struct svm_segment *s, struct khv_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = SEG_TYPE(s->attrib);
	k->s = !!(s->attrib & SEG_S);
	k->dpl = (s->attrib >> SEG_DPL_SHIFT) & 3;
	k->present = !!(s->attrib & SEG_P);
	k->avl = !!(s->attrib & SEG_AVL);
	k->l = !!(s->attrib & SEG_L);
	k->db = !!(s->attrib & SEG_DB);
	k->g = !!(s->attrib & SEG_G);
	k->unusable = !k->present;
}

static int svm_seg_put(struct svm_segment *s, const struct khv_segment *k)
{
	if (!khv_segment_valid(k))
		return -EINVAL;
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attrib = k->unusable ? 0 :
		    k->type | (k->s ? SEG_S : 0) | k->dpl << SEG_DPL_SHIFT |
		    (k->present ? SEG_P : 0) | (k->avl ? SEG_AVL : 0) |
		    (k->l ? SEG_L : 0) | (k->db ? SEG_DB : 0) |
		    (k->g ? SEG_G : 0);
	return 0;
}

void svm_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *sregs)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;

	svm_seg_get(&s->cs, &sregs->cs);
	svm_seg_get(&s->ds, &sregs->ds);
	svm_seg_get(&s->es, &sregs->es);
	svm_seg_get(&s->fs, &sregs->fs);
	svm_seg_get(&s->gs, &sregs->gs);
	svm_seg_get(&s->ss, &sregs->ss);
	svm_seg_get(&s->tr, &sregs->tr);
	svm_seg_get(&s->ldtr, &sregs->ldt);
	sregs->gdt.base = s->gdtr.base;
	sregs->gdt.limit = s->gdtr.limit;
	sregs->idt.base = s->idtr.base;
	sregs->idt.limit = s->idtr.limit;
	sregs->cr0 = s->cr0;
	sregs->cr2 = s->cr2;
	sregs->cr3 = s->cr3;
	sregs->cr4 = s->cr4;
	/* The guest does not see the SVME that VMRUN requires. */
	sregs->efer = s->efer & ~EFER_SVME;
	sregs->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			   (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
}

int svm_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *sregs)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;
	const struct khv_segment *in[] = {
		&sregs->cs, &sregs->ds, &sregs->es, &sregs->fs,
		&sregs->gs, &sregs->ss, &sregs->tr, &sregs->ldt,
	};
	struct svm_segment *out[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldtr,
	};
	struct svm_segment seg[ARRAY_SIZE(in)];
	unsigned int i;
	bool lma;

	if (khv_sregs_check(sregs, &lma) ||
	    (sregs->cr4 & ~svm_get_caps()->cr4_allowed))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(in); i++)
		if (svm_seg_put(&seg[i], in[i]))
			return -EINVAL;

	/* All checked: apply. */
	for (i = 0; i < ARRAY_SIZE(in); i++)
		*out[i] = seg[i];
	s->gdtr.base = sregs->gdt.base;
	s->gdtr.limit = sregs->gdt.limit;
	s->idtr.base = sregs->idt.base;
	s->idtr.limit = sregs->idt.limit;
	s->cr0 = sregs->cr0;
	s->cr2 = sregs->cr2;
	s->cr3 = sregs->cr3;
	s->cr4 = sregs->cr4;
	s->efer = (sregs->efer & ~EFER_LMA) | (lma ? EFER_LMA : 0) | EFER_SVME;
	s->cpl = (s->ss.attrib >> SEG_DPL_SHIFT) & 3;
	return 0;
}

/*
 * The MSRs a guest may have: those the VMCB holds and VMRUN/VMLOAD switch.
 * Every other MSR is #GP for the guest and -EINVAL for user space.
 */
static u64 *svm_msr_field(struct svm_save *s, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &s->star;
	case MSR_LSTAR:
		return &s->lstar;
	case MSR_CSTAR:
		return &s->cstar;
	case MSR_SYSCALL_MASK:
		return &s->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &s->kernel_gs_base;
	case MSR_FS_BASE:
		return &s->fs.base;
	case MSR_GS_BASE:
		return &s->gs.base;
	case MSR_IA32_SYSENTER_CS:
		return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &s->sysenter_eip;
	case MSR_IA32_CR_PAT:
		return &s->g_pat;
	default:
		return NULL;
	}
}

int svm_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;
	u64 *field;

	if (index == MSR_EFER) {
		*data = s->efer & ~EFER_SVME;
		return 0;
	}
	if (index == MSR_TSC_AUX && svm_has_tsc_aux()) {
		*data = to_svm(vcpu)->tsc_aux;
		return 0;
	}
	field = svm_msr_field(s, index);
	if (!field)
		return -EINVAL;
	*data = *field;
	return 0;
}

int svm_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;
	u64 *field;
	bool lma;

	switch (index) {
	case MSR_EFER:
		if (data & ~KHV_EFER_KNOWN)
			return -EINVAL;
		/* SDM Vol. 3A 10.8.5: LME may not change while paging is on. */
		if ((s->cr0 & X86_CR0_PG) &&
		    ((data ^ s->efer) & EFER_LME))
			return -EINVAL;
		lma = (data & EFER_LME) && (s->cr0 & X86_CR0_PG);
		if (apply)
			s->efer = (data & ~EFER_LMA) | (lma ? EFER_LMA : 0) |
				  EFER_SVME;
		return 0;
	case MSR_TSC_AUX:
		if (!svm_has_tsc_aux() || !khv_msr_value_valid(index, data))
			return -EINVAL;
		if (apply)
			to_svm(vcpu)->tsc_aux = data;
		return 0;
	default:
		if (!khv_msr_value_valid(index, data))
			return -EINVAL;
	}
	field = svm_msr_field(s, index);
	if (!field)
		return -EINVAL;
	if (apply)
		*field = data;
	return 0;
}
