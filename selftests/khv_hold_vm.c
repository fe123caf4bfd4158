// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_hold_vm: create one VM through /dev/khv and hold it until killed, for
 * tests that look at VMs from outside (hvctl_scenario.sh). Prints "ready"
 * once the VM exists.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "khv_util.h"

int main(void)
{
	int dev, vm;

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
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
