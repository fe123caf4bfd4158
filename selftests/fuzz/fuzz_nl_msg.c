// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netlink fuzzer's messages, from the spec's table of operations and
 * attribute types (fuzz_nl.h).
 */
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "fuzz_nl.h"
#include "khv_spec_table.h"

struct nlbuf {
	uint8_t *buf;
	int len;
};

static struct nlattr *put(struct nlbuf *b, uint16_t type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)(b->buf + b->len);

	if (b->len + NLA_HDRLEN + NLA_ALIGN(len) > NLF_MSG_MAX)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	b->len += NLA_HDRLEN + NLA_ALIGN(len);
	return a;
}

static uint64_t in_range(struct fuzz_rng *r, const struct spec_attr *a, const struct nlf_ids *ids)
{
	uint64_t span;

	if (!strcmp(a->name, "id") || !strcmp(a->name, "vm-id")) {
		if (a->nl_type == NL_ATTR_TYPE_U32 && ids->nr_grant && rng_pct(r, 70))
			return ids->grant[rng_below(r, ids->nr_grant)];
		if (a->nl_type == NL_ATTR_TYPE_U64 && ids->nr_vm && rng_pct(r, 80))
			return ids->vm[rng_below(r, ids->nr_vm)];
	}
	if (!a->has_range || rng_pct(r, 10))
		return rng_edgy(r);
	span = a->max - a->min;
	if (rng_pct(r, 10))	/* just outside */
		return rng_pct(r, 50) ? a->min - 1 : a->max + 1;
	if (rng_pct(r, 20))
		return rng_pct(r, 50) ? a->min : a->max;
	return a->min + (span > 0x10000 && rng_pct(r, 70) ? rng_below(r, 0x100)
							   : rng_below(r, span + 1));
}

static void put_value(struct fuzz_rng *r, struct nlbuf *b, const struct spec_attr *a,
		      const struct nlf_ids *ids)
{
	uint8_t data[300];
	uint64_t v = in_range(r, a, ids);
	int len;

	switch (a->nl_type) {
	case NL_ATTR_TYPE_U8:
		len = 1;
		break;
	case NL_ATTR_TYPE_U16:
		len = 2;
		break;
	case NL_ATTR_TYPE_U32:
	case NL_ATTR_TYPE_S32:
		len = 4;
		break;
	case NL_ATTR_TYPE_U64:
	case NL_ATTR_TYPE_S64:
		len = 8;
		break;
	case NL_ATTR_TYPE_FLAG:
		len = 0;
		break;
	default:	/* strings: printable, NUL-ended, up to a little past the limit */
		len = rng_below(r, (a->max_len ? a->max_len : 64) + 3);
		if (len > (int)sizeof(data) - 1)
			len = sizeof(data) - 1;
		for (int i = 0; i < len; i++)
			data[i] = rng_pct(r, 95) ? 'a' + rng_below(r, 26) : rng_next(r);
		data[len++] = rng_pct(r, 90) ? 0 : 'x';
		put(b, a->type, data, len);
		return;
	}
	memcpy(data, &v, 8);
	if (rng_pct(r, 5))	/* the wrong length for the type */
		len = rng_below(r, 12);
	put(b, a->type, data, len);
}

/* The mutations of a whole message, after its attributes are in. */
static void mutate(struct fuzz_rng *r, struct nlbuf *b, int attrs_at)
{
	struct nlattr *a;
	uint8_t tmp[NLF_MSG_MAX];
	int n = b->len - attrs_at;

	switch (rng_below(r, 7)) {
	case 0:		/* an attribute twice: append a copy of the first */
		if (n >= NLA_HDRLEN) {
			a = (struct nlattr *)(b->buf + attrs_at);
			if (a->nla_len >= NLA_HDRLEN && a->nla_len <= n)
				put(b, a->nla_type, (uint8_t *)a + NLA_HDRLEN,
				    a->nla_len - NLA_HDRLEN);
		}
		break;
	case 1:		/* an attribute type the set does not have, with flags */
		tmp[0] = rng_next(r);
		put(b, rng_below(r, 40) | (rng_pct(r, 20) ? NLA_F_NESTED : 0) |
		       (rng_pct(r, 10) ? NLA_F_NET_BYTEORDER : 0), tmp, rng_below(r, 16));
		break;
	case 2:		/* everything nested in an attribute */
		if (n > 0 && n + NLA_HDRLEN <= NLF_MSG_MAX) {
			memcpy(tmp, b->buf + attrs_at, n);
			b->len = attrs_at;
			put(b, (rng_pct(r, 50) ? NLA_F_NESTED : 0) | rng_below(r, 20), tmp, n);
		}
		break;
	case 3:		/* an attribute's length past the message */
		if (n >= NLA_HDRLEN) {
			a = (struct nlattr *)(b->buf + attrs_at);
			a->nla_len = rng_pct(r, 50) ? n + 4 + rng_below(r, 64) : rng_below(r, 4);
		}
		break;
	case 4:		/* the message cut short */
		if (n > 0)
			b->len -= 1 + rng_below(r, n);
		break;
	case 5:		/* garbage after the attributes */
		rng_fill(r, tmp, 16);
		if (b->len + 16 <= NLF_MSG_MAX) {
			memcpy(b->buf + b->len, tmp, 16);
			b->len += rng_below(r, 17);
		}
		break;
	default:	/* bit flips anywhere after the headers */
		if (n > 0)
			rng_mutate(r, b->buf + attrs_at, n);
		break;
	}
}

int nlf_build(struct fuzz_rng *r, uint16_t family, uint32_t seq, const struct nlf_ids *ids,
	      uint8_t *buf, int *dump)
{
	const struct spec_op *op = &spec_ops[rng_below(r, ARRAY_SIZE(spec_ops))], *other;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	struct nlbuf b = { .buf = buf, .len = NLMSG_HDRLEN + GENL_HDRLEN };
	int i, at = b.len;

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	*dump = op->has_dump && (!op->has_do || rng_pct(r, 50));
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (rng_pct(r, 70) ? NLM_F_ACK : 0) |
			   (*dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = seq;
	g->cmd = rng_pct(r, 97) ? (uint64_t)op->cmd : rng_below(r, 40);
	g->version = rng_pct(r, 95) ? 1 : rng_next(r);
	if (rng_pct(r, 3))
		g->reserved = rng_next(r);
	for (i = 0; i < op->nattrs; i++)
		if (rng_pct(r, 80))
			put_value(r, &b, &op->attrs[i], ids);
	other = &spec_ops[rng_below(r, ARRAY_SIZE(spec_ops))];
	if (other->nattrs && rng_pct(r, 10))	/* an attribute of another operation */
		put_value(r, &b, &other->attrs[rng_below(r, other->nattrs)], ids);
	if (rng_pct(r, 30))
		mutate(r, &b, at);
	nlh->nlmsg_len = rng_pct(r, 97) ? (uint64_t)b.len : rng_below(r, b.len + 8);
	return b.len;
}
