#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch --strict over every C file of the module, uapi and tools.
# module/compat.h is the one place allowed to test LINUX_VERSION_CODE: an
# out-of-tree module must build on several kernels (KERNELS.md).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

cp=${CHECKPATCH:-$(ls -d "$KHV_CACHE"/src/linux-source-6.12-*/scripts/checkpatch.pl 2>/dev/null | head -n 1)}
[ -x "$cp" ] || die "no checkpatch.pl (run scripts/rig/kernel.sh first, or set CHECKPATCH=)"
cd "$KHV_TOP"
rc=0
common=(--strict --no-tree --quiet --show-types --ignore FILE_PATH_CHANGES)
while IFS= read -r f; do
	extra=()
	[ "$f" = module/compat.h ] && extra=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
	# BIT() does not exist for user space: uapi headers spell (1U << n).
	# User-space tools use the C library's own names (Elf64_Ehdr ...).
	case $f in uapi/*) extra=(--ignore BIT_MACRO) ;; tools/*) extra=(--ignore CAMELCASE) ;; esac
	# checkpatch reads the asm-goto label operand "%l[x]" of _ASM_EXTABLE as
	# a modulo (KVM's vmx_ops.h draws the same CHECK): drop just that report.
	out=$("$cp" "${common[@]}" "${extra[@]}" --file "$f" 2>&1 |
	      awk -v RS= '!/_ASM_EXTABLE\(1b, %l\[/ && !/^total:/' || true)
	[ -z "$out" ] || { printf '%s: \n%s\n\n' "$f" "$out"; rc=1; }
done < <(git ls-files -co --exclude-standard 'module/*.[ch]' 'uapi/*.h' 'tools/*.[ch]')
[ $rc -eq 0 ] && log "checkpatch: clean"
exit $rc
