#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mdevctl drives the parent: types, start/list/stop of transient devices,
# define --auto/start/undefine of persistent ones, and the sample JSON
# configurations under samples/mdevctl/.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

t_declare mdevctl-types-{parent,nic,hba,input,api} \
	mdevctl-start{,-sysfs,-type,-avail} mdevctl-list{,-not-defined} \
	mdevctl-stop{,-sysfs,-list,-avail} \
	mdevctl-define{,-not-started,-listed,-start,-start-sysfs,-start-type} \
	mdevctl-define-{list-active,stop,stop-sysfs,still-defined} \
	mdevctl-define-auto-{start,start-sysfs,stop} mdevctl-undefine{,-gone} \
	mdevctl-limit-{filled,over,over-sysfs,restored}
for f in "$SPAR_REPO"/samples/mdevctl/*.json; do
	n="$(basename "$f" .json)"
	t_declare "mdevctl-sample-$n-"{define,listed,start,type,stop,undefine}
done

trap mdevctl_cleanup EXIT

# listed UUID TYPE [LIST-ARGS...]: `mdevctl list` has "UUID spar TYPE".
# shellcheck disable=SC2317 # called through t_ok/t_not
listed() {
	local u="$1" t="$2"
	shift 2
	mdevctl list "$@" 2>/dev/null | grep -Eq "^$u +spar +$t( |$)"
}

types="$(mdevctl types 2>&1)"
t_match mdevctl-types-parent '^spar$' "$types"
for t in "${SPAR_TYPE_NAMES[@]}"; do
	t_match "mdevctl-types-${t#spar-}" "^ +$t\$" "$types"
done
t_match mdevctl-types-api 'Device API: vfio-pci' "$types"

# Transient device: start with parent and type, list, stop.
u="$(new_uuid)"
before="$(avail spar-nic)"
t_ok mdevctl-start mdevctl start -u "$u" -p spar -t spar-nic
t_ok mdevctl-start-sysfs test -d "$MDEV_DEVICES/$u"
t_eq mdevctl-start-type "$(readlink -f "$SPAR_TYPES/spar-nic")" \
	"$(readlink -f "$MDEV_DEVICES/$u/mdev_type")"
t_eq mdevctl-start-avail "$((before - 1))" "$(avail spar-nic)"
t_ok mdevctl-list listed "$u" spar-nic
t_not mdevctl-list-not-defined listed "$u" spar-nic --defined
t_ok mdevctl-stop mdevctl stop -u "$u"
t_not mdevctl-stop-sysfs test -e "$MDEV_DEVICES/$u"
t_not mdevctl-stop-list listed "$u" spar-nic
t_eq mdevctl-stop-avail "$before" "$(avail spar-nic)"

# Persistent device with auto start: define, start by UUID, stop, undefine.
u="$(new_uuid)"
t_ok mdevctl-define mdevctl define --auto -u "$u" -p spar -t spar-hba
t_not mdevctl-define-not-started test -e "$MDEV_DEVICES/$u"
defined="$(mdevctl list --defined 2>&1)"
t_match mdevctl-define-listed "^$u +spar +spar-hba +auto" "$defined"
t_ok mdevctl-define-start mdevctl start -u "$u"
t_ok mdevctl-define-start-sysfs test -d "$MDEV_DEVICES/$u"
t_eq mdevctl-define-start-type "$(readlink -f "$SPAR_TYPES/spar-hba")" \
	"$(readlink -f "$MDEV_DEVICES/$u/mdev_type")"
t_ok mdevctl-define-list-active listed "$u" spar-hba
t_ok mdevctl-define-stop mdevctl stop -u "$u"
t_not mdevctl-define-stop-sysfs test -e "$MDEV_DEVICES/$u"
t_ok mdevctl-define-still-defined listed "$u" spar-hba --defined
# What mdevctl's udev rule runs when the parent registers: auto devices start.
t_ok mdevctl-define-auto-start mdevctl start-parent-mdevs spar
t_ok mdevctl-define-auto-start-sysfs test -d "$MDEV_DEVICES/$u"
t_ok mdevctl-define-auto-stop mdevctl stop -u "$u"
t_ok mdevctl-undefine mdevctl undefine -u "$u"
t_not mdevctl-undefine-gone listed "$u" spar-hba --defined

# Starting past the limit through mdevctl fails, and leaves nothing behind.
us=()
for _ in $(seq 1 "$SPAR_MAX_INPUT"); do
	u="$(new_uuid)"
	mdevctl start -u "$u" -p spar -t spar-input > /dev/null 2>&1 && us+=("$u")
done
t_eq mdevctl-limit-filled "$SPAR_MAX_INPUT" "${#us[@]}"
u="$(new_uuid)"
t_not mdevctl-limit-over mdevctl start -u "$u" -p spar -t spar-input
t_not mdevctl-limit-over-sysfs test -e "$MDEV_DEVICES/$u"
for u in "${us[@]}"; do
	mdevctl stop -u "$u" > /dev/null 2>&1
done
t_eq mdevctl-limit-restored "$SPAR_MAX_INPUT" "$(avail spar-input)"

# The sample configurations define and start as documented.
for f in "$SPAR_REPO"/samples/mdevctl/*.json; do
	[ -e "$f" ] || { t_fail mdevctl-samples "no samples/mdevctl/*.json"; break; }
	n="$(basename "$f" .json)"
	t="$(sed -n 's/.*"mdev_type" *: *"\([^"]*\)".*/\1/p' "$f")"
	u="$(new_uuid)"
	t_ok "mdevctl-sample-$n-define" mdevctl define -u "$u" -p spar --jsonfile "$f"
	t_ok "mdevctl-sample-$n-listed" listed "$u" "$t" --defined
	t_ok "mdevctl-sample-$n-start" mdevctl start -u "$u"
	t_eq "mdevctl-sample-$n-type" "$(readlink -f "$SPAR_TYPES/$t")" \
		"$(readlink -f "$MDEV_DEVICES/$u/mdev_type")"
	t_ok "mdevctl-sample-$n-stop" mdevctl stop -u "$u"
	t_ok "mdevctl-sample-$n-undefine" mdevctl undefine -u "$u"
done

t_done
