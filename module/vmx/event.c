// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: events in the VMCS's format, both ways: the VM-entry
 * interruption information that injects one (SDM Vol. 3C 25.8.3) and the
 * IDT-vectoring information of an exit that interrupted one (28.2.4), which
 * share their layout: vector in 7:0, type in 10:8, error code valid in 11,
 * valid in 31. Pure functions (vmx/event_test.c).
 */
#include <linux/module.h>
#include <linux/string.h>
#include <asm/trapnr.h>

#include "../compat.h"
#include "../event.h"
#include "vmcs.h"
#include "vmx.h"

/* Interruption types by enum khv_event_type. */
static const u8 vmx_event_types[] = {
	[KHV_EVENT_EXT_INTR] = INTR_TYPE_EXT,
	[KHV_EVENT_NMI] = INTR_TYPE_NMI,
	[KHV_EVENT_HW_EXCEPTION] = INTR_TYPE_HW_EXCEPTION,
	[KHV_EVENT_SOFT_INTR] = INTR_TYPE_SW_INTR,
	[KHV_EVENT_SOFT_EXCEPTION] = INTR_TYPE_SW_EXCEPTION,
	[KHV_EVENT_PRIV_SOFT_EXCEPTION] = INTR_TYPE_PRIV_SW_EXCEPTION,
};

/**
 * vmx_event_info() - the VM-entry interruption information of @ev.
 * @ev: the event; an error code is delivered only with a hardware exception.
 *
 * Return: the field's value, 0 (not valid) for KHV_EVENT_NONE.
 */
u32 vmx_event_info(const struct khv_event *ev)
{
	u32 info;

	if (ev->type == KHV_EVENT_NONE || ev->type >= ARRAY_SIZE(vmx_event_types))
		return 0;
	info = INTR_INFO_VALID | (u32)vmx_event_types[ev->type] << 8 | ev->vector;
	if (ev->type == KHV_EVENT_HW_EXCEPTION && ev->has_error)
		info |= INTR_INFO_HAS_ERROR;
	return info;
}
EXPORT_SYMBOL_IF_KUNIT(vmx_event_info);

/**
 * vmx_event_decode() - the event an exit interrupted, to inject again.
 * @info: the IDT-vectoring information.
 * @err:  the IDT-vectoring error code (meaningful with bit 11).
 * @ev:   out: the event, KHV_EVENT_NONE for none.
 *
 * An external interrupt, an NMI or a hardware exception is lost unless
 * injected again (as KVM's __vmx_complete_interrupts()). A software
 * interrupt or exception (INTn, INT3, INTO, INT1) is not carried: the
 * guest's RIP still references its instruction (SDM 28.2.4), which raises it
 * again when it runs again.
 */
void vmx_event_decode(u32 info, u32 err, struct khv_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!(info & INTR_INFO_VALID))
		return;
	switch (INTR_INFO_TYPE(info)) {
	case INTR_TYPE_EXT:
		ev->type = KHV_EVENT_EXT_INTR;
		ev->vector = INTR_INFO_VECTOR(info);
		break;
	case INTR_TYPE_NMI:
		ev->type = KHV_EVENT_NMI;
		ev->vector = X86_TRAP_NMI;
		break;
	case INTR_TYPE_HW_EXCEPTION:
		ev->type = KHV_EVENT_HW_EXCEPTION;
		ev->vector = INTR_INFO_VECTOR(info);
		ev->has_error = info & INTR_INFO_HAS_ERROR;
		ev->error = ev->has_error ? err : 0;
		break;
	default:
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vmx_event_decode);
