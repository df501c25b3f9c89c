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
	# the debug kernel of `make check-debug` (objtool, certificates)
	libelf-dev libssl-dev
	# kernel to build against and to boot in the test VMs (the 6.12
	# headers, for the lint builds only, are installed further down)
	linux-image-amd64 linux-headers-amd64
	# checkpatch.pl and kernel-doc come from the kernel source package
	linux-source
	# lint and fuzz
	sparse clang libclang-rt-dev shellcheck perl python3
	# VM tiers
	qemu-system-x86 busybox-static mdevctl iproute2
	# a backstore the e2e tier stalls (device-mapper); fio for `make bench`
	dmsetup fio
	# the DKMS packages of `make check-dkms`
	dkms
	# libvirt in the e2e tier (libvirtd and virtlogd run by hand in the VM,
	# not as services of this machine)
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

# The kernel matrix: besides the default kernel, the newest Debian 6.12
# kernel (bookworm-security), image and headers, so that the modules are
# built, linted and run in a VM on both (scripts/kver.sh --all).
want612=1
for b in /lib/modules/6.12.*+deb12-amd64/build; do
	v="${b#/lib/modules/}"
	v="${v%/build}"
	[ -d "$b" ] && [ -e "/boot/vmlinuz-$v" ] && want612=0
done

# The kernel of `make check-iommufd` is built from the newest kernel
# source Debian offers (no Debian kernel has IOMMUFD); the package is
# looked up once, and again only when no newer one than 6.1 is at hand.
wantsrc=1
for t in /usr/src/linux-source-*.tar.xz; do
	v="${t#/usr/src/linux-source-}"
	v="${v%.tar.xz}"
	[ -e "$t" ] && [ "$(printf '6.6\n%s\n' "$v" | sort -V | head -n 1)" = 6.6 ] && wantsrc=0
done

if [ "${#missing[@]}" -eq 0 ] && [ "$want612" -eq 0 ] && [ "$wantsrc" -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: need root to install: ${missing[*]:-}" \
			"$([ "$want612" -eq 1 ] && echo linux-image-6.12)" \
			"$([ "$wantsrc" -eq 1 ] && echo 'the newest linux-source')" >&2
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

# install_612: the newest linux-image-6.12.N+deb12-amd64 and its headers.
install_612() {
	local img ver
	img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n 1)
	if [ -z "$img" ]; then
		echo "deps: no linux-image-6.12.*+deb12-amd64 package (is bookworm-security enabled?);" \
			"the kernel matrix has the installed kernels only" >&2
		return 0
	fi
	ver=${img#linux-image-}
	echo "deps: installing the 6.12 kernel $ver (image and headers)"
	$sudo apt-get install -y -q --no-install-recommends "$img" "linux-headers-$ver"
}

# Optional: without it the matrix has the other kernels.
if [ "$want612" -eq 1 ] && ! install_612; then
	echo "deps: could not install a 6.12 kernel; the kernel matrix has the installed kernels only" >&2
fi

# install_src: the newest linux-source-X.Y package.
install_src() {
	local pkg
	pkg=$(apt-cache search --names-only '^linux-source-[0-9]+\.[0-9]+$' |
		awk '{ print $1 }' | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		echo "deps: no linux-source-X.Y package found" >&2
		return 1
	fi
	echo "deps: installing $pkg (the kernel of make check-iommufd)"
	$sudo apt-get install -y -q --no-install-recommends "$pkg"
}

# Optional too: only `make check-iommufd` needs it, and says so.
if [ "$wantsrc" -eq 1 ] && ! install_src; then
	echo "deps: could not install a linux-source newer than 6.6; make check-iommufd cannot run" >&2
fi
