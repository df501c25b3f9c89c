#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An instance is a VFIO device: it has an IOMMU group, a character device
# under /dev/vfio/, and is bound to the parent's mdev driver.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

for s in nic hba input; do
	t_declare "vfio-$s-"{iommu-group,group-node,group-member,driver,group-node-gone}
done
trap spar_remove_all EXIT

for t in "${SPAR_TYPE_NAMES[@]}"; do
	s="${t#spar-}"
	u="$(new_uuid)"
	if ! err="$(mdev_create "$t" "$u")"; then
		t_fail "vfio-$s-create" "$err"
		continue
	fi
	d="$MDEV_DEVICES/$u"
	g="$(readlink "$d/iommu_group" 2>/dev/null)"
	g="${g##*/}"
	t_match "vfio-$s-iommu-group" '^[0-9]+$' "$g"
	t_ok "vfio-$s-group-node" test -c "/dev/vfio/$g"
	t_ok "vfio-$s-group-member" test -e "/sys/kernel/iommu_groups/$g/devices/$u"
	t_ok "vfio-$s-driver" test -e "$d/driver"
	mdev_remove "$u" > /dev/null
	# Wait briefly: devtmpfs removes the node asynchronously.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -e "/dev/vfio/$g" ] || break
		sleep 0.2
	done
	t_not "vfio-$s-group-node-gone" test -e "/dev/vfio/$g"
done

t_done
