// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hvctl run's confinement (vmm/confine.c), on the build
 * machine: children install the seccomp filter hvctl installs, for a VM
 * whose file descriptors are /dev/null's, then make one system call the
 * VMM must not make (each dies by SIGSYS) or only those it needs (exits
 * 0); as root, a child confined as hvctl is (user nobody) is read from
 * /proc; --user is looked up in a passwd file. Where the kernel or a
 * container refuses seccomp filters, the whole test is skipped (exit 4)
 * with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "tap.h"
#include "vm.h"

#define CHILD_SETUP_FAILED	100
#define I386_NR_GETPID		20

static struct vmm vm;		/* vm and vCPU 0: /dev/null */
static int other_fd;		/* /dev/null, not the VM's */
static pid_t parent;
static uint8_t *page;		/* read-write, mapped before the filter */
static timer_t timer;
static atomic_int got_signal;

int vmm_fail(const char *what)
{
	printf("# %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * fn in a child, after the VMM's filter when filter: its wait status. Its
 * stdin is /dev/null: a terminal's modes and input stay untouched.
 */
static int in_child(void (*fn)(void), bool filter)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct rlimit no_core = { 0 };
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		setrlimit(RLIMIT_CORE, &no_core);
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED || dup2(other_fd, STDIN_FILENO) < 0 ||
		    timer_create(CLOCK_MONOTONIC, &ev, &timer) || (filter && vmm_seccomp(&vm)))
			_exit(CHILD_SETUP_FAILED);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void do_execve(void)
{
	static char *const argv[] = { "/bin/true", NULL };

	execve(argv[0], argv, environ);
}

static void do_open(void)
{
	syscall(SYS_open, "/", O_RDONLY);
}

static void do_openat(void)
{
	openat(AT_FDCWD, "/", O_RDONLY);
}

static void do_socket(void)
{
	socket(AF_UNIX, SOCK_STREAM, 0);
}

static void do_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static void do_fork(void)
{
	syscall(SYS_fork);
}

static void do_clone_process(void)
{
	syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
}

static void do_mmap_exec(void)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void do_mmap_file(void)
{
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, other_fd, 0);
}

static void do_mprotect_exec(void)
{
	mprotect(page, 4096, PROT_READ | PROT_EXEC);
}

static void do_write_other(void)
{
	write(other_fd, "x", 1);
}

static void do_read_other(void)
{
	read(other_fd, page, 1);
}

static void do_create_vm(void)
{
	struct khv_create_vm c = { 0 };

	ioctl(vm.vm, KHV_CREATE_VM, &c);
}

static void do_vcpu_ioctl_on_vm(void)
{
	ioctl(vm.vm, KHV_RUN, 0);
}

static void do_set_regs(void)
{
	struct khv_regs regs = { 0 };

	ioctl(vm.vcpus[0].fd, KHV_SET_REGS, &regs);
}

/* Without --device: not the VMM's to make. */
static void do_set_device_msi(void)
{
	struct khv_device_msi msi = { .flags = KHV_DEVICE_MSI_OFF };

	ioctl(vm.vm, KHV_SET_DEVICE_MSI, &msi);
}

static void do_tiocsti(void)
{
	char c = 'x';

	ioctl(STDIN_FILENO, TIOCSTI, &c);
}

static void do_kill(void)
{
	kill(parent, 0);
}

static void do_tgkill_other(void)
{
	syscall(SYS_tgkill, parent, parent, 0);
}

static void do_tkill(void)
{
	syscall(SYS_tkill, parent, 0);
}

static void do_setuid(void)
{
	syscall(SYS_setuid, 0);
}

static void do_prctl(void)
{
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static void do_bpf(void)
{
	syscall(SYS_bpf, 0, NULL, 0);
}

static void do_process_vm_writev(void)
{
	syscall(SYS_process_vm_writev, parent, NULL, 0, NULL, 0, 0);
}

static void do_timer_create(void)
{
	timer_t t;

	timer_create(CLOCK_MONOTONIC, NULL, &t);
}

/* The 32-bit ABI's getpid: another architecture for the filter. */
static void do_i386(void)
{
	long ret = I386_NR_GETPID;

	asm volatile("int $0x80" : "+a"(ret) : : "memory");
}

static const struct tap_case forbidden[] = {
	TAP_CASE(do_execve), TAP_CASE(do_open), TAP_CASE(do_openat), TAP_CASE(do_socket),
	TAP_CASE(do_ptrace), TAP_CASE(do_fork), TAP_CASE(do_clone_process),
	TAP_CASE(do_mmap_exec), TAP_CASE(do_mmap_file), TAP_CASE(do_mprotect_exec),
	TAP_CASE(do_write_other), TAP_CASE(do_read_other), TAP_CASE(do_create_vm),
	TAP_CASE(do_vcpu_ioctl_on_vm), TAP_CASE(do_set_regs), TAP_CASE(do_set_device_msi),
	TAP_CASE(do_tiocsti),
	TAP_CASE(do_kill), TAP_CASE(do_tgkill_other), TAP_CASE(do_tkill), TAP_CASE(do_setuid),
	TAP_CASE(do_prctl), TAP_CASE(do_bpf), TAP_CASE(do_process_vm_writev),
	TAP_CASE(do_timer_create), TAP_CASE(do_i386),
};

/*
 * Each forbidden call kills its child by SIGSYS; without the filter, none
 * does (a kernel without the 32-bit ABI faults on int $0x80: not counted).
 */
static void forbidden_calls_die_by_sigsys(void)
{
	unsigned int i;
	int st;

	for (i = 0; i < ARRAY_SIZE(forbidden); i++) {
		st = in_child(forbidden[i].fn, false);
		if (st && forbidden[i].fn == do_i386) {
			printf("# %s: no 32-bit system calls here (wait status %#x)\n",
			       forbidden[i].name, st);
			continue;
		}
		if (st) {
			printf("# %s: wait status %#x without the filter\n", forbidden[i].name, st);
			tap_case_failed = 1;
		}
		st = in_child(forbidden[i].fn, true);
		if (st < 0 || !WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS) {
			printf("# %s: wait status %#x, not killed by SIGSYS\n",
			       forbidden[i].name, st);
			tap_case_failed = 1;
		}
	}
}

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* A vCPU thread's life: its lock, the clock, a kick to itself. */
static void *vcpu_thread(void *arg)
{
	static const struct timespec ms = { .tv_nsec = 1000000 };
	pthread_mutex_t *lock = arg;
	struct timespec ts;

	pthread_mutex_lock(lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sched_yield();
	nanosleep(&ms, NULL);
	pthread_kill(pthread_self(), SIGALRM);
	pthread_mutex_unlock(lock);
	return (void *)(uintptr_t)gettid();
}

/* What the run loop does; a check that fails exits with its line. */
#define MUST(cond) do { if (!(cond)) exit(__LINE__ & 0x7f); } while (0)

static void allowed_set(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerspec its = { .it_value.tv_sec = 100 };
	struct khv_interrupt irq = { .vector = 32 };
	struct khv_msi msi = { 0 };
	struct iovec iov = { page, 0 };
	struct termios tio;
	pthread_t t;
	time_t now;
	struct tm tm;
	void *ret;
	char *big;

	/* clone3 is not there, and pthread_create() goes on with clone. */
	MUST(syscall(SYS_clone3, NULL, 0) == -1 && errno == VMM_NO_SUCH_SYSCALL);
	MUST(!sigaction(SIGALRM, &sa, NULL));
	MUST(!pthread_create(&t, NULL, vcpu_thread, &lock));
	MUST(!pthread_join(t, &ret) && ret && got_signal);
	got_signal = 0;
	MUST(!pthread_kill(pthread_self(), SIGALRM) && got_signal);
	MUST(!timer_settime(timer, 0, &its, NULL));
	now = time(NULL);
	MUST(gmtime_r(&now, &tm));		/* the RTC's */
	big = malloc(4 << 20);			/* mmap */
	MUST(big);
	memset(big, 1, 4 << 20);
	free(big);
	MUST(!mprotect(page, 4096, PROT_READ));
	MUST(!write(STDOUT_FILENO, page, 0) && !write(STDERR_FILENO, page, 0));
	MUST(!writev(STDERR_FILENO, &iov, 1));
	MUST(read(STDIN_FILENO, page, 0) == 0);
	MUST(poll(NULL, 0, 0) == 0);
	/* The answers are /dev/null's (not a terminal, not khv's): reaching it is what counts. */
	memset(&tio, 0, sizeof(tio));
	MUST(ioctl(STDIN_FILENO, TCGETS, &tio) == -1 && errno == ENOTTY);
	MUST(ioctl(STDIN_FILENO, TCSETSW, &tio) == -1 && errno == ENOTTY);
	MUST(ioctl(vm.vcpus[0].fd, KHV_RUN, 0) == -1 && errno == ENOTTY);
	MUST(ioctl(vm.vcpus[0].fd, KHV_INTERRUPT, &irq) == -1 && errno == ENOTTY);
	MUST(ioctl(vm.vm, KHV_SIGNAL_MSI, &msi) == -1 && errno == ENOTTY);
	MUST(getpid() > 0);
	exit(0);				/* stdio's flush and exit_group */
}

static void allowed_calls_live(void)
{
	CHECK_EQ(in_child(allowed_set, true), 0);
}

/* With --device, KHV_SET_DEVICE_MSI on the VM's fd (MSI and INTx as the guest programs them). */
static void device_msi_set(void)
{
	struct khv_device_msi msi = { .flags = KHV_DEVICE_MSI_OFF };

	MUST(ioctl(vm.vm, KHV_SET_DEVICE_MSI, &msi) == -1 && errno == ENOTTY);
	exit(0);
}

static void do_set_device_msi_other_fd(void)
{
	struct khv_device_msi msi = { .flags = KHV_DEVICE_MSI_OFF };

	ioctl(other_fd, KHV_SET_DEVICE_MSI, &msi);
}

static void device_msi_with_devices(void)
{
	static const struct vmm_devices devs = { .nr = 1, .sbdf = { 0x20 } };
	int st;

	vm.devices = &devs;
	CHECK_EQ(in_child(device_msi_set, true), 0);
	st = in_child(do_set_device_msi_other_fd, true);
	CHECK(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	vm.devices = NULL;
}

static void user_lookup(void)
{
	static const char passwd[] =
		"root:x:0:0:root:/root:/bin/sh\n"
		"wheel0:x:1000:0::/:/bin/sh\n"
		"khvtest:x:4242:4343:a user:/nonexistent:/bin/false\n";
	char path[] = "/tmp/test_confine.XXXXXX";
	uid_t uid = 0;
	gid_t gid = 0;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, passwd, sizeof(passwd) - 1), sizeof(passwd) - 1);
	close(fd);
	CHECK_EQ(vmm_confine_user(path, "khvtest", &uid, &gid), 0);
	CHECK_EQ(uid, 4242);
	CHECK_EQ(gid, 4343);
	CHECK_EQ(vmm_confine_user(path, "khvtes", &uid, &gid), -ESRCH);
	CHECK_EQ(vmm_confine_user(path, "", &uid, &gid), -ESRCH);
	CHECK_EQ(vmm_confine_user(path, "root", &uid, &gid), -EPERM);
	CHECK_EQ(vmm_confine_user(path, "wheel0", &uid, &gid), -EPERM);
	unlink(path);
	CHECK_EQ(vmm_confine_user(path, "khvtest", &uid, &gid), -ENOENT);
}

static void prepare_refusals(void)
{
	struct vmm_confine both = { .user = "khvtest", .off = true };
	struct vmm_confine none = { .user = "khv-no-such-user" };

	CHECK_EQ(vmm_confine_prepare(&both, VMM_CONFINE_PASSWD), 2);
	/* Unknown to root; not root: no --user at all. */
	CHECK_EQ(vmm_confine_prepare(&none, VMM_CONFINE_PASSWD), 2);
}

/* One of /proc/PID/status's lines, "Name:\t...": its value, or "". */
static void status_field(const char *status, const char *name, char *out, size_t len)
{
	const char *p = strstr(status, name);
	size_t n = 0;

	if (p) {
		p += strlen(name);
		while (*p == ':' || *p == '\t')
			p++;
		while (p[n] && p[n] != '\n' && n + 1 < len)
			n++;
		memcpy(out, p, n);
		while (n && out[n - 1] == ' ')	/* Groups: each one ends in a space */
			n--;
	}
	out[n] = 0;
}

static bool read_status(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n > 0;
}

static void expect_field(const char *status, const char *name, const char *want)
{
	char key[32], v[128];

	snprintf(key, sizeof(key), "\n%s:", name);
	status_field(status, key, v, sizeof(v));
	if (strcmp(v, want)) {
		printf("# %s: \"%s\", expected \"%s\"\n", name, v, want);
		tap_case_failed = 1;
	}
}

/*
 * A child that runs before() then confines itself as c says, seen from
 * here once its filter is in (its /proc status in status), while it waits
 * on its stdin; then its wait status, or -1.
 */
static int confined_child(const struct vmm_confine *c, void (*before)(void),
			  char *status, size_t len)
{
	int in[2], st, i;
	char b;
	pid_t pid;

	status[0] = 0;
	if (pipe(in))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(in[0], STDIN_FILENO);
		close(in[0]);
		close(in[1]);
		if (before)
			before();
		if (vmm_confine(c, &vm))
			_exit(CHILD_SETUP_FAILED);
		_exit(read(STDIN_FILENO, &b, 1) == 0 ? 0 : 5);
	}
	close(in[0]);
	for (i = 0; pid > 0 && i < 500; i++) {
		if (read_status(pid, status, len) && strstr(status, "\nSeccomp:\t2\n"))
			break;
		usleep(10000);
	}
	close(in[1]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* The ids, the capabilities, no_new_privs and the filter of a confined child. */
static void expect_confined(const char *status, uid_t uid, gid_t gid)
{
	char ids[64];

	snprintf(ids, sizeof(ids), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	expect_field(status, "Uid", ids);
	snprintf(ids, sizeof(ids), "%u\t%u\t%u\t%u", gid, gid, gid, gid);
	expect_field(status, "Gid", ids);
	expect_field(status, "CapInh", "0000000000000000");
	expect_field(status, "CapPrm", "0000000000000000");
	expect_field(status, "CapEff", "0000000000000000");
	expect_field(status, "CapAmb", "0000000000000000");
	expect_field(status, "NoNewPrivs", "1");
	expect_field(status, "Seccomp", "2");
}

static uid_t nobody_uid;
static gid_t nobody_gid;

/* A supplementary group for the child to lose. */
static void take_group(void)
{
	if (setgroups(1, &nobody_gid))
		_exit(CHILD_SETUP_FAILED);
}

/* As root: confined as hvctl run confines itself, with the default user. */
static void root_drops_to_nobody(void)
{
	struct vmm_confine c = { 0 };
	char status[4096];

	if (geteuid()) {
		tap_case_skip = "not root";
		return;
	}
	if (vmm_confine_prepare(&c, VMM_CONFINE_PASSWD)) {
		tap_case_skip = "no user nobody in " VMM_CONFINE_PASSWD;
		return;
	}
	CHECK(c.root && c.uid && c.gid);
	nobody_gid = c.gid;
	CHECK_EQ(confined_child(&c, take_group, status, sizeof(status)), 0);
	expect_confined(status, c.uid, c.gid);
	expect_field(status, "Groups", "");
}

/* Real uid nobody, effective nobody, saved root: not root, but a way back. */
static void become_half_nobody(void)
{
	if (setresgid(nobody_gid, nobody_gid, nobody_gid) || setresuid(nobody_uid, nobody_uid, 0))
		_exit(CHILD_SETUP_FAILED);
}

/* Not root: --user refused, the uid kept, the saved root given up. */
static void user_keeps_uid(void)
{
	struct vmm_confine c = { 0 }, user = { .user = "nobody" };
	char status[4096];
	int st;

	if (geteuid() || vmm_confine_user(VMM_CONFINE_PASSWD, "nobody", &nobody_uid, &nobody_gid)) {
		tap_case_skip = "needs root and a user nobody to play a non-root caller";
		return;
	}
	fflush(stdout);
	if (!fork()) {
		become_half_nobody();
		_exit(vmm_confine_prepare(&user, VMM_CONFINE_PASSWD) == 2 &&
		      !vmm_confine_prepare(&c, VMM_CONFINE_PASSWD) && !c.root &&
		      c.uid == nobody_uid && c.gid == nobody_gid ? 0 : 1);
	}
	CHECK(wait(&st) > 0);
	CHECK_EQ(st, 0);
	c = (struct vmm_confine){ .uid = nobody_uid, .gid = nobody_gid };
	CHECK_EQ(confined_child(&c, become_half_nobody, status, sizeof(status)), 0);
	expect_confined(status, nobody_uid, nobody_gid);
}

/* The core-scheduling cookie of a thread (0: this one) in *c, 0 for none: 0 or -errno. */
static int cookie_of(pid_t tid, unsigned long *c)
{
	*c = 0;
	return prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, tid, PR_SCHED_CORE_SCOPE_THREAD, c) ?
	       -errno : 0;
}

static void *cookie_thread(void *arg)
{
	return (void *)(intptr_t)cookie_of(0, arg);
}

/* A cookie for the process, inherited by a thread started afterwards. */
static void core_sched_cookie(void)
{
	struct vmm_confine c = { .off = true };
	unsigned long before, main_c, thread_c;
	void *thread_r;
	pthread_t t;
	int r, st;

	r = cookie_of(0, &before);
	if (r == -EINVAL || r == -ENODEV) {
		tap_case_skip = r == -EINVAL ? "no CONFIG_SCHED_CORE here" : "no SMT here";
		return;
	}
	fflush(stdout);
	if (!fork()) {
		if (vmm_confine(&c, &vm) || cookie_of(0, &main_c) ||
		    pthread_create(&t, NULL, cookie_thread, &thread_c) ||
		    pthread_join(t, &thread_r) || thread_r)
			_exit(CHILD_SETUP_FAILED);
		printf("# cookies: before %#lx, process %#lx, thread %#lx\n",
		       before, main_c, thread_c);
		_exit(main_c && main_c != before && thread_c == main_c ? 0 : 1);
	}
	CHECK(wait(&st) > 0);
	CHECK_EQ(st, 0);
}

/* A child loads an empty filter: can this machine do seccomp at all? */
static const char *seccomp_refused(void)
{
	static char why[128];
	scmp_filter_ctx ctx;
	int st, r;

	fflush(stdout);
	if (!fork()) {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		r = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) ?: seccomp_load(ctx) :
		    -ENOMEM;
		_exit(r < 0 ? -r : 0);
	}
	if (wait(&st) < 0 || !WIFEXITED(st))
		return "the probe child died";
	if (!WEXITSTATUS(st))
		return NULL;
	snprintf(why, sizeof(why), "seccomp filters refused here: %s", strerror(WEXITSTATUS(st)));
	return why;
}

int main(void)
{
	static const struct tap_case cases[] = {
		TAP_CASE(forbidden_calls_die_by_sigsys),
		TAP_CASE(allowed_calls_live),
		TAP_CASE(device_msi_with_devices),
		TAP_CASE(user_lookup),
		TAP_CASE(prepare_refusals),
		TAP_CASE(root_drops_to_nobody),
		TAP_CASE(user_keeps_uid),
		TAP_CASE(core_sched_cookie),
	};
	const char *why = seccomp_refused();

	if (why) {
		printf("TAP version 13\n1..0 # SKIP %s\n", why);
		return 4;
	}
	parent = getpid();
	vm.vm = open("/dev/null", O_RDWR | O_CLOEXEC);
	vm.vcpus[0].fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	other_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	vm.nr_vcpus = 1;
	if (vm.vm < 0 || vm.vcpus[0].fd < 0 || other_fd < 0) {
		perror("/dev/null");
		return 1;
	}
	return tap_main(cases, ARRAY_SIZE(cases));
}
