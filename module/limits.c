// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-user limits (Documentation/admin-guide.rst, "Limits"): how many VMs one
 * user, the creator's effective uid, may have at once, so that no user can
 * take all of the host's KHV_MAX_VMS. Set at load (max_vms_per_user) and by
 * host-set (netlink, audited). CAP_SYS_ADMIN is not limited.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "khv.h"
#include "mgmt.h"

static int khv_max_vms_per_user_set(const char *val,
				    const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, KHV_MAX_VMS);
}

static const struct kernel_param_ops khv_max_vms_per_user_ops = {
	.set = khv_max_vms_per_user_set,
	.get = param_get_uint,
};

/* Read without a lock by the check: a change applies to later creations. */
static unsigned int max_vms_per_user = KHV_MAX_VMS_PER_USER;
module_param_cb(max_vms_per_user, &khv_max_vms_per_user_ops,
		&max_vms_per_user, 0444);
MODULE_PARM_DESC(max_vms_per_user,
		 "VMs one user may have at once (1 to 1024; netlink host-set changes it)");

/*
 * HY-SR-4: a VM has no more vCPUs than the host has online CPUs, unless the
 * administrator allows more (up to KHV_MAX_VCPUS): vCPUs are threads, and
 * an SMP guest may well have more of them than the host has CPUs.
 */
static bool vcpu_overcommit;
module_param(vcpu_overcommit, bool, 0644);
MODULE_PARM_DESC(vcpu_overcommit,
		 "Let a VM have more vCPUs than online CPUs, up to 64 (default: no)");

/* KHV_CAP_MAX_VCPUS: the vCPU ids a VM may use now. */
unsigned int khv_max_vcpus(void)
{
	if (READ_ONCE(vcpu_overcommit))
		return KHV_MAX_VCPUS;
	return min_t(unsigned int, KHV_MAX_VCPUS, num_online_cpus());
}

/* Protects khv_user_vms: uid (initial namespace) -> its live VMs, a value entry. */
static DEFINE_MUTEX(khv_users_lock);
static DEFINE_XARRAY(khv_user_vms);

u32 khv_max_vms_per_user(void)
{
	return READ_ONCE(max_vms_per_user);
}

/**
 * khv_set_max_vms_per_user() - host-set's limit.
 * @max: 1 .. KHV_MAX_VMS (the netlink policy checks).
 *
 * VMs over a lowered limit live on; their users create no more until they
 * are under it.
 * Return: the limit before.
 */
u32 khv_set_max_vms_per_user(u32 max)
{
	return xchg(&max_vms_per_user, max);
}

static unsigned long khv_user_key(kuid_t uid)
{
	return from_kuid(&init_user_ns, uid);
}

/**
 * khv_user_vm_get() - count a new VM of @uid, within its limit.
 * @uid: the creator's effective uid.
 *
 * Return: 0 (undo with khv_user_vm_put()); -EDQUOT when @uid has its
 * max_vms_per_user VMs already and current lacks CAP_SYS_ADMIN; -ENOMEM.
 */
int khv_user_vm_get(kuid_t uid)
{
	unsigned long key = khv_user_key(uid), n;
	void *e;
	int r = 0;

	mutex_lock(&khv_users_lock);
	e = xa_load(&khv_user_vms, key);
	n = e ? xa_to_value(e) : 0;
	/* The override is not a refusal: no LSM record for it (noaudit). */
	if (n >= khv_max_vms_per_user() &&
	    !ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		r = -EDQUOT;
	else
		r = xa_err(xa_store(&khv_user_vms, key, xa_mk_value(n + 1),
				    GFP_KERNEL_ACCOUNT));
	mutex_unlock(&khv_users_lock);
	return r;
}

/**
 * khv_user_vm_put() - a VM of @uid is gone.
 * @uid: the uid khv_user_vm_get() counted it for.
 */
void khv_user_vm_put(kuid_t uid)
{
	unsigned long key = khv_user_key(uid), n;
	void *e;

	mutex_lock(&khv_users_lock);
	e = xa_load(&khv_user_vms, key);
	n = e ? xa_to_value(e) : 0;
	if (WARN_ON_ONCE(!n))
		goto out;
	/* Replacing a present entry allocates nothing: it cannot fail. */
	if (n == 1)
		xa_erase(&khv_user_vms, key);
	else
		xa_store(&khv_user_vms, key, xa_mk_value(n - 1), GFP_KERNEL);
out:
	mutex_unlock(&khv_users_lock);
}

/* Module unload: no VM is left, so neither is an entry. */
void khv_limits_exit(void)
{
	WARN_ON_ONCE(!xa_empty(&khv_user_vms));
	xa_destroy(&khv_user_vms);
}
