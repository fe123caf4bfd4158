// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_perm_test: the permission model of the management plane
 * (Documentation/admin-guide.rst, "Who may do what") against the ways
 * around it: a set grant untagging a VM out of a tag deny, a netlink socket
 * opened by one user and written (or read, for a dump) by a privileged
 * one, a deny on a user's 70th group, what a caller learns of a VM it may
 * not view, and the CAP_SYS_ADMIN override checked without an audit record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/khv.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"

#define GID_FIRST	40001	/* the test user's 70 groups: 40001 to 40070 */
#define NR_GROUPS	70

FIXTURE(perm) {
	struct nl nl;
	int dev;
	int vm;
	uint64_t vm_id;
};

/* Delete the rules these tests add: for nobody, or for the test's groups. */
static void grants_clear_cb(struct nl_reply *r, void *arg)
{
	uint32_t *ids = arg, subject;

	if (r->cmd != KHV_CMD_GRANT_GET || !r->tb[KHV_A_GRANT_ID] ||
	    !r->tb[KHV_A_GRANT_SUBJECT] || ids[0] >= 255)
		return;
	subject = NLA_U32(r->tb[KHV_A_GRANT_SUBJECT]);
	if (subject == NOBODY ||
	    (subject >= GID_FIRST && subject < GID_FIRST + NR_GROUPS))
		ids[++ids[0]] = NLA_U32(r->tb[KHV_A_GRANT_ID]);
}

static void grants_clear(struct nl *nl)
{
	uint32_t ids[256] = { 0 };
	struct msg m;
	uint32_t i;

	msg_init(&m, nl->family, KHV_CMD_GRANT_GET, NLM_F_DUMP);
	if (nl_call(nl, &m, grants_clear_cb, ids))
		return;
	for (i = 1; i <= ids[0]; i++)
		grant_del(nl, ids[i]);
}

FIXTURE_SETUP(perm)
{
	int r;

	self->vm = -1;
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("no " KHV_DEV_PATH);
	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	grants_clear(&self->nl);
	self->vm = khv_create_vm(self->dev);
	ASSERT_LE(0, self->vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-self->vm));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &self->vm_id));
}

FIXTURE_TEARDOWN(perm)
{
	grants_clear(&self->nl);
	if (self->vm >= 0)
		close(self->vm);
	close(self->dev);
	close(self->nl.fd);
}

static int allow(struct nl *nl, uint32_t subject_type, uint32_t subject,
		 uint32_t op, uint32_t object_type, uint64_t vm_id,
		 const char *tag, uint32_t action)
{
	return grant_add(nl, subject_type, subject, op, object_type, vm_id, tag,
			 action, NULL);
}

/* The tags of a VM as root sees them, in @buf. */
static const char *vm_tags(struct nl *nl, uint64_t id, char *buf, size_t len)
{
	struct nl_reply r;

	buf[0] = 0;
	if (!vm_get(nl, id, &r) && r.tb[KHV_A_VM_TAGS])
		snprintf(buf, len, "%s", (char *)NLA_DATA(r.tb[KHV_A_VM_TAGS]));
	return buf;
}

struct vm_arg {
	uint64_t id, other;
};

/* 1. set lets nobody rename X, not untag it out of the destroy deny. */
static int nobody_untag_then_destroy(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;

	if (vm_set_name(nl, a->id, "perm-renamed"))
		return 102;
	if (vm_set_tags(nl, a->id, "") != -EPERM)
		return 103;
	if (vm_cmd(nl, KHV_CMD_VM_DESTROY, a->id) != -EPERM)
		return 104;
	return 0;
}

TEST_F(perm, set_grant_cannot_untag_a_vm_out_of_a_tag_deny)
{
	struct vm_arg a = { .id = self->vm_id };
	char tags[256];

	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, "prod"));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_SET,
			   KHV_GRANT_OBJECT_VM, self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_VM, self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_DESTROY,
			   KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_DESTROY,
			   KHV_GRANT_OBJECT_TAG, 0, "prod", KHV_GRANT_ACTION_DENY));

	EXPECT_EQ(0, nl_as_nobody(nobody_untag_then_destroy, &a))
		TH_LOG("child: 102 rename refused, 103 untag not EPERM, 104 destroy not EPERM");
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	EXPECT_STREQ("prod", vm_tags(&self->nl, self->vm_id, tags, sizeof(tags)));
}

/*
 * A tag deny guards its tag: no taking it away, no giving it, and no other
 * change to the tags of a VM that has it.
 */
static int nobody_tags(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;

	if (vm_set_tags(nl, a->id, "web") != -EPERM)	/* drops prod */
		return 102;
	if (vm_set_tags(nl, a->id, "prod,web") != -EPERM)	/* keeps prod */
		return 103;
	if (vm_set_tags(nl, a->other, "prod") != -EPERM)	/* adds prod */
		return 104;
	if (vm_set_tags(nl, a->other, "web"))
		return 105;
	return 0;
}

TEST_F(perm, tag_grant_and_tag_deny_guard_a_tag)
{
	struct vm_arg a = { .id = self->vm_id };
	char tags[256];
	int other;

	other = khv_create_vm(self->dev);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, my_newest_vm(&self->nl, &a.other));
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, "prod"));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_TAG,
			   KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW))
		TH_LOG("grant op tag: %s", self->nl.extack);
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_TAG,
			   KHV_GRANT_OBJECT_TAG, 0, "prod", KHV_GRANT_ACTION_DENY));
	EXPECT_EQ(0, nl_as_nobody(nobody_tags, &a))
		TH_LOG("child: 102 dropped prod, 103 retagged a prod VM, 104 added prod, 105 refused");
	EXPECT_STREQ("prod", vm_tags(&self->nl, self->vm_id, tags, sizeof(tags)));
	EXPECT_STREQ("web", vm_tags(&self->nl, a.other, tags, sizeof(tags)));
	close(other);
}

/* 2. A netlink socket passed from one process to another. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	struct iovec iov;
	char byte = 0;

	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	struct iovec iov;
	char byte;
	int fd;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &mh, 0) != 1)
		return -errno ?: -EPROTO;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * A child becomes nobody, opens a khv netlink socket, sends @req on it if
 * @req is not NULL (without reading the answer), and hands the socket to
 * us. Return: the socket, or -errno.
 */
static int socket_of_nobody(const struct msg *req)
{
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct nl nl;

		close(sv[0]);
		if (drop_to_nobody(0, NULL) || nl_open(&nl))
			_exit(100);
		if (req && send(nl.fd, req, req->nlh.nlmsg_len, 0) < 0)
			_exit(101);
		_exit(send_fd(sv[1], nl.fd) ? 102 : 0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		if (fd >= 0)
			close(fd);
		return -ECHILD;
	}
	return fd;
}

TEST_F(perm, root_writing_to_a_socket_nobody_opened_is_nobody)
{
	struct audit_state st;
	struct nl *theirs;
	uint32_t id = 0;
	int r;

	theirs = calloc(1, sizeof(*theirs));
	ASSERT_NE(NULL, theirs);
	theirs->fd = socket_of_nobody(NULL);
	ASSERT_LE(0, theirs->fd) TH_LOG("nobody's socket: %s", strerror(-theirs->fd));
	theirs->family = self->nl.family;
	theirs->seq = 1000;

	r = grant_add(theirs, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW, &id);
	EXPECT_EQ(-EPERM, r) TH_LOG("grant-add written by root on nobody's socket");
	EXPECT_NE(0, theirs->extack[0]);
	if (!r)
		grant_del(&self->nl, id);
	EXPECT_EQ(-EPERM, audit_state(theirs, &st));
	/* A VM nobody may not view: as if there were none. */
	EXPECT_EQ(-ENOENT, vm_cmd(theirs, KHV_CMD_VM_DESTROY, self->vm_id));
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	close(theirs->fd);
	free(theirs);
}

static int nobody_writes_on_roots_socket(struct nl *nl, void *arg)
{
	struct nl *root = arg;

	(void)nl;
	if (grant_add(root, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW,
		      NULL) != -EPERM)
		return 102;
	return 0;
}

TEST_F(perm, nobody_writing_to_a_socket_root_opened_is_nobody)
{
	struct nl *root = calloc(1, sizeof(*root));

	ASSERT_NE(NULL, root);
	ASSERT_EQ(0, nl_open(root));
	EXPECT_EQ(0, nl_as_nobody(nobody_writes_on_roots_socket, root));
	close(root->fd);
	free(root);
}

#define DUMP_SEEN	96	/* more than one dump message holds */
#define DUMP_UNSEEN	12

struct dump_count {
	uint64_t first, last;	/* the test's VMs */
	uint64_t unseen_from;	/* from this id on, nobody may not view */
	int seen, unseen, parts;
};

/* Read a dump to its end on @fd, counting the test's VMs. 0 or -errno. */
static int read_dump(int fd, uint32_t seq, struct dump_count *c)
{
	static char buf[16384];
	struct nlattr *tb[KHV_A_VM_MAX + 1];
	struct nlmsghdr *h;
	uint64_t id;
	int len;

	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		c->parts++;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(h);
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			parse_attrs(tb, KHV_A_VM_MAX,
				    (char *)NLMSG_DATA(h) + GENL_HDRLEN,
				    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			if (!tb[KHV_A_VM_ID])
				continue;
			id = NLA_U64(tb[KHV_A_VM_ID]);
			if (id < c->first || id > c->last)
				continue;
			if (id >= c->unseen_from)
				c->unseen++;
			else
				c->seen++;
		}
	}
}

TEST_F_TIMEOUT(perm, dump_continued_by_root_lists_what_nobody_may_view, 600)
{
	int fds[DUMP_SEEN + DUMP_UNSEEN], i, fd, r;
	struct dump_count c = { 0 };
	struct nl_reply rep;
	uint64_t id;
	struct msg m;

	for (i = 0; i < DUMP_SEEN + DUMP_UNSEEN; i++) {
		fds[i] = khv_create_vm(self->dev);
		ASSERT_LE(0, fds[i]) TH_LOG("VM %d: %s", i, strerror(-fds[i]));
	}
	/* Ids count up, never reused: ours follow the fixture's. */
	c.first = self->vm_id + 1;
	c.last = self->vm_id + DUMP_SEEN + DUMP_UNSEEN;
	c.unseen_from = c.first + DUMP_SEEN;
	ASSERT_EQ(0, vm_get(&self->nl, c.last, &rep));
	ASSERT_EQ((uint32_t)getpid(), NLA_U32(rep.tb[KHV_A_VM_PID]))
		TH_LOG("another process created VMs meanwhile");
	for (id = c.first; id < c.unseen_from; id++)
		ASSERT_EQ(0, vm_set_tags(&self->nl, id, "perm-seen"));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_TAG, 0, "perm-seen", KHV_GRANT_ACTION_ALLOW));

	/* Nobody asks; its first part is made as it sends. Root reads on. */
	msg_init(&m, self->nl.family, KHV_CMD_VM_GET, NLM_F_DUMP);
	m.nlh.nlmsg_seq = 4242;
	fd = socket_of_nobody(&m);
	ASSERT_LE(0, fd) TH_LOG("nobody's socket: %s", strerror(-fd));
	r = read_dump(fd, 4242, &c);
	EXPECT_EQ(0, r) TH_LOG("dump: %s", strerror(-r));
	EXPECT_LT(1, c.parts) TH_LOG("the dump fit in one part: no continuation");
	EXPECT_EQ(DUMP_SEEN, c.seen);
	EXPECT_EQ(0, c.unseen) TH_LOG("root's read listed %d VMs nobody may not view",
				      c.unseen);
	close(fd);
	for (i = 0; i < DUMP_SEEN + DUMP_UNSEEN; i++)
		close(fds[i]);
}

/* 3. Every supplementary group counts. */
static int nobody_pause(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;
	int r = vm_cmd(nl, KHV_CMD_VM_PAUSE, a->id);

	if (a->other)	/* expected to be refused */
		return r == -EPERM ? 0 : 102;
	if (r)
		return 103;
	return vm_cmd(nl, KHV_CMD_VM_RESUME, a->id) ? 104 : 0;
}

TEST_F(perm, deny_on_the_70th_group_is_matched)
{
	struct vm_arg a = { .id = self->vm_id, .other = 1 };
	gid_t groups[NR_GROUPS];
	int i;

	for (i = 0; i < NR_GROUPS; i++)
		groups[i] = GID_FIRST + i;
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_VM, self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			   KHV_GRANT_OP_PAUSE_RESUME, KHV_GRANT_OBJECT_VM, self->vm_id,
			   NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_GID, GID_FIRST + NR_GROUPS - 1,
			   KHV_GRANT_OP_PAUSE_RESUME, KHV_GRANT_OBJECT_VM, self->vm_id,
			   NULL, KHV_GRANT_ACTION_DENY));

	EXPECT_EQ(0, nl_as_nobody_in(NR_GROUPS, groups, nobody_pause, &a))
		TH_LOG("in 70 groups, the 70th denied: not refused (child status above)");
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	/* Without the 70th group, the uid's allow. */
	a.other = 0;
	EXPECT_EQ(0, nl_as_nobody_in(NR_GROUPS - 1, groups, nobody_pause, &a))
		TH_LOG("in 69 groups: refused");
}

/* 11. What nobody learns of a VM it may not view: nothing. */
static int vm_get_by_name(struct nl *nl, const char *name, struct nl_reply *r)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_GET, 0);
	put_str(&m, KHV_A_VM_NAME, name);
	memset(r, 0, sizeof(*r));
	return nl_call(nl, &m, copy_reply, r);
}

static int introspect_mem(struct nl *nl, uint64_t id)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_INTROSPECT_MEM, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, id);
	put_u64(&m, KHV_A_INTROSPECT_GPA, 0);
	put_u32(&m, KHV_A_INTROSPECT_LEN, 16);
	return nl_call(nl, &m, NULL, NULL);
}

/* Operation @i of the ones that name a VM, on @id: its -errno. */
static int vm_op(struct nl *nl, int i, uint64_t id)
{
	static const uint8_t cmds[] = {
		KHV_CMD_VM_PAUSE, KHV_CMD_VM_RESUME, KHV_CMD_VM_DESTROY,
	};
	struct nl_reply r;

	switch (i) {
	case 0:
		return vm_get(nl, id, &r);
	case 1:
		return vm_set_name(nl, id, "perm-stolen");
	case 2:
		return vm_set_tags(nl, id, "perm-stolen");
	case 3:
		return introspect_mem(nl, id);
	default:
		return vm_cmd(nl, cmds[i - 4], id);
	}
}

#define NR_VM_OPS	7

static int nobody_sees_nothing(struct nl *nl, void *arg)
{
	char extack[sizeof(nl->extack)];
	struct vm_arg *a = arg;
	struct nl_reply r;
	int i, e;

	for (i = 0; i < NR_VM_OPS; i++) {
		e = vm_op(nl, i, NO_VM_ID);
		snprintf(extack, sizeof(extack), "%s", nl->extack);
		if (vm_op(nl, i, a->id) != e || e != -ENOENT)
			return 110 + i;
		if (strcmp(extack, nl->extack))
			return 120 + i;
	}
	e = vm_get_by_name(nl, "perm-no-such-name", &r);
	snprintf(extack, sizeof(extack), "%s", nl->extack);
	if (vm_get_by_name(nl, "perm-hidden", &r) != e || strcmp(extack, nl->extack))
		return 103;
	if (host_get(nl, &r) || !r.tb[KHV_A_HOST_NR_VMS] ||
	    NLA_U32(r.tb[KHV_A_HOST_NR_VMS]) != 0)
		return 104;
	return 0;
}

static int nobody_sees_one(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;
	struct nl_reply r;

	if (vm_get(nl, a->id, &r))
		return 102;
	/* May view, may not pause: told so. */
	if (vm_cmd(nl, KHV_CMD_VM_PAUSE, a->id) != -EPERM || !nl->extack[0])
		return 103;
	if (host_get(nl, &r) || !r.tb[KHV_A_HOST_NR_VMS] ||
	    NLA_U32(r.tb[KHV_A_HOST_NR_VMS]) != 1)
		return 104;
	return 0;
}

TEST_F(perm, a_vm_nobody_may_not_view_answers_as_none)
{
	struct vm_arg a = { .id = self->vm_id };
	struct khv_memory_region region;

	memset(&region, 0, sizeof(region));
	region.size = 4096;
	ASSERT_EQ(0, ioctl(self->vm, KHV_SET_MEMORY_REGION, &region));
	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, "perm-hidden"));
	EXPECT_EQ(0, nl_as_nobody(nobody_sees_nothing, &a))
		TH_LOG("child: 11x op x's errno, 12x its extack differ from no VM's; "
		       "103 by name; 104 host-get counts VMs it may not view");
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));

	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_VM, self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW));
	EXPECT_EQ(0, nl_as_nobody(nobody_sees_one, &a));
}

/* Nobody names its VM as root named one nobody may not view. */
static int nobody_names(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;
	struct nl_reply r;

	if (vm_set_name(nl, a->other, "perm-taken"))
		return 102;
	if (vm_get_by_name(nl, "perm-taken", &r) || !r.tb[KHV_A_VM_ID] ||
	    NLA_U64(r.tb[KHV_A_VM_ID]) != a->other)
		return 103;
	return 0;
}

TEST_F(perm, names_of_vms_nobody_may_not_view_are_free_to_it)
{
	struct vm_arg a = { .id = self->vm_id };
	struct nl_reply r;
	int other;

	other = khv_create_vm(self->dev);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, my_newest_vm(&self->nl, &a.other));
	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, "perm-taken"));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
			   KHV_GRANT_OBJECT_VM, a.other, NULL, KHV_GRANT_ACTION_ALLOW));
	ASSERT_EQ(0, allow(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_SET,
			   KHV_GRANT_OBJECT_VM, a.other, NULL, KHV_GRANT_ACTION_ALLOW));
	EXPECT_EQ(0, nl_as_nobody(nobody_names, &a))
		TH_LOG("child: 102 name refused (EEXIST tells of the hidden VM), 103 not found");
	/* Root sees both: the name does not say which. */
	EXPECT_EQ(-ENOTUNIQ, vm_get_by_name(&self->nl, "perm-taken", &r));
	EXPECT_NE(0, self->nl.extack[0]);
	/* Root may not give a VM a name that a VM it sees has. */
	ASSERT_EQ(0, vm_set_name(&self->nl, a.other, "perm-other"));
	EXPECT_EQ(-EEXIST, vm_set_name(&self->nl, self->vm_id, "perm-other"));
	close(other);
}

/*
 * 12. The CAP_SYS_ADMIN override is checked without an audit record; only a
 * refusal is checked with one. Seen through a kprobe on security_capable()
 * (cap, opts), where the kernel has kprobe events.
 */
#define TRACEFS		"/sys/kernel/tracing"
#define CAP_SYS_ADMIN_NR	21
#define CAP_OPT_NOAUDIT_BIT	(1u << 1)

static int write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		r = -errno;
	close(fd);
	return r;
}

static int kprobe_setup(void)
{
	struct stat st;

	if (stat(TRACEFS "/kprobe_events", &st) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	if (write_file(TRACEFS "/kprobe_events",
		       "p:khv_perm/cap security_capable cap=%dx:s32 opts=%cx:u32\n",
		       O_APPEND))
		return -ENOSYS;
	if (write_file(TRACEFS "/events/khv_perm/cap/filter", "cap == 21\n", 0) ||
	    write_file(TRACEFS "/trace", "", O_TRUNC) ||
	    write_file(TRACEFS "/events/khv_perm/cap/enable", "1\n", 0))
		return -EIO;
	return 0;
}

static void kprobe_teardown(void)
{
	write_file(TRACEFS "/events/khv_perm/cap/enable", "0\n", 0);
	write_file(TRACEFS "/kprobe_events", "-:khv_perm/cap\n", O_APPEND);
}

/* CAP_SYS_ADMIN checks by @pid in the trace: with and without audit. */
static void count_cap_checks(pid_t pid, int *audited, int *quiet)
{
	char line[512], tag[32];
	unsigned int opts;
	FILE *f;
	char *p;

	*audited = *quiet = 0;
	snprintf(tag, sizeof(tag), "-%d ", (int)pid);
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strstr(line, tag) ||
		    !strstr(line, "cap=21 "))
			continue;
		p = strstr(line, "opts=");
		if (!p || sscanf(p, "opts=%u", &opts) != 1)
			continue;
		if (opts & CAP_OPT_NOAUDIT_BIT)
			(*quiet)++;
		else
			(*audited)++;
	}
	fclose(f);
}

static int nobody_dumps(struct nl *nl, void *arg)
{
	struct dump_mine d;

	(void)arg;
	return vm_dump_mine(nl, &d) ? 102 : 0;
}

static int nobody_refused(struct nl *nl, void *arg)
{
	struct vm_arg *a = arg;

	return vm_cmd(nl, KHV_CMD_VM_PAUSE, a->id) == -ENOENT ? 0 : 102;
}

/* Run @fn as nobody; its pid in *@pid. */
static int as_nobody_pid(int (*fn)(struct nl *nl, void *arg), void *arg,
			 pid_t *pid)
{
	int status;

	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (!*pid) {
		struct nl nl;

		if (drop_to_nobody(0, NULL) || nl_open(&nl))
			_exit(100);
		_exit(fn(&nl, arg));
	}
	if (waitpid(*pid, &status, 0) != *pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(perm, override_checked_without_audit_refusal_with)
{
	struct vm_arg a = { .id = self->vm_id };
	int fds[8], i, r, audited, quiet;
	pid_t pid;

	r = kprobe_setup();
	if (r) {
		kprobe_teardown();
		SKIP(return, "no kprobe events on security_capable (%s)", strerror(-r));
	}
	for (i = 0; i < 8; i++) {
		fds[i] = khv_create_vm(self->dev);
		ASSERT_LE(0, fds[i]);
	}
	/* A dump of 9+ VMs nobody may not view: no audited check. */
	r = as_nobody_pid(nobody_dumps, NULL, &pid);
	EXPECT_EQ(0, r);
	count_cap_checks(pid, &audited, &quiet);
	EXPECT_EQ(0, audited) TH_LOG("a dump made %d audited CAP_SYS_ADMIN checks", audited);
	EXPECT_LT(0, quiet) TH_LOG("the probe saw no check at all");
	/* A refusal: one. */
	r = as_nobody_pid(nobody_refused, &a, &pid);
	EXPECT_EQ(0, r);
	count_cap_checks(pid, &audited, &quiet);
	EXPECT_LE(1, audited) TH_LOG("a refusal made no audited check");
	kprobe_teardown();
	for (i = 0; i < 8; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
