/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor boundary: one table of operations, implemented once by the Intel
 * backend (module/vmx/) and once by the AMD backend (module/svm/). Nothing
 * outside those directories knows a VMCS or VMCB field.
 */
#ifndef KHV_ARCH_H
#define KHV_ARCH_H

#include <linux/types.h>

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
};

extern const struct khv_arch_ops khv_vmx_ops;
extern const struct khv_arch_ops khv_svm_ops;

#endif /* KHV_ARCH_H */
