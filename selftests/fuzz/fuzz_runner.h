/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KHV_RUN with a bound: a watchdog thread signals (SIGUSR1, no SA_RESTART)
 * every vCPU thread whose run is past its deadline, again and again, until
 * KHV_RUN returns; one that does not come back within FUZZ_HANG_SECONDS of
 * the first signal is a finding (Documentation/khv-abi.rst: a signal always
 * stops a vCPU).
 */
#ifndef KHV_FUZZ_RUNNER_H
#define KHV_FUZZ_RUNNER_H

#include <pthread.h>
#include <stdbool.h>

#define FUZZ_HANG_SECONDS	10

struct fuzz_bound {
	pthread_t th;
	double deadline;	/* under the watchdog's lock */
	bool active;
};

/* Once per process, before any fuzz_bound_run(); also catches SIGSEGV/SIGBUS with @fault. */
void fuzz_bound_init(void (*fault)(int));
/* KHV_RUN on @fd, stopped by signals after @budget seconds: its result or -errno. */
int fuzz_bound_run(struct fuzz_bound *b, int fd, double budget);
/* A run that did not come back: its fd (and true) once, since the last call. */
bool fuzz_bound_hung(double *late);

#endif /* KHV_FUZZ_RUNNER_H */
