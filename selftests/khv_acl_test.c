// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_acl_test: a VM's device ACL (netlink acl-add, acl-del, acl-get,
 * acl-set; Documentation/admin-guide.rst "Device ACLs") and port
 * passthrough (KHV_SET_IO_PASSTHROUGH; Documentation/khv-abi.rst "Port
 * passthrough"), on either vendor:
 *   - add/del/show round trip: merges, splits, order, and every refusal
 *     (bad ranges, missing attributes, no such VM, 64 entries);
 *   - a caller without CAP_SYS_ADMIN is refused with EPERM and audited,
 *     even with a grant rule for op set-acl;
 *   - passthrough outside the ACL: EPERM, an acl-violation audit record,
 *     and the violation action (deny revokes, pause pauses the VM);
 *   - a guest's CMOS RAM write and read (ports 0x70/0x71) reach the
 *     emulated host's RTC without an I/O exit, and port 0x72 still exits;
 *   - acl-del of a port while the guest loops on it: its next access exits.
 *
 * CMOS RAM byte 0x7f is used (no firmware or Linux driver of the emulated
 * hosts reads it) and put back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/khv.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"
#include "khv_vm.h"

#define CODE_GPA	0x1000
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_NEXT	0x72	/* never in the tests' ACL: always exits */
#define CMOS_BYTE	0x7f

#define PORT	KHV_ACL_KIND_PORT
#define PCI	KHV_ACL_KIND_PCI
#define MMIO	KHV_ACL_KIND_MMIO

struct acl_dump {
	int nr;
	struct { uint32_t kind; uint64_t first, last; } e[80];
};

static void acl_dump_cb(struct nl_reply *r, void *arg)
{
	struct acl_dump *d = arg;

	if (d->nr >= (int)ARRAY_SIZE(d->e) || !r->tb[KHV_A_ACL_KIND])
		return;
	d->e[d->nr].kind = NLA_U32(r->tb[KHV_A_ACL_KIND]);
	d->e[d->nr].first = attr_u64(r->tb[KHV_A_ACL_FIRST]);
	d->e[d->nr].last = attr_u64(r->tb[KHV_A_ACL_LAST]);
	d->nr++;
}

static int acl_dump(struct nl *nl, uint64_t id, struct acl_dump *d)
{
	struct msg m;

	memset(d, 0, sizeof(*d));
	msg_init(&m, nl->family, KHV_CMD_ACL_GET, NLM_F_DUMP);
	if (id)
		put_u64(&m, KHV_A_ACL_VM_ID, id);
	return nl_call(nl, &m, acl_dump_cb, d);
}

/* KHV_SET_IO_PASSTHROUGH: 0 or -errno. */
static int io_passthrough(struct khv_test_vm *vm, uint32_t base,
			  uint32_t count, uint32_t flags)
{
	struct khv_io_passthrough io = {
		.base = base, .count = count, .flags = flags,
	};

	return ioctl(vm->fd, KHV_SET_IO_PASSTHROUGH, &io) ? -errno : 0;
}

/* The VM's hardware I/O exits (vm-get's exits nest). */
static uint64_t hw_io_exits(struct nl *nl, uint64_t id)
{
	struct nlattr *tb[MAX_ATTR];
	struct nl_reply r;
	struct nlattr *n;

	if (vm_get(nl, id, &r) || !r.tb[KHV_A_VM_EXITS])
		return ~0ull;
	n = r.tb[KHV_A_VM_EXITS];
	parse_attrs(tb, KHV_A_EXIT_STATS_MAX, NLA_DATA(n),
		    n->nla_len - NLA_HDRLEN);
	return attr_u64(tb[KHV_A_EXIT_STATS_IO]);
}

FIXTURE(acl) {
	struct nl nl;
	struct khv_test_vm *vm;
	struct khv_test_vcpu *vcpu;
	uint64_t vm_id;
	struct audit_state audit;	/* the denial limit, put back */
};

FIXTURE_SETUP(acl)
{
	int r;

	self->vm = NULL;
	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	/* Every refusal is counted here: no denial may be summed up. */
	ASSERT_EQ(0, audit_state(&self->nl, &self->audit));
	ASSERT_EQ(0, audit_set_limit(&self->nl, 0, self->audit.denial_interval));
	self->vm = vm_create(64 * 1024);
	ASSERT_NE(NULL, self->vm) TH_LOG("vm_create: %s", strerror(errno));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &self->vm_id));
	self->vcpu = vcpu_add(self->vm, 0);
	ASSERT_NE(NULL, self->vcpu) TH_LOG("vcpu_add: %s", strerror(errno));
	ASSERT_EQ(0, vcpu_set_real_mode(self->vcpu, CODE_GPA));
}

FIXTURE_TEARDOWN(acl)
{
	alarm_in(0);
	if (self->vm)
		vm_free(self->vm);
	if (self->audit.denial_interval)
		audit_set_limit(&self->nl, self->audit.denial_burst,
				self->audit.denial_interval);
	close(self->nl.fd);
}

/* ---- the list ---- */

TEST_F(acl, empty_by_default)
{
	struct acl_state s;
	struct acl_dump d;

	ASSERT_EQ(0, acl_state(&self->nl, self->vm_id, &s));
	EXPECT_EQ(KHV_ACL_ACTION_LOG, s.action);
	EXPECT_EQ(0, s.entries);
	EXPECT_EQ(0, s.revoked);
	EXPECT_EQ(0, s.violations);
	ASSERT_EQ(0, acl_dump(&self->nl, self->vm_id, &d));
	EXPECT_EQ(0, d.nr);
	/* Default deny: nothing may be opened. */
	EXPECT_EQ(-EPERM, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
}

TEST_F(acl, add_del_show_round_trip)
{
	struct nl *nl = &self->nl;
	uint64_t id = self->vm_id;
	struct acl_state s;
	struct acl_dump d;

	ASSERT_EQ(0, acl_add(nl, id, MMIO, 0xfed00000, 0xfed00fff));
	ASSERT_EQ(0, acl_add(nl, id, PORT, 0x3f8, 0x3fb));
	/* Touching and overlapping: one entry. */
	ASSERT_EQ(0, acl_add(nl, id, PORT, 0x3fc, 0x3ff));
	ASSERT_EQ(0, acl_add(nl, id, PORT, 0x3f0, 0x3f8));
	ASSERT_EQ(0, acl_add(nl, id, PCI, 0x18, 0x18));
	ASSERT_EQ(0, acl_dump(nl, id, &d));
	ASSERT_EQ(3, d.nr);
	EXPECT_EQ(PCI, d.e[0].kind);
	EXPECT_EQ(0x18, d.e[0].first);
	EXPECT_EQ(0x18, d.e[0].last);
	EXPECT_EQ(PORT, d.e[1].kind);
	EXPECT_EQ(0x3f0, d.e[1].first);
	EXPECT_EQ(0x3ff, d.e[1].last);
	EXPECT_EQ(MMIO, d.e[2].kind);
	EXPECT_EQ(0xfed00000, d.e[2].first);
	EXPECT_EQ(0xfed00fff, d.e[2].last);

	/* A delete inside an entry splits it. */
	ASSERT_EQ(0, acl_del(nl, id, PORT, 0x3f4, 0x3f7));
	ASSERT_EQ(0, acl_dump(nl, id, &d));
	ASSERT_EQ(4, d.nr);
	EXPECT_EQ(0x3f0, d.e[1].first);
	EXPECT_EQ(0x3f3, d.e[1].last);
	EXPECT_EQ(0x3f8, d.e[2].first);
	EXPECT_EQ(0x3ff, d.e[2].last);
	ASSERT_EQ(0, acl_state(nl, id, &s));
	EXPECT_EQ(4, s.entries);
	/* Nothing there: ENOENT, with a message. */
	EXPECT_EQ(-ENOENT, acl_del(nl, id, PORT, 0x3f4, 0x3f7));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-ENOENT, acl_del(nl, id, MMIO, 0, 0xfff));
	/* Across both halves and beyond: both go. */
	ASSERT_EQ(0, acl_del(nl, id, PORT, 0, 0xffff));
	ASSERT_EQ(0, acl_dump(nl, id, &d));
	ASSERT_EQ(2, d.nr);
	EXPECT_EQ(PCI, d.e[0].kind);
	EXPECT_EQ(MMIO, d.e[1].kind);
}

TEST_F(acl, bad_ranges_refused)
{
	struct nl *nl = &self->nl;
	uint64_t id = self->vm_id;
	struct acl_state s;
	struct msg m;

	EXPECT_EQ(-EINVAL, acl_add(nl, id, PORT, 0x71, 0x70));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, acl_add(nl, id, PORT, 0xfff0, 0x10000));
	EXPECT_EQ(-EINVAL, acl_add(nl, id, PCI, 0, 1ull << 32));
	EXPECT_EQ(-EINVAL, acl_add(nl, id, MMIO, 0xfed00000, 0xfed00ffe));
	EXPECT_EQ(-EINVAL, acl_add(nl, id, MMIO, 0xfed00800, 0xfed00fff));
	EXPECT_EQ(-EINVAL, acl_add(nl, id, MMIO, 0, ~0ull));
	EXPECT_EQ(-EINVAL, acl_del(nl, id, PORT, 0x71, 0x70));
	/* Unknown kinds: the policy's range. */
	EXPECT_EQ(-ERANGE, acl_add(nl, id, 4, 0, 0));
	/* Missing attributes. */
	EXPECT_EQ(-EINVAL, acl_add(nl, id, 0, 0, 0));
	EXPECT_EQ(-EINVAL, acl_add(nl, 0, PORT, 0, 0));
	msg_init(&m, nl->family, KHV_CMD_ACL_ADD, 0);
	put_u64(&m, KHV_A_ACL_VM_ID, id);
	put_u32(&m, KHV_A_ACL_KIND, PORT);
	put_u64(&m, KHV_A_ACL_FIRST, 0x70);
	EXPECT_EQ(-EINVAL, nl_call(nl, &m, NULL, NULL));
	/* No such VM. */
	EXPECT_EQ(-ENOENT, acl_add(nl, NO_VM_ID, PORT, 0x70, 0x71));
	EXPECT_EQ(-ENOENT, acl_set(nl, NO_VM_ID, KHV_ACL_ACTION_LOG));
	EXPECT_EQ(-ERANGE, acl_set(nl, id, 0));
	EXPECT_EQ(-ERANGE, acl_set(nl, id, KHV_ACL_ACTION_PAUSE + 1));
	/* A dump names its VM. */
	{
		struct acl_dump d;

		EXPECT_EQ(-EINVAL, acl_dump(nl, 0, &d));
		EXPECT_EQ(-ENOENT, acl_dump(nl, NO_VM_ID, &d));
	}
	/* Nothing changed. */
	ASSERT_EQ(0, acl_state(nl, id, &s));
	EXPECT_EQ(0, s.entries);
	EXPECT_EQ(KHV_ACL_ACTION_LOG, s.action);
}

TEST_F(acl, at_most_64_entries)
{
	struct nl *nl = &self->nl;
	uint64_t id = self->vm_id;
	struct acl_state s;
	int i;

	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, acl_add(nl, id, PORT, 0x1000 + 4 * i, 0x1000 + 4 * i + 2));
	EXPECT_EQ(-ENOSPC, acl_add(nl, id, PORT, 0x70, 0x70));
	EXPECT_NE(0, self->nl.extack[0]);
	/* A split would need a 65th: refused too, the entry whole. */
	EXPECT_EQ(-ENOSPC, acl_del(nl, id, PORT, 0x1001, 0x1001));
	ASSERT_EQ(0, acl_state(nl, id, &s));
	EXPECT_EQ(64, s.entries);
	/* A cut needs none; a bridge of two frees one. */
	EXPECT_EQ(0, acl_del(nl, id, PORT, 0x1002, 0x1002));
	EXPECT_EQ(0, acl_add(nl, id, PORT, 0x1002, 0x1003));
	ASSERT_EQ(0, acl_state(nl, id, &s));
	EXPECT_EQ(63, s.entries);
	EXPECT_EQ(0, acl_add(nl, id, PORT, 0x70, 0x70));
}

/* ---- who may ---- */

/*
 * In the child, as nobody: every operation refused with EPERM, add's with
 * the reason. 0, or which check failed (the child's exit status).
 */
static int nobody_acl_fn(struct nl *nl, void *arg)
{
	uint64_t id = *(uint64_t *)arg;
	struct acl_state s;
	struct acl_dump d;

	if (acl_add(nl, id, PORT, 0x70, 0x71) != -EPERM)
		return 1;
	if (!strstr(nl->extack, "CAP_SYS_ADMIN"))
		return 2;
	if (acl_del(nl, id, PORT, 0x3f8, 0x3ff) != -EPERM)
		return 3;
	if (acl_set(nl, id, KHV_ACL_ACTION_PAUSE) != -EPERM)
		return 4;
	if (acl_state(nl, id, &s) != -EPERM)
		return 5;
	if (acl_dump(nl, id, &d) != -EPERM)
		return 6;
	return 0;
}

TEST_F(acl, administrator_only)
{
	uint64_t from = audit_next(&self->nl);
	struct acl_state s;
	uint32_t grant;

	ASSERT_NE(0, from);
	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, 0x3f8, 0x3ff));
	/* Even a grant for set-acl on this VM does not let it. */
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_SET_ACL, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW,
			       &grant));
	EXPECT_EQ(0, nl_as_nobody(nobody_acl_fn, &self->vm_id))
		TH_LOG("check 1 add, 2 its message, 3 del, 4 set, 5 get, 6 dump");
	EXPECT_EQ(0, grant_del(&self->nl, grant));
	/* Audited, and nothing changed. */
	EXPECT_LE(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_ADD, -EPERM,
				 NOBODY, NULL, NULL));
	EXPECT_LE(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_VIEW, -EPERM,
				 NOBODY, NULL, NULL));
	ASSERT_EQ(0, acl_state(&self->nl, self->vm_id, &s));
	EXPECT_EQ(1, s.entries);
	EXPECT_EQ(KHV_ACL_ACTION_LOG, s.action);
}

TEST_F(acl, changes_audited_old_to_new)
{
	uint64_t from = audit_next(&self->nl);
	struct audit_rec rec;

	ASSERT_NE(0, from);
	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, 0x70, 0x71));
	ASSERT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_ADD, 0, 0,
				 "+port 0x70-0x71", &rec));
	EXPECT_STREQ("entries=0", rec.old);
	EXPECT_EQ(self->vm_id, rec.vm_id);
	ASSERT_EQ(0, acl_del(&self->nl, self->vm_id, PORT, 0x71, 0x71));
	ASSERT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_DEL, 0, 0,
				 "-port 0x71-0x71", &rec));
	EXPECT_STREQ("entries=1", rec.old);
	ASSERT_EQ(0, acl_set(&self->nl, self->vm_id, KHV_ACL_ACTION_PAUSE));
	ASSERT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_SET, 0, 0,
				 "action=pause", &rec));
	EXPECT_STREQ("action=log", rec.old);
}

/* ---- passthrough requests ---- */

TEST_F(acl, passthrough_argument_checked)
{
	struct khv_io_passthrough io;

	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, 0, 0xffff));
	EXPECT_EQ(-EINVAL, io_passthrough(self->vm, 0x70, 0, 0));
	EXPECT_EQ(-EINVAL, io_passthrough(self->vm, 0x10000, 1, 0));
	EXPECT_EQ(-EINVAL, io_passthrough(self->vm, 0xffff, 2, 0));
	EXPECT_EQ(-EINVAL, io_passthrough(self->vm, 0, 0xffffffff, 0));
	EXPECT_EQ(-EINVAL, io_passthrough(self->vm, 0x70, 1, 2));
	memset(&io, 0, sizeof(io));
	io.base = 0x70;
	io.count = 1;
	io.reserved[4] = 1;
	EXPECT_EQ(-1, ioctl(self->vm->fd, KHV_SET_IO_PASSTHROUGH, &io));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, io_passthrough(self->vm, 0xffff, 1, 0));
	EXPECT_EQ(0, io_passthrough(self->vm, 0, 0x10000, KHV_IO_PASSTHROUGH_CLOSE));
}

/* The monitor group's next audit-ntf of @op (skipping others), or -errno. */
static int monitor_audit_op(struct nl *mon, uint32_t op, struct audit_rec *a)
{
	struct nl_reply ev;
	int i, cmd;

	for (i = 0; i < 64; i++) {
		cmd = read_any_event(mon, &ev);
		if (cmd < 0)
			return cmd;
		if (cmd != KHV_CMD_AUDIT_NTF)
			continue;
		audit_rec_parse(&ev, a);
		if (a->op == op)
			return 0;
	}
	return -ENOENT;
}

TEST_F(acl, violation_logged_and_refused)
{
	uint64_t from = audit_next(&self->nl);
	struct timeval tv = { .tv_sec = 10 };
	struct acl_state s;
	struct audit_rec a;
	struct nl mon;

	ASSERT_EQ(0, nl_open(&mon));
	ASSERT_EQ(0, monitor_join(&mon));
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	EXPECT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	/* One port beyond, or a range only partly inside. */
	EXPECT_EQ(-EPERM, io_passthrough(self->vm, CMOS_DATA, 2, 0));
	/* The monitor group hears it. */
	EXPECT_EQ(0, monitor_audit_op(&mon, KHV_AUDIT_OP_ACL_VIOLATION, &a));
	EXPECT_EQ(self->vm_id, a.vm_id);
	EXPECT_EQ(-EPERM, a.result);
	EXPECT_STREQ("open port 0x71-0x72", a.new);
	EXPECT_STREQ("action=log", a.old);
	close(mon.fd);
	EXPECT_EQ(-EPERM, io_passthrough(self->vm, 0x3f8, 1, 0));
	EXPECT_EQ(2, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_VIOLATION,
				 -EPERM, getuid(), "open port", NULL));
	EXPECT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_IO_PASSTHROUGH,
				 0, getuid(), "open port 0x70-0x71", NULL));
	ASSERT_EQ(0, acl_state(&self->nl, self->vm_id, &s));
	EXPECT_EQ(2, s.violations);
	EXPECT_EQ(0, s.revoked);
	/* Log only: the VM runs, allowed requests still succeed. */
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	EXPECT_EQ(0, io_passthrough(self->vm, CMOS_DATA, 1, 0));
}

TEST_F(acl, violation_pause_pauses_the_vm)
{
	uint64_t from = audit_next(&self->nl);

	ASSERT_EQ(0, acl_set(&self->nl, self->vm_id, KHV_ACL_ACTION_PAUSE));
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
	EXPECT_EQ(-EPERM, io_passthrough(self->vm, CMOS_INDEX, 1, 0));
	EXPECT_EQ(KHV_VM_STATE_PAUSED, vm_state(&self->nl, self->vm_id));
	EXPECT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_ACL_VIOLATION,
				 -EPERM, getuid(), "open port 0x70-0x70", NULL));
	EXPECT_EQ(1, audit_count(&self->nl, from, KHV_AUDIT_OP_VM_PAUSE, 0,
				 getuid(), "paused", NULL));
	/* An administrator resumes it as any paused VM. */
	EXPECT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_RESUME, self->vm_id));
	EXPECT_EQ(KHV_VM_STATE_RUNNING, vm_state(&self->nl, self->vm_id));
}

/* ---- the guest ---- */

/*
 * CMOS RAM byte 0x7f: select, keep (BL), write 0x5a, read back (CL),
 * write 0xa5, read back (CH), put back, then IN from 0x72 (exits), HLT.
 */
static const uint8_t cmos_code[] = {
	0xb0, CMOS_BYTE, 0xe6, CMOS_INDEX,	/* mov al, 0x7f; out 0x70, al */
	0xe4, CMOS_DATA, 0x88, 0xc3,		/* in al, 0x71; mov bl, al */
	0xb0, 0x5a, 0xe6, CMOS_DATA,		/* mov al, 0x5a; out 0x71, al */
	0xb0, CMOS_BYTE, 0xe6, CMOS_INDEX,	/* mov al, 0x7f; out 0x70, al */
	0xe4, CMOS_DATA, 0x88, 0xc1,		/* in al, 0x71; mov cl, al */
	0xb0, 0xa5, 0xe6, CMOS_DATA,		/* mov al, 0xa5; out 0x71, al */
	0xe4, CMOS_DATA, 0x88, 0xc5,		/* in al, 0x71; mov ch, al */
	0x88, 0xd8, 0xe6, CMOS_DATA,		/* mov al, bl; out 0x71, al */
	0xe4, CMOS_NEXT,			/* in al, 0x72 */
	0xf4,					/* hlt */
};

/* The first exit must be @dir at @port (with nothing before it). */
static void expect_io_exit(struct __test_metadata *_metadata,
			   struct khv_test_vcpu *vcpu, uint16_t port,
			   uint8_t dir)
{
	char desc[128];

	vcpu_describe_exit(vcpu, desc, sizeof(desc));
	ASSERT_EQ(KHV_EXIT_IO, vcpu->run->exit_reason) TH_LOG("exit: %s", desc);
	EXPECT_EQ(port, vcpu->run->io.port) TH_LOG("exit: %s", desc);
	EXPECT_EQ(dir, vcpu->run->io.direction) TH_LOG("exit: %s", desc);
}

/* Run cmos_code (bounded by an alarm) to its first exit, @dir at @port. */
static void run_cmos_code(struct __test_metadata *_metadata,
			  struct khv_test_vm *vm, struct khv_test_vcpu *vcpu,
			  uint16_t port, uint8_t dir)
{
	ASSERT_EQ(0, vm_load_code(vm, CODE_GPA, cmos_code, sizeof(cmos_code)));
	alarm_in(20000);
	ASSERT_EQ(0, vcpu_run(vcpu));
	alarm_in(0);
	expect_io_exit(_metadata, vcpu, port, dir);
}

TEST_F(acl, allowed_ports_reach_hardware_without_exit)
{
	uint64_t before;
	struct khv_regs regs;

	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	before = hw_io_exits(&self->nl, self->vm_id);
	ASSERT_NE(~0ull, before);
	/* 0x70 and 0x71 never exited: the first exit is 0x72's. */
	run_cmos_code(_metadata, self->vm, self->vcpu, CMOS_NEXT, KHV_EXIT_IO_IN);
	EXPECT_EQ(before + 1, hw_io_exits(&self->nl, self->vm_id));
	ASSERT_EQ(0, vcpu_get_regs(self->vcpu, &regs));
	/* The emulated host's CMOS RAM kept what the guest wrote. */
	EXPECT_EQ(0x5a, regs.rcx & 0xff);
	EXPECT_EQ(0xa5, (regs.rcx >> 8) & 0xff);
}

TEST_F(acl, other_ports_still_exit)
{
	/* 0x70 only: the first IN from 0x71 exits to user space. */
	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 1, 0));
	run_cmos_code(_metadata, self->vm, self->vcpu, CMOS_DATA, KHV_EXIT_IO_IN);
}

TEST_F(acl, closed_again_exits)
{
	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_DATA, 1, KHV_IO_PASSTHROUGH_CLOSE));
	run_cmos_code(_metadata, self->vm, self->vcpu, CMOS_DATA, KHV_EXIT_IO_IN);
}

TEST_F(acl, violation_deny_revokes)
{
	struct acl_state s;

	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	ASSERT_EQ(0, acl_set(&self->nl, self->vm_id, KHV_ACL_ACTION_DENY));
	EXPECT_EQ(-EPERM, io_passthrough(self->vm, CMOS_NEXT, 1, 0));
	ASSERT_EQ(0, acl_state(&self->nl, self->vm_id, &s));
	EXPECT_EQ(1, s.revoked);
	/* Revoked: even the ACL's ports are refused, and closed. */
	EXPECT_EQ(-EACCES, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	run_cmos_code(_metadata, self->vm, self->vcpu, CMOS_INDEX, KHV_EXIT_IO_OUT);
	/* acl-set ends the revocation. */
	ASSERT_EQ(0, acl_set(&self->nl, self->vm_id, KHV_ACL_ACTION_LOG));
	EXPECT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
}

/* mov al, 0x7f; out 0x70, al; mov dx, 0x71; 1: in al, dx; inc ebx; jmp 1b */
static const uint8_t loop_code[] = {
	0xb0, CMOS_BYTE, 0xe6, CMOS_INDEX, 0xba, CMOS_DATA, 0x00,
	0xec, 0x66, 0x43, 0xeb, 0xfb,
};

TEST_F(acl, removal_at_run_time_takes_effect)
{
	struct acl_del_later d = {
		.id = self->vm_id, .kind = PORT, .first = CMOS_DATA,
		.last = CMOS_DATA, .delay_ms = 300, .r = -1,
	};
	struct khv_regs regs;
	pthread_t t;
	uint64_t before;

	ASSERT_EQ(0, acl_add(&self->nl, self->vm_id, PORT, CMOS_INDEX, CMOS_DATA));
	ASSERT_EQ(0, io_passthrough(self->vm, CMOS_INDEX, 2, 0));
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, loop_code, sizeof(loop_code)));
	memset(&regs, 0, sizeof(regs));
	ASSERT_EQ(0, vcpu_get_regs(self->vcpu, &regs));
	regs.rbx = 0;
	ASSERT_EQ(0, vcpu_set_regs(self->vcpu, &regs));
	before = hw_io_exits(&self->nl, self->vm_id);
	ASSERT_EQ(0, pthread_create(&t, NULL, acl_del_later, &d));
	/* The loop runs in the guest until the deletion closes 0x71. */
	alarm_in(30000);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	alarm_in(0);
	pthread_join(t, NULL);
	ASSERT_EQ(0, d.r);
	expect_io_exit(_metadata, self->vcpu, CMOS_DATA, KHV_EXIT_IO_IN);
	/* The loop ran on 0x71 without an exit until the deletion. */
	EXPECT_EQ(before + 1, hw_io_exits(&self->nl, self->vm_id));
	ASSERT_EQ(0, vcpu_get_regs(self->vcpu, &regs));
	EXPECT_LT(100, regs.rbx & 0xffffffff)
		TH_LOG("only %llu INs before the exit", (unsigned long long)regs.rbx);
}

TEST_HARNESS_MAIN
