/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv selftests: helpers that hide /dev/khv, debugfs, MSR, CPU hotplug and
 * module loading from the tests.
 *
 * Every helper returns 0 or a non-negative result on success and -errno on
 * failure, so that tests can assert on the precise error. TEST_ASSERT() is
 * the asserting layer's (KVM's test_util.h): see khv_vm.h.
 */
#ifndef KHV_SELFTEST_UTIL_H
#define KHV_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/khv.h>

#define KHV_DEV_PATH		"/dev/khv"
#define KHV_DEBUGFS_STATE	"/sys/kernel/debug/khv/state"
#define KHV_MODULE_NAME		"khv"

#define MSR_EFER		0xc0000080u
#define EFER_SVME		(1ull << 12)	/* APM Vol. 2 3.1.7: SVM enable */

#define KHV_MAX_CPUS		1024

/*
 * TEST_ASSERT(cond, fmt, ...): if @cond is false, print where, the condition
 * and the message as kselftest comments, and end the test as failed
 * (exit(KSFT_FAIL), which the harness reports; the fixture's teardown does
 * not run, and the process's exit closes its fds). TEST_FAIL(): the same
 * without a condition.
 */
void test_assert_fail(const char *cond, const char *file, unsigned int line,
		      const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define TEST_ASSERT(cond, fmt, ...) do {					\
	if (!(cond))								\
		test_assert_fail(#cond, __FILE__, __LINE__, fmt, ##__VA_ARGS__); \
} while (0)

#define TEST_FAIL(fmt, ...)	test_assert_fail(NULL, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

/* Both values in the message, as the harness's ASSERT_EQ() prints them. */
#define TEST_ASSERT_EQ(a, b) do {						\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);			\
	TEST_ASSERT(__a == __b, "%s is 0x%llx, %s is 0x%llx", #a,		\
		    (unsigned long long)__a, #b, (unsigned long long)__b);	\
} while (0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* /dev/khv and its ioctls. */
int khv_open_dev(void);
int khv_ioctl(int fd, unsigned long cmd, unsigned long arg);
int khv_check_extension(int devfd, unsigned long cap);
int khv_create_vm(int devfd);
int khv_virt_owner(int devfd);
const char *khv_virt_owner_name(int owner);

/* The module's debugfs state file ("key value" lines). */
int khv_debugfs_get(const char *key, char *val, size_t len);
int khv_debugfs_get_long(const char *key, long *val);

/* What the CPU says it is, independent of khv: KHV_VENDOR_* or 0. */
int khv_cpuinfo_vendor(void);
int khv_kernel_version(int *major, int *minor);

/* MSRs through the msr driver (loads it when needed). */
int khv_rdmsr(int cpu, uint32_t msr, uint64_t *val);

/* CPUs. */
int khv_online_cpus(bool online[KHV_MAX_CPUS]);
int khv_nr_online_cpus(void);
bool khv_cpu_is_online(int cpu);
bool khv_cpu_is_hotpluggable(int cpu);
int khv_set_cpu_online(int cpu, bool online);

/* Modules. Names as the kernel spells them (kvm_amd, not kvm-amd). */
enum khv_mod_state {
	KHV_MOD_ABSENT,
	KHV_MOD_LOADED,		/* loadable module, present */
	KHV_MOD_BUILTIN,	/* built into the kernel: cannot be unloaded */
};
enum khv_mod_state khv_module_state(const char *name);
long khv_module_refcnt(const char *name);
bool khv_module_loadable(const char *name);
int khv_module_load(const char *name);
int khv_module_unload(const char *name);

/* Snapshot of the loaded modules, to leave the host as a test found it. */
#define KHV_MOD_SNAP_MAX	512
#define KHV_MOD_NAME_LEN	64
struct khv_mod_snapshot {
	int nr;
	char name[KHV_MOD_SNAP_MAX][KHV_MOD_NAME_LEN];
};
int khv_module_snapshot(struct khv_mod_snapshot *snap);
int khv_module_restore(const struct khv_mod_snapshot *snap);

/* Memory and boot facts: a /proc/meminfo field in KiB; a word of /proc/cmdline. */
int khv_meminfo_kb(const char *field, uint64_t *kb);
bool khv_cmdline_has(const char *word);
/* Whether the running kernel has @sym (in /proc/kallsyms; needs root). */
bool khv_kernel_has_symbol(const char *sym);

/* Run the calling thread on @cpu only. */
int khv_pin_to_cpu(int cpu);

/* Small file helpers (sysfs and friends). */
int khv_read_file(const char *path, char *buf, size_t len);
int khv_write_file(const char *path, const char *val);

/* KVM, the peer khv shares the CPU with. */
int khv_kvm_open(void);
int khv_kvm_create_vm(int kvmfd);
int khv_kvm_run_smoke(int kvmfd, int vmfd, char *why, size_t len);

/* A KVM vCPU running real-mode code at 0x1000, kept for KVM_RUN after KVM_RUN. */
struct kvm_run;
struct khv_kvm_guest {
	int vcpu;
	struct kvm_run *run;
	int run_size;
	uint8_t *mem;
	size_t mem_size;
};
int khv_kvm_guest_create(int kvmfd, int vmfd, const uint8_t *code, size_t code_len,
			 struct khv_kvm_guest *g, char *why, size_t len);
void khv_kvm_guest_destroy(struct khv_kvm_guest *g);
bool khv_kvm_guest_out(const struct khv_kvm_guest *g, uint16_t port, uint8_t value);

/* SIGALRM in @ms, interrupting KHV_RUN (no SA_RESTART); 0 disarms. */
void alarm_in(unsigned int ms);

#endif /* KHV_SELFTEST_UTIL_H */
