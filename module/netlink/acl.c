// SPDX-License-Identifier: GPL-2.0-only
/*
 * acl-add, acl-del, acl-get and acl-set: a VM's device ACL and violation
 * action (Documentation/admin-guide.rst, "Device ACLs"), CAP_SYS_ADMIN
 * only (khv_nl_pre_admin(); the dump checks in its first call). Every
 * change is audited with the old and the new values; the audit record is
 * what the monitor group hears (audit-ntf).
 */
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/khv_netlink_names.h>

#include "acl.h"
#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"

/* The range of an acl-add or acl-del: 0, or -EINVAL with the extack. */
static int khv_nl_acl_range(struct genl_info *info, u32 *kind, u64 *first,
			    u64 *last)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_ACL_KIND) ||
	    GENL_REQ_ATTR_CHECK(info, KHV_A_ACL_FIRST) ||
	    GENL_REQ_ATTR_CHECK(info, KHV_A_ACL_LAST)) {
		NL_SET_ERR_MSG(info->extack,
			       "a range needs kind, first and last");
		return -EINVAL;
	}
	*kind = nla_get_u32(tb[KHV_A_ACL_KIND]);
	*first = nla_get_u64(tb[KHV_A_ACL_FIRST]);
	*last = nla_get_u64(tb[KHV_A_ACL_LAST]);
	if (*last < *first) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_ACL_LAST],
				    "last is below first");
		return -EINVAL;
	}
	if (!khv_acl_range_check(*kind, *first, *last))
		return 0;
	if (*kind == KHV_ACL_KIND_MMIO)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_ACL_FIRST],
				    "mmio is whole pages below 2^52");
	else if (*kind == KHV_ACL_KIND_PORT)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_ACL_LAST],
				    "a port is at most 0xffff");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_ACL_LAST],
				    "a PCI function is at most 0xffffffff");
	return -EINVAL;
}

static int khv_nl_acl_change(struct genl_info *info, bool add)
{
	char old[24], new[KHV_ACL_DESC_MAX + 24];
	unsigned int old_n = 0, new_n = 0;
	u64 first, last;
	struct khv_vm *vm;
	u32 kind;
	int r, len;

	vm = khv_nl_vm_from_attr(info, KHV_A_ACL_VM_ID);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = khv_nl_acl_range(info, &kind, &first, &last);
	if (r)
		goto out;
	r = khv_vm_acl_change(vm, add, kind, first, last, &old_n, &new_n);
	if (r == -ENOSPC && add)
		NL_SET_ERR_MSG(info->extack, "the VM's ACL has 64 entries");
	else if (r == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "the split needs a 65th entry");
	else if (r == -ENOENT)
		NL_SET_ERR_MSG(info->extack,
			       "no entry of this kind overlaps the range");
	snprintf(old, sizeof(old), "entries=%u", old_n);
	len = scnprintf(new, sizeof(new), "entries=%u %c", new_n,
			add ? '+' : '-');
	khv_acl_desc(new + len, sizeof(new) - len, kind, first, last);
	khv_audit_vm(add ? KHV_AUDIT_OP_ACL_ADD : KHV_AUDIT_OP_ACL_DEL, vm,
		     old, new, r);
out:
	khv_vm_put(vm);
	return r;
}

int khv_nl_acl_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return khv_nl_acl_change(info, true);
}

int khv_nl_acl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return khv_nl_acl_change(info, false);
}

int khv_nl_acl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const char *const names[] = KHV_ACL_ACTION_NAMES;
	char old_desc[24], new_desc[24];
	struct khv_vm *vm;
	u32 action, old;
	int r;

	vm = khv_nl_vm_from_attr(info, KHV_A_ACL_VM_ID);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (GENL_REQ_ATTR_CHECK(info, KHV_A_ACL_ACTION)) {
		NL_SET_ERR_MSG(info->extack, "action attribute missing");
		r = -EINVAL;
		goto out;
	}
	/* The policy bounded it to a name. */
	action = nla_get_u32(info->attrs[KHV_A_ACL_ACTION]);
	r = khv_vm_acl_set_action(vm, action, &old);
	snprintf(old_desc, sizeof(old_desc), "action=%s", names[old]);
	snprintf(new_desc, sizeof(new_desc), "action=%s", names[action]);
	khv_audit_vm(KHV_AUDIT_OP_ACL_SET, vm, old_desc, new_desc, r);
out:
	khv_vm_put(vm);
	return r;
}

int khv_nl_acl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_acl_policy p;
	struct khv_vm *vm;
	struct sk_buff *msg;
	unsigned int n;
	void *hdr;
	int r = -ENOMEM;

	vm = khv_nl_vm_from_attr(info, KHV_A_ACL_VM_ID);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	khv_vm_acl_state(vm, &p, &n);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &khv_nl_family, 0, KHV_CMD_ACL_GET);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KHV_A_ACL_VM_ID, vm->id, KHV_A_ACL_PAD) ||
	    nla_put_u32(msg, KHV_A_ACL_ACTION, p.action) ||
	    nla_put_u8(msg, KHV_A_ACL_REVOKED, p.revoked) ||
	    nla_put_u64_64bit(msg, KHV_A_ACL_VIOLATIONS, p.violations,
			      KHV_A_ACL_PAD) ||
	    nla_put_u32(msg, KHV_A_ACL_ENTRIES, n)) {
		nlmsg_free(msg);
		r = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
out:
	khv_vm_put(vm);
	return r;
}

static int khv_nl_acl_fill(struct sk_buff *skb, struct netlink_callback *cb,
			   u64 vm_id, const struct khv_acl_entry *e)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &khv_nl_family, NLM_F_MULTI, KHV_CMD_ACL_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KHV_A_ACL_VM_ID, vm_id, KHV_A_ACL_PAD) ||
	    nla_put_u32(skb, KHV_A_ACL_KIND, e->kind) ||
	    nla_put_u64_64bit(skb, KHV_A_ACL_FIRST, e->first, KHV_A_ACL_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_ACL_LAST, e->last, KHV_A_ACL_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The entries of the VM the request names (vm-id), in order; args[0] is
 * the next entry's index + 1 (0: the first call), args[1] the VM's id.
 */
int khv_nl_acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = khv_genl_dump_attrs(cb);
	struct khv_acl_entry e;
	struct khv_vm *vm;
	unsigned int i;
	int r;

	if (!cb->args[0]) {
		r = khv_nl_dump_admin_check(cb);
		if (r)
			return r;
		if (!attrs[KHV_A_ACL_VM_ID]) {
			NL_SET_ERR_MSG(cb->extack, "an ACL dump needs vm-id");
			return -EINVAL;
		}
		cb->args[1] = nla_get_u64(attrs[KHV_A_ACL_VM_ID]);
		cb->args[0] = 1;
	}
	vm = khv_vm_lookup(cb->args[1]);
	if (!vm) {
		if (cb->args[0] > 1)
			return 0;	/* gone meanwhile: the dump ends */
		NL_SET_ERR_MSG(cb->extack, "no VM with this id");
		return -ENOENT;
	}
	for (i = cb->args[0] - 1; khv_vm_acl_entry(vm, i, &e); i++)
		if (khv_nl_acl_fill(skb, cb, vm->id, &e))
			break;
	cb->args[0] = i + 1;
	khv_vm_put(vm);
	return skb->len;
}
