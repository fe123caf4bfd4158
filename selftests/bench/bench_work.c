// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench's workloads (Documentation/performance.md): each measures one
 * hypervisor into a struct bench_side, in batches after one warm-up batch,
 * and checks that the guest did exactly the work asked of it; a failed
 * check leaves a reason in side->check, and no ratio is printed for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/khv.h>

#include "bench.h"
#include "khv_util.h"

#define SZ_2M		(2ul << 20)
/* Guest RAM of the exit workloads: the GDT and the code. */
#define EXIT_RAM	SZ_2M
#define CREATE_RAM	(64ul << 20)
#define STREAM_STRIDE	64
#define MEM_REPEATS	3
#define MEM_SETTLE_US	200000
/* measure_touch()'s variants (struct bench_workload.arg). */
enum { TOUCH_FRESH, TOUCH_STREAM, TOUCH_CAPPED };

/*
 * The interrupt workloads' watchdog: a batch may take this long, plus as
 * long per operation (a thousand times what the slowest host needs), unless
 * struct bench_opts.watchdog_ms says otherwise.
 */
#define IRQ_WATCHDOG_MS		10000
#define IRQ_WATCHDOG_MS_PER_OP	10

/* Why @out's figures cannot be trusted (its check was "ok"). */
#define failed(out, ...)	snprintf((out)->check, sizeof((out)->check), __VA_ARGS__)

/* The hypercall guest of this CPU's vendor. */
static enum bench_guest_id guest_of(const struct bench_workload *w, const struct bench_opts *o)
{
	if (w->guest == GUEST_VMCALL && o->vendor == KHV_VENDOR_AMD)
		return GUEST_VMMCALL;
	return w->guest;
}

static int vm_with_guest(struct bench_hv *hv, struct bench_vm *vm, size_t ram,
			 unsigned int flags, enum bench_guest_id id, struct bench_side *out)
{
	int r = hv->vm_create(hv, vm, ram, flags);

	if (r) {
		failed(out, "VM with %zu MiB: %s", ram >> 20, strerror(-r));
		return r;
	}
	r = hv->vcpu_create(hv, vm);
	if (!r)
		r = bench_load_guest(vm, id);
	if (r) {
		failed(out, "vCPU: %s", strerror(-r));
		hv->vm_destroy(hv, vm);
	}
	return r;
}

/*
 * Run the guest from its start with @in until it halts. Exits to user space
 * of @kind on the way must be the guest's @n operations in order (each
 * writing its number, 4 bytes, to @addr). The cost model's window is the
 * timed part. Return: the ns it took, 0 when a check failed (@out says
 * why).
 */
static uint64_t run_to_hlt(struct bench_hv *hv, const struct bench_opts *o, struct bench_vm *vm,
			   struct bench_regs *in, enum bench_exit_kind kind, uint64_t addr,
			   uint32_t n, struct bench_side *out)
{
	struct bench_exit e;
	uint64_t t0, t1;
	uint32_t i = 0;
	int r;

	in->eip = BENCH_CODE_GPA;
	r = hv->set_regs(vm, in);
	if (r) {
		failed(out, "set registers: %s", strerror(-r));
		return 0;
	}
	bench_cost_mark(o, BENCH_COST_BEGIN);
	t0 = bench_now_ns();
	for (;;) {
		r = hv->run(vm, &e);
		if (r) {
			failed(out, "run: %s", strerror(-r));
			return 0;
		}
		if (e.kind == BENCH_EXIT_HLT)
			break;
		if (e.kind != kind || kind == BENCH_EXIT_HLT || i >= n || e.addr != addr ||
		    e.size != 4 || e.data != i) {
			failed(out, "exit %u after %u operations (kind %d, 0x%llx, %u bytes: %u)",
			       e.raw_reason, i, e.kind, (unsigned long long)e.addr, e.size,
			       e.data);
			return 0;
		}
		i++;
	}
	t1 = bench_now_ns();
	bench_cost_mark(o, BENCH_COST_END);
	if (kind != BENCH_EXIT_HLT && i != n) {
		failed(out, "%u exits to user space, expected %u", i, n);
		return 0;
	}
	return t1 > t0 ? t1 - t0 : 1;
}

/* The guest's registers after a run of @n operations: EDI = n, EBP = 0. */
static int check_done(struct bench_hv *hv, struct bench_vm *vm, uint32_t n,
		      struct bench_regs *regs, struct bench_side *out)
{
	int r = hv->get_regs(vm, regs);

	if (r) {
		failed(out, "get registers: %s", strerror(-r));
		return r;
	}
	if (regs->edi != n || regs->ebp != 0) {
		failed(out, "guest did %u of %u operations (EBP %u)", regs->edi, n, regs->ebp);
		return -EPROTO;
	}
	return 0;
}

static void counters_begin(struct bench_hv *hv, struct bench_counters *c)
{
	if (hv->counters(c))
		c->nr = -1;
}

/* The counters' change since @before into @out, while the VM is alive. */
static void counters_end(struct bench_hv *hv, const struct bench_counters *before,
			 struct bench_side *out)
{
	if (before->nr < 0 || hv->counters(&out->counters))
		return;
	bench_counters_delta(&out->counters, before);
	out->has_counters = true;
}

static uint64_t counter(const struct bench_side *s, const char *name)
{
	int i;

	for (i = 0; i < s->counters.nr; i++)
		if (!strcmp(s->counters.name[i], name))
			return s->counters.value[i];
	return 0;
}

/*
 * The exit the workload is about must have happened as often as the guest
 * asked for it, by the hypervisor's own count: a workload whose instruction
 * did not exit (an emulator that does not intercept it) measures nothing.
 */
static void check_counter(struct bench_hv *hv, const struct bench_workload *w,
			  uint64_t want, struct bench_side *out)
{
	const char *name = !strcmp(hv->name, "khv") ? w->khv_counter : "exits";
	uint64_t got;

	if (!out->has_counters || strcmp(out->check, "ok"))
		return;
	got = counter(out, name);
	if (got < want)
		failed(out, "%s counted %llu exits as %s, the guest made %llu",
		       hv->name, (unsigned long long)got, name, (unsigned long long)want);
}

/* Workloads 1-5: exits handled in the kernel, or by user space. */
static void measure_exits(struct bench_hv *hv, const struct bench_opts *o,
			  const struct bench_workload *w, struct bench_side *out)
{
	enum bench_exit_kind kind = (enum bench_exit_kind)w->arg;
	uint64_t addr = kind == BENCH_EXIT_IO_OUT ? BENCH_PORT : BENCH_MMIO_GPA;
	uint32_t n = o->iterations;
	struct bench_counters before;
	struct bench_regs regs;
	struct bench_vm vm;
	double v[o->batches];
	uint64_t ns;
	int b;

	if (vm_with_guest(hv, &vm, EXIT_RAM, 0, guest_of(w, o), out))
		return;
	counters_begin(hv, &before);
	for (b = -1; b < o->batches; b++) {
		memset(&regs, 0, sizeof(regs));
		regs.ebp = n;
		regs.ebx = hv->hc_nr;
		regs.edx = BENCH_PORT;
		regs.esi = BENCH_MMIO_GPA;
		ns = run_to_hlt(hv, o, &vm, &regs, kind, addr, n, out);
		if (!ns || check_done(hv, &vm, n, &regs, out))
			goto out;
		if (w->guest == GUEST_VMCALL && regs.eax != hv->hc_ret) {
			failed(out, "hypercall %u returned 0x%x, expected 0x%x", hv->hc_nr,
			       regs.eax, hv->hc_ret);
			goto out;
		}
		if (b >= 0) {
			v[b] = (double)ns / n;
			bench_cost_note(o, w, hv, n);
		}
	}
	if (w->guest == GUEST_CPUID) {
		out->result[0] = regs.ebx;
		out->result[1] = regs.edx;
		out->result[2] = regs.ecx;
		out->has_result = true;
	}
	bench_stat_compute(&out->stat, v, o->batches);
	counters_end(hv, &before, out);
	check_counter(hv, w, (uint64_t)n * (o->batches + 1), out);
out:
	hv->vm_destroy(hv, &vm);
}

/* Workload 6: VM + 64 MiB of RAM + 1 vCPU (run structure mapped), destroyed. */
static void measure_create(struct bench_hv *hv, const struct bench_opts *o,
			   const struct bench_workload *w, struct bench_side *out)
{
	int n = o->iterations / 100 > 0 ? o->iterations / 100 : 1, b, i, r;
	double v[o->batches];
	struct bench_vm vm;
	uint64_t t0, t1;

	for (b = -1; b < o->batches; b++) {
		bench_cost_mark(o, BENCH_COST_BEGIN);
		t0 = bench_now_ns();
		for (i = 0; i < n; i++) {
			r = hv->vm_create(hv, &vm, CREATE_RAM, 0);
			if (r) {
				failed(out, "VM %d: %s", i, strerror(-r));
				return;
			}
			r = hv->vcpu_create(hv, &vm);
			hv->vm_destroy(hv, &vm);
			if (r) {
				failed(out, "vCPU of VM %d: %s", i, strerror(-r));
				return;
			}
		}
		t1 = bench_now_ns();
		bench_cost_mark(o, BENCH_COST_END);
		if (b >= 0) {
			v[b] = (double)(t1 - t0) / n;
			bench_cost_note(o, w, hv, n);
		}
	}
	bench_stat_compute(&out->stat, v, o->batches);
}

/* One pass of GUEST_STORE over the touch area; ns per 4 KiB page, 0 if failed. */
static double store_pass(struct bench_hv *hv, struct bench_vm *vm, const struct bench_opts *o,
			 uint32_t stride, struct bench_side *out)
{
	uint32_t n = o->touch_bytes / stride, last;
	struct bench_regs regs;
	uint64_t ns;

	memset(&regs, 0, sizeof(regs));
	regs.ebp = n;
	regs.esi = SZ_2M;
	regs.edx = stride;
	ns = run_to_hlt(hv, o, vm, &regs, BENCH_EXIT_HLT, 0, 0, out);
	if (!ns || check_done(hv, vm, n, &regs, out))
		return 0;
	/* What the guest stored last, as the VMM sees its RAM. */
	memcpy(&last, vm->mem + SZ_2M + (uint64_t)(n - 1) * stride, sizeof(last));
	if (last != n - 1) {
		failed(out, "guest RAM holds %u at its last store, expected %u", last, n - 1);
		return 0;
	}
	return (double)ns / (o->touch_bytes >> 12);
}

/*
 * Workload 7: the guest writes one word per 4 KiB page of RAM it never
 * touched (a new VM each batch; TOUCH_CAPPED: a VM whose RAM comes on first
 * touch under khv too), or one per 64 bytes of RAM it has touched
 * (TOUCH_STREAM). The counters are those of the last batch: KVM's count
 * only live VMs. Where the workload names khv's counter, each page must
 * have been a nested page fault: RAM allocated on first touch.
 */
static void measure_touch(struct bench_hv *hv, const struct bench_opts *o,
			  const struct bench_workload *w, struct bench_side *out)
{
	uint32_t stride = w->arg == TOUCH_STREAM ? STREAM_STRIDE : 4096;
	unsigned int flags = w->arg == TOUCH_CAPPED ? BENCH_VM_CAPPED : 0;
	bool fresh = w->arg != TOUCH_STREAM, last;
	struct bench_counters before;
	double v[o->batches], ns = 0;
	struct bench_vm vm;
	int b;

	for (b = -1; b < o->batches; b++) {
		last = b == o->batches - 1;
		if ((fresh || b == -1) &&
		    vm_with_guest(hv, &vm, SZ_2M + o->touch_bytes, flags, GUEST_STORE, out))
			return;
		if (last)
			counters_begin(hv, &before);
		ns = store_pass(hv, &vm, o, stride, out);
		if (!ns)
			break;
		if (b >= 0) {
			v[b] = ns;
			bench_cost_note(o, w, hv, o->touch_bytes >> 12);
		}
		if (last)
			counters_end(hv, &before, out);
		if (fresh || last)
			hv->vm_destroy(hv, &vm);
	}
	if (!ns) {
		hv->vm_destroy(hv, &vm);
		return;
	}
	bench_stat_compute(&out->stat, v, o->batches);
	if (w->khv_counter)
		check_counter(hv, w, o->touch_bytes >> 12, out);
}

/*
 * Create o->vms VMs without RAM (and with @vcpu, a vCPU in each): the
 * meminfo fields before and after the part measured in @m[0] and @m[1].
 * Return: 0, or -errno with @out saying what failed.
 */
static int mem_round(struct bench_hv *hv, const struct bench_opts *o, bool vcpu,
		     struct bench_vm *vms, int64_t m[2][MEM_NR], struct bench_side *out)
{
	int i, nr = 0, r;

	sync();
	usleep(MEM_SETTLE_US);
	r = bench_meminfo(m[0]);
	for (; !r && nr < o->vms; nr++) {
		r = hv->vm_create(hv, &vms[nr], 0, 0);
		if (r)
			break;
	}
	if (!r && vcpu) {
		r = bench_meminfo(m[0]);
		for (i = 0; !r && i < nr; i++)
			r = hv->vcpu_create(hv, &vms[i]);
	}
	if (!r)
		r = bench_meminfo(m[1]);
	if (r)
		failed(out, "%d VMs%s: %s", nr, vcpu ? " with vCPUs" : "", strerror(-r));
	for (i = 0; i < nr; i++)
		hv->vm_destroy(hv, &vms[i]);
	return r;
}

/* Workload 8: kernel memory per VM (no RAM) or per vCPU, from /proc/meminfo. */
static void measure_mem(struct bench_hv *hv, const struct bench_opts *o,
			const struct bench_workload *w, struct bench_side *out)
{
	int repeats = o->batches < MEM_REPEATS ? o->batches : MEM_REPEATS, k, f;
	double v[MEM_NR][MEM_REPEATS];
	int64_t m[2][MEM_NR];
	struct bench_stat s;
	struct bench_vm *vms;

	vms = calloc(o->vms, sizeof(*vms));
	if (!vms) {
		failed(out, "out of memory");
		return;
	}
	for (k = 0; k < repeats; k++) {
		if (mem_round(hv, o, w->arg, vms, m, out))
			break;
		/* Free memory goes down as the others go up. */
		for (f = 0; f < MEM_NR; f++)
			v[f][k] = (double)(f == MEM_FREE ? m[0][f] - m[1][f] : m[1][f] - m[0][f]) /
				  o->vms;
	}
	free(vms);
	if (k < repeats)
		return;
	for (f = 0; f < MEM_NR; f++) {
		bench_stat_compute(&s, v[f], repeats);
		out->mem_kb[f] = s.median;
		if (f == MEM_FREE)
			out->stat = s;
	}
	out->has_mem = true;
}

/*
 * Workload 9: the LAPIC timer and IPIs through each hypervisor's in-kernel
 * local APIC (guests.S: guest_timer, guest_ipi). vCPU 0 runs in the calling
 * thread, vCPU 1 (ipi) in a thread of its own; a run ends only with an
 * OUT, never with HLT. A watchdog thread kicks both when a batch takes
 * longer than it may: an interrupt lost leaves a vCPU in HLT for good.
 */
enum { AP_STARTING, AP_READY, AP_DONE };

struct irq_batch {
	struct bench_hv *hv;
	struct bench_vm *vcpu[2];	/* vCPU 0, and vCPU 1 or NULL */
	pthread_t thread[2];		/* the threads that run them */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* on CLOCK_MONOTONIC */
	int ms;				/* the watchdog's bound */
	bool over;			/* the batch is over: the watchdog leaves */
	bool fired;			/* the watchdog kicked the vCPUs */
	int started;			/* threads (of thread[]) that run a vCPU */
	int ap;				/* vCPU 1: AP_* */
	uint32_t ap_want;		/* its count of interrupts at its end */
	char ap_why[120];		/* "", or what went wrong on vCPU 1 */
};

/*
 * One run of @vm, which must end with its OUT of @want to BENCH_PORT.
 * Return: 0, or -errno with @why filled.
 */
static int irq_out(struct bench_hv *hv, struct bench_vm *vm, uint32_t want, char *why,
		   size_t len)
{
	struct bench_exit e;
	int r = hv->run(vm, &e);

	if (r) {
		snprintf(why, len, "run: %s", strerror(-r));
		return r;
	}
	if (e.kind == BENCH_EXIT_IO_OUT && e.addr == BENCH_PORT && e.size == 4 && e.data == want)
		return 0;
	snprintf(why, len, "exit %u (kind %d, 0x%llx, %u bytes: %u), expected the OUT of %u",
		 e.raw_reason, e.kind, (unsigned long long)e.addr, e.size, e.data, want);
	return -EPROTO;
}

static void irq_ap_state(struct irq_batch *x, int state)
{
	pthread_mutex_lock(&x->lock);
	x->ap = state;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

/* vCPU 1's thread: set up, ready, then its answers until vCPU 0 stops it. */
static void *irq_ap_main(void *p)
{
	struct irq_batch *x = p;

	if (!irq_out(x->hv, x->vcpu[1], BENCH_IRQ_READY, x->ap_why, sizeof(x->ap_why))) {
		irq_ap_state(x, AP_READY);
		irq_out(x->hv, x->vcpu[1], x->ap_want, x->ap_why, sizeof(x->ap_why));
	}
	irq_ap_state(x, AP_DONE);
	return NULL;
}

static void *irq_watchdog(void *p)
{
	struct irq_batch *x = p;
	struct timespec t;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += x->ms / 1000;
	t.tv_nsec += (long)(x->ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&x->lock);
	while (!x->over && !x->fired) {
		if (pthread_cond_timedwait(&x->cond, &x->lock, &t) != ETIMEDOUT)
			continue;
		x->fired = true;
		for (i = 0; i < x->started; i++)
			x->hv->kick(x->vcpu[i], x->thread[i]);
		pthread_cond_broadcast(&x->cond);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

/* Wait for vCPU 1 to be set up: 0, or -EPROTO when it ended first. */
static int irq_wait_ap(struct irq_batch *x)
{
	int r;

	pthread_mutex_lock(&x->lock);
	while (x->ap == AP_STARTING && !x->fired)
		pthread_cond_wait(&x->cond, &x->lock);
	r = x->ap == AP_READY && !x->fired ? 0 : -EPROTO;
	pthread_mutex_unlock(&x->lock);
	return r;
}

/* The vCPUs from their starts: vCPU 0 to do @n operations. */
static int irq_set_regs(struct irq_batch *x, const struct bench_guest *g, uint32_t n)
{
	struct bench_regs regs;
	int r;

	memset(&regs, 0, sizeof(regs));
	regs.ebp = n;
	regs.eip = BENCH_CODE_GPA;
	r = x->hv->set_regs(x->vcpu[0], &regs);
	if (r || !x->vcpu[1])
		return r;
	__atomic_store_n((uint32_t *)(x->vcpu[0]->mem + BENCH_STOP_GPA), 0, __ATOMIC_SEQ_CST);
	regs.ebp = 0;
	regs.eip = bench_guest_gpa(g, g->ap);
	return x->hv->set_regs(x->vcpu[1], &regs);
}

/*
 * One batch: vCPU 0 runs until its OUT of @n, timed from its OUT of
 * BENCH_IRQ_READY (its APIC set up, and vCPU 1's): the operations alone.
 * Return: the ns, 0 when a check failed (@out says why).
 */
static uint64_t irq_batch_run(struct irq_batch *x, const struct bench_opts *o,
			      const struct bench_guest *g, uint32_t n, struct bench_side *out)
{
	struct bench_hv *hv = x->hv;
	uint64_t t0 = 0, t1 = 0;
	char why[120] = "";
	pthread_t dog, t;
	int r;

	r = irq_set_regs(x, g, n);
	if (r) {
		failed(out, "set registers: %s", strerror(-r));
		return 0;
	}
	x->over = false;
	x->fired = false;
	x->ap = AP_STARTING;
	x->ap_want = n + 1;
	x->ap_why[0] = 0;
	x->thread[0] = pthread_self();
	x->started = 1;
	if (pthread_create(&dog, NULL, irq_watchdog, x)) {
		failed(out, "no watchdog thread");
		return 0;
	}
	if (x->vcpu[1]) {
		r = -pthread_create(&t, NULL, irq_ap_main, x);
		if (r) {
			snprintf(why, sizeof(why), "no thread for vCPU 1");
		} else {
			pthread_mutex_lock(&x->lock);
			x->thread[1] = t;
			x->started = 2;
			pthread_mutex_unlock(&x->lock);
		}
	}
	if (!r)
		r = irq_out(hv, x->vcpu[0], BENCH_IRQ_READY, why, sizeof(why));
	if (!r && x->vcpu[1])
		r = irq_wait_ap(x);
	if (!r) {
		bench_cost_mark(o, BENCH_COST_BEGIN);
		t0 = bench_now_ns();
		r = irq_out(hv, x->vcpu[0], n, why, sizeof(why));
		t1 = bench_now_ns();
		bench_cost_mark(o, BENCH_COST_END);
	}
	if (x->started == 2) {
		if (r)
			hv->kick(x->vcpu[1], x->thread[1]);
		pthread_join(x->thread[1], NULL);
	}
	pthread_mutex_lock(&x->lock);
	x->over = true;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
	pthread_join(dog, NULL);
	if (x->fired)
		failed(out, "watchdog: no end in %d ms, a vCPU left in HLT by a lost interrupt? (vCPU 0: %s; vCPU 1: %s)",
		       x->ms, *why ? why : "-", *x->ap_why ? x->ap_why : "-");
	else if (*why)
		failed(out, "vCPU 0: %s", why);
	else if (*x->ap_why)
		failed(out, "vCPU 1: %s", x->ap_why);
	else if (r)
		failed(out, "vCPU 1 ended before vCPU 0 began");
	else
		return t1 > t0 ? t1 - t0 : 1;
	return 0;
}

/* The kick's signal only interrupts: no SA_RESTART, a handler that does nothing. */
static void irq_kicked(int sig)
{
	(void)sig;
}

static int irq_init(struct irq_batch *x, struct bench_hv *hv, const struct bench_opts *o)
{
	struct sigaction sa;
	pthread_condattr_t ca;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = irq_kicked;
	sigemptyset(&sa.sa_mask);
	if (sigaction(BENCH_KICK_SIGNAL, &sa, NULL))
		return -errno;
	memset(x, 0, sizeof(*x));
	x->hv = hv;
	x->ms = o->watchdog_ms ? o->watchdog_ms :
		IRQ_WATCHDOG_MS + o->iterations * IRQ_WATCHDOG_MS_PER_OP;
	r = pthread_condattr_init(&ca);
	if (r)
		return -r;
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!r)
		r = pthread_cond_init(&x->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (r)
		return -r;
	pthread_mutex_init(&x->lock, NULL);
	return 0;
}

/*
 * lapic_timer: one-shot timers, each awaited in HLT, ns per interrupt
 * handled; ipi: round trips of an IPI between two vCPUs, ns per round trip.
 * The guest's handlers must have run once per operation (vCPU 0's EDI, and
 * vCPU 1's in its OUT), and every operation have waited in HLT by the
 * hypervisor's own count: one HLT per timer, two per round trip and vCPU
 * 1's last, so a hypervisor where HLT did not wait cannot pass.
 */
static void measure_irq(struct bench_hv *hv, const struct bench_opts *o,
			const struct bench_workload *w, struct bench_side *out)
{
	const struct bench_guest *g = bench_guest(w->guest);
	uint32_t n = o->iterations;
	struct bench_counters before;
	struct bench_vm vm, ap;
	struct bench_regs regs;
	struct irq_batch x;
	double v[o->batches];
	uint64_t ns, halts;
	int b, r;

	r = irq_init(&x, hv, o);
	if (r) {
		failed(out, "watchdog: %s", strerror(-r));
		return;
	}
	if (vm_with_guest(hv, &vm, EXIT_RAM, BENCH_VM_IRQCHIP, w->guest, out))
		goto out_sync;
	x.vcpu[0] = &vm;
	if (g->ap) {
		r = hv->ap_create(hv, &vm, &ap);
		if (r) {
			failed(out, "vCPU 1: %s", strerror(-r));
			goto out_vm;
		}
		x.vcpu[1] = &ap;
	}
	counters_begin(hv, &before);
	for (b = -1; b < o->batches; b++) {
		ns = irq_batch_run(&x, o, g, n, out);
		if (!ns || check_done(hv, &vm, n, &regs, out))
			goto out;
		if (b >= 0) {
			v[b] = (double)ns / n;
			bench_cost_note(o, w, hv, n);
		}
	}
	bench_stat_compute(&out->stat, v, o->batches);
	counters_end(hv, &before, out);
	halts = g->ap ? 2 * (uint64_t)n + 1 : n;
	check_counter(hv, w, halts * (o->batches + 1), out);
out:
	if (x.vcpu[1])
		hv->ap_destroy(hv, &ap);
out_vm:
	hv->vm_destroy(hv, &vm);
out_sync:
	pthread_cond_destroy(&x.cond);
	pthread_mutex_destroy(&x.lock);
}

const struct bench_workload bench_workloads[] = {
	{ "null_exit", "ns/exit", "other", measure_exits, GUEST_WBINVD, BENCH_EXIT_HLT },
	{ "cpuid", "ns/exit", "cpuid", measure_exits, GUEST_CPUID, BENCH_EXIT_HLT },
	{ "hypercall", "ns/exit", "hypercall", measure_exits, GUEST_VMCALL, BENCH_EXIT_HLT },
	{ "pio_user", "ns/exit", "io", measure_exits, GUEST_OUT, BENCH_EXIT_IO_OUT },
	{ "mmio_user", "ns/exit", "npf", measure_exits, GUEST_MMIO, BENCH_EXIT_MMIO_WRITE },
	{ "create_destroy", "ns/VM", NULL, measure_create, GUEST_NR, 0 },
	{ "first_touch", "ns/page", NULL, measure_touch, GUEST_STORE, TOUCH_FRESH },
	{ "first_touch_capped", "ns/page", "npf", measure_touch, GUEST_STORE, TOUCH_CAPPED },
	{ "stream", "ns/page", NULL, measure_touch, GUEST_STORE, TOUCH_STREAM },
	{ "mem_per_vm", "KiB/VM", NULL, measure_mem, GUEST_NR, 0 },
	{ "mem_per_vcpu", "KiB/vCPU", NULL, measure_mem, GUEST_NR, 1 },
	{ "lapic_timer", "ns/irq", "hlt", measure_irq, GUEST_TIMER, 0 },
	{ "ipi", "ns/trip", "hlt", measure_irq, GUEST_IPI, 0 },
};

const int bench_nr_workloads = ARRAY_SIZE(bench_workloads);

const struct bench_workload *bench_find_workload(const char *name)
{
	int i;

	for (i = 0; i < bench_nr_workloads; i++)
		if (!strcmp(bench_workloads[i].name, name))
			return &bench_workloads[i];
	return NULL;
}

bool bench_only_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list)
		return true;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, name, n))
			return true;
		if (!p[len])
			return false;
		p += len + 1;
	}
}

int bench_only_check(const char *list, char *bad, size_t len)
{
	const char *p = list;
	char name[64];

	for (;;) {
		size_t n = strcspn(p, ",");

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (n >= sizeof(name) || !bench_find_workload(name)) {
			snprintf(bad, len, "%.*s", (int)n, p);
			return -1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}
