// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watchdog of bounded KHV_RUNs (fuzz_runner.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/khv.h>

#include "fuzz.h"
#include "fuzz_runner.h"

#define MAX_BOUNDS	16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fuzz_bound *bounds[MAX_BOUNDS];
struct fuzz_current fuzz_current;

static void nothing(int sig)
{
	(void)sig;
}

static void *watchdog(void *arg)
{
	int i;

	(void)arg;
	for (;;) {
		double now;

		usleep(2000);
		now = fuzz_now();
		pthread_mutex_lock(&lock);
		for (i = 0; i < MAX_BOUNDS; i++) {
			struct fuzz_bound *b = bounds[i];

			if (!b || !b->active || now < b->deadline)
				continue;
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

int fuzz_bound_run(struct fuzz_bound *b, int fd, double budget)
{
	int i, r, slot = -1;

	b->th = pthread_self();
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
	pthread_mutex_unlock(&lock);
	r = ioctl(fd, KHV_RUN, 0) < 0 ? -errno : 0;
	pthread_mutex_lock(&lock);
	b->active = false;
	if (slot >= 0)
		bounds[slot] = NULL;
	pthread_mutex_unlock(&lock);
	return r;
}
