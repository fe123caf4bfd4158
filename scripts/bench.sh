#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench [VENDOR=amd|intel]: khv against KVM (Documentation/performance.md). Boots each
# emulated host once (both without VENDOR) on the light kernel (no KASAN, lockdep or kmemleak:
# they inflate exit costs about 13x) with one CPU, loads KVM's vendor module and then khv, which
# shares VMX/SVM with it, and runs khv_bench there: the same guests under both, each figure the
# median of batches. amd: QEMU (TCG, SVM + NPT), noisy wall-clock time; intel: Bochs (VMX + EPT),
# whose clock counts instructions, so its figures repeat exactly.
# Results in $KHV_OUT/bench/results (default .rig-out/bench/results): table.md (the tables),
# bench.json (khv_bench's JSON lines, each with its host), ratios.dat and ratios.svg (khv/KVM per
# workload and vendor; needs gnuplot). Logs: $KHV_OUT/bench/<host>/serial.log.
# BENCH_ARGS=a,b passes options to khv_bench (e.g. --iterations,100 or --only,cpuid).
# The cost model (amd): QEMU runs with tools/costmodel/khv_cost.so, which counts the host kernel's
# expensive instructions between khv_bench --cost's markers; scripts/rig/bench_cost.py weighs
# them with tools/costmodel/latencies.tsv into table.md, bench.json and ratios.dat (raw records:
# cost-amd.txt). KHV_BENCH_COST=0 runs without it.
# BENCH_MITIG=1: then, in the same boot, the exit workloads under khv alone with all its
# mitigations and reloaded without each active one in turn (khv.mitigations_off):
# mitigations.md in the results (scripts/rig/mitig_report.py).
# Then the linux_boot workload (selftests/bench/boot_bench.sh): Debian's stock 7.3 kernel and the
# busybox initramfs of hvctl_scenario.sh's test 40 booted to their init's marker BENCH_BOOT times
# (default 3; 0: none) under hvctl run and under QEMU with KVM (Debian's qemu-system-x86 and its
# libraries and firmware go into the host's initramfs), each boot bounded by BENCH_BOOT_TIMEOUT
# seconds (default 300). Only in the hosts of BENCH_BOOT_VENDORS (default amd: Bochs would take
# hours; BENCH_BOOT_VENDORS="amd intel" opts it in).
# BENCH_CPUS: the emulated hosts' CPUs (default 1). With 2, ipi's two vCPU threads run on two CPUs
# and each IPI kicks its target out of the guest on the other one (Documentation/performance.md).
# Exit status 0 when every host ran the bench to its end and every check passed; never on a figure.
set -euo pipefail
# shellcheck source=scripts/check.sh
KHV_CHECK_SOURCED=1 . "$(dirname "$0")/check.sh"

VENDORS=${VENDOR:-amd intel}
BENCH_CPUS=${BENCH_CPUS:-1}
case $BENCH_CPUS in 1 | 2) ;; *) die "BENCH_CPUS=$BENCH_CPUS: 1 or 2" ;; esac
OUT=${KHV_OUT:-$KHV_TOP/.rig-out}/bench
RES=$OUT/results
# check.sh's functions write these.
# shellcheck disable=SC2034
COUNTS=$OUT/counts
# shellcheck disable=SC2034
T0=$(date +%s)
# KVM's vendor module before khv (init.sh's preload; "kvm" is kvm_amd or kvm_intel by khv.vendor):
# khv then finds VMX/SVM on and shares it, and both hypervisors run guests in the same boot.
export KHV_PRELOAD_qemu_svm=kvm KHV_PRELOAD_bochs_vmx=kvm
# Not make check's Linux guest (KHV_LINUX_BOOT): bench_payload adds the boot workload's files.
export KHV_LINUX_BOOT=0 KHV_PAYLOAD_NO_KUNIT=1
# shellcheck disable=SC2034 # check.sh's payload() calls it
KHV_PAYLOAD_HOOK=bench_payload
BOOTS=${BENCH_BOOT:-3}
BOOT_TIMEOUT=${BENCH_BOOT_TIMEOUT:-300}
BOOT_VENDORS=${BENCH_BOOT_VENDORS:-amd}

for v in $VENDORS; do
	case $v in amd | intel) ;; *) die "VENDOR must be amd or intel" ;; esac
done
[[ ${BENCH_ARGS:-} =~ ^[-a-z0-9_,]*$ ]] || die "BENCH_ARGS: khv_bench options, comma-separated"
BENCH_MITIG=${BENCH_MITIG:-0}
[[ $BENCH_MITIG =~ ^[01]$ ]] || die "BENCH_MITIG must be 0 or 1"
[[ $BOOTS =~ ^[0-9]+$ ]] || die "BENCH_BOOT: a number of boots"
[[ $BOOT_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "BENCH_BOOT_TIMEOUT: seconds"

# boots VENDOR: how many times linux_boot boots each side in VENDOR's host (0: not there).
boots() {
	case " $BOOT_VENDORS " in *" $1 "*) echo "$BOOTS" ;; *) echo 0 ;; esac
}

# bench_payload HOST DIR (check.sh's payload() calls it): for linux_boot, the guest kernel and
# initramfs (guest-linux.sh, as make check's test 40 has them), QEMU with its firmware
# (bench-qemu.sh; initramfs.sh adds its libraries) and boot_bench.sh. A part that cannot be
# had is logged; boot_bench.sh then reports the missing file and the bench fails.
bench_payload() {
	local v=amd
	[ "$1" = bochs-vmx ] && v=intel
	[ "$(boots "$v")" -gt 0 ] || return 0
	cp "$KHV_TOP/selftests/bench/boot_bench.sh" "$2/"
	bash "$KHV_TOP/scripts/rig/guest-linux.sh" "$2" 2>>"$OUT/stock73.log" ||
		log "$1: no Linux guest for linux_boot (see $OUT/stock73.log)"
	bash "$KHV_TOP/scripts/rig/bench-qemu.sh" "$2/qemu" 2>>"$OUT/bench-qemu.log" ||
		log "$1: no QEMU for linux_boot (see $OUT/bench-qemu.log)"
	return 0
}

# cost_plugin: build the cost model's plugin against the rig QEMU's qemu-plugin.h; print its path.
cost_plugin() {
	local header
	header=$(bash "$RIG/qemu-build.sh" --plugin-header) || return 1
	make -C "$KHV_TOP/tools/costmodel" O="$OUT/costmodel" QEMU_PLUGIN_H="$header" all \
		> "$OUT/build-costmodel.log" 2>&1 || return 1
	echo "$OUT/costmodel/khv_cost.so"
}

# bench_host VENDOR: boot its host with the bench plan; the console log is $OUT/HOST/serial.log,
# the cost model's records (amd) $OUT/HOST/cost.txt.
bench_host() {
	local host runner extra args=${BENCH_ARGS:-} so n
	local -x KHV_QEMU_PLUGIN=
	case $1 in
	amd) host=qemu-svm runner=qemu.sh extra=(khv.vendor=amd) ;;
	intel) host=bochs-vmx runner=bochs.sh extra=(khv.vendor=intel khv.nosuspend) ;;
	esac
	if [ "$1" = amd ] && [ "${KHV_BENCH_COST:-1}" != 0 ]; then
		if so=$(cost_plugin); then
			KHV_QEMU_PLUGIN="$so,outfile=$OUT/$host/cost.txt"
			args=${args:+$args,}--cost
		else
			log "$host: no cost model, its plugin does not build (see $OUT/build-costmodel.log)"
		fi
	fi
	n=$(boots "$1")
	[ "$n" -eq 0 ] || extra+=(khv.boot_bench="$n" khv.boot_timeout="$BOOT_TIMEOUT")
	# Both hosts boot the light kernel: one khv build serves them.
	rig_host "$host" light bench-light || return 1
	boot_cmd "$host" "$runner" "$KERNEL/arch/x86/boot/bzImage" "${extra[@]}" khv.plan=bench \
		${args:+khv.bench_args=$args} "khv.bench_mitig=$BENCH_MITIG"
	step "$host: running the bench (Bochs: the long one)"
	# The emulator's bound: the bench's, and every linux_boot boot's on top.
	KHV_QEMU_SMP=$BENCH_CPUS KHV_BOCHS_CPUS=$BENCH_CPUS KHV_QEMU_TIMEOUT=${KHV_QEMU_TIMEOUT:-$((3600 + 2 * n * BOOT_TIMEOUT))} \
		KHV_BOCHS_TIMEOUT=${KHV_BOCHS_TIMEOUT:-$((10800 + 2 * n * BOOT_TIMEOUT))} "${BOOT[@]}" > "$BOOT_LOG" 2>&1 ||
		true
	grep -a -e 'KHV-RIG: bench end' -e 'KHV-RIG: mitig ' "$OUT/$host/serial.log" | sed 's/\r$//' || true
	grep -aq 'KHV-RIG: bench end rc=0' "$OUT/$host/serial.log"
}

# The table khv_bench printed on a host's console (between the plan's markers).
console_table() {
	sed -n '/KHV-RIG: bench begin/,/KHV-RIG: bench end/p' "$1" | sed 's/\r$//' |
		grep -av -e 'KHV-BENCH-JSON: ' -e 'KHV-BENCH-COST: ' -e 'KHV-RIG: ' || true
}

main_bench() {
	local v host hk rc=0 logs=() gp
	prepare_out
	mkdir -p "$RES"
	step "installing dependencies"
	bash "$KHV_TOP/scripts/deps.sh"
	step "building the kselftests and khv_bench"
	hk=$(kernel light) || die "no light kernel"
	build_selftests "$hk" || die "selftests do not build (see $OUT/build-selftests.log)"
	# hvctl run boots linux_boot's khv side (payload() takes it from the build).
	build_hvctl || die "hvctl does not build (see $OUT/build-hvctl.log)"
	for v in $VENDORS; do
		host=qemu-svm
		[ "$v" = intel ] && host=bochs-vmx
		bench_host "$v" || { rc=1; log "$host: the bench did not finish cleanly (see $OUT/$host/serial.log)"; }
		[ -r "$OUT/$host/serial.log" ] || continue
		console_table "$OUT/$host/serial.log" > "$RES/console-$v.txt"
		logs+=("$v=$OUT/$host/serial.log")
	done
	[ ${#logs[@]} -gt 0 ] || die "no host ran"
	python3 "$KHV_TOP/scripts/rig/bench_report.py" "$RES" "${logs[@]}" || rc=1
	# The cost model's section, where the QEMU host ran with the plugin.
	if [ -s "$OUT/qemu-svm/cost.txt" ]; then
		cp "$OUT/qemu-svm/cost.txt" "$RES/cost-amd.txt"
		python3 "$KHV_TOP/scripts/rig/bench_cost.py" "$RES" "$KHV_TOP/tools/costmodel/latencies.tsv" \
			amd "$OUT/qemu-svm/serial.log" "$OUT/qemu-svm/cost.txt" || rc=1
	fi
	if [ "$BENCH_MITIG" = 1 ]; then
		python3 "$KHV_TOP/scripts/rig/mitig_report.py" "$RES/mitigations.md" "${logs[@]}" || rc=1
	fi
	gp=$(command -v gnuplot || command -v gnuplot-nox || true)
	if [ -n "$gp" ]; then
		# One bar per column of ratios.dat: each vendor, and the cost model's estimate.
		"$gp" -e "datafile='$RES/ratios.dat'; outfile='$RES/ratios.svg'; vendors=$(awk 'NR == 1 { print NF - 1 }' "$RES/ratios.dat")" \
			"$KHV_TOP/scripts/rig/bench-ratios.gp" 2>"$RES/gnuplot.log" ||
			log "no plot (see $RES/gnuplot.log)"
	else
		log "no gnuplot: no plot"
	fi
	echo "# results: $RES (took $(elapsed))"
	return $rc
}

main_bench
