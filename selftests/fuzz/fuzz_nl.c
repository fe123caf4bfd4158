// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netlink fuzzer: per iteration a fresh socket sends requests built from
 * the spec (fuzz_nl_msg.c), as root or as an unprivileged user given random
 * grants, about VMs that exist (one of them running), leaving replies and
 * dumps unread midway. What root changed of the host (max-vms-per-user, the
 * audit ring and limits, grants) is put back after each iteration.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/khv.h>

#include "khv_nl.h"
#include "fuzz_nl.h"
#include "fuzz_runner.h"

#define NR_VMS		2
#define FIRST_UID	61000

struct nlf_vm {
	int dev, vm, vcpu;
	pthread_t th;
	bool running;
	bool stop;		/* __atomic */
};

struct grant_list {
	int nr;
	uint32_t id[256];
};

static void grant_cb(struct nl_reply *r, void *arg)
{
	struct grant_list *g = arg;

	if (r->tb[KHV_A_GRANT_ID] && g->nr < (int)ARRAY_SIZE(g->id))
		g->id[g->nr++] = NLA_U32(r->tb[KHV_A_GRANT_ID]);
}

static int grants(struct nl *nl, struct grant_list *g)
{
	struct msg m;

	g->nr = 0;
	msg_init(&m, nl->family, KHV_CMD_GRANT_GET, NLM_F_DUMP);
	return nl_call(nl, &m, grant_cb, g);
}

static void *vcpu_loop(void *arg)
{
	struct nlf_vm *v = arg;
	struct fuzz_bound b = { 0 };

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED) &&
	       fuzz_bound_run(&b, v->vcpu, 0.005) != -EIO)
		;
	return NULL;
}

/* A VM with RAM and a vCPU, maybe running (zeroed RAM: it loops until stopped). */
static void vm_up(struct fuzz_rng *r, struct nlf_vm *v, struct nl *nl, struct nlf_ids *ids)
{
	struct khv_memory_region mr = { .size = 0x100000 };
	struct khv_create_vcpu c = { 0 };
	struct khv_create_vm cv = { 0 };
	uint64_t id;

	v->dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	v->vm = ioctl(v->dev, KHV_CREATE_VM, &cv);
	ioctl(v->vm, KHV_SET_MEMORY_REGION, &mr);
	v->vcpu = ioctl(v->vm, KHV_CREATE_VCPU, &c);
	if (v->vm >= 0 && !my_newest_vm(nl, &id) && ids->nr_vm < (int)ARRAY_SIZE(ids->vm))
		ids->vm[ids->nr_vm++] = id;
	v->stop = false;
	v->running = v->vcpu >= 0 && rng_pct(r, 60) &&
		     !pthread_create(&v->th, NULL, vcpu_loop, v);
}

static void vm_down(struct nlf_vm *v)
{
	__atomic_store_n(&v->stop, true, __ATOMIC_RELAXED);
	if (v->running)
		pthread_join(v->th, NULL);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->dev >= 0)
		close(v->dev);
}

static int sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0)
		return fd;
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* The messages of one iteration, from one socket (reopened now and then). */
static uint64_t send_all(struct fuzz_rng *r, uint16_t family, const struct nlf_ids *ids)
{
	static uint8_t buf[NLF_MSG_MAX], rbuf[16384];
	unsigned int i, n = 10 + rng_below(r, 30), reads;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd = sock_open(), len, dump;
	uint64_t calls = 0;

	for (i = 0; i < n && fd >= 0; i++) {
		len = nlf_build(r, family, i + 1, ids, buf, &dump);
		sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
		calls++;
		/* Replies read, some, or none; a dump left midway. */
		reads = rng_pct(r, 20) ? 0 : dump && rng_pct(r, 50) ? 1 : 16;
		while (reads-- && recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
			calls++;
		if (rng_pct(r, 5)) {
			close(fd);
			fd = sock_open();
		}
	}
	if (fd >= 0)
		close(fd);
	return calls;
}

/* As an unprivileged user: a child that drops root first. */
static uint64_t send_unprivileged(struct fuzz_rng *r, uint16_t family, const struct nlf_ids *ids,
				  uid_t uid, char *why, size_t len)
{
	double end;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(3);
		alarm(FUZZ_HANG_SECONDS * 3);
		send_all(r, family, ids);
		_exit(0);
	}
	end = fuzz_now() + FUZZ_HANG_SECONDS * 4;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fuzz_now() > end) {
			snprintf(why, len, "an unprivileged netlink client did not finish");
			return 0;
		}
		usleep(2000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		snprintf(why, len, "the unprivileged netlink client ended with status 0x%x",
			 status);
	return 40;	/* its calls, as an estimate: the child cannot tell us */
}

static void random_grants(struct fuzz_rng *r, struct nl *nl, uid_t uid, struct nlf_ids *ids)
{
	int i, n = rng_below(r, 4);
	uint32_t id;

	for (i = 0; i < n; i++) {
		uint32_t obj = 1 + rng_below(r, 3);
		uint64_t vm = ids->nr_vm ? ids->vm[rng_below(r, ids->nr_vm)] : 1;

		if (!grant_add(nl, rng_pct(r, 80) ? 1 : 2, uid, 1 + rng_below(r, 9), obj,
			       vm, "t", rng_pct(r, 80) ? 1 : 2, &id) &&
		    ids->nr_grant < (int)ARRAY_SIZE(ids->grant))
			ids->grant[ids->nr_grant++] = id;
	}
}

/* The host's settings a fuzzed request may have changed. */
struct nlf_host {
	long max_vms;
	uint64_t mem_budget;
	int mem_overcommit;
	struct nl_reply get;	/* host-get's reply: the defaults below */
};

/* host-set's defaults for new VMs and the CPU budget, as host-get gives them. */
static const uint16_t host_defaults[] = {
	KHV_A_HOST_DEFAULT_MEM_MIN, KHV_A_HOST_DEFAULT_MEM_MAX,
	KHV_A_HOST_DEFAULT_CPU_CAP, KHV_A_HOST_DEFAULT_IO_EXITS_RATE,
	KHV_A_HOST_DEFAULT_IO_BYTES_RATE, KHV_A_HOST_CPU_BUDGET,
	KHV_A_HOST_DEFAULT_CPU_WEIGHT, KHV_A_HOST_DEFAULT_MEM_PRIORITY,
};

/*
 * The defaults back as they were, in one host-set, then checked: a default
 * left behind (a default-mem-min above the budget) would refuse every VM of
 * the fuzzers that come next. 0, or the first attribute that differs.
 */
static int restore_defaults(struct nl *nl, const struct nl_reply *was)
{
	static struct nl_reply now;
	struct nlattr *a, *b;
	struct msg m;
	unsigned int i;

	msg_init(&m, nl->family, KHV_CMD_HOST_SET, 0);
	for (i = 0; i < ARRAY_SIZE(host_defaults); i++) {
		a = was->tb[host_defaults[i]];
		if (a)
			put_attr(&m, host_defaults[i], NLA_DATA(a), a->nla_len - NLA_HDRLEN);
	}
	nl_call(nl, &m, NULL, NULL);
	if (host_get(nl, &now))
		return -1;
	for (i = 0; i < ARRAY_SIZE(host_defaults); i++) {
		a = was->tb[host_defaults[i]];
		b = now.tb[host_defaults[i]];
		if (!a != !b || (a && (a->nla_len != b->nla_len ||
				       memcmp(NLA_DATA(a), NLA_DATA(b), a->nla_len - NLA_HDRLEN))))
			return host_defaults[i];
	}
	return 0;
}

static void restore(struct nl *nl, const struct nlf_host *h,
		    const struct audit_state *as,
		    const struct grant_list *before, char *why, size_t len)
{
	struct grant_list now;
	int i, j;

	if (h->max_vms > 0)
		host_set_max_vms_per_user(nl, h->max_vms);
	/* The iteration's VMs are gone: the budget fits again under overcommit. */
	if (h->mem_budget) {
		host_set_mem_policy(nl, 0, 1);
		host_set_mem_policy(nl, h->mem_budget, h->mem_overcommit);
	}
	audit_set_size(nl, as->ring_size);
	audit_set_limit(nl, as->denial_burst, as->denial_interval);
	i = restore_defaults(nl, &h->get);
	if (i && !why[0])
		snprintf(why, len, "host attribute %d not back to its value after host-set", i);
	if (grants(nl, &now))
		return;
	for (i = 0; i < now.nr; i++) {
		for (j = 0; j < before->nr && before->id[j] != now.id[i]; j++)
			;
		if (j == before->nr)
			grant_del(nl, now.id[i]);
	}
}

int fuzz_nl_iter(uint64_t seed, uint64_t iter, uint64_t *calls, char *why, size_t len)
{
	static struct nl nl;	/* big: not on the stack */
	struct nlf_vm vms[NR_VMS];
	struct grant_list before;
	struct nlf_ids ids = { 0 };
	struct audit_state as;
	struct fuzz_rng r;
	static struct nlf_host host;	/* big: not on the stack */
	int i, nr, e;

	fuzz_bound_init(NULL);
	rng_seed(&r, seed, iter, 0);
	e = nl_open(&nl);
	if (e) {
		snprintf(why, len, "no khv netlink family: %s", strerror(-e));
		return 1;
	}
	memset(&host, 0, sizeof(host));
	host.max_vms = host_max_vms_per_user(&nl);
	if (host_mem_policy(&nl, &host.mem_budget, &host.mem_overcommit) ||
	    host_get(&nl, &host.get) ||
	    audit_state(&nl, &as) || grants(&nl, &before)) {
		snprintf(why, len, "cannot read the host's settings to restore them");
		close(nl.fd);
		return 1;
	}
	nr = rng_below(&r, NR_VMS + 1);
	for (i = 0; i < nr; i++)
		vm_up(&r, &vms[i], &nl, &ids);
	*calls += 6 + 4 * nr;
	if (rng_pct(&r, 40)) {
		uid_t uid = FIRST_UID + rng_below(&r, 3);

		random_grants(&r, &nl, uid, &ids);
		*calls += send_unprivileged(&r, nl.family, &ids, uid, why, len);
	} else {
		*calls += send_all(&r, nl.family, &ids);
	}
	for (i = 0; i < nr; i++)
		vm_down(&vms[i]);
	restore(&nl, &host, &as, &before, why, len);
	close(nl.fd);
	return why[0] ? 1 : 0;
}
