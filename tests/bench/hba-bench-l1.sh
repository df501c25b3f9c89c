#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (L1, started by tests/bench/hba-bench.sh): loads
# the host module, creates one spar-hba instance whose LUN 0 is a fileio
# backstore on $WORK/disk.img, and boots one nested guest (L2) with three
# disks on that same file: the instance as a vfio-pci device (visorhba), a
# virtio-blk disk and a virtio-scsi disk (QEMU, cache=writeback, locking
# off, so all three share this VM's page cache as LIO's buffered fileio
# does).  L2 runs tests/bench/hba-bench-l2.sh.  Around each of its spar
# jobs this side reads the instance's stats/doorbells, stats/interrupts
# and stats/cmds_done.  Raw lines (see tests/bench/hba-bench.sh):
#
#   RESULT job DISK JOB READ_KIB READ_IOPS WRITE_KIB WRITE_IOPS SECONDS
#   RESULT counters JOB DOORBELLS INTERRUPTS COMMANDS   (spar jobs)
#   RESULT l2 up|down
#
# Arguments: RUNTIME (seconds per job, default 10).

set -u
SPAR_TIER=bench
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

RUNTIME="${1:-10}"
DISK_MIB=256
WORK=/tmp/hba-bench
INITRD="$SPAR_REPO/build/bench/hba-l2-initrd.gz"
BS=/sys/kernel/config/target/core/fileio_0/bench
SPARCTL="$SPAR_REPO/build/tools/sparctl"
# 12 jobs of RUNTIME seconds, fio's start-up over 9p (up to a minute each),
# and the disk fills, under TCG.
L2_TMO=$((300 + 12 * (RUNTIME + 75)))

note() {
	printf '# %s\n' "$@"
}

result() {
	echo "RESULT $*"
}

counters() {
	echo "$(cat "$DEV/stats/doorbells") $(cat "$DEV/stats/interrupts") $(cat "$DEV/stats/cmds_done")"
}

# watch: follow L2's console; sample the counters around each spar job,
# pass the results on.
watch() {
	local line w what disk job rest before="" after
	local -a f
	tail -n +1 -F "$LOG" 2> /dev/null | while read -r line; do
		read -r w what disk job rest <<< "$line"
		[ "$w" = BENCH ] || continue
		case "$what" in
		START) [ "$disk" = spar ] && before="$(counters)" ;;
		DONE)
			if [ "$disk" = spar ] && [ -n "$before" ]; then
				after="$(counters)"
				read -r -a f <<< "$before $after"
				result counters "$job" $((f[3] - f[0])) \
					$((f[4] - f[1])) $((f[5] - f[2]))
				before=""
			fi
			;;
		RESULT) result job "$disk" "$job" $rest ;;
		DISKS | FAIL) note "l2: $what $disk $job $rest" ;;
		END) break ;;
		esac
	done
}

backstore() {
	lio_ready target_core_file || return 1
	truncate -s "${DISK_MIB}M" "$WORK/disk.img" && mkdir -p "$BS" &&
		echo "fd_dev_name=$WORK/disk.img,fd_dev_size=$((DISK_MIB << 20))" > "$BS/control" &&
		echo 1 > "$BS/enable" &&
		"$SPARCTL" hba add "$UUID" 0 fileio_0/bench
}

main() {
	local out rc start wpid
	echo "# kernel $(uname -r), repo $SPAR_REPO, $RUNTIME s per job"
	if ! out="$(spar_load max_nic=1 max_hba=1 max_input=1)"; then
		note "module load failed: $out"
		return 1
	fi
	UUID="$(new_uuid)"
	DEV="$MDEV_DEVICES/$UUID"
	mkdir -p "$WORK"
	if ! mdev_create spar-hba "$UUID" > /dev/null || ! out="$(backstore 2>&1)"; then
		note "cannot set up the spar-hba instance: $out"
		return 1
	fi
	LOG="$(l2_log bench)"
	: > "$LOG"
	watch &
	wpid=$!
	start=$SECONDS
	local drive="file=$WORK/disk.img,format=raw,cache=writeback,file.locking=off,if=none"
	L2_MEM=1G L2_INITRD="$INITRD" l2_boot bench "$L2_TMO" \
		-device "vfio-pci,sysfsdev=$DEV" \
		-drive "$drive,id=vb" -device virtio-blk-pci,drive=vb,romfile= \
		-drive "$drive,id=vs" -device virtio-scsi-pci,id=scsi,romfile= \
		-device scsi-hd,drive=vs,bus=scsi.0 \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		> /dev/null
	rc=$?
	note "L2 QEMU status $rc, $((SECONDS - start)) s"
	if grep -q '^BENCH END' "$LOG"; then
		result l2 up
	else
		result l2 down
	fi
	sleep 2
	kill "$wpid" 2> /dev/null
	wait "$wpid" 2> /dev/null
	grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# stats/|"
	"$SPARCTL" hba remove "$UUID" 0 > /dev/null
	rmdir "$BS" "${BS%/*}"
	mdev_remove "$UUID" > /dev/null || note "removing the instance failed"
	echo "# bench done"
}

main 2>&1
