/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netlink spec's operations as C data: the types of khv_spec_table.h,
 * which scripts/netlink-spec-table.py renders from
 * Documentation/netlink/specs/khv.yaml at build time. khv_spec_test checks
 * the module against it; the netlink fuzzer builds its messages from it.
 */
#ifndef KHV_SELFTEST_SPEC_H
#define KHV_SELFTEST_SPEC_H

struct spec_attr {
	const char *name;
	int type;
	int nl_type;		/* NL_ATTR_TYPE_* */
	int has_range;
	unsigned long long min, max;
	int max_len;		/* 0: none */
};

struct spec_op {
	const char *name;
	int cmd;
	int has_do, has_dump, admin;
	int nattrs;
	struct spec_attr attrs[16];
};

#endif /* KHV_SELFTEST_SPEC_H */
