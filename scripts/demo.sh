#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot a throwaway VM, load the host module, show the mdev
# types, create one instance of each type with mdevctl, show them and the
# sysfs view of one, stop them; then a nested guest on a spar-nic and a
# spar-hba instance pings and formats a disk.  Exits non-zero if any step
# fails.

set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib/vm.sh
. "$root/tests/vm/lib/vm.sh"
vm_setup

results="$VM_BUILD/demo-results.txt"
: > "$results"
log="$VM_LOGS/demo.log"

echo "demo: kernel $VM_KVER, module $SPAR_ROOT/mdev-parent/spar_mdev.ko"
start=$SECONDS
vm_module_ready demo "$results" || { cat "$results"; exit 1; }
# The nested guest's initramfs; the VM finds it at the same path.
vm_l2_initramfs "$VM_BUILD/l2-initramfs-$VM_KVER.cpio.gz" \
	"$root/tests/e2e/l2-init" "${VM_L2_CONTENT[@]}" > /dev/null
vm_boot demo "${SPAR_DEMO_TIMEOUT:-480}" tests/vm/lib/demo-guest.sh
rc=0
vm_collect demo demo "$results" || rc=1

# What the VM printed, without the result bookkeeping and kernel messages.
sed -n '/^SPAR-VM-START$/,/^SPAR-VM-RC /p' "$log" |
	grep -avE '^(SPAR-|PASS demo/|FAIL demo/|\[ *[0-9]+\.[0-9]+\] )' || true

pass="$(grep -c '^PASS ' "$results" || true)"
fail="$(grep -c '^FAIL ' "$results" || true)"
echo
echo "=== Summary"
if [ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ "$pass" -gt 2 ]; then
	echo "A throwaway VM ($VM_KVER, ${VM_ACCEL[1]}) loaded spar_mdev, created a"
	echo "spar-nic, a spar-hba and a spar-input instance with mdevctl, showed them"
	echo "and removed them again.  Then a nested guest, given one instance of"
	echo "each type as vfio-pci devices, loaded visorbus, visornic, visorhba and"
	echo "visorinput, pinged the VM's host interface spn-demo, made, mounted and"
	echo "used an ext4 file system on the LIO disk the spar-hba instance served,"
	echo "and read from its console the line the VM typed over spar-input."
	echo "The kernel logged no warning.  All $pass steps passed in"
	echo "$((SECONDS - start)) s."
else
	echo "The demo FAILED ($fail of $((pass + fail)) steps):"
	grep '^FAIL ' "$results" || true
	rc=1
fi
echo "Console log: $log"
echo "Kernel log:  $VM_LOGS/demo.dmesg"
exit "$rc"
