// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_quota_test: memory quotas and admission control
 * (Documentation/admin-guide.rst, "Quotas"). A region of a VM with a cap
 * allocates only what is left of its guarantee, whatever its size; one of
 * a VM without a cap beyond the host's budget is refused with ENOMEM and
 * allocates nothing; a
 * guarantee is never taken by another VM; overcommit off bounds the caps,
 * on lets them exceed the budget; a cap below the allocation is EBUSY; the
 * extack says which limit and by how many bytes; quota-set needs the
 * set-quota grant; changes are audited; and every byte goes back to the
 * pool when a VM goes, over many cycles.
 *
 * The CPU cap and the I/O limits (the fixture runq): a spinning guest under
 * cpu-cap 20 gets well under 35% of the wall time and is throttled, and is
 * never throttled without a cap; a guest writing a port under
 * io-exits-rate 200 makes at most about 200 * (t + 1) exits in t seconds,
 * each with its data; a signal ends KHV_RUN while it waits; values out of
 * range are refused. Emulated hosts are slow and noisy: every figure is a
 * bound with a margin, never a tight timing. cpu-weight is the vCPU
 * thread's nice level inside KHV_RUN only; cpu-reservation is admitted
 * against the host's cpu-budget and makes the thread SCHED_DEADLINE inside
 * KHV_RUN only.
 *
 * Default quotas (host-set default-*): given to new VMs, admitted at
 * creation as a quota-set would be, refused creations audited.
 *
 * Memory beyond the guarantee (the fixture touch): with a cap, a region
 * allocates nothing beyond the guarantee when it is added; each page the
 * guest touches is allocated then, zeroed, and counted; a touch beyond the
 * cap ends KHV_RUN with KHV_EXIT_MEMORY_QUOTA at its address, and once the
 * cap is raised the guest goes on with its data intact; the VMM's mmap()
 * write allocates a page too, or gets SIGBUS beyond the cap; an INS into an
 * untouched page allocates it before the instruction completes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/khv.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"
#include "khv_vm.h"

#define KiB	1024ull
#define MiB	(1024 * KiB)

/* host-get's memory attributes. */
struct pool {
	uint64_t budget, alloc, min, max, charge, ceiling;
	int overcommit;
};

/* vm-get's. */
struct vmq {
	uint64_t min, max, alloc, bytes, denials;
};

static uint64_t u64_of(struct nlattr *a)
{
	return a ? NLA_U64(a) : ~0ull;
}

static int pool_get(struct nl *nl, struct pool *p)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_HOST_MEM_BUDGET] || !r.tb[KHV_A_HOST_MEM_OVERCOMMIT])
		return -ENOENT;
	p->budget = u64_of(r.tb[KHV_A_HOST_MEM_BUDGET]);
	p->overcommit = *(uint8_t *)NLA_DATA(r.tb[KHV_A_HOST_MEM_OVERCOMMIT]);
	p->alloc = u64_of(r.tb[KHV_A_HOST_MEM_ALLOCATED]);
	p->min = u64_of(r.tb[KHV_A_HOST_MEM_GUARANTEED]);
	p->max = u64_of(r.tb[KHV_A_HOST_MEM_CAPPED]);
	p->charge = u64_of(r.tb[KHV_A_HOST_MEM_CHARGED]);
	p->ceiling = u64_of(r.tb[KHV_A_HOST_MEM_COMMITTED]);
	return 0;
}

#define pool_set	host_set_mem_policy

#define KEEP	QUOTA_KEEP
#define KEEP32	(~0u)

/* The audit record's CPU and I/O part with none of them set. */
#define RUN_NONE	" cpu-cap=0 io-exits-rate=0 io-bytes-rate=0 cpu-weight=0 cpu-reservation=0"
/* Its mem-priority of a VM created with the host's default at load. */
#define PRIO_DFL	" mem-priority=4"

/* quota-set: cpu-cap, io-exits-rate and io-bytes-rate unless KEEP. */
static int run_quota_set(struct nl *nl, uint64_t id, uint64_t cap,
			 uint64_t exits, uint64_t bytes)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_QUOTA_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	if (cap != KEEP)
		put_u32(&m, KHV_A_VM_CPU_CAP, cap);
	if (exits != KEEP)
		put_u64(&m, KHV_A_VM_IO_EXITS_RATE, exits);
	if (bytes != KEEP)
		put_u64(&m, KHV_A_VM_IO_BYTES_RATE, bytes);
	return nl_call(nl, &m, NULL, NULL);
}

/* The host's default quotas (host-set default-*). */
struct defaults {
	uint64_t min, max, cap, exits, bytes;
};

static const struct defaults no_defaults;

/* host-set: the defaults that are not KEEP. */
static int defaults_set(struct nl *nl, const struct defaults *d)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	if (d->min != KEEP)
		put_u64(&m, KHV_A_HOST_DEFAULT_MEM_MIN, d->min);
	if (d->max != KEEP)
		put_u64(&m, KHV_A_HOST_DEFAULT_MEM_MAX, d->max);
	if (d->cap != KEEP)
		put_u32(&m, KHV_A_HOST_DEFAULT_CPU_CAP, d->cap);
	if (d->exits != KEEP)
		put_u64(&m, KHV_A_HOST_DEFAULT_IO_EXITS_RATE, d->exits);
	if (d->bytes != KEEP)
		put_u64(&m, KHV_A_HOST_DEFAULT_IO_BYTES_RATE, d->bytes);
	return nl_call(nl, &m, NULL, NULL);
}

static int defaults_get(struct nl *nl, struct defaults *d)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_HOST_DEFAULT_CPU_CAP])
		return -ENOENT;
	d->min = u64_of(r.tb[KHV_A_HOST_DEFAULT_MEM_MIN]);
	d->max = u64_of(r.tb[KHV_A_HOST_DEFAULT_MEM_MAX]);
	d->cap = NLA_U32(r.tb[KHV_A_HOST_DEFAULT_CPU_CAP]);
	d->exits = u64_of(r.tb[KHV_A_HOST_DEFAULT_IO_EXITS_RATE]);
	d->bytes = u64_of(r.tb[KHV_A_HOST_DEFAULT_IO_BYTES_RATE]);
	return 0;
}

static int vmq_get(struct nl *nl, uint64_t id, struct vmq *q)
{
	struct nl_reply r;
	int err = vm_get(nl, id, &r);

	if (err)
		return err;
	q->min = u64_of(r.tb[KHV_A_VM_MEM_MIN]);
	q->max = u64_of(r.tb[KHV_A_VM_MEM_MAX]);
	q->alloc = u64_of(r.tb[KHV_A_VM_MEM_ALLOCATED]);
	q->bytes = u64_of(r.tb[KHV_A_VM_MEM_BYTES]);
	q->denials = u64_of(r.tb[KHV_A_VM_MEM_DENIALS]);
	return 0;
}

/* KHV_SET_MEMORY_REGION; its mmap offset in *@off if not NULL. */
static int set_region_off(int vm, uint32_t slot, uint64_t gpa, uint64_t size,
			  uint64_t *off)
{
	struct khv_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.guest_phys_addr = gpa;
	r.size = size;
	if (ioctl(vm, KHV_SET_MEMORY_REGION, &r) < 0)
		return -errno;
	if (off)
		*off = r.mmap_offset;
	return 0;
}

static int set_region(int vm, uint32_t slot, uint64_t gpa, uint64_t size)
{
	return set_region_off(vm, slot, gpa, size, NULL);
}

FIXTURE(quota) {
	struct nl nl;
	int dev;
	int vm;
	uint64_t vm_id;
	struct pool saved;	/* the host's policy, restored at teardown */
	uint32_t saved_prio;	/* its default-mem-priority, likewise */
};

static int default_prio_get(struct nl *nl, uint32_t *prio);
static int default_prio_set(struct nl *nl, uint32_t prio);

FIXTURE_SETUP(quota)
{
	int r;

	self->vm = -1;
	self->dev = khv_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("no " KHV_DEV_PATH);
	r = nl_open(&self->nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	r = pool_get(&self->nl, &self->saved);
	ASSERT_EQ(0, r) TH_LOG("host-get has no memory pool: %s", strerror(-r));
	self->saved_prio = KEEP32;
	ASSERT_EQ(0, default_prio_get(&self->nl, &self->saved_prio));
	self->vm = khv_create_vm(self->dev);
	ASSERT_LE(0, self->vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-self->vm));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &self->vm_id));
}

FIXTURE_TEARDOWN(quota)
{
	uint32_t prio;

	if (self->vm >= 0)
		close(self->vm);
	defaults_set(&self->nl, &no_defaults);
	/* Only if changed: a host-set is audited even when it changes nothing. */
	if (self->saved_prio != KEEP32 && !default_prio_get(&self->nl, &prio) &&
	    prio != self->saved_prio)
		default_prio_set(&self->nl, self->saved_prio);
	/* Overcommit first: a budget may be restored only under it. */
	pool_set(&self->nl, 0, 1);
	pool_set(&self->nl, self->saved.budget, self->saved.overcommit);
	close(self->dev);
	close(self->nl.fd);
}

/* The extack names @what and, where the kernel formats it, the bytes. */
static bool extack_says(struct nl *nl, const char *what, uint64_t bytes)
{
	char num[32];

	if (!strstr(nl->extack, what))
		return false;
	/* 6.1 has no formatted extack: the message, without the number. */
	snprintf(num, sizeof(num), "by %llu bytes", (unsigned long long)bytes);
	return strstr(nl->extack, num) || !strstr(nl->extack, " by ");
}

TEST_F(quota, vm_get_and_host_get_show_quotas)
{
	struct vmq q;
	struct pool p;

	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.min);
	EXPECT_EQ(0, q.max);
	EXPECT_EQ(0, q.alloc);
	ASSERT_EQ(0, set_region(self->vm, 0, 0, 256 * KiB));
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, 1 * MiB, 2 * MiB))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(1 * MiB, q.min);
	EXPECT_EQ(2 * MiB, q.max);
	EXPECT_EQ(256 * KiB, q.alloc);
	EXPECT_EQ(256 * KiB, q.bytes);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_EQ(self->saved.alloc + 256 * KiB, p.alloc);
	EXPECT_EQ(self->saved.min + 1 * MiB, p.min);
	EXPECT_EQ(self->saved.max + 2 * MiB, p.max);
	EXPECT_EQ(self->saved.charge + 1 * MiB, p.charge);
	EXPECT_EQ(self->saved.ceiling + 2 * MiB, p.ceiling);
	EXPECT_LE(p.charge, p.budget);
	/* An absent attribute is kept, 0 removes. */
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, 0, KEEP));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.min);
	EXPECT_EQ(2 * MiB, q.max);
}

/*
 * With a cap, a region allocates what is left of the guarantee, the rest on
 * first touch: its size is a reservation, admitted beyond the cap. Without
 * one, a region comes whole and counts whole.
 */
TEST_F(quota, region_with_cap_allocates_only_the_guarantee)
{
	struct pool before, after;
	struct vmq q;

	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, 256 * KiB, 1 * MiB))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &before));
	ASSERT_EQ(0, set_region(self->vm, 0, 0, 512 * KiB));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(256 * KiB, q.alloc);
	EXPECT_EQ(512 * KiB, q.bytes);
	/* Larger than the cap: admitted, nothing allocated. */
	EXPECT_EQ(0, set_region(self->vm, 1, 1 * MiB, 2 * MiB));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(256 * KiB, q.alloc);
	EXPECT_EQ(2 * MiB + 512 * KiB, q.bytes);
	ASSERT_EQ(0, pool_get(&self->nl, &after));
	EXPECT_EQ(before.alloc + 256 * KiB, after.alloc);
	/* The guarantee was charged already. */
	EXPECT_EQ(before.charge, after.charge);
	/* The cap removed: a region comes whole. */
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, 0));
	EXPECT_EQ(0, set_region(self->vm, 2, 4 * MiB, 512 * KiB));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(768 * KiB, q.alloc);
}

TEST_F(quota, cap_below_allocation_is_ebusy)
{
	struct vmq q;

	ASSERT_EQ(0, set_region(self->vm, 0, 0, 1 * MiB));
	EXPECT_EQ(-EBUSY, quota_set(&self->nl, self->vm_id, KEEP, 512 * KiB));
	EXPECT_TRUE(extack_says(&self->nl, "mem-max is below", 512 * KiB))
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, 1 * MiB));
	/* A guarantee above the cap, and values that are not page-granular. */
	EXPECT_EQ(-EINVAL, quota_set(&self->nl, self->vm_id, 2 * MiB, KEEP));
	EXPECT_NE(0, self->nl.extack[0]);
	EXPECT_EQ(-EINVAL, quota_set(&self->nl, self->vm_id, KEEP, 1 * MiB + 1));
	EXPECT_EQ(-EINVAL, quota_set(&self->nl, self->vm_id, 100, KEEP));
	EXPECT_EQ(-EINVAL, quota_set(&self->nl, self->vm_id, KEEP, KEEP));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.min);
	EXPECT_EQ(1 * MiB, q.max);
}

TEST_F(quota, budget_bounds_caps_unless_overcommit)
{
	struct pool p;
	uint64_t budget;
	int vm2;

	ASSERT_EQ(0, pool_set(&self->nl, 0, 0)) TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	budget = p.ceiling + 1 * MiB;
	ASSERT_EQ(0, pool_set(&self->nl, budget, -1)) TH_LOG("%s", self->nl.extack);

	/* Overcommit off: a cap 1 MiB beyond the budget's room. */
	EXPECT_EQ(-ENOMEM, quota_set(&self->nl, self->vm_id, KEEP, 2 * MiB));
	EXPECT_TRUE(extack_says(&self->nl, "caps exceed mem-budget", 1 * MiB))
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_TRUE(strstr(self->nl.extack, "mem-overcommit off") != NULL);
	EXPECT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, 1 * MiB));

	/*
	 * On: caps may exceed the budget, allocations still may not (a VM
	 * without a cap, whose region comes whole).
	 */
	ASSERT_EQ(0, pool_set(&self->nl, 0, 1));
	EXPECT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, 8 * MiB))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_LT(p.budget, p.ceiling);
	vm2 = khv_create_vm(self->dev);
	ASSERT_LE(0, vm2);
	EXPECT_EQ(-ENOMEM, set_region(vm2, 0, 0, 2 * MiB));
	EXPECT_EQ(0, set_region(vm2, 0, 0, 1 * MiB));

	/* Off again, under caps beyond the budget: refused, by how much. */
	EXPECT_EQ(-EBUSY, pool_set(&self->nl, 0, 0));
	EXPECT_TRUE(extack_says(&self->nl, "caps exceed mem-budget", 8 * MiB))
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_EQ(1, p.overcommit);
	/* A budget below the charges is refused too. */
	EXPECT_EQ(-EBUSY, pool_set(&self->nl, p.charge - 4 * KiB, -1));
	EXPECT_TRUE(extack_says(&self->nl, "exceed mem-budget", 4 * KiB))
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_EQ(-EINVAL, pool_set(&self->nl, p.budget + 1, -1));
	close(vm2);
}

TEST_F(quota, guarantee_never_taken_by_another_vm)
{
	struct pool p;
	struct vmq q;
	int other;
	uint64_t other_id;

	ASSERT_EQ(0, pool_get(&self->nl, &p));
	ASSERT_EQ(0, pool_set(&self->nl, p.ceiling + 2 * MiB, 0))
		TH_LOG("%s", self->nl.extack);
	/* 3 MiB guaranteed where 2 are free: refused, by 1 MiB. */
	EXPECT_EQ(-ENOMEM, quota_set(&self->nl, self->vm_id, 3 * MiB, KEEP));
	EXPECT_TRUE(extack_says(&self->nl, "charges", 1 * MiB))
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, 2 * MiB, KEEP));

	other = khv_create_vm(self->dev);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, my_newest_vm(&self->nl, &other_id));
	/* The guarantee holds the rest of the budget, used or not. */
	EXPECT_EQ(-ENOMEM, set_region(other, 0, 0, 4 * KiB));
	ASSERT_EQ(0, vmq_get(&self->nl, other_id, &q));
	EXPECT_EQ(0, q.alloc);
	/* Its holder may use it. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 2 * MiB));
	/* Released, it is the other's. */
	EXPECT_EQ(-EBUSY, quota_set(&self->nl, self->vm_id, 0, 1 * MiB));
	close(self->vm);
	self->vm = -1;
	EXPECT_EQ(0, set_region(other, 0, 0, 2 * MiB));
	close(other);
}

/*
 * The host's default quotas: shown by host-get, given to each VM created
 * afterwards (not to those there), and dropped by 0.
 */
TEST_F(quota, defaults_given_to_new_vms)
{
	const struct defaults want = {
		64 * KiB, 1 * MiB, 30, 500, 1 * MiB,
	};
	struct defaults got;
	struct nl_reply r;
	uint64_t id;
	struct vmq q;
	int vm2;

	ASSERT_EQ(0, defaults_get(&self->nl, &got));
	EXPECT_EQ(0, got.min | got.max | got.cap | got.exits | got.bytes);
	ASSERT_EQ(0, defaults_set(&self->nl, &want)) TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, defaults_get(&self->nl, &got));
	EXPECT_EQ(0, memcmp(&want, &got, sizeof(got)));
	vm2 = khv_create_vm(self->dev);
	ASSERT_LE(0, vm2) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm2));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &id));
	ASSERT_EQ(0, vmq_get(&self->nl, id, &q));
	EXPECT_EQ(64 * KiB, q.min);
	EXPECT_EQ(1 * MiB, q.max);
	EXPECT_EQ(0, q.alloc);
	ASSERT_EQ(0, vm_get(&self->nl, id, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_VM_CPU_CAP]);
	EXPECT_EQ(30, NLA_U32(r.tb[KHV_A_VM_CPU_CAP]));
	EXPECT_EQ(500, u64_of(r.tb[KHV_A_VM_IO_EXITS_RATE]));
	EXPECT_EQ(1 * MiB, u64_of(r.tb[KHV_A_VM_IO_BYTES_RATE]));
	/* With a cap: a region allocates the default guarantee only. */
	EXPECT_EQ(0, set_region(vm2, 0, 0, 512 * KiB));
	ASSERT_EQ(0, vmq_get(&self->nl, id, &q));
	EXPECT_EQ(64 * KiB, q.alloc);
	/* The VM there before keeps what it had. */
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.min | q.max);
	ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
	EXPECT_EQ(0, NLA_U32(r.tb[KHV_A_VM_CPU_CAP]));
	/* A VM's own quota-set overrides its defaults. */
	EXPECT_EQ(0, quota_set(&self->nl, id, 0, 0));
	close(vm2);
	ASSERT_EQ(0, defaults_set(&self->nl, &no_defaults));
	vm2 = khv_create_vm(self->dev);
	ASSERT_LE(0, vm2);
	ASSERT_EQ(0, my_newest_vm(&self->nl, &id));
	ASSERT_EQ(0, vmq_get(&self->nl, id, &q));
	EXPECT_EQ(0, q.min | q.max);
	close(vm2);
}

/*
 * A creation is admitted as a quota-set from no quota would be: refused
 * with ENOMEM, audited with the limit and the bytes, when the default cap
 * (overcommit off) or guarantee does not fit the budget; nothing held after.
 * Defaults that cannot be are refused by host-set, with the extack.
 */
TEST_F(quota, defaults_admitted_at_creation)
{
	struct defaults d = { KEEP, KEEP, KEEP, KEEP, KEEP };
	struct audit_state st;
	struct audit_dump *ad;
	struct pool p, after;
	bool caps = false, charges = false, audited = false;
	uint64_t id;
	int vm2, i;

	ASSERT_EQ(0, pool_set(&self->nl, 0, 0)) TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	ASSERT_EQ(0, pool_set(&self->nl, p.ceiling + 1 * MiB, -1))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	ASSERT_EQ(0, audit_state(&self->nl, &st));

	d.max = 2 * MiB;
	ASSERT_EQ(0, defaults_set(&self->nl, &d)) TH_LOG("%s", self->nl.extack);
	EXPECT_EQ(-ENOMEM, khv_create_vm(self->dev));
	d.max = 0;
	d.min = 2 * MiB;
	ASSERT_EQ(0, defaults_set(&self->nl, &d));
	EXPECT_EQ(-ENOMEM, khv_create_vm(self->dev));
	ASSERT_EQ(0, pool_get(&self->nl, &after));
	EXPECT_EQ(p.charge, after.charge);
	EXPECT_EQ(p.ceiling, after.ceiling);
	EXPECT_EQ(p.alloc, after.alloc);

	/* What fits is held from the creation on, and given back at close. */
	d.min = 512 * KiB;
	d.max = 1 * MiB;
	ASSERT_EQ(0, defaults_set(&self->nl, &d));
	vm2 = khv_create_vm(self->dev);
	ASSERT_LE(0, vm2) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm2));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &id));
	ASSERT_EQ(0, pool_get(&self->nl, &after));
	EXPECT_EQ(p.charge + 512 * KiB, after.charge);
	EXPECT_EQ(p.ceiling + 1 * MiB, after.ceiling);
	EXPECT_EQ(p.budget, after.ceiling);
	EXPECT_EQ(-ENOMEM, khv_create_vm(self->dev));
	close(vm2);
	ASSERT_EQ(0, pool_get(&self->nl, &after));
	EXPECT_EQ(p.charge, after.charge);
	EXPECT_EQ(p.ceiling, after.ceiling);

	/* host-set refuses defaults that cannot be, and changes nothing. */
	d.min = 2 * MiB;
	d.max = KEEP;
	EXPECT_EQ(-EINVAL, defaults_set(&self->nl, &d));
	EXPECT_TRUE(strstr(self->nl.extack, "default-mem-min is above default-mem-max") != NULL)
		TH_LOG("extack: %s", self->nl.extack);
	d.min = 4 * KiB + 1;
	EXPECT_EQ(-EINVAL, defaults_set(&self->nl, &d));
	EXPECT_TRUE(strstr(self->nl.extack, "page size") != NULL)
		TH_LOG("extack: %s", self->nl.extack);
	/* The policy's range checks: ERANGE, the extack naming the attribute. */
	d.min = KEEP;
	d.cap = 101;
	EXPECT_EQ(-ERANGE, defaults_set(&self->nl, &d));
	EXPECT_NE(0, self->nl.extack[0]);
	d.cap = KEEP;
	d.exits = 1000000001;
	EXPECT_EQ(-ERANGE, defaults_set(&self->nl, &d));
	d.exits = KEEP;
	d.bytes = 1000000001;
	EXPECT_EQ(-ERANGE, defaults_set(&self->nl, &d));
	ASSERT_EQ(0, defaults_get(&self->nl, &d));
	EXPECT_EQ(512 * KiB, d.min);
	EXPECT_EQ(1 * MiB, d.max);
	EXPECT_EQ(0, d.cap | d.exits | d.bytes);

	ad = calloc(1, sizeof(*ad));
	ASSERT_NE(NULL, ad);
	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, ad));
	for (i = 0; i < ad->nr; i++) {
		struct audit_rec *a = &ad->rec[i];

		if (a->op == KHV_AUDIT_OP_VM_CREATE && a->result == -ENOMEM &&
		    strstr(a->new, "caps exceed mem-budget by 1048576 bytes"))
			caps = true;
		if (a->op == KHV_AUDIT_OP_VM_CREATE && a->result == -ENOMEM &&
		    strstr(a->new, "charges (mem-min or allocated) exceed mem-budget by "))
			charges = true;
		if (a->op == KHV_AUDIT_OP_HOST_SET && !a->result &&
		    !strcmp(a->object, "default-mem-max") &&
		    !strcmp(a->old, "2097152") && !strcmp(a->new, "0"))
			audited = true;
	}
	EXPECT_TRUE(caps) TH_LOG("no vm-create record of the default cap refused");
	EXPECT_TRUE(charges) TH_LOG("no vm-create record of the default guarantee refused");
	EXPECT_TRUE(audited) TH_LOG("no host-set record default-mem-max 2097152 -> 0");
	free(ad);
}

static int nobody_quota_set(struct nl *nl, void *arg)
{
	uint64_t id = *(uint64_t *)arg;
	int r = quota_set(nl, id, KEEP, 4 * MiB);

	if (r == -EPERM && strstr(nl->extack, "grant"))
		r = 0;
	else
		return 10;
	if (pool_set(nl, 0, 1) != -EPERM)
		return 11;
	return r;
}

static int nobody_quota_set_granted(struct nl *nl, void *arg)
{
	uint64_t id = *(uint64_t *)arg;

	return quota_set(nl, id, KEEP, 4 * MiB) ? 20 : 0;
}


TEST_F(quota, quota_set_needs_set_quota_grant)
{
	uint32_t view, setq;
	struct vmq q;

	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_VIEW, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &view));
	EXPECT_EQ(0, nl_as_nobody(nobody_quota_set, &self->vm_id))
		TH_LOG("10: quota-set without a grant not EPERM, 11: host-set not EPERM");
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.max);
	ASSERT_EQ(0, grant_add(&self->nl, KHV_GRANT_SUBJECT_UID, NOBODY,
			       KHV_GRANT_OP_SET_QUOTA, KHV_GRANT_OBJECT_VM,
			       self->vm_id, NULL, KHV_GRANT_ACTION_ALLOW, &setq));
	EXPECT_EQ(0, nl_as_nobody(nobody_quota_set_granted, &self->vm_id));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(4 * MiB, q.max);
	EXPECT_EQ(0, grant_del(&self->nl, setq));
	EXPECT_EQ(0, grant_del(&self->nl, view));
}

TEST_F(quota, changes_audited_old_to_new)
{
	struct audit_state st;
	struct audit_dump *d;
	bool vm_rec = false, host_rec = false, refusal = false, run_rec = false;
	char want[64];
	int i;

	ASSERT_EQ(0, audit_state(&self->nl, &st));
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, 1 * MiB, 2 * MiB));
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, 4 * MiB));
	ASSERT_EQ(0, set_region(self->vm, 0, 0, 1 * MiB));
	EXPECT_EQ(-EBUSY, quota_set(&self->nl, self->vm_id, 0, 4 * KiB));
	ASSERT_EQ(0, pool_set(&self->nl, self->saved.budget, -1));
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, 20, 1000, 1 * MiB));

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)self->saved.budget);
	for (i = 0; i < d->nr; i++) {
		struct audit_rec *a = &d->rec[i];

		if (a->op == KHV_AUDIT_OP_QUOTA_SET && a->vm_id == self->vm_id &&
		    !a->result &&
		    !strcmp(a->old, "mem-min=1048576 mem-max=2097152" PRIO_DFL RUN_NONE) &&
		    !strcmp(a->new, "mem-min=1048576 mem-max=4194304" PRIO_DFL RUN_NONE))
			vm_rec = true;
		if (a->op == KHV_AUDIT_OP_QUOTA_SET && a->vm_id == self->vm_id &&
		    !a->result &&
		    !strcmp(a->old, "mem-min=1048576 mem-max=4194304" PRIO_DFL RUN_NONE) &&
		    !strcmp(a->new, "mem-min=1048576 mem-max=4194304" PRIO_DFL " cpu-cap=20 io-exits-rate=1000 io-bytes-rate=1048576 cpu-weight=0 cpu-reservation=0"))
			run_rec = true;
		if (a->op == KHV_AUDIT_OP_QUOTA_SET && a->result == -EBUSY)
			refusal = true;
		if (a->op == KHV_AUDIT_OP_HOST_SET && !a->result &&
		    !strcmp(a->object, "mem-budget") && !strcmp(a->old, want) &&
		    !strcmp(a->new, want))
			host_rec = true;
	}
	EXPECT_TRUE(vm_rec) TH_LOG("no quota-set record 2 MiB -> 4 MiB");
	EXPECT_TRUE(refusal) TH_LOG("no quota-set record of the EBUSY");
	EXPECT_TRUE(run_rec) TH_LOG("no quota-set record of cpu-cap 0 -> 20");
	EXPECT_TRUE(host_rec) TH_LOG("no host-set record of mem-budget");
	free(d);
}

/*
 * Many VMs made, given a guarantee, a cap and two regions (a page of the
 * second allocated on first touch), and closed (some destroyed from outside
 * first): the pool is where it was, to the byte.
 */
TEST_F_TIMEOUT(quota, memory_back_in_pool_after_destroy, 1200)
{
	struct pool before, after;
	uint64_t id, off;
	uint8_t *p;
	int i, vm;

	close(self->vm);
	self->vm = -1;
	ASSERT_EQ(0, pool_get(&self->nl, &before));
	for (i = 0; i < 1000; i++) {
		vm = khv_create_vm(self->dev);
		ASSERT_LE(0, vm) TH_LOG("cycle %d: %s", i, strerror(-vm));
		ASSERT_EQ(0, my_newest_vm(&self->nl, &id));
		ASSERT_EQ(0, quota_set(&self->nl, id, 64 * KiB, 128 * KiB))
			TH_LOG("cycle %d: %s", i, self->nl.extack);
		ASSERT_EQ(0, set_region(vm, 0, 0, 32 * KiB + (i % 4) * 16 * KiB));
		/* Beyond the cap in size; its last page touched by the VMM. */
		ASSERT_EQ(0, set_region_off(vm, 1, 1 * MiB, 256 * KiB, &off));
		p = mmap(NULL, 256 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vm, off);
		ASSERT_NE(MAP_FAILED, p);
		p[256 * KiB - 1] = 1;
		munmap(p, 256 * KiB);
		if (i % 3 == 0)
			ASSERT_EQ(0, vm_cmd(&self->nl, KHV_CMD_VM_DESTROY, id));
		close(vm);
	}
	ASSERT_EQ(0, pool_get(&self->nl, &after));
	EXPECT_EQ(before.alloc, after.alloc);
	EXPECT_EQ(before.min, after.min);
	EXPECT_EQ(before.max, after.max);
	EXPECT_EQ(before.charge, after.charge);
	EXPECT_EQ(before.ceiling, after.ceiling);
}

/* ---- CPU cap and I/O limits ---- */

#define CODE_GPA	0x1000
#define IO_PORT		0x1234

/* jmp $ */
static const uint8_t spin_code[] = { 0xeb, 0xfe };
/* mov dx, IO_PORT; xor ax, ax; 1: out dx, al; inc ax; jmp 1b */
static const uint8_t outb_code[] = {
	0xba, IO_PORT & 0xff, IO_PORT >> 8, 0x31, 0xc0, 0xee, 0x40, 0xeb, 0xfc,
};
/* mov dx, IO_PORT; 1: out dx, eax; jmp 1b */
static const uint8_t outl_code[] = {
	0xba, IO_PORT & 0xff, IO_PORT >> 8, 0x66, 0xef, 0xeb, 0xfc,
};

/* vm-get's CPU and I/O part. */
struct runq {
	uint64_t cap, exits_rate, bytes_rate;
	uint64_t guest_ns, throttled_ns, throttles, io_exits, io_bytes;
};

static int runq_get(struct nl *nl, uint64_t id, struct runq *q)
{
	struct nl_reply r;
	int err = vm_get(nl, id, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_VM_CPU_CAP] || !r.tb[KHV_A_VM_IO_BYTES])
		return -ENOENT;
	q->cap = NLA_U32(r.tb[KHV_A_VM_CPU_CAP]);
	q->exits_rate = u64_of(r.tb[KHV_A_VM_IO_EXITS_RATE]);
	q->bytes_rate = u64_of(r.tb[KHV_A_VM_IO_BYTES_RATE]);
	q->guest_ns = u64_of(r.tb[KHV_A_VM_GUEST_NS]);
	q->throttled_ns = u64_of(r.tb[KHV_A_VM_THROTTLED_NS]);
	q->throttles = u64_of(r.tb[KHV_A_VM_THROTTLES]);
	q->io_exits = u64_of(r.tb[KHV_A_VM_IO_EXITS]);
	q->io_bytes = u64_of(r.tb[KHV_A_VM_IO_BYTES]);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#define OVERCOMMIT_PARAM	"/sys/module/khv/parameters/vcpu_overcommit"

FIXTURE(runq) {
	struct nl nl;
	struct khv_test_vm *vm;
	struct khv_test_vcpu *vcpu;
	uint64_t vm_id;
	/* What a test changed of the host, put back by the teardown. */
	char overcommit[8];	/* the parameter's old value, if written */
	uint32_t budget;	/* the old cpu-budget, if budget_set */
	bool budget_set;
};

/*
 * A netlink socket and a VM of 64 KiB with one vCPU in real mode at
 * CODE_GPA: the runq and touch fixtures' start.
 */
static void one_vcpu_vm(struct __test_metadata *_metadata, struct nl *nl,
			struct khv_test_vm **vm, struct khv_test_vcpu **vcpu,
			uint64_t *vm_id)
{
	int r;

	*vm = NULL;
	r = nl_open(nl);
	ASSERT_EQ(0, r) TH_LOG("no generic netlink family khv: %s", strerror(-r));
	*vm = vm_create(64 * KiB);
	ASSERT_NE(NULL, *vm) TH_LOG("vm_create: %s", strerror(errno));
	ASSERT_EQ(0, my_newest_vm(nl, vm_id));
	*vcpu = vcpu_add(*vm, 0);
	ASSERT_NE(NULL, *vcpu) TH_LOG("vcpu_add: %s", strerror(errno));
	ASSERT_EQ(0, vcpu_set_real_mode(*vcpu, CODE_GPA));
}

FIXTURE_SETUP(runq)
{
	one_vcpu_vm(_metadata, &self->nl, &self->vm, &self->vcpu, &self->vm_id);
}

static int cpu_budget_set(struct nl *nl, uint32_t budget);

FIXTURE_TEARDOWN(runq)
{
	alarm_in(0);
	if (self->vm)
		vm_free(self->vm);
	if (self->budget_set)
		cpu_budget_set(&self->nl, self->budget);
	if (self->overcommit[0])
		khv_write_file(OVERCOMMIT_PARAM, self->overcommit[0] == 'Y' ? "Y" : "N");
	close(self->nl.fd);
}

/*
 * Spin for about @ms of wall time, ended by a signal; the wall time in ns.
 */
static uint64_t spin_for(struct __test_metadata *_metadata,
			 struct khv_test_vcpu *vcpu, unsigned int ms)
{
	uint64_t t0 = now_ns();
	int r;

	alarm_in(ms);
	r = vcpu_run(vcpu);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(KHV_EXIT_INTR, vcpu->run->exit_reason);
	return now_ns() - t0;
}

TEST_F(runq, vm_get_shows_cpu_and_io_quotas)
{
	struct runq q;

	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.cap);
	EXPECT_EQ(0, q.exits_rate);
	EXPECT_EQ(0, q.bytes_rate);
	EXPECT_EQ(0, q.guest_ns);
	EXPECT_EQ(0, q.throttled_ns);
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, 20, 1000, 1 * MiB));
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(20, q.cap);
	EXPECT_EQ(1000, q.exits_rate);
	EXPECT_EQ(1 * MiB, q.bytes_rate);
	/* An absent attribute keeps its value, 0 removes it. */
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, KEEP, 0, KEEP));
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(20, q.cap);
	EXPECT_EQ(0, q.exits_rate);
	EXPECT_EQ(1 * MiB, q.bytes_rate);
}

TEST_F(runq, spinning_guest_held_to_cpu_cap)
{
	uint64_t wall;
	struct runq q;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, spin_code,
				  sizeof(spin_code)));
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, 20, KEEP, KEEP));
	wall = spin_for(_metadata, self->vcpu, 2000);
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	TH_LOG("cap 20: guest %llu ns of %llu ns wall (%llu%%), throttled %llu ns in %llu waits",
	       (unsigned long long)q.guest_ns, (unsigned long long)wall,
	       (unsigned long long)(q.guest_ns * 100 / wall),
	       (unsigned long long)q.throttled_ns,
	       (unsigned long long)q.throttles);
	EXPECT_LT(0, q.guest_ns);
	/* 20% with a generous margin for a noisy emulated host. */
	EXPECT_LE(q.guest_ns * 100, wall * 35);
	EXPECT_LT(0, q.throttled_ns);
	EXPECT_LT(0, q.throttles);
}

TEST_F(runq, no_cap_no_throttling)
{
	struct runq q;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, spin_code,
				  sizeof(spin_code)));
	spin_for(_metadata, self->vcpu, 1000);
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_LT(0, q.guest_ns);
	EXPECT_EQ(0, q.throttled_ns);
	EXPECT_EQ(0, q.throttles);
}

/* A vCPU thread of two_guests_held_to_their_caps: spins until a signal. */
struct spinner {
	struct khv_test_vcpu *vcpu;
	int r;
	uint32_t exit_reason;
};

static void *spinner_run(void *arg)
{
	struct spinner *sp = arg;

	sp->r = vcpu_run(sp->vcpu);
	sp->exit_reason = sp->vcpu->run->exit_reason;
	return NULL;
}

/*
 * Two VMs spinning at once, caps 30% and 60% of a CPU (90% together, so
 * they fit on a host of one CPU): over a fixed window each gets its cap
 * within 5 points. In Bochs the window is virtual time, so the figures are
 * deterministic.
 */
TEST_F(runq, two_guests_held_to_their_caps)
{
	static const uint32_t caps[2] = { 30, 60 };
	const unsigned int window_ms = 3000;
	struct khv_test_vcpu *vcpu2;
	struct khv_test_vm *vm2;
	struct spinner sp[2];
	pthread_t t[2];
	uint64_t id2, t0, wall;
	struct runq q[2];
	unsigned int i;

	vm2 = vm_create(64 * KiB);
	ASSERT_NE(NULL, vm2) TH_LOG("vm_create: %s", strerror(errno));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &id2));
	ASSERT_NE(self->vm_id, id2);
	vcpu2 = vcpu_add(vm2, 0);
	ASSERT_NE(NULL, vcpu2);
	ASSERT_EQ(0, vcpu_set_real_mode(vcpu2, CODE_GPA));
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, spin_code,
				  sizeof(spin_code)));
	ASSERT_EQ(0, vm_load_code(vm2, CODE_GPA, spin_code, sizeof(spin_code)));
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, caps[0], KEEP, KEEP));
	ASSERT_EQ(0, run_quota_set(&self->nl, id2, caps[1], KEEP, KEEP));

	alarm_in(0);	/* SIGALRM's handler: it only interrupts KHV_RUN */
	sp[0].vcpu = self->vcpu;
	sp[1].vcpu = vcpu2;
	t0 = now_ns();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, spinner_run, &sp[i]));
	usleep(window_ms * 1000);
	for (i = 0; i < 2; i++)
		pthread_kill(t[i], SIGALRM);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	wall = now_ns() - t0;
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q[0]));
	ASSERT_EQ(0, runq_get(&self->nl, id2, &q[1]));
	for (i = 0; i < 2; i++) {
		TH_LOG("cap %u: guest %llu ns of %llu ns (%llu.%llu%%), throttled %llu ns in %llu waits",
		       caps[i], (unsigned long long)q[i].guest_ns,
		       (unsigned long long)wall,
		       (unsigned long long)(q[i].guest_ns * 100 / wall),
		       (unsigned long long)(q[i].guest_ns * 1000 / wall % 10),
		       (unsigned long long)q[i].throttled_ns,
		       (unsigned long long)q[i].throttles);
		EXPECT_EQ(-EINTR, sp[i].r);
		EXPECT_EQ(KHV_EXIT_INTR, sp[i].exit_reason);
		EXPECT_GE(q[i].guest_ns * 100, wall * (caps[i] - 5));
		EXPECT_LE(q[i].guest_ns * 100, wall * (caps[i] + 5));
	}
	vm_free(vm2);
}

TEST_F(runq, port_writes_held_to_io_exits_rate)
{
	uint64_t t0, t, n = 0, bound;
	struct khv_run *run = self->vcpu->run;
	struct runq q;
	uint8_t data;
	int r;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, outb_code,
				  sizeof(outb_code)));
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, KEEP, 200, KEEP));
	t0 = now_ns();
	do {
		r = vcpu_run(self->vcpu);
		ASSERT_EQ(0, r) TH_LOG("KHV_RUN %llu: %s", (unsigned long long)n,
				       strerror(-r));
		ASSERT_EQ(KHV_EXIT_IO, run->exit_reason);
		ASSERT_EQ(KHV_EXIT_IO_OUT, run->io.direction);
		ASSERT_EQ(IO_PORT, run->io.port);
		ASSERT_EQ(1, run->io.size);
		ASSERT_EQ(1, run->io.count);
		/* Every OUT arrives, in order, with its value. */
		data = *((uint8_t *)run + run->io.data_offset);
		ASSERT_EQ((uint8_t)n, data) TH_LOG("OUT %llu", (unsigned long long)n);
		n++;
		t = now_ns() - t0;
	} while (t < 2000000000ull);
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	/* rate * (t + 1 s of burst), and a few for the noise. */
	bound = 200 * (t + 1000000000ull) / 1000000000ull + 5;
	TH_LOG("%llu OUTs in %llu ms (bound %llu), throttled %llu ns",
	       (unsigned long long)n, (unsigned long long)(t / 1000000),
	       (unsigned long long)bound, (unsigned long long)q.throttled_ns);
	EXPECT_LE(n, bound);
	EXPECT_LE(n, q.io_exits);
	EXPECT_LE(n, q.io_bytes);
	/* Beyond the burst the limit must have made the vCPU wait. */
	if (n > 201)
		EXPECT_LT(0, q.throttled_ns);
}

TEST_F(runq, signal_ends_run_while_throttled)
{
	struct khv_run *run = self->vcpu->run;
	uint64_t t0, t;
	struct runq q;
	int r;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, outl_code,
				  sizeof(outl_code)));
	/* 1 byte/s: one 4-byte OUT leaves 3 s of debt beyond the burst. */
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, KEEP, KEEP, 1));
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(KHV_EXIT_IO, run->exit_reason);
	ASSERT_EQ(4, run->io.size);
	t0 = now_ns();
	alarm_in(300);
	r = vcpu_run(self->vcpu);
	t = now_ns() - t0;
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(KHV_EXIT_INTR, run->exit_reason);
	TH_LOG("KHV_RUN ended by the signal after %llu ms",
	       (unsigned long long)(t / 1000000));
	EXPECT_LT(t, 2000000000ull);
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_LT(0, q.throttled_ns);
	EXPECT_EQ(1, q.io_exits);
	EXPECT_EQ(4, q.io_bytes);
	/* The limit removed, the guest goes on at once with its next OUT. */
	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, KEEP, KEEP, 0));
	t0 = now_ns();
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_EQ(KHV_EXIT_IO, run->exit_reason);
	EXPECT_LT(now_ns() - t0, 1000000000ull);
}

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE	6
#endif

/* quota-set: one u32 attribute. */
static int quota_set_u32(struct nl *nl, uint64_t id, int type, uint32_t v)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_QUOTA_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	put_u32(&m, type, v);
	return nl_call(nl, &m, NULL, NULL);
}

static int cpu_budget_set(struct nl *nl, uint32_t budget)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	put_u32(&m, KHV_A_HOST_CPU_BUDGET, budget);
	return nl_call(nl, &m, NULL, NULL);
}

static int cpu_pool_get(struct nl *nl, uint32_t *budget, uint32_t *reserved)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_HOST_CPU_BUDGET] || !r.tb[KHV_A_HOST_CPU_RESERVED])
		return -ENOENT;
	*budget = NLA_U32(r.tb[KHV_A_HOST_CPU_BUDGET]);
	*reserved = NLA_U32(r.tb[KHV_A_HOST_CPU_RESERVED]);
	return 0;
}

/* What a child saw of this thread's scheduling while it spun in KHV_RUN. */
struct sched_seen {
	int nice;
	int policy;
};

/*
 * Spin in KHV_RUN for about 1.5 s (a signal ends it); a child process
 * looks at this thread's nice level and policy half a second in.
 */
static int spin_and_look(struct __test_metadata *_metadata,
			 struct khv_test_vcpu *vcpu, struct sched_seen *seen)
{
	pid_t me = getpid(), child;
	int fds[2], status;

	if (pipe(fds))
		return -errno;
	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		struct sched_seen s;

		close(fds[0]);
		usleep(500 * 1000);
		errno = 0;
		s.nice = getpriority(PRIO_PROCESS, me);
		s.policy = sched_getscheduler(me);
		_exit(write(fds[1], &s, sizeof(s)) == sizeof(s) ? 0 : 1);
	}
	close(fds[1]);
	spin_for(_metadata, vcpu, 1500);
	if (read(fds[0], seen, sizeof(*seen)) != sizeof(*seen))
		seen->policy = -2;
	close(fds[0]);
	waitpid(child, &status, 0);
	return 0;
}

/*
 * cpu-weight: inside KHV_RUN the vCPU thread runs at the nice level
 * cgroup v2 maps the weight to (10000: -20, 1: 19; 0 keeps its own), and
 * gets its own nice back when KHV_RUN returns.
 */
TEST_F(runq, cpu_weight_is_nice_inside_run_only)
{
	static const struct { uint32_t weight; int nice; } cases[] = {
		{ 10000, -20 }, { 1, 19 }, { 100, 0 }, { 0, 5 },
	};
	struct sched_seen seen;
	struct nl_reply r;
	unsigned int i;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, spin_code,
				  sizeof(spin_code)));
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 5));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, quota_set_u32(&self->nl, self->vm_id,
					   KHV_A_VM_CPU_WEIGHT, cases[i].weight))
			TH_LOG("%s", self->nl.extack);
		ASSERT_EQ(0, vm_get(&self->nl, self->vm_id, &r));
		ASSERT_NE(NULL, r.tb[KHV_A_VM_CPU_WEIGHT]);
		EXPECT_EQ(cases[i].weight, NLA_U32(r.tb[KHV_A_VM_CPU_WEIGHT]));
		ASSERT_EQ(0, spin_and_look(_metadata, self->vcpu, &seen));
		EXPECT_EQ(cases[i].nice, seen.nice)
			TH_LOG("weight %u: nice %d inside KHV_RUN, want %d",
			       cases[i].weight, seen.nice, cases[i].nice);
		EXPECT_EQ(SCHED_OTHER, seen.policy);
		errno = 0;
		EXPECT_EQ(5, getpriority(PRIO_PROCESS, 0));
	}
	EXPECT_EQ(-ERANGE, quota_set_u32(&self->nl, self->vm_id,
					 KHV_A_VM_CPU_WEIGHT, 10001));
	EXPECT_NE(0, self->nl.extack[0]);
	setpriority(PRIO_PROCESS, 0, 0);
}

/*
 * cpu-reservation: admitted against cpu-budget (reservation x vCPUs, a new
 * vCPU counted too), refused with ENOSPC and the extack beyond it; a budget
 * below the reservations is EBUSY; inside KHV_RUN the thread is
 * SCHED_DEADLINE, outside its own policy again; all given back when the VM
 * goes.
 */
TEST_F(runq, cpu_reservation_admitted_and_deadline_inside_run)
{
	uint32_t budget, reserved, b, res;
	struct sched_seen seen;

	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, spin_code,
				  sizeof(spin_code)));
	/* A second vCPU on a host with one CPU too (HY-SR-4's knob). */
	ASSERT_LT(0, khv_read_file(OVERCOMMIT_PARAM, self->overcommit,
				   sizeof(self->overcommit)));
	ASSERT_EQ(0, khv_write_file(OVERCOMMIT_PARAM, "Y"));
	ASSERT_EQ(0, cpu_pool_get(&self->nl, &budget, &reserved));
	self->budget = budget;
	self->budget_set = true;
	ASSERT_EQ(0, cpu_budget_set(&self->nl, reserved));
	EXPECT_EQ(-ENOSPC, quota_set_u32(&self->nl, self->vm_id,
					 KHV_A_VM_CPU_RESERVATION, 10));
	EXPECT_TRUE(strstr(self->nl.extack, "exceeds cpu-budget") != NULL)
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, cpu_budget_set(&self->nl, reserved + 30));
	ASSERT_EQ(0, quota_set_u32(&self->nl, self->vm_id,
				   KHV_A_VM_CPU_RESERVATION, 20))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, cpu_pool_get(&self->nl, &b, &res));
	EXPECT_EQ(reserved + 20, res);
	EXPECT_EQ(-ENOSPC, quota_set_u32(&self->nl, self->vm_id,
					 KHV_A_VM_CPU_RESERVATION, 40));
	EXPECT_TRUE(strstr(self->nl.extack, "by 10 percent") ||
		    !strstr(self->nl.extack, " by "))
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_EQ(-EBUSY, cpu_budget_set(&self->nl, reserved + 10));
	EXPECT_TRUE(strstr(self->nl.extack, "exceeds cpu-budget") != NULL);
	/* A second vCPU would need 20 more: no room. */
	EXPECT_EQ(NULL, vcpu_add(self->vm, 1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, cpu_pool_get(&self->nl, &b, &res));
	EXPECT_EQ(reserved + 20, res);

	ASSERT_EQ(0, spin_and_look(_metadata, self->vcpu, &seen));
	EXPECT_EQ(SCHED_DEADLINE, seen.policy);
	EXPECT_EQ(SCHED_OTHER, sched_getscheduler(0));

	/* With room, the second vCPU counts. */
	ASSERT_EQ(0, cpu_budget_set(&self->nl, reserved + 40));
	ASSERT_NE(NULL, vcpu_add(self->vm, 1)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, cpu_pool_get(&self->nl, &b, &res));
	EXPECT_EQ(reserved + 40, res);
	vm_free(self->vm);
	self->vm = NULL;
	ASSERT_EQ(0, cpu_pool_get(&self->nl, &b, &res));
	EXPECT_EQ(reserved, res);
	EXPECT_EQ(0, cpu_budget_set(&self->nl, budget));
}

TEST_F(runq, hostile_values_refused)
{
	struct runq q;

	ASSERT_EQ(0, run_quota_set(&self->nl, self->vm_id, 30, 100, 4096));
	EXPECT_EQ(-ERANGE, run_quota_set(&self->nl, self->vm_id, 101, KEEP, KEEP));
	EXPECT_EQ(-ERANGE, run_quota_set(&self->nl, self->vm_id, 0xffffffffull,
					 KEEP, KEEP));
	EXPECT_EQ(-ERANGE, run_quota_set(&self->nl, self->vm_id, KEEP,
					 1000000001ull, KEEP));
	EXPECT_EQ(-ERANGE, run_quota_set(&self->nl, self->vm_id, KEEP, KEEP,
					 ~0ull - 1));
	/* The policy's range checks; one bad value: nothing of the request is applied. */
	EXPECT_EQ(-ERANGE, run_quota_set(&self->nl, self->vm_id, 10, 10,
					 1ull << 63));
	ASSERT_EQ(0, runq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(30, q.cap);
	EXPECT_EQ(100, q.exits_rate);
	EXPECT_EQ(4096, q.bytes_rate);
}

/* ---- Memory beyond the guarantee, allocated on first touch ---- */

#define LAZY_GPA	0x20000ull
#define LAZY_SIZE	(256 * KiB)
#define PAGE		4096ull
#define DONE_PORT	0x5678
#define NPAGES		4

/*
 * mov ax, 0x2000; mov ds, ax; xor bx, bx; mov dx, IO_PORT; mov cx, NPAGES
 * 1: mov eax, [bx]; out dx, eax; mov [bx], cx; add bx, 0x1000; loop 1b
 * mov dx, DONE_PORT; out dx, al; jmp $
 * Page i of the region (DS = 0x2000) is read (and reported), then gets
 * NPAGES - i.
 */
static const uint8_t touch_code[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xd8, 0x31, 0xdb,
	0xba, IO_PORT & 0xff, IO_PORT >> 8, 0xb9, NPAGES, 0x00,
	0x66, 0x8b, 0x07, 0x66, 0xef, 0x89, 0x0f, 0x81, 0xc3, 0x00, 0x10,
	0xe2, 0xf3,
	0xba, DONE_PORT & 0xff, DONE_PORT >> 8, 0xee, 0xeb, 0xfe,
};

/* As touch_code, writes only: 1: mov [bx], cx; add bx, 0x1000; loop 1b */
static const uint8_t write_code[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xd8, 0x31, 0xdb, 0xb9, NPAGES, 0x00,
	0x89, 0x0f, 0x81, 0xc3, 0x00, 0x10, 0xe2, 0xf8,
	0xba, DONE_PORT & 0xff, DONE_PORT >> 8, 0xee, 0xeb, 0xfe,
};

/*
 * mov ax, 0x2000; mov es, ax; mov di, 0x3000; mov dx, IO_PORT; mov cx, 4;
 * cld; rep insb; mov dx, DONE_PORT; out dx, al; jmp $
 */
static const uint8_t ins_code[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xc0, 0xbf, 0x00, 0x30,
	0xba, IO_PORT & 0xff, IO_PORT >> 8, 0xb9, 0x04, 0x00, 0xfc, 0xf3, 0x6c,
	0xba, DONE_PORT & 0xff, DONE_PORT >> 8, 0xee, 0xeb, 0xfe,
};

FIXTURE(touch) {
	struct nl nl;
	struct khv_test_vm *vm;
	struct khv_test_vcpu *vcpu;
	uint64_t vm_id;
	uint64_t base;		/* the allocation before the capped region */
	uint8_t *hva;		/* the capped region, in the VMM */
	struct khv_test_vm *vm2;	/* a second VM, if a test makes one */
	bool pool_saved;	/* saved: the host's policy, restored at teardown */
	struct pool saved;
};

FIXTURE_SETUP(touch)
{
	struct vmq q;

	self->vm2 = NULL;
	self->pool_saved = false;

	/* Slot 0, the code, without a cap yet: allocated whole. */
	one_vcpu_vm(_metadata, &self->nl, &self->vm, &self->vcpu, &self->vm_id);
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	ASSERT_EQ(64 * KiB, q.alloc);
	self->base = q.alloc;
}

FIXTURE_TEARDOWN(touch)
{
	if (self->vm2)
		vm_free(self->vm2);
	if (self->vm)
		vm_free(self->vm);
	/* The VMs gone, the budget fits again under overcommit. */
	if (self->pool_saved) {
		pool_set(&self->nl, 0, 1);
		pool_set(&self->nl, self->saved.budget, self->saved.overcommit);
	}
	close(self->nl.fd);
}

/* Cap the VM at base + @extra, then add the region: nothing allocated. */
static void add_capped_region(struct __test_metadata *_metadata,
			      FIXTURE_DATA(touch) *self, uint64_t extra)
{
	struct vmq q;
	void *hva;

	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP, self->base + extra))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, vm_add_region(self->vm, 1, LAZY_GPA, LAZY_SIZE, 0, &hva));
	self->hva = hva;
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(self->base, q.alloc);
	EXPECT_EQ(64 * KiB + LAZY_SIZE, q.bytes);
	EXPECT_EQ(0, q.denials);
}

static uint64_t denials_of(struct __test_metadata *_metadata,
			   FIXTURE_DATA(touch) *self)
{
	struct vmq q;

	EXPECT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	return q.denials;
}

static uint64_t alloc_of(struct __test_metadata *_metadata,
			 FIXTURE_DATA(touch) *self)
{
	struct vmq q;

	EXPECT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	return q.alloc;
}

/* KHV_RUN to an OUT to @port. */
static void run_to_port(struct __test_metadata *_metadata,
			struct khv_test_vcpu *vcpu, uint16_t port)
{
	char buf[128];
	int r = vcpu_run(vcpu);

	vcpu_describe_exit(vcpu, buf, sizeof(buf));
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN: %s", strerror(-r));
	ASSERT_EQ(KHV_EXIT_IO, vcpu->run->exit_reason) TH_LOG("%s", buf);
	ASSERT_EQ(port, vcpu->run->io.port) TH_LOG("%s", buf);
}

/* KHV_RUN to a write to page @page of the region that @limit refuses. */
static void run_to_quota(struct __test_metadata *_metadata,
			 struct khv_test_vcpu *vcpu, uint8_t limit,
			 uint64_t page)
{
	struct khv_run *run = vcpu->run;
	char buf[128];
	int r = vcpu_run(vcpu);

	vcpu_describe_exit(vcpu, buf, sizeof(buf));
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN: %s", strerror(-r));
	ASSERT_EQ(KHV_EXIT_MEMORY_QUOTA, run->exit_reason) TH_LOG("%s", buf);
	EXPECT_EQ(LAZY_GPA + page * PAGE, run->memory_quota.gpa);
	EXPECT_EQ(1, run->memory_quota.is_write);
	EXPECT_EQ(limit, run->memory_quota.limit);
}

TEST_F(touch, guest_touches_allocate_page_by_page_zeroed)
{
	struct khv_run *run = self->vcpu->run;
	uint32_t v;
	int i;

	/* A cap above the region's size: the region is reserved, not taken. */
	add_capped_region(_metadata, self, 1 * MiB);
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, touch_code,
				  sizeof(touch_code)));
	for (i = 0; i < NPAGES; i++) {
		run_to_port(_metadata, self->vcpu, IO_PORT);
		ASSERT_EQ(4, run->io.size);
		memcpy(&v, (uint8_t *)run + run->io.data_offset, sizeof(v));
		/* Zero on first touch. */
		EXPECT_EQ(0, v) TH_LOG("page %d", i);
		EXPECT_EQ(self->base + (i + 1) * PAGE, alloc_of(_metadata, self));
	}
	run_to_port(_metadata, self->vcpu, DONE_PORT);
	/* The writes went to the same pages: nothing more. */
	EXPECT_EQ(self->base + NPAGES * PAGE, alloc_of(_metadata, self));
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(NPAGES - i, *(uint16_t *)(self->hva + i * PAGE));
	EXPECT_EQ(self->base + NPAGES * PAGE, alloc_of(_metadata, self));
}

TEST_F(touch, write_beyond_cap_exits_then_resumes_after_raise)
{
	int i;

	add_capped_region(_metadata, self, 2 * PAGE);
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, write_code,
				  sizeof(write_code)));
	/* Twice: the refused write is not skipped, it waits for the cap. */
	for (i = 0; i < 2; i++) {
		run_to_quota(_metadata, self->vcpu, KHV_MEMORY_QUOTA_CAP, 2);
		/* Never beyond the cap. */
		EXPECT_EQ(self->base + 2 * PAGE, alloc_of(_metadata, self));
		EXPECT_EQ(i + 1, denials_of(_metadata, self));
	}
	/* A cap below the allocation stays refused. */
	EXPECT_EQ(-EBUSY, quota_set(&self->nl, self->vm_id, KEEP,
				    self->base + PAGE));
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP,
			       self->base + LAZY_SIZE));
	run_to_port(_metadata, self->vcpu, DONE_PORT);
	EXPECT_EQ(self->base + NPAGES * PAGE, alloc_of(_metadata, self));
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(NPAGES - i, *(uint16_t *)(self->hva + i * PAGE));
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* Write @p; true if that raised SIGBUS. */
static bool write_bus_error(volatile uint8_t *p)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(bus_jmp, 1))
		return true;
	*p = 0x5a;
	return false;
}

TEST_F(touch, vmm_write_allocates_or_sigbus_beyond_cap)
{
	volatile uint8_t *p;

	add_capped_region(_metadata, self, PAGE);
	p = self->hva + 5 * PAGE;
	EXPECT_FALSE(write_bus_error(p + 7));
	EXPECT_EQ(self->base + PAGE, alloc_of(_metadata, self));
	EXPECT_EQ(0x5a, p[7]);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[PAGE - 1]);
	/* The cap reached: the next page is refused, nothing allocated. */
	EXPECT_TRUE(write_bus_error(p + PAGE));
	EXPECT_EQ(self->base + PAGE, alloc_of(_metadata, self));
	EXPECT_EQ(1, denials_of(_metadata, self));
}

TEST_F(touch, ins_into_untouched_page)
{
	struct khv_run *run = self->vcpu->run;
	uint8_t *data = (uint8_t *)run;
	int r;

	add_capped_region(_metadata, self, 0);
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, ins_code,
				  sizeof(ins_code)));
	r = vcpu_run(self->vcpu);
	ASSERT_EQ(0, r) TH_LOG("KHV_RUN: %s", strerror(-r));
	ASSERT_EQ(KHV_EXIT_MEMORY_QUOTA, run->exit_reason)
		TH_LOG("exit %u", run->exit_reason);
	EXPECT_EQ(LAZY_GPA + 0x3000, run->memory_quota.gpa);
	EXPECT_EQ(1, run->memory_quota.is_write);
	EXPECT_EQ(self->base, alloc_of(_metadata, self));
	ASSERT_EQ(0, quota_set(&self->nl, self->vm_id, KEEP,
			       self->base + LAZY_SIZE));
	run_to_port(_metadata, self->vcpu, IO_PORT);
	ASSERT_EQ(KHV_EXIT_IO_IN, run->io.direction);
	ASSERT_EQ(4, run->io.count);
	EXPECT_EQ(self->base + PAGE, alloc_of(_metadata, self));
	memcpy(data + run->io.data_offset, "abcd", 4);
	run_to_port(_metadata, self->vcpu, DONE_PORT);
	EXPECT_EQ(0, memcmp(self->hva + 0x3000, "abcd", 4));
	EXPECT_EQ(self->base + PAGE, alloc_of(_metadata, self));
}

/* ---- Memory priority ---- */

static int default_prio_get(struct nl *nl, uint32_t *prio)
{
	struct nl_reply r;
	int err = host_get(nl, &r);

	if (err)
		return err;
	if (!r.tb[KHV_A_HOST_DEFAULT_MEM_PRIORITY])
		return -ENOENT;
	*prio = NLA_U32(r.tb[KHV_A_HOST_DEFAULT_MEM_PRIORITY]);
	return 0;
}

static int default_prio_set(struct nl *nl, uint32_t prio)
{
	struct msg m;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	put_u32(&m, KHV_A_HOST_DEFAULT_MEM_PRIORITY, prio);
	return nl_call(nl, &m, NULL, NULL);
}

/* vm-get's mem-priority, KEEP32 without one. */
static uint32_t prio_of(struct nl *nl, uint64_t id)
{
	struct nl_reply r;

	if (vm_get(nl, id, &r) || !r.tb[KHV_A_VM_MEM_PRIORITY])
		return KEEP32;
	return NLA_U32(r.tb[KHV_A_VM_MEM_PRIORITY]);
}

#define PRIO_REC(p)	"mem-min=0 mem-max=0 mem-priority=" #p RUN_NONE

/*
 * mem-priority: 4 for a VM created under the host's default at load; set
 * by quota-set alone (nothing else changes), shown by vm-get, audited old
 * -> new; above 7 refused by the policy's range check (ERANGE, its extack),
 * nothing changed. default-mem-priority gives VMs created afterwards
 * theirs, bounded and audited alike.
 */
TEST_F(quota, mem_priority_set_shown_audited_and_bounded)
{
	bool up = false, down = false, dflt = false;
	struct audit_state st;
	struct audit_dump *d;
	uint64_t id;
	uint32_t prio;
	struct vmq q;
	int vm2, i;

	EXPECT_EQ(4, self->saved_prio);
	EXPECT_EQ(4, prio_of(&self->nl, self->vm_id));
	ASSERT_EQ(0, audit_state(&self->nl, &st));
	ASSERT_EQ(0, quota_set_u32(&self->nl, self->vm_id,
				   KHV_A_VM_MEM_PRIORITY, 7))
		TH_LOG("%s", self->nl.extack);
	EXPECT_EQ(7, prio_of(&self->nl, self->vm_id));
	ASSERT_EQ(0, vmq_get(&self->nl, self->vm_id, &q));
	EXPECT_EQ(0, q.min | q.max);
	EXPECT_EQ(-ERANGE, quota_set_u32(&self->nl, self->vm_id,
					 KHV_A_VM_MEM_PRIORITY, 8));
	EXPECT_TRUE(strstr(self->nl.extack, "out of range") != NULL)
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_EQ(-ERANGE, quota_set_u32(&self->nl, self->vm_id,
					 KHV_A_VM_MEM_PRIORITY, KEEP32));
	EXPECT_EQ(7, prio_of(&self->nl, self->vm_id));
	ASSERT_EQ(0, quota_set_u32(&self->nl, self->vm_id,
				   KHV_A_VM_MEM_PRIORITY, 0));
	EXPECT_EQ(0, prio_of(&self->nl, self->vm_id));

	EXPECT_EQ(-ERANGE, default_prio_set(&self->nl, 8));
	EXPECT_TRUE(strstr(self->nl.extack, "out of range") != NULL)
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, default_prio_set(&self->nl, 2)) TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, default_prio_get(&self->nl, &prio));
	EXPECT_EQ(2, prio);
	vm2 = khv_create_vm(self->dev);
	ASSERT_LE(0, vm2) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm2));
	ASSERT_EQ(0, my_newest_vm(&self->nl, &id));
	EXPECT_EQ(2, prio_of(&self->nl, id));
	EXPECT_EQ(0, prio_of(&self->nl, self->vm_id));
	close(vm2);

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, audit_dump(&self->nl, st.next_seq, d));
	for (i = 0; i < d->nr; i++) {
		struct audit_rec *a = &d->rec[i];

		if (a->op == KHV_AUDIT_OP_QUOTA_SET && a->vm_id == self->vm_id &&
		    !a->result && !strcmp(a->old, PRIO_REC(4)) &&
		    !strcmp(a->new, PRIO_REC(7)))
			up = true;
		if (a->op == KHV_AUDIT_OP_QUOTA_SET && a->vm_id == self->vm_id &&
		    !a->result && !strcmp(a->old, PRIO_REC(7)) &&
		    !strcmp(a->new, PRIO_REC(0)))
			down = true;
		if (a->op == KHV_AUDIT_OP_HOST_SET && !a->result &&
		    !strcmp(a->object, "default-mem-priority") &&
		    !strcmp(a->old, "4") && !strcmp(a->new, "2"))
			dflt = true;
	}
	EXPECT_TRUE(up) TH_LOG("no quota-set record mem-priority 4 -> 7");
	EXPECT_TRUE(down) TH_LOG("no quota-set record mem-priority 7 -> 0");
	EXPECT_TRUE(dflt) TH_LOG("no host-set record default-mem-priority 4 -> 2");
	free(d);
}

#define LAZY_PAGES	(LAZY_SIZE / PAGE)

/*
 * mov ax, 0x2000; mov ds, ax; mov cx, LAZY_PAGES
 * 1: mov [0], cx; mov ax, ds; add ax, 0x100; mov ds, ax; loop 1b
 * mov dx, DONE_PORT; out dx, al; jmp $
 * Writes each page of the region in turn (DS steps by 4 KiB): page i gets
 * LAZY_PAGES - i.
 */
static const uint8_t fill_code[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xb9, LAZY_PAGES, 0x00,
	0x89, 0x0e, 0x00, 0x00, 0x8c, 0xd8, 0x05, 0x00, 0x01, 0x8e, 0xd8,
	0xe2, 0xf3,
	0xba, DONE_PORT & 0xff, DONE_PORT >> 8, 0xee, 0xeb, 0xfe,
};

/* The budget of the test below, all of it shared (no guarantees). */
#define PRIO_BUDGET	(512 * KiB)
/* What priority 0 leaves to priority 7: 7/16 of the shared pool. */
#define PRIO_RESERVE	(PRIO_BUDGET / 16 * 7)

/*
 * Priority order under a small budget (overcommit on, caps above the
 * budget, no guarantee): the guest of a priority 0 VM writes page after
 * page until its run ends with KHV_EXIT_MEMORY_QUOTA, limit RESERVED, where
 * what is left of the budget is 7/16 of it, to the page; the guest of a
 * priority 7 VM goes on from there to the budget itself (limit BUDGET);
 * once the priority 7 VM is gone, priority 0 is the top and its guest's
 * writes go on to the end, its pages intact.
 */
TEST_F(touch, low_priority_leaves_shared_pool_to_high)
{
	uint64_t low_pages, high_pages, id2;
	struct khv_test_vcpu *vcpu2;
	struct nl_reply r;
	struct nl nl2;
	struct pool p;
	struct vmq q;
	int i;

	one_vcpu_vm(_metadata, &nl2, &self->vm2, &vcpu2, &id2);
	close(nl2.fd);
	/* The host's default (restored by the quota fixture's teardown). */
	EXPECT_EQ(4, prio_of(&self->nl, self->vm_id));
	EXPECT_EQ(4, prio_of(&self->nl, id2));
	ASSERT_EQ(0, host_get(&self->nl, &r));
	ASSERT_NE(NULL, r.tb[KHV_A_HOST_NR_VMS]);
	if (NLA_U32(r.tb[KHV_A_HOST_NR_VMS]) != 2)
		SKIP(return, "other VMs are live: their priorities move the top");
	ASSERT_EQ(0, pool_get(&self->nl, &self->saved));
	self->pool_saved = true;
	/* The two code regions, nothing guaranteed. */
	ASSERT_EQ(0, self->saved.min);
	ASSERT_EQ(2 * self->base, self->saved.charge);
	ASSERT_EQ(0, pool_set(&self->nl, 0, 1)) TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, pool_set(&self->nl, PRIO_BUDGET, -1))
		TH_LOG("%s", self->nl.extack);
	ASSERT_EQ(0, quota_set_u32(&self->nl, self->vm_id,
				   KHV_A_VM_MEM_PRIORITY, 0));
	ASSERT_EQ(0, quota_set_u32(&self->nl, id2, KHV_A_VM_MEM_PRIORITY, 7));
	add_capped_region(_metadata, self, 1 * MiB);
	ASSERT_EQ(0, quota_set(&self->nl, id2, KEEP, self->base + 1 * MiB))
		TH_LOG("%s", self->nl.extack);
	/* No mapping of it: the VM must go when its fds are closed. */
	ASSERT_EQ(0, vm_add_region(self->vm2, 1, LAZY_GPA, LAZY_SIZE, 0, NULL));
	ASSERT_EQ(0, vm_load_code(self->vm, CODE_GPA, fill_code,
				  sizeof(fill_code)));
	ASSERT_EQ(0, vm_load_code(self->vm2, CODE_GPA, fill_code,
				  sizeof(fill_code)));

	/* Twice: resumed as it is, the write is refused again. */
	low_pages = (PRIO_BUDGET - PRIO_RESERVE - 2 * self->base) / PAGE;
	for (i = 0; i < 2; i++) {
		run_to_quota(_metadata, self->vcpu, KHV_MEMORY_QUOTA_RESERVED,
			     low_pages);
		EXPECT_EQ(self->base + low_pages * PAGE,
			  alloc_of(_metadata, self));
		EXPECT_EQ(i + 1, denials_of(_metadata, self));
	}
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_EQ(PRIO_BUDGET - PRIO_RESERVE, p.charge);

	high_pages = PRIO_RESERVE / PAGE;
	run_to_quota(_metadata, vcpu2, KHV_MEMORY_QUOTA_BUDGET, high_pages);
	ASSERT_EQ(0, vmq_get(&self->nl, id2, &q));
	EXPECT_EQ(self->base + high_pages * PAGE, q.alloc);
	EXPECT_EQ(1, q.denials);
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_EQ(PRIO_BUDGET, p.charge);

	vm_free(self->vm2);
	self->vm2 = NULL;
	ASSERT_EQ(0, pool_get(&self->nl, &p));
	EXPECT_EQ(self->base + low_pages * PAGE, p.charge);
	run_to_port(_metadata, self->vcpu, DONE_PORT);
	EXPECT_EQ(self->base + LAZY_SIZE, alloc_of(_metadata, self));
	for (i = 0; i < (int)LAZY_PAGES; i++)
		EXPECT_EQ(LAZY_PAGES - i, *(uint16_t *)(self->hva + i * PAGE))
			TH_LOG("page %d", i);
}

TEST_HARNESS_MAIN
