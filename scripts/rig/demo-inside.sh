#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the emulated host for `make demo`, after khv.ko is loaded:
# what khv detected, a guest printing from long mode through `hvctl run`,
# the VM seen through netlink while it lives (listed, paused, resumed,
# introspected), a grant, the audit trail, and virtualization released.
PATH=/khv:$PATH
export PATH

step() { printf '\n=== %s\n' "$*"; }

step "what khv detected (dmesg)"
dmesg | grep -i 'khv' | grep -v 'KHV-RIG' | tail -n 5

step "hvctl host show"
hvctl host show

step "hvctl run /khv/hello.bin: a guest that switches to long mode and prints"
hvctl run /khv/hello.bin
echo "(hvctl run exited with status $?)"

step "a VM held open, as netlink sees it"
if [ -x /khv/khv_hold_vm ]; then
	/khv/khv_hold_vm > /tmp/hold.out 2>&1 &
	holder=$!
	sleep 2
	hvctl vm list
	id=$(hvctl -j vm list | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -n 1)
	if [ -n "$id" ]; then
		hvctl vm set "$id" name demo-vm tags demo
		hvctl vm show "$id"
		step "pause and resume it from outside"
		hvctl vm pause "$id" && hvctl vm show "$id"
		hvctl vm introspect regs "$id" 0
		hvctl vm introspect mem "$id" 0x1000 16
		hvctl vm resume "$id" && hvctl vm show "$id"
		step "a grant: uid 1000 may view VMs tagged demo"
		hvctl grant add uid 1000 view tag demo allow
		hvctl grant list
	fi
	echo "virtualization while the VM lives: $(grep virt /sys/kernel/debug/khv/state | tr '\n' ' ')"
	kill "$holder"
	wait "$holder" 2>/dev/null
fi

step "hvctl audit show: every change, who made it, before and after"
hvctl audit show

step "after the last VM: virtualization released"
cat /sys/kernel/debug/khv/state
step "exits handled, by reason"
cat /sys/kernel/debug/khv/exits
