// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench: khv against KVM on the same guest bytes, in the same host
 * (Documentation/performance.md; make bench runs it in the emulated hosts).
 *
 *   khv_bench [--iterations N] [--batches N] [--vms N] [--touch-mib N]
 *             [--only W[,W...]] [--khv-only] [--json FILE|-] [--cost] [--smoke] [--list]
 *
 * Prints a table (workload, khv, KVM, khv/KVM) and, with --json, one JSON
 * object per workload and line (--json -: on stdout, after the workload's
 * row, marked BENCH_JSON_PREFIX, so that a run cut short keeps what it
 * measured). With --cost, each timed batch is bracketed by the cost model's
 * markers and followed by a "KHV-BENCH-COST: SEQ WORKLOAD HV OPERATIONS"
 * line (bench_cost.c). It starts with the mitigations khv's entry path
 * applies (BENCH_KHV_MITIGATIONS). Without /dev/kvm, or with --khv-only (make
 * bench BENCH_MITIG=1 reloads khv without one mitigation at a time), it says
 * so and measures
 * khv alone: no ratio is ever printed without both sides. Exit status: 0,
 * 1 when one of khv's checks failed (a guest did not do what it was asked,
 * or khv could not be measured), 2 for a bad command line. KVM is the peer:
 * its failures (a host where it cannot have VMX/SVM now) show in the table
 * and the JSON, without a ratio, and do not fail the run; nor does any
 * figure: a benchmark does not fail on its numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/khv.h>

#include "bench.h"
#include "khv_util.h"

static void print_help(FILE *f)
{
	int i;

	fprintf(f, "usage: khv_bench [--iterations N] [--batches N] [--vms N] [--touch-mib N]\n"
		   "                 [--only W[,W...]] [--khv-only] [--json FILE|-] [--cost] [--smoke]\n"
		   "                 [--list]\n"
		   "  --iterations N  operations per batch of the exit and interrupt workloads\n"
		   "                  (default 1000; create_destroy does N/100 VMs a batch)\n"
		   "  --batches N     timed batches, after one warm-up (default 9)\n"
		   "  --vms N         VMs of the kernel-memory workloads (default 64)\n"
		   "  --touch-mib N   guest RAM the touch workloads write (default 64)\n"
		   "  --only W,W      only these workloads (a comma list)\n"
		   "  --khv-only      measure khv alone, not KVM\n"
		   "  --json FILE     one JSON object per workload and line to FILE\n"
		   "                  (-: to stdout, each marked " BENCH_JSON_PREFIX ")\n"
		   "  --cost          the cost model's markers around each timed batch, and a\n"
		   "                  line per batch marked " BENCH_COST_PREFIX "(under QEMU\n"
		   "                  with tools/costmodel/khv_cost.so)\n"
		   "  --smoke         one operation, one batch, 2 VMs, 4 MiB: a quick check\n"
		   "workloads:");
	for (i = 0; i < bench_nr_workloads; i++)
		fprintf(f, " %s", bench_workloads[i].name);
	fprintf(f, "\n");
}

/* A number in [@min, @max] from @arg, or exit 2 naming @opt. */
static int int_arg(const char *opt, const char *arg, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "khv_bench: %s wants a number from %d to %d, not '%s'\n",
			opt, min, max, arg);
		exit(2);
	}
	return v;
}

static void parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "batches", required_argument, NULL, 'b' },
		{ "vms", required_argument, NULL, 'v' },
		{ "touch-mib", required_argument, NULL, 't' },
		{ "only", required_argument, NULL, 'o' },
		{ "khv-only", no_argument, NULL, 'k' },
		{ "json", required_argument, NULL, 'j' },
		{ "cost", no_argument, NULL, 'c' },
		{ "smoke", no_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char bad[64];
	int c, i;

	o->iterations = 1000;
	o->batches = 9;
	o->vms = 64;
	o->touch_bytes = 64ul << 20;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iterations = int_arg("--iterations", optarg, 1, 10000000);
			break;
		case 'b':
			o->batches = int_arg("--batches", optarg, 1, 1000);
			break;
		case 'v':
			o->vms = int_arg("--vms", optarg, 1, BENCH_MAX_VMS);
			break;
		case 't':
			o->touch_bytes = (size_t)int_arg("--touch-mib", optarg, 1, 1024) << 20;
			break;
		case 'o':
			if (bench_only_check(optarg, bad, sizeof(bad))) {
				fprintf(stderr, "khv_bench: no workload '%s'\n", bad);
				print_help(stderr);
				exit(2);
			}
			o->only = optarg;
			break;
		case 'k':
			o->khv_only = true;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'c':
			o->cost = stdout;
			break;
		case 's':
			o->iterations = 1;
			o->batches = 1;
			o->vms = 2;
			o->touch_bytes = 4ul << 20;
			break;
		case 'l':
			for (i = 0; i < bench_nr_workloads; i++)
				printf("%s\n", bench_workloads[i].name);
			exit(0);
		case 'h':
			print_help(stdout);
			exit(0);
		default:
			print_help(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "khv_bench: unexpected argument '%s'\n", argv[optind]);
		print_help(stderr);
		exit(2);
	}
}

/* "# khv mitigations: name=state ...": what the figures below paid for. */
static void print_mitigations(char *buf, size_t len)
{
	FILE *f = fopen(BENCH_KHV_MITIGATIONS, "r");

	if (!f) {
		printf("# khv mitigations: unknown (%s: %s)\n", BENCH_KHV_MITIGATIONS,
		       strerror(errno));
		return;
	}
	if (bench_mitig_line(f, buf, len))
		snprintf(buf, len, "unknown (%s is empty)", BENCH_KHV_MITIGATIONS);
	fclose(f);
	printf("# khv mitigations: %s\n", buf);
}

static void measure(struct bench_hv *hv, const struct bench_opts *o,
		    const struct bench_workload *w, struct bench_side *s)
{
	memset(s, 0, sizeof(*s));
	if (!hv)
		return;
	s->ran = true;
	snprintf(s->check, sizeof(s->check), "ok");
	w->measure(hv, o, w, s);
}

int main(int argc, char **argv)
{
	struct bench_hv khv, kvm, *kvmp = &kvm;
	struct bench_side a, b;
	struct bench_opts o = {};
	char why[160], kvm_state[200], mitig[256];
	FILE *json = NULL;
	const char *prefix = "";
	int i, rc = 0;

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bench_khv_open(&khv, why, sizeof(why))) {
		fprintf(stderr, "khv_bench: khv unavailable: %s\n", why);
		return 1;
	}
	o.vendor = khv_check_extension(khv.devfd, KHV_CAP_VENDOR);
	if (o.khv_only) {
		snprintf(kvm_state, sizeof(kvm_state), "not measured (--khv-only)");
		kvmp = NULL;
	} else if (bench_kvm_open(&kvm, why, sizeof(why))) {
		snprintf(kvm_state, sizeof(kvm_state),
			 "absent (%s): khv alone, no ratios", why);
		kvmp = NULL;
	} else {
		snprintf(kvm_state, sizeof(kvm_state), "/dev/kvm, the same guests");
	}
	if (o.json && !strcmp(o.json, "-")) {
		json = stdout;
		prefix = BENCH_JSON_PREFIX;
	} else if (o.json) {
		json = fopen(o.json, "w");
		if (!json) {
			fprintf(stderr, "khv_bench: %s: %s\n", o.json, strerror(errno));
			return 1;
		}
	}
	bench_out_header(&o, kvm_state);
	bench_cost_mark(&o, BENCH_COST_RESET);
	print_mitigations(mitig, sizeof(mitig));
	for (i = 0; i < bench_nr_workloads; i++) {
		const struct bench_workload *w = &bench_workloads[i];

		if (!bench_only_has(o.only, w->name))
			continue;
		measure(&khv, &o, w, &a);
		measure(kvmp, &o, w, &b);
		bench_out_row(w, &o, &a, &b);
		if (json && bench_out_json(json, prefix, w, &o, &a, kvmp ? &b : NULL)) {
			fprintf(stderr, "khv_bench: writing %s failed\n", o.json);
			rc = 1;
		}
		if (strcmp(a.check, "ok"))
			rc = 1;
	}
	if (json && json != stdout && fclose(json))
		rc = 1;
	bench_hv_close(&khv);
	if (kvmp)
		bench_hv_close(kvmp);
	return rc;
}
