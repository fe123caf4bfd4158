// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_abi_layout: compiled, never run. The selftest build compiles this file
 * with -m64 and, where the compiler can, with -m32, both times with
 * -Wpadded -Werror: the uapi headers must have no padding the compiler adds
 * on its own (every gap is a named padding field the module checks), and
 * khv_abi_layout.h pins the sizes, offsets and ioctl numbers, so that both
 * builds agree on them (Documentation/khv-abi.rst, "32-bit VMMs").
 */
#include <linux/khv.h>
#include <linux/khv_netlink.h>

#include "khv_abi_layout.h"
