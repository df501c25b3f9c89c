#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Add up the result files of the test tiers and print the closing line
# "N passed, N failed".  Usage: summary.sh RESULTS_DIR TIER...
# A tier that left no result file counts as one failure: it did not run.
set -uo pipefail

dir=$1
shift
passed=0
failed=0
for tier in "$@"; do
	f="$dir/$tier.txt"
	if [ ! -s "$f" ]; then
		echo "FAIL $tier/ran: no results (the tier did not run to completion)"
		failed=$((failed + 1))
		continue
	fi
	p=$(grep -c '^PASS ' "$f")
	n=$(grep -c '^FAIL ' "$f")
	printf '%-5s %4d passed, %4d failed\n' "$tier" "$p" "$n"
	grep '^FAIL ' "$f" | sed 's/^/      /'
	passed=$((passed + p))
	failed=$((failed + n))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
