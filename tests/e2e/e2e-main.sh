#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (started by tests/e2e/run.sh): loads the host
# module if it is there, then runs tests/e2e/tests/*.sh in order (only those
# named in the arguments, if any).  Those start nested guests (tests/vm/lib/
# l2.sh), later with mdev instances passed through as vfio-pci devices.

set -u
SPAR_TIER=e2e
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

# Nested boots are slow under TCG: a test file may take this long.
export SPAR_TEST_TIMEOUT="${SPAR_TEST_TIMEOUT:-600}"

main() {
	echo "# kernel $(uname -r), repo $SPAR_REPO"
	if [ -f "$SPAR_REPO/mdev-parent/spar_mdev.ko" ]; then
		# Default limits; the fault-injection files let tests play a
		# hostile host towards the guest drivers.
		if out="$(spar_load fault_inject=1)"; then
			echo "# host module loaded"
		else
			t_fail setup-load "$out"
		fi
	fi
	t_run_files "$SPAR_REPO/tests/e2e/tests" "$@"
	echo "# e2e tests done"
}

main "$@" 2>&1 | tee /tmp/e2e-main.out
t_totals /tmp/e2e-main.out
