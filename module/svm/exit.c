// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: the exit handlers.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../gwalk.h"
#include "../khv.h"
#include "../regs.h"
#include "../x86.h"
#include "svm.h"
#include "vcpu.h"
#include "vmcb.h"

/*
 * Queue an exception for the next entry (APM 15.20), combined with one
 * already queued (an event whose delivery the exit interrupted). The
 * processor pushes an error code only in protected mode.
 */
static int svm_inject_exception(struct svm_vcpu *svm, u8 vector, u32 err,
				u64 cr2)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 prev = vmcb->control.event_inj;

	if ((prev & SVM_EVTINJ_VALID) &&
	    (prev & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXEPT) {
		vector = khv_exception_merge(prev & SVM_EVTINJ_VEC_MASK, vector);
		if (vector == KHV_TRIPLE_FAULT) {
			vmcb->control.event_inj = 0;
			return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_SHUTDOWN);
		}
		if (vector == X86_TRAP_DF)
			err = 0;
	}
	khv_stat_count(&svm->vcpu, KHV_STAT_EXCEPTION);
	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
				  vector;
	if (khv_exception_has_error(vector) && (vmcb->save.cr0 & X86_CR0_PE))
		vmcb->control.event_inj |= SVM_EVTINJ_VALID_ERR | (u64)err << 32;
	if (vector == X86_TRAP_PF)
		vmcb->save.cr2 = cr2;
	return 1;
}

/* khv_arch_ops.inject_exception. */
int svm_queue_exception(struct khv_vcpu *vcpu, u8 vector, u32 err, u64 cr2)
{
	return svm_inject_exception(to_svm(vcpu), vector, err, cr2);
}

/* Move RIP past an intercepted instruction of known length. */
static void svm_skip(struct svm_vcpu *svm, unsigned int len)
{
	struct svm_vmcb *vmcb = svm->vmcb;

	if (svm_has_nrips() && vmcb->control.next_rip)
		khv_rip_write(&svm->vcpu, vmcb->control.next_rip);
	else
		khv_rip_write(&svm->vcpu, khv_rip_read(&svm->vcpu) + len);
}

static int svm_handle_cpuid(struct svm_vcpu *svm)
{
	struct khv_vcpu *vcpu = &svm->vcpu;
	u32 regs[4];

	khv_cpuid(vcpu, khv_register_read(vcpu, KHV_REG_RAX),
		  khv_register_read(vcpu, KHV_REG_RCX), regs);
	khv_register_write(vcpu, KHV_REG_RAX, regs[0]);
	khv_register_write(vcpu, KHV_REG_RBX, regs[1]);
	khv_register_write(vcpu, KHV_REG_RCX, regs[2]);
	khv_register_write(vcpu, KHV_REG_RDX, regs[3]);
	svm_skip(svm, 2);
	return 1;
}

static unsigned int svm_fetch_insn(struct svm_vcpu *svm, u8 *buf,
				   unsigned int len);
static int svm_code_mode(const struct svm_save *s);

/*
 * What the prefixes of the string I/O instruction at RIP say (SDM Vol. 2
 * 2.1.1): its segment override (-1 for none) and whether it has the
 * address-size prefix 0x67.
 */
static void svm_string_io_prefixes(struct svm_vcpu *svm, int *seg, bool *asz)
{
	/* Indexed by segment register number: ES, CS, SS, DS, FS, GS. */
	static const u8 prefix_seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	bool rex = svm_code_mode(&svm->vmcb->save) == 64;
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n, i, j;

	*seg = -1;
	*asz = false;
	n = svm_fetch_insn(svm, insn, sizeof(insn));
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

static const struct svm_segment *svm_segment_nr(struct svm_save *s,
						unsigned int nr)
{
	switch (nr) {
	case KHV_SEG_ES:
		return &s->es;
	case KHV_SEG_CS:
		return &s->cs;
	case KHV_SEG_SS:
		return &s->ss;
	case KHV_SEG_FS:
		return &s->fs;
	case KHV_SEG_GS:
		return &s->gs;
	default:
		return &s->ds;
	}
}

/*
 * INS/OUTS. EXITINFO1 (APM 15.10.2) gives the address size in bits 9:7 and,
 * with decode assists, the segment of an OUTS in bits 12:10. Without them
 * (QEMU sets neither), the instruction's prefixes say: an override, else DS;
 * 0x67, else the code segment's address size.
 */
static int svm_handle_string_io(struct svm_vcpu *svm, u64 info)
{
	struct svm_save *s = &svm->vmcb->save;
	bool in = info & SVM_IOIO_IN, a67 = false;
	u64 asz = info & (BIT(7) | BIT(8) | BIT(9));
	int mode = svm_code_mode(s), override = -1;
	struct khv_string_io sio = {
		.in = in,
		.rep = info & SVM_IOIO_REP,
		.port = info >> SVM_IOIO_PORT_SHIFT,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		/* INS writes ES:RDI. */
		.seg_nr = KHV_SEG_ES,
		.cpl = s->cpl,
		.next_rip = svm->vmcb->control.exit_info_2,
		.cr3 = s->cr3,
		.walk = khv_gwalk_mode(s->cr0, s->cr4, s->efer),
	};

	if (!asz || (!in && !svm_has_decode_assists()))
		svm_string_io_prefixes(svm, &override, &a67);
	if (asz)
		sio.addr_bytes = info & BIT(9) ? 8 : info & BIT(8) ? 4 : 2;
	else if (mode == 64)
		sio.addr_bytes = a67 ? 4 : 8;
	else
		sio.addr_bytes = (mode == 32) != a67 ? 4 : 2;
	if (!in && svm_has_decode_assists())
		sio.seg_nr = (info >> 10) & 7;
	else if (!in)
		sio.seg_nr = override >= 0 ? override : KHV_SEG_DS;
	if (sio.seg_nr > KHV_SEG_GS)
		sio.seg_nr = KHV_SEG_DS;
	if (mode == 64)
		sio.cpu = KHV_CPU_64;
	else if ((s->cr0 & X86_CR0_PE) &&
		 !(khv_rflags_read(&svm->vcpu) & X86_EFLAGS_VM))
		sio.cpu = KHV_CPU_PROT;
	else
		sio.cpu = KHV_CPU_REAL;
	svm_seg_get(svm_segment_nr(s, sio.seg_nr), &sio.seg);
	return khv_vcpu_exit_string_io(&svm->vcpu, &sio);
}

static int svm_handle_ioio(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	if (info & SVM_IOIO_STR)
		return svm_handle_string_io(svm, info);
	/* APM 15.10.2: EXITINFO2 holds the next RIP. */
	khv_rip_write(&svm->vcpu, vmcb->control.exit_info_2);
	return khv_vcpu_exit_io(&svm->vcpu, info & SVM_IOIO_IN,
				info >> SVM_IOIO_PORT_SHIFT, size,
				khv_register_read(&svm->vcpu, KHV_REG_RAX));
}

/* The operand mode of the guest's code segment, for the decoder. */
static int svm_code_mode(const struct svm_save *s)
{
	if ((s->efer & EFER_LMA) && (s->cs.attrib & SEG_L))
		return 64;
	if ((s->cr0 & X86_CR0_PE) && (s->cs.attrib & SEG_DB))
		return 32;
	return 16;
}

/* Read the instruction at CS:RIP: decode assists give it, else guest memory. */
static unsigned int svm_fetch_insn(struct svm_vcpu *svm, u8 *buf,
				   unsigned int len)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct svm_save *s = &vmcb->save;

	if (vmcb->control.insn_len) {
		len = min_t(unsigned int, vmcb->control.insn_len, len);
		memcpy(buf, vmcb->control.insn_bytes, len);
		return len;
	}
	/* SDM Vol. 1 3.4.2.1: in 64-bit mode the CS base is 0. */
	return khv_fetch_guest(svm->vcpu.vm,
			       (svm_code_mode(s) == 64 ? 0 : s->cs.base) +
			       khv_rip_read(&svm->vcpu),
			       s->cr3, khv_gwalk_mode(s->cr0, s->cr4, s->efer),
			       buf, len);
}

static int svm_handle_npf(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 gpa = vmcb->control.exit_info_2;
	u64 err = vmcb->control.exit_info_1;
	bool write = err & BIT(1);
	u8 insn[KHV_INSN_MAX_LEN];
	unsigned int n;

	/* Mapped and allowed: a stale translation; just go back in. */
	if (khv_gpa_to_page(svm->vcpu.vm, gpa, write))
		return 1;
	/*
	 * Delivering an event (EXITINTINFO) touched memory that is no RAM:
	 * no instruction to emulate, and khv does not emulate delivery. The
	 * event stays queued (svm_vcpu_run()) for a VMM that maps memory there.
	 */
	if (vmcb->control.exit_int_info & SVM_EVTINJ_VALID) {
		memset(&svm->vcpu.run->internal, 0, sizeof(svm->vcpu.run->internal));
		svm->vcpu.run->internal.hardware_exit_reason = SVM_EXIT_NPF;
		svm->vcpu.run->internal.info[0] = vmcb->control.exit_int_info;
		svm->vcpu.run->internal.info[1] = gpa;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	n = svm_fetch_insn(svm, insn, sizeof(insn));
	return khv_vcpu_exit_mmio(&svm->vcpu, gpa, insn, n,
				  svm_code_mode(&vmcb->save));
}

/* RDMSR/WRMSR (APM 15.11): EXITINFO1 is 1 for a write; ECX the index. */
static int svm_handle_msr(struct svm_vcpu *svm)
{
	u32 index = khv_register_read(&svm->vcpu, KHV_REG_RCX);
	u64 data;

	if (svm->vmcb->control.exit_info_1) {
		data = khv_edx_eax_read(&svm->vcpu);
		if (svm_set_msr(&svm->vcpu, index, data, false))
			return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
		svm_set_msr(&svm->vcpu, index, data, true);
	} else {
		if (svm_get_msr(&svm->vcpu, index, &data))
			return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
		khv_edx_eax_write(&svm->vcpu, data);
	}
	svm_skip(svm, 2);
	return 1;
}

/*
 * MOV to CR4 (khv intercepts every CR4 write): the processor's checks, with
 * PKE, OSXSAVE and the bits of svm_cr4_allowed_bits() refused by #GP(0);
 * the new value flushes the guest's TLB, as the processor's write may.
 */
static int svm_handle_cr4_write(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct svm_save *s = &vmcb->save;
	u64 info = vmcb->control.exit_info_1;
	bool mode64 = svm_code_mode(s) == 64;
	u8 insn[KHV_INSN_MAX_LEN];
	struct svm_mov_cr d;
	unsigned int n;
	u64 cr4;

	n = svm_fetch_insn(svm, insn, sizeof(insn));
	if (svm_decode_mov_to_cr(insn, n, mode64, &d)) {
		if (n)
			return 1;	/* changed under us: let the guest run it */
		memset(&svm->vcpu.run->internal, 0, sizeof(svm->vcpu.run->internal));
		svm->vcpu.run->internal.hardware_exit_reason = SVM_EXIT_WRITE_CR4;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_INTERNAL_ERROR);
	}
	if (d.cr != 4)
		return 1;
	/* Decode assists name the register (APM 15.33.1). */
	if (svm_has_decode_assists() && (info & SVM_CR_INFO_VALID))
		d.gpr = info & SVM_CR_INFO_GPR_MASK;
	cr4 = khv_register_read(&svm->vcpu, d.gpr & 15);
	if (!mode64)
		cr4 = (u32)cr4;
	if (svm_cr4_check(cr4, s->cr4, svm_get_caps()->cr4_allowed, s->efer,
			  s->cr3))
		return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
	s->cr4 = cr4;
	svm->flush_tlb = true;
	svm_skip(svm, d.len);
	return 1;
}

static int svm_handle_vmmcall(struct svm_vcpu *svm)
{
	svm_skip(svm, 3);
	return khv_vcpu_hypercall(&svm->vcpu, svm->vmcb->save.cpl);
}

/* The statistics bucket of an SVM exit code. */
static enum khv_exit_stat svm_exit_stat(u64 code)
{
	switch (code) {
	case SVM_EXIT_EXCP_BASE ... SVM_EXIT_EXCP_BASE + 31:
	case SVM_EXIT_INTR ... SVM_EXIT_INIT:
		return KHV_STAT_INTR;
	case SVM_EXIT_CPUID:
		return KHV_STAT_CPUID;
	case SVM_EXIT_HLT:
		return KHV_STAT_HLT;
	case SVM_EXIT_IOIO:
		return KHV_STAT_IO;
	case SVM_EXIT_MSR:
		return KHV_STAT_MSR;
	case SVM_EXIT_NPF:
		return KHV_STAT_NPF;
	case SVM_EXIT_VMMCALL:
		return KHV_STAT_HYPERCALL;
	case SVM_EXIT_SHUTDOWN:
		return KHV_STAT_SHUTDOWN;
	default:
		return KHV_STAT_OTHER;
	}
}

int svm_handle_exit(struct svm_vcpu *svm)
{
	struct svm_vmcb *vmcb = svm->vmcb;
	struct khv_run *run = svm->vcpu.run;
	u64 code = vmcb->control.exit_code;

	/*
	 * APM 15.5.1: VMEXIT_INVALID is -1 in all 64 bits; some emulators
	 * (QEMU) write it as a 32-bit -1. No valid exit code is that large.
	 */
	if ((u32)code == (u32)SVM_EXIT_INVALID)
		code = SVM_EXIT_INVALID;

	khv_stat_count(&svm->vcpu, svm_exit_stat(code));
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/* Taken by the host once GIF and IF are set again. */
		return 1;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		/* svm_vcpu_run() handed it to the host's handler already. */
		return khv_vcpu_machine_check(&svm->vcpu);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		return khv_vcpu_alignment_check(&svm->vcpu, vmcb->save.cpl,
						vmcb->save.cr0,
						khv_rflags_read(&svm->vcpu),
						khv_rip_read(&svm->vcpu), 0);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		/* DR6 is the guest's in the VMCB, which it cannot read. */
		return svm_inject_exception(svm, X86_TRAP_DB, 0, 0);
	case SVM_EXIT_CPUID:
		return svm_handle_cpuid(svm);
	case SVM_EXIT_HLT:
		svm_skip(svm, 1);
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_HLT);
	case SVM_EXIT_IOIO:
		return svm_handle_ioio(svm);
	case SVM_EXIT_NPF:
		return svm_handle_npf(svm);
	case SVM_EXIT_MSR:
		return svm_handle_msr(svm);
	case SVM_EXIT_VMMCALL:
		return svm_handle_vmmcall(svm);
	case SVM_EXIT_WRITE_CR4:
		return svm_handle_cr4_write(svm);
	case SVM_EXIT_RDPMC:
		/* No performance counters for guests: as for a counter that does not exist. */
		return svm_inject_exception(svm, X86_TRAP_GP, 0, 0);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL + 1 ... SVM_EXIT_VMRUN + 6:
		/* VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT: #UD. */
		return svm_inject_exception(svm, X86_TRAP_UD, 0, 0);
	case SVM_EXIT_SHUTDOWN:
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_SHUTDOWN);
	case SVM_EXIT_INVALID:
		memset(&run->fail_entry, 0, sizeof(run->fail_entry));
		run->fail_entry.hardware_reason = code;
		run->fail_entry.cpu = raw_smp_processor_id();
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_FAIL_ENTRY);
	default:
		memset(&run->internal, 0, sizeof(run->internal));
		run->internal.hardware_exit_reason = code;
		run->internal.info[0] = vmcb->control.exit_info_1;
		run->internal.info[1] = vmcb->control.exit_info_2;
		return khv_vcpu_exit(&svm->vcpu, KHV_EXIT_UNKNOWN);
	}
}
