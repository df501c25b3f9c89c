#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-input latency benchmark (fourth part of `make bench`): one
# throwaway VM (L1) boots one nested guest (L2) with two keyboards fed by
# uinput keyboards of L1: a spar-input instance (visorinput in L2, "visor
# Keyboard") and QEMU's input-linux with virtio-keyboard-pci ("QEMU Virtio
# Keyboard").  L1's input_bench writes key presses and releases, one at a
# time, to each in turn, and L2's input_bench_l2 sends back each event's
# evdev timestamp over a virtio-serial port, on which L1 also estimates
# the offset between the two clocks (NTP-style pings).  The latency is
# from L1's write to L2's timestamp.  See tests/bench/input-bench-l1.sh,
# input-bench-l2.sh, input_bench.c and input_bench_l2.c.
#
#   tests/bench/input-bench.sh [EVENTS]   measured events per path,
#                                         presses and releases (default
#                                         1000, or $SPAR_INPUT_BENCH_EVENTS)
#
# Prints a table of the median and 99th percentile per path, the
# spar/virtio ratios and the lost events; the raw lines are in
# build/bench/input.txt.  Exits non-zero if a path could not be measured.
# About 3 minutes under TCG with the default, most of it L2's boot.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/vm.sh
. "$here/../vm/lib/vm.sh"
vm_setup

events="${1:-${SPAR_INPUT_BENCH_EVENTS:-1000}}"
case "$events" in
'' | *[!0-9]*) vm_die "events per path must be a number, not '$events'" ;;
esac
[ "$events" -ge 2 ] || vm_die "events per path must be 2 or more"
out="$SPAR_ROOT/build/bench"
raw="$out/input.txt"
group="input-bench"
log="$VM_LOGS/$group.log"
l2log="$VM_LOGS/$group-l2-bench.log"
bus="$SPAR_ROOT/guest/visorbus/visorbus.ko"
inp="$SPAR_ROOT/guest/visorinput/visorinput.ko"
tools="$SPAR_ROOT/build/tools"
mkdir -p "$out"
: > "$raw"

make -s -C "$SPAR_ROOT/tools" > /dev/null || vm_die "make -C tools failed"
for p in input_bench input_bench_l2; do
	[ -x "$tools/$p" ] || vm_die "$tools/$p does not exist (make tools)"
done
vm_module_ready bench "$out/input-module.txt" || exit 1
for ko in "$bus" "$inp"; do
	[ -f "$ko" ] || vm_die "$ko does not exist (make modules)"
	magic="$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	[ "$magic" = "$VM_KVER" ] || vm_die "$ko is built for '$magic', the VM boots $VM_KVER"
done

# L2's initramfs: the standard nested-guest one with virtio-serial, the
# virtio keyboard, evdev and the guest modules (l2-init loads visorbus,
# then visorinput), plus an archive with the L2 script and program.
base="$out/input-l2-initramfs-$VM_KVER.cpio.gz"
vm_l2_initramfs "$base" "$SPAR_ROOT/tests/e2e/l2-init" virtio_pci \
	virtio_console virtio_input evdev "$bus" "$inp"
x="$(mktemp -d "$out/l2extra.XXXXXX")"
mkdir -p "$x/l2.d" "$x/bench"
cp "$here/input-bench-l2.sh" "$x/l2.d/50-input-bench.sh"
cp "$tools/input_bench_l2" "$x/bench/"
(cd "$x" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) |
	gzip -1 > "$x.cpio.gz"
cat "$base" "$x.cpio.gz" > "$out/input-l2-initrd.gz"
rm -rf "$x" "$x.cpio.gz"

others="$(pgrep -c -f '^qemu-system')" || others=0
[ "$others" -eq 0 ] ||
	echo "input-bench: $others other VM(s) running here; the numbers will be noisy" >&2
info="# $(date -u +%FT%TZ) kver=$VM_KVER accel=${VM_ACCEL[1]} events=$events other-vms=$others"
info="$info load-before=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
start=$SECONDS
# L1's own limit for L2 (input-bench-l1.sh) and its boot and module load
vm_boot "$group" "${SPAR_INPUT_BENCH_TIMEOUT:-$((780 + events / 5))}" \
	tests/bench/input-bench-l1.sh "$events"
sed -n 's/^\[l2:bench\] //p' "$log" > "$l2log"
{
	echo "$info load-after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
	grep -aE '^INPUT-BENCH ' "$log" || true
} > "$raw"
echo "input-bench: $((SECONDS - start)) s, $events events per path, ${VM_ACCEL[1]} in ${VM_ACCEL[1]}"

why=()
[ "$VM_TIMED_OUT" = 1 ] && why+=("the VM timed out")
grep -q '^SPAR-VM-END$' "$log" || why+=("the VM never reached its end")
grep -q '^INPUT-BENCH l2 up' "$raw" || why+=("L2 never became ready")
grep -qE '^INPUT-BENCH clock rounds=[1-9]' "$raw" || why+=("no clock estimate")
for p in spar virtio; do
	grep -qE "^INPUT-BENCH $p n=[1-9]" "$raw" || why+=("no $p event measured")
done

awk '
function field(line, name,   n, i, kv) {
	n = split(line, kv, " ")
	for (i = 1; i <= n; i++)
		if (index(kv[i], name "=") == 1)
			return substr(kv[i], length(name) + 2)
	return ""
}
$2 == "spar" || $2 == "virtio" { line[$2] = $0 }
$2 == "clock" { clock = $0 }
$2 == "counters" { counters = $0 }
# count(PATH, NAME): a count of the path, or "n/a"
function count(p, name,   v) {
	v = (p in line) ? field(line[p], name) : ""
	return v == "" ? "n/a" : v
}
# lat(PATH, NAME): a latency of the path (may be negative), or "n/a"
function lat(p, name,   v) {
	if (!((p in line) && field(line[p], "n") > 0)) return "n/a"
	v = field(line[p], name)
	return v == "" ? "n/a" : sprintf("%.1f", v)
}
function ratio(a, b) { return (a == "n/a" || b == "n/a" || a <= 0 || b <= 0) ? "n/a" : sprintf("%.2f", a / b) }
END {
	fmt = "%-12s %8s %6s %8s %10s %10s %10s %10s\n"
	printf fmt, "path", "measured", "lost", "skipped", "median us",
	       "p99 us", "min us", "max us"
	split("spar virtio", p, " ")
	name["spar"] = "spar-input"; name["virtio"] = "virtio-kbd"
	for (i = 1; i <= 2; i++)
		printf fmt, name[p[i]], count(p[i], "n"), count(p[i], "lost"),
		       count(p[i], "skipped"), lat(p[i], "median_us"),
		       lat(p[i], "p99_us"), lat(p[i], "min_us"), lat(p[i], "max_us")
	printf fmt, "spar/virtio", "", "", "",
	       ratio(lat("spar", "median_us"), lat("virtio", "median_us")),
	       ratio(lat("spar", "p99_us"), lat("virtio", "p99_us")), "", ""
	if (clock != "")
		printf "clock: offset error bound +-%s us (%s sync rounds, shortest ping %s us), drift %s ppm\n",
		       field(clock, "err_us"), field(clock, "rounds"),
		       field(clock, "rtt_min_us"), field(clock, "drift_ppm")
	for (i = 1; i <= 2; i++)
		if (lat(p[i], "write_max_us") != "n/a")
			w = w sprintf("%s%s p99 %s us, max %s us", w == "" ? "" : "; ",
				      name[p[i]], lat(p[i], "write_p99_us"),
				      lat(p[i], "write_max_us"))
	if (w != "")
		print "write() to uinput: " w
	n = count("spar", "n")
	if (counters != "" && n != "n/a" && n > 0 && field(counters, "doorbells") >= 0)
		printf "spar-input per 1000 events: %.1f doorbells, %.1f interrupts, %d drops_full\n",
		       field(counters, "doorbells") * 1000 / n,
		       field(counters, "interrupts") * 1000 / n,
		       field(counters, "drops_full")
	print "Latency: from just before the write() of a key event and SYN_REPORT to a uinput"
	print "keyboard of the test VM to the evdev timestamp in the nested guest,"
	print "brought to the test VM clock (offset from virtio-serial pings); one"
	print "event at a time.  ratio above 1: spar-input slower.  lost: not seen"
	print "within 5 s; skipped: not sent (the path was given up)."
}' "$raw"

if [ "${#why[@]}" -gt 0 ]; then
	printf 'input-bench: could not measure everything: %s\n' "${why[@]}" >&2
	echo "input-bench: raw lines:  $raw" >&2
	echo "input-bench: L1 console: $log" >&2
	echo "input-bench: L2 console: $l2log" >&2
	exit 1
fi
echo "Raw lines: $raw; logs: $log, $l2log"
