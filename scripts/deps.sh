#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install (once, quietly) every Debian package khv's build, rig and tests need.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

KHV_DEPS=(
	# build the module and the emulated hosts' kernels
	gcc make bc flex bison libelf-dev libssl-dev dwarves sparse kmod cpio rsync xz-utils zstd
	# hvctl and the selftests
	libnl-genl-3-dev pkg-config
	# the emulated hosts and their boot media
	qemu-system-x86 bochs bochsbios vgabios busybox-static isolinux syslinux-common xorriso
	# the rig's helpers
	python3 python3-yaml python3-jsonschema
)

missing=()
for p in "${KHV_DEPS[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
