// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: the exit table, the handlers only VMX needs (its exit
 * information, control registers, exceptions), and the ops exit handlers use
 * (arch.h). The handlers both vendors share are the core's (exit.c). They
 * run with the vCPU's VMCS current and interrupts off, and do not sleep.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/highmem.h>
#include <asm/processor-flags.h>

#include "../exit.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../regs.h"
#include "../x86.h"
#include "../xstate.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/* KHV_SEG_* numbers the segment registers in the VMCS's order. */
static_assert(KHV_SEG_ES == (int)VMX_ES && KHV_SEG_CS == (int)VMX_CS &&
	      KHV_SEG_SS == (int)VMX_SS && KHV_SEG_DS == (int)VMX_DS &&
	      KHV_SEG_FS == (int)VMX_FS && KHV_SEG_GS == (int)VMX_GS);

/*
 * khv_arch_ops.skip_instruction: past the instruction that exited (the
 * exit says its length); no STI/MOV SS shadow after it.
 */
void vmx_skip_instruction(struct khv_vcpu *vcpu, unsigned int len)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	khv_rip_write(vcpu, khv_rip_read(vcpu) + to_vmx(vcpu)->exit.insn_len);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* The guest's CPL: SS.DPL (SDM Vol. 3C 25.4.1). */
unsigned int vmx_get_cpl(struct khv_vcpu *vcpu)
{
	return (vmcs_read(VMCS_GUEST_ES_AR + 2 * VMX_SS) >> VMX_AR_DPL_SHIFT) & 3;
}

void vmx_get_cpu_mode(struct khv_vcpu *vcpu, struct khv_cpu_mode *m)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	m->cr0 = vmx_guest_cr0(vmx);
	m->cr3 = vmcs_read(VMCS_GUEST_CR3);
	m->cr4 = vmx_guest_cr4(vmx);
	m->efer = vmcs_read(VMCS_GUEST_EFER);
	vmx_seg_get(VMX_CS, &m->cs);
}

void vmx_get_segment(struct khv_vcpu *vcpu, unsigned int nr,
		     struct khv_segment *seg)
{
	vmx_seg_get(nr <= VMX_GS ? nr : VMX_DS, seg);
}

/* An exit khv does not handle: the exit information goes to user space. */
static int vmx_exit_unknown(struct khv_vcpu *vcpu)
{
	const struct vmx_exit *e = &to_vmx(vcpu)->exit;

	return khv_exit_internal(vcpu, KHV_EXIT_UNKNOWN, e->reason, e->qual,
				 e->intr_info);
}

/*
 * Port I/O (SDM 28.2.1 Table 28-5): size - 1 in bits 2:0, IN in bit 3,
 * INS/OUTS in bit 4, REP in bit 5, the port in 31:16. For INS/OUTS the
 * VM-exit instruction information (SDM 28.2.5, where IA32_VMX_BASIC[54] says
 * it is given) names the address size and, for OUTS, the segment; without
 * it, the code segment's address size and DS.
 */
static int vmx_handle_io(struct khv_vcpu *vcpu)
{
	const struct vmx_exit *e = &to_vmx(vcpu)->exit;
	struct khv_io io = {
		.in = e->qual & BIT(3),
		.string = e->qual & BIT(4),
		.rep = e->qual & BIT(5),
		.size = (e->qual & 7) + 1,
		.port = e->qual >> 16,
		.next_rip = khv_rip_read(vcpu) + e->insn_len,
		.seg_nr = VMX_DS,
	};
	u32 info;

	if (io.string && vmx_caps.insn_info_ins_outs) {
		info = vmcs_read(VMCS_EXIT_INSN_INFO);
		io.addr_bytes = 2 << ((info >> 7) & 7);
		io.seg_nr = (info >> 15) & 7;
	}
	return khv_handle_io(vcpu, &io);
}

/* An EPT violation: bit 1 of the qualification is a write (SDM 28.2.1). */
static int vmx_handle_ept_violation(struct khv_vcpu *vcpu)
{
	const struct vmx_exit *e = &to_vmx(vcpu)->exit;
	u32 event = vmcs_read(VMCS_IDT_VECTORING_INFO);

	return khv_handle_mmio(vcpu, vmcs_read(VMCS_GUEST_PHYS_ADDR),
			       e->qual & BIT(1),
			       event & INTR_INFO_VALID ? event : 0, e->reason);
}

/*
 * MOV to CR0 that changes a bit khv owns (NE), as the processor would do it
 * (SDM Vol. 3A 2.5, 10.8.5): #GP for reserved bits, PG without PE, NW
 * without CD, or long mode without PAE; paging switches long mode.
 */
static int vmx_write_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 old = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	u64 cr4 = vmx_guest_cr4(vmx);

	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if ((cr0 ^ old) & X86_CR0_PG) {
		if ((cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
			if (!(cr4 & X86_CR4_PAE))
				return -EINVAL;
			efer |= EFER_LMA;
		} else {
			efer &= ~EFER_LMA;
		}
		vmx_set_efer(vmx, efer);
	}
	vmx_set_cr0(vmx, cr0);
	vmx_load_pdptes(vmx, cr0, vmcs_read(VMCS_GUEST_CR3), cr4, efer);
	return 0;
}

/* MOV to CR4: bits khv does not switch are refused (#GP), vmx_cr4_denied(). */
static int vmx_write_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	if ((cr4 >> 32) || (cr4 & vmx_cr4_denied()) ||
	    ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE)))
		return -EINVAL;
	vmx_set_cr4(vmx, cr4);
	vmx_load_pdptes(vmx, vmx_guest_cr0(vmx), vmcs_read(VMCS_GUEST_CR3),
			cr4, efer);
	return 0;
}

/* Control-register accesses (SDM 28.2.1 Table 28-3). */
static int vmx_handle_cr(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_exit *e = &vmx->exit;
	unsigned int cr = e->qual & 15, type = (e->qual >> 4) & 3;
	unsigned int gpr = (e->qual >> 8) & 15;
	u64 v = khv_register_read(&vmx->vcpu, gpr);
	int r = 0;

	if (type == 0) {		/* MOV to CR */
		switch (cr) {
		case 0:
			r = vmx_write_cr0(vmx, v);
			break;
		case 3:
			vmcs_write(VMCS_GUEST_CR3, v);
			vmx_load_pdptes(vmx, vmx_guest_cr0(vmx), v,
					vmx_guest_cr4(vmx),
					vmcs_read(VMCS_GUEST_EFER));
			break;
		case 4:
			r = vmx_write_cr4(vmx, v);
			break;
		case 8:
			if (v > 15)
				r = -EINVAL;
			else
				vmx->cr8 = v;
			break;
		default:
			r = -EINVAL;
		}
	} else if (type == 1) {		/* MOV from CR */
		if (cr == 3)
			khv_register_write(&vmx->vcpu, gpr,
					   vmcs_read(VMCS_GUEST_CR3));
		else if (cr == 8)
			khv_register_write(&vmx->vcpu, gpr, vmx->cr8);
		else
			r = -EINVAL;
	} else {
		/* CLTS, LMSW: they cannot change NE, the one bit khv owns. */
		return vmx_exit_unknown(vcpu);
	}
	if (r)
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	vmx_skip_instruction(vcpu, 0);
	return 1;
}

/* khv_arch_ops.set_dr7; in the exit context or before an entry, the VMCS current. */
void vmx_set_dr7(struct khv_vcpu *vcpu, u64 dr7)
{
	vmcs_write(VMCS_GUEST_DR7, dr7);
}

/* MOV DR, which always exits: exit qualification, SDM Vol. 3C Table 28-4. */
static int vmx_handle_dr(struct khv_vcpu *vcpu)
{
	u64 q = to_vmx(vcpu)->exit.qual;

	return khv_handle_dr(vcpu, q & 7, (q >> 8) & 15, !(q & BIT(4)), 0);
}

/*
 * An NMI or an exception of VMX_EXCEPTION_BITMAP. vmx_enter() handed NMIs
 * and machine checks to the host's handlers already.
 */
static int vmx_handle_exception(struct khv_vcpu *vcpu)
{
	const struct vmx_exit *e = &to_vmx(vcpu)->exit;
	u32 type = INTR_INFO_TYPE(e->intr_info), err = 0;

	if (type == INTR_TYPE_NMI)
		return 1;
	if (e->intr_info & INTR_INFO_HAS_ERROR)
		err = vmcs_read(VMCS_EXIT_INTR_ERROR);
	switch (INTR_INFO_VECTOR(e->intr_info)) {
	case X86_TRAP_MC:
		return khv_vcpu_machine_check(vcpu);
	case X86_TRAP_AC:
		return khv_vcpu_alignment_check(vcpu, err);
	case X86_TRAP_DB:
		/*
		 * INT1 (ICEBP) exits before it runs: step over it, as KVM
		 * does, and deliver the #DB it raises. A #DB exit leaves DR6
		 * alone (SDM 28.1): khv keeps the guest's (debugreg.c).
		 */
		if (type == INTR_TYPE_PRIV_SW_EXCEPTION)
			return khv_handle_icebp(vcpu);
		/* The exit qualification has its causes in DR6's bits. */
		return khv_deliver_db(vcpu, e->qual);
	default:
		return vmx_exit_unknown(vcpu);
	}
}

/*
 * The guest can take an external interrupt (an NMI) now: the window closes,
 * and the next entry injects what waited (event.c).
 */
static int vmx_handle_irq_window(struct khv_vcpu *vcpu)
{
	vmx_proc_update(to_vmx(vcpu), PROC_INTR_WINDOW_EXITING, false);
	return 1;
}

static int vmx_handle_nmi_window(struct khv_vcpu *vcpu)
{
	vmx_proc_update(to_vmx(vcpu), PROC_NMI_WINDOW_EXITING, false);
	return 1;
}

/*
 * The exit table, by basic exit reason (SDM Vol. 3D Appendix C); the
 * contract of a row is struct khv_exit_handler's (exit.h). The exits of
 * exceptions, host interrupts, INIT, SIPI, SMIs, the interrupt and NMI
 * windows and the preemption timer's backstop count as KHV_STAT_INTR.
 * VMX is not offered, nor MONITOR/MWAIT: #UD as without them; XSETBV is
 * emulated (xstate.c). A task switch ends the run as an unknown exit (khv
 * does not emulate one).
 */
static const struct khv_exit_handler vmx_exit_handlers[] = {
	[EXIT_EXCEPTION_NMI]	= { vmx_handle_exception,	KHV_STAT_INTR },
	[EXIT_EXT_INTR]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_TRIPLE_FAULT]	= { khv_handle_shutdown,	KHV_STAT_SHUTDOWN },
	[EXIT_INIT]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_SIPI]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_SMI]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_OTHER_SMI]	= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_INTR_WINDOW]	= { vmx_handle_irq_window,	KHV_STAT_INTR },
	[EXIT_NMI_WINDOW]	= { vmx_handle_nmi_window,	KHV_STAT_INTR },
	[EXIT_CPUID]		= { khv_handle_cpuid,		KHV_STAT_CPUID, true },
	[EXIT_HLT]		= { khv_handle_hlt,		KHV_STAT_HLT },
	[EXIT_INVD]		= { khv_handle_wbinvd,		KHV_STAT_OTHER, true },
	[EXIT_RDPMC]		= { khv_handle_rdpmc,		KHV_STAT_OTHER, true },
	[EXIT_VMCALL]		= { khv_handle_hypercall,	KHV_STAT_HYPERCALL, true },
	[EXIT_VMCLEAR]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMLAUNCH]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMPTRLD]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMPTRST]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMREAD]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMRESUME]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMWRITE]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMXOFF]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_VMXON]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_CR_ACCESS]	= { vmx_handle_cr,		KHV_STAT_OTHER },
	[EXIT_DR_ACCESS]	= { vmx_handle_dr,		KHV_STAT_OTHER },
	[EXIT_IO]		= { vmx_handle_io,		KHV_STAT_IO },
	[EXIT_RDMSR]		= { khv_handle_rdmsr,		KHV_STAT_MSR, true },
	[EXIT_WRMSR]		= { khv_handle_wrmsr,		KHV_STAT_MSR, true },
	[EXIT_MWAIT]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_MONITOR]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_EPT_VIOLATION]	= { vmx_handle_ept_violation,	KHV_STAT_NPF },
	[EXIT_INVEPT]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_PREEMPTION_TIMER]	= { khv_handle_host_event,	KHV_STAT_INTR },
	[EXIT_INVVPID]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[EXIT_WBINVD]		= { khv_handle_wbinvd,		KHV_STAT_OTHER, true },
	[EXIT_XSETBV]		= { khv_handle_xsetbv,		KHV_STAT_OTHER },
	[EXIT_VMFUNC]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
};

/*
 * The exit vmx_vcpu_run() left in vmx->exit, or its refused entry
 * (vmx_enter()'s result in vmx->entry_error). The VMCS is current.
 */
int vmx_exit_dispatch(struct vmx_vcpu *vmx)
{
	const struct vmx_exit *e = &vmx->exit;
	struct khv_vcpu *vcpu = &vmx->vcpu;

	if (vmx->entry_error == 1)
		return khv_exit_fail_entry(vcpu, vmcs_read(VMCS_INSN_ERROR));
	if (vmx->entry_error)
		return khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR,
					 vmx->entry_error, 0, 0);
	if (e->reason & EXIT_REASON_FAILED_ENTRY)
		return khv_exit_fail_entry(vcpu, e->reason);
	return vmx->row ? vmx->row->handle(vcpu) : vmx_exit_unknown(vcpu);
}

/*
 * The row of the exit in vmx->exit, the exit counted (khv_exit_lookup());
 * NULL for a refused entry (not counted) or an exit without a row.
 */
const struct khv_exit_handler *vmx_exit_row(struct vmx_vcpu *vmx)
{
	const struct vmx_exit *e = &vmx->exit;

	if (vmx->entry_error || (e->reason & EXIT_REASON_FAILED_ENTRY))
		return NULL;
	return khv_exit_lookup(&vmx->vcpu, vmx_exit_handlers,
			       ARRAY_SIZE(vmx_exit_handlers), e->reason & 0xffff);
}
