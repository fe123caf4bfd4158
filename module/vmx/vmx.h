/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX backend: internal declarations.
 */
#ifndef KHV_VMX_H
#define KHV_VMX_H

#include <linux/types.h>

#include "../arch.h"

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

/*
 * The longest a guest runs without an exit, milliseconds: the VMX-preemption
 * timer's backstop behind the host's interrupts (Documentation/khv-abi.rst,
 * "Leaving the guest").
 */
#define VMX_BACKSTOP_MS	10

/* What khv found usable; filled by vmx_check_facts() and vmx_probe(). */
struct vmx_caps {
	u32 vmcs_revision;
	u32 vmcs_size;
	bool vpid;
	bool ept_2m;
	bool ept_ad;
	bool invept_single;
	bool insn_info_ins_outs;
	u64 cr0_fixed0;
	u64 cr4_fixed0;
	u32 backstop_ticks;	/* VMX-preemption timer value, 0: none */
};

int vmx_check_facts(const struct vmx_facts *f, struct vmx_caps *caps,
		    const char **why);

/* The control capability MSRs (TRUE_ variants where they exist). */
struct vmx_ctl_msrs {
	u64 pin;
	u64 proc;
	u64 proc2;
	u64 exit;
	u64 entry;
};

/* The control values khv writes into every VMCS. */
struct vmx_controls {
	u32 pin;
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
};

int vmx_compute_controls(const struct vmx_ctl_msrs *m, struct vmx_controls *c,
			 const char **why);
u32 vmx_backstop_ticks(u32 tsc_khz, u64 misc, u32 ms);

struct khv_cpu_mode;
struct khv_event;
struct khv_segment;
struct khv_vcpu;
struct khv_vm;
struct khv_sregs;

/* vmx.c: what every vCPU shares. */
extern struct vmx_caps vmx_caps;
extern struct vmx_controls vmx_ctls;
u64 vmx_io_bitmap_pa(int which);
u64 vmx_msr_bitmap_pa(void);
int vmx_vpid_alloc(void);
void vmx_vpid_free(u16 vpid);

/* vmenter.S */
int khv_vmx_vmenter(u64 *regs, const u16 *verw_sel, u32 flags);
void khv_vmx_vmexit(void);

/* vcpu.c */
void vmx_percpu_init(void);

/* l1d.c */
int vmx_l1d_setup(void);
void vmx_l1d_unsetup(void);
void vmx_l1d_flush(void);
void vmx_clear_cpu(void);
int vmx_vcpu_create(struct khv_vcpu *vcpu);
void vmx_vcpu_free(struct khv_vcpu *vcpu);
void vmx_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *sregs);
int vmx_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *sregs);
int vmx_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply);

/* run.c */
enum khv_entry vmx_vcpu_run(struct khv_vcpu *vcpu);
int vmx_handle_exit(struct khv_vcpu *vcpu);

/* exit.c: from vmx_vcpu_run() to the end of vmx_handle_exit() */
void vmx_skip_instruction(struct khv_vcpu *vcpu, unsigned int len);
unsigned int vmx_get_cpl(struct khv_vcpu *vcpu);
void vmx_get_cpu_mode(struct khv_vcpu *vcpu, struct khv_cpu_mode *m);
void vmx_set_dr7(struct khv_vcpu *vcpu, u64 dr7);
void vmx_get_segment(struct khv_vcpu *vcpu, unsigned int nr,
		     struct khv_segment *seg);

/* event.c: pure (vmx/event_test.c) */
u32 vmx_event_info(const struct khv_event *ev);
void vmx_event_decode(u32 info, u32 err, struct khv_event *ev);

/* inject.c: the event ops of arch.h */
bool vmx_interrupt_allowed(struct khv_vcpu *vcpu);
bool vmx_nmi_allowed(struct khv_vcpu *vcpu);
void vmx_inject_event(struct khv_vcpu *vcpu, const struct khv_event *ev);
void vmx_set_cr2(struct khv_vcpu *vcpu, u64 cr2);
void vmx_request_irq_window(struct khv_vcpu *vcpu, bool open);
void vmx_request_nmi_window(struct khv_vcpu *vcpu, bool open);
void vmx_exit_event(struct khv_vcpu *vcpu, struct khv_event *ev);
u8 vmx_get_interrupt_shadow(struct khv_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct khv_vcpu *vcpu, u8 mask);
bool vmx_get_nmi_mask(struct khv_vcpu *vcpu);
void vmx_set_nmi_mask(struct khv_vcpu *vcpu, bool masked);
u8 vmx_get_cr8(struct khv_vcpu *vcpu);
void vmx_set_cr8(struct khv_vcpu *vcpu, u8 cr8);

#endif /* KHV_VMX_H */
