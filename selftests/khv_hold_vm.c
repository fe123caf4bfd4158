// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_hold_vm: create one VM through /dev/khv and hold it until killed, for
 * tests that look at VMs from outside (hvctl_scenario.sh, make demo). The VM
 * has 64 KiB of RAM at guest-physical 0, with the string "khv_hold_vm" at
 * 0x1000, and one vCPU (id 0) whose RAX is 0x4b4856; the vCPU never runs.
 * Prints "ready" once all this exists.
 *
 * khv_hold_vm --mmio HPA: besides, on each SIGUSR1, ask for the host MMIO
 * page at HPA in the guest at 0x100000 (KHV_MAP_HOST_MMIO, allowed only by
 * the VM's ACL) and print what khv answered; on SIGUSR2, unmap it. make demo
 * shows an ACL refusing and then allowing a VMM's request this way.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "khv_util.h"

#define HOLD_MEM	0x10000
#define HOLD_RAX	0x4b4856
#define HOLD_MMIO_GPA	0x100000

static volatile sig_atomic_t map_req, unmap_req;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		map_req = 1;
	else
		unmap_req = 1;
}

/* Map (or unmap) the page at @hpa and say what khv answered. */
static void host_mmio(int vm, unsigned long long hpa, int unmap)
{
	struct khv_host_mmio m;

	memset(&m, 0, sizeof(m));
	m.hpa = unmap ? 0 : hpa;
	m.gpa = HOLD_MMIO_GPA;
	m.size = 4096;
	m.flags = unmap ? KHV_HOST_MMIO_UNMAP : 0;
	if (ioctl(vm, KHV_MAP_HOST_MMIO, &m))
		printf("KHV_MAP_HOST_MMIO %s 0x%llx: %s\n", unmap ? "unmap" : "map", hpa,
		       strerror(errno));
	else
		printf("KHV_MAP_HOST_MMIO %s 0x%llx at guest 0x%x: done\n",
		       unmap ? "unmap" : "map", hpa, HOLD_MMIO_GPA);
	fflush(stdout);
}

static int fail(const char *what)
{
	fprintf(stderr, "khv_hold_vm: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long hpa = 0;
	sigset_t block, wait_mask;
	struct khv_memory_region region;
	struct khv_create_vcpu create;
	struct khv_regs regs;
	int dev, vm, vcpu;
	char *mem;

	if (argc == 3 && !strcmp(argv[1], "--mmio")) {
		hpa = strtoull(argv[2], NULL, 0);
	} else if (argc != 1) {
		fprintf(stderr, "usage: khv_hold_vm [--mmio HPA]\n");
		return 2;
	}
	/* Blocked but while waiting: a request never falls between check and wait. */
	sigemptyset(&wait_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	dev = khv_open_dev();
	if (dev < 0) {
		fprintf(stderr, "khv_hold_vm: " KHV_DEV_PATH ": %s\n", strerror(-dev));
		return 1;
	}
	vm = khv_create_vm(dev);
	if (vm < 0) {
		fprintf(stderr, "khv_hold_vm: KHV_CREATE_VM: %s\n", strerror(-vm));
		return 1;
	}
	memset(&region, 0, sizeof(region));
	region.size = HOLD_MEM;
	if (ioctl(vm, KHV_SET_MEMORY_REGION, &region))
		return fail("KHV_SET_MEMORY_REGION");
	mem = mmap(NULL, HOLD_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, vm,
		   region.mmap_offset);
	if (mem == MAP_FAILED)
		return fail("mmap");
	strcpy(mem + 0x1000, "khv_hold_vm");
	memset(&create, 0, sizeof(create));
	vcpu = ioctl(vm, KHV_CREATE_VCPU, &create);
	if (vcpu < 0)
		return fail("KHV_CREATE_VCPU");
	if (ioctl(vcpu, KHV_GET_REGS, &regs))
		return fail("KHV_GET_REGS");
	regs.rax = HOLD_RAX;
	if (ioctl(vcpu, KHV_SET_REGS, &regs))
		return fail("KHV_SET_REGS");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sigsuspend(&wait_mask);
		if (map_req && hpa)
			host_mmio(vm, hpa, 0);
		if (unmap_req && hpa)
			host_mmio(vm, hpa, 1);
		map_req = 0;
		unmap_req = 0;
	}
}
