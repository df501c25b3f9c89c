#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The parent device, its three mdev types and their attributes, and the
# module parameters, as the sysfs contract describes them.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

t_declare types-parent types-parent-path types-list
for s in nic hba input; do
	t_declare "types-$s-"{name,description,description-lines,device-api} \
		"types-$s-"{available,create,devices-empty,create-readonly}
done
t_declare types-param-max_{nic,hba,input}{,-mode}

declare -A limit=([spar-nic]="$SPAR_MAX_NIC" [spar-hba]="$SPAR_MAX_HBA"
	[spar-input]="$SPAR_MAX_INPUT")

t_ok types-parent test -d "$SPAR_PARENT"
t_eq types-parent-path /sys/devices/virtual/spar/spar "$(readlink -f "$SPAR_PARENT")"
t_eq types-list "spar-hba spar-input spar-nic" \
	"$(find "$SPAR_TYPES" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort | xargs)"

for t in "${SPAR_TYPE_NAMES[@]}"; do
	d="$SPAR_TYPES/$t"
	s="${t#spar-}"
	t_eq "types-$s-name" "$t" "$(rd "$d/name")"
	# A missing or unreadable file fails here, not as a matching string.
	if desc="$(cat "$d/description" 2>&1)"; then
		t_match "types-$s-description" '^[[:print:]]*[[:alnum:]][[:print:]]*$' "$desc"
		t_eq "types-$s-description-lines" 1 "$(printf '%s\n' "$desc" | wc -l)"
	else
		t_fail "types-$s-description" "cannot read $d/description: $desc"
		t_fail "types-$s-description-lines" "no description"
	fi
	t_eq "types-$s-device-api" vfio-pci "$(rd "$d/device_api")"
	t_eq "types-$s-available" "${limit[$t]}" "$(rd "$d/available_instances")"
	t_ok "types-$s-create" test -f "$d/create"
	t_eq "types-$s-devices-empty" "" \
		"$(find "$d/devices" -mindepth 1 -maxdepth 1 2>&1)"
	t_not "types-$s-create-readonly" cat "$d/create"
done

for p in max_nic max_hba max_input; do
	f="/sys/module/spar_mdev/parameters/$p"
	v="SPAR_$(echo "$p" | tr '[:lower:]' '[:upper:]')"
	t_eq "types-param-$p" "${!v}" "$(rd "$f")"
	t_eq "types-param-$p-mode" 444 "$(stat -c %a "$f" 2>&1)"
done

t_done
