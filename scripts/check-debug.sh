#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the VM tier, and the e2e tier with its VM (L1) on a
# kernel with KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak and UBSAN
# (scripts/test-kernel.sh debug builds it once per machine, 10 to 20 minutes on
# 2 cores).  The VMs carry the host module and the negative control, scan
# for leaks before their final kernel-log dump, and fail on any report.
# The nested (L2) guests of the e2e tier boot the newest distribution
# kernel: they run the guest modules, which this tier does not target, and
# a debug kernel nested under TCG would take hours.  Writes
# build/results/debug-vm.txt and debug-e2e.txt.  Not part of `make check`.
#
#   scripts/check-debug.sh              both tiers
#   SPAR_DEBUG_TIERS=vm scripts/check-debug.sh [TEST...]
#                                       one tier, optionally named test files
#
# Under TCG the debug kernel runs several times slower than a distribution
# kernel, so the time limits are raised: SPAR_TEST_TIMEOUT (each test file,
# default here 600 s), SPAR_DEBUG_VM_TIMEOUT (the vm tier's VM, 3600 s) and
# SPAR_DEBUG_E2E_TIMEOUT (the e2e tier's VM, 5400 s).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
tiers="${SPAR_DEBUG_TIERS:-vm e2e}"
dir="$("$root/scripts/test-kernel.sh" debug)"
echo "check-debug: kernel $(cat "$dir/release") from $dir" \
	"(built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?') s)"
l2kver="$("$root/scripts/kver.sh")"
VM_KVER="$(cat "$dir/release")"
export VM_KVER
export VM_KERNEL="$dir/vmlinuz"
export VM_MODDIR="$dir/root/lib/modules/$VM_KVER"
export KDIR="$dir/obj"
export SPAR_TEST_TIMEOUT="${SPAR_TEST_TIMEOUT:-600}"
# the unmap race: some 150 ms a cycle on this kernel under TCG
export SPAR_TEST_RACE_CYCLES="${SPAR_TEST_RACE_CYCLES:-500}"
rc=0
run=()
for tier in $tiers; do
	t=0
	case "$tier" in
	vm)
		VM_RESULTS=debug-vm SPAR_VM_TIMEOUT="${SPAR_DEBUG_VM_TIMEOUT:-3600}" \
			"$root/tests/vm/run.sh" "$@" || t=$?
		;;
	e2e)
		# The nested guests run under a slow VM: every wait of the
		# tests stretched (SPAR_TEST_SLOW), each test file 30 minutes.
		SPAR_TEST_SLOW="${SPAR_TEST_SLOW:-3}" \
			SPAR_TEST_TIMEOUT="${SPAR_DEBUG_E2E_TEST_TIMEOUT:-1800}" \
			VM_RESULTS=debug-e2e E2E_L2_KVER="$l2kver" \
			SPAR_E2E_TIMEOUT="${SPAR_DEBUG_E2E_TIMEOUT:-5400}" \
			"$root/tests/e2e/run.sh" "$@" || t=$?
		;;
	*)
		echo "check-debug: SPAR_DEBUG_TIERS: no tier '$tier' (vm, e2e)" >&2
		exit 2
		;;
	esac
	echo "$t" > "$root/build/results/debug-$tier.rc"
	[ "$t" -eq 0 ] || rc=$t
	run+=("debug-$tier")
done
echo "check-debug: $((SECONDS - start)) s in all"
"$root/scripts/summary.sh" "$root/build/results" "${run[@]}" || rc=1
exit "$rc"
