#!/usr/bin/env bash
# wait for the first prebuild, then stock 7.3 and the plugin-enabled QEMU of this tree
while pgrep -f prebuild-tmp.sh >/dev/null; do sleep 20; done
bash /work/wt-next/scripts/rig/stock73.sh | tail -1
bash /work/wt-next/scripts/rig/qemu-build.sh
