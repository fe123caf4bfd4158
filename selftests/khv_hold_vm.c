// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_hold_vm: create one VM through /dev/khv and hold it until killed, for
 * tests that look at VMs from outside (hvctl_scenario.sh, make demo). The VM
 * has 64 KiB of RAM at guest-physical 0, with the string "khv_hold_vm" at
 * 0x1000, and one vCPU (id 0) whose RAX is 0x4b4856; the vCPU never runs.
 * Prints "ready" once all this exists.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "khv_util.h"

#define HOLD_MEM	0x10000
#define HOLD_RAX	0x4b4856

static int fail(const char *what)
{
	fprintf(stderr, "khv_hold_vm: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	struct khv_memory_region region;
	struct khv_create_vcpu create;
	struct khv_regs regs;
	int dev, vm, vcpu;
	char *mem;

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
	for (;;)
		pause();
}
