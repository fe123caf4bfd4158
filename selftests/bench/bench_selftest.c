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
#include <linux/kvm.h>

#include "bench.h"
#include "bench_fake.h"
#include "bench_vmm.h"

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

static void run(struct bench_hv *hv, const struct bench_opts *o, const struct bench_workload *w,
		struct bench_side *s)
{
	memset(s, 0, sizeof(*s));
	s->ran = true;
	snprintf(s->check, sizeof(s->check), "ok");
	w->measure(hv, o, w, s);
}

static const struct fake_opts khv_ok = { KHV_HC_API_VERSION, KHV_API_VERSION, -1, false, false, 0 };
static const struct fake_opts kvm_ok = { 1, 0, -1, false, false, 0 };

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
		bench_out_json(f, i ? "" : BENCH_JSON_PREFIX, w, &o, &a, &b);
		fclose(f);
		if (!i)
			ok(!strncmp(json, BENCH_JSON_PREFIX "{", strlen(BENCH_JSON_PREFIX) + 1),
			   w->name, "marks its JSON line on stdout", json);
		ok(json[i ? 0 : strlen(BENCH_JSON_PREFIX)] == '{' && json[len - 1] == '\n' &&
		   (mem || !strstr(json, "\"ratio\":null")),
		   w->name, "gives a JSON line with its ratio", json);
		free(json);
	}
}

/* A fault in the fake hypervisor's @side: @name's check must catch it. */
static void caught(const char *name, bool on_kvm, struct fake_opts fault, const char *why)
{
	struct bench_opts o = { .iterations = 20, .batches = 2, .vms = 2,
				.touch_bytes = 2ul << 20, .vendor = KHV_VENDOR_INTEL,
				.watchdog_ms = 300 };
	const struct bench_workload *w = bench_find_workload(name);
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
	bench_out_json(f, "", w, &o, &a, &b);
	fclose(f);
	ok(!!strstr(json, "\"ratio\":null"), name, "with a fault: no ratio", json);
	free(json);
}

/*
 * The two VMMs' shared parts (bench_vmm.h) on each ABI's structures: an
 * exit of every kind decoded, registers and segments as the guests need.
 */
#define CHECK_DECODE(name, run_t, exit_hlt, exit_io, exit_mmio, io_out, io_in) do { \
	const uint32_t HLT = (exit_hlt), IO = (exit_io), MMIO = (exit_mmio);	\
	const uint8_t OUT = (io_out), IN = (io_in);				\
	const char *abi = (name);						\
	static union { run_t run; uint8_t page[4096]; } u;			\
	struct bench_exit e;							\
	uint32_t v = 0x1234;							\
									\
	memset(&u, 0, sizeof(u));						\
	u.run.exit_reason = HLT;						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_HLT, abi, "decodes HLT", NULL);			\
	u.run.exit_reason = IO;							\
	u.run.io.direction = OUT;						\
	u.run.io.size = 4;							\
	u.run.io.port = BENCH_PORT;						\
	u.run.io.count = 1;							\
	u.run.io.data_offset = 2048;						\
	memcpy(u.page + 2048, &v, 4);						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_IO_OUT && e.addr == BENCH_PORT && e.size == 4 &&	\
	   e.data == v && e.raw_reason == IO, abi, "decodes an OUT", NULL);	\
	u.run.io.direction = IN;						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_OTHER, abi, "refuses an IN", NULL);		\
	u.run.io.direction = OUT;						\
	u.run.io.data_offset = 4094;						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_OTHER, abi, "refuses data past the page", NULL);	\
	u.run.exit_reason = MMIO;						\
	u.run.mmio.phys_addr = BENCH_MMIO_GPA;					\
	u.run.mmio.len = 4;							\
	u.run.mmio.is_write = 1;						\
	memcpy(u.run.mmio.data, &v, 4);						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_MMIO_WRITE && e.addr == BENCH_MMIO_GPA &&	\
	   e.data == v, abi, "decodes an MMIO write", NULL);			\
	u.run.mmio.is_write = 0;						\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_OTHER, abi, "refuses an MMIO read", NULL);	\
	u.run.exit_reason = 0x7f;						\
	memset(&u.run.io, 0, 8);						\
	u.run.io.port = 0xabcd;							\
	BENCH_EXIT_DECODE(&u.run, sizeof(u), &e, HLT, IO, MMIO, OUT);	\
	ok(e.kind == BENCH_EXIT_OTHER && e.raw_reason == 0x7f &&		\
	   e.addr == 0xabcd0000ull, abi, "keeps an unknown exit's first word", NULL);	\
} while (0)

#define CHECK_STATE(name, regs_t, sregs_t) do {				\
	const char *abi = (name);						\
	struct bench_regs in = { 1, 2, 3, 4, 5, 6, 7, 0x1000 }, out;		\
	regs_t r;								\
	sregs_t s;								\
									\
	memset(&s, 0xff, sizeof(s));						\
	BENCH_REGS_PUT(&r, &in);						\
	BENCH_REGS_GET(&out, &r);						\
	ok(!memcmp(&in, &out, sizeof(in)) && r.rflags == 2 && !r.r8, abi,	\
	   "keeps the registers, interrupts off", NULL);			\
	BENCH_SREGS_FLAT32(&s);							\
	ok(s.cs.selector == BENCH_SEL_CODE32 && s.cs.db && !s.cs.l && s.cs.s &&	\
	   s.cs.limit == 0xffffffff && s.cs.type == 0xb && !s.cs.dpl &&		\
	   s.ss.selector == BENCH_SEL_DATA && s.ss.type == 3 && !s.ss.unusable &&	\
	   s.tr.type == 0xb && !s.tr.s && s.ldt.unusable && s.cr0 == 0x31 &&	\
	   !s.efer && !s.cr4 && s.gdt.base == BENCH_GDT_GPA &&			\
	   s.idt.base == BENCH_IDT_GPA && s.idt.limit == BENCH_IDT_LIMIT,	\
	   abi, "sets flat 32-bit protected mode", NULL);			\
} while (0)

/* Guests that computed different results (CPUID's vendor) get no ratio. */
static void results_differ(void)
{
	struct bench_opts o = { .iterations = 10, .batches = 1, .vms = 1,
				.touch_bytes = 2ul << 20, .vendor = KHV_VENDOR_AMD };
	const struct bench_workload *w = bench_find_workload("cpuid");
	struct fake_opts intel = kvm_ok;
	struct bench_hv khv, kvm;
	struct bench_side a, b;
	char *json;
	size_t len;
	FILE *f;

	intel.intel = true;
	bench_fake_open(&khv, false, &khv_ok);
	bench_fake_open(&kvm, true, &intel);
	run(&khv, &o, w, &a);
	run(&kvm, &o, w, &b);
	f = open_memstream(&json, &len);
	bench_out_json(f, "", w, &o, &a, &b);
	fclose(f);
	ok(a.has_result && b.has_result && !strcmp(a.check, "ok") && !strcmp(b.check, "ok") &&
	   strstr(json, "\"result\":[1752462657,1769238117,1145913699]") &&
	   strstr(json, "\"ratio\":null"), "cpuid", "with different vendors: no ratio", json);
	free(json);
}

/*
 * --cost: a KHV-BENCH-COST line after each timed batch of the timed
 * workloads, numbered as the plugin numbers its windows (each begin, the
 * warm-up's included, takes the next number after the reset), with the
 * operations the batch timed; none for the memory workloads. The markers
 * themselves run here as the NOPs they are on hardware.
 */
static void cost_lines(void)
{
	struct bench_opts o = { .iterations = 7, .batches = 2, .vms = 2,
				.touch_bytes = 2ul << 20, .vendor = KHV_VENDOR_AMD };
	static const char *const names[] = { "cpuid", "create_destroy", "stream", "mem_per_vm" };
	static const char *const want =
		BENCH_COST_PREFIX "reset\n"
		BENCH_COST_PREFIX "2 cpuid khv 7\n"
		BENCH_COST_PREFIX "3 cpuid khv 7\n"
		BENCH_COST_PREFIX "5 cpuid kvm 7\n"
		BENCH_COST_PREFIX "6 cpuid kvm 7\n"
		BENCH_COST_PREFIX "8 create_destroy khv 1\n"
		BENCH_COST_PREFIX "9 create_destroy khv 1\n"
		BENCH_COST_PREFIX "11 create_destroy kvm 1\n"
		BENCH_COST_PREFIX "12 create_destroy kvm 1\n"
		BENCH_COST_PREFIX "14 stream khv 512\n"
		BENCH_COST_PREFIX "15 stream khv 512\n"
		BENCH_COST_PREFIX "17 stream kvm 512\n"
		BENCH_COST_PREFIX "18 stream kvm 512\n";
	struct bench_hv khv, kvm;
	struct bench_side a, b;
	char *text;
	size_t len, i;

	bench_fake_open(&khv, false, &khv_ok);
	bench_fake_open(&kvm, true, &kvm_ok);
	o.cost = open_memstream(&text, &len);
	bench_cost_mark(&o, BENCH_COST_RESET);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		run(&khv, &o, bench_find_workload(names[i]), &a);
		run(&kvm, &o, bench_find_workload(names[i]), &b);
	}
	fclose(o.cost);
	ok(!strcmp(text, want), "--cost", "numbers each timed batch as the plugin does", text);
	free(text);
}

/* --only's comma list, and the mitigations line from khv's debugfs file. */
static void only_list_and_mitigations(void)
{
	static const char file[] = "l1d on\nverw unneeded\nibpb off\nrsb fixed\n";
	char bad[64], line[128];
	FILE *f;

	ok(bench_only_has(NULL, "cpuid"), "--only", "absent means every workload", NULL);
	ok(bench_only_has("null_exit,cpuid,hypercall", "cpuid") &&
	   bench_only_has("null_exit,cpuid,hypercall", "hypercall") &&
	   !bench_only_has("null_exit,cpuid,hypercall", "pio_user") &&
	   !bench_only_has("cpuid", "cpu") && !bench_only_has("cpu", "cpuid"),
	   "--only", "matches whole names of the list", NULL);
	ok(!bench_only_check("null_exit,cpuid,hypercall,pio_user", bad, sizeof(bad)),
	   "--only", "takes the exit workloads", bad);
	ok(bench_only_check("cpuid,nope,stream", bad, sizeof(bad)) == -1 &&
	   !strcmp(bad, "nope"), "--only", "names the first unknown workload", bad);
	ok(bench_only_check("cpuid,", bad, sizeof(bad)) == -1 && !bad[0],
	   "--only", "refuses an empty name", bad);
	f = fmemopen((void *)file, strlen(file), "r");
	ok(f && !bench_mitig_line(f, line, sizeof(line)) &&
	   !strcmp(line, "l1d=on verw=unneeded ibpb=off rsb=fixed"),
	   "mitigations", "one line of name=state", line);
	if (f)
		fclose(f);
	f = fmemopen((void *)"\n", 1, "r");
	ok(f && bench_mitig_line(f, line, sizeof(line)) == -1, "mitigations",
	   "an empty file is none", line);
	if (f)
		fclose(f);
}

int main(void)
{
	struct fake_opts drop_other = khv_ok, drop_exits = kvm_ok, corrupt = khv_ok;
	struct fake_opts lose = khv_ok, lose_kvm = kvm_ok;

	printf("TAP version 13\n");
	CHECK_DECODE("khv", struct khv_run, KHV_EXIT_HLT, KHV_EXIT_IO, KHV_EXIT_MMIO,
		     KHV_EXIT_IO_OUT, KHV_EXIT_IO_IN);
	CHECK_DECODE("kvm", struct kvm_run, KVM_EXIT_HLT, KVM_EXIT_IO, KVM_EXIT_MMIO,
		     KVM_EXIT_IO_OUT, KVM_EXIT_IO_IN);
	CHECK_STATE("khv", struct khv_regs, struct khv_sregs);
	CHECK_STATE("kvm", struct kvm_regs, struct kvm_sregs);
	all_pass(KHV_VENDOR_AMD);
	all_pass(KHV_VENDOR_INTEL);
	drop_other.drop = FAKE_OTHER;
	caught("null_exit", false, drop_other, "counted 0 exits as other");
	drop_other.drop = FAKE_NPF;
	caught("first_touch_capped", false, drop_other, "counted 0 exits as npf");
	drop_exits.drop = FAKE_CPUID;
	caught("cpuid", true, drop_exits, "counted");
	corrupt.corrupt = true;
	caught("pio_user", false, corrupt, "exit 1 after 0 operations");
	caught("mmio_user", false, corrupt, "exit 2 after 0 operations");
	caught("first_touch", false, corrupt, "guest RAM holds");
	caught("stream", false, corrupt, "guest RAM holds");
	caught("hypercall", false, khv_ok, "hypercall");
	/* An interrupt lost leaves a vCPU in HLT: the watchdog ends the batch. */
	lose.lose_irq = 3;
	caught("lapic_timer", false, lose, "watchdog: no end in 300 ms");
	caught("ipi", false, lose, "watchdog: no end in 300 ms");
	lose_kvm.lose_irq = 1;
	caught("ipi", true, lose_kvm, "watchdog: no end in 300 ms");
	drop_other.drop = FAKE_HLT;
	caught("lapic_timer", false, drop_other, "counted 0 exits as hlt");
	caught("ipi", false, drop_other, "counted 0 exits as hlt");
	caught("lapic_timer", false, corrupt, "vCPU 0: exit 1 (kind 1, 0x3f0, 4 bytes: 0), expected the OUT of 4294967295");
	results_differ();
	cost_lines();
	only_list_and_mitigations();
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
