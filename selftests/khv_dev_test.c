// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_dev_test: the /dev/khv ABI — API version, capabilities, VM creation and
 * its argument checks, unknown ioctls, VM lifetime accounting, the VM's
 * mappings kept from fork() children and core dumps, and the list of the
 * entry path's mitigations (debugfs).
 *
 * A missing /dev/khv is a failure, not a skip: these tests run where the
 * module is loaded, so a test that cannot open it has found a bug.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "khv_util.h"
/* Every structure's size and offsets, the same on 32- and 64-bit. */
#include "khv_abi_layout.h"

_Static_assert(KHV_API_VERSION == 1, "this suite tests API version 1");

#define NR_RESERVED (sizeof(((struct khv_create_vm *)0)->reserved) / sizeof(__u32))

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = khv_open_dev();
	ASSERT_LE(0, self->fd)
		TH_LOG("no " KHV_DEV_PATH ": %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Read a numeric debugfs key, failing the test if it cannot. */
static long state_long(struct __test_metadata *_metadata, const char *key)
{
	long val = -1;
	int r = khv_debugfs_get_long(key, &val);

	EXPECT_EQ(0, r)
		TH_LOG("debugfs %s: %s", key, strerror(-r));
	return val;
}

TEST_F(dev, api_version_is_1)
{
	ASSERT_EQ(1, khv_ioctl(self->fd, KHV_GET_API_VERSION, 0));
	ASSERT_EQ(KHV_API_VERSION, khv_ioctl(self->fd, KHV_GET_API_VERSION, 0));
}

TEST_F(dev, api_version_rejects_nonzero_arg)
{
	static const unsigned long args[] = { 1, 2, 0x80000000ul, ~0ul };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(args); i++) {
		EXPECT_EQ(-EINVAL, khv_ioctl(self->fd, KHV_GET_API_VERSION, args[i]))
			TH_LOG("KHV_GET_API_VERSION with arg 0x%lx", args[i]);
	}
	/* And the device still answers a correct call. */
	ASSERT_EQ(KHV_API_VERSION, khv_ioctl(self->fd, KHV_GET_API_VERSION, 0));
}

/*
 * Numbers no khv ioctl has or will have: outside the magic's 0x40-0x7F range,
 * another subsystem's magic, and the right numbers with the wrong direction or
 * size (the size and direction are part of the command).
 */
static const struct {
	unsigned long cmd;
	const char *name;
} unknown_cmds[] = {
	{ _IO(KHVIO, 0x00), "_IO(KHVIO, 0x00)" },
	{ _IO(KHVIO, 0x3f), "_IO(KHVIO, 0x3f)" },
	{ _IO(KHVIO, 0x80), "_IO(KHVIO, 0x80)" },
	{ _IO(KHVIO, 0xff), "_IO(KHVIO, 0xff)" },
	{ _IOR(KHVIO, 0x40, __u32), "KHV_GET_API_VERSION as _IOR" },
	{ _IOW(KHVIO, 0x41, __u64), "KHV_CHECK_EXTENSION as _IOW" },
	{ _IOWR(KHVIO, 0x42, struct khv_create_vm), "KHV_CREATE_VM as _IOWR" },
	{ _IOW(KHVIO, 0x42, __u32[8]), "KHV_CREATE_VM with a 32-byte size" },
	{ KVM_GET_API_VERSION, "KVM_GET_API_VERSION" },
	{ KVM_CREATE_VM, "KVM_CREATE_VM" },
	{ KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION" },
};

static void expect_unknown_cmds_enotty(struct __test_metadata *_metadata, int fd)
{
	struct khv_create_vm arg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unknown_cmds); i++) {
		int r;

		/* A valid buffer, so that only the number can be the reason. */
		memset(&arg, 0, sizeof(arg));
		r = khv_ioctl(fd, unknown_cmds[i].cmd, (unsigned long)&arg);
		EXPECT_EQ(-ENOTTY, r)
			TH_LOG("%s (0x%lx) returned %d", unknown_cmds[i].name, unknown_cmds[i].cmd, r);
		if (r >= 0 && unknown_cmds[i].cmd != KVM_GET_API_VERSION &&
		    unknown_cmds[i].cmd != KVM_CHECK_EXTENSION)
			close(r);	/* an accidental VM fd */
	}
}

TEST_F(dev, unknown_ioctl_on_dev_returns_enotty)
{
	expect_unknown_cmds_enotty(_metadata, self->fd);
	ASSERT_EQ(KHV_API_VERSION, khv_ioctl(self->fd, KHV_GET_API_VERSION, 0));
}

TEST_F(dev, unknown_ioctl_on_vm_returns_enotty)
{
	int vm = khv_create_vm(self->fd);

	ASSERT_LE(0, vm)
		TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	expect_unknown_cmds_enotty(_metadata, vm);
	close(vm);
}

TEST_F(dev, check_extension_vendor_and_unknown)
{
	static const unsigned long unknown[] = {
		0, KHV_CAP_NR, KHV_CAP_NR + 1, 0x7fffffff, 0xffffffff, ~0ul,
	};
	int vendor, cpu_vendor, r;
	unsigned long cap;
	size_t i;

	vendor = khv_check_extension(self->fd, KHV_CAP_VENDOR);
	ASSERT_TRUE(vendor == KHV_VENDOR_INTEL || vendor == KHV_VENDOR_AMD)
		TH_LOG("KHV_CAP_VENDOR = %d", vendor);
	cpu_vendor = khv_cpuinfo_vendor();
	EXPECT_EQ(cpu_vendor, vendor)
		TH_LOG("/proc/cpuinfo says %s, khv says %d",
		       cpu_vendor == KHV_VENDOR_AMD ? "svm" :
		       cpu_vendor == KHV_VENDOR_INTEL ? "vmx" : "neither svm nor vmx", vendor);

	/* khv refuses to load without EPT/NPT, so the answer must be 1. */
	EXPECT_EQ(1, khv_check_extension(self->fd, KHV_CAP_NESTED_PAGING));

	for (cap = 1; cap < KHV_CAP_NR; cap++) {
		r = khv_check_extension(self->fd, cap);
		EXPECT_LE(0, r)
			TH_LOG("known capability %lu: %d", cap, r);
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		r = khv_check_extension(self->fd, unknown[i]);
		EXPECT_EQ(0, r)
			TH_LOG("unknown capability 0x%lx: %d", unknown[i], r);
	}
}

/* Whether the comma list @list names @name. */
static bool list_names(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

/*
 * /sys/kernel/debug/khv/mitigations (Documentation/admin-guide.rst,
 * "Measuring the mitigations"): every mitigation of the entry path, in its
 * order, with a state. Those mitigations_off may switch off are "off" when
 * it names them and the host asks for them, never otherwise; the others are
 * never "on" or "off"; one vendor's own are "unneeded" on the other.
 */
TEST_F(dev, mitigations_list_states_and_parameter)
{
	static const char *const names[] = {
		"l1d", "verw", "ibpb", "vmscape", "rsb", "bhb", "ibrs", "ibpb_vmexit",
	};
	char buf[512], param[128], name[32], state[32], *line, *save;
	bool amd, switchable, named;
	size_t i = 0;
	int r;

	amd = khv_check_extension(self->fd, KHV_CAP_VENDOR) == KHV_VENDOR_AMD;
	/* Mounts debugfs where it is not. */
	ASSERT_EQ(0, khv_debugfs_get("vendor", name, sizeof(name)));
	r = khv_read_file("/sys/kernel/debug/khv/mitigations", buf, sizeof(buf));
	ASSERT_LT(0, r) TH_LOG("mitigations: %s", strerror(-r));
	r = khv_read_file("/sys/module/khv/parameters/mitigations_off", param, sizeof(param));
	ASSERT_LE(0, r) TH_LOG("mitigations_off: %s", strerror(-r));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		ASSERT_GT(ARRAY_SIZE(names), i) TH_LOG("line %zu too many: %s", i, line);
		ASSERT_EQ(2, sscanf(line, "%31s %31s", name, state)) TH_LOG("%s", line);
		EXPECT_STREQ(names[i], name);
		switchable = i < 4;
		named = switchable && list_names(param, name);
		if (!strcmp(state, "unneeded"))
			continue;
		EXPECT_STREQ(!switchable ? "fixed" : named ? "off" : "on", state)
			TH_LOG("%s with mitigations_off=%s", name, param);
		/* L1TF, BHI and legacy IBRS are VMX's; the IBPB on every exit SVM's. */
		if (!strcmp(name, "l1d") || !strcmp(name, "bhb") || !strcmp(name, "ibrs"))
			EXPECT_FALSE(amd) TH_LOG("%s %s on AMD", name, state);
		if (!strcmp(name, "ibpb_vmexit"))
			EXPECT_TRUE(amd) TH_LOG("%s %s on Intel", name, state);
	}
	EXPECT_EQ(ARRAY_SIZE(names), i);
}

TEST_F(dev, virt_owner_off_without_vm_and_on_with_vm)
{
	int vm, owner;

	ASSERT_EQ(KHV_VIRT_OFF, khv_virt_owner(self->fd))
		TH_LOG("khv holds virtualization with no VM (a leak from an earlier test?)");
	vm = khv_create_vm(self->fd);
	ASSERT_LE(0, vm)
		TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	owner = khv_virt_owner(self->fd);
	EXPECT_TRUE(owner == KHV_VIRT_OWNED || owner == KHV_VIRT_SHARED)
		TH_LOG("KHV_CAP_VIRT_OWNER with a VM = %d", owner);
	close(vm);
	ASSERT_EQ(KHV_VIRT_OFF, khv_virt_owner(self->fd))
		TH_LOG("virtualization still held after the last VM closed");
}

TEST_F(dev, create_vm_fd_is_cloexec)
{
	int vm = khv_create_vm(self->fd), flags;

	ASSERT_LE(0, vm)
		TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	flags = fcntl(vm, F_GETFD);
	close(vm);
	ASSERT_LE(0, flags);
	ASSERT_TRUE(flags & FD_CLOEXEC);
}

static void expect_create_einval(struct __test_metadata *_metadata, int fd,
				 const struct khv_create_vm *args, const char *what)
{
	int r = khv_ioctl(fd, KHV_CREATE_VM, (unsigned long)args);

	EXPECT_EQ(-EINVAL, r)
		TH_LOG("KHV_CREATE_VM with %s returned %d", what, r);
	if (r >= 0)
		close(r);
}

TEST_F(dev, create_vm_rejects_nonzero_flags)
{
	static const __u32 flags[] = { 1, 2, 0x80000000u, ~0u };
	struct khv_create_vm args;
	long created = state_long(_metadata, "vms_created");
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		memset(&args, 0, sizeof(args));
		args.flags = flags[i];
		snprintf(what, sizeof(what), "flags 0x%x", flags[i]);
		expect_create_einval(_metadata, self->fd, &args, what);
	}
	EXPECT_EQ(created, state_long(_metadata, "vms_created"))
		TH_LOG("a refused KHV_CREATE_VM created a VM");
}

TEST_F(dev, create_vm_rejects_nonzero_reserved)
{
	static const __u32 vals[] = { 1, 0x80000000u };
	struct khv_create_vm args;
	long created = state_long(_metadata, "vms_created");
	char what[64];
	size_t i, v;
	int vm;

	for (i = 0; i < NR_RESERVED; i++) {
		for (v = 0; v < ARRAY_SIZE(vals); v++) {
			memset(&args, 0, sizeof(args));
			args.reserved[i] = vals[v];
			snprintf(what, sizeof(what), "reserved[%zu] = 0x%x", i, vals[v]);
			expect_create_einval(_metadata, self->fd, &args, what);
		}
	}
	EXPECT_EQ(created, state_long(_metadata, "vms_created"))
		TH_LOG("a refused KHV_CREATE_VM created a VM");
	/* The same call with everything zero works. */
	memset(&args, 0, sizeof(args));
	vm = khv_ioctl(self->fd, KHV_CREATE_VM, (unsigned long)&args);
	ASSERT_LE(0, vm);
	close(vm);
}

TEST_F(dev, create_vm_rejects_bad_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	struct {
		unsigned long addr;
		const char *what;
	} bad[5];
	char *map;
	size_t i;
	int r;

	/* A mapped page followed by an inaccessible one. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0, 2 * page);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	bad[0].addr = 0;
	bad[0].what = "NULL";
	bad[1].addr = 1;
	bad[1].what = "address 1";
	bad[2].addr = (unsigned long)(map + page);
	bad[2].what = "a PROT_NONE page";
	bad[3].addr = (unsigned long)(map + page - sizeof(__u32));
	bad[3].what = "a struct straddling into a PROT_NONE page";
	bad[4].addr = 0xffff888000000000ul;
	bad[4].what = "a kernel address";

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = khv_ioctl(self->fd, KHV_CREATE_VM, bad[i].addr);
		EXPECT_EQ(-EFAULT, r)
			TH_LOG("KHV_CREATE_VM with %s returned %d", bad[i].what, r);
		if (r >= 0)
			close(r);
	}
	/* A zeroed struct ending exactly at the page boundary is fine. */
	r = khv_ioctl(self->fd, KHV_CREATE_VM,
		      (unsigned long)(map + page - sizeof(struct khv_create_vm)));
	EXPECT_LE(0, r)
		TH_LOG("KHV_CREATE_VM with a valid struct at a page end: %d", r);
	if (r >= 0)
		close(r);
	munmap(map, 2 * page);
}

/* The VmFlags line of /proc/self/smaps for the mapping at @addr, or "". */
static void vma_flags(const void *addr, char *flags, size_t len)
{
	unsigned long start, end, want = (unsigned long)addr;
	bool in = false;
	char line[512];
	FILE *f;

	flags[0] = '\0';
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's first line; its fields ("Size:" ...) follow. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start <= want && want < end;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, len, "%.*s", (int)len - 1, line + 8);
			break;
		}
	}
	fclose(f);
}

static bool has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p;

	for (p = strstr(flags, flag); p; p = strstr(p + 1, flag))
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* In a child: 0 if neither mapping exists (mincore() of an unmapped range: ENOMEM). */
static int child_sees_no_mapping(void *mem, void *run)
{
	unsigned char vec[1];
	int ret = 0;

	if (mincore(mem, getpagesize(), vec) != -1 || errno != ENOMEM)
		ret |= 1;
	if (mincore(run, getpagesize(), vec) != -1 || errno != ENOMEM)
		ret |= 2;
	return ret;
}

/*
 * Guest memory and the run page stay with the process that mapped them: a
 * fork() does not hand them (and with them the VM) to the child, and a core
 * dump does not contain them.
 */
TEST_F(dev, guest_memory_and_run_page_not_inherited_nor_dumped)
{
	struct khv_memory_region mr;
	struct khv_create_vcpu vc;
	char flags[256];
	void *mem, *run;
	int vm, vcpu, status;
	pid_t pid;

	vm = khv_create_vm(self->fd);
	ASSERT_LE(0, vm) TH_LOG("KHV_CREATE_VM: %s", strerror(-vm));
	memset(&mr, 0, sizeof(mr));
	mr.size = 0x10000;
	ASSERT_EQ(0, khv_ioctl(vm, KHV_SET_MEMORY_REGION, (unsigned long)&mr));
	mem = mmap(NULL, mr.size, PROT_READ | PROT_WRITE, MAP_SHARED, vm, mr.mmap_offset);
	ASSERT_NE(MAP_FAILED, mem);
	memset(&vc, 0, sizeof(vc));
	vcpu = khv_ioctl(vm, KHV_CREATE_VCPU, (unsigned long)&vc);
	ASSERT_LE(0, vcpu) TH_LOG("KHV_CREATE_VCPU: %s", strerror(-vcpu));
	run = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	*(volatile char *)mem = 1;
	*(volatile char *)run;

	vma_flags(mem, flags, sizeof(flags));
	EXPECT_TRUE(has_flag(flags, "dc") && has_flag(flags, "dd"))
		TH_LOG("guest memory VmFlags:%s", flags);
	vma_flags(run, flags, sizeof(flags));
	EXPECT_TRUE(has_flag(flags, "dc") && has_flag(flags, "dd"))
		TH_LOG("run page VmFlags:%s", flags);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_sees_no_mapping(mem, run));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the child has %s%s%s", WEXITSTATUS(status) & 1 ? "guest memory" : "",
		       WEXITSTATUS(status) == 3 ? " and " : "",
		       WEXITSTATUS(status) & 2 ? "the run page" : "");
	/* The parent keeps both. */
	EXPECT_EQ(1, *(volatile char *)mem);
	munmap(run, getpagesize());
	munmap(mem, mr.size);
	close(vcpu);
	close(vm);
}

/*
 * Every create/close pair goes through the whole lifetime (on an idle host
 * including switching virtualization on and off); the module must count them
 * all and end with nothing alive. kmemleak runs after the suite in the rig.
 */
TEST_F_TIMEOUT(dev, vm_create_close_1000_cycles_no_leak, 1800)
{
	const int cycles = 1000;
	long created0, created1, vms0, users;
	char virt[32];
	int i, vm, first = -1;

	vms0 = state_long(_metadata, "vms");
	created0 = state_long(_metadata, "vms_created");
	ASSERT_EQ(0, vms0)
		TH_LOG("%ld VMs alive before the test", vms0);

	for (i = 0; i < cycles; i++) {
		vm = khv_create_vm(self->fd);
		ASSERT_LE(0, vm)
			TH_LOG("cycle %d: KHV_CREATE_VM: %s", i, strerror(-vm));
		/* The fd table does not grow: each close really released it. */
		if (first < 0)
			first = vm;
		ASSERT_EQ(first, vm)
			TH_LOG("cycle %d got fd %d, the first got %d", i, vm, first);
		ASSERT_EQ(0, close(vm));
	}

	created1 = state_long(_metadata, "vms_created");
	EXPECT_EQ(cycles, created1 - created0)
		TH_LOG("vms_created went from %ld to %ld", created0, created1);
	EXPECT_EQ(0, state_long(_metadata, "vms"))
		TH_LOG("VMs still alive after all were closed");
	ASSERT_EQ(0, khv_debugfs_get("virt", virt, sizeof(virt)));
	EXPECT_STREQ("off", virt);
	users = state_long(_metadata, "virt_users");
	EXPECT_EQ(0, users);
	EXPECT_EQ(KHV_VIRT_OFF, khv_virt_owner(self->fd));
}

/* A VM with one vCPU and no RAM (nothing here enters the guest). */
static int vcpu_create(struct __test_metadata *_metadata, int dev, int *vm)
{
	struct khv_create_vcpu args;
	int vcpu;

	*vm = khv_create_vm(dev);
	if (*vm < 0) {
		TH_LOG("KHV_CREATE_VM: %s", strerror(-*vm));
		return *vm;
	}
	memset(&args, 0, sizeof(args));
	vcpu = khv_ioctl(*vm, KHV_CREATE_VCPU, (unsigned long)&args);
	if (vcpu < 0)
		TH_LOG("KHV_CREATE_VCPU: %s", strerror(-vcpu));
	return vcpu;
}

/*
 * The bytes of struct khv_sregs that are no register: each segment's bytes
 * after its last field, each table's after its limit, and reserved. Counted
 * from the fields, not from the padding arrays, so that padding the compiler
 * adds unnamed is covered too.
 */
static size_t sregs_padding_bytes(size_t *off, size_t max)
{
	static const size_t segs[] = {
		offsetof(struct khv_sregs, cs), offsetof(struct khv_sregs, ds),
		offsetof(struct khv_sregs, es), offsetof(struct khv_sregs, fs),
		offsetof(struct khv_sregs, gs), offsetof(struct khv_sregs, ss),
		offsetof(struct khv_sregs, tr), offsetof(struct khv_sregs, ldt),
	};
	static const size_t tables[] = {
		offsetof(struct khv_sregs, gdt), offsetof(struct khv_sregs, idt),
	};
	size_t n = 0, i, b;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		for (b = offsetof(struct khv_segment, unusable) + 1;
		     b < sizeof(struct khv_segment) && n < max; b++)
			off[n++] = segs[i] + b;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		for (b = offsetof(struct khv_dtable, limit) + 2;
		     b < sizeof(struct khv_dtable) && n < max; b++)
			off[n++] = tables[i] + b;
	for (b = offsetof(struct khv_sregs, reserved);
	     b < sizeof(struct khv_sregs) && n < max; b++)
		off[n++] = b;
	return n;
}

/* 12.9 of issue 12: hidden padding was never checked. */
TEST_F(dev, set_sregs_rejects_every_nonzero_padding_byte)
{
	struct khv_sregs good, bad, now;
	size_t off[sizeof(struct khv_sregs)], n, i;
	int vm, vcpu, r;

	vcpu = vcpu_create(_metadata, self->fd, &vm);
	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, khv_ioctl(vcpu, KHV_GET_SREGS, (unsigned long)&good));
	n = sregs_padding_bytes(off, ARRAY_SIZE(off));
	ASSERT_EQ(8 * 9 + 2 * 6 + 64, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, ((unsigned char *)&good)[off[i]])
			TH_LOG("KHV_GET_SREGS left byte %zu non-zero", off[i]);
	for (i = 0; i < n; i++) {
		bad = good;
		((unsigned char *)&bad)[off[i]] = i & 1 ? 0x80 : 0x01;
		r = khv_ioctl(vcpu, KHV_SET_SREGS, (unsigned long)&bad);
		EXPECT_EQ(-EINVAL, r)
			TH_LOG("KHV_SET_SREGS with padding byte %zu set returned %d", off[i], r);
	}
	/* Nothing was taken, and the untouched state still is. */
	ASSERT_EQ(0, khv_ioctl(vcpu, KHV_GET_SREGS, (unsigned long)&now));
	EXPECT_EQ(0, memcmp(&good, &now, sizeof(now)));
	EXPECT_EQ(0, khv_ioctl(vcpu, KHV_SET_SREGS, (unsigned long)&good));
	close(vcpu);
	close(vm);
}

/*
 * The run page's header words that user space does not own yet are
 * reserved: KHV_RUN refuses them before it does anything (even an
 * immediate_exit return), so that a later version can give them a meaning.
 * request_interrupt_window is 0 or 1; the outputs beside it are khv's to
 * write, and what user space leaves there is ignored.
 */
TEST_F(dev, run_rejects_nonzero_reserved_header_bytes)
{
	static const struct {
		size_t from, to;
	} ranges[] = {
		{ offsetof(struct khv_run, flags), offsetof(struct khv_run, io) },
	};
	struct khv_run *run;
	int vm, vcpu, r;
	size_t i, b;
	long size;

	vcpu = vcpu_create(_metadata, self->fd, &vm);
	ASSERT_LE(0, vcpu);
	size = khv_ioctl(self->fd, KHV_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, size);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	run->immediate_exit = 1;
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		for (b = ranges[i].from; b < ranges[i].to; b++) {
			((unsigned char *)run)[b] = 0x01;
			run->exit_reason = KHV_EXIT_UNKNOWN;
			r = khv_ioctl(vcpu, KHV_RUN, 0);
			EXPECT_EQ(-EINVAL, r)
				TH_LOG("KHV_RUN with run page byte %zu set returned %d", b, r);
			EXPECT_EQ(KHV_EXIT_UNKNOWN, run->exit_reason);
			((unsigned char *)run)[b] = 0;
		}
	}
	run->request_interrupt_window = 2;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu, KHV_RUN, 0));
	EXPECT_EQ(KHV_EXIT_UNKNOWN, run->exit_reason);
	run->request_interrupt_window = 0xff;
	EXPECT_EQ(-EINVAL, khv_ioctl(vcpu, KHV_RUN, 0));
	run->request_interrupt_window = 1;
	run->ready_for_interrupt_injection = 0xff;
	run->if_flag = 0xff;
	/* A clean header: immediate_exit returns at once, outputs written. */
	EXPECT_EQ(-EINTR, khv_ioctl(vcpu, KHV_RUN, 0));
	EXPECT_EQ(KHV_EXIT_INTR, run->exit_reason);
	/* The reset state: RFLAGS.IF clear, so nothing can be delivered. */
	EXPECT_EQ(0, run->if_flag);
	EXPECT_EQ(0, run->ready_for_interrupt_injection);
	munmap(run, size);
	close(vcpu);
	close(vm);
}

/*
 * A 32-bit VMM (khv_abi32, built with -m32 beside this test) uses the same
 * ioctl numbers and layouts through the compat path and runs a guest.
 */
TEST(abi32_vmm_runs_a_guest)
{
	char path[PATH_MAX], *slash;
	int status;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("khv_abi32"));
	ASSERT_LT(0, n);
	path[n] = 0;
	slash = strrchr(path, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "khv_abi32");
	if (access(path, X_OK))
		SKIP(return, "no khv_abi32: the compiler could not build i386 programs");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execl(path, "khv_abi32", (char *)NULL);
		_exit(errno == ENOEXEC ? 126 : 127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("khv_abi32: status %#x", status);
	if (WEXITSTATUS(status) == 126)
		SKIP(return, "this kernel does not run i386 programs (CONFIG_IA32_EMULATION)");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("khv_abi32 failed at step %d (its message is above)",
		       WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
