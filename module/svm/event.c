// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: an event whose delivery a #VMEXIT interrupted. A pure function
 * (svm/event_test.c).
 */
#include <linux/module.h>

#include "../compat.h"
#include "svm.h"
#include "vmcb.h"

/* The fields of EXITINTINFO that EVENTINJ takes over (the same layout). */
#define SVM_EVTINJ_KEEP	(SVM_EVTINJ_VEC_MASK | SVM_EVTINJ_TYPE_MASK | \
			 SVM_EVTINJ_VALID_ERR | SVM_EVTINJ_VALID)

/**
 * svm_event_reinject() - what to inject again after a #VMEXIT.
 * @exit_int_info: the VMCB's EXITINTINFO (APM 15.7.2): the event being
 *	delivered when the exit happened, if its VALID bit is set.
 *
 * An external interrupt, an NMI or a hardware exception is lost unless
 * injected again (KVM's svm_complete_interrupts() does the same). A
 * software interrupt (INTn) and the software exceptions of INT3 (#BP) and
 * INTO (#OF) are not: the guest's RIP still points at the instruction,
 * which raises them again when it runs again.
 *
 * Return: the EVENTINJ value for the next entry, or 0 for none.
 */
u64 svm_event_reinject(u64 exit_int_info)
{
	u64 inj = exit_int_info & SVM_EVTINJ_KEEP;
	u8 vector = exit_int_info & SVM_EVTINJ_VEC_MASK;

	if (!(exit_int_info & SVM_EVTINJ_VALID))
		return 0;
	switch (exit_int_info & SVM_EVTINJ_TYPE_MASK) {
	case SVM_EVTINJ_TYPE_INTR:
	case SVM_EVTINJ_TYPE_NMI:
		return inj & ~(u64)SVM_EVTINJ_VALID_ERR;
	case SVM_EVTINJ_TYPE_EXEPT:
		if (vector == 3 || vector == 4)
			return 0;
		if (exit_int_info & SVM_EVTINJ_VALID_ERR)
			inj |= exit_int_info & GENMASK_ULL(63, SVM_EVTINJ_ERR_SHIFT);
		return inj;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(svm_event_reinject);
