#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install (once, quietly) every Debian package khv's build, rig and tests use, then check that
# each command and file the scripts call is really there.
# Each entry is "package:what-it-gives", where what-it-gives is a command (found in PATH), an
# absolute path, or "py:MODULE" (a Python module). Anything the scripts call must be listed here:
# a machine that has it installed by hand would hide the missing step (make check-fresh shows it).
# Exit status 0 when everything is there; otherwise the message names the missing packages.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

KHV_DEPS=(
	# the module and the emulated hosts' kernels (Kbuild, scripts/rig/kernel.sh, compat.sh)
	gcc:gcc libc6-dev:/usr/include/stdio.h binutils:objcopy make:make bc:bc flex:flex bison:bison
	perl:perl libelf-dev:/usr/include/libelf.h libssl-dev:/usr/include/openssl/ssl.h
	openssl:openssl dwarves:pahole sparse:sparse kmod:depmod cpio:cpio rsync:rsync
	xz-utils:xz zstd:zstd gzip:gzip
	# fetching and unpacking Debian's kernel packages (scripts/lib/common.sh)
	dpkg:dpkg-deb apt:apt-get coreutils:sha256sum util-linux:flock libc-bin:getconf
	# hvctl and the selftests (static binaries); libseccomp: hvctl run's filter (libseccomp.a)
	libnl-genl-3-dev:/usr/include/libnl3/netlink/genl/genl.h pkg-config:pkg-config
	libseccomp-dev:/usr/include/seccomp.h
	# the emulated hosts and their boot media
	qemu-system-x86:qemu-system-x86_64 bochs:bochs bochsbios:/usr/share/bochs/BIOS-bochs-latest
	# QEMU rebuilt from Debian's source with the rig's patches (scripts/rig/qemu-build.sh)
	dpkg-dev:dpkg-source patch:patch meson:meson ninja-build:ninja
	libglib2.0-dev:/usr/include/glib-2.0/glib.h libpixman-1-dev:/usr/include/pixman-1/pixman.h
	zlib1g-dev:/usr/include/zlib.h libfdt-dev:/usr/include/libfdt.h
	vgabios:/usr/share/vgabios/vgabios.bin busybox-static:/bin/busybox
	isolinux:/usr/lib/ISOLINUX/isolinux.bin syslinux-common:/usr/lib/syslinux/modules/bios/ldlinux.c32
	xorriso:xorriso
	# the report gate, the netlink spec check, checkpatch's file list
	python3:python3 python3-yaml:py:yaml python3-jsonschema:py:jsonschema git:git
	# make bench's plot (scripts/rig/bench-ratios.gp)
	gnuplot-nox:gnuplot-nox
)

# have WHAT: is it there (a command, a path, or py:MODULE)?
have() {
	case $1 in
	/*) [ -e "$1" ] ;;
	py:*) command -v python3 >/dev/null 2>&1 && python3 -c "import ${1#py:}" 2>/dev/null ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# missing_pkgs: the packages whose command or file is not there, or that dpkg does not know.
missing_pkgs() {
	local e p w
	for e in "${KHV_DEPS[@]}"; do
		p=${e%%:*} w=${e#*:}
		if ! have "$w" || ! dpkg -s "$p" >/dev/null 2>&1; then
			echo "$p"
		fi
	done
}

mapfile -t missing < <(missing_pkgs)
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q >/dev/null 2>&1 || log "apt-get update failed; trying with the package lists there are"
	if ! out=$(apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1); then
		# Name the packages apt has no candidate for: the usual cause (no network, wrong release).
		none=()
		for p in "${missing[@]}"; do
			cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
			[ -n "$cand" ] && [ "$cand" != "(none)" ] || none+=("$p")
		done
		printf '%s\n' "$out" | tail -n 5 >&2
		[ ${#none[@]} -eq 0 ] || die "apt cannot provide: ${none[*]} (this needs Debian 12 bookworm's main archive)"
		die "apt-get install ${missing[*]} failed (output above)"
	fi
fi

# Installed, yet still not there (a diverted command, a package that moved a file): say which.
mapfile -t still < <(missing_pkgs)
[ ${#still[@]} -eq 0 ] || die "installed but still missing what the scripts use: ${still[*]}"
exit 0
