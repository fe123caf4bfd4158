// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vendor-neutral vCPU: its fd, the shared run page, KHV_RUN's loop and
 * the exits that user space completes (port I/O, MMIO).
 */
#define pr_fmt(fmt) "khv: " fmt

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "gwalk.h"
#include "khv.h"
#include "regs.h"
#include "x86.h"

/* Port I/O data sits in the run page at this offset. */
#define KHV_RUN_IO_DATA		1024

static_assert(sizeof(struct khv_run) <= KHV_RUN_IO_DATA);

/* struct khv_regs (uapi) fields by x86 register number (enum khv_reg). */
static const u8 khv_regs_offset[KHV_NR_REGS] = {
	offsetof(struct khv_regs, rax), offsetof(struct khv_regs, rcx),
	offsetof(struct khv_regs, rdx), offsetof(struct khv_regs, rbx),
	offsetof(struct khv_regs, rsp), offsetof(struct khv_regs, rbp),
	offsetof(struct khv_regs, rsi), offsetof(struct khv_regs, rdi),
	offsetof(struct khv_regs, r8), offsetof(struct khv_regs, r9),
	offsetof(struct khv_regs, r10), offsetof(struct khv_regs, r11),
	offsetof(struct khv_regs, r12), offsetof(struct khv_regs, r13),
	offsetof(struct khv_regs, r14), offsetof(struct khv_regs, r15),
	offsetof(struct khv_regs, rip), offsetof(struct khv_regs, rflags),
};

static u64 *khv_regs_field(struct khv_regs *regs, unsigned int nr)
{
	return (u64 *)((u8 *)regs + khv_regs_offset[nr]);
}

/* KHV_GET_REGS, and introspection (netlink/introspect.c). */
void khv_vcpu_get_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	unsigned int i;

	memset(regs, 0, sizeof(*regs));
	for (i = 0; i < KHV_NR_REGS; i++)
		*khv_regs_field(regs, i) = vcpu->regs[i];
}

/* KHV_SET_REGS: -EINVAL for an RFLAGS value no processor holds. */
static int khv_vcpu_set_regs(struct khv_vcpu *vcpu, struct khv_regs *regs)
{
	unsigned int i;

	if (!khv_rflags_valid(regs->rflags))
		return -EINVAL;
	for (i = 0; i < KHV_NR_REGS; i++)
		khv_register_write(vcpu, i, *khv_regs_field(regs, i));
	return 0;
}

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
	vcpu->run->exit_reason = reason;
	if (reason < ARRAY_SIZE(vcpu->exits))
		vcpu->exits[reason]++;
	return 0;
}

/**
 * khv_vcpu_exit_io() - a port access for user space.
 * @vcpu:  the vCPU, whose RIP the backend already moved past the instruction.
 * @in:    IN (user space supplies data) or OUT.
 * @port:  the port.
 * @size:  1, 2 or 4 bytes.
 * @value: for OUT, the guest's RAX.
 *
 * Return: 0 (exit to user space).
 */
int khv_vcpu_exit_io(struct khv_vcpu *vcpu, bool in, u16 port, u8 size,
		     u64 value)
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
int khv_vcpu_exit_mmio(struct khv_vcpu *vcpu, u64 gpa, const u8 *insn,
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
	khv_rip_write(vcpu, khv_rip_read(vcpu) + d.len);
	return khv_vcpu_exit(vcpu, KHV_EXIT_MMIO);
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
 * Return: 0; -EACCES (@f filled); -EFAULT for memory that is not guest RAM.
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
		khv_rip_write(vcpu, sio->next_rip);
}

/**
 * khv_vcpu_exit_string_io() - INS/OUTS for user space, REP included.
 * @vcpu: the vCPU; RIP still points at the instruction.
 * @sio:  what the backend decoded.
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
int khv_vcpu_exit_string_io(struct khv_vcpu *vcpu,
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
		khv_rip_write(vcpu, sio->next_rip);
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
		return khv_arch->inject_exception(vcpu, f.vector, f.err, f.cr2);
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
 * @vcpu: the vCPU, whose RIP the backend already moved past the instruction.
 *	  RAX is set here for calls the module answers.
 * @cpl:  the guest's CPL: only CPL 0 may call (as KVM's
 *	  kvm_emulate_hypercall() decides); the others get KHV_HC_EPERM.
 *
 * Return: 1 when answered here (enter the guest again), 0 when user space
 * must answer (KHV_EXIT_HYPERCALL).
 */
int khv_vcpu_hypercall(struct khv_vcpu *vcpu, unsigned int cpl)
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

/* Finish what the last exit left to user space. The run page is the user's: read once. */
static void khv_vcpu_complete_user(struct khv_vcpu *vcpu)
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

static long khv_vcpu_run_loop(struct khv_vcpu *vcpu)
{
	struct khv_run *run = vcpu->run;
	int r;

	khv_vcpu_complete_user(vcpu);
	for (;;) {
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
			return -EINTR;
		}
		switch (READ_ONCE(vcpu->vm->state)) {
		case KHV_VM_STATE_PAUSED:
			return KHV_RUN_PAUSED;
		case KHV_VM_STATE_DEAD:
			return -EIO;
		}
		r = khv_arch->vcpu_run(vcpu);
		if (r <= 0)
			return r;
		cond_resched();
	}
}

static long khv_vcpu_run(struct khv_vcpu *vcpu)
{
	long r;

	if (khv_arch->vcpu_load)
		khv_arch->vcpu_load(vcpu);
	r = khv_vcpu_run_loop(vcpu);
	if (khv_arch->vcpu_put)
		khv_arch->vcpu_put(vcpu);
	return r;
}

/*
 * The run page's header words that have no meaning yet must be 0, as any
 * reserved field (Documentation/khv-abi.rst, KHV_RUN). The page is shared
 * with user space: this only looks, nothing here is used later.
 */
static bool khv_run_header_clean(const struct khv_run *run)
{
	return !memchr_inv(run->padding1, 0, sizeof(run->padding1)) &&
	       !READ_ONCE(run->flags) &&
	       !memchr_inv(run->reserved, 0, sizeof(run->reserved));
}

/*
 * KHV_RUN. While the VM is paused the vCPU waits here without its mutex, so
 * that introspection can read its registers (Documentation/khv-abi.rst).
 */
static long khv_vcpu_run_ioctl(struct khv_vcpu *vcpu)
{
	struct khv_spec_run sr;
	long r;

	if (!khv_run_header_clean(vcpu->run))
		return -EINVAL;
	khv_spec_run_begin(&sr);
	do {
		/* immediate_exit returns at once, paused or not. */
		r = READ_ONCE(vcpu->run->immediate_exit) ? 0 :
		    khv_vm_wait_running(vcpu->vm);
		if (mutex_lock_killable(&vcpu->mutex)) {
			r = -EINTR;
			break;
		}
		if (r == -EINTR)
			khv_vcpu_exit(vcpu, KHV_EXIT_INTR);
		else if (!r)
			r = khv_vcpu_run(vcpu);
		mutex_unlock(&vcpu->mutex);
	} while (r == KHV_RUN_PAUSED);
	khv_spec_run_end(&sr);
	return r;
}

static noinline long khv_vcpu_regs_ioctl(struct khv_vcpu *vcpu,
					 unsigned int cmd, void __user *argp)
{
	struct khv_regs regs;

	if (cmd == KHV_GET_REGS) {
		khv_vcpu_get_regs(vcpu, &regs);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (memchr_inv(regs.reserved, 0, sizeof(regs.reserved)))
		return -EINVAL;
	return khv_vcpu_set_regs(vcpu, &regs);
}

static noinline long khv_vcpu_sregs_ioctl(struct khv_vcpu *vcpu,
					  unsigned int cmd, void __user *argp)
{
	struct khv_sregs sregs;

	if (cmd == KHV_GET_SREGS) {
		memset(&sregs, 0, sizeof(sregs));
		khv_arch->get_sregs(vcpu, &sregs);
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (memchr_inv(sregs.reserved, 0, sizeof(sregs.reserved)))
		return -EINVAL;
	return khv_arch->set_sregs(vcpu, &sregs);
}

/* KHV_GET_MSRS / KHV_SET_MSRS: all entries checked before any is applied. */
static noinline long khv_vcpu_msrs_ioctl(struct khv_vcpu *vcpu,
					 unsigned int cmd, void __user *argp)
{
	struct khv_msrs *m;
	unsigned int i;
	long r = 0;

	m = memdup_user(argp, sizeof(*m));
	if (IS_ERR(m))
		return PTR_ERR(m);
	if (m->flags || !m->nmsrs || m->nmsrs > KHV_MAX_MSR_ENTRIES) {
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < m->nmsrs && !r; i++) {
		if (m->entries[i].reserved)
			r = -EINVAL;
		else if (cmd == KHV_GET_MSRS)
			r = khv_arch->get_msr(vcpu, m->entries[i].index,
					      &m->entries[i].data);
		else
			r = khv_arch->set_msr(vcpu, m->entries[i].index,
					      m->entries[i].data, false);
	}
	if (r)
		goto out;
	if (cmd == KHV_GET_MSRS) {
		if (copy_to_user(argp, m, sizeof(*m)))
			r = -EFAULT;
		goto out;
	}
	for (i = 0; i < m->nmsrs; i++)
		khv_arch->set_msr(vcpu, m->entries[i].index,
				  m->entries[i].data, true);
out:
	kfree(m);
	return r;
}

static long khv_vcpu_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	struct khv_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* Destroyed from outside (vm-destroy): nothing more on its fds. */
	if (READ_ONCE(vcpu->vm->state) == KHV_VM_STATE_DEAD)
		return -EIO;
	if (cmd == KHV_RUN)
		return arg ? -EINVAL : khv_vcpu_run_ioctl(vcpu);
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (cmd) {
	case KHV_GET_REGS:
	case KHV_SET_REGS:
		r = khv_vcpu_regs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_GET_SREGS:
	case KHV_SET_SREGS:
		r = khv_vcpu_sregs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_GET_MSRS:
	case KHV_SET_MSRS:
		r = khv_vcpu_msrs_ioctl(vcpu, cmd, argp);
		break;
	case KHV_SET_CPUID:
		r = khv_vcpu_set_cpuid(vcpu, argp);
		break;
	default:
		r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t khv_vcpu_fault(struct vm_fault *vmf)
{
	struct khv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct khv_vcpu_vm_ops = {
	.fault = khv_vcpu_fault,
};

/* As guest memory (khv_vm_mmap()): not inherited, not dumped, not grown. */
static int khv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	khv_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &khv_vcpu_vm_ops;
	return 0;
}

static int khv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct khv_vcpu *vcpu = filp->private_data;

	/* The vCPU itself lives until its VM goes. */
	fput(vcpu->vm->file);
	return 0;
}

static const struct file_operations khv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = khv_vcpu_release,
	.unlocked_ioctl = khv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = khv_vcpu_mmap,
	.llseek = noop_llseek,
};

/* For the backends' vcpu_create(): the vendor-neutral part. */
int khv_vcpu_init(struct khv_vcpu *vcpu, struct khv_vm *vm, u32 id)
{
	vcpu->run = (struct khv_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	/* The reset state (SDM Vol. 3A 10.1.1), loaded by the first entry. */
	vcpu->regs[KHV_REG_RIP] = 0xfff0;
	vcpu->regs[KHV_REG_RFLAGS] = X86_EFLAGS_FIXED;
	vcpu->regs_dirty = GENMASK(KHV_NR_REGS - 1, 0);
	return 0;
}

void khv_vcpu_uninit(struct khv_vcpu *vcpu)
{
	kfree(vcpu->cpuid);
	mutex_destroy(&vcpu->mutex);
	free_page((unsigned long)vcpu->run);
}

/**
 * khv_vcpu_create() - KHV_CREATE_VCPU: a new vCPU and its fd.
 * @vm:   the VM.
 * @args: the user's argument, copied in.
 *
 * Return: the fd; -EINVAL for non-zero flags or reserved words or an id at
 * or over KHV_CAP_MAX_VCPUS (no more vCPUs than online CPUs, HY-SR-4);
 * -EEXIST for an id in use; -ENOMEM.
 */
int khv_vcpu_create(struct khv_vm *vm, const struct khv_create_vcpu *args)
{
	struct khv_vcpu *vcpu;
	struct file *file;
	int r;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->id >= min_t(unsigned int, KHV_MAX_VCPUS, num_online_cpus()))
		return -EINVAL;

	mutex_lock(&vm->vcpu_lock);
	if (vm->vcpus[args->id]) {
		r = -EEXIST;
		goto out;
	}
	r = get_unused_fd_flags(O_CLOEXEC);
	if (r < 0)
		goto out;
	vcpu = khv_arch->vcpu_create(vm, args->id);
	if (IS_ERR(vcpu)) {
		put_unused_fd(r);
		r = PTR_ERR(vcpu);
		goto out;
	}
	get_file(vm->file);
	file = anon_inode_getfile("khv-vcpu", &khv_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		fput(vm->file);
		khv_arch->vcpu_free(vcpu);
		put_unused_fd(r);
		r = PTR_ERR(file);
		goto out;
	}
	/*
	 * In vcpus[] before any KHV_RUN can reach it through its fd, so that
	 * every kick that could concern it finds it (kick.c).
	 */
	WRITE_ONCE(vm->vcpus[args->id], vcpu);
	vm->nr_vcpus++;
	fd_install(r, file);
out:
	mutex_unlock(&vm->vcpu_lock);
	return r;
}

/* The VM is going: every vCPU fd is closed already. */
void khv_vcpu_destroy(struct khv_vcpu *vcpu)
{
	khv_arch->vcpu_free(vcpu);
}
