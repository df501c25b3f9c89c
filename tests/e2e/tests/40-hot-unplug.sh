#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Removing a spar-nic instance on the host while a nested guest uses it:
# the host asks QEMU to release the device (the VFIO request interrupt),
# QEMU unplugs it from the guest (ACPI PCI hot-unplug), the guest's
# visornic and visorbus let go, and the removal completes.  Neither side
# may hang, and both kernel logs stay clean.  60-libvirt takes the same
# path under libvirt, so make check leaves this file out; name it to run it.
# spar-when-named

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

# The checks of this VM, then those the L2 guest reports (UNPLUG lines).
t_declare unplug-{modules-built,create,ifname,initrd,remove,instance-gone} \
	unplug-{host-if-gone,qemu-exit,l2-end,l2-dmesg,l1-dmesg} \
	unplug-{ping-before,eth0-gone,visorbus-empty,pci-gone}

IFNAME=spn-unplug
WORK=/tmp/unplug-e2e
BUS_KO="$SPAR_GUEST_KO/visorbus/visorbus.ko"
NIC_KO="$SPAR_GUEST_KO/visornic/visornic.ko"

# The L2 guest: bring eth0 up, ping, then wait for the device to go.
l2_script() {
	cat << 'L2EOF'
say() { echo "UNPLUG $*"; }
insmod /modules/visornic.ko
i=0
while [ ! -e /sys/class/net/eth0 ] && [ "$i" -lt "$((20 * SLOW))" ]; do sleep 1; i=$((i + 1)); done
ip addr add 10.95.0.2/24 dev eth0
ip link set eth0 up
i=0
while [ "$(cat /sys/class/net/eth0/carrier 2> /dev/null)" != 1 ] && [ "$i" -lt "$((30 * SLOW))" ]; do
	sleep 1
	i=$((i + 1))
done
if ping -c 3 -W 5 10.95.0.1 | grep -q ' 3 packets received'; then
	say PASS ping-before
else
	say FAIL ping-before
fi
say READY
i=0
while [ -e /sys/class/net/eth0 ] && [ "$i" -lt "$((120 * SLOW))" ]; do sleep 1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
	say FAIL eth0-gone
else
	say PASS eth0-gone
fi
i=0
while [ -n "$(ls /sys/bus/visorbus/devices 2> /dev/null)" ] && [ "$i" -lt "$((10 * SLOW))" ]; do
	sleep 1
	i=$((i + 1))
done
if [ -z "$(ls /sys/bus/visorbus/devices 2> /dev/null)" ]; then
	say PASS visorbus-empty
else
	say FAIL visorbus-empty "$(ls /sys/bus/visorbus/devices)"
fi
i=0
while grep -q '1018530[123]' /proc/bus/pci/devices && [ "$i" -lt "$((20 * SLOW))" ]; do
	sleep 1
	i=$((i + 1))
done
if grep -q '1018530[123]' /proc/bus/pci/devices; then
	say FAIL pci-gone "$(grep '1018530' /proc/bus/pci/devices)"
else
	say PASS pci-gone
fi
say END
L2EOF
}

make_initrd() {
	l2_script | l2_guest_initrd "$WORK" 40-unplug.sh
}

# wait_line TEXT SECONDS: until the L2 console has the line TEXT.
wait_line() {
	local i
	for ((i = 0; i < $(t_time "$2") * 2; i++)); do
		grep -aq "^$1\$" "$LOG" 2> /dev/null && return 0
		kill -0 "$QPID" 2> /dev/null || return 1
		sleep 0.5
	done
	return 1
}

T_FAILS=0
t_ok unplug-modules-built test -r "$BUS_KO" -a -r "$NIC_KO"
[ "$T_FAILS" -eq 0 ] || t_done
UUID="$(new_uuid)"
DEV="$MDEV_DEVICES/$UUID"
t_ok unplug-create mdev_create spar-nic "$UUID"
t_ok unplug-ifname sysfs_write "$DEV/ifname" "$IFNAME"
sysctl -qw "net.ipv6.conf.$IFNAME.disable_ipv6=1" 2> /dev/null
ip addr add 10.95.0.1/24 dev "$IFNAME"
ip link set "$IFNAME" up
t_ok unplug-initrd make_initrd
[ "$T_FAILS" -eq 0 ] || t_done
dmesg_mark

LOG="$(l2_log unplug)"
rm -f "$LOG"
L2_INITRD="$WORK/initrd.gz" l2_boot unplug "${SPAR_UNPLUG_L2_TIMEOUT:-400}" \
	-device "vfio-pci,sysfsdev=$DEV" &
QPID=$!

if wait_line "UNPLUG READY" 300; then
	start=$SECONDS
	t_ok unplug-remove timeout "$(t_time 120)" sh -c "echo 1 > '$DEV/remove'"
	echo "# remove took $((SECONDS - start)) s"
	t_not unplug-instance-gone test -e "$DEV"
	t_not unplug-host-if-gone test -e "/sys/class/net/$IFNAME"
else
	t_fail unplug-l2-ready "the L2 guest did not get its interface up"
	[ -e "$DEV" ] && timeout 120 sh -c "echo 1 > '$DEV/remove'"
fi
wait "$QPID"
rc=$?
t_eq unplug-qemu-exit 0 "$rc"

while read -r _ verdict name why; do
	if [ "$verdict" = PASS ]; then
		t_pass "unplug-$name"
	else
		t_fail "unplug-$name" "${why:-failed in the L2 guest}"
	fi
done <<< "$(grep -aE '^UNPLUG (PASS|FAIL) ' "$LOG")"
t_match unplug-l2-end '^UNPLUG END$' "$(cat "$LOG")"

l2_dmesg_checks unplug "$LOG"
t_done
