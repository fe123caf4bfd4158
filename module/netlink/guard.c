// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every operation's preamble, done once: who may (CAP_SYS_ADMIN, or a grant
 * for the VM named), which VM, and the refusal audited. The spec names the
 * hooks (Documentation/netlink/specs/khv.yaml, "pre" and "post" of an
 * operation's do): khv_nl_pre_vm() before the operations on one VM, which
 * find it in khv_nl_vm(info) and drop it in khv_nl_post_vm(), and
 * khv_nl_pre_admin() before those for CAP_SYS_ADMIN only; dumps, which have
 * no such hook on 6.1, call khv_nl_dump_admin_check() in their first call.
 * A caller who may not view a VM learns nothing of it: it is refused
 * exactly as if the VM did not exist (Documentation/admin-guide.rst, "What a
 * caller learns of VMs it may not view").
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"
#include "policy.h"

#define KHV_NL_NO_VM_ID		"no VM with this id"
#define KHV_NL_NO_VM_NAME	"no VM with this name"

/**
 * struct khv_nl_guard - what an operation's preamble checks.
 * @grant_op:  KHV_GRANT_OP_* that allows it on the VM; 0: CAP_SYS_ADMIN only.
 * @audit_op:  KHV_AUDIT_OP_* of a refusal's record.
 * @id_attr:   the attribute of the VM's id.
 * @name_attr: the attribute of its name, if it may be named so (or 0).
 * @object:    a CAP_SYS_ADMIN refusal's object, in words.
 */
struct khv_nl_guard {
	u32 grant_op;
	u32 audit_op;
	u16 id_attr;
	u16 name_attr;
	const char *object;
};

static const struct khv_nl_guard khv_nl_guards[] = {
	[KHV_CMD_VM_GET] = {
		KHV_GRANT_OP_VIEW, KHV_AUDIT_OP_VM_VIEW, KHV_A_VM_ID, KHV_A_VM_NAME,
	},
	[KHV_CMD_VM_PAUSE] = {
		KHV_GRANT_OP_PAUSE_RESUME, KHV_AUDIT_OP_VM_PAUSE, KHV_A_VM_ID,
	},
	[KHV_CMD_VM_RESUME] = {
		KHV_GRANT_OP_PAUSE_RESUME, KHV_AUDIT_OP_VM_RESUME, KHV_A_VM_ID,
	},
	[KHV_CMD_VM_DESTROY] = {
		KHV_GRANT_OP_DESTROY, KHV_AUDIT_OP_VM_DESTROY, KHV_A_VM_ID,
	},
	[KHV_CMD_INTROSPECT_REGS] = {
		KHV_GRANT_OP_INTROSPECT, KHV_AUDIT_OP_INTROSPECT_REGS,
		KHV_A_INTROSPECT_VM_ID,
	},
	[KHV_CMD_INTROSPECT_MEM] = {
		KHV_GRANT_OP_INTROSPECT, KHV_AUDIT_OP_INTROSPECT_MEM,
		KHV_A_INTROSPECT_VM_ID,
	},
	[KHV_CMD_QUOTA_SET] = {
		KHV_GRANT_OP_SET_QUOTA, KHV_AUDIT_OP_QUOTA_SET, KHV_A_VM_ID,
		KHV_A_VM_NAME,
	},
	[KHV_CMD_GRANT_ADD] = { .audit_op = KHV_AUDIT_OP_GRANT_ADD, .object = "grant" },
	[KHV_CMD_GRANT_DEL] = { .audit_op = KHV_AUDIT_OP_GRANT_DEL, .object = "grant" },
	[KHV_CMD_GRANT_GET] = { .audit_op = KHV_AUDIT_OP_GRANT_VIEW, .object = "grants" },
	[KHV_CMD_AUDIT_GET] = {
		.audit_op = KHV_AUDIT_OP_AUDIT_VIEW, .object = "audit ring",
	},
	[KHV_CMD_AUDIT_SET] = {
		.audit_op = KHV_AUDIT_OP_AUDIT_SET, .object = "audit ring",
	},
	[KHV_CMD_HOST_SET] = { .audit_op = KHV_AUDIT_OP_HOST_SET, .object = "host" },
	[KHV_CMD_ACL_ADD] = { .audit_op = KHV_AUDIT_OP_ACL_ADD, .object = "device ACL" },
	[KHV_CMD_ACL_DEL] = { .audit_op = KHV_AUDIT_OP_ACL_DEL, .object = "device ACL" },
	[KHV_CMD_ACL_GET] = { .audit_op = KHV_AUDIT_OP_ACL_VIEW, .object = "device ACL" },
	[KHV_CMD_ACL_SET] = { .audit_op = KHV_AUDIT_OP_ACL_SET, .object = "device ACL" },
};

/* Only the commands the spec gives a hook reach here: never a hole. */
static const struct khv_nl_guard *khv_nl_guard(u8 cmd)
{
	if (WARN_ON_ONCE(cmd >= ARRAY_SIZE(khv_nl_guards) ||
			 !khv_nl_guards[cmd].audit_op))
		return NULL;
	return &khv_nl_guards[cmd];
}

/*
 * CAP_SYS_ADMIN, or a refusal that is audited. @skb is the request, in its
 * doit or in its dump's first call (both run in the sending task). Both the
 * sender and the socket's opener need it (netlink_capable()): a privileged
 * program writing to a socket that someone else opened and handed it is
 * refused.
 */
static int khv_nl_admin_check(const struct sk_buff *skb,
			      struct netlink_ext_ack *extack, u8 cmd)
{
	const struct khv_nl_guard *g = khv_nl_guard(cmd);

	if (!g)
		return -EINVAL;
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "this operation needs CAP_SYS_ADMIN");
	khv_audit(g->audit_op, 0, g->object, "", "", -EPERM);
	return -EPERM;
}

int khv_nl_pre_admin(const struct khv_genl_op *ops, struct sk_buff *skb,
		     struct genl_info *info)
{
	return khv_nl_admin_check(skb, info->extack, ops->cmd);
}

/**
 * khv_nl_dump_admin_check() - khv_nl_pre_admin() for a dump.
 * @cb: the dump, in its first call.
 *
 * Return: 0 or -EPERM (audited, with the extack set).
 */
int khv_nl_dump_admin_check(struct netlink_callback *cb)
{
	const struct genlmsghdr *hdr = nlmsg_data(cb->nlh);

	return khv_nl_admin_check(cb->skb, cb->extack, hdr->cmd);
}

/**
 * khv_nl_vm_from_attr() - the VM named by a VM id attribute.
 * @info: the request.
 * @type: the attribute (KHV_A_VM_ID, KHV_A_INTROSPECT_VM_ID).
 *
 * Return: the VM, referenced, or an ERR_PTR with the extack set.
 */
struct khv_vm *khv_nl_vm_from_attr(struct genl_info *info, int type)
{
	struct nlattr *attr = info->attrs[type];
	struct khv_vm *vm;

	if (GENL_REQ_ATTR_CHECK(info, type)) {
		NL_SET_ERR_MSG(info->extack, "VM id attribute missing");
		return ERR_PTR(-EINVAL);
	}
	vm = khv_vm_lookup(nla_get_u64(attr));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, KHV_NL_NO_VM_ID);
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

/**
 * khv_nl_vm_refused() - refuse an operation on a VM, audited as refused.
 * @info:     the request.
 * @attr:     the attribute that named the VM.
 * @s:        the caller.
 * @vm:       the VM.
 * @audit_op: KHV_AUDIT_OP_* of the record.
 * @new:      the record's new value.
 * @by_name:  @attr is the VM's name, not its id.
 *
 * The caller is told EPERM if it may view the VM; otherwise exactly what it
 * is told of a VM that does not exist (the same extack message, on @attr).
 *
 * Return: -EPERM or -ENOENT.
 */
int khv_nl_vm_refused(struct genl_info *info, struct nlattr *attr,
		      const struct khv_subject *s, struct khv_vm *vm,
		      u32 audit_op, const char *new, bool by_name)
{
	khv_audit_vm(audit_op, vm, "", new, -EPERM);
	if (!khv_grant_allows(s, KHV_GRANT_OP_VIEW, vm)) {
		if (by_name)
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    KHV_NL_NO_VM_NAME);
		else
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    KHV_NL_NO_VM_ID);
		return -ENOENT;
	}
	NL_SET_ERR_MSG_ATTR(info->extack, attr,
			    "no grant allows this operation on this VM");
	return -EPERM;
}

/*
 * The live VM named @name among those @s may view, referenced; NULL if
 * none, or ERR_PTR(-ENOTUNIQ) if @s may view more than one (names are
 * unique among the VMs whoever named them could view, see vm-set).
 */
static struct khv_vm *khv_nl_vm_by_name(const struct khv_subject *s,
					const char *name)
{
	struct khv_vm *vm, *found = NULL;
	bool match;
	u64 id = 0;

	if (!*name)
		return NULL;	/* unnamed VMs are not "" */
	while ((vm = khv_vm_get_next(&id))) {
		mutex_lock(&vm->lock);
		match = !strcmp(vm->name, name);
		mutex_unlock(&vm->lock);
		if (match && khv_grant_allows(s, KHV_GRANT_OP_VIEW, vm)) {
			if (found) {
				khv_vm_put(vm);
				khv_vm_put(found);
				return ERR_PTR(-ENOTUNIQ);
			}
			found = vm;
		} else {
			khv_vm_put(vm);
		}
		id++;
	}
	return found;
}

/*
 * The operation's VM: by id, or by name when it may be named and the
 * request has a name but no id. By name, only the VMs the caller may view
 * are looked at: the others are not found.
 */
static struct khv_vm *khv_nl_vm_target(const struct sk_buff *skb,
				       struct genl_info *info,
				       const struct khv_nl_guard *g)
{
	struct nlattr *name = g->name_attr ? info->attrs[g->name_attr] : NULL;
	struct khv_subject s;
	struct khv_vm *vm;

	if (!name || info->attrs[g->id_attr]) {
		if (name) {
			NL_SET_ERR_MSG_ATTR(info->extack, name,
					    "name the VM by id or by name, not both");
			return ERR_PTR(-EINVAL);
		}
		return khv_nl_vm_from_attr(info, g->id_attr);
	}
	khv_nl_subject(&s, skb);
	vm = khv_nl_vm_by_name(&s, nla_data(name));
	if (IS_ERR(vm))
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "more than one VM has this name: name it by id");
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, name, KHV_NL_NO_VM_NAME);
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

/*
 * Look up the operation's VM and check its grant: 0 with the VM, referenced,
 * in khv_nl_vm(info); or, with the extack set and the refusal audited,
 * -EPERM if the caller may view the VM, -ENOENT (as for no such VM) if not.
 */
int khv_nl_pre_vm(const struct khv_genl_op *ops, struct sk_buff *skb,
		  struct genl_info *info)
{
	const struct khv_nl_guard *g = khv_nl_guard(ops->cmd);
	bool by_name;
	struct khv_subject s;
	struct khv_vm *vm;
	int r;

	if (!g)
		return -EINVAL;
	vm = khv_nl_vm_target(skb, info, g);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	khv_nl_subject(&s, skb);
	if (khv_grant_allows(&s, g->grant_op, vm) ||
	    netlink_capable(skb, CAP_SYS_ADMIN)) {
		info->user_ptr[0] = vm;
		return 0;
	}
	by_name = !info->attrs[g->id_attr];
	r = khv_nl_vm_refused(info, info->attrs[by_name ? g->name_attr :
						g->id_attr],
			      &s, vm, g->audit_op, "", by_name);
	khv_vm_put(vm);
	return r;
}

void khv_nl_post_vm(const struct khv_genl_op *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	khv_vm_put(khv_nl_vm(info));
}
