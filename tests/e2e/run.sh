#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tier (`make check-e2e`): boot one throwaway VM (L1) that starts
# nested guests (L2) with QEMU and runs tests/e2e/tests/*.sh in order.
#
#   tests/e2e/run.sh                   run every test file
#   tests/e2e/run.sh 10-nested-boot    run only the named test files
#
# Writes build/results/e2e.txt; exits non-zero on any FAIL or if nothing
# ran.  Logs: build/vm/logs/e2e.{log,dmesg} (L1) and e2e-l2-<name>.log (L2).

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/vm.sh
. "$here/../vm/lib/vm.sh"
vm_setup
# The negative control: the run must catch a deliberate WARN (vm_control).
VM_CONTROL=1

tier=e2e
results="$SPAR_ROOT/build/results/${VM_RESULTS:-$tier}.txt"
mkdir -p "$(dirname "$results")"
: > "$results"

for t in "$@"; do
	[ -f "$here/tests/$t.sh" ] || vm_die "no test file tests/e2e/tests/$t.sh"
done

start=$SECONDS
vm_module_ready "$tier" "$results" || exit 1
# The nested guests boot E2E_L2_KVER (default: the kernel of the VM), with
# guest modules built for it; L1 finds both at the same paths through 9p.
l2kver="${E2E_L2_KVER:-$VM_KVER}"
if [ "$l2kver" != "$VM_KVER" ]; then
	echo "e2e: the VM boots $VM_KVER, its nested guests boot $l2kver"
	if ! guest="$(vm_guest_modules "$l2kver")"; then
		echo "FAIL $tier/setup-guest-modules" >> "$results"
		vm_summary "$tier" "$results" "$((SECONDS - start))"
		exit 1
	fi
	export SPAR_TEST_L2_KVER="$l2kver" SPAR_TEST_GUEST_KO="$guest"
fi
VM_KVER="$l2kver" VM_MODDIR="/lib/modules/$l2kver" \
	vm_l2_initramfs "$VM_BUILD/l2-initramfs-$l2kver.cpio.gz" "$here/l2-init" \
	"${VM_L2_CONTENT[@]}"
rc=0
vm_boot e2e "${SPAR_E2E_TIMEOUT:-1500}" tests/e2e/e2e-main.sh "$@"
vm_collect "$tier" e2e "$results" l1-boot nested-dmesg || rc=1
vm_summary "$tier" "$results" "$((SECONDS - start))" || rc=1
exit "$rc"
