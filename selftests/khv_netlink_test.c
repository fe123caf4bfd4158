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
#include "khv_nl.h"
#include "khv_util.h"

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
		/* It may not view the VM: as if there were none. */
		r = vm_set_name(&nl, self->vm_id, "stolen");
		_exit(r == -ENOENT ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: 100 setuid failed, 101 no family, 102 vm-set not ENOENT");
	/* The name did not change. */
	{
		struct nl_reply r;

		ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
		EXPECT_STREQ("", (char *)NLA_DATA(r.tb[KHV_A_VM_NAME]));
	}
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
