// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_mgmt_test: the management plane beyond names — the VM lifecycle from
 * outside (pause, resume, destroy), tags, grants (a non-root user refused
 * without one, allowed with one, a deny winning over an allow, /dev/khv's
 * create grant), the audit trail (records present, ordered, on the monitor
 * group, the ring's lost count; under pressure: a denial flood rate-limited
 * and summed up in the ring and the kernel audit log, the longest records
 * whole, concurrent writers heard in order, exact counts while allocations
 * fail), introspection, and malformed requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/khv.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"

#define MEM_SIZE	(64 * 1024)

FIXTURE(mgmt) {
	struct nl nl;
	int dev;
	int vm;
	uint64_t vm_id;
	struct audit_state audit;	/* restored at teardown if changed */
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
	ASSERT_EQ(0, audit_state(&self->nl, &self->audit));
}

FIXTURE_TEARDOWN(mgmt)
{
	struct audit_state st;

	if (!audit_state(&self->nl, &st)) {
		if (st.ring_size != self->audit.ring_size)
			audit_set_size(&self->nl, self->audit.ring_size);
		if (st.denial_burst != self->audit.denial_burst ||
		    st.denial_interval != self->audit.denial_interval)
			audit_set_limit(&self->nl, self->audit.denial_burst,
					self->audit.denial_interval);
	}
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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static long kicks_sent(void)
{
	long v = -1;

	khv_debugfs_get_long("kicks", &v);
	return v;
}

/*
 * Pause and destroy kick a vCPU out of the guest (an IPI to its CPU) rather
 * than wait for a host interrupt, which a nohz_full CPU may never take. The
 * guest spins on a CPU of its own, leaving it only for interrupts; "kicks"
 * (debugfs) counts the IPIs. The emulated hosts tick periodically, so the
 * time bound alone would hold without the kick.
 */
TEST_F(mgmt, pause_and_destroy_kick_a_spinning_guest_within_a_second)
{
	volatile uint32_t *counter;
	uint64_t t0, dt = 0;
	bool kicked = false;
	long k0;
	int vcpu, i, status;
	pid_t pid;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two online CPUs");
	ASSERT_LE(0, kicks_sent()) TH_LOG("no \"kicks\" in debugfs");
	vcpu = counting_guest(self->vm, &counter);
	ASSERT_LE(0, vcpu) TH_LOG("guest setup: %s", strerror(-vcpu));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		khv_pin_to_cpu(1);
		_exit(ioctl_err(vcpu, KHV_RUN, NULL) == -EIO ? 0 : 1);
	}
	khv_pin_to_cpu(0);
	for (i = 0; i < 300 && !*counter; i++)
		usleep(10000);
	ASSERT_NE(0, *counter) TH_LOG("the guest does not run");

	/* The guest is inside almost always: a pause that finds it there kicks. */
	for (i = 0; i < 10 && !kicked; i++) {
		k0 = kicks_sent();
		ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_PAUSE, self->vm_id));
		kicked = kicks_sent() > k0;
		ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
		usleep(20000);
	}
	EXPECT_TRUE(kicked) TH_LOG("ten pauses of a running guest sent no IPI");

	t0 = now_ms();
	ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, self->vm_id));
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		dt = now_ms() - t0;
		if (dt > 10000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(1000);
	}
	dt = now_ms() - t0;
	TH_LOG("KHV_RUN returned %llu ms after vm-destroy", (unsigned long long)dt);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("KHV_RUN of a destroyed VM did not return EIO");
	EXPECT_GT(1000, dt);
	close(vcpu);
}

TEST_F(mgmt, non_root_refused_without_grant_allowed_with_one)
{
	struct expect e = { .vm_id = self->vm_id, .err = -ENOENT, .extack = true };
	uint32_t allow, deny;

	/* A VM it may not view is, to the caller, no VM at all. */
	EXPECT_EQ(0, nl_as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get without a grant");
	EXPECT_EQ(0, nl_as_nobody(nobody_pause, &e)) TH_LOG("vm-pause without a grant");

	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &allow))
		TH_LOG("grant-add: %s", self->nl.extack);
	e.err = 0;
	e.extack = false;
	EXPECT_EQ(0, nl_as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get with a view grant");
	/* View is not pause, and the VM is visible: EPERM. */
	e.err = -EPERM;
	EXPECT_EQ(0, nl_as_nobody(nobody_pause, &e)) TH_LOG("vm-pause with a view grant");
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));

	/* A deny through the group and a tag overrides the uid's allow. */
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, "locked"));
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_GID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_TAG, 0,
			       "locked", KHV_GRANT_ACTION_DENY, &deny))
		TH_LOG("grant-add: %s", self->nl.extack);
	e.err = -ENOENT;
	e.extack = true;
	EXPECT_EQ(0, nl_as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get with allow and deny");
	/* Without the tag, the deny no longer covers the VM. */
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, ""));
	e.err = 0;
	e.extack = false;
	EXPECT_EQ(0, nl_as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get after untagging");

	EXPECT_EQ(0, grant_del(&self->nl, deny));
	EXPECT_EQ(0, grant_del(&self->nl, allow));
	EXPECT_EQ(-ENOENT, grant_del(&self->nl, allow));
	EXPECT_NE(0, self->nl.extack[0]);
	e.err = -ENOENT;
	EXPECT_EQ(0, nl_as_nobody(nobody_vm_get, &e)) TH_LOG("vm-get after grant-del");
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
	EXPECT_EQ(1, nl_as_nobody(nobody_create, &self->dev))
		TH_LOG("KHV_CREATE_VM by nobody without a grant not EPERM");
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_CREATE, KHV_GRANT_OBJECT_ALL, 0,
			       NULL, KHV_GRANT_ACTION_ALLOW, &id));
	EXPECT_EQ(0, nl_as_nobody(nobody_create, &self->dev))
		TH_LOG("KHV_CREATE_VM by nobody with a create grant");
	EXPECT_EQ(0, grant_del(&self->nl, id));
}

/*
 * nobody, limited to two VMs: two are made, a third is refused with EDQUOT,
 * and one more fits once one of the two is closed.
 */
static int nobody_fills_vm_limit(struct nl *nl, void *arg)
{
	int dev = *(int *)arg, fds[2], fd, ret = 0, i;

	(void)nl;
	for (i = 0; i < 2; i++) {
		fds[i] = khv_create_vm(dev);
		if (fds[i] < 0)
			return 10 + i;
	}
	fd = khv_create_vm(dev);
	if (fd >= 0) {
		close(fd);
		ret = 20;
	} else if (fd != -EDQUOT) {
		ret = 21;
	}
	close(fds[0]);
	fd = khv_create_vm(dev);
	if (fd < 0)
		ret = ret ? ret : 22;
	else
		close(fd);
	close(fds[1]);
	return ret;
}

static int nobody_host_set(struct nl *nl, void *arg)
{
	(void)arg;
	if (host_set_max_vms_per_user(nl, 1000) != -EPERM || !nl->extack[0])
		return 102;
	return 0;
}

TEST_F(mgmt, vms_per_user_limit_set_by_host_set_refuses_with_edquot_audited)
{
	struct audit_state st;
	struct audit_dump *d;
	bool set_rec = false, refusal = false;
	char param[16];
	uint32_t grant;
	long old;
	int fds[2], i;

	old = host_max_vms_per_user(&self->nl);
	ASSERT_LE(1, old) TH_LOG("host-get has no max-vms-per-user: %ld", old);
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_CREATE, KHV_GRANT_OBJECT_ALL, 0,
			       NULL, KHV_GRANT_ACTION_ALLOW, &grant));
	ASSERT_EQ(0, host_set_max_vms_per_user(&self->nl, 2)) TH_LOG("%s", self->nl.extack);
	EXPECT_EQ(2, host_max_vms_per_user(&self->nl));
	/* The module parameter (set at load) is the same limit, and shows it. */
	ASSERT_LT(0, khv_read_file("/sys/module/khv/parameters/max_vms_per_user",
				   param, sizeof(param)));
	EXPECT_EQ(2, strtol(param, NULL, 10)) TH_LOG("max_vms_per_user reads %s", param);

	EXPECT_EQ(0, nl_as_nobody(nobody_fills_vm_limit, &self->dev))
		TH_LOG("child: 1x: create failed, 20: a third VM made, 21: not EDQUOT, 22: none after a close");
	/* CAP_SYS_ADMIN is not limited: it has a VM already, and two more. */
	for (i = 0; i < 2; i++) {
		fds[i] = khv_create_vm(self->dev);
		EXPECT_LE(0, fds[i]) TH_LOG("root's VM %d: %s", i + 2, strerror(-fds[i]));
	}
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);

	/* The limit's range, and who may set it. */
	EXPECT_EQ(-ERANGE, host_set_max_vms_per_user(&self->nl, 0));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-ERANGE, host_set_max_vms_per_user(&self->nl, 1025));
	EXPECT_EQ(0, nl_as_nobody(nobody_host_set, NULL)) TH_LOG("nobody's host-set not EPERM");
	EXPECT_EQ(2, host_max_vms_per_user(&self->nl));

	ASSERT_EQ(0, host_set_max_vms_per_user(&self->nl, old));
	EXPECT_EQ(0, grant_del(&self->nl, grant));

	/* Audited: the change with its old value, and nobody's refusal. */
	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	for (i = 0; i < d->nr; i++) {
		struct audit_rec *a = &d->rec[i];
		char want[24];

		snprintf(want, sizeof(want), "%ld", old);
		if (a->op == KHV_AUDIT_OP_HOST_SET && !a->result &&
		    !strcmp(a->old, want) && !strcmp(a->new, "2"))
			set_rec = true;
		if (a->op == KHV_AUDIT_OP_VM_CREATE && a->uid == NOBODY &&
		    a->result == -EDQUOT)
			refusal = true;
	}
	EXPECT_TRUE(set_rec) TH_LOG("no host-set record %ld -> 2", old);
	EXPECT_TRUE(refusal) TH_LOG("no vm-create record of nobody's EDQUOT");
	free(d);
}

TEST_F(mgmt, grant_and_audit_ops_need_cap_sys_admin)
{
	EXPECT_EQ(0, nl_as_nobody(nobody_admin_ops, NULL))
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
	ASSERT_EQ(0, nl_as_nobody(nobody_vm_get, &e));

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
	EXPECT_EQ(0, nl_as_nobody(nobody_introspect, &e)) TH_LOG("with view only");
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_INTROSPECT, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &intro));
	e.err = 0;
	EXPECT_EQ(0, nl_as_nobody(nobody_introspect, &e)) TH_LOG("with introspect");
	EXPECT_EQ(0, grant_del(&self->nl, intro));
	EXPECT_EQ(0, grant_del(&self->nl, view));
}

/*
 * The audit trail under pressure: a flood of refused requests, the longest
 * records, concurrent writers, failing allocations.
 */
#define FLOOD		2000
#define FLOOD_BURST	10
#define FLOOD_INTERVAL	5	/* seconds */
#define FAILSLAB	"/sys/kernel/debug/failslab/"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* FLOOD refused requests (audit-get: CAP_SYS_ADMIN only). */
static int nobody_floods(struct nl *nl, void *arg)
{
	struct audit_state st;
	int i;

	(void)arg;
	for (i = 0; i < FLOOD; i++)
		if (audit_state(nl, &st) != -EPERM)
			return 102;
	return 0;
}

/* What the ring holds of the flood, from a sequence number on. */
struct flood_count {
	uint64_t marker_seq;
	bool marker_seen;
	unsigned int recorded;		/* nobody's audit-view denials */
	uint64_t summed;		/* suppressed, per nobody's summaries */
	unsigned int summaries;
	uint64_t sum_seq[16], sum_n[16];	/* the first summaries */
};

static void flood_summary(struct flood_count *c, uint64_t seq, uint64_t n)
{
	if (c->summaries < 16) {
		c->sum_seq[c->summaries] = seq;
		c->sum_n[c->summaries] = n;
	}
	c->summed += n;
	c->summaries++;
}

static void flood_log(struct __test_metadata *_metadata, const char *where,
		      const struct flood_count *c)
{
	unsigned int i;

	for (i = 0; i < c->summaries && i < 16; i++)
		TH_LOG("%s: summary seq %llu: %llu suppressed", where,
		       (unsigned long long)c->sum_seq[i],
		       (unsigned long long)c->sum_n[i]);
}

static void flood_cb(const struct audit_rec *a, void *arg)
{
	struct flood_count *c = arg;

	if (a->seq == c->marker_seq && a->op == KHV_AUDIT_OP_GRANT_ADD)
		c->marker_seen = true;
	if (a->uid != NOBODY)
		return;
	if (a->op == KHV_AUDIT_OP_AUDIT_VIEW && a->result == -EPERM)
		c->recorded++;
	if (a->op == KHV_AUDIT_OP_AUDIT_SUPPRESSED)
		flood_summary(c, a->seq, a->suppressed);
}

/* A reader of the kernel audit log (the read-only multicast group). */
static int audit_log_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (AUDIT_NLGRP_READLOG - 1),
	};
	int size = 8 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Count the khv records of the flood (sequence numbers from @from on) in the
 * kernel audit log, until it has been quiet for two seconds.
 * Return: 0, or -errno (ENOBUFS: overrun).
 */
static int audit_log_count(int fd, uint64_t from, struct flood_count *c)
{
	static char buf[16384], text[8192];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned long long n, seq;
	struct nlmsghdr *h;
	const char *khv;
	unsigned int uid;
	char op[32];
	int len, tlen;

	while (poll(&p, 1, 2000) > 0) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type != AUDIT_KERNEL_OTHER)
				continue;
			/* The record's text, not NUL-terminated. */
			tlen = h->nlmsg_len - NLMSG_HDRLEN;
			if (tlen >= (int)sizeof(text))
				tlen = sizeof(text) - 1;
			memcpy(text, NLMSG_DATA(h), tlen);
			text[tlen] = 0;
			khv = strstr(text, "khv seq=");
			if (!khv ||
			    sscanf(khv, "khv seq=%llu op=%31s vm=%*u uid=%u",
				   &seq, op, &uid) != 3 ||
			    uid != NOBODY || seq < from)
				continue;
			if (!strcmp(op, "audit-view"))
				c->recorded++;
			if (!strcmp(op, "audit-suppressed") &&
			    strstr(khv, " suppressed=") &&
			    sscanf(strstr(khv, " suppressed="), " suppressed=%llu", &n) == 1)
				flood_summary(c, seq, n);
		}
	}
	return 0;
}

TEST_F_TIMEOUT(mgmt, denial_flood_is_rate_limited_and_summed_up, 900)
{
	struct flood_count ring = { 0 }, log = { 0 };
	struct audit_state before, after;
	double t0, flood_s;
	uint32_t id;
	int fd, i;

	ASSERT_EQ(0, audit_set_size(&self->nl, 1024));
	/* The limit's own values, and a fresh start for every subject. */
	ASSERT_EQ(0, audit_set_limit(&self->nl, FLOOD_BURST, FLOOD_INTERVAL))
		TH_LOG("audit-set denial-burst/interval: %s", self->nl.extack);
	fd = audit_log_open();
	ASSERT_LE(0, fd) TH_LOG("kernel audit log reader: %s", strerror(-fd));

	/* Root's record, which the flood must not push out. */
	ASSERT_EQ(0, audit_state(&self->nl, &before));
	ring.marker_seq = before.next_seq;
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, 4343,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_ALL, 0, NULL,
			       KHV_GRANT_ACTION_ALLOW, &id));
	ASSERT_EQ(0, grant_del(&self->nl, id));

	t0 = now_s();
	ASSERT_EQ(0, nl_as_nobody(nobody_floods, NULL))
		TH_LOG("child: 101 no socket, 102 a request not refused with EPERM");
	flood_s = now_s() - t0;

	/* Every refusal recorded or summed up, once its window has ended. */
	for (i = 0; i < 600; i++) {
		ring.marker_seen = false;
		ring.recorded = 0;
		ring.summed = 0;
		ring.summaries = 0;
		ASSERT_EQ(0, audit_scan(&self->nl, before.next_seq, flood_cb, &ring));
		if (ring.recorded + ring.summed >= FLOOD)
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, audit_state(&self->nl, &after));
	TH_LOG("flood of %d in %.1f s: %u recorded, %llu summed up in %u records",
	       FLOOD, flood_s, ring.recorded, (unsigned long long)ring.summed,
	       ring.summaries);
	EXPECT_EQ((uint64_t)FLOOD, ring.recorded + ring.summed);
	EXPECT_LE(1, ring.summaries);
	/* At most a burst per window (and a window may straddle the start). */
	EXPECT_GE(FLOOD_BURST * ((unsigned int)flood_s / FLOOD_INTERVAL + 2),
		  ring.recorded);
	EXPECT_EQ(before.suppressed + ring.summed, after.suppressed);
	/* Root's record is still there: nothing was pushed out. */
	EXPECT_TRUE(ring.marker_seen);
	EXPECT_EQ(before.lost, after.lost);
	EXPECT_GE(ring.marker_seq, after.first_seq);

	/* The kernel audit log heard the same. */
	EXPECT_EQ(0, audit_log_count(fd, before.next_seq, &log));
	EXPECT_EQ(ring.recorded, log.recorded);
	EXPECT_EQ(ring.summed, log.summed);
	if (ring.summed != log.summed) {
		flood_log(_metadata, "ring", &ring);
		flood_log(_metadata, "kernel audit log", &log);
	}
	close(fd);
}

TEST_F(mgmt, set_limit_refuses_out_of_range_values)
{
	struct audit_state st;
	struct msg m;

	EXPECT_EQ(-ERANGE, audit_set_limit(&self->nl, 65537, 60));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-ERANGE, audit_set_limit(&self->nl, 10, 0));
	EXPECT_EQ(-ERANGE, audit_set_limit(&self->nl, 10, 86401));
	msg_init(&m, self->nl.family, KHV_CMD_AUDIT_SET, 0);
	EXPECT_EQ(-EINVAL, nl_call(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]);
	ASSERT_EQ(0, audit_set_limit(&self->nl, 0, 3600));
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	EXPECT_EQ(0, st.denial_burst);
	EXPECT_EQ(3600, st.denial_interval);
}

/* The record of a vm-set with @seq, in the ring or from the monitor. */
static void check_full_record(struct __test_metadata *_metadata,
			      const struct audit_rec *a, const char *object,
			      const char *new)
{
	EXPECT_EQ(KHV_AUDIT_OP_VM_SET, a->op);
	EXPECT_EQ(0, a->result);
	EXPECT_EQ(strlen(object), strlen(a->object));
	EXPECT_STREQ(object, a->object);
	EXPECT_EQ(strlen(new), strlen(a->new));
	EXPECT_STREQ(new, a->new);
}

TEST_F(mgmt, records_hold_the_longest_name_and_tags_whole)
{
	char name[64], tags[256], object[128], new[384];
	struct audit_state st;
	struct audit_dump *d;
	struct nl_reply ev;
	struct audit_rec a;
	struct nl mon;
	int i, cmd;

	/* 63 characters of name, 8 tags of 31: the longest vm-set allows. */
	snprintf(name, sizeof(name), "%-63.63s", "long-name");
	for (i = 0; name[i]; i++)
		if (name[i] == ' ')
			name[i] = 'n';
	tags[0] = 0;
	for (i = 0; i < 8; i++) {
		char tag[40];

		snprintf(tag, sizeof(tag), "tag%d-56789012345678901234567890", i);
		ASSERT_EQ(31, strlen(tag));
		if (i)
			strcat(tags, ",");
		strcat(tags, tag);
	}
	ASSERT_EQ(63, strlen(name));
	ASSERT_EQ(8 * 31 + 7, strlen(tags));
	snprintf(object, sizeof(object), "vm %llu %s",
		 (unsigned long long)self->vm_id, name);
	snprintf(new, sizeof(new), "name=%s tags=%s", name, tags);
	ASSERT_EQ(329, strlen(new));

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, nl_open(&mon));
	ASSERT_EQ(0, monitor_join(&mon));
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	ASSERT_EQ(0, vm_set_name(&self->nl, self->vm_id, name))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, vm_set_tags(&self->nl, self->vm_id, tags))
		TH_LOG("%s", self->nl.extack);

	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	ASSERT_LE(2, d->nr);
	check_full_record(_metadata, &d->rec[d->nr - 1], object, new);

	/* The monitor hears the same record, whole. */
	for (i = 0; i < 16; i++) {
		cmd = read_any_event(&mon, &ev);
		ASSERT_LT(0, cmd);
		if (cmd != KHV_CMD_AUDIT_NTF)
			continue;
		audit_rec_parse(&ev, &a);
		if (a.seq == d->rec[d->nr - 1].seq)
			break;
	}
	ASSERT_GT(16, i) TH_LOG("the monitor did not hear the record");
	check_full_record(_metadata, &a, object, new);
	close(mon.fd);
	free(d);
}

#define WRITERS		4
#define WRITES		50

/* Root writers of grant-add and grant-del records, at once. */
static int write_records(int n)
{
	struct nl nl;
	uint32_t id;
	int i;

	if (nl_open(&nl))
		return 101;
	for (i = 0; i < WRITES; i++) {
		if (grant_add(&nl, KHV_GRANT_SUBJECT_UID, 5000 + n,
			      KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_VM, 1 + i,
			      NULL, KHV_GRANT_ACTION_ALLOW, &id) ||
		    grant_del(&nl, id))
			return 102;
	}
	return 0;
}

TEST_F_TIMEOUT(mgmt, monitor_hears_concurrent_records_in_sequence_order, 600)
{
	struct audit_state before, after;
	pid_t pid[WRITERS];
	struct nl_reply ev;
	uint64_t seq, prev = 0, heard = 0, late = 0;
	int size = 8 << 20;
	struct nl mon;
	int i, status, cmd;

	ASSERT_EQ(0, nl_open(&mon));
	ASSERT_EQ(0, monitor_join(&mon));
	setsockopt(mon.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	ASSERT_EQ(0, audit_state(&self->nl, &before));
	for (i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			_exit(write_records(i));
	}
	for (i = 0; i < WRITERS; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	ASSERT_EQ(0, audit_state(&self->nl, &after));
	ASSERT_LE(before.next_seq + 2 * WRITERS * WRITES, after.next_seq);

	while (prev + 1 < after.next_seq) {
		cmd = read_any_event(&mon, &ev);
		ASSERT_LT(0, cmd) TH_LOG("monitor: %s", strerror(-cmd));
		if (cmd != KHV_CMD_AUDIT_NTF || !ev.tb[KHV_A_AUDIT_SEQ])
			continue;
		seq = NLA_U64(ev.tb[KHV_A_AUDIT_SEQ]);
		if (seq < before.next_seq)
			continue;
		if (prev && seq != prev + 1)
			late++;
		if (late == 1 && prev && seq != prev + 1)
			TH_LOG("record %llu heard after %llu",
			       (unsigned long long)seq, (unsigned long long)prev);
		prev = seq;
		heard++;
	}
	EXPECT_EQ(0, late);
	EXPECT_EQ(after.next_seq - before.next_seq, heard);
	close(mon.fd);
}

static int failslab_set(const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAILSLAB "%s", attr);
	return khv_write_file(path, val);
}

/* Make it fail, or stop; the write may itself fail to allocate: retry. */
static int make_it_fail(const char *val)
{
	int i;

	for (i = 0; i < 10000; i++)
		if (!khv_write_file("/proc/self/make-it-fail", val))
			return 0;
	return -1;
}

/* vm-set requests, some of whose allocations fail: any outcome will do. */
static int set_names_while_failing(uint64_t vm_id)
{
	char name[32];
	struct nl nl;
	int i;

	if (nl_open(&nl))
		return 101;
	if (make_it_fail("1"))
		return 102;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "failslab-%d", i);
		vm_set_name(&nl, vm_id, name);
	}
	return make_it_fail("0") ? 103 : 0;
}

struct ring_check {
	uint64_t first, count, next;
	bool in_order;
};

static void ring_cb(const struct audit_rec *a, void *arg)
{
	struct ring_check *c = arg;

	if (!c->count)
		c->first = a->seq;
	else if (a->seq != c->next)
		c->in_order = false;
	c->next = a->seq + 1;
	c->count++;
}

TEST_F_TIMEOUT(mgmt, ring_counts_stay_exact_while_allocations_fail, 900)
{
	struct ring_check c = { .in_order = true };
	struct audit_state before, after;
	char times[32];
	long injected;
	int status;
	pid_t pid;

	if (access(FAILSLAB "probability", W_OK))
		SKIP(return, "no failslab (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)");
	ASSERT_EQ(0, audit_set_size(&self->nl, 16));
	ASSERT_EQ(0, audit_state(&self->nl, &before));

	/* A tenth of the child's slab allocations fail, GFP_KERNEL too. */
	ASSERT_EQ(0, failslab_set("task-filter", "Y"));
	ASSERT_EQ(0, failslab_set("ignore-gfp-wait", "N"));
	ASSERT_EQ(0, failslab_set("verbose", "0"));
	ASSERT_EQ(0, failslab_set("interval", "1"));
	ASSERT_EQ(0, failslab_set("space", "0"));
	ASSERT_EQ(0, failslab_set("times", "1000000"));
	ASSERT_EQ(0, failslab_set("probability", "10"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(set_names_while_failing(self->vm_id));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	failslab_set("probability", "0");
	ASSERT_LT(0, khv_read_file(FAILSLAB "times", times, sizeof(times)));
	failslab_set("times", "1");
	failslab_set("task-filter", "N");
	failslab_set("ignore-gfp-wait", "Y");
	failslab_set("verbose", "2");
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("child: 101 no socket, 102/103 make-it-fail");
	injected = 1000000 - strtol(times, NULL, 10);
	TH_LOG("%ld allocations failed", injected);
	ASSERT_LT(0, injected);

	/*
	 * Every number given is in the ring or counted lost: first_seq moved
	 * exactly as far as lost grew, and the ring holds every number from
	 * first_seq on.
	 */
	ASSERT_EQ(0, audit_state(&self->nl, &after));
	ASSERT_EQ(0, audit_scan(&self->nl, 0, ring_cb, &c));
	TH_LOG("next %llu first %llu lost +%llu, %llu records",
	       (unsigned long long)after.next_seq,
	       (unsigned long long)after.first_seq,
	       (unsigned long long)(after.lost - before.lost),
	       (unsigned long long)c.count);
	EXPECT_LT(before.next_seq + 16, after.next_seq);
	EXPECT_EQ(after.first_seq - before.first_seq, after.lost - before.lost);
	EXPECT_EQ(after.next_seq - after.first_seq, c.count);
	EXPECT_EQ(after.first_seq, c.first);
	EXPECT_TRUE(c.in_order);
	EXPECT_GE(16, c.count);
}

TEST_HARNESS_MAIN
