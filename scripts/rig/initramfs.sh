#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Make the initramfs of an emulated host.
# Usage: initramfs.sh KERNEL_MODDIR PAYLOAD_DIR OUT.gz [EXTRA_MODULES...]
#   KERNEL_MODDIR  a kernel's modules (lib/modules/<release>, or any dir holding its .ko files)
#   PAYLOAD_DIR    copied to /khv: khv.ko, khv_kunit.ko, selftests/ (kselftest install), hvctl, demo.sh, preload,
#                  bzImage (the QEMU hosts' own kernel, for hvctl run --kernel)
#   EXTRA_MODULES  module names to take besides kvm, kvm-amd, kvm-intel and irqbypass (their dependencies follow)
# The result: busybox with all its applets, those modules (decompressed, depmod'ed), the payload (its
# programs without their debug information) and /init.
# Environment: KHV_INITRD_COMPRESS=gzip (default) or zstd (the light kernel's: about 3x faster to
#   unpack, and smaller; in Bochs unpacking the gzip initramfs took about 20 s of wall time).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

[ $# -ge 3 ] || die "usage: initramfs.sh KERNEL_MODDIR PAYLOAD_DIR OUT.gz [EXTRA_MODULES...]"
moddir=$1 payload=$2 out=$3
shift 3
extra=("$@")

khv_need_pkgs busybox-static cpio kmod zstd

[ -d "$moddir" ] || die "no module dir $moddir"
[ -d "$payload" ] || die "no payload dir $payload"

stage=$(mktemp -d "${TMPDIR:-/tmp}/khv-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

add_busybox() {
	local a
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules}
	cp /bin/busybox "$stage/bin/busybox"
	while IFS= read -r a; do
		[ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
	done < <(/bin/busybox --list-full)
	# The kselftest runner calls "/usr/bin/timeout --foreground", which busybox does not know.
	rm -f "$stage/usr/bin/timeout"
	cat > "$stage/usr/bin/timeout" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# timeout(1) for the kselftest runner: busybox's applet without --foreground; 124 on expiry.
[ "$1" = --foreground ] && shift
busybox timeout -k 5 "$@"
rc=$?
[ $rc -eq 143 ] || [ $rc -eq 137 ] && rc=124
exit $rc
EOF
	chmod 755 "$stage/usr/bin/timeout"
	# nobody: the user hvctl run drops to (Documentation/admin-guide.rst, "The VMM's confinement").
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
		> "$stage/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$stage/etc/group"
}

# find_module NAME: the file of a module in $moddir (dashes and underscores are the same to the kernel).
find_module() {
	local n=$1
	find "$moddir" \( -name "$n.ko*" -o -name "${n//-/_}.ko*" -o -name "${n//_/-}.ko*" \) -print -quit
}

# copy_module FILE: into the staging tree, decompressed, path kept relative to $moddir.
copy_module() {
	local f=$1 rel dest
	rel=${f#"$moddir"/}
	dest=$stage/lib/modules/$release/$rel
	mkdir -p "$(dirname "$dest")"
	case $f in
	*.ko.xz) xz -dc "$f" > "${dest%.xz}" ;;
	*.ko.zst) zstd -qdc "$f" > "${dest%.zst}" ;;
	*.ko.gz) gzip -dc "$f" > "${dest%.gz}" ;;
	*) cp "$f" "$dest" ;;
	esac
}

# add_modules NAME...: the named modules and everything they depend on.
add_modules() {
	local todo=("$@") done_list=" " n f dep
	while [ ${#todo[@]} -gt 0 ]; do
		n=${todo[0]//-/_}
		todo=("${todo[@]:1}")
		case $done_list in *" $n "*) continue ;; esac
		done_list="$done_list$n "
		f=$(find_module "$n")
		if [ -z "$f" ]; then
			log "initramfs: module $n not found in $moddir, skipped"
			continue
		fi
		copy_module "$f"
		for dep in $(modinfo -F depends "$f" 2>/dev/null | tr , ' '); do
			todo+=("$dep")
		done
	done
}

kernel_release() {
	local kvm
	kvm=$(find_module kvm)
	[ -n "$kvm" ] || die "no kvm module under $moddir"
	case $kvm in
	*.xz) xz -dc "$kvm" > "$stage/kvm.ko" ;;
	*.zst) zstd -qdc "$kvm" > "$stage/kvm.ko" ;;
	*.gz) gzip -dc "$kvm" > "$stage/kvm.ko" ;;
	*) cp "$kvm" "$stage/kvm.ko" ;;
	esac
	modinfo -F vermagic "$stage/kvm.ko" | awk '{print $1}'
	rm -f "$stage/kvm.ko"
}

add_kernel_modules() {
	release=$(kernel_release)
	[ -n "$release" ] || die "cannot tell the kernel release of $moddir"
	mkdir -p "$stage/lib/modules/$release"
	add_modules kvm kvm-amd kvm-intel irqbypass "${extra[@]}"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$moddir/$f" ] && cp "$moddir/$f" "$stage/lib/modules/$release/"
	done
	depmod -b "$stage" "$release"
}

# Dynamically linked programs of the payload get their shared libraries (static ones are preferred).
add_libraries() {
	local f lib
	while IFS= read -r f; do
		head -c 4 "$f" | grep -q ELF || continue
		ldd "$f" >/dev/null 2>&1 || continue
		for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] && continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done < <(find "$stage/khv" -type f -perm -u+x)
}

# The payload's programs without debug information: a smaller initramfs boots faster.
strip_programs() {
	local f
	while IFS= read -r f; do
		if head -c 4 "$f" | grep -q ELF; then
			strip --strip-debug "$f"
		fi
	done < <(find "$stage/khv" -type f -perm -u+x)
}

add_payload() {
	mkdir -p "$stage/khv"
	cp -a "$payload/." "$stage/khv/"
	strip_programs
	add_libraries
	cp "$KHV_TOP/scripts/rig/init.sh" "$stage/init"
	chmod 755 "$stage/init"
}

add_busybox
add_kernel_modules
add_payload
mkdir -p "$(dirname "$out")"
case ${KHV_INITRD_COMPRESS:-gzip} in
gzip) compress=(gzip -6) ;;
zstd) compress=(zstd -q -19 -T0) ;;
*) die "KHV_INITRD_COMPRESS: gzip or zstd" ;;
esac
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | "${compress[@]}" > "$out.tmp"
mv "$out.tmp" "$out"
log "initramfs $out ($(du -h "$out" | cut -f1), kernel $release)"
