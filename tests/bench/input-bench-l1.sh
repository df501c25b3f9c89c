#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (L1, started by tests/bench/input-bench.sh):
# loads the host module, uinput and evdev, creates one spar-input instance
# and starts build/tools/input_bench (tests/bench/input_bench.c), which
# makes two uinput keyboards: one with the phys "spar-input/<UUID>/bench",
# which the instance takes, and one for QEMU's input-linux.  Once the
# instance has taken the first, input_bench writes the event device of the
# second to $WORK/evdev; then this side boots one nested guest (L2) with
#
#   -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$UUID   (visorinput)
#   -object input-linux,evdev=<that device> -device virtio-keyboard-pci
#   -device virtio-serial-pci, a port "bench" on the UNIX socket $SOCK
#
# input_bench connects to the socket as soon as L2's QEMU listens on it,
# and waits for L2's tests/bench/input-bench-l2.sh (input_bench_l2) to say
# READY on the port; then it measures, tells L2 the end and prints its
# INPUT-BENCH lines, and L2 powers off.  If L2's QEMU ends first,
# input_bench is stopped.  Lines (see tests/bench/input-bench.sh and
# input_bench.c):
#
#   INPUT-BENCH warmup|sync|clock|spar|virtio|counters|l2-counts ...
#   INPUT-BENCH l2 up|down
#
# Arguments: EVENTS (measured events per path, default 1000).

set -u
SPAR_TIER=bench
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

EVENTS="${1:-1000}"
WORK=/tmp/input-bench
SOCK="$WORK/bench.sock"
INITRD="$SPAR_REPO/build/bench/input-l2-initrd.gz"
BENCH="$SPAR_REPO/build/tools/input_bench"
# Under TCG inside TCG, L2 is up after 60 to 190 s; input_bench waits
# READY_S for it.  The events then take some milliseconds each (allow
# 100), and a path that loses events costs up to 5 s per event until it
# is given up after 10 in a row.
READY_S=420
L2_TMO=$((READY_S + 180 + EVENTS / 5))

note() {
	printf '# %s\n' "$@"
}

result() {
	echo "INPUT-BENCH $*"
}

main() {
	local out ev i brc rc start bpid l2pid
	echo "# kernel $(uname -r), repo $SPAR_REPO, $EVENTS events per path"
	if ! out="$(spar_load max_nic=1 max_hba=1 max_input=1)"; then
		note "module load failed: $out"
		return 1
	fi
	if ! out="$(modprobe -a uinput evdev 2>&1)"; then
		note "cannot load uinput and evdev: $out"
		return 1
	fi
	UUID="$(new_uuid)"
	DEV="$MDEV_DEVICES/$UUID"
	if ! out="$(mdev_create spar-input "$UUID")"; then
		note "cannot create the spar-input instance: $out"
		return 1
	fi
	rm -rf "$WORK"
	mkdir -p "$WORK"
	LOG="$(l2_log bench)"
	: > "$LOG"
	start=$SECONDS
	"$BENCH" --uuid "$UUID" --socket "$SOCK" --ready "$WORK/evdev" \
		--events "$EVENTS" --wait "$READY_S" &
	bpid=$!
	# Its signal: the file appears (by a rename) once the keyboards exist
	# and the instance has taken the spar one (within 10 s), or it ends.
	for ((i = 0; i < 600; i++)); do
		[ -s "$WORK/evdev" ] && break
		kill -0 "$bpid" 2> /dev/null || break
		sleep 0.1
	done
	ev="$(cat "$WORK/evdev" 2> /dev/null)"
	if [ -z "$ev" ] || [ ! -c "$ev" ]; then
		note "input_bench did not make its keyboards${ev:+ (no device $ev)}"
		kill "$bpid" 2> /dev/null
		wait "$bpid"
		result l2 down
		mdev_remove "$UUID" > /dev/null
		return 1
	fi
	note "the spar keyboard is bound: $(tr '\t\n' ' ;' < "$DEV/bound")"
	note "the virtio keyboard is $ev"
	L2_INITRD="$INITRD" l2_boot bench "$L2_TMO" \
		-device "vfio-pci,sysfsdev=$DEV" \
		-object "input-linux,id=kbd1,evdev=$ev" \
		-device virtio-keyboard-pci,romfile= \
		-device virtio-serial-pci,romfile= \
		-chardev "socket,id=bs,path=$SOCK,server=on,wait=off" \
		-device virtserialport,chardev=bs,name=bench &
	l2pid=$!
	# input_bench ends after its report, L2 after input_bench's end
	# message (or when input_bench closes its end of the port).
	wait -n "$bpid" "$l2pid"
	if kill -0 "$bpid" 2> /dev/null; then
		note "L2's QEMU ended before input_bench: stopping it"
		kill "$bpid"
	fi
	wait "$bpid"
	brc=$?
	wait "$l2pid"
	rc=$?
	note "input_bench status $brc, L2 QEMU status $rc, $((SECONDS - start)) s"
	if grep -q '^IB-L2 READY' "$LOG"; then
		result l2 up
	else
		result l2 down
	fi
	grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# stats/|"
	mdev_remove "$UUID" > /dev/null || note "removing the instance failed"
	echo "# bench done"
}

main 2>&1
