// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run loop of a PC guest: port I/O to the legacy devices (vmm/devices.c),
 * the PIC's interrupt injected with KHV_INTERRUPT when the run page says the
 * guest can take one (else an interrupt window is requested), the PIT driven
 * by CLOCK_MONOTONIC: a POSIX timer due at channel 0's next edge signals the
 * process, whose handler sets the run page's immediate_exit, so that KHV_RUN
 * returns (EINTR) however the vCPU waits, halted included.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "vm.h"

#define KICK_SIGNAL	SIGALRM
#define MIN_TIMER_NS	100000ULL	/* a guest's 1-clock PIT costs 10k signals/s at most */

struct pc {
	struct vmm *m;
	struct devices d;
	timer_t timer;
	uint64_t armed;			/* the timer's deadline, 0: none */
	bool held;			/* a vector acknowledged, not yet queued */
	uint8_t held_vec;
	bool warned_vector;
};

/* Set before the handler is installed, never changed after. */
static struct khv_run *kick_run;

static void kick(int sig)
{
	struct khv_run *run = kick_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pc_timer_init(struct pc *pc)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = KICK_SIGNAL };
	struct sigaction sa = { .sa_handler = kick };	/* no SA_RESTART */

	kick_run = pc->m->run;
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL))
		return vmm_fail("sigaction");
	if (timer_create(CLOCK_MONOTONIC, &ev, &pc->timer))
		return vmm_fail("timer_create");
	return 0;
}

/* The timer at channel 0's next edge; none when it has none. */
static int pc_timer_arm(struct pc *pc, uint64_t now)
{
	uint64_t next = pit_next_ns(&pc->d.pit, now);
	struct itimerspec its = { 0 };

	if (next != PIT_NO_EVENT && next < now + MIN_TIMER_NS)
		next = now + MIN_TIMER_NS;
	if (next == PIT_NO_EVENT)
		next = 0;
	if (next == pc->armed)
		return 0;
	pc->armed = next;
	its.it_value.tv_sec = next / 1000000000ULL;
	its.it_value.tv_nsec = next % 1000000000ULL;
	if (timer_settime(pc->timer, TIMER_ABSTIME, &its, NULL))
		return vmm_fail("timer_settime");
	return 0;
}

/* The PIC's INTR: acknowledged only when the vCPU can take the vector. */
static int pc_inject(struct pc *pc)
{
	struct khv_run *run = pc->m->run;
	struct khv_interrupt irq = { 0 };

	run->request_interrupt_window = 0;
	if (!pc->held && !pic_output(&pc->d.pic))
		return 0;
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return 0;
	}
	if (!pc->held) {
		pc->held_vec = pic_ack(&pc->d.pic);
		pc->held = true;
	}
	if (pc->held_vec < 32) {
		/* A guest that put its PIC on the exception vectors: dropped. */
		if (!pc->warned_vector)
			fprintf(stderr, "hvctl: run: the guest's PIC gives vector %u: dropped\n",
				pc->held_vec);
		pc->warned_vector = true;
		pc->held = false;
		return 0;
	}
	irq.vector = pc->held_vec;
	if (!ioctl(pc->m->vcpu, KHV_INTERRUPT, &irq)) {
		pc->held = false;
		return 0;
	}
	if (errno != EEXIST)
		return vmm_fail("KHV_INTERRUPT");
	run->request_interrupt_window = 1;	/* one is queued: after it */
	return 0;
}

/* io.count elements of io.size bytes; each byte to its own port, as a bus splits it. */
static int pc_io(struct pc *pc, uint64_t now)
{
	const struct khv_run *run = pc->m->run;
	uint32_t size = run->io.size, count = run->io.count, i, j;
	bool write = run->io.direction == KHV_EXIT_IO_OUT;
	time_t tod = time(NULL);
	uint8_t *data;

	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset > pc->m->run_size ||
	    (uint64_t)size * count > pc->m->run_size - run->io.data_offset) {
		fprintf(stderr, "hvctl: run: an I/O exit beyond the run page (size %u, count %u)\n",
			size, count);
		return 1;
	}
	data = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < count; i++)
		for (j = 0; j < size; j++)
			dev_io(&pc->d, (uint16_t)(run->io.port + j), write,
			       data + i * size + j, now, tod);
	return 0;
}

static int pc_flush(struct pc *pc)
{
	struct uart *u = &pc->d.uart;
	int r;

	if (!u->tx_len)
		return 0;
	r = vmm_write_all(STDOUT_FILENO, u->tx, u->tx_len);
	u->tx_len = 0;
	return r;
}

/* 0 to go on; else the end: *status is hvctl's exit status. */
static int pc_exit(struct pc *pc, uint64_t now, int *status)
{
	struct khv_run *run = pc->m->run;

	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		*status = pc_io(pc, now);
		return *status;
	case KHV_EXIT_MMIO:
		/* No MMIO device: reads see all ones, writes are dropped. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return 0;
	case KHV_EXIT_INTR:
	case KHV_EXIT_IRQ_WINDOW_OPEN:
	case KHV_EXIT_IOAPIC_EOI:	/* no IOAPIC yet */
		return 0;
	case KHV_EXIT_HLT:
		/* HLT with interrupts off: nothing can wake it. */
		*status = 0;
		return 1;
	case KHV_EXIT_SHUTDOWN:
		fprintf(stderr, "hvctl: run: the guest triple-faulted\n");
		*status = 2;
		return 1;
	default:
		fprintf(stderr, "hvctl: run: guest stopped: exit reason %u (hardware %#llx)\n",
			run->exit_reason,
			(unsigned long long)run->internal.hardware_exit_reason);
		*status = 1;
		return 1;
	}
}

int vmm_loop_pc(struct vmm *m)
{
	struct pc pc = { .m = m };
	uint64_t now = now_ns();
	int status = 0;

	dev_init(&pc.d, now);
	if (pc_timer_init(&pc))
		return 1;
	for (;;) {
		now = now_ns();
		dev_update(&pc.d, now);
		if (pc_flush(&pc))
			return 1;
		if (pc.d.exited)
			return pc.d.exit_status;
		if (pc.d.reset) {
			fprintf(stderr, "hvctl: run: the guest reset the machine\n");
			return 0;
		}
		if (pc_inject(&pc) || pc_timer_arm(&pc, now))
			return 1;
		if (ioctl(m->vcpu, KHV_RUN, 0)) {
			if (errno != EINTR)
				return vmm_fail("KHV_RUN");
			m->run->immediate_exit = 0;
			continue;
		}
		if (pc_exit(&pc, now_ns(), &status))
			return status;
	}
}
