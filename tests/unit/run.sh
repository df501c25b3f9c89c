#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run unit test binaries and append their PASS/FAIL lines to a results file.
#
#   run.sh RESULTS TAG BINARY...
#
# Each binary prints "PASS unit/<name>" / "FAIL unit/<name>" lines.  With a
# non-empty TAG the names become unit/TAG-<name>, so that one binary built
# twice (plain and sanitized) reports distinct names.  A binary that is
# missing, exits non-zero, crashes or hangs gets an extra
# "FAIL unit/[TAG-]<binary>-exit" line even if it printed nothing.
# Exit status: non-zero if any binary failed.
set -u

results=$1
tag=$2
shift 2
limit=${UNIT_TIMEOUT:-120}
prefix=""
[ -n "$tag" ] && prefix="$tag-"
status=0

for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#test_}
	out=$(mktemp)
	if [ -x "$bin" ]; then
		timeout -k 5 "$limit" "$bin" >"$out"
		rc=$?
	else
		echo "run.sh: $bin was not built" >&2
		rc=127
	fi
	grep -E '^(PASS|FAIL) unit/' "$out" |
		sed -E "s#^(PASS|FAIL) unit/#\\1 unit/$prefix#" | tee -a "$results"
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: $bin exited with status $rc" >&2
		echo "FAIL unit/$prefix$name-exit" | tee -a "$results"
		status=1
	fi
	rm -f "$out"
done
exit $status
