// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_fuzz_test: the short fixed-seed pass of khv's fuzzers that make check
 * runs (Documentation/fuzzing.rst); make fuzz runs them for longer with
 * khv_fuzz. Each test fails with the seed and iteration of what it found:
 * "khv_fuzz NAME --seed S --iter I" replays that iteration.
 *
 * KHV_FUZZ_ITERS=N in the environment changes every pass's length.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "fuzz.h"

#define FUZZ_SEED	0x6b6876	/* "khv" */

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, access("/dev/khv", R_OK | W_OK))
		TH_LOG("no /dev/khv");
}

FIXTURE_TEARDOWN(fuzz)
{
}

static void short_pass(struct __test_metadata *_metadata, const char *name,
		       fuzz_iter_fn fn, uint64_t iters, bool hold_vm)
{
	/*
	 * kmemleak's two scans per pass cost minutes on the debug host; make
	 * check's plan scans once after all the kselftests (scripts/rig/init.sh).
	 */
	struct fuzz_opts o = { .seed = FUZZ_SEED, .iters = iters, .batch = 50, .hold_vm = hold_vm,
			       .no_kmemleak = true };
	const char *env = getenv("KHV_FUZZ_ITERS");
	struct fuzz_result res;

	if (env)
		o.iters = strtoull(env, NULL, 0);
	EXPECT_EQ(0, fuzz_run(name, fn, &o, &res))
		TH_LOG("%llu findings: see the FINDING lines above",
		       (unsigned long long)res.findings);
	EXPECT_EQ(o.iters, res.iters);
}

TEST_F_TIMEOUT(fuzz, abi, 1200)
{
	short_pass(_metadata, "abi", fuzz_abi_iter, 30, true);
}

TEST_F_TIMEOUT(fuzz, guest, 1200)
{
	short_pass(_metadata, "guest", fuzz_guest_iter, 100, true);
	fuzz_guest_report();
}

TEST_F_TIMEOUT(fuzz, nl, 1200)
{
	short_pass(_metadata, "nl", fuzz_nl_iter, 30, true);
}

TEST_HARNESS_MAIN
