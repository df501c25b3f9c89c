#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-input against a malicious guest.  The guest of an input instance
# can write only its queue indexes, the channel and queue headers, the
# transport page and the registers; build/tools/input_test malicious CASE
# does one of those on the first instance while sparctl keeps typing into
# both, and the second instance's guest must receive every one of its
# reports, in order, during every case:
#   violations, the instance then needs a reset: tail-out-of-range (the
#     guest's tail beyond the ring), guest-status (an undefined
#     GUEST_STATUS);
#   ignored, the instance stays ready: head-scribble, queue-geometry,
#     chan-header (the host keeps its own copy of all of them),
#     doorbell-storm (200000 doorbells, some with bad indexes),
#     never-consume (the ring stays full), register-scribble;
#   either, judged only by the other instance and the log: tail-wild
#     (random tails), bus-master-flap, reset-storm, transport-scribble.
# The kernel log must stay free of warnings, name the first instance for
# the violations and never name the second.
# spar-timeout: 180

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

ctl="$SPAR_REPO/build/tools/sparctl"
prog="$SPAR_REPO/build/tools/input_test"
work="$(mktemp -d /tmp/input-evil.XXXXXX)"
violations=(tail-out-of-range guest-status)
ignored=(head-scribble queue-geometry chan-header doorbell-storm
	never-consume register-scribble)
either=(tail-wild bus-master-flap reset-storm transport-scribble)
cases=("${violations[@]}" "${ignored[@]}" "${either[@]}")

t_declare input-evil-setup input-evil-dmesg input-evil-logged \
	input-evil-other-quiet "${cases[@]/#/input-evil-}"

a="$(new_uuid)"
b="$(new_uuid)"
if ! err="$(modprobe uinput 2>&1)" || ! mdev_create spar-input "$a" > /dev/null ||
	! mdev_create spar-input "$b" > /dev/null; then
	t_fail input-evil-setup "uinput or the instances: $err"
	t_done
fi
t_pass input-evil-setup

# Ten taps of each of the letters q..p: 20 reports per sender.
for k in q w e r t y u i o p; do echo "tap $k"; done > "$work/taps"
want="$(for c in 10 11 12 13 14 15 16 17 18 19; do
	printf 'kbd KEY_DOWN 0x00%s 0x0000\nkbd KEY_UP 0x00%s 0x0000\n' "$c" "$c"
done)"
{
	cat "$work/taps"
	for ((i = 1; i <= 40; i++)); do echo "abs $((i * 20)) $((i * 10))"; done
} > "$work/evil-in"

# expect CASE: the status the first instance must end with, if judged.
expect() {
	local c
	for c in "${violations[@]}"; do [ "$c" = "$1" ] && echo needs-reset; done
	for c in "${ignored[@]}"; do [ "$c" = "$1" ] && echo ready; done
}

base="$(dmesg | wc -l)"
for c in "${cases[@]}"; do
	rm -f "$work/ready"
	"$prog" read "$b" --count 20 --timeout 5000 --ready "$work/ready" \
		> "$work/b.out" 2>&1 &
	rpid=$!
	"$prog" malicious "$a" "$c" --timeout 1200 > "$work/a.out" 2>&1 &
	mpid=$!
	for ((i = 0; i < 50; i++)); do
		[ -e "$work/ready" ] && break
		sleep 0.1
	done
	sleep 0.3
	"$ctl" input send "$a" < "$work/evil-in" > /dev/null 2>&1 &
	spid=$!
	"$ctl" input send "$b" < "$work/taps" > "$work/b.ctl" 2>&1
	wait "$spid"
	wait "$mpid"
	mrc=$?
	wait "$rpid"
	got="$(grep '^kbd' "$work/b.out")"
	status="$(sed -n 's/^malicious .*status=\([^ ]*\).*/\1/p' "$work/a.out")"
	want_status="$(expect "$c")"
	if [ "$got" != "$want" ]; then
		t_fail "input-evil-$c" "the other instance got: $(head -c 300 "$work/b.out") $(cat "$work/b.ctl")"
	elif [ "$mrc" -ne 0 ]; then
		t_fail "input-evil-$c" "input_test malicious exited $mrc: $(tail -n 3 "$work/a.out")"
	elif [ -n "$want_status" ] && [ "$status" != "$want_status" ]; then
		t_fail "input-evil-$c" "status $status, expected $want_status: $(tail -n 3 "$work/a.out")"
	else
		t_pass "input-evil-$c"
	fi
	t_note "$c: $(tail -n 1 "$work/a.out")"
done

log="$(dmesg | tail -n "+$((base + 1))")"
if dmesg_clean "$log" > /dev/null; then
	t_pass input-evil-dmesg
else
	t_fail input-evil-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
t_match input-evil-logged "$a.*guest broke the channel protocol" "$log"
if printf '%s\n' "$log" | grep "$b" | grep -vq 'source .* \(un\)\?bound'; then
	t_fail input-evil-other-quiet "the other instance was named: $(printf '%s\n' "$log" | grep "$b" | grep -v 'bound' | head -n 2)"
else
	t_pass input-evil-other-quiet
fi
rm -rf "$work"
t_done
