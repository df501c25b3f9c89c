#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/lib/known-reports.awk, the filter that sets aside the one
# kernel report known to come from upstream code (lockdep on the VFIO type1
# IOMMU's own two locks), against a real report from make check-debug
# (fixtures/type1-lock-order.dmesg) and variants of it that must not be
# set aside.  Prints PASS/FAIL unit/known-<name> lines; exits non-zero on
# any FAIL.
#
#   tests/harness/test_known.sh [RESULTS]   also append the lines to RESULTS

set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
results="${1:-/dev/null}"
awkf="$root/tests/vm/lib/known-reports.awk"
fixture="$here/fixtures/type1-lock-order.dmesg"
re="$(grep -v '^#' "$root/tests/vm/lib/dmesg-patterns" | paste -sd '|')"
fails=0
ok() {
	echo "PASS unit/known-$1" | tee -a "$results"
}
bad() {
	echo "FAIL unit/known-$1" | tee -a "$results"
	shift
	printf '# %s\n' "$@"
	fails=$((fails + 1))
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
before='[    1.000000] spar_mdev: loaded'
after='[    2.000000] spar_mdev 1234: Removing from iommu group 0'

# filter NAME INPUT: run the filter; sets out (kept lines) and known
filter() {
	awk -f "$awkf" "$2" > "$tmp/$1.out" 2> "$tmp/$1.known"
	known="$(cat "$tmp/$1.known")"
}

# The real report, between ordinary lines: set aside, named, and nothing
# the patterns reject is left; the ordinary lines survive.
{ echo "$before"; cat "$fixture"; echo "$after"; } > "$tmp/real"
filter real "$tmp/real"
if [ "$known" = "KNOWN type1-lock-order" ] &&
	! grep -qaE "$re" "$tmp/real.out" &&
	[ "$(cat "$tmp/real.out")" = "$before"$'\n'"$after" ]; then
	ok type1-set-aside
else
	bad type1-set-aside "known: '$known'" "kept: $(wc -l < "$tmp/real.out") lines"
fi

# The fixture itself must be something the patterns reject.
if grep -qaE "$re" "$fixture"; then
	ok fixture-is-a-report
else
	bad fixture-is-a-report "no line of $fixture matches dmesg-patterns"
fi

# A third lock in the chain: not the known report, kept whole.
sed 's/^\(.*\)-> #1 (&iommu->device_list_lock)\(.*\)$/&\n\1-> #2 (\&sdev->lock)\2/' \
	"$fixture" > "$tmp/third"
filter third "$tmp/third"
if [ -z "$known" ] && grep -qaE "$re" "$tmp/third.out" &&
	[ "$(wc -l < "$tmp/third.out")" = "$(wc -l < "$tmp/third")" ]; then
	ok third-lock-kept
else
	bad third-lock-kept "known: '$known'" "kept $(wc -l < "$tmp/third.out") of $(wc -l < "$tmp/third") lines"
fi

# The same two locks reached from another caller: kept.
sed 's/spar_pins_unmap/other_driver_unmap/' "$fixture" > "$tmp/other"
filter other "$tmp/other"
if [ -z "$known" ] && grep -qaE "$re" "$tmp/other.out"; then
	ok other-caller-kept
else
	bad other-caller-kept "known: '$known'"
fi

# A WARN after the known report is still seen.
{ cat "$fixture"; echo '[    3.000000] WARNING: CPU: 0 PID: 1 at spar_xlate.c:1 x+0x1/0x2'; } > "$tmp/warn"
filter warn "$tmp/warn"
if [ "$known" = "KNOWN type1-lock-order" ] && grep -qa 'WARNING: CPU' "$tmp/warn.out"; then
	ok later-warn-kept
else
	bad later-warn-kept "known: '$known'"
fi

# A report cut short (no end of its backtrace): kept.
head -n 60 "$fixture" > "$tmp/cut"
filter cut "$tmp/cut"
if [ -z "$known" ] && grep -qaE "$re" "$tmp/cut.out"; then
	ok cut-report-kept
else
	bad cut-report-kept "known: '$known'"
fi

[ "$fails" -eq 0 ]
