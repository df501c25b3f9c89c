#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Add up the result files of the test tiers and print the closing line
# "N passed, N failed", which counts checks of behaviour only.  Setup steps
# (boots, module builds and loads, initramfs builds: tests/setup-checks)
# and the lint tier are counted on lines of their own above it; their
# failures still fail the run.
#
#   summary.sh RESULTS_DIR TIER...
#
# A tier fails as a whole, with a line of its own, if it left no result
# file or an empty one (it did not run), or if RESULTS_DIR/TIER.rc holds a
# non-zero exit status while its results show no failure.
set -uo pipefail

dir=$1
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
setup_re="$(grep -v '^#' "$root/tests/setup-checks" | paste -sd '|')"

behaviour_pass=0 behaviour_fail=0 setup_pass=0 setup_fail=0
lint_pass=0 lint_fail=0
for tier in "$@"; do
	f="$dir/$tier.txt"
	if [ ! -s "$f" ]; then
		echo "FAIL $tier/ran: no results (the tier did not run to completion)" >> "$f"
	fi
	rc="$(cat "$dir/$tier.rc" 2>/dev/null || echo 0)"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$f"; then
		echo "FAIL $tier/exit-status: the tier exited $rc without a failed check" >> "$f"
	fi
	p=$(grep -c '^PASS ' "$f")
	n=$(grep -c '^FAIL ' "$f")
	sp=$(grep '^PASS ' "$f" | grep -cE "$setup_re")
	sn=$(grep '^FAIL ' "$f" | grep -cE "$setup_re")
	printf '%-5s %4d passed, %4d failed' "$tier" "$p" "$n"
	[ "$tier" != lint ] && printf '  (%d of them setup steps)' "$((sp + sn))"
	printf '\n'
	grep '^FAIL ' "$f" | sed 's/^/      /'
	# reports of upstream code the VM tiers recognise; not counted
	grep '^KNOWN ' "$f" | sed 's/^/      /'
	if [ "$tier" = lint ]; then
		lint_pass=$((lint_pass + p))
		lint_fail=$((lint_fail + n))
	else
		setup_pass=$((setup_pass + sp))
		setup_fail=$((setup_fail + sn))
		behaviour_pass=$((behaviour_pass + p - sp))
		behaviour_fail=$((behaviour_fail + n - sn))
	fi
done
echo "setup steps: $setup_pass passed, $setup_fail failed"
echo "lint:        $lint_pass passed, $lint_fail failed"
echo "$behaviour_pass passed, $behaviour_fail failed"
[ "$behaviour_fail" -eq 0 ] && [ "$setup_fail" -eq 0 ] && [ "$lint_fail" -eq 0 ] &&
	[ "$behaviour_pass" -gt 0 ]
