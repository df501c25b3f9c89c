#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-hba through VFIO against a LIO target: one instance, the "spar"
# fabric's WWN of its UUID, tpgt_0 with a ramdisk on lun_0.  The guest
# side is build/tools/hba_test (tests/vm/progs/hba_test.c), which prints
# its own PASS/FAIL vm/hba-* lines: SCSI commands, data both ways,
# queueing, LUN reset, malformed commands, close and reopen.  Then the
# configfs objects come down in order, which the closed device must
# allow, and names that are not a live instance's UUID are refused.
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
u=""
bad_dirs=()

# cfg_cleanup: everything this file built, in the order LIO wants it
# undone, then the instance; for the EXIT trap, so it runs after failures.
cfg_cleanup() {
	local d
	if [ -n "$u" ]; then
		rm -f "$FABRIC/$u/tpgt_0/lun/lun_0/r0" 2> /dev/null
		rmdir "$FABRIC/$u/tpgt_0/lun/lun_0" 2> /dev/null
		rmdir "$FABRIC/$u/tpgt_0" 2> /dev/null
		rmdir "$FABRIC/$u" 2> /dev/null
	fi
	for d in "${bad_dirs[@]}"; do
		[ -d "$d" ] && rmdir "$d" 2> /dev/null
	done
	[ -d "$FABRIC" ] && rmdir "$FABRIC" 2> /dev/null
	[ -d "$RD" ] && rmdir "$RD" 2> /dev/null
	[ -d "$RD_HBA" ] && rmdir "$RD_HBA" 2> /dev/null
	spar_remove_all
}
trap cfg_cleanup EXIT
trap 'exit 143' TERM INT

t_declare hba-configfs-setup hba-configfs-not-a-uuid hba-configfs-no-instance \
	hba-configfs-not-a-uuid-why hba-configfs-no-instance-why \
	hba-status-closed hba-dmesg hba-evil-logged \
	hba-lun-unlink hba-tpg-rmdir hba-wwn-rmdir
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

# cfg_setup: configfs mounted, the ramdisk, the fabric, the WWN of the
# instance $u, tpgt_0 and the ramdisk linked as lun_0.
cfg_setup() {
	local tpg="$FABRIC/$u/tpgt_0"
	step "modprobe target_core_mod" modprobe target_core_mod || return 1
	if ! grep -q " $CFS configfs " /proc/mounts; then
		step "mount configfs" mount -t configfs configfs "$CFS" || return 1
	fi
	step "mkdir $RD" mkdir -p "$RD" || return 1
	step "rd_pages" sysfs_write "$RD/control" "rd_pages=$RD_PAGES" || return 1
	step "enable $RD" sysfs_write "$RD/enable" 1 || return 1
	if [ ! -d "$FABRIC" ]; then
		step "mkdir $FABRIC" mkdir "$FABRIC" || return 1
	fi
	step "mkdir WWN" mkdir "$FABRIC/$u" || return 1
	step "mkdir tpgt_0" mkdir "$tpg" || return 1
	# Fabrics that want their TPG switched on offer an enable attribute.
	if [ -e "$tpg/enable" ]; then
		step "enable tpgt_0" sysfs_write "$tpg/enable" 1 || return 1
	fi
	step "mkdir lun_0" mkdir "$tpg/lun/lun_0" || return 1
	step "link the ramdisk" ln -s "$RD" "$tpg/lun/lun_0/r0" || return 1
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

dmesg_mark
t_client "$prog" basic "$u" "$BLOCKS"
t_client "$prog" malformed "$u"
t_client "$prog" reopen "$u"
log="$(dmesg_since)"
t_eq hba-status-closed closed "$(rd "$d/status")"
if dmesg_clean "$log" > /dev/null; then
	t_pass hba-dmesg
else
	t_fail hba-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
# The malformed commands were reported, naming the device.
t_match hba-evil-logged "$u" "$log"

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
