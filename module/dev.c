// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/khv: the entry point of a VM's own VMM (Documentation/khv-abi.rst).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "policy.h"
#include "xstate.h"

/*
 * One layout for i386 and x86-64 VMMs (Documentation/khv-abi.rst, "32-bit
 * VMMs"): compat_ptr_ioctl hands a 32-bit VMM's ioctls to the same handlers,
 * which is right only while no uapi structure has padding that the compiler
 * adds. The selftests check every offset with -m32 and -m64 and -Wpadded;
 * the module at least keeps the sizes, which are in the ioctl numbers.
 */
static_assert(sizeof(struct khv_create_vm) == 64);
static_assert(sizeof(struct khv_memory_region) == 64);
static_assert(sizeof(struct khv_create_vcpu) == 32);
static_assert(sizeof(struct khv_regs) == 192);
static_assert(sizeof(struct khv_segment) == 32);
static_assert(sizeof(struct khv_dtable) == 16);
static_assert(sizeof(struct khv_sregs) == 408);
static_assert(sizeof(struct khv_msrs) == 8 + KHV_MAX_MSR_ENTRIES * 16);
static_assert(sizeof(struct khv_cpuid) == 8 + KHV_MAX_CPUID_ENTRIES * 40);
static_assert(sizeof(struct khv_run) == 320);
static_assert(sizeof(struct khv_vcpu_events) == 96);
static_assert(sizeof(struct khv_interrupt) == 16);
static_assert(sizeof(struct khv_xsave) == 4096);
static_assert(sizeof(struct khv_xcrs) == 392);
static_assert(sizeof(struct khv_pci_device) == 32);
static_assert(sizeof(struct khv_device_msi) == 32);
static_assert(sizeof(struct khv_host_mmio) == 48);

long khv_check_extension(unsigned long cap)
{
	switch (cap) {
	case KHV_CAP_VENDOR:
		return khv_arch->vendor;
	case KHV_CAP_NESTED_PAGING:
		return 1;
	case KHV_CAP_VIRT_OWNER:
		return khv_virt_owner();
	case KHV_CAP_MAX_VCPUS:
		/* The online CPUs, unless the administrator allows more. */
		return khv_max_vcpus();
	case KHV_CAP_MAX_VMS:
		return KHV_MAX_VMS;
	case KHV_CAP_VCPU_EVENTS:
	case KHV_CAP_IRQCHIP:
		return 1;
	case KHV_CAP_DEVICE_ASSIGN:
		/* The device still needs an IOMMU (khv-abi.rst). */
		return IS_ENABLED(CONFIG_IOMMU_API);
	case KHV_CAP_XSAVE:
		/* x87 and SSE (3) where the host has no XSAVE. */
		return khv_xs.supported ?: KHV_XF_FP | KHV_XF_SSE;
	default:
		return 0;
	}
}

static long khv_dev_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	struct khv_create_vm create;
	int r;

	switch (cmd) {
	case KHV_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return KHV_API_VERSION;
	case KHV_CHECK_EXTENSION:
		return khv_check_extension(arg);
	case KHV_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return PAGE_SIZE;
	case KHV_CREATE_VM:
		if (copy_from_user(&create, argp, sizeof(create)))
			return -EFAULT;
		r = khv_create_vm_args_check(&create);
		if (r)
			return r;
		/*
		 * Beyond the device's mode, a create grant
		 * (Documentation/admin-guide.rst, "Letting a non-root user
		 * run VMs").
		 */
		r = khv_grant_check(KHV_GRANT_OP_CREATE, NULL);
		if (r) {
			khv_audit(KHV_AUDIT_OP_VM_CREATE, 0, "/dev/khv", "",
				  "", r);
			return r;
		}
		r = khv_vm_create(&create);
		/* The limits' refusals are audited like the grant's. */
		if (r == -ENOSPC || r == -EDQUOT)
			khv_audit(KHV_AUDIT_OP_VM_CREATE, 0, "/dev/khv", "",
				  "", r);
		return r;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations khv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = khv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice khv_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "khv",
	.fops = &khv_dev_fops,
	/*
	 * Root-owned: a non-root VMM needs the device's group or mode changed
	 * and a create grant (Documentation/admin-guide.rst).
	 */
	.mode = 0600,
};

int khv_dev_init(void)
{
	return misc_register(&khv_miscdev);
}

void khv_dev_exit(void)
{
	misc_deregister(&khv_miscdev);
}
