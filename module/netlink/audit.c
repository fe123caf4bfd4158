// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit object: audit-get (the ring's state; a dump of its records from
 * a sequence number on), audit-set (the ring's size), and audit-ntf, each
 * record as the monitor group hears it. CAP_SYS_ADMIN only.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "khv.h"
#include "netlink.h"

static int khv_nl_audit_fill(struct sk_buff *skb,
			     const struct khv_audit_rec *rec, u32 portid,
			     u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &khv_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KHV_A_AUDIT_SEQ, rec->seq, KHV_A_AUDIT_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_AUDIT_TIME_NS, rec->time_ns,
			      KHV_A_AUDIT_PAD) ||
	    nla_put_u32(skb, KHV_A_AUDIT_UID, rec->uid) ||
	    nla_put_u32(skb, KHV_A_AUDIT_PID, rec->pid) ||
	    nla_put_string(skb, KHV_A_AUDIT_COMM, rec->comm) ||
	    nla_put_u32(skb, KHV_A_AUDIT_OP, rec->op) ||
	    nla_put_u64_64bit(skb, KHV_A_AUDIT_VM_ID, rec->vm_id,
			      KHV_A_AUDIT_PAD) ||
	    nla_put_string(skb, KHV_A_AUDIT_OBJECT, rec->object) ||
	    nla_put_string(skb, KHV_A_AUDIT_OLD, rec->old) ||
	    nla_put_string(skb, KHV_A_AUDIT_NEW, rec->new) ||
	    nla_put_s32(skb, KHV_A_AUDIT_RESULT, rec->result)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * khv_nl_audit_notify() - announce an audit record to the monitor group.
 * @rec: the record.
 *
 * Best effort, like khv_nl_vm_notify(): the ring has the record anyway.
 */
void khv_nl_audit_notify(const struct khv_audit_rec *rec)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&khv_nl_family, &init_net, KHV_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (khv_nl_audit_fill(msg, rec, 0, 0, 0, KHV_CMD_AUDIT_NTF)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&khv_nl_family, msg, 0, KHV_NLGRP_MONITOR,
			  GFP_KERNEL);
}

int khv_nl_audit_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_audit_state st;
	struct sk_buff *msg;
	void *hdr;
	int r;

	r = khv_nl_admin_check(skb, info->extack, KHV_AUDIT_OP_AUDIT_VIEW,
			       "audit ring");
	if (r)
		return r;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	khv_audit_get_state(&st);
	hdr = genlmsg_put_reply(msg, info, &khv_nl_family, 0,
				KHV_CMD_AUDIT_GET);
	if (!hdr ||
	    nla_put_u32(msg, KHV_A_AUDIT_RING_SIZE, st.ring_size) ||
	    nla_put_u64_64bit(msg, KHV_A_AUDIT_NEXT_SEQ, st.next_seq,
			      KHV_A_AUDIT_PAD) ||
	    nla_put_u64_64bit(msg, KHV_A_AUDIT_FIRST_SEQ, st.first_seq,
			      KHV_A_AUDIT_PAD) ||
	    nla_put_u64_64bit(msg, KHV_A_AUDIT_LOST, st.lost,
			      KHV_A_AUDIT_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * cb->args[0]: 0 before the first call, then the next sequence number to
 * dump. The request's seq attribute says where to start (default: the
 * oldest record in the ring).
 */
int khv_nl_audit_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = khv_genl_dump_attrs(cb);
	struct khv_audit_rec *rec;
	u64 seq = cb->args[0];
	int r;

	if (!seq) {
		r = khv_nl_admin_check(cb->skb, cb->extack,
				       KHV_AUDIT_OP_AUDIT_VIEW, "audit ring");
		if (r)
			return r;
		seq = attrs[KHV_A_AUDIT_SEQ] ?
		      nla_get_u64(attrs[KHV_A_AUDIT_SEQ]) : 1;
		seq = max_t(u64, seq, 1);
	}
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	while (khv_audit_read(&seq, rec)) {
		if (khv_nl_audit_fill(skb, rec, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI,
				      KHV_CMD_AUDIT_GET))
			break;
		seq++;
	}
	kfree(rec);
	cb->args[0] = seq;
	return skb->len;
}

int khv_nl_audit_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	char old[16], new[16];
	u32 size, prev = 0;
	int r;

	r = khv_nl_admin_check(skb, info->extack, KHV_AUDIT_OP_AUDIT_SET,
			       "audit ring");
	if (r)
		return r;
	if (GENL_REQ_ATTR_CHECK(info, KHV_A_AUDIT_RING_SIZE)) {
		NL_SET_ERR_MSG(info->extack, "ring-size attribute missing");
		return -EINVAL;
	}
	size = nla_get_u32(info->attrs[KHV_A_AUDIT_RING_SIZE]);
	r = khv_audit_resize(size, &prev);
	snprintf(old, sizeof(old), "%u", prev);
	snprintf(new, sizeof(new), "%u", size);
	khv_audit(KHV_AUDIT_OP_AUDIT_SET, 0, "audit ring", old, new, r);
	return r;
}
