// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: grant resolution and tag syntax (grant.c).
 */
#include <kunit/test.h>
#include <linux/cred.h>

#include "compat.h"
#include "grant.h"

#define UID_ALICE	1000
#define UID_BOB		1001
#define GID_OPS		500
#define GID_DEV		501

/* Alice's supplementary groups (GID_OPS): made by khv_grant_test_init(). */
static struct khv_grant_actor alice = { .uid = UID_ALICE, .gid = 100 };

static const struct khv_grant_actor bob = { .uid = UID_BOB, .gid = UID_BOB };

static const struct khv_grant_target vm7 = { .vm_id = 7, .tags = "web,prod" };
static const struct khv_grant_target vm8 = { .vm_id = 8, .tags = "" };
static const struct khv_grant_target host = { .vm_id = 0 };

#define RULE(st, s, o, ot, act, ...) {					\
	.subject_type = KHV_GRANT_SUBJECT_##st, .subject = (s),		\
	.op = KHV_GRANT_OP_##o, .object_type = KHV_GRANT_OBJECT_##ot,	\
	.action = KHV_GRANT_ACTION_##act, __VA_ARGS__ }

static void no_rules_no_verdict(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(NULL, 0, &alice,
						KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_NONE);
}

static void uid_allow_on_one_vm(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(UID, UID_ALICE, VIEW, VM, ALLOW, .vm_id = 7),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &alice, KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_ALLOW);
	/* Another VM, another op, another user: no rule. */
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &alice, KHV_GRANT_OP_VIEW, &vm8),
			KHV_GRANT_NONE);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &alice, KHV_GRANT_OP_DESTROY, &vm7),
			KHV_GRANT_NONE);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &bob, KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_NONE);
}

static void gid_matches_supplementary_group(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(GID, GID_OPS, PAUSE_RESUME, ALL, ALLOW),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &alice, KHV_GRANT_OP_PAUSE_RESUME, &vm8),
			KHV_GRANT_ALLOW);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &bob, KHV_GRANT_OP_PAUSE_RESUME, &vm8),
			KHV_GRANT_NONE);
}

static void uid_rule_does_not_match_same_gid(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(UID, GID_OPS, VIEW, ALL, ALLOW),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 1, &alice, KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_NONE);
}

static void tag_object_matches_whole_tags_only(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(UID, UID_ALICE, INTROSPECT, TAG, ALLOW, .tag = "prod"),
		RULE(UID, UID_ALICE, VIEW, TAG, ALLOW, .tag = "we"),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 2, &alice, KHV_GRANT_OP_INTROSPECT, &vm7),
			KHV_GRANT_ALLOW);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 2, &alice, KHV_GRANT_OP_INTROSPECT, &vm8),
			KHV_GRANT_NONE);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 2, &alice, KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_NONE);
}

static void deny_overrides_allow_in_any_order(struct kunit *test)
{
	const struct khv_grant_rule allow_first[] = {
		RULE(GID, GID_OPS, DESTROY, ALL, ALLOW),
		RULE(UID, UID_ALICE, DESTROY, TAG, DENY, .tag = "prod"),
	};
	const struct khv_grant_rule deny_first[] = {
		RULE(UID, UID_ALICE, DESTROY, VM, DENY, .vm_id = 7),
		RULE(UID, UID_ALICE, DESTROY, VM, ALLOW, .vm_id = 7),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(allow_first, 2, &alice, KHV_GRANT_OP_DESTROY, &vm7),
			KHV_GRANT_DENY);
	/* The deny covers tag prod only: vm 8 keeps the group's allow. */
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(allow_first, 2, &alice, KHV_GRANT_OP_DESTROY, &vm8),
			KHV_GRANT_ALLOW);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(deny_first, 2, &alice, KHV_GRANT_OP_DESTROY, &vm7),
			KHV_GRANT_DENY);
}

static void host_is_covered_by_all_only(struct kunit *test)
{
	const struct khv_grant_rule vm_rule[] = {
		RULE(UID, UID_ALICE, CREATE, VM, ALLOW, .vm_id = 0),
	};
	const struct khv_grant_rule all_rule[] = {
		RULE(UID, UID_ALICE, CREATE, ALL, ALLOW),
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(vm_rule, 1, &alice, KHV_GRANT_OP_CREATE, &host),
			KHV_GRANT_NONE);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(all_rule, 1, &alice, KHV_GRANT_OP_CREATE, &host),
			KHV_GRANT_ALLOW);
}

static void unknown_rule_fields_never_match(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		{ .subject_type = 9, .subject = UID_ALICE, .op = KHV_GRANT_OP_VIEW,
		  .object_type = KHV_GRANT_OBJECT_ALL, .action = KHV_GRANT_ACTION_ALLOW },
		{ .subject_type = KHV_GRANT_SUBJECT_UID, .subject = UID_ALICE,
		  .op = KHV_GRANT_OP_VIEW, .object_type = 9,
		  .action = KHV_GRANT_ACTION_ALLOW },
		{ .subject_type = KHV_GRANT_SUBJECT_UID, .subject = UID_ALICE,
		  .op = KHV_GRANT_OP_VIEW, .object_type = KHV_GRANT_OBJECT_ALL,
		  .action = 9 },
	};

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 3, &alice, KHV_GRANT_OP_VIEW, &vm7),
			KHV_GRANT_NONE);
}

/*
 * A struct group_info of @n groups from @first down, sorted as set_groups()
 * keeps it; freed with the test.
 */
static struct group_info *many_groups(struct kunit *test, int n, u32 first)
{
	struct group_info *gi;
	int i;

	gi = kunit_kzalloc(test, struct_size(gi, gid, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gi);
	refcount_set(&gi->usage, 1);
	gi->ngroups = n;
	for (i = 0; i < n; i++)
		gi->gid[i] = KGIDT_INIT(first - i);
	groups_sort(gi);
	return gi;
}

/* Issue 12: only the first 63 groups used to be looked at. */
static void every_group_matches(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(UID, 2000, PAUSE_RESUME, ALL, ALLOW),
		RULE(GID, 40070, PAUSE_RESUME, ALL, DENY),
		RULE(GID, 40001, VIEW, ALL, ALLOW),
		RULE(GID, 40035, INTROSPECT, ALL, ALLOW),
	};
	struct khv_grant_actor carol = { .uid = 2000, .gid = 2000 };

	carol.groups = many_groups(test, 70, 40070);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 4, &carol, KHV_GRANT_OP_PAUSE_RESUME, &vm8),
			KHV_GRANT_DENY);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 4, &carol, KHV_GRANT_OP_VIEW, &vm8),
			KHV_GRANT_ALLOW);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 4, &carol, KHV_GRANT_OP_INTROSPECT, &vm8),
			KHV_GRANT_ALLOW);
	/* Thousands of groups: all of them count. */
	carol.groups = many_groups(test, 4096, 40070);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 4, &carol, KHV_GRANT_OP_PAUSE_RESUME, &vm8),
			KHV_GRANT_DENY);
	/* Not a member of the highest group: the uid's allow. */
	carol.groups = many_groups(test, 69, 40069);
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 4, &carol, KHV_GRANT_OP_PAUSE_RESUME, &vm8),
			KHV_GRANT_ALLOW);
}

static void effective_gid_matches(struct kunit *test)
{
	const struct khv_grant_rule r[] = {
		RULE(GID, 100, VIEW, ALL, ALLOW),
		RULE(GID, (u32)-1, DESTROY, ALL, ALLOW),
	};
	const struct khv_grant_actor dave = { .uid = 3000, .gid = 100 };
	const struct khv_grant_actor nogid = { .uid = 3001, .gid = (u32)-1 };

	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 2, &dave, KHV_GRANT_OP_VIEW, &vm8),
			KHV_GRANT_ALLOW);
	/* The invalid gid is nobody's group. */
	KUNIT_EXPECT_EQ(test, khv_grant_resolve(r, 2, &nogid, KHV_GRANT_OP_DESTROY, &vm8),
			KHV_GRANT_NONE);
}

static void tag_syntax(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, khv_tag_valid("web"));
	KUNIT_EXPECT_TRUE(test, khv_tag_valid("a.b-c_D9"));
	KUNIT_EXPECT_TRUE(test, khv_tag_valid("0123456789012345678901234567890"));
	KUNIT_EXPECT_FALSE(test, khv_tag_valid("01234567890123456789012345678901"));
	KUNIT_EXPECT_FALSE(test, khv_tag_valid(""));
	KUNIT_EXPECT_FALSE(test, khv_tag_valid("a,b"));
	KUNIT_EXPECT_FALSE(test, khv_tag_valid("a b"));
	KUNIT_EXPECT_FALSE(test, khv_tag_valid("caf\xc3\xa9"));
}

static void tag_list_syntax(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, khv_tags_valid(""));
	KUNIT_EXPECT_TRUE(test, khv_tags_valid("web"));
	KUNIT_EXPECT_TRUE(test, khv_tags_valid("web,prod,eu-1"));
	KUNIT_EXPECT_TRUE(test, khv_tags_valid("a,b,c,d,e,f,g,h"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("a,b,c,d,e,f,g,h,i"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("web,"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid(",web"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("web,,prod"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("web,prod,web"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("web, prod"));
	KUNIT_EXPECT_FALSE(test, khv_tags_valid("web\tprod"));
}

static void tag_list_membership(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, khv_tags_has("web,prod", "web"));
	KUNIT_EXPECT_TRUE(test, khv_tags_has("web,prod", "prod"));
	KUNIT_EXPECT_FALSE(test, khv_tags_has("web,prod", "we"));
	KUNIT_EXPECT_FALSE(test, khv_tags_has("webs", "web"));
	KUNIT_EXPECT_FALSE(test, khv_tags_has("web,prod", "prod,"));
	KUNIT_EXPECT_FALSE(test, khv_tags_has("", "web"));
	KUNIT_EXPECT_FALSE(test, khv_tags_has("web", ""));
}

static struct kunit_case khv_grant_cases[] = {
	KUNIT_CASE(no_rules_no_verdict),
	KUNIT_CASE(uid_allow_on_one_vm),
	KUNIT_CASE(gid_matches_supplementary_group),
	KUNIT_CASE(uid_rule_does_not_match_same_gid),
	KUNIT_CASE(tag_object_matches_whole_tags_only),
	KUNIT_CASE(deny_overrides_allow_in_any_order),
	KUNIT_CASE(host_is_covered_by_all_only),
	KUNIT_CASE(unknown_rule_fields_never_match),
	KUNIT_CASE(every_group_matches),
	KUNIT_CASE(effective_gid_matches),
	KUNIT_CASE(tag_syntax),
	KUNIT_CASE(tag_list_syntax),
	KUNIT_CASE(tag_list_membership),
	{}
};

static int khv_grant_test_init(struct kunit *test)
{
	alice.groups = many_groups(test, 1, GID_OPS);
	return 0;
}

static struct kunit_suite khv_grant_suite = {
	.name = "khv_grant",
	.init = khv_grant_test_init,
	.test_cases = khv_grant_cases,
};

kunit_test_suite(khv_grant_suite);
