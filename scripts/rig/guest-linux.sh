#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Linux guest hvctl run --kernel boots in the emulated hosts (hvctl_scenario.sh's test 40,
# make demo, make check-long): Debian's stock 7.3 kernel image (stock73.sh) as DIR/bzImage and
# the busybox initramfs of guest-initrd.sh as DIR/linux-initrd.gz. Messages go to stderr.
# Usage: guest-linux.sh DIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

[ $# -eq 1 ] && [ -d "$1" ] || die "usage: guest-linux.sh DIR"
RIG=$KHV_TOP/scripts/rig
stock=$(bash "$RIG/stock73.sh" | tail -n 1) || die "no stock 7.3 kernel"
cp "${stock%% *}" "$1/bzImage"
bash "$RIG/guest-initrd.sh" "$1/linux-initrd.gz"
