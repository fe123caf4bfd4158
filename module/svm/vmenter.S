/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM guest entry.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

#include "../mitig.h"
#include "../vcpu_regs.h"
#include "../vmenter_common.S"

/*
 * The mitigations of KVM's svm/vmenter.S that khv's entry does not copy,
 * and why (scripts/mitigations-check.sh reads these lines):
 *
 * khv-mitigation: X86_FEATURE_MSR_SPEC_CTRL -- the guest cannot read or
 *	write SPEC_CTRL (every MSR is intercepted, SPEC_CTRL is not on khv's
 *	list), so it runs with the host's value: nothing to load or restore
 * khv-mitigation: X86_FEATURE_V_SPEC_CTRL -- as X86_FEATURE_MSR_SPEC_CTRL
 * khv-mitigation: RESTORE_GUEST_SPEC_CTRL -- as X86_FEATURE_MSR_SPEC_CTRL
 * khv-mitigation: RESTORE_HOST_SPEC_CTRL -- as X86_FEATURE_MSR_SPEC_CTRL
 * khv-mitigation: RESTORE_GUEST_SPEC_CTRL_BODY -- as X86_FEATURE_MSR_SPEC_CTRL
 * khv-mitigation: RESTORE_HOST_SPEC_CTRL_BODY -- as X86_FEATURE_MSR_SPEC_CTRL
 * khv-mitigation: UNTRAIN_RET_VM -- CALL_UNTRAIN_RET plus a direct IBPB
 *	under X86_FEATURE_IBPB_ON_VMEXIT: the macro calls write_ibpb, KVM's
 *	only on 7.3
 * khv-mitigation: VM_CLEAR_CPU_BUFFERS -- VERW with khv's own selector
 *	under X86_FEATURE_CLEAR_CPU_BUF_VM (the kernel's selector is KVM's
 *	only on 7.3)
 * khv-mitigation: SVM_CLEAR_CPU_BUFFERS -- as VM_CLEAR_CPU_BUFFERS
 * khv-mitigation: __CLEAR_CPU_BUFFERS -- as VM_CLEAR_CPU_BUFFERS
 */

/* A data-segment selector for VERW (the kernel's is not exported everywhere). */
.pushsection .rodata
SYM_DATA_LOCAL(khv_svm_verw_sel, .word __KERNEL_DS)
.popsection

.section .text, "ax"

/**
 * khv_svm_vmrun - enter the guest once.
 * @vmcb_pa (%rdi):	physical address of the guest's VMCB
 * @regs (%rsi):	struct khv_vcpu's regs[] (vcpu_regs.h): the general
 *			registers but RAX and RSP, which the VMCB holds, are
 *			loaded before VMRUN and stored after #VMEXIT
 * @host_pa (%rdx):	physical address of the page the caller VMSAVEd the
 *			host's FS/GS/TR/LDTR and syscall MSRs into
 *
 * Contract: called with GIF=0 (CLGI) and interrupts disabled. The guest's
 * FS/GS/TR/LDTR and syscall MSRs are loaded (VMLOAD) right before VMRUN,
 * saved (VMSAVE) right after #VMEXIT, and the host's loaded again before
 * anything else: until then GS holds the guest's base, and a per-CPU access
 * (the RSB filling below writes __x86_call_depth through %gs where the
 * kernel has call-depth tracking) would land wherever the guest pointed it;
 * any exception would run on the guest's TSS. KVM's __svm_vcpu_run() keeps
 * the same order. Sets IF just before VMRUN so that a physical interrupt
 * exits the guest (APM 15.21.1: with V_INTR_MASKING the host's IF at VMRUN
 * decides), and clears it right after; GIF=0 keeps the interrupt pending
 * until the caller's STGI.
 * As KVM's __svm_vcpu_run(): CPU buffers are cleared (VERW) before VMRUN;
 * after #VMEXIT the return stack buffer is refilled and the return
 * predictions untrained (retbleed, SRSO; IBPB where the host asks for one
 * on every exit) before the first RET. Callee-saved registers are
 * preserved; guest values are cleared from every register before return.
 *
 * Return: 0, or 1 if an SVM instruction faulted (SVM switched off under
 * us): each has an exception-table entry and the sequence goes on.
 */
SYM_FUNC_START(khv_svm_vmrun)
	push %rbp
	KHV_PUSH_CALLEE_SAVED
	push %rdx			/* @host_pa */
	push %rdi			/* @vmcb_pa */
	push %rsi			/* @regs */
	push $0				/* the result */

	mov %rdi, %rax
.Lvmload_guest:
	vmload %rax
.Lvmload_guest_done:
	KHV_LOAD_GUEST_GPRS %rsi
	mov VCPU_RDI(%rsi), %rdi
	mov VCPU_RSI(%rsi), %rsi

#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
	/*
	 * Clobbers ZF only. Outside the replacement: older kernels do not
	 * relocate a RIP-relative operand in one.
	 */
	ALTERNATIVE "jmp .Lno_verw", "", X86_FEATURE_CLEAR_CPU_BUF_VM
	/* Switched off for measurement (mitig.c); clobbers flags only. */
	testl $KHV_MITIG_VERW, khv_mitig_off(%rip)
	jnz .Lno_verw
	verw khv_svm_verw_sel(%rip)
.Lno_verw:
#endif
	sti
.Lvmrun:
	vmrun %rax
.Lvmrun_done:
	cli
	/* The guest's RSI goes below the result and the pointer to regs[]. */
	push %rsi
	mov 16(%rsp), %rsi
	KHV_SAVE_GUEST_GPRS %rsi
	mov %rdi, VCPU_RDI(%rsi)
	pop VCPU_RSI(%rsi)
	/* The result waits in RBX (restored from the stack at the end). */
	pop %rbx
	add $8, %rsp			/* @regs */

	pop %rax			/* @vmcb_pa */
.Lvmsave_guest:
	vmsave %rax
.Lvmsave_guest_done:
	pop %rax			/* @host_pa */
	/* The host's GS base, TR and syscall MSRs: per-CPU data is the host's again. */
.Lvmload_host:
	vmload %rax
.Lvmload_host_done:

	/*
	 * No guest value may steer speculation in the host: every register,
	 * even those popped below (an L1 miss on the pop could speculate with
	 * the guest's value, as KVM's comment says).
	 */
	KHV_CLEAR_GUEST_REGS

	/* Before any RET: the guest may have filled the RSB. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Retbleed/SRSO: untrain the return predictions the guest trained. */
	CALL_UNTRAIN_RET
	ALTERNATIVE "jmp .Lno_ibpb", "", X86_FEATURE_IBPB_ON_VMEXIT
	mov $MSR_IA32_PRED_CMD, %ecx
	mov $PRED_CMD_IBPB, %eax
	xor %edx, %edx
	wrmsr
#ifdef X86_BUG_IBPB_NO_RET
	/* Where IBPB leaves return predictions alone, refill as write_ibpb(). */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_BUG_IBPB_NO_RET
#endif
.Lno_ibpb:
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx

	mov %ebx, %eax
	KHV_POP_CALLEE_SAVED
	pop %rbp
	RET

	/* A fault: SVM is off. Note it and go on with the next step. */
.Lvmload_guest_fault:
	movq $1, (%rsp)
	jmp .Lvmload_guest_done
.Lvmrun_fault:
	movq $1, (%rsp)
	jmp .Lvmrun_done
.Lvmsave_guest_fault:
	mov $1, %ebx
	jmp .Lvmsave_guest_done
.Lvmload_host_fault:
	mov $1, %ebx
	jmp .Lvmload_host_done

	_ASM_EXTABLE(.Lvmload_guest, .Lvmload_guest_fault)
	_ASM_EXTABLE(.Lvmrun, .Lvmrun_fault)
	_ASM_EXTABLE(.Lvmsave_guest, .Lvmsave_guest_fault)
	_ASM_EXTABLE(.Lvmload_host, .Lvmload_host_fault)
SYM_FUNC_END(khv_svm_vmrun)
