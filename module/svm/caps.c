// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: can khv run on this CPU? A pure function of CPUID and VM_CR
 * (svm/caps_test.c feeds it real and broken values).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>

#include "../compat.h"
#include "svm.h"

/* APM Vol. 3 E.4.2: CPUID Fn8000_0001 ECX[2] = SVM. */
#define EXT1_ECX_SVM		BIT(2)
/* APM Vol. 2 15.30.1: VM_CR[4] = SVMDIS, VM_CR[3] = LOCK. */
#define VM_CR_LOCK		BIT_ULL(3)
#define VM_CR_SVMDIS		BIT_ULL(4)
/* APM Vol. 3 E.4.9: CPUID Fn8000_000A EDX. */
#define SVM_EDX_NPT		BIT(0)
#define SVM_EDX_NRIPS		BIT(3)
#define SVM_EDX_FLUSH_BY_ASID	BIT(6)
#define SVM_EDX_DECODE_ASSISTS	BIT(7)

/**
 * svm_check_facts() - decide whether khv can use SVM on this CPU.
 * @f:    the values read from the CPU.
 * @caps: filled with what khv will use when the answer is yes.
 * @why:  set to a one-line reason when the answer is no.
 *
 * khv needs SVM not disabled by the firmware, nested paging (NPT) and at
 * least one guest ASID. NRIP save and decode assists are optional (QEMU's
 * SVM has neither); khv decodes instructions itself where they are absent.
 *
 * Return: 0, or -ENODEV with @why set.
 */
int svm_check_facts(const struct svm_facts *f, struct svm_caps *caps,
		    const char **why)
{
	if (!(f->ext1_ecx & EXT1_ECX_SVM)) {
		*why = "CPU has no SVM (CPUID 8000_0001h:ECX.SVM[bit 2] = 0)";
		return -ENODEV;
	}
	if (f->vm_cr & VM_CR_SVMDIS) {
		*why = f->vm_cr & VM_CR_LOCK ?
		       "SVM disabled by firmware (VM_CR.SVMDIS = 1, locked)" :
		       "SVM disabled (VM_CR.SVMDIS = 1)";
		return -ENODEV;
	}
	if (f->max_ext_leaf < 0x8000000a) {
		*why = "CPU has no SVM feature leaf (CPUID 8000_000Ah)";
		return -ENODEV;
	}
	if (!(f->svm_edx & SVM_EDX_NPT)) {
		*why = "SVM has no nested paging (CPUID 8000_000Ah:EDX.NP = 0)";
		return -ENODEV;
	}
	if (f->svm_ebx < 2) {
		*why = "SVM has no guest ASIDs (CPUID 8000_000Ah:EBX < 2)";
		return -ENODEV;
	}

	caps->nr_asids = f->svm_ebx;
	caps->nrips = !!(f->svm_edx & SVM_EDX_NRIPS);
	caps->decode_assists = !!(f->svm_edx & SVM_EDX_DECODE_ASSISTS);
	caps->flush_by_asid = !!(f->svm_edx & SVM_EDX_FLUSH_BY_ASID);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(svm_check_facts);
