// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM vCPU: VMCB set-up, guest entry and the exit handlers.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "../compat.h"
#include "../gwalk.h"
#include "../khv.h"
#include "../x86.h"
#include "insn.h"
#include "svm.h"
#include "vmcb.h"

/* svm/asid.c flushes khv's ASID when the vCPU thread is scheduled out. */
#ifndef CONFIG_PREEMPT_NOTIFIERS
#error "khv needs CONFIG_PREEMPT_NOTIFIERS (CONFIG_KVM selects it)"
#endif

static_assert(offsetof(struct svm_gprs, rsi) == 24);
static_assert(offsetof(struct svm_gprs, r15) == 104);

/**
 * struct svm_vcpu - a vCPU on AMD SVM.
 * @vcpu: the vendor-neutral part.
 * @vmcb: its VMCB (one page).
 * @vmcb_pa: physical address of @vmcb.
 * @gprs: the guest registers the VMCB does not hold.
 * @pn: scrubs khv's ASID when KHV_RUN's thread is scheduled out.
 * @tlb_tag: the vCPU's number for the ASID policy (svm/asid.c).
 * @flush_tlb: the next entry flushes the ASID (an emulated MOV to CR4).
 * @tsc_aux: the guest's TSC_AUX (RDTSCP, RDPID), in the MSR while it runs.
 * @fpu: the guest's x87/SSE state (FXSAVE format), kept apart from the
 *	host's: loaded before each entry, saved after each exit.
 */
struct svm_vcpu {
	struct khv_vcpu vcpu;
	struct svm_vmcb *vmcb;
	u64 vmcb_pa;
	struct svm_gprs gprs;
	struct preempt_notifier pn;
	u64 tlb_tag;
	bool flush_tlb;
	u32 tsc_aux;
	u8 fpu[512] __aligned(16);
};

/* The x87/SSE state after RESET (SDM Vol. 1 Table 10-2): FCW and MXCSR. */
static void svm_fpu_init(struct svm_vcpu *svm)
{
	u16 fcw = 0x37f;
	u32 mxcsr = 0x1f80;

	memcpy(&svm->fpu[0], &fcw, sizeof(fcw));
	memcpy(&svm->fpu[24], &mxcsr, sizeof(mxcsr));
}

static struct svm_vcpu *to_svm(struct khv_vcpu *vcpu)
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

	/* CR4.PKE and CR4.OSXSAVE are refused: svm_handle_cr4_write(). */
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

struct khv_vcpu *svm_vcpu_create(struct khv_vm *vm, u32 id)
{
	struct svm_vcpu *svm;
	struct page *page;
	int r;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return ERR_PTR(-ENOMEM);
	r = khv_vcpu_init(&svm->vcpu, vm, id);
	if (r)
		goto err_free;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		r = -ENOMEM;
		goto err_uninit;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm_vmcb_reset(svm->vmcb, khv_npt_root(&vm->npt));
	svm_fpu_init(svm);
	svm->tlb_tag = svm_asid_new_tag();
	preempt_notifier_init(&svm->pn, &svm_preempt_ops);
	preempt_notifier_inc();
	return &svm->vcpu;

err_uninit:
	khv_vcpu_uninit(&svm->vcpu);
err_free:
	kfree(svm);
	return ERR_PTR(r);
}

void svm_vcpu_free(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	preempt_notifier_dec();
	free_page((unsigned long)svm->vmcb);
	khv_vcpu_uninit(vcpu);
	kfree(svm);
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

void svm_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_save *s = &svm->vmcb->save;

	regs->rax = s->rax;
	regs->rsp = s->rsp;
	regs->rip = s->rip;
	regs->rflags = s->rflags;
	regs->rbx = svm->gprs.rbx;
	regs->rcx = svm->gprs.rcx;
	regs->rdx = svm->gprs.rdx;
	regs->rsi = svm->gprs.rsi;
	regs->rdi = svm->gprs.rdi;
	regs->rbp = svm->gprs.rbp;
	regs->r8 = svm->gprs.r8;
	regs->r9 = svm->gprs.r9;
	regs->r10 = svm->gprs.r10;
	regs->r11 = svm->gprs.r11;
	regs->r12 = svm->gprs.r12;
	regs->r13 = svm->gprs.r13;
	regs->r14 = svm->gprs.r14;
	regs->r15 = svm->gprs.r15;
}

int svm_set_regs(struct khv_vcpu *vcpu, const struct khv_regs *regs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_save *s = &svm->vmcb->save;

	if (!khv_rflags_valid(regs->rflags))
		return -EINVAL;
	s->rax = regs->rax;
	s->rsp = regs->rsp;
	s->rip = regs->rip;
	s->rflags = regs->rflags;
	svm->gprs.rbx = regs->rbx;
	svm->gprs.rcx = regs->rcx;
	svm->gprs.rdx = regs->rdx;
	svm->gprs.rsi = regs->rsi;
	svm->gprs.rdi = regs->rdi;
	svm->gprs.rbp = regs->rbp;
	svm->gprs.r8 = regs->r8;
	svm->gprs.r9 = regs->r9;
	svm->gprs.r10 = regs->r10;
	svm->gprs.r11 = regs->r11;
	svm->gprs.r12 = regs->r12;
	svm->gprs.r13 = regs->r13;
	svm->gprs.r14 = regs->r14;
	svm->gprs.r15 = regs->r15;
	return 0;
}

static void svm_seg_get(const struct svm_segment *s, struct khv_segment *k)
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

/*
 * Queue an exception for the next entry (APM 15.20), combined with one
 * already queued (an event whose delivery the exit interrupted). The
 * processor pushes an error code only in protected mode.
 */
static int svm_inject_exception(struct svm_vcpu *svm, u8 vector, u32 err,
				u64 cr2)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 prev = vmcb->control.event_inj;

	if ((prev & SVM_EVTINJ_VALID) &&
	    (prev & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXEPT) {
		vector = khv_exception_merge(prev & SVM_EVTINJ_VEC_MASK, vector);
		if (vector == KHV_TRIPLE_FAULT) {
			vmcb->control.event_inj = 0;
			return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_SHUTDOWN);
		}
		if (vector == X86_TRAP_DF)
			err = 0;
	}
	khv_stat_count(&svm->vcpu, KHV_STAT_EXCEPTION);
	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
				  vector;
	if (khv_exception_has_error(vector) && (vmcb->save.cr0 & X86_CR0_PE))
		vmcb->control.event_inj |= SVM_EVTINJ_VALID_ERR | (u64)err << 32;
	if (vector == X86_TRAP_PF)
		vmcb->save.cr2 = cr2;
	return 1;
}

/* khv_arch_ops.inject_exception. */
int svm_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2)
{
	return svm_inject_exception(to_svm(vcpu), vector, err, cr2);
}

/* Move RIP past an intercepted instruction of known length. */
static void svm_skip(struct svm_vcpu *svm, unsigned int len)
{
	struct svm_vmcb *vmcb = svm->vmcb;

	if (svm_has_nrips() && vmcb->control.next_rip)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += len;
}

static int svm_handle_cpuid(struct svm_vcpu *svm)
{
	struct svm_save *s = &svm->vmcb->save;
	u32 regs[4];

	khv_cpuid(&svm->vcpu, s->rax, svm->gprs.rcx, regs);
	s->rax = regs[0];
	svm->gprs.rbx = regs[1];
	svm->gprs.rcx = regs[2];
	svm->gprs.rdx = regs[3];
	svm_skip(svm, 2);
	return 1;
}

static unsigned int svm_fetch_insn(struct svm_vcpu *svm, u8 *buf,
				   unsigned int len);
static int svm_code_mode(const struct svm_save *s);

/*
 * What the prefixes of the string I/O instruction at RIP say (SDM Vol. 2
 * 2.1.1): its segment override (-1 for none) and whether it has the
 * address-size prefix 0x67.
 */
static void svm_string_io_prefixes(struct svm_vcpu *svm, int *seg, bool *asz)
{
	/* Indexed by segment register number: ES, CS, SS, DS, FS, GS. */
	static const u8 prefix_seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	bool rex = svm_code_mode(&svm->vmcb->save) == 64;
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n, i, j;

	*seg = -1;
	*asz = false;
	n = svm_fetch_insn(svm, insn, sizeof(insn));
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(prefix_seg); j++)
			if (insn[i] == prefix_seg[j])
				break;
		if (j < ARRAY_SIZE(prefix_seg))
			*seg = j;
		else if (insn[i] == 0x67)
			*asz = true;
		else if (insn[i] != 0x66 && insn[i] != 0xf2 && insn[i] != 0xf3 &&
			 insn[i] != 0xf0 && !(rex && (insn[i] & 0xf0) == 0x40))
			break;
	}
}

static const struct svm_segment *svm_segment_nr(struct svm_save *s,
						unsigned int nr)
{
	switch (nr) {
	case KHV_SEG_ES:
		return &s->es;
	case KHV_SEG_CS:
		return &s->cs;
	case KHV_SEG_SS:
		return &s->ss;
	case KHV_SEG_FS:
		return &s->fs;
	case KHV_SEG_GS:
		return &s->gs;
	default:
		return &s->ds;
	}
}

/*
 * INS/OUTS. EXITINFO1 (APM 15.10.2) gives the address size in bits 9:7 and,
 * with decode assists, the segment of an OUTS in bits 12:10. Without them
 * (QEMU sets neither), the instruction's prefixes say: an override, else DS;
 * 0x67, else the code segment's address size.
 */
static int svm_handle_string_io(struct svm_vcpu *svm, u64 info)
{
	struct svm_save *s = &svm->vmcb->save;
	bool in = info & SVM_IOIO_IN, a67 = false;
	u64 asz = info & (BIT(7) | BIT(8) | BIT(9));
	int mode = svm_code_mode(s), override = -1;
	struct khv_string_io sio = {
		.in = in,
		.rep = info & SVM_IOIO_REP,
		.port = info >> SVM_IOIO_PORT_SHIFT,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		/* INS writes ES:RDI. */
		.seg_nr = KHV_SEG_ES,
		.cpl = s->cpl,
		.next_rip = svm->vmcb->control.exit_info_2,
		.cr3 = s->cr3,
		.walk = khv_gwalk_mode(s->cr0, s->cr4, s->efer),
	};

	if (!asz || (!in && !svm_has_decode_assists()))
		svm_string_io_prefixes(svm, &override, &a67);
	if (asz)
		sio.addr_bytes = info & BIT(9) ? 8 : info & BIT(8) ? 4 : 2;
	else if (mode == 64)
		sio.addr_bytes = a67 ? 4 : 8;
	else
		sio.addr_bytes = (mode == 32) != a67 ? 4 : 2;
	if (!in && svm_has_decode_assists())
		sio.seg_nr = (info >> 10) & 7;
	else if (!in)
		sio.seg_nr = override >= 0 ? override : KHV_SEG_DS;
	if (sio.seg_nr > KHV_SEG_GS)
		sio.seg_nr = KHV_SEG_DS;
	if (mode == 64)
		sio.cpu = KHV_CPU_64;
	else if ((s->cr0 & X86_CR0_PE) && !(s->rflags & X86_EFLAGS_VM))
		sio.cpu = KHV_CPU_PROT;
	else
		sio.cpu = KHV_CPU_REAL;
	svm_seg_get(svm_segment_nr(s, sio.seg_nr), &sio.seg);
	return khv_vcpu_exit_string_io(&svm->vcpu, &sio);
}

static int svm_handle_ioio(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	if (info & SVM_IOIO_STR)
		return svm_handle_string_io(svm, info);
	/* APM 15.10.2: EXITINFO2 holds the next RIP. */
	vmcb->save.rip = vmcb->control.exit_info_2;
	return khv_vcpu_exit_io(&svm->vcpu, info & SVM_IOIO_IN,
				info >> SVM_IOIO_PORT_SHIFT, size,
				vmcb->save.rax);
}

/* The operand mode of the guest's code segment, for the decoder. */
static int svm_code_mode(const struct svm_save *s)
{
	if ((s->efer & EFER_LMA) && (s->cs.attrib & SEG_L))
		return 64;
	if ((s->cr0 & X86_CR0_PE) && (s->cs.attrib & SEG_DB))
		return 32;
	return 16;
}

/* Read the instruction at CS:RIP: decode assists give it, else guest memory. */
static unsigned int svm_fetch_insn(struct svm_vcpu *svm, u8 *buf,
				   unsigned int len)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct svm_save *s = &vmcb->save;

	if (vmcb->control.insn_len) {
		len = min_t(unsigned int, vmcb->control.insn_len, len);
		memcpy(buf, vmcb->control.insn_bytes, len);
		return len;
	}
	/* SDM Vol. 1 3.4.2.1: in 64-bit mode the CS base is 0. */
	return khv_fetch_guest(svm->vcpu.vm,
			       (svm_code_mode(s) == 64 ? 0 : s->cs.base) + s->rip,
			       s->cr3, khv_gwalk_mode(s->cr0, s->cr4, s->efer),
			       buf, len);
}

static int svm_handle_npf(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 gpa = vmcb->control.exit_info_2;
	u64 err = vmcb->control.exit_info_1;
	bool write = err & BIT(1);
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n;
	u64 delta;
	int r;

	/* Mapped and allowed: a stale translation; just go back in. */
	if (khv_gpa_to_page(svm->vcpu.vm, gpa, write))
		return 1;
	/*
	 * Delivering an event (EXITINTINFO) touched memory that is no RAM:
	 * no instruction to emulate, and khv does not emulate delivery. The
	 * event stays queued (svm_vcpu_run()) for a VMM that maps memory there.
	 */
	if (vmcb->control.exit_int_info & SVM_EVTINJ_VALID) {
		memset(&svm->vcpu.run->internal, 0, sizeof(svm->vcpu.run->internal));
		svm->vcpu.run->internal.hardware_exit_reason = SVM_EXIT_NPF;
		svm->vcpu.run->internal.info[0] = vmcb->control.exit_int_info;
		svm->vcpu.run->internal.info[1] = gpa;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	n = svm_fetch_insn(svm, insn, sizeof(insn));
	r = khv_vcpu_exit_mmio(&svm->vcpu, gpa, insn, n,
			       svm_code_mode(&vmcb->save), &delta);
	vmcb->save.rip += delta;
	return r;
}

/* RDMSR/WRMSR (APM 15.11): EXITINFO1 is 1 for a write; ECX the index. */
static int svm_handle_msr(struct svm_vcpu *svm)
{
	struct svm_save *s = &svm->vmcb->save;
	u32 index = svm->gprs.rcx;
	u64 data;

	if (svm->vmcb->control.exit_info_1) {
		data = (u32)s->rax | (svm->gprs.rdx << 32);
		if (svm_set_msr(&svm->vcpu, index, data, false))
			return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
		svm_set_msr(&svm->vcpu, index, data, true);
	} else {
		if (svm_get_msr(&svm->vcpu, index, &data))
			return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
		s->rax = (u32)data;
		svm->gprs.rdx = data >> 32;
	}
	svm_skip(svm, 2);
	return 1;
}

/* A general register by x86 number (SDM Vol. 2 2.1.5). */
static u64 svm_gpr_read(struct svm_vcpu *svm, unsigned int nr)
{
	static const u8 offset[16] = {
		[1] = offsetof(struct svm_gprs, rcx),
		[2] = offsetof(struct svm_gprs, rdx),
		[3] = offsetof(struct svm_gprs, rbx),
		[5] = offsetof(struct svm_gprs, rbp),
		[6] = offsetof(struct svm_gprs, rsi),
		[7] = offsetof(struct svm_gprs, rdi),
		[8] = offsetof(struct svm_gprs, r8),
		[9] = offsetof(struct svm_gprs, r9),
		[10] = offsetof(struct svm_gprs, r10),
		[11] = offsetof(struct svm_gprs, r11),
		[12] = offsetof(struct svm_gprs, r12),
		[13] = offsetof(struct svm_gprs, r13),
		[14] = offsetof(struct svm_gprs, r14),
		[15] = offsetof(struct svm_gprs, r15),
	};

	nr &= 15;
	if (nr == 0)
		return svm->vmcb->save.rax;
	if (nr == 4)
		return svm->vmcb->save.rsp;
	return *(u64 *)((u8 *)&svm->gprs + offset[nr]);
}

/*
 * MOV to CR4 (khv intercepts every CR4 write): the processor's checks, with
 * PKE, OSXSAVE and the bits of svm_cr4_allowed_bits() refused by #GP(0);
 * the new value flushes the guest's TLB, as the processor's write may.
 */
static int svm_handle_cr4_write(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct svm_save *s = &vmcb->save;
	u64 info = vmcb->control.exit_info_1;
	bool mode64 = svm_code_mode(s) == 64;
	u8 insn[KHV_INSN_MAX_LEN];
	struct svm_mov_cr d;
	unsigned int n;
	u64 cr4;

	n = svm_fetch_insn(svm, insn, sizeof(insn));
	if (svm_decode_mov_to_cr(insn, n, mode64, &d)) {
		if (n)
			return 1;	/* changed under us: let the guest run it */
		memset(&svm->vcpu.run->internal, 0, sizeof(svm->vcpu.run->internal));
		svm->vcpu.run->internal.hardware_exit_reason = SVM_EXIT_WRITE_CR4;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	if (d.cr != 4)
		return 1;
	/* Decode assists name the register (APM 15.33.1). */
	if (svm_has_decode_assists() && (info & SVM_CR_INFO_VALID))
		d.gpr = info & SVM_CR_INFO_GPR_MASK;
	cr4 = svm_gpr_read(svm, d.gpr);
	if (!mode64)
		cr4 = (u32)cr4;
	if (svm_cr4_check(cr4, s->cr4, svm_get_caps()->cr4_allowed, s->efer,
			  s->cr3))
		return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
	s->cr4 = cr4;
	svm->flush_tlb = true;
	svm_skip(svm, d.len);
	return 1;
}

static int svm_handle_vmmcall(struct svm_vcpu *svm)
{
	struct khv_regs regs;
	int r;

	svm_skip(svm, 3);
	svm_get_regs(&svm->vcpu, &regs);
	r = khv_vcpu_hypercall(&svm->vcpu, &regs, svm->vmcb->save.cpl);
	if (r > 0)
		svm->vmcb->save.rax = regs.rax;
	return r;
}

/* The statistics bucket of an SVM exit code. */
static enum khv_exit_stat svm_exit_stat(u64 code)
{
	switch (code) {
	case SVM_EXIT_EXCP_BASE ... SVM_EXIT_EXCP_BASE + 31:
	case SVM_EXIT_INTR ... SVM_EXIT_INIT:
		return KHV_STAT_INTR;
	case SVM_EXIT_CPUID:
		return KHV_STAT_CPUID;
	case SVM_EXIT_HLT:
		return KHV_STAT_HLT;
	case SVM_EXIT_IOIO:
		return KHV_STAT_IO;
	case SVM_EXIT_MSR:
		return KHV_STAT_MSR;
	case SVM_EXIT_NPF:
		return KHV_STAT_NPF;
	case SVM_EXIT_VMMCALL:
		return KHV_STAT_HYPERCALL;
	case SVM_EXIT_SHUTDOWN:
		return KHV_STAT_SHUTDOWN;
	default:
		return KHV_STAT_OTHER;
	}
}

static int svm_handle_exit(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct khv_run *run = svm->vcpu.run;
	u64 code = vmcb->control.exit_code;

	/*
	 * APM 15.5.1: VMEXIT_INVALID is -1 in all 64 bits; some emulators
	 * (QEMU) write it as a 32-bit -1. No valid exit code is that large.
	 */
	if ((u32)code == (u32)SVM_EXIT_INVALID)
		code = SVM_EXIT_INVALID;

	khv_stat_count(&svm->vcpu, svm_exit_stat(code));
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/* Taken by the host once GIF and IF are set again. */
		return 1;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		/* svm_vcpu_run() handed it to the host's handler already. */
		return khv_vcpu_machine_check(&svm->vcpu);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		return khv_vcpu_alignment_check(&svm->vcpu, vmcb->save.cpl,
						vmcb->save.cr0,
						vmcb->save.rflags,
						vmcb->save.rip, 0);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		/* DR6 is the guest's in the VMCB, which it cannot read. */
		return svm_inject_exception(svm, X86_TRAP_DB, 0, 0);
	case SVM_EXIT_CPUID:
		return svm_handle_cpuid(svm);
	case SVM_EXIT_HLT:
		svm_skip(svm, 1);
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_HLT);
	case SVM_EXIT_IOIO:
		return svm_handle_ioio(svm);
	case SVM_EXIT_NPF:
		return svm_handle_npf(svm);
	case SVM_EXIT_MSR:
		return svm_handle_msr(svm);
	case SVM_EXIT_VMMCALL:
		return svm_handle_vmmcall(svm);
	case SVM_EXIT_WRITE_CR4:
		return svm_handle_cr4_write(svm);
	case SVM_EXIT_RDPMC:
		/* No performance counters for guests: as for a counter that does not exist. */
		return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL + 1 ... SVM_EXIT_VMRUN + 6:
		/* VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT: #UD. */
		return svm_inject_exception(svm, X86_TRAP_UD, 0, 0);
	case SVM_EXIT_SHUTDOWN:
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_SHUTDOWN);
	case SVM_EXIT_INVALID:
		memset(&run->fail_entry, 0, sizeof(run->fail_entry));
		run->fail_entry.hardware_reason = code;
		run->fail_entry.cpu = raw_smp_processor_id();
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_FAIL_ENTRY);
	default:
		memset(&run->internal, 0, sizeof(run->internal));
		run->internal.hardware_exit_reason = code;
		run->internal.info[0] = vmcb->control.exit_info_1;
		run->internal.info[1] = vmcb->control.exit_info_2;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_UNKNOWN);
	}
}

/*
 * A zeroed XSAVE area: XRSTOR of it puts every component it is asked for in
 * its initial state (SDM Vol. 1 13.8.1: XSTATE_BV = 0, standard form).
 */
static const u8 svm_xstate_init[1024] __aligned(64);

/*
 * kernel_fpu_begin() saves the task's extended state but leaves it in the
 * registers, and after a context switch they may hold another task's: the
 * guest starts with YMM, ZMM and opmask registers in their initial state.
 * Not PKRU (the task's own, svm_vcpu_run() keeps it), nor x87/SSE (the
 * guest's FXSAVE image is loaded next), nor AMX tile data (XFD may arm it).
 */
static void svm_xstate_clear(void)
{
	u64 mask;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	mask = xgetbv(XCR_XFEATURE_ENABLED_MASK) &
	       ~(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_PKRU |
		 BIT_ULL(XFEATURE_XTILE_DATA));
	if (!mask)
		return;
	asm volatile("xrstor64 %[init]"
		     : : [init] "m" (svm_xstate_init), "a" ((u32)mask),
		       "d" ((u32)(mask >> 32))
		     : "memory");
}

/*
 * One VMRUN with interrupts off: GIF cleared, the host's DR7, TSC_AUX and
 * PKRU kept, the guest's FS/GS/TR/LDTR and syscall MSRs loaded (VMLOAD) and
 * saved (VMSAVE) around it. -EIO if SVM is off on this CPU (every SVM
 * instruction has an exception-table entry, svm/insn.h).
 */
static int svm_enter(struct svm_vcpu *svm, u64 host_pa)
{
	bool pku = cpu_feature_enabled(X86_FEATURE_OSPKE);
	bool tsc_aux = svm_has_tsc_aux();
	unsigned long host_dr6, host_dr7;
	u64 host_tsc_aux = 0;
	u32 host_pkru = 0;
	int r;

	if (svm_clgi())
		return -EIO;
	/*
	 * VMRUN loads the guest's DR6/DR7 from the VMCB; until then no host
	 * breakpoint may fire with guest state half loaded (as KVM), and
	 * #VMEXIT does not give the host its DR6 back (APM 15.7.2).
	 */
	host_dr7 = native_get_debugreg(7);
	if (host_dr7 & KHV_DR7_ENABLED)
		native_set_debugreg(7, 0);
	host_dr6 = native_get_debugreg(6);
	if (pku)
		host_pkru = rdpkru();
	/* What is loaded now, which may be a KVM guest's until its return to user space. */
	if (tsc_aux) {
		khv_rdmsr(MSR_TSC_AUX, host_tsc_aux);
		if (host_tsc_aux != svm->tsc_aux)
			khv_wrmsr(MSR_TSC_AUX, svm->tsc_aux);
	}
	/* GIF = 0: nothing switches SVM off between here and STGI. */
	r = svm_vmsave(host_pa) ?: svm_vmload(svm->vmcb_pa);
	if (!WARN_ON_ONCE(r)) {
		/* DIV0 erratum: no host quotient may reach the guest (as KVM). */
		amd_clear_divider();
		r = khv_svm_vmrun(svm->vmcb_pa, &svm->gprs) ? -EIO : 0;
		WARN_ON_ONCE(svm_vmsave(svm->vmcb_pa) || svm_vmload(host_pa));
	}
	/* PKRU is the task's user-space state: nothing of a guest's stays. */
	if (pku && rdpkru() != host_pkru)
		wrpkru(host_pkru);
	if (tsc_aux && host_tsc_aux != svm->tsc_aux)
		khv_wrmsr(MSR_TSC_AUX, host_tsc_aux);
	if (native_get_debugreg(6) != host_dr6)
		native_set_debugreg(6, host_dr6);
	/* APM 15.7.2: #VMEXIT leaves DR7 = 0x400: the host's breakpoints come back. */
	if (host_dr7 != KHV_DR7_RESET)
		native_set_debugreg(7, host_dr7);
	svm_stgi();
	return r;
}

int svm_vcpu_run(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_vmcb *vmcb = svm->vmcb;
	bool flush;
	u64 host_pa;
	int r;

	if (!svm_asid_usable()) {
		memset(&vcpu->run->internal, 0, sizeof(vcpu->run->internal));
		return khv_vcpu_exit(vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	/* The guest's FPU use must not reach the task's FPU state. */
	kernel_fpu_begin();
	khv_barrier_on_vm_switch(vcpu->vm);
	host_pa = svm_host_save_pa(smp_processor_id());
	svm_xstate_clear();
	asm volatile("fxrstorq %0" : : "m" (svm->fpu));
	vmcb->control.clean = 0;
	/* Only a nested page fault fills it: no bytes of an earlier exit stay. */
	vmcb->control.insn_len = 0;

	local_irq_disable();
	if (!khv_vcpu_enter_guest(vcpu, &flush)) {
		/* The VM is no longer running: KHV_RUN's loop says why. */
		local_irq_enable();
		asm volatile("fxsaveq %0" : "=m" (svm->fpu));
		kernel_fpu_end();
		return 1;
	}
	/* khv_vcpu_enter_guest() took the VM's tlb_gen: a change flushes. */
	svm_asid_enter(vmcb, svm->tlb_tag, vcpu->tlb_gen, svm->flush_tlb || flush);
	svm->flush_tlb = false;
	r = svm_enter(svm, host_pa);
	khv_vcpu_exit_guest(vcpu);
	/* A machine check that exited the guest is the host's, on this CPU. */
	if (!r && vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
		khv_machine_check();
	local_irq_enable();
	asm volatile("fxsaveq %0" : "=m" (svm->fpu));
	kernel_fpu_end();

	if (r) {
		memset(&vcpu->run->internal, 0, sizeof(vcpu->run->internal));
		return khv_vcpu_exit(vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	/*
	 * An event whose delivery the exit interrupted is delivered again. A
	 * refused entry delivered nothing, and after a triple fault (shutdown)
	 * nothing is pending: neither injects anything.
	 */
	if ((u32)vmcb->control.exit_code == (u32)SVM_EXIT_INVALID ||
	    vmcb->control.exit_code == SVM_EXIT_SHUTDOWN)
		vmcb->control.event_inj = 0;
	else
		vmcb->control.event_inj =
			svm_event_reinject(vmcb->control.exit_int_info);
	return svm_handle_exit(svm);
}
