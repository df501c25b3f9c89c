#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-hba benchmark (third part of `make bench`): one throwaway VM (L1)
# boots one nested guest (L2) with three disks on the same file of L1: a
# spar-hba instance's LUN (fileio backstore, visorhba in L2), a virtio-blk
# disk and a virtio-scsi disk.  L2 runs the host's fio on each in turn: 4
# KiB random reads at queue depth 1 and 32, 1 MiB sequential reads and
# writes.  See tests/bench/hba-bench-l1.sh and hba-bench-l2.sh.
#
#   tests/bench/hba-bench.sh [SECONDS]   seconds per fio job (default 10,
#                                        or $SPAR_HBA_BENCH_SECONDS)
#
# Prints a table of spar/virtio ratios and spar-hba's doorbells and
# interrupts per 1000 commands; the raw lines are in build/bench/hba.txt.
# Exits non-zero if a job could not be measured.  About 15 minutes under
# TCG with the default.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/vm.sh
. "$here/../vm/lib/vm.sh"
vm_setup

secs="${1:-${SPAR_HBA_BENCH_SECONDS:-10}}"
case "$secs" in
'' | *[!0-9]*) vm_die "seconds per job must be a number, not '$secs'" ;;
esac
out="$SPAR_ROOT/build/bench"
raw="$out/hba.txt"
group="hba-bench"
log="$VM_LOGS/$group.log"
bus="$SPAR_ROOT/guest/visorbus/visorbus.ko"
hba="$SPAR_ROOT/guest/visorhba/visorhba.ko"
mkdir -p "$out"
: > "$raw"
command -v fio > /dev/null || vm_die "fio is not installed (make deps)"

vm_module_ready bench "$out/hba-module.txt" || exit 1
for ko in "$bus" "$hba"; do
	[ -f "$ko" ] || vm_die "$ko does not exist (make modules)"
	magic="$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	[ "$magic" = "$VM_KVER" ] || vm_die "$ko is built for '$magic', the VM boots $VM_KVER"
done

# L2's initramfs: the standard nested-guest one with the virtio disk
# drivers, 9p (for fio and its libraries) and the guest modules, plus an
# archive with the L2 script and its settings.
base="$out/hba-l2-initramfs-$VM_KVER.cpio.gz"
vm_l2_initramfs "$base" "$SPAR_ROOT/tests/e2e/l2-init" sd_mod virtio_pci \
	virtio_blk virtio_scsi 9pnet_virtio 9p "$bus" "$hba"
x="$(mktemp -d "$out/l2extra.XXXXXX")"
mkdir -p "$x/l2.d"
cp "$here/hba-bench-l2.sh" "$x/l2.d/50-hba-bench.sh"
echo "RUNTIME=$secs" > "$x/bench.conf"
(cd "$x" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) |
	gzip -1 > "$x.cpio.gz"
cat "$base" "$x.cpio.gz" > "$out/hba-l2-initrd.gz"
rm -rf "$x" "$x.cpio.gz"

others="$(pgrep -c -f '^qemu-system')" || others=0
[ "$others" -eq 0 ] ||
	echo "hba-bench: $others other VM(s) running here; the numbers will be noisy" >&2
info="# $(date -u +%FT%TZ) kver=$VM_KVER accel=${VM_ACCEL[1]} seconds=$secs other-vms=$others"
start=$SECONDS
vm_boot "$group" "$((600 + 12 * (secs + 75)))" tests/bench/hba-bench-l1.sh "$secs"
{
	echo "$info"
	grep -aE '^RESULT ' "$log" || true
} > "$raw"
echo "hba-bench: $((SECONDS - start)) s, $secs s per job, ${VM_ACCEL[1]} in ${VM_ACCEL[1]}"

why=()
[ "$VM_TIMED_OUT" = 1 ] && why+=("the VM timed out")
grep -q '^RESULT l2 up' "$raw" || why+=("L2 did not finish")
n="$(grep -c '^RESULT job ' "$raw")" || n=0
[ "$n" -eq 12 ] || why+=("$n of 12 jobs measured")

awk '
$2 == "job" {
	k = $3 "/" $4
	kib[k] = $5 + $7; iops[k] = $6 + $8; t[k] = $9
}
$2 == "counters" { db[$3] = $4; irq[$3] = $5; cmds[$3] = $6 }
function val(k, what) {
	if (!(k in iops)) return -1
	return what == "iops" ? iops[k] : (t[k] > 0 ? kib[k] * 1024 / t[k] / 1e6 : -1)
}
function num(x) { return x < 0 ? sprintf("%10s", "n/a") : sprintf("%10.1f", x) }
function ratio(a, b) { return (a < 0 || b <= 0) ? sprintf("%8s", "n/a") : sprintf("%8.2f", a / b) }
END {
	printf "%-22s %10s %10s %10s %8s %8s %8s %8s\n", "job", "spar-hba",
	       "virtio-blk", "virt-scsi", "/blk", "/scsi", "db/1000", "irq/1000"
	split("rr4k-qd1 rr4k-qd32 sr1m sw1m", jobs, " ")
	split("IOPS IOPS MB/s MB/s", unit, " ")
	for (i = 1; i <= 4; i++) {
		j = jobs[i]; w = unit[i] == "IOPS" ? "iops" : "mbs"
		s = val("spar/" j, w); b = val("virtio-blk/" j, w); c = val("virtio-scsi/" j, w)
		printf "%-22s %s %s %s %s %s %s %s\n", j " " unit[i], num(s), num(b),
		       num(c), ratio(s, b), ratio(s, c),
		       num(cmds[j] ? db[j] * 1000 / cmds[j] : -1),
		       num(cmds[j] ? irq[j] * 1000 / cmds[j] : -1)
	}
	print "rr4k: 4 KiB random reads at queue depth 1 and 32; sr1m/sw1m: 1 MiB"
	print "sequential reads and writes at depth 4; fio libaio, direct, in the"
	print "nested guest, all three disks on one file of the test VM.  db/irq per"
	print "1000: spar-hba doorbells and interrupts per 1000 commands."
}' "$raw"

if [ "${#why[@]}" -gt 0 ]; then
	printf 'hba-bench: could not measure everything: %s\n' "${why[@]}" >&2
	echo "hba-bench: raw lines: $raw; console: $log" >&2
	exit 1
fi
echo "Raw lines: $raw; console: $log"
