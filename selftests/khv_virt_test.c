// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_virt_test: who has VMX/SVM switched on, and that khv and KVM keep
 * working beside each other (../shared/KERNELS.md).
 *
 * - OWNED: nothing had virtualization on and khv switched it on itself
 *   (kernels <= 6.18, KVM not loaded). khv must switch it off after its last
 *   VM, on every CPU, so that KVM can load afterwards; KVM's load is refused
 *   cleanly (-EBUSY) while khv owns it.
 * - SHARED: KVM has it on (loaded on >= 6.12, enable_virt_at_load=1). khv
 *   shares it, holds a reference on the KVM module meanwhile, and never
 *   switches off what it did not switch on.
 *
 * What is observable: on AMD, EFER.SVME on every online CPU through
 * /dev/cpu/N/msr. On Intel nothing is readable from user space, so "switched
 * off" is proven by KVM loading (it refuses while someone else has VMX on).
 *
 * Every test leaves the host as it found it: the fixture snapshots the loaded
 * modules and restores them, and puts CPUs and /sys/power knobs back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "khv_nl.h"
#include "khv_util.h"
#include "khv_vm.h"

#define MAX_VMS 4

/* What a test holds and changed: everything the teardown puts back. */
struct virt_host {
	int dev;
	int vendor;
	const char *kvm_mod;
	bool kvm_loadable;		/* kvm_mod can be (re)loaded on this host */
	int khv_vm[MAX_VMS];
	int kvm_dev;
	int kvm_vm[MAX_VMS];
	int offline_cpu;		/* CPU this test took offline, or -1 */
	char pm_test_saved[32];		/* "" when untouched */
	char mem_sleep_saved[32];
	char pm_delay_saved[32];
	struct khv_mod_snapshot mods;
};

FIXTURE(virt) {
	struct virt_host h;
};

FIXTURE_SETUP(virt)
{
	struct virt_host *h = &self->h;
	int i;

	h->dev = khv_open_dev();
	ASSERT_LE(0, h->dev)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-h->dev));
	h->vendor = khv_check_extension(h->dev, KHV_CAP_VENDOR);
	ASSERT_TRUE(h->vendor == KHV_VENDOR_AMD || h->vendor == KHV_VENDOR_INTEL)
		TH_LOG("KHV_CAP_VENDOR = %d", h->vendor);
	h->kvm_mod = h->vendor == KHV_VENDOR_AMD ? "kvm_amd" : "kvm_intel";
	h->kvm_loadable = khv_module_loadable(h->kvm_mod);
	for (i = 0; i < MAX_VMS; i++)
		h->khv_vm[i] = h->kvm_vm[i] = -1;
	h->kvm_dev = -1;
	h->offline_cpu = -1;
	ASSERT_EQ(0, khv_module_snapshot(&h->mods));
	ASSERT_EQ(KHV_VIRT_OFF, khv_virt_owner(h->dev))
		TH_LOG("khv holds virtualization before the test: leaked by an earlier one?");
}

FIXTURE_TEARDOWN(virt)
{
	struct virt_host *h = &self->h;
	int i, r;

	/* Our fds first: they pin the modules we are about to restore. */
	for (i = 0; i < MAX_VMS; i++) {
		if (h->khv_vm[i] >= 0)
			close(h->khv_vm[i]);
		if (h->kvm_vm[i] >= 0)
			close(h->kvm_vm[i]);
	}
	if (h->kvm_dev >= 0)
		close(h->kvm_dev);
	/* (The harness's EXPECT_* are two statements: braces needed.) */
	if (h->offline_cpu >= 0) {
		EXPECT_EQ(0, khv_set_cpu_online(h->offline_cpu, true))
			TH_LOG("cannot bring CPU %d back online", h->offline_cpu);
	}
	if (h->pm_test_saved[0]) {
		EXPECT_EQ(0, khv_write_file("/sys/power/pm_test", h->pm_test_saved))
			TH_LOG("cannot restore pm_test '%s'", h->pm_test_saved);
	}
	if (h->mem_sleep_saved[0]) {
		EXPECT_EQ(0, khv_write_file("/sys/power/mem_sleep", h->mem_sleep_saved))
			TH_LOG("cannot restore mem_sleep '%s'", h->mem_sleep_saved);
	}
	if (h->pm_delay_saved[0]) {
		EXPECT_EQ(0, khv_write_file("/sys/module/suspend/parameters/pm_test_delay",
					    h->pm_delay_saved));
	}
	r = khv_module_restore(&h->mods);
	EXPECT_EQ(0, r)
		TH_LOG("modules not as the test found them: %s", strerror(-r));
	close(h->dev);
}

/* ---- helpers ----------------------------------------------------------- */

static void expect_owner(struct __test_metadata *_metadata, struct virt_host *h, int want)
{
	char virt[32] = "";
	int owner = khv_virt_owner(h->dev);

	EXPECT_EQ(want, owner)
		TH_LOG("KHV_CAP_VIRT_OWNER is %d (%s), expected %s", owner,
		       khv_virt_owner_name(owner), khv_virt_owner_name(want));
	EXPECT_EQ(0, khv_debugfs_get("virt", virt, sizeof(virt)));
	EXPECT_STREQ(khv_virt_owner_name(want), virt);
}

/* AMD: EFER.SVME on every online CPU is @set. Returns the CPUs where not. */
static int expect_svme(struct __test_metadata *_metadata, struct virt_host *h,
		       bool set, const char *when)
{
	bool online[KHV_MAX_CPUS];
	int cpu, nr, wrong = 0;
	uint64_t efer;

	if (h->vendor != KHV_VENDOR_AMD)
		return 0;
	nr = khv_online_cpus(online);
	ASSERT_LT(0, nr);
	for (cpu = 0; cpu < KHV_MAX_CPUS; cpu++) {
		if (!online[cpu])
			continue;
		ASSERT_EQ(0, khv_rdmsr(cpu, MSR_EFER, &efer))
			TH_LOG("cannot read EFER on CPU %d (CONFIG_X86_MSR?)", cpu);
		if (set == !!(efer & EFER_SVME))
			continue;
		wrong++;
		EXPECT_EQ(set, !!(efer & EFER_SVME))
			TH_LOG("%s: CPU %d EFER 0x%llx: SVME %s, expected %s", when, cpu,
			       (unsigned long long)efer, efer & EFER_SVME ? "set" : "clear",
			       set ? "set" : "clear");
	}
	return wrong;
}

static int new_khv_vm(struct __test_metadata *_metadata, struct virt_host *h, int slot)
{
	int vm = khv_create_vm(h->dev);

	ASSERT_LE(0, vm)
		TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	h->khv_vm[slot] = vm;
	return vm;
}

static void close_khv_vm(struct virt_host *h, int slot)
{
	close(h->khv_vm[slot]);
	h->khv_vm[slot] = -1;
}

/* A KVM VM in @slot that has run a guest. */
static void new_kvm_vm_and_run(struct __test_metadata *_metadata, struct virt_host *h,
			       int slot)
{
	char why[128];
	int r;

	if (h->kvm_dev < 0) {
		h->kvm_dev = khv_kvm_open();
		ASSERT_LE(0, h->kvm_dev)
			TH_LOG("/dev/kvm: %s", strerror(-h->kvm_dev));
	}
	h->kvm_vm[slot] = khv_kvm_create_vm(h->kvm_dev);
	ASSERT_LE(0, h->kvm_vm[slot])
		TH_LOG("KVM_CREATE_VM: %s", strerror(-h->kvm_vm[slot]));
	r = khv_kvm_run_smoke(h->kvm_dev, h->kvm_vm[slot], why, sizeof(why));
	ASSERT_EQ(0, r)
		TH_LOG("KVM guest: %s", why);
}

static void close_kvm(struct virt_host *h)
{
	int i;

	for (i = 0; i < MAX_VMS; i++) {
		if (h->kvm_vm[i] >= 0)
			close(h->kvm_vm[i]);
		h->kvm_vm[i] = -1;
	}
	if (h->kvm_dev >= 0)
		close(h->kvm_dev);
	h->kvm_dev = -1;
}

/*
 * Arrange for khv to own virtualization: KVM's vendor module not loaded, on
 * a kernel that still lets a module switch VMX/SVM on. False (and @why) when
 * this host cannot be put in that state without losing something.
 */
static bool prepare_owned(struct virt_host *h, char *why, size_t len)
{
	int major, minor, r;

	if (!khv_kernel_version(&major, &minor) && (major > 6 || (major == 6 && minor >= 19))) {
		snprintf(why, len, "kernel %d.%d >= 6.19: only KVM may switch VMX/SVM on, khv can only share",
			 major, minor);
		return false;
	}
	switch (khv_module_state(h->kvm_mod)) {
	case KHV_MOD_BUILTIN:
		snprintf(why, len, "%s is built into the kernel: khv can only share", h->kvm_mod);
		return false;
	case KHV_MOD_LOADED:
		if (!h->kvm_loadable) {
			snprintf(why, len, "%s is loaded but has no modules.dep entry (preloaded with insmod?): unloading it could not be undone",
				 h->kvm_mod);
			return false;
		}
		r = khv_module_unload(h->kvm_mod);
		if (r) {
			snprintf(why, len, "%s cannot be unloaded (%s, refcnt %ld): it is in use",
				 h->kvm_mod, strerror(-r), khv_module_refcnt(h->kvm_mod));
			return false;
		}
		break;
	case KHV_MOD_ABSENT:
		break;
	}
	if (h->vendor == KHV_VENDOR_INTEL && !h->kvm_loadable) {
		snprintf(why, len, "VMX state is only observable by loading kvm_intel, and it cannot be loaded here");
		return false;
	}
	return true;
}

/*
 * Arrange for KVM to be loaded (it then has virtualization on: 6.12 and later
 * default to kvm.enable_virt_at_load=1) with /dev/kvm usable.
 */
static bool prepare_shared(struct __test_metadata *_metadata, struct virt_host *h,
			   char *why, size_t len)
{
	char param[8];
	int r, fd;

	if (khv_module_state(h->kvm_mod) == KHV_MOD_ABSENT) {
		if (!h->kvm_loadable) {
			snprintf(why, len, "%s is not loaded and this host has no modules.dep entry to load it",
				 h->kvm_mod);
			return false;
		}
		/* khv holds nothing (checked in setup): KVM must load. */
		r = khv_module_load(h->kvm_mod);
		ASSERT_EQ(0, r)
			TH_LOG("loading %s with khv idle: %s", h->kvm_mod, strerror(-r));
	}
	if (!khv_read_file("/sys/module/kvm/parameters/enable_virt_at_load", param,
			   sizeof(param)) && param[0] == 'N') {
		snprintf(why, len, "kvm.enable_virt_at_load=N: KVM has virtualization on only while it has VMs");
		return false;
	}
	fd = khv_kvm_open();
	if (fd < 0) {
		snprintf(why, len, "%s is loaded but /dev/kvm cannot be opened: %s",
			 h->kvm_mod, strerror(-fd));
		return false;
	}
	close(fd);
	return true;
}

/* OWNED if this host allows it, else SHARED; 0 and @why if neither. */
static int prepare_any(struct __test_metadata *_metadata, struct virt_host *h,
		       char *why, size_t len)
{
	char why_owned[160], why_shared[160];

	if (prepare_owned(h, why_owned, sizeof(why_owned)))
		return KHV_VIRT_OWNED;
	TH_LOG("khv cannot own virtualization here (%s): testing the shared case", why_owned);
	if (prepare_shared(_metadata, h, why_shared, sizeof(why_shared)))
		return KHV_VIRT_SHARED;
	snprintf(why, len, "neither owned (%s) nor shared (%s)", why_owned, why_shared);
	return 0;
}

/*
 * After khv's last VM in OWNED mode: khv says off, SVME is clear everywhere
 * (AMD), and KVM — which refuses to load while VMX/SVM is on — loads and runs
 * a guest (both vendors; the only evidence on Intel).
 */
static void expect_virt_released(struct __test_metadata *_metadata, struct virt_host *h)
{
	int r;

	expect_owner(_metadata, h, KHV_VIRT_OFF);
	expect_svme(_metadata, h, false, "after khv's last VM closed");
	if (!h->kvm_loadable) {
		TH_LOG("%s cannot be loaded here: KVM check left out", h->kvm_mod);
		return;
	}
	r = khv_module_load(h->kvm_mod);
	ASSERT_EQ(0, r)
		TH_LOG("%s refused to load after khv's last VM closed (%s): virtualization left on?",
		       h->kvm_mod, strerror(-r));
	new_kvm_vm_and_run(_metadata, h, 0);
	close_kvm(h);
}

/* A CPU other than 0 that can go offline, or -1. */
static int pick_hotplug_cpu(void)
{
	bool online[KHV_MAX_CPUS];
	int cpu;

	khv_online_cpus(online);
	if (online[1] && khv_cpu_is_hotpluggable(1))
		return 1;
	for (cpu = 2; cpu < KHV_MAX_CPUS; cpu++)
		if (online[cpu] && khv_cpu_is_hotpluggable(cpu))
			return cpu;
	return -1;
}

/* The bracketed choice of a sysfs list like "[none] core processors". */
static int sysfs_current_choice(const char *path, char *buf, size_t len)
{
	char line[256], *lb, *rb;
	int r = khv_read_file(path, line, sizeof(line));

	if (r < 0)
		return r;
	lb = strchr(line, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!rb)
		return -EINVAL;
	*rb = '\0';
	snprintf(buf, len, "%s", lb + 1);
	return 0;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ' || p[-1] == '[') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == ']' || p[n] == '\n'))
			return true;
	return false;
}

/* ---- tests ------------------------------------------------------------- */

TEST_F_TIMEOUT(virt, virt_released_after_last_vm, 900)
{
	struct virt_host *h = &self->h;
	char why[256];

	if (!prepare_owned(h, why, sizeof(why)))
		SKIP(return, "%s", why);
	expect_owner(_metadata, h, KHV_VIRT_OFF);
	ASSERT_EQ(0, expect_svme(_metadata, h, false, "neither khv nor KVM holds a VM"))
		TH_LOG("virtualization is on before khv's first VM: someone else owns it");

	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OWNED);
	expect_svme(_metadata, h, true, "khv holds one VM");

	/* Not released while any VM remains. */
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OWNED);
	expect_svme(_metadata, h, true, "khv's first VM closed, second alive");

	close_khv_vm(h, 1);
	expect_virt_released(_metadata, h);
}

TEST_F_TIMEOUT(virt, kvm_load_refused_while_khv_owns_virt, 900)
{
	struct virt_host *h = &self->h;
	char why[256];
	int r;

	if (!prepare_owned(h, why, sizeof(why)))
		SKIP(return, "%s", why);
	if (!h->kvm_loadable)
		SKIP(return, "%s has no modules.dep entry: cannot try to load it", h->kvm_mod);

	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OWNED);

	/*
	 * 6.12: the vendor enable sees SVME/VMXE already set and returns
	 * -EBUSY, which kvm_enable_virtualization_cpu() reports as -EIO
	 * ("kvm: enabling virtualization on CPU0 failed").
	 */
	r = khv_module_load(h->kvm_mod);
	EXPECT_NE(0, r)
		TH_LOG("%s loaded while khv owns virtualization", h->kvm_mod);
	if (r && r != -ENOPKG) {
		EXPECT_TRUE(r == -EIO || r == -EBUSY)
			TH_LOG("%s refused with %s, expected EIO or EBUSY", h->kvm_mod,
			       strerror(-r));
	}
	EXPECT_EQ(KHV_MOD_ABSENT, khv_module_state(h->kvm_mod));

	/* KVM's failed attempt left khv's virtualization alone. */
	expect_owner(_metadata, h, KHV_VIRT_OWNED);
	expect_svme(_metadata, h, true, "after KVM's refused load");
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);

	close_khv_vm(h, 0);
	expect_virt_released(_metadata, h);
}

TEST_F_TIMEOUT(virt, khv_vm_while_kvm_vm_alive, 900)
{
	struct virt_host *h = &self->h;
	char why[256];

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);

	new_kvm_vm_and_run(_metadata, h, 0);
	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, KHV_VIRT_SHARED);
	expect_svme(_metadata, h, true, "KVM and khv hold VMs");

	/* KVM keeps working while khv shares. */
	new_kvm_vm_and_run(_metadata, h, 1);

	/* KVM's first VM goes; khv is unaffected. */
	close(h->kvm_vm[0]);
	h->kvm_vm[0] = -1;
	expect_owner(_metadata, h, KHV_VIRT_SHARED);
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);

	/* khv goes first: it must not switch off what KVM switched on. */
	close_khv_vm(h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OFF);
	expect_svme(_metadata, h, true, "khv gone, KVM VM alive");
	new_kvm_vm_and_run(_metadata, h, 2);
	close_kvm(h);
}

TEST_F_TIMEOUT(virt, kvm_vm_while_khv_holds_vm, 900)
{
	struct virt_host *h = &self->h;
	char why[256];

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);

	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, KHV_VIRT_SHARED);
	expect_svme(_metadata, h, true, "khv shares KVM's virtualization");

	new_kvm_vm_and_run(_metadata, h, 0);
	new_khv_vm(_metadata, h, 1);
	expect_owner(_metadata, h, KHV_VIRT_SHARED);

	close_khv_vm(h, 0);
	close_khv_vm(h, 1);
	expect_owner(_metadata, h, KHV_VIRT_OFF);
	expect_svme(_metadata, h, true, "khv gone, KVM VM alive");
	new_kvm_vm_and_run(_metadata, h, 1);
	close_kvm(h);
}

/*
 * KERNELS.md 3: on one CPU, a KVM guest and a khv guest take turns. Each
 * KHV_RUN finds KVM's VMCS current (KVM keeps it loaded between its ioctls)
 * and must make it current again before it returns; KVM would write into
 * khv's VMCS otherwise, and its guest would not count on.
 */
TEST_F_TIMEOUT(virt, kvm_and_khv_guests_alternate_on_one_cpu, 900)
{
	/* At the same guest address, with different ports: no cross-talk. */
	static const uint8_t kvm_code[] = {
		0x40,		/* 1: inc %ax */
		0xe6, 0x10,	/* out %al, $0x10 */
		0xeb, 0xfb,	/* jmp 1b */
	};
	static const uint8_t khv_code[] = {
		0x40,		/* 1: inc %ax */
		0xe6, 0x11,	/* out %al, $0x11 */
		0xeb, 0xfb,	/* jmp 1b */
	};
	struct virt_host *h = &self->h;
	struct khv_test_vcpu *vcpu;
	struct khv_kvm_guest kg;
	struct khv_test_vm *vm;
	char why[256];
	cpu_set_t cpus;
	int i, r;

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));

	h->kvm_dev = khv_kvm_open();
	ASSERT_LE(0, h->kvm_dev);
	h->kvm_vm[0] = khv_kvm_create_vm(h->kvm_dev);
	ASSERT_LE(0, h->kvm_vm[0]);
	r = khv_kvm_guest_create(h->kvm_dev, h->kvm_vm[0], kvm_code, sizeof(kvm_code), &kg,
				 why, sizeof(why));
	ASSERT_EQ(0, r) TH_LOG("KVM guest: %s", why);

	vm = vm_create(0x10000);
	ASSERT_NE(NULL, vm);
	vcpu = vcpu_add(vm, 0);
	ASSERT_NE(NULL, vcpu) TH_LOG("KHV_CREATE_VCPU: %s", strerror(errno));
	ASSERT_EQ(0, vm_load_code(vm, 0x1000, khv_code, sizeof(khv_code)));
	ASSERT_EQ(0, vcpu_set_real_mode(vcpu, 0x1000));

	for (i = 1; i <= 200; i++) {
		r = khv_ioctl(kg.vcpu, KVM_RUN, 0);
		ASSERT_EQ(0, r) TH_LOG("KVM_RUN %d: %s", i, strerror(-r));
		ASSERT_TRUE(khv_kvm_guest_out(&kg, 0x10, i & 0xff))
			TH_LOG("KVM guest, round %d: exit reason %u", i, kg.run->exit_reason);
		r = vcpu_run(vcpu);
		ASSERT_EQ(0, r) TH_LOG("KHV_RUN %d: %s", i, strerror(-r));
		ASSERT_EQ(KHV_EXIT_IO, vcpu->run->exit_reason)
			TH_LOG("khv guest, round %d: exit reason %u", i, vcpu->run->exit_reason);
		ASSERT_EQ(0x11, vcpu->run->io.port);
		ASSERT_EQ(i & 0xff, ((uint8_t *)vcpu->run)[vcpu->run->io.data_offset]);
	}
	vm_free(vm);
	khv_kvm_guest_destroy(&kg);
	close_kvm(h);
}

TEST_F_TIMEOUT(virt, rmmod_kvm_refused_while_shared, 900)
{
	struct virt_host *h = &self->h;
	long base, held, after;
	char why[256];
	int r;

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);
	base = khv_module_refcnt(h->kvm_mod);
	ASSERT_LE(0, base)
		TH_LOG("/sys/module/%s/refcnt: %s", h->kvm_mod, strerror((int)-base));

	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, KHV_VIRT_SHARED);
	held = khv_module_refcnt(h->kvm_mod);
	EXPECT_LT(base, held)
		TH_LOG("khv shares %s's virtualization without a reference on it (refcnt %ld -> %ld)",
		       h->kvm_mod, base, held);

	r = khv_module_unload(h->kvm_mod);
	ASSERT_TRUE(r == -EBUSY || r == -EWOULDBLOCK)
		TH_LOG("delete_module(%s) while khv shares: %s", h->kvm_mod,
		       r ? strerror(-r) : "succeeded: KVM unloaded under khv");
	EXPECT_EQ(KHV_MOD_LOADED, khv_module_state(h->kvm_mod));

	/* Both hypervisors still work. */
	expect_owner(_metadata, h, KHV_VIRT_SHARED);
	expect_svme(_metadata, h, true, "after the refused unload");
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);
	new_kvm_vm_and_run(_metadata, h, 0);
	close_kvm(h);

	close_khv_vm(h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OFF);
	after = khv_module_refcnt(h->kvm_mod);
	EXPECT_EQ(base, after)
		TH_LOG("khv kept a reference on %s after its last VM", h->kvm_mod);

	/* With nobody else using KVM, the unload now goes through. */
	if (base == 0 && h->kvm_loadable) {
		r = khv_module_unload(h->kvm_mod);
		EXPECT_EQ(0, r)
			TH_LOG("delete_module(%s) after khv's last VM: %s", h->kvm_mod, strerror(-r));
	} else {
		TH_LOG("%s in use by others (refcnt %ld) or not reloadable: unload left out",
		       h->kvm_mod, base);
	}
}

TEST_F_TIMEOUT(virt, cpu_hotplug_keeps_virt_on, 900)
{
	struct virt_host *h = &self->h;
	int cpu, nr, mode;
	char why[400];

	nr = khv_nr_online_cpus();
	if (nr < 2)
		SKIP(return, "only %d CPU online", nr);
	cpu = pick_hotplug_cpu();
	if (cpu < 0)
		SKIP(return, "no CPU other than 0 can be taken offline");
	mode = prepare_any(_metadata, h, why, sizeof(why));
	if (!mode)
		SKIP(return, "%s", why);
	TH_LOG("virtualization %s, hotplugging CPU %d", khv_virt_owner_name(mode), cpu);

	/* A CPU leaves and comes back while khv holds a VM. */
	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, mode);
	expect_svme(_metadata, h, true, "khv holds a VM");

	ASSERT_EQ(0, khv_set_cpu_online(cpu, false));
	h->offline_cpu = cpu;
	ASSERT_FALSE(khv_cpu_is_online(cpu));
	expect_owner(_metadata, h, mode);
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);

	ASSERT_EQ(0, khv_set_cpu_online(cpu, true));
	h->offline_cpu = -1;
	ASSERT_TRUE(khv_cpu_is_online(cpu));
	expect_owner(_metadata, h, mode);
	expect_svme(_metadata, h, true, "CPU back online, khv holds a VM");
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);

	close_khv_vm(h, 0);
	expect_owner(_metadata, h, KHV_VIRT_OFF);
	expect_svme(_metadata, h, mode == KHV_VIRT_SHARED, "khv's last VM closed");

	/* A CPU that was offline when khv switched on gets it when it comes up. */
	ASSERT_EQ(0, khv_set_cpu_online(cpu, false));
	h->offline_cpu = cpu;
	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, mode);
	ASSERT_EQ(0, khv_set_cpu_online(cpu, true));
	h->offline_cpu = -1;
	expect_svme(_metadata, h, true, "CPU onlined after khv's first VM");
	close_khv_vm(h, 0);

	if (mode == KHV_VIRT_OWNED)
		expect_virt_released(_metadata, h);
	else
		expect_svme(_metadata, h, true, "khv gone, KVM still loaded");
}

TEST_F_TIMEOUT(virt, suspend_resume_keeps_virt_on, 900)
{
	struct virt_host *h = &self->h;
	char states[128], modes[128], cur[32], why[400];
	const char *state, *level;
	int mode, r;

	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG)");
	/*
	 * The emulated host says so on its command line when its firmware
	 * cannot take the platform through S3 (Bochs 2.7 hangs in it).
	 */
	if (khv_read_file("/proc/cmdline", why, sizeof(why)) > 0 &&
	    word_in(why, "khv.nosuspend"))
		SKIP(return, "this host's firmware hangs in S3 (khv.nosuspend on the command line)");
	if (khv_read_file("/sys/power/state", states, sizeof(states)) < 0)
		SKIP(return, "no /sys/power/state (CONFIG_SUSPEND)");

	/*
	 * Suspend-to-RAM ("mem" with mem_sleep "deep") with pm_test=core runs
	 * the syscore callbacks (where khv switches virtualization off and on)
	 * on the boot CPU with the others taken offline. Suspend-to-idle only
	 * allows pm_test up to "devices" and runs no syscore: the fallback.
	 */
	if (word_in(states, "mem") && access("/sys/power/mem_sleep", F_OK)) {
		state = "mem";		/* no mem_sleep: mem is deep */
		level = "core";
	} else if (word_in(states, "mem") &&
		   khv_read_file("/sys/power/mem_sleep", modes, sizeof(modes)) > 0 &&
		   word_in(modes, "deep")) {
		ASSERT_EQ(0, sysfs_current_choice("/sys/power/mem_sleep", cur, sizeof(cur)));
		if (strcmp(cur, "deep")) {
			snprintf(h->mem_sleep_saved, sizeof(h->mem_sleep_saved), "%s", cur);
			ASSERT_EQ(0, khv_write_file("/sys/power/mem_sleep", "deep"));
		}
		state = "mem";
		level = "core";
	} else if (word_in(states, "freeze")) {
		state = "freeze";
		level = "devices";
	} else {
		SKIP(return, "/sys/power/state offers neither mem nor freeze: '%s'", states);
	}

	mode = prepare_any(_metadata, h, why, sizeof(why));
	if (!mode)
		SKIP(return, "%s", why);
	TH_LOG("virtualization %s, suspend '%s' with pm_test=%s", khv_virt_owner_name(mode),
	       state, level);

	new_khv_vm(_metadata, h, 0);
	expect_owner(_metadata, h, mode);
	expect_svme(_metadata, h, true, "before suspend");

	ASSERT_EQ(0, sysfs_current_choice("/sys/power/pm_test", h->pm_test_saved,
					  sizeof(h->pm_test_saved)));
	ASSERT_EQ(0, khv_write_file("/sys/power/pm_test", level));
	if (!khv_read_file("/sys/module/suspend/parameters/pm_test_delay",
			   h->pm_delay_saved, sizeof(h->pm_delay_saved)))
		khv_write_file("/sys/module/suspend/parameters/pm_test_delay", "1");
	else
		h->pm_delay_saved[0] = '\0';

	r = khv_write_file("/sys/power/state", state);
	ASSERT_EQ(0, r)
		TH_LOG("echo %s > /sys/power/state with pm_test=%s: %s", state, level, strerror(-r));

	expect_owner(_metadata, h, mode);
	expect_svme(_metadata, h, true, "after resume");
	new_khv_vm(_metadata, h, 1);
	close_khv_vm(h, 1);
	close_khv_vm(h, 0);

	if (mode == KHV_VIRT_OWNED)
		expect_virt_released(_metadata, h);
	else
		expect_svme(_metadata, h, true, "khv gone, KVM still loaded");
}

/* ---- host state khv must leave to KVM (issue 11) ---------------------- */

#define MSR_STAR		0xc0000081u
#define MSR_LSTAR		0xc0000082u
#define MSR_SYSCALL_MASK	0xc0000084u
#define NR_SYSCALL_MSRS		3

static const uint32_t syscall_msrs[NR_SYSCALL_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_SYSCALL_MASK,
};

/*
 * A 64-bit KVM guest (code copied to GPA 0x1000) that writes STAR, LSTAR
 * and SFMASK from R8, R9 and R11, sets a flag at 0x5000, and halts with
 * interrupts off: with KVM's in-kernel LAPIC its vCPU thread then sleeps
 * in KVM_RUN with the guest's values still in the MSRs (KVM puts the
 * host's back only on the way to user space). Woken, it reads the three
 * back to 0x5008.. and writes port 0x10.
 */
extern const uint8_t kvm_msr_guest[], kvm_msr_guest_end[];
asm(".pushsection .rodata\n"
    ".code64\n"
    "kvm_msr_guest:\n"
    "	mov $0xc0000081, %ecx\n"
    "	mov %r8, %rax\n"
    "	mov %r8, %rdx\n"
    "	shr $32, %rdx\n"
    "	wrmsr\n"
    "	mov $0xc0000082, %ecx\n"
    "	mov %r9, %rax\n"
    "	mov %r9, %rdx\n"
    "	shr $32, %rdx\n"
    "	wrmsr\n"
    "	mov $0xc0000084, %ecx\n"
    "	mov %r11, %rax\n"
    "	mov %r11, %rdx\n"
    "	shr $32, %rdx\n"
    "	wrmsr\n"
    "	movl $1, 0x5000\n"
    "	cli\n"
    "	hlt\n"
    "	mov $0xc0000081, %ecx\n"
    "	rdmsr\n"
    "	mov %eax, 0x5008\n"
    "	mov %edx, 0x500c\n"
    "	mov $0xc0000082, %ecx\n"
    "	rdmsr\n"
    "	mov %eax, 0x5010\n"
    "	mov %edx, 0x5014\n"
    "	mov $0xc0000084, %ecx\n"
    "	rdmsr\n"
    "	mov %eax, 0x5018\n"
    "	mov %edx, 0x501c\n"
    "1:	out %al, $0x10\n"
    "	jmp 1b\n"
    "kvm_msr_guest_end:\n"
    ".popsection\n");

#define KVM_LM_MEM		0x10000
#define KVM_LM_FLAG		0x5000
#define KVM_LM_READBACK		0x5008
#define KVM_LM_CPUID_MAX	128

struct kvm_lm_guest {
	int vm;
	int vcpu;
	struct kvm_run *run;
	int run_size;
	uint8_t *mem;
};

static void kvm_lm_guest_destroy(struct kvm_lm_guest *g)
{
	if (g->run && g->run != MAP_FAILED)
		munmap(g->run, g->run_size);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, KVM_LM_MEM);
	memset(g, 0, sizeof(*g));
	g->vm = g->vcpu = -1;
}

static void kvm_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = l;
	s->db = !l;
	s->g = 1;
}

/*
 * A KVM VM with an in-kernel irqchip and one vCPU in 64-bit mode (identity
 * map of the first 2 MiB, EFER.SCE set: KVM then switches the syscall MSRs
 * lazily) at the start of kvm_msr_guest, R8/R9/R11 = @vals.
 */
static int kvm_lm_guest_create(int kvmfd, const uint64_t vals[NR_SYSCALL_MSRS],
			       struct kvm_lm_guest *g, char *why, size_t len)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[KVM_LM_CPUID_MAX];
	} cpuid = {};
	struct kvm_userspace_memory_region region = {};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {};
	uint64_t *pt;
	int r;

	memset(g, 0, sizeof(*g));
	g->vm = g->vcpu = -1;
	g->mem = mmap(NULL, KVM_LM_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	memcpy(g->mem + 0x1000, kvm_msr_guest, kvm_msr_guest_end - kvm_msr_guest);
	pt = (uint64_t *)(g->mem + 0x2000);
	pt[0] = 0x3000 | 3;			/* PML4[0] -> PDPT */
	pt = (uint64_t *)(g->mem + 0x3000);
	pt[0] = 0x4000 | 3;			/* PDPT[0] -> PD */
	pt = (uint64_t *)(g->mem + 0x4000);
	pt[0] = 0x83;				/* PD[0]: 2 MiB page at 0 */

	r = g->vm = khv_kvm_create_vm(kvmfd);
	if (r < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(-r));
		goto err;
	}
	if (khv_ioctl(kvmfd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
		khv_ioctl(g->vm, KVM_SET_TSS_ADDR, 0xfffbd000);
	r = khv_ioctl(g->vm, KVM_CREATE_IRQCHIP, 0);
	if (r) {
		snprintf(why, len, "KVM_CREATE_IRQCHIP: %s", strerror(-r));
		goto err;
	}
	region.memory_size = KVM_LM_MEM;
	region.userspace_addr = (unsigned long)g->mem;
	r = khv_ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region);
	if (r) {
		snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-r));
		goto err;
	}
	g->run_size = khv_ioctl(kvmfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	r = g->vcpu = khv_ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (r < 0) {
		snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(-r));
		goto err;
	}
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		r = -errno;
		snprintf(why, len, "mmap kvm_run: %s", strerror(-r));
		goto err;
	}
	/* Without a CPUID, KVM takes CR4.PAE and EFER.LME for reserved. */
	cpuid.c.nent = KVM_LM_CPUID_MAX;
	r = khv_ioctl(kvmfd, KVM_GET_SUPPORTED_CPUID, (unsigned long)&cpuid);
	if (!r)
		r = khv_ioctl(g->vcpu, KVM_SET_CPUID2, (unsigned long)&cpuid);
	if (r) {
		snprintf(why, len, "KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2: %s", strerror(-r));
		goto err;
	}
	r = khv_ioctl(g->vcpu, KVM_GET_SREGS, (unsigned long)&sregs);
	if (r) {
		snprintf(why, len, "KVM_GET_SREGS: %s", strerror(-r));
		goto err;
	}
	kvm_seg(&sregs.cs, 0x08, 11, true);
	kvm_seg(&sregs.ds, 0x10, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x80000031;			/* PG NE ET PE */
	sregs.cr3 = 0x2000;
	sregs.cr4 = 0x20;			/* PAE */
	sregs.efer = 0x501;			/* LMA LME SCE */
	r = khv_ioctl(g->vcpu, KVM_SET_SREGS, (unsigned long)&sregs);
	if (r) {
		snprintf(why, len, "KVM_SET_SREGS (64-bit): %s", strerror(-r));
		goto err;
	}
	regs.rip = 0x1000;
	regs.rsp = 0x8000;
	regs.rflags = 0x2;
	regs.r8 = vals[0];
	regs.r9 = vals[1];
	regs.r11 = vals[2];
	r = khv_ioctl(g->vcpu, KVM_SET_REGS, (unsigned long)&regs);
	if (r) {
		snprintf(why, len, "KVM_SET_REGS: %s", strerror(-r));
		goto err;
	}
	return 0;
err:
	kvm_lm_guest_destroy(g);
	return r < 0 ? r : -EIO;
}

/* Pin the calling thread to @cpu. */
static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The state letter of thread @tid (R, S, D, ...), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (khv_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to @secs) until @cond; false if it never held. */
#define WAIT_FOR(cond, secs) ({							\
	struct timespec __t = { 0, 10 * 1000 * 1000 };				\
	int __i;								\
	for (__i = 0; __i < (secs) * 100 && !(cond); __i++)			\
		nanosleep(&__t, NULL);						\
	!!(cond);								\
})

static void syscall_msrs_read(struct __test_metadata *_metadata, int cpu,
			      uint64_t vals[NR_SYSCALL_MSRS])
{
	int i;

	for (i = 0; i < NR_SYSCALL_MSRS; i++) {
		ASSERT_EQ(0, khv_rdmsr(cpu, syscall_msrs[i], &vals[i]))
			TH_LOG("rdmsr 0x%x on CPU %d (CONFIG_X86_MSR?)", syscall_msrs[i], cpu);
	}
}

/* The KVM side: its vCPU thread, pinned to the CPU under test. */
struct kvm_side {
	struct kvm_lm_guest g;
	int cpu;
	pid_t tid;
	int first_run;		/* KVM_RUN's result when woken from the halt */
	int second_run;
	uint32_t mp_state_err;
};

static void *kvm_side_thread(void *arg)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_side *k = arg;

	k->tid = syscall(SYS_gettid);
	if (pin_to(k->cpu)) {
		k->first_run = -EINVAL;
		return NULL;
	}
	/* Sleeps in the guest's HLT until the test sends SIGUSR1. */
	k->first_run = khv_ioctl(k->g.vcpu, KVM_RUN, 0);
	k->mp_state_err = -khv_ioctl(k->g.vcpu, KVM_SET_MP_STATE, (unsigned long)&mp);
	k->second_run = khv_ioctl(k->g.vcpu, KVM_RUN, 0);
	return NULL;
}

/* The khv side: a vCPU that KHV_RUNs twice on the CPU under test. */
struct khv_side {
	struct khv_test_vcpu *vcpu;
	int cpu;
	pid_t tid;
	int r[2];
	uint32_t reason[2];
};

static void *khv_side_thread(void *arg)
{
	struct khv_side *s = arg;
	int i;

	s->tid = syscall(SYS_gettid);
	if (pin_to(s->cpu)) {
		s->r[0] = -EINVAL;
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		s->r[i] = vcpu_run(s->vcpu);
		s->reason[i] = s->vcpu->run->exit_reason;
	}
	return NULL;
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

/*
 * Issue 11.1: KVM leaves a 64-bit guest's STAR/LSTAR/SFMASK in the MSRs
 * until its thread returns to user space. A khv vCPU that comes to that CPU
 * meanwhile (here: woken from a paused KHV_RUN while KVM's vCPU sleeps in
 * HLT) must not take those values for the host's and write them back after
 * its own later runs, when KVM no longer means to restore the host's.
 *
 * The KVM guest keeps the host's STAR and LSTAR and adds RFLAGS.VM to
 * SFMASK: harmless to the host kernel's SYSCALL entry, so a khv that gets
 * it wrong leaves a wrong SFMASK to be read here instead of sending the
 * host's next SYSCALL to an address the guest chose. The path is the same
 * for all three MSRs.
 */
TEST_F_TIMEOUT(virt, kvm_guest_syscall_msrs_do_not_become_the_hosts, 900)
{
	static const uint8_t khv_code[] = {
		0xe6, 0x11,	/* 1: out %al, $0x11 */
		0xeb, 0xfc,	/* jmp 1b */
	};
	uint64_t host[NR_SYSCALL_MSRS], guest[NR_SYSCALL_MSRS], now[NR_SYSCALL_MSRS];
	struct virt_host *h = &self->h;
	struct khv_test_vm *vm;
	struct kvm_side kvm = {};
	struct khv_side khv = {};
	pthread_t kt, ht;
	struct sigaction sa = {};
	uint64_t vm_id;
	struct nl nl;
	char why[256];
	int cpu, i, r;

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);
	if (khv_nr_online_cpus() < 2 || !khv_cpu_is_online(1))
		SKIP(return, "needs CPUs 0 and 1 online");
	cpu = 1;
	ASSERT_EQ(0, pin_to(0));
	syscall_msrs_read(_metadata, cpu, host);
	guest[0] = host[0];
	guest[1] = host[1];
	/* RFLAGS.VM: meaningless in 64-bit mode, and not in Linux's own mask. */
	guest[2] = host[2] | 0x20000;
	if (guest[2] == host[2])
		SKIP(return, "the host's SFMASK (0x%llx) already masks VM",
		     (unsigned long long)host[2]);

	/* The khv vCPU is created on CPU 0, its VM paused. */
	vm = vm_create(0x10000);
	ASSERT_NE(NULL, vm);
	khv.vcpu = vcpu_add(vm, 0);
	ASSERT_NE(NULL, khv.vcpu) TH_LOG("KHV_CREATE_VCPU: %s", strerror(errno));
	ASSERT_EQ(0, vm_load_code(vm, 0x1000, khv_code, sizeof(khv_code)));
	ASSERT_EQ(0, vcpu_set_real_mode(khv.vcpu, 0x1000));
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, my_newest_vm(&nl, &vm_id));
	ASSERT_EQ(0, vm_cmd(&nl, KHV_CMD_VM_PAUSE, vm_id));

	/* Its thread waits in KHV_RUN on CPU 1, inside the kernel. */
	khv.cpu = cpu;
	ASSERT_EQ(0, pthread_create(&ht, NULL, khv_side_thread, &khv));
	ASSERT_TRUE(WAIT_FOR(khv.tid && thread_state(khv.tid) == 'S', 60))
		TH_LOG("KHV_RUN on the paused VM does not wait");

	/* KVM's guest loads its values on CPU 1 and halts there. */
	h->kvm_dev = khv_kvm_open();
	ASSERT_LE(0, h->kvm_dev);
	r = kvm_lm_guest_create(h->kvm_dev, guest, &kvm.g, why, sizeof(why));
	ASSERT_EQ(0, r) TH_LOG("64-bit KVM guest: %s", why);
	sa.sa_handler = on_sigusr1;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	kvm.cpu = cpu;
	ASSERT_EQ(0, pthread_create(&kt, NULL, kvm_side_thread, &kvm));
	ASSERT_TRUE(WAIT_FOR(*(volatile uint32_t *)(kvm.g.mem + KVM_LM_FLAG) == 1 &&
			     thread_state(kvm.tid) == 'S', 120))
		TH_LOG("the KVM guest did not reach its HLT (state %c)", thread_state(kvm.tid));

	/* khv's vCPU comes to CPU 1 now, and runs there twice. */
	ASSERT_EQ(0, vm_cmd(&nl, KHV_CMD_VM_RESUME, vm_id));
	ASSERT_EQ(0, pthread_join(ht, NULL));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, khv.r[i]) TH_LOG("KHV_RUN %d: %s", i, strerror(-khv.r[i]));
		EXPECT_EQ(KHV_EXIT_IO, khv.reason[i]);
	}

	/* KVM's guest still sleeps; the host's values are back on CPU 1. */
	syscall_msrs_read(_metadata, cpu, now);
	for (i = 0; i < NR_SYSCALL_MSRS; i++) {
		EXPECT_EQ(host[i], now[i])
			TH_LOG("MSR 0x%x on CPU %d: 0x%llx after khv ran, the host's is 0x%llx",
			       syscall_msrs[i], cpu, (unsigned long long)now[i],
			       (unsigned long long)host[i]);
	}

	/* And KVM's guest, woken, still has its own. */
	ASSERT_EQ(0, pthread_kill(kt, SIGUSR1));
	ASSERT_EQ(0, pthread_join(kt, NULL));
	EXPECT_EQ(-EINTR, kvm.first_run);
	EXPECT_EQ(0, kvm.mp_state_err);
	ASSERT_EQ(0, kvm.second_run) TH_LOG("KVM_RUN after the halt: %s", strerror(-kvm.second_run));
	EXPECT_EQ(KVM_EXIT_IO, kvm.g.run->exit_reason);
	for (i = 0; i < NR_SYSCALL_MSRS; i++) {
		EXPECT_EQ(guest[i], ((uint64_t *)(kvm.g.mem + KVM_LM_READBACK))[i])
			TH_LOG("the KVM guest's MSR 0x%x", syscall_msrs[i]);
	}
	syscall_msrs_read(_metadata, cpu, now);
	for (i = 0; i < NR_SYSCALL_MSRS; i++) {
		EXPECT_EQ(host[i], now[i])
			TH_LOG("MSR 0x%x on CPU %d at the end", syscall_msrs[i], cpu);
	}

	kvm_lm_guest_destroy(&kvm.g);
	close(nl.fd);
	vm_free(vm);
	close_kvm(h);
}

/*
 * Issue 11.4: KVM's VMCSs come and go on CPU 0 while khv runs there: KVM
 * VMCLEARs (and frees) them from IPIs, which must not land between khv's
 * VMPTRST and its VMPTRLD of the VMCS it found current. What goes wrong
 * then (a cleared or freed VMCS active again) stays invisible in Bochs,
 * which keeps no VMCS data inside the CPU: there this is a stress test that
 * both hypervisors keep entering their guests, not a demonstration.
 */
struct churn {
	int kvm_dev;
	atomic_bool stop;
	atomic_int hops, lifetimes;
	int err;
	char why[160];
};

/* A KVM vCPU that runs on CPU 0 and 1 in turn: KVM VMCLEARs it across. */
static void *hop_thread(void *arg)
{
	static const uint8_t code[] = {
		0x40,		/* 1: inc %ax */
		0xe6, 0x10,	/* out %al, $0x10 */
		0xeb, 0xfb,	/* jmp 1b */
	};
	struct churn *c = arg;
	struct khv_kvm_guest g;
	int vm, i, r;

	vm = khv_kvm_create_vm(c->kvm_dev);
	if (vm < 0) {
		c->err = vm;
		snprintf(c->why, sizeof(c->why), "KVM_CREATE_VM: %s", strerror(-vm));
		return NULL;
	}
	r = khv_kvm_guest_create(c->kvm_dev, vm, code, sizeof(code), &g, c->why, sizeof(c->why));
	if (r) {
		c->err = r;
		close(vm);
		return NULL;
	}
	for (i = 1; !atomic_load(&c->stop); i++) {
		pin_to(i & 1);
		r = khv_ioctl(g.vcpu, KVM_RUN, 0);
		if (r || !khv_kvm_guest_out(&g, 0x10, i & 0xff)) {
			c->err = r ? r : -EPROTO;
			snprintf(c->why, sizeof(c->why), "hopping KVM vCPU, run %d: %s, exit %u",
				 i, strerror(-r), g.run->exit_reason);
			break;
		}
		atomic_fetch_add(&c->hops, 1);
	}
	khv_kvm_guest_destroy(&g);
	close(vm);
	return NULL;
}

/* KVM VMs that run on CPU 0 and are destroyed from CPU 1: KVM VMCLEARs and frees. */
static void *lifetime_thread(void *arg)
{
	struct churn *c = arg;
	char why[128];
	int vm, r;

	while (!atomic_load(&c->stop)) {
		pin_to(0);
		vm = khv_kvm_create_vm(c->kvm_dev);
		if (vm < 0) {
			c->err = vm;
			snprintf(c->why, sizeof(c->why), "KVM_CREATE_VM: %s", strerror(-vm));
			break;
		}
		r = khv_kvm_run_smoke(c->kvm_dev, vm, why, sizeof(why));
		pin_to(1);
		close(vm);
		if (r) {
			c->err = r;
			snprintf(c->why, sizeof(c->why), "KVM VM lifetime: %s", why);
			break;
		}
		atomic_fetch_add(&c->lifetimes, 1);
	}
	return NULL;
}

/*
 * The khv guest's memory: anything the guest was not given to run is HLT,
 * and every vector of the real-mode IVT leads to a stub that names it
 * (mov $vector, %al; out %al, $0x13). An event that reaches the guest, or a
 * jump out of its loop, ends its run at once and says which.
 */
#define CHURN_CODE	0x1000
#define CHURN_STUBS	0x2000
#define CHURN_PORT	0x11
#define CHURN_EVENT	0x13
#define CHURN_REPORT	100000
#define CHURN_MAX_RUNS	6000000L

static void churn_guest_layout(struct khv_test_vm *vm)
{
	static const uint8_t code[] = {
		0x40,			/* 1: inc %ax */
		0xe6, CHURN_PORT,	/* out %al, $0x11 */
		0xeb, 0xfb,		/* jmp 1b */
	};
	uint16_t *ivt = (uint16_t *)vm->mem;
	uint8_t *stub;
	int v;

	memset(vm->mem, 0xf4, vm->mem_size);
	for (v = 0; v < 256; v++) {
		ivt[2 * v] = CHURN_STUBS + 4 * v;
		ivt[2 * v + 1] = 0;
		stub = vm->mem + CHURN_STUBS + 4 * v;
		stub[0] = 0xb0;		/* mov $v, %al */
		stub[1] = v;
		stub[2] = 0xe6;		/* out %al, $0x13 */
		stub[3] = CHURN_EVENT;
	}
	memcpy(vm->mem + CHURN_CODE, code, sizeof(code));
}

/* What the khv guest did instead of its next OUT: a stray event, or where it ran. */
static void churn_describe(struct khv_test_vcpu *vcpu, char *why, size_t len)
{
	struct khv_run *run = vcpu->run;
	const uint8_t *mem = vcpu->vm->mem;
	struct khv_regs regs = {};
	uint16_t sp, frame[3];
	char exit[160];

	vcpu_describe_exit(vcpu, exit, sizeof(exit));
	vcpu_get_regs(vcpu, &regs);
	sp = regs.rsp;
	memset(frame, 0xff, sizeof(frame));
	if (sp <= vcpu->vm->mem_size - sizeof(frame))
		memcpy(frame, mem + sp, sizeof(frame));
	if (run->exit_reason == KHV_EXIT_IO && run->io.port == CHURN_EVENT) {
		snprintf(why, len, "vector %u delivered into the guest, its frame ip 0x%x cs 0x%x flags 0x%x (sp 0x%x)",
			 ((uint8_t *)run)[run->io.data_offset], frame[0], frame[1], frame[2], sp);
		return;
	}
	snprintf(why, len, "%s; ax 0x%llx rsp 0x%llx flags 0x%llx", exit,
		 (unsigned long long)regs.rax, (unsigned long long)regs.rsp,
		 (unsigned long long)regs.rflags);
}

TEST_F_TIMEOUT(virt, kvm_vmcs_churn_beside_khv_runs_on_cpu0, 1500)
{
	struct virt_host *h = &self->h;
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct khv_regs regs;
	struct churn c = {};
	pthread_t hop, life;
	char why[320];
	long runs;
	int r;

	if (!prepare_shared(_metadata, h, why, sizeof(why)))
		SKIP(return, "%s", why);
	if (khv_nr_online_cpus() < 2 || !khv_cpu_is_online(1))
		SKIP(return, "needs CPUs 0 and 1 online");
	ASSERT_EQ(0, pin_to(0));
	h->kvm_dev = c.kvm_dev = khv_kvm_open();
	ASSERT_LE(0, c.kvm_dev);

	vm = vm_create(0x10000);
	ASSERT_NE(NULL, vm);
	vcpu = vcpu_add(vm, 0);
	ASSERT_NE(NULL, vcpu) TH_LOG("KHV_CREATE_VCPU: %s", strerror(errno));
	churn_guest_layout(vm);
	ASSERT_EQ(0, vcpu_set_real_mode(vcpu, CHURN_CODE));

	ASSERT_EQ(0, pthread_create(&hop, NULL, hop_thread, &c));
	ASSERT_EQ(0, pthread_create(&life, NULL, lifetime_thread, &c));
	/* Until KVM has moved and freed enough VMCSs under us, or failed. */
	for (runs = 1; !c.err && (atomic_load(&c.hops) < 200 ||
				  atomic_load(&c.lifetimes) < 20); runs++) {
		/*
		 * Progress on the console; and a bound (some ten times what
		 * the Bochs host needs) that fails with the counts rather
		 * than leaving the host's time limit to end the run unsaid.
		 */
		if (!(runs % CHURN_REPORT))
			TH_LOG("%ld khv runs, %d KVM vCPU hops, %d KVM VM lifetimes", runs,
			       atomic_load(&c.hops), atomic_load(&c.lifetimes));
		if (runs > CHURN_MAX_RUNS) {
			atomic_store(&c.stop, true);
			pthread_join(hop, NULL);
			pthread_join(life, NULL);
			ASSERT_TRUE(false) TH_LOG("KVM made too little progress: %d hops, %d lifetimes in %ld khv runs",
						  atomic_load(&c.hops), atomic_load(&c.lifetimes), runs);
		}
		r = vcpu_run(vcpu);
		if (r || vcpu->run->exit_reason != KHV_EXIT_IO ||
		    vcpu->run->io.port != CHURN_PORT ||
		    ((uint8_t *)vcpu->run)[vcpu->run->io.data_offset] != (runs & 0xff)) {
			churn_describe(vcpu, why, sizeof(why));
			atomic_store(&c.stop, true);
			pthread_join(hop, NULL);
			pthread_join(life, NULL);
			ASSERT_EQ(0, r) TH_LOG("KHV_RUN %ld: %s", runs, strerror(-r));
			ASSERT_TRUE(false) TH_LOG("KHV_RUN %ld: %s", runs, why);
		}
	}
	atomic_store(&c.stop, true);
	ASSERT_EQ(0, pthread_join(hop, NULL));
	ASSERT_EQ(0, pthread_join(life, NULL));
	EXPECT_EQ(0, c.err) TH_LOG("%s", c.why);
	/* Nothing was pushed: no event reached the guest between its OUTs. */
	ASSERT_EQ(0, vcpu_get_regs(vcpu, &regs));
	EXPECT_EQ(0xfff0, regs.rsp);
	TH_LOG("%ld khv runs on CPU 0, %d KVM vCPU hops, %d KVM VM lifetimes", runs,
	       atomic_load(&c.hops), atomic_load(&c.lifetimes));
	vm_free(vm);
	close_kvm(h);
}

TEST_HARNESS_MAIN
