// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grant rules (Documentation/admin-guide.rst, "Who may do what"): the
 * administrator's table of subject x operation x object -> allow | deny,
 * and the check every management operation and KHV_CREATE_VM makes
 * against it before any effect. CAP_SYS_ADMIN passes every check; anyone
 * else needs a matching allow and no matching deny (grant.c resolves), for
 * every credential the request carries (struct khv_subject).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "khv.h"
#include "policy.h"

/* Protects khv_grants[], khv_nr_grants and khv_grant_next_id. */
static DEFINE_MUTEX(khv_grant_lock);
static struct khv_grant_rule khv_grants[KHV_GRANT_MAX];
static unsigned int khv_nr_grants;
static u32 khv_grant_next_id = 1;

/* What the rules say about @cred doing @op to @target. */
static bool khv_grant_cred_allows(const struct cred *cred, u32 op,
				  const struct khv_grant_target *target)
{
	/* The family lives in the initial namespaces only (not netnsok). */
	const struct khv_grant_actor actor = {
		.uid = from_kuid_munged(&init_user_ns, cred->euid),
		.gid = from_kgid_munged(&init_user_ns, cred->egid),
		.groups = cred->group_info,
	};
	enum khv_grant_verdict v;

	mutex_lock(&khv_grant_lock);
	v = khv_grant_resolve(khv_grants, khv_nr_grants, &actor, op, target);
	mutex_unlock(&khv_grant_lock);
	return v == KHV_GRANT_ALLOW;
}

static bool khv_grant_target_allows(const struct khv_subject *s, u32 op,
				    const struct khv_grant_target *target)
{
	if (s->admin)
		return true;
	if (!khv_grant_cred_allows(s->cred, op, target))
		return false;
	return !s->opener || s->opener == s->cred ||
	       khv_grant_cred_allows(s->opener, op, target);
}

/**
 * khv_grant_allows_tags() - may @s do @op to @vm if it had @tags?
 * @s:    the caller.
 * @op:   KHV_GRANT_OP_*.
 * @vm:   the VM, referenced.
 * @tags: the tag list to match tag rules against (vm-set's new tags).
 *
 * Decides, and has no effect (no audit record; no capability check:
 * @s->admin says).
 *
 * Return: whether it may.
 */
bool khv_grant_allows_tags(const struct khv_subject *s, u32 op,
			   struct khv_vm *vm, const char *tags)
{
	const struct khv_grant_target target = {
		.vm_id = vm->id,
		.tags = tags,
	};

	return khv_grant_target_allows(s, op, &target);
}

/**
 * khv_grant_allows() - may @s do @op to @vm?
 * @s:  the caller.
 * @op: KHV_GRANT_OP_*.
 * @vm: the VM, referenced; NULL for the host (create).
 *
 * Decides, and has no effect: the caller audits a refusal.
 *
 * Return: whether it may.
 */
bool khv_grant_allows(const struct khv_subject *s, u32 op, struct khv_vm *vm)
{
	struct khv_grant_target target = { 0 };
	char tags[KHV_VM_TAGS_MAX];

	if (s->admin)
		return true;
	if (!vm)
		return khv_grant_target_allows(s, op, &target);
	mutex_lock(&vm->lock);
	strscpy(tags, vm->tags, sizeof(tags));
	mutex_unlock(&vm->lock);
	return khv_grant_allows_tags(s, op, vm, tags);
}

/**
 * khv_grant_check() - may current do @op to @vm (an ioctl on /dev/khv)?
 * @op: KHV_GRANT_OP_*.
 * @vm: the VM, referenced; NULL for the host (create).
 *
 * CAP_SYS_ADMIN is looked for without an audit record, as the override it
 * is; only when no grant allows either is it asked for again, audited, so
 * that an LSM records the refusal.
 *
 * Return: 0, or -EPERM. The caller audits the refusal.
 */
int khv_grant_check(u32 op, struct khv_vm *vm)
{
	const struct khv_subject s = {
		.cred = current_cred(),
		.admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN),
	};

	if (khv_grant_allows(&s, op, vm) || capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

/**
 * khv_grant_add() - add a validated rule.
 * @rule: the rule; its id is ignored.
 * @id:   out: the id given to it.
 *
 * Return: 0; -ENOSPC when KHV_GRANT_MAX rules exist; -EEXIST when the same
 * rule (all but the id) exists already.
 */
int khv_grant_add(const struct khv_grant_rule *rule, u32 *id)
{
	struct khv_grant_rule *g;
	unsigned int i;
	int r = 0;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		g = &khv_grants[i];
		if (g->subject_type == rule->subject_type &&
		    g->subject == rule->subject && g->op == rule->op &&
		    g->object_type == rule->object_type &&
		    g->action == rule->action && g->vm_id == rule->vm_id &&
		    !strcmp(g->tag, rule->tag)) {
			*id = g->id;
			r = -EEXIST;
			goto out;
		}
	}
	if (khv_nr_grants == KHV_GRANT_MAX) {
		r = -ENOSPC;
		goto out;
	}
	g = &khv_grants[khv_nr_grants++];
	*g = *rule;
	g->id = khv_grant_next_id++;
	*id = g->id;
out:
	mutex_unlock(&khv_grant_lock);
	return r;
}

/**
 * khv_grant_del() - delete the rule with this id.
 * @id: its id.
 *
 * Return: 0, or -ENOENT.
 */
int khv_grant_del(u32 id)
{
	unsigned int i;
	int r = -ENOENT;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		if (khv_grants[i].id != id)
			continue;
		/* Keep the order: ids stay ascending for dumps. */
		memmove(&khv_grants[i], &khv_grants[i + 1],
			(khv_nr_grants - i - 1) * sizeof(khv_grants[0]));
		khv_nr_grants--;
		memset(&khv_grants[khv_nr_grants], 0, sizeof(khv_grants[0]));
		r = 0;
		break;
	}
	mutex_unlock(&khv_grant_lock);
	return r;
}

/**
 * khv_grant_get_next() - a copy of the rule with the smallest id >= *@id.
 * @id:   where to start; set to the rule's id.
 * @rule: out.
 *
 * Return: whether there is one.
 */
bool khv_grant_get_next(u32 *id, struct khv_grant_rule *rule)
{
	unsigned int i;
	bool found = false;

	mutex_lock(&khv_grant_lock);
	for (i = 0; i < khv_nr_grants; i++) {
		if (khv_grants[i].id >= *id) {
			*rule = khv_grants[i];
			*id = rule->id;
			found = true;
			break;
		}
	}
	mutex_unlock(&khv_grant_lock);
	return found;
}

/* Unload: forget the rules (they are not persistent across loads). */
void khv_grant_exit(void)
{
	mutex_lock(&khv_grant_lock);
	memset(khv_grants, 0, sizeof(khv_grants));
	khv_nr_grants = 0;
	mutex_unlock(&khv_grant_lock);
}
