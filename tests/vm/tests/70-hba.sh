#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-hba through VFIO against LIO targets: two instances, each with the
# "spar" fabric's WWN of its UUID and tpgt_0 with its own ramdisk on lun_0
# (rd_mcp_0/r0, 8 MiB; rd_mcp_1/r1, 1 MiB).  The guest side is
# build/tools/hba_test (tests/vm/progs/hba_test.c), which prints its own
# PASS/FAIL vm/hba-* lines: SCSI commands, data both ways, queueing, LUN
# reset, Bus Master Enable cleared with commands in flight (basic); close
# and reopen (reopen); and a malicious guest on the first instance
# (malformed) while the second must keep reading back its pattern after
# every case:
#   protocol errors, each recovered by a RESET: hba-evil-varlen-cdb,
#     hba-evil-gpi-short and hba-evil-gpi-long (entries adding up to less
#     or more than bufflen), hba-evil-gpi-entries (65), hba-evil-data-dir
#     (7), hba-evil-bidirectional;
#   hba-evil-unmapped-iova: DID_ERROR or a reset;
#   served without a protocol error: hba-evil-lun-beyond-max (LUN 16 and
#     1000), hba-evil-tmf-unknown (LUN RESET and ABORT TASK to target 5),
#     hba-evil-dup-handles (8 READs, one handle), hba-evil-flood (the
#     command queue full, one doorbell: GOOD or TASK SET FULL, none lost),
#     hba-evil-cdb-len (READ(16) of 8 blocks into 512 bytes);
#   hba-evil-unmap-race: WRITEs of max_io_size in flight over a range
#     unmapped and mapped again (HBA_RACE_CYCLES, 200): one dma_unmap
#     round per unmap at most, no pin left when it returns.
# Then the first instance's configfs objects come down in order, which the
# closed device must allow, and names that are not a live instance's UUID
# are refused.  The EXIT trap removes the rest, in the order LIO wants.
# spar-timeout: 300

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

CFS=/sys/kernel/config
FABRIC="$CFS/target/spar"
RD_HBA="$CFS/target/core/rd_mcp_0"
RD="$RD_HBA/r0"
RD_PAGES=2048				# 4 KiB pages: 8 MiB
BLOCKS=$((RD_PAGES * 4096 / 512))	# 512-byte blocks
# The second instance's ramdisk, in an HBA of its own.
RD2_HBA="$CFS/target/core/rd_mcp_1"
RD2="$RD2_HBA/r1"
RD2_PAGES=256				# 1 MiB
u=""
u2=""
bad_dirs=()

# wwn_cleanup UUID RD: the WWN of UUID and what is under it, RD's link first.
wwn_cleanup() {
	local w="$FABRIC/$1"
	[ -n "$1" ] && [ -d "$w" ] || return 0
	rm -f "$w/tpgt_0/lun/lun_0/${2##*/}" 2> /dev/null
	rmdir "$w/tpgt_0/lun/lun_0" 2> /dev/null
	rmdir "$w/tpgt_0" 2> /dev/null
	rmdir "$w" 2> /dev/null
}

# cfg_cleanup: everything this file built, in the order LIO wants it
# undone (links, LUNs, TPGs, WWNs, the fabric, then the backstores), then
# the instances; for the EXIT trap, so it runs after failures.
cfg_cleanup() {
	local d
	# a refused mkdir that was not refused, perhaps inside a WWN: first
	for d in "${bad_dirs[@]}"; do
		[ -d "$d" ] && rmdir "$d" 2> /dev/null
	done
	wwn_cleanup "$u2" "$RD2"
	wwn_cleanup "$u" "$RD"
	[ -d "$FABRIC" ] && rmdir "$FABRIC" 2> /dev/null
	for d in "$RD2" "$RD2_HBA" "$RD" "$RD_HBA"; do
		[ -d "$d" ] && rmdir "$d" 2> /dev/null
	done
	spar_remove_all
}
trap cfg_cleanup EXIT
trap 'exit 143' TERM INT

# hba_test malformed declares these too (--list); named here so that a
# client that cannot even list them still leaves them unreported.
EVIL_CASES=(varlen-cdb gpi-short gpi-long gpi-entries data-dir bidirectional
	unmapped-iova lun-beyond-max tmf-unknown dup-handles flood cdb-len
	unmap-race)
t_declare hba-configfs-setup hba-configfs-not-a-uuid hba-configfs-no-instance \
	hba-configfs-not-a-uuid-why hba-configfs-no-instance-why \
	hba-configfs-tpgt-spelling \
	hba-status-closed hba-dmesg hba-evil-logged \
	hba-lun-unlink hba-tpg-rmdir hba-wwn-rmdir \
	hba-limits-{defaults,max-id-0,max-id-9,max-lun-17,per-lun-word} \
	hba-limits-{io-align,io-big,set,read,busy-why} \
	"${EVIL_CASES[@]/#/hba-evil-}"
prog="$SPAR_REPO/build/tools/hba_test"
if [ ! -x "$prog" ]; then
	t_fail hba-build "$prog missing: run 'make tools'"
	t_done
fi

# step WHAT CMD...: run CMD; on failure print WHAT and its error, return 1.
step() {
	local what="$1" out
	shift
	if ! out="$("$@" 2>&1)"; then
		printf '%s: %s\n' "$what" "${out:-failed}"
		return 1
	fi
}

# rd_setup DIR PAGES: a ramdisk backstore of PAGES 4 KiB pages at DIR.
rd_setup() {
	step "mkdir $1" mkdir -p "$1" || return 1
	step "rd_pages of $1" sysfs_write "$1/control" "rd_pages=$2" || return 1
	step "enable $1" sysfs_write "$1/enable" 1
}

# wwn_setup UUID RD: the WWN of instance UUID, tpgt_0 and the ramdisk RD
# linked as lun_0.
wwn_setup() {
	local tpg="$FABRIC/$1/tpgt_0"
	step "mkdir WWN $1" mkdir "$FABRIC/$1" || return 1
	step "mkdir $1/tpgt_0" mkdir "$tpg" || return 1
	# Fabrics that want their TPG switched on offer an enable attribute.
	if [ -e "$tpg/enable" ]; then
		step "enable $1/tpgt_0" sysfs_write "$tpg/enable" 1 || return 1
	fi
	step "mkdir $1 lun_0" mkdir "$tpg/lun/lun_0" || return 1
	step "link $2 as $1 lun_0" ln -s "$2" "$tpg/lun/lun_0/${2##*/}"
}

# cfg_setup: configfs mounted, the ramdisks, the fabric, and a target for
# each instance, $u on RD and $u2 on RD2.
cfg_setup() {
	step "modprobe target_core_mod" modprobe target_core_mod || return 1
	if ! grep -q " $CFS configfs " /proc/mounts; then
		step "mount configfs" mount -t configfs configfs "$CFS" || return 1
	fi
	rd_setup "$RD" "$RD_PAGES" || return 1
	rd_setup "$RD2" "$RD2_PAGES" || return 1
	if [ ! -d "$FABRIC" ]; then
		step "mkdir $FABRIC" mkdir "$FABRIC" || return 1
	fi
	wwn_setup "$u" "$RD" || return 1
	wwn_setup "$u2" "$RD2"
}

# mkdir_refused NAME DIR ERRNO-TEXT: mkdir DIR must fail saying ERRNO-TEXT.
mkdir_refused() {
	local out
	if out="$(mkdir "$2" 2>&1)"; then
		bad_dirs+=("$2")
		t_fail "$1" "mkdir $2 succeeded"
	else
		t_match "$1" "$3" "$out"
	fi
}

u="$(new_uuid)"
if ! err="$(mdev_create spar-hba "$u")"; then
	t_fail hba-configfs-setup "creating the instance: $err"
	t_done
fi
u2="$(new_uuid)"
if ! err="$(mdev_create spar-hba "$u2")"; then
	t_fail hba-configfs-setup "creating the second instance: $err"
	t_done
fi
d="$MDEV_DEVICES/$u"
if ! err="$(cfg_setup)"; then
	t_fail hba-configfs-setup "$err"
	t_done
fi
t_pass hba-configfs-setup

# A WWN must name a live spar-hba instance by its UUID.  LIO turns every
# error of a fabric's mkdir into EINVAL; the kernel log says which it was.
dmesg_mark
mkdir_refused hba-configfs-not-a-uuid "$FABRIC/not-a-uuid" 'Invalid argument'
t_match hba-configfs-not-a-uuid-why 'must be the UUID of a spar-hba instance' \
	"$(dmesg_since)"
nouuid="$(new_uuid)"
mkdir_refused hba-configfs-no-instance "$FABRIC/$nouuid" 'Invalid argument'
t_match hba-configfs-no-instance-why "$nouuid: no spar-hba instance has this UUID" \
	"$(dmesg_since)"
# One spelling per SCSI target id: tpgt_0 exists, tpgt_00 would be a
# second portal group for target 0.
mkdir_refused hba-configfs-tpgt-spelling "$FABRIC/$u/tpgt_00" 'Invalid argument'

dmesg_mark
t_client "$prog" basic "$u" "$BLOCKS"
t_client "$prog" malformed "$u" "$u2"
t_client "$prog" reopen "$u"
log="$(dmesg_since)"
t_note "second instance: status $(rd "$MDEV_DEVICES/$u2/status"), protocol_errors $(rd "$MDEV_DEVICES/$u2/stats/protocol_errors")"
t_eq hba-status-closed closed "$(rd "$d/status")"
if dmesg_clean "$log" > /dev/null; then
	t_pass hba-dmesg
else
	t_fail hba-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
# The malformed commands were reported, naming the device.
t_match hba-evil-logged "$u" "$log"

# The VHBA limits are instance attributes: checked ranges, each refusal
# explained in the kernel log, and the channel carries what they say.
limits() {
	local a
	for a in max_id max_lun cmd_per_lun max_io_size; do
		rd "$d/$a"
	done | paste -sd ' '
}
# refused NAME ATTR VALUE WHY: writing VALUE to ATTR fails, the kernel
# log says WHY, and the value stays.
refused() {
	local before
	before="$(rd "$d/$2")"
	dmesg_mark
	if sysfs_write "$d/$2" "$3" 2> /dev/null; then
		t_fail "$1" "$2 took '$3'"
	elif [ "$(rd "$d/$2")" != "$before" ]; then
		t_fail "$1" "$2 changed to $(rd "$d/$2") although refused"
	else
		t_match "$1" "$4" "$(dmesg_since)"
	fi
}
t_eq hba-limits-defaults "8 16 64 262144" "$(limits)"
refused hba-limits-max-id-0 max_id 0 "max_id: '0' is not a number from 1 to 8"
refused hba-limits-max-id-9 max_id 9 "max_id: '9' is not a number from 1 to 8"
refused hba-limits-max-lun-17 max_lun 17 "max_lun: '17' is not a number from 1 to 16"
refused hba-limits-per-lun-word cmd_per_lun lots "cmd_per_lun: 'lots' is not a number from 1 to 128"
refused hba-limits-io-align max_io_size 5000 "max_io_size: 5000 is not a multiple of 4096"
refused hba-limits-io-big max_io_size 266240 "max_io_size: '266240' is not a number from 4096 to 262144"
t_ok hba-limits-set sh -c "echo 2 > '$d/max_id' && echo 1 > '$d/max_lun' &&
	echo 16 > '$d/cmd_per_lun' && echo 65536 > '$d/max_io_size'"
t_eq hba-limits-read "2 1 16 65536" "$(limits)"
dmesg_mark
t_client "$prog" limits "$u" 2 1 16 65536
t_match hba-limits-busy-why "max_lun: the device is open; set it before the VM starts" \
	"$(dmesg_since)"

# lun_unlink TPG: the ramdisk's link out of lun_0, then lun_0.
lun_unlink() {
	rm "$1/lun/lun_0/r0" && rmdir "$1/lun/lun_0"
}

# The client is gone, so is its session: the TPG comes down once its LUN
# has, then the WWN.  The EXIT trap removes the rest.
tpg="$FABRIC/$u/tpgt_0"
t_ok hba-lun-unlink lun_unlink "$tpg"
t_ok hba-tpg-rmdir rmdir "$tpg"
t_ok hba-wwn-rmdir rmdir "$FABRIC/$u"
t_done
