#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make check: KUnit + kselftests in the three emulated hosts, and the compat builds.
#   bochs-vmx  Bochs, Intel VMX + EPT, the light kernel (6.12 without KASAN, lockdep, UBSAN or
#              kmemleak: Bochs runs guest code about a hundred times slower than the machine; the
#              QEMU host has them all) -- started first, in the background; the suspend test skips
#              (Bochs hangs in S3 with or without khv). One CPU: Bochs emulates an idle CPU of an
#              SMP machine instruction by instruction, so two CPUs made every sleeping test cost
#              minutes of wall time (khv_mgmt_test: 6 min on one CPU, over 25 on two).
#   bochs-vmx-smp  the same with two CPUs and the same module build, started in the background
#              once qemu-svm is done: khv_virt_test only (CPU hotplug, KVM beside khv on CPUs 0
#              and 1), the tests that skip on one CPU and need VMX; no KUnit
#   qemu-svm   QEMU, AMD SVM + NPT, the debug kernel (6.12, KASAN, lockdep, kmemleak, UBSAN), its two
#              CPUs the SMT threads of one core
#   qemu-7.3   QEMU, AMD SVM + NPT, Debian's stock 7.3 kernel with its own kvm_amd loaded
#   compat     scripts/compat.sh build (TAP)
#   spec       scripts/netlink-spec-check.sh (TAP)
#   mitig      scripts/mitigations-check.sh (TAP): khv's entry code against KVM's mitigations
#   vmm        make -C tools/hvctl check (TAP): hvctl run's VMM parts, unit-tested on this machine
# Progress goes to stderr; results to stdout, ending with one line "N passed, N failed, N skipped".
# Everything is kept in $KHV_OUT (default $KHV_TOP/.rig-out).
# Environment: KHV_HOSTS (default "bochs-vmx bochs-vmx-smp qemu-svm qemu-7.3 compat spec mitig vmm"), KHV_PRELOAD_<host> (modules
#   loaded before khv, e.g. KHV_PRELOAD_qemu_svm=kvm), KHV_KSFT_ONLY (a developer's quick loop: only
#   these kselftests, comma-separated, e.g. khv_mgmt_test,hvctl_scenario.sh), KHV_LINUX_BOOT=0 (the
#   QEMU hosts' hvctl_scenario.sh does not boot Debian's stock 7.3 kernel on 2 vCPUs under hvctl run --kernel), and the runners'
#   KHV_QEMU_* / KHV_BOCHS_* knobs.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

OUT=${KHV_OUT:-$KHV_TOP/.rig-out}
HOSTS=${KHV_HOSTS:-bochs-vmx bochs-vmx-smp qemu-svm qemu-7.3 compat spec mitig vmm}
RIG=$KHV_TOP/scripts/rig
COUNTS=$OUT/counts
RESULTS=$OUT/results.txt
T0=$(date +%s)

# make check-long (KHV_LONG=1): what does not fit into make check's budget, alone: Debian's kernel
# booting on 2 vCPUs under hvctl run in the Bochs host (hvctl_scenario.sh's test 40; hours of wall
# time). Bochs only, hvctl_scenario.sh only, no KUnit; KHV_LONG_SECONDS (default 21600) bounds the
# boot inside the host and, with half an hour more, Bochs itself.
LONG_ARGS=()
if [ "${KHV_LONG:-0}" = 1 ]; then
	HOSTS=${KHV_HOSTS:-bochs-vmx}
	KHV_KSFT_ONLY=${KHV_KSFT_ONLY:-hvctl_scenario.sh}
	KHV_PAYLOAD_NO_KUNIT=1
	long=${KHV_LONG_SECONDS:-21600}
	[[ $long =~ ^[1-9][0-9]*$ ]] || die "KHV_LONG_SECONDS must be a positive number of seconds"
	export KHV_BOCHS_TIMEOUT=${KHV_BOCHS_TIMEOUT:-$((long + 1800))}
	# shellcheck disable=SC2054 # khv.env's value is a comma-separated list
	LONG_ARGS=(khv.ksft_timeout="$long"
		   khv.env=KHV_LINUX_BOOT_TIMEOUT="$long",KHV_KSFT_OVERRIDE_TIMEOUT="$long")
fi

want() { case " $HOSTS " in *" $1 "*) return 0 ;; esac; return 1; }
elapsed() { echo "$(( ($(date +%s) - T0) / 60 ))m$(( ($(date +%s) - T0) % 60 ))s"; }
step() { log "[$(elapsed)] $*"; }

# fail NAME WHY: a failed result of the rig itself (a build that broke, a host that could not run).
fail() {
	{
		echo "# $1"
		echo "not ok $1 # $2"
	} >> "$OUT/rig-failures.txt"
	echo "KHV-COUNTS ${1// /_} 0 1 0" >> "$COUNTS"
	log "FAILED: $1: $2"
}

prepare_out() {
	mkdir -p "$OUT"
	rm -rf "${OUT:?}"/*
	: > "$COUNTS"
	: > "$OUT/rig-failures.txt"
}

# kernel FLAVOUR: build (or find cached) a rig kernel; prints its directory.
kernel() {
	local dir
	# kernel.sh rebuilds into a fresh directory: never let two runs build the same kernel at once.
	dir=$(flock "$KHV_CACHE/kernel-$1.lock" bash "$RIG/kernel.sh" "$1") || return 1
	# The selftests need the kernel's uapi headers (linux/kvm.h ...).
	if [ ! -e "$dir/usr/include/.khv-headers" ]; then
		if make -s -C "$dir" headers >/dev/null 2>&1; then
			touch "$dir/usr/include/.khv-headers"
		fi
	fi
	echo "$dir"
}

# build_khv NAME KDIR [MAKE ARGS...]: build the module out of a scratch copy of the tree; prints the copy.
build_khv() {
	local name=$1 kdir=$2 dir=$KHV_BUILD/$1
	shift 2
	mkdir -p "$dir"
	rsync -a --delete --exclude .git --exclude /.rig-out \
		--exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod' --exclude '*.mod.c' \
		--exclude Module.symvers --exclude modules.order \
		"$KHV_TOP/" "$dir/"
	if ! make -C "$dir" KDIR="$kdir" "$@" modules > "$OUT/build-$name.log" 2>&1; then
		tail -n 30 "$OUT/build-$name.log" >&2
		return 1
	fi
	echo "$dir"
}

# build_selftests KDIR: build and install the kselftests once (static binaries serve every host).
build_selftests() {
	local kdir=$1 dir=$KHV_BUILD/selftests inst=$OUT/selftests-install
	mkdir -p "$dir"
	rsync -a --delete --exclude .git --exclude /.rig-out "$KHV_TOP/" "$dir/"
	rm -rf "$inst"
	if ! { make -C "$dir/selftests" clean && make -C "$dir/selftests" KHV_CACHE="$KHV_CACHE" KHDR_INCLUDES="-isystem $kdir/usr/include" &&
	       make -C "$dir/selftests" install KHV_CACHE="$KHV_CACHE" INSTALL_PATH="$inst" \
			KHDR_INCLUDES="-isystem $kdir/usr/include"; } \
	       > "$OUT/build-selftests.log" 2>&1; then
		tail -n 30 "$OUT/build-selftests.log" >&2
		return 1
	fi
}

# build_hvctl: the tool, when the tree has it (statically linked if its Makefile can).
build_hvctl() {
	local dir=$KHV_BUILD/selftests
	[ -f "$KHV_TOP/tools/hvctl/Makefile" ] || return 0
	make -C "$dir/tools/hvctl" > "$OUT/build-hvctl.log" 2>&1 || { tail -n 30 "$OUT/build-hvctl.log" >&2; return 1; }
}

# payload HOST MODDIR: assemble what goes to /khv for a host from a module build copy.
payload() {
	local host=$1 moddir=$2 p=$OUT/$1/payload var
	rm -rf "$p"
	mkdir -p "$p"
	cp "$(find "$moddir" -name khv.ko -not -path '*/.tmp*' | head -n 1)" "$p/"
	[ -n "${KHV_PAYLOAD_NO_KUNIT:-}" ] ||
		find "$moddir" -name khv_kunit.ko | head -n 1 | xargs -r -I{} cp {} "$p/"
	[ -d "$OUT/selftests-install" ] && cp -a "$OUT/selftests-install" "$p/selftests"
	[ -x "$KHV_BUILD/selftests/tools/hvctl/hvctl" ] && cp "$KHV_BUILD/selftests/tools/hvctl/hvctl" "$p/"
	# Debian's stock 7.3 kernel and a busybox initramfs (guest-linux.sh), for hvctl run --kernel
	# --vcpus 2 (hvctl_scenario.sh): on the QEMU hosts, where booting it nested takes minutes;
	# in Bochs, where it takes hours, only for make check-long (KHV_LONG=1). KHV_LINUX_BOOT=0
	# leaves it out (a developer's quick loop).
	case $host:${KHV_LONG:-0}:${KHV_LINUX_BOOT:-1} in
	qemu-*:*:1 | bochs-*:1:1)
		bash "$RIG/guest-linux.sh" "$p" 2>>"$OUT/stock73.log" ||
			log "$host: no Linux guest for hvctl run --kernel (see $OUT/stock73.log)" ;;
	esac
	var=KHV_PRELOAD_${host//[-.]/_}
	[ -n "${!var:-}" ] && echo "${!var}" | tr ', ' '\n' > "$p/preload"
	# A caller's additions (scripts/bench.sh: the linux_boot workload's files).
	[ -z "${KHV_PAYLOAD_HOOK:-}" ] || "$KHV_PAYLOAD_HOOK" "$host" "$p"
}

# expect HOST: the suites a host's log must have results for.
expect() {
	local p=$OUT/$1/payload e=
	[ -f "$p/khv_kunit.ko" ] && e=kunit
	[ -d "$p/selftests" ] && e=${e:+$e,}kselftest
	echo "$e"
}

# prepare_host HOST KERNEL_MODDIR MODULE_BUILD [EXTRA_MODULES...]: payload + initramfs.
prepare_host() {
	local host=$1 kmods=$2 build=$3
	shift 3
	payload "$host" "$build"
	bash "$RIG/initramfs.sh" "$kmods" "$OUT/$host/payload" "$OUT/$host/initrd.gz" "$@" 2>>"$OUT/$host/initramfs.log"
}

report() {
	local host=$1
	python3 "$RIG/report.py" "$OUT/$host/serial.log" "$host" --expect "$(expect "$host")" --counts "$COUNTS" \
		> "$OUT/$host/results.txt"
	step "$host: $(tail -n 1 "$OUT/$host/results.txt" | sed 's/^# host //')"
}

# ---------------------------------------------------------------- the hosts

# rig_host HOST FLAVOUR [BUILD]: the rig kernel FLAVOUR (kernel.sh), khv built against it (in the
# build copy BUILD, default HOST: hosts on the same kernel share one) and HOST's initramfs. Sets
# $KERNEL; records a rig failure and returns 1 when something does not build.
rig_host() {
	local host=$1 flavour=$2 build=${3:-$1} b compress=gzip
	step "$host: $flavour kernel"
	KERNEL=$(kernel "$flavour") || { fail "host $host" "$flavour kernel build failed"; return 1; }
	step "$host: building khv"
	b=$(build_khv "$build" "$KERNEL") ||
		{ fail "host $host" "khv does not build against the $flavour kernel (see $OUT/build-$host.log)"; return 1; }
	mkdir -p "$OUT/$host"
	# The light kernel unpacks zstd several times faster than gzip: it counts in Bochs.
	[ "$flavour" = light ] && compress=zstd
	KHV_INITRD_COMPRESS=$compress prepare_host "$host" "$(echo "$KERNEL"/mod-install/lib/modules/*)" "$b" ||
		{ fail "host $host" "initramfs failed"; return 1; }
}

# boot_cmd HOST RUNNER IMAGE APPEND...: sets BOOT to the command that runs HOST's initramfs in an
# emulator (RUNNER: qemu.sh or bochs.sh) on the kernel IMAGE with the check plan, the console going
# to $OUT/HOST/serial.log, and BOOT_LOG to where the runner's own output goes. A command rather
# than a function, so that a background run's $! is the runner itself, which cleanup() can stop.
boot_cmd() {
	local host=$1 runner=$2 image=$3
	shift 3
	BOOT=(bash "$RIG/$runner" "$image" "$OUT/$host/initrd.gz" "$OUT/$host/serial.log" khv.plan=check
	      ${KHV_KSFT_ONLY:+khv.ksft_only=$KHV_KSFT_ONLY} "$@")
	BOOT_LOG=$OUT/$host/runner.log
}

# The Bochs hosts run in the background (Bochs is single-threaded and slow) while the others
# run in the foreground: BG_PID[host] is a background host's runner.
declare -A BG_PID=()

# finish_bg HOST: wait for a background host, then report it.
finish_bg() {
	[ -n "${BG_PID[$1]:-}" ] || return 0
	step "$1: waiting for Bochs"
	wait "${BG_PID[$1]}" || true
	unset "BG_PID[$1]"
	report "$1"
}

start_bochs_vmx() {
	rig_host bochs-vmx light || return 0
	step "bochs-vmx: booting Bochs in the background (several minutes)"
	boot_cmd bochs-vmx bochs.sh "$KERNEL/arch/x86/boot/bzImage" khv.vendor=intel khv.nosuspend \
		"${LONG_ARGS[@]}"
	KHV_BOCHS_CPUS=${KHV_BOCHS_CPUS:-1} "${BOOT[@]}" > "$BOOT_LOG" 2>&1 &
	BG_PID[bochs-vmx]=$!
}

# Two CPUs, khv_virt_test only (unless KHV_KSFT_ONLY leaves it out), without KUnit; the same
# module build as bochs-vmx (same kernel). idle=halt: with Linux's MWAIT idle, 3 boots in 10 of
# two Bochs CPUs stalled for good (seen at a modprobe kvm_intel and at boot, khv holding no
# VM): Bochs's debugger found both CPUs at mwait_idle()'s MWAIT with interrupts on, 494 s of guest
# time after the last console line, and neither the hung-task nor the RCU stall detector had
# woken: no timer interrupt ended the MWAIT. With HLT as the idle instruction, 0 stalls in 6 runs.
start_bochs_vmx_smp() {
	case ",${KHV_KSFT_ONLY:-khv_virt_test}," in *,khv_virt_test,*) ;; *) return 0 ;; esac
	KHV_PAYLOAD_NO_KUNIT=1 rig_host bochs-vmx-smp light bochs-vmx || return 0
	step "bochs-vmx-smp: booting Bochs with two CPUs in the background"
	KHV_KSFT_ONLY=khv_virt_test boot_cmd bochs-vmx-smp bochs.sh "$KERNEL/arch/x86/boot/bzImage" \
		khv.vendor=intel khv.nosuspend idle=halt
	KHV_BOCHS_CPUS=2 "${BOOT[@]}" > "$BOOT_LOG" 2>&1 &
	BG_PID[bochs-vmx-smp]=$!
}

run_qemu_svm() {
	rig_host qemu-svm debug || return 0
	step "qemu-svm: booting QEMU"
	# init_on_free=1: a page freed while a guest could still reach it reads as zeroes there
	# (khv_guest_test's region_failing_part_way_leaves_no_translation looks for them).
	boot_cmd qemu-svm qemu.sh "$KERNEL/arch/x86/boot/bzImage" khv.vendor=amd init_on_free=1
	# Two CPUs as the two threads of one core: SMT, so that core scheduling exists and
	# hvctl_scenario.sh sees hvctl run's threads share one cookie. AMD's IOMMU and the edu device
	# for khv_iommu_test (device assignment; AMD-Vi reports DMA faults to the domain's owner).
	KHV_QEMU_SMP=${KHV_QEMU_SMP:-2,sockets=1,cores=1,threads=2} KHV_QEMU_IOMMU=${KHV_QEMU_IOMMU:-amd} \
		"${BOOT[@]}" > "$BOOT_LOG" 2>&1 || true
	report qemu-svm
}

run_qemu_73() {
	local line kdir rel stock vmlinuz kmods b
	step "qemu-7.3: preparing the 7.3 headers"
	line=$(bash "$KHV_TOP/scripts/compat.sh" prepare 7.3 2>"$OUT/compat-prepare.log" | awk '$1 == "7.3"') ||
		true
	read -r _ kdir rel <<< "$line"
	[ -n "${kdir:-}" ] || { fail "host qemu-7.3" "no 7.3 tree from compat.sh prepare (see $OUT/compat-prepare.log)"; return; }
	[ -r "$KHV_TOP/scripts/rig/stock73.sh" ] || { fail "host qemu-7.3" "scripts/rig/stock73.sh missing"; return; }
	stock=$(bash "$KHV_TOP/scripts/rig/stock73.sh" 2>"$OUT/stock73.log" | tail -n 1) ||
		{ fail "host qemu-7.3" "stock 7.3 kernel unavailable (see $OUT/stock73.log)"; return; }
	read -r vmlinuz kmods <<< "$stock"
	step "qemu-7.3: building khv against $rel"
	b=$(build_khv qemu-7.3 "$kdir" KERNELRELEASE="$rel") ||
		{ fail "host qemu-7.3" "khv does not build against 7.3 (see $OUT/build-qemu-7.3.log)"; return; }
	mkdir -p "$OUT/qemu-7.3"
	[ -n "${KHV_PRELOAD_qemu_7_3:-}" ] || KHV_PRELOAD_qemu_7_3=kvm
	prepare_host qemu-7.3 "$kmods" "$b" ccp msr cpuid pci-stub || { fail "host qemu-7.3" "initramfs failed"; return; }
	step "qemu-7.3: booting QEMU on the stock kernel"
	boot_cmd qemu-7.3 qemu.sh "$vmlinuz" khv.vendor=amd
	# Intel's IOMMU (VT-d) and the edu device, with pci-stub for khv_iommu_test's host-driver cases.
	KHV_QEMU_IOMMU=${KHV_QEMU_IOMMU:-intel} "${BOOT[@]}" > "$BOOT_LOG" 2>&1 || true
	report qemu-7.3
}

run_compat() {
	step "compat: building against 6.1, 6.12, 7.3"
	mkdir -p "$OUT/compat"
	bash "$KHV_TOP/scripts/compat.sh" build > "$OUT/compat/tap.txt" 2>"$OUT/compat/stderr.log" || true
	python3 "$RIG/report.py" --plain compat "$OUT/compat/tap.txt" compat --counts "$COUNTS" > "$OUT/compat/results.txt"
	step "compat: $(tail -n 1 "$OUT/compat/results.txt" | sed 's/^# host //')"
}

# compat in the background, one job and niced, from the start of the QEMU/SVM host: that host
# runs on one TCG thread and Bochs ends long before it, so a core would idle for the 4 minutes
# compat otherwise adds at the end. compat.sh locks each tree it prepares (qemu-7.3 asks for 7.3's).
start_compat() {
	(
		export KHV_JOBS=1
		renice -n 10 "$BASHPID" > /dev/null
		run_compat
	) &
	BG_PID[compat]=$!
}

finish_compat() {
	[ -n "${BG_PID[compat]:-}" ] || return 0
	wait "${BG_PID[compat]}" || true
	unset "BG_PID[compat]"
}

# The netlink spec validates against the kernel's genetlink schema and
# matches the uapi header generated from it.
run_spec() {
	step "spec: checking Documentation/netlink/specs/khv.yaml"
	mkdir -p "$OUT/spec"
	bash "$KHV_TOP/scripts/netlink-spec-check.sh" > "$OUT/spec/tap.txt" 2>"$OUT/spec/stderr.log" || true
	python3 "$RIG/report.py" --plain spec "$OUT/spec/tap.txt" spec --counts "$COUNTS" > "$OUT/spec/results.txt"
	step "spec: $(tail -n 1 "$OUT/spec/results.txt" | sed 's/^# host //')"
}

# khv's guest entry against the speculation mitigations of KVM's, in every kernel source the rig
# unpacked (after qemu-7.3 and compat, which unpack 7.3's).
run_mitig() {
	step "mitig: khv's entry code against KVM's mitigations"
	mkdir -p "$OUT/mitig"
	bash "$KHV_TOP/scripts/mitigations-check.sh" > "$OUT/mitig/tap.txt" 2>"$OUT/mitig/stderr.log" || true
	python3 "$RIG/report.py" --plain mitig "$OUT/mitig/tap.txt" mitig --counts "$COUNTS" > "$OUT/mitig/results.txt"
	step "mitig: $(tail -n 1 "$OUT/mitig/results.txt" | sed 's/^# host //')"
}

# The VMM's pure parts (boot protocol, devices) need no emulated host: built and run here.
run_vmm() {
	step "vmm: hvctl run's boot protocol and devices, unit tests"
	mkdir -p "$OUT/vmm"
	nice -n 10 make -s -C "$KHV_TOP/tools/hvctl" check > "$OUT/vmm/tap.txt" 2>"$OUT/vmm/stderr.log" || true
	python3 "$RIG/report.py" --plain vmm "$OUT/vmm/tap.txt" vmm --counts "$COUNTS" > "$OUT/vmm/results.txt"
	step "vmm: $(tail -n 1 "$OUT/vmm/results.txt" | sed 's/^# host //')"
}

# ---------------------------------------------------------------- results

summary() {
	local p f s
	{
		for h in bochs-vmx bochs-vmx-smp qemu-svm qemu-7.3 compat spec mitig vmm; do
			[ -f "$OUT/$h/results.txt" ] && cat "$OUT/$h/results.txt"
		done
		[ -s "$OUT/rig-failures.txt" ] && cat "$OUT/rig-failures.txt"
	} > "$RESULTS"
	cat "$RESULTS"
	read -r p f s < <(awk '{p += $(NF-2); f += $(NF-1); s += $NF} END {print p+0, f+0, s+0}' "$COUNTS")
	echo "# logs: $OUT (took $(elapsed))"
	echo "$p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
}

# An interrupted check must not leave Bochs running.
cleanup() {
	local pid

	for pid in "${BG_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
}

main() {
	trap cleanup EXIT
	prepare_out
	step "installing dependencies"
	bash "$KHV_TOP/scripts/deps.sh"
	if want bochs-vmx || want bochs-vmx-smp || want qemu-svm || want qemu-7.3; then
		step "building the kselftests"
		# Any rig kernel gives the uapi headers; the one built first saves time on a cold cache.
		local hk
		if want bochs-vmx || want bochs-vmx-smp; then hk=$(kernel light) || hk=; else hk=$(kernel debug) || hk=; fi
		if [ -z "$hk" ] || ! build_selftests "$hk"; then
			fail "kselftest build" "see $OUT/build-selftests.log"
		fi
		build_hvctl || fail "hvctl build" "see $OUT/build-hvctl.log"
	fi
	# Two cores: Bochs and compat beside QEMU/SVM, then the two-CPU Bochs beside the 7.3 host.
	want bochs-vmx && start_bochs_vmx
	want compat && start_compat
	want qemu-svm && run_qemu_svm
	want bochs-vmx-smp && start_bochs_vmx_smp
	want qemu-7.3 && run_qemu_73
	finish_compat
	want spec && run_spec
	want mitig && run_mitig
	want vmm && run_vmm
	finish_bg bochs-vmx
	finish_bg bochs-vmx-smp
	summary
}

# scripts/fuzz.sh uses the functions above (KHV_CHECK_SOURCED=1).
[ -n "${KHV_CHECK_SOURCED:-}" ] || main "$@"
