#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Create and remove one instance of each type through sysfs.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

for s in nic hba input; do
	t_declare "create-$s"{,-device,-mdev-type,-type-devices,-parent,-remove-attr} \
		"remove-$s"{,-gone,-type-devices,-available}
done
t_declare create-bad-uuid create-bad-uuid-nothing
trap spar_remove_all EXIT

for t in "${SPAR_TYPE_NAMES[@]}"; do
	s="${t#spar-}"
	u="$(new_uuid)"
	before="$(avail "$t")"
	t_ok "create-$s" mdev_create "$t" "$u"
	t_ok "create-$s-device" test -d "$MDEV_DEVICES/$u"
	t_eq "create-$s-mdev-type" "$(readlink -f "$SPAR_TYPES/$t")" \
		"$(readlink -f "$MDEV_DEVICES/$u/mdev_type")"
	t_eq "create-$s-type-devices" "$u" \
		"$(find "$SPAR_TYPES/$t/devices" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>&1)"
	t_eq "create-$s-parent" "$(readlink -f "$SPAR_PARENT")" \
		"$(readlink -f "$MDEV_DEVICES/$u/..")"
	t_ok "create-$s-remove-attr" test -f "$MDEV_DEVICES/$u/remove"
	t_ok "remove-$s" mdev_remove "$u"
	t_not "remove-$s-gone" test -e "$MDEV_DEVICES/$u"
	t_eq "remove-$s-type-devices" "" \
		"$(find "$SPAR_TYPES/$t/devices" -mindepth 1 -maxdepth 1 2>&1)"
	t_eq "remove-$s-available" "$before" "$(avail "$t")"
done

# A malformed UUID is refused and creates nothing.
t_not create-bad-uuid mdev_create spar-nic not-a-uuid
t_eq create-bad-uuid-nothing "" "$(spar_instances)"

t_done
