// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv: a Type-2 hypervisor as a loadable module. Load-time choices: the
 * vendor backend, its checks, and the interfaces to user space.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <asm/processor.h>

#include "audit.h"
#include "compat.h"
#include "khv.h"
#include "mgmt.h"
#include "mitig.h"
#include "netlink/netlink.h"
#include "policy.h"
#include "quota.h"

const struct khv_arch_ops *khv_arch __ro_after_init;

static const struct khv_arch_ops *khv_select_backend(void)
{
	switch (khv_vendor_from_id(boot_cpu_data.x86_vendor_id)) {
	case KHV_VENDOR_INTEL:
		return &khv_vmx_ops;
	case KHV_VENDOR_AMD:
		return &khv_svm_ops;
	default:
		return NULL;
	}
}

static int __init khv_init(void)
{
	const struct khv_arch_ops *ops;
	char what[128];
	int r;

	ops = khv_select_backend();
	if (!ops) {
		pr_err("CPU vendor %s has no backend (Intel VMX or AMD SVM needed)\n",
		       boot_cpu_data.x86_vendor_id);
		return -ENODEV;
	}
	/* The backends' CR4 rules depend on what the host's XSAVE offers. */
	khv_xstate_probe();
	r = ops->probe();
	if (r)
		return r;
	khv_arch = ops;
	r = khv_mitig_init(ops == &khv_vmx_ops);
	if (r)
		return r;

	r = ops->hardware_setup();
	if (r)
		return r;
	khv_quota_init();
	r = khv_audit_init();
	if (r)
		goto err_unsetup;
	r = khv_virt_init();
	if (r)
		goto err_audit;
	r = khv_nl_init();
	if (r)
		goto err_virt;
	r = khv_dev_init();
	if (r)
		goto err_nl;
	khv_debugfs_init();

	ops->describe(what, sizeof(what));
	pr_info("%s\n", what);
	khv_virt_report();
	return 0;

err_nl:
	khv_nl_exit();
err_virt:
	khv_virt_exit();
err_audit:
	khv_audit_exit();
err_unsetup:
	ops->hardware_unsetup();
	return r;
}

static void __exit khv_exit(void)
{
	khv_debugfs_exit();
	khv_dev_exit();
	khv_nl_exit();
	khv_virt_exit();
	khv_grant_exit();
	khv_limits_exit();
	khv_audit_exit();
	khv_arch->hardware_unsetup();
	pr_info("unloaded\n");
}

module_init(khv_init);
module_exit(khv_exit);

MODULE_DESCRIPTION("khv: a Type-2 hypervisor for Intel VMX and AMD SVM");
MODULE_LICENSE("GPL");
