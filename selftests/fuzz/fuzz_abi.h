/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ABI fuzzer's pieces: the objects an iteration holds (fds, mappings)
 * and the argument builders (fuzz_abi_args.c).
 */
#ifndef KHV_FUZZ_ABI_H
#define KHV_FUZZ_ABI_H

#include <pthread.h>
#include <stdint.h>

#include <linux/khv.h>

#include "fuzz.h"

#define ABI_MAX_OBJ	24
#define ABI_MAX_MAP	32
#define ABI_MAX_THREADS	3
/*
 * Guest RAM one iteration may ask for at most: the emulated hosts have 2 GiB,
 * and allocating, zeroing and freeing pages under KASAN is what costs most.
 */
#define ABI_MEM_BUDGET	(8ul << 20)

enum abi_kind { OBJ_NONE, OBJ_DEV, OBJ_VM, OBJ_VCPU, OBJ_OTHER };

struct abi_obj {
	int fd;
	enum abi_kind kind;
};

struct abi_map {
	uint8_t *addr;
	size_t len;
	int fd;			/* the fd it came from (maybe closed since) */
	enum abi_kind kind;
};

/* Big enough for every khv structure (struct khv_cpuid is the largest). */
union abi_buf {
	struct khv_create_vm create_vm;
	struct khv_memory_region region;
	struct khv_create_vcpu create_vcpu;
	struct khv_regs regs;
	struct khv_sregs sregs;
	struct khv_msrs msrs;
	struct khv_cpuid cpuid;
	struct khv_vcpu_events events;
	struct khv_interrupt interrupt;
	struct khv_pci_device pci;
	struct khv_host_mmio mmio;
	struct khv_device_msi msi;
	uint8_t bytes[4096];
};

struct abi_state {
	pthread_mutex_t lock;
	struct abi_obj obj[ABI_MAX_OBJ];
	struct abi_map map[ABI_MAX_MAP];
	size_t mem_asked;	/* guest RAM asked for, successful or not */
	uint64_t calls;		/* atomically */
	uint8_t *guard;		/* a page, then a PROT_NONE page */
	uint8_t *ro;		/* a read-only page */
	long page;
};

/* An ioctl on a vCPU fd, its argument built for it (mostly valid, then mutated). */
unsigned long abi_vcpu_cmd(struct fuzz_rng *r, int fd, union abi_buf *b,
			   struct abi_state *st);
/* KHV_SET_MEMORY_REGION and KHV_CREATE_VCPU arguments; CREATE_VM's. */
void abi_region_arg(struct fuzz_rng *r, struct khv_memory_region *m, struct abi_state *st);
void abi_create_vcpu_arg(struct fuzz_rng *r, struct khv_create_vcpu *c);
void abi_create_vm_arg(struct fuzz_rng *r, struct khv_create_vm *c);
/* MSR, CPUID and event tables: plausible entries, edgy values (also the guest fuzzer's). */
void abi_msrs_arg(struct fuzz_rng *r, struct khv_msrs *m);
void abi_cpuid_arg(struct fuzz_rng *r, struct khv_cpuid *c);
void abi_events_arg(struct fuzz_rng *r, struct khv_vcpu_events *e);
/*
 * A device assignment ioctl on a VM fd (KHV_ASSIGN/DEASSIGN_PCI_DEVICE,
 * KHV_MAP_HOST_MMIO, KHV_SET_DEVICE_MSI), its argument built for it.
 */
unsigned long abi_device_cmd(struct fuzz_rng *r, union abi_buf *b);
/* A wrong ioctl number: another direction, size, magic or number. */
unsigned long abi_bad_cmd(struct fuzz_rng *r);
/* The pointer an ioctl gets: mostly @b, sometimes one that faults (part way). */
unsigned long abi_ptr(struct fuzz_rng *r, union abi_buf *b, unsigned long cmd,
		      struct abi_state *st);
/* A syscall made: counted for the rates. */
void abi_count(struct abi_state *st);

#endif /* KHV_FUZZ_ABI_H */
