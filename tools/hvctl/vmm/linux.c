// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run --kernel: a bzImage booted through the 64-bit entry of the
 * Linux boot protocol (vmm/bzimage.c checks and plans it) on one vCPU
 * with the in-kernel local APIC, the legacy devices in vmm/loop.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "bzimage.h"
#include "vm.h"

#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_DM_EXTINT	0x700
#define APIC_DM_NMI	0x400

static int linux_entry(struct vmm *m, const struct bz_plan *p)
{
	struct khv_segment code = { .limit = 0xffffffff, .selector = BOOT_CS,
				    .type = 0xb, .present = 1, .s = 1, .l = 1,
				    .g = 1 };
	struct khv_segment data = { .limit = 0xffffffff, .selector = BOOT_DS,
				    .type = 0x3, .present = 1, .s = 1, .db = 1,
				    .g = 1 };
	struct khv_regs regs = { .rflags = 2, .rip = p->entry,
				 .rsi = BOOT_ZERO_PAGE, .rsp = BOOT_STACK_TOP };
	struct khv_sregs sregs;

	if (ioctl(m->vcpu, KHV_GET_SREGS, &sregs))
		return vmm_fail("KHV_GET_SREGS");
	vmm_flat_segments(&sregs, &code, &data);
	sregs.gdt.base = BOOT_GDT_ADDR;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = BOOT_PML4_ADDR;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LME, LMA */
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return vmm_fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, &regs))
		return vmm_fail("KHV_SET_REGS");
	return 0;
}

/* Virtual wire, as a BIOS leaves it: LINT0 ExtINT (the PIC), LINT1 NMI. */
static int linux_lapic(struct vmm *m)
{
	struct khv_lapic_state *s = calloc(1, sizeof(*s));
	uint32_t v;
	int r = 0;

	if (!s)
		return vmm_fail("KHV_GET_LAPIC");
	if (ioctl(m->vcpu, KHV_GET_LAPIC, s)) {
		r = vmm_fail("KHV_GET_LAPIC");
		goto out;
	}
	v = APIC_DM_EXTINT;
	memcpy(s->regs + APIC_LVT_LINT0, &v, sizeof(v));
	v = APIC_DM_NMI;
	memcpy(s->regs + APIC_LVT_LINT1, &v, sizeof(v));
	if (ioctl(m->vcpu, KHV_SET_LAPIC, s))
		r = vmm_fail("KHV_SET_LAPIC");
out:
	free(s);
	return r;
}

static int linux_bad(const char *path, const char *err)
{
	fprintf(stderr, "hvctl: run: %s: %s\n", path, err);
	return 1;
}

int vmm_run_linux(const struct vmm_linux_opts *o)
{
	const char *cmdline = o->append ? o->append : "";
	uint8_t *kernel = NULL, *initrd = NULL;
	struct vmm m = { .dev = -1 };
	size_t klen, ilen = 0;
	struct bz_image bz;
	struct bz_plan plan;
	char err[256];
	int r;

	r = vmm_read_file(o->kernel, &kernel, &klen);
	if (r)
		return r;
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
	if (bz_plan(&bz, o->ram_size, strlen(cmdline), ilen, &plan, err, sizeof(err))) {
		r = linux_bad(o->kernel, err);
		goto out;
	}
	/* Two VMs never share a core's hyperthreads; ignored where unsupported. */
	prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PR_SCHED_CORE_SCOPE_THREAD_GROUP, 0);
	r = vmm_create(&m, o->ram_size, true);
	if (r)
		goto out;
	bz_load(&bz, &plan, m.ram, cmdline, initrd);
	r = linux_entry(&m, &plan);
	if (!r)
		r = linux_lapic(&m);
out:
	free(kernel);
	free(initrd);
	if (r)
		return r;
	fflush(stdout);
	return vmm_loop_pc(&m);
}
