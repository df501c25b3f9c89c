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
	# kernel to build against and to boot in the test VMs
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

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

echo "deps: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
