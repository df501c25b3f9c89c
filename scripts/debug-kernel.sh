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
# source tarball and this script (which holds the configuration), so it is
# built once per machine.  The directory holds:
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

key="$({
	stat -Lc '%n %s %Y' "$tarball"
	sha256sum "$0" | cut -d' ' -f1
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
cfg=("$src/scripts/config" --file "$obj/.config")
"${cfg[@]}" --set-str LOCALVERSION "-spar-debug" --disable LOCALVERSION_AUTO
# The checks the distribution kernels lack.
"${cfg[@]}" --enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE \
	--enable PROVE_LOCKING --enable DEBUG_ATOMIC_SLEEP \
	--enable DEBUG_KMEMLEAK --disable DEBUG_KMEMLEAK_DEFAULT_OFF \
	--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000 \
	--enable UBSAN --enable UBSAN_BOUNDS --enable UBSAN_SHIFT \
	--enable DEBUG_LIST --enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_FREE \
	--enable DEBUG_INFO_NONE --disable DEBUG_INFO \
	--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_BTF
# What the test VMs need, built in.
"${cfg[@]}" --enable VIRTIO_PCI --enable NET_9P --enable NET_9P_VIRTIO \
	--enable 9P_FS --enable 9P_FS_POSIX_ACL --enable OVERLAY_FS \
	--enable TMPFS --enable DEVTMPFS --enable BLK_DEV_INITRD \
	--enable VFIO --enable VFIO_IOMMU_TYPE1 --enable VFIO_MDEV \
	--enable VFIO_PCI --enable EVENTFD \
	--enable TARGET_CORE --enable TCM_IBLOCK --enable TCM_FILEIO \
	--enable TCM_PSCSI --enable LOOPBACK_TARGET --enable CONFIGFS_FS \
	--enable INPUT_EVDEV --enable INPUT_UINPUT --enable INPUT_MISC \
	--enable TUN --enable VETH --enable BRIDGE --enable PACKET \
	--enable NETFILTER --enable IPV6 \
	--enable MODULES --enable MODULE_UNLOAD --disable MODULE_SIG \
	--enable IKCONFIG --enable IKCONFIG_PROC
kmake olddefconfig
echo "debug-kernel: building with $(nproc) jobs" >&2
kmake -j"$(nproc)" bzImage modules
kmake INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 modules_install
echo "$((SECONDS - start))" > "$dir/build-seconds"
rm -rf "$src/Documentation"
cp "$obj/arch/x86/boot/bzImage" "$dir/vmlinuz.tmp"
make -s -C "$src" O="$obj" kernelrelease > "$dir/release"
mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
echo "debug-kernel: built $(cat "$dir/release") in $(cat "$dir/build-seconds") s" >&2
echo "$dir"
