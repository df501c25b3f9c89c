#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the newest installed kernel version V that has both /boot/vmlinuz-V
# and /lib/modules/V/build (so modules can be built for it and it can boot
# in a VM).  With --all, print every such version, oldest first: the kernel
# matrix of `make check`.  SPAR_BOOT_DIR and SPAR_MODULES_DIR override the
# two roots.

set -euo pipefail

boot_dir="${SPAR_BOOT_DIR:-/boot}"
mod_dir="${SPAR_MODULES_DIR:-/lib/modules}"

all=$(
	for img in "$boot_dir"/vmlinuz-*; do
		[ -e "$img" ] || continue
		v="${img##*/vmlinuz-}"
		[ -d "$mod_dir/$v/build" ] && printf '%s\n' "$v"
	done | sort -V
)
best=$(printf '%s\n' "$all" | tail -n 1)

if [ -z "$best" ]; then
	echo "kver.sh: no kernel has both $boot_dir/vmlinuz-V and $mod_dir/V/build" >&2
	echo "kver.sh: install linux-image-amd64 and linux-headers-amd64" >&2
	exit 1
fi
if [ "${1:-}" = --all ]; then
	printf '%s\n' "$all"
else
	printf '%s\n' "$best"
fi
