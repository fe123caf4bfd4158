/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vmx/run.c and vmx/vmenter.S share: the flags of khv_vmx_vmenter()
 * and the one VMCS field the assembly writes. Usable from assembly.
 */
#ifndef KHV_VMX_RUN_FLAGS_H
#define KHV_VMX_RUN_FLAGS_H

#include <linux/bits.h>

#define VMX_RUN_LAUNCHED_SHIFT	0	/* VMRESUME, else VMLAUNCH */
#define VMX_RUN_VERW_SHIFT	1	/* clear CPU buffers before entry */

#define VMX_RUN_LAUNCHED	BIT(VMX_RUN_LAUNCHED_SHIFT)
#define VMX_RUN_VERW		BIT(VMX_RUN_VERW_SHIFT)

/* The encoding of the HOST_RSP field (SDM Vol. 3D Appendix B.4.5). */
#define VMX_HOST_RSP_FIELD	0x6c14

#endif /* KHV_VMX_RUN_FLAGS_H */
