// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ABI fuzzer: random sequences of calls over /dev/khv, VM and vCPU fds
 * from one to three threads at once, with the mappings of both kinds of fd,
 * fork() children that use the inherited fds, and KHV_RUN bounded by a
 * signal, racing with close() and munmap() of the other threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fuzz_abi.h"
#include "fuzz_runner.h"

struct abi_worker {
	struct abi_state *st;
	struct fuzz_rng rng;
	struct fuzz_bound bound;
	pthread_t th;
	unsigned int ops, id;
};

static __thread sigjmp_buf touch_jmp;
static __thread volatile int touch_armed;

static void touch_fault(int sig)
{
	if (touch_armed)
		siglongjmp(touch_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A read or a write, which may fault: the mapping, its protection, the object. */
static void touch(struct fuzz_rng *r, uint8_t *p, size_t len)
{
	uint64_t v = rng_next(r);
	volatile uint8_t *vp = p;

	touch_armed = 1;
	if (!sigsetjmp(touch_jmp, 1)) {
		if (v & 1)
			(void)*vp;
		else
			memset((void *)vp, v >> 8, len);
	}
	touch_armed = 0;
}

/* An fd of @kind (or any kind for OBJ_NONE, sometimes any at all): -1 if none. */
static int pick_fd(struct fuzz_rng *r, struct abi_state *st, enum abi_kind kind)
{
	int i, n = 0, fds[ABI_MAX_OBJ];

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_OBJ; i++)
		if (st->obj[i].kind != OBJ_NONE &&
		    (kind == OBJ_NONE || st->obj[i].kind == kind || rng_pct(r, 3)))
			fds[n++] = st->obj[i].fd;
	pthread_mutex_unlock(&st->lock);
	return n ? fds[rng_below(r, n)] : -1;
}

static void add_obj(struct abi_state *st, int fd, enum abi_kind kind)
{
	int i;

	if (fd < 0)
		return;
	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_OBJ; i++) {
		if (st->obj[i].kind == OBJ_NONE) {
			st->obj[i].fd = fd;
			st->obj[i].kind = kind;
			pthread_mutex_unlock(&st->lock);
			return;
		}
	}
	pthread_mutex_unlock(&st->lock);
	close(fd);
}

static void close_one(struct fuzz_rng *r, struct abi_state *st)
{
	int i = rng_below(r, ABI_MAX_OBJ), fd = -1;

	pthread_mutex_lock(&st->lock);
	if (st->obj[i].kind != OBJ_NONE) {
		fd = st->obj[i].fd;
		st->obj[i].kind = OBJ_NONE;
	}
	pthread_mutex_unlock(&st->lock);
	if (fd >= 0) {
		close(fd);
		abi_count(st);
	}
}

static enum abi_kind kind_of(struct abi_state *st, int fd)
{
	enum abi_kind k = OBJ_OTHER;
	int i;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_OBJ; i++)
		if (st->obj[i].kind != OBJ_NONE && st->obj[i].fd == fd)
			k = st->obj[i].kind;
	pthread_mutex_unlock(&st->lock);
	return k;
}

static void op_mmap(struct fuzz_rng *r, struct abi_state *st)
{
	int fd = pick_fd(r, st, rng_pct(r, 50) ? OBJ_VM : OBJ_VCPU);
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE };
	size_t len = st->page * (1 + rng_below(r, rng_pct(r, 80) ? 4 : 600));
	off_t off = rng_below(r, 4) * KHV_MAX_MEM_SIZE + rng_below(r, 8) * st->page;
	enum abi_kind kind;
	uint8_t *p;
	int i;

	if (fd < 0)
		return;
	if (rng_pct(r, 10))
		off = rng_edgy(r) & ~(st->page - 1);
	p = mmap(NULL, len, prots[rng_below(r, ARRAY_SIZE(prots))],
		 rng_pct(r, 85) ? MAP_SHARED : MAP_PRIVATE, fd, off);
	abi_count(st);
	if (p == MAP_FAILED)
		return;
	kind = kind_of(st, fd);
	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_MAP; i++) {
		if (!st->map[i].addr) {
			st->map[i].addr = p;
			st->map[i].len = len;
			st->map[i].fd = fd;
			st->map[i].kind = kind;
			p = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&st->lock);
	if (p)
		munmap(p, len);
}

/* munmap (head or tail, never a hole), mremap, mprotect, madvise or a touch. */
static void op_map(struct fuzz_rng *r, struct abi_state *st)
{
	struct abi_map *m = &st->map[rng_below(r, ABI_MAX_MAP)];
	size_t cut, off;
	void *n;

	pthread_mutex_lock(&st->lock);
	if (!m->addr)
		goto out;
	cut = st->page * rng_below(r, m->len / st->page + 1);
	off = rng_below(r, m->len);
	abi_count(st);
	switch (rng_below(r, 7)) {
	case 0:
		if (!munmap(m->addr, cut ? cut : m->len)) {
			m->len -= cut ? cut : m->len;
			m->addr = m->len ? m->addr + cut : NULL;
		}
		break;
	case 1:
		if (cut && cut < m->len && !munmap(m->addr + m->len - cut, cut))
			m->len -= cut;
		break;
	case 2:
		cut = st->page * (1 + rng_below(r, 8));
		n = mremap(m->addr, m->len, cut, rng_pct(r, 50) ? MREMAP_MAYMOVE : 0);
		if (n != MAP_FAILED) {
			m->addr = n;
			m->len = cut;
		}
		break;
	case 3:
		mprotect(m->addr, m->len, rng_below(r, 8));
		break;
	case 4: {
		static const int adv[] = { MADV_DOFORK, MADV_DONTFORK, MADV_DONTNEED,
					   MADV_WILLNEED, MADV_DODUMP, MADV_REMOVE,
					   MADV_COLD, MADV_PAGEOUT };

		madvise(m->addr, m->len, adv[rng_below(r, ARRAY_SIZE(adv))]);
		break;
	}
	default:
		touch(r, m->addr + off, m->len - off < 64 ? m->len - off : 64);
		break;
	}
out:
	pthread_mutex_unlock(&st->lock);
}

/* The run page of @fd if mapped: its flags, reserved bytes and I/O answers mutated. */
static void poke_run_page(struct fuzz_rng *r, struct abi_state *st, int fd)
{
	int i;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_MAP; i++) {
		struct abi_map *m = &st->map[i];

		if (!m->addr || m->fd != fd || m->kind != OBJ_VCPU)
			continue;
		touch_armed = 1;
		if (!sigsetjmp(touch_jmp, 1)) {
			struct khv_run *run = (struct khv_run *)m->addr;

			run->immediate_exit = rng_pct(r, 10);
			run->request_interrupt_window = rng_pct(r, 90) ? rng_pct(r, 20)
							       : rng_next(r);
			if (rng_pct(r, 5))
				run->flags = rng_edgy(r);
			if (rng_pct(r, 5))
				run->reserved[rng_below(r, 6)] = rng_edgy(r);
			if (rng_pct(r, 30))
				rng_mutate(r, &run->io, sizeof(run->padding2));
		}
		touch_armed = 0;
		break;
	}
	pthread_mutex_unlock(&st->lock);
}

static void op_run(struct abi_worker *w)
{
	struct fuzz_rng *r = &w->rng;
	int fd = pick_fd(r, w->st, OBJ_VCPU);

	if (fd < 0)
		return;
	poke_run_page(r, w->st, fd);
	fuzz_bound_run(&w->bound, fd, 0.001 + rng_below(r, 5) / 1000.0);
	abi_count(w->st);
}

/* A child with the parent's fds (not its mappings): a few calls, then exit. */
static void op_fork(struct fuzz_rng *r, struct abi_state *st)
{
	int fds[ABI_MAX_OBJ], n = 0, i, status;
	union abi_buf b;
	double end;
	pid_t pid;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < ABI_MAX_OBJ; i++)
		if (st->obj[i].kind != OBJ_NONE)
			fds[n++] = st->obj[i].fd;
	pthread_mutex_unlock(&st->lock);
	pid = fork();
	abi_count(st);
	if (pid < 0)
		return;
	if (!pid) {
		alarm(FUZZ_HANG_SECONDS);
		for (i = 0; n && i < 8; i++) {
			int fd = fds[rng_below(r, n)];
			unsigned long cmd = abi_vcpu_cmd(r, fd, &b, st);

			if (rng_pct(r, 20))
				close(fd);
			else if (rng_pct(r, 20))
				munmap(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0), 4096);
			else
				ioctl(fd, cmd, &b);
		}
		_exit(0);
	}
	/* The child never runs a vCPU: it is back at once, or it hangs in khv. */
	end = fuzz_now() + FUZZ_HANG_SECONDS * 2;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fuzz_now() > end) {
			fprintf(stderr, "# fork child %d not back\n", pid);
			return;
		}
		usleep(1000);
	}
}

static void op_ioctl(struct abi_worker *w)
{
	struct fuzz_rng *r = &w->rng;
	struct abi_state *st = w->st;
	union abi_buf b;
	unsigned long cmd, arg;
	int fd;

	memset(&b, 0, sizeof(b));
	switch (rng_below(r, 10)) {
	case 0:		/* /dev/khv's argument-less calls, with arguments */
		fd = pick_fd(r, st, OBJ_DEV);
		cmd = rng_pct(r, 50) ? KHV_CHECK_EXTENSION :
		      rng_pct(r, 50) ? KHV_GET_API_VERSION : KHV_GET_VCPU_MMAP_SIZE;
		arg = rng_pct(r, 70) ? rng_below(r, KHV_CAP_NR + 2) : rng_edgy(r);
		ioctl(fd, cmd, arg);
		abi_count(st);
		return;
	case 1:
		fd = pick_fd(r, st, OBJ_NONE);
		cmd = abi_bad_cmd(r);
		rng_fill(r, &b, 64);
		break;
	case 2:
	case 3:
		fd = pick_fd(r, st, OBJ_VM);
		cmd = KHV_SET_MEMORY_REGION;
		pthread_mutex_lock(&st->lock);
		abi_region_arg(r, &b.region, st);
		pthread_mutex_unlock(&st->lock);
		break;
	case 4:
		fd = pick_fd(r, st, OBJ_VM);
		cmd = abi_device_cmd(r, &b);
		break;
	default:
		fd = pick_fd(r, st, OBJ_VCPU);
		cmd = abi_vcpu_cmd(r, fd, &b, st);
		break;
	}
	if (fd < 0)
		return;
	arg = _IOC_SIZE(cmd) || rng_pct(r, 50) ? abi_ptr(r, &b, cmd, st) : 0;
	/* A wrong number can come out right: a KHV_RUN is bounded like any other. */
	if (cmd == KHV_RUN && !arg) {
		fuzz_bound_run(&w->bound, fd, 0.002);
	} else {
		int ret = ioctl(fd, cmd, arg);

		/* So can a create: its fd is the iteration's, closed with the others. */
		if (cmd == KHV_CREATE_VM)
			add_obj(st, ret, OBJ_VM);
		else if (cmd == KHV_CREATE_VCPU)
			add_obj(st, ret, OBJ_VCPU);
	}
	abi_count(st);
}

static void op_create(struct fuzz_rng *r, struct abi_state *st)
{
	union abi_buf b;
	int fd;

	switch (rng_below(r, 4)) {
	case 0:
		add_obj(st, open("/dev/khv", O_RDWR | O_CLOEXEC), OBJ_DEV);
		break;
	case 1:
		fd = pick_fd(r, st, OBJ_DEV);
		abi_create_vm_arg(r, &b.create_vm);
		add_obj(st, ioctl(fd, KHV_CREATE_VM, abi_ptr(r, &b, KHV_CREATE_VM, st)), OBJ_VM);
		break;
	default:
		fd = pick_fd(r, st, OBJ_VM);
		abi_create_vcpu_arg(r, &b.create_vcpu);
		add_obj(st, ioctl(fd, KHV_CREATE_VCPU, abi_ptr(r, &b, KHV_CREATE_VCPU, st)),
			OBJ_VCPU);
		break;
	}
	abi_count(st);
}

static void op_dup(struct fuzz_rng *r, struct abi_state *st)
{
	int fd = pick_fd(r, st, OBJ_NONE);

	if (fd >= 0)
		add_obj(st, fcntl(fd, F_DUPFD_CLOEXEC, 0), kind_of(st, fd));
	abi_count(st);
}

static void *worker(void *arg)
{
	struct abi_worker *w = arg;
	struct fuzz_rng *r = &w->rng;
	unsigned int i;

	for (i = 0; i < w->ops; i++) {
		unsigned int op = rng_below(r, 100);

		FUZZ_TRACE("t%u op %u step %u", w->id, op, i);

		if (op < 14)
			op_create(r, w->st);
		else if (op < 40)
			op_ioctl(w);
		else if (op < 55)
			op_run(w);
		else if (op < 63)
			op_mmap(r, w->st);
		else if (op < 80)
			op_map(r, w->st);
		else if (op < 88)
			close_one(r, w->st);
		else if (op < 91)
			op_dup(r, w->st);
		else if (op < 93)
			op_fork(r, w->st);
		else
			op_create(r, w->st);
	}
	return NULL;
}

static int abi_state_init(struct abi_state *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
	st->page = sysconf(_SC_PAGESIZE);
	st->guard = mmap(NULL, 2 * st->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	st->ro = mmap(NULL, st->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->guard == MAP_FAILED || st->ro == MAP_FAILED)
		return -1;
	mprotect(st->guard + st->page, st->page, PROT_NONE);
	return 0;
}

static void abi_state_fini(struct abi_state *st)
{
	int i;

	for (i = 0; i < ABI_MAX_MAP; i++)
		if (st->map[i].addr)
			munmap(st->map[i].addr, st->map[i].len);
	for (i = 0; i < ABI_MAX_OBJ; i++)
		if (st->obj[i].kind != OBJ_NONE)
			close(st->obj[i].fd);
	munmap(st->guard, 2 * st->page);
	munmap(st->ro, st->page);
	pthread_mutex_destroy(&st->lock);
}

int fuzz_abi_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len)
{
	struct abi_worker w[ABI_MAX_THREADS];
	struct fuzz_rng r;
	struct abi_state st;
	unsigned int i, nr;

	fuzz_bound_init(touch_fault);
	if (abi_state_init(&st)) {
		snprintf(why, len, "no memory for the fuzzer itself");
		return 1;
	}
	rng_seed(&r, seed, iter, 0);
	nr = 1 + rng_below(&r, ABI_MAX_THREADS);
	/* Every iteration starts from a device fd and, mostly, a VM with a vCPU. */
	add_obj(&st, open("/dev/khv", O_RDWR | O_CLOEXEC), OBJ_DEV);
	for (i = 0; i < nr; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].st = &st;
		rng_seed(&w[i].rng, seed, iter, i + 1);
		w[i].ops = 20 + rng_below(&r, 60);
		w[i].id = i;
	}
	/* The first thread's first calls: most iterations get somewhere. */
	if (rng_pct(&r, 80)) {
		struct khv_create_vm c = { 0 };
		struct khv_create_vcpu v = { 0 };
		int vm = ioctl(st.obj[0].fd, KHV_CREATE_VM, &c);

		add_obj(&st, vm, OBJ_VM);
		if (vm >= 0)
			add_obj(&st, ioctl(vm, KHV_CREATE_VCPU, &v), OBJ_VCPU);
		st.calls += 2;
	}
	/* All in threads: this one watches for a run that does not come back. */
	for (i = 0; i < nr; i++)
		if (pthread_create(&w[i].th, NULL, worker, &w[i]))
			nr = i;
	for (i = 0; i < nr; i++)
		pthread_join(w[i].th, NULL);
	*calls += st.calls;
	abi_state_fini(&st);
	return 0;
}
