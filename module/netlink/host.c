// SPDX-License-Identifier: GPL-2.0-only
/*
 * host-get: the host's virtualization facts, limits and platform integrity
 * (module signature, kernel taint, lockdown: host-get in
 * Documentation/netlink/specs/khv.yaml). Anyone may ask; the number of VMs
 * counts only those the caller may view. host-set: its limits.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <net/genetlink.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"
#include "policy.h"

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
			khv_max_vms_per_user())) {
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

/* host-set: CAP_SYS_ADMIN; every change is audited with the old value. */
int khv_nl_host_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	char old[16], new[16];
	u32 max;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_HOST_MAX_VMS_PER_USER)) {
		NL_SET_ERR_MSG(info->extack, "host-set needs max-vms-per-user");
		return -EINVAL;
	}
	max = nla_get_u32(info->attrs[KHV_A_HOST_MAX_VMS_PER_USER]);
	snprintf(old, sizeof(old), "%u", khv_set_max_vms_per_user(max));
	snprintf(new, sizeof(new), "%u", max);
	khv_audit(KHV_AUDIT_OP_HOST_SET, 0, "max-vms-per-user", old, new, 0);
	return 0;
}
