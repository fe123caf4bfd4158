// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vm object: vm-get (one by id, or a dump of every live VM) and vm-set
 * (the name). Every refusal says which attribute and why in the extack.
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>

#include "khv.h"
#include "netlink.h"

/*
 * Serialises vm-set, so that two administrators cannot give two VMs the same
 * name at once. Taken before any VM's lock.
 */
static DEFINE_MUTEX(khv_nl_name_lock);

int khv_nl_vm_fill(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		   u32 seq, int flags, u8 cmd)
{
	void *hdr;
	int r;

	hdr = genlmsg_put(skb, portid, seq, &khv_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&vm->lock);
	r = nla_put_string(skb, KHV_A_VM_NAME, vm->name);
	mutex_unlock(&vm->lock);
	/* The family lives in the initial namespaces only (not netnsok). */
	if (r ||
	    nla_put_u64_64bit(skb, KHV_A_VM_ID, vm->id, KHV_A_VM_PAD) ||
	    nla_put_u32(skb, KHV_A_VM_OWNER_UID,
			from_kuid_munged(&init_user_ns, vm->owner)) ||
	    nla_put_u32(skb, KHV_A_VM_PID, vm->pid) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_CREATED_NS, vm->created,
			      KHV_A_VM_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The live VM with this id, referenced, or NULL. */
static struct khv_vm *khv_nl_vm_lookup(u64 id)
{
	u64 found = id;
	struct khv_vm *vm;

	vm = khv_vm_get_next(&found);
	if (vm && found != id) {
		khv_vm_put(vm);
		vm = NULL;
	}
	return vm;
}

/* The VM named by the request's id attribute, or an error with extack. */
static struct khv_vm *khv_nl_vm_from_info(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KHV_A_VM_ID];
	struct khv_vm *vm;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_VM_ID)) {
		NL_SET_ERR_MSG(info->extack, "VM id attribute missing");
		return ERR_PTR(-EINVAL);
	}
	vm = khv_nl_vm_lookup(nla_get_u64(attr));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no VM with this id");
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

int khv_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct khv_vm *vm;
	int r;

	vm = khv_nl_vm_from_info(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		r = -ENOMEM;
		goto out_put_vm;
	}
	r = khv_nl_vm_fill(msg, vm, info->snd_portid, info->snd_seq, 0,
			   KHV_CMD_VM_GET);
	if (r) {
		nlmsg_free(msg);
		goto out_put_vm;
	}
	r = genlmsg_reply(msg, info);
out_put_vm:
	khv_vm_put(vm);
	return r;
}

/* cb->args[0]: the smallest id not yet dumped. */
int khv_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	u64 id = cb->args[0];
	struct khv_vm *vm;
	int r;

	while ((vm = khv_vm_get_next(&id))) {
		r = khv_nl_vm_fill(skb, vm, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   KHV_CMD_VM_GET);
		khv_vm_put(vm);
		if (r)
			break;	/* the skb is full: this VM goes in the next */
		id++;
	}
	cb->args[0] = id;
	return skb->len;
}

/* 1 to KHV_VM_NAME_MAX - 1 printable ASCII characters (the policy bounds it). */
static bool khv_nl_name_valid(const char *name)
{
	const char *p;

	if (!*name)
		return false;
	for (p = name; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

/* Is @name taken by a live VM other than @self? khv_nl_name_lock held. */
static bool khv_nl_name_taken(const char *name, struct khv_vm *self)
{
	struct khv_vm *vm;
	bool taken = false;
	u64 id = 0;

	lockdep_assert_held(&khv_nl_name_lock);
	while (!taken && (vm = khv_vm_get_next(&id))) {
		if (vm != self) {
			mutex_lock(&vm->lock);
			taken = !strcmp(vm->name, name);
			mutex_unlock(&vm->lock);
		}
		khv_vm_put(vm);
		id++;
	}
	return taken;
}

int khv_nl_vm_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KHV_A_VM_NAME];
	bool changed = false;
	struct khv_vm *vm;
	const char *name;
	int r = 0;

	vm = khv_nl_vm_from_info(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (GENL_REQ_ATTR_CHECK(info, KHV_A_VM_NAME)) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: name attribute missing");
		r = -EINVAL;
		goto out_put_vm;
	}
	name = nla_data(attr);
	if (!khv_nl_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "VM name must be 1 to 63 printable ASCII characters");
		r = -EINVAL;
		goto out_put_vm;
	}

	mutex_lock(&khv_nl_name_lock);
	if (khv_nl_name_taken(name, vm)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "another VM has this name");
		r = -EEXIST;
		goto out_unlock;
	}
	mutex_lock(&vm->lock);
	if (strcmp(vm->name, name)) {
		strscpy(vm->name, name, sizeof(vm->name));
		changed = true;
	}
	mutex_unlock(&vm->lock);
out_unlock:
	mutex_unlock(&khv_nl_name_lock);
	if (changed)
		khv_nl_vm_notify(vm, KHV_CMD_VM_CHANGE_NTF);
out_put_vm:
	khv_vm_put(vm);
	return r;
}
