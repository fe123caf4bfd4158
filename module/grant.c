// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grant resolution (Documentation/admin-guide.rst, "Who may do what") and
 * tag syntax: pure functions of their arguments, so that grant_test.c can
 * feed any rule set. Who the caller is and where the rules live is
 * policy.c's business.
 */
#include <linux/bsearch.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "grant.h"

static int khv_grant_gid_cmp(const void *key, const void *elt)
{
	gid_t a = __kgid_val(*(const kgid_t *)key);
	gid_t b = __kgid_val(*(const kgid_t *)elt);

	return a < b ? -1 : a > b;
}

/*
 * Is @gid (initial user namespace) one of the actor's groups? Every one of
 * them: struct group_info is sorted (set_groups()), so a binary search over
 * all of them, as groups_search() does (it is not exported).
 */
static bool khv_grant_in_group(const struct khv_grant_actor *actor, u32 gid)
{
	kgid_t kgid = make_kgid(&init_user_ns, gid);
	const struct group_info *gi = actor->groups;

	if (!gid_valid(kgid))
		return false;
	if (gid == actor->gid)
		return true;
	return gi && gi->ngroups > 0 &&
	       bsearch(&kgid, gi->gid, gi->ngroups, sizeof(gi->gid[0]),
		       khv_grant_gid_cmp);
}

static bool khv_grant_subject_matches(const struct khv_grant_rule *rule,
				      const struct khv_grant_actor *actor)
{
	switch (rule->subject_type) {
	case KHV_GRANT_SUBJECT_UID:
		return rule->subject == actor->uid;
	case KHV_GRANT_SUBJECT_GID:
		return khv_grant_in_group(actor, rule->subject);
	default:
		return false;
	}
}

/* The host (vm_id 0) is covered by object "all" only. */
static bool khv_grant_object_matches(const struct khv_grant_rule *rule,
				     const struct khv_grant_target *target)
{
	switch (rule->object_type) {
	case KHV_GRANT_OBJECT_ALL:
		return true;
	case KHV_GRANT_OBJECT_VM:
		return target->vm_id && rule->vm_id == target->vm_id;
	case KHV_GRANT_OBJECT_TAG:
		return target->vm_id && target->tags &&
		       khv_tags_has(target->tags, rule->tag);
	default:
		return false;
	}
}

/**
 * khv_grant_resolve() - what the rules say about @actor doing @op to @target.
 * @rules:  the rule set.
 * @n:      its size.
 * @actor:  uid and groups (all of them) of the caller.
 * @op:     KHV_GRANT_OP_*.
 * @target: the VM (id and tags), or the host (vm_id 0).
 *
 * A matching deny wins over any number of matching allows, whatever their
 * order or how specific their objects are (deny entries override inherited
 * allows: Documentation/admin-guide.rst, "Who may do what").
 *
 * Return: KHV_GRANT_DENY, KHV_GRANT_ALLOW, or KHV_GRANT_NONE when no rule
 * matches (the caller then denies anyone without CAP_SYS_ADMIN).
 */
enum khv_grant_verdict khv_grant_resolve(const struct khv_grant_rule *rules,
					 unsigned int n,
					 const struct khv_grant_actor *actor,
					 u32 op,
					 const struct khv_grant_target *target)
{
	enum khv_grant_verdict v = KHV_GRANT_NONE;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct khv_grant_rule *rule = &rules[i];

		if (rule->op != op ||
		    !khv_grant_subject_matches(rule, actor) ||
		    !khv_grant_object_matches(rule, target))
			continue;
		if (rule->action == KHV_GRANT_ACTION_DENY)
			return KHV_GRANT_DENY;
		if (rule->action == KHV_GRANT_ACTION_ALLOW)
			v = KHV_GRANT_ALLOW;
	}
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(khv_grant_resolve);

static bool khv_tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Length of the tag at @p: up to ',' or the end; -1 if a character is bad. */
static int khv_tag_len(const char *p)
{
	int len = 0;

	for (; p[len] && p[len] != ','; len++)
		if (!khv_tag_char(p[len]))
			return -1;
	return len;
}

/**
 * khv_tag_valid() - one tag: 1 to KHV_TAG_MAX - 1 of [A-Za-z0-9_.-].
 * @tag: NUL-terminated.
 *
 * Return: whether it is.
 */
bool khv_tag_valid(const char *tag)
{
	int len = khv_tag_len(tag);

	return len > 0 && len < KHV_TAG_MAX && !tag[len];
}
EXPORT_SYMBOL_IF_KUNIT(khv_tag_valid);

/**
 * khv_tags_valid() - a VM's tag list: "" or up to KHV_VM_NR_TAGS valid tags
 *	separated by single commas, none twice, shorter than KHV_VM_TAGS_MAX.
 * @tags: NUL-terminated.
 *
 * Return: whether it is.
 */
bool khv_tags_valid(const char *tags)
{
	const char *p = tags, *q;
	unsigned int nr = 0;
	int len, qlen;

	if (strnlen(tags, KHV_VM_TAGS_MAX) >= KHV_VM_TAGS_MAX)
		return false;
	if (!*tags)
		return true;
	for (;;) {
		len = khv_tag_len(p);
		if (len <= 0 || len >= KHV_TAG_MAX || ++nr > KHV_VM_NR_TAGS)
			return false;
		/* No duplicates: compare with every earlier tag. */
		for (q = tags; q < p; q += qlen + 1) {
			qlen = khv_tag_len(q);
			if (qlen == len && !memcmp(q, p, len))
				return false;
		}
		if (!p[len])
			return true;
		p += len + 1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(khv_tags_valid);

/**
 * khv_tags_has() - is @tag one of the comma-separated @tags?
 * @tags: a list khv_tags_valid() accepted.
 * @tag:  the tag.
 *
 * Return: whether it is (whole tags only: "web" is not in "webs").
 */
bool khv_tags_has(const char *tags, const char *tag)
{
	size_t len = strlen(tag);
	const char *p = tags;
	const char *end;

	if (!len)
		return false;
	while (*p) {
		end = strchrnul(p, ',');
		if ((size_t)(end - p) == len && !memcmp(p, tag, len))
			return true;
		if (!*end)
			break;
		p = end + 1;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(khv_tags_has);
