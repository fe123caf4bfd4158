// SPDX-License-Identifier: GPL-2.0-only
/*
 * host-get: the host's virtualization facts, limits and platform integrity
 * (module signature, kernel taint, lockdown: host-get in
 * Documentation/netlink/specs/khv.yaml). Anyone may ask; the number of VMs
 * counts only those the caller may view; the guest memory pool
 * (Documentation/admin-guide.rst, "Quotas"). host-set: its limits, memory
 * policy and the quotas new VMs get ("Default quotas").
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <net/genetlink.h>

#include "audit.h"
#include "compat.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"
#include "policy.h"
#include "quota.h"

static u32 khv_nl_module_sig(void)
{
	if (!IS_ENABLED(CONFIG_MODULE_SIG))
		return KHV_MODULE_SIG_NOT_CHECKED;
	return module_sig_ok(THIS_MODULE) ? KHV_MODULE_SIG_VERIFIED :
					    KHV_MODULE_SIG_UNVERIFIED;
}

/* get_taint() is not exported; test_taint() is. */
static u64 khv_nl_taint(void)
{
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < TAINT_FLAGS_COUNT; i++)
		if (test_taint(i))
			mask |= BIT_ULL(i);
	return mask;
}

/*
 * The lockdown mode is a static variable of security/lockdown/; the only
 * export, security_locked_down(), asks about one reason and has effects
 * (a log line when locked down, an audit record from LSMs that mediate it),
 * so the module does not probe with it and says it does not know.
 */
static u32 khv_nl_lockdown(void)
{
	return KHV_LOCKDOWN_UNKNOWN;
}

/* The VMs @s may view: all of them for CAP_SYS_ADMIN. */
static u32 khv_nl_nr_vms(const struct khv_subject *s)
{
	struct khv_vm *vm;
	u32 nr = 0;
	u64 id = 0;

	if (s->admin)
		return khv_vms_alive();
	while ((vm = khv_vm_get_next(&id))) {
		if (khv_grant_allows(s, KHV_GRANT_OP_VIEW, vm))
			nr++;
		khv_vm_put(vm);
		id++;
	}
	return nr;
}

static int khv_nl_host_fill_defaults(struct sk_buff *skb)
{
	struct khv_quota_defaults d;

	khv_quota_defaults_get(&d);
	return nla_put_u64_64bit(skb, KHV_A_HOST_DEFAULT_MEM_MIN, d.mem_min,
				 KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_DEFAULT_MEM_MAX, d.mem_max,
				 KHV_A_HOST_PAD) ||
	       nla_put_u32(skb, KHV_A_HOST_DEFAULT_CPU_CAP, d.cpu_cap) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_DEFAULT_IO_EXITS_RATE,
				 d.io_exits_rate, KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_DEFAULT_IO_BYTES_RATE,
				 d.io_bytes_rate, KHV_A_HOST_PAD) ||
	       nla_put_u32(skb, KHV_A_HOST_DEFAULT_CPU_WEIGHT, d.cpu_weight) ||
	       nla_put_u32(skb, KHV_A_HOST_DEFAULT_MEM_PRIORITY, d.mem_priority);
}

static int khv_nl_host_fill_cpu(struct sk_buff *skb)
{
	u32 budget, reserved;

	khv_quota_cpu_get(&budget, &reserved);
	return nla_put_u32(skb, KHV_A_HOST_CPU_BUDGET, budget) ||
	       nla_put_u32(skb, KHV_A_HOST_CPU_RESERVED, reserved);
}

static int khv_nl_host_fill_mem(struct sk_buff *skb)
{
	struct khv_mem_pool p;

	khv_quota_pool_get(&p);
	return khv_nl_host_fill_defaults(skb) || khv_nl_host_fill_cpu(skb) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_BUDGET, p.budget,
				 KHV_A_HOST_PAD) ||
	       nla_put_u8(skb, KHV_A_HOST_MEM_OVERCOMMIT, p.overcommit) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_ALLOCATED, p.alloc,
				 KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_GUARANTEED, p.min,
				 KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_CAPPED, p.max,
				 KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_CHARGED, p.charge,
				 KHV_A_HOST_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_HOST_MEM_COMMITTED, p.ceiling,
				 KHV_A_HOST_PAD);
}

static int khv_nl_host_fill(struct sk_buff *skb, const struct khv_subject *s,
			    u32 portid, u32 seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &khv_nl_family, 0,
			  KHV_CMD_HOST_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KHV_A_HOST_API_VERSION, KHV_API_VERSION) ||
	    nla_put_u32(skb, KHV_A_HOST_VENDOR,
			khv_check_extension(KHV_CAP_VENDOR)) ||
	    nla_put_u8(skb, KHV_A_HOST_NESTED_PAGING,
		       khv_check_extension(KHV_CAP_NESTED_PAGING)) ||
	    nla_put_u32(skb, KHV_A_HOST_VIRT_OWNER,
			khv_check_extension(KHV_CAP_VIRT_OWNER)) ||
	    nla_put_u32(skb, KHV_A_HOST_MAX_VCPUS,
			khv_check_extension(KHV_CAP_MAX_VCPUS)) ||
	    nla_put_u32(skb, KHV_A_HOST_MAX_VMS,
			khv_check_extension(KHV_CAP_MAX_VMS)) ||
	    nla_put_u32(skb, KHV_A_HOST_NR_VMS, khv_nl_nr_vms(s)) ||
	    nla_put_u32(skb, KHV_A_HOST_MODULE_SIG, khv_nl_module_sig()) ||
	    nla_put_u64_64bit(skb, KHV_A_HOST_TAINT, khv_nl_taint(),
			      KHV_A_HOST_PAD) ||
	    nla_put_u32(skb, KHV_A_HOST_LOCKDOWN, khv_nl_lockdown()) ||
	    nla_put_u32(skb, KHV_A_HOST_MAX_VMS_PER_USER,
			khv_max_vms_per_user()) ||
	    khv_nl_host_fill_mem(skb)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int khv_nl_host_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_subject s;
	struct sk_buff *msg;
	int r;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	khv_nl_subject(&s, skb);
	r = khv_nl_host_fill(msg, &s, info->snd_portid, info->snd_seq);
	if (r) {
		nlmsg_free(msg);
		return r;
	}
	return genlmsg_reply(msg, info);
}

static const char *khv_nl_onoff(bool on)
{
	return on ? "on" : "off";
}

/*
 * host-set's memory policy, applied whole or refused with -EBUSY when the
 * VMs' quotas and allocations already break it; audited either way.
 */
static int khv_nl_host_set_mem(struct genl_info *info)
{
	struct nlattr *budget_attr = info->attrs[KHV_A_HOST_MEM_BUDGET];
	struct nlattr *oc_attr = info->attrs[KHV_A_HOST_MEM_OVERCOMMIT];
	char old[24], new[24];
	enum khv_quota_limit limit;
	struct khv_mem_pool p;
	u64 budget = 0, excess;
	bool oc = false;
	int r = 0;

	if (budget_attr) {
		budget = nla_get_u64(budget_attr);
		if (!PAGE_ALIGNED(budget)) {
			NL_SET_ERR_MSG_ATTR(info->extack, budget_attr,
					    "must be a multiple of the page size");
			return -EINVAL;
		}
	}
	if (oc_attr)
		oc = nla_get_u8(oc_attr);
	limit = khv_quota_host_set(budget_attr ? &budget : NULL,
				   oc_attr ? &oc : NULL, &p, &excess);
	if (limit != KHV_QUOTA_OK) {
		khv_nl_quota_refused(info->extack, limit, excess);
		r = -EBUSY;
	}
	if (budget_attr) {
		snprintf(old, sizeof(old), "%llu", p.budget);
		snprintf(new, sizeof(new), "%llu", budget);
		khv_audit(KHV_AUDIT_OP_HOST_SET, 0, "mem-budget", r ? "" : old,
			  new, r);
	}
	if (oc_attr)
		khv_audit(KHV_AUDIT_OP_HOST_SET, 0, "mem-overcommit",
			  r ? "" : khv_nl_onoff(p.overcommit), khv_nl_onoff(oc),
			  r);
	return r;
}

/*
 * The default quotas the request sets, over the host's now, into @d (the
 * policy bounded cpu-cap, the weight, the priority and the rates): 1 if it
 * sets any, 0 if none, -EINVAL with the extack for a value that cannot be.
 */
static int khv_nl_host_defaults_req(struct genl_info *info,
				    struct khv_quota_defaults *d)
{
	struct nlattr **a = info->attrs;
	int r;

	khv_quota_defaults_get(d);
	r = khv_nl_page_bytes(info, KHV_A_HOST_DEFAULT_MEM_MIN, &d->mem_min);
	if (!r)
		r = khv_nl_page_bytes(info, KHV_A_HOST_DEFAULT_MEM_MAX,
				      &d->mem_max);
	if (r)
		return r;
	if (a[KHV_A_HOST_DEFAULT_CPU_CAP])
		d->cpu_cap = nla_get_u32(a[KHV_A_HOST_DEFAULT_CPU_CAP]);
	if (a[KHV_A_HOST_DEFAULT_IO_EXITS_RATE])
		d->io_exits_rate = nla_get_u64(a[KHV_A_HOST_DEFAULT_IO_EXITS_RATE]);
	if (a[KHV_A_HOST_DEFAULT_IO_BYTES_RATE])
		d->io_bytes_rate = nla_get_u64(a[KHV_A_HOST_DEFAULT_IO_BYTES_RATE]);
	if (a[KHV_A_HOST_DEFAULT_CPU_WEIGHT])
		d->cpu_weight = nla_get_u32(a[KHV_A_HOST_DEFAULT_CPU_WEIGHT]);
	if (a[KHV_A_HOST_DEFAULT_MEM_PRIORITY])
		d->mem_priority = nla_get_u32(a[KHV_A_HOST_DEFAULT_MEM_PRIORITY]);
	if (d->mem_max && d->mem_min > d->mem_max) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[KHV_A_HOST_DEFAULT_MEM_MIN] ?:
				    a[KHV_A_HOST_DEFAULT_MEM_MAX],
				    "default-mem-min is above default-mem-max");
		return -EINVAL;
	}
	return a[KHV_A_HOST_DEFAULT_MEM_MIN] || a[KHV_A_HOST_DEFAULT_MEM_MAX] ||
	       a[KHV_A_HOST_DEFAULT_CPU_CAP] ||
	       a[KHV_A_HOST_DEFAULT_IO_EXITS_RATE] ||
	       a[KHV_A_HOST_DEFAULT_IO_BYTES_RATE] ||
	       a[KHV_A_HOST_DEFAULT_CPU_WEIGHT] ||
	       a[KHV_A_HOST_DEFAULT_MEM_PRIORITY];
}

/* Audit one default that the request names, old -> new. */
static void khv_nl_host_audit_default(struct genl_info *info, int type,
				      const char *name, u64 old, u64 new)
{
	char o[24], n[24];

	if (!info->attrs[type])
		return;
	snprintf(o, sizeof(o), "%llu", old);
	snprintf(n, sizeof(n), "%llu", new);
	khv_audit(KHV_AUDIT_OP_HOST_SET, 0, name, o, n, 0);
}

/* Apply @d (checked by khv_nl_host_defaults_req()) and audit each change. */
static void khv_nl_host_set_defaults(struct genl_info *info,
				     const struct khv_quota_defaults *d)
{
	struct khv_quota_defaults old;

	khv_quota_defaults_get(&old);
	/* Checked above; host-set's are serialised by the family's mutex. */
	WARN_ON_ONCE(!khv_quota_defaults_set(d));
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_MEM_MIN,
				  "default-mem-min", old.mem_min, d->mem_min);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_MEM_MAX,
				  "default-mem-max", old.mem_max, d->mem_max);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_CPU_CAP,
				  "default-cpu-cap", old.cpu_cap, d->cpu_cap);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_IO_EXITS_RATE,
				  "default-io-exits-rate", old.io_exits_rate,
				  d->io_exits_rate);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_IO_BYTES_RATE,
				  "default-io-bytes-rate", old.io_bytes_rate,
				  d->io_bytes_rate);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_CPU_WEIGHT,
				  "default-cpu-weight", old.cpu_weight,
				  d->cpu_weight);
	khv_nl_host_audit_default(info, KHV_A_HOST_DEFAULT_MEM_PRIORITY,
				  "default-mem-priority", old.mem_priority,
				  d->mem_priority);
}

/*
 * host-set's cpu-budget: refused with -EBUSY below the VMs' reservations;
 * audited either way.
 */
static int khv_nl_host_set_cpu(struct genl_info *info, u32 *old)
{
	struct nlattr *attr = info->attrs[KHV_A_HOST_CPU_BUDGET];
	u32 budget = nla_get_u32(attr);
	char o[16], n[16];
	u64 excess;
	int r;

	r = khv_quota_cpu_budget_set(budget, old, &excess);
	if (r)
		KHV_NL_SET_ERR_MSG_FMT(info->extack,
				       "cpu-reservation x vCPUs exceeds cpu-budget",
				       "cpu-reservation x vCPUs exceeds cpu-budget by %llu percent",
				       excess);
	snprintf(o, sizeof(o), "%u", *old);
	snprintf(n, sizeof(n), "%u", budget);
	khv_audit(KHV_AUDIT_OP_HOST_SET, 0, "cpu-budget", r ? "" : o, n, r);
	return r;
}

/*
 * host-set: CAP_SYS_ADMIN; at least one attribute; every change is audited
 * with the old value. The defaults are checked before anything changes.
 */
int khv_nl_host_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *max_attr = info->attrs[KHV_A_HOST_MAX_VMS_PER_USER];
	struct khv_quota_defaults d;
	char old[16], new[16];
	u32 max, old_cpu = 0;
	int defaults;
	u64 excess;
	int r;

	defaults = khv_nl_host_defaults_req(info, &d);
	if (defaults < 0)
		return defaults;
	if (!max_attr && !info->attrs[KHV_A_HOST_MEM_BUDGET] &&
	    !info->attrs[KHV_A_HOST_MEM_OVERCOMMIT] && !defaults &&
	    !info->attrs[KHV_A_HOST_CPU_BUDGET]) {
		NL_SET_ERR_MSG(info->extack,
			       "host-set needs max-vms-per-user, mem-budget, mem-overcommit, cpu-budget or a default-* quota");
		return -EINVAL;
	}
	if (info->attrs[KHV_A_HOST_CPU_BUDGET]) {
		r = khv_nl_host_set_cpu(info, &old_cpu);
		if (r)
			return r;
	}
	if (info->attrs[KHV_A_HOST_MEM_BUDGET] ||
	    info->attrs[KHV_A_HOST_MEM_OVERCOMMIT]) {
		r = khv_nl_host_set_mem(info);
		/* Refused whole: the CPU budget back as it was, if it fits. */
		if (r && info->attrs[KHV_A_HOST_CPU_BUDGET])
			khv_quota_cpu_budget_set(old_cpu, &old_cpu, &excess);
		if (r)
			return r;
	}
	if (defaults)
		khv_nl_host_set_defaults(info, &d);
	if (!max_attr)
		return 0;
	max = nla_get_u32(max_attr);
	snprintf(old, sizeof(old), "%u", khv_set_max_vms_per_user(max));
	snprintf(new, sizeof(new), "%u", max);
	khv_audit(KHV_AUDIT_OP_HOST_SET, 0, "max-vms-per-user", old, new, 0);
	return 0;
}
