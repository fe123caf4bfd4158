// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: MOV to CR4, which khv intercepts so that a guest cannot set a bit
 * whose state khv does not switch, and so that khv knows CR4.OSXSAVE and
 * CR4.PKE (CPUID mirrors them), and which it then carries out as the
 * processor would. Pure functions (svm/cr4_test.c).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../compat.h"
#include "../decode.h"
#include "svm.h"

/* CR4 bits every x86-64 processor has (APM Vol. 2 3.1.3). */
#define SVM_CR4_BASE	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
			 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

/**
 * svm_cr4_allowed_bits() - the CR4 bits a guest may set.
 * @f: which optional ones the processor has.
 *
 * The architectural base, and UMIP, FSGSBASE, PCIDE, SMEP and SMAP where the
 * processor has them; OSXSAVE and PKE where khv switches XCR0 and PKRU
 * (@f->xstate, xstate.c). Never CET (its MSRs are not switched), LA57 (khv's
 * guest page walker knows 4-level paging only), nor any bit khv does not
 * know.
 */
u64 svm_cr4_allowed_bits(const struct svm_cr4_features *f)
{
	u64 v = SVM_CR4_BASE;

	if (f->umip)
		v |= X86_CR4_UMIP;
	if (f->fsgsbase)
		v |= X86_CR4_FSGSBASE;
	if (f->pcid)
		v |= X86_CR4_PCIDE;
	if (f->smep)
		v |= X86_CR4_SMEP;
	if (f->smap)
		v |= X86_CR4_SMAP;
	return v | (f->xstate & (X86_CR4_OSXSAVE | X86_CR4_PKE));
}
EXPORT_SYMBOL_IF_KUNIT(svm_cr4_allowed_bits);

/**
 * svm_cr4_check() - would MOV to CR4 of @cr4 fault (#GP)?
 * @cr4:     the new value (bits 63:32 included in 64-bit mode).
 * @old:     the current value.
 * @allowed: svm_cr4_allowed_bits().
 * @efer:    the guest's EFER.
 * @cr3:     the guest's CR3.
 *
 * SDM Vol. 2 "MOV—Move to/from Control Registers", APM Vol. 2 3.1.3: a bit
 * not allowed, PAE cleared in long mode, PCIDE set outside long mode or
 * with CR3[11:0] not 0.
 *
 * Return: 0, or -EINVAL for #GP(0).
 */
int svm_cr4_check(u64 cr4, u64 old, u64 allowed, u64 efer, u64 cr3)
{
	bool lma = efer & EFER_LMA;

	if (cr4 & ~allowed)
		return -EINVAL;
	if (lma && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	if ((cr4 & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!lma || (cr3 & 0xfff)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(svm_cr4_check);

static bool svm_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/**
 * svm_decode_mov() - decode MOV from or to a control or debug register
 *	(0F 20, 0F 21, 0F 22, 0F 23 /r).
 * @insn:   the bytes at the guest's CS:RIP.
 * @len:    how many of them could be read.
 * @mode64: the code segment is 64-bit: 40h-4Fh are REX prefixes.
 * @op:     the second opcode byte expected.
 * @d:      the control or debug register, the general register (SDM Vol. 2
 *	    2.1.5 numbering, 0 = RAX) and the instruction's length.
 *
 * The ModRM mod field is ignored (SDM: always a register operand). REX.R
 * and, on AMD, LOCK (the CR8 alias, APM Vol. 3 "MOV CRn") add 8 to the
 * control register; a REX prefix counts only right before the opcode.
 *
 * Return: 0, or -EINVAL if the bytes are no such MOV.
 */
int svm_decode_mov(const u8 *insn, unsigned int len, bool mode64, u8 op,
		   struct svm_mov_cr *d)
{
	unsigned int i;
	bool lock = false;
	u8 rex = 0, modrm;

	len = min_t(unsigned int, len, KHV_INSN_MAX_LEN);
	for (i = 0; i < len; i++) {
		if (insn[i] == 0xf0) {
			lock = true;
			rex = 0;
		} else if (svm_legacy_prefix(insn[i])) {
			rex = 0;
		} else if (mode64 && (insn[i] & 0xf0) == 0x40) {
			rex = insn[i];
		} else {
			break;
		}
	}
	if (len < 3 || i > len - 3 || insn[i] != 0x0f || insn[i + 1] != op)
		return -EINVAL;
	modrm = insn[i + 2];
	d->cr = ((modrm >> 3) & 7) | (rex & BIT(2) ? 8 : 0) | (lock ? 8 : 0);
	d->gpr = (modrm & 7) | (rex & BIT(0) ? 8 : 0);
	d->len = i + 3;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(svm_decode_mov);

/* MOV to CRn (0F 22 /r): svm_decode_mov(). */
int svm_decode_mov_to_cr(const u8 *insn, unsigned int len, bool mode64,
			 struct svm_mov_cr *d)
{
	return svm_decode_mov(insn, len, mode64, 0x22, d);
}
EXPORT_SYMBOL_IF_KUNIT(svm_decode_mov_to_cr);
