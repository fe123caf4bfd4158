/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM backend: internal declarations.
 */
#ifndef KHV_SVM_H
#define KHV_SVM_H

#include <linux/types.h>

#include "../arch.h"

struct svm_vcpu;
struct svm_vmcb;
struct khv_exit_handler;
struct khv_cpu_mode;
struct khv_event;
struct khv_segment;
struct khv_sregs;
struct khv_vcpu;
struct khv_vm;

/* What the CPU says about SVM (CPUID and VM_CR), as plain values. */
struct svm_facts {
	u32 max_ext_leaf;	/* CPUID.80000000H:EAX */
	u32 ext1_ecx;		/* CPUID.80000001H:ECX */
	u32 svm_ebx;		/* CPUID.8000000AH:EBX: number of ASIDs */
	u32 svm_edx;		/* CPUID.8000000AH:EDX: SVM features */
	u64 vm_cr;		/* VM_CR MSR (0xc0010114) */
};

struct svm_caps {
	u32 nr_asids;
	bool nrips;
	bool decode_assists;
	bool flush_by_asid;
	u64 cr4_allowed;	/* svm_cr4_allowed_bits(), set by the probe */
};

/* The optional CR4 features of the processor (svm_cr4_allowed_bits()). */
struct svm_cr4_features {
	bool umip, fsgsbase, pcid, smep, smap;
	u64 xstate;	/* OSXSAVE, PKE: khv_xstate_cr4_allowed() */
};

/*
 * A decoded MOV to CRn (or from or to DRn): control (debug) and general
 * register numbers, length.
 */
struct svm_mov_cr {
	u8 cr;
	u8 gpr;
	u8 len;
};

/**
 * struct svm_asid_cpu - what khv's ASID on one CPU may hold in the TLB.
 * @owner:   the tag of the vCPU whose translations it may hold; 0: none
 *	(never used, or flushed since: svm/asid.c's scrub).
 * @tlb_gen: the VM's tlb_gen those translations were made under.
 */
struct svm_asid_cpu {
	u64 owner;
	u64 tlb_gen;
};

/* svm_asid_plan()'s answer: the VMCB's ASID and TLB_CONTROL fields. */
struct svm_asid_choice {
	u32 asid;
	u8 tlb_ctl;
};

/* vmenter.S: @regs is struct khv_vcpu's regs[] (vcpu_regs.h). */
int khv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_pa);

/* svm.c: state shared by all vCPUs. */
u64 svm_iopm_pa(void);
u64 svm_msrpm_pa(void);
u64 svm_host_save_pa(int cpu);
const struct svm_caps *svm_get_caps(void);
bool svm_has_nrips(void);
bool svm_has_decode_assists(void);
bool svm_has_tsc_aux(void);

/* asid.c */
void svm_asid_plan(struct svm_asid_cpu *pc, u64 tag, u64 tlb_gen, bool flush,
		   const struct svm_caps *caps, struct svm_asid_choice *out);
u64 svm_asid_new_tag(void);
bool svm_asid_usable(void);
void svm_asid_enter(struct svm_vmcb *vmcb, u64 tag, u64 tlb_gen, bool flush);
void svm_asid_scrub(void);
int svm_asid_setup(void);
void svm_asid_unsetup(void);

/* cr4.c */
u64 svm_cr4_allowed_bits(const struct svm_cr4_features *f);
int svm_cr4_check(u64 cr4, u64 old, u64 allowed, u64 efer, u64 cr3);
int svm_decode_mov_to_cr(const u8 *insn, unsigned int len, bool mode64,
			 struct svm_mov_cr *d);
int svm_decode_mov(const u8 *insn, unsigned int len, bool mode64, u8 op,
		   struct svm_mov_cr *d);

/* event.c: pure (svm/event_test.c) */
u64 svm_event_inj(const struct khv_event *ev);
void svm_event_decode(u64 exit_int_info, struct khv_event *ev);

/* inject.c: the event ops of arch.h */
bool svm_interrupt_allowed(struct khv_vcpu *vcpu);
bool svm_nmi_allowed(struct khv_vcpu *vcpu);
void svm_inject_event(struct khv_vcpu *vcpu, const struct khv_event *ev);
void svm_set_cr2(struct khv_vcpu *vcpu, u64 cr2);
void svm_request_irq_window(struct khv_vcpu *vcpu, bool open);
void svm_request_nmi_window(struct khv_vcpu *vcpu, bool open);
void svm_exit_event(struct khv_vcpu *vcpu, struct khv_event *ev);
u8 svm_get_interrupt_shadow(struct khv_vcpu *vcpu);
void svm_set_interrupt_shadow(struct khv_vcpu *vcpu, u8 mask);
bool svm_get_nmi_mask(struct khv_vcpu *vcpu);
void svm_set_nmi_mask(struct khv_vcpu *vcpu, bool masked);
u8 svm_get_cr8(struct khv_vcpu *vcpu);
void svm_set_cr8(struct khv_vcpu *vcpu, u8 cr8);
void svm_cr8_intercept(struct khv_vcpu *vcpu, bool on);

/* vcpu.c */
void svm_vmcb_reset(struct svm_vmcb *vmcb, u64 nested_cr3);
int svm_vcpu_create(struct khv_vcpu *vcpu);
void svm_vcpu_free(struct khv_vcpu *vcpu);
void svm_vcpu_load(struct khv_vcpu *vcpu);
void svm_vcpu_put(struct khv_vcpu *vcpu);
void svm_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *sregs);
int svm_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *sregs);
int svm_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply);

/* exit.c: with the exit's state, after svm_vcpu_run() */
int svm_handle_exit(struct khv_vcpu *vcpu);
const struct khv_exit_handler *svm_exit_row(struct svm_vcpu *svm);
void svm_skip_instruction(struct khv_vcpu *vcpu, unsigned int len);
void svm_set_dr7(struct khv_vcpu *vcpu, u64 dr7);
unsigned int svm_get_cpl(struct khv_vcpu *vcpu);
void svm_get_cpu_mode(struct khv_vcpu *vcpu, struct khv_cpu_mode *m);
void svm_get_segment(struct khv_vcpu *vcpu, unsigned int nr,
		     struct khv_segment *seg);
unsigned int svm_insn_bytes(struct khv_vcpu *vcpu, u8 *buf, unsigned int len);

/* run.c */
enum khv_entry svm_vcpu_run(struct khv_vcpu *vcpu);

int svm_check_facts(const struct svm_facts *f, struct svm_caps *caps,
		    const char **why);

#endif /* KHV_SVM_H */
