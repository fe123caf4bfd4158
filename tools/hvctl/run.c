// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run: a minimal VMM over /dev/khv. Loads a flat image (entered in
 * real mode at its load address, like a boot sector) or an ELF (32-bit ELFs
 * are entered in real mode at e_entry below 1 MiB; 64-bit ELFs in long mode
 * with the first 1 GiB identity-mapped), connects the serial port 0x3f8 to
 * stdout, and ends with the guest's status: the byte written to port 0xf4,
 * else 0 on HLT, 2 on a triple fault, 1 on any other end.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/khv.h>

#include "hvctl.h"

#define SERIAL_PORT	0x3f8
#define EXIT_PORT	0xf4
#define DEFAULT_LOAD	0x7c00
#define PT_BASE_OFFSET	0x10000		/* below the top of RAM */

struct vmm {
	int dev, vm, vcpu;
	uint8_t *ram;
	uint64_t ram_size;
	struct khv_run *run;
};

static int fail(const char *what)
{
	fprintf(stderr, "hvctl: run: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMG";
	unsigned long long v;
	const char *u;
	char *end;

	v = strtoull(s, &end, 0);
	u = *end ? strchr(units, *end & ~0x20) : NULL;
	if (u) {
		v <<= 10 * (u - units + 1);
		end++;
	}
	if (*end || !v)
		return -1;
	*out = v;
	return 0;
}

static int vmm_create(struct vmm *m, uint64_t ram_size)
{
	struct khv_memory_region region = { .size = ram_size };
	struct khv_create_vcpu vcpu = { 0 };
	struct khv_create_vm vm = { 0 };
	long size;

	m->ram_size = ram_size;
	m->dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (m->dev < 0)
		return fail("/dev/khv");
	m->vm = ioctl(m->dev, KHV_CREATE_VM, &vm);
	if (m->vm < 0)
		return fail("KHV_CREATE_VM");
	if (ioctl(m->vm, KHV_SET_MEMORY_REGION, &region))
		return fail("KHV_SET_MEMORY_REGION");
	m->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->vm, region.mmap_offset);
	if (m->ram == MAP_FAILED)
		return fail("mmap guest memory");
	m->vcpu = ioctl(m->vm, KHV_CREATE_VCPU, &vcpu);
	if (m->vcpu < 0)
		return fail("KHV_CREATE_VCPU");
	size = ioctl(m->dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return fail("KHV_GET_VCPU_MMAP_SIZE");
	m->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->vcpu, 0);
	if (m->run == MAP_FAILED)
		return fail("mmap run page");
	return 0;
}

static int load(struct vmm *m, uint64_t gpa, const void *p, uint64_t len)
{
	if (gpa > m->ram_size || len > m->ram_size - gpa) {
		fprintf(stderr, "hvctl: run: image does not fit in guest memory (%#llx + %#llx)\n",
			(unsigned long long)gpa, (unsigned long long)len);
		return 1;
	}
	memcpy(m->ram + gpa, p, len);
	return 0;
}

static int set_real_mode(struct vmm *m, uint64_t entry)
{
	struct khv_sregs sregs;
	struct khv_regs regs = { .rflags = 2 };

	if (entry >= 0x100000) {
		fprintf(stderr, "hvctl: run: a real-mode entry must be below 1 MiB\n");
		return 1;
	}
	if (ioctl(m->vcpu, KHV_GET_SREGS, &sregs))
		return fail("KHV_GET_SREGS");
	sregs.cs.selector = (entry >> 4) & 0xf000;
	sregs.cs.base = (uint64_t)sregs.cs.selector << 4;
	regs.rip = entry - sregs.cs.base;
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, &regs))
		return fail("KHV_SET_REGS");
	return 0;
}

/* Long mode with the first 1 GiB identity-mapped by 2 MiB pages. */
static int set_long_mode(struct vmm *m, uint64_t entry)
{
	uint64_t pt = m->ram_size - PT_BASE_OFFSET, *e;
	struct khv_segment code = { .limit = 0xffffffff, .selector = 0x08,
				    .type = 0xb, .present = 1, .s = 1, .l = 1,
				    .g = 1 };
	struct khv_segment data = { .limit = 0xffffffff, .selector = 0x10,
				    .type = 0x3, .present = 1, .s = 1, .db = 1,
				    .g = 1 };
	struct khv_regs regs = { .rflags = 2, .rip = entry, .rsp = pt };
	struct khv_sregs sregs;
	int i;

	if (m->ram_size < PT_BASE_OFFSET * 2)
		return 1;
	e = (uint64_t *)(m->ram + pt);
	memset(e, 0, 3 * 4096);
	e[0] = (pt + 0x1000) | 3;			/* PML4 -> PDPT */
	e[512] = (pt + 0x2000) | 3;			/* PDPT -> PD */
	for (i = 0; i < 512; i++)
		e[1024 + i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB, RW, P */
	if (ioctl(m->vcpu, KHV_GET_SREGS, &sregs))
		return fail("KHV_GET_SREGS");
	sregs.cs = code;
	sregs.ds = data;
	sregs.es = data;
	sregs.ss = data;
	sregs.fs = data;
	sregs.gs = data;
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = pt;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LME, LMA (computed) */
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, &regs))
		return fail("KHV_SET_REGS");
	return 0;
}

static int load_elf(struct vmm *m, const uint8_t *img, size_t len)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf32_Ehdr *eh32 = (const void *)img;
	int i;

	if (len >= sizeof(*eh) && img[EI_CLASS] == ELFCLASS64) {
		if (eh->e_phoff > len ||
		    eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr))
			goto bad;
		for (i = 0; i < eh->e_phnum; i++) {
			const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff) +
					       i * sizeof(*ph);

			if (ph->p_type != PT_LOAD)
				continue;
			if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset ||
			    ph->p_filesz > ph->p_memsz)
				goto bad;
			if (load(m, ph->p_paddr, img + ph->p_offset, ph->p_filesz))
				return 1;
		}
		return set_long_mode(m, eh->e_entry);
	}
	if (len >= sizeof(*eh32) && img[EI_CLASS] == ELFCLASS32) {
		if (eh32->e_phoff > len ||
		    eh32->e_phnum > (len - eh32->e_phoff) / sizeof(Elf32_Phdr))
			goto bad;
		for (i = 0; i < eh32->e_phnum; i++) {
			const Elf32_Phdr *ph = (const void *)(img + eh32->e_phoff) +
					       i * sizeof(*ph);

			if (ph->p_type != PT_LOAD)
				continue;
			if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
				goto bad;
			if (load(m, ph->p_paddr, img + ph->p_offset, ph->p_filesz))
				return 1;
		}
		return set_real_mode(m, eh32->e_entry);
	}
bad:
	fprintf(stderr, "hvctl: run: not an ELF image khv can load\n");
	return 1;
}

static int handle_io(struct vmm *m, int *status, int *done)
{
	uint8_t *data = (uint8_t *)m->run + m->run->io.data_offset;

	if (m->run->io.direction == KHV_EXIT_IO_OUT) {
		if (m->run->io.port == SERIAL_PORT) {
			if (write(STDOUT_FILENO, data, 1) < 0)
				return fail("stdout");
		} else if (m->run->io.port == EXIT_PORT) {
			*status = data[0];
			*done = 1;
		}
		return 0;
	}
	/* IN: the serial line status says "ready to send"; nothing else is there. */
	memset(data, 0xff, m->run->io.size);
	if (m->run->io.port == SERIAL_PORT + 5)
		data[0] = 0x60;
	return 0;
}

static int vmm_loop(struct vmm *m)
{
	int status = -1, done = 0;

	while (!done) {
		if (ioctl(m->vcpu, KHV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			return fail("KHV_RUN");
		}
		switch (m->run->exit_reason) {
		case KHV_EXIT_IO:
			if (handle_io(m, &status, &done))
				return 1;
			break;
		case KHV_EXIT_MMIO:
			/* No devices: reads see all ones, writes are dropped. */
			if (!m->run->mmio.is_write)
				memset(m->run->mmio.data, 0xff, sizeof(m->run->mmio.data));
			break;
		case KHV_EXIT_HLT:
			return status >= 0 ? status : 0;
		case KHV_EXIT_SHUTDOWN:
			fprintf(stderr, "hvctl: run: the guest triple-faulted\n");
			return 2;
		default:
			fprintf(stderr,
				"hvctl: run: guest stopped: exit reason %u (hardware %#llx)\n",
				m->run->exit_reason,
				(unsigned long long)m->run->internal.hardware_exit_reason);
			return 1;
		}
	}
	return status;
}

static void run_usage(void)
{
	fprintf(stderr,
		"Usage: hvctl run [--memory SIZE] [--vcpus 1] [--load ADDR] [--entry ADDR] IMAGE\n"
		"  IMAGE is a flat binary (loaded at --load, default 0x7c00, entered in real\n"
		"  mode at --entry, default the load address) or an ELF file.\n");
}

int hv_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t mem = 16 << 20, at = DEFAULT_LOAD, entry = UINT64_MAX;
	struct vmm m = { .dev = -1 };
	uint8_t *img;
	struct stat st;
	int fd, c, r;

	/* "help" at every level, as for the other objects. */
	if (argc == 1 && !strcmp(argv[0], "help")) {
		run_usage();
		return EXIT_OK;
	}
	/*
	 * getopt wants a program name in argv[0]: the object word "run" just
	 * before ours; optind 0 resets glibc's getopt after main's own pass.
	 */
	argc++;
	argv--;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+m:c:l:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &mem) || mem & 0xfff)
				return hv_usage_error("run: bad --memory %s", optarg);
			break;
		case 'c':
			if (strcmp(optarg, "1"))
				return hv_usage_error("run: only 1 vCPU until INIT/SIPI exist");
			break;
		case 'l':
			at = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			entry = strtoull(optarg, NULL, 0);
			break;
		case 'h':
			run_usage();
			return 0;
		default:
			run_usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		run_usage();
		return EXIT_USAGE;
	}
	fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		return fail(argv[optind]);
	img = mmap(NULL, st.st_size ? st.st_size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		return fail(argv[optind]);

	/* Two VMs never share a core's hyperthreads (SPEC.md); ignored where unsupported. */
	prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PR_SCHED_CORE_SCOPE_THREAD_GROUP, 0);

	r = vmm_create(&m, mem);
	if (r)
		return r;
	if (st.st_size >= 4 && !memcmp(img, ELFMAG, SELFMAG))
		r = load_elf(&m, img, st.st_size);
	else
		r = load(&m, at, img, st.st_size) ?:
		    set_real_mode(&m, entry == UINT64_MAX ? at : entry);
	if (r)
		return r;
	fflush(stdout);
	return vmm_loop(&m);
}
