/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exit layer: what the vendor-neutral core (exit.c) does for the
 * backends' exit tables (vmx/exit.c, svm/exit.c), and the contract of a
 * handler.
 */
#ifndef KHV_EXIT_H
#define KHV_EXIT_H

#include <linux/types.h>

#include "arch.h"
#include "vcpu.h"

/**
 * struct khv_exit_handler - one row of a backend's exit table, indexed by
 *	the hardware's exit code (Jailhouse counts in a switch, KVM indexes
 *	svm_exit_handlers[] and kvm_vmx_exit_handlers[] the same way).
 * @handle: the handler. It runs right after the exit, with regs[] current
 *	(regs.h), in the backend's exit context: on VMX with the VMCS current
 *	and interrupts off, so it never sleeps. It moves RIP past an
 *	instruction it completes (khv_arch_ops.skip_instruction), or injects
 *	an exception instead (khv_queue_exception(), event.c).
 *	Return: 1 to enter the guest again; 0 to return to user space with
 *	vcpu->run filled (khv_vcpu_exit()); a negative errno ends KHV_RUN
 *	with it.
 * @stat: the bucket the exit counts in (debugfs, vm-get's exit-stats).
 * @reenter: the backend may run the handler inside its entry loop and enter
 *	again at once, the guest's FPU state and the host state switch (and
 *	on VMX the VMCS) left in place (khv_exit_reenter(); KVM's
 *	EXIT_FASTPATH_REENTER_GUEST). Only for handlers that touch neither the
 *	guest's XSAVE area nor anything the run loop looks at between entries
 *	other than what khv_exit_reenter() checks.
 *
 * An exit code without a row counts as KHV_STAT_OTHER and ends the run
 * with KHV_EXIT_UNKNOWN, or KHV_EXIT_FAIL_ENTRY for a refused entry.
 */
struct khv_exit_handler {
	int (*handle)(struct khv_vcpu *vcpu);
	enum khv_exit_stat stat;
	bool reenter;
};

/**
 * struct khv_io - a port access as the backend decoded its exit.
 * @in:         IN or INS (port to register or memory), else OUT or OUTS.
 * @string:     INS or OUTS.
 * @rep:        a REP prefix (INS/OUTS): RCX counts elements.
 * @size:       bytes per element, 1, 2 or 4.
 * @port:       the port.
 * @next_rip:   where the guest goes on after the instruction.
 * @addr_bytes: INS/OUTS address size, 2, 4 or 8; 0 for the code segment's,
 * @a67:        toggled by an address-size prefix.
 * @seg_nr:     OUTS: the source segment (KHV_SEG_*); anything larger for DS.
 */
struct khv_io {
	bool in;
	bool string;
	bool rep;
	u8 size;
	u16 port;
	u64 next_rip;
	u8 addr_bytes;
	bool a67;
	u8 seg_nr;
};

/* exit.c: rows of the backends' tables */
int khv_handle_host_event(struct khv_vcpu *vcpu);
int khv_handle_shutdown(struct khv_vcpu *vcpu);
int khv_handle_cpuid(struct khv_vcpu *vcpu);
int khv_handle_hlt(struct khv_vcpu *vcpu);
int khv_handle_rdmsr(struct khv_vcpu *vcpu);
int khv_handle_wrmsr(struct khv_vcpu *vcpu);
int khv_handle_hypercall(struct khv_vcpu *vcpu);
int khv_handle_rdpmc(struct khv_vcpu *vcpu);
int khv_handle_wbinvd(struct khv_vcpu *vcpu);
int khv_handle_ud(struct khv_vcpu *vcpu);
int khv_handle_db(struct khv_vcpu *vcpu);
int khv_deliver_db(struct khv_vcpu *vcpu, u64 payload);
int khv_handle_dr(struct khv_vcpu *vcpu, unsigned int nr, unsigned int gpr,
		  bool write, unsigned int len);
int khv_handle_icebp(struct khv_vcpu *vcpu);

/* exit.c: what the backends' own handlers finish with */
int khv_handle_io(struct khv_vcpu *vcpu, const struct khv_io *io);
int khv_handle_mmio(struct khv_vcpu *vcpu, u64 gpa, bool write, u64 event,
		    u64 hw_reason);
int khv_exit_internal(struct khv_vcpu *vcpu, u32 reason, u64 hw_reason,
		      u64 info0, u64 info1);
int khv_exit_fail_entry(struct khv_vcpu *vcpu, u64 hw_reason);
const struct khv_exit_handler *
khv_exit_lookup(struct khv_vcpu *vcpu, const struct khv_exit_handler *table,
		unsigned int n, u64 code);
bool khv_exit_reenter(struct khv_vcpu *vcpu, const struct khv_exit_handler *h);
int khv_exit_handled(struct khv_vcpu *vcpu);

/* exit.c: the guest's modes, from khv_arch_ops.get_cpu_mode() */
int khv_code_mode(const struct khv_cpu_mode *m);
unsigned int khv_fetch_insn(struct khv_vcpu *vcpu,
			    const struct khv_cpu_mode *m, u8 *buf,
			    unsigned int len);

/* exception.c */
int khv_vcpu_machine_check(struct khv_vcpu *vcpu);
int khv_vcpu_alignment_check(struct khv_vcpu *vcpu, u32 err);

#endif /* KHV_EXIT_H */
