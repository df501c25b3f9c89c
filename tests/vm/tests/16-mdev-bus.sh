#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sysfs view that fleet tools read to discover and create mediated
# devices, e.g. KubeVirt's virt-handler: the parent under
# /sys/class/mdev_bus, its mdev_supported_types/ with each type's name,
# description, device_api, available_instances and devices/, instances
# created through that path, and what such a tool reads back from
# /sys/bus/mdev/devices/<UUID> (the parent, the type's name, the IOMMU
# group).  Admin guide, section "KubeVirt".

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

BUS=/sys/class/mdev_bus/spar

t_declare mdev-bus-parent mdev-bus-same-device mdev-bus-types
for s in nic hba input; do
	t_declare "mdev-bus-$s-"{name,description,device-api,available} \
		"mdev-bus-$s-"{create,available-used,devices,child,parent-name} \
		"mdev-bus-$s-"{type-name,iommu-group,remove,available-back,devices-empty}
done
trap spar_remove_all EXIT

declare -A limit=([spar-nic]="$SPAR_MAX_NIC" [spar-hba]="$SPAR_MAX_HBA"
	[spar-input]="$SPAR_MAX_INPUT")

# entries DIR: the names in DIR, sorted, on one line (an error text if
# DIR cannot be read).
entries() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>&1 | sort | xargs
}

# group_node UUID: the VFIO group node of an instance, as a tool finds it
# from the instance's iommu_group link; fails if there is none.
# shellcheck disable=SC2317 # called through t_ok
group_node() {
	local g
	g="$(readlink "$MDEV_DEVICES/$1/iommu_group" 2>&1)" || {
		echo "no iommu_group link: $g"
		return 1
	}
	g="${g##*/}"
	case "$g" in
	'' | *[!0-9]*)
		echo "iommu_group link ends in '$g', not a group number"
		return 1
		;;
	esac
	test -c "/dev/vfio/$g" || {
		echo "/dev/vfio/$g is not a character device"
		return 1
	}
}

t_ok mdev-bus-parent test -d "$BUS"
# The same device as the class entry, not a copy or another device (two
# missing entries do not make a match).
t_eq mdev-bus-same-device \
	"$(readlink -e "$SPAR_PARENT" || echo "no $SPAR_PARENT")" \
	"$(readlink -e "$BUS" || echo "no $BUS")"
t_eq mdev-bus-types "$(printf '%s\n' "${SPAR_TYPE_NAMES[@]}" | sort | xargs)" \
	"$(entries "$BUS/mdev_supported_types")"

for t in "${SPAR_TYPE_NAMES[@]}"; do
	s="${t#spar-}"
	d="$BUS/mdev_supported_types/$t"
	max="${limit[$t]}"

	# KubeVirt's mdevNameSelector matches this file (spaces turned into
	# underscores); spar's names have none and equal the directory names.
	t_eq "mdev-bus-$s-name" "$t" "$(rd "$d/name")"
	if desc="$(cat "$d/description" 2>&1)"; then
		t_match "mdev-bus-$s-description" '[[:alnum:]]' "$desc"
	else
		t_fail "mdev-bus-$s-description" "cannot read $d/description: $desc"
	fi
	t_eq "mdev-bus-$s-device-api" vfio-pci "$(rd "$d/device_api")"
	t_eq "mdev-bus-$s-available" "$max" "$(rd "$d/available_instances")"

	# Create through the mdev_bus path, as KubeVirt's
	# mediatedDevicesConfiguration does.
	u="$(new_uuid)"
	t_ok "mdev-bus-$s-create" sysfs_write "$d/create" "$u"
	t_eq "mdev-bus-$s-available-used" "$((max - 1))" \
		"$(rd "$d/available_instances")"
	t_eq "mdev-bus-$s-devices" "$u" "$(entries "$d/devices")"
	t_ok "mdev-bus-$s-child" test -d "$BUS/$u"
	# A tool takes the parent's name from the instance's link under
	# /sys/bus/mdev/devices (the second-last part) and the type's name
	# from its mdev_type link.
	p="$(readlink -e "$MDEV_DEVICES/$u")"
	p="${p%/*}"
	t_eq "mdev-bus-$s-parent-name" spar "${p##*/}"
	t_eq "mdev-bus-$s-type-name" "$t" "$(rd "$MDEV_DEVICES/$u/mdev_type/name")"
	t_ok "mdev-bus-$s-iommu-group" group_node "$u"

	t_ok "mdev-bus-$s-remove" mdev_remove "$u"
	t_eq "mdev-bus-$s-available-back" "$max" "$(rd "$d/available_instances")"
	t_eq "mdev-bus-$s-devices-empty" "" "$(entries "$d/devices")"
done

t_done
