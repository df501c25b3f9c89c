#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot one throwaway VM and measure spar-nic against a veth
# pair in the same VM, for 64- and 1500-byte frames, in both directions.
# The guest side of spar-nic is build/tools/nic_bench driving the instance
# through VFIO; the veth reference uses AF_PACKET on both ends.
#
#   tests/bench/run.sh [SECONDS]    seconds per measurement (default 3)
#
# Prints a table; the raw lines are in build/bench/results.txt.  Then runs
# the nested benchmark, tests/bench/e2e-bench.sh (visornic in a nested
# guest, with offloads and in legacy mode, against virtio-net; raw lines
# in build/bench/e2e.txt), unless
# SPAR_BENCH_NESTED=0, and the spar-hba benchmark, tests/bench/hba-bench.sh
# (visorhba in a nested guest against virtio-blk and virtio-scsi, fio; raw
# lines in build/bench/hba.txt), unless SPAR_BENCH_HBA=0, and the
# spar-input latency benchmark, tests/bench/input-bench.sh (key events
# from the VM to visorinput in a nested guest against QEMU's input-linux
# and virtio-keyboard; raw lines in build/bench/input.txt), unless
# SPAR_BENCH_INPUT=0.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/vm.sh
. "$here/../vm/lib/vm.sh"
vm_setup

secs="${1:-3}"
out="$SPAR_ROOT/build/bench"
mkdir -p "$out"
make -s -C "$SPAR_ROOT/tools" > /dev/null
vm_module_ready bench "$out/module.txt" || exit 1
vm_boot bench "${SPAR_BENCH_TIMEOUT:-400}" tests/bench/vm-bench.sh "$secs"
log="$VM_LOGS/bench.log"
grep -aE '^RESULT ' "$log" > "$out/results.txt" || true
if [ ! -s "$out/results.txt" ]; then
	echo "bench: no results; console log: $log" >&2
	grep -aE '^# ' "$log" >&2 || true
	exit 1
fi

awk '
function rate(f, us) { return us > 0 ? f * 1000000 / us : 0 }
{
	k = $2 "/" $3 "/" $4
	fps[k] = rate($5, $6); bps[k] = fps[k] * $4
	if ($2 == "spar") {
		db[k] = $5 ? $7 * 1000 / $5 : 0
		irq[k] = $5 ? $8 * 1000 / $5 : 0
		hit[k] = ($9 + $10) ? 100 * $9 / ($9 + $10) : 0
	}
}
END {
	printf "%-4s %5s | %12s %12s | %12s %12s | %7s | %9s %9s %7s\n",
	       "dir", "size", "spar fr/s", "spar MB/s", "veth fr/s",
	       "veth MB/s", "ratio", "db/1000", "irq/1000", "pin-hit"
	n = split("tx rx", dirs, " ")
	m = split("64 1500", sizes, " ")
	for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
		s = "spar/" dirs[i] "/" sizes[j]; v = "veth/" dirs[i] "/" sizes[j]
		printf "%-4s %5s | %12.0f %12.2f | %12.0f %12.2f | %7.2f | %9.1f %9.1f %6.1f%%\n",
		       dirs[i], sizes[j], fps[s], bps[s] / 1e6, fps[v],
		       bps[v] / 1e6, fps[v] ? fps[s] / fps[v] : 0, db[s],
		       irq[s], hit[s]
	}
	print "tx: guest to host interface; rx: host interface to guest."
	print "ratio: spar frames/s over veth frames/s (same VM, same sizes, TCG)."
}' "$out/results.txt"

rc=0
if [ "${SPAR_BENCH_NESTED:-1}" != 0 ]; then
	echo
	"$here/e2e-bench.sh" || rc=1
fi
if [ "${SPAR_BENCH_HBA:-1}" != 0 ]; then
	echo
	"$here/hba-bench.sh" || rc=1
fi
if [ "${SPAR_BENCH_INPUT:-1}" != 0 ]; then
	echo
	"$here/input-bench.sh" || rc=1
fi
exit "$rc"
