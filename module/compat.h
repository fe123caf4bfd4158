/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel API differences between the kernels khv supports (6.1, 6.12,
 * 7.3; Documentation/admin-guide.rst, "Kernels") live here and nowhere else.
 */
#ifndef KHV_COMPAT_H
#define KHV_COMPAT_H

#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
/* 6.16 moved cpuid_eax() and friends out of <asm/processor.h>. */
#ifdef KHV_HAVE_ASM_CPUID_API
#include <asm/cpuid/api.h>
#endif
/* 6.2 moved load_gs_index() out of <asm/special_insns.h>. */
#ifdef KHV_HAVE_ASM_GSSEG
#include <asm/gsseg.h>
#endif

/* 6.16 renamed rdmsrl()/wrmsrl() to rdmsrq()/wrmsrq(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define khv_rdmsr(msr, val)		rdmsrq(msr, val)
#define khv_wrmsr(msr, val)		wrmsrq(msr, val)
#define khv_rdmsr_safe(msr, p)		rdmsrq_safe(msr, p)
#define khv_wrmsr_safe(msr, val)	wrmsrq_safe(msr, val)
#else
#define khv_rdmsr(msr, val)		rdmsrl(msr, val)
#define khv_wrmsr(msr, val)		wrmsrl(msr, val)
#define khv_rdmsr_safe(msr, p)		rdmsrl_safe(msr, p)
#define khv_wrmsr_safe(msr, val)	wrmsrl_safe(msr, val)
#endif

/*
 * FRED (6.9+) delivers events without the IDT: khv's VMX backend hands a
 * guest-time NMI to the host with INT 2, which only works through the IDT.
 */
#ifdef X86_FEATURE_FRED
#define khv_fred_enabled()	cpu_feature_enabled(X86_FEATURE_FRED)
#else
#define khv_fred_enabled()	false
#endif

/* 6.12 (and backports): VERW before VMRUN/VM entry has a feature of its own. */
#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
#define khv_clear_cpu_buf_vm()	cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF_VM)
#else
#define khv_clear_cpu_buf_vm()	false
#endif

/*
 * VMSCAPE (6.17, backported to the stable kernels): after a guest ran, the
 * host asks for an IBPB before its user space runs again.
 */
#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
#define KHV_IBPB_EXIT_TO_USER()	cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER)
#define khv_set_ibpb_exit_to_user()	this_cpu_write(x86_ibpb_exit_to_user, true)
#else
#define KHV_IBPB_EXIT_TO_USER()	false
#define khv_set_ibpb_exit_to_user()	do { } while (0)
#endif

/*
 * Since 6.19 the kernel core owns VMX/SVM enabling (arch/x86/virt/hw.c) and
 * exports it, and the CR4 helpers, to KVM only: khv may not switch
 * virtualization on itself there and shares it with KVM instead.
 */
#define KHV_CAN_OWN_VIRT	(LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0))

/*
 * Since 6.12 KVM switches virtualization on when it loads and keeps it on
 * until it unloads (kvm.enable_virt_at_load=Y, the default). Before, KVM has
 * it on only while it has a VM, and switches it off under anyone sharing it.
 */
#define KHV_KVM_VIRT_AT_LOAD	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/*
 * 6.19 replaced struct syscore_ops (callbacks without arguments) by struct
 * syscore, whose callbacks take a context pointer; Debian backported it to
 * 6.12, so Kbuild probes the header for it (KHV_HAVE_STRUCT_SYSCORE).
 */
#include <linux/syscore_ops.h>
#ifdef KHV_HAVE_STRUCT_SYSCORE
#define KHV_DEFINE_SYSCORE(name, suspend_fn, resume_fn)			\
	static int name##_do_suspend(void *data) { return suspend_fn(); } \
	static void name##_do_resume(void *data) { resume_fn(); }	\
	static const struct syscore_ops name##_ops = {			\
		.suspend = name##_do_suspend,				\
		.resume = name##_do_resume,				\
	};								\
	static struct syscore name = { .ops = &name##_ops }
#define khv_register_syscore(s)		register_syscore(s)
#define khv_unregister_syscore(s)	unregister_syscore(s)
#else
#define KHV_DEFINE_SYSCORE(name, suspend_fn, resume_fn)			\
	static struct syscore_ops name = {				\
		.suspend = suspend_fn,					\
		.resume = resume_fn,					\
	}
#define khv_register_syscore(s)		register_syscore_ops(s)
#define khv_unregister_syscore(s)	unregister_syscore_ops(s)
#endif

/*
 * khv_kunit.ko tests functions that khv.ko exports to KUnit only; 6.13
 * turned symbol namespaces from identifiers into strings.
 */
#include <kunit/visibility.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define KHV_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define KHV_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/*
 * 6.2 gave the extack a buffer for formatted messages (NL_SET_ERR_MSG_FMT);
 * 6.1 says @plain, the same message without its numbers (no_printk() only
 * checks the format against its arguments).
 */
#include <linux/netlink.h>
#ifdef NL_SET_ERR_MSG_FMT
#define KHV_NL_SET_ERR_MSG_FMT(extack, plain, fmt, args...) do {	\
	BUILD_BUG_ON(sizeof(plain) > NETLINK_MAX_FMTMSG_LEN);		\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##args);			\
} while (0)
#else
#define KHV_NL_SET_ERR_MSG_FMT(extack, plain, fmt, args...) do {	\
	NL_SET_ERR_MSG(extack, plain);					\
	no_printk(fmt, ##args);						\
} while (0)
#endif

/* 6.3 made vma->vm_flags read-only outside the helpers (Kbuild probes). */
#include <linux/mm.h>
#ifdef KHV_HAVE_VM_FLAGS_SET
#define khv_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define khv_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * 6.6 gave a dump's callback a whole struct genl_info (genl_info_dump());
 * before, struct genl_dumpit_info had the parsed attributes itself.
 */
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define khv_genl_dump_attrs(cb)		(genl_info_dump(cb)->attrs)
#else
#define khv_genl_dump_attrs(cb)		(genl_dumpit_info(cb)->attrs)
#endif

/*
 * 6.2 split a family's operations into one per do and dump (struct
 * genl_split_ops) and hands the family's pre_doit and post_doit the one that
 * runs; 6.1 hands them the struct genl_ops. Both have cmd and internal_flags.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define khv_genl_op			genl_split_ops
#else
#define khv_genl_op			genl_ops
#endif

/* 6.13 replaced hrtimer_init() and the function assignment by hrtimer_setup(). */
#include <linux/hrtimer.h>
#ifdef KHV_HAVE_HRTIMER_SETUP
#define khv_hrtimer_setup(t, fn, clock, mode)	hrtimer_setup(t, fn, clock, mode)
#else
static inline void khv_hrtimer_setup(struct hrtimer *t,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(t, clock, mode);
	t->function = fn;
}
#endif

/* How KVM hands a guest's machine check to the host's handler. */
#define khv_do_machine_check(regs)	do_machine_check(regs)

/*
 * And how it lets the host judge a guest's split lock: on 7.3
 * handle_guest_split_lock() is exported to KVM only, which Kbuild reads in
 * Module.symvers (KHV_NO_GUEST_SPLIT_LOCK). Without it, false: the guest
 * may not go on (khv_vcpu_alignment_check()).
 */
#include <asm/cpu.h>
static inline bool khv_handle_guest_split_lock(unsigned long ip)
{
#ifdef KHV_NO_GUEST_SPLIT_LOCK
	return false;
#else
	return handle_guest_split_lock(ip);
#endif
}

/*
 * The IOMMU API (module/iommu/). 6.11 added iommu_paging_domain_alloc(dev),
 * a domain for the device's own IOMMU, and 7.x removed the bus-wide
 * iommu_domain_alloc() of 6.1, which returned NULL rather than an error
 * (Kbuild probes, KHV_HAVE_IOMMU_PAGING_DOMAIN_ALLOC). 6.3 gave
 * iommu_map() the allocation flags of its page tables.
 */
#include <linux/err.h>
#include <linux/iommu.h>
static inline struct iommu_domain *khv_iommu_domain_alloc(struct device *dev)
{
#ifdef KHV_HAVE_IOMMU_PAGING_DOMAIN_ALLOC
	return iommu_paging_domain_alloc(dev);
#else
	struct iommu_domain *d = iommu_domain_alloc(dev->bus);

	return d ? d : ERR_PTR(-ENOMEM);
#endif
}

static inline int khv_iommu_map(struct iommu_domain *domain, unsigned long iova,
				phys_addr_t paddr, size_t size, int prot)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL_ACCOUNT);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

#endif /* KHV_COMPAT_H */
