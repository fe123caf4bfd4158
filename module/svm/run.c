// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: one guest entry and exit, and what the host must put back around
 * it (APM 15.5: what VMRUN and #VMEXIT switch and what they do not).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/preempt.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "../compat.h"
#include "../exit.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../regs.h"
#include "../x86.h"
#include "../xstate.h"
#include "insn.h"
#include "svm.h"
#include "vcpu.h"
#include "vmcb.h"

/*
 * XSAVES and XRSTORS cannot be intercepted on SVM: while the guest runs,
 * IA32_XSS holds its value, 0 (khv offers no supervisor state), so that they
 * reach no more than the guest's XCR0 (as KVM's kvm_load_guest_xsave_state()).
 */
static void svm_xss_enter(void)
{
	if (khv_xs.xss)
		khv_wrmsr(MSR_IA32_XSS, 0);
}

static void svm_xss_exit(void)
{
	if (khv_xs.xss)
		khv_wrmsr(MSR_IA32_XSS, khv_xs.xss);
}

/*
 * One VMRUN with interrupts off: GIF cleared, the host's DR7, TSC_AUX,
 * XCR0, PKRU and IA32_XSS kept (the guest's loaded only around VMRUN), the
 * host's FS/GS/TR/LDTR and syscall MSRs saved (VMSAVE) for
 * khv_svm_vmrun(), which loads the guest's, saves them after #VMEXIT and
 * loads the host's back. -EIO if SVM is off on this CPU (every SVM
 * instruction has an exception-table entry, svm/insn.h, svm/vmenter.S).
 */
static int svm_enter(struct svm_vcpu *svm, u64 host_pa, bool save_host)
{
	bool tsc_aux = svm_has_tsc_aux();
	unsigned long host_dr6, host_dr7, host_db[4];
	struct khv_xstate_saved xh;
	u64 host_tsc_aux = 0;
	bool db;
	int r;

	if (svm_clgi())
		return -EIO;
	/*
	 * VMRUN loads the guest's DR6/DR7 from the VMCB; until then no host
	 * breakpoint may fire with guest state half loaded (as KVM), and
	 * #VMEXIT does not give the host its DR6 back (APM 15.7.2).
	 */
	host_dr7 = native_get_debugreg(7);
	if (host_dr7 & KHV_DR7_ENABLED)
		native_set_debugreg(7, 0);
	host_dr6 = native_get_debugreg(6);
	/* What is loaded now, which may be a KVM guest's until its return to user space. */
	if (tsc_aux) {
		khv_rdmsr(MSR_TSC_AUX, host_tsc_aux);
		if (host_tsc_aux != svm->tsc_aux)
			khv_wrmsr(MSR_TSC_AUX, svm->tsc_aux);
	}
	/* DIV0 erratum: no host quotient may reach the guest (as KVM). */
	amd_clear_divider();
	db = khv_dr_enter(&svm->vcpu, host_db);
	khv_xstate_enter(&svm->vcpu, &xh,
			 svm->vmcb->save.cr4 & X86_CR4_OSXSAVE);
	svm_xss_enter();
	/*
	 * GIF = 0: nothing switches SVM off between here and STGI. The
	 * guest's GS base, TR and syscall MSRs are live only inside
	 * khv_svm_vmrun(), from its VMLOAD to the host's (svm/vmenter.S).
	 * The host's are saved at the first entry of svm_vcpu_run()'s loop:
	 * the task stays on this CPU until its last exit, and nothing changes
	 * them meanwhile (KVM saves them once per vCPU load).
	 */
	r = save_host ? svm_vmsave(host_pa) : 0;
	if (!WARN_ON_ONCE(r))
		r = khv_svm_vmrun(svm->vmcb_pa, svm->vcpu.regs, host_pa) ? -EIO : 0;
	svm_xss_exit();
	khv_xstate_exit(&svm->vcpu, &xh);
	if (db)
		khv_dr_exit(host_db);
	if (tsc_aux && host_tsc_aux != svm->tsc_aux)
		khv_wrmsr(MSR_TSC_AUX, host_tsc_aux);
	if (native_get_debugreg(6) != host_dr6)
		native_set_debugreg(6, host_dr6);
	/* APM 15.7.2: #VMEXIT leaves DR7 = 0x400: the host's breakpoints come back. */
	if (host_dr7 != KHV_DR7_RESET)
		native_set_debugreg(7, host_dr7);
	svm_stgi();
	return r;
}

/*
 * The registers the VMCB holds (RAX, RSP, RIP, RFLAGS; APM 15.5.1): those
 * written since the exit go in before VMRUN, all come back after #VMEXIT.
 */
static void svm_regs_load(struct khv_vcpu *vcpu, struct svm_save *s)
{
	if (khv_register_is_dirty(vcpu, KHV_REG_RAX))
		s->rax = vcpu->regs[KHV_REG_RAX];
	if (khv_register_is_dirty(vcpu, KHV_REG_RSP))
		s->rsp = vcpu->regs[KHV_REG_RSP];
	if (khv_register_is_dirty(vcpu, KHV_REG_RIP))
		s->rip = vcpu->regs[KHV_REG_RIP];
	if (khv_register_is_dirty(vcpu, KHV_REG_RFLAGS))
		s->rflags = vcpu->regs[KHV_REG_RFLAGS];
	vcpu->regs_dirty = 0;
}

/* RFLAGS without the single step khv may have added (svm/inject.c). */
static void svm_regs_store(struct svm_vcpu *svm, const struct svm_save *s)
{
	struct khv_vcpu *vcpu = &svm->vcpu;

	vcpu->regs[KHV_REG_RAX] = s->rax;
	vcpu->regs[KHV_REG_RSP] = s->rsp;
	vcpu->regs[KHV_REG_RIP] = s->rip;
	vcpu->regs[KHV_REG_RFLAGS] = svm_guest_rflags(svm);
}

/*
 * One entry and its exit, in svm_vcpu_run()'s loop, the guest's FPU state
 * loaded: KHV_ENTRY_EXITED with the exit's row in svm->row,
 * KHV_ENTRY_SKIPPED or KHV_ENTRY_FAILED. @save_host: the first entry of the
 * loop, which saves the host's VMSAVE state.
 */
static enum khv_entry svm_run_once(struct svm_vcpu *svm, u64 host_pa,
				   bool save_host)
{
	struct khv_vcpu *vcpu = &svm->vcpu;
	struct svm_vmcb *vmcb = svm->vmcb;
	bool flush;
	int r;

	khv_barrier_on_vm_switch(vcpu->vm);
	svm_regs_load(vcpu, &vmcb->save);
	/* The guest's TSC: the host's plus its offset (Documentation/khv-abi.rst). */
	vmcb->control.tsc_offset = vcpu->tsc_offset;
	vmcb->control.clean = 0;
	/* No cause of an earlier #DB: the next one's are all it will hold. */
	vmcb->save.dr6 = KHV_DR6_FIXED_1;
	/* Only a nested page fault fills it: no bytes of an earlier exit stay. */
	vmcb->control.insn_len = 0;

	local_irq_disable();
	if (!khv_vcpu_enter_guest(vcpu, &flush)) {
		/* The VM is no longer running: KHV_RUN's loop says why. */
		local_irq_enable();
		return KHV_ENTRY_SKIPPED;
	}
	/* khv_vcpu_enter_guest() took the VM's tlb_gen: a change flushes. */
	/* The VM's port passthrough (acl_vm.c); the clean bits are 0. */
	vmcb->control.iopm_base_pa = vcpu->io_bitmap_pa ?: svm_iopm_pa();
	svm_asid_enter(vmcb, svm->tlb_tag, vcpu->tlb_gen, svm->flush_tlb || flush);
	svm->flush_tlb = false;
	r = svm_enter(svm, host_pa, save_host);
	khv_vcpu_exit_guest(vcpu);
	/* A machine check that exited the guest is the host's, on this CPU. */
	if (!r && svm_exit_is_mce(vmcb->control.exit_code))
		khv_machine_check();
	local_irq_enable();
	svm_regs_store(svm, &vmcb->save);

	if (r) {
		/*
		 * Nothing ran: the core still holds the event it chose and
		 * writes it again at the next entry; none may linger here in
		 * case user space changes the events meanwhile.
		 */
		vmcb->control.event_inj = 0;
		khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR, 0, 0, 0);
		return KHV_ENTRY_FAILED;
	}
	/* What the exit interrupted: svm_exit_event(), from the core. */
	svm->row = svm_exit_row(svm);
	return KHV_ENTRY_EXITED;
}

/*
 * khv_arch_ops.vcpu_run; its last exit goes to svm_handle_exit() (exit.c).
 * Entries follow one another while each exit's row lets its handler run
 * here (khv_exit_reenter()): the guest's FPU state stays loaded and the
 * host's VMSAVE state saved, preemption off throughout (interrupts come
 * and go between entries).
 */
enum khv_entry svm_vcpu_run(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	enum khv_entry entry;
	bool first = true;
	u64 host_pa;

	if (!svm_asid_usable()) {
		khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR, 0, 0, 0);
		return KHV_ENTRY_FAILED;
	}
	/* The guest's FPU use must not reach the task's FPU state. */
	kernel_fpu_begin();
	host_pa = svm_host_save_pa(smp_processor_id());
	khv_xstate_load(vcpu);
	do {
		entry = svm_run_once(svm, host_pa, first);
		first = false;
	} while (entry == KHV_ENTRY_EXITED && khv_exit_reenter(vcpu, svm->row));
	khv_xstate_save(vcpu);
	kernel_fpu_end();
	if (entry == KHV_ENTRY_EXITED && vcpu->exit_done)
		return KHV_ENTRY_HANDLED;
	return entry;
}
