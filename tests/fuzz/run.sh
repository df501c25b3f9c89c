#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run each fuzz target for a bounded time from its corpus directory and
# append "PASS unit/fuzz-<target>" or "FAIL unit/fuzz-<target>" to the
# results file.
#
#   run.sh RESULTS OUTDIR SECONDS TARGET...
set -u

results=$1
out=$2
secs=$3
shift 3
status=0

for t in "$@"; do
	bin="$out/fuzz_$t"
	corpus="$out/corpus/$t"
	log="$out/fuzz_$t.log"
	mkdir -p "$corpus" "$out/artifacts"
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin was not built" >&2
		echo "FAIL unit/fuzz-$t" | tee -a "$results"
		status=1
		continue
	fi
	# -max_total_time bounds the run; timeout catches a wedged target
	timeout -k 5 $((secs + 60)) "$bin" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" "$corpus" >"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log" |
		sed "s/^/fuzz $t: /" >&2
	if [ "$rc" -eq 0 ]; then
		echo "PASS unit/fuzz-$t" | tee -a "$results"
	else
		echo "fuzz: $t failed (status $rc), log $log:" >&2
		grep -E -A 20 'ERROR|SUMMARY|fuzz_.*\.c:[0-9]+:' "$log" |
			head -40 >&2
		echo "FAIL unit/fuzz-$t" | tee -a "$results"
		status=1
	fi
done
exit $status
