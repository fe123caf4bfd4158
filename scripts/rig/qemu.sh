#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot the SVM + NPT emulated host (QEMU TCG) on a kernel and an initramfs, serial console to LOG.
# Usage: qemu.sh BZIMAGE INITRD LOG [APPEND...]
# Environment: KHV_QEMU_TIMEOUT (seconds, default 1800), KHV_QEMU_MEM (2G), KHV_QEMU_SMP (2),
#   KHV_QEMU_CPU (EPYC-Rome,+svm,+npt,+pku), KHV_QEMU_EXTRA (more QEMU arguments), KHV_LIVE=1 (echo the console),
#   KHV_QEMU_BIN (the QEMU to run; default: Debian's, patched and built once by qemu-build.sh),
#   KHV_QEMU_PLUGIN (a TCG plugin and its arguments, "FILE.so[,ARG=VALUE...]", given to -plugin:
#   make bench's cost model, tools/costmodel/khv_cost.c),
#   KHV_QEMU_IOMMU=1|intel (an Intel IOMMU and QEMU's edu test device, for device assignment; make check
#   gives qemu-7.3 this one), =amd (AMD-Vi and edu; make check's qemu-svm), 0 (none, the default here).
# Exit status: 0 when the host powered off by itself, 124 on timeout, QEMU's status otherwise.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

[ $# -ge 3 ] || die "usage: qemu.sh BZIMAGE INITRD LOG [APPEND...]"
kernel=$1 initrd=$2 logf=$3
shift 3

khv_need_pkgs qemu-system-x86
# Debian's QEMU 7.2 delivers an injected interrupt twice now and then (scripts/rig/qemu/*.patch).
qemu=${KHV_QEMU_BIN:-}
[ -n "$qemu" ] || qemu=$(bash "$(dirname "$0")/qemu-build.sh") || die "no QEMU to run"
[ -r "$kernel" ] || die "no kernel $kernel"
[ -r "$initrd" ] || die "no initramfs $initrd"

limit=${KHV_QEMU_TIMEOUT:-1800}
# No oops=panic: a report must not cut the log short; init's own time limits and ours end a wedged host.
# no_console_suspend: the console keeps printing through the suspend/resume tests.
append="console=ttyS0,115200 panic=-1 loglevel=8 printk.devkmsg=on no_console_suspend $*"

# Device assignment (module/iommu/, selftests/khv_iommu_test.c): QEMU's VT-d without interrupt
# remapping (which would want kernel-irqchip=split; the edu device's MSI then reaches the APIC as it
# is), and edu (1234:11e8, a DMA engine; docs/specs/edu.rst) after it, so that the IOMMU translates
# its DMA. edu clamps DMA addresses to its dma_mask, 28 bits by default: 48 here, so that a DMA
# aimed at any host page goes there unless the IOMMU stops it. The host's IOMMU translates (nopt)
# rather than passing its own devices' DMA through.
iommu=()
case ${KHV_QEMU_IOMMU:-0} in
0) ;;
1 | intel)
	iommu=(-device intel-iommu,intremap=off -device edu,dma_mask=0xffffffffffff)
	append="$append intel_iommu=on iommu=nopt" ;;
amd)
	# QEMU's AMD-Vi instead, which Linux turns on by itself: its driver reports
	# faults to the domain's owner (QEMU 7.2 logs one only where a present entry
	# lacks the right, e.g. a DMA write to a read-only page).
	iommu=(-device amd-iommu -device edu,dma_mask=0xffffffffffff)
	append="$append iommu=nopt" ;;
*) die "KHV_QEMU_IOMMU=$KHV_QEMU_IOMMU: 0, 1 (intel) or amd" ;;
esac

mkdir -p "$(dirname "$logf")"
: > "$logf"
# One TCG thread for all vCPUs (KHV_QEMU_TCG_THREAD=multi gives one each). Under QEMU 7.2's
# multi-threaded TCG, a khv guest's VMCB now and then came back from an exit holding the host's own
# state (its CR3, RIP just after khv's VMRUN, RAX = the VMCB's address), or a real-mode guest went
# on past a JMP with flags it never computed, while KVM's vCPUs ran VMRUN on the other vCPU
# (virt.kvm_vmcs_churn_beside_khv_runs_on_cpu0 at ten times its length: 4 of 12 runs failed so with
# one thread per vCPU, 0 of 5 with one thread). The guests still run on two CPUs, interleaved.
# Protection keys (+pku: TCG models them, the EPYC model lacks them) so that the SVM host runs the
# test that a guest's WRPKRU never reaches the VMM (guest.guest_wrpkru_leaves_vmm_pkru).
# KHV_QEMU_EXTRA is split into words on purpose.
# shellcheck disable=SC2054,SC2206
args=(-M q35 -accel "tcg,thread=${KHV_QEMU_TCG_THREAD:-single}" -cpu "${KHV_QEMU_CPU:-EPYC-Rome,+svm,+npt,+pku}"
      -smp "${KHV_QEMU_SMP:-2}" -m "${KHV_QEMU_MEM:-2G}"
      -nodefaults -display none -serial "file:$logf" -no-reboot
      -kernel "$kernel" -initrd "$initrd" -append "$append" "${iommu[@]}" ${KHV_QEMU_EXTRA:-})
[ -z "${KHV_QEMU_PLUGIN:-}" ] || args+=(-plugin "$KHV_QEMU_PLUGIN")

start=$(date +%s)
log "qemu: $("$qemu" --version | head -n 1)"
timeout --kill-after=10 "$limit" "$qemu" "${args[@]}" </dev/null 2>"$logf.stderr" &
pid=$!
if [ "${KHV_LIVE:-0}" = 1 ]; then
	tail -n +1 -f --pid=$pid "$logf" &
fi
rc=0
wait $pid || rc=$?
sleep 0.2
secs=$(( $(date +%s) - start ))
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	printf "\nKHV-RUNNER: qemu timed out after %s s\n" "$limit" >> "$logf"
	log "qemu: timed out after $limit s (log $logf)"
	exit 124
fi
# QEMU's own complaints (other than TCG's harmless feature warnings) are worth seeing.
grep -v "TCG doesn't support requested feature" "$logf.stderr" >&2 || true
printf "\nKHV-RUNNER: qemu exited rc=%s after %s s\n" "$rc" "$secs" >> "$logf"
log "qemu: exited rc=$rc after $secs s (log $logf)"
exit $rc
