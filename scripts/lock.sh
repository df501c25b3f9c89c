#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# One test run at a time per checkout: the tiers share build/results/ and
# build/vm/logs/, so a second run waits for the first instead of
# overwriting its results.
#
#   scripts/lock.sh COMMAND [ARGS...]   run COMMAND holding the lock
#   . scripts/lock.sh; spar_lock ROOT WHAT   take it in this shell
#
# The lock is an flock(1) on build/.lock; build/.lock.owner says who holds
# it.  A process that holds it exports SPAR_LOCK_HELD, so the scripts it
# starts do not wait for themselves.  SPAR_LOCK_WAIT=0 makes a busy lock an
# error instead of a wait.

# spar_lock ROOT WHAT: take ROOT/build/.lock for the rest of this shell's
# life and the lives of its children; WHAT says what runs, for whoever waits.
spar_lock() {
	local root="$1" what="$2" owner
	[ -n "${SPAR_LOCK_HELD:-}" ] && return 0
	mkdir -p "$root/build"
	exec 9>> "$root/build/.lock"
	if ! flock -n 9; then
		owner="$(cat "$root/build/.lock.owner" 2>/dev/null || true)"
		echo "lock: $root/build is in use by ${owner:-an unknown process}" >&2
		if [ "${SPAR_LOCK_WAIT:-1}" = 0 ]; then
			echo "lock: SPAR_LOCK_WAIT=0, giving up" >&2
			return 1
		fi
		echo "lock: waiting for it to finish" >&2
		flock 9
	fi
	echo "'$what' (pid $$, user $(id -un), since $(date '+%F %T'))" \
		> "$root/build/.lock.owner"
	export SPAR_LOCK_HELD=$$
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
	spar_lock "$(cd "$(dirname "$0")/.." && pwd)" "$*"
	"$@"
fi
