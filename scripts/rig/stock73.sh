#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's stock 7.3 kernel (trixie-backports), unpacked once into the cache, for QEMU runs that
# check khv on a distribution kernel (see shared/KERNELS.md).
# Usage: stock73.sh   -> prints one line: "VMLINUZ MODDIR"
#   VMLINUZ  the stock (signed) kernel image, from linux-binary-<release>
#   MODDIR   its unpacked lib/modules/<release> (linux-modules-<release> + linux-base-<release>: config,
#            System.map, modules.builtin), in which the
#            modules of STOCK73_MODULES and everything they depend on are decompressed to .ko
#            (busybox insmod cannot load .ko.xz), with a fresh modules.dep, and a file
#            khv-load-order listing those .ko paths (relative to MODDIR) in an order insmod
#            can load them: dependencies first.
# The khv module for this kernel is built with: scripts/compat.sh prepare 7.3 (same release).
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

# The modules the rig loads (by module name); their dependencies are added. Extend as needed.
STOCK73_MODULES=${KHV_STOCK73_MODULES:-"kvm_amd"}

# The newest 7.3.x of trixie-backports (the same choice scripts/compat.sh makes for its 7.3 tree).
stock_release() {
	local pkg
	if [ -n "${KHV_STOCK73_RELEASE:-}" ]; then
		echo "$KHV_STOCK73_RELEASE"
		return
	fi
	pkg=$(khv_deb_newest 'linux-binary-7\.3\.[0-9]+\+deb13-amd64')
	[ -n "$pkg" ] || die "no linux-binary-7.3.*+deb13-amd64 in trixie-backports"
	echo "${pkg#linux-binary-}"
}

# unpack_kernel REL DIR: linux-binary-REL carries usr/lib/modules/REL/vmlinuz,
# linux-modules-REL the modules (compressed .ko.xz, no modules.dep: depmod runs at install),
# linux-base-REL config, System.map, modules.builtin and modules.order (which depmod wants).
# (linux-image-REL is only a meta package depending on those three.)
unpack_kernel() {
	local rel=$1 dir=$2
	khv_deb_unpack "linux-binary-$rel" "$dir"
	khv_deb_unpack "linux-modules-$rel" "$dir"
	khv_deb_unpack "linux-base-$rel" "$dir"
	[ -f "$dir/usr/lib/modules/$rel/vmlinuz" ] || die "linux-binary-$rel has no usr/lib/modules/$rel/vmlinuz"
	[ -d "$dir/usr/lib/modules/$rel/kernel" ] || die "linux-modules-$rel has no usr/lib/modules/$rel/kernel"
}

# module_file MODDIR NAME: the file of a module, compressed or not ("-" and "_" are the same).
module_file() {
	local pat=${2//[-_]/[-_]}
	find "$1/kernel" -regextype posix-extended -regex ".*/${pat}\.ko(\.xz|\.zst|\.gz)?" -print -quit
}

# decompress FILE: FILE.ko.{xz,zst,gz} -> FILE.ko (the compressed copy goes); print the .ko.
decompress() {
	case $1 in
	*.ko.xz) xz -d -f "$1"; echo "${1%.xz}" ;;
	*.ko.zst) zstd -q -d --rm -f "$1"; echo "${1%.zst}" ;;
	*.ko.gz) gzip -d -f "$1"; echo "${1%.gz}" ;;
	*.ko) echo "$1" ;;
	*) die "not a module: $1" ;;
	esac
}

# load_order MODDIR NAME...: decompress NAME... and their dependencies (modinfo's "depends",
# recursively); print their .ko paths relative to MODDIR, dependencies first, each once.
declare -A SEEN=()
load_order() {
	local moddir=$1 name f dep deps
	shift
	for name in "$@"; do
		name=${name//-/_}
		[ -z "${SEEN[$name]:-}" ] || continue
		SEEN[$name]=1
		f=$(module_file "$moddir" "$name")
		[ -n "$f" ] || die "module $name not found in $moddir (built in? then drop it from STOCK73_MODULES)"
		deps=$(modinfo -F depends "$f") || die "modinfo $f failed"
		for dep in ${deps//,/ }; do
			load_order "$moddir" "$dep"
		done
		f=$(decompress "$f") || die "cannot decompress the $name module"
		[ -f "$f" ] || die "cannot decompress the $name module"
		echo "${f#"$moddir"/}"
	done
}

main() {
	local rel key dir moddir p
	khv_need_pkgs xz-utils zstd kmod
	khv_apt_update
	rel=$(stock_release)
	key=$( { echo "$rel"; for p in binary modules base; do khv_deb_version "linux-$p-$rel"; done;
		 echo "$STOCK73_MODULES"; declare -f unpack_kernel module_file decompress load_order; } |
		 sha256sum | cut -c1-16)
	dir=$KHV_CACHE/stock/$rel-$key
	moddir=$dir/usr/lib/modules/$rel
	if [ ! -e "$dir/.done" ]; then
		mkdir -p "$KHV_CACHE/stock"
		exec 8> "$KHV_CACHE/stock/.lock"
		flock 8	# a concurrent run waits, then finds the tree ready
	fi
	if [ ! -e "$dir/.done" ]; then
		log "stock73: unpacking Debian's $rel kernel and modules (once)"
		rm -rf "$dir" "$dir.tmp"
		unpack_kernel "$rel" "$dir.tmp"
		# shellcheck disable=SC2086
		load_order "$dir.tmp/usr/lib/modules/$rel" $STOCK73_MODULES > "$dir.tmp/khv-load-order"
		mv "$dir.tmp/khv-load-order" "$dir.tmp/usr/lib/modules/$rel/khv-load-order"
		log "stock73: decompressed $(tr '\n' ' ' < "$dir.tmp/usr/lib/modules/$rel/khv-load-order")"
		# depmod -b wants BASE/lib/modules/REL; the package ships usr/lib/modules.
		ln -sfn usr/lib "$dir.tmp/lib"
		depmod -b "$dir.tmp" "$rel" || die "depmod failed in $dir.tmp"
		mv "$dir.tmp" "$dir"
		touch "$dir/.done"
	fi
	echo "$dir/usr/lib/modules/$rel/vmlinuz $moddir"
}

main "$@"
