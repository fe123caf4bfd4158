// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost-model plugin's own test (make -C tools/costmodel check): run
 * under qemu-x86_64 with khv_cost.so, it executes the markers around known
 * numbers of instructions of each class, then reads the records the plugin
 * wrote (it flushes each one) and checks them. TAP output.
 *
 *   qemu-x86_64 -plugin ./khv_cost.so,kernel=0,outfile=F ./cost_test F
 *   qemu-x86_64 -plugin ./khv_cost.so,outfile=F ./cost_test F filtered
 *
 * The second form keeps the default kernel= address: nothing of a user
 * program may count, but the markers still work.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The markers (tools/costmodel/khv_cost.c): nopl 0x4b48NNNN(%rax,%rax,1). */
#define MARK(id)	".byte 0x0f, 0x1f, 0x84, 0x00\n\t.long 0x4b48000" #id "\n\t"
#define BEGIN		MARK(1)
#define END		MARK(2)
#define RESET		MARK(3)

#define MAX_WINDOWS	32
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* What one window must have counted: "name=N" pairs; insns exact or at least. */
struct expect {
	const char *what;
	char fields[256];
	unsigned long insns;
	int insns_exact;
};

static struct expect windows[MAX_WINDOWS];
static int nr_windows, filtered;
static int tests, failures;

static void ok(int cond, const char *what, const char *detail)
{
	tests++;
	failures += !cond;
	printf("%sok %d - %s", cond ? "" : "not ", tests, what);
	if (!cond && detail)
		printf(" # %s", detail);
	printf("\n");
}

/* A window that ran: the fields it must show (all zero when filtered). */
static void expect(const char *what, const char *fields, unsigned long insns, int exact)
{
	struct expect *e = &windows[nr_windows++];

	e->what = what;
	snprintf(e->fields, sizeof(e->fields), "%s", filtered ? "" : fields);
	e->insns = filtered ? 0 : insns;
	e->insns_exact = filtered || exact;
}

static _Alignas(64) unsigned char area[4096];

/* Unprivileged instructions, one window each group, exact instruction counts. */
static void run_plain(void)
{
	unsigned int eax, ebx, ecx, edx;

	__asm__ volatile(BEGIN
			 "xor %%eax, %%eax\n\tcpuid\n\t"
			 "xor %%eax, %%eax\n\tcpuid\n\t"
			 "xor %%eax, %%eax\n\tcpuid\n\t"
			 END
			 : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : : "memory");
	expect("cpuid x3", "serial=3 cpuid=3", 6, 1);

	__asm__ volatile(BEGIN
			 "rdtsc\n\trdtsc\n\trdtscp\n\t"
			 "lfence\n\tlfence\n\tlfence\n\tlfence\n\t"
			 "mfence\n\tmfence\n\tsfence\n\t"
			 "nop\n\tnop\n\t"
			 END
			 : "=a"(eax), "=c"(ecx), "=d"(edx) : : "memory");
	expect("rdtsc, fences", "msr=3 rdtsc=2 rdtscp=1 serial=6 lfence=4 mfence=2", 12, 1);

	__asm__ volatile(BEGIN
			 "fxsave (%[a])\n\tfxrstor (%[a])\n\t"
			 "fxsave64 (%[a])\n\tfxrstor64 (%[a])\n\t"
			 "xor %%ecx, %%ecx\n\txgetbv\n\t"
			 "xor %%ecx, %%ecx\n\txgetbv\n\t"
			 "mov $3, %%eax\n\txor %%edx, %%edx\n\t"
			 "xsave (%[a])\n\txrstor (%[a])\n\txsaveopt (%[a])\n\t"
			 "xsave64 (%[a])\n\txrstor64 (%[a])\n\t"
			 "clwb (%[a])\n\t"
			 END
			 : "=a"(eax), "=c"(ecx), "=d"(edx) : [a] "r"(area) : "memory");
	expect("fxsave, xsave, xgetbv",
	       "fpu=11 fxsave=2 fxrstor=2 xgetbv=2 xsave=2 xrstor=2 xsaveopt=1", 16, 1);

	/* Look-alikes: RDRAND (0f c7 /6 mod 3), SGDT's neighbour SMSW, a long NOP not ours. */
	__asm__ volatile(BEGIN
			 "rdrand %%eax\n\t"
			 "smsw %%eax\n\t"
			 ".byte 0x0f, 0x1f, 0x84, 0x00, 0x01, 0x00, 0x48, 0x4c\n\t"
			 "sgdt (%[a])\n\tsidt (%[a])\n\tsldt %%eax\n\tstr %%eax\n\t"
			 END
			 : "=a"(eax) : [a] "r"(area) : "memory", "cc");
	expect("look-alikes and descriptor stores", "desc=4 sgdt=1 sidt=1 sldt=1 str=1", 7, 1);
}

static sigjmp_buf trap_env;
static int trapped;

static void on_trap(int sig)
{
	trapped = sig;
	siglongjmp(trap_env, 1);
}

/* A window around one privileged instruction, which traps before the window's end. */
#define PRIV(fn, insn)								\
static void fn(void)								\
{										\
	__asm__ volatile(BEGIN insn : : "a"(0), "c"(0), "d"(0), "D"(area) : "memory");	\
}

PRIV(do_wrmsr, "wrmsr")
PRIV(do_rdmsr, "rdmsr")
PRIV(do_swapgs, "swapgs")
PRIV(do_lgdt, "lgdt (%%rdi)")
PRIV(do_lidt, "lidt (%%rdi)")
PRIV(do_ltr, "ltr %%ax")
PRIV(do_lldt, "lldt %%ax")
PRIV(do_vmrun, "vmrun")
PRIV(do_vmload, "vmload")
PRIV(do_vmsave, "vmsave")
PRIV(do_stgi, "stgi")
PRIV(do_clgi, "clgi")
PRIV(do_invlpga, "invlpga")
PRIV(do_invlpg, "invlpg (%%rdi)")
PRIV(do_movcr3, "mov %%rax, %%cr3")
PRIV(do_movcr0, "mov %%rax, %%cr0")
PRIV(do_movdr7, "mov %%rax, %%db7")
PRIV(do_wbinvd, "wbinvd")
PRIV(do_xsetbv, "xsetbv")
PRIV(do_xrstors, "xrstors (%%rdi)")
PRIV(do_vmptrld, "vmptrld (%%rdi)")
PRIV(do_vmclear, "vmclear (%%rdi)")
PRIV(do_vmread, "vmread %%rax, %%rcx")
PRIV(do_invpcid, "invpcid (%%rdi), %%rax")

/*
 * A privileged instruction in user mode raises #GP or #UD (SIGSEGV or
 * SIGILL). The plugin counts an instruction when it starts, so each one
 * counts once, trap or not; the window ends after the signal handler,
 * whose own instructions count in insns only.
 *
 * QEMU raises #GP for a MOV to CR at CPL 3 before it reads the ModRM byte,
 * so the plugin sees "0f 22" and cannot tell which CR: not counted here,
 * whereas the kernel's are (decode_test.c checks the decoding). QEMU 7.2
 * has no INVPCID at all (#UD after "0f 38 82").
 */
static const struct {
	const char *name, *fields;
	void (*run)(void);
} privileged[] = {
	{ "wrmsr", "msr=1 wrmsr=1", do_wrmsr },
	{ "rdmsr", "msr=1 rdmsr=1", do_rdmsr },
	{ "swapgs", "msr=1 swapgs=1", do_swapgs },
	{ "lgdt", "desc=1 lgdt=1", do_lgdt },
	{ "lidt", "desc=1 lidt=1", do_lidt },
	{ "ltr", "desc=1 ltr=1", do_ltr },
	{ "lldt", "desc=1 lldt=1", do_lldt },
	{ "vmrun", "svm=1 vmrun=1", do_vmrun },
	{ "vmload", "svm=1 vmload=1", do_vmload },
	{ "vmsave", "svm=1 vmsave=1", do_vmsave },
	{ "stgi", "svm=1 stgi=1", do_stgi },
	{ "clgi", "svm=1 clgi=1", do_clgi },
	{ "invlpga", "svm=1 invlpga=1", do_invlpga },
	{ "invlpg", "tlb=1 invlpg=1", do_invlpg },
	{ "mov to cr3", "", do_movcr3 },
	{ "mov to cr0", "", do_movcr0 },
	{ "mov to dr7", "serial=1 movdr=1", do_movdr7 },
	{ "wbinvd", "serial=1 wbinvd=1", do_wbinvd },
	{ "xsetbv", "fpu=1 xsetbv=1", do_xsetbv },
	{ "xrstors", "fpu=1 xrstors=1", do_xrstors },
	{ "vmptrld", "vmx=1 vmptrld=1", do_vmptrld },
	{ "vmclear", "vmx=1 vmclear=1", do_vmclear },
	{ "vmread", "vmx=1 vmread=1", do_vmread },
	{ "invpcid", "", do_invpcid },
};

static void run_privileged(void)
{
	struct sigaction sa = { .sa_handler = on_trap, .sa_flags = SA_NODEFER };
	char what[80];
	unsigned int i;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	for (i = 0; i < ARRAY_SIZE(privileged); i++) {
		trapped = 0;
		if (!sigsetjmp(trap_env, 1))
			privileged[i].run();
		__asm__ volatile(END ::: "memory");
		snprintf(what, sizeof(what), "%s traps in user mode", privileged[i].name);
		ok(trapped, what, NULL);
		expect(privileged[i].name, privileged[i].fields, 1, 0);
	}
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
}

/* The value of " @key=N" in @s, or -1 when @s has none. */
static long field(const char *s, const char *key)
{
	char pat[40];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(s, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

/*
 * Record @i (sequence number i + 1) against its window: every count the
 * window names as it names it, every other class or instruction absent or
 * zero, insns exact or at least.
 */
static void check_record(int i, const char *line)
{
	const struct expect *e = &windows[i];
	char want[300], detail[700], name[80];
	const char *p;
	long v, insns = field(line, "insns");
	int good = 1;

	snprintf(want, sizeof(want), " %s", e->fields);
	for (p = line; (p = strchr(p, ' ')); p++) {
		if (sscanf(p, " %79[a-z0-9]=%ld", name, &v) != 2 || !strcmp(name, "insns"))
			continue;
		if (field(want, name) != (v ? v : field(want, name)))
			good = 0;
	}
	for (p = want; (p = strchr(p, ' ')); p++)
		if (sscanf(p, " %79[a-z0-9]=%ld", name, &v) == 2 && field(line, name) != v)
			good = 0;
	good &= e->insns_exact ? insns == (long)e->insns : insns >= (long)e->insns;
	snprintf(detail, sizeof(detail), "want '%s' insns %s%lu, got '%.300s'", e->fields,
		 e->insns_exact ? "" : ">=", e->insns, line);
	snprintf(name, sizeof(name), "record %d (%s) counts what ran", i + 1, e->what);
	ok(good, name, detail);
}

int main(int argc, char **argv)
{
	char line[1024], want[32];
	int i = 0, resets = 0, outside = 0;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: cost_test PLUGIN-OUTFILE [filtered]\n");
		return 2;
	}
	filtered = argc > 2 && !strcmp(argv[2], "filtered");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A window begun before the reset and one ended without a begin: neither is a record. */
	__asm__ volatile(BEGIN "nop\n\t" RESET END END ::: "memory");
	run_plain();
	run_privileged();
	/* Counted between windows: no record. */
	__asm__ volatile("cpuid" : : "a"(0) : "ebx", "ecx", "edx", "memory");

	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, "khv-cost reset")) {
			resets++;
			continue;
		}
		if (strncmp(line, "khv-cost ", 9)) {
			outside++;
			continue;
		}
		snprintf(want, sizeof(want), "khv-cost %d ", i + 1);
		ok(!strncmp(line, want, strlen(want)),
		   "records are numbered from 1 after the reset", line);
		if (i < nr_windows)
			check_record(i, line);
		i++;
	}
	fclose(f);
	ok(resets == 1, "one reset line", NULL);
	ok(outside == 0, "nothing but records in the file", NULL);
	snprintf(line, sizeof(line), "%d records for %d windows", i, nr_windows);
	ok(i == nr_windows, "one record per window", line);
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
