// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv selftests: helpers shared by the test binaries.
 *
 * The emulated hosts run busybox only, so nothing here relies on tools other
 * than an optional modprobe: modules are loaded with finit_module() from
 * /lib/modules/$(uname -r)/modules.dep where it exists (which also gives the
 * precise errno of a refused load), device nodes that devtmpfs did not create
 * are made from sysfs, and debugfs is mounted when it is not.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/kvm.h>

#include "khv_util.h"

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in @ms, interrupting a blocking call such as KHV_RUN (no SA_RESTART); 0 disarms. */
void alarm_in(unsigned int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

static __printf(1, 2) void khv_log(const char *fmt, ...);

static void khv_log(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the asserting layer ----------------------------------------------- */

void test_assert_fail(const char *cond, const char *file, unsigned int line,
		      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cond)
		khv_log("%s:%u: TEST_ASSERT(%s) failed: %s", file, line, cond, msg);
	else
		khv_log("%s:%u: TEST_FAIL: %s", file, line, msg);
	fflush(NULL);
	exit(1);	/* KSFT_FAIL */
}

/* ---- small file helpers ------------------------------------------------ */

int khv_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return (int)n;
}

int khv_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = errno;
	if (close(fd) && n >= 0)
		return -errno;
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Make a character device node from the "MAJ:MIN" in a sysfs dev file. */
static int make_devnode(const char *path, const char *sysfs_dev)
{
	unsigned int maj, min;
	char buf[32], dir[256], *slash;

	if (khv_read_file(sysfs_dev, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)) && errno != EEXIST)
		return -errno;
	khv_log("created %s (%u:%u): devtmpfs did not", path, maj, min);
	return 0;
}

/* ---- /dev/khv ---------------------------------------------------------- */

int khv_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

int khv_open_dev(void)
{
	int fd = open(KHV_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -ENOENT) {
		if (path_exists("/sys/class/misc/khv"))
			khv_log("no " KHV_DEV_PATH " although the khv module is loaded: no devtmpfs?");
		else
			khv_log("no " KHV_DEV_PATH ": the khv module is not loaded");
	}
	return fd;
}

int khv_check_extension(int devfd, unsigned long cap)
{
	return khv_ioctl(devfd, KHV_CHECK_EXTENSION, cap);
}

int khv_create_vm(int devfd)
{
	struct khv_create_vm args;

	memset(&args, 0, sizeof(args));
	return khv_ioctl(devfd, KHV_CREATE_VM, (unsigned long)&args);
}

int khv_virt_owner(int devfd)
{
	return khv_check_extension(devfd, KHV_CAP_VIRT_OWNER);
}

const char *khv_virt_owner_name(int owner)
{
	switch (owner) {
	case KHV_VIRT_OFF:
		return "off";
	case KHV_VIRT_OWNED:
		return "owned";
	case KHV_VIRT_SHARED:
		return "shared";
	default:
		return "?";
	}
}

/* ---- debugfs ----------------------------------------------------------- */

int khv_debugfs_get(const char *key, char *val, size_t len)
{
	char buf[4096], *line, *save = NULL;
	size_t klen = strlen(key);
	int r;

	r = khv_read_file(KHV_DEBUGFS_STATE, buf, sizeof(buf));
	if (r == -ENOENT && !path_exists("/sys/kernel/debug/khv")) {
		/* Not mounted yet? Mounting twice fails harmlessly. */
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
		r = khv_read_file(KHV_DEBUGFS_STATE, buf, sizeof(buf));
	}
	if (r < 0) {
		khv_log("cannot read %s: %s", KHV_DEBUGFS_STATE, strerror(-r));
		return r;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) || !isspace((unsigned char)line[klen]))
			continue;
		line += klen;
		while (isspace((unsigned char)*line))
			line++;
		snprintf(val, len, "%s", line);
		return 0;
	}
	khv_log("no key '%s' in %s", key, KHV_DEBUGFS_STATE);
	return -ENOKEY;
}

int khv_debugfs_get_long(const char *key, long *val)
{
	char buf[64], *end;
	int r;

	r = khv_debugfs_get(key, buf, sizeof(buf));
	if (r)
		return r;
	errno = 0;
	*val = strtol(buf, &end, 0);
	if (errno || end == buf || *end) {
		khv_log("debugfs key '%s' is not a number: '%s'", key, buf);
		return -EINVAL;
	}
	return 0;
}

/* ---- host facts -------------------------------------------------------- */

int khv_cpuinfo_vendor(void)
{
	char line[8192], *tok, *save = NULL;
	int vendor = 0;
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(tok, "svm"))
				vendor = KHV_VENDOR_AMD;
			else if (!strcmp(tok, "vmx"))
				vendor = KHV_VENDOR_INTEL;
		}
		break;
	}
	fclose(f);
	return vendor;
}

int khv_kernel_version(int *major, int *minor)
{
	struct utsname u;

	if (uname(&u))
		return -errno;
	if (sscanf(u.release, "%d.%d", major, minor) != 2)
		return -EINVAL;
	return 0;
}

/* ---- MSRs -------------------------------------------------------------- */

int khv_rdmsr(int cpu, uint32_t msr, uint64_t *val)
{
	char path[64], sysdev[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (!path_exists("/sys/class/msr"))
			khv_module_load("msr");
		snprintf(sysdev, sizeof(sysdev), "/sys/class/msr/msr%d/dev", cpu);
		if (!path_exists(path))
			make_devnode(path, sysdev);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		fd = -errno;
		khv_log("cannot open %s: %s", path, strerror(-fd));
		return fd;
	}
	n = pread(fd, val, sizeof(*val), msr);
	if (n != sizeof(*val)) {
		int err = n < 0 ? -errno : -EIO;

		khv_log("rdmsr 0x%x on CPU %d: %s", msr, cpu, strerror(-err));
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* ---- CPUs -------------------------------------------------------------- */

int khv_online_cpus(bool online[KHV_MAX_CPUS])
{
	char buf[4096], *p;
	int nr = 0;

	memset(online, 0, KHV_MAX_CPUS * sizeof(bool));
	if (khv_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		for (nr = 0; nr < n && nr < KHV_MAX_CPUS; nr++)
			online[nr] = true;
		return nr;
	}
	for (p = buf; *p;) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			break;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (; lo <= hi && lo < KHV_MAX_CPUS; lo++, nr++)
			online[lo] = true;
		p = *end == ',' ? end + 1 : end;
	}
	return nr;
}

int khv_nr_online_cpus(void)
{
	bool online[KHV_MAX_CPUS];

	return khv_online_cpus(online);
}

bool khv_cpu_is_online(int cpu)
{
	bool online[KHV_MAX_CPUS];

	khv_online_cpus(online);
	return cpu >= 0 && cpu < KHV_MAX_CPUS && online[cpu];
}

bool khv_cpu_is_hotpluggable(int cpu)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return access(path, W_OK) == 0;
}

int khv_pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

bool khv_kernel_has_symbol(const char *sym)
{
	char line[512], name[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	/* "ADDRESS TYPE NAME [MODULE]" */
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", name) == 1 &&
			!strcmp(name, sym);
	fclose(f);
	return found;
}

int khv_meminfo_kb(const char *field, uint64_t *kb)
{
	size_t len = strlen(field);
	char line[256];
	FILE *f;
	int r = -ENOENT;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (strncmp(line, field, len) || line[len] != ':')
			continue;
		if (sscanf(line + len + 1, "%llu", &v) == 1) {
			*kb = v;
			r = 0;
		}
		break;
	}
	fclose(f);
	return r;
}

bool khv_cmdline_has(const char *word)
{
	char buf[4096], *tok, *save;

	if (khv_read_file("/proc/cmdline", buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

int khv_set_cpu_online(int cpu, bool online)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return khv_write_file(path, online ? "1" : "0");
}

/* ---- modules ----------------------------------------------------------- */

enum khv_mod_state khv_module_state(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (path_exists(path))
		return KHV_MOD_LOADED;
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return path_exists(path) ? KHV_MOD_BUILTIN : KHV_MOD_ABSENT;
}

long khv_module_refcnt(const char *name)
{
	char path[128], buf[32];
	int r;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	r = khv_read_file(path, buf, sizeof(buf));
	return r < 0 ? r : strtol(buf, NULL, 10);
}

static const char *modules_dir(char *buf, size_t len)
{
	const char *env = getenv("KHV_MODULES_DIR");
	struct utsname u;

	if (env && *env)
		return env;
	if (uname(&u))
		return NULL;
	snprintf(buf, len, "/lib/modules/%s", u.release);
	return buf;
}

/* "kernel/arch/x86/kvm/kvm-amd.ko.xz" -> "kvm_amd" */
static void module_name_of(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i + 1 < len && base[i] && strncmp(base + i, ".ko", 3); i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[i] = '\0';
}

/* A module's modules.dep line, "path: dependencies" (deepest last). */
static int moddep_lookup(const char *name, char *line, size_t len)
{
	char dirbuf[256], path[512], mod[KHV_MOD_NAME_LEN];
	const char *dir = modules_dir(dirbuf, sizeof(dirbuf));
	int r = -ENOENT;
	FILE *f;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, len, f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		module_name_of(line, mod, sizeof(mod));
		*colon = ':';
		if (!strcmp(mod, name)) {
			line[strcspn(line, "\n")] = '\0';
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

static void module_path(const char *rel, char *path, size_t len)
{
	char dirbuf[256];
	const char *dir = modules_dir(dirbuf, sizeof(dirbuf));

	if (rel[0] == '/' || !dir)
		snprintf(path, len, "%s", rel);
	else
		snprintf(path, len, "%s/%s", dir, rel);
}

bool khv_module_loadable(const char *name)
{
	char line[4096], path[1024];

	if (moddep_lookup(name, line, sizeof(line)))
		return false;
	*strchr(line, ':') = '\0';
	module_path(line, path, sizeof(path));
	return access(path, R_OK) == 0;
}

static int load_module_file(const char *rel)
{
	char path[1024];
	int fd, r, flags = 0;

	module_path(rel, path, sizeof(path));
	if (!strstr(path, ".ko") || strstr(path, ".ko")[3])
		flags = MODULE_INIT_COMPRESSED_FILE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(__NR_finit_module, fd, "", flags) ? -errno : 0;
	close(fd);
	return r == -EEXIST ? 0 : r;
}

/* Run a command with its output turned into TAP comments; its exit status. */
static int run_cmd(const char *const argv[])
{
	static const char *const prefixes[] = { "", "/sbin/", "/usr/sbin/", "/bin/", "/usr/bin/" };
	char line[512];
	int pipefd[2], status;
	pid_t pid;
	FILE *out;

	if (pipe(pipefd))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		char path[256];
		size_t i;

		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
			snprintf(path, sizeof(path), "%s%s", prefixes[i], argv[0]);
			if (i == 0)
				execvp(path, (char *const *)argv);
			else
				execv(path, (char *const *)argv);
		}
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	while (out && fgets(line, sizeof(line), out))
		khv_log("%s: %.*s", argv[0], (int)strcspn(line, "\n"), line);
	if (out)
		fclose(out);
	else
		close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Load a module and what it depends on. Returns 0 once it is loaded, the
 * kernel's -errno when its init refused (finit_module path), or -ENOPKG when
 * only modprobe was available and it failed (its output says why).
 */
int khv_module_load(const char *name)
{
	char line[4096], *deps[64], *tok, *save = NULL;
	char depname[KHV_MOD_NAME_LEN];
	int nr = 0, r, status;

	if (khv_module_state(name) != KHV_MOD_ABSENT)
		return 0;

	if (!moddep_lookup(name, line, sizeof(line))) {
		char *colon = strchr(line, ':');

		*colon = '\0';
		for (tok = strtok_r(colon + 1, " \t", &save); tok && nr < 64;
		     tok = strtok_r(NULL, " \t", &save))
			deps[nr++] = tok;
		while (nr--) {
			module_name_of(deps[nr], depname, sizeof(depname));
			if (khv_module_state(depname) != KHV_MOD_ABSENT)
				continue;
			r = load_module_file(deps[nr]);
			if (r) {
				khv_log("loading %s (needed by %s): %s", depname, name, strerror(-r));
				return r;
			}
		}
		r = load_module_file(line);
		khv_log("load %s: %s", name, r ? strerror(-r) : "ok");
		return r;
	}

	/* No modules.dep: the host may still have a modprobe that knows. */
	status = run_cmd((const char *const[]){ "modprobe", name, NULL });
	if (khv_module_state(name) != KHV_MOD_ABSENT) {
		khv_log("modprobe %s: ok", name);
		return 0;
	}
	khv_log("modprobe %s failed (status %d)", name, status);
	return -ENOPKG;
}

int khv_module_unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int khv_module_snapshot(struct khv_mod_snapshot *snap)
{
	char path[320];
	struct dirent *de;
	DIR *d;

	snap->nr = 0;
	d = opendir("/sys/module");
	if (!d)
		return -errno;
	while ((de = readdir(d)) && snap->nr < KHV_MOD_SNAP_MAX) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= KHV_MOD_NAME_LEN)
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/initstate", de->d_name);
		if (path_exists(path))
			snprintf(snap->name[snap->nr++], KHV_MOD_NAME_LEN, "%s", de->d_name);
	}
	closedir(d);
	return 0;
}

static bool snap_has(const struct khv_mod_snapshot *snap, const char *name)
{
	int i;

	for (i = 0; i < snap->nr; i++)
		if (!strcmp(snap->name[i], name))
			return true;
	return false;
}

/*
 * Unload the modules loaded since the snapshot (khv excepted) and load again
 * those that were unloaded. Returns 0 when the host is back as it was.
 */
int khv_module_restore(const struct khv_mod_snapshot *snap)
{
	struct khv_mod_snapshot *now;
	int i, pass, progress, r = 0;

	now = malloc(sizeof(*now));
	if (!now)
		return -ENOMEM;
	for (pass = 0; pass < 8; pass++) {
		progress = 0;
		r = khv_module_snapshot(now);
		if (r)
			goto out;
		for (i = 0; i < now->nr; i++) {
			if (snap_has(snap, now->name[i]) || !strcmp(now->name[i], KHV_MODULE_NAME))
				continue;
			if (!khv_module_unload(now->name[i])) {
				khv_log("restore: unloaded %s", now->name[i]);
				progress = 1;
			}
		}
		if (!progress)
			break;
	}
	r = khv_module_snapshot(now);
	if (r)
		goto out;
	for (i = 0; i < now->nr; i++) {
		if (!snap_has(snap, now->name[i]) && strcmp(now->name[i], KHV_MODULE_NAME)) {
			khv_log("restore: cannot unload %s", now->name[i]);
			r = -EBUSY;
		}
	}
	for (i = 0; i < snap->nr; i++) {
		int err;

		if (khv_module_state(snap->name[i]) != KHV_MOD_ABSENT)
			continue;
		err = khv_module_load(snap->name[i]);
		khv_log("restore: load %s: %s", snap->name[i], err ? strerror(-err) : "ok");
		if (err)
			r = err;
	}
out:
	free(now);
	return r;
}

/* ---- KVM --------------------------------------------------------------- */

int khv_kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && !make_devnode("/dev/kvm", "/sys/class/misc/kvm/dev"))
		fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int khv_kvm_create_vm(int kvmfd)
{
	int r = khv_ioctl(kvmfd, KVM_GET_API_VERSION, 0);

	if (r < 0)
		return r;
	if (r != KVM_API_VERSION)
		return -EPROTO;
	return khv_ioctl(kvmfd, KVM_CREATE_VM, 0);
}

/*
 * Run a three-instruction real-mode guest in a KVM VM: it writes 0x42 to port
 * 0x10, then halts. Proves KVM can still enter guests, not just create VMs.
 */
/*
 * khv_kvm_guest_create() - a KVM vCPU in real mode at 0x1000 running @code
 * (at most 4 KiB), in a fresh 8 KiB memory slot of @vmfd.
 */
int khv_kvm_guest_create(int kvmfd, int vmfd, const uint8_t *code, size_t code_len,
			 struct khv_kvm_guest *g, char *why, size_t len)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int r;

	memset(g, 0, sizeof(*g));
	g->vcpu = -1;
	g->run = MAP_FAILED;
	g->mem_size = 0x2000;
	if (code_len > 0x1000)
		return -EINVAL;
	g->mem = mmap(NULL, g->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		r = -errno;
		snprintf(why, len, "mmap guest memory: %s", strerror(-r));
		return r;
	}
	memcpy(g->mem + 0x1000, code, code_len);

	/* Needed on VMX without unrestricted guest; harmless elsewhere. */
	if (khv_ioctl(kvmfd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
		khv_ioctl(vmfd, KVM_SET_TSS_ADDR, 0xfffbd000);

	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = g->mem_size;
	region.userspace_addr = (unsigned long)g->mem;
	r = khv_ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region);
	if (r) {
		snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-r));
		goto err;
	}
	g->run_size = khv_ioctl(kvmfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size < (int)sizeof(*g->run)) {
		r = g->run_size < 0 ? g->run_size : -EPROTO;
		snprintf(why, len, "KVM_GET_VCPU_MMAP_SIZE: %d", g->run_size);
		goto err;
	}
	g->vcpu = khv_ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0) {
		r = g->vcpu;
		snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(-r));
		goto err;
	}
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		r = -errno;
		snprintf(why, len, "mmap kvm_run: %s", strerror(-r));
		goto err;
	}
	r = khv_ioctl(g->vcpu, KVM_GET_SREGS, (unsigned long)&sregs);
	if (r) {
		snprintf(why, len, "KVM_GET_SREGS: %s", strerror(-r));
		goto err;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	r = khv_ioctl(g->vcpu, KVM_SET_SREGS, (unsigned long)&sregs);
	if (r) {
		snprintf(why, len, "KVM_SET_SREGS: %s", strerror(-r));
		goto err;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	r = khv_ioctl(g->vcpu, KVM_SET_REGS, (unsigned long)&regs);
	if (r) {
		snprintf(why, len, "KVM_SET_REGS: %s", strerror(-r));
		goto err;
	}
	return 0;
err:
	khv_kvm_guest_destroy(g);
	return r;
}

void khv_kvm_guest_destroy(struct khv_kvm_guest *g)
{
	if (g->run != MAP_FAILED && g->run)
		munmap(g->run, g->run_size);
	g->run = MAP_FAILED;
	if (g->vcpu >= 0)
		close(g->vcpu);
	g->vcpu = -1;
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->mem_size);
	g->mem = NULL;
}

/* An OUT of one byte to @port, with @value, is what the guest last did. */
bool khv_kvm_guest_out(const struct khv_kvm_guest *g, uint16_t port, uint8_t value)
{
	const struct kvm_run *run = g->run;

	return run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
	       run->io.port == port && run->io.size == 1 &&
	       ((const uint8_t *)run)[run->io.data_offset] == value;
}

int khv_kvm_run_smoke(int kvmfd, int vmfd, char *why, size_t len)
{
	static const uint8_t code[] = {
		0xb0, 0x42,	/* mov $0x42, %al */
		0xe6, 0x10,	/* out %al, $0x10 */
		0xf4,		/* hlt */
	};
	struct khv_kvm_guest g;
	int r;

	r = khv_kvm_guest_create(kvmfd, vmfd, code, sizeof(code), &g, why, len);
	if (r)
		return r;
	r = khv_ioctl(g.vcpu, KVM_RUN, 0);
	if (r) {
		snprintf(why, len, "first KVM_RUN: %s", strerror(-r));
		goto out;
	}
	if (!khv_kvm_guest_out(&g, 0x10, 0x42)) {
		r = -EPROTO;
		snprintf(why, len, "first exit: reason %u, expected KVM_EXIT_IO out 0x42 to port 0x10",
			 g.run->exit_reason);
		goto out;
	}
	r = khv_ioctl(g.vcpu, KVM_RUN, 0);
	if (r) {
		snprintf(why, len, "second KVM_RUN: %s", strerror(-r));
		goto out;
	}
	if (g.run->exit_reason != KVM_EXIT_HLT) {
		r = -EPROTO;
		snprintf(why, len, "second exit: reason %u, expected KVM_EXIT_HLT", g.run->exit_reason);
		goto out;
	}
	snprintf(why, len, "guest ran: out 0x42, hlt");
out:
	khv_kvm_guest_destroy(&g);
	return r;
}
