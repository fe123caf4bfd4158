/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KHV_RUN with a bound: a one-shot POSIX timer of the vCPU's thread sends it
 * SIGUSR1 (no SA_RESTART) at the deadline, then again every
 * FUZZ_REKICK_US until KHV_RUN returns. A watchdog thread only looks for
 * hangs: a vCPU not back within FUZZ_HANG_SECONDS of the first signal is a
 * finding, reported by the watchdog, which then ends the process
 * (Documentation/khv-abi.rst: a signal always stops a vCPU). Without a
 * timer (timer_create failed) the watchdog signals too, coarsely.
 */
#ifndef KHV_FUZZ_RUNNER_H
#define KHV_FUZZ_RUNNER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define FUZZ_HANG_SECONDS	10
#define FUZZ_REKICK_US		200

struct fuzz_bound {
	pthread_t th;
	double deadline;	/* under the watchdog's lock */
	bool active;
	bool timed;		/* a timer of its own signals it */
};

/* Once per process, before any fuzz_bound_run(); also catches SIGSEGV/SIGBUS with @fault. */
void fuzz_bound_init(void (*fault)(int));
/* KHV_RUN on @fd, stopped by signals after @budget seconds: its result or -errno. */
int fuzz_bound_run(struct fuzz_bound *b, int fd, double budget);
/* What runs now, for the watchdog's report (it ends the process). */
struct fuzz_current {
	const char *name;
	uint64_t seed, iter;
};

extern struct fuzz_current fuzz_current;

#endif /* KHV_FUZZ_RUNNER_H */
