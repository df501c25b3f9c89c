#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM (started by scripts/demo.sh): load the host
# module, create one instance of each type with mdevctl, show them, stop
# them.  Each step ends with a PASS/FAIL demo/<step> line for the host.

set -u
SPAR_TIER=demo
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

step() {
	printf '\n=== %s\n' "$*"
}

# show CMD...: print the command and its output.
show() {
	printf '$ %s\n' "$*"
	"$@" 2>&1
}

main() {
	local t u out
	local -A uuid=()

	step "Load the VFIO/mdev stack and spar_mdev.ko (default limits)"
	# shellcheck disable=SC2119 # default limits
	if out="$(spar_load)"; then
		t_pass load
		printf '$ lsmod\n'
		lsmod | grep -E '^(Module|spar_mdev|mdev|vfio)'
	else
		t_fail load "$out"
		return
	fi

	step "The parent 'spar' and its mdev types, as mdevctl sees them"
	out="$(mdevctl types 2>&1)"
	printf '$ mdevctl types\n%s\n' "$out"
	t_match types '^spar$' "$out"

	step "Create one instance of each type"
	for t in "${SPAR_TYPE_NAMES[@]}"; do
		uuid[$t]="$(new_uuid)"
		if show mdevctl start -u "${uuid[$t]}" -p spar -t "$t"; then
			t_pass "start-${t#spar-}"
		else
			t_fail "start-${t#spar-}"
		fi
	done

	step "Running instances"
	out="$(mdevctl list 2>&1)"
	printf '$ mdevctl list\n%s\n' "$out"
	local n
	n="$(printf '%s\n' "$out" | grep -c ' spar ')"
	t_eq list "${#SPAR_TYPE_NAMES[@]}" "$n"

	u="${uuid[spar-nic]}"
	step "The sysfs view of the spar-nic instance $u"
	show ls -l "$MDEV_DEVICES/$u/"
	printf 'mdev_type -> %s (name: %s)\n' \
		"$(readlink "$MDEV_DEVICES/$u/mdev_type")" "$(rd "$MDEV_DEVICES/$u/mdev_type/name")"
	local g
	g="$(readlink "$MDEV_DEVICES/$u/iommu_group")"
	g="${g##*/}"
	show ls -l "/dev/vfio/"
	t_ok sysfs-vfio-group test -c "/dev/vfio/$g"
	show grep . "$SPAR_TYPES"/*/available_instances

	step "Stop every instance"
	for t in "${SPAR_TYPE_NAMES[@]}"; do
		if show mdevctl stop -u "${uuid[$t]}"; then
			t_pass "stop-${t#spar-}"
		else
			t_fail "stop-${t#spar-}"
		fi
	done
	out="$(mdevctl list 2>&1)"
	printf '$ mdevctl list\n%s\n' "$out"
	t_eq stopped "" "$out"
	nested
	step "Unload the module"
	t_ok unload rmmod spar_mdev
}

# The script the nested guest runs: visorbus and visornic come up on the
# spar-nic function, eth0 gets an address and pings the host interface.
l2_demo_script() {
	cat << 'L2EOF'
echo "l2: visor devices: $(ls /sys/bus/visorbus/devices | tr '\n' ' ')"
insmod /modules/visornic.ko
i=0
while [ ! -e /sys/class/net/eth0 ] && [ "$i" -lt 20 ]; do
	sleep 1
	i=$((i + 1))
done
echo "l2: eth0 driver: $(basename "$(readlink /sys/class/net/eth0/device/driver)")"
ip addr add 10.99.0.2/24 dev eth0
ip link set eth0 up
i=0
while [ "$(cat /sys/class/net/eth0/carrier 2> /dev/null)" != 1 ] && [ "$i" -lt 30 ]; do
	sleep 1
	i=$((i + 1))
done
echo "l2: eth0 carrier $(cat /sys/class/net/eth0/carrier)"
echo "l2: \$ ping -c 3 10.99.0.1"
ping -c 3 -W 5 10.99.0.1 | sed 's/^/l2: /'
L2EOF
}

# A nested guest, started by QEMU with the spar-nic instance as a vfio-pci
# device, loads the guest modules and pings this VM's host interface.
nested() {
	local u d work=/tmp/demo-l2 log l2log

	step "A nested guest on spar-nic: visorbus + visornic ping the host"
	u="$(new_uuid)"
	d="$MDEV_DEVICES/$u"
	if ! show mdevctl start -u "$u" -p spar -t spar-nic; then
		t_fail nested-create
		return
	fi
	show sysfs_write "$d/ifname" spn-demo
	sysctl -qw net.ipv6.conf.spn-demo.disable_ipv6=1
	show ip addr add 10.99.0.1/24 dev spn-demo
	show ip link set spn-demo up

	if ! l2_demo_script | l2_guest_initrd "$work" demo.sh; then
		t_fail nested-initrd
		return
	fi

	printf '$ qemu-system-x86_64 ... -device vfio-pci,sysfsdev=%s\n' "$d"
	echo "(a nested guest under software emulation takes a minute or two to boot)"
	L2_INITRD="$work/initrd.gz" l2_boot demo "${SPAR_DEMO_L2_TIMEOUT:-300}" \
		-device "vfio-pci,sysfsdev=$d" > /dev/null
	l2log="$(l2_log demo)"
	log="$(grep -a '^l2: ' "$l2log")"
	printf '%s\n' "$log"
	t_match nested-visornic 'eth0 driver: visornic' "$log"
	t_match nested-ping ' 3 packets received' "$log"

	step "The host side of that conversation"
	show ip -s link show spn-demo
	(cd "$d/stats" && show grep . doorbells interrupts net_xmit net_rcv_post)
	show mdevctl stop -u "$u"
}

main 2>&1 | tee /tmp/demo.out
t_totals /tmp/demo.out
