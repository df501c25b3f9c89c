#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) the debug kernel of `make check-debug`: Debian's
# linux-source-6.1 with KASAN, lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP,
# kmemleak and UBSAN, on a small configuration (defconfig, kvm_guest.config)
# with what the test VMs need built in: virtio, 9p, overlayfs, VFIO and
# mdev, LIO, input, networking.
#
#   scripts/debug-kernel.sh          build if needed; print the cache dir
#
# The result is cached outside the tree, in
# ${SPAR_CACHE:-~/.cache/spar-mdev}/debug-kernel-<key>/, keyed by the
# source tarball and the configuration (scripts/debug-kernel.config), so it
# is built once per machine; older builds are removed.  The directory holds:
#
#   obj/            the kernel build (KDIR for out-of-tree modules)
#   vmlinuz         the kernel image
#   root/lib/modules/<release>/   modules.builtin, modules.dep, ...
#   release         the kernel release string
#   build.log       the build's output; build-seconds, its duration
#
# On 2 cores the build takes 10 to 15 minutes.

set -euo pipefail

cache="${SPAR_CACHE:-${HOME:-/root}/.cache/spar-mdev}"
tarball="$(find /usr/src -maxdepth 1 -name 'linux-source-6.1*.tar.xz' | sort -V | tail -n 1)"
if [ -z "$tarball" ]; then
	echo "debug-kernel: no /usr/src/linux-source-6.1*.tar.xz (scripts/deps.sh installs linux-source)" >&2
	exit 1
fi

# The key: the sources, the configuration, and the build recipe's version
# (raise it when a change below changes what gets built).
recipe=1
config="$(dirname "$0")/debug-kernel.config"
key="$({
	stat -Lc '%n %s %Y' "$tarball"
	sha256sum "$config" | cut -d' ' -f1
	echo "recipe $recipe"
} | sha256sum | cut -c1-16)"
dir="$cache/debug-kernel-$key"
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/release" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
# One build at a time per machine.
exec 8>> "$cache/.debug-kernel.lock"
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
echo "debug-kernel: unpacking $tarball" >&2
tar -xJf "$tarball" -C "$dir"
src="$dir/$top"
obj="$dir/obj"
start=$SECONDS
log="$dir/build.log"

kmake() {
	make -C "$src" O="$obj" "$@" >> "$log" 2>&1
}

echo "debug-kernel: configuring (log: $log)" >&2
kmake defconfig
kmake kvm_guest.config
# The options: scripts/debug-kernel.config, one scripts/config argument
# list a line.
cfg=("$src/scripts/config" --file "$obj/.config")
while read -r line; do
	case "$line" in
	'' | '#'*) continue ;;
	esac
	# shellcheck disable=SC2086 # a line is a list of arguments
	"${cfg[@]}" $line
done < "$config"
kmake olddefconfig
echo "debug-kernel: building with $(nproc) jobs" >&2
kmake -j"$(nproc)" bzImage modules
kmake INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 modules_install
echo "$((SECONDS - start))" > "$dir/build-seconds"
rm -rf "$src/Documentation"
cp "$obj/arch/x86/boot/bzImage" "$dir/vmlinuz.tmp"
make -s -C "$src" O="$obj" kernelrelease > "$dir/release"
mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
for old in "$cache"/debug-kernel-*; do
	[ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
done
echo "debug-kernel: built $(cat "$dir/release") in $(cat "$dir/build-seconds") s" >&2
echo "$dir"
