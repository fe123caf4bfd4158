/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khv's own fuzzers (Documentation/fuzzing.rst): a seeded PRNG, the fuzzers'
 * entry points and the checks run between iterations.
 *
 * Every iteration draws from its own generator, seeded from (seed, iteration)
 * alone, so that "--seed S --iter I" replays iteration I by itself. Threads
 * of one iteration draw from generators seeded from (seed, iteration, thread):
 * what each thread does is replayed, the interleaving is not.
 */
#ifndef KHV_FUZZ_H
#define KHV_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, every seed is good. */
struct fuzz_rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct fuzz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct fuzz_rng *r, uint64_t seed, uint64_t iter,
			    uint64_t stream)
{
	r->s = seed;
	r->s = rng_next(r) ^ iter;
	r->s = rng_next(r) ^ stream;
	rng_next(r);
}

/* 0 .. n - 1 (n > 0). */
static inline uint64_t rng_below(struct fuzz_rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* True with probability pct / 100. */
static inline bool rng_pct(struct fuzz_rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* A value from the edges (0, 1, -1, powers of two and their neighbours) or anything. */
uint64_t rng_edgy(struct fuzz_rng *r);
/* Flip bits or overwrite a few bytes of @buf. */
void rng_mutate(struct fuzz_rng *r, void *buf, size_t len);
void rng_fill(struct fuzz_rng *r, void *buf, size_t len);

/* What a run does and counts. */
struct fuzz_opts {
	uint64_t seed;
	uint64_t first;		/* first iteration */
	uint64_t iters;		/* how many (0: until the time is up) */
	unsigned int seconds;	/* time budget (0: none) */
	unsigned int batch;	/* iterations between the counter checks */
	bool quiet;		/* progress lines every minute, not every 30 s */
	bool verbose;		/* a line per iteration, and fuzz_trace */
	/*
	 * Hold a VM of our own through the run: virtualization stays on, and
	 * iterations do not pay for switching it on and off on every CPU.
	 */
	bool hold_vm;
	/* No kmemleak scans at the end (make check's plan scans after all the tests). */
	bool no_kmemleak;
};

struct fuzz_result {
	uint64_t iters;
	uint64_t calls;		/* syscalls or KHV_RUNs made */
	uint64_t findings;
	double seconds;
};

/* One iteration of a fuzzer: 0, or 1 with @why filled when it found something. */
typedef int (*fuzz_iter_fn)(uint64_t seed, uint64_t iter, uint64_t *calls,
			    char *why, size_t len);

int fuzz_abi_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len);
int fuzz_guest_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len);
int fuzz_nl_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len);
/* The guest fuzzer's time per iteration, by step, since the last report. */
void fuzz_guest_report(void);

/*
 * Run @fn over the iterations @o asks for, checking the host after every
 * iteration (kernel log) and every batch (counters, kmemleak at the end).
 * Prints "FINDING <name> seed S iter I: ..." for each finding.
 */
int fuzz_run(const char *name, fuzz_iter_fn fn, const struct fuzz_opts *o,
	     struct fuzz_result *res);

/* The host checks (fuzz_watch.c). */
int fuzz_watch_open(void);
/* New kernel log lines that report a bug: 1 and @why, else 0. */
int fuzz_watch_kmsg(char *why, size_t len);
/* khv's counters back where they started: 1 and @why, else 0. */
int fuzz_watch_counters(char *why, size_t len);
/* kmemleak: 1 and @why when it suspects a khv object, 0 otherwise or without it. */
int fuzz_watch_kmemleak(char *why, size_t len);
void fuzz_watch_close(void);

/*
 * The emulated hosts' own limits (fuzz_host.c): whether this is QEMU's TCG,
 * and the TR a vCPU may be given there without QEMU aborting.
 */
struct khv_sregs;
bool fuzz_host_qemu_tcg(void);
void fuzz_host_tr(struct khv_sregs *s);
bool fuzz_host_bochs(void);

/*
 * The guest fuzzer's KHV_RUNs are bounded at 1 to 5.75 times a base, in
 * microseconds: fuzz_run_us (khv_fuzz --run-us) if set, else the
 * environment's KHV_FUZZ_RUN_US, else one of these by host.
 */
#define FUZZ_RUN_US		1000
#define FUZZ_RUN_US_BOCHS	100
extern unsigned int fuzz_run_us;
unsigned int fuzz_host_run_us(void);

/*
 * --verbose: every step of every iteration on stderr (where a run hangs),
 * each line sent before the next step: on a serial console, a host that
 * stops still shows the last one.
 */
extern bool fuzz_trace;
void fuzz_trace_drain(void);
#define FUZZ_TRACE(fmt, ...) do {						\
	if (fuzz_trace) {							\
		fprintf(stderr, "# trace " fmt "\n", ##__VA_ARGS__);		\
		fuzz_trace_drain();						\
	}									\
} while (0)

/* A monotonic clock in seconds. */
double fuzz_now(void);

#endif /* KHV_FUZZ_H */
