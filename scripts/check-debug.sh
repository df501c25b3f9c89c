#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the VM tier on a kernel with KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak and UBSAN (scripts/debug-kernel.sh builds
# it once per machine, 10 to 15 minutes on 2 cores).  The VM runs every
# tests/vm/tests file with the host module and the negative control, scans
# for leaks before its final kernel-log dump, and fails on any report.
# Writes build/results/debug-vm.txt.  Not part of `make check`.
#
# Under TCG the debug kernel runs several times slower than a distribution
# kernel, so the time limits are raised: SPAR_TEST_TIMEOUT (each test file,
# default here 600 s) and SPAR_DEBUG_VM_TIMEOUT (the VM, default 3600 s).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
dir="$("$root/scripts/debug-kernel.sh")"
echo "check-debug: kernel $(cat "$dir/release") from $dir" \
	"(built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?') s)"
VM_KVER="$(cat "$dir/release")"
export VM_KVER
export VM_KERNEL="$dir/vmlinuz"
export VM_MODDIR="$dir/root/lib/modules/$VM_KVER"
export KDIR="$dir/obj"
export VM_RESULTS=debug-vm
export SPAR_TEST_TIMEOUT="${SPAR_TEST_TIMEOUT:-600}"
# the unmap race: some 150 ms a cycle on this kernel under TCG
export SPAR_TEST_RACE_CYCLES="${SPAR_TEST_RACE_CYCLES:-500}"
export SPAR_VM_TIMEOUT="${SPAR_DEBUG_VM_TIMEOUT:-3600}"
rc=0
"$root/tests/vm/run.sh" "$@" || rc=$?
echo "check-debug: $((SECONDS - start)) s in all"
exit "$rc"
