// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench: the clock, the statistics of a measurement's batches, counter
 * deltas and the kernel's memory counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

/*
 * CLOCK_MONOTONIC: in Bochs (clock: sync=none) it follows the instruction
 * count, so a run's figures are deterministic; in QEMU it is the wall clock.
 */
uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction @p of the sorted @v (linear between neighbours). */
static double quantile(const double *v, int n, double p)
{
	double pos = p * (n - 1);
	int i = (int)pos;

	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

/* Median, quartiles and range of @v (sorted in place). */
void bench_stat_compute(struct bench_stat *s, double *v, int n)
{
	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = quantile(v, n, 0.5);
	s->q1 = quantile(v, n, 0.25);
	s->q3 = quantile(v, n, 0.75);
}

/* @after -= @before, by name; a counter @before lacks stays as it is. */
int bench_counters_delta(struct bench_counters *after, const struct bench_counters *before)
{
	int i, j;

	for (i = 0; i < after->nr; i++)
		for (j = 0; j < before->nr; j++)
			if (!strcmp(after->name[i], before->name[j])) {
				after->value[i] -= before->value[j];
				break;
			}
	return 0;
}

const char *const bench_mem_names[MEM_NR] = {
	[MEM_FREE] = "MemFree",
	[MEM_SLAB] = "Slab",
	[MEM_KERNEL_STACK] = "KernelStack",
	[MEM_PAGE_TABLES] = "PageTables",
	[MEM_VMALLOC] = "VmallocUsed",
};

/* The fields of /proc/meminfo in @kb; 0, or -errno (-ENOENT: one missing). */
int bench_meminfo(int64_t kb[MEM_NR])
{
	char line[256], name[64];
	long long v;
	int i, found = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", name, &v) != 2)
			continue;
		for (i = 0; i < MEM_NR; i++)
			if (!strcmp(name, bench_mem_names[i])) {
				kb[i] = v;
				found++;
			}
	}
	fclose(f);
	return found == MEM_NR ? 0 : -ENOENT;
}
