// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost-model plugin's decoder against byte sequences (make -C
 * tools/costmodel check), on the build machine: every instruction it
 * counts, with the prefixes and ModRM forms the kernel uses, and the
 * look-alikes that share their opcodes (RDRAND, CLWB, WBNOINVD, MOV to
 * CR8 ...), which it must not count. Also the cases the user-mode test
 * cannot reach (a MOV to CR at CPL 3 faults before QEMU reads its ModRM).
 * TAP output.
 */
#include "khv_cost.c"

/* The plugin API is not called here: link stubs. */
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb) { (void)tb; return 0; }
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t i)
{ (void)tb; (void)i; return NULL; }
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn) { (void)insn; return NULL; }
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn) { (void)insn; return 0; }
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn) { (void)insn; return 0; }
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *udata)
{ (void)insn; (void)cb; (void)flags; (void)udata; }
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
						enum qemu_plugin_op op, void *ptr, uint64_t imm)
{ (void)insn; (void)op; (void)ptr; (void)imm; }
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb)
{ (void)id; (void)cb; }
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *udata)
{ (void)id; (void)cb; (void)udata; }

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct decode_case {
	const char *what;
	const char *want;	/* instruction name, or "-" for none */
	const char *cls;	/* its class, or "-" */
	size_t len;
	uint8_t b[15];
};

#define C(what, want, cls, ...)						\
	{ what, want, cls, sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ } }

static const struct decode_case cases[] = {
	C("wrmsr", "wrmsr", "msr", 0x0f, 0x30),
	C("rdmsr", "rdmsr", "msr", 0x0f, 0x32),
	C("rdtsc", "rdtsc", "msr", 0x0f, 0x31),
	C("rdpmc", "rdpmc", "msr", 0x0f, 0x33),
	C("rdtscp", "rdtscp", "msr", 0x0f, 0x01, 0xf9),
	C("swapgs", "swapgs", "msr", 0x0f, 0x01, 0xf8),
	C("wrmsrns", "wrmsrns", "msr", 0x0f, 0x01, 0xc6),
	C("rdmsrlist (f2 0f 01 c6)", "-", "-", 0xf2, 0x0f, 0x01, 0xc6),
	C("rdfsbase %rax", "rdfsbase", "msr", 0xf3, 0x48, 0x0f, 0xae, 0xc0),
	C("wrgsbase %rax", "wrgsbase", "msr", 0xf3, 0x48, 0x0f, 0xae, 0xd8),
	C("vmrun", "vmrun", "svm", 0x0f, 0x01, 0xd8),
	C("vmmcall", "vmmcall", "svm", 0x0f, 0x01, 0xd9),
	C("vmload", "vmload", "svm", 0x0f, 0x01, 0xda),
	C("vmsave", "vmsave", "svm", 0x0f, 0x01, 0xdb),
	C("stgi", "stgi", "svm", 0x0f, 0x01, 0xdc),
	C("clgi", "clgi", "svm", 0x0f, 0x01, 0xdd),
	C("skinit", "skinit", "svm", 0x0f, 0x01, 0xde),
	C("invlpga", "invlpga", "svm", 0x0f, 0x01, 0xdf),
	C("vmcall", "vmcall", "vmx", 0x0f, 0x01, 0xc1),
	C("vmlaunch", "vmlaunch", "vmx", 0x0f, 0x01, 0xc2),
	C("vmresume", "vmresume", "vmx", 0x0f, 0x01, 0xc3),
	C("vmxoff", "vmxoff", "vmx", 0x0f, 0x01, 0xc4),
	C("vmread %rax, %rcx", "vmread", "vmx", 0x0f, 0x78, 0xc1),
	C("vmwrite %rax, %rcx", "vmwrite", "vmx", 0x0f, 0x79, 0xc8),
	C("extrq (66 0f 78)", "-", "-", 0x66, 0x0f, 0x78, 0xc1, 0x01, 0x02),
	C("insertq (f2 0f 79)", "-", "-", 0xf2, 0x0f, 0x79, 0xc1),
	C("vmptrld (%rax)", "vmptrld", "vmx", 0x0f, 0xc7, 0x30),
	C("vmclear (%rax)", "vmclear", "vmx", 0x66, 0x0f, 0xc7, 0x30),
	C("vmxon (%rax)", "vmxon", "vmx", 0xf3, 0x0f, 0xc7, 0x30),
	C("vmptrst (%rax)", "vmptrst", "vmx", 0x0f, 0xc7, 0x38),
	C("rdrand %eax", "-", "-", 0x0f, 0xc7, 0xf0),
	C("rdseed %eax", "-", "-", 0x0f, 0xc7, 0xf8),
	C("rdpid %rax", "-", "-", 0xf3, 0x0f, 0xc7, 0xf8),
	C("cmpxchg16b (%rax)", "-", "-", 0x48, 0x0f, 0xc7, 0x08),
	C("invept (%rax), %rcx", "invept", "vmx", 0x66, 0x0f, 0x38, 0x80, 0x08),
	C("invvpid (%rax), %rcx", "invvpid", "vmx", 0x66, 0x0f, 0x38, 0x81, 0x08),
	C("0f 38 80 without 66", "-", "-", 0x0f, 0x38, 0x80, 0x08),
	C("sgdt (%rax)", "sgdt", "desc", 0x0f, 0x01, 0x00),
	C("sidt (%rax)", "sidt", "desc", 0x0f, 0x01, 0x08),
	C("lgdt (%rax)", "lgdt", "desc", 0x0f, 0x01, 0x10),
	C("lidt 0x10(%rsp)", "lidt", "desc", 0x0f, 0x01, 0x5c, 0x24, 0x10),
	C("smsw (%rax)", "-", "-", 0x0f, 0x01, 0x20),
	C("lmsw %ax", "-", "-", 0x0f, 0x01, 0xf0),
	C("sldt %ax", "sldt", "desc", 0x0f, 0x00, 0xc0),
	C("str %ax", "str", "desc", 0x0f, 0x00, 0xc8),
	C("lldt %ax", "lldt", "desc", 0x0f, 0x00, 0xd0),
	C("ltr %ax", "ltr", "desc", 0x0f, 0x00, 0xd8),
	C("verr (%rax)", "-", "-", 0x0f, 0x00, 0x20),
	C("verw (%rip)", "verw", "serial", 0x0f, 0x00, 0x2d, 0x00, 0x00, 0x00, 0x00),
	C("verw %ax", "verw", "serial", 0x0f, 0x00, 0xe8),
	C("fxsave (%rax)", "fxsave", "fpu", 0x0f, 0xae, 0x00),
	C("fxrstor64 (%rax)", "fxrstor", "fpu", 0x48, 0x0f, 0xae, 0x08),
	C("ldmxcsr (%rax)", "-", "-", 0x0f, 0xae, 0x10),
	C("xsave (%rax)", "xsave", "fpu", 0x0f, 0xae, 0x20),
	C("xsave64 (%rdi)", "xsave", "fpu", 0x48, 0x0f, 0xae, 0x27),
	C("xrstor64 (%rdi)", "xrstor", "fpu", 0x48, 0x0f, 0xae, 0x2f),
	C("xsaveopt (%rax)", "xsaveopt", "fpu", 0x0f, 0xae, 0x30),
	C("clwb (%rax)", "-", "-", 0x66, 0x0f, 0xae, 0x30),
	C("clflush (%rax)", "-", "-", 0x0f, 0xae, 0x38),
	C("xrstors64 (%rdi)", "xrstors", "fpu", 0x48, 0x0f, 0xc7, 0x1f),
	C("xsavec (%rax)", "xsavec", "fpu", 0x0f, 0xc7, 0x20),
	C("xsaves64 (%rdi)", "xsaves", "fpu", 0x48, 0x0f, 0xc7, 0x2f),
	C("xgetbv", "xgetbv", "fpu", 0x0f, 0x01, 0xd0),
	C("xsetbv", "xsetbv", "fpu", 0x0f, 0x01, 0xd1),
	C("cpuid", "cpuid", "serial", 0x0f, 0xa2),
	C("iret", "iret", "serial", 0xcf),
	C("iretq", "iret", "serial", 0x48, 0xcf),
	C("wbinvd", "wbinvd", "serial", 0x0f, 0x09),
	C("wbnoinvd", "-", "-", 0xf3, 0x0f, 0x09),
	C("invd", "invd", "serial", 0x0f, 0x08),
	C("lfence", "lfence", "serial", 0x0f, 0xae, 0xe8),
	C("mfence", "mfence", "serial", 0x0f, 0xae, 0xf0),
	C("sfence", "-", "-", 0x0f, 0xae, 0xf8),
	C("serialize", "serialize", "serial", 0x0f, 0x01, 0xe8),
	C("mov %rax, %cr0", "movcr", "serial", 0x0f, 0x22, 0xc0),
	C("mov %rax, %cr2", "movcr", "serial", 0x0f, 0x22, 0xd0),
	C("mov %rdi, %cr3", "movcr3", "tlb", 0x0f, 0x22, 0xdf),
	C("mov %rax, %cr4", "movcr4", "tlb", 0x0f, 0x22, 0xe0),
	C("mov %rax, %cr8", "-", "-", 0x44, 0x0f, 0x22, 0xc0),
	C("mov %cr3, %rax", "-", "-", 0x0f, 0x20, 0xd8),
	C("mov %rax, %db7", "movdr", "serial", 0x0f, 0x23, 0xf8),
	C("invlpg (%rax)", "invlpg", "tlb", 0x0f, 0x01, 0x38),
	C("invpcid (%rax), %rcx", "invpcid", "tlb", 0x66, 0x0f, 0x38, 0x82, 0x08),
	C("invlpgb", "invlpgb", "tlb", 0x0f, 0x01, 0xfe),
	C("tlbsync", "tlbsync", "tlb", 0x0f, 0x01, 0xff),
	C("cs wrmsr (a segment prefix)", "wrmsr", "msr", 0x2e, 0x0f, 0x30),
	C("0f alone", "-", "-", 0x0f),
	C("0f 01 alone", "-", "-", 0x0f, 0x01),
	C("0f 22 alone (CPL 3 under QEMU)", "-", "-", 0x0f, 0x22),
	C("mov %rax, %rbx", "-", "-", 0x48, 0x89, 0xc3),
	C("vzeroupper (VEX)", "-", "-", 0xc5, 0xf8, 0x77),
	C("ret", "-", "-", 0xc3),
};

static int tests, failures;

static void ok(int cond, const char *what)
{
	tests++;
	failures += !cond;
	printf("%sok %d - %s\n", cond ? "" : "not ", tests, what);
}

int main(void)
{
	static const uint8_t mark_begin[] = { 0x0f, 0x1f, 0x84, 0x00, 0x01, 0x00, 0x48, 0x4b };
	static const uint8_t mark_end[] = { 0x0f, 0x1f, 0x84, 0x00, 0x02, 0x00, 0x48, 0x4b };
	static const uint8_t not_ours[] = { 0x0f, 0x1f, 0x84, 0x00, 0x01, 0x00, 0x48, 0x4c };
	static const uint8_t short_nop[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	char what[120];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct decode_case *c = &cases[i];
		enum cost_insn k = classify(c->b, c->len);
		const char *name = k == I_NONE ? "-" : insn_info[k].name;
		const char *cls = k == I_NONE ? "-" : class_names[insn_info[k].cls];

		snprintf(what, sizeof(what), "%s: %s (%s), got %s (%s)", c->what, c->want, c->cls,
			 name, cls);
		ok(!strcmp(name, c->want) && !strcmp(cls, c->cls), what);
	}
	ok(marker_id(mark_begin, sizeof(mark_begin)) == MARK_BEGIN, "the begin marker");
	ok(marker_id(mark_end, sizeof(mark_end)) == MARK_END, "the end marker");
	ok(!marker_id(not_ours, sizeof(not_ours)), "a long NOP with another displacement");
	ok(!marker_id(short_nop, sizeof(short_nop)), "a short NOP");
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
