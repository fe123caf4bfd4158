// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_mgmt_test: the management plane beyond names — the VM lifecycle from
 * outside (pause, resume, destroy), tags, grants (a non-root user refused
 * without one, allowed with one, a deny winning over an allow, /dev/khv's
 * create grant), the audit trail (records present, ordered, on the monitor
 * group, the ring's lost count), introspection, and malformed requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/khv.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"

#define NOBODY		65534
#define MEM_SIZE	(64 * 1024)

FIXTURE(mgmt) {
	struct nl nl;
	int dev;
	int vm;
	uint64_t vm_id;
};

FIXTURE_SETUP(mgmt)
{
	int r;

	self->vm = -1;
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("no " KHV_DEV_PATH);
	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	self->vm = khv_create_vm(self->dev);
	ASSERT_LE(0, self->vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-self->vm));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &self->vm_id));
}

FIXTURE_TEARDOWN(mgmt)
{
	if (self->vm >= 0)
		close(self->vm);
	close(self->dev);
	close(self->nl.fd);
}

static int create_vcpu(int vm, uint32_t id)
{
	struct khv_create_vcpu c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.id = id;
	fd = ioctl(vm, KHV_CREATE_VCPU, &c);
	return fd < 0 ? -errno : fd;
}

static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/*
 * Run @fn in a child that dropped to uid/gid nobody with a fresh netlink
 * socket; return its exit status (0 = as expected).
 */
static int as_nobody(int (*fn)(struct nl *nl, void *arg), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct nl nl;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(100);
		if (nl_open(&nl))
			_exit(101);
		_exit(fn(&nl, arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct expect {
	uint64_t vm_id;
	int err;		/* what the operation must return */
	bool extack;		/* and whether with a message */
};

static int nobody_vm_get(struct nl *nl, void *arg)
{
	struct expect *e = arg;
	struct nl_reply r;
	int err = vm_get(nl, e->vm_id, &r);

	if (err != e->err)
		return 102;
	if (e->extack && !nl->extack[0])
		return 103;
	return 0;
}

static int nobody_pause(struct nl *nl, void *arg)
{
	struct expect *e = arg;

	return vm_cmd(nl, KHV_CMD_VM_PAUSE, e->vm_id) == e->err ? 0 : 102;
}

static int nobody_admin_ops(struct nl *nl, void *arg)
{
	struct audit_state st;
	struct msg m;

	(void)arg;
	if (grant_add(nl, KHV_GRANT_SUBJECT_UID, NOBODY, KHV_GRANT_OP_VIEW,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW,
		      NULL) != -EPERM || !nl->extack[0])
		return 102;
	if (audit_state(nl, &st) != -EPERM)
		return 103;
	if (audit_set_size(nl, 64) != -EPERM)
		return 104;
	msg_init(&m, nl->family, KHV_CMD_GRANT_GET, NLM_F_DUMP);
	if (nl_call(nl, &m, NULL, NULL) != -EPERM)
		return 105;
	return 0;
}

/* The last record for @vm_id with operation @op in @d, or NULL. */
static struct audit_rec *find_rec(struct audit_dump *d, uint32_t op,
				  uint64_t vm_id)
{
	int i;

	for (i = d->nr - 1; i >= 0; i--)
		if (d->rec[i].op == op && d->rec[i].vm_id == vm_id)
			return &d->rec[i];
	return NULL;
}

TEST_F(mgmt, vm_get_reports_state_tags_and_exit_counters)
{
	struct nl_reply r;

	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_STATE]);
	EXPECT_EQ(KHV_VM_STATE_RUNNING, NLA_U32(r.tb[KHV_A_VM_STATE]));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_TAGS]);
	EXPECT_STREQ("", (char *)NLA_DATA(r.tb[KHV_A_VM_TAGS]));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_NR_VCPUS]);
	EXPECT_EQ(0, NLA_U32(r.tb[KHV_A_VM_NR_VCPUS]));
	EXPECT_NE(NULL, r.tb[KHV_A_VM_MEM_BYTES]);
	ASSERT_NE(NULL, r.tb[KHV_A_VM_EXITS]);
	EXPECT_LT(NLA_HDRLEN, r.tb[KHV_A_VM_EXITS]->nla_len);
	EXPECT_NE(0, r.tb[KHV_A_VM_EXITS]->nla_type & NLA_F_NESTED);
	ASSERT_NE(NULL, r.tb[KHV_A_VM_OWNER_UID]);
	EXPECT_EQ(geteuid(), NLA_U32(r.tb[KHV_A_VM_OWNER_UID]));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_PID]);
	EXPECT_EQ((uint32_t)getpid(), NLA_U32(r.tb[KHV_A_VM_PID]));

	ASSERT_LE(0, create_vcpu(self->vm, 0));
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	EXPECT_EQ(1, NLA_U32(r.tb[KHV_A_VM_NR_VCPUS]));
}

static int vm_get_by_name(struct nl *nl, const char *name, bool with_id,
			  uint64_t id, struct nl_reply *r)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_VM_GET, 0);
	if (with_id)
		put_u64(&m, KHV_A_VM_ID, id);
	put_str(&m, KHV_A_VM_NAME, name);
	memset(r, 0, sizeof(*r));
	return nl_call(nl, &m, copy_reply, r);
}

TEST_F(mgmt, vm_get_by_name)
{
	struct nl_reply r;

	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, "found-by-name"));
	ASSERT_EQ(0, vm_get_by_name(&self->nl, "found-by-name", false, 0, &r))
		TH_LOG("%s", self->nl.extack);
	ASSERT_NE(NULL, r.tb[KHV_A_VM_ID]);
	EXPECT_EQ(self->vm_id, NLA_U64(r.tb[KHV_A_VM_ID]));
	EXPECT_EQ(-ENOENT, vm_get_by_name(&self->nl, "no-such-vm", false, 0, &r));
	EXPECT_NE(0, self->nl.extack[0]);
	/* Unnamed VMs are not found by "". */
	EXPECT_EQ(-ENOENT, vm_get_by_name(&self->nl, "", false, 0, &r));
	/* One or the other. */
	EXPECT_EQ(-EINVAL, vm_get_by_name(&self->nl, "found-by-name", true,
					  self->vm_id, &r));
	EXPECT_NE(0, self->nl.extack[0]);
}

TEST_F(mgmt, vm_set_tags_validated_and_shown)
{
	static const char *const bad[] = {
		"web,", ",web", "web,,prod", "web,prod,web", "web prod",
		"a,b,c,d,e,f,g,h,i", "tag-with-32-characters-is-too-lo",
		"caf\xc3\xa9",
	};
	struct nl_reply r;
	unsigned int i;

	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, "web,prod"))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	EXPECT_STREQ("web,prod", (char *)NLA_DATA(r.tb[KHV_A_VM_TAGS]));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vm_set_tags(&self->nl, self->vm_id, bad[i]))
			TH_LOG("tags \"%s\" accepted", bad[i]);
		EXPECT_NE(0, self->nl.extack[0]) TH_LOG("\"%s\": no extack", bad[i]);
	}
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	EXPECT_STREQ("web,prod", (char *)NLA_DATA(r.tb[KHV_A_VM_TAGS]));
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, ""));
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	EXPECT_STREQ("", (char *)NLA_DATA(r.tb[KHV_A_VM_TAGS]));
}

TEST_F(mgmt, vm_pause_resume_change_state_and_notify)
{
	struct nl_reply ev;
	struct nl mon;

	ASSERT_EQ(0, nl_open(&mon));
	ASSERT_EQ(0, monitor_join(&mon));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	EXPECT_EQ(KHV_VM_STATE_PAUSED, vm_state(&self->nl, self->vm_id));
	ASSERT_EQ(KHV_CMD_VM_CHANGE_NTF, read_event(&mon, &ev));
	EXPECT_EQ(self->vm_id, NLA_U64(ev.tb[KHV_A_VM_ID]));
	EXPECT_EQ(KHV_VM_STATE_PAUSED, NLA_U32(ev.tb[KHV_A_VM_STATE]));
	/* Pausing a paused VM changes nothing and is no error. */
	EXPECT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	ASSERT_EQ(KHV_CMD_VM_CHANGE_NTF, read_event(&mon, &ev));
	EXPECT_EQ(KHV_VM_STATE_RUNNING, NLA_U32(ev.tb[KHV_A_VM_STATE]));
	EXPECT_EQ(-ENOENT, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, NO_VM_ID));
	EXPECT_NE(0, self->nl.extack[0]);
	close(mon.fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(mgmt, run_on_paused_vm_blocks_until_signal)
{
	struct khv_run *run;
	struct sigaction sa;
	int vcpu, r;

	vcpu = create_vcpu(self->vm, 0);
	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	r = ioctl_err(vcpu, KHV_RUN, NULL);
	alarm(0);
	EXPECT_EQ(-EINTR, r) TH_LOG("KHV_RUN on a paused VM: %s", strerror(-r));

	/* immediate_exit does not wait. */
	run = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, ioctl_err(vcpu, KHV_RUN, NULL));
	EXPECT_EQ(KHV_EXIT_INTR, run->exit_reason);
	munmap(run, getpagesize());
	close(vcpu);
}

TEST_F(mgmt, destroy_wakes_paused_run_with_eio_and_fails_ioctls)
{
	struct khv_regs regs;
	int vcpu, status;
	pid_t pid;

	vcpu = create_vcpu(self->vm, 0);
	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(ioctl_err(vcpu, KHV_RUN, NULL) == -EIO ? 0 : 1);
	usleep(300 * 1000);
	/* Still waiting for resume. */
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, self->vm_id));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("KHV_RUN did not return EIO");

	EXPECT_EQ(KHV_VM_STATE_DEAD, vm_state(&self->nl, self->vm_id));
	EXPECT_EQ(-EIO, ioctl_err(vcpu, KHV_GET_REGS, &regs));
	EXPECT_EQ(-EIO, ioctl_err(vcpu, KHV_RUN, NULL));
	EXPECT_EQ(-EIO, create_vcpu(self->vm, 1));
	/* A dead VM stays dead. */
	EXPECT_EQ(-EINVAL, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, self->vm_id));
	/* Freed when the last fd closes. */
	close(vcpu);
	close(self->vm);
	self->vm = -1;
	EXPECT_EQ(-ENOENT, vm_state(&self->nl, self->vm_id));
}

/*
 * A real-mode guest at 0x1000 that counts in the dword at 0x600 forever:
 *	inc dword [0x600]; jmp back
 * Return: the vCPU fd; *@mem: its RAM (64 KiB at guest-physical 0).
 */
static int counting_guest(int vm, volatile uint32_t **counter)
{
	static const uint8_t code[] = { 0x66, 0xff, 0x06, 0x00, 0x06, 0xeb, 0xf9 };
	struct khv_segment *segs[6];
	struct khv_memory_region region;
	struct khv_sregs sregs;
	struct khv_regs regs;
	uint8_t *mem;
	int vcpu, i;

	memset(&region, 0, sizeof(region));
	region.size = MEM_SIZE;
	if (ioctl(vm, KHV_SET_MEMORY_REGION, &region))
		return -errno;
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vm,
		   region.mmap_offset);
	if (mem == MAP_FAILED)
		return -errno;
	memcpy(mem + 0x1000, code, sizeof(code));
	*counter = (volatile uint32_t *)(mem + 0x600);
	vcpu = create_vcpu(vm, 0);
	if (vcpu < 0)
		return vcpu;
	if (ioctl(vcpu, KHV_GET_SREGS, &sregs))
		return -errno;
	segs[0] = &sregs.cs; segs[1] = &sregs.ds; segs[2] = &sregs.es;
	segs[3] = &sregs.fs; segs[4] = &sregs.gs; segs[5] = &sregs.ss;
	for (i = 0; i < 6; i++) {
		segs[i]->base = 0;
		segs[i]->selector = 0;
	}
	if (ioctl(vcpu, KHV_SET_SREGS, &sregs) || ioctl(vcpu, KHV_GET_REGS, &regs))
		return -errno;
	regs.rip = 0x1000;
	regs.rsp = 0xfff0;
	/*
	 * IF set, though no interrupt is ever injected: Bochs 2.7 keeps host
	 * interrupts from exiting a VMX guest whose IF is clear (see
	 * khv_guest_test.c, spin_code).
	 */
	regs.rflags = 0x202;
	if (ioctl(vcpu, KHV_SET_REGS, &regs))
		return -errno;
	return vcpu;
}

/* Wait up to @ms for @pid to exit; its exit status, or -1. */
static int wait_exit(pid_t pid, int ms)
{
	int status;

	for (; ms > 0; ms -= 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(10000);
	}
	return -1;
}

TEST_F(mgmt, pause_stops_a_running_guest_and_destroy_ends_its_run)
{
	volatile uint32_t *counter;
	struct nl_reply r;
	struct nlattr *tb[KHV_A_REGS_MAX + 1];
	uint32_t c1, c2;
	struct msg m;
	int vcpu, i;
	pid_t pid;

	vcpu = counting_guest(self->vm, &counter);
	ASSERT_LE(0, vcpu) TH_LOG("guest setup: %s", strerror(-vcpu));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Never outlive the test, spinning in the guest. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(ioctl_err(vcpu, KHV_RUN, NULL) == -EIO ? 0 : 1);
	}

	for (i = 0; i < 200 && !*counter; i++)
		usleep(10000);
	EXPECT_NE(0, *counter) TH_LOG("the guest does not run");

	/* Paused: the guest stops counting, KHV_RUN keeps waiting. */
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	usleep(100000);
	c1 = *counter;
	usleep(200000);
	c2 = *counter;
	EXPECT_EQ(c1, c2) TH_LOG("a paused guest still runs");
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG)) TH_LOG("KHV_RUN returned on pause");

	/* Its vCPU waits without its mutex: introspection can read it. */
	msg_init(&m, self->nl.family, KHV_CMD_INTROSPECT_REGS, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, self->vm_id);
	put_u32(&m, KHV_A_INTROSPECT_VCPU_ID, 0);
	memset(&r, 0, sizeof(r));
	EXPECT_EQ(0, nl_call(&self->nl, &m, copy_reply, &r)) TH_LOG("%s", self->nl.extack);
	if (r.tb[KHV_A_INTROSPECT_REGS]) {
		parse_attrs(tb, KHV_A_REGS_MAX, NLA_DATA(r.tb[KHV_A_INTROSPECT_REGS]),
			    r.tb[KHV_A_INTROSPECT_REGS]->nla_len - NLA_HDRLEN);
		ASSERT_NE(NULL, tb[KHV_A_REGS_RIP]);
		EXPECT_LE(0x1000, NLA_U64(tb[KHV_A_REGS_RIP]));
		EXPECT_GT(0x1007, NLA_U64(tb[KHV_A_REGS_RIP]));
	}

	/* Resumed: it counts again. */
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
	for (i = 0; i < 200 && *counter == c2; i++)
		usleep(10000);
	EXPECT_NE(c2, *counter) TH_LOG("a resumed guest does not run");

	/* Destroyed while in the guest: KHV_RUN returns EIO. */
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, self->vm_id));
	i = wait_exit(pid, 3000);
	if (i < 0)
		kill(pid, SIGKILL);
	EXPECT_EQ(0, i) TH_LOG("KHV_RUN of a destroyed VM did not return EIO");
	close(vcpu);
}

TEST_F(mgmt, non_root_refused_without_grant_allowed_with_one)
{
	struct expect e = { .vm_id = self->vm_id, .err = -ENOENT, .extack = true };
	uint32_t allow, deny;

	/* A VM it may not view is, to the caller, no VM at all. */
	EXPECT_EQ(0, as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get without a grant");
	EXPECT_EQ(0, as_nobody(nobody_pause, &e)) TH_LOG("vm-pause without a grant");

	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &allow))
		TH_LOG("grant-add: %s", self->nl.extack);
	e.err = 0;
	e.extack = false;
	EXPECT_EQ(0, as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get with a view grant");
	/* View is not pause, and the VM is visible: EPERM. */
	e.err = -EPERM;
	EXPECT_EQ(0, as_nobody(nobody_pause, &e)) TH_LOG("vm-pause with a view grant");
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));

	/* A deny through the group and a tag overrides the uid's allow. */
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, "locked"));
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_GID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_TAG, 0,
			       "locked", KHV_GRANT_ACTION_DENY, &deny))
		TH_LOG("grant-add: %s", self->nl.extack);
	e.err = -ENOENT;
	e.extack = true;
	EXPECT_EQ(0, as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get with allow and deny");
	/* Without the tag, the deny no longer covers the VM. */
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, ""));
	e.err = 0;
	e.extack = false;
	EXPECT_EQ(0, as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get after untagging");

	EXPECT_EQ(0, grant_del(&self->nl, deny));
	EXPECT_EQ(0, grant_del(&self->nl, allow));
	EXPECT_EQ(-ENOENT, grant_del(&self->nl, allow));
	EXPECT_NE(0, self->nl.extack[0]);
	e.err = -ENOENT;
	EXPECT_EQ(0, as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get after grant-del");
}

static int nobody_create(struct nl *nl, void *arg)
{
	int dev = *(int *)arg;
	int fd;

	(void)nl;
	fd = khv_create_vm(dev);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : (fd == -EPERM ? 1 : 2);
}

TEST_F(mgmt, dev_create_needs_create_grant_for_non_root)
{
	uint32_t id;

	/* The fd was opened by root: the grant is the only gate left. */
	EXPECT_EQ(1, as_nobody(nobody_create, &self->dev))
		TH_LOG("KHV_CREATE_VM by nobody without a grant not EPERM");
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_CREATE, KHV_GRANT_OBJECT_ALL, 0,
			       NULL, KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_EQ(0, as_nobody(nobody_create, &self->dev))
		TH_LOG("KHV_CREATE_VM by nobody with a create grant");
	EXPECT_EQ(0, grant_del(&self->nl, id));
}

TEST_F(mgmt, grant_and_audit_ops_need_cap_sys_admin)
{
	EXPECT_EQ(0, as_nobody(nobody_admin_ops, NULL))
		TH_LOG("child: 102 grant-add, 103 audit-get, 104 audit-set, 105 grant dump");
}

TEST_F(mgmt, grant_add_refuses_malformed_rules)
{
	struct msg m;
	uint32_t id;
	int r;

	/* Object vm without its id, tag without the tag, create on one VM. */
	EXPECT_EQ(-EINVAL, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1,
				     KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_VM, 0,
				     NULL, KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1,
				     KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_TAG, 0,
				     NULL, KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1,
				     KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_TAG, 0,
				     "bad tag", KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1,
				     KHV_GRANT_OP_CREATE, KHV_GRANT_OBJECT_VM,
				     self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_NE(0, self->nl.extack[0]);
	/* Out of the enums' ranges: the policy refuses. */
	r = grant_add(&self->nl, KHV_GRANT_SUBJECT_GID + 1, 1, KHV_GRANT_OP_VIEW,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW, &id);
	EXPECT_EQ(-ERANGE, r);
	EXPECT_NE(0, self->nl.extack[0]);
	r = grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1, 0,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_ALLOW, &id);
	EXPECT_EQ(-ERANGE, r);
	r = grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 1, KHV_GRANT_OP_VIEW,
		      KHV_GRANT_OBJECT_ALL, 0, NULL, KHV_GRANT_ACTION_DENY + 1, &id);
	EXPECT_EQ(-ERANGE, r);
	/* Missing attributes. */
	msg_init(&m, self->nl.family, KHV_CMD_GRANT_ADD, 0);
	put_u32(&m, KHV_A_GRANT_SUBJECT_TYPE, KHV_GRANT_SUBJECT_UID);
	EXPECT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.miss_type);
	/* The same rule twice. */
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 4242,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_ALL, 0, NULL,
			       KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_EQ(-EEXIST, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 4242,
				     KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_ALL, 0,
				     NULL, KHV_GRANT_ACTION_ALLOW, NULL));
	EXPECT_EQ(0, grant_del(&self->nl, id));
}

struct grant_seen {
	uint32_t id;
	bool found, right;
};

static void grant_dump_cb(struct nl_reply *r, void *arg)
{
	struct grant_seen *g = arg;

	if (r->cmd != KHV_CMD_GRANT_GET || !r->tb[KHV_A_GRANT_ID] ||
	    NLA_U32(r->tb[KHV_A_GRANT_ID]) != g->id)
		return;
	g->found = true;
	g->right = r->tb[KHV_A_GRANT_TAG] && r->tb[KHV_A_GRANT_ACTION] &&
		   r->tb[KHV_A_GRANT_OP] && r->tb[KHV_A_GRANT_SUBJECT] &&
		   !strcmp(NLA_DATA(r->tb[KHV_A_GRANT_TAG]), "dumped") &&
		   NLA_U32(r->tb[KHV_A_GRANT_ACTION]) == KHV_GRANT_ACTION_DENY &&
		   NLA_U32(r->tb[KHV_A_GRANT_OP]) == KHV_GRANT_OP_DESTROY &&
		   NLA_U32(r->tb[KHV_A_GRANT_SUBJECT]) == 4343 &&
		   !r->tb[KHV_A_GRANT_VM_ID];
}

TEST_F(mgmt, grant_dump_lists_rules_until_deleted)
{
	struct grant_seen g = { 0 };
	struct msg m;

	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_GID, 4343,
			       KHV_GRANT_OP_DESTROY, KHV_GRANT_OBJECT_TAG, 0,
			       "dumped", KHV_GRANT_ACTION_DENY, &g.id));
	ASSERT_LT(0, g.id);
	msg_init(&m, self->nl.family, KHV_CMD_GRANT_GET, NLM_F_DUMP);
	ASSERT_EQ(0, nl_call(&self->nl, &m, grant_dump_cb, &g));
	EXPECT_TRUE(g.found);
	EXPECT_TRUE(g.right);
	ASSERT_EQ(0, grant_del(&self->nl, g.id));
	g.found = false;
	msg_init(&m, self->nl.family, KHV_CMD_GRANT_GET, NLM_F_DUMP);
	ASSERT_EQ(0, nl_call(&self->nl, &m, grant_dump_cb, &g));
	EXPECT_FALSE(g.found);
}

TEST_F(mgmt, malformed_requests_refused_with_extack)
{
	char big[300];
	struct msg m;
	uint32_t small = 1;

	/* vm-pause without the id. */
	msg_init(&m, self->nl.family, KHV_CMD_VM_PAUSE, 0);
	EXPECT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_EQ(KHV_A_VM_ID, self->nl.miss_type);
	/* The id as 4 bytes instead of 8. */
	msg_init(&m, self->nl.family, KHV_CMD_VM_PAUSE, 0);
	put_attr(&m, KHV_A_VM_ID, &small, sizeof(small));
	EXPECT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]);
	/* An attribute vm-pause does not take. */
	msg_init(&m, self->nl.family, KHV_CMD_VM_PAUSE, 0);
	put_u64(&m, KHV_A_VM_ID, self->vm_id);
	put_str(&m, KHV_A_VM_NAME, "x");
	EXPECT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	/* Oversized tags. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	EXPECT_GT(0, vm_set_tags(&self->nl, self->vm_id, big));
	EXPECT_NE(0, self->nl.extack[0]);
	/* Unknown operation. */
	msg_init(&m, self->nl.family, KHV_CMD_MAX + 1, 0);
	EXPECT_EQ(-EOPNOTSUPP, nl_call(&self->nl, &m, NULL, NULL));
	/* Ring size out of range. */
	EXPECT_EQ(-ERANGE, audit_set_size(&self->nl, 15));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-ERANGE, audit_set_size(&self->nl, 65537));
}

TEST_F(mgmt, audit_records_changes_and_denials_in_order)
{
	static const uint32_t want[] = {
		KHV_AUDIT_OP_VM_SET, KHV_AUDIT_OP_VM_PAUSE,
		KHV_AUDIT_OP_VM_RESUME, KHV_AUDIT_OP_VM_DESTROY,
	};
	struct expect e = { .vm_id = self->vm_id, .err = -ENOENT };
	struct audit_state st;
	struct audit_dump *d;
	struct audit_rec *a;
	unsigned int i;
	int n = 0;

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, "audited"));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, self->vm_id));
	ASSERT_EQ(0, as_nobody(nobody_vm_get, &e));

	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	ASSERT_LE(5, d->nr);
	/* Consecutive sequence numbers, time never going back. */
	for (i = 1; i < (unsigned int)d->nr; i++) {
		EXPECT_EQ(d->rec[i - 1].seq + 1, d->rec[i].seq);
		EXPECT_LE(d->rec[i - 1].time_ns, d->rec[i].time_ns);
	}
	EXPECT_EQ(st.next_seq, d->rec[0].seq);
	/* Ours, in the order we made them (other processes may interleave). */
	for (i = 0; i < (unsigned int)d->nr && n < (int)ARRAY_SIZE(want); i++) {
		a = &d->rec[i];
		if (a->vm_id != self->vm_id || a->pid != (uint32_t)getpid())
			continue;
		EXPECT_EQ(want[n], a->op);
		EXPECT_EQ(0, a->result);
		EXPECT_EQ(geteuid(), a->uid);
		EXPECT_NE(0, a->comm[0]);
		n++;
	}
	EXPECT_EQ((int)ARRAY_SIZE(want), n);
	a = find_rec(d, KHV_AUDIT_OP_VM_PAUSE, self->vm_id);
	ASSERT_NE(NULL, a);
	EXPECT_STREQ("running", a->old);
	EXPECT_STREQ("paused", a->new);
	a = find_rec(d, KHV_AUDIT_OP_VM_SET, self->vm_id);
	ASSERT_NE(NULL, a);
	EXPECT_NE(NULL, strstr(a->new, "name=audited"));
	/* The denial: who was refused, and how (told ENOENT, recorded EPERM). */
	a = find_rec(d, KHV_AUDIT_OP_VM_VIEW, self->vm_id);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(NOBODY, a->uid);
	EXPECT_EQ(-EPERM, a->result);
	free(d);
}

TEST_F(mgmt, monitor_receives_audit_records)
{
	struct nl_reply ev;
	struct nl mon;
	int cmd, i;
	bool seen = false;

	ASSERT_EQ(0, nl_open(&mon));
	ASSERT_EQ(0, monitor_join(&mon));
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
	for (i = 0; i < 8 && !seen; i++) {
		cmd = read_any_event(&mon, &ev);
		ASSERT_LT(0, cmd);
		if (cmd == KHV_CMD_AUDIT_NTF && ev.tb[KHV_A_AUDIT_OP] &&
		    NLA_U32(ev.tb[KHV_A_AUDIT_OP]) == KHV_AUDIT_OP_VM_PAUSE &&
		    NLA_U64(ev.tb[KHV_A_AUDIT_VM_ID]) == self->vm_id) {
			seen = true;
			EXPECT_NE(NULL, ev.tb[KHV_A_AUDIT_SEQ]);
			EXPECT_NE(NULL, ev.tb[KHV_A_AUDIT_COMM]);
		}
	}
	EXPECT_TRUE(seen);
	close(mon.fd);
}

TEST_F(mgmt, audit_ring_overflow_reports_lost_count)
{
	struct audit_state before, after;
	struct audit_dump *d;
	char name[16];
	int i;

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_state(&self->nl, &before));
	ASSERT_EQ(0, audit_set_size(&self->nl, 16));
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "overflow-%d", i);
		ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, name));
	}
	ASSERT_EQ(0, audit_state(&self->nl, &after));
	EXPECT_EQ(16, after.ring_size);
	EXPECT_EQ(after.next_seq - 16, after.first_seq);
	EXPECT_LE(before.lost + 40 - 16, after.lost);
	/* A reader that asks from where it was sees the gap: first > asked. */
	ASSERT_EQ(0, audit_dump(&self->nl, before.next_seq, d));
	EXPECT_EQ(16, d->nr);
	EXPECT_EQ(after.first_seq, d->rec[0].seq);
	EXPECT_LT(before.next_seq, d->rec[0].seq);
	ASSERT_EQ(0, audit_set_size(&self->nl, before.ring_size));
	free(d);
}

TEST_F(mgmt, introspect_regs_of_a_stopped_vcpu)
{
	struct khv_regs regs;
	struct nl_reply r;
	struct nlattr *tb[KHV_A_REGS_MAX + 1];
	struct msg m;
	int vcpu;

	vcpu = create_vcpu(self->vm, 0);
	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl_err(vcpu, KHV_GET_REGS, &regs));
	regs.rax = 0x1122334455667788ull;
	regs.r15 = 0xfeedull;
	ASSERT_EQ(0, ioctl_err(vcpu, KHV_SET_REGS, &regs));

	msg_init(&m, self->nl.family, KHV_CMD_INTROSPECT_REGS, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, self->vm_id);
	put_u32(&m, KHV_A_INTROSPECT_VCPU_ID, 0);
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, nl_call(&self->nl, &m, copy_reply, &r)) TH_LOG("%s", self->nl.extack);
	ASSERT_NE(NULL, r.tb[KHV_A_INTROSPECT_REGS]);
	parse_attrs(tb, KHV_A_REGS_MAX, NLA_DATA(r.tb[KHV_A_INTROSPECT_REGS]),
		    r.tb[KHV_A_INTROSPECT_REGS]->nla_len - NLA_HDRLEN);
	ASSERT_NE(NULL, tb[KHV_A_REGS_RAX]);
	EXPECT_EQ(0x1122334455667788ull, NLA_U64(tb[KHV_A_REGS_RAX]));
	ASSERT_NE(NULL, tb[KHV_A_REGS_R15]);
	EXPECT_EQ(0xfeedull, NLA_U64(tb[KHV_A_REGS_R15]));
	EXPECT_NE(NULL, tb[KHV_A_REGS_RIP]);
	EXPECT_NE(NULL, tb[KHV_A_REGS_CR0]);

	/* A vCPU the VM does not have. */
	msg_init(&m, self->nl.family, KHV_CMD_INTROSPECT_REGS, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, self->vm_id);
	put_u32(&m, KHV_A_INTROSPECT_VCPU_ID, 5);
	EXPECT_EQ(-ENOENT, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]);
	close(vcpu);
}

static int introspect_mem(struct nl *nl, uint64_t vm_id, uint64_t gpa,
			  uint32_t len, struct nl_reply *r)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_INTROSPECT_MEM, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, vm_id);
	put_u64(&m, KHV_A_INTROSPECT_GPA, gpa);
	put_u32(&m, KHV_A_INTROSPECT_LEN, len);
	memset(r, 0, sizeof(*r));
	return nl_call(nl, &m, copy_reply, r);
}

TEST_F(mgmt, introspect_mem_reads_guest_ram_bounded_and_audited)
{
	struct khv_memory_region region;
	struct audit_state st;
	struct audit_dump *d;
	struct audit_rec *a;
	struct nl_reply *r;
	uint8_t *mem;
	int i;

	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0x100000;
	region.size = MEM_SIZE;
	ASSERT_EQ(0, ioctl_err(self->vm, KHV_SET_MEMORY_REGION, &region));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->vm,
		   region.mmap_offset);
	ASSERT_NE(MAP_FAILED, mem);
	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 7 + 3);

	r = calloc(1, sizeof(*r));
	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	/* Across a page boundary. */
	ASSERT_EQ(0, introspect_mem(&self->nl, self->vm_id, 0x100ff0, 64, r))
		TH_LOG("%s", self->nl.extack);
	ASSERT_NE(NULL, r->tb[KHV_A_INTROSPECT_DATA]);
	ASSERT_EQ(NLA_HDRLEN + 64, r->tb[KHV_A_INTROSPECT_DATA]->nla_len);
	EXPECT_EQ(0, memcmp(NLA_DATA(r->tb[KHV_A_INTROSPECT_DATA]), mem + 0xff0, 64));

	/* Bounds: length 0 and over 32 KiB, a range leaving guest RAM. */
	EXPECT_EQ(-ERANGE, introspect_mem(&self->nl, self->vm_id, 0x100000, 0, r));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-ERANGE, introspect_mem(&self->nl, self->vm_id, 0x100000, 32769, r));
	EXPECT_EQ(-EFAULT, introspect_mem(&self->nl, self->vm_id,
					  0x100000 + MEM_SIZE - 8, 16, r));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, introspect_mem(&self->nl, self->vm_id, ~0ull - 8, 16, r));
	EXPECT_NE(0, self->nl.extack[0]);

	/* Every read audited, refused or not. */
	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	a = find_rec(d, KHV_AUDIT_OP_INTROSPECT_MEM, self->vm_id);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(-EINVAL, a->result);
	for (i = 0; i < d->nr; i++)
		if (d->rec[i].op == KHV_AUDIT_OP_INTROSPECT_MEM &&
		    d->rec[i].vm_id == self->vm_id && !d->rec[i].result)
			break;
	EXPECT_GT(d->nr, i) TH_LOG("no record of the successful read");
	free(d);
	free(r);
	munmap(mem, MEM_SIZE);
}

static int nobody_introspect(struct nl *nl, void *arg)
{
	struct expect *e = arg;
	struct nl_reply r;
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_INTROSPECT_MEM, 0);
	put_u64(&m, KHV_A_INTROSPECT_VM_ID, e->vm_id);
	put_u64(&m, KHV_A_INTROSPECT_GPA, 0);
	put_u32(&m, KHV_A_INTROSPECT_LEN, 16);
	return nl_call(nl, &m, copy_reply, &r) == e->err ? 0 : 102;
}

TEST_F(mgmt, introspect_needs_the_introspect_grant)
{
	struct expect e = { .vm_id = self->vm_id, .err = -EPERM };
	struct khv_memory_region region;
	uint32_t view, intro;

	memset(&region, 0, sizeof(region));
	region.size = 4096;
	ASSERT_EQ(0, ioctl_err(self->vm, KHV_SET_MEMORY_REGION, &region));
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_ALL, 0, NULL,
			       KHV_GRANT_ACTION_ALLOW, &view));
	EXPECT_EQ(0, as_nobody(nobody_introspect, &e)) TH_LOG("with view only");
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_INTROSPECT, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &intro));
	e.err = 0;
	EXPECT_EQ(0, as_nobody(nobody_introspect, &e)) TH_LOG("with introspect");
	EXPECT_EQ(0, grant_del(&self->nl, intro));
	EXPECT_EQ(0, grant_del(&self->nl, view));
}

TEST_HARNESS_MAIN
