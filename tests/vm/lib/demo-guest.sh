#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM (started by scripts/demo.sh): load the host
# module, create one instance of each type with mdevctl, show them, stop
# them.  Each step ends with a PASS/FAIL demo/<step> line for the host.

set -u
SPAR_TIER=demo
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

step() {
	printf '\n=== %s\n' "$*"
}

# show CMD...: print the command and its output.
show() {
	printf '$ %s\n' "$*"
	"$@" 2>&1
}

main() {
	local t u out
	local -A uuid=()

	step "Load the VFIO/mdev stack and spar_mdev.ko (default limits)"
	# shellcheck disable=SC2119 # default limits
	if out="$(spar_load)"; then
		t_pass load
		printf '$ lsmod\n'
		lsmod | grep -E '^(Module|spar_mdev|mdev|vfio)'
	else
		t_fail load "$out"
		return
	fi

	step "The parent 'spar' and its mdev types, as mdevctl sees them"
	out="$(mdevctl types 2>&1)"
	printf '$ mdevctl types\n%s\n' "$out"
	t_match types '^spar$' "$out"

	step "Create one instance of each type"
	for t in "${SPAR_TYPE_NAMES[@]}"; do
		uuid[$t]="$(new_uuid)"
		if show mdevctl start -u "${uuid[$t]}" -p spar -t "$t"; then
			t_pass "start-${t#spar-}"
		else
			t_fail "start-${t#spar-}"
		fi
	done

	step "Running instances"
	out="$(mdevctl list 2>&1)"
	printf '$ mdevctl list\n%s\n' "$out"
	local n
	n="$(printf '%s\n' "$out" | grep -c ' spar ')"
	t_eq list "${#SPAR_TYPE_NAMES[@]}" "$n"

	u="${uuid[spar-nic]}"
	step "The sysfs view of the spar-nic instance $u"
	show ls -l "$MDEV_DEVICES/$u/"
	printf 'mdev_type -> %s (name: %s)\n' \
		"$(readlink "$MDEV_DEVICES/$u/mdev_type")" "$(rd "$MDEV_DEVICES/$u/mdev_type/name")"
	local g
	g="$(readlink "$MDEV_DEVICES/$u/iommu_group")"
	g="${g##*/}"
	show ls -l "/dev/vfio/"
	t_ok sysfs-vfio-group test -c "/dev/vfio/$g"
	show grep . "$SPAR_TYPES"/*/available_instances

	step "Stop every instance"
	for t in "${SPAR_TYPE_NAMES[@]}"; do
		if show mdevctl stop -u "${uuid[$t]}"; then
			t_pass "stop-${t#spar-}"
		else
			t_fail "stop-${t#spar-}"
		fi
	done
	out="$(mdevctl list 2>&1)"
	printf '$ mdevctl list\n%s\n' "$out"
	t_eq stopped "" "$out"
	step "Unload the module"
	t_ok unload rmmod spar_mdev
}

main 2>&1 | tee /tmp/demo.out
t_totals /tmp/demo.out
