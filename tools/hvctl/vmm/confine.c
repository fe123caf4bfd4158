// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run's confinement (vmm/confine.h; Documentation/admin-guide.rst,
 * "The VMM's confinement"). The VMM parses what a guest writes to its
 * devices: a bug there must leave the attacker an unprivileged process that
 * can run its own VM and nothing else. Every VMM started by root runs as
 * the same user, so what one could do to another through that user (kill,
 * ptrace, process_vm_writev) is forbidden too: by the filter, and by the
 * lost dumpability.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "confine.h"
#include "vm.h"

#define CONFINE_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Argument n equal to v as the kernel reads it: as a 32-bit int (a file
 * descriptor, an ioctl request, a pid), whatever the upper half holds.
 */
#define ARG32_EQ(n, v)	SCMP_CMP64(n, SCMP_CMP_MASKED_EQ, 0xffffffffULL, (uint32_t)(v))
/* Argument n with the bits of mask as in v. */
#define ARG_BITS(n, mask, v)	SCMP_CMP64(n, SCMP_CMP_MASKED_EQ, (mask), (v))

static bool test_forbidden;

/*
 * Allowed whatever their arguments: memory of the process's own, its
 * futexes and signals, time, sleep, polling (stdin: the UART's input), the
 * end. glibc's thread start and end need set_robust_list, rseq, madvise and
 * exit.
 */
static const int plain[] = {
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(futex),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
	SCMP_SYS(gettid), SCMP_SYS(getpid), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(timer_settime), SCMP_SYS(sched_yield),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* On fd 0: the terminal's modes (raw for the UART's input, restored at the end). */
static const unsigned long tty_ioctls[] = { TCGETS, TCSETS, TCSETSW, TCSETSF };
/* On a vCPU's fd: what vmm/loop.c and run.c's loop call once the vCPUs run. */
static const unsigned long vcpu_ioctls[] = { KHV_RUN, KHV_INTERRUPT, KHV_SET_MP_STATE };

static int allow(scmp_filter_ctx ctx, int nr, unsigned int n, const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int allow_arg0(scmp_filter_ctx ctx, int nr, int v)
{
	return allow(ctx, nr, 1, &ARG32_EQ(0, v));
}

static int allow_ioctls(scmp_filter_ctx ctx, int fd, const unsigned long *req, unsigned int n)
{
	struct scmp_arg_cmp cmp[2] = { ARG32_EQ(0, fd) };
	unsigned int i;
	int r = 0;

	for (i = 0; i < n && !r; i++) {
		cmp[1] = ARG32_EQ(1, req[i]);
		r = allow(ctx, SCMP_SYS(ioctl), 2, cmp);
	}
	return r;
}

static int seccomp_rules(scmp_filter_ctx ctx, const struct vmm *m)
{
	const struct scmp_arg_cmp no_exec = ARG_BITS(2, PROT_EXEC, 0);
	const struct scmp_arg_cmp mmap_cmp[] = {
		no_exec, ARG_BITS(3, MAP_ANONYMOUS, MAP_ANONYMOUS)
	};
	unsigned int i;
	int r = 0;

	for (i = 0; i < CONFINE_ARRAY_SIZE(plain) && !r; i++)
		r = allow(ctx, plain[i], 0, NULL);
	/*
	 * Threads, not processes. glibc's pthread_create() tries clone3 first,
	 * whose flags are in memory, out of a filter's reach: "no such system
	 * call" sends it to clone, whose flags are an argument.
	 */
	r = r ?: seccomp_rule_add(ctx, SCMP_ACT_ERRNO(VMM_NO_SUCH_SYSCALL), SCMP_SYS(clone3), 0);
	r = r ?: allow(ctx, SCMP_SYS(clone), 1, &ARG_BITS(0, CLONE_THREAD, CLONE_THREAD));
	/* New memory is anonymous and never executable; nothing turns executable. */
	r = r ?: allow(ctx, SCMP_SYS(mmap), 2, mmap_cmp);
	r = r ?: allow(ctx, SCMP_SYS(mprotect), 1, &no_exec);
	/* The console: the UART's input from stdin, its output and messages out. */
	r = r ?: allow_arg0(ctx, SCMP_SYS(read), STDIN_FILENO);
	for (i = STDOUT_FILENO; i <= STDERR_FILENO; i++) {
		r = r ?: allow_arg0(ctx, SCMP_SYS(write), i);
		r = r ?: allow_arg0(ctx, SCMP_SYS(writev), i);
	}
	/* The kicks of the vCPU threads: signals within this process only. */
	r = r ?: allow_arg0(ctx, SCMP_SYS(tgkill), getpid());
	r = r ?: allow_ioctls(ctx, STDIN_FILENO, tty_ioctls, CONFINE_ARRAY_SIZE(tty_ioctls));
	for (i = 0; i < m->nr_vcpus && !r; i++)
		r = allow_ioctls(ctx, m->vcpus[i].fd, vcpu_ioctls, CONFINE_ARRAY_SIZE(vcpu_ioctls));
	/* The I/O APIC's messages to the local APICs. */
	r = r ?: allow_ioctls(ctx, m->vm, (const unsigned long[]){ KHV_SIGNAL_MSI }, 1);
	/* The assigned functions' MSI and INTx, as the guest programs them. */
	if (m->devices && m->devices->nr)
		r = r ?: allow_ioctls(ctx, m->vm,
				      (const unsigned long[]){ KHV_SET_DEVICE_MSI }, 1);
	return r;
}

int vmm_seccomp(const struct vmm *m)
{
	scmp_filter_ctx ctx;
	int r;

	/*
	 * glibc's first gmtime_r() (the RTC's) reads /etc/localtime: once
	 * here, while files can still be opened.
	 */
	tzset();
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	/*
	 * i386 and x32 system calls die too; no vCPU thread is born yet, but
	 * any would get the filter; a refusal is the kernel's errno.
	 */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) ?:
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) ?:
	    seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) ?:
	    seccomp_rules(ctx, m) ?: seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int vmm_confine_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	int r = -ESRCH;
	FILE *f;

	if (!*name)
		return -ESRCH;
	f = fopen(passwd, "re");
	if (!f)
		return -errno;
	while ((pw = fgetpwent(f))) {
		if (strcmp(pw->pw_name, name))
			continue;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		r = pw->pw_uid && pw->pw_gid ? 0 : -EPERM;
		break;
	}
	fclose(f);
	return r;
}

int vmm_confine_prepare(struct vmm_confine *c, const char *passwd)
{
	const char *name = c->user ? c->user : VMM_CONFINE_USER;
	int r;

	if (c->off && c->user) {
		fprintf(stderr, "hvctl: run: --user and --no-confine: one or the other\n");
		return 2;
	}
	if (c->off)
		return 0;
	c->root = !geteuid();
	if (!c->root) {
		if (c->user) {
			fprintf(stderr,
				"hvctl: run: --user %s: only root changes user (hvctl keeps uid %u)\n",
				c->user, (unsigned int)geteuid());
			return 2;
		}
		c->uid = geteuid();
		c->gid = getegid();
		return 0;
	}
	r = vmm_confine_user(passwd, name, &c->uid, &c->gid);
	if (r == -ESRCH)
		fprintf(stderr, "hvctl: run: --user %s%s: no such user in %s\n", name,
			c->user ? "" : " (the default)", passwd);
	else if (r == -EPERM)
		fprintf(stderr, "hvctl: run: --user %s: uid %u gid %u: not an unprivileged user\n",
			name, (unsigned int)c->uid, (unsigned int)c->gid);
	else if (r)
		fprintf(stderr, "hvctl: run: %s: %s\n", passwd, strerror(-r));
	return r == -ESRCH || r == -EPERM ? 2 : !!r;
}

/*
 * Only c->uid and c->gid, real, effective and saved (no way back); as root,
 * no supplementary group either.
 */
static int confine_ids(const struct vmm_confine *c)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (c->root && setgroups(0, NULL))
		return vmm_fail("setgroups");
	if (setresgid(c->gid, c->gid, c->gid))
		return vmm_fail("setresgid");
	if (setresuid(c->uid, c->uid, c->uid))
		return vmm_fail("setresuid");
	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg) ||
	    ru != c->uid || eu != c->uid || su != c->uid ||
	    rg != c->gid || eg != c->gid || sg != c->gid ||
	    (c->root && getgroups(0, NULL))) {
		fprintf(stderr, "hvctl: run: still not uid %u gid %u alone\n",
			(unsigned int)c->uid, (unsigned int)c->gid);
		return 1;
	}
	return 0;
}

/*
 * No capability in any set. From root, setresuid() cleared the permitted
 * and effective sets already; a non-root caller may have had some (file
 * capabilities, ambient ones). The bounding set stays: nothing is
 * executed again.
 */
static int confine_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };
	unsigned int i;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return vmm_fail("PR_CAP_AMBIENT_CLEAR_ALL");
	if (syscall(SYS_capset, &h, d))
		return vmm_fail("capset");
	if (syscall(SYS_capget, &h, d))
		return vmm_fail("capget");
	for (i = 0; i < CONFINE_ARRAY_SIZE(d); i++) {
		if (d[i].effective || d[i].permitted || d[i].inheritable) {
			fprintf(stderr, "hvctl: run: capabilities left after capset\n");
			return 1;
		}
	}
	return 0;
}

/*
 * Core scheduling: one cookie for the whole process, inherited by the
 * vCPU threads, so that no other VM's thread (nor any other task) runs on
 * a hyperthread sibling of one of them. Not there without
 * CONFIG_SCHED_CORE (EINVAL) or without SMT (ENODEV): nothing to share.
 */
static void confine_core_sched(bool verbose)
{
	int r = prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PR_SCHED_CORE_SCOPE_THREAD_GROUP, 0);

	if (!verbose)
		return;
	if (!r)
		fputs("hvctl: run: core scheduling: one cookie for the vCPU threads\n", stderr);
	else
		fprintf(stderr, "hvctl: run: core scheduling: not available (%s%s)\n",
			strerror(errno), errno == EINVAL ? ": no CONFIG_SCHED_CORE" :
			errno == ENODEV ? ": no SMT" : "");
}

int vmm_confine(const struct vmm_confine *c, const struct vmm *m)
{
	int r;

	confine_core_sched(c->verbose);
	if (c->off && c->verbose)
		fputs("hvctl: run: --no-confine: no user change, no seccomp filter\n", stderr);
	if (c->off)
		return 0;
	test_forbidden = getenv(VMM_CONFINE_TEST_ENV);
	r = confine_ids(c) ?: confine_caps();
	if (r)
		return r;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return vmm_fail("PR_SET_DUMPABLE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return vmm_fail("PR_SET_NO_NEW_PRIVS");
	r = vmm_seccomp(m);
	if (r) {
		fprintf(stderr, "hvctl: run: seccomp filter: %s (--no-confine runs without)\n",
			strerror(-r));
		return 1;
	}
	if (c->verbose)
		fprintf(stderr, "hvctl: run: confined: uid %u gid %u, %s\n",
			(unsigned int)c->uid, (unsigned int)c->gid,
			"no capabilities, no_new_privs, seccomp filter");
	return 0;
}

void vmm_confine_test_hook(void)
{
	if (test_forbidden)
		syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY);
}
