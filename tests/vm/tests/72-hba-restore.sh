#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# LUNs across a host reboot: a spar-hba instance defined with
# `mdevctl define --auto`, two LUNs added with sparctl (two ramdisks of
# rd_mcp_3, on targets 0 and 1) and saved with `sparctl hba save`.  The
# reboot is played by stopping the instance and removing its configfs
# target; then mdevctl starts the parent's --auto devices as the udev rule
# does at boot (`mdevctl start-parent-mdevs spar`), and the call-out
# tools/mdevctl/spar-hba-luns, installed in /etc/mdevctl.d, must bring
# both LUNs back.  A backstore missing at that time costs only its LUN
# (the instance starts, the call-out says why, `sparctl hba restore`
# fails naming it); a malformed saved file is refused whole, changing
# nothing.
# spar-timeout: 180

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

CFS=/sys/kernel/config
FABRIC="$CFS/target/spar"
RD_HBA="$CFS/target/core/rd_mcp_3"
CALLOUTS=/etc/mdevctl.d/scripts.d/callouts
WORK=/tmp/hba-restore
ctl="$SPAR_REPO/build/tools/sparctl"
u="$(new_uuid)"
# The call-out finds sparctl and the saved maps through these.
export SPARCTL="$ctl" SPARCTL_HBA_DIR="$WORK/saved"
SAVED="$SPARCTL_HBA_DIR/$u.luns"

t_declare hba-restore-{setup,define,add,save,saved-file,stopped} \
	hba-restore-{target-gone,autostart,started,luns-back,io-ready} \
	hba-restore-{missing-started,missing-lun0,missing-why,missing-exit} \
	hba-restore-{malformed,malformed-unchanged,dmesg}

# wwn_cleanup: the instance's configfs target, links first.
wwn_cleanup() {
	local w="$FABRIC/$u" l d
	[ -d "$w" ] || return 0
	for l in "$w"/tpgt_*/lun/lun_*/*; do
		[ -L "$l" ] && rm -f "$l"
	done
	for d in "$w"/tpgt_*/lun/lun_* "$w"/tpgt_*; do
		[ -d "$d" ] && rmdir "$d"
	done
	rmdir "$w"
}

cleanup() {
	mdevctl stop -u "$u" > /dev/null 2>&1
	mdevctl undefine -u "$u" > /dev/null 2>&1
	wwn_cleanup 2> /dev/null
	# sparctl made the fabric's directory; while it exists configfs holds
	# spar_mdev (90-unload-reload unloads it).
	rmdir "$FABRIC" 2> /dev/null
	rmdir "$RD_HBA"/r* "$RD_HBA" 2> /dev/null
	rm -f "$CALLOUTS/spar-hba-luns"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# rd NAME: an enabled 1 MiB ramdisk rd_mcp_3/NAME.
ramdisk() {
	mkdir -p "$RD_HBA/$1" && echo rd_pages=256 > "$RD_HBA/$1/control" &&
		echo 1 > "$RD_HBA/$1/enable"
}

setup() {
	lio_ready || return 1
	ramdisk r4 && ramdisk r5 || return 1
	mkdir -p "$CALLOUTS" "$WORK" &&
		install -m 0755 "$SPAR_REPO/tools/mdevctl/spar-hba-luns" "$CALLOUTS/"
}

# luns: the instance's LUNs as "target lun backstore" lines.
luns() {
	local l t n
	for l in "$FABRIC/$u"/tpgt_*/lun/lun_*/*; do
		[ -L "$l" ] || continue
		t="${l#"$FABRIC/$u"/tpgt_}"
		t="${t%%/*}"
		n="${l%/*}"
		n="${n##*/lun_}"
		echo "$t $n $(basename "$(dirname "$(readlink -f "$l")")")/$(basename "$l")"
	done | sort
}

# autostart: what the udev rule runs when the parent registers.
autostart() {
	mdevctl start-parent-mdevs spar
}

dmesg_mark
t_ok hba-restore-setup setup
t_ok hba-restore-define mdevctl define -u "$u" -p spar -t spar-hba --auto
mdevctl start -u "$u" > /dev/null 2>&1
t_ok hba-restore-add sh -c "'$ctl' hba add $u 0 rd_mcp_3/r4 &&
	'$ctl' hba add $u 2 rd_mcp_3/r5 --target 1"
t_ok hba-restore-save "$ctl" hba save "$u"
t_eq hba-restore-saved-file "0 0 rd_mcp_3/r4
1 2 rd_mcp_3/r5" "$(grep -v '^#' "$SAVED" 2> /dev/null)"

# The reboot: the instance and its configfs target go.
t_ok hba-restore-stopped mdevctl stop -u "$u"
t_ok hba-restore-target-gone wwn_cleanup
t_ok hba-restore-autostart autostart
t_ok hba-restore-started test -d "$MDEV_DEVICES/$u"
t_eq hba-restore-luns-back "0 0 rd_mcp_3/r4
1 2 rd_mcp_3/r5" "$(luns)"
t_match hba-restore-io-ready 'Status: ACTIVATED' "$(rd "$RD_HBA/r5/info")"

# A reboot after which backstore r5 is gone: the instance starts, LUN 0
# comes back, and a restore by hand fails naming r5.
mdevctl stop -u "$u" > /dev/null 2>&1
wwn_cleanup
rmdir "$RD_HBA/r5"
out="$(autostart 2>&1)"
t_ok hba-restore-missing-started test -d "$MDEV_DEVICES/$u"
t_eq hba-restore-missing-lun0 "0 0 rd_mcp_3/r4" "$(luns)"
t_match hba-restore-missing-why 'no backstore rd_mcp_3/r5' "$out"
out="$("$ctl" hba restore "$u" 2>&1)"
t_eq hba-restore-missing-exit "1" "$?"
t_note "restore by hand: $out"

# A malformed saved file changes nothing.
before="$(luns)"
echo "0 x rd_mcp_3/r4" >> "$SAVED"
wwn_cleanup
out="$("$ctl" hba restore "$u" 2>&1)"
rc=$?
if [ "$rc" -eq 1 ]; then
	t_match hba-restore-malformed "$SAVED:[0-9]+: .*nothing restored" "$(echo "$out" | tr '\n' ' ')"
else
	t_fail hba-restore-malformed "exit status $rc: $out"
fi
t_eq hba-restore-malformed-unchanged "" "$(luns)"
t_note "LUNs before the malformed restore: $before"

if bad="$(dmesg_clean "$(dmesg_since)")"; then
	t_pass hba-restore-dmesg
else
	t_fail hba-restore-dmesg "$bad"
fi
t_done
