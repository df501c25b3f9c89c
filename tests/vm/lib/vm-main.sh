#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (started by tests/vm/run.sh): loads the VFIO/mdev
# stack and the host module with small limits, then runs the test files
# tests/vm/tests/*.sh in order (only those named in the arguments, if any).
# Each file is a separate bash process with its own time limit.

set -u
SPAR_TIER=vm
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

# Limits the tests rely on; keep in step with tests/vm/tests/*.
export SPAR_MAX_NIC=4 SPAR_MAX_HBA=2 SPAR_MAX_INPUT=2
export SPAR_KO="$SPAR_REPO/mdev-parent/spar_mdev.ko"
export SPAR_KO_ARGS="max_nic=$SPAR_MAX_NIC max_hba=$SPAR_MAX_HBA max_input=$SPAR_MAX_INPUT"

# The way the test clients reach a device (tools/lib/spar_vfio.h): the
# legacy container and group, or the cdev and iommufd (make
# check-iommufd sets SPAR_TEST_VFIO_BACKEND=iommufd).
export SPAR_VFIO_BACKEND="${SPAR_TEST_VFIO_BACKEND:-legacy}"

main() {
	echo "# kernel $(uname -r), repo $SPAR_REPO, vfio backend $SPAR_VFIO_BACKEND"

	# shellcheck disable=SC2086 # SPAR_KO_ARGS is a list of parameters
	if out="$(spar_load $SPAR_KO_ARGS)"; then
		t_pass setup-load
		t_run_files "$SPAR_REPO/tests/vm/tests" "$@"
	else
		t_fail setup-load "$out"
	fi
	echo "# vm tests done"
}

# The host cross-checks these totals against the result lines it parses
# from the console, so a line garbled by kernel messages cannot go unseen.
main "$@" 2>&1 | tee /tmp/vm-main.out
t_totals /tmp/vm-main.out
