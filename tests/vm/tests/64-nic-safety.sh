#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-nic safety: default host interface names that cannot clash, an MTU
# the host interface refuses, the worker accounted to the cgroup of the
# process that opens the device, and Bus Master / Memory Space Enable
# honoured by the host (build/tools/nic_test plays the guest).

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

team=spsteam0
cg=/sys/fs/cgroup/spar-safety
taken=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	ip link del "$team" 2> /dev/null
	[ -n "$taken" ] && ip link del "$taken" 2> /dev/null
	rmdir "$cg" 2> /dev/null
	spar_remove_all
}
trap cleanup EXIT

t_declare nic-safety-ifname-both nic-safety-ifname-distinct \
	nic-safety-ifname-taken nic-safety-mtu-refused \
	nic-safety-mtu-channel nic-safety-mtu-after-release \
	nic-safety-busmaster-dmesg nic-safety-acct-cgroup-gone
prog="$SPAR_REPO/build/tools/nic_test"
ctl="$SPAR_REPO/build/tools/sparctl"
if [ ! -x "$prog" ] || [ ! -x "$ctl" ]; then
	t_fail nic-safety-build "$prog or $ctl missing: run 'make tools'"
	t_done
fi

# netdev_of UUID: the host interface whose parent device is instance UUID.
netdev_of() {
	local n
	for n in /sys/class/net/*; do
		[ "$(readlink -f "$n/device" 2> /dev/null)" = "$(readlink -f "$MDEV_DEVICES/$1")" ] &&
			basename "$n"
	done
}

# --- default interface names: two UUIDs with the same first 12 digits ---
p="$(new_uuid)"
p="${p:0:13}"
u1="$p-4000-8000-000000000001"
u2="$p-4000-8000-000000000002"
e1="$(mdev_create spar-nic "$u1")"
r1=$?
e2="$(mdev_create spar-nic "$u2")"
r2=$?
t_eq nic-safety-ifname-both "0 0" "$r1 $r2"
[ "$r1$r2" = 00 ] || t_note "create: $e1 $e2"
i1="$(rd "$MDEV_DEVICES/$u1/ifname")"
i2="$(rd "$MDEV_DEVICES/$u2/ifname")"
t_note "ifnames: $i1 $i2"
if [ "$i1" = "spn${p:0:8}" ] && [[ "$i2" =~ ^spn[0-9]+$ ]] &&
	[ "$(netdev_of "$u1")" = "$i1" ] && [ "$(netdev_of "$u2")" = "$i2" ]; then
	t_pass nic-safety-ifname-distinct
else
	t_fail nic-safety-ifname-distinct "ifnames '$i1' '$i2', interfaces of the devices '$(netdev_of "$u1")' '$(netdev_of "$u2")'"
fi
mdev_remove "$u1" > /dev/null
mdev_remove "$u2" > /dev/null

# An interface made by hand under the default name of the next instance.
u="$(new_uuid)"
taken="spn${u:0:8}"
# The kernel cannot load link types on demand here (its usermode modprobe
# is the initramfs's); load the dummy driver first.
modprobe dummy 2> /dev/null
if out="$(ip link add "$taken" type dummy 2>&1)"; then
	if err="$(mdev_create spar-nic "$u")"; then
		i="$(rd "$MDEV_DEVICES/$u/ifname")"
		if [ "$i" != "$taken" ] && [ "$(netdev_of "$u")" = "$i" ]; then
			t_pass nic-safety-ifname-taken
		else
			t_fail nic-safety-ifname-taken "instance got '$i', its interface is '$(netdev_of "$u")'"
		fi
		mdev_remove "$u" > /dev/null
	else
		t_fail nic-safety-ifname-taken "create with $taken taken: $err"
	fi
	ip link del "$taken"
else
	t_fail nic-safety-ifname-taken "ip link add $taken type dummy: $out"
fi
taken=""

# --- mtu: a host interface that refuses the change changes nothing ---
u="$(new_uuid)"
if ! err="$(mdev_create spar-nic "$u")"; then
	t_fail nic-safety-create "$err"
	t_done
fi
d="$MDEV_DEVICES/$u"
ifn="$(rd "$d/ifname")"
# A team device forbids its ports to change their MTU.
modprobe team 2> /dev/null
if out="$( { ip link add "$team" type team &&
	ip link set "$ifn" down &&
	ip link set "$ifn" master "$team"; } 2>&1)"; then
	before="$(rd "$d/mtu") $(cat "/sys/class/net/$ifn/mtu")"
	if out="$(sysfs_write "$d/mtu" 1400)"; then
		t_fail nic-safety-mtu-refused "the write succeeded on a team port"
	else
		t_eq nic-safety-mtu-refused "$before" \
			"$(rd "$d/mtu") $(cat "/sys/class/net/$ifn/mtu")"
	fi
	t_match nic-safety-mtu-channel "vnic: .* mtu ${before%% *}\$" \
		"$("$ctl" inspect "$u" 2>&1 | grep 'vnic:')"
	ip link set "$ifn" nomaster
	ip link del "$team"
	if out="$(sysfs_write "$d/mtu" 1400)"; then
		t_eq nic-safety-mtu-after-release "1400 1400" \
			"$(rd "$d/mtu") $(cat "/sys/class/net/$ifn/mtu")"
	else
		t_fail nic-safety-mtu-after-release "mtu 1400: $out"
	fi
else
	t_fail nic-safety-mtu-refused "cannot make $ifn a team port: $out"
	t_fail nic-safety-mtu-channel "no team"
	t_fail nic-safety-mtu-after-release "no team"
fi
sysfs_write "$d/mtu" 1500 > /dev/null
mdev_remove "$u" > /dev/null

# --- Bus Master Enable and Memory Space Enable, with traffic both ways ---
u="$(new_uuid)"
if ! err="$(nic_create_up "$u")"; then
	t_fail nic-safety-create "$err"
	t_done
fi
dmesg_mark
t_client "$prog" busmaster "$u"
log="$(dmesg_since)"
if dmesg_clean "$log" > /dev/null; then
	t_pass nic-safety-busmaster-dmesg
else
	t_fail nic-safety-busmaster-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
mdev_remove "$u" > /dev/null

# --- accounting: the worker runs in the cgroup of the device's opener ---
u="$(new_uuid)"
if ! err="$(mdev_create spar-nic "$u")"; then
	t_fail nic-safety-create "$err"
	t_done
fi
if ! grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
fi
if out="$(mkdir "$cg" 2>&1)"; then
	# nic_test joins the cgroup, opens the device and compares.
	t_client "$prog" acct "$u" "$cg"
	for _ in $(seq 100); do
		rmdir "$cg" 2> /dev/null && break
		sleep 0.05
	done
	t_not nic-safety-acct-cgroup-gone test -d "$cg"
else
	t_fail nic-safety-acct-cgroup-gone "mkdir $cg: $out"
fi
mdev_remove "$u" > /dev/null

# --- access: transmit from read-only guest mappings, receive refused into them ---
u="$(new_uuid)"
if ! err="$(nic_create_up "$u")"; then
	t_fail nic-safety-create "$err"
	t_done
fi
t_client "$prog" access "$u"
mdev_remove "$u" > /dev/null

t_done
