/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX guest entry.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/unwind_hints.h>

#include "../spec_asm.h"
#include "../vcpu_regs.h"
#include "../vmenter_common.S"
#include "run_flags.h"

/*
 * The mitigations of KVM's vmx/vmenter.S that khv's entry does not copy,
 * and why (scripts/mitigations-check.sh reads these lines):
 *
 * khv-mitigation: X86_FEATURE_MSR_SPEC_CTRL -- used: the LFENCE after exit;
 *	the guest cannot write SPEC_CTRL (no MSR access), so it runs with the
 *	host's value and nothing is written before entry
 * khv-mitigation: X86_FEATURE_CLEAR_CPU_BUF_VM_MMIO -- khv guests never
 *	map host MMIO (guest memory is anonymous host RAM), so the
 *	MMIO-stale-data VERW is not needed; VERW runs with CLEAR_CPU_BUF(_VM)
 * khv-mitigation: X86_FEATURE_CLEAR_CPU_BUF_VM -- tested in C (run.c,
 *	khv_clear_cpu_buf_vm()): VERW before entry via VMX_RUN_VERW
 * khv-mitigation: X86_FEATURE_CLEAR_CPU_BUF -- tested in C as above
 * khv-mitigation: CLEAR_CPU_BUFFERS -- the VERW of VMX_RUN_VERW, with khv's own
 *	selector (the kernel's is KVM's only on 7.3)
 * khv-mitigation: VM_CLEAR_CPU_BUFFERS -- as CLEAR_CPU_BUFFERS
 * khv-mitigation: VERW -- as CLEAR_CPU_BUFFERS
 * khv-mitigation: CLEAR_BRANCH_HISTORY_VMEXIT -- khv_clear_bhb_loop (bhb.S):
 *	clear_bhb_loop is KVM's only on 7.3
 * khv-mitigation: RESTORE_GUEST_SPEC_CTRL_BODY -- the guest has the host's
 *	SPEC_CTRL (see X86_FEATURE_MSR_SPEC_CTRL)
 * khv-mitigation: RESTORE_HOST_SPEC_CTRL_BODY -- the legacy-IBRS rewrite
 *	below (X86_FEATURE_KERNEL_IBRS)
 */

.section .text, "ax"

/**
 * khv_vmx_vmenter - enter the guest once.
 * @regs (%rdi):	struct khv_vcpu's regs[] (vcpu_regs.h): the general
 *			registers but RSP, which the VMCS holds, are loaded
 *			before entry and stored after exit
 * @verw_sel (%rsi):	address of a data-segment selector for VERW
 * @flags (%edx):	VMX_RUN_LAUNCHED, VMX_RUN_VERW (run_flags.h)
 *
 * Contract: the vCPU's VMCS is current, its host state other than HOST_RSP
 * is written, interrupts are off. Writes HOST_RSP (the stack below the saved
 * @regs pointer), loads the guest registers, VMLAUNCHes or VMRESUMEs. The VM
 * exit lands at khv_vmx_vmexit (HOST_RIP). Callee-saved registers are
 * preserved; guest values are cleared from every register before return;
 * the return stack buffer is refilled, SPEC_CTRL rewritten under legacy
 * IBRS and the branch history cleared where the host's mitigations ask for
 * it (as KVM's __vmx_vcpu_run()).
 *
 * Return: 0 after a VM exit, 1 for VMfailValid (VMCS_INSN_ERROR says why),
 * 2 for VMfailInvalid, 3 if the instruction faulted (VMX is off).
 */
SYM_FUNC_START(khv_vmx_vmenter)
	push %rbp
	mov %rsp, %rbp
	KHV_PUSH_CALLEE_SAVED
	push %rdi

	mov $VMX_HOST_RSP_FIELD, %eax
	vmwrite %rsp, %rax
	jbe .Lfail_early

	bt $VMX_RUN_VERW_SHIFT, %edx
	jnc .Lno_verw
	verw (%rsi)
.Lno_verw:
	bt $VMX_RUN_LAUNCHED_SHIFT, %edx

	/* MOVs keep CF, which picks VMRESUME or VMLAUNCH below. */
	mov %rdi, %rax
	KHV_LOAD_GUEST_GPRS %rax
	mov VCPU_RSI(%rax), %rsi
	mov VCPU_RDI(%rax), %rdi
	mov VCPU_RAX(%rax), %rax

	jnc .Lvmlaunch
	UNWIND_HINT_SAVE
.Lvmresume:
	vmresume
	jmp .Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp .Lvmfail

	_ASM_EXTABLE(.Lvmresume, .Lfault)
	_ASM_EXTABLE(.Lvmlaunch, .Lfault)

SYM_INNER_LABEL_ALIGN(khv_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* The guest's RAX goes below the saved pointer to regs[]. */
	push %rax
	mov 8(%rsp), %rax
	pop VCPU_RAX(%rax)
	KHV_SAVE_GUEST_GPRS %rax
	mov %rsi, VCPU_RSI(%rax)
	mov %rdi, VCPU_RDI(%rax)
	xor %ebx, %ebx
	jmp .Lclear

.Lvmfail:
	/* VMfailInvalid sets CF, VMfailValid ZF (SDM Vol. 3C 31.2). */
	mov $2, %ebx
	jc .Lclear
	mov $1, %ebx
	jmp .Lclear
.Lfault:
	mov $3, %ebx
	jmp .Lclear
.Lfail_early:
	/* HOST_RSP could not be written: report it as the entry failing. */
	mov $2, %ebx
	jc .Lclear
	mov $1, %ebx

.Lclear:
	/* No guest value may steer speculation in the host. */
	KHV_CLEAR_GUEST_REGS
	/*
	 * Before the first unbalanced RET: refill the return stack buffer
	 * (retpoline/IBRS; one call with eIBRS, RSB_VMEXIT_LITE).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS: the IBRS bit must be written again after a less
	 * privileged predictor mode ran, whether or not the value changed
	 * (KVM's vmx_spec_ctrl_restore_host()). The guest ran with the host's
	 * SPEC_CTRL: it cannot write the MSR.
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov $MSR_IA32_SPEC_CTRL, %ecx
	movl PER_CPU_VAR(x86_spec_ctrl_current), %eax
	movl PER_CPU_VAR(x86_spec_ctrl_current + 4), %edx
	wrmsr
.Lspec_ctrl_done:
	/* No speculation past here with the guest's SPEC_CTRL state. */
	ALTERNATIVE "", "lfence", X86_FEATURE_MSR_SPEC_CTRL

#ifdef KHV_FEATURE_CLEAR_BHB_VMEXIT
	/* BHI: the guest's branch history must not steer the host's. */
	ALTERNATIVE "", "call khv_clear_bhb_loop", KHV_FEATURE_CLEAR_BHB_VMEXIT
#endif
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx

	/* Every path arrives with RSP at the saved @regs pointer. */
	mov %ebx, %eax
	add $8, %rsp
	KHV_POP_CALLEE_SAVED
	pop %rbp
	RET
SYM_FUNC_END(khv_vmx_vmenter)
