#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
# /init of khv's emulated hosts (busybox sh). Reads its plan from the kernel command line:
#   khv.plan=check|demo|fuzz|bench  what to run (default: check)
#   khv.vendor=amd|intel    which KVM peer the word "kvm" means in khv.preload (default: from /proc/cpuinfo)
#   khv.preload=a,b         modules loaded before khv (names for modprobe, or .ko paths); /khv/preload adds more
#   khv.ksft_timeout=SECS   bound on the whole kselftest run (default 1800)
#   khv.ksft_only=a,b       run only these kselftests of the khv collection (a developer's quick loop)
#   khv.args=a=1,b=2        module parameters for khv.ko
#   khv.fuzz_seconds=N      fuzz plan: the time budget of all three fuzzers together (default 600)
#   khv.fuzz_seed=S         fuzz plan: the seed (default: the time)
#   khv.fuzz_args=a,b       fuzz plan: more khv_fuzz options (e.g. --verbose)
#   khv.fuzz_only=NAME      fuzz plan: only this fuzzer (abi, nl or guest), with all the time
#   khv.bench_args=a,b      bench plan: khv_bench options (e.g. --iterations,100)
#   khv.bench_timeout=SECS  bench plan: bound on khv_bench (default 7200)
#   khv.bench_mitig=1       bench plan: then the exit workloads again without each mitigation
#   khv.boot_bench=N        bench plan: then /khv/boot_bench.sh boots Linux N times under hvctl run
#                           and under QEMU with KVM (default 0: not)
#   khv.boot_timeout=SECS   bench plan: bound on each of those boots (default 300)
#   khv.env=KHV_A=1,KHV_B=2 variables for the tests (only KHV_* names), e.g. KHV_LINUX_BOOT_TIMEOUT;
#                           KHV_KSFT_OVERRIDE_TIMEOUT replaces the kselftests' per-binary timeout
# Markers on the console, "KHV-RIG: <what>", let scripts/rig/report.py cut the log into sections.
# Markers about kernel output go through /dev/kmsg (ordered with printk); markers about user-space
# output go to the console tty (ordered with the tests' TAP lines).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

PLAN=check
VENDOR=
PRELOAD=
KSFT_TIMEOUT=1800
KSFT_ONLY=
KHV_ARGS=
FUZZ_SECONDS=600
FUZZ_SEED=
FUZZ_ARGS=
FUZZ_ONLY=
BENCH_ARGS=
BENCH_TIMEOUT=7200
BENCH_MITIG=0
BOOT_BENCH=0
BOOT_TIMEOUT=300
MOD_TIMEOUT=600
KMEMLEAK=/sys/kernel/debug/kmemleak

setup() {
	mkdir -p /proc /sys /dev /tmp /run /root
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /run
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	# devtmpfs lacks what udev would add; the kselftest runner writes to /dev/stdout.
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	exec </dev/null >/dev/console 2>&1
	# Every printk reaches the serial console, and user-space markers are never rate limited.
	dmesg -n 8
	echo on > /proc/sys/kernel/printk_devkmsg 2>/dev/null
	hostname khv-rig
}

# tmark: a marker on the console tty; kmark: a marker in the kernel log.
tmark() { echo "KHV-RIG: $*"; }
kmark() { echo "<5>KHV-RIG: $*" > /dev/kmsg 2>/dev/null || tmark "$*"; }

# set_env K=V,K=V: export each; a name that is not KHV_[A-Z0-9_]* is refused.
set_env() {
	local kv
	for kv in $(echo "$1" | tr , ' '); do
		case ${kv%%=*} in
		*[!A-Z0-9_]* | KHV_) tmark "khv.env: $kv refused" ;;
		KHV_*) export "${kv?}" ;;
		*) tmark "khv.env: $kv refused" ;;
		esac
	done
}

read_cmdline() {
	local w
	# shellcheck disable=SC2013
	for w in $(cat /proc/cmdline); do
		case $w in
		khv.plan=*) PLAN=${w#khv.plan=} ;;
		khv.vendor=*) VENDOR=${w#khv.vendor=} ;;
		khv.preload=*) PRELOAD="$PRELOAD $(echo "${w#khv.preload=}" | tr , ' ')" ;;
		khv.ksft_timeout=*) KSFT_TIMEOUT=${w#khv.ksft_timeout=} ;;
		khv.ksft_only=*) KSFT_ONLY=$(echo "${w#khv.ksft_only=}" | tr , ' ') ;;
		khv.args=*) KHV_ARGS=$(echo "${w#khv.args=}" | tr , ' ') ;;
		khv.fuzz_seconds=*) FUZZ_SECONDS=${w#khv.fuzz_seconds=} ;;
		khv.fuzz_seed=*) FUZZ_SEED=${w#khv.fuzz_seed=} ;;
		khv.fuzz_args=*) FUZZ_ARGS=$(echo "${w#khv.fuzz_args=}" | tr , ' ') ;;
		khv.fuzz_only=*) FUZZ_ONLY=${w#khv.fuzz_only=} ;;
		khv.bench_args=*) BENCH_ARGS=$(echo "${w#khv.bench_args=}" | tr , ' ') ;;
		khv.bench_timeout=*) BENCH_TIMEOUT=${w#khv.bench_timeout=} ;;
		khv.bench_mitig=*) BENCH_MITIG=${w#khv.bench_mitig=} ;;
		khv.boot_bench=*) BOOT_BENCH=${w#khv.boot_bench=} ;;
		khv.boot_timeout=*) BOOT_TIMEOUT=${w#khv.boot_timeout=} ;;
		khv.env=*) set_env "${w#khv.env=}" ;;
		esac
	done
	if [ -z "$VENDOR" ]; then
		if grep -qw svm /proc/cpuinfo; then VENDOR=amd; else VENDOR=intel; fi
	fi
	[ -r /khv/preload ] && PRELOAD="$PRELOAD $(grep -v '^#' /khv/preload)"
	export KHV_VENDOR="$VENDOR"
}

describe_host() {
	local f flags=
	for f in vmx svm ept npt vpid unrestricted_guest nrip_save; do
		grep -qw $f /proc/cpuinfo && flags="$flags$f "
	done
	tmark "host kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) vendor=$VENDOR flags=[ $flags] plan=$PLAN"
}

# load_module NAME|PATH [ARGS...]: modprobe a name, insmod a path; bounded in time.
load_module() {
	local m=$1 rc
	shift
	case $m in
	kvm) [ "$VENDOR" = amd ] && m=kvm_amd || m=kvm_intel ;;
	esac
	case $m in
	*.ko) timeout -s KILL "$MOD_TIMEOUT" insmod "$m" "$@" ;;
	*) timeout -s KILL "$MOD_TIMEOUT" modprobe "$m" "$@" ;;
	esac
	rc=$?
	kmark "load $m rc=$rc"
	return $rc
}

preload() {
	local m
	for m in $PRELOAD; do
		load_module "$m"
	done
}

kmemleak() {
	[ -w $KMEMLEAK ] && echo "$1" > $KMEMLEAK 2>/dev/null
}

# The KUnit module may stand alone or need khv's symbols: load it before or after khv accordingly.
kunit_needs_khv() {
	strings /khv/khv_kunit.ko | sed -n 's/^depends=//p' | tr , '\n' | grep -qx khv
}

load_kunit() {
	[ -f /khv/khv_kunit.ko ] || return 0
	timeout -s KILL "$MOD_TIMEOUT" insmod /khv/khv_kunit.ko
	kmark "load khv_kunit rc=$?"
}

load_khv() {
	local rc
	if [ ! -f /khv/khv.ko ]; then
		kmark "khv load failed: /khv/khv.ko missing"
		return 1
	fi
	# shellcheck disable=SC2086
	timeout -s KILL "$MOD_TIMEOUT" insmod /khv/khv.ko $KHV_ARGS
	rc=$?
	if [ $rc -eq 0 ]; then
		kmark "khv loaded"
	else
		kmark "khv load failed rc=$rc"
	fi
	return $rc
}

run_kunit_and_load_khv() {
	local after=0
	kmark "kunit begin"
	if [ -f /khv/khv_kunit.ko ] && kunit_needs_khv; then
		after=1
	else
		load_kunit
	fi
	load_khv
	[ $after -eq 1 ] && load_kunit
	kmark "kunit end"
}

run_kselftests() {
	local rc n0 t sel=
	if [ ! -x /khv/selftests/run_kselftest.sh ]; then
		tmark "kselftest missing"
		return
	fi
	# Kernel lines cut into the tests' TAP lines on the shared serial port: while the tests run,
	# only warnings and worse (every kernel report) go to the console; the rest follows afterwards.
	n0=$(dmesg | wc -l)
	dmesg -n 5
	for t in $KSFT_ONLY; do
		sel="$sel -t khv:$t"
	done
	tmark "kselftest begin"
	[ -n "${KHV_KSFT_OVERRIDE_TIMEOUT:-}" ] && sel="$sel -o $KHV_KSFT_OVERRIDE_TIMEOUT"
	# shellcheck disable=SC2086 # $sel is a list of options
	(cd /khv/selftests && timeout -s KILL "$KSFT_TIMEOUT" ./run_kselftest.sh $sel </dev/null)
	rc=$?
	tmark "kselftest end rc=$rc"
	dmesg -n 8
	dmesg | tail -n +$((n0 + 1)) | sed 's/^/dmesg: /'
}

unload_all() {
	local m rc
	for m in khv_kunit khv; do
		grep -q "^$m " /proc/modules || continue
		# kmemleak scans after the unload: these let its backtraces be resolved by hand.
		kmark "module $m .text=$(cat /sys/module/$m/sections/.text 2>/dev/null)"
		timeout -s KILL "$MOD_TIMEOUT" rmmod "$m"
		rc=$?
		if [ $rc -eq 0 ]; then
			kmark "unload $m ok"
		else
			kmark "unload $m failed rc=$rc"
		fi
	done
}

# kmemleak reports an object only when it is older than 5 s and unchanged across two scans.
scan_leaks() {
	# kmemleak=off still leaves its file: do not pay the sleeps for nothing
	# (a second of guest time costs Bochs about a minute).
	if [ ! -w $KMEMLEAK ] || grep -qw kmemleak=off /proc/cmdline; then
		tmark "kmemleak unavailable"
		return
	fi
	sleep 6
	kmemleak scan
	sleep 2
	kmemleak scan
	tmark "kmemleak begin"
	cat $KMEMLEAK
	tmark "kmemleak end"
}

plan_check() {
	preload
	kmemleak clear
	kmark "gate"
	run_kunit_and_load_khv
	run_kselftests
	unload_all
	scan_leaks
}

plan_demo() {
	preload
	tmark "demo: loading khv"
	load_khv
	dmesg | grep -i khv
	for f in /sys/kernel/debug/khv/*; do
		# Not the write-only ones (iommu_fault): root may open them, not read them.
		[ -f "$f" ] && ls -l "$f" | grep -q '^-r' || continue
		echo "--- $f"
		cat "$f"
	done
	if [ -x /khv/demo.sh ]; then
		tmark "demo: running /khv/demo.sh"
		timeout -s KILL "$KSFT_TIMEOUT" /khv/demo.sh
	fi
	tmark "demo: unloading khv"
	unload_all
	dmesg | grep -i khv | tail -n 5
}

# make fuzz (Documentation/fuzzing.rst): khv_fuzz's three fuzzers one after the other, the guest
# fuzzer with half of the time; kernel reports go to the console as they happen.
plan_fuzz() {
	local f=/khv/selftests/khv/khv_fuzz seed=${FUZZ_SEED:-$(date +%s)} name share
	preload
	kmemleak clear
	load_khv || return
	if [ ! -x $f ]; then
		tmark "fuzz: $f missing"
		unload_all
		return
	fi
	dmesg -n 5
	for name in ${FUZZ_ONLY:-abi nl guest}; do
		share=$((FUZZ_SECONDS / 4))
		[ "$name" = guest ] && share=$((FUZZ_SECONDS / 2))
		[ -n "$FUZZ_ONLY" ] && share=$FUZZ_SECONDS
		tmark "fuzz begin $name seed=$seed seconds=$share"
		# shellcheck disable=SC2086 # a list of options
		timeout -s KILL $((share + 600)) $f $name --seed "$seed" --seconds "$share" $FUZZ_ARGS
		tmark "fuzz end $name rc=$?"
	done
	dmesg -n 8
	unload_all
	scan_leaks
}

# make bench (Documentation/performance.md): KVM's vendor module first (khv.preload: it turns
# VMX/SVM on at load and keeps it on), then khv, which shares it with KVM; khv_bench runs the same
# guests under both. Meanwhile only the kernel's warnings and worse reach the console (its
# reports): one line on the serial console costs the emulated host more than thousands of exits.
# Each workload's JSON line follows its row of the table, prefixed "KHV-BENCH-JSON: " for
# scripts/bench.sh. With khv.boot_bench=N, the linux_boot workload follows (boot_bench.sh: the
# same row and line); the status is khv_bench's, else boot_bench.sh's.
plan_bench() {
	local f=/khv/selftests/khv/khv_bench rc brc
	preload
	load_khv || return
	if [ ! -x $f ]; then
		tmark "bench: $f missing"
		unload_all
		return
	fi
	tmark "bench begin modules=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	dmesg -n 5
	# shellcheck disable=SC2086 # a list of options
	timeout -s KILL "$BENCH_TIMEOUT" $f --json - $BENCH_ARGS
	rc=$?
	if [ "$BOOT_BENCH" -gt 0 ] 2>/dev/null; then
		timeout -s KILL $((2 * BOOT_BENCH * BOOT_TIMEOUT + 60)) sh /khv/boot_bench.sh \
			--boots "$BOOT_BENCH" --timeout "$BOOT_TIMEOUT"
		brc=$?
		[ $rc -ne 0 ] || rc=$brc
	fi
	dmesg -n 8
	tmark "bench end rc=$rc"
	if [ "$BENCH_MITIG" = 1 ]; then
		bench_mitig "$f"
	fi
	unload_all
}

# make bench BENCH_MITIG=1 (Documentation/performance.md, "What the mitigations cost"): the exit
# workloads under khv alone, with every mitigation this host asks for (off=none), then with khv
# reloaded without one of them (khv.mitigations_off) for each in turn. KVM's module stays loaded,
# as in the run above. Between "KHV-RIG: mitig begin off=X" and "mitig end" markers, which
# scripts/rig/mitig_report.py reads.
MITIG_WORKLOADS=null_exit,cpuid,hypercall,pio_user
bench_mitig() {
	local f=$1 names m args=$KHV_ARGS
	names=$(awk '$2 == "on" { print $1 }' /sys/kernel/debug/khv/mitigations 2>/dev/null |
		tr '\n' ' ')
	tmark "mitig active=[ $names]"
	if [ -z "$names" ]; then
		tmark "mitig none active"
		return
	fi
	bench_mitig_run none "$f"
	for m in $names; do
		unload_all
		KHV_ARGS="$args mitigations_off=$m"
		load_khv || continue
		bench_mitig_run "$m" "$f"
	done
	KHV_ARGS=$args
}

# bench_mitig_run OFF KHV_BENCH: one pass over the exit workloads, khv's mitigations but OFF.
bench_mitig_run() {
	local rc
	tmark "mitig begin off=$1"
	dmesg -n 5
	# shellcheck disable=SC2086 # a list of options; ours come last and win
	timeout -s KILL "$BENCH_TIMEOUT" $2 $BENCH_ARGS --khv-only --only $MITIG_WORKLOADS --json -
	rc=$?
	dmesg -n 8
	tmark "mitig end off=$1 rc=$rc"
}

finish() {
	tmark "done"
	sync
	sleep 1
	poweroff -f
	# poweroff should not return; if it does, let the runner's timeout end the run.
	sleep 100000
}

setup
read_cmdline
tmark "start"
describe_host
case $PLAN in
check) plan_check ;;
demo) plan_demo ;;
fuzz) plan_fuzz ;;
bench) plan_bench ;;
*) tmark "unknown plan $PLAN" ;;
esac
finish
