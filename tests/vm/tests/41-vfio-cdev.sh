#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The second way to an instance: its VFIO device cdev
# (/dev/vfio/devices/vfioN) bound to an iommufd.  On a kernel with
# IOMMUFD and the cdev (make check-iommufd's) every type gets a cdev that
# the tools open through /dev/iommu, and the legacy group still works on
# the same kernel.  On a kernel without them (Debian's) asking the tools
# for iommufd gets an error that names the missing kernel option.  Either
# way an unknown SPAR_VFIO_BACKEND is refused by name.
# SPAR_TEST_REQUIRE_IOMMUFD=1 (set by make check-iommufd) makes a kernel
# without them a failure.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

ctl="$SPAR_REPO/build/tools/sparctl"
trap spar_remove_all EXIT

have=0
[ -c /dev/iommu ] && have=1
t_note "kernel $(uname -r): /dev/iommu $([ "$have" = 1 ] && echo present || echo absent)"

t_declare vfio-cdev-bad-backend
if [ "$have" = 1 ]; then
	for s in nic hba input; do
		t_declare "vfio-cdev-$s-"{node,char,iommufd-open,legacy-open,gone}
	done
elif [ "${SPAR_TEST_REQUIRE_IOMMUFD:-}" = 1 ]; then
	t_declare vfio-cdev-kernel
	t_fail vfio-cdev-kernel "SPAR_TEST_REQUIRE_IOMMUFD=1 but $(uname -r) has no /dev/iommu"
else
	t_declare vfio-cdev-absent-error
fi

for t in "${SPAR_TYPE_NAMES[@]}"; do
	s="${t#spar-}"
	u="$(new_uuid)"
	if ! err="$(mdev_create "$t" "$u")"; then
		t_fail "vfio-cdev-$s-create" "$err"
		continue
	fi
	d="$MDEV_DEVICES/$u"
	if [ "$s" = nic ]; then
		if out="$(SPAR_VFIO_BACKEND=vfio-user "$ctl" inspect "$u" 2>&1)"; then
			t_fail vfio-cdev-bad-backend "an unknown backend was taken: $out"
		else
			t_match vfio-cdev-bad-backend 'SPAR_VFIO_BACKEND is neither legacy nor iommufd' "$out"
		fi
	fi
	if [ "$have" = 1 ]; then
		n="$(ls "$d/vfio-dev" 2>/dev/null)"
		t_match "vfio-cdev-$s-node" '^vfio[0-9]+$' "$n"
		t_ok "vfio-cdev-$s-char" test -c "/dev/vfio/devices/$n"
		out="$(SPAR_VFIO_BACKEND=iommufd "$ctl" inspect "$u" 2>&1)"
		t_match "vfio-cdev-$s-iommufd-open" 'vfio access +iommufd \(IOAS [0-9]+\)' "$out"
		out="$(SPAR_VFIO_BACKEND=legacy "$ctl" inspect "$u" 2>&1)"
		t_match "vfio-cdev-$s-legacy-open" 'iommu group +[0-9]+' "$out"
		mdev_remove "$u" > /dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[ -e "/dev/vfio/devices/$n" ] || break
			sleep 0.2
		done
		t_not "vfio-cdev-$s-gone" test -e "/dev/vfio/devices/$n"
		continue
	fi
	if [ "$s" = nic ] && [ "${SPAR_TEST_REQUIRE_IOMMUFD:-}" != 1 ]; then
		if out="$(SPAR_VFIO_BACKEND=iommufd "$ctl" inspect "$u" 2>&1)"; then
			t_fail vfio-cdev-absent-error "sparctl opened $u through iommufd on a kernel without it: $out"
		else
			t_match vfio-cdev-absent-error 'CONFIG_IOMMUFD|CONFIG_VFIO_DEVICE_CDEV' "$out"
		fi
	fi
	mdev_remove "$u" > /dev/null
done

t_done
