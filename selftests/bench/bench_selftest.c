// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench's own test, on the build machine (make -C selftests
 * bench-check): every workload against two hypervisors that interpret the
 * guests (bench_fake.c), which must pass every check and give figures and
 * ratios; then faults injected one at a time, each of which a check must
 * catch. TAP output.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/khv.h>

#include "bench.h"
#include "bench_fake.h"

static int tests, failures;

/* A TAP line: "ok N - WHAT DESC", and @detail after a failure. */
static void ok(int cond, const char *what, const char *desc, const char *detail)
{
	tests++;
	if (!cond)
		failures++;
	printf("%sok %d - %s %s", cond ? "" : "not ", tests, what, desc);
	if (!cond && detail)
		printf(" # %s", detail);
	printf("\n");
}

static const struct bench_workload *workload(const char *name)
{
	int i;

	for (i = 0; i < bench_nr_workloads; i++)
		if (!strcmp(bench_workloads[i].name, name))
			return &bench_workloads[i];
	return NULL;
}

static void run(struct bench_hv *hv, const struct bench_opts *o, const struct bench_workload *w,
		struct bench_side *s)
{
	memset(s, 0, sizeof(*s));
	s->ran = true;
	snprintf(s->check, sizeof(s->check), "ok");
	w->measure(hv, o, w, s);
}

static const struct fake_opts khv_ok = { KHV_HC_API_VERSION, KHV_API_VERSION, -1, false };
static const struct fake_opts kvm_ok = { 1, 0, -1, false };

/* Every workload passes on both and has a figure, a ratio and a JSON line. */
static void all_pass(int vendor)
{
	struct bench_opts o = { .iterations = 50, .batches = 3, .vms = 4,
				.touch_bytes = 4ul << 20, .vendor = vendor };
	struct bench_hv khv, kvm;
	struct bench_side a, b;
	char *json;
	size_t len;
	FILE *f;
	int i;

	bench_fake_open(&khv, false, &khv_ok);
	bench_fake_open(&kvm, true, &kvm_ok);
	bench_out_header(&o, "fake");
	for (i = 0; i < bench_nr_workloads; i++) {
		const struct bench_workload *w = &bench_workloads[i];
		bool mem = w->unit[0] == 'K';

		run(&khv, &o, w, &a);
		run(&kvm, &o, w, &b);
		bench_out_row(w, &o, &a, &b);
		ok(!strcmp(a.check, "ok") && !strcmp(b.check, "ok"), w->name, "passes its checks",
		   strcmp(a.check, "ok") ? a.check : b.check);
		ok(a.stat.n == (mem ? 3 : o.batches) && b.stat.n == a.stat.n &&
		   (mem || (a.stat.min > 0 && a.stat.min <= a.stat.median &&
			    a.stat.median <= a.stat.max)),
		   w->name, "has a median of its batches", NULL);
		f = open_memstream(&json, &len);
		bench_out_json(f, w, &o, &a, &b);
		fclose(f);
		ok(json[0] == '{' && json[len - 1] == '\n' &&
		   (mem || !strstr(json, "\"ratio\":null")),
		   w->name, "gives a JSON line with its ratio", json);
		free(json);
	}
}

/* A fault in the fake hypervisor's @side: @name's check must catch it. */
static void caught(const char *name, bool on_kvm, struct fake_opts fault, const char *why)
{
	struct bench_opts o = { .iterations = 20, .batches = 2, .vms = 2,
				.touch_bytes = 2ul << 20, .vendor = KHV_VENDOR_INTEL };
	const struct bench_workload *w = workload(name);
	struct bench_hv khv, kvm;
	struct bench_side a, b;
	char *json;
	size_t len;
	FILE *f;

	bench_fake_open(&khv, false, on_kvm ? &khv_ok : &fault);
	bench_fake_open(&kvm, true, on_kvm ? &fault : &kvm_ok);
	run(&khv, &o, w, &a);
	run(&kvm, &o, w, &b);
	if (!strcmp(why, "hypercall")) {
		/* The hypervisor answers, with what the bench does not expect. */
		khv.hc_ret++;
		run(&khv, &o, w, &a);
	}
	ok(!!strstr((on_kvm ? &b : &a)->check, why), name, "with a fault: found",
	   (on_kvm ? &b : &a)->check);
	f = open_memstream(&json, &len);
	bench_out_json(f, w, &o, &a, &b);
	fclose(f);
	ok(!!strstr(json, "\"ratio\":null"), name, "with a fault: no ratio", json);
	free(json);
}

int main(void)
{
	struct fake_opts drop_other = khv_ok, drop_exits = kvm_ok, corrupt = khv_ok;

	printf("TAP version 13\n");
	all_pass(KHV_VENDOR_AMD);
	all_pass(KHV_VENDOR_INTEL);
	drop_other.drop = FAKE_OTHER;
	caught("null_exit", false, drop_other, "counted 0 exits as other");
	drop_exits.drop = FAKE_CPUID;
	caught("cpuid", true, drop_exits, "counted");
	corrupt.corrupt = true;
	caught("pio_user", false, corrupt, "exit 1 after 0 operations");
	caught("mmio_user", false, corrupt, "exit 2 after 0 operations");
	caught("first_touch", false, corrupt, "guest RAM holds");
	caught("stream", false, corrupt, "guest RAM holds");
	caught("hypercall", false, khv_ok, "hypercall");
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
