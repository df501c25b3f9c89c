#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dma_unmap never races a pin: four spar-nic instances in one VFIO
# container keep pinning a range that is unmapped and mapped again, over
# and over (build/tools/nic_test unmap-race plays the guest).  1000 cycles
# here, about 25 s under TCG; make soak-unmap runs 10000.
# spar-timeout: 300

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

trap spar_remove_all EXIT

t_declare nic-unmap-race-create
prog="$SPAR_REPO/build/tools/nic_test"
if [ ! -x "$prog" ]; then
	t_fail nic-unmap-race-build "$prog missing: run 'make tools'"
	t_done
fi

race=()
for _ in 1 2 3 4; do
	u="$(new_uuid)"
	if ! err="$(nic_create_up "$u")" ||
		! err="$(sysfs_write "$MDEV_DEVICES/$u/busy_poll_us" 1000)"; then
		t_fail nic-unmap-race-create "$err"
		t_done
	fi
	race+=("$u")
done
t_pass nic-unmap-race-create
SPAR_TEST_RACE_CYCLES="${SPAR_TEST_RACE_CYCLES:-1000}" \
	t_client "$prog" unmap-race "${race[@]}"
for u in "${race[@]}"; do
	mdev_remove "$u" > /dev/null
done

t_done
