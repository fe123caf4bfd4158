#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Check the khv generic netlink spec with the kernel's own ynl tooling (from a
# >= 6.12 source tree, where tools/net/ynl lives):
#   1. Documentation/netlink/specs/khv.yaml validates (jsonschema) against the
#      kernel's Documentation/netlink/genetlink.yaml and ynl's spec parser
#      resolves it (every referenced attribute, enum and group exists);
#   2. uapi/linux/khv_netlink.h is what ynl-gen-c.py --mode uapi renders from
#      it (below the license/preamble comment, which is ours);
#   3. scripts/netlink-gen.py's own (stdlib) YAML reader reads it as PyYAML
#      does;
#   4. the committed output of scripts/netlink-gen.py (the module's policies,
#      operations table and family, and uapi/linux/khv_netlink_names.h) is
#      what it generates from the spec.
# Output: TAP. Exit status 0 only if all pass.
# Environment: KHV_YNL_SRC (kernel source tree; default: the newest
# linux-source-6.12 unpacked in $KHV_CACHE/src).
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

src=${KHV_YNL_SRC:-$(ls -d "$KHV_CACHE"/src/linux-source-6.12-* 2>/dev/null | sort -V | tail -n 1)}
[ -r "$src/tools/net/ynl/ynl-gen-c.py" ] && [ -r "$src/Documentation/netlink/genetlink.yaml" ] ||
	die "no ynl tooling in '$src' (run scripts/rig/kernel.sh, or set KHV_YNL_SRC=)"
spec=$KHV_TOP/Documentation/netlink/specs/khv.yaml
uapi=$KHV_TOP/uapi/linux/khv_netlink.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

echo "1..4"
if out=$(python3 - "$src" "$spec" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/tools/net/ynl")
from lib import SpecFamily
SpecFamily(sys.argv[2], sys.argv[1] + "/Documentation/netlink/genetlink.yaml")
PY
); then
	echo "ok 1 - khv.yaml validates against genetlink.yaml"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "not ok 1 - khv.yaml validates against genetlink.yaml"
	rc=1
fi

# ynl-gen-c.py wants the kernel's layout (it looks for MAINTAINERS above the
# spec and the schema two levels up) and the kernel's dual license: give it a
# scratch copy.
mkdir -p "$tmp/Documentation/netlink/specs"
touch "$tmp/MAINTAINERS"
cp "$src/Documentation/netlink/genetlink.yaml" "$tmp/Documentation/netlink/"
sed '1s/.*/# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)/' \
	"$spec" > "$tmp/Documentation/netlink/specs/khv.yaml"
if out=$(cd "$tmp" && timeout 60 python3 "$src/tools/net/ynl/ynl-gen-c.py" --mode uapi --header \
		--spec "$tmp/Documentation/netlink/specs/khv.yaml" -o "$tmp/gen.h" 2>&1) &&
   out=$(diff -u <(sed -n '/^#ifndef/,$p' "$tmp/gen.h") <(sed -n '/^#ifndef/,$p' "$uapi") 2>&1); then
	echo "ok 2 - uapi/linux/khv_netlink.h matches khv.yaml"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "not ok 2 - uapi/linux/khv_netlink.h matches khv.yaml"
	rc=1
fi

if out=$(python3 - "$KHV_TOP/scripts/netlink-gen.py" "$spec" 2>&1 <<'PY'
import importlib.util, sys, yaml
spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
text = open(sys.argv[2], encoding="utf-8").read()
if gen.yaml_load(text) != yaml.safe_load(text):
    sys.exit("netlink-gen.py reads the spec otherwise than PyYAML")
PY
); then
	echo "ok 3 - netlink-gen.py reads khv.yaml as PyYAML does"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "not ok 3 - netlink-gen.py reads khv.yaml as PyYAML does"
	rc=1
fi

if out=$(python3 "$KHV_TOP/scripts/netlink-gen.py" --check "$spec" 2>&1); then
	echo "ok 4 - the files netlink-gen.py generates match khv.yaml"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "not ok 4 - the files netlink-gen.py generates match khv.yaml (run scripts/netlink-gen.py)"
	rc=1
fi
exit $rc
