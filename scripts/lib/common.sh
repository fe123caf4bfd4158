# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for khv's build and rig scripts. Source it; do not run it.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by the scripts that source this file
KHV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KHV_CACHE=${KHV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khv}
# Scratch build trees; a second checkout running beside this one sets its own.
KHV_BUILD=${KHV_BUILD:-$KHV_CACHE/build}
KHV_JOBS=${KHV_JOBS:-$(nproc)}
mkdir -p "$KHV_CACHE"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The Debian suites we fetch kernels from, and bookworm's sources (the QEMU the rig patches,
# scripts/rig/qemu-build.sh), kept apart from the machine's own apt sources.
# The binary caches are named explicitly: images often blank them (docker-clean), and then
# every apt-cache call re-parses all three suites' lists (2 s each instead of 0.04 s).
KHV_APT_DIR=$KHV_CACHE/apt
khv_apt_opts() {
	echo "-o Dir::Etc::SourceList=$KHV_APT_DIR/etc/sources.list" \
	     "-o Dir::Etc::SourceParts=/dev/null" \
	     "-o Dir::State::Lists=$KHV_APT_DIR/lists" \
	     "-o Dir::Cache=$KHV_APT_DIR/cache" \
	     "-o Dir::Cache::pkgcache=$KHV_APT_DIR/cache/pkgcache.bin" \
	     "-o Dir::Cache::srcpkgcache=$KHV_APT_DIR/cache/srcpkgcache.bin" \
	     "-o APT::Get::List-Cleanup=0" \
	     "-o APT::Sandbox::User=root"
}

khv_apt_update() {
	local stamp=$KHV_APT_DIR/lists/.updated
	mkdir -p "$KHV_APT_DIR/etc" "$KHV_APT_DIR/lists/partial" "$KHV_APT_DIR/cache/archives/partial"
	local list
	list="deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian trixie main
deb http://deb.debian.org/debian trixie-backports main
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main"
	# Rewritten only when it changes (a newer sources.list invalidates apt's binary cache), and
	# then read at once.
	if [ "$(cat "$KHV_APT_DIR/etc/sources.list" 2>/dev/null)" != "$list" ]; then
		printf '%s\n' "$list" > "$KHV_APT_DIR/etc/sources.list"
		rm -f "$stamp"
	fi
	# Refresh at most once a day: package versions move, the cache keys follow them.
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		# shellcheck disable=SC2046
		apt-get $(khv_apt_opts) -q update >/dev/null || die "apt-get update (kernel suites) failed"
		touch "$stamp"
	fi
}

# khv_deb_version PKG: the candidate version of a package in the kernel suites.
khv_deb_version() {
	# shellcheck disable=SC2046
	apt-cache $(khv_apt_opts) policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'
}

# khv_deb_fetch PKG: download PKG's .deb (its candidate version) into the cache (once), print its path.
khv_deb_fetch() {
	local pkg=$1 dir=$KHV_CACHE/debs f ver
	mkdir -p "$dir"
	ver=$(khv_deb_version "$pkg")
	ver=${ver//:/%3a}	# apt-get download spells an epoch's colon this way
	f=$(ls "$dir/${pkg}_${ver:-*}_"*.deb 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		# shellcheck disable=SC2046
		(cd "$dir" && apt-get $(khv_apt_opts) -q download "$pkg" >/dev/null) || die "cannot download $pkg"
		f=$(ls "$dir/${pkg}_${ver:-*}_"*.deb | head -n 1)
	fi
	echo "$f"
}

# khv_deb_newest REGEX: the highest-sorting package name in the kernel suites matching REGEX
# (an anchored ERE), e.g. 'linux-headers-6\.1\.0-[0-9]+-amd64'.
khv_deb_newest() {
	# shellcheck disable=SC2046
	apt-cache $(khv_apt_opts) pkgnames 2>/dev/null | grep -E "^($1)\$" | sort -V | tail -n 1
}

# khv_need_pkgs PKG...: install the machine's own (bookworm) packages that are missing, quietly.
khv_need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
	{ apt-get -q update >/dev/null 2>&1
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
		die "cannot install ${missing[*]}"
}

# khv_linux_source PKG: unpack Debian's linux-source-X.Y (candidate version) once under
# $KHV_CACHE/src/PKG-VERSION and print that directory (shared by kernel.sh and compat.sh).
khv_linux_source() {
	local pkg=$1 ver src tarball
	ver=$(khv_deb_version "$pkg")
	[ -n "$ver" ] || die "no candidate for $pkg"
	src=$KHV_CACHE/src/$pkg-$ver
	if [ ! -e "$src/.done" ]; then
		mkdir -p "$KHV_CACHE/src"
		exec 9> "$KHV_CACHE/src/.lock-$pkg"
		flock 9	# one unpacker at a time; the others wait and reuse its tree
		if [ ! -e "$src/.done" ]; then
			log "unpacking $pkg $ver"
			rm -rf "$src" "$src.tmp"
			khv_deb_unpack "$pkg" "$src.tmp"
			tarball=$(ls "$src.tmp"/usr/src/linux-source-*.tar.* | head -n 1)
			mkdir -p "$src.tmp/tree"
			tar -xf "$tarball" -C "$src.tmp/tree" --strip-components=1 || die "cannot unpack $tarball"
			mv "$src.tmp/tree" "$src"
			rm -rf "$src.tmp"
			touch "$src/.done"
		fi
		exec 9>&-
	fi
	echo "$src"
}

# khv_deb_unpack PKG DEST: unpack a .deb's files under DEST (once).
khv_deb_unpack() {
	local deb
	deb=$(khv_deb_fetch "$1") || exit 1
	if [ ! -e "$2/.unpacked-$1" ]; then
		mkdir -p "$2"
		dpkg-deb -x "$deb" "$2" || die "cannot unpack $deb"
		touch "$2/.unpacked-$1"
	fi
}

# khv_hash FILE...: a short content hash used as a cache key.
khv_hash() { cat "$@" | sha256sum | cut -c1-16; }

# khv_run_quiet LOG CMD...: run CMD with output to LOG, printing a line of progress a minute.
khv_run_quiet() {
	local logf=$1 pid rc start
	shift
	start=$(date +%s)
	"$@" > "$logf" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		if [ $(( ($(date +%s) - start) % 60 )) -lt 5 ]; then
			log "  ... $(( ($(date +%s) - start) / 60 )) min, $(wc -l < "$logf") lines, last: $(tail -n 1 "$logf" | cut -c1-70)"
		fi
	done
	wait "$pid"
	rc=$?
	[ $rc -eq 0 ] || { tail -n 40 "$logf" >&2; log "failed (rc=$rc), full log: $logf"; }
	return $rc
}
