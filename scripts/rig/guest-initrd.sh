#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The initramfs of the Linux guest that hvctl run --kernel boots in the QEMU hosts
# (selftests/hvctl_scenario.sh): busybox-static and an /init that prints a marker with the
# guest's uptime and the CPUs /proc/cpuinfo lists, the PCI functions sysfs lists (a line
# "KHV-GUEST-PCI 0000:00:01.0 0x1234:0x11e8" each), and ends the VM through the isa-debug-exit
# port 0xf4 (hvctl's exit status): 0 when Linux lists as many CPUs as init's first argument
# (default 2), 3 when not; poweroff -f if the port cannot be written.
# Usage: guest-initrd.sh OUT.cpio.gz
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

[ $# -eq 1 ] || die "usage: guest-initrd.sh OUT.cpio.gz"
out=$1
khv_need_pkgs busybox-static cpio

stage=$(mktemp -d "${TMPDIR:-/tmp}/khv-guest-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys}
cp /bin/busybox "$stage/bin/busybox"
for a in sh mount grep cat dd mknod poweroff sleep; do
	ln -s busybox "$stage/bin/$a"
done
cat > "$stage/init" <<'INIT'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hvctl run's guest: the marker, the CPU count, the end through port 0xf4.
export PATH=/bin
mount -t proc proc /proc
[ -e /dev/port ] || mknod /dev/port c 1 4
[ -e /dev/kmsg ] || mknod /dev/kmsg c 1 11
# Through the kernel's log as well, and a pause before port 0xf4 ends the
# VM: what init writes to the console's tty goes out by interrupt, and the
# kernel may print its log from a thread of its own; either may still be on
# its way when init writes the port.
say() { echo "$1"; echo "$1" > /dev/kmsg; }
cpus=$(grep -c '^processor' /proc/cpuinfo)
read -r up _ < /proc/uptime
say "KHV-GUEST-INIT up $up s, $cpus CPUs"
# Where the interrupts went: the test prints these lines.
sed 's/^/KHV-GUEST-IRQ /' /proc/interrupts
# The PCI functions the kernel found (hvctl run --device puts them on its bus).
mount -t sysfs sysfs /sys
for d in /sys/bus/pci/devices/*; do
	[ -r "$d/vendor" ] && echo "KHV-GUEST-PCI ${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
done
if [ "$cpus" = "${1:-2}" ]; then
	say "KHV-GUEST-OK cpus=$cpus"
	code='\000'
else
	say "KHV-GUEST-FAIL cpus=$cpus, not ${1:-2}"
	code='\003'
fi
sleep 2
printf "$code" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f
INIT
chmod 755 "$stage/init"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
