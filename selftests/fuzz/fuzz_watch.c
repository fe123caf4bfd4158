// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzers' host checks: the kernel log read through /dev/kmsg from where
 * the run began, khv's counters (debugfs "vms", the module's reference count:
 * every VM and vCPU fd holds one) and kmemleak.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "khv_util.h"

#define KMEMLEAK_PATH	"/sys/kernel/debug/kmemleak"
#define REFCNT_PATH	"/sys/module/" KHV_MODULE_NAME "/refcnt"

static int kmsg_fd = -1;
static long base_vms, base_refcnt;

/* What the kernel prints when it finds a bug (lib/Kconfig.debug's checkers). */
static const char *const bad_words[] = {
	"BUG:", "WARNING:", "KASAN", "UBSAN", "kernel BUG", "Oops", "general protection",
	"possible circular locking", "possible recursive locking", "lockdep",
	"inconsistent lock state", "suspicious RCU usage", "rcu_sched self-detected",
	"rcu: INFO", "soft lockup", "hard LOCKUP", "blocked for more than",
	"list_add corruption", "list_del corruption", "refcount_t:", "Call Trace",
	"unreferenced object", "double fault", "stack-protector", "Kernel panic",
};

double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long refcnt(void)
{
	char buf[32];

	if (khv_read_file(REFCNT_PATH, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static long vms(void)
{
	long v = -1;

	if (khv_debugfs_get_long("vms", &v))
		return -1;
	return v;
}

int fuzz_watch_open(void)
{
	base_vms = vms();
	base_refcnt = refcnt();
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0)
		return -errno;
	lseek(kmsg_fd, 0, SEEK_END);
	return 0;
}

void fuzz_watch_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}

static bool is_bad(const char *msg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_words); i++)
		if (strstr(msg, bad_words[i]))
			return true;
	return false;
}

int fuzz_watch_kmsg(char *why, size_t len)
{
	char rec[1024];
	size_t used = 0;
	int found = 0, extra = 0;
	ssize_t n;

	if (kmsg_fd < 0)
		return 0;
	if (len)
		why[0] = 0;
	for (;;) {
		char *msg, *nl;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records lost to the ring: go on with the next */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (!found && !is_bad(msg))
			continue;
		found = 1;
		/* The report's first lines: what, where, and a few frames. */
		if (extra++ < 8 && used + 2 < len)
			used += snprintf(why + used, len - used, "%s%s", used ? " | " : "", msg);
		if (used >= len)
			used = len - 1;
	}
	return found;
}

/* /dev/khv, a VM or a vCPU file (anon_inode:khv-vm, anon_inode:khv-vcpu). */
static bool is_khv_file(const char *name)
{
	return strstr(name, "/dev/" KHV_MODULE_NAME) || strstr(name, "anon_inode:khv-");
}

/*
 * What of khv this process still holds when the counters are not back: its
 * fds of /dev/khv, VM and vCPU files and eventfds (KHV_IRQFD), its mappings
 * of them, and its children not yet reaped (a fork child has fds and
 * mappings of its own). Then a VM the counters still count while nothing
 * here names it is held by the module.
 */
static void print_holders(void)
{
	char path[300], target[256], line[512];
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	FILE *f;
	ssize_t n;

	printf("# held by this process (pid %d):\n", getpid());
	while (dir && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (is_khv_file(target) || strstr(target, "eventfd"))
			printf("#   fd %s -> %s\n", d->d_name, target);
	}
	if (dir)
		closedir(dir);
	f = fopen("/proc/self/maps", "re");
	while (f && fgets(line, sizeof(line), f))
		if (is_khv_file(line))
			printf("#   map %s", line);
	if (f)
		fclose(f);
	dir = opendir("/proc/self/task");
	while (dir && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", d->d_name);
		f = fopen(path, "re");
		if (f && fgets(line, sizeof(line), f) && line[0] && line[0] != '\n')
			printf("#   children of thread %s: %.*s\n", d->d_name,
			       (int)strcspn(line, "\n"), line);
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	fflush(stdout);
}

int fuzz_watch_counters(char *why, size_t len)
{
	double end = fuzz_now() + 5;
	long v, r;

	/* Releases may still be on their way (a thread's last fput, a child's exit). */
	for (;;) {
		v = vms();
		r = refcnt();
		if (v == base_vms && r == base_refcnt)
			return 0;
		if (fuzz_now() > end)
			break;
		usleep(20000);
	}
	print_holders();
	snprintf(why, len, "counters not back: vms %ld (was %ld), module refcnt %ld (was %ld)%s",
		 v, base_vms, r, base_refcnt, " (what this process holds: the lines above)");
	return 1;
}

int fuzz_watch_kmemleak(char *why, size_t len)
{
	static char buf[65536];
	int fd, found = 0;
	ssize_t n, used = 0;
	char *p;

	if (access(KMEMLEAK_PATH, W_OK) || khv_cmdline_has("kmemleak=off"))
		return 0;
	/* An object is reported once it is 5 s old and unreferenced in two scans. */
	sleep(6);
	khv_write_file(KMEMLEAK_PATH, "scan");
	sleep(1);
	khv_write_file(KMEMLEAK_PATH, "scan");
	fd = open(KMEMLEAK_PATH, O_RDONLY);
	if (fd < 0)
		return 0;
	while (used < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += n;
	buf[used] = 0;
	close(fd);
	/* Only khv's objects: other suites' leaks are not this fuzzer's. */
	p = strstr(buf, "khv");
	if (p) {
		char *start = p;

		while (start > buf && strncmp(start, "unreferenced object", 19))
			start--;
		snprintf(why, len, "kmemleak: %.300s", start);
		found = 1;
	}
	khv_write_file(KMEMLEAK_PATH, "clear");
	return found;
}
