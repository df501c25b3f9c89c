#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transport states on a spar-nic instance, with build/tools/nic_test as the
# guest: the pause/resume handshake driven by the recover attribute, a pause
# that is never acknowledged, an unnegotiated pause, GUEST_STATUS and
# GUEST_FEATURES rules, and INTx with its masking and acknowledgement.
# Each step must leave the kernel log free of complaints.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

prog="$SPAR_REPO/build/tools/nic_test"
t_declare nic-states-pause-log nic-states-protocol-log nic-states-dmesg \
	nic-states-remove
if [ ! -x "$prog" ]; then
	t_fail nic-states-build "$prog missing: run 'make tools'"
	t_done
fi

u="$(new_uuid)"
if ! err="$(nic_create_up "$u")"; then
	t_fail nic-states-create "$err"
	t_done
fi

dmesg_mark
t_client "$prog" states "$u"
log="$(dmesg_since)"
t_match nic-states-pause-log 'did not acknowledge the pause' "$log"
t_match nic-states-protocol-log 'illegal GUEST_STATUS write' "$log"
if dmesg_clean "$log" > /dev/null; then
	t_pass nic-states-dmesg
else
	t_fail nic-states-dmesg "$(dmesg_clean "$log")"
fi
t_ok nic-states-remove mdev_remove "$u"
