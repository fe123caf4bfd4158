// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: events in the VMCB's format, both ways: EVENTINJ, which injects
 * one at VMRUN (APM 15.20), and EXITINTINFO, the one whose delivery a
 * #VMEXIT interrupted (APM 15.7.2), which share their layout: vector in
 * 7:0, type in 10:8, error code valid in 11, valid in 31, the error code in
 * 63:32. Pure functions (svm/event_test.c).
 */
#include <linux/module.h>
#include <linux/string.h>
#include <asm/trapnr.h>

#include "../compat.h"
#include "../event.h"
#include "svm.h"
#include "vmcb.h"

/**
 * svm_event_inj() - the EVENTINJ value that injects @ev.
 * @ev: the event; an error code is delivered only with a hardware
 *	exception.
 *
 * The software kinds are not injected (0): khv never chooses one (event.c),
 * and SVM would want the instruction's next RIP for them.
 *
 * Return: the field's value, 0 (nothing) for KHV_EVENT_NONE.
 */
u64 svm_event_inj(const struct khv_event *ev)
{
	u64 inj = SVM_EVTINJ_VALID | ev->vector;

	switch (ev->type) {
	case KHV_EVENT_EXT_INTR:
		return inj | SVM_EVTINJ_TYPE_INTR;
	case KHV_EVENT_NMI:
		/* The vector field is ignored for an NMI. */
		return SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | X86_TRAP_NMI;
	case KHV_EVENT_HW_EXCEPTION:
		inj |= SVM_EVTINJ_TYPE_EXEPT;
		if (ev->has_error)
			inj |= SVM_EVTINJ_VALID_ERR |
			       (u64)ev->error << SVM_EVTINJ_ERR_SHIFT;
		return inj;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(svm_event_inj);

/**
 * svm_event_decode() - the event a #VMEXIT interrupted, to inject again.
 * @exit_int_info: the VMCB's EXITINTINFO: the event being delivered when
 *	the exit happened, if its VALID bit is set.
 * @ev: out: the event, KHV_EVENT_NONE for none.
 *
 * An external interrupt, an NMI or a hardware exception is lost unless
 * injected again (as KVM's svm_complete_interrupts()). A software interrupt
 * (INTn) and the software exceptions of INT3 (#BP) and INTO (#OF) are not
 * carried: the guest's RIP still points at the instruction, which raises
 * them again when it runs again. Reserved types are nothing.
 */
void svm_event_decode(u64 exit_int_info, struct khv_event *ev)
{
	u8 vector = exit_int_info & SVM_EVTINJ_VEC_MASK;

	memset(ev, 0, sizeof(*ev));
	if (!(exit_int_info & SVM_EVTINJ_VALID))
		return;
	switch (exit_int_info & SVM_EVTINJ_TYPE_MASK) {
	case SVM_EVTINJ_TYPE_INTR:
		ev->type = KHV_EVENT_EXT_INTR;
		ev->vector = vector;
		break;
	case SVM_EVTINJ_TYPE_NMI:
		ev->type = KHV_EVENT_NMI;
		ev->vector = X86_TRAP_NMI;
		break;
	case SVM_EVTINJ_TYPE_EXEPT:
		if (vector == X86_TRAP_BP || vector == X86_TRAP_OF)
			break;
		ev->type = KHV_EVENT_HW_EXCEPTION;
		ev->vector = vector;
		ev->has_error = exit_int_info & SVM_EVTINJ_VALID_ERR;
		if (ev->has_error)
			ev->error = exit_int_info >> SVM_EVTINJ_ERR_SHIFT;
		break;
	default:
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(svm_event_decode);
