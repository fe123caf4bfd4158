// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv selftests: requests, replies, extended acks and events of the khv
 * generic netlink family (khv_nl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "khv_nl.h"

void put_attr(struct msg *m, uint16_t type, const void *data, int len)
{
	struct nlattr *a = (void *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

void put_str(struct msg *m, uint16_t type, const char *s)
{
	put_attr(m, type, s, strlen(s) + 1);
}

void msg_init(struct msg *m, uint16_t family, uint8_t cmd, uint16_t flags)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->genl.cmd = cmd;
	m->genl.version = KHV_FAMILY_VERSION;
}

void parse_attrs(struct nlattr **tb, int max, void *data, int len)
{
	struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (a = data; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

void reply_fill(struct nl_reply *r, uint8_t cmd, const void *attrs, int len)
{
	r->cmd = cmd;
	r->len = len < (int)sizeof(r->data) ? len : (int)sizeof(r->data);
	memcpy(r->data, attrs, r->len);
	parse_attrs(r->tb, MAX_ATTR - 1, r->data, r->len);
}

void copy_reply(struct nl_reply *r, void *arg)
{
	reply_fill(arg, r->cmd, r->data, r->len);
}

void record_extack(struct nl *nl, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off = sizeof(*e);

	nl->extack[0] = 0;
	nl->miss_type = 0;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	parse_attrs(tb, NLMSGERR_ATTR_MAX, (char *)e + off,
		    (int)h->nlmsg_len - NLMSG_HDRLEN - off);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%s",
			 (char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		nl->miss_type = NLA_U32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/*
 * Send @m and read until the ack (or the dump's end). Every reply message is
 * passed to @cb. Return: 0 or the kernel's -errno.
 */
int nl_call(struct nl *nl, struct msg *m,
		   void (*cb)(struct nl_reply *r, void *arg), void *arg)
{
	bool dump = m->nlh.nlmsg_flags & NLM_F_DUMP;
	struct nl_reply reply;
	struct nlmsghdr *h;
	int len;

	m->nlh.nlmsg_seq = ++nl->seq;
	nl->extack[0] = 0;
	if (send(nl->fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (len < 0)
			return -errno;
		for (h = (void *)nl->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				record_extack(nl, h);
				if (e->error || !dump)
					return e->error;
				continue;	/* the ack of a dump: DONE follows */
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(h);
			if (!cb)
				continue;
			reply_fill(&reply, ((struct genlmsghdr *)NLMSG_DATA(h))->cmd,
				   (char *)NLMSG_DATA(h) + GENL_HDRLEN,
				   h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			cb(&reply, arg);
		}
	}
}

/* The controller's answer about "khv": family id and monitor group id. */
void family_cb(struct nl_reply *r, void *arg)
{
	struct nlattr *grps[MAX_ATTR], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nl *nl = arg;
	int i;

	if (r->tb[CTRL_ATTR_FAMILY_ID])
		nl->family = *(uint16_t *)NLA_DATA(r->tb[CTRL_ATTR_FAMILY_ID]);
	if (!r->tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	parse_attrs(grps, MAX_ATTR - 1, NLA_DATA(r->tb[CTRL_ATTR_MCAST_GROUPS]),
		    r->tb[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN);
	for (i = 0; i < MAX_ATTR; i++) {
		if (!grps[i])
			continue;
		parse_attrs(g, CTRL_ATTR_MCAST_GRP_MAX, NLA_DATA(grps[i]),
			    grps[i]->nla_len - NLA_HDRLEN);
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(NLA_DATA(g[CTRL_ATTR_MCAST_GRP_NAME]), KHV_MCGRP_MONITOR))
			nl->monitor_grp = NLA_U32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

/* Return: 0, or -errno. */
int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	struct msg m;
	int one = 1;
	int r;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	m.genl.version = 1;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, KHV_FAMILY_NAME);
	r = nl_call(nl, &m, family_cb, nl);
	if (!r && (!nl->family || !nl->monitor_grp))
		r = -ENOENT;
	return r;
}

int host_get(struct nl *nl, struct nl_reply *out)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_GET, 0);
	memset(out, 0, sizeof(*out));
	return nl_call(nl, &m, copy_reply, out);
}

/* host-set max-vms-per-user; host_max_vms_per_user(): host-get's, or -errno. */
int host_set_max_vms_per_user(struct nl *nl, uint32_t max)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	put_u32(&m, KHV_A_HOST_MAX_VMS_PER_USER, max);
	return nl_call(nl, &m, NULL, NULL);
}

long host_max_vms_per_user(struct nl *nl)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	return r.tb[KHV_A_HOST_MAX_VMS_PER_USER] ?
	       (long)NLA_U32(r.tb[KHV_A_HOST_MAX_VMS_PER_USER]) : -ENOENT;
}

/*
 * The host's guest memory policy (host-get), and host-set of it: a budget
 * of 0 or an overcommit below 0 is left out of the request.
 */
int host_mem_policy(struct nl *nl, uint64_t *budget, int *overcommit)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_HOST_MEM_BUDGET] || !r.tb[KHV_A_HOST_MEM_OVERCOMMIT])
		return -ENOENT;
	*budget = NLA_U64(r.tb[KHV_A_HOST_MEM_BUDGET]);
	*overcommit = *(uint8_t *)NLA_DATA(r.tb[KHV_A_HOST_MEM_OVERCOMMIT]);
	return 0;
}

int host_set_mem_policy(struct nl *nl, uint64_t budget, int overcommit)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	if (budget)
		put_u64(&m, KHV_A_HOST_MEM_BUDGET, budget);
	if (overcommit >= 0) {
		uint8_t v = overcommit;

		put_attr(&m, KHV_A_HOST_MEM_OVERCOMMIT, &v, 1);
	}
	return nl_call(nl, &m, NULL, NULL);
}

int vm_get(struct nl *nl, uint64_t id, struct nl_reply *out)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_GET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	memset(out, 0, sizeof(*out));
	return nl_call(nl, &m, copy_reply, out);
}

/* vm-set of one string attribute: the name or the tags. */
static int vm_set_str(struct nl *nl, uint64_t id, int type, const char *val)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	put_str(&m, type, val);
	return nl_call(nl, &m, NULL, NULL);
}

int vm_set_name(struct nl *nl, uint64_t id, const char *name)
{
	return vm_set_str(nl, id, KHV_A_VM_NAME, name);
}


void dump_cb(struct nl_reply *r, void *arg)
{
	struct dump_mine *d = arg;

	if (r->cmd == KHV_CMD_VM_GET && r->tb[KHV_A_VM_PID] &&
	    r->tb[KHV_A_VM_ID] && NLA_U32(r->tb[KHV_A_VM_PID]) == (uint32_t)getpid() &&
	    d->nr < 16)
		d->id[d->nr++] = NLA_U64(r->tb[KHV_A_VM_ID]);
}

int vm_dump_mine(struct nl *nl, struct dump_mine *d)
{
	struct msg m;

	memset(d, 0, sizeof(*d));
	msg_init(&m, nl->family, KHV_CMD_VM_GET, NLM_F_DUMP);
	return nl_call(nl, &m, dump_cb, d);
}

/* The id of the VM this process created last (largest id it owns). */
int my_newest_vm(struct nl *nl, uint64_t *id)
{
	struct dump_mine d;
	int i, r;

	r = vm_dump_mine(nl, &d);
	if (r)
		return r;
	if (!d.nr)
		return -ENOENT;
	*id = 0;
	for (i = 0; i < d.nr; i++)
		if (d.id[i] > *id)
			*id = d.id[i];
	return 0;
}

/* Read one notification, audit records too; return its command or -errno. */
int read_any_event(struct nl *nl, struct nl_reply *r)
{
	struct nlmsghdr *h = (void *)nl->buf;
	int len;

	len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
	if (len < 0)
		return -errno;
	if (!NLMSG_OK(h, len) || h->nlmsg_type != nl->family)
		return -EPROTO;
	reply_fill(r, ((struct genlmsghdr *)NLMSG_DATA(h))->cmd,
		   (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		   h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
	return r->cmd;
}

/* Read one VM notification (audit records skipped); its command or -errno. */
int read_event(struct nl *nl, struct nl_reply *r)
{
	int cmd;

	do
		cmd = read_any_event(nl, r);
	while (cmd == KHV_CMD_AUDIT_NTF);
	return cmd;
}

void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

/* vm-pause, vm-resume, vm-destroy and friends: an op on one VM id. */
int vm_cmd(struct nl *nl, uint8_t cmd, uint64_t id)
{
	struct msg m;

	msg_init(&m, nl->family, cmd, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	return nl_call(nl, &m, NULL, NULL);
}

int vm_set_tags(struct nl *nl, uint64_t id, const char *tags)
{
	return vm_set_str(nl, id, KHV_A_VM_TAGS, tags);
}

/* The VM's state (KHV_VM_STATE_*), or -errno. */
int vm_state(struct nl *nl, uint64_t id)
{
	struct nl_reply r;
	int e;

	e = vm_get(nl, id, &r);
	if (e)
		return e;
	return r.tb[KHV_A_VM_STATE] ? (int)NLA_U32(r.tb[KHV_A_VM_STATE]) : -EPROTO;
}

/* grant-add; *id gets the rule's id. Object vm: @vm_id; tag: @tag. */
int grant_add(struct nl *nl, uint32_t subject_type, uint32_t subject,
	      uint32_t op, uint32_t object_type, uint64_t vm_id,
	      const char *tag, uint32_t action, uint32_t *id)
{
	struct nl_reply r;
	struct msg m;
	int e;

	msg_init(&m, nl->family, KHV_CMD_GRANT_ADD, 0);
	put_u32(&m, KHV_A_GRANT_SUBJECT_TYPE, subject_type);
	put_u32(&m, KHV_A_GRANT_SUBJECT, subject);
	put_u32(&m, KHV_A_GRANT_OP, op);
	put_u32(&m, KHV_A_GRANT_OBJECT_TYPE, object_type);
	put_u32(&m, KHV_A_GRANT_ACTION, action);
	if (vm_id)
		put_u64(&m, KHV_A_GRANT_VM_ID, vm_id);
	if (tag)
		put_str(&m, KHV_A_GRANT_TAG, tag);
	memset(&r, 0, sizeof(r));
	e = nl_call(nl, &m, copy_reply, &r);
	if (!e && id)
		*id = r.tb[KHV_A_GRANT_ID] ? NLA_U32(r.tb[KHV_A_GRANT_ID]) : 0;
	return e;
}

int grant_del(struct nl *nl, uint32_t id)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_GRANT_DEL, 0);
	put_u32(&m, KHV_A_GRANT_ID, id);
	return nl_call(nl, &m, NULL, NULL);
}

int audit_state(struct nl *nl, struct audit_state *st)
{
	struct nl_reply r;
	struct msg m;
	int e;

	msg_init(&m, nl->family, KHV_CMD_AUDIT_GET, 0);
	memset(&r, 0, sizeof(r));
	e = nl_call(nl, &m, copy_reply, &r);
	if (e)
		return e;
	if (!r.tb[KHV_A_AUDIT_RING_SIZE] || !r.tb[KHV_A_AUDIT_NEXT_SEQ] ||
	    !r.tb[KHV_A_AUDIT_FIRST_SEQ] || !r.tb[KHV_A_AUDIT_LOST])
		return -EPROTO;
	st->ring_size = NLA_U32(r.tb[KHV_A_AUDIT_RING_SIZE]);
	st->next_seq = NLA_U64(r.tb[KHV_A_AUDIT_NEXT_SEQ]);
	st->first_seq = NLA_U64(r.tb[KHV_A_AUDIT_FIRST_SEQ]);
	st->lost = NLA_U64(r.tb[KHV_A_AUDIT_LOST]);
	st->suppressed = r.tb[KHV_A_AUDIT_SUPPRESSED] ?
			 NLA_U64(r.tb[KHV_A_AUDIT_SUPPRESSED]) : 0;
	st->denial_burst = r.tb[KHV_A_AUDIT_DENIAL_BURST] ?
			   NLA_U32(r.tb[KHV_A_AUDIT_DENIAL_BURST]) : 0;
	st->denial_interval = r.tb[KHV_A_AUDIT_DENIAL_INTERVAL] ?
			      NLA_U32(r.tb[KHV_A_AUDIT_DENIAL_INTERVAL]) : 0;
	return 0;
}

int audit_set_size(struct nl *nl, uint32_t size)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_AUDIT_SET, 0);
	put_u32(&m, KHV_A_AUDIT_RING_SIZE, size);
	return nl_call(nl, &m, NULL, NULL);
}

/* The denial rate limit: @burst per uid and window of @interval seconds. */
int audit_set_limit(struct nl *nl, uint32_t burst, uint32_t interval)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_AUDIT_SET, 0);
	put_u32(&m, KHV_A_AUDIT_DENIAL_BURST, burst);
	put_u32(&m, KHV_A_AUDIT_DENIAL_INTERVAL, interval);
	return nl_call(nl, &m, NULL, NULL);
}

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	if (a)
		snprintf(dst, len, "%s", (char *)NLA_DATA(a));
}

/* An audit record (a dump's reply or an audit-ntf) into @a. */
void audit_rec_parse(struct nl_reply *r, struct audit_rec *a)
{
	memset(a, 0, sizeof(*a));
	if (r->tb[KHV_A_AUDIT_SEQ])
		a->seq = NLA_U64(r->tb[KHV_A_AUDIT_SEQ]);
	if (r->tb[KHV_A_AUDIT_VM_ID])
		a->vm_id = NLA_U64(r->tb[KHV_A_AUDIT_VM_ID]);
	if (r->tb[KHV_A_AUDIT_SUPPRESSED])
		a->suppressed = NLA_U64(r->tb[KHV_A_AUDIT_SUPPRESSED]);
	if (r->tb[KHV_A_AUDIT_UID])
		a->uid = NLA_U32(r->tb[KHV_A_AUDIT_UID]);
	if (r->tb[KHV_A_AUDIT_PID])
		a->pid = NLA_U32(r->tb[KHV_A_AUDIT_PID]);
	if (r->tb[KHV_A_AUDIT_OP])
		a->op = NLA_U32(r->tb[KHV_A_AUDIT_OP]);
	if (r->tb[KHV_A_AUDIT_RESULT])
		a->result = (int32_t)NLA_U32(r->tb[KHV_A_AUDIT_RESULT]);
	if (r->tb[KHV_A_AUDIT_TIME_NS])
		a->time_ns = NLA_U64(r->tb[KHV_A_AUDIT_TIME_NS]);
	copy_str(a->comm, sizeof(a->comm), r->tb[KHV_A_AUDIT_COMM]);
	copy_str(a->object, sizeof(a->object), r->tb[KHV_A_AUDIT_OBJECT]);
	copy_str(a->old, sizeof(a->old), r->tb[KHV_A_AUDIT_OLD]);
	copy_str(a->new, sizeof(a->new), r->tb[KHV_A_AUDIT_NEW]);
}

struct audit_scan {
	void (*fn)(const struct audit_rec *a, void *arg);
	void *arg;
};

static void audit_scan_cb(struct nl_reply *r, void *arg)
{
	struct audit_scan *scan = arg;
	struct audit_rec a;

	if (r->cmd != KHV_CMD_AUDIT_GET)
		return;
	audit_rec_parse(r, &a);
	scan->fn(&a, scan->arg);
}

/* Every record of the ring from @from on, to @fn. */
int audit_scan(struct nl *nl, uint64_t from,
	       void (*fn)(const struct audit_rec *a, void *arg), void *arg)
{
	struct audit_scan scan = { .fn = fn, .arg = arg };
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_AUDIT_GET, NLM_F_DUMP);
	put_u64(&m, KHV_A_AUDIT_SEQ, from);
	return nl_call(nl, &m, audit_scan_cb, &scan);
}

static void audit_dump_cb(const struct audit_rec *a, void *arg)
{
	struct audit_dump *d = arg;

	if (d->nr < AUDIT_DUMP_MAX)
		d->rec[d->nr++] = *a;
}

/* The ring's records from @from on (at most AUDIT_DUMP_MAX). */
int audit_dump(struct nl *nl, uint64_t from, struct audit_dump *d)
{
	memset(d, 0, sizeof(*d));
	return audit_scan(nl, from, audit_dump_cb, d);
}

int monitor_join(struct nl *nl)
{
	int grp = nl->monitor_grp;

	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &grp, sizeof(grp)))
		return -errno;
	return 0;
}

/* Become nobody, in @ngroups supplementary groups. Return: 0 or -errno. */
int drop_to_nobody(int ngroups, const gid_t *groups)
{
	if (setgroups(ngroups, groups) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

/*
 * Run @fn in a child that is nobody (in @ngroups groups) with a fresh
 * netlink socket; return its exit status (0 = as expected), -1 if it died.
 */
int nl_as_nobody_in(int ngroups, const gid_t *groups,
		    int (*fn)(struct nl *nl, void *arg), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct nl nl;

		if (drop_to_nobody(ngroups, groups))
			_exit(100);
		if (nl_open(&nl))
			_exit(101);
		_exit(fn(&nl, arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int nl_as_nobody(int (*fn)(struct nl *nl, void *arg), void *arg)
{
	return nl_as_nobody_in(0, NULL, fn, arg);
}

uint64_t attr_u64(struct nlattr *a)
{
	return a ? NLA_U64(a) : 0;
}

/* acl-add or acl-del (@cmd) of @kind @first..@last on VM @id. */
int acl_change(struct nl *nl, uint8_t cmd, uint64_t id, uint32_t kind,
	       uint64_t first, uint64_t last)
{
	struct msg m;

	msg_init(&m, nl->family, cmd, 0);
	if (id)
		put_u64(&m, KHV_A_ACL_VM_ID, id);
	if (kind)
		put_u32(&m, KHV_A_ACL_KIND, kind);
	put_u64(&m, KHV_A_ACL_FIRST, first);
	put_u64(&m, KHV_A_ACL_LAST, last);
	return nl_call(nl, &m, NULL, NULL);
}

int acl_add(struct nl *nl, uint64_t id, uint32_t kind, uint64_t first,
	    uint64_t last)
{
	return acl_change(nl, KHV_CMD_ACL_ADD, id, kind, first, last);
}

int acl_del(struct nl *nl, uint64_t id, uint32_t kind, uint64_t first,
	    uint64_t last)
{
	return acl_change(nl, KHV_CMD_ACL_DEL, id, kind, first, last);
}

int acl_set(struct nl *nl, uint64_t id, uint32_t action)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_ACL_SET, 0);
	put_u64(&m, KHV_A_ACL_VM_ID, id);
	put_u32(&m, KHV_A_ACL_ACTION, action);
	return nl_call(nl, &m, NULL, NULL);
}

int acl_state(struct nl *nl, uint64_t id, struct acl_state *s)
{
	struct nl_reply r;
	struct msg m;
	int e;

	msg_init(&m, nl->family, KHV_CMD_ACL_GET, 0);
	put_u64(&m, KHV_A_ACL_VM_ID, id);
	memset(&r, 0, sizeof(r));
	e = nl_call(nl, &m, copy_reply, &r);
	if (e)
		return e;
	if (!r.tb[KHV_A_ACL_ACTION] || !r.tb[KHV_A_ACL_ENTRIES] ||
	    !r.tb[KHV_A_ACL_REVOKED])
		return -ENOENT;
	s->action = NLA_U32(r.tb[KHV_A_ACL_ACTION]);
	s->entries = NLA_U32(r.tb[KHV_A_ACL_ENTRIES]);
	s->revoked = *(uint8_t *)NLA_DATA(r.tb[KHV_A_ACL_REVOKED]);
	s->violations = attr_u64(r.tb[KHV_A_ACL_VIOLATIONS]);
	return 0;
}

/* pthread_create(..., acl_del_later, &d): acl-del after d.delay_ms. */
void *acl_del_later(void *arg)
{
	struct acl_del_later *d = arg;
	struct nl nl;

	usleep(d->delay_ms * 1000);
	d->r = nl_open(&nl);
	if (d->r)
		return NULL;
	d->r = acl_del(&nl, d->id, d->kind, d->first, d->last);
	close(nl.fd);
	return NULL;
}

/* An audit record after @from with @op, @result and @new containing @what. */
struct audit_find {
	uint32_t op;
	int32_t result;
	uint32_t uid;
	const char *what;
	int found;
	struct audit_rec last;
};

static void audit_find_cb(const struct audit_rec *a, void *arg)
{
	struct audit_find *f = arg;

	if (a->op == f->op && a->result == f->result && a->uid == f->uid &&
	    (!f->what || strstr(a->new, f->what))) {
		f->found++;
		f->last = *a;
	}
}

int audit_count(struct nl *nl, uint64_t from, uint32_t op, int32_t result,
		uint32_t uid, const char *what, struct audit_rec *last)
{
	struct audit_find f = {
		.op = op, .result = result, .uid = uid, .what = what,
	};

	if (audit_scan(nl, from, audit_find_cb, &f))
		return -1;
	if (last)
		*last = f.last;
	return f.found;
}

uint64_t audit_next(struct nl *nl)
{
	struct audit_state st;

	return audit_state(nl, &st) ? 0 : st.next_seq;
}

/* quota-set of a VM's mem-min and mem-max, each unless QUOTA_KEEP. */
int quota_set(struct nl *nl, uint64_t id, uint64_t min, uint64_t max)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_QUOTA_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	if (min != QUOTA_KEEP)
		put_u64(&m, KHV_A_VM_MEM_MIN, min);
	if (max != QUOTA_KEEP)
		put_u64(&m, KHV_A_VM_MEM_MAX, max);
	return nl_call(nl, &m, NULL, NULL);
}
