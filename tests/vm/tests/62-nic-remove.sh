#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Removing a spar-nic instance while a user holds it open: the user gets
# the VFIO device request, closes the device, and the removal completes.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

t_declare nic-remove-gone sparctl-list sparctl-inspect sparctl-unknown sparctl-busy
prog="$SPAR_REPO/build/tools/nic_test"
if [ ! -x "$prog" ]; then
	t_fail nic-build "$prog missing: run 'make tools'"
	t_done
fi

u="$(new_uuid)"
if ! err="$(mdev_create spar-nic "$u")"; then
	t_fail nic-remove-create "$err"
	t_done
fi
t_client "$prog" remove "$u"
t_not nic-remove-gone test -e "$MDEV_DEVICES/$u"

# sparctl: list shows the instance, inspect works on an idle instance and
# reports EBUSY clearly while the device is held; unknown UUIDs are refused.
ctl="$SPAR_REPO/build/tools/sparctl"
u="$(new_uuid)"
mdev_create spar-nic "$u" > /dev/null
t_match sparctl-list "^$u +spar-nic +closed +spn" "$("$ctl" list 2>&1)"
out="$("$ctl" inspect "$u" 2>&1)"
if printf '%s\n' "$out" | grep -q 'valid             yes' &&
	printf '%s\n' "$out" | grep -q 'queue 1 (notify 1): head 0 tail 0'; then
	t_pass sparctl-inspect
else
	t_fail sparctl-inspect "$(printf '%s\n' "$out" | head -n 20)"
fi
t_not sparctl-unknown "$ctl" inspect 00000000-0000-0000-0000-000000000000
# Hold the group open as a VM would, then run sparctl.
g="$(readlink "$MDEV_DEVICES/$u/iommu_group")"
exec 9<> "/dev/vfio/${g##*/}"
out="$("$ctl" inspect "$u" 2>&1)"
rc=$?
exec 9>&-
t_match sparctl-busy '^1 .*busy' "$rc $out"
t_done
