#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nested benchmark (second part of `make bench`): one throwaway VM (L1)
# boots one nested guest (L2) that has both a spar-nic instance (visornic)
# and a virtio-net device on a tap, and measures both from L1: TCP streams
# guest to host (busybox httpd in L2, curl in L1) and host to guest (L1
# sends, busybox dd in L2 reads and answers at the end), each timed until
# the receiver has everything, median of three; ping round trips; and for
# spar-nic the doorbells and interrupts per 1000 packets of the host
# interface.  See tests/bench/e2e-bench-l1.sh and e2e-bench-l2.sh.
#
#   tests/bench/e2e-bench.sh [MIB]    MiB per transfer (default 8, or
#                                     $SPAR_E2E_BENCH_MIB)
#
# Prints a table; the raw lines are in build/bench/e2e.txt.  Exits non-zero
# if anything could not be measured (L2 not up, a transfer failed).

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/vm.sh
. "$here/../vm/lib/vm.sh"
vm_setup

mib="${1:-${SPAR_E2E_BENCH_MIB:-8}}"
case "$mib" in
'' | *[!0-9]*) vm_die "MiB per transfer must be a number, not '$mib'" ;;
esac
out="$SPAR_ROOT/build/bench"
raw="$out/e2e.txt"
group=e2e-bench
log="$VM_LOGS/$group.log"
l2log="$VM_LOGS/$group-l2-bench.log"
bus="$SPAR_ROOT/guest/visorbus/visorbus.ko"
nic="$SPAR_ROOT/guest/visornic/visornic.ko"
mkdir -p "$out"
: > "$raw"

vm_module_ready bench "$out/e2e-module.txt" || exit 1
# The guest modules too: rebuild if a source is newer than its module.
if [ -z "${SPAR_NO_BUILD:-}" ] && { [ ! -f "$bus" ] || [ ! -f "$nic" ] ||
	[ -n "$(find "$SPAR_ROOT/guest" "$SPAR_ROOT/include" \
		\( -name '*.[ch]' -o -name Kbuild \) \
		\( -newer "$bus" -o -newer "$nic" \) -print -quit)" ]; }; then
	make -C "$SPAR_ROOT" modules || vm_die "make modules failed"
fi
for ko in "$bus" "$nic"; do
	[ -f "$ko" ] || vm_die "$ko does not exist"
	magic="$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	[ "$magic" = "$VM_KVER" ] || vm_die "$ko is built for '$magic', the VM boots $VM_KVER"
done

# L2's initramfs: the standard nested-guest one with virtio-net and the
# guest modules, plus an archive with the L2 script and its settings.
base="$out/l2-initramfs-$VM_KVER.cpio.gz"
vm_l2_initramfs "$base" "$SPAR_ROOT/tests/e2e/l2-init" virtio_pci virtio_net "$bus" "$nic"
x="$(mktemp -d "$out/l2extra.XXXXXX")"
mkdir -p "$x/l2.d"
cp "$here/e2e-bench-l2.sh" "$x/l2.d/50-bench.sh"
echo "MIB=$mib" > "$x/bench.conf"
(cd "$x" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) |
	gzip -1 > "$x.cpio.gz"
cat "$base" "$x.cpio.gz" > "$out/l2-initrd.gz"
rm -rf "$x" "$x.cpio.gz"

# Anything else busy on this machine shows in the numbers: note it.
others="$(pgrep -c -f '^qemu-system')" || others=0
[ "$others" -eq 0 ] ||
	echo "e2e-bench: $others other VM(s) running here; the numbers will be noisy" >&2
info="# $(date -u +%FT%TZ) kver=$VM_KVER accel=${VM_ACCEL[1]} mib=$mib"
info="$info other-vms=$others load-before=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
start=$SECONDS
vm_boot "$group" "${SPAR_E2E_BENCH_TIMEOUT:-780}" tests/bench/e2e-bench-l1.sh "$mib"
sed -n 's/^\[l2:bench\] //p' "$log" > "$l2log"
{
	echo "$info load-after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
	grep -aE '^RESULT ' "$log" || true
} > "$raw"
echo "e2e-bench: $((SECONDS - start)) s, $mib MiB per transfer, ${VM_ACCEL[1]} in ${VM_ACCEL[1]}"

fail=0
why=()
[ "$VM_TIMED_OUT" = 1 ] && why+=("the VM timed out")
grep -q '^SPAR-VM-END$' "$log" || why+=("the VM never reached its end")
grep -q '^RESULT l2 up' "$raw" || why+=("L2 never became ready")
n="$(grep -c '^RESULT stream .* ok ' "$raw")" || n=0
[ "$n" -eq 12 ] || why+=("$n of 12 transfers succeeded")
n="$(grep -cE '^RESULT ping [a-z]+ [0-9.]+ ' "$raw")" || n=0
[ "$n" -eq 2 ] || why+=("$n of 2 ping series answered")
[ "${#why[@]}" -gt 0 ] && fail=1

if grep -q '^RESULT ' "$raw"; then
	awk '
	function med(k,   n, i, j, t, v) {
		n = cnt[k]
		if (!n) return -1
		for (i = 1; i <= n; i++) v[i] = val[k, i]
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function num(x, f) { return x < 0 ? sprintf("%12s", "n/a") : sprintf(f, x) }
	function ratio(a, b) { return (a < 0 || b <= 0) ? sprintf("%12s", "n/a") : sprintf("%12.2f", a / b) }
	$2 == "ping" && $4 ~ /^[0-9.]+$/ { ping[$3] = $4 }
	$2 == "stream" && $6 == "ok" {
		k = $3 "/" $4
		val[k, ++cnt[k]] = $8 > 0 ? $7 / $8 / 1e6 : 0
		db[k] += $9; irq[k] += $10; pk[k] += $11 + $12; by[k] += $7; dr[k] += $13
	}
	END {
		printf "%-32s %12s %12s %12s\n", "metric", "spar-nic", "virtio-net", "spar/virtio"
		split("g2h h2g", d, " ")
		name["g2h"] = "guest->host"; name["h2g"] = "host->guest"
		for (i = 1; i <= 2; i++) {
			s = med("spar/" d[i]); v = med("virtio/" d[i])
			printf "%-32s %s %s %s\n", "TCP " name[d[i]] " MB/s (median)",
			       num(s, "%12.3f"), num(v, "%12.3f"), ratio(s, v)
		}
		s = ("spar" in ping) ? ping["spar"] : -1
		v = ("virtio" in ping) ? ping["virtio"] : -1
		printf "%-32s %s %s %s\n", "ping avg rtt ms (20 x 0.2 s)",
		       num(s, "%12.3f"), num(v, "%12.3f"), ratio(s, v)
		for (i = 1; i <= 2; i++) {
			s = "spar/" d[i]; v = "virtio/" d[i]
			printf "%-32s %s %s %s\n", "host-if pkts/MiB " name[d[i]],
			       num(by[s] ? pk[s] * 1048576 / by[s] : -1, "%12.1f"),
			       num(by[v] ? pk[v] * 1048576 / by[v] : -1, "%12.1f"), ""
		}
		s = "spar/h2g"; v = "virtio/h2g"
		printf "%-32s %s %s\n", "host-if drops host->guest (sum)",
		       num(cnt[s] ? dr[s] : -1, "%12d"), num(cnt[v] ? dr[v] : -1, "%12d")
		for (i = 1; i <= 2; i++) {
			s = "spar/" d[i]
			printf "%-32s %s\n", "doorbells/1000 pkts " name[d[i]],
			       num(pk[s] ? db[s] * 1000 / pk[s] : -1, "%12.1f")
			printf "%-32s %s\n", "interrupts/1000 pkts " name[d[i]],
			       num(pk[s] ? irq[s] * 1000 / pk[s] : -1, "%12.1f")
		}
		for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) {
			k = (j == 1 ? "spar/" : "virtio/") d[i]
			if (cnt[k] != 3)
				printf "note: %s %s: median of %d runs, not 3\n", k, name[d[i]], cnt[k]
		}
		print "MB/s = 10^6 bytes/s until the receiver has it all; pkts: rx+tx of the L1"
		print "host interface (spn-bench, tapb) over the successful runs; ping from L1"
		print "to L2 (ratio above 1: spar-nic slower)."
	}' "$raw"
fi

if [ "$fail" -ne 0 ]; then
	printf 'e2e-bench: could not measure everything: %s\n' "${why[@]}" >&2
	grep -E '^RESULT (stream .* (fail|skip)|l2 down)' "$raw" >&2 || true
	echo "e2e-bench: raw lines:    $raw" >&2
	echo "e2e-bench: L1 console:   $log" >&2
	echo "e2e-bench: L2 console:   $l2log" >&2
	exit 1
fi
echo "Raw lines: $raw; logs: $log, $l2log"
