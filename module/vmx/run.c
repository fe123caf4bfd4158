// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX: one guest entry and exit, and what the host must put back
 * around it (SDM Vol. 3C 28.5: what VM exit loads and what it does not).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "../compat.h"
#include "../exit.h"
#include "../mitig.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../regs.h"
#include "../x86.h"
#include "../xstate.h"
#include "run_flags.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/* A data selector for VERW (the kernel's is not exported everywhere). */
static const u16 vmx_verw_sel = __KERNEL_DS;

/* vmx_enter(): a guest MSR value the CPU refused (besides vmenter.S's 1-3). */
#define VMX_RUN_BAD_MSR	4

/* Host segment state VM exit does not restore (SDM 28.5.2). */
struct vmx_host_segs {
	u16 ds, es, fs, gs, ldt;
	u64 fs_base, kernel_gs_base;
	struct desc_ptr gdt, idt;
};

static void vmx_save_host_segs(struct vmx_host_segs *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=r" (h->ldt));
	khv_rdmsr(MSR_FS_BASE, h->fs_base);
	khv_rdmsr(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	native_store_gdt(&h->gdt);
	store_idt(&h->idt);
}

static void vmx_restore_host_segs(const struct vmx_host_segs *h)
{
	if (h->ldt)
		asm volatile("lldt %0" : : "r" (h->ldt));
	/* VM exit loads null selectors: reload what the task had. */
	if (h->gs) {
		/* Loads the user GS base from the descriptor: put it back. */
		load_gs_index(h->gs);
		khv_wrmsr(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	if (h->fs) {
		loadsegment(fs, h->fs);
		khv_wrmsr(MSR_FS_BASE, h->fs_base);
	}
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	/* The TSS limit is 0x67 now: the I/O bitmap needs it back. */
	invalidate_tss_limit();
	/* VM exit sets the GDT and IDT limits to 0xffff. */
	load_fixmap_gdt(raw_smp_processor_id());
	if (h->idt.size != 0xffff)
		load_idt(&h->idt);
}

/* What this CPU has in the syscall MSRs now; KERNEL_GS_BASE comes with @h. */
static void vmx_swap_msrs_save(u64 *vals)
{
	int i;

	for (i = 0; i < VMX_KGSBASE; i++)
		khv_rdmsr(vmx_swap_msrs[i], vals[i]);
}

static void vmx_swap_msrs_restore(const u64 *vals)
{
	int i;

	for (i = 0; i < VMX_NR_SWAP; i++)
		khv_wrmsr(vmx_swap_msrs[i], vals[i]);
}

/*
 * The guest's values are checked when it sets them (khv_msr_value_valid());
 * a write that faults all the same ends the run instead of the host.
 */
static int vmx_swap_msrs_load_guest(const u64 *vals)
{
	int i;

	for (i = 0; i < VMX_NR_SWAP; i++)
		if (khv_wrmsr_safe(vmx_swap_msrs[i], vals[i]))
			return -EIO;
	return 0;
}

/*
 * Mitigations the host asks for before a guest runs
 * (Documentation/khv-abi.rst, "Isolation on entry and exit"). The L1D is
 * flushed before the first entry of each vmx_vcpu_run(), which KHV_RUN's
 * loop calls after user space, a sleep, a host interrupt or an exit the
 * kernel handled outside the run of entries (KVM's "cond" mode, the
 * kernel's default): the exits handled inside it run only khv's code for
 * this vCPU, with interrupts off. @first: that first entry.
 */
static void vmx_entry_barriers(struct khv_vm *vm, bool first)
{
	khv_barrier_on_vm_switch(vm);
	if (first)
		vmx_l1d_flush();
}

/*
 * The VM's I/O bitmaps A and B for this entry, when they changed since the
 * last (acl_vm.c: two consecutive pages); 0: the host-wide ones.
 */
static void vmx_io_bitmaps(struct vmx_vcpu *vmx, u64 pa)
{
	if (pa == vmx->io_bitmap_pa)
		return;
	vmx->io_bitmap_pa = pa;
	vmcs_write(VMCS_IO_BITMAP_A, pa ?: vmx_io_bitmap_pa(0));
	vmcs_write(VMCS_IO_BITMAP_B, pa ? pa + PAGE_SIZE : vmx_io_bitmap_pa(1));
}

/*
 * The host state VM exit does not restore (SDM 28.5), switched once for all
 * the entries of one vmx_vcpu_run(): segments, descriptor tables, the syscall
 * MSRs and KERNEL_GS_BASE. In between, interrupts stay off and the task
 * stays on this CPU, and nothing before the return to user space uses them;
 * KVM keeps them switched longer, until its vCPU thread leaves the CPU or
 * returns to user space (vmx_prepare_switch_to_guest(), user-return MSRs).
 */
struct vmx_host_state {
	struct vmx_host_segs segs;
	u64 msrs[VMX_NR_SWAP];
};

/* 0, or VMX_RUN_BAD_MSR with the host's values back. */
static int vmx_switch_to_guest(struct vmx_vcpu *vmx, struct vmx_host_state *hs)
{
	vmx_save_host_segs(&hs->segs);
	vmcs_write(VMCS_HOST_FS_BASE, hs->segs.fs_base);
	vmx_swap_msrs_save(hs->msrs);
	hs->msrs[VMX_KGSBASE] = hs->segs.kernel_gs_base;
	if (vmx_swap_msrs_load_guest(vmx->swap)) {
		vmx_swap_msrs_restore(hs->msrs);
		return VMX_RUN_BAD_MSR;
	}
	vmx->swap_live = true;
	return 0;
}

static void vmx_switch_to_host(struct vmx_vcpu *vmx, const struct vmx_host_state *hs)
{
	vmx->swap_live = false;
	vmx_swap_msrs_restore(hs->msrs);
	vmx_restore_host_segs(&hs->segs);
}

/* Enter the guest once; interrupts off, VMCS current, vmx_switch_to_guest() done. */
static int vmx_enter(struct vmx_vcpu *vmx, struct vmx_exit *e)
{
	struct khv_vcpu *vcpu = &vmx->vcpu;
	bool tsc_aux = vmx_has_tsc_aux();
	unsigned long host_dr6, host_dr7, host_db[4];
	struct khv_xstate_saved xh;
	u64 host_tsc_aux = 0;
	u64 host_debugctl;
	u32 flags = 0;
	bool db;
	int r;

	/* The registers the VMCS holds; vmenter.S loads the others. */
	if (vcpu->regs_dirty & (BIT(KHV_REG_RSP) | BIT(KHV_REG_RIP) |
				BIT(KHV_REG_RFLAGS))) {
		vmcs_write(VMCS_GUEST_RIP, vcpu->regs[KHV_REG_RIP]);
		vmcs_write(VMCS_GUEST_RSP, vcpu->regs[KHV_REG_RSP]);
		vmcs_write(VMCS_GUEST_RFLAGS, vcpu->regs[KHV_REG_RFLAGS]);
	}
	vcpu->regs_dirty = 0;
	if (__read_cr3() != vmx->host_cr3) {
		vmx->host_cr3 = __read_cr3();
		vmcs_write(VMCS_HOST_CR3, vmx->host_cr3);
	}
	if (native_read_cr4() != vmx->host_cr4) {
		vmx->host_cr4 = native_read_cr4();
		vmcs_write(VMCS_HOST_CR4, vmx->host_cr4);
	}
	/*
	 * The guest runs with its own DR7 and IA32_DEBUGCTL (the debug controls,
	 * SDM 26.3.2.1 and 28.3.1); until then no host breakpoint may fire with
	 * guest state half loaded (as KVM). Its DR0-3 are loaded only while its
	 * DR7 enables a breakpoint (khv_dr_enter()); every MOV DR exits, and
	 * #DB too, so DR6 needs no switch: the host's is put back below. Per
	 * entry, as KVM's vmx_vcpu_run() puts DEBUGCTL back after each exit.
	 */
	host_dr7 = native_get_debugreg(7);
	if (host_dr7 & KHV_DR7_ENABLED)
		native_set_debugreg(7, 0);
	host_dr6 = native_get_debugreg(6);
	khv_rdmsr(MSR_IA32_DEBUGCTLMSR, host_debugctl);
	/*
	 * What is loaded now, which may be a KVM guest's until its return to
	 * user space. Per entry: the kernel's own RDPID reads it (the paranoid
	 * entry's per-CPU base), so the guest's never stays on outside VMX
	 * non-root operation.
	 */
	if (tsc_aux) {
		khv_rdmsr(MSR_TSC_AUX, host_tsc_aux);
		if (host_tsc_aux != vmx->tsc_aux)
			khv_wrmsr(MSR_TSC_AUX, vmx->tsc_aux);
	}
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vmx->launched)
		flags |= VMX_RUN_LAUNCHED;
	/* MDS and friends: CLEAR_CPU_BUF up to 6.15, CLEAR_CPU_BUF_VM after. */
	if ((boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF) || khv_clear_cpu_buf_vm()) &&
	    !khv_mitig_skip(KHV_MITIG_VERW))
		flags |= VMX_RUN_VERW;

	db = khv_dr_enter(vcpu, host_db);
	/* The guest's XCR0 and PKRU only while it runs (xstate.c). */
	khv_xstate_enter(vcpu, &xh,
			 vmcs_read(VMCS_GUEST_CR4) & X86_CR4_OSXSAVE);
	r = khv_vmx_vmenter(vcpu->regs, &vmx_verw_sel, flags);
	khv_xstate_exit(vcpu, &xh);
	if (db)
		khv_dr_exit(host_db);

	vmx->cr2 = native_read_cr2();
	if (tsc_aux && host_tsc_aux != vmx->tsc_aux)
		khv_wrmsr(MSR_TSC_AUX, host_tsc_aux);
	/* SDM 28.5.1: DR7 is 0x400 and IA32_DEBUGCTL 0 after a VM exit. */
	if (host_debugctl)
		khv_wrmsr(MSR_IA32_DEBUGCTLMSR, host_debugctl);
	if (native_get_debugreg(6) != host_dr6)
		native_set_debugreg(6, host_dr6);
	if (host_dr7 != KHV_DR7_RESET)
		native_set_debugreg(7, host_dr7);
	if (r)
		return r;

	e->reason = vmcs_read(VMCS_EXIT_REASON);
	/* An entry that failed while loading guest state did not launch it. */
	if (!(e->reason & EXIT_REASON_FAILED_ENTRY))
		vmx->launched = true;
	e->intr_info = vmcs_read(VMCS_EXIT_INTR_INFO);
	/* An NMI exited the guest: the host's handler gets it now. */
	if ((e->reason & 0xffff) == EXIT_EXCEPTION_NMI &&
	    INTR_INFO_TYPE(e->intr_info) == INTR_TYPE_NMI)
		asm volatile("int $2");
	/* So does a machine check, on the CPU it happened on. */
	if (vmx_exit_is_mce(e))
		khv_machine_check();
	return 0;
}

/*
 * One entry and its exit, in vmx_vcpu_run()'s loop: KHV_ENTRY_EXITED with
 * the exit in vmx->exit (or the refused entry in vmx->entry_error) and its
 * row in vmx->row, or KHV_ENTRY_SKIPPED. @first: the loop's first entry.
 */
static enum khv_entry vmx_run_once(struct vmx_vcpu *vmx, bool first)
{
	struct khv_vcpu *vcpu = &vmx->vcpu;
	struct vmx_exit *e = &vmx->exit;
	bool flush;

	if (!khv_vcpu_enter_guest(vcpu, &flush))
		return KHV_ENTRY_SKIPPED;
	/* The nested page table changed since this vCPU last flushed. */
	if (flush)
		vmx_invept(khv_ept_pointer(&vcpu->vm->npt, false));

	vmx_io_bitmaps(vmx, vcpu->io_bitmap_pa);
	vmx_entry_barriers(vcpu->vm, first);
	/* The guest's TSC: the host's plus its offset (Documentation/khv-abi.rst). */
	vmcs_write(VMCS_TSC_OFFSET, vcpu->tsc_offset);
	memset(e, 0, sizeof(*e));
	vmx->entry_error = vmx_enter(vmx, e);
	khv_vcpu_exit_guest(vcpu);

	if (!vmx->entry_error) {
		vcpu->regs[KHV_REG_RIP] = vmcs_read(VMCS_GUEST_RIP);
		vcpu->regs[KHV_REG_RSP] = vmcs_read(VMCS_GUEST_RSP);
		vcpu->regs[KHV_REG_RFLAGS] = vmcs_read(VMCS_GUEST_RFLAGS);
		e->qual = vmcs_read(VMCS_EXIT_QUAL);
		e->insn_len = vmcs_read(VMCS_EXIT_INSN_LEN);
	}
	vmx->row = vmx_exit_row(vmx);
	return KHV_ENTRY_EXITED;
}

/*
 * khv_arch_ops.vcpu_run. Entries follow one another while each exit's row
 * lets its handler run here (khv_exit_reenter()): the VMCS current, the
 * guest's FPU state and the host state switch (vmx_switch_to_guest()) in
 * place, interrupts off throughout, so a host interrupt makes the next entry
 * exit at once and ends the loop. After the last exit (KHV_ENTRY_EXITED or
 * KHV_ENTRY_HANDLED) the VMCS stays current, with interrupts, preemption
 * and the kernel's FPU use as they are here, until vmx_handle_exit() has
 * run.
 */
enum khv_entry vmx_vcpu_run(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state hs;
	enum khv_entry entry;
	bool first = true;
	u64 prev;

	preempt_disable();
	/* The guest's FPU use must not reach the task's FPU state. */
	kernel_fpu_begin();
	/* Interrupts off from here to vmx_put() (see vmx_load()). */
	prev = vmx_load(vmx, &vmx->load_flags);
	if (!prev) {
		kernel_fpu_end();
		preempt_enable();
		khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR, 0, 0, 0);
		return KHV_ENTRY_FAILED;
	}
	khv_xstate_load(vcpu);
	vmx->entry_error = vmx_switch_to_guest(vmx, &hs);
	if (vmx->entry_error) {
		/* Reported as a refused entry (vmx_exit_dispatch()). */
		memset(&vmx->exit, 0, sizeof(vmx->exit));
		vmx->row = NULL;
		entry = KHV_ENTRY_EXITED;
	} else {
		do {
			entry = vmx_run_once(vmx, first);
			first = false;
		} while (entry == KHV_ENTRY_EXITED &&
			 khv_exit_reenter(vcpu, vmx->row));
		vmx_switch_to_host(vmx, &hs);
	}
	khv_xstate_save(vcpu);

	if (entry == KHV_ENTRY_SKIPPED) {
		/* The VM is no longer running: KHV_RUN's loop says why. */
		vmx_put(vmx, prev, vmx->load_flags);
		kernel_fpu_end();
		preempt_enable();
		return KHV_ENTRY_SKIPPED;
	}
	vmx->load_prev = prev;
	return vcpu->exit_done ? KHV_ENTRY_HANDLED : KHV_ENTRY_EXITED;
}

/* khv_arch_ops.handle_exit: the handler, then what vmx_vcpu_run() began ends. */
int vmx_handle_exit(struct khv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r = vcpu->exit_done ? khv_exit_handled(vcpu) :
		vmx_exit_dispatch(vmx);

	vmx_put(vmx, vmx->load_prev, vmx->load_flags);
	kernel_fpu_end();
	preempt_enable();
	return r;
}
