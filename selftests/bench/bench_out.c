// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench's output: a table for people (workload, khv, KVM, khv/KVM) and
 * one JSON object per workload and line for machines (scripts/bench.sh),
 * both from the same struct bench_side. The ratio is khv's figure over
 * KVM's, below 1 where khv needs less; it is printed only where both sides
 * ran and passed their checks.
 */
#include <stdio.h>
#include <string.h>

#include <linux/khv.h>

#include "bench.h"

static bool side_ok(const struct bench_side *s)
{
	return s && s->ran && !strcmp(s->check, "ok") && s->stat.n > 0;
}

/* The guests computed the same, where they report what. */
static bool same_result(const struct bench_side *khv, const struct bench_side *kvm)
{
	return !khv->has_result || !kvm->has_result ||
	       !memcmp(khv->result, kvm->result, sizeof(khv->result));
}

/* khv / KVM, or a negative number where there is none. */
static double ratio(const struct bench_side *khv, const struct bench_side *kvm)
{
	if (!side_ok(khv) || !side_ok(kvm) || kvm->stat.median <= 0 ||
	    !same_result(khv, kvm))
		return -1;
	return khv->stat.median / kvm->stat.median;
}

static const char *vendor_name(int vendor)
{
	return vendor == KHV_VENDOR_AMD ? "amd" : vendor == KHV_VENDOR_INTEL ? "intel" : "unknown";
}

int bench_mitig_line(FILE *in, char *buf, size_t len)
{
	char name[32], state[32];
	size_t n = 0;
	int got = 0;

	buf[0] = 0;
	while (fscanf(in, "%31s %31s", name, state) == 2) {
		if (n < len)
			n += snprintf(buf + n, len - n, "%s%s=%s", got ? " " : "",
				      name, state);
		got++;
	}
	return got ? 0 : -1;
}

void bench_out_header(const struct bench_opts *o, const char *kvm_state)
{
	printf("# khv_bench: vendor %s, %d batches of %d operations\n",
	       vendor_name(o->vendor), o->batches, o->iterations);
	printf("# each cell: median [min, max] of the batches\n");
	printf("# KVM: %s\n", kvm_state);
	printf("%-19s %-9s %-30s %-30s %s\n", "workload", "unit", "khv", "KVM", "khv/KVM");
}

static void cell(char *buf, size_t len, const struct bench_side *s)
{
	if (!s || !s->ran)
		snprintf(buf, len, "-");
	else if (strcmp(s->check, "ok"))
		snprintf(buf, len, "FAILED");
	else
		snprintf(buf, len, "%.0f [%.0f, %.0f]", s->stat.median, s->stat.min, s->stat.max);
}

static void counters_line(const char *who, const struct bench_side *s)
{
	int i;

	if (!s || !s->has_counters)
		return;
	printf("#   %s counters:", who);
	for (i = 0; i < s->counters.nr; i++)
		if (s->counters.value[i])
			printf(" %s=%llu", s->counters.name[i],
			       (unsigned long long)s->counters.value[i]);
	printf("\n");
}

static void check_line(const char *who, const struct bench_side *s)
{
	if (s && s->ran && strcmp(s->check, "ok"))
		printf("#   %s check failed: %s\n", who, s->check);
}

void bench_out_row(const struct bench_workload *w, const struct bench_opts *o,
		   const struct bench_side *khv, const struct bench_side *kvm)
{
	char a[64], b[64], r[16] = "-";
	double x = ratio(khv, kvm);

	(void)o;
	cell(a, sizeof(a), khv);
	cell(b, sizeof(b), kvm);
	if (x >= 0)
		snprintf(r, sizeof(r), "%.3f", x);
	printf("%-19s %-9s %-30s %-30s %s\n", w->name, w->unit, a, b, r);
	check_line("khv", khv);
	check_line("KVM", kvm);
	if (side_ok(khv) && side_ok(kvm) && !same_result(khv, kvm))
		printf("#   the guests computed different results: no ratio\n");
	counters_line("khv", khv);
	counters_line("KVM", kvm);
}

/* A string for JSON: quotes, backslashes and control characters escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_side(FILE *f, const struct bench_side *s)
{
	int i;

	if (!s || !s->ran) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"check\":");
	json_str(f, s->check);
	if (s->stat.n) {
		fprintf(f, ",\"n\":%d,\"median\":%.1f,\"min\":%.1f", s->stat.n,
			s->stat.median, s->stat.min);
		fprintf(f, ",\"q1\":%.1f,\"q3\":%.1f,\"max\":%.1f", s->stat.q1, s->stat.q3,
			s->stat.max);
	}
	if (s->has_mem) {
		fprintf(f, ",\"kib\":{");
		for (i = 0; i < MEM_NR; i++)
			fprintf(f, "%s\"%s\":%.1f", i ? "," : "", bench_mem_names[i], s->mem_kb[i]);
		fprintf(f, "}");
	}
	if (s->has_result)
		fprintf(f, ",\"result\":[%u,%u,%u]", s->result[0], s->result[1], s->result[2]);
	if (s->has_counters) {
		fprintf(f, ",\"counters\":{");
		for (i = 0; i < s->counters.nr; i++)
			fprintf(f, "%s\"%s\":%llu", i ? "," : "", s->counters.name[i],
				(unsigned long long)s->counters.value[i]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

int bench_out_json(FILE *f, const char *prefix, const struct bench_workload *w,
		   const struct bench_opts *o, const struct bench_side *khv,
		   const struct bench_side *kvm)
{
	double x = ratio(khv, kvm);

	fprintf(f, "%s{\"workload\":\"%s\",\"unit\":\"%s\",", prefix, w->name,
		w->unit);
	fprintf(f, "\"vendor\":\"%s\",", vendor_name(o->vendor));
	fprintf(f, "\"iterations\":%d,\"batches\":%d,\"khv\":", o->iterations, o->batches);
	json_side(f, khv);
	fprintf(f, ",\"kvm\":");
	json_side(f, kvm);
	if (x >= 0)
		fprintf(f, ",\"ratio\":%.4f}\n", x);
	else
		fprintf(f, ",\"ratio\":null}\n");
	fflush(f);
	return ferror(f) ? -1 : 0;
}
