// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_spec_test: the loaded module's generic netlink family is what
 * Documentation/netlink/specs/khv.yaml says — the same operations (with do,
 * dump and admin-perm as the spec has them, and no other), and for each
 * operation a policy that takes exactly the spec's request attributes, with
 * the spec's types and bounds. The spec's side is khv_spec_table.h, rendered
 * from the YAML at build time (scripts/netlink-spec-table.py); the module's
 * side comes from the generic netlink controller (CTRL_CMD_GETFAMILY and
 * CTRL_CMD_GETPOLICY), as ynl and any other client would see it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_spec.h"

#include "khv_spec_table.h"

#define MAX_OPS		64
#define MAX_POLICIES	8

/* What the controller says of one attribute of one policy. */
struct mod_attr {
	bool present;
	uint32_t nl_type;
	bool has_min, has_max;
	unsigned long long min, max;
	uint32_t max_len;
};

struct module_family {
	int nops;
	uint32_t op_id[MAX_OPS], op_flags[MAX_OPS];
	/* CTRL_CMD_GETPOLICY for one op: */
	int do_idx, dump_idx;	/* -1: none */
	struct mod_attr pol[MAX_POLICIES][MAX_ATTR];
};

static void ops_cb(struct nl_reply *r, void *arg)
{
	struct nlattr *ops[MAX_ATTR], *op[CTRL_ATTR_OP_MAX + 1];
	struct module_family *f = arg;
	int i;

	if (!r->tb[CTRL_ATTR_OPS])
		return;
	parse_attrs(ops, MAX_ATTR - 1, NLA_DATA(r->tb[CTRL_ATTR_OPS]),
		    r->tb[CTRL_ATTR_OPS]->nla_len - NLA_HDRLEN);
	for (i = 0; i < MAX_ATTR && f->nops < MAX_OPS; i++) {
		if (!ops[i])
			continue;
		parse_attrs(op, CTRL_ATTR_OP_MAX, NLA_DATA(ops[i]),
			    ops[i]->nla_len - NLA_HDRLEN);
		if (!op[CTRL_ATTR_OP_ID])
			continue;
		f->op_id[f->nops] = NLA_U32(op[CTRL_ATTR_OP_ID]);
		f->op_flags[f->nops] = op[CTRL_ATTR_OP_FLAGS] ?
				       NLA_U32(op[CTRL_ATTR_OP_FLAGS]) : 0;
		f->nops++;
	}
}

static unsigned long long nla_uint(struct nlattr *a)
{
	if (a->nla_len - NLA_HDRLEN == 8)
		return NLA_U64(a);
	return NLA_U32(a);
}

static void policy_cb(struct nl_reply *r, void *arg)
{
	struct nlattr *l1[MAX_ATTR], *l2[MAX_ATTR], *p[NL_POLICY_TYPE_ATTR_MAX + 1];
	struct nlattr *ops[MAX_ATTR], *o[CTRL_ATTR_POLICY_DUMP_MAX + 1];
	struct module_family *f = arg;
	struct mod_attr *m;
	int i, j;

	if (r->tb[CTRL_ATTR_OP_POLICY]) {
		parse_attrs(ops, MAX_ATTR - 1, NLA_DATA(r->tb[CTRL_ATTR_OP_POLICY]),
			    r->tb[CTRL_ATTR_OP_POLICY]->nla_len - NLA_HDRLEN);
		for (i = 0; i < MAX_ATTR; i++) {
			if (!ops[i])
				continue;
			parse_attrs(o, CTRL_ATTR_POLICY_DUMP_MAX, NLA_DATA(ops[i]),
				    ops[i]->nla_len - NLA_HDRLEN);
			if (o[CTRL_ATTR_POLICY_DO])
				f->do_idx = NLA_U32(o[CTRL_ATTR_POLICY_DO]);
			if (o[CTRL_ATTR_POLICY_DUMP])
				f->dump_idx = NLA_U32(o[CTRL_ATTR_POLICY_DUMP]);
		}
	}
	if (!r->tb[CTRL_ATTR_POLICY])
		return;
	parse_attrs(l1, MAX_ATTR - 1, NLA_DATA(r->tb[CTRL_ATTR_POLICY]),
		    r->tb[CTRL_ATTR_POLICY]->nla_len - NLA_HDRLEN);
	for (i = 0; i < MAX_POLICIES; i++) {
		if (!l1[i])
			continue;
		parse_attrs(l2, MAX_ATTR - 1, NLA_DATA(l1[i]), l1[i]->nla_len - NLA_HDRLEN);
		for (j = 0; j < MAX_ATTR; j++) {
			if (!l2[j])
				continue;
			parse_attrs(p, NL_POLICY_TYPE_ATTR_MAX, NLA_DATA(l2[j]),
				    l2[j]->nla_len - NLA_HDRLEN);
			m = &f->pol[i][j];
			m->present = true;
			if (p[NL_POLICY_TYPE_ATTR_TYPE])
				m->nl_type = NLA_U32(p[NL_POLICY_TYPE_ATTR_TYPE]);
			if (p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]) {
				m->has_min = true;
				m->min = nla_uint(p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
			}
			if (p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]) {
				m->has_max = true;
				m->max = nla_uint(p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
			}
			if (p[NL_POLICY_TYPE_ATTR_MAX_LENGTH])
				m->max_len = NLA_U32(p[NL_POLICY_TYPE_ATTR_MAX_LENGTH]);
		}
	}
}

FIXTURE(spec) {
	struct nl nl;
	struct module_family f;
};

FIXTURE_SETUP(spec)
{
	struct msg m;
	int r;

	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	memset(&self->f, 0, sizeof(self->f));
	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	m.genl.version = 1;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, KHV_FAMILY_NAME);
	ASSERT_EQ(0, nl_call(&self->nl, &m, ops_cb, &self->f));
	ASSERT_LT(0, self->f.nops);
}

FIXTURE_TEARDOWN(spec)
{
	close(self->nl.fd);
}

static const struct spec_op *spec_find(uint32_t cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spec_ops); i++)
		if ((uint32_t)spec_ops[i].cmd == cmd)
			return &spec_ops[i];
	return NULL;
}

TEST_F(spec, module_has_exactly_the_spec_operations)
{
	const struct spec_op *s;
	unsigned int i;
	int j;

	for (j = 0; j < self->f.nops; j++) {
		uint32_t fl = self->f.op_flags[j];

		s = spec_find(self->f.op_id[j]);
		EXPECT_NE(NULL, s) TH_LOG("module op %u is not in the spec", self->f.op_id[j]);
		if (!s)
			continue;
		EXPECT_EQ(s->has_do, !!(fl & GENL_CMD_CAP_DO)) TH_LOG("%s: do", s->name);
		EXPECT_EQ(s->has_dump, !!(fl & GENL_CMD_CAP_DUMP)) TH_LOG("%s: dump", s->name);
		EXPECT_EQ(s->admin, !!(fl & GENL_ADMIN_PERM)) TH_LOG("%s: admin-perm", s->name);
		/*
		 * Newer kernels give an operation without a policy one that
		 * rejects every attribute: HASPOL then says nothing.
		 */
		if (s->nattrs)
			EXPECT_TRUE(fl & GENL_CMD_CAP_HASPOL)
				TH_LOG("%s: no policy", s->name);
	}
	for (i = 0; i < ARRAY_SIZE(spec_ops); i++) {
		for (j = 0; j < self->f.nops; j++)
			if (self->f.op_id[j] == (uint32_t)spec_ops[i].cmd)
				break;
		EXPECT_LT(j, self->f.nops) TH_LOG("spec op %s (%d) missing in the module",
						  spec_ops[i].name, spec_ops[i].cmd);
	}
}

/* Compare one op's policy with the spec; return the number of differences. */
static int compare_policy(struct __test_metadata *_metadata,
			  const struct spec_op *s, struct mod_attr *pol)
{
	int bad = 0, i, t;
	bool in_spec;

	for (i = 0; i < s->nattrs; i++) {
		const struct spec_attr *a = &s->attrs[i];
		struct mod_attr *m = &pol[a->type];

		if (!m->present) {
			TH_LOG("%s: attribute %s not in the module's policy", s->name, a->name);
			bad++;
			continue;
		}
		if ((int)m->nl_type != a->nl_type) {
			TH_LOG("%s: %s has type %u, the spec %d", s->name, a->name,
			       m->nl_type, a->nl_type);
			bad++;
		}
		if (a->has_range != (m->has_min || m->has_max) ||
		    (a->has_range && (m->min != a->min || m->max != a->max))) {
			TH_LOG("%s: %s range [%llu, %llu] (%d), the spec [%llu, %llu] (%d)",
			       s->name, a->name, m->min, m->max, m->has_min || m->has_max,
			       a->min, a->max, a->has_range);
			bad++;
		}
		if ((int)m->max_len != a->max_len) {
			TH_LOG("%s: %s max length %u, the spec %d", s->name, a->name,
			       m->max_len, a->max_len);
			bad++;
		}
	}
	for (t = 1; t < MAX_ATTR; t++) {
		if (!pol[t].present)
			continue;
		in_spec = false;
		for (i = 0; i < s->nattrs; i++)
			in_spec |= s->attrs[i].type == t;
		if (!in_spec) {
			TH_LOG("%s: the module takes attribute %d, the spec does not",
			       s->name, t);
			bad++;
		}
	}
	return bad;
}

TEST_F(spec, each_operation_takes_the_spec_attributes_types_and_bounds)
{
	unsigned int i;
	struct msg m;
	int r, idx;

	for (i = 0; i < ARRAY_SIZE(spec_ops); i++) {
		const struct spec_op *s = &spec_ops[i];

		memset(self->f.pol, 0, sizeof(self->f.pol));
		self->f.do_idx = self->f.dump_idx = -1;
		msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETPOLICY, NLM_F_DUMP);
		m.genl.version = 1;
		put_str(&m, CTRL_ATTR_FAMILY_NAME, KHV_FAMILY_NAME);
		put_u32(&m, CTRL_ATTR_OP, s->cmd);
		r = nl_call(&self->nl, &m, policy_cb, &self->f);
		/* An operation without a policy has nothing to dump. */
		if (r == -ENODATA || (!r && self->f.do_idx < 0 && self->f.dump_idx < 0)) {
			EXPECT_EQ(0, s->nattrs) TH_LOG("%s: the module has no policy", s->name);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("%s: CTRL_CMD_GETPOLICY: %s", s->name, strerror(-r));
		idx = self->f.do_idx >= 0 ? self->f.do_idx : self->f.dump_idx;
		ASSERT_GT(MAX_POLICIES, idx);
		EXPECT_EQ(0, compare_policy(_metadata, s, self->f.pol[idx]))
			TH_LOG("%s differs from the spec", s->name);
	}
}

TEST_HARNESS_MAIN
