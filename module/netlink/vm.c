// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vm object: vm-get (one by id, or a dump of every VM the caller may
 * view), vm-set (name, tags) and the lifecycle from outside: vm-pause,
 * vm-resume, vm-destroy. Every operation checks its grant before any effect;
 * every refusal says which attribute and why in the extack; every change and
 * every denial is audited. A caller who may not view a VM learns nothing of
 * it: it is refused exactly as if the VM did not exist, names it cannot see
 * are free to it, and the dump leaves it out
 * (Documentation/admin-guide.rst, "What a caller learns").
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>

#include "audit.h"
#include "khv.h"
#include "mgmt.h"
#include "netlink.h"
#include "policy.h"
#include "quota.h"
#include "quota_run.h"

/*
 * Serialises vm-set, so that two administrators cannot give two VMs the same
 * name at once. Taken before any VM's lock.
 */
static DEFINE_MUTEX(khv_nl_name_lock);

/* vm-get's dump, over cb->args: the smallest id not yet dumped, and who. */
struct khv_nl_vm_dump {
	u64 next_id;
	struct khv_subject subject;
};

static_assert(sizeof(struct khv_nl_vm_dump) <=
	      sizeof_field(struct netlink_callback, args));

/* enum khv_exit_stat and the exit-stats attributes are in the same order. */
static_assert(KHV_A_EXIT_STATS_MAX - KHV_A_EXIT_STATS_INTR + 1 == KHV_STAT_NR);

static int khv_nl_vm_fill_exits(struct sk_buff *skb, struct khv_vm *vm,
				unsigned int *nr_vcpus)
{
	u64 stats[KHV_STAT_NR];
	struct nlattr *nest;
	unsigned int i;

	khv_vm_exit_stats(vm, stats, nr_vcpus);
	nest = nla_nest_start(skb, KHV_A_VM_EXITS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < KHV_STAT_NR; i++) {
		if (nla_put_u64_64bit(skb, KHV_A_EXIT_STATS_INTR + i, stats[i],
				      KHV_A_EXIT_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The CPU cap, weight and reservation, the I/O limits and their usage. */
static int khv_nl_vm_fill_run_quota(struct sk_buff *skb,
				    const struct khv_run_usage *u)
{
	return nla_put_u32(skb, KHV_A_VM_CPU_CAP, u->cpu_cap) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_IO_EXITS_RATE, u->io_exits_rate,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_IO_BYTES_RATE, u->io_bytes_rate,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_GUEST_NS, u->guest_ns,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_THROTTLED_NS, u->throttled_ns,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_THROTTLES, u->throttles,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_IO_EXITS, u->io_exits,
				 KHV_A_VM_PAD) ||
	       nla_put_u64_64bit(skb, KHV_A_VM_IO_BYTES, u->io_bytes,
				 KHV_A_VM_PAD) ||
	       nla_put_u32(skb, KHV_A_VM_CPU_WEIGHT, u->cpu_weight) ||
	       nla_put_u32(skb, KHV_A_VM_CPU_RESERVATION, u->cpu_resv) ?
	       -EMSGSIZE : 0;
}

int khv_nl_vm_fill(struct sk_buff *skb, struct khv_vm *vm, u32 portid,
		   u32 seq, int flags, u8 cmd)
{
	struct khv_mem_quota quota;
	struct khv_run_usage use;
	unsigned int nr_vcpus;
	void *hdr;
	int r;

	khv_quota_vm_get(vm, &quota);
	khv_run_quota_get(vm, &use);
	hdr = genlmsg_put(skb, portid, seq, &khv_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&vm->lock);
	r = nla_put_string(skb, KHV_A_VM_NAME, vm->name) ||
	    nla_put_string(skb, KHV_A_VM_TAGS, vm->tags) ||
	    nla_put_u32(skb, KHV_A_VM_STATE, vm->state);
	mutex_unlock(&vm->lock);
	/* The family lives in the initial namespaces only (not netnsok). */
	if (r ||
	    nla_put_u64_64bit(skb, KHV_A_VM_ID, vm->id, KHV_A_VM_PAD) ||
	    nla_put_u32(skb, KHV_A_VM_OWNER_UID,
			from_kuid_munged(&init_user_ns, vm->owner)) ||
	    nla_put_u32(skb, KHV_A_VM_PID, vm->pid) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_CREATED_NS, vm->created,
			      KHV_A_VM_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_MEM_BYTES,
			      READ_ONCE(vm->mem_bytes), KHV_A_VM_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_MEM_MIN, quota.min, KHV_A_VM_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_MEM_MAX, quota.max, KHV_A_VM_PAD) ||
	    nla_put_u32(skb, KHV_A_VM_MEM_PRIORITY, quota.priority) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_MEM_ALLOCATED, quota.alloc,
			      KHV_A_VM_PAD) ||
	    nla_put_u64_64bit(skb, KHV_A_VM_MEM_DENIALS, quota.denials,
			      KHV_A_VM_PAD) ||
	    khv_nl_vm_fill_run_quota(skb, &use) ||
	    khv_nl_vm_fill_exits(skb, vm, &nr_vcpus) ||
	    nla_put_u32(skb, KHV_A_VM_NR_VCPUS, nr_vcpus)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* By id or by name (khv_nl_pre_vm()). */
int khv_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int r;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	r = khv_nl_vm_fill(msg, khv_nl_vm(info), info->snd_portid,
			   info->snd_seq, 0, KHV_CMD_VM_GET);
	if (r) {
		nlmsg_free(msg);
		return r;
	}
	return genlmsg_reply(msg, info);
}

/* In the sending task: who asks, for this call and the continuations. */
int khv_nl_vm_get_start(struct netlink_callback *cb)
{
	struct khv_nl_vm_dump *d = (void *)cb->args;

	khv_nl_subject_hold(&d->subject, cb);
	return 0;
}

int khv_nl_vm_get_done(struct netlink_callback *cb)
{
	struct khv_nl_vm_dump *d = (void *)cb->args;

	khv_nl_subject_put(&d->subject);
	return 0;
}

/*
 * The VMs the caller may not view are left out, as if they did not exist.
 * A continuation runs in whichever task reads the socket: the caller is
 * the one who sent the request (khv_nl_vm_get_start()).
 */
int khv_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct khv_nl_vm_dump *d = (void *)cb->args;
	u64 id = d->next_id;
	struct khv_vm *vm;
	int r;

	while ((vm = khv_vm_get_next(&id))) {
		r = 0;
		if (khv_grant_allows(&d->subject, KHV_GRANT_OP_VIEW, vm))
			r = khv_nl_vm_fill(skb, vm, NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI,
					   KHV_CMD_VM_GET);
		khv_vm_put(vm);
		if (r)
			break;	/* the skb is full: this VM goes in the next */
		id++;
	}
	d->next_id = id;
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

/*
 * Is @name taken by a live VM other than @self that @s may view? A VM @s
 * may not view does not count: refusing its name would tell @s that it
 * exists. khv_nl_name_lock held.
 */
static bool khv_nl_name_taken(const struct khv_subject *s, const char *name,
			      struct khv_vm *self)
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
			if (taken)
				taken = khv_grant_allows(s, KHV_GRANT_OP_VIEW,
							 vm);
		}
		khv_vm_put(vm);
		id++;
	}
	return taken;
}

/* "name=NAME tags=TAGS" of what a VM has or is to have. */
static void khv_nl_vm_desc(char *buf, size_t len, const char *name,
			   const char *tags)
{
	scnprintf(buf, len, "name=%s tags=%s", name, tags);
}

/* Validate the request's name and tags: 0, or -EINVAL with the extack. */
static int khv_nl_vm_set_check(struct genl_info *info)
{
	struct nlattr *name = info->attrs[KHV_A_VM_NAME];
	struct nlattr *tags = info->attrs[KHV_A_VM_TAGS];

	if (!name && !tags) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: no name or tags attribute");
		return -EINVAL;
	}
	if (name && !khv_nl_name_valid(nla_data(name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "VM name must be 1 to 63 printable ASCII characters");
		return -EINVAL;
	}
	if (tags && !khv_tags_valid(nla_data(tags))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tags,
				    "tags: at most 8, comma-separated, each 1 to 31 of [A-Za-z0-9_.-], no duplicates");
		return -EINVAL;
	}
	return 0;
}

/*
 * vm-set's grants: set for the name; tag for the tags, both with the tags
 * the VM has and with those it is to have, so that a tag rule's cover can
 * be changed only by whoever it allows to (a tag deny keeps its holder from
 * adding the tag and from taking it away). khv_nl_name_lock held: vm-set
 * is the only writer of tags.
 */
static bool khv_nl_vm_set_allows(const struct khv_subject *s,
				 struct khv_vm *vm, struct genl_info *info)
{
	struct nlattr *tags = info->attrs[KHV_A_VM_TAGS];

	lockdep_assert_held(&khv_nl_name_lock);
	if (info->attrs[KHV_A_VM_NAME] &&
	    !khv_grant_allows(s, KHV_GRANT_OP_SET, vm))
		return false;
	/* The policy made the tags a NUL-terminated string. */
	return !tags || (khv_grant_allows(s, KHV_GRANT_OP_TAG, vm) &&
			 khv_grant_allows_tags(s, KHV_GRANT_OP_TAG, vm,
					       nla_data(tags)));
}

int khv_nl_vm_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[KHV_A_VM_NAME];
	struct nlattr *tags = info->attrs[KHV_A_VM_TAGS];
	char old[KHV_AUDIT_VAL_MAX], new[KHV_AUDIT_VAL_MAX];
	bool changed = false;
	struct khv_subject s;
	struct khv_vm *vm;
	int r;

	/* The request alone first: its answer must not depend on the VM. */
	r = khv_nl_vm_set_check(info);
	if (r)
		return r;
	vm = khv_nl_vm_from_attr(info, KHV_A_VM_ID);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	khv_nl_subject(&s, skb);
	mutex_lock(&khv_nl_name_lock);
	if (!khv_nl_vm_set_allows(&s, vm, info) &&
	    !netlink_capable(skb, CAP_SYS_ADMIN)) {
		khv_nl_vm_desc(new, sizeof(new),
			       name ? (char *)nla_data(name) : "",
			       tags ? (char *)nla_data(tags) : "");
		r = khv_nl_vm_refused(info, info->attrs[KHV_A_VM_ID], &s, vm,
				      KHV_AUDIT_OP_VM_SET, new, false);
		goto out_unlock;
	}
	if (name && khv_nl_name_taken(&s, nla_data(name), vm)) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "another VM has this name");
		r = -EEXIST;
		mutex_unlock(&khv_nl_name_lock);
		goto out_audit;
	}
	mutex_lock(&vm->lock);
	khv_nl_vm_desc(old, sizeof(old), vm->name, vm->tags);
	if (name && strcmp(vm->name, nla_data(name))) {
		strscpy(vm->name, nla_data(name), sizeof(vm->name));
		changed = true;
	}
	if (tags && strcmp(vm->tags, nla_data(tags))) {
		strscpy(vm->tags, nla_data(tags), sizeof(vm->tags));
		changed = true;
	}
	khv_nl_vm_desc(new, sizeof(new), vm->name, vm->tags);
	mutex_unlock(&vm->lock);
	mutex_unlock(&khv_nl_name_lock);
	if (changed)
		khv_nl_vm_notify(vm, KHV_CMD_VM_CHANGE_NTF);
	khv_audit_vm(KHV_AUDIT_OP_VM_SET, vm, old, new, 0);
	goto out_put_vm;

out_unlock:
	mutex_unlock(&khv_nl_name_lock);
	goto out_put_vm;
out_audit:
	khv_nl_vm_desc(new, sizeof(new), name ? (char *)nla_data(name) : "",
		       tags ? (char *)nla_data(tags) : "");
	khv_audit_vm(KHV_AUDIT_OP_VM_SET, vm, "", new, r);
out_put_vm:
	khv_vm_put(vm);
	return r;
}

/*
 * vm-pause, vm-resume, vm-destroy: one state change, audited; the grant was
 * checked by khv_nl_pre_vm().
 */
static int khv_nl_vm_state_doit(struct genl_info *info, u32 state,
				u32 audit_op)
{
	struct khv_vm *vm = khv_nl_vm(info);
	u32 old;
	int r;

	r = khv_vm_set_state(vm, state, &old);
	if (r)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KHV_A_VM_ID],
				    "the VM is destroyed: it cannot run again");
	khv_audit_vm(audit_op, vm, khv_vm_state_name(old),
		     khv_vm_state_name(state), r);
	return r;
}

int khv_nl_vm_pause_doit(struct sk_buff *skb, struct genl_info *info)
{
	return khv_nl_vm_state_doit(info, KHV_VM_STATE_PAUSED,
				    KHV_AUDIT_OP_VM_PAUSE);
}

int khv_nl_vm_resume_doit(struct sk_buff *skb, struct genl_info *info)
{
	return khv_nl_vm_state_doit(info, KHV_VM_STATE_RUNNING,
				    KHV_AUDIT_OP_VM_RESUME);
}

int khv_nl_vm_destroy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return khv_nl_vm_state_doit(info, KHV_VM_STATE_DEAD,
				    KHV_AUDIT_OP_VM_DESTROY);
}
