/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM backend: internal declarations.
 */
#ifndef KHV_SVM_H
#define KHV_SVM_H

#include <linux/types.h>

struct khv_regs;
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
};

/* Guest registers the VMCB does not hold; vmenter.S knows the offsets. */
struct svm_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

int khv_svm_vmrun(u64 vmcb_pa, struct svm_gprs *gprs);

/* svm.c: state shared by all vCPUs. */
u64 svm_iopm_pa(void);
u64 svm_msrpm_pa(void);
u64 svm_host_save_pa(int cpu);
u32 svm_nr_asids(void);
bool svm_has_nrips(void);
bool svm_has_decode_assists(void);

/* vcpu.c */
struct khv_vcpu *svm_vcpu_create(struct khv_vm *vm, u32 id);
void svm_vcpu_free(struct khv_vcpu *vcpu);
int svm_vcpu_run(struct khv_vcpu *vcpu);
void svm_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs);
int svm_set_regs(struct khv_vcpu *vcpu, const struct khv_regs *regs);
void svm_get_sregs(struct khv_vcpu *vcpu, struct khv_sregs *sregs);
int svm_set_sregs(struct khv_vcpu *vcpu, const struct khv_sregs *sregs);
int svm_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply);
int svm_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2);

int svm_check_facts(const struct svm_facts *f, struct svm_caps *caps,
		    const char **why);

#endif /* KHV_SVM_H */
