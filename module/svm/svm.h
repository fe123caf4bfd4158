/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM backend: internal declarations.
 */
#ifndef KHV_SVM_H
#define KHV_SVM_H

#include <linux/types.h>

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

int svm_check_facts(const struct svm_facts *f, struct svm_caps *caps,
		    const char **why);

#endif /* KHV_SVM_H */
