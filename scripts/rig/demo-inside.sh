#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the emulated host for `make demo`, after khv.ko is loaded:
# what khv detected, a guest printing from long mode through `hvctl run`,
# Linux booting under `hvctl run` (QEMU host),
# the VM seen through netlink while it lives (listed, paused, resumed,
# introspected, given quotas), a grant, a device ACL, the audit trail, and virtualization
# released.
# Each step is one "=== N. what: why" line, then each command as "$ command" and its output.
PATH=/khv:$PATH
export PATH

n=0
step() {
	n=$((n + 1))
	printf '\n=== %d. %s\n' "$n" "$*"
}

# show CMD...: print the command as a user would type it, then run it.
show() {
	echo "\$ $*"
	"$@"
}

# json_u64 KEY: the number after "KEY": in JSON on stdin.
json_u64() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1
}

step "khv's load messages: the CPU features it found and who owns VMX/SVM (khv, or KVM shared)"
dmesg | grep -i 'khv' | grep -v 'KHV-RIG' | tail -n 5

step "the host as the management plane reports it: vendor, limits, signature, taint, lockdown"
show hvctl host show

step "a guest: hvctl run loads hello.bin, which switches to 64-bit long mode and prints on port 0x3f8"
show hvctl run /khv/hello.bin
echo "(hvctl run exited with status $?)"

if [ -r /khv/bzImage ] && [ -r /khv/linux-initrd.gz ]; then
	step "Linux: hvctl run boots Debian's stock kernel on 2 vCPUs; its console follows, and its init ends the VM"
	show hvctl run --kernel /khv/bzImage --initrd /khv/linux-initrd.gz --vcpus 2 --memory 256M \
		--append "console=ttyS0 panic=-1 -- 2"
	echo "(hvctl run exited with status $?: 0 is the guest's init seeing 2 CPUs)"
fi

step "a VM held open by another process (khv_hold_vm), as any netlink client sees it"
if [ -x /khv/khv_hold_vm ]; then
	# --mmio: on SIGUSR1 it asks khv for the page of the host's HPET registers in its guest.
	/khv/khv_hold_vm --mmio 0xfed00000 > /tmp/hold.out 2>&1 &
	holder=$!
	sleep 2
	show hvctl vm list
	id=$(hvctl -j vm list | json_u64 id)
	if [ -n "$id" ]; then
		step "naming and tagging it: tags are what grants can be scoped to"
		show hvctl vm set "$id" name demo-vm tags demo
		show hvctl vm show "$id"
		step "pausing it from outside, reading its registers and memory while paused, resuming it"
		show hvctl vm pause "$id" && show hvctl vm show "$id"
		show hvctl vm introspect regs "$id" 0
		show hvctl vm introspect mem "$id" 0x1000 16
		show hvctl vm resume "$id" && show hvctl vm show "$id"
		step "quotas: a memory guarantee and cap against the host's budget, a CPU cap, an I/O limit"
		show hvctl quota set "$id" mem-min 1M mem-max 16M cpu-cap 50 io-exits-rate 1000
		show hvctl quota show "$id"
		step "a grant: uid 1000 may view VMs tagged demo (a deny rule would win over it)"
		show hvctl grant add uid 1000 view tag demo allow
		show hvctl grant list
		step "a device ACL, default deny: the VM's VMM asks for host MMIO (the HPET's page) in its guest"
		show hvctl acl show "$id"
		kill -USR1 "$holder" && sleep 1 && tail -n 1 /tmp/hold.out
		echo "(refused: not in the ACL; the violation is counted and audited)"
		show hvctl acl show "$id"
		hvctl audit show | grep acl-violation | tail -n 1
		show hvctl acl add "$id" mmio 0xfed00000
		kill -USR1 "$holder" && sleep 1 && tail -n 1 /tmp/hold.out
		echo "(taken off the ACL, the page leaves the guest before hvctl returns)"
		show hvctl acl del "$id" mmio 0xfed00000
		hvctl audit show | grep -E 'acl-(add|del)|mmio' | tail -n 3
	fi
	echo "virtualization while the VM lives: $(grep virt /sys/kernel/debug/khv/state | tr '\n' ' ')"
	kill "$holder"
	wait "$holder" 2>/dev/null
fi

printf '\353\376' > /tmp/spin.bin	# jmp $
step "a CPU cap at work: a guest that only spins (jmp \$), held to 25% of a CPU"
hvctl run /tmp/spin.bin > /dev/null 2>&1 &
spinner=$!
sleep 1
id=$(hvctl -j vm list | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | tail -n 1)
if [ -n "$id" ]; then
	show hvctl quota set "$id" cpu-cap 25
	g0=$(hvctl -j quota show "$id" | json_u64 guest_ns)
	u0=$(cut -d' ' -f1 /proc/uptime)
	sleep 4
	g1=$(hvctl -j quota show "$id" | json_u64 guest_ns)
	u1=$(cut -d' ' -f1 /proc/uptime)
	show hvctl quota show "$id"
	awk -v g="$((g1 - g0))" -v u0="$u0" -v u1="$u1" 'BEGIN {
		printf "guest time over the last %.2f s: %.1f%% of a CPU (cap 25%%)\n", u1 - u0,
		       g / 1e7 / (u1 - u0) }'
fi
kill "$spinner" 2>/dev/null
wait "$spinner" 2>/dev/null

step "admission control: a VM that would take more memory than the host's budget is refused"
budget=$(hvctl -j host show | json_u64 mem_budget)
show hvctl host set mem-budget 64M
show hvctl run --memory 128M /tmp/spin.bin
echo "(hvctl run exited with status $?)"
[ -n "$budget" ] && show hvctl host set mem-budget "$budget"

step "the audit trail: every change and every read above, who made it, before and after, when"
show hvctl audit show

step "after the last VM has gone: khv released virtualization (or left it to KVM)"
show cat /sys/kernel/debug/khv/state
step "the exits khv handled, by reason: what the guests above made the CPU do"
show cat /sys/kernel/debug/khv/exits
