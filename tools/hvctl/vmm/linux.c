// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run --kernel: a bzImage booted through the 64-bit entry of the
 * Linux boot protocol (vmm/bzimage.c checks and plans it) on N vCPUs with
 * the in-kernel local APICs, an MP table (vmm/mptable.c) that lists them,
 * and the legacy devices in vmm/loop.c. Before Linux, a probe of a few
 * bytes on vCPU 0 reads the TSC frequency khv publishes (CPUID leaf
 * 0x40000010) for the command line (vmm/cmdline.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bzimage.h"
#include "cmdline.h"
#include "multiboot.h"
#include "vm.h"

#define PROBE_ADDR	0x6000ULL	/* free: between the GDT and the zero page */
#define PROBE_PORT	0x80
#define KHV_LEAF_FREQ	0x40000010U
#define TSC_KHZ_MAX	100000000U	/* 100 GHz: above is no frequency */

/* vCPU 0 in long mode at rip, with the tables boot64_tables() wrote. */
static int linux_entry(struct vmm *m, uint64_t rip)
{
	static const struct vmm_flat_entry e = {
		.cs = BOOT_CS, .ds = BOOT_DS, .long_mode = true,
		.gdt = BOOT_GDT_ADDR, .gdt_limit = 4 * 8 - 1, .cr3 = BOOT_PML4_ADDR,
	};
	struct khv_regs regs = { .rflags = 2, .rip = rip,
				 .rsi = BOOT_ZERO_PAGE, .rsp = BOOT_STACK_TOP };

	return vmm_enter_flat(m, &e, &regs);
}

/*
 * khv's TSC kHz as its guests see it: CPUID 0x40000010 EAX, run on vCPU 0
 * and written to a port. 0 when the probe ends otherwise (no
 * tsc_early_khz then); the probe's bytes are wiped before Linux is loaded.
 */
static uint32_t linux_probe_tsc_khz(struct vmm *m)
{
	static const uint8_t probe[] = {
		0xb8, 0x10, 0x00, 0x00, 0x40,	/* mov $KHV_LEAF_FREQ, %eax */
		0x0f, 0xa2,			/* cpuid */
		0x66, 0xba, PROBE_PORT, 0x00,	/* mov $PROBE_PORT, %dx */
		0xef,				/* out %eax, (%dx) */
		0xf4,				/* hlt */
	};
	const struct khv_run *run = m->run;
	uint32_t khz = 0;

	boot64_tables(m->ram, m->ram_size);
	memcpy(m->ram + PROBE_ADDR, probe, sizeof(probe));
	if (linux_entry(m, PROBE_ADDR) || ioctl(m->vcpu, KHV_RUN, 0))
		goto out;
	if (run->exit_reason == KHV_EXIT_IO && run->io.port == PROBE_PORT &&
	    run->io.direction == KHV_EXIT_IO_OUT && run->io.size == 4 &&
	    run->io.count == 1 && run->io.data_offset <= m->run_size - 4)
		memcpy(&khz, (const uint8_t *)run + run->io.data_offset, 4);
	if (khz > TSC_KHZ_MAX)
		khz = 0;
out:
	memset(m->ram + PROBE_ADDR, 0, sizeof(probe));
	return khz;
}

static int linux_bad(const char *path, const char *err)
{
	fprintf(stderr, "hvctl: run: %s: %s\n", path, err);
	return 1;
}

int vmm_run_linux(const struct vmm_linux_opts *o)
{
	const char *user = o->append ? o->append : "";
	uint8_t *kernel = NULL, *initrd = NULL;
	struct vmm m = { .confine = o->confine, .dev = -1, .name = o->name };
	char err[256], *cmdline;
	size_t klen, ilen = 0, off;
	struct bz_image bz;
	struct bz_plan plan;
	int r;

	cmdline = malloc(BOOT_CMDLINE_MAX);
	if (!cmdline)
		return vmm_fail("command line");
	r = vmm_read_file(o->kernel, &kernel, &klen);
	if (r)
		goto out;
	/* Not a bzImage but with a multiboot header: vmm/multiboot_run.c. */
	if (!bz_signature(kernel, klen) && mb_find(kernel, klen, &off)) {
		r = vmm_setup_multiboot(&m, o, kernel, klen);
		goto out;
	}
	/* Refused before a VM exists: a bad image never runs. */
	if (bz_check(&bz, kernel, klen, o->ram_size, err, sizeof(err))) {
		r = linux_bad(o->kernel, err);
		goto out;
	}
	if (o->initrd) {
		r = vmm_read_file(o->initrd, &initrd, &ilen);
		if (r)
			goto out;
	}
	if (bz_plan(&bz, o->ram_size, strlen(user), ilen, &plan, err, sizeof(err))) {
		r = linux_bad(o->kernel, err);
		goto out;
	}
	m.devices = o->devices;
	r = vmm_create(&m, o->ram_size, o->nr_vcpus, true);
	if (r)
		goto out;
	/* The added parameters may not fit where the user's alone did. */
	if (cmdline_build(cmdline, BOOT_CMDLINE_MAX, user, linux_probe_tsc_khz(&m)) ||
	    bz_plan(&bz, o->ram_size, strlen(cmdline), ilen, &plan, err, sizeof(err))) {
		r = linux_bad(o->kernel, "the command line with hvctl's parameters is too long");
		goto out;
	}
	bz_load(&bz, &plan, m.ram, cmdline, initrd);
	r = vmm_mptable(&m) ?: linux_entry(&m, plan.entry) ?: vmm_virtual_wire(&m) ?:
	    vmm_mtrr(&m);
out:
	free(kernel);
	free(initrd);
	free(cmdline);
	if (r)
		return r;
	fflush(stdout);
	return vmm_loop_pc(&m);
}
