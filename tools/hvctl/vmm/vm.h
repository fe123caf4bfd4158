/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl run's VM over /dev/khv: one VM, its RAM from guest address 0, its
 * vCPUs and their run pages. run.c makes it; vmm/linux.c boots Linux in it,
 * vmm/multiboot_run.c a multiboot kernel.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/khv.h>

#include "pci.h"
#include "pcidev.h"

#define VMM_MAX_FILE	0x40000000ULL	/* a file hvctl reads at most: 1 GiB */
#define VMM_MAX_VCPUS	64		/* the MP table's and khv's limit */

struct vmm_confine;

struct vmm_vcpu {
	int fd;
	struct khv_run *run;
};

/*
 * vcpu and run: vCPU 0's (the BSP), also vcpus[0]. confine: what
 * vmm/confine.c does before the guest runs. name: given to the VM, or NULL.
 * devices: the host PCI functions vmm_create() assigns (NULL: none), their
 * BARs mapped from bar_base up, below bar_limit. pc: a PC (--kernel), whose
 * guest sees them on its PCI bus as pci[0 .. nr_pci - 1] (vmm/pci.h).
 */
struct vmm {
	const struct vmm_confine *confine;
	const char *name;
	int dev, vm, vcpu;
	uint8_t *ram;
	uint64_t ram_size;
	struct khv_run *run;
	size_t run_size;
	unsigned int nr_vcpus;
	struct vmm_vcpu vcpus[VMM_MAX_VCPUS];
	const struct vmm_devices *devices;
	uint64_t bar_base, bar_limit;
	bool pc;
	unsigned int nr_pci;
	struct pci_fn pci[VMM_MAX_DEVICES];
};

struct vmm_linux_opts {
	const struct vmm_confine *confine;
	const char *kernel, *initrd, *append, *name;
	uint64_t ram_size;
	unsigned int nr_vcpus;
	const struct vmm_devices *devices;
};

/* Flat segments: @code in CS, @data in every data segment register. */
static inline void vmm_flat_segments(struct khv_sregs *s, const struct khv_segment *code,
				     const struct khv_segment *data)
{
	s->cs = *code;
	s->ds = *data;
	s->es = *data;
	s->ss = *data;
	s->fs = *data;
	s->gs = *data;
}

/* "hvctl: run: what: strerror(errno)", returns 1. */
int vmm_fail(const char *what);
/*
 * The VM, named m->name if set (before anything else: a name the kernel
 * refuses ends it), nr_vcpus vCPUs (ids 0 ..), at most KHV_CAP_MAX_VCPUS;
 * with irqchip, the in-kernel local APICs (KHV_CREATE_IRQCHIP) too;
 * m->devices assigned.
 */
int vmm_create(struct vmm *m, uint64_t ram_size, unsigned int nr_vcpus, bool irqchip);
/*
 * assign.c: m->devices into the new VM (its ACL, KHV_ASSIGN_PCI_DEVICE),
 * their memory BARs mapped from m->bar_base and, for a PC, their
 * configuration spaces read into m->pci: 0 or 1 (said why).
 */
int vmm_assign_devices(struct vmm *m);
/* Where the BARs go: below 1 GiB for images, 0xc0000000 up for kernels. */
void vmm_bar_window(struct vmm *m, bool kernel);
/* The whole file into a buffer of our own: nobody can change it under us. */
int vmm_read_file(const char *path, uint8_t **buf, size_t *len);
int vmm_write_all(int fd, const uint8_t *p, size_t n);

/* vmm/linux.c: hvctl run --kernel; returns hvctl's exit status. */
int vmm_run_linux(const struct vmm_linux_opts *o);
/*
 * vmm/multiboot_run.c: a multiboot kernel (img, len: the file) checked,
 * loaded into a new VM in m and vCPU 0 set at its entry: 0, or hvctl's exit
 * status.
 */
int vmm_setup_multiboot(struct vmm *m, const struct vmm_linux_opts *o,
			const uint8_t *img, size_t len);
/* vmm/board.c: the MP table for m's vCPUs; vCPU 0's APIC in virtual-wire mode. */
int vmm_mptable(struct vmm *m);
int vmm_virtual_wire(struct vmm *m);
/* vmm/board.c: every vCPU's MTRRs on, memory write-back. */
int vmm_mtrr(struct vmm *m);

/*
 * A kernel's entry on vCPU 0: flat code (cs) and data (ds) segments of the
 * GDT at gdt, in 32-bit protected mode without paging, or in long mode with
 * the page tables at cr3.
 */
struct vmm_flat_entry {
	uint16_t cs, ds;
	bool long_mode;
	uint64_t gdt, cr3;
	uint16_t gdt_limit;
};

int vmm_enter_flat(struct vmm *m, const struct vmm_flat_entry *e,
		   const struct khv_regs *regs);
/*
 * vmm/loop.c: run the vCPUs, a thread each, with the PC's legacy devices
 * until the end, confined (vmm/confine.h) before the first thread starts.
 */
int vmm_loop_pc(struct vmm *m);

#endif /* VMM_VM_H */
