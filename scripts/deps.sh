#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages spar-mdev needs to build, lint and test.
# Idempotent: packages already present are left alone, and apt is only
# asked when something is missing.  Needs root (or sudo) the first time.
set -euo pipefail

pkgs=(
	# build
	build-essential make gcc bc flex bison kmod cpio xz-utils
	# kernel to build against and to boot in the test VMs (the 6.12
	# headers, for the lint builds only, are installed further down)
	linux-image-amd64 linux-headers-amd64
	# checkpatch.pl and kernel-doc come from the kernel source package
	linux-source
	# lint and fuzz
	sparse clang libclang-rt-dev shellcheck perl python3
	# VM tiers
	qemu-system-x86 busybox-static mdevctl iproute2
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

# The lint tier also builds against the newest Debian 6.12 kernel
# (bookworm-security), for which only the headers are wanted: the VMs boot
# the newest kernel that has an image, and are not ready for 6.12.
want612=1
for b in /lib/modules/6.12.*+deb12-amd64/build; do
	[ -d "$b" ] && want612=0
done

if [ "${#missing[@]}" -eq 0 ] && [ "$want612" -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: need root to install: ${missing[*]:-}" \
			"$([ "$want612" -eq 1 ] && echo linux-headers-6.12)" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive

# Package lists are refreshed only when something the build needs is
# missing; the 6.12 headers are looked up in the lists at hand.
if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing missing Debian packages: ${missing[*]}"
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# linux-headers-V depends on linux-image-V, whose /boot/vmlinuz-V would
# make scripts/kver.sh pick V.  Install what the headers need except the
# image, then unpack the headers package itself without registering it.
install_612_headers() {
	local pkg ver deps tmp
	pkg=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		echo "deps: no linux-headers-6.12.*+deb12-amd64 package (is bookworm-security enabled?);" \
			"lint builds for the installed kernels only" >&2
		return 0
	fi
	ver=${pkg#linux-headers-}
	echo "deps: installing $pkg without its kernel image"
	mapfile -t deps < <(apt-cache depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$pkg" |
		awk '$1 == "Depends:" { print $2 }' | grep -v '^<' |
		grep -v '^linux-image-')
	$sudo apt-get install -y -q --no-install-recommends "${deps[@]}" ||
		return 1
	tmp=$(mktemp -d) || return 1
	(cd "$tmp" && apt-get download -q "$pkg") &&
		dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
		$sudo tar -x -C / --keep-directory-symlink --no-overwrite-dir \
			"./lib/modules/$ver" "./usr/src/linux-headers-$ver"
	rm -rf "$tmp"
	[ -d "/lib/modules/$ver/build" ]
}

# Optional: without them the lint tier builds for the other kernels.
if [ "$want612" -eq 1 ] && ! install_612_headers; then
	echo "deps: could not install the 6.12 headers; lint builds for the installed kernels only" >&2
fi
