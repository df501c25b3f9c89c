#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nested benchmark (second part of `make bench`): one throwaway VM (L1)
# boots one nested guest (L2) that has three network devices side by side:
# a spar-nic instance with its offloads on offer (visornic negotiates them;
# the default), a second spar-nic instance set to offer none before the VM
# opens it (visornic then speaks the plain, upstream-compatible s-Par
# protocol: the legacy mode) and a virtio-net device on a tap, each with a
# host interface and subnet of its own.  From L1 it measures each: TCP
# streams guest to host (busybox httpd in L2, curl in L1) and host to guest
# (L1 sends, busybox dd in L2 reads and answers at the end), each timed
# until the receiver has everything, median of three; ping round trips;
# packets per MiB on the host interface; and for the spar-nic instances
# doorbells, interrupts and frames dropped for lack of a posted receive
# buffer (stats/rcv_no_buffer) per 1000 packets of the host interface, the
# CPU time of the instance's engine thread per MiB, and the features the
# guest negotiated (stats/features).  See tests/bench/e2e-bench-l1.sh and
# e2e-bench-l2.sh.
#
#   tests/bench/e2e-bench.sh [MIB]    MiB per transfer (default 8, or
#                                     $SPAR_E2E_BENCH_MIB)
#
# Prints a table; the raw lines are in build/bench/e2e.txt.  Exits non-zero
# if anything could not be measured (L2 not up, a transfer failed, no CPU
# time of an engine thread, an instance not in its mode).

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
vm_boot "$group" "${SPAR_E2E_BENCH_TIMEOUT:-960}" tests/bench/e2e-bench-l1.sh "$mib"
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
[ "$n" -eq 18 ] || why+=("$n of 18 transfers succeeded")
n="$(grep -cE '^RESULT ping [a-z]+ [0-9.]+ ' "$raw")" || n=0
[ "$n" -eq 3 ] || why+=("$n of 3 ping series answered")
n="$(grep -cE '^RESULT stream (spar|legacy) .* ok .* -1$' "$raw")" || n=0
[ "$n" -eq 0 ] || why+=("$n spar-nic transfers without the CPU time of the engine thread")
# The modes: legacy must have negotiated nothing, spar something.
for inst in spar legacy; do
	grep -q '^RESULT l2 up' "$raw" || break
	feat="$(awk -v n="$inst" '$2 == "features" && $3 == n && $4 ~ /^[0-9]+$/ { print $4; exit }' "$raw")"
	if [ -z "$feat" ]; then
		why+=("no stats/features of the $inst instance")
	elif [ "$inst" = legacy ] && [ "$feat" -ne 0 ]; then
		why+=("the legacy instance negotiated features $feat, not 0 (plain s-Par)")
	elif [ "$inst" = spar ] && [ "$feat" -eq 0 ]; then
		why+=("the spar instance negotiated no offloads")
	fi
done
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
	# -1: not measured (n/a), -2: not applicable (-)
	function num(x, f) {
		return x == -2 ? sprintf("%13s", "-") : x < 0 ? sprintf("%13s", "n/a") : sprintf(f, x)
	}
	function ratio(a, b) { return (a < 0 || b <= 0) ? sprintf("%13s", "n/a") : sprintf("%13.2f", a / b) }
	# per(a, b, m): a per m of b
	function per(a, b, m) { return b > 0 ? a * m / b : -1 }
	# row(label, spar, legacy, virtio, format, with the ratios)
	function row(l, s, g, v, f, r,   t) {
		t = sprintf("%-32s %s %s %s", l, num(s, f), num(g, f), num(v, f))
		if (r) t = t " " ratio(s, v) " " ratio(g, v)
		print t
	}
	function feat(n,   t) {
		if (!(n in fb)) return n " n/a"
		t = sprintf("%s %d = 0x%x", n, fb[n], fb[n])
		if (fa[n] != fb[n])
			t = t sprintf(" before the transfers, %d = 0x%x after", fa[n], fa[n])
		return t " (offered: " off[n] ")"
	}
	$2 == "ping" && $4 ~ /^[0-9.]+$/ { ping[$3] = $4 }
	$2 == "features" {
		fb[$3] = $4; fa[$3] = $5; off[$3] = $6
		for (i = 7; i <= NF; i++) off[$3] = off[$3] " " $i
	}
	$2 == "stream" && $6 == "ok" {
		k = $3 "/" $4
		val[k, ++cnt[k]] = $8 > 0 ? $7 / $8 / 1e6 : 0
		db[k] += $9; irq[k] += $10; pk[k] += $11 + $12; by[k] += $7; dr[k] += $13
		nb[k] += $14
		if ($15 != "" && $15 >= 0) { cpu[k] += $15; cb[k] += $7; cn[k]++ }
	}
	END {
		print "features: " feat("spar") ", " feat("legacy")
		printf "%-32s %13s %13s %13s %13s %13s\n", "metric", "spar-nic", "spar-legacy",
		       "virtio-net", "spar/virtio", "legacy/virtio"
		split("g2h h2g", d, " ")
		split("spar legacy virtio", nic, " ")
		name["g2h"] = "guest->host"; name["h2g"] = "host->guest"
		for (i = 1; i <= 2; i++)
			row("TCP " name[d[i]] " MB/s (median)", med("spar/" d[i]),
			    med("legacy/" d[i]), med("virtio/" d[i]), "%13.3f", 1)
		for (j = 1; j <= 3; j++)
			p[j] = (nic[j] in ping) ? ping[nic[j]] : -1
		row("ping avg rtt ms (20 x 0.2 s)", p[1], p[2], p[3], "%13.3f", 1)
		for (i = 1; i <= 2; i++) {
			for (j = 1; j <= 3; j++) {
				k = nic[j] "/" d[i]
				p[j] = per(pk[k], by[k], 1048576)
			}
			row("host-if pkts/MiB " name[d[i]], p[1], p[2], p[3], "%13.1f", 1)
		}
		for (j = 1; j <= 3; j++) {
			k = nic[j] "/h2g"
			p[j] = cnt[k] ? dr[k] : -1
		}
		row("host-if drops host->guest (sum)", p[1], p[2], p[3], "%13d", 0)
		for (i = 1; i <= 2; i++) {
			s = "spar/" d[i]; g = "legacy/" d[i]
			row("doorbells/1000 pkts " name[d[i]], per(db[s], pk[s], 1000),
			    per(db[g], pk[g], 1000), -2, "%13.1f", 0)
			row("interrupts/1000 pkts " name[d[i]], per(irq[s], pk[s], 1000),
			    per(irq[g], pk[g], 1000), -2, "%13.1f", 0)
		}
		s = "spar/h2g"; g = "legacy/h2g"
		row("no-buffer drops/1000 host->guest", per(nb[s], pk[s], 1000),
		    per(nb[g], pk[g], 1000), -2, "%13.2f", 0)
		for (i = 1; i <= 2; i++) {
			s = "spar/" d[i]; g = "legacy/" d[i]
			row("worker CPU ms/MiB " name[d[i]], per(cpu[s], cb[s], 1048576),
			    per(cpu[g], cb[g], 1048576), -2, "%13.2f", 0)
		}
		for (i = 1; i <= 2; i++) for (j = 1; j <= 3; j++) {
			k = nic[j] "/" d[i]
			if (cnt[k] != 3)
				printf "note: %s %s: median of %d runs, not 3\n", nic[j], name[d[i]], cnt[k]
			if (j < 3 && cn[k] != cnt[k])
				printf "note: %s %s: worker CPU over %d of %d runs\n", nic[j], name[d[i]], cn[k], cnt[k]
		}
		print "MB/s = 10^6 bytes/s until the receiver has it all.  pkts: rx+tx of the L1"
		print "host interface (spn-bench, spn-legacy, tapb) over the successful runs; they"
		print "are also what doorbells, interrupts and no-buffer drops (frames for L2"
		print "dropped with no receive buffer posted, stats/rcv_no_buffer) are counted"
		print "against.  Worker CPU: utime+stime of the instance engine thread (spar/<uuid>)"
		print "per MiB moved.  Ping from L1 to L2.  Ratios: the column over virtio-net"
		print "(above 1: slower for rtt, more packets for pkts/MiB); -: not applicable."
		print "features: stats/features; 0x1f0000 = csum guest-csum tso large-rx big-mtu, 0 = plain s-Par."
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
