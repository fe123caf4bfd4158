/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX vCPU: what vcpu.c (the VMCS and the guest state), exit.c (the
 * exit handlers) and run.c (guest entry) share.
 */
#ifndef KHV_VMX_VCPU_H
#define KHV_VMX_VCPU_H

#include <linux/list.h>
#include <linux/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "vmcs.h"

struct khv_exit_handler;

/*
 * The guest's syscall MSRs: not in the VMCS, swapped around each entry loop
 * of vmx_vcpu_run() (vmx/run.c). The values to put back are read right
 * before its first entry with interrupts off, which stay off until after the
 * last exit:
 * KVM leaves its guest's values loaded until its thread returns to user
 * space, so khv restores exactly what it found (Documentation/khv-abi.rst,
 * "Isolation").
 */
enum { VMX_STAR, VMX_LSTAR, VMX_CSTAR, VMX_SFMASK, VMX_KGSBASE, VMX_NR_SWAP };

extern const u32 vmx_swap_msrs[VMX_NR_SWAP];

/*
 * CR0.NE and CR4.VMXE must be 1 in VMX operation (SDM A.7, A.8); the guest
 * reads its own values from the shadows. CR4 bits the guest may not set are
 * owned by khv too: VMX (not offered), CET (the CET MSRs and the shadow
 * stack pointer are not switched), and PKE and OSXSAVE where the host
 * cannot switch PKRU or XCR0 (vmx_cr4_denied()). Writes of PKE and OSXSAVE
 * exit even where allowed, and the guest's CR4 holds them (VMX_CR4_GUEST).
 */
#define VMX_CR0_OWNED	X86_CR0_NE
#define VMX_CR4_GUEST	(X86_CR4_PKE | X86_CR4_OSXSAVE)
#define VMX_CR4_OWNED	(X86_CR4_VMXE | X86_CR4_CET | VMX_CR4_GUEST)

/*
 * The exceptions that exit (exit.c): a machine check is the host's; #AC and
 * #DB go back to the guest through khv, so that one that recurs during its
 * own delivery loops through the host (Documentation/khv-abi.rst).
 */
#define VMX_EXCEPTION_BITMAP	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | \
				 BIT(X86_TRAP_MC))

/* Exit information read while the VMCS is current. */
struct vmx_exit {
	u32 reason;
	u64 qual;
	u32 insn_len;
	u32 intr_info;
};

/**
 * struct vmx_vcpu - a vCPU on Intel VMX.
 * @vcpu:	the vendor-neutral part.
 * @vmcs:	the VMCS (one page).
 * @vmcs_pa:	its physical address.
 * @cpu:	the CPU the VMCS is active on, or -1 (clear).
 * @loaded:	on that CPU's list of active VMCSs.
 * @launched:	VMRESUME, not VMLAUNCH, enters it.
 * @vpid:	its VPID, 0 without VPID.
 * @cr0:	the value the guest sees for the bits khv owns (the shadow).
 * @cr4:	the same for CR4.
 * @cr2:	the guest's CR2, which VMX does not switch: loaded before entry.
 * @cr8:	the guest's task priority (CR8 exits always).
 * @entry_ctls:	VM-entry controls; IA-32e mode follows EFER.LMA.
 * @swap:	the guest's values of vmx_swap_msrs[].
 * @swap_live:	they are in the MSRs too: vmx_vcpu_run()'s entry loop
 *		(vmx/run.c), where a WRMSR handler writes both.
 * @tsc_aux:	the guest's TSC_AUX (RDTSCP, RDPID), in the MSR while it runs.
 * @proc:	the primary processor-based controls in the VMCS: the window
 *		exits come and go (vmx/inject.c).
 * @host_cr3:	the host CR3 last written to the VMCS.
 * @host_cr4:	the host CR4 last written to the VMCS.
 * @exit:	the last exit, for its handler (vmx_exit_dispatch()).
 * @entry_error: vmx_enter()'s result for it: 0, or why the entry failed.
 * @row:	its row of the exit table (vmx_exit_row()), or NULL.
 * @load_prev:	vmx_load()'s results, which vmx_handle_exit() gives
 * @load_flags:	vmx_put() after the handler.
 * @io_bitmap_pa: the VM's I/O bitmaps in the VMCS (0: the host-wide ones).
 */
struct vmx_vcpu {
	struct khv_vcpu vcpu;
	void *vmcs;
	u64 vmcs_pa;
	int cpu;
	struct list_head loaded;
	bool launched;
	u16 vpid;
	u64 cr0;
	u64 cr4;
	u64 cr2;
	u64 cr8;
	u32 entry_ctls;
	u64 swap[VMX_NR_SWAP];
	bool swap_live;
	u32 tsc_aux;
	u32 proc;
	u64 host_cr3;
	u64 host_cr4;
	struct vmx_exit exit;
	int entry_error;
	const struct khv_exit_handler *row;
	u64 load_prev;
	unsigned long load_flags;
	u64 io_bitmap_pa;
};

/* The core allocates khv_vmx_ops.vcpu_size bytes and uses the first part. */
static_assert(offsetof(struct vmx_vcpu, vcpu) == 0);

/* A machine check exited the guest, or interrupted its entry (SDM 28.1, 27.8). */
static inline bool vmx_exit_is_mce(const struct vmx_exit *e)
{
	u32 basic = e->reason & 0xffff;

	return basic == EXIT_MCE_DURING_ENTRY ||
	       (basic == EXIT_EXCEPTION_NMI &&
		INTR_INFO_TYPE(e->intr_info) == INTR_TYPE_HW_EXCEPTION &&
		INTR_INFO_VECTOR(e->intr_info) == X86_TRAP_MC);
}

static inline struct vmx_vcpu *to_vmx(struct khv_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/* vcpu.c: with the VMCS current */
u64 vmx_load(struct vmx_vcpu *vmx, unsigned long *flags);
void vmx_put(struct vmx_vcpu *vmx, u64 prev, unsigned long flags);
void vmx_invept(u64 eptp);
u64 vmx_guest_cr0(struct vmx_vcpu *vmx);
u64 vmx_guest_cr4(struct vmx_vcpu *vmx);
u64 vmx_cr4_denied(void);
void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer);
void vmx_seg_get(enum vmx_seg seg, struct khv_segment *k);
void vmx_load_pdptes(struct vmx_vcpu *vmx, u64 cr0, u64 cr3, u64 cr4, u64 efer);
bool vmx_has_tsc_aux(void);
int __vmx_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data);
int __vmx_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data, bool apply);

/* exit.c */
int vmx_exit_dispatch(struct vmx_vcpu *vmx);
const struct khv_exit_handler *vmx_exit_row(struct vmx_vcpu *vmx);

/* inject.c: with the VMCS current */
void vmx_proc_update(struct vmx_vcpu *vmx, u32 bits, bool on);

#endif /* KHV_VMX_VCPU_H */
