// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's debug registers (Documentation/khv-abi.rst, "Debug
 * registers"). Every MOV DR exits on both vendors: khv keeps the guest's
 * DR0-3, DR6 and DR7 in struct khv_vcpu, so a guest never reads the host's
 * breakpoint addresses, and loads its DR0-3 into the hardware only around
 * an entry whose DR7 enables a breakpoint, with the host's put back right
 * after the exit (the debug controls switch DR7 and DEBUGCTL themselves).
 * khv_dr_access() is pure (debugreg_test.c).
 */
#include <linux/module.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "exit.h"
#include "khv.h"
#include "regs.h"
#include "x86.h"

/**
 * khv_dr_access() - a MOV to or from a debug register, as the processor
 *	does it (SDM Vol. 3B 18.2), on khv's copy of the guest's registers.
 * @dr:     the copy: DR0-3, DR6 and DR7.
 * @nr:     the register the instruction names, 0-15.
 * @write:  MOV to DRn (else from).
 * @val:    in: the value written; out: the value read.
 * @cpl:    the guest's CPL.
 * @cr4:    its CR4 (DE: DR4/DR5 are no aliases of DR6/DR7).
 *
 * Return: 0 when done; X86_TRAP_GP (CPL > 0, a 1 in bits 63:32 of DR6 or
 * DR7), X86_TRAP_UD (DR8-15, DR4/DR5 with CR4.DE) or X86_TRAP_DB (DR7.GD:
 * BD is set in DR6 and GD cleared, as the processor's #DB does) for the
 * exception to deliver instead.
 */
int khv_dr_access(struct khv_dr *dr, unsigned int nr, bool write, u64 *val,
		  unsigned int cpl, u64 cr4)
{
	if (cpl)
		return X86_TRAP_GP;
	if (nr == 4 || nr == 5) {
		if (cr4 & X86_CR4_DE)
			return X86_TRAP_UD;
		nr += 2;
	}
	if (nr > 7)
		return X86_TRAP_UD;
	if (dr->dr7 & KHV_DR7_GD) {
		dr->dr6 = (dr->dr6 & ~(u64)KHV_DR6_VOLATILE) | KHV_DR6_BD;
		dr->dr7 &= ~(u64)KHV_DR7_GD;
		return X86_TRAP_DB;
	}
	if (!write) {
		if (nr < 4)
			*val = dr->db[nr];
		else
			*val = nr == 6 ? dr->dr6 : dr->dr7;
		return 0;
	}
	if (nr < 4) {
		dr->db[nr] = *val;
		return 0;
	}
	if (*val >> 32)
		return X86_TRAP_GP;
	if (nr == 6)
		dr->dr6 = (*val & KHV_DR6_VOLATILE) | KHV_DR6_FIXED_1;
	else
		dr->dr7 = (*val & KHV_DR7_VOLATILE) | KHV_DR7_RESET;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(khv_dr_access);

/**
 * khv_dr_debug_trap() - a #DB the guest raised: record its causes in DR6,
 *	as the processor does before it delivers the #DB (SDM Vol. 3B
 *	18.2.3).
 * @dr:      the guest's debug registers.
 * @payload: the causes: B0-B3, BD, BS, BT (DR6 bit positions, set = true).
 *
 * B0-B3 describe this #DB only; the others accumulate. Delivering any #DB
 * clears DR7.GD.
 */
void khv_dr_debug_trap(struct khv_dr *dr, u64 payload)
{
	dr->dr6 &= ~(u64)DR_TRAP_BITS;
	dr->dr6 |= payload & KHV_DR6_VOLATILE;
	dr->dr7 &= ~(u64)KHV_DR7_GD;
}
EXPORT_SYMBOL_IF_KUNIT(khv_dr_debug_trap);

/*
 * A MOV DR exit: the vendor decoded the register @nr, the general-purpose
 * register @gpr (SDM Vol. 2 numbering) and the direction; @len is the
 * instruction's length where the hardware does not give it.
 */
int khv_handle_dr(struct khv_vcpu *vcpu, unsigned int nr, unsigned int gpr,
		  bool write, unsigned int len)
{
	struct khv_cpu_mode m;
	u64 val = 0;
	int trap;

	khv_arch->get_cpu_mode(vcpu, &m);
	if (write) {
		val = khv_register_read(vcpu, gpr & 15);
		if (khv_code_mode(&m) != 64)
			val = (u32)val;
	}
	trap = khv_dr_access(&vcpu->dr, nr, write, &val,
			     khv_arch->get_cpl(vcpu), m.cr4);
	if (trap == X86_TRAP_DB) {
		khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
		return khv_queue_exception(vcpu, X86_TRAP_DB, 0, 0);
	}
	if (trap)
		return khv_queue_exception(vcpu, trap, 0, 0);
	if (!write)
		khv_register_write(vcpu, gpr & 15,
				   khv_code_mode(&m) == 64 ? val : (u32)val);
	else if (nr == 7 || nr == 5)
		khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
	khv_arch->skip_instruction(vcpu, len);
	return 1;
}

/* The debug registers after RESET or INIT (SDM Vol. 3A Table 10-1). */
void khv_dr_reset(struct khv_dr *dr)
{
	memset(dr->db, 0, sizeof(dr->db));
	dr->dr6 = KHV_DR6_FIXED_1;
	dr->dr7 = KHV_DR7_RESET;
}

/**
 * khv_dr_enter() - right before an entry, interrupts off: when the guest's
 *	DR7 enables a breakpoint, save the host's DR0-3 in @host and load the
 *	guest's.
 * @vcpu: the vCPU.
 * @host: where the host's go.
 *
 * Return: whether it did (khv_dr_exit() puts the host's back).
 */
bool khv_dr_enter(struct khv_vcpu *vcpu, unsigned long host[4])
{
	unsigned int i;

	if (!(vcpu->dr.dr7 & KHV_DR7_ENABLED))
		return false;
	for (i = 0; i < 4; i++) {
		host[i] = native_get_debugreg(i);
		native_set_debugreg(i, vcpu->dr.db[i]);
	}
	return true;
}

/* Right after the exit, interrupts still off: the host's DR0-3 again. */
void khv_dr_exit(const unsigned long host[4])
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		native_set_debugreg(i, host[i]);
}
