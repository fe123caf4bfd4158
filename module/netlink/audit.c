// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit object: audit-get (the ring's state and the denial rate limit; a
 * dump of its records from a sequence number on), audit-set (the ring's size,
 * the rate limit), and audit-ntf, each record as the monitor group hears it.
 * CAP_SYS_ADMIN only.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "audit.h"
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
	    nla_put_s32(skb, KHV_A_AUDIT_RESULT, rec->result) ||
	    (rec->op == KHV_AUDIT_OP_AUDIT_SUPPRESSED &&
	     nla_put_u64_64bit(skb, KHV_A_AUDIT_SUPPRESSED, rec->suppressed,
			       KHV_A_AUDIT_PAD))) {
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
 * Called with the audit lock held, so that listeners hear the records in
 * sequence order. Best effort, like khv_nl_vm_notify(): the ring has the
 * record anyway, and a listener that misses one sees a gap in seq.
 */
void khv_nl_audit_notify(const struct khv_audit_rec *rec)
{
	struct sk_buff *msg = khv_nl_event_new();

	if (msg)
		khv_nl_event_send(msg, khv_nl_audit_fill(msg, rec, 0, 0, 0,
							 KHV_CMD_AUDIT_NTF));
}

int khv_nl_audit_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_audit_state st;
	struct sk_buff *msg;
	void *hdr;

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
			      KHV_A_AUDIT_PAD) ||
	    nla_put_u64_64bit(msg, KHV_A_AUDIT_SUPPRESSED, st.suppressed,
			      KHV_A_AUDIT_PAD) ||
	    nla_put_u32(msg, KHV_A_AUDIT_DENIAL_BURST, st.denial_burst) ||
	    nla_put_u32(msg, KHV_A_AUDIT_DENIAL_INTERVAL, st.denial_interval)) {
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
		r = khv_nl_dump_admin_check(cb);
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

/* "size=N burst=N interval=N", for audit-set's record. */
static void khv_nl_audit_desc(char *buf, size_t len, u32 size, u32 burst,
			      u32 interval)
{
	scnprintf(buf, len, "size=%u burst=%u interval=%u", size, burst,
		  interval);
}

int khv_nl_audit_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct khv_audit_state st;
	char old[48], new[48];
	u32 size, burst, interval;
	int r = 0;

	if (!tb[KHV_A_AUDIT_RING_SIZE] && !tb[KHV_A_AUDIT_DENIAL_BURST] &&
	    !tb[KHV_A_AUDIT_DENIAL_INTERVAL]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: no ring-size, denial-burst or denial-interval attribute");
		return -EINVAL;
	}
	khv_audit_get_state(&st);
	size = tb[KHV_A_AUDIT_RING_SIZE] ?
	       nla_get_u32(tb[KHV_A_AUDIT_RING_SIZE]) : st.ring_size;
	burst = tb[KHV_A_AUDIT_DENIAL_BURST] ?
		nla_get_u32(tb[KHV_A_AUDIT_DENIAL_BURST]) : st.denial_burst;
	interval = tb[KHV_A_AUDIT_DENIAL_INTERVAL] ?
		   nla_get_u32(tb[KHV_A_AUDIT_DENIAL_INTERVAL]) :
		   st.denial_interval;
	khv_nl_audit_desc(old, sizeof(old), st.ring_size, st.denial_burst,
			  st.denial_interval);
	khv_nl_audit_desc(new, sizeof(new), size, burst, interval);
	if (tb[KHV_A_AUDIT_RING_SIZE])
		r = khv_audit_resize(size);
	if (r)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_AUDIT_RING_SIZE],
				    "no memory for a ring this large");
	else if (tb[KHV_A_AUDIT_DENIAL_BURST] || tb[KHV_A_AUDIT_DENIAL_INTERVAL])
		khv_audit_set_limit(burst, interval);
	khv_audit(KHV_AUDIT_OP_AUDIT_SET, 0, "audit ring", old, new, r);
	return r;
}
