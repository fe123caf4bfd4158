// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: event injection, the backend's half (arch.h, "Event
 * injection"; the core chooses in event.c). The entry-context ops run in
 * khv_vcpu_enter_guest() or right after an exit, with the VMCS current and
 * interrupts off; those user space reaches through an ioctl load the VMCS
 * themselves (vmx_load()), as vmx_get_msr() does.
 *
 * NMIs are virtual NMIs (a pin-based control, SDM Vol. 3C 25.6.1): the
 * processor keeps the guest's NMI blocking in the interruptibility state,
 * sets it when it delivers an injected NMI and clears it at the guest's
 * IRET.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/preempt.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../arch.h"
#include "../event.h"
#include "../regs.h"
#include "../vcpu.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

#define VMX_SHADOW	(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)

/* The guest interruptibility state, with @clear and @set applied; VMCS current. */
static u32 __vmx_intr_update(u32 clear, u32 set)
{
	u32 old = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	u32 new = (old & ~clear) | set;

	if (new != old)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, new);
	return old;
}

/* The same from an ioctl: 0 (and nothing changed) if the VMCS cannot be loaded. */
static u32 vmx_intr_update(struct vmx_vcpu *vmx, u32 clear, u32 set)
{
	unsigned long flags;
	u32 old = 0;
	u64 prev;

	preempt_disable();
	prev = vmx_load(vmx, &flags);
	if (prev) {
		old = __vmx_intr_update(clear, set);
		vmx_put(vmx, prev, flags);
	}
	preempt_enable();
	return old;
}

/* Turn primary processor-based controls on or off (the VMCS current). */
void vmx_proc_update(struct vmx_vcpu *vmx, u32 bits, bool on)
{
	u32 proc = on ? vmx->proc | bits : vmx->proc & ~bits;

	if (proc == vmx->proc)
		return;
	vmx->proc = proc;
	vmcs_write(VMCS_PROC_CONTROLS, proc);
}

/* SDM 27.3.1.5: an external interrupt needs IF = 1 and no STI/MOV SS blocking. */
bool vmx_interrupt_allowed(struct khv_vcpu *vcpu)
{
	return (khv_rflags_read(vcpu) & X86_EFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & VMX_SHADOW);
}

/*
 * An NMI: no virtual-NMI blocking and no MOV SS blocking (27.3.1.5); STI
 * blocking may block NMIs too on some processors, so it waits for it as
 * KVM's vmx_nmi_blocked() does.
 */
bool vmx_nmi_allowed(struct khv_vcpu *vcpu)
{
	return !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (VMX_SHADOW | INTERRUPTIBILITY_NMI));
}

/* SDM 27.6: the event, its error code, and a software event's length. */
void vmx_inject_event(struct khv_vcpu *vcpu, const struct khv_event *ev)
{
	u32 info = vmx_event_info(ev);

	if (info & INTR_INFO_HAS_ERROR)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
	switch (INTR_INFO_TYPE(info)) {
	case INTR_TYPE_SW_INTR:
	case INTR_TYPE_SW_EXCEPTION:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
		vmcs_write(VMCS_ENTRY_INSN_LEN, ev->insn_len);
		break;
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

/* VMX does not switch CR2: run.c loads this before the entry. */
void vmx_set_cr2(struct khv_vcpu *vcpu, u64 cr2)
{
	to_vmx(vcpu)->cr2 = cr2;
}

/* SDM 26.2: an exit before any instruction once IF = 1 and no STI/MOV SS blocking. */
void vmx_request_irq_window(struct khv_vcpu *vcpu, bool open)
{
	vmx_proc_update(to_vmx(vcpu), PROC_INTR_WINDOW_EXITING, open);
}

/*
 * SDM 26.2: exits once there is no virtual-NMI blocking and no MOV SS
 * blocking; whether STI blocking holds it too depends on the processor, so
 * while it lasts the interrupt window stands in (its IF is 1: STI set it),
 * as in KVM's vmx_enable_nmi_window().
 */
void vmx_request_nmi_window(struct khv_vcpu *vcpu, bool open)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (open && (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		     INTERRUPTIBILITY_STI)) {
		vmx_proc_update(vmx, PROC_INTR_WINDOW_EXITING, true);
		open = false;
	}
	vmx_proc_update(vmx, PROC_NMI_WINDOW_EXITING, open);
}

/*
 * The exit happened while an IRET that unblocked NMIs ran, and the IRET
 * will run again: blocking must be back (SDM 28.2.3; bit 12 means nothing
 * when the exit also interrupted an event's delivery, or for a #DF).
 */
static bool vmx_exit_unblocked_nmi(const struct vmx_exit *e)
{
	switch (e->reason & 0xffff) {
	case EXIT_EXCEPTION_NMI:
		return (e->intr_info & INTR_INFO_VALID) &&
		       (e->intr_info & INTR_INFO_UNBLOCK_NMI) &&
		       INTR_INFO_VECTOR(e->intr_info) != X86_TRAP_DF;
	case EXIT_EPT_VIOLATION:
		return e->qual & INTR_INFO_UNBLOCK_NMI;
	default:
		return false;
	}
}

/*
 * After an exit (the VMCS current): the event whose delivery it interrupted
 * (SDM 28.2.4). A refused entry (VMfailValid, or an exit reason with bit 31)
 * delivered nothing, and the event it carried may be why: dropped, and
 * cleared from the VMCS, where a VMfailValid left it.
 */
void vmx_exit_event(struct khv_vcpu *vcpu, struct khv_event *ev)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_exit *e = &vmx->exit;
	u32 info, err = 0;

	if (vmx->entry_error || (e->reason & EXIT_REASON_FAILED_ENTRY)) {
		vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
		return;
	}
	info = vmcs_read(VMCS_IDT_VECTORING_INFO);
	if (info & INTR_INFO_HAS_ERROR)
		err = vmcs_read(VMCS_IDT_VECTORING_ERROR);
	vmx_event_decode(info, err, ev);
	/*
	 * An NMI whose delivery exited has not blocked NMIs, and VM entry
	 * refuses to inject one while they are blocked (SDM 27.3.1.5; KVM's
	 * __vmx_complete_interrupts() clears it the same way).
	 */
	if (ev->type == KHV_EVENT_NMI)
		__vmx_intr_update(INTERRUPTIBILITY_NMI, 0);
	else if (!(info & INTR_INFO_VALID) && vmx_exit_unblocked_nmi(e))
		__vmx_intr_update(0, INTERRUPTIBILITY_NMI);
}

u8 vmx_get_interrupt_shadow(struct khv_vcpu *vcpu)
{
	u32 intr = vmx_intr_update(to_vmx(vcpu), 0, 0);

	return (intr & INTERRUPTIBILITY_STI ? KHV_INTERRUPT_SHADOW_STI : 0) |
	       (intr & INTERRUPTIBILITY_MOV_SS ? KHV_INTERRUPT_SHADOW_MOV_SS : 0);
}

/* SDM 27.3.1.5: STI and MOV SS blocking are never both set; MOV SS covers STI's. */
void vmx_set_interrupt_shadow(struct khv_vcpu *vcpu, u8 mask)
{
	u32 set = 0;

	if (mask & KHV_INTERRUPT_SHADOW_MOV_SS)
		set = INTERRUPTIBILITY_MOV_SS;
	else if (mask & KHV_INTERRUPT_SHADOW_STI)
		set = INTERRUPTIBILITY_STI;
	vmx_intr_update(to_vmx(vcpu), VMX_SHADOW, set);
}

bool vmx_get_nmi_mask(struct khv_vcpu *vcpu)
{
	return vmx_intr_update(to_vmx(vcpu), 0, 0) & INTERRUPTIBILITY_NMI;
}

void vmx_set_nmi_mask(struct khv_vcpu *vcpu, bool masked)
{
	vmx_intr_update(to_vmx(vcpu), INTERRUPTIBILITY_NMI,
			masked ? INTERRUPTIBILITY_NMI : 0);
}

/* Every MOV to or from CR8 exits (vmx/exit.c): khv keeps the value. */
u8 vmx_get_cr8(struct khv_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr8;
}

void vmx_set_cr8(struct khv_vcpu *vcpu, u8 cr8)
{
	to_vmx(vcpu)->cr8 = cr8 & 0xf;
}
