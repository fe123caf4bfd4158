// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: the exit table, the handlers only SVM needs (its exit
 * information, CR4 writes), and the ops exit handlers use (arch.h). The
 * handlers both vendors share are the core's (exit.c).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../exit.h"
#include "../arch.h"
#include "../vcpu.h"
#include "../vm.h"
#include "../regs.h"
#include "../x86.h"
#include "../xstate.h"
#include "svm.h"
#include "vcpu.h"
#include "vmcb.h"

/*
 * khv_arch_ops.skip_instruction: NRIP save says where, else @len does. The
 * instruction an interrupt shadow covered is done: the shadow ends.
 */
void svm_skip_instruction(struct khv_vcpu *vcpu, unsigned int len)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (svm_has_nrips() && vmcb->control.next_rip)
		khv_rip_write(vcpu, vmcb->control.next_rip);
	else
		khv_rip_write(vcpu, khv_rip_read(vcpu) + len);
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW;
}

unsigned int svm_get_cpl(struct khv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

void svm_get_cpu_mode(struct khv_vcpu *vcpu, struct khv_cpu_mode *m)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;

	m->cr0 = s->cr0;
	m->cr3 = s->cr3;
	m->cr4 = s->cr4;
	m->efer = s->efer;
	svm_seg_get(&s->cs, &m->cs);
}

void svm_get_segment(struct khv_vcpu *vcpu, unsigned int nr,
		     struct khv_segment *seg)
{
	struct svm_save *s = &to_svm(vcpu)->vmcb->save;
	const struct svm_segment *v;

	switch (nr) {
	case KHV_SEG_ES:
		v = &s->es;
		break;
	case KHV_SEG_CS:
		v = &s->cs;
		break;
	case KHV_SEG_SS:
		v = &s->ss;
		break;
	case KHV_SEG_FS:
		v = &s->fs;
		break;
	case KHV_SEG_GS:
		v = &s->gs;
		break;
	default:
		v = &s->ds;
	}
	svm_seg_get(v, seg);
}

/* Decode assists give the bytes of the instruction with a nested page fault. */
unsigned int svm_insn_bytes(struct khv_vcpu *vcpu, u8 *buf, unsigned int len)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	len = min_t(unsigned int, c->insn_len, len);
	memcpy(buf, c->insn_bytes, len);
	return len;
}

/*
 * What the prefixes of the string I/O instruction at RIP say (SDM Vol. 2
 * 2.1.1): its segment override (-1 for none) and whether it has the
 * address-size prefix 0x67.
 */
static void svm_string_io_prefixes(struct khv_vcpu *vcpu, int *seg, bool *asz)
{
	/* Indexed by segment register number: ES, CS, SS, DS, FS, GS. */
	static const u8 prefix_seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	u8 insn[KHV_INSN_MAX_LEN];
	struct khv_cpu_mode m;
	unsigned int n, i, j;
	bool rex;

	svm_get_cpu_mode(vcpu, &m);
	rex = khv_code_mode(&m) == 64;
	*seg = -1;
	*asz = false;
	n = khv_fetch_insn(vcpu, &m, insn, sizeof(insn));
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(prefix_seg); j++)
			if (insn[i] == prefix_seg[j])
				break;
		if (j < ARRAY_SIZE(prefix_seg))
			*seg = j;
		else if (insn[i] == 0x67)
			*asz = true;
		else if (insn[i] != 0x66 && insn[i] != 0xf2 && insn[i] != 0xf3 &&
			 insn[i] != 0xf0 && !(rex && (insn[i] & 0xf0) == 0x40))
			break;
	}
}

/*
 * Port I/O (APM 15.10.2): EXITINFO1 describes the access, EXITINFO2 holds
 * the next RIP. For INS/OUTS it gives the address size in bits 9:7 and,
 * with decode assists, the segment of an OUTS in bits 12:10. Without them
 * (QEMU sets neither), the instruction's prefixes say: an override, else
 * DS; 0x67, else the code segment's address size.
 */
static int svm_handle_ioio(struct khv_vcpu *vcpu)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u64 asz = info & (BIT(7) | BIT(8) | BIT(9));
	struct khv_io io = {
		.in = info & SVM_IOIO_IN,
		.string = info & SVM_IOIO_STR,
		.rep = info & SVM_IOIO_REP,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		.port = info >> SVM_IOIO_PORT_SHIFT,
		.next_rip = vmcb->control.exit_info_2,
		.seg_nr = (info >> 10) & 7,
	};
	int override = -1;

	if (!io.string)
		return khv_handle_io(vcpu, &io);
	if (!asz || (!io.in && !svm_has_decode_assists()))
		svm_string_io_prefixes(vcpu, &override, &io.a67);
	if (asz)
		io.addr_bytes = info & BIT(9) ? 8 : info & BIT(8) ? 4 : 2;
	if (!io.in && !svm_has_decode_assists())
		io.seg_nr = override >= 0 ? override : KHV_SEG_DS;
	return khv_handle_io(vcpu, &io);
}

/* EXITINFO1 is the #NPF error code, EXITINFO2 the address (APM 15.25.6). */
static int svm_handle_npf(struct khv_vcpu *vcpu)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;

	return khv_handle_mmio(vcpu, c->exit_info_2, c->exit_info_1 & BIT(1),
			       c->exit_int_info & SVM_EVTINJ_VALID ?
			       c->exit_int_info : 0, SVM_EXIT_NPF);
}

/* RDMSR/WRMSR (APM 15.11): EXITINFO1 is 1 for a write. */
static int svm_handle_msr(struct khv_vcpu *vcpu)
{
	if (to_svm(vcpu)->vmcb->control.exit_info_1)
		return khv_handle_wrmsr(vcpu);
	return khv_handle_rdmsr(vcpu);
}

/*
 * An intercepted MOV to CR@cr: the value written (32 bits outside 64-bit
 * mode) and the instruction's length. False with *@r, the handler's return,
 * when the bytes are not that MOV: changed under us, the guest runs them
 * again (1); nothing could be fetched, an internal-error exit.
 */
static bool svm_decode_cr_write(struct khv_vcpu *vcpu, unsigned int cr,
				u64 *val, unsigned int *len, int *r)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;
	u8 insn[KHV_INSN_MAX_LEN];
	struct khv_cpu_mode m;
	struct svm_mov_cr d;
	unsigned int n;
	bool mode64;

	svm_get_cpu_mode(vcpu, &m);
	mode64 = khv_code_mode(&m) == 64;
	n = khv_fetch_insn(vcpu, &m, insn, sizeof(insn));
	*r = 1;
	if (svm_decode_mov_to_cr(insn, n, mode64, &d)) {
		if (!n)
			*r = khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR,
					       c->exit_code, 0, 0);
		return false;
	}
	if (d.cr != cr)
		return false;
	/* Decode assists name the register (APM 15.33.1). */
	if (svm_has_decode_assists() && (c->exit_info_1 & SVM_CR_INFO_VALID))
		d.gpr = c->exit_info_1 & SVM_CR_INFO_GPR_MASK;
	*val = khv_register_read(vcpu, d.gpr & 15);
	if (!mode64)
		*val = (u32)*val;
	*len = d.len;
	return true;
}

/*
 * MOV to CR4 (khv intercepts every CR4 write): the processor's checks, with
 * the bits svm_cr4_allowed_bits() leaves out refused by #GP(0);
 * the new value flushes the guest's TLB, as the processor's write may.
 */
static int svm_handle_cr4_write(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_save *s = &svm->vmcb->save;
	unsigned int len;
	u64 cr4;
	int r;

	if (!svm_decode_cr_write(vcpu, 4, &cr4, &len, &r))
		return r;
	if (svm_cr4_check(cr4, s->cr4, svm_get_caps()->cr4_allowed, s->efer,
			  s->cr3))
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	s->cr4 = cr4;
	svm->flush_tlb = true;
	svm_skip_instruction(vcpu, len);
	return 1;
}

/*
 * MOV to CR8, intercepted while an interrupt waits for a lower TPR
 * (svm_cr8_intercept()): bits 63:4 set are #GP(0) (APM Vol. 2 3.1.5);
 * else V_TPR takes it, and the core's TPR follows before the next entry.
 */
static int svm_handle_cr8_write(struct khv_vcpu *vcpu)
{
	unsigned int len;
	u64 cr8;
	int r;

	if (!svm_decode_cr_write(vcpu, 8, &cr8, &len, &r))
		return r;
	if (cr8 > 15)
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	svm_set_cr8(vcpu, cr8);
	svm_skip_instruction(vcpu, len);
	return 1;
}

/*
 * MOV from or to DRn (every one exits): the register from the exit code,
 * the general register from decode assists or from the instruction.
 */
static int svm_handle_dr(struct khv_vcpu *vcpu)
{
	struct svm_control *c = &to_svm(vcpu)->vmcb->control;
	bool write = c->exit_code >= SVM_EXIT_WRITE_DR0;
	u8 insn[KHV_INSN_MAX_LEN];
	struct khv_cpu_mode m;
	struct svm_mov_cr d;
	unsigned int n;

	svm_get_cpu_mode(vcpu, &m);
	n = khv_fetch_insn(vcpu, &m, insn, sizeof(insn));
	if (svm_decode_mov(insn, n, khv_code_mode(&m) == 64,
			   write ? 0x23 : 0x21, &d)) {
		if (n)
			return 1;	/* changed under us: let the guest run it */
		return khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR,
					 c->exit_code, 0, 0);
	}
	/* Decode assists name the register (APM 15.33.2). */
	if (svm_has_decode_assists())
		d.gpr = c->exit_info_1 & SVM_CR_INFO_GPR_MASK;
	return khv_handle_dr(vcpu, (c->exit_code - SVM_EXIT_READ_DR0) & 15,
			     d.gpr, write, d.len);
}

/* khv_arch_ops.set_dr7. */
void svm_set_dr7(struct khv_vcpu *vcpu, u64 dr7)
{
	to_svm(vcpu)->vmcb->save.dr7 = dr7;
}

/* An alignment check the guest raised, or the host's split-lock detection. */
static int svm_handle_ac(struct khv_vcpu *vcpu)
{
	return khv_vcpu_alignment_check(vcpu, 0);
}

/*
 * The exit table, by exit code (APM Appendix C); the contract of a row is
 * struct khv_exit_handler's (exit.h). Exceptions, host interrupts, NMIs,
 * SMIs, INITs and the interrupt and NMI windows (VINTR, IRET) count as
 * KHV_STAT_INTR; a machine check reached the host's
 * handler already (svm_vcpu_run()). A task switch or an FERR freeze ends the
 * run as an unknown exit (khv emulates neither).
 */
static const struct khv_exit_handler svm_exit_handlers[] = {
	[SVM_EXIT_WRITE_CR4]	= { svm_handle_cr4_write,	KHV_STAT_OTHER },
	[SVM_EXIT_WRITE_CR8]	= { svm_handle_cr8_write,	KHV_STAT_OTHER },
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR15] = { svm_handle_dr, KHV_STAT_OTHER },
	[SVM_EXIT_EXCP_DB]	= { svm_handle_db,		KHV_STAT_INTR },
	[SVM_EXIT_EXCP_AC]	= { svm_handle_ac,		KHV_STAT_INTR },
	[SVM_EXIT_EXCP_MC]	= { khv_vcpu_machine_check,	KHV_STAT_INTR },
	[SVM_EXIT_INTR]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[SVM_EXIT_NMI]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[SVM_EXIT_SMI]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[SVM_EXIT_INIT]		= { khv_handle_host_event,	KHV_STAT_INTR },
	[SVM_EXIT_VINTR]	= { svm_handle_vintr,		KHV_STAT_INTR },
	[SVM_EXIT_RDPMC]	= { khv_handle_rdpmc,		KHV_STAT_OTHER, true },
	[SVM_EXIT_CPUID]	= { khv_handle_cpuid,		KHV_STAT_CPUID, true },
	[SVM_EXIT_RSM]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_IRET]		= { svm_handle_iret,		KHV_STAT_INTR },
	[SVM_EXIT_INVD]		= { khv_handle_wbinvd,		KHV_STAT_OTHER, true },
	[SVM_EXIT_HLT]		= { khv_handle_hlt,		KHV_STAT_HLT },
	[SVM_EXIT_INVLPGA]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_IOIO]		= { svm_handle_ioio,		KHV_STAT_IO },
	[SVM_EXIT_MSR]		= { svm_handle_msr,		KHV_STAT_MSR, true },
	[SVM_EXIT_SHUTDOWN]	= { khv_handle_shutdown,	KHV_STAT_SHUTDOWN },
	[SVM_EXIT_VMRUN]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_VMMCALL]	= { khv_handle_hypercall,	KHV_STAT_HYPERCALL, true },
	[SVM_EXIT_VMLOAD]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_VMSAVE]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_STGI]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_CLGI]		= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_SKINIT]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_ICEBP]	= { khv_handle_icebp,		KHV_STAT_INTR },
	[SVM_EXIT_WBINVD]	= { khv_handle_wbinvd,		KHV_STAT_OTHER, true },
	[SVM_EXIT_MONITOR]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_MWAIT]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_MWAIT_COND]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_XSETBV]	= { khv_handle_xsetbv,		KHV_STAT_OTHER },
	[SVM_EXIT_RDPRU]	= { khv_handle_ud,		KHV_STAT_OTHER, true },
	[SVM_EXIT_NPF]		= { svm_handle_npf,		KHV_STAT_NPF },
};

/*
 * APM 15.5.1: VMEXIT_INVALID is -1 in all 64 bits; some emulators (QEMU)
 * write it as a 32-bit -1. No valid exit code is that large.
 */
static u64 svm_exit_code(const struct svm_control *c)
{
	u64 code = c->exit_code;

	return (u32)code == (u32)SVM_EXIT_INVALID ? SVM_EXIT_INVALID : code;
}

/* The row of the last exit, the exit counted (khv_exit_lookup()), or NULL. */
const struct khv_exit_handler *svm_exit_row(struct svm_vcpu *svm)
{
	return khv_exit_lookup(&svm->vcpu, svm_exit_handlers,
			       ARRAY_SIZE(svm_exit_handlers),
			       svm_exit_code(&svm->vmcb->control));
}

/* khv_arch_ops.handle_exit: the row svm_vcpu_run() looked up (svm->row). */
int svm_handle_exit(struct khv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_control *c = &svm->vmcb->control;
	u64 code = svm_exit_code(c);

	if (vcpu->exit_done)
		return khv_exit_handled(vcpu);
	if (svm->row)
		return svm->row->handle(vcpu);
	if (code == SVM_EXIT_INVALID)
		return khv_exit_fail_entry(vcpu, code);
	return khv_exit_internal(vcpu, KHV_EXIT_UNKNOWN, code, c->exit_info_1,
				 c->exit_info_2);
}
