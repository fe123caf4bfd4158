#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# QEMU with KVM for make bench's linux_boot workload (selftests/bench/boot_bench.sh), to run
# inside the emulated host: Debian's qemu-system-x86_64 (built with KVM, unlike the rig's own
# TCG-only build in scripts/rig/qemu-build.sh) as DIR/qemu-system-x86_64, and the firmware a
# -M pc -kernel boot with -nodefaults opens as DIR/share/ (boot_bench.sh passes -L DIR/share):
# SeaBIOS (bios-256k.bin), the option ROM that loads the kernel (linuxboot_dma.bin) and the
# TPR patching ROM (kvmvapic.bin); found with strace on a -M pc -nodefaults -kernel run. Its
# shared libraries follow in scripts/rig/initramfs.sh (ldd of every program in the payload).
# Usage: bench-qemu.sh DIR
# Environment: KHV_BENCH_QEMU (the binary; default /usr/bin/qemu-system-x86_64), KHV_BENCH_FW
#   (where its firmware is: default Debian's firmware path, /usr/share/qemu:/usr/share/seabios).
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

[ $# -eq 1 ] || die "usage: bench-qemu.sh DIR"
dir=$1
qemu=${KHV_BENCH_QEMU:-/usr/bin/qemu-system-x86_64}
fwpath=${KHV_BENCH_FW:-/usr/share/qemu:/usr/share/seabios}

khv_need_pkgs qemu-system-x86 seabios
[ -x "$qemu" ] || die "no $qemu"
"$qemu" -accel help 2>/dev/null | grep -x kvm >/dev/null || die "$qemu has no KVM support"
mkdir -p "$dir/share"
cp -L "$qemu" "$dir/qemu-system-x86_64"
for f in bios-256k.bin linuxboot_dma.bin kvmvapic.bin; do
	found=
	IFS=: read -ra fwdirs <<< "$fwpath"
	for d in "${fwdirs[@]}"; do
		if [ -r "$d/$f" ]; then
			cp -L "$d/$f" "$dir/share/$f"
			found=1
			break
		fi
	done
	[ -n "$found" ] || die "no $f in $fwpath"
done
