#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instance attributes through mdevctl: values added with
# `mdevctl modify --addattr` reach the instance's sysfs files and the
# channel the guest reads; a bad value makes `mdevctl start` fail and
# leaves no device behind.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

t_declare attrs-{define,listed,start,ring-slots,mac,mtu,num-rcv-bufs,ifname} \
	attrs-add-{ring_slots,mac,mtu,num_rcv_bufs,ifname,busy_poll_us,offloads} \
	attrs-offloads \
	attrs-{busy-poll,host-interface,host-mtu,channel-vnic,stop,undefine} \
	attrs-bad-{define,add,start,no-device,avail,message,undefine} \
	attrs-sysfs-{create,bad-mac,bad-slots,bad-bufs,bad-name,bad-recover} \
	attrs-sysfs-{status,remove}

sparctl="$SPAR_REPO/build/tools/sparctl"

trap mdevctl_cleanup EXIT

u="$(new_uuid)"
d="$MDEV_DEVICES/$u"
t_ok attrs-define mdevctl define -u "$u" -p spar -t spar-nic
for kv in ring_slots=512 mac=02:5a:00:00:00:07 mtu=9000 num_rcv_bufs=200 \
	  ifname=spn-attrs busy_poll_us=20 offloads=csum,guest-csum; do
	t_ok "attrs-add-${kv%%=*}" \
		mdevctl modify -u "$u" --addattr="${kv%%=*}" --value="${kv#*=}"
done
# The attribute, with its value, as mdevctl's JSON lists it.
t_match attrs-listed '"mtu": *"9000"' "$(mdevctl list --defined --dumpjson -u "$u" 2>/dev/null)"
t_ok attrs-start mdevctl start -u "$u"
t_eq attrs-ring-slots 512 "$(rd "$d/ring_slots")"
t_eq attrs-mac 02:5a:00:00:00:07 "$(rd "$d/mac")"
t_eq attrs-mtu 9000 "$(rd "$d/mtu")"
t_eq attrs-num-rcv-bufs 200 "$(rd "$d/num_rcv_bufs")"
t_eq attrs-ifname spn-attrs "$(rd "$d/ifname")"
t_eq attrs-busy-poll 20 "$(rd "$d/busy_poll_us")"
t_eq attrs-offloads "csum guest-csum" "$(rd "$d/offloads")"
t_ok attrs-host-interface ip link show dev spn-attrs
t_eq attrs-host-mtu 9000 "$(cat /sys/class/net/spn-attrs/mtu 2>/dev/null)"

# What the guest will read: the VNIC area of the channel in BAR0.
inspect="$("$sparctl" inspect "$u" 2>&1)"
t_match attrs-channel-vnic \
	'vnic: mac 02:5a:00:00:00:07 num_rcv_bufs 200 mtu 9000' "$inspect"
t_ok attrs-stop mdevctl stop -u "$u"
t_ok attrs-undefine mdevctl undefine -u "$u"

# A value the instance refuses: start fails, nothing is left running.
u="$(new_uuid)"
before="$(avail spar-nic)"
t_ok attrs-bad-define mdevctl define -u "$u" -p spar -t spar-nic
t_ok attrs-bad-add mdevctl modify -u "$u" --addattr=mtu --value=99999
dmesg_mark
t_not attrs-bad-start mdevctl start -u "$u"
t_not attrs-bad-no-device test -e "$MDEV_DEVICES/$u"
t_eq attrs-bad-avail "$before" "$(avail spar-nic)"
t_match attrs-bad-message 'mtu: .99999. is not a number from 68 to 65535' \
	"$(dmesg_since)"
t_ok attrs-bad-undefine mdevctl undefine -u "$u"

# Straight sysfs writes of bad values are refused with a reason.
u="$(new_uuid)"
t_ok attrs-sysfs-create mdev_create spar-nic "$u"
d="$MDEV_DEVICES/$u"
t_not attrs-sysfs-bad-mac sysfs_write "$d/mac" 01:00:5e:00:00:01
t_not attrs-sysfs-bad-slots sysfs_write "$d/ring_slots" 5
t_not attrs-sysfs-bad-bufs sysfs_write "$d/num_rcv_bufs" 100000
t_not attrs-sysfs-bad-name sysfs_write "$d/ifname" "a/b"
t_not attrs-sysfs-bad-recover sysfs_write "$d/recover" 1
t_eq attrs-sysfs-status closed "$(rd "$d/status")"
t_ok attrs-sysfs-remove mdev_remove "$u"
