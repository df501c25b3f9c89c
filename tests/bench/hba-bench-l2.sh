#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the nested guest (L2) of the spar-hba benchmark, from its
# initramfs (/l2.d/, started by tests/e2e/l2-init).  L2 has three disks on
# one file of the test VM (L1): the spar-hba instance's LUN (visorhba), a
# virtio-blk disk and a virtio-scsi disk.  For each disk in turn it runs
# the jobs below with the host's fio, reached through 9p (the test VM's
# root, exported by L1's QEMU as "host"), and prints one line per job:
#
#   BENCH START DISK JOB          (L1 reads the instance's counters)
#   BENCH RESULT DISK JOB READ_KIB READ_IOPS WRITE_KIB WRITE_IOPS SECONDS
#   BENCH DONE DISK JOB           (L1 reads them again)
#
# Jobs: rr4k-qd1 and rr4k-qd32 (4 KiB random reads, queue depth 1 and
# 32), sr1m and sw1m (1 MiB sequential reads and writes, depth 4), each
# RUNTIME seconds with direct I/O through libaio.  /bench.conf may set
# RUNTIME and SIZE_MIB (the span of the disk the jobs use).

RUNTIME=10
SIZE_MIB=128
# shellcheck disable=SC1091 # written next to this script in the initramfs
[ -r /bench.conf ] && . /bench.conf

say() {
	echo "BENCH $*"
}

mkdir -p /host
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 host /host; then
	say FAIL setup "cannot mount the host's root over 9p"
	exit 0
fi
# The host's loader and libraries by their real paths: the links to them
# (/lib64/ld-linux-x86-64.so.2) are absolute, and would resolve in L2.
LIBS=/host/usr/lib/x86_64-linux-gnu
fio() {
	"$LIBS/ld-linux-x86-64.so.2" --library-path "$LIBS:$LIBS/ceph" \
		/host/usr/bin/fio "$@"
}

# disk_of PROC_NAME: the first disk on a SCSI host of that driver.
disk_of() {
	for b in /sys/block/sd*; do
		[ -e "$b/device" ] || continue
		h="$(readlink -f "$b/device")"
		h="${h%/target*}"
		h="${h##*/}"
		[ "$(cat "/sys/class/scsi_host/$h/proc_name" 2> /dev/null)" = "$1" ] &&
			{ basename "$b"; return 0; }
	done
	return 1
}

i=0
while [ "$i" -lt 120 ]; do
	spar="$(disk_of visorhba)" && vs="$(disk_of virtio_scsi)" &&
		[ -e /sys/block/vda ] && break
	sleep 1
	i=$((i + 1))
done
say DISKS "spar=${spar:-none} virtio-blk=vda virtio-scsi=${vs:-none}"

# job DISK NAME FIO-ARGS...: one measurement.
job() {
	disk="$1" name="$2"
	shift 2
	say START "$disk" "$name"
	out="$(fio --name="$name" --filename="/dev/$dev" --direct=1 \
		--ioengine=libaio --size="${SIZE_MIB}M" --runtime="$RUNTIME" \
		--time_based --minimal "$@" 2>&1)"
	say DONE "$disk" "$name"
	# terse v3: 6 read KiB, 8 read IOPS, 9 read ms; 47, 49, 50 for writes
	line="$(echo "$out" | grep '^3;' | tail -n 1)"
	if [ -z "$line" ]; then
		say FAIL "$disk" "$name" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return
	fi
	echo "$line" | awk -F';' -v d="$disk" -v n="$name" '{
		ms = $9 > $50 ? $9 : $50
		printf "BENCH RESULT %s %s %s %s %s %s %.3f\n", d, n, $6, $8, $47, $49, ms / 1000
	}'
}

for disk in spar virtio-blk virtio-scsi; do
	case "$disk" in
	spar) dev="$spar" ;;
	virtio-blk) dev=vda ;;
	virtio-scsi) dev="$vs" ;;
	esac
	if [ -z "$dev" ] || [ ! -b "/dev/$dev" ]; then
		say FAIL "$disk" all "no disk"
		continue
	fi
	# Fill the span once, so reads find data and not holes.
	dd if=/dev/zero of="/dev/$dev" bs=1M count="$SIZE_MIB" oflag=direct 2> /dev/null
	job "$disk" rr4k-qd1 --rw=randread --bs=4k --iodepth=1
	job "$disk" rr4k-qd32 --rw=randread --bs=4k --iodepth=32
	job "$disk" sr1m --rw=read --bs=1M --iodepth=4
	job "$disk" sw1m --rw=write --bs=1M --iodepth=4
done
grep -i -e visor -e virtio /proc/interrupts | sed 's/^/# l2 /'
say END
