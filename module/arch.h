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
 */
enum khv_entry {
	KHV_ENTRY_EXITED,
	KHV_ENTRY_SKIPPED,
	KHV_ENTRY_FAILED,
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
 * @vcpu_run:	enter the guest once: load the registers regs_dirty marks,
 *		check the VM's state with interrupts off
 *		(khv_vcpu_enter_guest()), enter, and after the exit copy the
 *		registers the hardware keeps into regs[] (regs.h).
 *		Return: enum khv_entry.
 * @handle_exit: right after @vcpu_run returned KHV_ENTRY_EXITED, with
 *		nothing in between: count the exit and run its row of the
 *		backend's exit table (struct khv_exit_handler, exit.h). It
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
 *		STI or MOV SS interrupt shadow where the backend tracks one.
 *		@len is its length for hardware that does not report it (SVM
 *		without NRIP save); prefixes are not counted there.
 * @inject_exception: deliver hardware exception @vector to the guest at
 *		the next entry, with error code @err where the vector has one
 *		and the guest is in protected mode, and for a page fault with
 *		@cr2 as CR2. An exception already queued (an event whose
 *		delivery the exit interrupted) combines with it as the
 *		processor would (khv_exception_merge()).
 *		Return: 1 (enter the guest again), or 0 when the guest shut
 *		down (a triple fault: KHV_EXIT_SHUTDOWN).
 * @get_cpl:	the guest's current privilege level.
 * @get_cpu_mode: its control registers, EFER and code segment.
 * @get_segment: segment register @nr (KHV_SEG_*).
 * @set_dr7:	the guest's DR7 for the next entry (VMCS guest DR7, VMCB
 *		DR7); the core keeps the value (struct khv_dr).
 * @insn_bytes:	optional: the bytes at the guest's RIP that the hardware
 *		gave with the exit (SVM decode assists), at most @len; 0 when
 *		it gave none and khv_fetch_insn() reads guest memory.
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
	int (*inject_exception)(struct khv_vcpu *vcpu, u8 vector, u32 err,
				u64 cr2);
	unsigned int (*get_cpl)(struct khv_vcpu *vcpu);
	void (*get_cpu_mode)(struct khv_vcpu *vcpu, struct khv_cpu_mode *m);
	void (*get_segment)(struct khv_vcpu *vcpu, unsigned int nr,
			    struct khv_segment *seg);
	void (*set_dr7)(struct khv_vcpu *vcpu, u64 dr7);
	unsigned int (*insn_bytes)(struct khv_vcpu *vcpu, u8 *buf,
				   unsigned int len);
};

extern const struct khv_arch_ops khv_vmx_ops;
extern const struct khv_arch_ops khv_svm_ops;

#endif /* KHV_ARCH_H */
