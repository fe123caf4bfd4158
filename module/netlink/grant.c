// SPDX-License-Identifier: GPL-2.0-only
/*
 * The grant object: grant-add, grant-del, grant-get (dump). Only
 * CAP_SYS_ADMIN manages grants; refusals and changes are audited.
 */
#include <linux/capability.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <uapi/linux/khv_netlink_names.h>

#include "audit.h"
#include "khv.h"
#include "netlink.h"
#include "policy.h"

static const char *const khv_nl_grant_ops[] = KHV_GRANT_OP_NAMES;

/* "uid 1000 view vm 3 allow", for audit records. */
static void khv_nl_grant_desc(char *buf, size_t len,
			      const struct khv_grant_rule *g)
{
	char object[KHV_TAG_MAX + 8];
	const char *op = "?";

	if (g->op < ARRAY_SIZE(khv_nl_grant_ops) && khv_nl_grant_ops[g->op])
		op = khv_nl_grant_ops[g->op];
	if (g->object_type == KHV_GRANT_OBJECT_VM)
		snprintf(object, sizeof(object), "vm %llu", g->vm_id);
	else if (g->object_type == KHV_GRANT_OBJECT_TAG)
		snprintf(object, sizeof(object), "tag %s", g->tag);
	else
		strscpy(object, "all", sizeof(object));
	scnprintf(buf, len, "%s %u %s %s %s",
		  g->subject_type == KHV_GRANT_SUBJECT_UID ? "uid" : "gid",
		  g->subject, op, object,
		  g->action == KHV_GRANT_ACTION_DENY ? "deny" : "allow");
}

/* Build a rule from the request: 0, or -EINVAL with the extack. */
static int khv_nl_grant_parse(struct genl_info *info,
			      struct khv_grant_rule *g)
{
	static const int required[] = {
		KHV_A_GRANT_SUBJECT_TYPE, KHV_A_GRANT_SUBJECT, KHV_A_GRANT_OP,
		KHV_A_GRANT_OBJECT_TYPE, KHV_A_GRANT_ACTION,
	};
	struct nlattr **tb = info->attrs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (GENL_REQ_ATTR_CHECK(info, required[i])) {
			NL_SET_ERR_MSG(info->extack,
				       "a grant needs subject-type, subject, op, object-type and action");
			return -EINVAL;
		}
	}
	memset(g, 0, sizeof(*g));
	g->subject_type = nla_get_u32(tb[KHV_A_GRANT_SUBJECT_TYPE]);
	g->subject = nla_get_u32(tb[KHV_A_GRANT_SUBJECT]);
	g->op = nla_get_u32(tb[KHV_A_GRANT_OP]);
	g->object_type = nla_get_u32(tb[KHV_A_GRANT_OBJECT_TYPE]);
	g->action = nla_get_u32(tb[KHV_A_GRANT_ACTION]);

	switch (g->object_type) {
	case KHV_GRANT_OBJECT_VM:
		if (GENL_REQ_ATTR_CHECK(info, KHV_A_GRANT_VM_ID)) {
			NL_SET_ERR_MSG(info->extack, "object vm needs vm-id");
			return -EINVAL;
		}
		g->vm_id = nla_get_u64(tb[KHV_A_GRANT_VM_ID]);
		break;
	case KHV_GRANT_OBJECT_TAG:
		if (GENL_REQ_ATTR_CHECK(info, KHV_A_GRANT_TAG)) {
			NL_SET_ERR_MSG(info->extack, "object tag needs tag");
			return -EINVAL;
		}
		if (!khv_tag_valid(nla_data(tb[KHV_A_GRANT_TAG]))) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_GRANT_TAG],
					    "a tag is 1 to 31 of [A-Za-z0-9_.-]");
			return -EINVAL;
		}
		strscpy(g->tag, nla_data(tb[KHV_A_GRANT_TAG]), sizeof(g->tag));
		break;
	}
	if (g->object_type != KHV_GRANT_OBJECT_VM && tb[KHV_A_GRANT_VM_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_GRANT_VM_ID],
				    "vm-id is for object vm only");
		return -EINVAL;
	}
	if (g->object_type != KHV_GRANT_OBJECT_TAG && tb[KHV_A_GRANT_TAG]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_GRANT_TAG],
				    "tag is for object tag only");
		return -EINVAL;
	}
	if (g->op == KHV_GRANT_OP_CREATE &&
	    g->object_type != KHV_GRANT_OBJECT_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_GRANT_OBJECT_TYPE],
				    "op create takes object all (there is no VM yet)");
		return -EINVAL;
	}
	return 0;
}

int khv_nl_grant_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	char desc[KHV_AUDIT_VAL_MAX], object[24];
	struct khv_grant_rule g;
	struct sk_buff *msg;
	void *hdr;
	u32 id = 0;
	int r;

	r = khv_nl_grant_parse(info, &g);
	if (r)
		return r;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	khv_nl_grant_desc(desc, sizeof(desc), &g);
	r = khv_grant_add(&g, &id);
	if (r == -EEXIST)
		NL_SET_ERR_MSG(info->extack, "the same rule exists already");
	else if (r == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "too many grant rules (256)");
	snprintf(object, sizeof(object), "grant %u", id);
	khv_audit(KHV_AUDIT_OP_GRANT_ADD, g.vm_id, object, "", desc, r);
	if (r)
		goto err_free;
	hdr = genlmsg_put_reply(msg, info, &khv_nl_family, 0,
				KHV_CMD_GRANT_ADD);
	if (!hdr || nla_put_u32(msg, KHV_A_GRANT_ID, id)) {
		r = -EMSGSIZE;
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return r;
}

int khv_nl_grant_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	char desc[KHV_AUDIT_VAL_MAX] = "", object[24];
	struct khv_grant_rule g;
	u32 id, found;
	int r;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_GRANT_ID)) {
		NL_SET_ERR_MSG(info->extack, "grant id attribute missing");
		return -EINVAL;
	}
	id = nla_get_u32(info->attrs[KHV_A_GRANT_ID]);
	found = id;
	if (khv_grant_get_next(&found, &g) && found == id)
		khv_nl_grant_desc(desc, sizeof(desc), &g);
	r = khv_grant_del(id);
	if (r)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KHV_A_GRANT_ID],
				    "no grant rule with this id");
	snprintf(object, sizeof(object), "grant %u", id);
	khv_audit(KHV_AUDIT_OP_GRANT_DEL, 0, object, desc, "", r);
	return r;
}

static int khv_nl_grant_fill(struct sk_buff *skb,
			     const struct khv_grant_rule *g, u32 portid,
			     u32 seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &khv_nl_family, NLM_F_MULTI,
			  KHV_CMD_GRANT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KHV_A_GRANT_ID, g->id) ||
	    nla_put_u32(skb, KHV_A_GRANT_SUBJECT_TYPE, g->subject_type) ||
	    nla_put_u32(skb, KHV_A_GRANT_SUBJECT, g->subject) ||
	    nla_put_u32(skb, KHV_A_GRANT_OP, g->op) ||
	    nla_put_u32(skb, KHV_A_GRANT_OBJECT_TYPE, g->object_type) ||
	    nla_put_u32(skb, KHV_A_GRANT_ACTION, g->action) ||
	    (g->object_type == KHV_GRANT_OBJECT_VM &&
	     nla_put_u64_64bit(skb, KHV_A_GRANT_VM_ID, g->vm_id,
			       KHV_A_GRANT_PAD)) ||
	    (g->object_type == KHV_GRANT_OBJECT_TAG &&
	     nla_put_string(skb, KHV_A_GRANT_TAG, g->tag))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * cb->args[0]: the smallest rule id not yet dumped. The first call runs in
 * the sending task and checks it; the continuations, in whichever task
 * reads the socket, go on with that decision.
 */
int khv_nl_grant_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 id = cb->args[0] ?: 1;
	struct khv_grant_rule g;
	int r;

	if (!cb->args[0]) {
		r = khv_nl_dump_admin_check(cb);
		if (r)
			return r;
	}
	while (khv_grant_get_next(&id, &g)) {
		if (khv_nl_grant_fill(skb, &g, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq))
			break;
		id++;
	}
	cb->args[0] = id;
	return skb->len;
}
