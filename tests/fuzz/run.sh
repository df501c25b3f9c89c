#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run each fuzz target for a bounded time and append
# "PASS unit/fuzz-<target>" or "FAIL unit/fuzz-<target>" to the results
# file.
#
#   run.sh [-k] RESULTS OUTDIR SECONDS CORPUS TARGET...
#
# OUTDIR holds the binaries and the generated seeds (OUTDIR/corpus/<target>);
# CORPUS/<target> is the corpus kept in the tree.  By default new inputs
# go to the seed directory and the kept corpus is only read.  With -k new
# inputs go to the kept corpus, which is then minimised (libFuzzer
# -merge=1) so that it holds only inputs that add coverage.
set -u

keep=0
if [ "${1:-}" = -k ]; then
	keep=1
	shift
fi
results=$1
out=$2
secs=$3
kept=$4
shift 4
status=0

fail() { # fail TARGET WHY
	echo "fuzz: $1: $2" >&2
	echo "FAIL unit/fuzz-$1" | tee -a "$results"
	status=1
}

for t in "$@"; do
	bin="$out/fuzz_$t"
	seeds="$out/corpus/$t"
	log="$out/fuzz_$t.log"
	mkdir -p "$seeds" "$out/artifacts"
	if [ ! -x "$bin" ]; then
		fail "$t" "$bin was not built"
		continue
	fi
	if [ "$keep" -eq 1 ]; then
		mkdir -p "$kept/$t"
		dirs="$kept/$t $seeds"
	elif [ -d "$kept/$t" ]; then
		dirs="$seeds $kept/$t"
	else
		dirs=$seeds
	fi
	# -max_total_time bounds the run; timeout catches a wedged target.
	# The first directory receives new inputs.
	# shellcheck disable=SC2086
	timeout -k 5 $((secs + 60)) "$bin" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" $dirs >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	done=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 |
		sed -E 's/^#[0-9]+[[:space:]]+DONE[[:space:]]+//')
	echo "fuzz $t: ${execs:-?} executions in ${secs}s; ${done:-no final stats}" >&2
	if [ "$rc" -ne 0 ]; then
		fail "$t" "status $rc, log $log:"
		grep -E -A 20 'ERROR|SUMMARY|fuzz_.*\.c:[0-9]+:' "$log" |
			head -40 >&2
		continue
	fi
	if [ "$keep" -eq 1 ]; then
		merged="$out/merge-$t"
		rm -rf "$merged"
		mkdir -p "$merged"
		# shellcheck disable=SC2086
		if ! timeout -k 5 $((secs + 300)) "$bin" -merge=1 -timeout=10 \
			-rss_limit_mb=2048 "$merged" $dirs >"$log.merge" 2>&1; then
			fail "$t" "minimising the corpus failed, log $log.merge"
			continue
		fi
		rm -rf "${kept:?}/$t"
		mv "$merged" "$kept/$t"
		echo "fuzz $t: corpus $kept/$t: $(find "$kept/$t" -type f | wc -l) inputs," \
			"$(find "$kept/$t" -type f -exec cat {} + | wc -c) bytes" >&2
	fi
	echo "PASS unit/fuzz-$t" | tee -a "$results"
done
exit $status
