#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check's pass of khv_bench (Documentation/performance.md): every workload once, with one
# operation, under khv and (where /dev/kvm is there) KVM. It fails when a guest did not do what it
# was asked or khv could not be measured, never on a figure. kselftest exit codes: 0, 1, 4 (skip).
dir=$(dirname "$0")
if [ ! -d /sys/module/khv ]; then
	echo "# SKIP: the khv module is not loaded"
	exit 4
fi
exec "$dir/khv_bench" --smoke
