/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM instructions khv executes outside its entry code. Each raises #UD
 * when EFER.SVME is 0 (APM 15.4): SVM switched off under khv by a reboot or
 * crash path, or by the hypervisor it shares SVM with. An exception-table
 * entry turns that fault into -EIO instead of an oops.
 */
#ifndef KHV_SVM_INSN_H
#define KHV_SVM_INSN_H

#include <linux/errno.h>
#include <linux/types.h>
#include <asm/asm.h>

/* Clear GIF: interrupts, NMIs and SMIs wait until STGI (APM 15.17). */
static __always_inline int svm_clgi(void)
{
	asm goto("1: clgi\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "memory" : fault);
	return 0;
fault:
	return -EIO;
}

static __always_inline int svm_stgi(void)
{
	asm goto("1: stgi\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "memory" : fault);
	return 0;
fault:
	return -EIO;
}

/*
 * Store FS, GS, TR, LDTR, KERNEL_GS_BASE and the syscall MSRs into a VMCB
 * (the host's; khv_svm_vmrun() does every VMLOAD, svm/vmenter.S).
 */
static __always_inline int svm_vmsave(u64 pa)
{
	asm goto("1: vmsave %%rax\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "a" (pa) : "memory" : fault);
	return 0;
fault:
	return -EIO;
}

/*
 * VMRUN of a guest that executes no instruction (see svm/asid.c): #VMEXIT
 * restores RAX and RSP (APM 15.5.1), and no guest code runs to change any
 * other register. GIF must be 0 and interrupts off.
 */
static __always_inline int svm_vmrun_no_guest_code(u64 pa)
{
	asm goto("1: vmrun %%rax\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "a" (pa) : "memory", "cc" : fault);
	return 0;
fault:
	return -EIO;
}

#endif /* KHV_SVM_INSN_H */
