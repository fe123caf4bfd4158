// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the fuzzers leave out on an emulated host that would kill the
 * emulator itself rather than test khv (Documentation/fuzzing.rst,
 * "Emulator limits"), and how long a guest run may be where the host is
 * slow ("Bounded runs").
 */
#include <cpuid.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/khv.h>

#include "fuzz.h"

bool fuzz_host_qemu_tcg(void)
{
	static int known = -1;
	unsigned int max, sig[3];

	if (known < 0) {
		/* QEMU's TCG names itself in the hypervisor leaf ("tcg-cpuid", on by default). */
		__cpuid(0x40000000, max, sig[0], sig[1], sig[2]);
		known = !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
		if (known)
			printf("# %s: %s\n", "a QEMU TCG host",
			       "every vCPU's TR is an available TSS (Documentation/fuzzing.rst)");
	}
	return known;
}

/*
 * QEMU's get_ss_esp_from_tss() cpu_abort()s unless the cached TR is present
 * and an available 16- or 32-bit TSS (type 1 or 9), which is all that its
 * own LTR and task switches leave there; a VMRUN loads TR's attributes from
 * the VMCB as they are, and khv, like KVM, gives a vCPU a busy TSS (type 11),
 * as real CPUs keep it. A 16/32-bit guest at CPL 3 (or in virtual-8086 mode)
 * taking an interrupt or exception to CPL 0, or calling through a gate to
 * CPL 0, would then end the whole emulated host ("qemu: fatal: invalid tss
 * type"; in long mode only a TR that is not present does).
 */
void fuzz_host_tr(struct khv_sregs *s)
{
	if (!fuzz_host_qemu_tcg())
		return;
	s->tr.present = 1;
	s->tr.unusable = 0;
	if ((s->tr.type & 7) != 1)
		s->tr.type = 9;
}

/*
 * Bochs: its BIOS's ACPI tables say "BOCHS " (so do QEMU's), and it has no
 * hypervisor leaf of QEMU's (TCG) or KVM's. Reading the tables takes root,
 * as the fuzzers do.
 */
bool fuzz_host_bochs(void)
{
	static int known = -1;
	unsigned int eax, ebx, ecx, edx, sig[3];
	char hdr[16];
	int fd;

	if (known >= 0)
		return known;
	known = 0;
	fd = open("/sys/firmware/acpi/tables/FACP", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return known;
	if (read(fd, hdr, sizeof(hdr)) == sizeof(hdr) && !memcmp(hdr + 10, "BOCHS ", 6)) {
		__cpuid(1, eax, ebx, ecx, edx);
		known = 1;
		if (ecx & (1u << 31)) {
			__cpuid(0x40000000, eax, sig[0], sig[1], sig[2]);
			known = memcmp(sig, "TCGTCGTCGTCG", 12) && memcmp(sig, "KVMKVMKVM", 9);
		}
	}
	close(fd);
	return known;
}

unsigned int fuzz_run_us;

/*
 * The base of the guest fuzzer's run bounds: --run-us, else KHV_FUZZ_RUN_US,
 * else FUZZ_RUN_US_BOCHS on Bochs (whose clock counts instructions: a
 * guest millisecond is some 3.4 million guest instructions and costs ~0.1 s
 * of real time), else FUZZ_RUN_US.
 */
unsigned int fuzz_host_run_us(void)
{
	static unsigned int us;
	const char *env = getenv("KHV_FUZZ_RUN_US");

	if (us)
		return us;
	us = fuzz_run_us;
	if (!us && env)
		us = strtoul(env, NULL, 0);
	if (!us)
		us = fuzz_host_bochs() ? FUZZ_RUN_US_BOCHS : FUZZ_RUN_US;
	if (us > 1000000)
		us = 1000000;
	printf("# guest: KHV_RUN bounded at %u..%u us%s\n", us, us * 23 / 4,
	       fuzz_host_bochs() ? " (a Bochs host)" : "");
	return us;
}
