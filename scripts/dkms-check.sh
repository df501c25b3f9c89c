#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS packages, with DKMS's own commands: `make dkms-install` into a
# temporary root, then for spar-mdev (host) and spar-mdev-guest: dkms add,
# dkms build for every installed kernel with headers (scripts/kver.sh
# --all), dkms status, the vermagic of every built module against its
# kernel, dkms remove --all.  DKMS's trees (--dkmstree, --sourcetree,
# --installtree) and its module signing key are in the temporary
# directory; nothing is installed into /lib/modules, and the script checks
# that /var/lib/dkms, /usr/src and /lib/modules/*/updates/dkms are as they
# were.  Prints one PASS or FAIL line per check; exits 1 if any failed.
# `make check-dkms`.

set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
failed=0

pass() { echo "PASS dkms/$1"; }
fail() {
	echo "FAIL dkms/$1${2:+: $2}"
	failed=1
}

if ! command -v dkms >/dev/null 2>&1; then
	fail installed "no dkms command (apt-get install dkms, or scripts/deps.sh)"
	exit 1
fi
mapfile -t kvers < <("$root/scripts/kver.sh" --all)
if [ "${#kvers[@]}" -eq 0 ]; then
	fail kernels "no installed kernel with headers (scripts/kver.sh)"
	exit 1
fi
version=$(cat "$root/VERSION")
arch=$(uname -m)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spar-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# What DKMS would touch outside the temporary tree, before and after.
host_state() {
	ls -lA /var/lib/dkms /usr/src 2>&1
	ls -ld /lib/modules/*/updates/dkms 2>/dev/null
}
host_state >"$tmp/before"

# dkms signs the modules it builds; the key it makes goes here, not into
# /var/lib/dkms.
export mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub"
opts=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/root/usr/src"
	--installtree "$tmp/modules")
mkdir -p "$tmp/dkms" "$tmp/modules"

if make -s -C "$root" dkms-install DESTDIR="$tmp/root" >"$tmp/dkms-install.log" 2>&1; then
	pass dkms-install
else
	fail dkms-install "$(tail -n 5 "$tmp/dkms-install.log")"
	exit 1
fi

# check PACKAGE PREFIX MODULE...: add, build, status, vermagic, remove.
# PREFIX names the result lines: dkms/<prefix>build-<kver> and so on.
check() {
	local pkg=$1 pre=$2 k m ko vm built
	shift 2

	if dkms add -m "$pkg" -v "$version" "${opts[@]}" >"$tmp/$pkg-add.log" 2>&1; then
		pass "${pre}add"
	else
		fail "${pre}add" "$(tail -n 5 "$tmp/$pkg-add.log")"
		return
	fi

	for k in "${kvers[@]}"; do
		if dkms build -m "$pkg" -v "$version" -k "$k" "${opts[@]}" \
			>"$tmp/$pkg-build-$k.log" 2>&1; then
			pass "${pre}build-$k"
		else
			fail "${pre}build-$k" "$(tail -n 5 "$tmp/$pkg-build-$k.log")"
			if [ -f "$tmp/dkms/$pkg/$version/build/make.log" ]; then
				tail -n 20 "$tmp/dkms/$pkg/$version/build/make.log"
			fi
			continue
		fi
		for m in "$@"; do
			ko=$(find "$tmp/dkms/$pkg/$version/$k/$arch/module" \
				-name "$m.ko*" -print -quit 2>/dev/null)
			if [ -z "$ko" ]; then
				fail "${pre}vermagic-$m-$k" "no $m.ko in the dkms tree"
				continue
			fi
			vm=$(modinfo -F vermagic "$ko" 2>&1)
			if [ "${vm%% *}" = "$k" ]; then
				pass "${pre}vermagic-$m-$k"
			else
				fail "${pre}vermagic-$m-$k" "$ko: vermagic '$vm'"
			fi
		done
	done

	dkms status -m "$pkg" -v "$version" "${opts[@]}" >"$tmp/$pkg-status.log" 2>&1
	built=1
	for k in "${kvers[@]}"; do
		grep -q "^$pkg/$version, $k, $arch: built\$" "$tmp/$pkg-status.log" || built=0
	done
	if [ "$built" -eq 1 ]; then
		pass "${pre}status"
	else
		fail "${pre}status" "$(cat "$tmp/$pkg-status.log")"
	fi

	if dkms remove -m "$pkg" -v "$version" --all "${opts[@]}" \
		>"$tmp/$pkg-remove.log" 2>&1 && [ ! -e "$tmp/dkms/$pkg" ]; then
		pass "${pre}remove"
	else
		fail "${pre}remove" "$(tail -n 5 "$tmp/$pkg-remove.log")"
	fi
}

check spar-mdev "" spar_mdev
check spar-mdev-guest guest- visorbus visornic visorhba visorinput

if [ -z "$(find "$tmp/modules" -mindepth 1 -print -quit)" ]; then
	pass installtree-empty
else
	fail installtree-empty "$(find "$tmp/modules" -mindepth 1 | head -n 5)"
fi
host_state >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
	pass host-untouched
else
	fail host-untouched "$(diff "$tmp/before" "$tmp/after" | head -n 10)"
fi

exit "$failed"
