// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_fuzz: khv's fuzzers from the command line (Documentation/fuzzing.rst).
 *
 *   khv_fuzz abi|guest|nl|all [--seed S] [--iter I] [--iters N] [--seconds T]
 *            [--run-us U]
 *
 * --iter I alone replays iteration I of seed S; with --iters N, runs N
 * iterations from I. --seconds bounds the run in time. --run-us sets the
 * base of the guest fuzzer's run bounds. Exit status 1 when something was
 * found.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/*
 * Each holds a VM through the run: switching virtualization on and off on
 * every CPU costs seconds in the emulated hosts (khv_dev_test covers it).
 */
static const struct {
	const char *name;
	fuzz_iter_fn fn;
	bool hold_vm;
	void (*report)(void);
} fuzzers[] = {
	{ "abi", fuzz_abi_iter, true, NULL },
	{ "guest", fuzz_guest_iter, true, fuzz_guest_report },
	{ "nl", fuzz_nl_iter, true, NULL },
};

static void usage(void)
{
	fprintf(stderr, "usage: khv_fuzz abi|guest|nl|all [--seed S] [--iter I] [--iters N]\n"
			"                [--seconds T] [--batch B] [--run-us U] [--quiet] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iter", required_argument, NULL, 'i' },
		{ "iters", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "run-us", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct fuzz_opts o = { .seed = 1 };
	struct fuzz_result res;
	bool iter_given = false;
	int c, found = 0;
	size_t i, n = 0;
	const char *which;

	if (argc < 2)
		usage();
	which = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			o.first = strtoull(optarg, NULL, 0);
			iter_given = true;
			break;
		case 'n':
			o.iters = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o.seconds = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			o.batch = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'u':
			fuzz_run_us = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (iter_given && !o.iters)
		o.iters = 1;
	if (!o.iters && !o.seconds)
		o.iters = 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(fuzzers); i++) {
		if (strcmp(which, "all") && strcmp(which, fuzzers[i].name))
			continue;
		n++;
		o.hold_vm = fuzzers[i].hold_vm;
		found |= fuzz_run(fuzzers[i].name, fuzzers[i].fn, &o, &res);
		if (fuzzers[i].report)
			fuzzers[i].report();
	}
	if (!n)
		usage();
	return found;
}
