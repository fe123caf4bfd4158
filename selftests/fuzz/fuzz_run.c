// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzers' loop: iterations, the host checks between them, the
 * findings and the rates (Documentation/fuzzing.rst).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/khv.h>

#include "fuzz.h"
#include "fuzz_runner.h"

bool fuzz_trace;

/* Waits until the terminal has sent stderr's output (not a terminal: nothing to wait for). */
void fuzz_trace_drain(void)
{
	tcdrain(STDERR_FILENO);
}

uint64_t rng_edgy(struct fuzz_rng *r)
{
	unsigned int bit = rng_below(r, 64);

	switch (rng_below(r, 8)) {
	case 0:
		return rng_below(r, 3) - 1;	/* -1, 0, 1 */
	case 1:
		return 1ull << bit;
	case 2:
		return (1ull << bit) - 1;
	case 3:
		return (1ull << bit) + 1;
	case 4:
		return ~0ull << bit;
	case 5:
		return rng_below(r, 0x10000);
	default:
		return rng_next(r);
	}
}

void rng_fill(struct fuzz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rng_next(r);
}

void rng_mutate(struct fuzz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	unsigned int n = 1 + rng_below(r, 4);
	uint64_t v;
	size_t at;

	if (!len)
		return;
	while (n--) {
		at = rng_below(r, len);
		switch (rng_below(r, 4)) {
		case 0:
			p[at] ^= 1u << rng_below(r, 8);
			break;
		case 1:
			p[at] = rng_next(r);
			break;
		case 2:		/* an edgy value over an aligned field */
			v = rng_edgy(r);
			at &= ~(size_t)7;
			memcpy(p + at, &v, len - at < 8 ? len - at : 8);
			break;
		default:
			at &= ~(size_t)3;
			v = rng_edgy(r);
			memcpy(p + at, &v, len - at < 4 ? len - at : 4);
			break;
		}
	}
}

static void finding(const char *name, const struct fuzz_opts *o, uint64_t iter,
		    const char *why, struct fuzz_result *res)
{
	res->findings++;
	printf("# FINDING %s seed %" PRIu64 " iter %" PRIu64 ": %s\n", name, o->seed, iter, why);
	printf("# replay: khv_fuzz %s --seed %" PRIu64 " --iter %" PRIu64 "\n",
	       name, o->seed, iter);
	fflush(stdout);
}

int fuzz_run(const char *name, fuzz_iter_fn fn, const struct fuzz_opts *o,
	     struct fuzz_result *res)
{
	unsigned int batch = o->batch ? o->batch : 100;
	double t0 = fuzz_now(), last = t0;
	char why[1024];
	uint64_t i, n;
	int dev = -1, vm = -1;

	memset(res, 0, sizeof(*res));
	if (o->hold_vm) {
		struct khv_create_vm c = { 0 };

		dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
		vm = ioctl(dev, KHV_CREATE_VM, &c);
	}
	if (fuzz_watch_open())
		printf("# %s: no /dev/kmsg: the kernel log is not checked\n", name);
	for (n = 0; !o->iters || n < o->iters; n++) {
		i = o->first + n;
		if (o->seconds && fuzz_now() - t0 >= o->seconds)
			break;
		why[0] = 0;
		fuzz_current.name = name;
		fuzz_current.seed = o->seed;
		fuzz_current.iter = i;
		fuzz_trace = o->verbose;
		FUZZ_TRACE("%s iter %" PRIu64, name, i);
		if (fn(o->seed, i, &res->calls, why, sizeof(why)))
			finding(name, o, i, why, res);
		res->iters++;
		if (fuzz_watch_kmsg(why, sizeof(why)))
			finding(name, o, i, why, res);
		if ((n + 1) % batch == 0 && fuzz_watch_counters(why, sizeof(why)))
			finding(name, o, i, why, res);
		if (fuzz_now() - last >= (o->quiet ? 60 : 30)) {
			last = fuzz_now();
			printf("# %s: %" PRIu64 " iterations, %" PRIu64 " calls, %.0f s\n",
			       name, res->iters, res->calls, last - t0);
			fflush(stdout);
		}
		/* A hang or a leak spoils every iteration after it: stop at the first finding. */
		if (res->findings)
			break;
	}
	res->seconds = fuzz_now() - t0;
	if (!res->findings && fuzz_watch_counters(why, sizeof(why)))
		finding(name, o, o->first + (n ? n - 1 : 0), why, res);
	if (!res->findings && !o->no_kmemleak && fuzz_watch_kmemleak(why, sizeof(why)))
		finding(name, o, o->first + (n ? n - 1 : 0), why, res);
	if (fuzz_watch_kmsg(why, sizeof(why)))
		finding(name, o, o->first + (n ? n - 1 : 0), why, res);
	fuzz_watch_close();
	if (vm >= 0)
		close(vm);
	if (dev >= 0)
		close(dev);
	printf("# %s: seed %" PRIu64 " iterations %" PRIu64 "..%" PRIu64 ": %" PRIu64
	       " calls in %.1f s (%.0f calls/s, %.1f iterations/s), %" PRIu64 " findings\n",
	       name, o->seed, o->first, o->first + (res->iters ? res->iters - 1 : 0), res->calls,
	       res->seconds, res->seconds > 0 ? res->calls / res->seconds : 0.0,
	       res->seconds > 0 ? res->iters / res->seconds : 0.0, res->findings);
	fflush(stdout);
	return res->findings ? 1 : 0;
}
