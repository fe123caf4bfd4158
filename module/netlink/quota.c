// SPDX-License-Identifier: GPL-2.0-only
/*
 * quota-set: a VM's memory guarantee (mem-min), cap (mem-max) and priority
 * (mem-priority), CPU cap
 * (cpu-cap), weight (cpu-weight) and reservation (cpu-reservation) and I/O
 * limits (io-exits-rate, io-bytes-rate), by id or by name
 * (grant op set-quota, checked by khv_nl_pre_vm()); and the words of a
 * refusal by the host's pool, for quota-set and host-set alike
 * (Documentation/admin-guide.rst, "Quotas"). Every change and every refusal
 * by the pool is audited with the old and the new values.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <net/genetlink.h>

#include "audit.h"
#include "compat.h"
#include "khv.h"
#include "netlink.h"
#include "quota.h"
#include "quota_run.h"

/**
 * khv_nl_quota_refused() - say in the extack which limit a change breaks.
 * @extack: the request's.
 * @limit:  KHV_QUOTA_OVER_BUDGET or _OVER_COMMIT (quota.h).
 * @excess: by how many bytes (U64_MAX: the sum would not fit in 64 bits).
 */
void khv_nl_quota_refused(struct netlink_ext_ack *extack,
			  enum khv_quota_limit limit, u64 excess)
{
	if (limit == KHV_QUOTA_OVER_COMMIT)
		KHV_NL_SET_ERR_MSG_FMT(extack,
				       "caps exceed mem-budget, mem-overcommit off",
				       "caps exceed mem-budget by %llu bytes, mem-overcommit off",
				       excess);
	else
		KHV_NL_SET_ERR_MSG_FMT(extack,
				       "charges (mem-min or allocated) exceed mem-budget",
				       "charges (mem-min or allocated) exceed mem-budget by %llu bytes",
				       excess);
}

/* The words of a refused cpu-reservation (khv_quota_cpu_resv_set()). */
static void khv_nl_quota_resv_refused(struct genl_info *info, int r,
				      u64 excess)
{
	if (r == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "the VM's memory is freed");
	else
		KHV_NL_SET_ERR_MSG_FMT(info->extack,
				       "cpu-reservation x vCPUs exceeds cpu-budget",
				       "cpu-reservation x vCPUs exceeds cpu-budget by %llu percent",
				       excess);
}

/*
 * A byte count attribute (mem-min, mem-max and the host's defaults of them):
 * page-granular, or -EINVAL with the extack. @val is left alone without it.
 */
int khv_nl_page_bytes(struct genl_info *info, int type, u64 *val)
{
	struct nlattr *attr = info->attrs[type];

	if (!attr)
		return 0;
	*val = nla_get_u64(attr);
	if (!PAGE_ALIGNED(*val)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "must be a multiple of the page size");
		return -EINVAL;
	}
	return 0;
}

/* The memory part of the VM's quotas, and the rest as @r says. */
static void khv_nl_quota_desc(char *buf, size_t len,
			      const struct khv_mem_quota *q,
			      const struct khv_run_usage *r)
{
	scnprintf(buf, len,
		  "mem-min=%llu mem-max=%llu mem-priority=%u cpu-cap=%u io-exits-rate=%llu io-bytes-rate=%llu cpu-weight=%u cpu-reservation=%u",
		  q->min, q->max, q->priority, r->cpu_cap, r->io_exits_rate,
		  r->io_bytes_rate, r->cpu_weight, r->cpu_resv);
}

/*
 * The CPU cap, weight, reservation and I/O limits a request sets, into @r
 * (the VM's now): whether it sets any. The policy bounded them (the spec's
 * checks: ERANGE before the request gets here).
 */
static bool khv_nl_quota_run_req(struct genl_info *info,
				 struct khv_run_usage *r)
{
	struct nlattr **a = info->attrs;

	if (a[KHV_A_VM_CPU_CAP])
		r->cpu_cap = nla_get_u32(a[KHV_A_VM_CPU_CAP]);
	if (a[KHV_A_VM_IO_EXITS_RATE])
		r->io_exits_rate = nla_get_u64(a[KHV_A_VM_IO_EXITS_RATE]);
	if (a[KHV_A_VM_IO_BYTES_RATE])
		r->io_bytes_rate = nla_get_u64(a[KHV_A_VM_IO_BYTES_RATE]);
	if (a[KHV_A_VM_CPU_WEIGHT])
		r->cpu_weight = nla_get_u32(a[KHV_A_VM_CPU_WEIGHT]);
	if (a[KHV_A_VM_CPU_RESERVATION])
		r->cpu_resv = nla_get_u32(a[KHV_A_VM_CPU_RESERVATION]);
	return a[KHV_A_VM_CPU_CAP] || a[KHV_A_VM_IO_EXITS_RATE] ||
	       a[KHV_A_VM_IO_BYTES_RATE] || a[KHV_A_VM_CPU_WEIGHT] ||
	       a[KHV_A_VM_CPU_RESERVATION];
}

/* Apply @r's values that the request names (the policy checked them). */
static void khv_nl_quota_run_set(struct genl_info *info, struct khv_vm *vm,
				 const struct khv_run_usage *r)
{
	struct nlattr **attrs = info->attrs;

	khv_run_quota_set(vm, attrs[KHV_A_VM_CPU_CAP] ? &r->cpu_cap : NULL,
			  attrs[KHV_A_VM_CPU_WEIGHT] ? &r->cpu_weight : NULL,
			  attrs[KHV_A_VM_IO_EXITS_RATE] ? &r->io_exits_rate :
							  NULL,
			  attrs[KHV_A_VM_IO_BYTES_RATE] ? &r->io_bytes_rate :
							  NULL);
}

/* Audit a quota-set, old -> new (its own frame: the words are long). */
static noinline void khv_nl_quota_audit(struct khv_vm *vm,
					const struct khv_mem_quota *old,
					const struct khv_run_usage *old_run,
					const struct khv_mem_quota *new,
					const struct khv_run_usage *new_run,
					int r)
{
	/* khv_nl_quota_desc(): 8 names and 8 numbers of up to 20 digits */
	char old_desc[256], new_desc[256];

	khv_nl_quota_desc(old_desc, sizeof(old_desc), old, old_run);
	khv_nl_quota_desc(new_desc, sizeof(new_desc), new, new_run);
	khv_audit_vm(KHV_AUDIT_OP_QUOTA_SET, vm, r ? "" : old_desc, new_desc, r);
}

int khv_nl_quota_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *min_attr = info->attrs[KHV_A_VM_MEM_MIN];
	struct nlattr *max_attr = info->attrs[KHV_A_VM_MEM_MAX];
	struct nlattr *prio_attr = info->attrs[KHV_A_VM_MEM_PRIORITY];
	struct nlattr *resv_attr = info->attrs[KHV_A_VM_CPU_RESERVATION];
	struct khv_vm *vm = khv_nl_vm(info);
	u64 resv_excess;
	u32 old_resv = 0;
	struct khv_run_usage old_run, new_run;
	struct khv_mem_quota old, new;
	enum khv_quota_limit limit;
	u64 min = 0, max = 0, excess;
	u32 prio = 0;
	bool run_req;
	int r;

	khv_run_quota_get(vm, &old_run);
	new_run = old_run;
	run_req = khv_nl_quota_run_req(info, &new_run);
	if (!min_attr && !max_attr && !prio_attr && !run_req) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: no mem-min, mem-max, mem-priority, cpu-cap, cpu-weight, cpu-reservation, io-exits-rate or io-bytes-rate attribute");
		return -EINVAL;
	}
	/* The policy bounded it (ERANGE before the request gets here). */
	if (prio_attr)
		prio = nla_get_u32(prio_attr);
	r = khv_nl_page_bytes(info, KHV_A_VM_MEM_MIN, &min);
	if (!r)
		r = khv_nl_page_bytes(info, KHV_A_VM_MEM_MAX, &max);
	if (r)
		return r;
	/* The reservation first: taken back if the memory part is refused. */
	if (resv_attr) {
		r = khv_quota_cpu_resv_set(vm, new_run.cpu_resv, &old_resv,
					   &excess);
		if (r) {
			khv_quota_vm_get(vm, &old);
			new = old;
			khv_nl_quota_resv_refused(info, r, excess);
			goto audit;
		}
	}
	r = khv_quota_vm_set(vm, min_attr ? &min : NULL, max_attr ? &max : NULL,
			     prio_attr ? &prio : NULL, &old, &new, &limit,
			     &excess);
	/* Giving back: admitted. */
	if (r && resv_attr)
		khv_quota_cpu_resv_set(vm, old_resv, &old_resv, &resv_excess);
	switch (r) {
	case 0:
		break;
	case -ENOENT:
		NL_SET_ERR_MSG(info->extack, "the VM's memory is freed");
		break;
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(info->extack, min_attr ?: max_attr,
				    "mem-min is above mem-max");
		break;
	case -EBUSY:
		KHV_NL_SET_ERR_MSG_FMT(info->extack,
				       "mem-max is below the VM's allocated memory",
				       "mem-max is below the VM's allocated memory by %llu bytes",
				       excess);
		break;
	default:
		khv_nl_quota_refused(info->extack, limit, excess);
		break;
	}
	/* The memory part admitted (or unchanged): the rest cannot fail. */
	if (!r && run_req)
		khv_nl_quota_run_set(info, vm, &new_run);
audit:
	khv_nl_quota_audit(vm, &old, &old_run, &new, &new_run, r);
	if (!r && (old.min != new.min || old.max != new.max ||
		   old.priority != new.priority ||
		   old_run.cpu_cap != new_run.cpu_cap ||
		   old_run.cpu_weight != new_run.cpu_weight ||
		   old_run.cpu_resv != new_run.cpu_resv ||
		   old_run.io_exits_rate != new_run.io_exits_rate ||
		   old_run.io_bytes_rate != new_run.io_bytes_rate))
		khv_nl_vm_notify(vm, KHV_CMD_VM_CHANGE_NTF);
	return r;
}
