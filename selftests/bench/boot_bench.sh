#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
# make bench's workload linux_boot (Documentation/performance.md, "Linux boot"): the same
# kernel and initramfs booted to the marker its init prints, under hvctl run (khv) and under
# QEMU with KVM, N times each, alternating; each boot timed from the start of the process to
# the marker's line on its console (/proc/uptime, 10 ms), bounded by --timeout (a hung boot
# is a failed one). Prints a row in khv_bench's table style and its "KHV-BENCH-JSON: " line.
# Runs in the emulated host (scripts/rig/init.sh's bench plan), from busybox sh.
# Usage: boot_bench.sh [--boots N] [--timeout SECS] [--memory SIZE] [--dir DIR]
#   DIR (default /khv): hvctl, bzImage, linux-initrd.gz (scripts/rig/guest-linux.sh) and
#   qemu/ (scripts/rig/bench-qemu.sh: qemu-system-x86_64 and qemu/share, its firmware).
# Exit status 1 when khv's side failed (no marker, a different kernel, a timeout) or a file is
# missing; QEMU's side failing shows as FAILED in its cell and leaves no ratio, as KVM's does
# in khv_bench.
# shellcheck disable=SC2046 # stats' words are meant to be split into "$@"
set -u

DIR=/khv
BOOTS=3
LIMIT=600
MEM=256M
while [ $# -gt 0 ]; do
	case $1 in
	--boots) BOOTS=$2 ;;
	--timeout) LIMIT=$2 ;;
	--memory) MEM=$2 ;;
	--dir) DIR=$2 ;;
	*)
		echo "usage: boot_bench.sh [--boots N] [--timeout SECS] [--memory SIZE] [--dir DIR]" >&2
		exit 2
		;;
	esac
	[ $# -ge 2 ] || exit 2
	shift 2
done
case $BOOTS$LIMIT in *[!0-9]*)
	echo "boot_bench.sh: --boots and --timeout take numbers" >&2
	exit 2
	;;
esac

BZ=$DIR/bzImage
INITRD=$DIR/linux-initrd.gz
HVCTL=$DIR/hvctl
QEMU=$DIR/qemu/qemu-system-x86_64
FW=$DIR/qemu/share
# test 40's command line (selftests/hvctl_scenario.sh) on one vCPU: init's argument is the CPU
# count it expects. hvctl run adds tsc_early_khz= and no_timer_check; QEMU gets the line the
# kernel under hvctl printed ("Command line: "), so both kernels see the same one.
APPEND="console=ttyS0 panic=-1 -- 1"
W=${TMPDIR:-/tmp}/boot_bench.$$
VENDOR=${KHV_VENDOR:-unknown}

for f in "$BZ" "$INITRD" "$HVCTL" "$QEMU" "$FW"; do
	if [ ! -e "$f" ]; then
		echo "# linux_boot: $f missing"
		exit 1
	fi
done
mkdir -p "$W" || exit 1
trap 'rm -rf "$W"' EXIT

# boot NAME CMD...: one boot. $W/NAME.out gets the console, NAME.err stderr, NAME.status the
# exit status (124 or 137: killed at the timeout) and NAME.ms the milliseconds from the start to the
# first marker line, if there was one. Both read /proc/uptime; awk reads the console as it
# comes (hvctl and QEMU write COM1's bytes out as the guest sends them, tr passes them on as
# it reads them), without the NULs the console may carry.
boot() {
	local f=$W/$1 t0
	shift
	rm -f "$f".*
	read -r t0 _ < /proc/uptime
	{
		timeout -s KILL "$LIMIT" "$@" < /dev/null 2> "$f.err"
		echo $? > "$f.status"
	} | tr -d '\000' | awk -v t0="$t0" -v out="$f.out" -v mark="$f.ms" '
		{ sub(/\r$/, ""); print > out }
		!seen && /KHV-GUEST-INIT/ {
			getline now < "/proc/uptime"
			split(now, a, " ")
			printf "%.0f\n", (a[1] - t0) * 1000 > mark
			close(mark)
			seen = 1
		}'
}

# first_line FILE WHAT: what follows WHAT on FILE's first line that has it.
first_line() {
	grep -a -m 1 "$2" "$1" 2>/dev/null | sed "s/.*$2//"
}

# verdict NAME STATUS_OK: "ok", or why NAME's boot does not count. The marker and init's OK
# line (it saw 1 CPU), the exit status the guest's port 0xf4 write gives this VMM, and the
# kernel version and command line of khv's first boot.
verdict() {
	local f=$W/$1 st
	st=$(cat "$f.status" 2>/dev/null)
	if [ ! -s "$f.ms" ]; then
		case $st in 124 | 137)
			echo "timeout after $LIMIT s"
			return
			;;
		esac
		echo "no marker (status $st)"
	elif ! grep -aq "KHV-GUEST-OK cpus=1" "$f.out"; then
		echo "init did not see 1 CPU"
	elif [ "$st" != "$2" ]; then
		echo "status $st, not $2"
	elif [ "$(first_line "$f.out" "Linux version ")" != "$KVER" ]; then
		echo "a different kernel"
	elif [ "$(first_line "$f.out" "Command line: ")" != "$CMDLINE" ]; then
		echo "a different command line"
	else
		echo ok
	fi
}

# stats FILE: "n median min q1 q3 max" of FILE's numbers (bench_stats.c's quantiles), or "0".
stats() {
	sort -n "$1" | awk '
		{ v[n++] = $1 }
		function q(p,   pos, i) {
			pos = p * (n - 1); i = int(pos)
			return i >= n - 1 ? v[n - 1] : v[i] + (pos - i) * (v[i + 1] - v[i])
		}
		END {
			if (!n) { print 0; exit }
			printf "%d %.1f %.1f %.1f %.1f %.1f\n", n, q(0.5), v[0], q(0.25), q(0.75), v[n - 1]
		}'
}

hvctl_boot() {
	boot "$1" "$HVCTL" run --kernel "$BZ" --initrd "$INITRD" --vcpus 1 --memory "$MEM" \
		--append "$APPEND"
}

# pc (i440FX) with nothing but COM1 on stdio and the isa-debug-exit port hvctl's board has;
# -display none rather than -nographic, which turns on SeaBIOS's serial console and sends the
# kernel's real-mode BIOS calls out through COM1 as well.
qemu_boot() {
	boot "$1" "$QEMU" -L "$FW" -M pc -accel kvm -cpu host -m "$MEM" -smp 1 -nodefaults \
		-no-user-config -display none -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$BZ" -initrd "$INITRD" -append "$CMDLINE"
}

# record SIDE NAME STATUS_OK: NAME's verdict into SIDE.check (the first failure stays), its
# times into SIDE.ms and SIDE.up (the guest's own uptime at the marker, in ms).
record() {
	local v
	v=$(verdict "$2" "$3")
	echo "#   $1 boot ${2##*.}: $(cat "$W/$2.ms" 2>/dev/null || echo -) ms, $v"
	if [ "$v" != ok ]; then
		[ -s "$W/$1.check" ] || echo "$v" > "$W/$1.check"
		# The guest kernel's first report (its cause is at its top), then how the console ended.
		awk '/(BUG:|Oops|general protection|invalid opcode|Kernel panic|WARNING:)/ && !n { n = 1 }
			n && n++ <= 40' "$W/$2.out" 2>/dev/null | sed "s/^/#   $1 report: /"
		echo "#   $1 console lines: $(grep -ac '' "$W/$2.out" 2>/dev/null), boots: $(grep -ac 'Linux version ' "$W/$2.out" 2>/dev/null)"
		tail -n 5 "$W/$2.out" 2>/dev/null | sed "s/^/#   $1 console: /"
		head -c 300 "$W/$2.err" 2>/dev/null | tr -d '\000' | sed "s/^/#   $1 stderr: /"
		return
	fi
	cat "$W/$2.ms" >> "$W/$1.ms"
	first_line "$W/$2.out" "KHV-GUEST-INIT up " |
		awk '{ printf "%.0f\n", $1 * 1000 }' >> "$W/$1.up"
}

# cell SIDE: khv_bench's table cell (bench_out.c): FAILED, "-" or "median [min, max]".
cell() {
	local side=$1
	set -- $(stats "$W/$side.ms")
	if [ -s "$W/$side.check" ]; then
		echo FAILED
	elif [ "$1" = 0 ]; then
		echo -
	else
		printf "%.0f [%.0f, %.0f]" "$2" "$3" "$6"
	fi
}

# json_side SIDE: bench_out.c's object for a side, with the guest's own uptime at the marker.
json_side() {
	local check
	check=$(cat "$W/$1.check" 2>/dev/null)
	printf '{"check":"%s"' "${check:-ok}"
	set -- "$1" $(stats "$W/$1.ms")
	[ "$2" = 0 ] ||
		printf ',"n":%s,"median":%s,"min":%s,"q1":%s,"q3":%s,"max":%s' "$2" "$3" "$4" "$5" "$6" "$7"
	set -- $(stats "$W/$1.up")
	[ "$1" = 0 ] || printf ',"guest_uptime_ms":{"n":%s,"median":%s,"min":%s,"max":%s}' "$1" "$2" "$3" "$6"
	printf '}'
}

: > "$W/khv.ms"
: > "$W/kvm.ms"
: > "$W/khv.up"
: > "$W/kvm.up"
KVER=
CMDLINE=$APPEND
i=1
while [ "$i" -le "$BOOTS" ]; do
	hvctl_boot "khv.$i"
	# khv's first boot sets the kernel and command line every other boot must show.
	if [ "$i" = 1 ]; then
		KVER=$(first_line "$W/khv.1.out" "Linux version ")
		c=$(first_line "$W/khv.1.out" "Command line: ")
		[ -n "$c" ] && CMDLINE=$c
	fi
	record khv "khv.$i" 0
	# A side that failed once has its FAILED cell: booting it again would only add its bound.
	if [ ! -s "$W/kvm.check" ]; then
		qemu_boot "kvm.$i"
		[ -n "$KVER" ] || KVER=$(first_line "$W/kvm.$i.out" "Linux version ")
		# isa-debug-exit: QEMU exits with (value << 1) | 1, and init writes 0.
		record kvm "kvm.$i" 1
	fi
	i=$((i + 1))
done

ratio=null
r=-
kc=$(cell khv)
qc=$(cell kvm)
case $kc$qc in *FAILED* | *-*) ;; *)
	set -- $(stats "$W/khv.ms")
	k=$2
	set -- $(stats "$W/kvm.ms")
	ratio=$(awk -v a="$k" -v b="$2" 'BEGIN { printf "%.4f", a / b }')
	r=$(awk -v a="$k" -v b="$2" 'BEGIN { printf "%.3f", a / b }')
	;;
esac
echo "# linux_boot: Linux ${KVER%% *} on 1 vCPU, $MEM, $BOOTS boots each; command line: $CMDLINE"
echo "# linux_boot: khv: hvctl run --kernel (no firmware); KVM: QEMU -M pc -accel kvm -cpu host (SeaBIOS first)"
printf "%-19s %-9s %-30s %-30s %s\n" linux_boot ms "$kc" "$qc" "$r"
for s in khv kvm; do
	set -- $(stats "$W/$s.up")
	[ "$1" = 0 ] || printf "#   %s: the guest's uptime at the marker: median %.0f ms [%.0f, %.0f]\n" "$s" "$2" "$3" "$6"
done
printf 'KHV-BENCH-JSON: {"workload":"linux_boot","unit":"ms","vendor":"%s","iterations":1,"batches":%s,' \
	"$VENDOR" "$BOOTS"
printf '"kernel":"%s","khv":%s,"kvm":%s,"ratio":%s}\n' "$(echo "$KVER" | cut -d' ' -f1 | tr -d '"\134')" \
	"$(json_side khv)" "$(json_side kvm)" "$ratio"
[ ! -s "$W/khv.check" ]
