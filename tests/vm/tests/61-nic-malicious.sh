#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-nic against a malicious guest: every protocol violation stops only
# the offending instance (needs-reset) while a second instance keeps
# passing traffic, a RESET write recovers it, and the kernel log stays
# free of warnings.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

t_declare nic-evil-dmesg nic-evil-logged nic-evil-other-quiet
prog="$SPAR_REPO/build/tools/nic_test"
if [ ! -x "$prog" ]; then
	t_fail nic-build "$prog missing: run 'make tools'"
	t_done
fi

a="$(new_uuid)"
b="$(new_uuid)"
for u in "$a" "$b"; do
	if ! err="$(mdev_create spar-nic "$u")"; then
		t_fail nic-evil-create "$err"
		t_done
	fi
	ifn="$(rd "$MDEV_DEVICES/$u/ifname")"
	sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1" 2> /dev/null
	ip link set "$ifn" up
done

dmesg_mark
t_client "$prog" malicious "$a" "$b"
log="$(dmesg_since)"
if dmesg_clean "$log" > /dev/null; then
	t_pass nic-evil-dmesg
else
	t_fail nic-evil-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
# The violations were reported, rate-limited, and named the right device.
t_match nic-evil-logged "$a" "$log"
if printf '%s\n' "$log" | grep -q "$b"; then
	t_fail nic-evil-other-quiet "the other instance was named: $(printf '%s\n' "$log" | grep "$b" | head -n 2)"
else
	t_pass nic-evil-other-quiet
fi
t_done
