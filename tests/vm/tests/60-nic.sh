#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-nic through VFIO: attributes, bring-up, both data directions,
# promiscuous mode, link, interrupts, reset and unmap.  The guest side is
# build/tools/nic_test (tests/vm/progs/nic_test.c), which prints its own
# PASS/FAIL vm/nic-* lines.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

t_declare nic-ifname-default nic-attributes-bad nic-attributes-set \
	nic-attributes-host-mtu nic-status-closed nic-pins-after-close \
	nic-offloads-default nic-offloads-set nic-offloads-none
prog="$SPAR_REPO/build/tools/nic_test"
if [ ! -x "$prog" ]; then
	t_fail nic-build "$prog missing: run 'make tools'"
	t_done
fi

# if_setup IF: bring IF up without IPv6 chatter.
if_setup() {
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" 2> /dev/null
	ip link set "$1" up
}

u="$(new_uuid)"
if ! err="$(mdev_create spar-nic "$u")"; then
	t_fail nic-create "$err"
	t_done
fi
d="$MDEV_DEVICES/$u"
t_eq nic-ifname-default "spn${u:0:8}" "$(rd "$d/ifname")"

# Bad values are refused and leave the attribute alone.
bad=""
for kv in mac=zz:zz:zz:zz:zz:zz mac=01:00:5e:00:00:01 mac=00:00:00:00:00:00 \
	mtu=10 mtu=99999 mtu=abc num_rcv_bufs=2 num_rcv_bufs=100000 \
	ifname=a/b ifname=waytoolonginterfacename ifname= offloads=bogus \
	offloads=tso offloads=large-rx "offloads=csum gso" \
	offloads=big-mtu offloads=guest-csum,big-mtu; do
	k="${kv%%=*}"
	before="$(rd "$d/$k")"
	if sysfs_write "$d/$k" "${kv#*=}" > /dev/null; then
		bad+=" $kv(accepted)"
	elif [ "$(rd "$d/$k")" != "$before" ]; then
		bad+=" $kv(changed)"
	fi
done
if [ -z "$bad" ]; then t_pass nic-attributes-bad; else t_fail nic-attributes-bad "$bad"; fi

mac=02:12:34:56:78:9a
ifn=sptest0
ok=1
for kv in "mac=$mac" mtu=1400 num_rcv_bufs=20 "ifname=$ifn"; do
	sysfs_write "$d/${kv%%=*}" "${kv#*=}" > /dev/null || ok=0
done
t_eq nic-attributes-set "1 $mac 1400 20 $ifn" \
	"$ok $(rd "$d/mac") $(rd "$d/mtu") $(rd "$d/num_rcv_bufs") $(rd "$d/ifname")"
t_match nic-attributes-host-mtu 'mtu 1400' "$(ip link show "$ifn" 2>&1)"
t_client "$prog" attrs "$u" "$mac" 1400 20

sysfs_write "$d/mtu" 1500 > /dev/null
if_setup "$ifn"
t_client "$prog" basic "$u"

# Offloads: offered by default, negotiated, used both ways; then offered
# none, which leaves the s-Par protocol as it was.
t_eq nic-offloads-default "csum guest-csum tso large-rx big-mtu" \
	"$(rd "$d/offloads")"
t_client "$prog" offloads "$u"
ok=1
sysfs_write "$d/offloads" "csum,tso" > /dev/null || ok=0
t_eq nic-offloads-set "1 csum tso" "$ok $(rd "$d/offloads")"
sysfs_write "$d/offloads" none > /dev/null
t_eq nic-offloads-none none "$(rd "$d/offloads")"
t_client "$prog" offloads-none "$u"
sysfs_write "$d/offloads" all > /dev/null
# GRO on the host interface, for a guest that does not segment.
t_client "$prog" gro "$u"

# Jumbo frames: the MTU goes to both sides (channel and host interface).
if out="$(sysfs_write "$d/mtu" 9000)"; then
	t_client "$prog" jumbo "$u"
else
	t_fail nic-receive-jumbo "mtu 9000: $out"
fi
sysfs_write "$d/mtu" 1500 > /dev/null

# An MTU over s-Par's 16370: the channel shows it, and frames of that size
# move, only while the guest takes big-mtu.
if out="$(sysfs_write "$d/mtu" 30000)"; then
	t_client "$prog" big-mtu "$u"
else
	t_fail nic-big-mtu-channel "mtu 30000: $out"
fi
sysfs_write "$d/mtu" 1500 > /dev/null

t_client "$prog" reset "$u"
t_eq nic-status-closed closed "$(rd "$d/status")"
t_eq nic-pins-after-close 0 "$(rd "$d/stats/pins_held")"
mdev_remove "$u" > /dev/null
t_done
