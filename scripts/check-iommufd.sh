#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-iommufd`: the whole VM tier on a kernel with IOMMUFD and the
# VFIO device cdev beside the legacy container
# (scripts/test-kernel.sh iommufd builds it once per machine from the
# newest linux-source, 10 to 15 minutes on 2 cores; no Debian kernel has
# IOMMUFD).  Two runs on that kernel, each in its own VM:
#
#   iommufd-legacy   the test clients reach the devices through the
#                    container and group (type1), as on other kernels
#   iommufd          the same tests through the device cdev bound to an
#                    iommufd, the pins and dma_unmap going through
#                    iommufd's access path
#
# Writes build/results/iommufd-legacy.txt and iommufd.txt.  Part of
# `make check-full` (what CI runs), not of `make check`.
#
#   scripts/check-iommufd.sh             both runs, every test file
#   scripts/check-iommufd.sh FILE...     both runs, the named test files
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
mkdir -p "$root/build/results"
if ! dir="$("$root/scripts/test-kernel.sh" iommufd)"; then
	for name in iommufd-legacy iommufd; do
		echo "FAIL vm/iommufd-kernel-build: scripts/test-kernel.sh iommufd failed" \
			> "$root/build/results/$name.txt"
	done
	exit 1
fi
echo "check-iommufd: kernel $(cat "$dir/release") from $dir" \
	"(built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?') s)"
VM_KVER="$(cat "$dir/release")"
export VM_KVER
export VM_KERNEL="$dir/vmlinuz"
export VM_MODDIR="$dir/root/lib/modules/$VM_KVER"
export KDIR="$dir/obj"
export SPAR_TEST_REQUIRE_IOMMUFD=1
rc=0
run=()
for backend in legacy iommufd; do
	name=iommufd
	[ "$backend" = legacy ] && name=iommufd-legacy
	t=0
	SPAR_TEST_VFIO_BACKEND="$backend" VM_RESULTS="$name" \
		"$root/tests/vm/run.sh" "$@" || t=$?
	echo "$t" > "$root/build/results/$name.rc"
	[ "$t" -eq 0 ] || rc=$t
	run+=("$name")
done
echo "check-iommufd: $((SECONDS - start)) s in all"
# make check-full sums every tier itself (SPAR_SUMMARY=0)
if [ "${SPAR_SUMMARY:-1}" != 0 ]; then
	"$root/scripts/summary.sh" "$root/build/results" "${run[@]}" || rc=1
fi
exit "$rc"
