#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make check-fresh: prove the README's two commands on a Debian 12 system with no history.
#
# Builds a minimal Debian 12 (bookworm) root from Debian's archive with debootstrap
# (variant minbase: nothing but the required packages and apt), puts a clone of this
# repository's committed HEAD in it, and runs there, as a new user would:
#     make demo     then     make check
# in a chroot of its own mount namespace (the host's /dev, a fresh /proc, /sys, /tmp), with CI=true
# and no stdin. Nothing is shared with the host: not its packages, not ~/.cache/khv (kernel builds,
# fetched headers), not its build trees. So every install step the scripts need must be in them.
# It is slow (two kernel builds, every emulated host) and is not part of make check.
# The last line is make check's own "N passed, N failed, N skipped"; the exit status is 0 only
# when both commands succeeded.
#
# Environment: KHV_FRESH_DIR (where the root is made; default /var/tmp/khv-fresh, removed and made
#   anew on each run), KHV_FRESH_KEEP=1 (keep the root afterwards; by default it is removed when
#   both commands passed), KHV_FRESH_MIRROR (default http://deb.debian.org/debian),
#   KHV_FRESH_STEPS (default "demo check").
# Logs: $KHV_FRESH_DIR.log/{debootstrap,demo,check}.log
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

[ "$(id -u)" -eq 0 ] || die "check-fresh needs root (debootstrap, chroot, mounts)"
DIR=${KHV_FRESH_DIR:-/var/tmp/khv-fresh}
LOGS=$DIR.log
MIRROR=${KHV_FRESH_MIRROR:-http://deb.debian.org/debian}
STEPS=${KHV_FRESH_STEPS:-demo check}
T0=$(date +%s)
elapsed() { echo "$(( ($(date +%s) - T0) / 60 ))m$(( ($(date +%s) - T0) % 60 ))s"; }

khv_need_pkgs debootstrap git

# The root is never reused: a second run starts from nothing too. A run killed half-way can leave
# mounts behind only inside its own namespace, which died with it.
case $DIR in /|/var|/var/tmp|/tmp|"$HOME") die "KHV_FRESH_DIR=$DIR: refusing to remove that" ;; esac
rm -rf "$DIR" "$LOGS"
mkdir -p "$DIR" "$LOGS"

log "check-fresh: a minimal Debian 12 root in $DIR (debootstrap, variant minbase)"
debootstrap --variant=minbase bookworm "$DIR" "$MIRROR" > "$LOGS/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$LOGS/debootstrap.log" >&2; die "debootstrap failed (see $LOGS/debootstrap.log)"; }
cp /etc/resolv.conf "$DIR/etc/resolv.conf"
# What a Debian 12 machine's apt sources have: the release, its updates and security.
cat > "$DIR/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
# This machine's apt reaches the archive through settings of its own (validity checks of a
# snapshot, a proxy): the new system needs them to reach the archive at all, and they change
# nothing about which packages get installed.
for f in /etc/apt/apt.conf.d/*; do
	grep -qiE 'Acquire::' "$f" 2>/dev/null && cp "$f" "$DIR/etc/apt/apt.conf.d/"
done
# The one thing the README's commands presume: make itself (a fresh Debian install has none).
chroot "$DIR" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
	/bin/sh -c 'apt-get -q update && apt-get install -y -q --no-install-recommends make' \
	> "$LOGS/make.log" 2>&1 < /dev/null || die "cannot install make in the new root (see $LOGS/make.log)"
log "check-fresh: $(chroot "$DIR" dpkg-query -W -f '.' | wc -c) packages in the new root ($(elapsed))"

# The committed tree, as CI gets it: a clone, and the shared folder beside it when there is one.
git clone -q "$KHV_TOP" "$DIR/work/main"
git -C "$DIR/work/main" log -1 --format='check-fresh: testing %h %s' | while read -r l; do log "$l"; done
[ -d "$KHV_TOP/../shared" ] && cp -a "$KHV_TOP/../shared" "$DIR/work/shared"

# The namespace gets the host's /dev (emulators need /dev/null, /dev/urandom, /dev/fd), and its
# own /proc, /sys, /dev/pts, /dev/shm and /tmp.
mounts='mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t tmpfs tmpfs /tmp &&
	mount -t tmpfs tmpfs /dev/shm 2>/dev/null; true'
# inside CMD: run CMD in the new root, in a mount namespace of its own, as root with a clean
# environment and no stdin.
inside() {
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		mount --rbind /dev "$1/dev"
		exec chroot "$1" /usr/bin/env -i \
			HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 TERM=dumb CI=true /bin/bash -c "$2"' _ "$DIR" "$mounts; $1" </dev/null
}

rc=0
for s in $STEPS; do
	log "check-fresh: make $s in the new root ($(elapsed); output in $LOGS/$s.log)"
	if inside "cd /work/main && make $s" > "$LOGS/$s.log" 2>&1; then
		log "check-fresh: make $s passed ($(elapsed))"
	else
		rc=$?
		tail -n 30 "$LOGS/$s.log" >&2
		log "check-fresh: make $s FAILED (rc=$rc, $(elapsed))"
		break
	fi
done

if [ $rc -eq 0 ] && [ "${KHV_FRESH_KEEP:-0}" != 1 ]; then
	rm -rf "$DIR"
fi
echo "# check-fresh: Debian 12 minbase, $(elapsed), steps: $STEPS, rc=$rc, logs in $LOGS"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGS/check.log" 2>/dev/null | tail -n 1 || true)
[ -n "$last" ] && echo "$last"
[ $rc -eq 0 ] || exit 1
case " $STEPS " in *" check "*) [ -n "$last" ] || exit 1 ;; esac
exit 0
