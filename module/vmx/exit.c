// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: the exit handlers. They run with the vCPU's VMCS current and
 * preemption off, and do not sleep.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/highmem.h>
#include <asm/processor-flags.h>

#include "../gwalk.h"
#include "../khv.h"
#include "../regs.h"
#include "../x86.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/*
 * Queue a hardware exception for the next entry (SDM 26.6.1), combined with
 * an exception whose delivery the exit interrupted (vmx_requeue_event()).
 * SDM 26.2.1.3: an error code is delivered only in protected mode.
 */
int vmx_inject_exception(struct vmx_vcpu *vmx, u8 vector, u32 err, u64 cr2)
{
	if ((vmx->inject & INTR_INFO_VALID) &&
	    INTR_INFO_TYPE(vmx->inject) == INTR_TYPE_HW_EXCEPTION) {
		vector = khv_exception_merge(INTR_INFO_VECTOR(vmx->inject),
					     vector);
		if (vector == KHV_TRIPLE_FAULT) {
			vmx->inject = 0;
			return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_SHUTDOWN);
		}
		if (vector == X86_TRAP_DF)
			err = 0;
	}
	khv_stat_count(&vmx->vcpu, KHV_STAT_EXCEPTION);
	vmx->inject = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | vector;
	if (khv_exception_has_error(vector) &&
	    (vmx_guest_cr0(vmx) & X86_CR0_PE))
		vmx->inject |= INTR_INFO_HAS_ERROR;
	vmx->inject_err = err;
	if (vector == X86_TRAP_PF)
		vmx->cr2 = cr2;
	return 1;
}

/* khv_arch_ops.inject_exception, from an exit handler: the VMCS is current. */
int vmx_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2)
{
	return vmx_inject_exception(to_vmx(vcpu), vector, err, cr2);
}

static int vmx_inject_gp(struct vmx_vcpu *vmx)
{
	return vmx_inject_exception(vmx, X86_TRAP_GP, 0, 0);
}

static int vmx_inject_ud(struct vmx_vcpu *vmx)
{
	return vmx_inject_exception(vmx, X86_TRAP_UD, 0, 0);
}

/* The guest's CPL: SS.DPL (SDM Vol. 3C 25.4.1). */
static unsigned int vmx_cpl(struct vmx_vcpu *vmx)
{
	return (vmcs_read(VMCS_GUEST_ES_AR + 2 * VMX_SS) >> VMX_AR_DPL_SHIFT) & 3;
}

/* Move RIP past the instruction that exited; no STI/MOV SS shadow after it. */
static void vmx_skip(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	khv_rip_write(&vmx->vcpu, khv_rip_read(&vmx->vcpu) + e->insn_len);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static int vmx_handle_cpuid(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct khv_vcpu *vcpu = &vmx->vcpu;
	u32 regs[4];

	khv_cpuid(vcpu, khv_register_read(vcpu, KHV_REG_RAX),
		  khv_register_read(vcpu, KHV_REG_RCX), regs);
	khv_register_write(vcpu, KHV_REG_RAX, regs[0]);
	khv_register_write(vcpu, KHV_REG_RBX, regs[1]);
	khv_register_write(vcpu, KHV_REG_RCX, regs[2]);
	khv_register_write(vcpu, KHV_REG_RDX, regs[3]);
	vmx_skip(vmx, e);
	return 1;
}

/* The operand mode of the guest's code segment, for the decoder. */
static int vmx_code_mode(u64 efer, u64 cr0)
{
	u32 cs_ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * VMX_CS);

	if ((efer & EFER_LMA) && (cs_ar & VMX_AR_L))
		return 64;
	if ((cr0 & X86_CR0_PE) && (cs_ar & VMX_AR_DB))
		return 32;
	return 16;
}

/* The instruction at CS:RIP, read through the guest's page tables. */
static unsigned int vmx_fetch_insn(struct vmx_vcpu *vmx, u8 *buf,
				   unsigned int len, int *mode)
{
	u64 cr0 = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	u64 cs_base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * VMX_CS);

	*mode = vmx_code_mode(efer, cr0);
	/* SDM Vol. 1 3.4.2.1: in 64-bit mode the CS base is 0. */
	return khv_fetch_guest(vmx->vcpu.vm,
			       (*mode == 64 ? 0 : cs_base) + khv_rip_read(&vmx->vcpu),
			       vmcs_read(VMCS_GUEST_CR3),
			       khv_gwalk_mode(cr0, vmx_guest_cr4(vmx), efer),
			       buf, len);
}

/*
 * INS/OUTS: the VM-exit instruction information (SDM 28.2.5, where
 * IA32_VMX_BASIC[54] says it is given) names the address size and, for
 * OUTS, the segment; without it, the code segment's address size and DS.
 */
static int vmx_handle_string_io(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u64 cr0 = vmx_guest_cr0(vmx), efer = vmcs_read(VMCS_GUEST_EFER);
	int mode = vmx_code_mode(efer, cr0);
	bool in = e->qual & BIT(3);
	struct khv_string_io sio = {
		.in = in,
		.rep = e->qual & BIT(5),
		.port = e->qual >> 16,
		.size = (e->qual & 7) + 1,
		.addr_bytes = mode / 8,
		/* INS writes ES:RDI. */
		.seg_nr = in ? VMX_ES : VMX_DS,
		.cpl = vmx_cpl(vmx),
		.next_rip = khv_rip_read(&vmx->vcpu) + e->insn_len,
		.cr3 = vmcs_read(VMCS_GUEST_CR3),
		.walk = khv_gwalk_mode(cr0, vmx_guest_cr4(vmx), efer),
	};
	u32 info;

	if (vmx_caps.insn_info_ins_outs) {
		info = vmcs_read(VMCS_EXIT_INSN_INFO);
		sio.addr_bytes = 2 << ((info >> 7) & 7);
		if (!in && ((info >> 15) & 7) <= VMX_GS)
			sio.seg_nr = (info >> 15) & 7;
	}
	if (mode == 64)
		sio.cpu = KHV_CPU_64;
	else if ((cr0 & X86_CR0_PE) &&
		 !(khv_rflags_read(&vmx->vcpu) & X86_EFLAGS_VM))
		sio.cpu = KHV_CPU_PROT;
	else
		sio.cpu = KHV_CPU_REAL;
	vmx_seg_get(sio.seg_nr, &sio.seg);
	return khv_vcpu_exit_string_io(&vmx->vcpu, &sio);
}

/* Port I/O (SDM 28.2.1 Table 28-5): size - 1 in bits 2:0, IN in bit 3. */
static int vmx_handle_io(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	if (e->qual & BIT(4))
		return vmx_handle_string_io(vmx, e);
	vmx_skip(vmx, e);
	return khv_vcpu_exit_io(&vmx->vcpu, e->qual & BIT(3), e->qual >> 16,
				(e->qual & 7) + 1,
				khv_register_read(&vmx->vcpu, KHV_REG_RAX));
}

static int vmx_handle_ept_violation(struct vmx_vcpu *vmx,
				    const struct vmx_exit *e)
{
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	bool write = e->qual & BIT(1);
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n;
	int mode;

	/* Mapped and allowed: a stale translation; just go back in. */
	if (khv_gpa_to_page(vmx->vcpu.vm, gpa, write))
		return 1;
	/*
	 * Delivering an event touched memory that is no RAM: no instruction
	 * to emulate, and khv does not emulate delivery. The event stays
	 * queued (vmx_requeue_event()) for a VMM that maps memory there.
	 */
	if (vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID) {
		memset(&vmx->vcpu.run->internal, 0, sizeof(vmx->vcpu.run->internal));
		vmx->vcpu.run->internal.hardware_exit_reason = e->reason;
		vmx->vcpu.run->internal.info[0] = vmcs_read(VMCS_IDT_VECTORING_INFO);
		vmx->vcpu.run->internal.info[1] = gpa;
		return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	n = vmx_fetch_insn(vmx, insn, sizeof(insn), &mode);
	return khv_vcpu_exit_mmio(&vmx->vcpu, gpa, insn, n, mode);
}

/* RDMSR/WRMSR: ECX the index, EDX:EAX the value. */
static int vmx_handle_msr(struct vmx_vcpu *vmx, const struct vmx_exit *e,
			  bool write)
{
	u32 index = khv_register_read(&vmx->vcpu, KHV_REG_RCX);
	u64 data;

	if (write) {
		data = khv_edx_eax_read(&vmx->vcpu);
		if (__vmx_set_msr(vmx, index, data, false))
			return vmx_inject_gp(vmx);
		__vmx_set_msr(vmx, index, data, true);
	} else {
		if (__vmx_get_msr(vmx, index, &data))
			return vmx_inject_gp(vmx);
		khv_edx_eax_write(&vmx->vcpu, data);
	}
	vmx_skip(vmx, e);
	return 1;
}

static int vmx_handle_vmcall(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	vmx_skip(vmx, e);
	return khv_vcpu_hypercall(&vmx->vcpu, vmx_cpl(vmx));
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

/* MOV to CR4: bits khv owns are refused (#GP) unless VMX needs them. */
static int vmx_write_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	if ((cr4 >> 32) || (cr4 & VMX_CR4_DENIED) ||
	    ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE)))
		return -EINVAL;
	vmx_set_cr4(vmx, cr4);
	vmx_load_pdptes(vmx, vmx_guest_cr0(vmx), vmcs_read(VMCS_GUEST_CR3),
			cr4, efer);
	return 0;
}

static int vmx_exit_unknown(struct vmx_vcpu *vmx, const struct vmx_exit *e,
			    u32 reason)
{
	struct khv_run *run = vmx->vcpu.run;

	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.hardware_exit_reason = e->reason;
	run->internal.info[0] = e->qual;
	run->internal.info[1] = e->intr_info;
	return khv_vcpu_exit(&vmx->vcpu, reason);
}

/* Control-register accesses (SDM 28.2.1 Table 28-3). */
static int vmx_handle_cr(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
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
		return vmx_exit_unknown(vmx, e, KHV_EXIT_UNKNOWN);
	}
	if (r)
		return vmx_inject_gp(vmx);
	vmx_skip(vmx, e);
	return 1;
}

/*
 * An NMI or an exception of VMX_EXCEPTION_BITMAP. vmx_enter() handed NMIs
 * and machine checks to the host's handlers already.
 */
static int vmx_handle_exception(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 type = INTR_INFO_TYPE(e->intr_info), err = 0;

	if (type == INTR_TYPE_NMI)
		return 1;
	if (e->intr_info & INTR_INFO_HAS_ERROR)
		err = vmcs_read(VMCS_EXIT_INTR_ERROR);
	switch (INTR_INFO_VECTOR(e->intr_info)) {
	case X86_TRAP_MC:
		return khv_vcpu_machine_check(&vmx->vcpu);
	case X86_TRAP_AC:
		return khv_vcpu_alignment_check(&vmx->vcpu, vmx_cpl(vmx),
						vmx_guest_cr0(vmx),
						khv_rflags_read(&vmx->vcpu),
						khv_rip_read(&vmx->vcpu), err);
	case X86_TRAP_DB:
		/*
		 * INT1 (ICEBP) exits before it runs: step over it, as KVM
		 * does, and deliver the #DB it raises. DR6 is not updated
		 * (SDM 28.1): the guest cannot read it (MOV DR exits).
		 */
		if (type == INTR_TYPE_PRIV_SW_EXCEPTION)
			vmx_skip(vmx, e);
		return vmx_inject_exception(vmx, X86_TRAP_DB, 0, 0);
	default:
		return vmx_exit_unknown(vmx, e, KHV_EXIT_UNKNOWN);
	}
}

/* The statistics bucket of a basic exit reason. */
static enum khv_exit_stat vmx_exit_stat(u32 reason)
{
	switch (reason) {
	case EXIT_EXCEPTION_NMI ... EXIT_OTHER_SMI:
		return reason == EXIT_TRIPLE_FAULT ? KHV_STAT_SHUTDOWN :
		       KHV_STAT_INTR;
	case EXIT_CPUID:
		return KHV_STAT_CPUID;
	case EXIT_HLT:
		return KHV_STAT_HLT;
	case EXIT_IO:
		return KHV_STAT_IO;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		return KHV_STAT_MSR;
	case EXIT_EPT_VIOLATION:
		return KHV_STAT_NPF;
	case EXIT_VMCALL:
		return KHV_STAT_HYPERCALL;
	default:
		return KHV_STAT_OTHER;
	}
}

int vmx_fail_entry(struct vmx_vcpu *vmx, u64 hardware_reason)
{
	struct khv_run *run = vmx->vcpu.run;

	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->fail_entry.hardware_reason = hardware_reason;
	run->fail_entry.cpu = raw_smp_processor_id();
	return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_FAIL_ENTRY);
}

int vmx_handle_exit(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 reason = e->reason & 0xffff;

	if (e->reason & EXIT_REASON_FAILED_ENTRY)
		return vmx_fail_entry(vmx, e->reason);
	khv_stat_count(&vmx->vcpu, vmx_exit_stat(reason));
	switch (reason) {
	case EXIT_EXCEPTION_NMI:
		return vmx_handle_exception(vmx, e);
	case EXIT_EXT_INTR:
	case EXIT_INIT:
	case EXIT_SIPI:
	case EXIT_SMI:
	case EXIT_OTHER_SMI:
		/* Taken by the host once interrupts are on again. */
		return 1;
	case EXIT_TRIPLE_FAULT:
		return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_SHUTDOWN);
	case EXIT_CPUID:
		return vmx_handle_cpuid(vmx, e);
	case EXIT_HLT:
		vmx_skip(vmx, e);
		return khv_vcpu_exit(&vmx->vcpu, KHV_EXIT_HLT);
	case EXIT_IO:
		return vmx_handle_io(vmx, e);
	case EXIT_EPT_VIOLATION:
		return vmx_handle_ept_violation(vmx, e);
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		return vmx_handle_msr(vmx, e, reason == EXIT_WRMSR);
	case EXIT_VMCALL:
		return vmx_handle_vmcall(vmx, e);
	case EXIT_CR_ACCESS:
		return vmx_handle_cr(vmx, e);
	case EXIT_WBINVD:
		/* Guest RAM is write-back host RAM: nothing to write back. */
		vmx_skip(vmx, e);
		return 1;
	case EXIT_RDPMC:
		/* No performance counters are offered (SDM: #GP). */
		return vmx_inject_gp(vmx);
	case EXIT_VMCLEAR ... EXIT_VMXON:
	case EXIT_INVEPT:
	case EXIT_INVVPID:
	case EXIT_VMFUNC:
	case EXIT_MWAIT:
	case EXIT_MONITOR:
		/* VMX is not offered, nor MONITOR/MWAIT: #UD as without them. */
		return vmx_inject_ud(vmx);
	default:
		return vmx_exit_unknown(vmx, e, KHV_EXIT_UNKNOWN);
	}
}

/*
 * An event whose delivery the exit interrupted (SDM 28.2.4) is delivered
 * again on the next entry; a software event is not (its instruction runs
 * again).
 */
void vmx_requeue_event(struct vmx_vcpu *vmx)
{
	u32 info = vmcs_read(VMCS_IDT_VECTORING_INFO);
	u32 type = INTR_INFO_TYPE(info);

	if (!(info & INTR_INFO_VALID) ||
	    (type != INTR_TYPE_HW_EXCEPTION && type != INTR_TYPE_EXT &&
	     type != INTR_TYPE_NMI))
		return;
	vmx->inject = info & (INTR_INFO_VALID | 0x7ff | INTR_INFO_HAS_ERROR);
	if (info & INTR_INFO_HAS_ERROR)
		vmx->inject_err = vmcs_read(VMCS_IDT_VECTORING_ERROR);
}
