#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make fuzz [VENDOR=amd|intel] [FUZZ_MINUTES=N] [FUZZ_SEED=S]: khv's fuzzers (Documentation/fuzzing.rst)
# for N minutes (default 10) in one emulated host: amd, QEMU with the debug kernel (KASAN, lockdep,
# kmemleak, UBSAN); intel, Bochs with the light kernel. The ABI and netlink fuzzers get a quarter of
# the time each, the guest fuzzer half. Prints each fuzzer's calls, iterations and rates, every
# finding with its seed and iteration, and the kernel's reports; exits 1 if there was any.
# Logs in $KHV_OUT/fuzz-VENDOR (default .rig-out/fuzz-VENDOR). FUZZ_ONLY=abi|nl|guest runs one
# fuzzer with all the time; FUZZ_ARGS=a,b passes options to khv_fuzz (--verbose: every step).
set -euo pipefail
# shellcheck source=scripts/check.sh
KHV_CHECK_SOURCED=1 . "$(dirname "$0")/check.sh"

VENDOR=${VENDOR:-amd}
MINUTES=${FUZZ_MINUTES:-10}
SEED=${FUZZ_SEED:-$(date +%s)}
OUT=${KHV_OUT:-$KHV_TOP/.rig-out}/fuzz-$VENDOR
# check.sh's functions write these.
# shellcheck disable=SC2034
COUNTS=$OUT/counts
# shellcheck disable=SC2034
T0=$(date +%s)

case $VENDOR in
amd) HOST=qemu-svm FLAVOUR=debug RUNNER=qemu.sh EXTRA=(khv.vendor=amd init_on_free=1) ;;
intel) HOST=bochs-vmx FLAVOUR=light RUNNER=bochs.sh EXTRA=(khv.vendor=intel khv.nosuspend) ;;
*) die "VENDOR must be amd or intel" ;;
esac
if ! [[ $MINUTES =~ ^[0-9]+$ ]] || [ "$MINUTES" -eq 0 ]; then
	die "FUZZ_MINUTES must be a positive number"
fi

# The fuzzers' lines and the kernel's reports, from the host's console.
summarize() {
	local log=$OUT/$HOST/serial.log
	[ -r "$log" ] || { echo "no console log ($log)"; return 1; }
	local reports='BUG:|WARNING:|KASAN|UBSAN|general protection|possible circular|rcu: INFO|soft lockup|unreferenced object.*khv'
	grep -E '^# (abi|nl|guest): seed|FINDING|replay:|KHV-RIG: fuzz (begin|end)' "$log" | sed 's/\r$//' || true
	# A host that stood still (the build machine out of memory or CPU) makes a bound
	# in the host's time look broken: the kernel's clocksource watchdog says so.
	if grep -B 20 FINDING "$log" | grep -q 'clocksource: Long readout interval'; then
		echo "note: the emulated host stood still just before the finding (clocksource:" \
			"Long readout interval): replay it (Documentation/fuzzing.rst) before believing a hang"
	fi
	# The kernel's reports from khv's loading on: the emulators' own boot
	# warnings (Bochs's CPU topology) come before and are not khv's.
	if sed -n '/KHV-RIG: khv loaded/,$p' "$log" | grep -qE "$reports"; then
		echo "kernel reports (see $log):"
		sed -n '/KHV-RIG: khv loaded/,$p' "$log" | grep -E -m 20 "$reports" || true
		return 1
	fi
	grep -q 'KHV-RIG: fuzz end guest rc=0' "$log" && ! grep -q FINDING "$log"
}

main_fuzz() {
	local hk rc=0
	prepare_out
	step "installing dependencies"
	bash "$KHV_TOP/scripts/deps.sh"
	step "building the kselftests and khv_fuzz"
	hk=$(kernel "$FLAVOUR") || die "no $FLAVOUR kernel"
	build_selftests "$hk" || die "selftests do not build (see $OUT/build-selftests.log)"
	KHV_PAYLOAD_NO_KUNIT=1 rig_host "$HOST" "$FLAVOUR" || die "the $HOST host could not be prepared"
	boot_cmd "$HOST" "$RUNNER" "$KERNEL/arch/x86/boot/bzImage" "${EXTRA[@]}" khv.plan=fuzz \
		khv.fuzz_seconds=$((MINUTES * 60)) khv.fuzz_seed="$SEED" \
		${FUZZ_ARGS:+khv.fuzz_args=$FUZZ_ARGS} ${FUZZ_ONLY:+khv.fuzz_only=$FUZZ_ONLY}
	step "$HOST: fuzzing for $MINUTES minutes, seed $SEED"
	KHV_QEMU_TIMEOUT=$((MINUTES * 60 + 1800)) KHV_BOCHS_TIMEOUT=$((MINUTES * 180 + 3600)) \
		"${BOOT[@]}" > "$BOOT_LOG" 2>&1 || true
	summarize || rc=1
	echo "# logs: $OUT (took $(elapsed))"
	if [ $rc -eq 0 ]; then echo "fuzz $VENDOR: no findings"; else echo "fuzz $VENDOR: FINDINGS"; fi
	return $rc
}

main_fuzz
