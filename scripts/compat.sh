#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build khv against the kernels distributions ship: Debian bookworm 6.1, trixie 6.12,
# trixie-backports 7.3 (see shared/KERNELS.md for why all three).
#
# Usage: compat.sh [prepare|build|all] [KERNEL...]     (default: all, every kernel)
#   KERNEL is one of: 6.1 6.12 7.3
#   prepare  make (once, cached under $KHV_CACHE/compat/) a tree to build modules against;
#            stdout: one line per kernel, "NAME KDIR KERNELRELEASE", nothing else.
#   build    build the module sources (KHV_COMPAT_SRC, default: the repository) against each
#            tree with W=1 (modpost included), then run sparse over them.
#            stdout: a TAP report (one line per kernel per gate), then "compat: NAME ok|FAILED (see LOG)".
#            Exit status 0 only if every gate passed.
#   all      prepare (quietly), then build.
#
# Gates per kernel: "build W=1" (no compiler error or warning), "modpost" (no modpost error or
# warning, e.g. a symbol from a namespace we may not import), "sparse" (C=2: no sparse warning
# or error in our files, and no sparse error in the kernel's headers).
# Logs: $KHV_CACHE/compat-build/NAME/{build,sparse}.log (a fresh copy of the sources each run).
# Environment: KHV_COMPAT_SRC (module sources), KHV_SPARSE_GATED, KHV_COMPAT_{61,612,73}_HEADERS
# (pin a linux-headers package instead of the newest of its series), KHV_JOBS, KHV_CACHE.
#
# How each tree is made:
#   6.1   Debian's linux-headers-6.1.0-N-amd64 (+ -common, linux-kbuild-6.1) used as they are:
#         they name gcc-12, the machine's compiler. Only the absolute /usr/src path in their
#         Makefile is rewritten to point into the cache.
#   6.12, 7.3  their headers name gcc-14 and turn on gcc-14-only options, so: Debian's
#         linux-source-X.Y + the .config and Module.symvers of linux-headers-<release>,
#         olddefconfig with gcc-12, modules_prepare with KERNELRELEASE=<release> into an O= directory.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

KERNELS=(6.1 6.12 7.3)
# Kernels on which a sparse warning fails the run. Sparse (Debian's 0.6.4) must parse the
# kernel's own headers without errors for its verdict on our code to mean something: it does on
# 6.1 and 6.12, and on 7.3 through the wrapper of sparse_cmd(). On kernels not listed here it
# still runs, its output is kept in the log, and the gate is reported as SKIP.
SPARSE_GATED=${KHV_SPARSE_GATED:-"6.1 6.12 7.3"}
SRC=${KHV_COMPAT_SRC:-$KHV_TOP}
COMPAT_DIR=$KHV_CACHE/compat
BUILD_DIR=${KHV_COMPAT_BUILD:-$KHV_CACHE/compat-build}

# Which Debian packages stand for each kernel: the newest of each series (overridable).
headers_pkg() {
	case $1 in
	6.1) echo "${KHV_COMPAT_61_HEADERS:-$(khv_deb_newest 'linux-headers-6\.1\.0-[0-9]+-amd64')}" ;;
	6.12) echo "${KHV_COMPAT_612_HEADERS:-$(khv_deb_newest 'linux-headers-6\.12\.[0-9]+\+deb13-amd64')}" ;;
	7.3) echo "${KHV_COMPAT_73_HEADERS:-$(khv_deb_newest 'linux-headers-7\.3\.[0-9]+\+deb13-amd64')}" ;;
	*) die "unknown kernel '$1' (known: ${KERNELS[*]})" ;;
	esac
}

need_tools() {
	khv_need_pkgs bc flex bison libelf-dev libssl-dev dwarves sparse rsync gcc-12 make
}

# --- 6.1: Debian's header packages, relocated into the cache -------------------------------

# prepare_headers NAME HDRPKG DIR: unpack linux-headers-<rel>, its -common and the kbuild
# package under DIR and make the tree work from there. Prints the KDIR.
prepare_headers() {
	local hdr=$2 dir=$3 rel common kbuild kdir
	rel=${hdr#linux-headers-}
	common=linux-headers-${rel%-amd64}-common
	kbuild=linux-kbuild-$1
	khv_deb_unpack "$hdr" "$dir"
	khv_deb_unpack "$common" "$dir"
	khv_deb_unpack "$kbuild" "$dir"
	kdir=$dir/usr/src/$hdr
	[ -f "$kdir/Makefile" ] || die "$hdr has no Makefile"
	# The only absolute paths that matter: "include /usr/src/linux-headers-...-common/Makefile".
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$kdir/Makefile"
	# The scripts/ and tools/ links are relative (../../lib/linux-kbuild-6.1/...): check they resolve.
	[ -x "$kdir/scripts/mod/modpost" ] || die "$kdir/scripts/mod/modpost missing (linux-kbuild layout changed?)"
	grep -q "^include $dir/" "$kdir/Makefile" || die "unexpected Makefile in $hdr"
	echo "$kdir"
}

# --- 6.12 and 7.3: Debian's source + the headers' .config, prepared with gcc-12 -------------

# prepare_source SRCPKG HDRPKG DIR: modules_prepare into DIR (an O= directory). Prints the KDIR.
prepare_source() {
	local srcpkg=$1 hdr=$2 dir=$3 rel src hdir
	rel=${hdr#linux-headers-}
	src=$(khv_linux_source "$srcpkg") || exit 1
	hdir=$dir/headers
	khv_deb_unpack "$hdr" "$hdir"
	[ -f "$hdir/usr/src/$hdr/.config" ] || die "$hdr has no .config"
	cp "$hdir/usr/src/$hdr/.config" "$dir/.config"
	"$src/scripts/config" --file "$dir/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
	log "  $rel: olddefconfig + modules_prepare (about a minute on 2 cores)"
	khv_run_quiet "$dir/prepare.log" make -C "$src" O="$dir" olddefconfig || die "olddefconfig failed for $rel"
	khv_run_quiet "$dir/prepare.log" make -C "$src" O="$dir" -j"$KHV_JOBS" KERNELRELEASE="$rel" modules_prepare ||
		die "modules_prepare failed for $rel (log: $dir/prepare.log)"
	# modules_prepare leaves no Module.symvers: without the stock one modpost knows no symbol.
	cp "$hdir/usr/src/$hdr/Module.symvers" "$dir/Module.symvers"
	[ "$(cat "$dir/include/config/kernel.release")" = "$rel" ] || die "kernel.release mismatch in $dir"
	rm -rf "$hdir"
	echo "$dir"
}

# prepare_one NAME: print "NAME KDIR KERNELRELEASE", making the tree first if not cached.
prepare_one() {
	local name=$1 hdr rel vers key dir kdir
	hdr=$(headers_pkg "$name")
	[ -n "$hdr" ] || die "no linux-headers package found for $name"
	rel=${hdr#linux-headers-}
	case $name in
	6.1) vers="$hdr=$(khv_deb_version "$hdr") kbuild=$(khv_deb_version "linux-kbuild-$name")" ;;
	*) vers="$hdr=$(khv_deb_version "$hdr") src=$(khv_deb_version "linux-source-$name")" ;;
	esac
	# Keyed by the package versions and the code that makes the tree (not the rest of this script).
	key=$( { echo "$vers"; declare -f prepare_headers prepare_source khv_linux_source; } | sha256sum | cut -c1-16)
	dir=$COMPAT_DIR/$name-$key
	if [ ! -e "$dir/.done" ]; then
		mkdir -p "$COMPAT_DIR"
		exec 8> "$COMPAT_DIR/.lock-$name"
		flock 8	# a concurrent run (another script asking for the 7.3 tree) waits for this one
	fi
	if [ ! -e "$dir/.done" ]; then
		log "compat: preparing $name ($vers)"
		rm -rf "$dir"
		mkdir -p "$dir"
		case $name in
		6.1) kdir=$(prepare_headers "$name" "$hdr" "$dir") || exit 1 ;;
		*) kdir=$(prepare_source "linux-source-$name" "$hdr" "$dir") || exit 1 ;;
		esac
		echo "$kdir" > "$dir/.kdir"
		echo "$rel" > "$dir/.release"
		touch "$dir/.done"
		log "compat: $name ready in $dir"
	fi
	echo "$name $(cat "$dir/.kdir") $(cat "$dir/.release")"
}

# --- build -------------------------------------------------------------------------------

# Set by the gates: the TAP lines and per-kernel verdicts, printed at the end.
TAP=()
SUMMARY=()
FAILED=0

tap() { # tap ok|not-ok DESCRIPTION [DIRECTIVE]
	local n=$(( ${#TAP[@]} + 1 ))
	if [ "$1" = ok ]; then TAP+=("ok $n - $2${3:+ # $3}"); else TAP+=("not ok $n - $2${3:+ # $3}"); fi
}

# sync_src NAME: a fresh private copy of the module sources, so the three builds keep their own
# objects and every run compiles everything (an incremental build would hide old warnings).
sync_src() {
	local dst=$BUILD_DIR/$1
	rm -rf "$dst"
	mkdir -p "$dst"
	rsync -a --exclude=.git --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' --exclude=modules.order \
		--exclude=Module.symvers --exclude='.*.d' --exclude='*.tmp' \
		"$SRC/" "$dst/"
	echo "$dst"
}

# Lines a compiler or modpost prints that fail a gate.
compiler_complaints() { grep -E '(warning|error):' "$1" | grep -v 'modpost' || true; }
modpost_complaints() { grep -iE '^(WARNING|ERROR): modpost:' "$1" || true; }

# ours_only BDIR KDIR < LOG: the diagnostics about our files. Up to 6.12 kbuild names our files
# by absolute path (it runs in KDIR); from 6.13 on it runs in the module's directory and names
# them relative to it, while the kernel's headers keep absolute or KDIR-relative paths.
ours_only() {
	local bdir=$1 kdir=$2 line f
	while IFS= read -r line; do
		f=${line%%:*}
		case $f in
		"$bdir"/*) echo "$line" ;;
		/*) ;;
		*) [ -e "$bdir/$f" ] && [ ! -e "$kdir/$f" ] && echo "$line" ;;
		esac
	done < <(grep -E '^[^ :]+:[0-9]+:([0-9]+:)? (warning|error):' || true)
	return 0
}

# sparse_cmd NAME: how sparse is invoked. Debian's sparse (0.6.4, bookworm and trixie alike)
# is older than 7.3's headers: it knows no __typeof_unqual__, which they use under __CHECKER__
# (and 7.3's scripts/checker-valid.sh refuses such a sparse outright), and it cannot fold the
# __builtin_strlen() that 7.3's MODULE_INFO() static_asserts ("bad constant expression" on every
# MODULE_*() line of ours, after which sparse suppresses all its warnings for that file).
# For 7.3 a wrapper maps both to what 0.6.4 knows: __typeof__ (keeps qualifiers; fine for a
# checker) and sizeof(s)-1 (exact for the string literals MODULE_INFO takes).
# With it, sparse is clean on 7.3's headers and still reports our own mistakes (checked with a
# module using per-CPU data, RCU, seqlocks, kvm_host.h), so 7.3 is gated like 6.1 and 6.12.
# Should the mapping ever cause false reports, drop 7.3 from KHV_SPARSE_GATED: it is then SKIP.
sparse_cmd() {
	local wrapper=$BUILD_DIR/sparse-compat
	case $1 in
	6.1|6.12) echo "sparse" ;;
	*)
		mkdir -p "$BUILD_DIR"
		cat > "$wrapper.tmp" <<'EOF2'
#!/bin/sh
# Made by scripts/compat.sh: sparse 0.6.4 for kernels >= 6.19 (see sparse_cmd there).
exec sparse -D__typeof_unqual__=__typeof__ '-D__builtin_strlen(s)=(sizeof(s)-1)' "$@"
EOF2
		chmod +x "$wrapper.tmp"
		mv "$wrapper.tmp" "$wrapper"
		echo "$wrapper" ;;
	esac
}

# build_one NAME KDIR RELEASE: run the three gates; clears KOK if one fails.
build_one() {
	local name=$1 kdir=$2 rel=$3 bdir blog slog rc out theirs
	bdir=$(sync_src "$name")
	blog=$bdir/build.log
	slog=$bdir/sparse.log
	[ -f "$bdir/Kbuild" ] || [ -f "$bdir/Makefile" ] || die "no Kbuild or Makefile in $SRC"
	log "compat: building against $name ($rel)"
	rc=0
	make -C "$kdir" M="$bdir" W=1 KERNELRELEASE="$rel" -j"$KHV_JOBS" modules > "$blog" 2>&1 || rc=$?

	# Gate 1: the compiler is silent (and did not fail).
	out=$(compiler_complaints "$blog")
	if [ -n "$out" ] || { [ $rc -ne 0 ] && ! grep -q 'MODPOST' "$blog"; }; then
		tap not-ok "compat $name build W=1"
		{ printf '%s\n' "$out"; grep -q 'MODPOST' "$blog" || grep -E '\*\*\*|Error [0-9]' "$blog"; } |
			head -n 30 | sed "s|^|  [$name] |" >&2
		KOK=0
	else
		tap ok "compat $name build W=1"
	fi

	# Gate 2: modpost ran and is silent (symbols, namespaces, licences, section mismatches).
	out=$(modpost_complaints "$blog")
	if ! grep -q 'MODPOST' "$blog"; then
		tap not-ok "compat $name modpost" "not reached"
		KOK=0
	elif [ -n "$out" ] || [ $rc -ne 0 ]; then
		tap not-ok "compat $name modpost"
		printf '%s\n' "$out" | head -n 30 | sed "s|^|  [$name] |" >&2
		KOK=0
	else
		tap ok "compat $name modpost"
	fi

	# Gate 3: sparse over every source (C=2: the objects are up to date, so only sparse runs).
	if [ $rc -ne 0 ]; then
		if [[ " $SPARSE_GATED " == *" $name "* ]]; then
			tap not-ok "compat $name sparse" "not run: the build failed"
			KOK=0
		else
			tap ok "compat $name sparse" "SKIP not gated on $name, and the build failed"
		fi
		return
	fi
	make -C "$kdir" M="$bdir" W=1 C=2 CHECK="$(sparse_cmd "$name")" KERNELRELEASE="$rel" \
		-j"$KHV_JOBS" modules > "$slog" 2>&1 || true
	if grep -q 'is not available or not up to date' "$slog"; then
		log "compat: the $name tree refuses sparse (see $slog)"
		out="sparse refused"
	else
		out=$(ours_only "$bdir" "$kdir" < "$slog")
		theirs=$(grep -cE ': (warning|error):' "$slog" || true)
		theirs=$(( theirs - $(printf '%s' "$out" | grep -c . || true) ))
		[ "$theirs" -eq 0 ] || log "compat: sparse: $theirs diagnostics in $name's own headers (see $slog)"
		# An error in a kernel header means sparse misparsed it and went quiet on the rest
		# of that file: its silence about ours would prove nothing.
		if [ -z "$out" ] && grep -qE ': error:' "$slog"; then
			out="sparse errors in $name's headers: its verdict on our files is void"
		fi
	fi
	if [[ " $SPARSE_GATED " != *" $name "* ]]; then
		tap ok "compat $name sparse" "SKIP not gated: sparse 0.6.4 is too old for $name; $(printf '%s' "$out" | grep -c . || true) diagnostics about our files in $slog"
	elif [ -n "$out" ]; then
		tap not-ok "compat $name sparse"
		printf '%s\n' "$out" | head -n 30 | sed "s|^|  [$name] |" >&2
		KOK=0
	else
		tap ok "compat $name sparse"
	fi
}

# check_one NAME KDIR RELEASE: build_one, then the kernel's one-line verdict.
check_one() {
	KOK=1
	build_one "$@"
	if [ $KOK -eq 1 ]; then
		SUMMARY+=("compat: $1 ok")
	else
		SUMMARY+=("compat: $1 FAILED (see $BUILD_DIR/$1/build.log, sparse.log)")
		FAILED=1
	fi
}

report() {
	echo "TAP version 13"
	echo "1..${#TAP[@]}"
	printf '%s\n' "${TAP[@]}"
	printf '%s\n' "${SUMMARY[@]}"
}

main() {
	local mode=${1:-all} names line
	[ $# -gt 0 ] && shift
	case $mode in prepare|build|all) ;; -h|--help) sed -n '3,29p' "$0"; exit 0 ;; *) die "usage: $0 [prepare|build|all] [KERNEL...]" ;; esac
	names=("$@")
	[ ${#names[@]} -gt 0 ] || names=("${KERNELS[@]}")
	need_tools
	khv_apt_update
	local lines=()
	for n in "${names[@]}"; do
		line=$(prepare_one "$n") || exit 1
		lines+=("$line")
	done
	if [ "$mode" = prepare ]; then
		printf '%s\n' "${lines[@]}"
		return 0
	fi
	[ -d "$SRC" ] || die "no module sources in $SRC"
	for line in "${lines[@]}"; do
		# shellcheck disable=SC2086
		check_one $line
	done
	report
	return $FAILED
}

main "$@"
