// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench: khv as a struct bench_hv, through /dev/khv (uapi/linux/khv.h).
 * Guest RAM is khv's own (KHV_SET_MEMORY_REGION allocates it, zeroed; the
 * VMM maps it from the VM fd), where KVM's is the VMM's anonymous memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/khv.h>

#include "bench.h"
#include "bench_vmm.h"
#include "khv_nl.h"
#include "khv_util.h"

#define KHV_EXITS_FILE	"/sys/kernel/debug/khv/exits"

/*
 * A mem-max of @bytes on the VM this process created last (netlink
 * quota-set, Documentation/admin-guide.rst "Quotas"), before its region
 * exists: khv then allocates its RAM on first touch (mem_touch.c).
 */
static int khv_cap_vm(struct bench_hv *hv, uint64_t bytes)
{
	struct nl *nl = hv->priv;
	struct msg m;
	uint64_t id;
	int r;

	if (!nl) {
		nl = calloc(1, sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		r = nl_open(nl);
		if (r) {
			if (nl->fd >= 0)
				close(nl->fd);
			free(nl);
			return r;
		}
		hv->priv = nl;
	}
	r = my_newest_vm(nl, &id);
	if (r)
		return r;
	msg_init(&m, nl->family, KHV_CMD_QUOTA_SET, 0);
	put_u64(&m, KHV_A_VM_ID, id);
	put_u64(&m, KHV_A_VM_MEM_MAX, bytes);
	return nl_call(nl, &m, NULL, NULL);
}

static void khv_close(struct bench_hv *hv)
{
	struct nl *nl = hv->priv;

	if (nl && nl->fd >= 0)
		close(nl->fd);
}

static int khv_vm_create(struct bench_hv *hv, struct bench_vm *vm, size_t mem_bytes,
			 unsigned int flags)
{
	struct khv_memory_region mr;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu_fd = -1;
	vm->flags = flags;
	vm->fd = khv_create_vm(hv->devfd);
	if (vm->fd < 0)
		return vm->fd;
	if (flags & BENCH_VM_IRQCHIP) {
		r = khv_ioctl(vm->fd, KHV_CREATE_IRQCHIP, 0);
		if (r)
			goto err;
	}
	if (!mem_bytes)
		return 0;
	if (flags & BENCH_VM_CAPPED) {
		r = khv_cap_vm(hv, mem_bytes);
		if (r)
			goto err;
	}
	memset(&mr, 0, sizeof(mr));
	mr.size = mem_bytes;
	r = khv_ioctl(vm->fd, KHV_SET_MEMORY_REGION, (unsigned long)&mr);
	if (r)
		goto err;
	vm->mem = mmap(NULL, mem_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, vm->fd,
		       mr.mmap_offset);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		r = -errno;
		goto err;
	}
	vm->mem_size = mem_bytes;
	return 0;
err:
	hv->vm_destroy(hv, vm);
	return r;
}

/* Flat 32-bit protected mode, paging off (SDM Vol. 3A 9.9.1). */
static int khv_set_flat32(struct bench_vm *vm)
{
	struct khv_sregs sregs;
	int r;

	r = khv_ioctl(vm->vcpu_fd, KHV_GET_SREGS, (unsigned long)&sregs);
	if (r)
		return r;
	BENCH_SREGS_FLAT32(&sregs);
	return khv_ioctl(vm->vcpu_fd, KHV_SET_SREGS, (unsigned long)&sregs);
}

/* vCPU @id of @vm into @v (@vm itself, or an AP's view of it). */
static int khv_vcpu_new(struct bench_hv *hv, struct bench_vm *vm, uint32_t id,
			struct bench_vm *v)
{
	struct khv_create_vcpu args;
	int r;

	memset(&args, 0, sizeof(args));
	args.id = id;
	v->vcpu_fd = khv_ioctl(vm->fd, KHV_CREATE_VCPU, (unsigned long)&args);
	if (v->vcpu_fd < 0)
		return v->vcpu_fd;
	r = bench_map_run(hv, v);
	if (r)
		return r;
	return vm->mem ? khv_set_flat32(v) : 0;
}

static int khv_vcpu_create(struct bench_hv *hv, struct bench_vm *vm)
{
	return khv_vcpu_new(hv, vm, 0, vm);
}

/*
 * khv allows a VM as many vCPUs as the host has CPUs online unless the
 * administrator allows more (KHV_CAP_MAX_VCPUS, the vcpu_overcommit
 * parameter: Documentation/admin-guide.rst); KVM allows more by default.
 * On a host with one CPU the ipi workload's vCPU 1 needs the knob: set
 * while the AP exists, its old value put back by khv_ap_destroy().
 */
#define KHV_OVERCOMMIT_PARAM	"/sys/module/khv/parameters/vcpu_overcommit"

static char khv_overcommit_saved;	/* 0, or the parameter's 'Y'/'N' */

/* struct bench_hv.ap_destroy: vCPU 1 closed, the overcommit knob as it was. */
static void khv_ap_destroy(struct bench_hv *hv, struct bench_vm *ap)
{
	char val[2] = { khv_overcommit_saved, 0 };

	bench_vcpu_release(hv, ap);
	if (khv_overcommit_saved)
		khv_write_file(KHV_OVERCOMMIT_PARAM, val);
	khv_overcommit_saved = 0;
}

static int khv_ap_create(struct bench_hv *hv, struct bench_vm *vm, struct bench_vm *ap)
{
	struct khv_mp_state mp = { .mp_state = KHV_MP_STATE_RUNNABLE };
	char old[8];
	int r;

	if (khv_check_extension(hv->devfd, KHV_CAP_MAX_VCPUS) < 2 && !khv_overcommit_saved) {
		r = khv_read_file(KHV_OVERCOMMIT_PARAM, old, sizeof(old));
		if (r <= 0)
			return r ? r : -EIO;
		r = khv_write_file(KHV_OVERCOMMIT_PARAM, "Y");
		if (r)
			return r;
		khv_overcommit_saved = old[0] == 'Y' ? 'Y' : 'N';
	}
	r = bench_ap_create(hv, vm, ap, khv_vcpu_new, KHV_SET_MP_STATE, &mp);
	if (r)
		khv_ap_destroy(hv, ap);
	return r;
}

static void khv_kick(struct bench_vm *vm, pthread_t thread)
{
	bench_kick(&((struct khv_run *)vm->run)->immediate_exit, thread);
}

static int khv_set_regs(struct bench_vm *vm, const struct bench_regs *b)
{
	struct khv_regs r;

	BENCH_REGS_PUT(&r, b);
	return khv_ioctl(vm->vcpu_fd, KHV_SET_REGS, (unsigned long)&r);
}

static int khv_get_regs(struct bench_vm *vm, struct bench_regs *b)
{
	struct khv_regs r;
	int ret = khv_ioctl(vm->vcpu_fd, KHV_GET_REGS, (unsigned long)&r);

	if (ret)
		return ret;
	BENCH_REGS_GET(b, &r);
	return 0;
}

static int khv_run(struct bench_vm *vm, struct bench_exit *e)
{
	const struct khv_run *run = vm->run;

	if (ioctl(vm->vcpu_fd, KHV_RUN, 0))
		return -errno;
	BENCH_EXIT_DECODE(run, vm->run_size, e, KHV_EXIT_HLT, KHV_EXIT_IO, KHV_EXIT_MMIO, KHV_EXIT_IO_OUT);
	return 0;
}

/* "name value" lines of khv's debugfs exits file. */
static int khv_counters(struct bench_counters *c)
{
	char name[24];
	unsigned long long v;
	FILE *f = fopen(KHV_EXITS_FILE, "r");

	memset(c, 0, sizeof(*c));
	if (!f)
		return -errno;
	while (c->nr < BENCH_MAX_COUNTERS && fscanf(f, "%23s %llu", name, &v) == 2) {
		snprintf(c->name[c->nr], sizeof(c->name[0]), "%s", name);
		c->value[c->nr++] = v;
	}
	fclose(f);
	return c->nr ? 0 : -ENODATA;
}

int bench_khv_open(struct bench_hv *hv, char *why, size_t len)
{
	int r;

	memset(hv, 0, sizeof(*hv));
	hv->name = "khv";
	hv->devfd = khv_open_dev();
	if (hv->devfd < 0) {
		snprintf(why, len, "%s: %s", KHV_DEV_PATH, strerror(-hv->devfd));
		return hv->devfd;
	}
	r = khv_ioctl(hv->devfd, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (r < (int)sizeof(struct khv_run)) {
		snprintf(why, len, "KHV_GET_VCPU_MMAP_SIZE: %d", r);
		close(hv->devfd);
		hv->devfd = -1;
		return r < 0 ? r : -EPROTO;
	}
	hv->run_size = r;
	/* Answered by the module: its API version (uapi/linux/khv.h). */
	hv->hc_nr = KHV_HC_API_VERSION;
	hv->hc_ret = KHV_API_VERSION;
	hv->vm_create = khv_vm_create;
	hv->vcpu_create = khv_vcpu_create;
	hv->vm_destroy = bench_vm_release;
	hv->set_regs = khv_set_regs;
	hv->get_regs = khv_get_regs;
	hv->run = khv_run;
	hv->ap_create = khv_ap_create;
	hv->ap_destroy = khv_ap_destroy;
	hv->kick = khv_kick;
	hv->counters = khv_counters;
	hv->close = khv_close;
	return 0;
}

void bench_hv_close(struct bench_hv *hv)
{
	if (hv->close)
		hv->close(hv);
	if (hv->devfd >= 0)
		close(hv->devfd);
	hv->devfd = -1;
	free(hv->priv);
	hv->priv = NULL;
}
