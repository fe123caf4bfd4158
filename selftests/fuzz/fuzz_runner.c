// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watchdog of bounded KHV_RUNs (fuzz_runner.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <linux/khv.h>

#include "fuzz.h"
#include "fuzz_runner.h"

#define MAX_BOUNDS	16
/* The watchdog's period: hangs are counted in seconds. */
#define WATCH_US	50000
/*
 * A gap this long between two of the watchdog's polls means the whole host
 * stood still (an emulated host whose build machine stopped it: its clock
 * follows the machine's, Documentation/fuzzing.rst, "Checks and findings"):
 * no vCPU could have come back meanwhile, so the gap is not counted
 * against one. A vCPU stuck in the kernel stops one CPU of the fuzzing
 * host (two or more), never the watchdog's as well.
 */
#define STALL_SECONDS	1.0

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fuzz_bound *bounds[MAX_BOUNDS];
struct fuzz_current fuzz_current;

static void nothing(int sig)
{
	(void)sig;
}

/* Under the lock: a stall of @gap seconds moves every active deadline. */
static void stood_still(double gap)
{
	int i;

	printf("# %s: the host stood still for %.1f s (the watchdog's polls); deadlines moved\n",
	       fuzz_current.name, gap);
	fflush(stdout);
	for (i = 0; i < MAX_BOUNDS; i++)
		if (bounds[i] && bounds[i]->active)
			bounds[i]->deadline += gap;
}

static void *watchdog(void *arg)
{
	double last = fuzz_now();
	int i;

	(void)arg;
	for (;;) {
		double now;

		usleep(WATCH_US);
		now = fuzz_now();
		pthread_mutex_lock(&lock);
		if (now - last > STALL_SECONDS)
			stood_still(now - last);
		last = now;
		for (i = 0; i < MAX_BOUNDS; i++) {
			struct fuzz_bound *b = bounds[i];

			if (!b || !b->active || now < b->deadline)
				continue;
			if (!b->timed)
				pthread_kill(b->th, SIGUSR1);
			if (now - b->deadline > FUZZ_HANG_SECONDS) {
				/* Nothing else can report it: the vCPU's thread is stuck. */
				printf("# FINDING %s seed %llu iter %llu: %s %.0f s after a signal\n",
				       fuzz_current.name, (unsigned long long)fuzz_current.seed,
				       (unsigned long long)fuzz_current.iter, "KHV_RUN not back",
				       now - b->deadline);
				fflush(stdout);
				_exit(1);
			}
		}
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

void fuzz_bound_init(void (*fault)(int))
{
	static bool done;
	struct sigaction sa;
	pthread_t th;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nothing;	/* no SA_RESTART: KHV_RUN returns -EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	if (fault) {
		sa.sa_handler = fault;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
	pthread_create(&th, NULL, watchdog, NULL);
	pthread_detach(th);
}

/*
 * A timer of this thread (SIGEV_THREAD_ID): SIGUSR1 after @budget, then
 * every FUZZ_REKICK_US. The watchdog's 50 ms polls would make every bound
 * a multiple of them, and on Bochs 1 ms of the host's time costs about
 * 0.1 s of real time (Documentation/fuzzing.rst, "Bounded runs").
 */
static int arm(timer_t *t, double budget)
{
	struct sigevent ev = { 0 };
	struct itimerspec its = { 0 };
	long long ns = (long long)(budget * 1e9);

	if (ns < 1000)
		ns = 1000;
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_notify_thread_id = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, t))
		return -1;
	its.it_value.tv_sec = ns / 1000000000;
	its.it_value.tv_nsec = ns % 1000000000;
	its.it_interval.tv_nsec = FUZZ_REKICK_US * 1000;
	if (timer_settime(*t, 0, &its, NULL)) {
		timer_delete(*t);
		return -1;
	}
	return 0;
}

int fuzz_bound_run(struct fuzz_bound *b, int fd, double budget)
{
	int i, r, slot = -1;
	bool timed;
	timer_t t;

	b->th = pthread_self();
	timed = !arm(&t, budget);
	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_BOUNDS; i++) {
		if (!bounds[i]) {
			bounds[i] = b;
			slot = i;
			break;
		}
	}
	b->deadline = fuzz_now() + budget;
	b->active = true;
	b->timed = timed;
	pthread_mutex_unlock(&lock);
	r = ioctl(fd, KHV_RUN, 0) < 0 ? -errno : 0;
	if (timed)
		timer_delete(t);
	pthread_mutex_lock(&lock);
	b->active = false;
	if (slot >= 0)
		bounds[slot] = NULL;
	pthread_mutex_unlock(&lock);
	return r;
}
