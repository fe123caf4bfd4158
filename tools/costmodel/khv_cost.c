// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_cost: a QEMU TCG plugin that counts the instructions a host kernel
 * executes that silicon charges far more for than the emulator does (MSR
 * accesses, SVM and VMX instructions, descriptor-table loads, FPU state
 * save and restore, serializing instructions, TLB flushes), between two
 * markers that a user-space program executes (Documentation/performance.md,
 * "The cost model").
 *
 *   qemu-system-x86_64 ... -plugin khv_cost.so[,outfile=PATH][,kernel=ADDR]
 *
 * kernel=ADDR: the lowest address counted (default 0xffff800000000000, the
 * start of the x86-64 kernel half; kernel=0 counts every instruction, for
 * the user-mode test under qemu-x86_64). outfile=PATH: where the records
 * go (default: QEMU's log, i.e. stderr).
 *
 * A marker is a long NOP, nopl 0x4b48NNNN(%rax,%rax,1), bytes
 * 0f 1f 84 00 NN NN 48 4b: harmless and cheap on hardware. NNNN = 0001
 * begins a window (the counters are snapshot), 0002 ends it (a record of
 * the counts since the begin is written), 0003 resets the sequence number
 * (a new run of the program that executes the markers). Each begin takes
 * the next sequence number; an end without a begin writes nothing. A
 * record:
 *
 *   khv-cost SEQ insns=N msr=N svm=N vmx=N desc=N fpu=N serial=N tlb=N vmrun=N [NAME=N...]
 *
 * insns counts every instruction at or above kernel=, the classes and the
 * instructions (NAME: those counted at least once in the window) count
 * the recognised ones; vmrun is VMRUN's count, i.e. guest entries (always
 * there, so not repeated among the NAMEs).
 *
 * The counters are plain 64-bit adds that TCG inlines before each counted
 * instruction: exact for one vCPU (the bench's emulated host has one,
 * KHV_QEMU_SMP=1), and for several vCPUs on one TCG thread (their sum);
 * under multi-threaded TCG with several vCPUs they would race.
 * An instruction counts when it starts: one that faults (a WRMSR that
 * raises #GP) is counted all the same.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum cost_class {
	CLASS_MSR,
	CLASS_SVM,
	CLASS_VMX,
	CLASS_DESC,
	CLASS_FPU,
	CLASS_SERIAL,
	CLASS_TLB,
	CLASS_NR
};

static const char *const class_names[CLASS_NR] = {
	"msr", "svm", "vmx", "desc", "fpu", "serial", "tlb"
};

/* The instructions recognised, each with its own counter. */
enum cost_insn {
	I_NONE = -1,
	I_RDMSR, I_WRMSR, I_WRMSRNS, I_RDTSC, I_RDTSCP, I_RDPMC, I_SWAPGS, I_RDFSBASE,
	I_RDGSBASE, I_WRFSBASE, I_WRGSBASE, I_VMRUN, I_VMMCALL, I_VMLOAD, I_VMSAVE,
	I_STGI, I_CLGI, I_SKINIT, I_INVLPGA, I_VMCALL, I_VMLAUNCH, I_VMRESUME, I_VMXOFF,
	I_VMREAD, I_VMWRITE, I_VMPTRLD, I_VMCLEAR, I_VMXON, I_VMPTRST, I_INVEPT,
	I_INVVPID, I_LGDT, I_LIDT, I_SGDT, I_SIDT, I_LLDT, I_LTR, I_SLDT, I_STR,
	I_FXSAVE, I_FXRSTOR, I_XSAVE, I_XRSTOR, I_XSAVEOPT, I_XSAVEC, I_XSAVES,
	I_XRSTORS, I_XSETBV, I_XGETBV, I_CPUID, I_IRET, I_WBINVD, I_INVD, I_LFENCE,
	I_MFENCE, I_VERW, I_SERIALIZE, I_MOVCR, I_MOVDR, I_INVLPG, I_INVPCID, I_MOVCR3,
	I_MOVCR4, I_INVLPGB, I_TLBSYNC,
	I_NR
};

/* Each one's name in the records and its class. */
static const struct {
	const char *name;
	enum cost_class cls;
} insn_info[I_NR] = {
	[I_RDMSR] = { "rdmsr", CLASS_MSR },
	[I_WRMSR] = { "wrmsr", CLASS_MSR },
	[I_WRMSRNS] = { "wrmsrns", CLASS_MSR },
	[I_RDTSC] = { "rdtsc", CLASS_MSR },
	[I_RDTSCP] = { "rdtscp", CLASS_MSR },
	[I_RDPMC] = { "rdpmc", CLASS_MSR },
	[I_SWAPGS] = { "swapgs", CLASS_MSR },
	[I_RDFSBASE] = { "rdfsbase", CLASS_MSR },
	[I_RDGSBASE] = { "rdgsbase", CLASS_MSR },
	[I_WRFSBASE] = { "wrfsbase", CLASS_MSR },
	[I_WRGSBASE] = { "wrgsbase", CLASS_MSR },
	[I_VMRUN] = { "vmrun", CLASS_SVM },
	[I_VMMCALL] = { "vmmcall", CLASS_SVM },
	[I_VMLOAD] = { "vmload", CLASS_SVM },
	[I_VMSAVE] = { "vmsave", CLASS_SVM },
	[I_STGI] = { "stgi", CLASS_SVM },
	[I_CLGI] = { "clgi", CLASS_SVM },
	[I_SKINIT] = { "skinit", CLASS_SVM },
	[I_INVLPGA] = { "invlpga", CLASS_SVM },
	[I_VMCALL] = { "vmcall", CLASS_VMX },
	[I_VMLAUNCH] = { "vmlaunch", CLASS_VMX },
	[I_VMRESUME] = { "vmresume", CLASS_VMX },
	[I_VMXOFF] = { "vmxoff", CLASS_VMX },
	[I_VMREAD] = { "vmread", CLASS_VMX },
	[I_VMWRITE] = { "vmwrite", CLASS_VMX },
	[I_VMPTRLD] = { "vmptrld", CLASS_VMX },
	[I_VMCLEAR] = { "vmclear", CLASS_VMX },
	[I_VMXON] = { "vmxon", CLASS_VMX },
	[I_VMPTRST] = { "vmptrst", CLASS_VMX },
	[I_INVEPT] = { "invept", CLASS_VMX },
	[I_INVVPID] = { "invvpid", CLASS_VMX },
	[I_LGDT] = { "lgdt", CLASS_DESC },
	[I_LIDT] = { "lidt", CLASS_DESC },
	[I_SGDT] = { "sgdt", CLASS_DESC },
	[I_SIDT] = { "sidt", CLASS_DESC },
	[I_LLDT] = { "lldt", CLASS_DESC },
	[I_LTR] = { "ltr", CLASS_DESC },
	[I_SLDT] = { "sldt", CLASS_DESC },
	[I_STR] = { "str", CLASS_DESC },
	[I_FXSAVE] = { "fxsave", CLASS_FPU },
	[I_FXRSTOR] = { "fxrstor", CLASS_FPU },
	[I_XSAVE] = { "xsave", CLASS_FPU },
	[I_XRSTOR] = { "xrstor", CLASS_FPU },
	[I_XSAVEOPT] = { "xsaveopt", CLASS_FPU },
	[I_XSAVEC] = { "xsavec", CLASS_FPU },
	[I_XSAVES] = { "xsaves", CLASS_FPU },
	[I_XRSTORS] = { "xrstors", CLASS_FPU },
	[I_XSETBV] = { "xsetbv", CLASS_FPU },
	[I_XGETBV] = { "xgetbv", CLASS_FPU },
	[I_CPUID] = { "cpuid", CLASS_SERIAL },
	[I_IRET] = { "iret", CLASS_SERIAL },
	[I_WBINVD] = { "wbinvd", CLASS_SERIAL },
	[I_INVD] = { "invd", CLASS_SERIAL },
	[I_LFENCE] = { "lfence", CLASS_SERIAL },
	[I_MFENCE] = { "mfence", CLASS_SERIAL },
	[I_VERW] = { "verw", CLASS_SERIAL },
	[I_SERIALIZE] = { "serialize", CLASS_SERIAL },
	[I_MOVCR] = { "movcr", CLASS_SERIAL },
	[I_MOVDR] = { "movdr", CLASS_SERIAL },
	[I_INVLPG] = { "invlpg", CLASS_TLB },
	[I_INVPCID] = { "invpcid", CLASS_TLB },
	[I_MOVCR3] = { "movcr3", CLASS_TLB },
	[I_MOVCR4] = { "movcr4", CLASS_TLB },
	[I_INVLPGB] = { "invlpgb", CLASS_TLB },
	[I_TLBSYNC] = { "tlbsync", CLASS_TLB },
};

/* The marker: nopl 0x4b48NNNN(%rax,%rax,1). */
#define MARK_LEN	8
#define MARK_MAGIC	0x4b480000u
#define MARK_BEGIN	0x0001
#define MARK_END	0x0002
#define MARK_RESET	0x0003

/* Counted by inline adds: every instruction at or above kernel_base, and each recognised one. */
static uint64_t insns;
static uint64_t counts[I_NR];
/* At the open window's begin. */
static uint64_t insns0, counts0[I_NR];
static uint64_t seq;
static int window_open;

static uint64_t kernel_base = 0xffff800000000000ull;
static FILE *out;

/* Prefix state of one instruction (the mandatory prefix is the last of 66/f2/f3). */
struct insn_pfx {
	uint8_t rep;		/* 0, 0xf2 or 0xf3 */
	int opsize;		/* 0x66 seen */
	int rex_r;		/* REX.R: ModRM.reg + 8 */
};

static int modrm_mod(uint8_t m)
{
	return m >> 6;
}

static int modrm_reg(uint8_t m)
{
	return (m >> 3) & 7;
}

/* 0f 01: group 7, and the instructions that sit in its mod=3 encodings. */
static enum cost_insn decode_0f01(const struct insn_pfx *p, uint8_t m)
{
	static const enum cost_insn mem[8] = {
		I_SGDT, I_SIDT, I_LGDT, I_LIDT, I_NONE, I_NONE, I_NONE, I_INVLPG
	};
	static const enum cost_insn svm[8] = {
		I_VMRUN, I_VMMCALL, I_VMLOAD, I_VMSAVE, I_STGI, I_CLGI, I_SKINIT, I_INVLPGA
	};

	if (modrm_mod(m) != 3)
		return mem[modrm_reg(m)];
	if (m >= 0xd8 && m <= 0xdf)
		return svm[m - 0xd8];
	if (p->rep)	/* f3/f2 0f 01 xx: SETSSBSY, XSUSLDTRK ..., none of ours */
		return I_NONE;
	switch (m) {
	case 0xc1:
		return I_VMCALL;
	case 0xc2:
		return I_VMLAUNCH;
	case 0xc3:
		return I_VMRESUME;
	case 0xc4:
		return I_VMXOFF;
	case 0xc6:
		return I_WRMSRNS;
	case 0xd0:
		return I_XGETBV;
	case 0xd1:
		return I_XSETBV;
	case 0xe8:
		return I_SERIALIZE;
	case 0xf8:
		return I_SWAPGS;
	case 0xf9:
		return I_RDTSCP;
	case 0xfe:
		return I_INVLPGB;
	case 0xff:
		return I_TLBSYNC;
	}
	return I_NONE;
}

/* 0f ae: group 15 (FXSAVE ... CLFLUSH; fences and FSGSBASE in mod=3). */
static enum cost_insn decode_0fae(const struct insn_pfx *p, uint8_t m)
{
	static const enum cost_insn mem[8] = {
		I_FXSAVE, I_FXRSTOR, I_NONE, I_NONE, I_XSAVE, I_XRSTOR, I_XSAVEOPT, I_NONE
	};
	static const enum cost_insn base[4] = { I_RDFSBASE, I_RDGSBASE, I_WRFSBASE, I_WRGSBASE };
	int reg = modrm_reg(m);

	if (modrm_mod(m) != 3) {
		/* 66 0f ae /6 is CLWB, f3 0f ae /4 PTWRITE. */
		if (p->opsize || p->rep)
			return I_NONE;
		return mem[reg];
	}
	if (p->rep == 0xf3)
		return reg < 4 ? base[reg] : I_NONE;
	if (p->rep || p->opsize)	/* TPAUSE, UMWAIT ... */
		return I_NONE;
	if (reg == 5)
		return I_LFENCE;
	if (reg == 6)
		return I_MFENCE;
	return I_NONE;
}

/* 0f c7: group 9 (VMPTRLD/VMCLEAR/VMXON, VMPTRST, XSAVES ...; RDRAND/RDSEED/RDPID in mod=3). */
static enum cost_insn decode_0fc7(const struct insn_pfx *p, uint8_t m)
{
	if (modrm_mod(m) == 3)
		return I_NONE;
	switch (modrm_reg(m)) {
	case 3:
		return p->rep || p->opsize ? I_NONE : I_XRSTORS;
	case 4:
		return p->rep || p->opsize ? I_NONE : I_XSAVEC;
	case 5:
		return p->rep || p->opsize ? I_NONE : I_XSAVES;
	case 6:
		if (p->rep == 0xf3)
			return I_VMXON;
		if (p->rep)
			return I_NONE;
		return p->opsize ? I_VMCLEAR : I_VMPTRLD;
	case 7:
		return p->rep || p->opsize ? I_NONE : I_VMPTRST;
	}
	return I_NONE;
}

/* The two-byte map (0f xx), @b at the byte after 0f, @len bytes left. */
static enum cost_insn decode_0f(const struct insn_pfx *p, const uint8_t *b, size_t len)
{
	static const enum cost_insn grp6[8] = {
		I_SLDT, I_STR, I_LLDT, I_LTR, I_NONE, I_VERW, I_NONE, I_NONE
	};
	int none = !p->rep && !p->opsize;
	int cr;

	if (len < 1)
		return I_NONE;
	switch (b[0]) {
	case 0x00:
		return len < 2 ? I_NONE : grp6[modrm_reg(b[1])];
	case 0x01:
		return len < 2 ? I_NONE : decode_0f01(p, b[1]);
	case 0x08:
		return I_INVD;
	case 0x09:
		return p->rep ? I_NONE : I_WBINVD;	/* f3: WBNOINVD */
	case 0x22:
		if (len < 2)
			return I_NONE;
		cr = modrm_reg(b[1]) + (p->rex_r ? 8 : 0);
		if (cr == 3)
			return I_MOVCR3;
		if (cr == 4)
			return I_MOVCR4;
		/* MOV to CR8 (the TPR) is the one that does not serialize (SDM 3A 10.3). */
		return cr == 8 ? I_NONE : I_MOVCR;
	case 0x23:
		return I_MOVDR;
	case 0x30:
		return I_WRMSR;
	case 0x31:
		return I_RDTSC;
	case 0x32:
		return I_RDMSR;
	case 0x33:
		return I_RDPMC;
	case 0x78:
		return none ? I_VMREAD : I_NONE;	/* 66/f2: EXTRQ/INSERTQ */
	case 0x79:
		return none ? I_VMWRITE : I_NONE;
	case 0xa2:
		return I_CPUID;
	case 0xae:
		return len < 2 ? I_NONE : decode_0fae(p, b[1]);
	case 0xc7:
		return len < 2 ? I_NONE : decode_0fc7(p, b[1]);
	case 0x38:
		if (len < 3 || !p->opsize || p->rep || modrm_mod(b[2]) == 3)
			return I_NONE;
		if (b[1] == 0x80)
			return I_INVEPT;
		if (b[1] == 0x81)
			return I_INVVPID;
		if (b[1] == 0x82)
			return I_INVPCID;
		return I_NONE;
	}
	return I_NONE;
}

/* The instruction @b[0..len) is, or I_NONE: 64-bit code. */
static enum cost_insn classify(const uint8_t *b, size_t len)
{
	struct insn_pfx p = {};
	size_t i = 0;

	for (; i < len; i++) {
		switch (b[i]) {
		case 0x66:
			p.opsize = 1;
			continue;
		case 0xf2:
		case 0xf3:
			p.rep = b[i];
			continue;
		case 0x67: case 0xf0: case 0x2e: case 0x36:
		case 0x3e: case 0x26: case 0x64: case 0x65:
			continue;
		}
		break;
	}
	/* REX comes last, right before the opcode. */
	if (i < len && (b[i] & 0xf0) == 0x40) {
		p.rex_r = !!(b[i] & 4);
		i++;
	}
	if (i >= len)
		return I_NONE;
	if (b[i] == 0xcf)
		return I_IRET;
	if (b[i] == 0x0f)
		return decode_0f(&p, b + i + 1, len - i - 1);
	return I_NONE;
}

/* The marker's id, or 0 when @b is not a marker. */
static unsigned int marker_id(const uint8_t *b, size_t len)
{
	uint32_t disp;

	if (len != MARK_LEN || b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x84 || b[3] != 0x00)
		return 0;
	disp = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	if ((disp & 0xffff0000u) != MARK_MAGIC)
		return 0;
	return disp & 0xffff;
}

static void record(void)
{
	uint64_t c[CLASS_NR] = {}, vmrun = counts[I_VMRUN] - counts0[I_VMRUN];
	int i;

	for (i = 0; i < I_NR; i++)
		c[insn_info[i].cls] += counts[i] - counts0[i];
	fprintf(out, "khv-cost %" PRIu64 " insns=%" PRIu64, seq, insns - insns0);
	for (i = 0; i < CLASS_NR; i++)
		fprintf(out, " %s=%" PRIu64, class_names[i], c[i]);
	fprintf(out, " vmrun=%" PRIu64, vmrun);
	for (i = 0; i < I_NR; i++)
		if (i != I_VMRUN && counts[i] != counts0[i])
			fprintf(out, " %s=%" PRIu64, insn_info[i].name, counts[i] - counts0[i]);
	fprintf(out, "\n");
	fflush(out);
}

static void marker_exec(unsigned int vcpu, void *udata)
{
	unsigned int id = (uintptr_t)udata;

	(void)vcpu;
	switch (id) {
	case MARK_BEGIN:
		seq++;
		insns0 = insns;
		memcpy(counts0, counts, sizeof(counts));
		window_open = 1;
		break;
	case MARK_END:
		if (window_open)
			record();
		window_open = 0;
		break;
	case MARK_RESET:
		seq = 0;
		window_open = 0;
		fprintf(out, "khv-cost reset\n");
		fflush(out);
		break;
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		const uint8_t *b = qemu_plugin_insn_data(insn);
		size_t len = qemu_plugin_insn_size(insn);
		unsigned int mark = marker_id(b, len);
		enum cost_insn k;

		if (mark) {
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)mark);
			continue;
		}
		if (qemu_plugin_insn_vaddr(insn) < kernel_base)
			continue;
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &insns, 1);
		k = classify(b, len);
		if (k != I_NONE)
			qemu_plugin_register_vcpu_insn_exec_inline(insn,
								   QEMU_PLUGIN_INLINE_ADD_U64,
								   &counts[k], 1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	if (out != stderr)
		fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *outfile = NULL;
	char *end;
	int i;

	if (strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "khv_cost: x86_64 only, not %s\n", info->target_name);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "outfile=", 8) && argv[i][8]) {
			outfile = argv[i] + 8;
		} else if (!strncmp(argv[i], "kernel=", 7)) {
			kernel_base = strtoull(argv[i] + 7, &end, 0);
			if (end == argv[i] + 7 || *end) {
				fprintf(stderr, "khv_cost: kernel= wants an address, not %s\n",
					argv[i] + 7);
				return -1;
			}
		} else {
			fprintf(stderr, "khv_cost: unknown argument %s\n", argv[i]);
			fprintf(stderr, "khv_cost: arguments: outfile=PATH, kernel=ADDR\n");
			return -1;
		}
	}
	out = stderr;
	if (outfile) {
		out = fopen(outfile, "w");
		if (!out) {
			perror(outfile);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
