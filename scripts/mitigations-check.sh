#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make check's "mitig" host: khv's guest entry keeps up with KVM's speculation mitigations.
# For each kernel source the rig unpacked ($KHV_CACHE/src/linux-source-*: 6.12 by
# scripts/rig/kernel.sh, 7.3 by scripts/compat.sh), list the mitigation features and macros that
# KVM's arch/x86/kvm/vmx/vmenter.S and svm/vmenter.S use (X86_FEATURE_*, X86_BUG_* and the
# nospec-branch.h macros), and check that khv's module/vmx/vmenter.S or module/svm/vmenter.S
# either uses the same name in its code or documents why not, on a line
#     khv-mitigation: NAME -- reason
# (Documentation/khv-abi.rst, "Isolation").
# Output: TAP, one line per kernel, vendor and name. Exit status 0 only if all pass.
# Environment: KHV_MITIG_SRC (space-separated kernel source trees instead of the cached ones).
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# shellcheck disable=SC2012
srcs=${KHV_MITIG_SRC:-$(ls -d "$KHV_CACHE"/src/linux-source-* 2>/dev/null | sort -V | tr '\n' ' ')}

python3 - "$KHV_TOP" $srcs <<'PY'
import os
import re
import sys

top, srcs = sys.argv[1], sys.argv[2:]
NAMES = re.compile(r"\b(X86_(?:FEATURE|BUG)_[A-Z0-9_]+|FILL_RETURN_BUFFER|"
                   r"(?:CALL_)?UNTRAIN_RET(?:_VM)?|(?:__|VM_|SVM_)?CLEAR_CPU_BUFFERS|"
                   r"CLEAR_BRANCH_HISTORY(?:_VMEXIT)?|RESTORE_(?:GUEST|HOST)_SPEC_CTRL(?:_BODY)?|"
                   r"VERW|IBPB|IBRS)\b")
MARKER = re.compile(r"khv-mitigation:\s*([A-Za-z0-9_]+)\s+--\s*\S")


def code_of(text):
    """The text without C and assembler comments."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def names(text):
    return sorted(set(NAMES.findall(code_of(text))))


lines, failed = [], 0
for vendor in ("vmx", "svm"):
    khv = open(os.path.join(top, "module", vendor, "vmenter.S")).read()
    used = set(NAMES.findall(code_of(khv)))
    documented = set(MARKER.findall(khv))
    for src in srcs:
        kvm_file = os.path.join(src, "arch/x86/kvm", vendor, "vmenter.S")
        if not os.path.exists(kvm_file):
            continue
        release = os.path.basename(src.rstrip("/")).replace("linux-source-", "")
        for name in names(open(kvm_file).read()):
            what = "%s %s %s" % (release, vendor, name)
            if name in used:
                lines.append("ok - %s: used" % what)
            elif name in documented:
                lines.append("ok - %s: documented in module/%s/vmenter.S" % (what, vendor))
            else:
                failed += 1
                lines.append("not ok - %s: KVM uses it, khv's module/%s/vmenter.S neither "
                             "does nor says why (khv-mitigation: %s -- reason)"
                             % (what, vendor, name))
if not lines:
    print("1..0 # SKIP no kernel source with KVM's entry code under %s" % " ".join(srcs))
    sys.exit(0)
print("1..%d" % len(lines))
for i, line in enumerate(lines, 1):
    status, rest = line.split(" - ", 1)
    print("%s %d - %s" % (status, i, rest))
sys.exit(1 if failed else 0)
PY
