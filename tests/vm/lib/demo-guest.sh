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

# The spar-hba function: visorhba makes its LUN a disk.
PATH="/usr/local/bin:$PATH"
insmod /modules/visorhba.ko
i=0
while [ ! -e /sys/block/sda ] && [ "$i" -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
echo "l2: sda: $(cat /sys/block/sda/device/vendor 2> /dev/null) $(cat /sys/block/sda/device/model 2> /dev/null) on $(basename "$(readlink /sys/class/scsi_host/host0/device/../driver 2> /dev/null)")"
echo "l2: \$ mkfs.ext4 -q /dev/sda && mount /dev/sda /mnt"
mkdir -p /mnt
mkfs.ext4 -q -F /dev/sda 2>&1 | sed 's/^/l2: /'
mount -t ext4 /dev/sda /mnt && echo "l2: mounted"
echo "hello from the nested guest" > /mnt/hello && sync
echo "l2: \$ lsblk -o NAME,SIZE,TYPE,MOUNTPOINT,MODEL /dev/sda"
lsblk -o NAME,SIZE,TYPE,MOUNTPOINT,MODEL /dev/sda 2>&1 | sed 's/^/l2: /'
echo "l2: \$ df -h /mnt"
df -h /mnt | sed 's/^/l2: /'
umount /mnt
echo "l2: \$ e2fsck -fn /dev/sda"
e2fsck -fn /dev/sda > /dev/null 2>&1 && echo "l2: e2fsck: clean"

# The spar-input function: visorinput's keyboard feeds the console, and
# the host types a line into it.
insmod /modules/visorinput.ko
sleep 1
echo "l2: input devices: $(sed -n 's/^N: Name="\(visor .*\)"$/\1/p' /proc/bus/input/devices | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
echo "l2: \$ read -r line < /dev/tty1"
if read -r -t 120 line < /dev/tty1; then
	echo "l2: the host typed: $line"
else
	echo "l2: nothing was typed"
fi
L2EOF
}

# hba_target UUID DIR: a 64 MiB file in DIR as fileio backstore
# fileio_0/demo, LUN 0 of the spar-hba instance UUID.
hba_target() {
	local cfs=/sys/kernel/config/target/core/fileio_0/demo
	lio_ready target_core_file || return 1
	truncate -s 64M "$2/disk.img" && mkdir -p "$cfs" &&
		echo "fd_dev_name=$2/disk.img,fd_dev_size=$((64 << 20))" > "$cfs/control" &&
		echo 1 > "$cfs/enable" || return 1
	show "$SPAR_REPO/build/tools/sparctl" hba add "$1" 0 fileio_0/demo &&
		show "$SPAR_REPO/build/tools/sparctl" hba show "$1"
}

# hba_target_remove UUID: LUN 0, the backstore and the fabric's directory
# go (configfs holds the module while that exists).
hba_target_remove() {
	"$SPAR_REPO/build/tools/sparctl" hba remove "$1" 0 > /dev/null &&
		rmdir /sys/kernel/config/target/core/fileio_0/demo \
			/sys/kernel/config/target/core/fileio_0 \
			/sys/kernel/config/target/spar
}

DEMO_LINE="Hello, nested guest: typed on the host through spar-input!"

# type_when_read UUID: once the guest's visorinput takes reports from the
# spar-input instance UUID, type DEMO_LINE and Enter into it.  Taps of
# Shift (which type nothing) go in every 2 s until the guest's queue is
# full: reports reach the queue only once visorbus is up, and stay there
# until visorinput reads them.  The host's list of waiting events then
# empties when visorinput starts reading.
type_when_read() {
	local ctl="$SPAR_REPO/build/tools/sparctl" st="$MDEV_DEVICES/$1/stats"
	local n i r p
	for ((n = 0; n < 300; n++)); do
		r="$(rd "$st/reports_kbd")"
		p="$(rd "$st/pending_kbd")"
		case "$r$p" in *[!0-9]*) return 1 ;; esac
		# Full, or more than it holds: visorinput already reads.
		{ [ "$r" -ge 49 ] && [ "$p" -gt 0 ]; } || [ "$r" -gt 100 ] && break
		for ((i = 0; i < 30; i++)); do echo "tap leftshift"; done |
			"$ctl" input send "$1" > /dev/null || return 1
		sleep 2
	done
	for ((n = 0; n < 600; n++)); do
		[ "$(rd "$st/pending_kbd")" = 0 ] && break
		sleep 1
	done
	# The guest's read of its console starts right after the driver.
	sleep 5
	printf '$ sparctl input type %s %s\n' "$1" "'$DEMO_LINE\n'"
	"$ctl" input type "$1" "$DEMO_LINE\n"
}

# A nested guest, started by QEMU with the spar-nic instance as a vfio-pci
# device, loads the guest modules and pings this VM's host interface.
nested() {
	local u d h i work=/tmp/demo-l2 log l2log typer

	step "A nested guest on spar-nic, spar-hba and spar-input: it pings the host, formats a disk and reads a line the host types"
	u="$(new_uuid)"
	d="$MDEV_DEVICES/$u"
	h="$(new_uuid)"
	i="$(new_uuid)"
	if ! show mdevctl start -u "$u" -p spar -t spar-nic ||
		! show mdevctl start -u "$h" -p spar -t spar-hba ||
		! show mdevctl start -u "$i" -p spar -t spar-input ||
		! modprobe uinput; then
		t_fail nested-create
		return
	fi
	mkdir -p "$work"
	if ! hba_target "$h" "$work"; then
		t_fail nested-hba-target
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

	printf '$ qemu-system-x86_64 ... -device vfio-pci,sysfsdev=%s \\\n' "$d"
	printf '      -device vfio-pci,sysfsdev=%s \\\n' "$MDEV_DEVICES/$h"
	printf '      -device vfio-pci,sysfsdev=%s\n' "$MDEV_DEVICES/$i"
	echo "(a nested guest under software emulation takes a minute or two to boot)"
	type_when_read "$i" > "$work/typer.log" 2>&1 &
	typer=$!
	L2_INITRD="$work/initrd.gz" l2_boot demo "${SPAR_DEMO_L2_TIMEOUT:-360}" \
		-device "vfio-pci,sysfsdev=$d" \
		-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$h" \
		-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$i" > /dev/null
	kill "$typer" 2> /dev/null
	wait "$typer" 2> /dev/null
	cat "$work/typer.log"
	l2log="$(l2_log demo)"
	log="$(grep -a '^l2: ' "$l2log")"
	printf '%s\n' "$log"
	t_match nested-visornic 'eth0 driver: visornic' "$log"
	t_match nested-ping ' 3 packets received' "$log"
	t_match nested-hba-mount '^l2: mounted$' "$log"
	t_match nested-hba-lsblk '^l2: sda .*64M .*disk .*/mnt' "$log"
	t_match nested-hba-fsck '^l2: e2fsck: clean$' "$log"
	t_match nested-input-devices '^l2: input devices: visor Keyboard, visor Mouse$' "$log"
	t_match nested-input-typed "^l2: the host typed: $DEMO_LINE\$" "$log"

	step "The host side of that conversation"
	show ip -s link show spn-demo
	(cd "$d/stats" && show grep . doorbells interrupts net_xmit net_rcv_post)
	(cd "$MDEV_DEVICES/$h/stats" && show grep . doorbells interrupts cmds_done)
	show mdevctl stop -u "$u"
	t_ok nested-hba-unlink hba_target_remove "$h"
	show mdevctl stop -u "$h"
	show "$SPAR_REPO/build/tools/sparctl" input show "$i"
	show mdevctl stop -u "$i"
}

main 2>&1 | tee /tmp/demo.out
t_totals /tmp/demo.out
