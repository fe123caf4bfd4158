/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel command line hvctl run --kernel gives Linux: the user's, with
 * what spares a guest its calibration loops added unless the user gave it
 * (Documentation/hvctl.8): tsc_early_khz= with the TSC frequency khv
 * publishes in CPUID leaf 0x40000010, and no_timer_check.
 */
#ifndef VMM_CMDLINE_H
#define VMM_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the command line has the parameter name (as name or name=...) before any "--". */
int cmdline_has(const char *cmdline, const char *name);
/*
 * user's parameters, then the added ones, then user's "-- ..." (init's
 * arguments) if any, into out (len bytes with the NUL). tsc_khz 0: no
 * tsc_early_khz. 0, or -1 when out is too small.
 */
int cmdline_build(char *out, size_t len, const char *user, uint32_t tsc_khz);

#endif /* VMM_CMDLINE_H */
