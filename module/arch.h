/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor boundary: one table of operations, implemented once by the Intel
 * backend (module/vmx/) and once by the AMD backend (module/svm/). Nothing
 * outside those directories knows a VMCS or VMCB field.
 */
#ifndef KHV_ARCH_H
#define KHV_ARCH_H

#include <linux/types.h>
#include <uapi/linux/khv.h>

struct khv_event;
struct khv_pt_format;
struct khv_sregs;
struct khv_vcpu;
struct khv_vm;

/**
 * struct khv_cpu_mode - how the guest runs, as an exit handler needs it to
 *	decode its code (khv_code_mode()), walk its page tables
 *	(khv_gwalk_mode()) and apply its segmentation.
 * @cr0:  CR0 as the guest sees it.
 * @cr3:  CR3.
 * @cr4:  CR4 as the guest sees it.
 * @efer: EFER.
 * @cs:   the code segment.
 */
struct khv_cpu_mode {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
	struct khv_segment cs;
};

/**
 * enum khv_entry - what khv_arch_ops.vcpu_run did.
 * @KHV_ENTRY_EXITED:  the guest ran and exited, or the hardware refused the
 *	entry: @handle_exit follows at once.
 * @KHV_ENTRY_SKIPPED: no entry: the VM stopped running (khv_vcpu_enter_guest()
 *	said so); the run loop looks at it again.
 * @KHV_ENTRY_FAILED:  no entry, and vcpu->run says why (khv_vcpu_exit()):
 *	back to user space.
 * @KHV_ENTRY_HANDLED: the guest ran and exited, and the backend ran the
 *	exit's handler itself (khv_exit_reenter()), which left KHV_RUN's loop
 *	something to do: @handle_exit follows at once and returns the
 *	handler's result (khv_exit_handled()).
 */
enum khv_entry {
	KHV_ENTRY_EXITED,
	KHV_ENTRY_SKIPPED,
	KHV_ENTRY_FAILED,
	KHV_ENTRY_HANDLED,
};

/**
 * struct khv_arch_ops - what the vendor-neutral core asks of a backend.
 * @name:	"vmx" or "svm", used in log lines.
 * @vendor:	KHV_VENDOR_INTEL or KHV_VENDOR_AMD (uapi).
 * @kvm_module:	the KVM vendor module that may hold virtualization on.
 * @probe:	check the boot CPU; on failure log one line that names what is
 *		missing and return -ENODEV.
 * @describe:	write a one-line summary of what @probe found.
 * @hardware_setup:	allocate per-CPU state (VMXON regions, host save areas).
 * @hardware_unsetup:	free it.
 * @cpu_virt_on:	is VMX/SVM switched on for this CPU, by anyone?
 *			Called with interrupts disabled.
 * @cpu_enable:	switch VMX/SVM on for this CPU for khv (khv owns it). Called
 *		with interrupts disabled; -EBUSY if someone else has it on.
 * @cpu_disable: switch it off again on this CPU. Interrupts disabled.
 * @cpu_release: optional: before this CPU goes offline, suspends, reboots or
 *		switches VMX/SVM off, whoever owns it: write back the guest
 *		state khv has cached in it (VMCLEAR). Interrupts disabled.
 * @pt_format:	the nested page-table format (NPT or EPT).
 * @vcpu_size:	bytes of the backend's vCPU (struct svm_vcpu, struct
 *		vmx_vcpu), which starts with struct khv_vcpu. The core
 *		allocates it zeroed and initialises its struct khv_vcpu.
 * @vcpu_create: set up the backend's part (VMCB, VMCS) in its reset state;
 *		-errno on failure (the core frees the rest).
 * @vcpu_free:	free the backend's part; the vCPU never runs again.
 * @vcpu_load:	optional: KHV_RUN starts on this vCPU, in its thread.
 * @vcpu_put:	optional: KHV_RUN ends; before the thread returns to user
 *		space (svm: no guest translation stays in the TLB).
 * @vcpu_run:	enter the guest: load the registers regs_dirty marks,
 *		check the VM's state with interrupts off
 *		(khv_vcpu_enter_guest()), enter, and after the exit copy the
 *		registers the hardware keeps into regs[] (regs.h). An exit
 *		whose row allows it is handled there and the guest entered
 *		again (khv_exit_reenter()), until an exit that needs KHV_RUN's
 *		loop.
 *		Return: enum khv_entry.
 * @handle_exit: right after @vcpu_run returned KHV_ENTRY_EXITED, with
 *		nothing in between but @exit_event (khv_event_after_exit()):
 *		count the exit and run its row of the
 *		backend's exit table (struct khv_exit_handler, exit.h); after
 *		KHV_ENTRY_HANDLED, return khv_exit_handled(). It
 *		ends what @vcpu_run began: on VMX the VMCS stays current, and
 *		interrupts and preemption off, until it returns.
 *		Return: as a handler: 1 = enter again, 0 = return to user
 *		space with vcpu->run filled, -errno.
 * @get_sregs, @set_sregs: segment and control registers; the setter
 *		returns -EINVAL for values the hardware would refuse.
 * @get_msr:	read an allow-listed MSR; -EINVAL for any other. From an
 *		ioctl, or from an exit handler (RDMSR).
 * @set_msr:	check (and, with @apply, write) an allow-listed MSR;
 *		-EINVAL for any other or for a value it may not hold. From an
 *		ioctl, or from an exit handler (WRMSR).
 *
 * The rest are for exit handlers only, in the exit context of @handle_exit:
 *
 * @skip_instruction: move RIP past the instruction that exited, and end an
 *		STI or MOV SS interrupt shadow (the instruction it covered is
 *		done).
 *		@len is its length for hardware that does not report it (SVM
 *		without NRIP save); prefixes are not counted there.
 * @get_cpl:	the guest's current privilege level.
 * @get_cpu_mode: its control registers, EFER and code segment.
 * @get_segment: segment register @nr (KHV_SEG_*).
 * @set_dr7:	the guest's DR7 for the next entry (VMCS guest DR7, VMCB
 *		DR7); the core keeps the value (struct khv_dr). Also before an
 *		entry, as @set_cr2 (a pending #DB's payload, event.c).
 * @insn_bytes:	optional: the bytes at the guest's RIP that the hardware
 *		gave with the exit (SVM decode assists), at most @len; 0 when
 *		it gave none and khv_fetch_insn() reads guest memory.
 * @set_cr2:	the guest's CR2 (a page fault's address), from an exit
 *		handler or before an entry.
 *
 * Event injection: the core chooses (event.c), the backend writes. These run
 * in khv_vcpu_enter_guest() (interrupts off; on VMX the VMCS current),
 * @exit_event in the exit context of @handle_exit, right before it. RFLAGS
 * is regs[]'s (regs.h), which may not be in the VMCS/VMCB yet:
 *
 * @interrupt_allowed: could an external interrupt be delivered now:
 *		RFLAGS.IF set and no STI or MOV SS shadow (on SVM also GIF,
 *		which a khv guest cannot clear: CLGI raises #UD).
 * @nmi_allowed: could an NMI: NMIs not masked (an earlier one's IRET not
 *		yet done) and no STI or MOV SS shadow.
 * @inject_event: deliver @ev at this entry: VMX VM-entry interruption
 *		information, error code and instruction length (SDM Vol. 3C
 *		26.6); SVM EVENTINJ (APM 15.20). An NMI masks NMIs until the
 *		guest's IRET (VMX virtual-NMI blocking; SVM tracks it and
 *		intercepts IRET). A software event (never chosen, event.c) may
 *		be refused.
 * @request_irq_window: @open: make the guest exit as soon as it can take an
 *		external interrupt (VMX interrupt-window exiting; SVM a dummy
 *		V_IRQ that ignores the TPR, with the VINTR intercept, as KVM's
 *		svm_set_vintr()); else no longer. The window's exit handler
 *		closes it and returns 1.
 * @request_nmi_window: @open: make the guest exit as soon as it can take an
 *		NMI (VMX NMI-window exiting, or the interrupt window while an
 *		STI shadow lasts; SVM the IRET intercept, then a single step
 *		over the IRET or the shadow); else cancel what can be.
 * @exit_event: after an exit: the event whose delivery it interrupted (VMX
 *		IDT-vectoring information, SVM EXITINTINFO) into @ev, which the
 *		core zeroed; none for a software event (its instruction runs
 *		again) or after a refused entry, which delivered nothing and
 *		may have been refused for the event it carried. The backend
 *		clears what it injected and recovers NMI masking (VMX: an NMI
 *		whose delivery faulted is not blocked; an IRET that faulted
 *		still blocks; SVM: an IRET the guest got past unmasks).
 *
 * From an ioctl too (the backend loads its state, as for @get_msr):
 *
 * @get_interrupt_shadow: the STI/MOV SS shadow in effect now,
 *		KHV_INTERRUPT_SHADOW_* (SVM has one bit: both).
 * @set_interrupt_shadow: set it (VMX: MOV SS where both are asked).
 * @get_nmi_mask: are NMIs masked (until an IRET)?
 * @set_nmi_mask: mask or unmask them.
 *
 * The guest's CR8, which the in-kernel APIC keeps equal to TPR bits 7:4
 * (lapic.c), from an ioctl, an exit handler or before an entry:
 *
 * @get_cr8:	CR8 as the guest last left it (SVM: V_TPR, which a MOV to
 *		CR8 writes without an exit under V_INTR_MASKING; VMX: the
 *		value its CR8 exits keep).
 * @set_cr8:	set it, 0-15.
 * @cr8_intercept: optional: @on: a MOV to CR8 must exit, as an interrupt
 *		waits only for a lower TPR (SVM's CR8 write intercept; VMX
 *		exits on every CR8 access and has none).
 */
struct khv_arch_ops {
	const char *name;
	u32 vendor;
	const char *kvm_module;
	int (*probe)(void);
	void (*describe)(char *buf, size_t len);
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	bool (*cpu_virt_on)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	void (*cpu_release)(void);
	const struct khv_pt_format *pt_format;
	unsigned int vcpu_size;
	int (*vcpu_create)(struct khv_vcpu *vcpu);
	void (*vcpu_free)(struct khv_vcpu *vcpu);
	void (*vcpu_load)(struct khv_vcpu *vcpu);
	void (*vcpu_put)(struct khv_vcpu *vcpu);
	enum khv_entry (*vcpu_run)(struct khv_vcpu *vcpu);
	int (*handle_exit)(struct khv_vcpu *vcpu);
	void (*get_sregs)(struct khv_vcpu *vcpu, struct khv_sregs *sregs);
	int (*set_sregs)(struct khv_vcpu *vcpu, const struct khv_sregs *sregs);
	int (*get_msr)(struct khv_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply);
	void (*skip_instruction)(struct khv_vcpu *vcpu, unsigned int len);
	unsigned int (*get_cpl)(struct khv_vcpu *vcpu);
	void (*get_cpu_mode)(struct khv_vcpu *vcpu, struct khv_cpu_mode *m);
	void (*get_segment)(struct khv_vcpu *vcpu, unsigned int nr,
			    struct khv_segment *seg);
	void (*set_dr7)(struct khv_vcpu *vcpu, u64 dr7);
	unsigned int (*insn_bytes)(struct khv_vcpu *vcpu, u8 *buf,
				   unsigned int len);
	void (*set_cr2)(struct khv_vcpu *vcpu, u64 cr2);
	bool (*interrupt_allowed)(struct khv_vcpu *vcpu);
	bool (*nmi_allowed)(struct khv_vcpu *vcpu);
	void (*inject_event)(struct khv_vcpu *vcpu, const struct khv_event *ev);
	void (*request_irq_window)(struct khv_vcpu *vcpu, bool open);
	void (*request_nmi_window)(struct khv_vcpu *vcpu, bool open);
	void (*exit_event)(struct khv_vcpu *vcpu, struct khv_event *ev);
	u8 (*get_interrupt_shadow)(struct khv_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct khv_vcpu *vcpu, u8 mask);
	bool (*get_nmi_mask)(struct khv_vcpu *vcpu);
	void (*set_nmi_mask)(struct khv_vcpu *vcpu, bool masked);
	u8 (*get_cr8)(struct khv_vcpu *vcpu);
	void (*set_cr8)(struct khv_vcpu *vcpu, u8 cr8);
	void (*cr8_intercept)(struct khv_vcpu *vcpu, bool on);
};

extern const struct khv_arch_ops khv_vmx_ops;
extern const struct khv_arch_ops khv_svm_ops;

#endif /* KHV_ARCH_H */
