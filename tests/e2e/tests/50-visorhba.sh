#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# visorhba end to end: a spar-hba instance whose LIO target has two LUNs
# from different backstores, a 64 MiB fileio file as LUN 0 and a 16 MiB
# ramdisk as LUN 1, passed to an L2 guest that loads visorbus and
# visorhba, and an 8 MiB block backstore on a device-mapper device the
# host can stall as LUN 3.  The guest must see the disks with their sizes, write a
# random stream to the raw ramdisk and read it back after dropping its
# caches, make an ext4 file system on the file-backed disk, write files,
# unmount, mount again and verify them, check it with e2fsck -n, ask the guest's SCSI midlayer for
# a device and a bus reset (the host must answer them as task management
# and the file system stay intact), time out a read the host stalls (its
# error handler aborts it; the retry returns the data), see a LUN the host adds while it
# runs appear as a disk (and take data) and go when the host removes it,
# write a stream to the ramdisk
# while the host recovers the back-end and verify it afterwards, then
# unload and reload visorhba and find its disks and data again.  Last the
# host removes the instance while the guest writes: the writes fail, the
# disks and the PCI function go, QEMU and the removal finish.  Both dmesgs
# stay clean, and the host counted the commands.
# spar-timeout: 900

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

WORK=/tmp/hba-e2e
CFS=/sys/kernel/config/target
FABRIC="$CFS/spar"
FILEIO="$CFS/core/fileio_0/f0"
RD="$CFS/core/rd_mcp_0/r0"
FILE_MIB=64
RD_PAGES=4096				# 4 KiB pages: 16 MiB
RD2="$CFS/core/rd_mcp_0/r2"		# the LUN added while the guest runs
RD2_PAGES=1024				# 4 MiB
BLK="$CFS/core/iblock_0/b3"		# LUN 3, on a device-mapper device
STALL=spar-hba-stall			# its name; suspended, its I/O stalls
STALL_MIB=8
L2_CHECKS="load disks size-lun0 size-lun1 raw-write raw-read mkfs mount
fs-write fs-remount fs-verify fsck tmf-device-reset tmf-bus-reset
fs-after-reset fsck-after-reset stall-timeout stall-read lun-added
lun-added-io lun-removed recover-during-write recover-resumed
recover-write recover-data rmmod reload reload-disks raw-after-reload
unplug-io-failed unplug-disks-gone unplug-visorbus-empty unplug-pci-gone"
# shellcheck disable=SC2046 # one check name a word
t_declare hba-{create,configfs,initrd,cmds-counted,qemu-exit,l2-end} \
	hba-{lun-add,lun-remove,recover-attr,notifies,tmfs-counted} \
	hba-{stall-suspend,stall-resume,abort-counted,unplug-remove,unplug-gone} \
	hba-{l2-dmesg,l1-dmesg,teardown} $(printf 'hba-%s ' $L2_CHECKS)

# The script the L2 guest runs (busybox sh).
# shellcheck disable=SC2317 # called through make_initrd
l2_script() {
	cat << 'EOF'
say() { echo "HBATEST $*"; }
res() { if [ "$2" = 0 ]; then say PASS "$1"; else say FAIL "$1" "$3"; fi; }
md5() { md5sum "$1" 2> /dev/null | cut -d' ' -f1; }
# same A B: files A and B exist and have the same MD5
same() {
	a="$(md5 "$1")"
	[ -n "$a" ] && [ "$a" = "$(md5 "$2")" ]
}
# disk LUN: the block device of the given LUN of target 0, if any
disk() {
	for b in /sys/block/sd*; do
		[ -e "$b/device" ] || continue
		case "$(basename "$(readlink "$b/device")")" in
		*:0:0:"$1") basename "$b"; return 0 ;;
		esac
	done
	return 1
}
# disks N: wait until N disks are there
disks() {
	i=0
	while [ "$i" -lt "$((60 * SLOW))" ]; do
		[ "$(ls -d /sys/block/sd* 2> /dev/null | wc -l)" -ge "$1" ] &&
			return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
mkdir -p /tmp /mnt
insmod /modules/visorhba.ko
res load "$?"
disks 3
res disks "$?" "$(ls /sys/block | tr '\n' ' ')"
d0="$(disk 0)"
d1="$(disk 1)"
echo "# lun 0: $d0, lun 1: $d1"
[ "$(cat "/sys/block/$d0/size" 2> /dev/null)" = 131072 ]
res size-lun0 "$?" "$(cat "/sys/block/$d0/size" 2> /dev/null) sectors"
[ "$(cat "/sys/block/$d1/size" 2> /dev/null)" = 32768 ]
res size-lun1 "$?" "$(cat "/sys/block/$d1/size" 2> /dev/null) sectors"

# The raw ramdisk: 8 MiB written, caches dropped, read back.
dd if=/dev/urandom of=/tmp/raw bs=64k count=128 2> /dev/null
t0=$(date +%s)
dd if=/tmp/raw of="/dev/$d1" bs=64k 2> /dev/null && sync
res raw-write "$?"
echo 3 > /proc/sys/vm/drop_caches
dd if="/dev/$d1" of=/tmp/raw2 bs=64k count=128 2> /dev/null
same /tmp/raw /tmp/raw2
res raw-read "$?" "read back '$(md5 /tmp/raw2)', wrote '$(md5 /tmp/raw)'"
echo "# raw: $(($(date +%s) - t0)) s"
rm -f /tmp/raw2

# An ext4 file system on the file-backed disk (mkfs.ext4 and e2fsck are
# the L1 host's, from /usr/local/bin).
PATH="/usr/local/bin:$PATH"
out="$(mkfs.ext4 -q -F "/dev/$d0" 2>&1)"
res mkfs "$?" "$out"
mount -t ext4 "/dev/$d0" /mnt
res mount "$?"
t0=$(date +%s)
r=0
for f in 0 1 2 3; do
	dd if=/dev/urandom of="/tmp/f$f" bs=64k count=128 2> /dev/null
	cp "/tmp/f$f" "/mnt/f$f" || r=1
	md5 "/tmp/f$f" > "/tmp/f$f.md5" || r=1
	[ -s "/tmp/f$f.md5" ] || r=1
	rm -f "/tmp/f$f"
done
sync
res fs-write "$r"
umount /mnt && echo 3 > /proc/sys/vm/drop_caches && mount -t ext4 "/dev/$d0" /mnt
res fs-remount "$?"
r=0
for f in 0 1 2 3; do
	m="$(md5 "/mnt/f$f")"
	[ -n "$m" ] && [ "$m" = "$(cat "/tmp/f$f.md5")" ] || r=1
done
res fs-verify "$r"
echo "# fs: 32 MiB in $(($(date +%s) - t0)) s"
umount /mnt
out="$(e2fsck -fn "/dev/$d0" 2>&1)"
res fsck "$?" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
mount -t ext4 "/dev/$d0" /mnt

# Resets from the SCSI midlayer (as sg_reset asks for them) become task
# management functions; the file system comes through them intact.
sync
/bin/scsi_reset "/dev/$d0" device
res tmf-device-reset "$?"
/bin/scsi_reset "/dev/$d0" bus
res tmf-bus-reset "$?"
umount /mnt && echo 3 > /proc/sys/vm/drop_caches &&
	mount -t ext4 "/dev/$d0" /mnt
r=$?
for f in 0 1 2 3; do
	m="$(md5 "/mnt/f$f")"
	[ -n "$m" ] && [ "$m" = "$(cat "/tmp/f$f.md5")" ] || r=1
done
res fs-after-reset "$r"
umount /mnt
out="$(e2fsck -fn "/dev/$d0" 2>&1)"
res fsck-after-reset "$?" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"

# The host stalls LUN 3's device: a read times out after 5 s, the error
# handler's abort reaches the host as task management, and once the host
# lets the device go the retried read returns the data written before.
d3="$(disk 3)"
dd if=/tmp/raw of="/dev/$d3" bs=64k count=1 oflag=direct 2> /dev/null
dd if=/tmp/raw of=/tmp/s3ref bs=64k count=1 2> /dev/null
echo 5 > "/sys/block/$d3/device/timeout"
n0="$(cat "/sys/block/$d3/device/iotmo_cnt")"
say STALL
sleep "$((4 * SLOW))"
dd if="/dev/$d3" of=/tmp/s3 bs=64k count=1 iflag=direct 2> /dev/null &
rp=$!
i=0
while [ "$i" -lt "$((60 * SLOW))" ] &&
	[ "$(cat "/sys/block/$d3/device/iotmo_cnt")" = "$n0" ]; do
	sleep 1
	i=$((i + 1))
done
n1="$(cat "/sys/block/$d3/device/iotmo_cnt")"
[ "$((n1 - n0))" -ge 1 ]
res stall-timeout "$?" "iotmo_cnt went from $n0 to $n1"
say ABORTING
wait "$rp"
r=$?
[ "$r" = 0 ] && same /tmp/s3 /tmp/s3ref
res stall-read "$?" "dd status $r"
echo 30 > "/sys/block/$d3/device/timeout"

# A LUN added on the host while the guest runs becomes a disk, and goes
# when the host removes it.
say ADDLUN
i=0
while [ "$i" -lt "$((120 * SLOW))" ] && ! disk 2 > /dev/null; do
	sleep 1
	i=$((i + 1))
done
d2="$(disk 2)"
[ -n "$d2" ] && [ "$(cat "/sys/block/$d2/size" 2> /dev/null)" = 8192 ]
res lun-added "$?" "disk '$d2', $(cat "/sys/block/$d2/size" 2> /dev/null) sectors"
dd if=/tmp/raw of="/dev/$d2" bs=64k count=16 oflag=direct 2> /dev/null &&
	dd if="/dev/$d2" of=/tmp/d2 bs=64k count=16 iflag=direct 2> /dev/null &&
	dd if=/tmp/raw of=/tmp/d2ref bs=64k count=16 2> /dev/null &&
	same /tmp/d2 /tmp/d2ref
res lun-added-io "$?"
rm -f /tmp/d2 /tmp/d2ref
say DELLUN
i=0
while [ "$i" -lt "$((120 * SLOW))" ] && disk 2 > /dev/null; do
	sleep 1
	i=$((i + 1))
done
! disk 2 > /dev/null
res lun-removed "$?" "disk $(disk 2) is still there"

# The host recovers the back-end while a stream of direct writes runs:
# the commands in flight are requeued, none is lost.
dd if=/dev/urandom of=/tmp/big bs=64k count=256 2> /dev/null
# The same 16 MiB again and again, until the resume has been seen.
(
	while [ ! -e /tmp/stop ]; do
		dd if=/tmp/big of="/dev/$d1" bs=64k oflag=direct 2> /dev/null ||
			exit 1
	done
) &
wp=$!
sleep 1
say RECOVER
i=0
while [ "$i" -lt "$((240 * SLOW))" ] && ! dmesg | grep -q 'visorbus.* paused'; do
	sleep 0.5
	i=$((i + 1))
done
kill -0 "$wp" 2> /dev/null && dmesg | grep -q 'visorbus.* paused'
res recover-during-write "$?" "no pause, or the writes stopped before it"
i=0
while [ "$i" -lt "$((60 * SLOW))" ] && ! dmesg | grep -q 'visorbus.* resumed'; do
	sleep 1
	i=$((i + 1))
done
dmesg | grep -q 'visorbus.* resumed'
res recover-resumed "$?" "visorbus did not report a resume"
: > /tmp/stop
wait "$wp"
res recover-write "$?"
echo 3 > /proc/sys/vm/drop_caches
dd if="/dev/$d1" of=/tmp/big2 bs=64k count=256 2> /dev/null
same /tmp/big /tmp/big2
res recover-data "$?"
rm -f /tmp/big2

rmmod visorhba
res rmmod "$?"
insmod /modules/visorhba.ko
res reload "$?"
disks 3
res reload-disks "$?"
d1="$(disk 1)"
# The ramdisk holds the stream written during the recovery.
dd if="/dev/$d1" of=/tmp/big2 bs=64k count=256 2> /dev/null
same /tmp/big /tmp/big2
res raw-after-reload "$?"

# The host removes the instance while direct writes run: they fail, the
# disks, the visorbus device and the PCI function go.
(
	while dd if=/tmp/big of="/dev/$d1" bs=64k oflag=direct 2> /dev/null; do
		:
	done
) &
wp=$!
sleep 1
say UNPLUG
i=0
while [ "$i" -lt "$((180 * SLOW))" ] && kill -0 "$wp" 2> /dev/null; do
	sleep 1
	i=$((i + 1))
done
! kill -0 "$wp" 2> /dev/null
res unplug-io-failed "$?" "the writes still run"
i=0
while [ "$i" -lt "$((60 * SLOW))" ] && ls -d /sys/block/sd* > /dev/null 2>&1; do
	sleep 1
	i=$((i + 1))
done
! ls -d /sys/block/sd* > /dev/null 2>&1
res unplug-disks-gone "$?" "$(ls /sys/block | tr '\n' ' ')"
i=0
while [ "$i" -lt "$((20 * SLOW))" ] && [ -n "$(ls /sys/bus/visorbus/devices)" ]; do
	sleep 1
	i=$((i + 1))
done
[ -z "$(ls /sys/bus/visorbus/devices)" ]
res unplug-visorbus-empty "$?" "$(ls /sys/bus/visorbus/devices)"
i=0
while [ "$i" -lt "$((20 * SLOW))" ] && grep -q '1018530[123]' /proc/bus/pci/devices; do
	sleep 1
	i=$((i + 1))
done
! grep -q '1018530[123]' /proc/bus/pci/devices
res unplug-pci-gone "$?"
say END
EOF
}

# shellcheck disable=SC2317 # called through t_ok
make_initrd() {
	local x="$WORK/progs"
	l2_script | l2_guest_initrd "$WORK" 50-visorhba.sh || return 1
	mkdir -p "$x/bin" && cp "$SPAR_REPO/build/tools/scsi_reset" "$x/bin/" &&
		(cd "$x" && find . -print0 | sort -z |
			cpio --null -o -H newc --quiet) | gzip -1 >> "$WORK/initrd.gz"
}

# shellcheck disable=SC2317 # called through t_ok
cfg_setup() {
	lio_ready target_core_file || return 1
	mkdir -p "$FILEIO" "$RD" || return 1
	truncate -s "${FILE_MIB}M" "$WORK/disk0.img" || return 1
	echo "fd_dev_name=$WORK/disk0.img,fd_dev_size=$((FILE_MIB << 20))" \
		> "$FILEIO/control" || return 1
	echo 1 > "$FILEIO/enable" || return 1
	echo "rd_pages=$RD_PAGES" > "$RD/control" || return 1
	echo 1 > "$RD/enable" || return 1
	mkdir -p "$FABRIC/$UUID/tpgt_0/lun/lun_0" \
		"$FABRIC/$UUID/tpgt_0/lun/lun_1" || return 1
	ln -s "$FILEIO" "$FABRIC/$UUID/tpgt_0/lun/lun_0/f0" || return 1
	ln -s "$RD" "$FABRIC/$UUID/tpgt_0/lun/lun_1/r0" || return 1
	stall_setup && mkdir -p "$BLK" "$FABRIC/$UUID/tpgt_0/lun/lun_3" &&
		echo "udev_path=/dev/mapper/$STALL" > "$BLK/control" &&
		echo 1 > "$BLK/enable" &&
		ln -s "$BLK" "$FABRIC/$UUID/tpgt_0/lun/lun_3/b3"
}

# stall_setup: /dev/mapper/$STALL, a linear device-mapper device on a loop
# device, which `dmsetup suspend` stalls.
# shellcheck disable=SC2317 # called through cfg_setup
stall_setup() {
	local loop
	modprobe -a dm_mod loop target_core_iblock || return 1
	truncate -s "${STALL_MIB}M" "$WORK/stall.img" &&
		loop="$(losetup -f --show "$WORK/stall.img")" || return 1
	echo "$loop" > "$WORK/stall.loop"
	dmsetup create "$STALL" --noudevsync \
		--table "0 $((STALL_MIB << 11)) linear $loop 0" || return 1
	[ -b "/dev/mapper/$STALL" ] || dmsetup mknodes "$STALL"
	[ -b "/dev/mapper/$STALL" ]
}

# shellcheck disable=SC2317 # called through t_ok
lun_add() {
	mkdir -p "$RD2" && echo "rd_pages=$RD2_PAGES" > "$RD2/control" &&
		echo 1 > "$RD2/enable" &&
		mkdir "$FABRIC/$UUID/tpgt_0/lun/lun_2" &&
		ln -s "$RD2" "$FABRIC/$UUID/tpgt_0/lun/lun_2/r2"
}

# shellcheck disable=SC2317 # called through t_ok and cfg_teardown
lun_remove() {
	local l="$FABRIC/$UUID/tpgt_0/lun/lun_2"
	{ [ ! -e "$l" ] || { rm -f "$l/r2" && rmdir "$l"; }; } &&
		{ [ ! -e "$RD2" ] || rmdir "$RD2"; }
}

# step NAME TIMEOUT: wait until the L2 guest says "HBATEST NAME".
step() {
	local end=$((SECONDS + $(t_time "$2")))
	while ((SECONDS < end)) && kill -0 "$qpid" 2> /dev/null; do
		grep -qx "HBATEST $1" "$LOG" 2> /dev/null && return 0
		sleep 0.5
	done
	grep -qx "HBATEST $1" "$LOG" 2> /dev/null
}

# shellcheck disable=SC2317 # called through t_ok and the EXIT trap
cfg_teardown() {
	local t="$FABRIC/$UUID/tpgt_0"
	lun_remove &&
	rm -f "$t/lun/lun_0/f0" "$t/lun/lun_1/r0" &&
		rm -f "$t/lun/lun_3/b3" &&
		rmdir "$t/lun/lun_0" "$t/lun/lun_1" "$t/lun/lun_3" "$t" \
			"$FABRIC/$UUID" &&
		rmdir "$FABRIC" "$FILEIO" "$RD" "$BLK" "${FILEIO%/*}" \
			"${RD%/*}" "${BLK%/*}" && stall_teardown
}

# shellcheck disable=SC2317 # called through cfg_teardown
stall_teardown() {
	{ ! dmsetup info "$STALL" > /dev/null 2>&1 ||
		{ dmsetup resume "$STALL" && dmsetup remove "$STALL"; }; } &&
		{ [ ! -s "$WORK/stall.loop" ] ||
			losetup -d "$(cat "$WORK/stall.loop")"; }
}

cleanup() {
	cfg_teardown 2> /dev/null
	mdev_remove "$UUID" > /dev/null 2>&1
	rm -rf "$WORK"
}

T_FAILS=0
rm -rf "$WORK"
mkdir -p "$WORK"
UUID="$(new_uuid)"
DEV="$MDEV_DEVICES/$UUID"
t_ok hba-create mdev_create spar-hba "$UUID"
[ "$T_FAILS" -eq 0 ] || t_done
trap cleanup EXIT
t_ok hba-configfs cfg_setup
t_ok hba-initrd make_initrd
[ "$T_FAILS" -eq 0 ] || t_done
dmesg_mark

LOG="$(l2_log hba)"
rm -f "$LOG"
start=$SECONDS
L2_INITRD="$WORK/initrd.gz" l2_boot hba "${SPAR_HBA_L2_TIMEOUT:-900}" \
	-device "vfio-pci,sysfsdev=$DEV" &
qpid=$!
# The guest says when to add and remove a LUN, and when its write stream
# runs, to recover the back-end then.
n0="$(cat "$DEV/stats/notifies")"
m0="$(cat "$DEV/stats/tmfs_done")"
if step STALL 600; then
	t_ok hba-stall-suspend dmsetup suspend "$STALL"
	m2="$(cat "$DEV/stats/tmfs_done")"
	# The guest's read timed out; its abort is on the way.
	step ABORTING 120 && sleep 3
	t_ok hba-stall-resume dmsetup resume "$STALL"
else
	t_fail hba-stall-suspend "the L2 guest did not reach the STALL step"
fi
if step ADDLUN 300; then
	t_ok hba-lun-add lun_add
else
	t_fail hba-lun-add "the L2 guest did not reach the ADDLUN step"
fi
if step DELLUN 300; then
	t_ok hba-lun-remove lun_remove
else
	t_fail hba-lun-remove "the L2 guest did not reach the DELLUN step"
fi
if step RECOVER 300; then
	t_ok hba-recover-attr sysfs_write "$DEV/recover" 1
else
	t_fail hba-recover-attr "the L2 guest did not reach the RECOVER step"
fi
# The counters, then the instance goes while the guest writes.
unplugging=0
step UNPLUG 300 && unplugging=1
grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# |"
m1="$(cat "$DEV/stats/tmfs_done")"
n1="$(cat "$DEV/stats/notifies")"
n="$(cat "$DEV/stats/cmds_done" 2> /dev/null)"
if [ "$unplugging" = 1 ]; then
	t_ok hba-unplug-remove timeout "$(t_time 120)" \
		sh -c "echo 1 > '$DEV/remove'"
	t_not hba-unplug-gone test -e "$DEV"
else
	t_fail hba-unplug-remove "the L2 guest did not reach the UNPLUG step"
fi
wait "$qpid"
rc=$?
echo "# l2 hba: $((SECONDS - start)) s"

# shellcheck disable=SC2086 # one check name a word
l2_verdicts HBATEST hba "$LOG" $L2_CHECKS
t_ok hba-l2-end grep -qx 'HBATEST END' "$LOG"
t_eq hba-qemu-exit 0 "$rc"
# The device and the bus reset, answered by the host after LIO, and the
# abort of the stalled read.
if ((${m2:-m1} - m0 >= 2)); then
	t_pass hba-tmfs-counted
else
	t_fail hba-tmfs-counted "stats/tmfs_done moved by $((${m2:-m1} - m0)) before the stall"
fi
if ((m1 - ${m2:-m1} >= 1)); then
	t_pass hba-abort-counted
else
	t_fail hba-abort-counted "stats/tmfs_done did not move during the stall"
fi
# One notification for the LUN added, one for the LUN removed.
t_eq hba-notifies 2 "$((n1 - n0))"
if [ "${n:-0}" -gt 100 ]; then
	t_pass hba-cmds-counted
else
	t_fail hba-cmds-counted "stats/cmds_done is '$n'"
fi
l2_dmesg_checks hba "$LOG"
t_ok hba-teardown cfg_teardown
t_done
