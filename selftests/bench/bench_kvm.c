// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_bench: KVM as a struct bench_hv, a minimal VMM of its own through
 * /dev/kvm (<linux/kvm.h>): KVM_CREATE_VM, KVM_SET_USER_MEMORY_REGION over
 * anonymous memory, KVM_CREATE_VCPU, the mmap()ed struct kvm_run,
 * KVM_SET_SREGS/REGS and KVM_RUN. No TSS address (flat protected mode
 * needs none; Bochs's VMX has unrestricted guest), and an in-kernel irqchip
 * only for the interrupt workloads (kvm_vm_create()).
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

#include <linux/kvm.h>
#include <linux/kvm_para.h>

#include "bench.h"
#include "bench_vmm.h"
#include "khv_util.h"

#define KVM_STATS_DIR	"/sys/kernel/debug/kvm/"

/*
 * BENCH_VM_IRQCHIP: KVM's split irqchip (KVM_CAP_SPLIT_IRQCHIP, as QEMU's
 * kernel-irqchip=split), not KVM_CREATE_IRQCHIP: the local APICs in the
 * kernel and the IOAPIC and PIC left to user space is khv's model
 * (Documentation/khv-abi.rst, "Interrupt controllers"). The LAPIC path the
 * workloads time is the same in both of KVM's; the full one would add a PIC
 * and an IOAPIC they never use. 24 IOAPIC routes reserved, as QEMU does.
 */
#define KVM_BENCH_IOAPIC_PINS	24

static int kvm_split_irqchip(int vmfd)
{
	struct kvm_enable_cap cap;

	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_SPLIT_IRQCHIP;
	cap.args[0] = KVM_BENCH_IOAPIC_PINS;
	return khv_ioctl(vmfd, KVM_ENABLE_CAP, (unsigned long)&cap);
}

/* KVM maps the VMM's memory on first touch: BENCH_VM_CAPPED changes nothing. */
static int kvm_vm_create(struct bench_hv *hv, struct bench_vm *vm, size_t mem_bytes,
			 unsigned int flags)
{
	struct kvm_userspace_memory_region region;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu_fd = -1;
	vm->flags = flags;
	vm->fd = khv_ioctl(hv->devfd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return vm->fd;
	if (flags & BENCH_VM_IRQCHIP) {
		r = kvm_split_irqchip(vm->fd);
		if (r)
			goto err;
	}
	if (!mem_bytes)
		return 0;
	vm->mem = mmap(NULL, mem_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		r = -errno;
		goto err;
	}
	vm->mem_size = mem_bytes;
	memset(&region, 0, sizeof(region));
	region.memory_size = mem_bytes;
	region.userspace_addr = (unsigned long)vm->mem;
	r = khv_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region);
	if (r)
		goto err;
	return 0;
err:
	hv->vm_destroy(hv, vm);
	return r;
}

/* The same flat 32-bit state bench_khv.c gives khv's vCPU. */
static int kvm_set_flat32(struct bench_vm *vm)
{
	struct kvm_sregs sregs;
	int r;

	r = khv_ioctl(vm->vcpu_fd, KVM_GET_SREGS, (unsigned long)&sregs);
	if (r)
		return r;
	BENCH_SREGS_FLAT32(&sregs);
	return khv_ioctl(vm->vcpu_fd, KVM_SET_SREGS, (unsigned long)&sregs);
}

/*
 * KVM's vCPUs get the CPUID table KVM supports, as a VMM gives them (without
 * one KVM answers zeros); khv's see the host's values, masked, by default.
 */
#define KVM_CPUID_MAX	256

static struct kvm_cpuid2 *kvm_supported_cpuid(int kvmfd)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + KVM_CPUID_MAX * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	c->nent = KVM_CPUID_MAX;
	if (khv_ioctl(kvmfd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c)) {
		free(c);
		return NULL;
	}
	return c;
}

/* vCPU @id of @vm into @v (@vm itself, or an AP's view of it). */
static int kvm_vcpu_new(struct bench_hv *hv, struct bench_vm *vm, uint32_t id,
			struct bench_vm *v)
{
	int r;

	v->vcpu_fd = khv_ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->vcpu_fd < 0)
		return v->vcpu_fd;
	r = bench_map_run(hv, v);
	if (r || !vm->mem)
		return r;
	r = khv_ioctl(v->vcpu_fd, KVM_SET_CPUID2, (unsigned long)hv->priv);
	return r ? r : kvm_set_flat32(v);
}

static int kvm_vcpu_create(struct bench_hv *hv, struct bench_vm *vm)
{
	return kvm_vcpu_new(hv, vm, 0, vm);
}

/*
 * With an in-kernel LAPIC every vCPU but the BSP starts
 * KVM_MP_STATE_UNINITIALIZED, waiting for INIT and SIPI, as khv's APs do.
 */
static int kvm_ap_create(struct bench_hv *hv, struct bench_vm *vm, struct bench_vm *ap)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return bench_ap_create(hv, vm, ap, kvm_vcpu_new, KVM_SET_MP_STATE, &mp);
}

static void kvm_kick(struct bench_vm *vm, pthread_t thread)
{
	bench_kick(&((struct kvm_run *)vm->run)->immediate_exit, thread);
}

static int kvm_set_regs(struct bench_vm *vm, const struct bench_regs *b)
{
	struct kvm_regs r;

	BENCH_REGS_PUT(&r, b);
	return khv_ioctl(vm->vcpu_fd, KVM_SET_REGS, (unsigned long)&r);
}

static int kvm_get_regs(struct bench_vm *vm, struct bench_regs *b)
{
	struct kvm_regs r;
	int ret = khv_ioctl(vm->vcpu_fd, KVM_GET_REGS, (unsigned long)&r);

	if (ret)
		return ret;
	BENCH_REGS_GET(b, &r);
	return 0;
}

static int kvm_run_once(struct bench_vm *vm, struct bench_exit *e)
{
	const struct kvm_run *run = vm->run;

	if (ioctl(vm->vcpu_fd, KVM_RUN, 0))
		return -errno;
	BENCH_EXIT_DECODE(run, vm->run_size, e, KVM_EXIT_HLT, KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_IO_OUT);
	return 0;
}

/*
 * KVM's statistics that explain the workloads, summed over live VMs: the
 * interrupt workloads' injections (none counted where APICv delivers them),
 * and whether a halted vCPU was woken or found its interrupt while polling
 * (halt_poll_ns) before it slept.
 */
static const char *const kvm_stat_names[] = {
	"exits", "halt_exits", "io_exits", "mmio_exits", "hypercalls",
	"insn_emulation", "pf_taken", "pf_fixed", "pf_mmio_spte_created",
	"irq_injections", "irq_window_exits", "halt_wakeup", "halt_successful_poll",
};

static int kvm_counters(struct bench_counters *c)
{
	char path[128], buf[32];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(kvm_stat_names); i++) {
		snprintf(path, sizeof(path), KVM_STATS_DIR "%s", kvm_stat_names[i]);
		if (khv_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		snprintf(c->name[c->nr], sizeof(c->name[0]), "%s", kvm_stat_names[i]);
		c->value[c->nr++] = strtoull(buf, NULL, 10);
	}
	return c->nr ? 0 : -ENODATA;
}

int bench_kvm_open(struct bench_hv *hv, char *why, size_t len)
{
	int r;

	memset(hv, 0, sizeof(*hv));
	hv->name = "kvm";
	hv->devfd = khv_kvm_open();
	if (hv->devfd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(-hv->devfd));
		return hv->devfd;
	}
	r = khv_ioctl(hv->devfd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		snprintf(why, len, "KVM_GET_API_VERSION: %d", r);
		goto err;
	}
	r = khv_ioctl(hv->devfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < (int)sizeof(struct kvm_run)) {
		snprintf(why, len, "KVM_GET_VCPU_MMAP_SIZE: %d", r);
		goto err;
	}
	hv->run_size = r;
	hv->priv = kvm_supported_cpuid(hv->devfd);
	if (!hv->priv) {
		r = -errno;
		snprintf(why, len, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto err;
	}
	/* Answered in the kernel with 0 (kvm_emulate_hypercall()). */
	hv->hc_nr = KVM_HC_VAPIC_POLL_IRQ;
	hv->hc_ret = 0;
	hv->vm_create = kvm_vm_create;
	hv->vcpu_create = kvm_vcpu_create;
	hv->vm_destroy = bench_vm_release;
	hv->set_regs = kvm_set_regs;
	hv->get_regs = kvm_get_regs;
	hv->run = kvm_run_once;
	hv->ap_create = kvm_ap_create;
	hv->ap_destroy = bench_vcpu_release;
	hv->kick = kvm_kick;
	hv->counters = kvm_counters;
	return 0;
err:
	close(hv->devfd);
	hv->devfd = -1;
	return r < 0 ? r : -EPROTO;
}
