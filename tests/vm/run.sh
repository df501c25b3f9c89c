#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VM tier (`make check-vm`): boot one throwaway VM, load the VFIO/mdev stack
# and mdev-parent/spar_mdev.ko with small limits, run tests/vm/tests/*.sh.
#
#   tests/vm/run.sh                 run every test file
#   tests/vm/run.sh 30-limits ...   run only the named test files
#
# Writes build/results/vm.txt; exits non-zero on any FAIL or if nothing ran.
# Console log and dmesg: build/vm/logs/vm.{log,dmesg}, copied to
# build/vm/logs/$VM_RESULTS.{log,dmesg} when VM_RESULTS names the run.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/vm.sh
. "$here/lib/vm.sh"
vm_setup
# The negative control: the run must catch a deliberate WARN (vm_control).
VM_CONTROL=1

tier=vm
results="$SPAR_ROOT/build/results/${VM_RESULTS:-$tier}.txt"
mkdir -p "$(dirname "$results")"
: > "$results"

for t in "$@"; do
	[ -f "$here/tests/$t.sh" ] || vm_die "no test file tests/vm/tests/$t.sh"
done

start=$SECONDS
vm_module_ready "$tier" "$results" || exit 1
rc=0
vm_boot vm "${SPAR_VM_TIMEOUT:-480}" tests/vm/lib/vm-main.sh "$@"
vm_collect "$tier" vm "$results" || rc=1
# A run of several (one per kernel, make check-iommufd's two) keeps each
# console under its results name too.
if [ -n "${VM_RESULTS:-}" ] && [ "$VM_RESULTS" != vm ]; then
	for f in log dmesg; do
		[ -f "$VM_LOGS/vm.$f" ] && cp "$VM_LOGS/vm.$f" "$VM_LOGS/$VM_RESULTS.$f"
	done
fi
vm_summary "$tier" "$results" "$((SECONDS - start))" || rc=1
exit "$rc"
