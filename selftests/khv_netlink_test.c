// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_netlink_test: the khv generic netlink family (management plane) —
 * host-get, vm-get (do and dump), vm-set and its refusals, permissions,
 * malformed requests and the monitor group's events.
 *
 * Plain netlink sockets here, not libnl: the test must see exactly what the
 * kernel answers (errno and extended ack), with no library in between.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/khv_netlink.h>

#include "kselftest_harness.h"
#include "khv_util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define BUF_SIZE	16384
#define MAX_ATTR	32
#define NO_VM_ID	(1ull << 62)	/* ids count up from 1: never live */

/* A reply: its command, a copy of its attributes, and pointers into that. */
struct nl_reply {
	uint8_t cmd;
	struct nlattr *tb[MAX_ATTR];
	int len;
	char data[4096];
};

struct nl {
	int fd;
	uint16_t family;
	uint32_t monitor_grp;
	uint32_t seq;
	char extack[256];	/* the last error's message, "" if none */
	uint32_t miss_type;	/* the last error's missing attribute, or 0 */
	char buf[BUF_SIZE];
};

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[512];
};

static void put_attr(struct msg *m, uint16_t type, const void *data, int len)
{
	struct nlattr *a = (void *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put_attr(m, type, s, strlen(s) + 1);
}

static void msg_init(struct msg *m, uint16_t family, uint8_t cmd, uint16_t flags)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->genl.cmd = cmd;
	m->genl.version = KHV_FAMILY_VERSION;
}

static void parse_attrs(struct nlattr **tb, int max, void *data, int len)
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

static void reply_fill(struct nl_reply *r, uint8_t cmd, const void *attrs, int len)
{
	r->cmd = cmd;
	r->len = len < (int)sizeof(r->data) ? len : (int)sizeof(r->data);
	memcpy(r->data, attrs, r->len);
	parse_attrs(r->tb, MAX_ATTR - 1, r->data, r->len);
}

static void copy_reply(struct nl_reply *r, void *arg)
{
	reply_fill(arg, r->cmd, r->data, r->len);
}

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_U32(a)	(*(uint32_t *)NLA_DATA(a))
#define NLA_U64(a)	({ uint64_t __v; memcpy(&__v, NLA_DATA(a), 8); __v; })

static void record_extack(struct nl *nl, struct nlmsghdr *h)
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
static int nl_call(struct nl *nl, struct msg *m,
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
static void family_cb(struct nl_reply *r, void *arg)
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
static int nl_open(struct nl *nl)
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

static int host_get(struct nl *nl, struct nl_reply *out)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_GET, 0);
	memset(out, 0, sizeof(*out));
	return nl_call(nl, &m, copy_reply, out);
}

static int vm_get(struct nl *nl, uint64_t id, struct nl_reply *out)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_GET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	memset(out, 0, sizeof(*out));
	return nl_call(nl, &m, copy_reply, out);
}

static int vm_set_name(struct nl *nl, uint64_t id, const char *name)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	put_str(&m, KHV_A_VM_NAME, name);
	return nl_call(nl, &m, NULL, NULL);
}

/* The VMs a dump lists that this process created: their ids. */
struct dump_mine {
	int nr;
	uint64_t id[16];
};

static void dump_cb(struct nl_reply *r, void *arg)
{
	struct dump_mine *d = arg;

	if (r->cmd == KHV_CMD_VM_GET && r->tb[KHV_A_VM_PID] &&
	    r->tb[KHV_A_VM_ID] && NLA_U32(r->tb[KHV_A_VM_PID]) == (uint32_t)getpid() &&
	    d->nr < 16)
		d->id[d->nr++] = NLA_U64(r->tb[KHV_A_VM_ID]);
}

static int vm_dump_mine(struct nl *nl, struct dump_mine *d)
{
	struct msg m;

	memset(d, 0, sizeof(*d));
	msg_init(&m, nl->family, KHV_CMD_VM_GET, NLM_F_DUMP);
	return nl_call(nl, &m, dump_cb, d);
}

/* The id of the VM this process created last (largest id it owns). */
static int my_newest_vm(struct nl *nl, uint64_t *id)
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

FIXTURE(nl) {
	struct nl nl;
	int dev;
	int vm;
	uint64_t vm_id;
};

FIXTURE_SETUP(nl)
{
	int r;

	self->vm = -1;
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("no " KHV_DEV_PATH);
	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv with group monitor: %s",
			       strerror(-r));
}

FIXTURE_TEARDOWN(nl)
{
	if (self->vm >= 0)
		close(self->vm);
	close(self->dev);
	close(self->nl.fd);
}

/* Create a VM held by the fixture and find its id through a dump. */
static int fixture_vm(struct __test_metadata *_metadata, FIXTURE_DATA(nl) *self)
{
	int r;

	self->vm = khv_create_vm(self->dev);
	EXPECT_LE(0, self->vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-self->vm));
	if (self->vm < 0)
		return self->vm;
	r = my_newest_vm(&self->nl, &self->vm_id);
	EXPECT_EQ(0, r) TH_LOG("vm-get dump does not list the new VM: %s", strerror(-r));
	return r;
}

TEST_F(nl, host_get_vendor_matches_cpuinfo)
{
	struct nl_reply r;
	int vendor = khv_cpuinfo_vendor();

	memset(&r, 0, sizeof(r));
	ASSERT_LT(0, vendor);
	ASSERT_EQ(0, host_get(&self->nl, &r)) TH_LOG("host-get: %s", self->nl.extack);
	ASSERT_EQ(KHV_CMD_HOST_GET, r.cmd);
	ASSERT_NE(NULL, r.tb[KHV_A_HOST_VENDOR]);
	EXPECT_EQ(vendor, NLA_U32(r.tb[KHV_A_HOST_VENDOR]));
	ASSERT_NE(NULL, r.tb[KHV_A_HOST_API_VERSION]);
	EXPECT_EQ(KHV_API_VERSION, NLA_U32(r.tb[KHV_A_HOST_API_VERSION]));
	ASSERT_NE(NULL, r.tb[KHV_A_HOST_MAX_VMS]);
	EXPECT_EQ(khv_check_extension(self->dev, KHV_CAP_MAX_VMS),
		  (int)NLA_U32(r.tb[KHV_A_HOST_MAX_VMS]));
	EXPECT_NE(NULL, r.tb[KHV_A_HOST_NR_VMS]);
	EXPECT_NE(NULL, r.tb[KHV_A_HOST_TAINT]);
	EXPECT_NE(NULL, r.tb[KHV_A_HOST_MODULE_SIG]);
	EXPECT_NE(NULL, r.tb[KHV_A_HOST_LOCKDOWN]);
}

TEST_F(nl, vm_dump_lists_vm_until_close)
{
	struct dump_mine d;
	struct nl_reply r;
	int i;

	ASSERT_EQ(0, fixture_vm(_metadata, self));
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_OWNER_UID]);
	EXPECT_EQ(geteuid(), NLA_U32(r.tb[KHV_A_VM_OWNER_UID]));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_CREATED_NS]);
	EXPECT_LT(0, NLA_U64(r.tb[KHV_A_VM_CREATED_NS]));

	close(self->vm);
	self->vm = -1;
	ASSERT_EQ(0, vm_dump_mine(&self->nl, &d));
	for (i = 0; i < d.nr; i++)
		EXPECT_NE(self->vm_id, d.id[i]) TH_LOG("VM %llu listed after close",
						      (unsigned long long)self->vm_id);
	EXPECT_EQ(-ENOENT, vm_get(&self->nl, self->vm_id, &r));
}

TEST_F(nl, vm_get_unknown_id_enoent_with_extack)
{
	struct nl_reply r;

	ASSERT_EQ(-ENOENT, vm_get(&self->nl, NO_VM_ID, &r));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");
	EXPECT_NE(NULL, strstr(self->nl.extack, "no VM")) TH_LOG("extack: %s", self->nl.extack);
}

TEST_F(nl, vm_get_missing_id_einval)
{
	struct msg m;

	msg_init(&m, self->nl.family, KHV_CMD_VM_GET, 0);
	ASSERT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");
	EXPECT_EQ(KHV_A_VM_ID, self->nl.miss_type);
}

TEST_F(nl, vm_get_id_zero_refused_by_policy)
{
	struct nl_reply r;

	ASSERT_EQ(-ERANGE, vm_get(&self->nl, 0, &r));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");
}

TEST_F(nl, unknown_command_eopnotsupp)
{
	struct msg m;

	msg_init(&m, self->nl.family, KHV_CMD_MAX + 10, 0);
	ASSERT_EQ(-EOPNOTSUPP, nl_call(&self->nl, &m, NULL, NULL));
	/* Notifications are not requests. */
	msg_init(&m, self->nl.family, KHV_CMD_VM_CREATE_NTF, 0);
	ASSERT_EQ(-EOPNOTSUPP, nl_call(&self->nl, &m, NULL, NULL));
}

TEST_F(nl, vm_set_name_shows_in_get)
{
	struct nl_reply r;

	ASSERT_EQ(0, fixture_vm(_metadata, self));
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_NAME]);
	EXPECT_STREQ("", (char *)NLA_DATA(r.tb[KHV_A_VM_NAME]));

	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, "web-01 (test)"))
		TH_LOG("vm-set: %s", self->nl.extack);
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_NAME]);
	EXPECT_STREQ("web-01 (test)", (char *)NLA_DATA(r.tb[KHV_A_VM_NAME]));
	/* Setting the name it has is no conflict with itself. */
	EXPECT_EQ(0, vm_set_name(&self->nl, self->vm_id, "web-01 (test)"));
}

TEST_F(nl, vm_set_rejects_bad_names)
{
	char longest[64], too_long[65];
	int other;

	memset(longest, 'a', 63);
	longest[63] = 0;
	memset(too_long, 'b', 64);
	too_long[64] = 0;
	ASSERT_EQ(0, fixture_vm(_metadata, self));

	EXPECT_EQ(-EINVAL, vm_set_name(&self->nl, self->vm_id, ""));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("empty: no extack message");
	EXPECT_EQ(-EINVAL, vm_set_name(&self->nl, self->vm_id, too_long));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("64 bytes: no extack message");
	EXPECT_EQ(-EINVAL, vm_set_name(&self->nl, self->vm_id, "tab\there"));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("tab: no extack message");
	EXPECT_EQ(-EINVAL, vm_set_name(&self->nl, self->vm_id, "caf\xc3\xa9"));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("UTF-8: no extack message");
	EXPECT_EQ(0, vm_set_name(&self->nl, self->vm_id, longest))
		TH_LOG("63 bytes: %s", self->nl.extack);

	/* A second VM may not take the first one's name. */
	other = khv_create_vm(self->dev);
	ASSERT_LE(0, other);
	{
		uint64_t other_id;

		ASSERT_EQ(0, my_newest_vm(&self->nl, &other_id));
		ASSERT_NE(self->vm_id, other_id);
		EXPECT_EQ(-EEXIST, vm_set_name(&self->nl, other_id, longest));
		EXPECT_NE(0, self->nl.extack[0]) TH_LOG("duplicate: no extack message");
		EXPECT_EQ(0, vm_set_name(&self->nl, other_id, "other"));
	}
	close(other);
	/* A closed VM's name is free again. */
	EXPECT_EQ(0, vm_set_name(&self->nl, self->vm_id, "other"))
		TH_LOG("%s", self->nl.extack);
}

TEST_F(nl, vm_set_unknown_vm_enoent)
{
	EXPECT_EQ(-ENOENT, vm_set_name(&self->nl, NO_VM_ID, "x"));
	EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");
}

TEST_F(nl, vm_set_refused_for_non_root)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, fixture_vm(_metadata, self));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nl nl;
		int r;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		r = nl_open(&nl);
		if (r)
			_exit(101);
		r = vm_set_name(&nl, self->vm_id, "stolen");
		_exit(r == -EPERM ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: 100 setuid failed, 101 no family, 102 vm-set not EPERM");
	/* The name did not change. */
	{
		struct nl_reply r;

		ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
		EXPECT_STREQ("", (char *)NLA_DATA(r.tb[KHV_A_VM_NAME]));
	}
}

/* Read one notification; return its command or -errno. */
static int read_event(struct nl *nl, struct nl_reply *r)
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

TEST_F(nl, monitor_receives_create_change_delete)
{
	struct nl_reply ev;
	struct nl mon;
	uint64_t id;
	int grp;

	ASSERT_EQ(0, nl_open(&mon));
	grp = mon.monitor_grp;
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)));

	ASSERT_EQ(0, fixture_vm(_metadata, self));
	ASSERT_EQ(KHV_CMD_VM_CREATE_NTF, read_event(&mon, &ev));
	ASSERT_NE(NULL, ev.tb[KHV_A_VM_ID]);
	id = NLA_U64(ev.tb[KHV_A_VM_ID]);
	EXPECT_EQ(self->vm_id, id);
	ASSERT_NE(NULL, ev.tb[KHV_A_VM_PID]);
	EXPECT_EQ((uint32_t)getpid(), NLA_U32(ev.tb[KHV_A_VM_PID]));

	ASSERT_EQ(0, vm_set_name(&self->nl, id, "watched"));
	ASSERT_EQ(KHV_CMD_VM_CHANGE_NTF, read_event(&mon, &ev));
	EXPECT_EQ(id, NLA_U64(ev.tb[KHV_A_VM_ID]));
	ASSERT_NE(NULL, ev.tb[KHV_A_VM_NAME]);
	EXPECT_STREQ("watched", (char *)NLA_DATA(ev.tb[KHV_A_VM_NAME]));

	close(self->vm);
	self->vm = -1;
	ASSERT_EQ(KHV_CMD_VM_DELETE_NTF, read_event(&mon, &ev));
	EXPECT_EQ(id, NLA_U64(ev.tb[KHV_A_VM_ID]));
	close(mon.fd);
}

TEST_F(nl, monitor_refused_for_non_root)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nl nl;
		int grp;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		if (nl_open(&nl))
			_exit(101);
		grp = nl.monitor_grp;
		if (!setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)))
			_exit(102);
		_exit(errno == EPERM ? 0 : 103);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: 100 setuid failed, 101 no family, 102 joined, 103 not EPERM");
}

TEST_HARNESS_MAIN
