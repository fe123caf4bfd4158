// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit handlers both backends share, written once against the register
 * file (regs.h) and the ops of arch.h: CPUID, RDMSR/WRMSR, hypercalls, HLT,
 * port I/O (string I/O included), MMIO, the instructions khv refuses, and
 * the exits that user space completes. The backends' exit tables
 * (vmx/exit.c, svm/exit.c) point here; struct khv_exit_handler in exit.h
 * says what a handler may do.
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "exit.h"
#include "gwalk.h"
#include "khv.h"
#include "lapic.h"
#include "mtrr.h"
#include "regs.h"
#include "x86.h"

/* Port I/O data sits in the run page at this offset. */
#define KHV_RUN_IO_DATA		1024

static_assert(sizeof(struct khv_run) <= KHV_RUN_IO_DATA);

/* Little-endian value of @size bytes at @p. */
static u64 khv_le_value(const u8 *p, unsigned int size)
{
	u64 v = 0;

	while (size--)
		v = (v << 8) | p[size];
	return v;
}

static void khv_le_store(u8 *p, u64 v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++, v >>= 8)
		p[i] = v;
}

/**
 * khv_vcpu_exit() - end KHV_RUN with @reason for user space.
 * @vcpu:   the vCPU.
 * @reason: KHV_EXIT_*; the union member it names is filled by the caller.
 *
 * Return: 0, what a backend's exit handler returns to leave the run loop.
 */
int khv_vcpu_exit(struct khv_vcpu *vcpu, u32 reason)
{
	struct khv_run *run = vcpu->run;

	run->exit_reason = reason;
	if (reason < ARRAY_SIZE(vcpu->exits))
		vcpu->exits[reason]++;
	/* The union member is filled: the access's bytes, for the I/O limits. */
	if (reason == KHV_EXIT_IO)
		khv_quota_io_exit(vcpu, (u64)run->io.size * run->io.count);
	else if (reason == KHV_EXIT_MMIO)
		khv_quota_io_exit(vcpu, run->mmio.len);
	return 0;
}

/**
 * khv_vcpu_exit_io() - a port access for user space.
 * @vcpu:  the vCPU, whose RIP is past the instruction already.
 * @in:    IN (user space supplies data) or OUT.
 * @port:  the port.
 * @size:  1, 2 or 4 bytes.
 * @value: for OUT, the guest's RAX.
 *
 * Return: 0 (exit to user space).
 */
static int khv_vcpu_exit_io(struct khv_vcpu *vcpu, bool in, u16 port,
			    u8 size, u64 value)
{
	struct khv_run *run = vcpu->run;
	u8 *data = (u8 *)run + KHV_RUN_IO_DATA;

	memset(&run->io, 0, sizeof(run->io));
	run->io.direction = in ? KHV_EXIT_IO_IN : KHV_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = KHV_RUN_IO_DATA;
	memset(data, 0, 8);
	if (in) {
		vcpu->pending = KHV_PENDING_IO_IN;
		vcpu->pending_size = size;
	} else {
		khv_le_store(data, value, size);
	}
	return khv_vcpu_exit(vcpu, KHV_EXIT_IO);
}

/*
 * RIP past an instruction khv completed for the guest (MMIO, string I/O):
 * a STI or MOV SS shadow it ran in is over, as after any instruction
 * (KVM's toggle_interruptibility()); else an interrupt would wait one more.
 */
static void khv_emulated_rip(struct khv_vcpu *vcpu, u64 rip)
{
	khv_rip_write(vcpu, rip);
	khv_arch->set_interrupt_shadow(vcpu, 0);
}

/**
 * khv_vcpu_exit_mmio() - a guest access outside its RAM, for user space.
 * @vcpu:     the vCPU.
 * @gpa:      the guest-physical address accessed.
 * @insn:     the bytes at the guest's RIP (as many as could be read).
 * @insn_len: how many.
 * @mode:     16, 32 or 64 (see khv_decode_mmio()).
 *
 * A decoded access moves RIP past the instruction.
 * Anything the decoder does not know ends the run with
 * KHV_EXIT_EMULATION_FAILED and the bytes, never a guess.
 * Return: 0 (exit to user space).
 */
static int khv_vcpu_exit_mmio(struct khv_vcpu *vcpu, u64 gpa, const u8 *insn,
			      unsigned int insn_len, int mode)
{
	struct khv_run *run = vcpu->run;
	struct khv_insn d;
	u64 v;

	if (khv_decode_mmio(insn, insn_len, mode, &d)) {
		memset(&run->emulation, 0, sizeof(run->emulation));
		run->emulation.gpa = gpa;
		run->emulation.insn_len = min_t(unsigned int, insn_len,
						sizeof(run->emulation.insn));
		memcpy(run->emulation.insn, insn, run->emulation.insn_len);
		return khv_vcpu_exit(vcpu, KHV_EXIT_EMULATION_FAILED);
	}

	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.phys_addr = gpa;
	run->mmio.len = d.size;
	if (d.op == KHV_INSN_LOAD) {
		vcpu->pending = KHV_PENDING_MMIO_READ;
		vcpu->pending_size = d.size;
		vcpu->pending_insn = d;
	} else {
		v = khv_insn_store_data(&d, khv_register_read(vcpu, d.reg & 15));
		run->mmio.is_write = 1;
		khv_le_store(run->mmio.data, v, d.size);
	}
	khv_emulated_rip(vcpu, khv_rip_read(vcpu) + d.len);
	return khv_vcpu_exit(vcpu, KHV_EXIT_MMIO);
}

/*
 * An access to the xAPIC page of the in-kernel APIC: emulated here, the
 * guest goes on. Return: 1, or as khv_vcpu_exit_mmio() when the decoder
 * does not know the instruction.
 */
static int khv_vcpu_mmio_lapic(struct khv_vcpu *vcpu, u64 gpa, const u8 *insn,
			       unsigned int insn_len, int mode)
{
	struct khv_insn d;
	unsigned int reg;
	u64 v;

	if (khv_decode_mmio(insn, insn_len, mode, &d))
		return khv_vcpu_exit_mmio(vcpu, gpa, insn, insn_len, mode);
	reg = d.reg & 15;
	if (d.op == KHV_INSN_LOAD) {
		khv_lapic_mmio(vcpu, gpa, false, d.size, &v);
		khv_register_write(vcpu, reg,
				   khv_insn_load_result(&d, khv_register_read(vcpu, reg),
							v));
	} else {
		v = khv_insn_store_data(&d, khv_register_read(vcpu, reg));
		khv_lapic_mmio(vcpu, gpa, true, d.size, &v);
	}
	khv_emulated_rip(vcpu, khv_rip_read(vcpu) + d.len);
	return 1;
}

/* RSI/RDI/RCX as the address size sees them, and their update (SDM Vol. 1 3.4.1.1). */
static u64 khv_addr_mask(u8 bytes)
{
	return bytes == 8 ? ~0ULL : GENMASK_ULL(bytes * 8 - 1, 0);
}

static u64 khv_addr_update(u64 old, s64 delta, u8 bytes)
{
	u64 mask = khv_addr_mask(bytes);

	/* A 32-bit write zeroes bits 63:32; a 16-bit one keeps them. */
	if (bytes == 4)
		return (old + delta) & mask;
	return (old & ~mask) | ((old + delta) & mask);
}

/* An exception for the guest: vector, error code, CR2 for a page fault. */
struct khv_fault {
	u8 vector;
	u32 err;
	u64 cr2;
};

/*
 * Element @i of a string I/O from index register value @reg: its segment
 * and page checks (as the processor makes them), and the data (@buf: out
 * for OUTS, in for INS; NULL only checks). A fault the guest must get is
 * left in @f.
 * Return: 0; -EACCES (@f filled); -EFAULT for memory that is not guest RAM;
 * -EAGAIN for a write to a page not yet touched (its address in @f->cr2).
 */
static int khv_sio_access(struct khv_vcpu *vcpu, const struct khv_string_io *sio,
			  u64 reg, u64 rflags, u32 i, u8 *buf,
			  struct khv_fault *f)
{
	s64 step = rflags & X86_EFLAGS_DF ? -(s64)sio->size : sio->size;
	u64 ea = (reg + step * i) & khv_addr_mask(sio->addr_bytes), linear;
	unsigned int mode = sio->walk;
	u32 access = 0;
	int r;

	r = khv_seg_linear(&sio->seg, sio->seg_nr, sio->cpu, ea, sio->size,
			   sio->in, &linear);
	if (r) {
		*f = (struct khv_fault){ .vector = r };
		return -EACCES;
	}
	if (rflags & X86_EFLAGS_AC)
		mode |= KHV_GWALK_AC;
	if (sio->in)
		access |= X86_PF_WRITE;
	if (sio->cpl == 3)
		access |= X86_PF_USER;
	r = khv_guest_access(vcpu->vm, linear, sio->cr3, mode, access, buf,
			     sio->size, &f->cr2, &f->err);
	if (r == -EACCES)
		f->vector = X86_TRAP_PF;
	else if (r == -EINVAL)
		*f = (struct khv_fault){ .vector = sio->seg_nr == KHV_SEG_SS ?
					 X86_TRAP_SS : X86_TRAP_GP };
	return r == -EINVAL ? -EACCES : r;
}

/*
 * After @n elements: move the index register (@index: RSI or RDI) and RCX,
 * and RIP when done.
 */
static void khv_sio_advance(struct khv_vcpu *vcpu,
			    const struct khv_string_io *sio,
			    enum khv_reg index, u32 n)
{
	bool df = khv_rflags_read(vcpu) & X86_EFLAGS_DF;
	s64 step = df ? -(s64)sio->size : sio->size;
	u64 rcx = khv_register_read(vcpu, KHV_REG_RCX);

	khv_register_write(vcpu, index,
			   khv_addr_update(khv_register_read(vcpu, index),
					   step * n, sio->addr_bytes));
	if (sio->rep) {
		rcx = khv_addr_update(rcx, -(s64)n, sio->addr_bytes);
		khv_register_write(vcpu, KHV_REG_RCX, rcx);
	}
	if (!sio->rep || !(rcx & khv_addr_mask(sio->addr_bytes)))
		khv_emulated_rip(vcpu, sio->next_rip);
}

/**
 * khv_vcpu_exit_string_io() - INS/OUTS for user space, REP included.
 * @vcpu: the vCPU; RIP still points at the instruction.
 * @sio:  the instruction.
 *
 * Moves as many elements as fit in the run page per exit; a REP instruction
 * is re-executed for the rest, with RSI/RDI/RCX already moved (as an
 * interrupted REP string instruction would be). Each element's memory
 * operand is checked as the processor checks it (segment, then page
 * permissions); the first element that fails ends the batch, and if it is
 * the first of the exit the guest gets the #GP, #SS or #PF instead. INS
 * destinations are checked here and written when user space completes.
 * Return: 1 to enter the guest again (zero count, or a fault injected), 0
 * to exit to user space.
 */
static int khv_vcpu_exit_string_io(struct khv_vcpu *vcpu,
				   const struct khv_string_io *sio)
{
	u8 *data = (u8 *)vcpu->run + KHV_RUN_IO_DATA;
	enum khv_reg index = sio->in ? KHV_REG_RDI : KHV_REG_RSI;
	u64 rflags = khv_rflags_read(vcpu);
	u64 ea = khv_register_read(vcpu, index);
	struct khv_run *run = vcpu->run;
	struct khv_fault f = {};
	u32 n, max, i;
	int r = 0;

	n = sio->rep ? min_t(u64, khv_register_read(vcpu, KHV_REG_RCX) &
			     khv_addr_mask(sio->addr_bytes), U32_MAX) : 1;
	if (!n) {
		khv_emulated_rip(vcpu, sio->next_rip);
		return 1;
	}
	max = (PAGE_SIZE - KHV_RUN_IO_DATA) / sio->size;
	n = min(n, max);

	/* INS writes ES:RDI (checked now), OUTS reads DS:RSI (or the override). */
	for (i = 0; i < n; i++) {
		r = khv_sio_access(vcpu, sio, ea, rflags, i,
				   sio->in ? NULL : data + i * sio->size, &f);
		if (r)
			break;
	}
	if (!i && r == -EACCES)
		return khv_queue_exception(vcpu, f.vector, f.err, f.cr2);
	/* An INS into a page not yet touched: runs again once it is. */
	if (!i && r == -EAGAIN)
		return khv_vcpu_want_touch(vcpu, f.cr2, true);
	if (!i) {
		memset(&run->internal, 0, sizeof(run->internal));
		run->internal.info[0] = ea;
		return khv_vcpu_exit(vcpu, KHV_EXIT_INTERNAL_ERROR);
	}

	memset(&run->io, 0, sizeof(run->io));
	run->io.direction = sio->in ? KHV_EXIT_IO_IN : KHV_EXIT_IO_OUT;
	run->io.size = sio->size;
	run->io.port = sio->port;
	run->io.data_offset = KHV_RUN_IO_DATA;
	run->io.count = i;
	if (sio->in) {
		memset(data, 0, i * sio->size);
		vcpu->pending = KHV_PENDING_INS;
		vcpu->pending_sio = *sio;
		vcpu->pending_sio.count = i;
		return khv_vcpu_exit(vcpu, KHV_EXIT_IO);
	}
	khv_sio_advance(vcpu, sio, KHV_REG_RSI, i);
	return khv_vcpu_exit(vcpu, KHV_EXIT_IO);
}

/*
 * INS completes: the data user space wrote goes to ES:RDI, through the same
 * checks (another vCPU may have changed the page tables since the exit: an
 * element that fails now is dropped with the rest, and the instruction runs
 * again from it).
 */
static void khv_vcpu_complete_ins(struct khv_vcpu *vcpu)
{
	const struct khv_string_io *sio = &vcpu->pending_sio;
	const u8 *data = (const u8 *)vcpu->run + KHV_RUN_IO_DATA;
	u64 rdi = khv_register_read(vcpu, KHV_REG_RDI);
	u64 rflags = khv_rflags_read(vcpu);
	struct khv_fault f;
	u8 buf[4];
	u32 i;

	for (i = 0; i < sio->count; i++) {
		memcpy(buf, data + i * sio->size, sio->size);
		if (khv_sio_access(vcpu, sio, rdi, rflags, i, buf, &f))
			break;
	}
	khv_sio_advance(vcpu, sio, KHV_REG_RDI, i);
}

/**
 * khv_vcpu_hypercall() - a khv hypercall (see uapi/linux/khv.h).
 * @vcpu: the vCPU, whose RIP is past the instruction already.
 *	  RAX is set here for calls the module answers.
 * @cpl:  the guest's CPL: only CPL 0 may call (as KVM's
 *	  kvm_emulate_hypercall() decides); the others get KHV_HC_EPERM.
 *
 * Return: 1 when answered here (enter the guest again), 0 when user space
 * must answer (KHV_EXIT_HYPERCALL).
 */
static int khv_vcpu_hypercall(struct khv_vcpu *vcpu, unsigned int cpl)
{
	u64 nr = khv_register_read(vcpu, KHV_REG_RAX);
	struct khv_run *run = vcpu->run;

	if (cpl) {
		khv_register_write(vcpu, KHV_REG_RAX, KHV_HC_EPERM);
		return 1;
	}
	if (nr == KHV_HC_API_VERSION) {
		khv_register_write(vcpu, KHV_REG_RAX, KHV_API_VERSION);
		return 1;
	}
	if (nr < KHV_HC_USER_BASE) {
		khv_register_write(vcpu, KHV_REG_RAX, KHV_HC_ENOSYS);
		return 1;
	}
	memset(&run->hypercall, 0, sizeof(run->hypercall));
	run->hypercall.nr = nr;
	run->hypercall.args[0] = khv_register_read(vcpu, KHV_REG_RBX);
	run->hypercall.args[1] = khv_register_read(vcpu, KHV_REG_RCX);
	run->hypercall.args[2] = khv_register_read(vcpu, KHV_REG_RDX);
	run->hypercall.args[3] = khv_register_read(vcpu, KHV_REG_RSI);
	run->hypercall.args[4] = khv_register_read(vcpu, KHV_REG_RDI);
	vcpu->pending = KHV_PENDING_HYPERCALL;
	return khv_vcpu_exit(vcpu, KHV_EXIT_HYPERCALL);
}

/*
 * KHV_RUN: finish what the last exit left to user space. The run page is
 * the user's: read once.
 */
void khv_vcpu_complete_user(struct khv_vcpu *vcpu)
{
	const u8 *io = (const u8 *)vcpu->run + KHV_RUN_IO_DATA;
	unsigned int reg;
	u8 data[8];
	u64 v, old;

	switch (vcpu->pending) {
	case KHV_PENDING_IO_IN:
		memcpy(data, io, sizeof(data));
		v = khv_le_value(data, vcpu->pending_size);
		old = khv_register_read(vcpu, KHV_REG_RAX);
		/* SDM Vol. 1 3.4.1.1: a 32-bit write zeroes bits 63:32. */
		if (vcpu->pending_size != 4)
			v |= old & ~GENMASK_ULL(vcpu->pending_size * 8 - 1, 0);
		khv_register_write(vcpu, KHV_REG_RAX, v);
		break;
	case KHV_PENDING_INS:
		khv_vcpu_complete_ins(vcpu);
		break;
	case KHV_PENDING_HYPERCALL:
		khv_register_write(vcpu, KHV_REG_RAX,
				   READ_ONCE(vcpu->run->hypercall.ret));
		break;
	case KHV_PENDING_MMIO_READ:
		memcpy(data, vcpu->run->mmio.data, sizeof(data));
		reg = vcpu->pending_insn.reg & 15;
		khv_register_write(vcpu, reg,
				   khv_insn_load_result(&vcpu->pending_insn,
							khv_register_read(vcpu, reg),
							khv_le_value(data, vcpu->pending_size)));
		break;
	default:
		break;
	}
	vcpu->pending = KHV_PENDING_NONE;
}

/**
 * khv_exit_lookup() - the row of a backend's exit table for @code.
 * @vcpu:  the vCPU; the exit counts in the row's bucket, or KHV_STAT_OTHER.
 * @table: the backend's table, indexed by exit code.
 * @n:     its rows.
 * @code:  the hardware's exit code.
 *
 * Return: the row, or NULL where it has none.
 */
const struct khv_exit_handler *
khv_exit_lookup(struct khv_vcpu *vcpu, const struct khv_exit_handler *table,
		unsigned int n, u64 code)
{
	const struct khv_exit_handler *h = NULL;

	if (code < n) {
		h = &table[array_index_nospec(code, n)];
		if (!h->handle)
			h = NULL;
	}
	khv_stat_count(vcpu, h ? h->stat : KHV_STAT_OTHER);
	return h;
}

/*
 * Entries in one run at most (vcpu->reentries, reset by KHV_RUN's loop for
 * each call of the backend): a host interrupt ends a run of entries where
 * the hardware exits for it, and this bounds the time interrupts wait where
 * it does not (Bochs keeps them masked while a VMX guest runs with IF
 * clear, Documentation/khv-abi.rst, "Leaving the guest").
 */
#define KHV_REENTER_MAX	64

/*
 * After a handler of the entry loop returned @r: may the vCPU enter again
 * without going back to KHV_RUN's loop? Only when that loop has nothing to
 * do between the two entries (khv_vcpu_loop_due()). A kick, a request, a
 * paused VM or a spent CPU cap are seen by khv_vcpu_enter_guest() of the
 * next entry; a host interrupt makes that entry exit at once.
 */
static bool khv_vcpu_may_reenter(struct khv_vcpu *vcpu, int r)
{
	return r > 0 && ++vcpu->reentries < KHV_REENTER_MAX &&
	       !khv_vcpu_loop_due(vcpu);
}

/**
 * khv_exit_reenter() - handle an exit inside the backend's entry loop when
 *	its row allows it (struct khv_exit_handler.reenter).
 * @vcpu: the vCPU, right after the exit (khv_vcpu_exit_guest()), in the
 *	backend's exit context.
 * @h:    the exit's row (khv_exit_lookup(), counted already), or NULL.
 *
 * What KHV_RUN's loop does after an exit, for the exits that need none of
 * it: khv_event_after_exit(), then the handler. The backend then keeps what
 * it switched for the guest (its FPU state; on VMX the VMCS, the segments
 * and syscall MSRs; on SVM the host's VMSAVE) across the next entry, where
 * KHV_RUN's loop would put it all back and switch it again.
 *
 * Return: true: handled, enter again now. false: KHV_RUN's loop takes
 * over; if the handler ran (vcpu->exit_done), its result is for
 * khv_exit_handled() and the backend returns KHV_ENTRY_HANDLED.
 */
bool khv_exit_reenter(struct khv_vcpu *vcpu, const struct khv_exit_handler *h)
{
	if (!h || !h->reenter)
		return false;
	khv_event_after_exit(vcpu);
	vcpu->exit_r = h->handle(vcpu);
	if (khv_vcpu_may_reenter(vcpu, vcpu->exit_r))
		return true;
	vcpu->exit_done = true;
	return false;
}

/**
 * khv_exit_handled() - for the backend's handle_exit after
 *	KHV_ENTRY_HANDLED: the result of the handler khv_exit_reenter() ran.
 * @vcpu: the vCPU.
 *
 * Return: as a handler.
 */
int khv_exit_handled(struct khv_vcpu *vcpu)
{
	vcpu->exit_done = false;
	return vcpu->exit_r;
}

/**
 * khv_exit_internal() - end the run with an exit khv does not handle.
 * @vcpu:      the vCPU.
 * @reason:    KHV_EXIT_UNKNOWN or KHV_EXIT_INTERNAL_ERROR.
 * @hw_reason: the hardware's exit code.
 * @info0:     what the exit said (the backend's exit information),
 * @info1:     for the VMM's log.
 *
 * Return: 0 (exit to user space).
 */
int khv_exit_internal(struct khv_vcpu *vcpu, u32 reason, u64 hw_reason,
		      u64 info0, u64 info1)
{
	struct khv_run *run = vcpu->run;

	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.hardware_exit_reason = hw_reason;
	run->internal.info[0] = info0;
	run->internal.info[1] = info1;
	return khv_vcpu_exit(vcpu, reason);
}

/**
 * khv_exit_fail_entry() - the hardware refused to enter the guest.
 * @vcpu:      the vCPU.
 * @hw_reason: why, as the hardware says it.
 *
 * Return: 0 (exit to user space with KHV_EXIT_FAIL_ENTRY).
 */
int khv_exit_fail_entry(struct khv_vcpu *vcpu, u64 hw_reason)
{
	struct khv_run *run = vcpu->run;

	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->fail_entry.hardware_reason = hw_reason;
	run->fail_entry.cpu = raw_smp_processor_id();
	return khv_vcpu_exit(vcpu, KHV_EXIT_FAIL_ENTRY);
}

/* A host interrupt, NMI, SMI or INIT: the host takes it once the exit is done. */
int khv_handle_host_event(struct khv_vcpu *vcpu)
{
	return 1;
}

/* The guest shut down (a triple fault). */
int khv_handle_shutdown(struct khv_vcpu *vcpu)
{
	return khv_vcpu_exit(vcpu, KHV_EXIT_SHUTDOWN);
}

/* CPUID: the vCPU's table or the host's values (cpuid.c). */
int khv_handle_cpuid(struct khv_vcpu *vcpu)
{
	u32 regs[4];

	khv_cpuid(vcpu, khv_register_read(vcpu, KHV_REG_RAX),
		  khv_register_read(vcpu, KHV_REG_RCX), regs);
	khv_register_write(vcpu, KHV_REG_RAX, regs[0]);
	khv_register_write(vcpu, KHV_REG_RBX, regs[1]);
	khv_register_write(vcpu, KHV_REG_RCX, regs[2]);
	khv_register_write(vcpu, KHV_REG_RDX, regs[3]);
	khv_arch->skip_instruction(vcpu, 2);
	return 1;
}

/*
 * HLT: user space decides when the guest goes on; with the irqchip, an
 * interrupt does (khv_lapic_halt()).
 */
int khv_handle_hlt(struct khv_vcpu *vcpu)
{
	khv_arch->skip_instruction(vcpu, 1);
	if (vcpu->lapic)
		return khv_lapic_halt(vcpu);
	return khv_vcpu_exit(vcpu, KHV_EXIT_HLT);
}

/**
 * khv_msr_get() - an MSR for the guest (RDMSR) or user space
 *	(KHV_GET_MSRS): IA32_TSC is the guest's TSC (khv_guest_tsc()), the
 *	local APIC's are the irqchip's (lapic.c), the MTRRs the vCPU's
 *	(mtrr.c), AMD's SYSCFG and NB_CFG read 0 (as KVM's: Linux's MTRR
 *	code reads SYSCFG, its PCI code writes NB_CFG on AMD family 10h and
 *	later), the rest the backend's allow list (khv_arch_ops.get_msr).
 * @vcpu:  the vCPU, its own thread.
 * @index: the MSR.
 * @data:  out: its value.
 * @host:  from user space.
 *
 * Return: 0 or -EINVAL (#GP for the guest).
 */
int khv_msr_get(struct khv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	if (index == MSR_IA32_TSC) {
		*data = khv_guest_tsc(vcpu, rdtsc());
		return 0;
	}
	if (vcpu->lapic && khv_lapic_msr_owned(index))
		return khv_lapic_get_msr(vcpu, index, data, host);
	if (khv_mtrr_msr(index))
		return khv_mtrr_get(&vcpu->mtrr, index, data);
	if (index == MSR_AMD64_NB_CFG || index == MSR_AMD64_SYSCFG) {
		*data = 0;
		return 0;
	}
	return khv_arch->get_msr(vcpu, index, data);
}

/*
 * khv_msr_get()'s write: checked, and with @apply written. A write to
 * IA32_TSC sets this vCPU's offset so that its TSC reads @data now and counts
 * on from there, as WRMSR does on hardware (SDM Vol. 3B 18.17); the VM's
 * other vCPUs keep theirs.
 */
int khv_msr_set(struct khv_vcpu *vcpu, u32 index, u64 data, bool apply,
		bool host)
{
	if (index == MSR_IA32_TSC) {
		if (apply)
			vcpu->tsc_offset = khv_tsc_offset(data, rdtsc());
		return 0;
	}
	if (vcpu->lapic && khv_lapic_msr_owned(index))
		return khv_lapic_set_msr(vcpu, index, data, apply, host);
	if (khv_mtrr_msr(index))
		return khv_mtrr_set(&vcpu->mtrr, index, data, apply,
				    boot_cpu_data.x86_phys_bits);
	/* NB_CFG takes any value and keeps none; SYSCFG is read-only (#GP). */
	if (index == MSR_AMD64_NB_CFG)
		return 0;
	return khv_arch->set_msr(vcpu, index, data, apply);
}

/*
 * RDMSR/WRMSR: ECX the index, EDX:EAX the value. An MSR off khv's list, or
 * a value it may not hold, is #GP(0) (Documentation/khv-abi.rst, MSRs).
 */
int khv_handle_rdmsr(struct khv_vcpu *vcpu)
{
	u32 index = khv_register_read(vcpu, KHV_REG_RCX);
	u64 data;

	if (khv_msr_get(vcpu, index, &data, false))
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	khv_edx_eax_write(vcpu, data);
	khv_arch->skip_instruction(vcpu, 2);
	return 1;
}

int khv_handle_wrmsr(struct khv_vcpu *vcpu)
{
	u32 index = khv_register_read(vcpu, KHV_REG_RCX);
	u64 data = khv_edx_eax_read(vcpu);

	if (khv_msr_set(vcpu, index, data, false, false))
		return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
	khv_msr_set(vcpu, index, data, true, false);
	khv_arch->skip_instruction(vcpu, 2);
	return 1;
}

/* VMCALL or VMMCALL, both 3 bytes (Documentation/khv-abi.rst, Hypercalls). */
int khv_handle_hypercall(struct khv_vcpu *vcpu)
{
	khv_arch->skip_instruction(vcpu, 3);
	return khv_vcpu_hypercall(vcpu, khv_arch->get_cpl(vcpu));
}

/* RDPMC: no performance counters are offered, as for one that does not exist. */
int khv_handle_rdpmc(struct khv_vcpu *vcpu)
{
	return khv_queue_exception(vcpu, X86_TRAP_GP, 0, 0);
}

/*
 * WBINVD and INVD (both two bytes): guest RAM is write-back host RAM, nothing
 * to write back; INVD may not throw away the host's dirty lines, so it does
 * what WBINVD does, as in KVM.
 */
int khv_handle_wbinvd(struct khv_vcpu *vcpu)
{
	khv_arch->skip_instruction(vcpu, 2);
	return 1;
}

/*
 * The virtualization instructions (VMX, SVM), MONITOR/MWAIT, RDPRU and RSM
 * outside SMM, which khv does not offer:
 * #UD, as on a processor without them.
 */
int khv_handle_ud(struct khv_vcpu *vcpu)
{
	return khv_queue_exception(vcpu, X86_TRAP_UD, 0, 0);
}

/**
 * khv_deliver_db() - a debug exception goes back to the guest.
 * @vcpu:    the vCPU.
 * @payload: its causes as DR6 bits (B0-B3, BD, BS), which go into the
 *	guest's DR6 first, as the processor's #DB does (debugreg.c).
 *
 * Return: as khv_queue_exception().
 */
int khv_deliver_db(struct khv_vcpu *vcpu, u64 payload)
{
	khv_dr_debug_trap(&vcpu->dr, payload);
	khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
	return khv_queue_exception(vcpu, X86_TRAP_DB, 0, 0);
}

/* A #DB without causes the backend can report. */
int khv_handle_db(struct khv_vcpu *vcpu)
{
	return khv_deliver_db(vcpu, 0);
}

/*
 * INT1 (ICEBP, one byte) exits before it runs: step over it and deliver the
 * #DB trap it raises, as KVM does. It leaves DR6 as it was.
 */
int khv_handle_icebp(struct khv_vcpu *vcpu)
{
	khv_arch->skip_instruction(vcpu, 1);
	vcpu->dr.dr7 &= ~(u64)KHV_DR7_GD;
	khv_arch->set_dr7(vcpu, vcpu->dr.dr7);
	return khv_queue_exception(vcpu, X86_TRAP_DB, 0, 0);
}

/* The operand mode of the guest's code segment, for the decoder: 16, 32, 64. */
int khv_code_mode(const struct khv_cpu_mode *m)
{
	if ((m->efer & EFER_LMA) && m->cs.l)
		return 64;
	if ((m->cr0 & X86_CR0_PE) && m->cs.db)
		return 32;
	return 16;
}

/**
 * khv_fetch_insn() - the bytes of the instruction at CS:RIP.
 * @vcpu: the vCPU.
 * @m:    its modes (khv_arch_ops.get_cpu_mode).
 * @buf:  out.
 * @len:  at most this many.
 *
 * What the hardware gave with the exit, else read through the guest's page
 * tables.
 * Return: the bytes read; fewer than @len where the guest's memory ends.
 */
unsigned int khv_fetch_insn(struct khv_vcpu *vcpu,
			    const struct khv_cpu_mode *m, u8 *buf,
			    unsigned int len)
{
	unsigned int n = khv_arch->insn_bytes ?
			 khv_arch->insn_bytes(vcpu, buf, len) : 0;

	if (n)
		return n;
	/* SDM Vol. 1 3.4.2.1: in 64-bit mode the CS base is 0. */
	return khv_fetch_guest(vcpu->vm,
			       (khv_code_mode(m) == 64 ? 0 : m->cs.base) +
			       khv_rip_read(vcpu), m->cr3,
			       khv_gwalk_mode(m->cr0, m->cr4, m->efer), buf, len);
}

/**
 * khv_handle_io() - a port access, for user space.
 * @vcpu: the vCPU; RIP points at the instruction.
 * @io:   what the backend decoded from the exit.
 *
 * IN and OUT go to user space with RIP past them; INS and OUTS are checked
 * and moved in batches (khv_vcpu_exit_string_io()).
 * Return: as a handler.
 */
int khv_handle_io(struct khv_vcpu *vcpu, const struct khv_io *io)
{
	struct khv_string_io sio = {
		.in = io->in,
		.rep = io->rep,
		.port = io->port,
		.size = io->size,
		.addr_bytes = io->addr_bytes,
		/* INS writes ES:RDI. */
		.seg_nr = io->in ? KHV_SEG_ES :
			  io->seg_nr <= KHV_SEG_GS ? io->seg_nr : KHV_SEG_DS,
		.next_rip = io->next_rip,
	};
	struct khv_cpu_mode m;
	int mode;

	if (!io->string) {
		khv_arch->skip_instruction(vcpu,
					   io->next_rip - khv_rip_read(vcpu));
		return khv_vcpu_exit_io(vcpu, io->in, io->port, io->size,
					khv_register_read(vcpu, KHV_REG_RAX));
	}
	khv_arch->get_cpu_mode(vcpu, &m);
	mode = khv_code_mode(&m);
	if (!sio.addr_bytes && mode == 64)
		sio.addr_bytes = io->a67 ? 4 : 8;
	else if (!sio.addr_bytes)
		sio.addr_bytes = (mode == 32) != io->a67 ? 4 : 2;
	if (mode == 64)
		sio.cpu = KHV_CPU_64;
	else if ((m.cr0 & X86_CR0_PE) &&
		 !(khv_rflags_read(vcpu) & X86_EFLAGS_VM))
		sio.cpu = KHV_CPU_PROT;
	else
		sio.cpu = KHV_CPU_REAL;
	sio.cpl = khv_arch->get_cpl(vcpu);
	sio.cr3 = m.cr3;
	sio.walk = khv_gwalk_mode(m.cr0, m.cr4, m.efer);
	khv_arch->get_segment(vcpu, sio.seg_nr, &sio.seg);
	return khv_vcpu_exit_string_io(vcpu, &sio);
}

/**
 * khv_handle_mmio() - a nested page fault (EPT violation): a stale
 *	translation, or an access outside guest RAM for user space.
 * @vcpu:      the vCPU.
 * @gpa:       the guest-physical address.
 * @write:     the access was a write.
 * @event:     an event whose delivery the exit interrupted (the backend's
 *	       format), 0 for none.
 * @hw_reason: the hardware's exit code, for KHV_EXIT_INTERNAL_ERROR.
 *
 * Return: as a handler.
 */
int khv_handle_mmio(struct khv_vcpu *vcpu, u64 gpa, bool write, u64 event,
		    u64 hw_reason)
{
	u8 insn[KHV_INSN_MAX_LEN];
	struct khv_cpu_mode m;
	unsigned int n;

	switch (khv_gpa_state(vcpu->vm, gpa, write)) {
	case KHV_GPA_PAGE:
		/* Mapped and allowed: a stale translation; just go back in. */
		return 1;
	case KHV_GPA_UNTOUCHED:
		/* Guest RAM on first touch: allocated before the next entry. */
		return khv_vcpu_want_touch(vcpu, gpa, write);
	default:
		break;
	}
	/*
	 * Delivering an event touched memory that is no RAM: no instruction
	 * to emulate, and khv does not emulate delivery. The event stays
	 * queued for a VMM that maps memory there.
	 */
	if (event)
		return khv_exit_internal(vcpu, KHV_EXIT_INTERNAL_ERROR,
					 hw_reason, event, gpa);
	khv_arch->get_cpu_mode(vcpu, &m);
	n = khv_fetch_insn(vcpu, &m, insn, sizeof(insn));
	if (vcpu->lapic && khv_lapic_in_page(vcpu, gpa))
		return khv_vcpu_mmio_lapic(vcpu, gpa, insn, n, khv_code_mode(&m));
	return khv_vcpu_exit_mmio(vcpu, gpa, insn, n, khv_code_mode(&m));
}
