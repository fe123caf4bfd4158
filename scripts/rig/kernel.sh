#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (once, cached by content hash) the emulated hosts' kernel from Debian's linux-source-6.12.
# Usage: kernel.sh debug|light   -> prints the build directory (bzImage, modules in ./mod-install).
#   debug  QEMU host: base.config + debug.config (lockdep, UBSAN, kmemleak) + kasan.config
#   light  Bochs host: base.config + light.config (no debug checks: they cost Bochs too much)
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

flavour=${1:-debug}
cfgdir=$KHV_TOP/scripts/rig/config
case $flavour in
debug) frags=("$cfgdir/base.config" "$cfgdir/debug.config" "$cfgdir/kasan.config") ;;
light) frags=("$cfgdir/base.config" "$cfgdir/light.config") ;;
*) die "unknown kernel flavour $flavour" ;;
esac

srcpkg=linux-source-6.12
khv_apt_update
ver=$(khv_deb_version $srcpkg)
[ -n "$ver" ] || die "no candidate for $srcpkg"

key=$( { echo "$ver"; cat "${frags[@]}" "$0"; } | sha256sum | cut -c1-16)
out=$KHV_CACHE/kernel/$flavour-$key
if [ -e "$out/.done" ]; then
	echo "$out"
	exit 0
fi

# Unpack the source once per package version.
src=$KHV_CACHE/src/$srcpkg-$ver
if [ ! -e "$src/.done" ]; then
	log "unpacking $srcpkg $ver"
	rm -rf "$src" "$src.tmp"
	khv_deb_unpack $srcpkg "$src.tmp"
	tarball=$(ls "$src.tmp"/usr/src/linux-source-*.tar.* | head -n 1)
	mkdir -p "$src.tmp/tree"
	tar -xf "$tarball" -C "$src.tmp/tree" --strip-components=1
	mv "$src.tmp/tree" "$src"
	rm -rf "$src.tmp"
	touch "$src/.done"
fi

log "building the $flavour kernel ($srcpkg $ver, key $key): about 10 minutes on 2 cores, once"
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out" olddefconfig >/dev/null
# Every option of the fragments must have survived olddefconfig.
missing=0
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) grep -q "^${line%=n}=" "$out/.config" && { log "not applied: $line"; missing=1; } ;;
		CONFIG_*) grep -qx "$line" "$out/.config" || { log "not applied: $line"; missing=1; } ;;
		esac
	done < "$f"
done
[ $missing -eq 0 ] || die "kernel config fragment not applied"
khv_run_quiet "$out/build.log" make -C "$src" O="$out" -j"$KHV_JOBS" bzImage modules
khv_run_quiet "$out/modinst.log" make -C "$src" O="$out" INSTALL_MOD_PATH="$out/mod-install" modules_install
touch "$out/.done"
log "kernel ready: $out"
echo "$out"
