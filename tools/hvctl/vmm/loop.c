// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run loop of a PC guest, a thread per vCPU: port I/O to the legacy
 * devices and MMIO to the I/O APIC (vmm/devices.c, under one lock), the
 * I/O APIC's messages sent to khv's local APICs with KHV_SIGNAL_MSI and the
 * EOIs of its level-triggered vectors coming back (KHV_EXIT_IOAPIC_EOI);
 * the PIC's interrupt injected into vCPU 0 (the BSP, whose LINT0 is the
 * virtual wire) with KHV_INTERRUPT when its run page says it can take one
 * (else an interrupt window is requested),
 * the PIT driven by CLOCK_MONOTONIC: a POSIX timer due at channel 0's next
 * edge signals the BSP's thread. The PCI bus (vmm/pci.h) has the assigned
 * functions; the MSI and INTx the guest programs reach khv with
 * KHV_SET_DEVICE_MSI. A thread is kicked out of KHV_RUN by a
 * signal whose handler sets its own run page's immediate_exit, so that
 * KHV_RUN returns (EINTR) however the vCPU waits, halted or waiting for its
 * start-up IPI included. The application processors start as khv leaves
 * them, waiting for INIT (Documentation/khv-abi.rst, "MP state"): the guest
 * starts them with INIT-SIPI-SIPI through the in-kernel local APICs. The
 * process is confined (vmm/confine.c) before the first of them starts: the
 * system calls made from there on are the seccomp filter's to allow.
 * hvctl's standard input reaches COM1 through a thread of its own
 * (vmm/input.c), which also takes the signals that end the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "mptable.h"
#include "pc.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define MIN_TIMER_NS	100000ULL	/* a guest's 1-clock PIT costs 10k signals/s at most */

struct ap {
	struct pc *pc;
	unsigned int id;
};

/* Each thread's own run page, set before its first KHV_RUN. */
static __thread struct khv_run *kick_run;

static void kick(int sig)
{
	struct khv_run *run = kick_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

uint64_t pc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* An I/O APIC message to the local APICs (under pc->lock). */
static bool pc_send_msi(void *opaque, const struct ioapic_msi *msi)
{
	struct pc *pc = opaque;
	struct khv_msi k = { .address_lo = msi->address_lo, .address_hi = msi->address_hi,
			     .data = msi->data };

	if (ioctl(pc->m->vm, KHV_SIGNAL_MSI, &k) >= 0)
		return true;
	/* A guest's bad redirection entry (a vector below 16): its own loss. */
	if (!pc->warned_msi && errno != EIO)	/* EIO: destroyed, KHV_RUN says it */
		fprintf(stderr, "hvctl: run: the guest's I/O APIC message %#x/%#x: %s: dropped\n",
			msi->address_lo, msi->data, strerror(errno));
	pc->warned_msi = true;
	return false;
}

/*
 * An assigned function's MSI or INTx to khv (under pc->lock): 0 or -errno.
 * A refusal is the guest's loss (a message khv does not take, or the host
 * without the interrupt): said once, the guest goes on.
 */
static int pc_set_device_msi(void *opaque, const struct khv_device_msi *msi)
{
	struct pc *pc = opaque;
	char name[16];
	int err;

	if (!ioctl(pc->m->vm, KHV_SET_DEVICE_MSI, msi))
		return 0;
	err = errno;
	if (!pc->warned_device_msi && err != EIO) {	/* EIO: destroyed, KHV_RUN says it */
		vmm_bdf_name((uint32_t)msi->segment << 16 | msi->bus << 8 | msi->devfn, name,
			     sizeof(name));
		fprintf(stderr, "hvctl: run: %s: KHV_SET_DEVICE_MSI (%s %s, %#x/%#x): %s: %s\n",
			name, msi->flags & KHV_DEVICE_MSI_INTX ? "INTx" : "MSI",
			msi->flags & KHV_DEVICE_MSI_OFF ? "off" : "on", msi->address_lo,
			msi->data, strerror(err), "the guest may lose its interrupts");
		pc->warned_device_msi = true;
	}
	return -err;
}

void pc_end(struct pc *pc, int status, unsigned int self, const char *msg)
{
	bool was = false;
	unsigned int i;

	if (!atomic_compare_exchange_strong(&pc->done, &was, true))
		return;
	atomic_store(&pc->status, status);
	if (msg)
		fprintf(stderr, "hvctl: run: %s\n", msg);
	for (i = 0; i < pc->m->nr_vcpus; i++)
		if (i != self)
			pthread_kill(pc->threads[i], KICK_SIGNAL);
	if (pc->has_input && self != PC_INPUT)
		pthread_kill(pc->input, KICK_SIGNAL);
}

/* The BSP kicked when the PIC's output rises: it alone injects the PIC's vectors. */
static void pc_kick_bsp(struct pc *pc, bool before, bool after)
{
	if (after && !before)
		pthread_kill(pc->threads[0], KICK_SIGNAL);
}

void pc_com1_input(struct pc *pc, const uint8_t *buf, unsigned int n)
{
	bool before, after;
	unsigned int i;

	pthread_mutex_lock(&pc->lock);
	before = pic_output(&pc->d.pic);
	for (i = 0; i < n; i++)
		uart_rx(&pc->d.uart, buf[i]);
	dev_update(&pc->d, pc_now_ns());
	after = pic_output(&pc->d.pic);
	pthread_mutex_unlock(&pc->lock);
	pc_kick_bsp(pc, before, after);
}

static int pc_timer_init(struct pc *pc)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID,
			       .sigev_signo = KICK_SIGNAL };
	struct sigaction sa = { .sa_handler = kick };	/* no SA_RESTART */

	ev.sigev_notify_thread_id = gettid();		/* the BSP's thread */
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

/* The PIC's INTR to the BSP: acknowledged only when it can take the vector. */
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

/*
 * io.count elements of io.size bytes (dev_pio()). The count of a REP
 * INS/OUTS is the guest's: it is bounded by the run page, whatever it says.
 */
static int pc_io(struct pc *pc, const struct khv_run *run, uint64_t now)
{
	uint32_t size = run->io.size, count = run->io.count, i;
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
		dev_pio(&pc->d, run->io.port, size, write, data + i * size, now, tod);
	return 0;
}

/*
 * The I/O APIC's page; elsewhere no device: reads see all ones, writes are
 * dropped. The length is khv's (1, 2, 4 or 8), checked again all the same.
 */
static void pc_mmio(struct pc *pc, struct khv_run *run)
{
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (gpa >= IOAPIC_BASE && gpa - IOAPIC_BASE < IOAPIC_SIZE)
		ioapic_mmio(&pc->d.ioapic, gpa - IOAPIC_BASE, run->mmio.is_write,
			    run->mmio.data, len);
	else if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
}

/* The devices' lines moved to now, COM1's output written: 0, or the end. */
static int pc_update(struct pc *pc, uint64_t now, int *status)
{
	struct uart *u = &pc->d.uart;

	dev_update(&pc->d, now);
	if (u->tx_len) {
		*status = vmm_write_all(STDOUT_FILENO, u->tx, u->tx_len);
		u->tx_len = 0;
		if (*status)
			return 1;
	}
	if (pc->d.exited) {
		*status = pc->d.exit_status;
		return 1;
	}
	if (pc->d.reset) {
		fprintf(stderr, "hvctl: run: the guest reset the machine\n");
		*status = 0;
		return 1;
	}
	return 0;
}

/* 0 to go on; else the end of this vCPU: *status is hvctl's exit status. */
static int pc_exit(struct pc *pc, struct khv_run *run, uint64_t now, int *status)
{
	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		*status = pc_io(pc, run, now);
		pc_input_wake(pc);
		return *status;
	case KHV_EXIT_MMIO:
		pc_mmio(pc, run);
		return 0;
	case KHV_EXIT_IOAPIC_EOI:
		ioapic_eoi(&pc->d.ioapic, run->eoi.vector);
		return 0;
	case KHV_EXIT_INTR:
	case KHV_EXIT_IRQ_WINDOW_OPEN:
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

/*
 * KHV_RUN once: 0 after an exit to handle, 1 when kicked, -1 on an error
 * (EIO: the VM was destroyed from outside, vmm_fail() says so once).
 */
static int pc_run(struct vmm_vcpu *v)
{
	if (!ioctl(v->fd, KHV_RUN, 0))
		return 0;
	if (errno != EINTR) {
		vmm_fail("KHV_RUN");
		return -1;
	}
	v->run->immediate_exit = 0;
	return 1;
}

/*
 * An application processor. Its exits may raise the PIC's output (COM1's
 * interrupt after it wrote): then the BSP is kicked to inject it. An AP
 * that halts with interrupts off (Linux's stop_this_cpu(), an offline CPU)
 * does not end the VM: it is set halted, and sleeps in khv until an INIT,
 * an NMI or an interrupt its APIC takes wakes it.
 */
static void *pc_ap(void *arg)
{
	static const struct khv_mp_state halted = { .mp_state = KHV_MP_STATE_HALTED };
	struct ap *ap = arg;
	struct pc *pc = ap->pc;
	struct vmm_vcpu *v = &pc->m->vcpus[ap->id];
	int r, end, status = 0;
	bool before, after;
	sigset_t kick_set;

	kick_run = v->run;
	vmm_confine_test_hook();
	sigemptyset(&kick_set);
	sigaddset(&kick_set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick_set, NULL);
	while (!atomic_load(&pc->done)) {
		r = pc_run(v);
		if (r < 0) {
			pc_end(pc, 1, ap->id, NULL);
			break;
		}
		if (r)
			continue;
		if (v->run->exit_reason == KHV_EXIT_HLT) {
			if (ioctl(v->fd, KHV_SET_MP_STATE, &halted))
				break;
			continue;
		}
		pthread_mutex_lock(&pc->lock);
		before = pic_output(&pc->d.pic);
		end = pc_exit(pc, v->run, pc_now_ns(), &status) ||
		      pc_update(pc, pc_now_ns(), &status);
		after = pic_output(&pc->d.pic);
		pthread_mutex_unlock(&pc->lock);
		if (end)
			pc_end(pc, status, ap->id, NULL);
		else
			pc_kick_bsp(pc, before, after);
	}
	return NULL;
}

/* The BSP, in the calling thread: the devices' time, the PIC, the PIT. */
static void pc_bsp(struct pc *pc)
{
	struct vmm_vcpu *v = &pc->m->vcpus[0];
	int r, end = 0, status = 0;
	uint64_t now;

	if (pc->m->nr_vcpus == 1)
		vmm_confine_test_hook();
	while (!atomic_load(&pc->done)) {
		pthread_mutex_lock(&pc->lock);
		now = pc_now_ns();
		end = pc_update(pc, now, &status);
		if (!end && (pc_inject(pc) || pc_timer_arm(pc, now))) {
			end = 1;
			status = 1;
		}
		pthread_mutex_unlock(&pc->lock);
		if (end)
			break;
		r = pc_run(v);
		if (r < 0) {
			end = 1;
			status = 1;
			break;
		}
		if (r)
			continue;
		pthread_mutex_lock(&pc->lock);
		end = pc_exit(pc, v->run, pc_now_ns(), &status);
		pthread_mutex_unlock(&pc->lock);
		if (end)
			break;
	}
	if (end)
		pc_end(pc, status, 0, NULL);
}

static int pc_start_aps(struct pc *pc, struct ap *aps)
{
	sigset_t all, old;
	unsigned int i;
	int err = 0;

	/* The APs' threads take no signal until their handler knows their run page. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < pc->m->nr_vcpus && !err; i++) {
		aps[i] = (struct ap){ .pc = pc, .id = i };
		err = pthread_create(&pc->threads[i], NULL, pc_ap, &aps[i]);
		if (err) {
			errno = err;
			vmm_fail("pthread_create");
			pc->m->nr_vcpus = i;	/* the threads there are */
			pc_end(pc, 1, 0, NULL);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? 1 : 0;
}

/*
 * Static: the input thread may outlive the run, blocked in a read() that
 * someone else's read of the same input emptied (pc_input_stop()).
 */
int vmm_loop_pc(struct vmm *m)
{
	static struct ap aps[VMM_MAX_VCPUS];
	static struct pc pc;
	unsigned int i;

	pc.m = m;
	pthread_mutex_init(&pc.lock, NULL);
	dev_init(&pc.d, pc_now_ns(), mptable_ioapic_id(m->nr_vcpus), pc_send_msi, &pc);
	fwcfg_init(&pc.d.fwcfg, m->ram_size, m->nr_vcpus);
	pc.d.pci.set_msi = pc_set_device_msi;
	pc.d.pci.opaque = &pc;
	for (i = 0; i < m->nr_pci; i++)
		pci_attach(&pc.d.pci, &m->pci[i]);
	pc.threads[0] = pthread_self();
	kick_run = m->run;
	if (pc_timer_init(&pc) || vmm_confine(m->confine, m) || pc_input_start(&pc))
		return 1;
	if (!pc_start_aps(&pc, aps))
		pc_bsp(&pc);
	for (i = 1; i < m->nr_vcpus; i++)
		pthread_join(pc.threads[i], NULL);
	pc_input_stop(&pc);
	return atomic_load(&pc.status);
}
