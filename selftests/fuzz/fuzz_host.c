// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the fuzzers leave out on an emulated host that would kill the
 * emulator itself rather than test khv (Documentation/fuzzing.rst,
 * "Emulator limits").
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

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
