#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: boot an emulated host (amd: QEMU with SVM + NPT, the default; intel: Bochs with VMX + EPT,
# several minutes), load khv there and show what it detected, enabled and released. The serial console
# is printed live; the log is kept in $KHV_OUT/demo-<vendor>/serial.log.
# If scripts/rig/demo-inside.sh exists it runs inside the host after khv loads (as /khv/demo.sh).
# Usage: demo.sh [amd|intel]
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

vendor=${1:-amd}
OUT=${KHV_OUT:-$KHV_TOP/.rig-out}/demo-$vendor
RIG=$KHV_TOP/scripts/rig

case $vendor in
amd) flavour=debug ;;
intel) flavour=light ;;
*) die "usage: demo.sh [amd|intel]" ;;
esac

case $vendor in
amd) what="an emulated AMD host (QEMU, SVM with nested paging)" ;;
intel) what="an emulated Intel host (Bochs, VMX with EPT; several minutes)" ;;
esac
log "demo 1/5: the Debian packages the build and the emulated hosts need (installed once)"
bash "$KHV_TOP/scripts/deps.sh"
log "demo 2/5: the $flavour Linux kernel the emulated host boots (built once, about 10 minutes; cached in $KHV_CACHE)"
kdir=$(flock "$KHV_CACHE/kernel-$flavour.lock" bash "$RIG/kernel.sh" "$flavour")

log "demo 3/5: khv.ko, hvctl and the demo guest, built against that kernel"
build=$KHV_BUILD/demo-$vendor
mkdir -p "$build" "$OUT"
rsync -a --delete --exclude .git --exclude /.rig-out --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$KHV_TOP/" "$build/"
make -C "$build" KDIR="$kdir" modules > "$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "khv does not build"; }

payload=$OUT/payload
rm -rf "$payload"
mkdir -p "$payload"
cp "$build/khv.ko" "$payload/"
# hvctl, the demo guest, and a helper that holds a VM open for netlink to see.
make -C "$build/tools/hvctl" > "$OUT/build-hvctl.log" 2>&1 || { tail -n 30 "$OUT/build-hvctl.log" >&2; die "hvctl does not build"; }
cp "$build/tools/hvctl/hvctl" "$build/tools/hvctl/demo/hello.bin" "$payload/"
# Debian's stock kernel and a busybox initramfs, for Linux under hvctl run (in QEMU; in Bochs a
# Linux boot takes hours: make check-long).
if [ "$vendor" = amd ]; then
	bash "$RIG/guest-linux.sh" "$payload" 2> "$OUT/guest-linux.log" ||
		die "no Linux guest for the demo (see $OUT/guest-linux.log)"
fi
gcc -static -O2 -I"$build/uapi" -I"$build/selftests/lib" -o "$payload/khv_hold_vm" \
	"$build/selftests/khv_hold_vm.c" "$build/selftests/lib/khv_util.c" || die "khv_hold_vm does not build"
if [ -f "$RIG/demo-inside.sh" ]; then
	cp "$RIG/demo-inside.sh" "$payload/demo.sh"
	chmod +x "$payload/demo.sh"
fi
bash "$RIG/initramfs.sh" "$(echo "$kdir"/mod-install/lib/modules/*)" "$payload" "$OUT/initrd.gz"

log "demo 4/5: booting $what; its console follows: Linux boots, /init loads khv.ko, then each demo step is a line '=== N. what: why'"
export KHV_LIVE=1
rc=0
if [ "$vendor" = amd ]; then
	bash "$RIG/qemu.sh" "$kdir/arch/x86/boot/bzImage" "$OUT/initrd.gz" "$OUT/serial.log" \
		khv.plan=demo khv.vendor=amd || rc=$?
else
	bash "$RIG/bochs.sh" "$kdir/arch/x86/boot/bzImage" "$OUT/initrd.gz" "$OUT/serial.log" \
		khv.plan=demo khv.vendor=intel || rc=$?
fi
grep -q 'KHV-RIG: done' "$OUT/serial.log" || die "the emulated host did not finish (rc=$rc); its console: $OUT/serial.log"
log "demo 5/5: done: the emulated host ran every step and powered off; its console is in $OUT/serial.log"
