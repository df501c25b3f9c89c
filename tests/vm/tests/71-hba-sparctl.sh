#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sparctl hba against LIO's configfs: one spar-hba instance, a spar-nic
# instance and a 1 MiB ramdisk backstore, rd_mcp_2/r2 (70-hba uses
# rd_mcp_0 and rd_mcp_1).  "sparctl hba add" links the ramdisk as LUN 0
# of target 0 and "show" lists it; adds that must be refused (the same
# LUN again, LUN 16, target 8, a missing backstore, one not enabled, a
# UUID that is no instance, a spar-nic instance) exit with status 1 and
# say why, and change nothing; "remove" takes the LUN, the portal group
# and the WWN down and keeps the fabric directory; removing again is
# refused.  The EXIT trap removes what is left, in the order LIO wants.
# spar-timeout: 120

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

CFS=/sys/kernel/config
FABRIC="$CFS/target/spar"
RD_HBA="$CFS/target/core/rd_mcp_2"
RD="$RD_HBA/r2"
RD_PAGES=256				# 4 KiB pages: 1 MiB
# a backstore that exists but was never set up nor enabled
RD_OFF="$RD_HBA/r3"
ctl="$SPAR_REPO/build/tools/sparctl"
u=""
nic=""

# wwn_cleanup UUID: the WWN of UUID and everything under it, links first.
wwn_cleanup() {
	local w="$FABRIC/$1" l d
	[ -n "$1" ] && [ -d "$w" ] || return 0
	for l in "$w"/tpgt_*/lun/lun_*/*; do
		[ -L "$l" ] && rm -f "$l" 2> /dev/null
	done
	for d in "$w"/tpgt_*/lun/lun_* "$w"/tpgt_*; do
		[ -d "$d" ] && rmdir "$d" 2> /dev/null
	done
	rmdir "$w" 2> /dev/null
}

# cfg_cleanup: links, LUNs, TPGs, WWNs, the fabric, the backstores, then
# the instances; for the EXIT trap, so it runs after failures.
cfg_cleanup() {
	local d
	wwn_cleanup "$u"
	wwn_cleanup "$nic"
	[ -d "$FABRIC" ] && rmdir "$FABRIC" 2> /dev/null
	for d in "$RD_OFF" "$RD" "$RD_HBA"; do
		[ -d "$d" ] && rmdir "$d" 2> /dev/null
	done
	spar_remove_all
}
trap cfg_cleanup EXIT
trap 'exit 143' TERM INT

t_declare hba-sparctl-setup hba-sparctl-show-empty \
	hba-sparctl-add hba-sparctl-add-link hba-sparctl-add-exported \
	hba-sparctl-show-instance hba-sparctl-show-target hba-sparctl-show \
	hba-sparctl-add-again hba-sparctl-lun-16 hba-sparctl-lun-nan \
	hba-sparctl-target-8 hba-sparctl-no-backstore \
	hba-sparctl-not-enabled hba-sparctl-not-instance hba-sparctl-nic \
	hba-sparctl-refused-unchanged hba-sparctl-nic-no-wwn \
	hba-sparctl-remove hba-sparctl-remove-wwn-gone \
	hba-sparctl-remove-fabric-kept hba-sparctl-remove-again \
	hba-sparctl-show-after hba-sparctl-clean hba-sparctl-unexported
if [ ! -x "$ctl" ]; then
	t_fail hba-sparctl-build "$ctl missing: run 'make tools'"
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

# cfg_setup: LIO and configfs, the ramdisk RD of RD_PAGES pages, enabled,
# and RD_OFF, made but never enabled.
cfg_setup() {
	step "LIO" lio_ready || return 1
	step "mkdir $RD" mkdir -p "$RD" || return 1
	step "rd_pages of $RD" sysfs_write "$RD/control" "rd_pages=$RD_PAGES" ||
		return 1
	step "enable $RD" sysfs_write "$RD/enable" 1 || return 1
	step "mkdir $RD_OFF" mkdir "$RD_OFF"
}

# t_refused NAME ERE CMD...: CMD must exit with status 1, and its output
# (the message on stderr) match ERE.
t_refused() {
	local name="$1" re="$2" out rc
	shift 2
	out="$("$@" 2>&1)"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		t_fail "$name" "'$*' exited with status $rc, not 1: $out"
	else
		t_match "$name" "$re" "$out"
	fi
}

# cfg_tree: the spar fabric's directories and links of UUID $u, to compare
# before and after refused commands.
cfg_tree() {
	find "$FABRIC" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort
	[ -d "$FABRIC/$u" ] || return 0
	find "$FABRIC/$u" -mindepth 1 -maxdepth 1 -name 'tpgt_*' -printf '%f\n' |
		sort
	find "$FABRIC/$u"/tpgt_*/lun -mindepth 1 -maxdepth 2 \
		\( -name 'lun_*' -o -type l \) -printf '%p %l\n' 2> /dev/null |
		sort
}

u="$(new_uuid)"
nic="$(new_uuid)"
if ! err="$(mdev_create spar-hba "$u")"; then
	t_fail hba-sparctl-setup "creating the spar-hba instance: $err"
	t_done
fi
if ! err="$(mdev_create spar-nic "$nic")"; then
	t_fail hba-sparctl-setup "creating the spar-nic instance: $err"
	t_done
fi
if ! err="$(cfg_setup)"; then
	t_fail hba-sparctl-setup "$err"
	t_done
fi
t_pass hba-sparctl-setup

# t_show NAME ERE: "sparctl hba show $u" must succeed, its output match ERE.
t_show() {
	local out rc
	out="$("$ctl" hba show "$u" 2>&1)"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		t_fail "$1" "'sparctl hba show $u' exited with status $rc: $out"
	else
		t_match "$1" "$2" "$out"
	fi
}

# Nothing configured yet: show says so and succeeds.
t_show hba-sparctl-show-empty "no LUNs configured"

# add makes the fabric (if needed), the WWN, tpgt_0, lun_0 and the link.
t_ok hba-sparctl-add "$ctl" hba add "$u" 0 rd_mcp_2/r2
link="$FABRIC/$u/tpgt_0/lun/lun_0/r2"
if [ -L "$link" ]; then
	t_eq hba-sparctl-add-link "$RD" "$(readlink -f "$link")"
else
	t_fail hba-sparctl-add-link "no link $link: $(cfg_tree | xargs)"
fi
# LIO counts the export: the backstore is ACTIVATED while a LUN uses it.
t_match hba-sparctl-add-exported 'Status: ACTIVATED' "$(rd "$RD/info")"

t_show hba-sparctl-show-instance "^Instance $u \(spar-hba, status [a-z]+\)"
t_show hba-sparctl-show-target '^  target 0 \(tpgt_0\)'
t_show hba-sparctl-show '^    LUN 0 +rd_mcp_2/r2 +1 MiB'

# Refused, each with its reason, and nothing changed by any of them.
before="$(cfg_tree)"
t_refused hba-sparctl-add-again \
	"LUN 0 of target 0 of $u is already in use \(rd_mcp_2/r2\)" \
	"$ctl" hba add "$u" 0 rd_mcp_2/r2
t_refused hba-sparctl-lun-16 \
	'LUN 16 is beyond max_lun 16 of the instance \(0 to 15\)' \
	"$ctl" hba add "$u" 16 rd_mcp_2/r2
t_refused hba-sparctl-lun-nan "LUN 'one' is not a number" \
	"$ctl" hba add "$u" one rd_mcp_2/r2
t_refused hba-sparctl-target-8 \
	'target 8 is not a SCSI target id of the instance \(0 to 7\)' \
	"$ctl" hba add "$u" 1 rd_mcp_2/r2 --target 8
t_refused hba-sparctl-no-backstore \
	'no backstore rd_mcp_2/r9: create it with targetcli or under /sys/kernel/config/target/core' \
	"$ctl" hba add "$u" 1 rd_mcp_2/r9
t_refused hba-sparctl-not-enabled \
	'backstore rd_mcp_2/r3 is not enabled' \
	"$ctl" hba add "$u" 1 rd_mcp_2/r3
nouuid="$(new_uuid)"
t_refused hba-sparctl-not-instance "no spar-hba instance $nouuid" \
	"$ctl" hba add "$nouuid" 1 rd_mcp_2/r2
t_refused hba-sparctl-nic "$nic is a spar-nic instance, not spar-hba" \
	"$ctl" hba add "$nic" 0 rd_mcp_2/r2
t_eq hba-sparctl-refused-unchanged "$before" "$(cfg_tree)"
t_not hba-sparctl-nic-no-wwn test -e "$FABRIC/$nic"

# remove takes lun_0, then the empty tpgt_0 and WWN; the fabric stays.
t_ok hba-sparctl-remove "$ctl" hba remove "$u" 0
t_not hba-sparctl-remove-wwn-gone test -e "$FABRIC/$u"
t_ok hba-sparctl-remove-fabric-kept test -d "$FABRIC"
t_refused hba-sparctl-remove-again "no LUN 0 on target 0 of $u" \
	"$ctl" hba remove "$u" 0
t_show hba-sparctl-show-after "no LUNs configured"

# configfs is left clean: no WWN in the fabric (its own discovery_auth
# group aside), and no LUN exports the ramdisk any more.
left="$(find "$FABRIC" -mindepth 1 -maxdepth 1 ! -name discovery_auth \
	-printf '%f\n')"
t_eq hba-sparctl-clean "" "$left"
t_match hba-sparctl-unexported 'Status: DEACTIVATED' "$(rd "$RD/info")"
t_done
