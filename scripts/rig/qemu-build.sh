#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The QEMU the rig runs its SVM hosts on: Debian's own qemu-system-x86 (the installed version's
# source package), with the rig's patches (scripts/rig/qemu/*.patch: defects of QEMU's SVM model
# that a guest of khv's, or of KVM's, would otherwise see), built once for x86_64-softmmu with TCG
# only and kept in the cache under a key of the source version, the patches and this script.
# TCG plugins are on (the cost model, tools/costmodel/khv_cost.c, loads with -plugin), and the
# source's include/qemu/qemu-plugin.h is kept beside the binary to build plugins against.
# Usage: qemu-build.sh                  -> prints the path of the qemu-system-x86_64 to run.
#        qemu-build.sh --plugin-header  -> prints the path of that qemu-plugin.h (builds first
#                                          where the cache has no build yet).
# Firmware (SeaBIOS, linuxboot_dma.bin) comes from the installed packages, as for Debian's binary.
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

what=bin
case ${1:-} in
"") ;;
--plugin-header) what=header ;;
*) die "usage: qemu-build.sh [--plugin-header]" ;;
esac

RIG=$KHV_TOP/scripts/rig
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
	die "qemu-system-x86 is not installed (scripts/deps.sh installs it)"
key=$(khv_hash <(echo "$ver") "$RIG"/qemu/*.patch "$0")
dest=$KHV_CACHE/qemu/$key
bin=$dest/qemu-system-x86_64
header=$dest/qemu-plugin.h
result() {
	if [ "$what" = header ]; then echo "$header"; else echo "$bin"; fi
}
if [ -e "$dest/.done" ]; then
	result
	exit 0
fi

mkdir -p "$KHV_CACHE/qemu"
exec 9> "$KHV_CACHE/qemu/.lock"
flock 9	# one build at a time; a second caller waits and takes the first one's binary
if [ ! -e "$dest/.done" ]; then
	log "building QEMU $ver with the rig's patches (once, a few minutes)"
	rm -rf "$dest" "$dest.tmp"
	mkdir -p "$dest.tmp"
	khv_apt_update
	# shellcheck disable=SC2046
	(cd "$dest.tmp" && apt-get $(khv_apt_opts) -q source "qemu=$ver" > source.log 2>&1) ||
		die "cannot fetch the source of qemu $ver (see $dest.tmp/source.log)"
	src=$(find "$dest.tmp" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
	[ -n "$src" ] || die "apt-get source qemu=$ver unpacked nothing"
	for p in "$RIG"/qemu/*.patch; do
		patch -d "$src" -p1 -s < "$p" || die "$(basename "$p") does not apply to qemu $ver"
	done
	mkdir -p "$src/build"
	(cd "$src/build" &&
	 ../configure --target-list=x86_64-softmmu --without-default-features --enable-tcg \
		--enable-plugins --disable-kvm --disable-xen --disable-docs --disable-werror --disable-install-blobs \
		--with-git-submodules=ignore --with-pkgversion="Debian $ver, khv rig $key" \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu) \
		> "$dest.tmp/configure.log" 2>&1 || die "QEMU's configure failed (see $dest.tmp/configure.log)"
	khv_run_quiet "$dest.tmp/build.log" ninja -C "$src/build" -j "$KHV_JOBS" qemu-system-x86_64 ||
		die "QEMU does not build (see $dest.tmp/build.log)"
	install -m 755 -s "$src/build/qemu-system-x86_64" "$dest.tmp/qemu-system-x86_64"
	install -m 644 "$src/include/qemu/qemu-plugin.h" "$dest.tmp/qemu-plugin.h"
	rm -rf "$src" "$dest.tmp"/qemu_*
	mv "$dest.tmp" "$dest"
	touch "$dest/.done"
	log "QEMU built: $bin"
fi
exec 9>&-
result
