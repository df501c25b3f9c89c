#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) a test kernel from a Debian linux-source
# tarball: defconfig and kvm_guest.config, then the options of
# scripts/NAME-kernel.config, with what the test VMs need built in
# (scripts/vm-kernel.config: virtio, 9p, overlayfs, VFIO and mdev, LIO,
# input, networking).
#
#   scripts/test-kernel.sh NAME     build if needed; print the cache dir
#
#   debug     linux-source-6.1 with KASAN, lockdep, kmemleak, UBSAN
#             (make check-debug)
#   iommufd   the newest linux-source with IOMMUFD and the VFIO device
#             cdev besides the legacy container (make check-iommufd)
#
# A configuration file holds one argument list of the kernel's
# scripts/config a line, and two directives:
#
#   source SERIES     the tarball: linux-source-SERIES, or "newest" for the
#                     newest installed one
#   minimum SERIES    refuse an older tarball
#   require OPTION... fail unless the final .config has CONFIG_OPTION (y or m)
#   include FILE      the lines of another file in scripts/
#
# The result is cached outside the tree, in
# ${SPAR_CACHE:-~/.cache/spar-mdev}/NAME-kernel-<key>/, keyed by the
# source tarball and the configuration, so it is built once per machine;
# older builds of NAME are removed.  The directory holds:
#
#   obj/            the kernel build (KDIR for out-of-tree modules)
#   vmlinuz         the kernel image
#   root/lib/modules/<release>/   modules.builtin, modules.dep, ...
#   release         the kernel release string
#   build.log       the build's output; build-seconds, its duration
#
# On 2 cores a build takes 10 to 15 minutes.

set -euo pipefail

name="${1:-}"
here="$(cd "$(dirname "$0")" && pwd)"
config="$here/$name-kernel.config"
if [ -z "$name" ] || [ ! -f "$config" ]; then
	echo "test-kernel: usage: $0 NAME, with a scripts/NAME-kernel.config (debug, iommufd)" >&2
	exit 2
fi
tag="$name-kernel"
cache="${SPAR_CACHE:-${HOME:-/root}/.cache/spar-mdev}"

# config_lines FILE: the lines of FILE with includes expanded, comments
# and blank lines dropped.
config_lines() {
	local line
	while read -r line; do
		case "$line" in
		'' | '#'*) ;;
		'include '*) config_lines "$here/${line#include }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < "$1"
}
lines="$(config_lines "$config")"
series="$(sed -n 's/^source //p' <<< "$lines" | tail -n 1)"
minimum="$(sed -n 's/^minimum //p' <<< "$lines" | tail -n 1)"
if [ "$series" = newest ] || [ -z "$series" ]; then
	pattern='linux-source-[0-9]*.tar.xz'
else
	pattern="linux-source-$series.tar.xz"
fi
tarball="$(find /usr/src -maxdepth 1 -name "$pattern" | sort -V | tail -n 1)"
if [ -z "$tarball" ]; then
	echo "$tag: no /usr/src/$pattern (scripts/deps.sh installs the linux-source packages)" >&2
	exit 1
fi
have="$(basename "$tarball" .tar.xz)"
have="${have#linux-source-}"
if [ -n "$minimum" ] &&
	[ "$(printf '%s\n%s\n' "$minimum" "$have" | sort -V | head -n 1)" != "$minimum" ]; then
	echo "$tag: needs linux-source $minimum or newer; the newest here is $have" >&2
	exit 1
fi

# The key: the sources, the configuration, and the build recipe's version
# (raise it when a change below changes what gets built).
recipe=2
key="$({
	stat -Lc '%n %s %Y' "$tarball"
	echo "$lines"
	echo "recipe $recipe"
} | sha256sum | cut -c1-16)"
dir="$cache/$tag-$key"
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/release" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
# One build at a time per machine.
exec 8>> "$cache/.test-kernel.lock"
flock 8
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/release" ]; then
	echo "$dir"
	exit 0
fi

# Built in place (out-of-tree modules need the paths the build recorded);
# vmlinuz and release are written last, so a build that was interrupted
# is started again from scratch.
rm -rf "$dir"
mkdir -p "$dir/obj"
top="$(basename "$tarball" .tar.xz)"
echo "$tag: unpacking $tarball" >&2
tar -xJf "$tarball" -C "$dir"
src="$dir/$top"
obj="$dir/obj"
start=$SECONDS
log="$dir/build.log"

kmake() {
	if ! make -C "$src" O="$obj" "$@" >> "$log" 2>&1; then
		echo "$tag: make $* failed; the end of $log:" >&2
		tail -n 40 "$log" >&2
		return 1
	fi
}

echo "$tag: configuring (log: $log)" >&2
kmake defconfig
kmake kvm_guest.config
# The options, one scripts/config argument list a line.
cfg=("$src/scripts/config" --file "$obj/.config")
while read -r line; do
	case "$line" in
	'source '* | 'minimum '* | 'require '*) continue ;;
	esac
	# shellcheck disable=SC2086 # a line is a list of arguments
	"${cfg[@]}" $line
done <<< "$lines"
kmake olddefconfig
# olddefconfig drops an option whose dependencies are missing, silently
# shellcheck disable=SC2013 # a require line is a list of option names
for opt in $(sed -n 's/^require //p' <<< "$lines"); do
	if ! grep -qx "CONFIG_$opt=[ym]" "$obj/.config"; then
		echo "$tag: CONFIG_$opt is not set after olddefconfig (see $obj/.config)" >&2
		exit 1
	fi
done
echo "$tag: building with $(nproc) jobs" >&2
kmake -j"$(nproc)" bzImage modules
kmake INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 modules_install
echo "$((SECONDS - start))" > "$dir/build-seconds"
rm -rf "$src/Documentation"
cp "$obj/arch/x86/boot/bzImage" "$dir/vmlinuz.tmp"
make -s -C "$src" O="$obj" kernelrelease > "$dir/release"
mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
for old in "$cache/$tag"-*; do
	[ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
done
echo "$tag: built $(cat "$dir/release") in $(cat "$dir/build-seconds") s" >&2
echo "$dir"
