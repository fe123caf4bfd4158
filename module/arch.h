/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor boundary: one table of operations, implemented once by the Intel
 * backend (module/vmx/) and once by the AMD backend (module/svm/). Nothing
 * outside those directories knows a VMCS or VMCB field.
 */
#ifndef KHV_ARCH_H
#define KHV_ARCH_H

#include <linux/types.h>

struct khv_pt_format;
struct khv_regs;
struct khv_sregs;
struct khv_vcpu;
struct khv_vm;

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
 * @vcpu_create: allocate a vCPU (the vendor struct embeds struct khv_vcpu)
 *		in its reset state; ERR_PTR on failure.
 * @vcpu_free:	free it; it never runs again.
 * @vcpu_load:	optional: KHV_RUN starts on this vCPU, in its thread.
 * @vcpu_put:	optional: KHV_RUN ends; before the thread returns to user
 *		space (svm: no guest translation stays in the TLB).
 * @vcpu_run:	enter the guest once and handle the exit: 1 = enter again,
 *		0 = return to user space with vcpu->run filled, -errno.
 * @get_regs:	the core's khv_vcpu_get_regs() in both backends (the
 *		registers live in struct khv_vcpu, regs.h); an op only for
 *		netlink/introspect.c, which should call that directly.
 * @get_sregs, @set_sregs: segment and control registers; the setter
 *		returns -EINVAL for values the hardware would refuse.
 * @get_msr:	read an allow-listed MSR; -EINVAL for any other.
 * @set_msr:	check (and, with @apply, write) an allow-listed MSR;
 *		-EINVAL for any other or for a value it may not hold.
 * @inject_exception: from an exit handler: deliver hardware exception
 *		@vector to the guest at the next entry, with error code @err
 *		where the vector has one and the guest is in protected mode,
 *		and for a page fault with @cr2 as CR2. An exception already
 *		queued (an event whose delivery the exit interrupted) combines
 *		with it as the processor would (khv_exception_merge()).
 *		Return: 1 (enter the guest again), or 0 when the guest shut
 *		down (a triple fault: KHV_EXIT_SHUTDOWN).
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
	struct khv_vcpu *(*vcpu_create)(struct khv_vm *vm, u32 id);
	void (*vcpu_free)(struct khv_vcpu *vcpu);
	void (*vcpu_load)(struct khv_vcpu *vcpu);
	void (*vcpu_put)(struct khv_vcpu *vcpu);
	int (*vcpu_run)(struct khv_vcpu *vcpu);
	void (*get_regs)(struct khv_vcpu *vcpu, struct khv_regs *regs);
	void (*get_sregs)(struct khv_vcpu *vcpu, struct khv_sregs *sregs);
	int (*set_sregs)(struct khv_vcpu *vcpu, const struct khv_sregs *sregs);
	int (*get_msr)(struct khv_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply);
	int (*inject_exception)(struct khv_vcpu *vcpu, u8 vector, u32 err,
				u64 cr2);
};

extern const struct khv_arch_ops khv_vmx_ops;
extern const struct khv_arch_ops khv_svm_ops;

#endif /* KHV_ARCH_H */
