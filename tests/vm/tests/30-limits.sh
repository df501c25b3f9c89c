#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# available_instances accounting per type, the per-type limit (EUSERS and
# a dmesg line naming type and limit), and duplicate UUIDs.

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

# shellcheck disable=SC2046 # seq gives one number a word
for s in nic:"$SPAR_MAX_NIC" hba:"$SPAR_MAX_HBA" input:"$SPAR_MAX_INPUT"; do
	m="${s#*:}"
	s="${s%:*}"
	t_declare "limit-$s-"{start,create-all,over,over-eusers,over-no-device} \
		"limit-$s-"{over-dmesg,over-avail,duplicate-cross-type} \
		"limit-$s-"{duplicate-cross-type-avail,avail-after-remove,reuse} \
		"limit-$s-"{reuse-avail,end} \
		$(seq -f "limit-$s-avail-after-%g" 1 "$m")
	[ "$m" -gt 1 ] && t_declare "limit-$s-duplicate" "limit-$s-duplicate-avail"
done
trap spar_remove_all EXIT

declare -A limit=([spar-nic]="$SPAR_MAX_NIC" [spar-hba]="$SPAR_MAX_HBA"
	[spar-input]="$SPAR_MAX_INPUT")

for t in "${SPAR_TYPE_NAMES[@]}"; do
	s="${t#spar-}"
	max="${limit[$t]}"
	uuids=()
	t_eq "limit-$s-start" "$max" "$(avail "$t")"
	ok=1
	for i in $(seq 1 "$max"); do
		u="$(new_uuid)"
		if ! err="$(mdev_create "$t" "$u")"; then
			t_fail "limit-$s-create-$i" "$err"
			ok=0
			break
		fi
		uuids+=("$u")
		t_eq "limit-$s-avail-after-$i" "$((max - i))" "$(avail "$t")"
	done
	[ "$ok" = 1 ] && t_pass "limit-$s-create-all"

	# One past the limit: the write fails with EUSERS and says why in dmesg.
	dmesg_mark
	u="$(new_uuid)"
	if err="$(mdev_create "$t" "$u")"; then
		t_fail "limit-$s-over" "create past the limit of $max succeeded"
		uuids+=("$u")
	else
		t_pass "limit-$s-over"
		t_match "limit-$s-over-eusers" 'Too many users' "$err"
	fi
	t_not "limit-$s-over-no-device" test -e "$MDEV_DEVICES/$u"
	msg="$(dmesg_since)"
	# The message names the type and the limit in words, not only a
	# digit that could sit inside the UUID.
	t_match "limit-$s-over-dmesg" "${t}: all ${max} instances are in use" "$msg"
	t_eq "limit-$s-over-avail" 0 "$(avail "$t")"

	# A UUID already in use is refused and changes nothing, also when it
	# is asked for under another type that still has room.
	if [ "${#uuids[@]}" -gt 0 ]; then
		other=spar-nic
		[ "$t" = spar-nic ] && other=spar-hba
		o="$(avail "$other")"
		t_not "limit-$s-duplicate-cross-type" mdev_create "$other" "${uuids[0]}"
		t_eq "limit-$s-duplicate-cross-type-avail" "$o" "$(avail "$other")"
		mdev_remove "${uuids[0]}" > /dev/null
		t_eq "limit-$s-avail-after-remove" 1 "$(avail "$t")"
		if [ "${#uuids[@]}" -gt 1 ]; then
			t_not "limit-$s-duplicate" mdev_create "$t" "${uuids[1]}"
			t_eq "limit-$s-duplicate-avail" 1 "$(avail "$t")"
		fi
		# The freed slot can be used again.
		t_ok "limit-$s-reuse" mdev_create "$t" "$(new_uuid)"
		t_eq "limit-$s-reuse-avail" 0 "$(avail "$t")"
	fi
	spar_remove_all
	t_eq "limit-$s-end" "$max" "$(avail "$t")"
done

t_done
