// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest fuzzer: per iteration a fresh VM whose vCPU runs a generated
 * stream (fuzz_insn.c) in real, protected or long mode at CPL 0 or 3, after
 * random (valid and invalid) SET_REGS/SET_SREGS/SET_MSRS/SET_CPUID/
 * SET_VCPU_EVENTS; user space answers I/O, MMIO and hypercall exits with
 * random data, queues interrupts and NMIs at HLT, and every KHV_RUN is
 * bounded by a signal (fuzz_runner.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz_abi.h"
#include "fuzz_guest.h"
#include "fuzz_runner.h"

#define MAX_EXITS	48
#define MAX_INTR	3

/* Real mode: 64 KiB to 1 MiB; the others need their stack below 2 MiB. */
static const enum insn_mode modes[] = { MODE_REAL, MODE_PROT, MODE_LONG };
static const size_t ram_sizes[] = { 0x10000, 0x20000, 0xa0000, 0x100000, 0x200000, 0x200000 };

/*
 * Where an iteration's time goes (fuzz_guest_report()): the host's clock,
 * which on Bochs counts instructions and so stands for real time too.
 */
static struct {
	double create, setup, bounded, exited, user, teardown;
	uint64_t iters, n_bounded, n_exited;
} prof;

static void random_state(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, uint64_t *calls)
{
	union abi_buf b;
	struct khv_regs regs;
	__u64 *gpr = &regs.rax;
	int i, ret;

	if (!vcpu_get_regs(vcpu, &regs)) {
		for (i = 0; i < 16; i++)	/* rax .. r15, RSP (6) kept */
			if (i != 6 && rng_pct(r, 70))
				gpr[i] = rng_edgy(r);
		if (rng_pct(r, 20))	/* TF, AC, IF, IOPL, NT, VM, RF... */
			regs.rflags ^= 1ull << rng_below(r, 22);
		if (rng_pct(r, 3))
			regs.rip = rng_edgy(r);
		FUZZ_TRACE("regs rip %#llx rflags %#llx", regs.rip, regs.rflags);
		vcpu_set_regs(vcpu, &regs);
		*calls += 2;
	}
	if (rng_pct(r, 10) && !vcpu_get_sregs(vcpu, &b.sregs)) {
		rng_mutate(r, &b.sregs, offsetof(struct khv_sregs, reserved));
		fuzz_host_tr(&b.sregs);
		ret = vcpu_set_sregs(vcpu, &b.sregs);
		FUZZ_TRACE("sregs cr0 %#llx cr4 %#llx efer %#llx: %d", b.sregs.cr0, b.sregs.cr4,
			   b.sregs.efer, ret);
		*calls += 2;
	}
	if (rng_pct(r, 30)) {
		memset(&b, 0, sizeof(b));
		abi_msrs_arg(r, &b.msrs);
		b.msrs.nmsrs = 1 + rng_below(r, 4);
		ret = ioctl(vcpu->fd, KHV_SET_MSRS, &b.msrs);
		FUZZ_TRACE("msrs %#x=%#llx n %u: %d", b.msrs.entries[0].index,
			   b.msrs.entries[0].data, b.msrs.nmsrs, ret);
		*calls += 1;
	}
	if (rng_pct(r, 15)) {
		memset(&b, 0, sizeof(b));
		abi_cpuid_arg(r, &b.cpuid);
		b.cpuid.nent = 1 + rng_below(r, 16);
		ret = ioctl(vcpu->fd, KHV_SET_CPUID, &b.cpuid);
		FUZZ_TRACE("cpuid: %d", ret);
		*calls += 1;
	}
	if (rng_pct(r, 10)) {
		memset(&b, 0, sizeof(b));
		abi_events_arg(r, &b.events);
		ret = ioctl(vcpu->fd, KHV_SET_VCPU_EVENTS, &b.events);
		FUZZ_TRACE("events: %d", ret);
		*calls += 1;
	}
}

/* --verbose: the generated code, to disassemble a finding (ndisasm -b 16/32/64). */
static void trace_code(const uint8_t *code, size_t len)
{
	char line[2 * 32 + 1];
	size_t i, j;

	if (!fuzz_trace)
		return;
	for (i = 0; i < len; i += 32) {
		for (j = 0; j < 32 && i + j < len; j++)
			sprintf(line + 2 * j, "%02x", code[i + j]);
		FUZZ_TRACE("code %04zx %s", i, line);
	}
}

/* The answer to an exit. False: stop this iteration's runs. */
static bool answer(struct fuzz_rng *r, struct khv_test_vcpu *vcpu, uint64_t *calls)
{
	struct khv_run *run = vcpu->run;
	size_t run_size = vcpu->vm->run_size;
	struct khv_interrupt irq = { 0 };

	run->request_interrupt_window = rng_pct(r, 10);
	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		if (run->io.direction == KHV_EXIT_IO_IN &&
		    run->io.data_offset < run_size &&
		    (uint64_t)run->io.size * run->io.count <= run_size - run->io.data_offset)
			rng_fill(r, (uint8_t *)run + run->io.data_offset,
				 (size_t)run->io.size * run->io.count);
		return true;
	case KHV_EXIT_MMIO:
		if (!run->mmio.is_write)
			rng_fill(r, run->mmio.data, sizeof(run->mmio.data));
		return true;
	case KHV_EXIT_HYPERCALL:
		run->hypercall.ret = rng_edgy(r);
		return true;
	case KHV_EXIT_IOAPIC_EOI:
		return true;
	case KHV_EXIT_HLT:
	case KHV_EXIT_IRQ_WINDOW_OPEN:
		if (rng_pct(r, 30)) {
			irq.vector = 32 + rng_below(r, 224);
			ioctl(vcpu->fd, KHV_INTERRUPT, &irq);
			(*calls)++;
		} else if (rng_pct(r, 10)) {
			ioctl(vcpu->fd, KHV_NMI, 0);
			(*calls)++;
		}
		return true;
	default:
		/* SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, EMULATION_FAILED: sometimes again. */
		return rng_pct(r, 20);
	}
}

int fuzz_guest_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len)
{
	double base = fuzz_host_run_us() / 1e6, t0 = fuzz_now(), t1, t2;
	struct fuzz_bound bound = { 0 };
	struct khv_test_vcpu *vcpu;
	struct khv_test_vm *vm;
	struct insn_ctx c;
	struct fuzz_rng r;
	int exits, intr = 0, ret, cpl;
	size_t ram;

	fuzz_bound_init(NULL);
	rng_seed(&r, seed, iter, 0);
	c.mode = modes[rng_below(&r, ARRAY_SIZE(modes))];
	cpl = c.mode != MODE_REAL && rng_pct(&r, 25) ? 3 : 0;
	ram = ram_sizes[c.mode == MODE_REAL ? rng_below(&r, 4) : 4 + rng_below(&r, 2)];
	FUZZ_TRACE("mode %d cpl %d ram %#zx", c.mode, cpl, ram);
	vm = vm_create(ram);
	(*calls) += 4;
	if (!vm) {
		/* The VM limit or memory: not the guest's business, but worth a look. */
		snprintf(why, len, "cannot create a VM with %zu bytes: %s", ram, strerror(errno));
		return 1;
	}
	if (rng_pct(&r, 20)) {	/* a read-only region past RAM: guest writes are MMIO */
		vm_add_region(vm, 1, 0x800000, 0x1000, KHV_MEM_READONLY, NULL);
		(*calls)++;
	}
	vcpu = vcpu_add(vm, 0);
	(*calls) += 2;
	if (!vcpu) {
		snprintf(why, len, "cannot create a vCPU: %s", strerror(errno));
		vm_free(vm);
		return 1;
	}
	t1 = fuzz_now();
	prof.create += t1 - t0;
	c.ram_size = ram;
	c.code_gpa = FG_CODE_GPA;
	c.code_len = FG_CODE_LEN;
	insn_generate(&r, &c, addr_gpa2hva(vm, FG_CODE_GPA), FG_CODE_LEN);
	trace_code(addr_gpa2hva(vm, FG_CODE_GPA), FG_CODE_LEN);
	ret = fg_setup(&r, vcpu, c.mode, cpl);
	(*calls) += 4;
	FUZZ_TRACE("set up: %d", ret);
	if (ret) {
		snprintf(why, len, "cannot set up mode %d cpl %d: %s", c.mode, cpl, strerror(-ret));
		vm_free(vm);
		return 1;
	}
	random_state(&r, vcpu, calls);
	FUZZ_TRACE("state set");
	t2 = fuzz_now();
	prof.setup += t2 - t1;
	for (exits = 0; exits < MAX_EXITS; exits++) {
		/*
		 * 1 to 5.75 times the base (fuzz_host_run_us()): a guest that
		 * loops through in-kernel exits makes thousands a millisecond,
		 * and on Bochs each costs ~0.1 ms of real time.
		 */
		t1 = fuzz_now();
		prof.user += t1 - t2;
		ret = fuzz_bound_run(&bound, vcpu->fd, base + base * rng_below(&r, 20) / 4);
		t2 = fuzz_now();
		(*calls)++;
		FUZZ_TRACE("run %d: %d exit %u", exits, ret, vcpu->run->exit_reason);
		if (ret == -EINTR || (!ret && vcpu->run->exit_reason == KHV_EXIT_INTR)) {
			prof.bounded += t2 - t1;
			prof.n_bounded++;
			if (++intr >= MAX_INTR)
				break;
			continue;
		}
		prof.exited += t2 - t1;
		prof.n_exited++;
		if (ret)
			break;
		if (!answer(&r, vcpu, calls))
			break;
		if (rng_pct(&r, 3))
			random_state(&r, vcpu, calls);
	}
	vm_free(vm);
	t1 = fuzz_now();
	prof.teardown += t1 - t2;
	prof.iters++;
	return 0;
}

/* Where the iterations' time went, per iteration, in the host's milliseconds. */
void fuzz_guest_report(void)
{
	double n = prof.iters ? prof.iters : 1;

	printf("# guest: ms per iteration: VM and vCPU %.3f, set-up %.3f, ",
	       1e3 * prof.create / n, 1e3 * prof.setup / n);
	printf("%.2f bounded runs %.3f, %.2f runs to exits %.3f, answers %.3f, teardown %.3f",
	       prof.n_bounded / n, 1e3 * prof.bounded / n, prof.n_exited / n,
	       1e3 * prof.exited / n, 1e3 * prof.user / n, 1e3 * prof.teardown / n);
	printf(" (%" PRIu64 " iterations)\n", prof.iters);
	memset(&prof, 0, sizeof(prof));
}
