// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run: a minimal VMM over /dev/khv. Loads a flat image (entered in
 * real mode at its load address, like a boot sector) or an ELF (32-bit ELFs
 * are entered in real mode at e_entry below 1 MiB; 64-bit ELFs in long mode
 * with the first 1 GiB identity-mapped), connects the serial port 0x3f8 to
 * stdout, and ends with the guest's status: the byte written to port 0xf4,
 * else 0 on HLT, 2 on a triple fault, 1 on any other end.
 *
 * hvctl may run as root on an image another user can change: the image is
 * read once into a private buffer, and every ELF header and program header
 * is checked against that buffer and the guest's memory before anything is
 * loaded. Before the guest runs, hvctl confines itself (vmm/confine.c).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/khv.h>

#include "hvctl.h"
#include "vmm/confine.h"
#include "vmm/vm.h"

#define SERIAL_PORT	0x3f8
#define EXIT_PORT	0xf4
#define DEFAULT_LOAD	0x7c00
#define PT_BASE_OFFSET	0x10000		/* below the top of RAM */

/* EIO is khv's answer on a destroyed VM (vm-destroy): said once, for every thread. */
int vmm_fail(const char *what)
{
	static atomic_bool destroyed;

	if (errno != EIO)
		fprintf(stderr, "hvctl: run: %s: %s\n", what, strerror(errno));
	else if (!atomic_exchange(&destroyed, true))
		fprintf(stderr, "hvctl: run: the VM was destroyed (%s: %s)\n", what,
			strerror(errno));
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

static int vmm_create_vcpu(struct vmm *m, unsigned int id)
{
	struct khv_create_vcpu vcpu = { .id = id };
	struct vmm_vcpu *v = &m->vcpus[id];

	v->fd = ioctl(m->vm, KHV_CREATE_VCPU, &vcpu);
	if (v->fd < 0)
		return vmm_fail("KHV_CREATE_VCPU");
	v->run = mmap(NULL, m->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		return vmm_fail("mmap run page");
	m->nr_vcpus = id + 1;
	return 0;
}

int vmm_create(struct vmm *m, uint64_t ram_size, unsigned int nr_vcpus, bool irqchip)
{
	struct khv_memory_region region = { .size = ram_size };
	struct khv_create_vm vm = { 0 };
	unsigned int i;
	long size;
	int max;

	m->ram_size = ram_size;
	m->dev = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (m->dev < 0)
		return vmm_fail("/dev/khv");
	max = ioctl(m->dev, KHV_CHECK_EXTENSION, KHV_CAP_MAX_VCPUS);
	if (max < 0)
		return vmm_fail("KHV_CHECK_EXTENSION");
	if (!nr_vcpus || nr_vcpus > (unsigned int)max || nr_vcpus > VMM_MAX_VCPUS) {
		fprintf(stderr, "hvctl: run: %u vCPUs: this host allows 1 to %d\n",
			nr_vcpus, max < VMM_MAX_VCPUS ? max : VMM_MAX_VCPUS);
		return 1;
	}
	m->vm = ioctl(m->dev, KHV_CREATE_VM, &vm);
	if (m->vm < 0)
		return vmm_fail("KHV_CREATE_VM");
	if (m->name && hv_vm_name_own(m->name))
		return 1;
	if (ioctl(m->vm, KHV_SET_MEMORY_REGION, &region))
		return vmm_fail("KHV_SET_MEMORY_REGION");
	m->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->vm, region.mmap_offset);
	if (m->ram == MAP_FAILED)
		return vmm_fail("mmap guest memory");
	if (irqchip && ioctl(m->vm, KHV_CREATE_IRQCHIP, 0))
		return vmm_fail("KHV_CREATE_IRQCHIP");
	size = ioctl(m->dev, KHV_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return vmm_fail("KHV_GET_VCPU_MMAP_SIZE");
	m->run_size = size;
	for (i = 0; i < nr_vcpus; i++)
		if (vmm_create_vcpu(m, i))
			return 1;
	m->vcpu = m->vcpus[0].fd;
	m->run = m->vcpus[0].run;
	m->pc = irqchip;
	vmm_bar_window(m, irqchip);
	return vmm_assign_devices(m);
}

int vmm_read_file(const char *path, uint8_t **img, size_t *len)
{
	size_t size = 0, cap = 0;
	uint8_t *buf = NULL, *p;
	int fd, r = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmm_fail(path);
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			p = realloc(buf, cap);
			if (!p) {
				r = vmm_fail(path);
				break;
			}
			buf = p;
		}
		n = read(fd, buf + size, cap - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = vmm_fail(path);
			break;
		}
		if (!n)
			break;
		size += n;
		if (size > VMM_MAX_FILE) {
			fprintf(stderr, "hvctl: run: %s: larger than %llu MiB\n",
				path, VMM_MAX_FILE >> 20);
			r = 1;
			break;
		}
	}
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
	*img = buf;
	*len = size;
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
		return vmm_fail("KHV_GET_SREGS");
	sregs.cs.selector = (entry >> 4) & 0xf000;
	sregs.cs.base = (uint64_t)sregs.cs.selector << 4;
	regs.rip = entry - sregs.cs.base;
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return vmm_fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, &regs))
		return vmm_fail("KHV_SET_REGS");
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
		return vmm_fail("KHV_GET_SREGS");
	vmm_flat_segments(&sregs, &code, &data);
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = pt;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LME, LMA (computed) */
	if (ioctl(m->vcpu, KHV_SET_SREGS, &sregs))
		return vmm_fail("KHV_SET_SREGS");
	if (ioctl(m->vcpu, KHV_SET_REGS, &regs))
		return vmm_fail("KHV_SET_REGS");
	return 0;
}

/* What the loader needs of an ELF file, from either class. */
struct elf_image {
	const char *path;
	const uint8_t *img;
	size_t len;
	bool is64;
	uint64_t entry, phoff;
	unsigned int phnum;
};

struct elf_load {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int elf_bad(const struct elf_image *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hvctl: run: %s: ", e->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int elf_bad_range(const struct elf_image *e, unsigned int i,
			 const char *what, uint64_t a, uint64_t b,
			 const char *where)
{
	return elf_bad(e, "ELF program header %u: %s (%#llx + %#llx) beyond %s",
		       i, what, (unsigned long long)a, (unsigned long long)b,
		       where);
}

/* The ELF header, copied out of the buffer (it need not be aligned). */
static int elf_header(struct elf_image *e)
{
	unsigned int phentsize, machine, want;
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;

	if (e->len >= sizeof(h64) && e->img[EI_CLASS] == ELFCLASS64) {
		memcpy(&h64, e->img, sizeof(h64));
		e->is64 = true;
		e->entry = h64.e_entry;
		e->phoff = h64.e_phoff;
		e->phnum = h64.e_phnum;
		phentsize = h64.e_phentsize;
		machine = h64.e_machine;
		want = sizeof(Elf64_Phdr);
	} else if (e->len >= sizeof(h32) && e->img[EI_CLASS] == ELFCLASS32) {
		memcpy(&h32, e->img, sizeof(h32));
		e->is64 = false;
		e->entry = h32.e_entry;
		e->phoff = h32.e_phoff;
		e->phnum = h32.e_phnum;
		phentsize = h32.e_phentsize;
		machine = h32.e_machine;
		want = sizeof(Elf32_Phdr);
	} else {
		return elf_bad(e, "not a 32- or 64-bit ELF file");
	}
	if (e->img[EI_DATA] != ELFDATA2LSB)
		return elf_bad(e, "not a little-endian ELF file");
	if (machine != (e->is64 ? EM_X86_64 : EM_386))
		return elf_bad(e, "ELF e_machine %u is not %s", machine,
			       e->is64 ? "x86-64" : "i386");
	if (phentsize != want)
		return elf_bad(e, "ELF e_phentsize %u, not %u", phentsize, want);
	if (!e->phnum)
		return elf_bad(e, "no ELF program header");
	if (e->phoff > e->len || e->phnum > (e->len - e->phoff) / want)
		return elf_bad(e, "ELF program headers (e_phoff %#llx, e_phnum %u) not in the file",
			       (unsigned long long)e->phoff, e->phnum);
	return 0;
}

static void elf_phdr(const struct elf_image *e, unsigned int i,
		     struct elf_load *l)
{
	Elf64_Phdr p64;
	Elf32_Phdr p32;

	if (e->is64) {
		memcpy(&p64, e->img + e->phoff + i * sizeof(p64), sizeof(p64));
		*l = (struct elf_load){ p64.p_type, p64.p_offset, p64.p_paddr,
					p64.p_filesz, p64.p_memsz };
	} else {
		memcpy(&p32, e->img + e->phoff + i * sizeof(p32), sizeof(p32));
		*l = (struct elf_load){ p32.p_type, p32.p_offset, p32.p_paddr,
					p32.p_filesz, p32.p_memsz };
	}
}

/* Every PT_LOAD within the file and within guest memory, before any is loaded. */
static int elf_check(struct elf_image *e, uint64_t ram_size)
{
	unsigned int i, loads = 0;
	struct elf_load l;
	int r;

	r = elf_header(e);
	if (r)
		return r;
	for (i = 0; i < e->phnum; i++) {
		elf_phdr(e, i, &l);
		if (l.type != PT_LOAD)
			continue;
		loads++;
		if (l.filesz > l.memsz)
			return elf_bad(e, "ELF program header %u: p_filesz %#llx > p_memsz %#llx",
				       i, (unsigned long long)l.filesz,
				       (unsigned long long)l.memsz);
		if (l.offset > e->len || l.filesz > e->len - l.offset)
			return elf_bad_range(e, i, "p_offset + p_filesz", l.offset,
					     l.filesz, "the file");
		if (l.paddr > ram_size || l.memsz > ram_size - l.paddr)
			return elf_bad_range(e, i, "p_paddr + p_memsz", l.paddr,
					     l.memsz, "guest memory");
	}
	if (!loads)
		return elf_bad(e, "no PT_LOAD program header");
	return 0;
}

/* Load a checked image: the file's bytes, zeros up to p_memsz. */
static int load_elf(struct vmm *m, const struct elf_image *e)
{
	struct elf_load l;
	unsigned int i;

	for (i = 0; i < e->phnum; i++) {
		elf_phdr(e, i, &l);
		if (l.type != PT_LOAD)
			continue;
		memcpy(m->ram + l.paddr, e->img + l.offset, l.filesz);
		memset(m->ram + l.paddr + l.filesz, 0, l.memsz - l.filesz);
	}
	return e->is64 ? set_long_mode(m, e->entry) : set_real_mode(m, e->entry);
}

int vmm_write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return vmm_fail("stdout");
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * Port I/O: io.count elements of io.size bytes (count > 1 for INS/OUTS with
 * REP). The serial port takes the low byte of each element.
 */
static int handle_io(struct vmm *m, int *status, int *done)
{
	const struct khv_run *run = m->run;
	uint32_t size = run->io.size, count = run->io.count, i;
	uint8_t *data, out[4096];

	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset > m->run_size ||
	    (uint64_t)size * count > m->run_size - run->io.data_offset) {
		fprintf(stderr, "hvctl: run: %s (size %u, count %u)\n",
			"an I/O exit the run page cannot hold",
			size, count);
		return 1;
	}
	data = (uint8_t *)run + run->io.data_offset;
	if (run->io.direction == KHV_EXIT_IO_OUT) {
		if (run->io.port == SERIAL_PORT) {
			for (i = 0; i < count && i < sizeof(out); i++)
				out[i] = data[i * size];
			return vmm_write_all(STDOUT_FILENO, out, i);
		}
		if (run->io.port == EXIT_PORT && count) {
			*status = data[0];
			*done = 1;
		}
		return 0;
	}
	/* IN: the serial line status says "ready to send"; nothing else is there. */
	memset(data, 0xff, (size_t)size * count);
	if (run->io.port == SERIAL_PORT + 5)
		for (i = 0; i < count; i++)
			data[i * size] = 0x60;
	return 0;
}

static int vmm_loop(struct vmm *m)
{
	int status = -1, done = 0;

	vmm_confine_test_hook();
	while (!done) {
		if (ioctl(m->vcpu, KHV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			return vmm_fail("KHV_RUN");
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
		"Usage: hvctl run [--name NAME] [--memory SIZE] [--vcpus 1] [--load ADDR]\n"
		"                 [--entry ADDR] [--device BDF]... IMAGE\n"
		"       hvctl run --kernel KERNEL [--initrd FILE] [--append CMDLINE]\n"
		"                 [--memory SIZE] [--vcpus N] [--name NAME] [--device BDF]...\n"
		"  Either with [--user NAME | --no-confine] [--verbose].\n"
		"  IMAGE is a flat binary (loaded at --load, default 0x7c00, entered in real\n"
		"  mode at --entry, default the load address) or an ELF file.\n"
		"  --kernel boots a Linux bzImage (64-bit boot protocol) or a multiboot v1\n"
		"  kernel (ELF32 or a.out kludge; no --initrd) on a PC with COM1 (stdout),\n"
		"  PICs, PIT, RTC, fw_cfg and an MP table for N vCPUs (1 to 64, at most\n"
		"  what the host allows); --memory defaults to 256M then. COM1 reads\n"
		"  standard input: a terminal in raw mode, Ctrl-A x quits, Ctrl-A h helps.\n"
		"  --name names the VM (hvctl vm list), before it runs.\n"
		"  Before the guest runs, hvctl drops to --user (default nobody) when run\n"
		"  as root, keeps no capabilities and installs a seccomp filter;\n"
		"  --no-confine (debugging) leaves it all out.\n"
		"  --device BDF (up to 8 times) gives the guest a host PCI function behind\n"
		"  the IOMMU (khv's device assignment; needs CAP_SYS_ADMIN), its memory\n"
		"  BARs mapped at guest addresses hvctl prints; with --kernel, on the\n"
		"  guest's PCI bus as 00:01.0, 00:02.0, ... with MSI and INTx.\n");
}

int hv_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "no-confine", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t mem = 0, at = DEFAULT_LOAD, entry = UINT64_MAX;
	struct vmm_confine conf = { 0 };
	struct vmm_devices devs = { 0 };
	struct vmm_linux_opts lo = { .confine = &conf, .devices = &devs };
	struct vmm m = { .confine = &conf, .dev = -1, .devices = &devs };
	struct elf_image elf = { 0 };
	unsigned long vcpus = 1;
	bool is_elf;
	char *end;
	uint8_t *img;
	size_t len;
	int c, r;

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
	while ((c = getopt_long(argc, argv, "+m:c:l:e:k:i:a:u:vn:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &mem) || mem & 0xfff)
				return hv_usage_error("run: bad --memory %s", optarg);
			break;
		case 'c':
			vcpus = strtoul(optarg, &end, 10);
			if (*end || end == optarg || !vcpus || vcpus > VMM_MAX_VCPUS)
				return hv_usage_error("run: bad --vcpus %s (1 to %d)",
						      optarg, VMM_MAX_VCPUS);
			break;
		case 'l':
			at = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			entry = strtoull(optarg, NULL, 0);
			break;
		case 'k':
			lo.kernel = optarg;
			break;
		case 'i':
			lo.initrd = optarg;
			break;
		case 'a':
			lo.append = optarg;
			break;
		case 'u':
			conf.user = optarg;
			break;
		case 'N':
			conf.off = true;
			break;
		case 'v':
			conf.verbose = true;
			break;
		case 'n':
			lo.name = optarg;
			m.name = optarg;
			break;
		case 'd':
			if (devs.nr == VMM_MAX_DEVICES)
				return hv_usage_error("run: at most %d --device", VMM_MAX_DEVICES);
			if (vmm_parse_bdf(optarg, &devs.sbdf[devs.nr++]))
				return hv_usage_error("run: bad --device %s ([SEG:]BUS:DEV.FN)",
						      optarg);
			break;
		case 'h':
			run_usage();
			return 0;
		default:
			run_usage();
			return EXIT_USAGE;
		}
	}
	if (lo.kernel) {
		if (optind != argc)
			return hv_usage_error("run: --kernel takes no IMAGE");
		lo.ram_size = mem ? mem : 256 << 20;
		lo.nr_vcpus = vcpus;
		/* An unknown --user is refused before a VM exists. */
		return vmm_confine_prepare(&conf, VMM_CONFINE_PASSWD) ?: vmm_run_linux(&lo);
	}
	if (lo.initrd || lo.append)
		return hv_usage_error("run: --initrd and --append need --kernel");
	if (vcpus != 1)
		return hv_usage_error("run: --vcpus above 1 needs --kernel");
	if (!mem)
		mem = 16 << 20;
	if (optind != argc - 1) {
		run_usage();
		return EXIT_USAGE;
	}
	r = vmm_confine_prepare(&conf, VMM_CONFINE_PASSWD) ?:
	    vmm_read_file(argv[optind], &img, &len);
	if (r)
		return r;
	/* Refused before a VM exists: a bad image never runs. */
	is_elf = len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
	if (is_elf) {
		elf = (struct elf_image){ .path = argv[optind], .img = img, .len = len };
		r = elf_check(&elf, mem);
		if (r) {
			free(img);
			return r;
		}
	}

	r = vmm_create(&m, mem, 1, false);
	if (r)
		return r;
	if (is_elf)
		r = load_elf(&m, &elf);
	else
		r = load(&m, at, img, len) ?:
		    set_real_mode(&m, entry == UINT64_MAX ? at : entry);
	free(img);
	if (r)
		return r;
	fflush(stdout);
	return vmm_confine(&conf, &m) ?: vmm_loop(&m);
}
